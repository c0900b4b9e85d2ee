/*
 * series_overview.c - binning of the per-frame series.
 */
#include "series_overview.h"

#include <math.h>

void series_overview_init(struct series_overview *overview, uint64_t frames)
{
    overview->frames = frames;
    for (size_t b = 0; b < SERIES_OVERVIEW_BINS; b++) {
        struct series_bin *bin = &overview->bins[b];
        bin->used = false;
        for (int q = 0; q < SERIES_QUANTITIES; q++)
            bin->low[q] = bin->high[q] = NAN;
    }
}

void series_overview_add(struct series_overview *overview, uint64_t index,
                         const struct metrics_frame *row)
{
    if (index >= overview->frames)
        return;
    struct series_bin *bin =
        &overview->bins[(size_t)((double)index / (double)overview->frames * SERIES_OVERVIEW_BINS)];
    const double values[SERIES_QUANTITIES] = {
        [SERIES_TOTAL_LOAD] = row->total_load,
        [SERIES_APPLIED_TOTAL] = row->applied_total,
        [SERIES_CONTACT_AREA] = row->contact_taxels,
        [SERIES_COP_ROW] = row->cop_row,
        [SERIES_COP_COL] = row->cop_col,
    };
    if (!bin->used) {
        bin->used = true;
        bin->start_s = row->time_s;
    }
    bin->end_s = row->time_s + row->duration_s;
    for (int q = 0; q < SERIES_QUANTITIES; q++) {
        if (isnan(values[q]))
            continue;
        if (isnan(bin->low[q]) || values[q] < bin->low[q])
            bin->low[q] = values[q];
        if (isnan(bin->high[q]) || values[q] > bin->high[q])
            bin->high[q] = values[q];
    }
}
