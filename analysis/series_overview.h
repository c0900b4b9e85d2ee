/*
 * series_overview.h - the per-frame series boiled down for plotting.
 *
 * Frames are grouped into SERIES_OVERVIEW_BINS bins by their index (frame i
 * of N goes to bin i * BINS / N), and each bin keeps its time span and the
 * range of each plotted quantity, so a session of any length draws from a
 * few kilobytes.
 */
#ifndef MTABLE_SERIES_OVERVIEW_H
#define MTABLE_SERIES_OVERVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "metrics.h"

/* Bins: about one per pixel of the plot's width. */
#define SERIES_OVERVIEW_BINS 900

/* The quantities plotted. */
enum series_quantity {
    SERIES_TOTAL_LOAD,
    SERIES_APPLIED_TOTAL,
    SERIES_CONTACT_AREA, /* taxels */
    SERIES_COP_ROW,
    SERIES_COP_COL,
    SERIES_QUANTITIES,
};

/* One bin: frames' time span and the range of each quantity (NaN: none seen). */
struct series_bin {
    bool used;
    double start_s, end_s;
    double low[SERIES_QUANTITIES], high[SERIES_QUANTITIES];
};

/* The overview of one session's series. */
struct series_overview {
    uint64_t frames; /* frames in the session, decides the binning */
    struct series_bin bins[SERIES_OVERVIEW_BINS];
};

/* Empties the overview for a session of frames frames. */
void series_overview_init(struct series_overview *overview, uint64_t frames);

/* Adds the series row of frame index. */
void series_overview_add(struct series_overview *overview, uint64_t index,
                         const struct metrics_frame *row);

#endif
