/*
 * batch.h - one summary table across several analysed sessions.
 *
 * Each analysis fills a batch_entry; the summary lists the sessions in
 * order of their start time (then path), one row per session, with the
 * dwell time, visits and mean applied pressure of every region any of them
 * has (regions in order of first appearance), so a course of sessions for
 * one subject can be compared. Sessions that failed are listed in the JSON
 * with their error and left out of the CSV.
 */
#ifndef MTABLE_BATCH_H
#define MTABLE_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "metrics.h"
#include "regions.h"

/* Room for an error or a warning in an entry. */
#define BATCH_TEXT_SIZE 1024

/* Room for a path in an entry (as output_dir.h's longest path). */
#define BATCH_PATH_SIZE 4096

/* Most warnings kept per session. */
#define BATCH_WARNINGS_MAX 8

/* One region's results in an entry. */
struct batch_region {
    char name[REGIONS_NAME_MAX + 1];
    struct metrics_region result;
};

/* What the summary shows of one session. */
struct batch_entry {
    char session_path[BATCH_PATH_SIZE];
    char output_dir[BATCH_PATH_SIZE];
    bool failed;
    char error[BATCH_TEXT_SIZE];
    char session_id[256];
    char subject_id[128];
    char operator_id[128];
    char start_time_utc[64];
    int64_t start_time_unix_ns;
    bool complete;
    char unit[8];
    uint64_t frames;
    double duration_s, no_region_s;
    uint64_t gap_frames, dropped_frames;
    size_t region_count;
    struct batch_region regions[REGIONS_MAX];
    size_t warning_count;
    char warnings[BATCH_WARNINGS_MAX][BATCH_TEXT_SIZE];
};

/* Sorts entries by start time, then session path. */
void batch_sort(struct batch_entry *entries, size_t count);

/* Writes the summary table (CSV) of the entries that did not fail, in their order. */
int batch_write_csv(const struct batch_entry *entries, size_t count, const char *path);

/* Writes the summary JSON of every entry, in their order. */
int batch_write_json(const struct batch_entry *entries, size_t count, const char *path);

#endif
