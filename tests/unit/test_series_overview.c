/*
 * test_series_overview.c - the series overview bins the analysed time range,
 * not the whole session: frames of a window 100-200 s fill every bin from
 * 100 s to 200 s; a time axis longer than expected (a gap) doubles the bin
 * length and keeps every frame, with each bin's time span and value ranges
 * those of its frames (worked out by hand below).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "series_overview.h"

/* A series row at time_s lasting duration_s whose total load is value. */
static struct metrics_frame row_at(double time_s, double duration_s, double value)
{
    return (struct metrics_frame){.time_s = time_s,
                                  .duration_s = duration_s,
                                  .total_load = value,
                                  .applied_total = 0,
                                  .contact_taxels = 1,
                                  .cop_row = NAN,
                                  .cop_col = NAN};
}

static void assert_close(double actual, double expected)
{
    if (!(fabs(actual - expected) <= 1e-9 * (1 + fabs(expected))))
        fail_msg("got %.12g, expected %.12g", actual, expected);
}

static void test_window_fills_the_bins(void **state)
{
    (void)state;
    /* --from 100 --to 200 of a longer session at 10 frames/s: the 1000 frames
     * t = 100.0, 100.1, ..., 199.9 over 900 bins of 1/9 s, every bin holds
     * one or two frames. */
    static struct series_overview overview;
    series_overview_init(&overview, 100, 200);
    for (int i = 0; i < 1000; i++) {
        struct metrics_frame row = row_at(100 + i * 0.1, 0.1, i);
        series_overview_add(&overview, &row);
    }
    assert_close(overview.start_s, 100);
    assert_close(overview.bin_s, 100.0 / SERIES_OVERVIEW_BINS);
    for (size_t b = 0; b < SERIES_OVERVIEW_BINS; b++)
        assert_true(overview.bins[b].used);
    assert_close(overview.bins[0].start_s, 100);
    assert_close(overview.bins[0].low[SERIES_TOTAL_LOAD], 0);
    /* Bin 0 is [100, 100.111): frames 0 and 1 (t = 100, 100.1). */
    assert_close(overview.bins[0].high[SERIES_TOTAL_LOAD], 1);
    assert_close(overview.bins[SERIES_OVERVIEW_BINS - 1].end_s, 200);
    assert_close(overview.bins[SERIES_OVERVIEW_BINS - 1].high[SERIES_TOTAL_LOAD], 999);
    assert_true(isnan(overview.bins[0].low[SERIES_COP_ROW]));
    assert_close(series_overview_end(&overview), 200);
}

static void test_longer_axis_doubles_the_bins(void **state)
{
    (void)state;
    /* 8 frames/s, value = frame number. Expected 0-112.5 s (bins of 0.125 s),
     * but a gap of 112.5 s after frame 449 (t = 56.125) puts frames 450-899
     * at 168.75-224.875 s: the bins double to 0.25 s (0-225 s). Bin b holds
     * frames 2b and 2b + 1 before the gap (bin 224: 448, 449); bins 225-674
     * (56.25-168.75 s) are the gap; bin 675 holds frames 450 and 451. */
    static struct series_overview overview;
    series_overview_init(&overview, 0, 112.5);
    assert_close(overview.bin_s, 0.125);
    for (int i = 0; i < 900; i++) {
        double t = (i < 450 ? 0 : 112.5) + i * 0.125;
        struct metrics_frame row = row_at(t, 0.125, i);
        series_overview_add(&overview, &row);
    }
    assert_close(overview.bin_s, 0.25);
    assert_close(overview.bins[0].start_s, 0);
    assert_close(overview.bins[0].end_s, 0.25);
    assert_close(overview.bins[0].low[SERIES_TOTAL_LOAD], 0);
    assert_close(overview.bins[0].high[SERIES_TOTAL_LOAD], 1);
    assert_close(overview.bins[224].low[SERIES_TOTAL_LOAD], 448);
    assert_close(overview.bins[224].high[SERIES_TOTAL_LOAD], 449);
    for (size_t b = 225; b < 675; b++)
        assert_false(overview.bins[b].used);
    assert_close(overview.bins[675].start_s, 168.75);
    assert_close(overview.bins[675].low[SERIES_TOTAL_LOAD], 450);
    assert_close(overview.bins[675].high[SERIES_TOTAL_LOAD], 451);
    assert_close(overview.bins[SERIES_OVERVIEW_BINS - 1].low[SERIES_TOTAL_LOAD], 898);
    assert_close(overview.bins[SERIES_OVERVIEW_BINS - 1].high[SERIES_TOTAL_LOAD], 899);
    assert_close(series_overview_end(&overview), 225);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_window_fills_the_bins),
        cmocka_unit_test(test_longer_axis_doubles_the_bins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
