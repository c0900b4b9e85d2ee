/*
 * test_pliance_asc.c - the pliance ASCII reader on hand-written excerpts
 * in the layout of novel pliance's export: three sensors (numbered 5, 4,
 * 36 in the frames, 4, 5, 36 in the sensor table) on a 2 x 2 lattice of
 * 0.5 x 1.0 cm with one cell empty, placed by their centres (by hand:
 * sensor 4 at the top left, 5 at the bottom left, 36 at the bottom right);
 * values to counts at 0.01 kPa (11.667 -> 1167); frame times from the file;
 * and each malformed excerpt's exact FILE:LINE error.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "scratch.h"

#include "pliance_asc.h"

/* Lines 1-10: header and two frames. */
#define HEADER_AND_FRAMES                                                                          \
    "file name: rec_1.mat date/time 17.06.23 15.21\n"                                              \
    "mat type s2160_001\n"                                                                         \
    "total times [secs]: 1.0 time per frame [secs]: 0.04167 scanning rate [Hz]: 24\n"              \
    "pressure values in kPa\n"                                                                     \
    "\n"                                                                                           \
    "\n"                                                                                           \
    "electrical:\n"                                                                                \
    "time[secs]       5       4      36\n"                                                         \
    "    5.79167   1.000   2.000   3.000\n"                                                        \
    "    5.83333   0.000  11.667 655.350\n"

/* Lines 11-18: the vendor's statistics, force and centre of pressure, and the table's head. */
#define STATISTICS                                                                                 \
    "\n"                                                                                           \
    "        MPP   1.000  11.667 655.350\n"                                                        \
    "\n"                                                                                           \
    " time[secs] force[N]   x[cm]   y[cm]\n"                                                       \
    "    5.79167    0.300   0.500   1.000\n"                                                       \
    "\n"                                                                                           \
    "sensor        4        5       36\n"                                                          \
    "corner[cm]\n"

static void test_frames(void **state)
{
    (void)state;
    scratch_file_write(HEADER_AND_FRAMES STATISTICS "x[c]   0.2500   0.2500   0.7500\n"
                                                    "y[c]   1.5000   0.5000   0.5000\n"
                                                    "area   0.5000   0.5000   0.5000\n");
    struct pliance_asc *x = NULL;
    struct vendor_export_info info;
    char error[EXPORT_TEXT_ERROR_SIZE];
    assert_int_equal(pliance_asc_open(scratch_path, &x, &info, error, sizeof(error)), 0);
    assert_int_equal(info.rows, 2);
    assert_int_equal(info.cols, 2);
    assert_true(fabs(info.row_pitch_mm - 10.0) <= 1e-9);
    assert_true(fabs(info.col_pitch_mm - 5.0) <= 1e-9);
    assert_true(fabs(info.frame_rate_hz - 24.0) <= 1e-12);
    assert_true(info.has_start_time);
    assert_true(info.start_time_ns == 1687015260000000000); /* 2023-06-17T15:21:00Z */
    assert_string_equal(info.subject, "rec_1");
    assert_string_equal(info.serial, "s2160_001");
    assert_int_equal(info.unit, EXPORT_UNIT_KPA);
    assert_int_equal(info.adc_bits, 16);
    assert_int_equal(info.outside_taxels, 1);

    uint16_t counts[4];
    uint64_t time_us = 99;
    assert_int_equal(pliance_asc_next(x, counts, &time_us, error, sizeof(error)), 1);
    /* Row 0: sensor 4, no sensor; row 1: sensor 5, sensor 36. */
    const uint16_t first[4] = {200, 0, 100, 300};
    assert_memory_equal(counts, first, sizeof(first));
    assert_true(time_us == 5791670);
    assert_int_equal(pliance_asc_next(x, counts, &time_us, error, sizeof(error)), 1);
    const uint16_t second[4] = {1167, 0, 0, 65535};
    assert_memory_equal(counts, second, sizeof(second));
    assert_true(time_us == 5833330);
    assert_int_equal(pliance_asc_next(x, counts, &time_us, error, sizeof(error)), 0);
    pliance_asc_close(x);
}

static void test_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        bool at_open; /* the error comes from open, else from the second frame */
        const char *message;
    } CASES[] = {
        {"pressure values in N/cm2\n", true, "1: pressure values in \"N/cm2\": not kPa or mmHg"},
        {"file name: a.mat date/time 2023-06-17 15:21\n", true,
         "1: date/time must be like 17.06.23 15.21 (day.month.year)"},
        {"file name: a.mat\npressure values in kPa\n", true,
         "2: no column header \"time[secs] ...\": not a pliance ASCII export"},
        {"time[secs] 4 5\n", true, "1: no \"pressure values in UNIT\" line before the data"},
        {"pressure values in kPa\ntime[secs] 4 x\n", true, "2: \"x\" is not a sensor number"},
        {HEADER_AND_FRAMES "\n", true,
         "11: no sensor table (\"sensor\", then \"x[c]\" and \"y[c]\" lines): the sensors' "
         "positions are needed for a grid"},
        {HEADER_AND_FRAMES STATISTICS "x[c] 0.25 0.25\n", true,
         "19: 2 values, expected one per sensor (3)"},
        {HEADER_AND_FRAMES STATISTICS "x[c] 0.25 0.25 0.75\n", true,
         "19: the sensor table has no x[c] and y[c] lines (the centres)"},
        {HEADER_AND_FRAMES STATISTICS "x[c] 0.25 0.25 0.75\ny[c] 1.5 0.5 1.2\n", true,
         "20: sensor 36's centre (0.75, 1.2) cm is off the grid of 0.5 x 0.333333 cm"},
        {HEADER_AND_FRAMES STATISTICS "x[c] 0.25 0.75 0.25\ny[c] 0.5 1.5 0.5\n", true,
         "20: sensors 36 and another have their centre in one cell, at (0.25, 0.5) cm"},
        {HEADER_AND_FRAMES STATISTICS "x[c] 0.25 0.25 0.25\ny[c] 1.5 0.5 0.5\n", true,
         "20: the sensors' centres do not form a grid of at most 256 x 256 with two or more "
         "positions on each axis"},
        {HEADER_AND_FRAMES "\nsensor 4 5 37\nx[c] 0.25 0.25 0.75\n", true,
         "12: sensor 36 of the frames is not in this table"},
        {"pressure values in kPa\ntime[secs] 4 5\n  0.1 1.0 2.0\n  0.2 1.0\n\nsensor 4 5\n"
         "x[c] 0 1\ny[c] 0 1\n",
         false, "4: 1 values, expected one per sensor (2)"},
        {"pressure values in kPa\ntime[secs] 4 5\n  0.1 1.0 2.0\n  0.1 1.0 2.0\n\nsensor 4 5\n"
         "x[c] 0 1\ny[c] 0 1\n",
         false, "4: time 0.1 s is not after the previous frame's"},
        {"pressure values in kPa\ntime[secs] 4 5\n  0.1 1.0 2.0\n  0.2 1.0 700\n\nsensor 4 5\n"
         "x[c] 0 1\ny[c] 0 1\n",
         false,
         "4: 700 kPa is outside what a session holds: 0 to 655.35 kPa (0.01 kPa per count, 16 "
         "bits)"},
    };
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        scratch_file_write(CASES[i].text);
        struct pliance_asc *x = NULL;
        struct vendor_export_info info;
        char error[EXPORT_TEXT_ERROR_SIZE], expected[EXPORT_TEXT_ERROR_SIZE + 64];
        uint16_t counts[4];
        uint64_t time_us;
        int r = pliance_asc_open(scratch_path, &x, &info, error, sizeof(error));
        if (!CASES[i].at_open) {
            assert_int_equal(r, 0);
            assert_int_equal(pliance_asc_next(x, counts, &time_us, error, sizeof(error)), 1);
            r = pliance_asc_next(x, counts, &time_us, error, sizeof(error));
            pliance_asc_close(x);
        }
        assert_true(r < 0);
        snprintf(expected, sizeof(expected), "%s:%s", scratch_path, CASES[i].message);
        assert_string_equal(error, expected);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frames),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, scratch_file_create, scratch_file_remove);
}
