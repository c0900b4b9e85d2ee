/*
 * test_metrics.c - every metric of analysis/METRICS.md on tiny hand-built
 * frames, with the expected numbers worked out by hand in the comments:
 * the four heatmaps raw and applied, region dwell, visits, longest visit,
 * mean and peak applied while active, region integral, time with no region
 * active, the per-frame series (total load, contact area, centre of
 * pressure, active regions), hysteresis, a sequence gap that must not
 * count as dwell, pressures through a calibration in kPa and mmHg, and the
 * time-above threshold decided exactly at its boundary.
 * Also the frame duration rules (frame_time.h) and the calibration.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "frame_time.h"
#include "metrics.h"
#include "pressure.h"
#include "regions.h"

/* Per-frame arithmetic is single precision (metrics.c): relative 1e-6. */
#define TOLERANCE 1e-6

static void assert_near(double actual, double expected, const char *what)
{
    if (!(fabs(actual - expected) <= TOLERANCE * (1 + fabs(expected))))
        fail_msg("%s: got %.12g, expected %.12g", what, actual, expected);
}

/* A 2 x 2 grid: region "top" is row 0 (taxels 0, 1), "bottom" row 1 (taxels 2, 3). */
static struct region_map *two_rows(void)
{
    static const char text[] = "top rect 0 0-1\nbottom rect 1 0-1\n";
    struct region_map *map = NULL;
    char error[REGIONS_ERROR_SIZE];
    assert_int_equal(
        regions_parse(text, sizeof(text) - 1, "t", 2, 2, false, &map, error, sizeof(error)), 0);
    return map;
}

static struct metrics_config config_for(const struct region_map *map, const double *table)
{
    return (struct metrics_config){.rows = 2,
                                   .cols = 2,
                                   .regions = map,
                                   .pressure_table = table,
                                   .above_threshold = 100,
                                   .active_threshold = 200,
                                   .release_threshold = 100,
                                   .contact_threshold = 20,
                                   .taxel_area_cm2 = 4.0};
}

/*
 * Four frames (readings v, resting r, duration d), counts:
 *   F0 d=0.01 v=[0 50 100 300] r=[0 50 100 100] a=[0 0 0 200]
 *   F1 d=0.02 v=[0 50 250 150] r=same           a=[0 0 150 50]
 *   F2 d=0.01 v=[400 50 100 150]                a=[400 0 0 50]
 *   F3 d=0.01 v=[0 50 100 100]                  a=[0 0 0 0]
 * bottom: F0 max a 200 >= 200 enters; F1 max 150 >= release 100 stays;
 * F2 max 50 < 100 leaves. top: F2 400 enters, F3 0 leaves.
 */
static const uint16_t frames[4][4] = {
    {0, 50, 100, 300}, {0, 50, 250, 150}, {400, 50, 100, 150}, {0, 50, 100, 100}};
static const uint16_t resting[4] = {0, 50, 100, 100};
static const double durations[4] = {0.01, 0.02, 0.01, 0.01};

static void run_frames(struct metrics *m, struct metrics_frame rows[4])
{
    double time_s = 0;
    for (int i = 0; i < 4; i++) {
        struct frame_stamp stamp = {.sequence = (uint32_t)(100 + i),
                                    .device_time_us = (uint64_t)(time_s * 1e6)};
        assert_int_equal(metrics_add_frame(m, frames[i], resting, &stamp, (uint64_t)i, durations[i],
                                           time_s, &rows[i]),
                         0);
        time_s += durations[i];
    }
    assert_int_equal(metrics_finish(m), 0);
}

static void test_heatmaps(void **state)
{
    (void)state;
    struct region_map *map = two_rows();
    struct metrics_config config = config_for(map, NULL);
    struct metrics *m = NULL;
    struct metrics_frame rows[4];
    assert_int_equal(metrics_create(&config, &m), 0);
    run_frames(m, rows);
    /* Raw, total duration 0.05 s:
     *   taxel 0: 400 for 0.01 s -> integral 4, mean 80, peak 400, above(>=100) 0.01
     *   taxel 1: 50 always -> integral 2.5, mean 50, peak 50, above 0
     *   taxel 2: 100,250,100,100 -> 1+5+1+1 = 8, mean 160, peak 250, above 0.05
     *   taxel 3: 300,150,150,100 -> 3+3+1.5+1 = 8.5, mean 170, peak 300, above 0.05 */
    const double raw[HEATMAP_KINDS][4] = {[HEATMAP_MEAN] = {80, 50, 160, 170},
                                          [HEATMAP_PEAK] = {400, 50, 250, 300},
                                          [HEATMAP_TIME_ABOVE] = {0.01, 0, 0.05, 0.05},
                                          [HEATMAP_INTEGRAL] = {4, 2.5, 8, 8.5}};
    /* Applied: taxel 0: 400 for 0.01 -> 4, mean 80, peak 400, above 0.01
     *          taxel 1: 0
     *          taxel 2: 150 for 0.02 -> 3, mean 60, peak 150, above 0.02
     *          taxel 3: 200*.01 + 50*.02 + 50*.01 = 3.5, mean 70, peak 200, above 0.01 */
    const double applied[HEATMAP_KINDS][4] = {[HEATMAP_MEAN] = {80, 0, 60, 70},
                                              [HEATMAP_PEAK] = {400, 0, 150, 200},
                                              [HEATMAP_TIME_ABOVE] = {0.01, 0, 0.02, 0.01},
                                              [HEATMAP_INTEGRAL] = {4, 0, 3, 3.5}};
    for (int kind = 0; kind < HEATMAP_KINDS; kind++) {
        for (int x = 0; x < 4; x++) {
            assert_near(metrics_heatmap(m, (enum heatmap_kind)kind, false)[x], raw[kind][x],
                        metrics_heatmap_name((enum heatmap_kind)kind));
            assert_near(metrics_heatmap(m, (enum heatmap_kind)kind, true)[x], applied[kind][x],
                        metrics_heatmap_name((enum heatmap_kind)kind));
        }
    }
    metrics_free(m);
    regions_free(map);
}

static void test_regions_and_series(void **state)
{
    (void)state;
    struct region_map *map = two_rows();
    struct metrics_config config = config_for(map, NULL);
    struct metrics *m = NULL;
    struct metrics_frame rows[4];
    assert_int_equal(metrics_create(&config, &m), 0);
    run_frames(m, rows);

    /* bottom: active F0-F1, dwell 0.03, one visit; loaded taxels (a counts
     * >= 100): F0 taxel 3 (200), F1 taxel 2 (150): mean applied =
     * (0.01*200 + 0.02*150)/0.03 = 166.67; peak 200; integral of the region
     * peak = 0.01*200 + 0.02*150 = 5. */
    const struct metrics_region *bottom = metrics_region_result(m, 1);
    assert_near(bottom->dwell_s, 0.03, "bottom dwell");
    assert_int_equal(bottom->visits, 1);
    assert_near(bottom->longest_visit_s, 0.03, "bottom longest");
    assert_near(bottom->mean_applied, 5.0 / 0.03, "bottom mean");
    assert_near(bottom->peak_applied, 200, "bottom peak");
    assert_near(bottom->integral, 5, "bottom integral");
    /* top: F2 only: dwell 0.01, mean 400, peak 400, integral 4. */
    const struct metrics_region *top = metrics_region_result(m, 0);
    assert_near(top->dwell_s, 0.01, "top dwell");
    assert_int_equal(top->visits, 1);
    assert_near(top->mean_applied, 400, "top mean");
    assert_near(top->peak_applied, 400, "top peak");
    assert_near(top->integral, 4, "top integral");
    /* Only F3 has no region active. */
    const struct metrics_totals *totals = metrics_totals(m);
    assert_int_equal(totals->frames, 4);
    assert_near(totals->duration_s, 0.05, "duration");
    assert_near(totals->no_region_s, 0.01, "no region");

    /* Visits in order of start: bottom (F0-F1), then top (F2). */
    size_t count = 0;
    const struct metrics_visit *visits = metrics_visits(m, &count);
    assert_int_equal(count, 2);
    assert_int_equal(visits[0].region, 1);
    assert_int_equal(visits[0].first_sequence, 100);
    assert_int_equal(visits[0].last_sequence, 101);
    assert_near(visits[0].start_s, 0, "visit 0 start");
    assert_near(visits[0].end_s, 0.03, "visit 0 end");
    assert_near(visits[0].peak_applied, 200, "visit 0 peak");
    assert_int_equal(visits[1].region, 0);
    assert_int_equal(visits[1].first_frame, 2);
    assert_int_equal(visits[1].last_frame, 2);
    assert_near(visits[1].start_s, 0.03, "visit 1 start");
    assert_near(visits[1].end_s, 0.04, "visit 1 end");

    /* F0: total 0+50+100+300 = 450; contact (>= 20) 3 taxels = 12 cm2;
     * CoP row = (100+300)/450, col = (50+300)/450; applied total 200. */
    assert_near(rows[0].total_load, 450, "F0 total");
    assert_int_equal(rows[0].contact_taxels, 3);
    assert_near(rows[0].contact_area_cm2, 12, "F0 area");
    assert_near(rows[0].cop_row, 400.0 / 450, "F0 cop row");
    assert_near(rows[0].cop_col, 350.0 / 450, "F0 cop col");
    assert_near(rows[0].applied_total, 200, "F0 applied");
    assert_near(rows[0].applied_peak, 200, "F0 applied peak");
    assert_int_equal(rows[0].active_regions, 2);
    /* F2: total 700, CoP row = 250/700, col = (50+150)/700; top active. */
    assert_near(rows[2].total_load, 700, "F2 total");
    assert_near(rows[2].cop_row, 250.0 / 700, "F2 cop row");
    assert_near(rows[2].cop_col, 200.0 / 700, "F2 cop col");
    assert_int_equal(rows[2].active_regions, 1);
    assert_int_equal(rows[3].active_regions, 0);
    assert_int_equal(rows[1].sequence, 101);
    assert_near(rows[1].time_s, 0.01, "F1 time");
    assert_near(rows[1].duration_s, 0.02, "F1 duration");
    metrics_free(m);
    regions_free(map);
}

/* A visit that starts first but ends last is listed first. */
static void test_visits_in_order_of_start(void **state)
{
    (void)state;
    /* top (taxel 0) active in F0-F3, bottom (taxel 2) in F1 only; resting 0.
     * Ends: bottom at F2, top at the finish. Starts: top F0, bottom F1. */
    struct region_map *map = two_rows();
    struct metrics_config config = config_for(map, NULL);
    struct metrics *m = NULL;
    const uint16_t zero[4] = {0};
    assert_int_equal(metrics_create(&config, &m), 0);
    for (uint32_t i = 0; i < 4; i++) {
        const uint16_t v[4] = {300, 0, i == 1 ? 300 : 0, 0};
        struct frame_stamp stamp = {.sequence = i, .device_time_us = 10000u * i};
        struct metrics_frame row;
        assert_int_equal(metrics_add_frame(m, v, zero, &stamp, i, 0.01, 0.01 * i, &row), 0);
    }
    assert_int_equal(metrics_finish(m), 0);
    size_t count = 0;
    const struct metrics_visit *visits = metrics_visits(m, &count);
    assert_int_equal(count, 2);
    assert_int_equal(visits[0].region, 0);
    assert_int_equal(visits[0].first_frame, 0);
    assert_int_equal(visits[0].last_frame, 3);
    assert_int_equal(visits[1].region, 1);
    assert_int_equal(visits[1].first_frame, 1);
    metrics_free(m);
    regions_free(map);
}

static void test_no_load_has_no_centre(void **state)
{
    (void)state;
    struct metrics_config config = config_for(NULL, NULL);
    struct metrics *m = NULL;
    struct metrics_frame row;
    uint16_t zero[4] = {0};
    struct frame_stamp stamp = {0};
    assert_int_equal(metrics_create(&config, &m), 0);
    assert_int_equal(metrics_add_frame(m, zero, zero, &stamp, 0, 0.01, 0, &row), 0);
    assert_true(isnan(row.cop_row) && isnan(row.cop_col));
    assert_near(row.total_load, 0, "total");
    metrics_free(m);
}

/* Runs one taxel's applied counts through a one-region 1 x 1 map. */
static void run_single(const uint16_t *applied, const struct frame_stamp *stamps, size_t count,
                       double period_s, struct metrics_region *result, size_t *visits)
{
    static const char text[] = "only rect 0 0\n";
    struct region_map *map = NULL;
    char error[REGIONS_ERROR_SIZE];
    assert_int_equal(
        regions_parse(text, sizeof(text) - 1, "t", 1, 1, false, &map, error, sizeof(error)), 0);
    struct metrics_config config = {.rows = 1,
                                    .cols = 1,
                                    .regions = map,
                                    .above_threshold = 100,
                                    .active_threshold = 200,
                                    .release_threshold = 100,
                                    .contact_threshold = 20};
    struct metrics *m = NULL;
    assert_int_equal(metrics_create(&config, &m), 0);
    uint16_t zero = 0;
    double time_s = 0;
    for (size_t i = 0; i < count; i++) {
        const struct frame_stamp *next = i + 1 < count ? &stamps[i + 1] : NULL;
        double duration = frame_time_duration(&stamps[i], next, period_s);
        struct metrics_frame row;
        assert_int_equal(
            metrics_add_frame(m, &applied[i], &zero, &stamps[i], i, duration, time_s, &row), 0);
        if (next)
            time_s += frame_time_step(&stamps[i], next, duration);
    }
    assert_int_equal(metrics_finish(m), 0);
    *result = *metrics_region_result(m, 0);
    metrics_visits(m, visits);
    metrics_free(m);
    regions_free(map);
}

static void test_hysteresis(void **state)
{
    (void)state;
    /* 250 enters, 150 stays (>= 100), 90 leaves, 150 does not re-enter
     * (< 200), 200 enters, 100 stays, end. Active frames 0,1,4,5: two visits,
     * 0.02 s each at 0.01 s per frame. */
    const uint16_t applied[] = {250, 150, 90, 150, 200, 100};
    struct frame_stamp stamps[6];
    for (int i = 0; i < 6; i++)
        stamps[i] = (struct frame_stamp){(uint32_t)i, 10000u * (uint64_t)i};
    struct metrics_region result;
    size_t visits;
    run_single(applied, stamps, 6, 0.01, &result, &visits);
    assert_int_equal(result.visits, 2);
    assert_int_equal(visits, 2);
    assert_near(result.dwell_s, 0.04, "dwell");
    assert_near(result.longest_visit_s, 0.02, "longest");
}

static void test_gap_is_not_dwell(void **state)
{
    (void)state;
    /* Sequences 0, 1, 5, 6 at 10 ms per scan: 2-4 were lost. All four frames
     * active. Durations: 0->1 consecutive 0.01; 1->5 gap: nominal 0.01; 5->6
     * 0.01; last: nominal 0.01. Dwell 0.04 s, not the 0.07 s from frame 0's
     * start to frame 6's end; still one visit (activity carries over). */
    const uint16_t applied[] = {300, 300, 300, 300};
    const struct frame_stamp stamps[] = {{0, 0}, {1, 10000}, {5, 50000}, {6, 60000}};
    struct metrics_region result;
    size_t visits;
    run_single(applied, stamps, 4, 0.01, &result, &visits);
    assert_near(result.dwell_s, 0.04, "dwell across a gap");
    assert_int_equal(result.visits, 1);
}

static void test_frame_durations(void **state)
{
    (void)state;
    const double period = 0.01;
    struct frame_stamp a = {7, 1000000};
    struct {
        struct frame_stamp next;
        double duration, step;
    } cases[] = {
        {{8, 1010400}, 0.0104, 0.0104},     /* consecutive: measured on the device clock */
        {{9, 1020000}, 0.01, 0.02},         /* gap: nominal; time axis moves 20 ms */
        {{8, 1000000}, 0.01, 0.01},         /* clock did not advance: nominal */
        {{8, 1100001}, 0.01, 0.100001},     /* beyond 10 periods (a pause): nominal */
        {{8, 1099999}, 0.099999, 0.099999}, /* just under 10 periods: measured */
        {{0, 5000}, 0.01, 0.01},            /* device reset: nominal, axis by duration */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        double duration = frame_time_duration(&a, &cases[i].next, period);
        assert_near(duration, cases[i].duration, "duration");
        assert_near(frame_time_step(&a, &cases[i].next, duration), cases[i].step, "step");
    }
    assert_near(frame_time_duration(&a, NULL, period), 0.01, "last frame");
    struct frame_stamp last = {UINT32_MAX, 0}, wrapped = {0, 10000};
    assert_near(frame_time_duration(&last, &wrapped, period), 0.01, "sequence wrap");
}

static void test_calibrated_units(void **state)
{
    (void)state;
    /* Calibration (0, 0) (100, 10) (1000, 40) kPa: P(50) = 5, P(100) = 10,
     * P(550) = 10 + 30 * 450/900 = 25, above 1000 clamped to 40. */
    const double points[] = {0, 0, 100, 10, 1000, 40};
    assert_int_equal(pressure_check_calibration(points, 3), 0);
    assert_near(pressure_calibrate(points, 3, 50), 5, "P(50)");
    assert_near(pressure_calibrate(points, 3, 550), 25, "P(550)");
    assert_near(pressure_calibrate(points, 3, 4095), 40, "P(4095)");
    const double below[] = {10, 2, 20, 4};
    assert_near(pressure_calibrate(below, 2, 0), 2, "below the first point");
    const double unordered[] = {0, 0, 0, 1};
    assert_int_equal(pressure_check_calibration(unordered, 2), -EINVAL);
    assert_int_equal(pressure_check_calibration(points, 1), -EINVAL);

    double *kpa = NULL, *mmhg = NULL;
    assert_int_equal(pressure_table_create(points, 3, PRESSURE_UNIT_KPA, &kpa), 0);
    assert_int_equal(pressure_table_create(points, 3, PRESSURE_UNIT_MMHG, &mmhg), 0);
    assert_near(kpa[550], 25, "table kPa");
    assert_near(mmhg[550], 25 * 7.500617, "table mmHg");

    /* One frame, 1 x 2 grid, d = 0.5 s: v = [550, 100], r = [100, 100]:
     * p = [25, 10] kPa, a = [25 - 10, 0] = [15, 0]. In mmHg all times 7.500617. */
    for (int unit = 0; unit < 2; unit++) {
        const double *table = unit == 0 ? kpa : mmhg;
        double scale = unit == 0 ? 1 : 7.500617;
        struct metrics_config config = {.rows = 1,
                                        .cols = 2,
                                        .pressure_table = table,
                                        .above_threshold = 20 * scale,
                                        .active_threshold = 200,
                                        .release_threshold = 100};
        struct metrics *m = NULL;
        struct metrics_frame row;
        const uint16_t v[2] = {550, 100}, r[2] = {100, 100};
        struct frame_stamp stamp = {0};
        assert_int_equal(metrics_create(&config, &m), 0);
        assert_int_equal(metrics_add_frame(m, v, r, &stamp, 0, 0.5, 0, &row), 0);
        assert_int_equal(metrics_finish(m), 0);
        assert_near(row.total_load, 35 * scale, "total");
        assert_near(metrics_heatmap(m, HEATMAP_MEAN, false)[0], 25 * scale, "mean");
        assert_near(metrics_heatmap(m, HEATMAP_INTEGRAL, false)[1], 5 * scale, "integral");
        assert_near(metrics_heatmap(m, HEATMAP_PEAK, true)[0], 15 * scale, "applied peak");
        assert_near(metrics_heatmap(m, HEATMAP_TIME_ABOVE, false)[0], 0.5, "above");
        assert_near(metrics_heatmap(m, HEATMAP_TIME_ABOVE, true)[0], 0, "applied above");
        metrics_free(m);
    }
    free(kpa);
    free(mmhg);
}

/* Seconds above the threshold of a one-frame 1 x 4 session (d = 0.5 s), raw and applied. */
static void time_above(const double *table, double threshold, const uint16_t v[4],
                       const uint16_t r[4], double raw[4], double applied[4])
{
    struct metrics_config config = {.rows = 1,
                                    .cols = 4,
                                    .pressure_table = table,
                                    .above_threshold = threshold,
                                    .active_threshold = 200,
                                    .release_threshold = 100};
    struct metrics *m = NULL;
    struct metrics_frame row;
    struct frame_stamp stamp = {0};
    assert_int_equal(metrics_create(&config, &m), 0);
    assert_int_equal(metrics_add_frame(m, v, r, &stamp, 0, 0.5, 0, &row), 0);
    assert_int_equal(metrics_finish(m), 0);
    for (int x = 0; x < 4; x++) {
        raw[x] = metrics_heatmap(m, HEATMAP_TIME_ABOVE, false)[x];
        applied[x] = metrics_heatmap(m, HEATMAP_TIME_ABOVE, true)[x];
    }
    metrics_free(m);
}

/*
 * "p >= T" and "a >= T" are decided as in double precision, not in the
 * single precision of the per-frame sums: a pressure 1e-7 count or 1e-9
 * kPa below T is not above it (in single precision both equal T).
 */
static void test_time_above_boundary(void **state)
{
    (void)state;
    /* Counts: v = [200 201 300 301], r = [200 201 100 100], a = [0 0 200 201]. */
    const uint16_t v[4] = {200, 201, 300, 301}, r[4] = {200, 201, 100, 100};
    /* Calibration (0, 0) (1000, 10): P(v) = v / 100 kPa. vk = [427 428 527 528],
     * rk = [427 428 100 100]: p = [4.27 4.28 5.27 5.28], a = [0 0 4.27 4.28].
     * The same readings through (0, 0) (1000, 10) (2000, 0), which falls past
     * 1000 counts: the same results, decided without reading thresholds. */
    const uint16_t vk[4] = {427, 428, 527, 528}, rk[4] = {427, 428, 100, 100};
    const double rising[] = {0, 0, 1000, 10}, hump[] = {0, 0, 1000, 10, 2000, 0};
    double *kpa = NULL, *humped = NULL;
    assert_int_equal(pressure_table_create(rising, 2, PRESSURE_UNIT_KPA, &kpa), 0);
    assert_int_equal(pressure_table_create(hump, 3, PRESSURE_UNIT_KPA, &humped), 0);
    const struct {
        const char *what;
        const double *table;
        double threshold;
        double raw[4], applied[4];
    } cases[] = {
        {"counts, T a hair above 200", NULL, 200.0000001, {0, 0.5, 0.5, 0.5}, {0, 0, 0, 0.5}},
        {"counts, T = 200", NULL, 200, {0.5, 0.5, 0.5, 0.5}, {0, 0, 0.5, 0.5}},
        {"counts, T a hair below 200", NULL, 199.9999999, {0.5, 0.5, 0.5, 0.5}, {0, 0, 0.5, 0.5}},
        {"counts, T = 0: everything", NULL, 0, {0.5, 0.5, 0.5, 0.5}, {0.5, 0.5, 0.5, 0.5}},
        {"kPa, P(427) 1e-9 below T", kpa, kpa[427] + 1e-9, {0, 0.5, 0.5, 0.5}, {0, 0, 0, 0.5}},
        {"kPa, P(427) 1e-9 above T", kpa, kpa[427] - 1e-9, {0.5, 0.5, 0.5, 0.5}, {0, 0, 0.5, 0.5}},
        {"falling kPa, P(427) 1e-9 below T",
         humped,
         kpa[427] + 1e-9,
         {0, 0.5, 0.5, 0.5},
         {0, 0, 0, 0.5}},
        {"falling kPa, P(427) 1e-9 above T",
         humped,
         kpa[427] - 1e-9,
         {0.5, 0.5, 0.5, 0.5},
         {0, 0, 0.5, 0.5}},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        double raw[4], applied[4];
        time_above(cases[i].table, cases[i].threshold, cases[i].table ? vk : v,
                   cases[i].table ? rk : r, raw, applied);
        for (int x = 0; x < 4; x++) {
            assert_near(raw[x], cases[i].raw[x], cases[i].what);
            assert_near(applied[x], cases[i].applied[x], cases[i].what);
        }
    }
    free(kpa);
    free(humped);
}

static void test_units_by_name(void **state)
{
    (void)state;
    enum pressure_unit unit;
    assert_int_equal(pressure_unit_parse("kpa", &unit), 0);
    assert_int_equal(unit, PRESSURE_UNIT_KPA);
    assert_int_equal(pressure_unit_parse("mmHg", &unit), 0);
    assert_string_equal(pressure_unit_name(unit), "mmHg");
    assert_int_equal(pressure_unit_parse("psi", &unit), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_heatmaps),
        cmocka_unit_test(test_regions_and_series),
        cmocka_unit_test(test_visits_in_order_of_start),
        cmocka_unit_test(test_no_load_has_no_centre),
        cmocka_unit_test(test_hysteresis),
        cmocka_unit_test(test_gap_is_not_dwell),
        cmocka_unit_test(test_frame_durations),
        cmocka_unit_test(test_calibrated_units),
        cmocka_unit_test(test_time_above_boundary),
        cmocka_unit_test(test_units_by_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
