/*
 * results_hdf5.h - results.h5: the analysis as data for the lab's own scripts.
 *
 *   /                 attributes: generator, session_path, session_id,
 *                     pressure_units, complete, analysed_s, no_region_s
 *   /heatmaps/raw/<kind>, /heatmaps/applied/<kind>   float64 (rows, cols)
 *                     kind: mean, peak, time_above, integral; attribute units
 *   /series/<column>  one value per analysed frame (columns of series.csv;
 *                     active_regions is a uint64 bit mask, bit r = region r)
 *   /regions/<column> one value per region (name, taxels, dwell_s, ...),
 *                     /regions/mask uint8 (regions, rows, cols)
 *   /visits/<column>  one value per visit, in order of start
 *
 * The series is appended while the frames stream, in blocks, so memory does
 * not grow with the session.
 */
#ifndef MTABLE_RESULTS_HDF5_H
#define MTABLE_RESULTS_HDF5_H

#include <stdint.h>

#include "analysis.h"

struct results_hdf5;

/* Creates path; the series columns start empty. Describes failures in error. */
int results_hdf5_create(const char *path, struct results_hdf5 **out, char *error,
                        size_t error_size);

/* Appends the series row of frame index. */
int results_hdf5_append(struct results_hdf5 *results, uint64_t index,
                        const struct metrics_frame *row);

/* Writes heatmaps, regions, visits and attributes for outcome, and closes the file. Frees results.
 */
int results_hdf5_finish(struct results_hdf5 *results, const struct analysis_outcome *outcome,
                        char *error, size_t error_size);

/* Closes and frees without finishing (after a failure). */
void results_hdf5_discard(struct results_hdf5 *results);

#endif
