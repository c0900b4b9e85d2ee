/*
 * series_overview.c - binning of the per-frame series over the analysed time range.
 */
#include "series_overview.h"

#include <math.h>

/* Bin length when the caller expects no time at all: doubled as frames come. */
#define SERIES_OVERVIEW_FALLBACK_S 1.0

static void empty_bin(struct series_bin *bin)
{
    bin->used = false;
    bin->start_s = bin->end_s = 0;
    for (int q = 0; q < SERIES_QUANTITIES; q++)
        bin->low[q] = bin->high[q] = NAN;
}

void series_overview_init(struct series_overview *overview, double start_s, double end_s)
{
    double bin_s = (end_s - start_s) / SERIES_OVERVIEW_BINS;
    overview->start_s = start_s;
    overview->bin_s = bin_s > 0 ? bin_s : SERIES_OVERVIEW_FALLBACK_S / SERIES_OVERVIEW_BINS;
    for (size_t b = 0; b < SERIES_OVERVIEW_BINS; b++)
        empty_bin(&overview->bins[b]);
}

/* Widens into's time span and ranges by those of bin (the later one). */
static void merge_bin(struct series_bin *into, const struct series_bin *bin)
{
    if (!bin->used)
        return;
    if (!into->used) {
        *into = *bin;
        return;
    }
    into->end_s = bin->end_s;
    for (int q = 0; q < SERIES_QUANTITIES; q++) {
        if (isnan(into->low[q]) || bin->low[q] < into->low[q])
            into->low[q] = bin->low[q];
        if (isnan(into->high[q]) || bin->high[q] > into->high[q])
            into->high[q] = bin->high[q];
    }
}

/* Doubles the bin length: bins 2b and 2b + 1 become bin b. */
static void merge_pairs(struct series_overview *overview)
{
    struct series_bin *bins = overview->bins;
    for (size_t b = 0; b < SERIES_OVERVIEW_BINS / 2; b++) {
        struct series_bin pair[2] = {bins[2 * b], bins[2 * b + 1]};
        empty_bin(&bins[b]);
        merge_bin(&bins[b], &pair[0]);
        merge_bin(&bins[b], &pair[1]);
    }
    for (size_t b = SERIES_OVERVIEW_BINS / 2; b < SERIES_OVERVIEW_BINS; b++)
        empty_bin(&bins[b]);
    overview->bin_s *= 2;
}

void series_overview_add(struct series_overview *overview, const struct metrics_frame *row)
{
    double offset = row->time_s - overview->start_s;
    double position = offset > 0 ? floor(offset / overview->bin_s) : 0;
    while (position >= SERIES_OVERVIEW_BINS) {
        merge_pairs(overview);
        position = floor(offset / overview->bin_s);
    }
    struct series_bin *bin = &overview->bins[(size_t)position];
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

double series_overview_end(const struct series_overview *overview)
{
    for (size_t b = SERIES_OVERVIEW_BINS; b-- > 0;)
        if (overview->bins[b].used)
            return overview->bins[b].end_s;
    return overview->start_s;
}
