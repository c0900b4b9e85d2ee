/*
 * results_csv.h - the CSV files of an analysis (columns in analysis/METRICS.md).
 *
 *   regions.csv  one row per region, in map order
 *   visits.csv   one row per visit, in order of start
 *   series.csv   one row per analysed frame, written while the frames stream
 *
 * Plain RFC 4180 CSV with a header row; region names never need quoting.
 */
#ifndef MTABLE_RESULTS_CSV_H
#define MTABLE_RESULTS_CSV_H

#include <stdint.h>

#include "analysis.h"

struct series_csv;

/* Creates the series file at path; region names come from regions. */
int series_csv_open(const char *path, const struct region_map *regions, struct series_csv **out);

/* Appends the row of frame index. */
int series_csv_append(struct series_csv *csv, uint64_t index, const struct metrics_frame *row);

/* Finishes the file; -EIO if anything failed to be written. Frees csv. */
int series_csv_close(struct series_csv *csv);

/* Writes regions.csv for the outcome. */
int results_csv_write_regions(const struct analysis_outcome *outcome, const char *path);

/* Writes visits.csv for the outcome. */
int results_csv_write_visits(const struct analysis_outcome *outcome, const char *path);

#endif
