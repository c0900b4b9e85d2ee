/*
 * series_overview.h - the per-frame series boiled down for plotting.
 *
 * The analysed time range is cut into SERIES_OVERVIEW_BINS bins of equal
 * length, from the window's start; each bin keeps its frames' time span and
 * the range of each plotted quantity, so a session of any length draws from
 * a few kilobytes:
 *
 *   start_s            start_s + bin_s * b                 start_s + bin_s * BINS
 *   |  bin 0  |  bin 1  | ... |  bin b: frames with t in [.., ..) | ... |
 *
 * The bins are first sized for the range the caller expects; a frame beyond
 * the last bin (a time axis longer than expected: gaps, a slow device clock)
 * merges the bins pairwise, doubling bin_s, until it fits. So every frame
 * fits, and the frames still fill at least half of the bins.
 */
#ifndef MTABLE_SERIES_OVERVIEW_H
#define MTABLE_SERIES_OVERVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "metrics.h"

/* Bins: about one per pixel of the plot's width (an even number, for merging pairs). */
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

/* The overview of the analysed frames' series. */
struct series_overview {
    double start_s; /* where bin 0 starts on the session's time axis */
    double bin_s;   /* length of every bin, seconds */
    struct series_bin bins[SERIES_OVERVIEW_BINS];
};

/*
 * Empties the overview for frames from start_s on, expected to end about
 * end_s (bins are sized for that; any later frame still fits).
 */
void series_overview_init(struct series_overview *overview, double start_s, double end_s);

/* Adds the series row of the next analysed frame (frames in time order). */
void series_overview_add(struct series_overview *overview, const struct metrics_frame *row);

/* End of the last frame added (start_s if none): the plot's time axis is start_s .. this. */
double series_overview_end(const struct series_overview *overview);

#endif
