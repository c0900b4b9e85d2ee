/*
 * progress.h - one updating status line on a terminal for long analyses.
 *
 *   analysing S01-20261121T131502Z.h5: 123456/360000 frames (34 %), 152000 frames/s
 *
 * Drawn only when stderr is a terminal; redrawn at most every
 * PROGRESS_INTERVAL_S, erased when done, so logs stay clean.
 */
#ifndef MTABLE_PROGRESS_H
#define MTABLE_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

/* Shortest time between two redraws, seconds. */
#define PROGRESS_INTERVAL_S 0.2

/* One progress line. */
struct progress {
    bool enabled;
    const char *label;
    double start_s, last_s; /* monotonic clock */
};

/* Starts a line for label; draws nothing unless enabled and stderr is a terminal. */
void progress_start(struct progress *progress, const char *label, bool enabled);

/* Progress callback for analysis_settings: context is a struct progress. */
void progress_report(void *context, uint64_t done, uint64_t total);

/* Erases the line. */
void progress_finish(struct progress *progress);

#endif
