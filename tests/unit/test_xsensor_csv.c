/*
 * test_xsensor_csv.c - the XSENSOR CSV reader on hand-written excerpts in
 * the layout of XSENSOR Pro's export: two sensors per frame and a region
 * (GROUP) block, either sensor chosen; values to counts at 0.05 mmHg
 * (by hand: 51.72 -> 1034, 107.87 -> 2157, 1.02 -> 20); times from the
 * Date and Time lines; and each malformed excerpt's exact FILE:LINE error.
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

#include "xsensor_csv.h"

/* Two frames, each of a 2 x 3 sensor (LF) and a 1 x 2 sensor (RF), and a region. */
static const char GOOD[] = "\xEF\xBB\xBF"
                           "File:,\"C:\\rec\\walk,1.XSN\",,,,\n" /* 1 */
                           ",,,,,\n"                             /* 2 */
                           "Units:,mmHg,,,,\n"                   /* 3 */
                           "Threshold:,51.72,,,,\n"              /* 4 */
                           "FRAME,7,,,,\n"                       /* 5 */
                           "Date, 2022 Aug 16,,,,\n"             /* 6 */
                           "Time, 08:21:17.982,,,,\n"            /* 7 */
                           "SENSOR,MODEL-LF S0073,,,,\n"         /* 8 */
                           "Rows,2,,,,\n"                        /* 9 */
                           "Columns,3,,,,\n"                     /* 10 */
                           "Sensel Width (cm),0.86,,,,\n"        /* 11 */
                           "Sensel Height (cm),0.5,,,,\n"        /* 12 */
                           "Peak Pressure (mmHg),107.87,,,,\n"   /* 13 */
                           "SENSELS,,,,,\n"                      /* 14 */
                           "0,51.72,107.87,,,\n"                 /* 15 */
                           ",,,,,\n"                             /* 16 */
                           "1.02,0,3276.75,,,\n"                 /* 17 */
                           "SENSOR,MODEL-RF S0073,,,,\n"         /* 18 */
                           "Rows,1,,,,\n"                        /* 19 */
                           "Columns,2,,,,\n"                     /* 20 */
                           "Sensel Width (cm),0.86,,,,\n"        /* 21 */
                           "Sensel Height (cm),0.86,,,,\n"       /* 22 */
                           "SENSELS,,,,,\n"                      /* 23 */
                           "5,10,,,,\n"                          /* 24 */
                           "GROUP,1,,,,\n"                       /* 25 */
                           "Name,Left Heel,,,,\n"                /* 26 */
                           "SENSELS,,,,,\n"                      /* 27 */
                           "9,9,9,9,9,\n"                        /* 28 */
                           "FRAME,8,,,,\n"                       /* 29 */
                           "Date, 2022 Aug 16,,,,\n"             /* 30 */
                           "Time, 08:21:18.995,,,,\n"            /* 31 */
                           "SENSOR,MODEL-LF S0073,,,,\n"         /* 32 */
                           "Rows,2,,,,\n"                        /* 33 */
                           "Columns,3,,,,\n"                     /* 34 */
                           "Sensel Width (cm),0.86,,,,\n"        /* 35 */
                           "Sensel Height (cm),0.5,,,,\n"        /* 36 */
                           "SENSELS,,,,,\n"                      /* 37 */
                           "2,0,0,,,\n"                          /* 38 */
                           "0,0,0.05,,,\n"                       /* 39 */
                           "SENSOR,MODEL-RF S0073,,,,\n"         /* 40 */
                           "Rows,1,,,,\n"                        /* 41 */
                           "Columns,2,,,,\n"                     /* 42 */
                           "Sensel Width (cm),0.86,,,,\n"        /* 43 */
                           "Sensel Height (cm),0.86,,,,\n"       /* 44 */
                           "SENSELS,,,,,\n"                      /* 45 */
                           "0,100,,,,\n";                        /* 46 */

/* Lines 1-10 of a one-sensor file of 1 x 2 sensels, up to its SENSELS line. */
#define ONE_SENSOR                                                                                 \
    "Units:,mmHg\n"                                                                                \
    "FRAME,1\n"                                                                                    \
    "Date, 2022 Aug 16\n"                                                                          \
    "Time, 08:21:17.982\n"                                                                         \
    "SENSOR,S\n"                                                                                   \
    "Rows,1\n"                                                                                     \
    "Columns,2\n"                                                                                  \
    "Sensel Width (cm),1\n"                                                                        \
    "Sensel Height (cm),1\n"                                                                       \
    "SENSELS\n"

static void test_first_sensor(void **state)
{
    (void)state;
    scratch_file_write(GOOD);
    struct xsensor_csv *x = NULL;
    struct vendor_export_info info;
    char error[EXPORT_TEXT_ERROR_SIZE];
    assert_int_equal(xsensor_csv_open(scratch_path, 0, &x, &info, error, sizeof(error)), 0);
    assert_int_equal(info.rows, 2);
    assert_int_equal(info.cols, 3);
    assert_true(fabs(info.row_pitch_mm - 5.0) <= 1e-12);
    assert_true(fabs(info.col_pitch_mm - 8.6) <= 1e-12);
    assert_int_equal(info.unit, EXPORT_UNIT_MMHG);
    assert_int_equal(info.adc_bits, 16);
    assert_true(info.frame_rate_hz == 0);
    assert_true(info.has_start_time);
    assert_true(info.start_time_ns == 1660638077982000000); /* 2022-08-16T08:21:17.982Z */
    assert_string_equal(info.subject, "walk,1");
    assert_string_equal(info.serial, "S0073");
    assert_string_equal(info.sensor, "sensor 1 of 2: MODEL-LF S0073");
    assert_true(fabs(info.threshold - 51.72) <= 1e-12);
    assert_int_equal(info.outside_taxels, 0);

    uint16_t counts[6];
    uint64_t time_us = 99;
    assert_int_equal(xsensor_csv_next(x, counts, &time_us, error, sizeof(error)), 1);
    const uint16_t first[6] = {0, 1034, 2157, 20, 0, 65535};
    assert_memory_equal(counts, first, sizeof(first));
    assert_true(time_us == 0);
    assert_int_equal(xsensor_csv_next(x, counts, &time_us, error, sizeof(error)), 1);
    const uint16_t second[6] = {40, 0, 0, 0, 0, 1};
    assert_memory_equal(counts, second, sizeof(second));
    assert_true(time_us == 1013000);
    assert_int_equal(xsensor_csv_next(x, counts, &time_us, error, sizeof(error)), 0);
    xsensor_csv_close(x);
}

static void test_second_sensor(void **state)
{
    (void)state;
    scratch_file_write(GOOD);
    struct xsensor_csv *x = NULL;
    struct vendor_export_info info;
    char error[EXPORT_TEXT_ERROR_SIZE];
    assert_int_equal(xsensor_csv_open(scratch_path, 2, &x, &info, error, sizeof(error)), 0);
    assert_int_equal(info.rows, 1);
    assert_int_equal(info.cols, 2);
    assert_true(fabs(info.row_pitch_mm - 8.6) <= 1e-12);
    assert_string_equal(info.sensor, "sensor 2 of 2: MODEL-RF S0073");
    uint16_t counts[2];
    uint64_t time_us;
    assert_int_equal(xsensor_csv_next(x, counts, &time_us, error, sizeof(error)), 1);
    assert_int_equal(counts[0], 100);
    assert_int_equal(counts[1], 200);
    assert_int_equal(xsensor_csv_next(x, counts, &time_us, error, sizeof(error)), 1);
    assert_int_equal(counts[0], 0);
    assert_int_equal(counts[1], 2000);
    assert_int_equal(xsensor_csv_next(x, counts, &time_us, error, sizeof(error)), 0);
    xsensor_csv_close(x);
}

static void test_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int sensor;
        bool at_open; /* the error comes from open, else from the second frame */
        const char *message;
    } CASES[] = {
        {"Units:,psi\nFRAME,1\n", 0, true, "1: units \"psi\" are not mmHg or kPa"},
        {"Threshold:,1\nFRAME,1\n", 0, true, "2: no Units: line before the first frame"},
        {"Units:,mmHg\n", 0, true, "1: the file ends before its first frame (FRAME,<number>)"},
        {ONE_SENSOR "5,10x\n", 0, true, "11: \"10x\" is not a number"},
        {ONE_SENSOR "5\n", 0, true, "11: 1 values on a row of the grid, expected 2"},
        {ONE_SENSOR "5,,6\n", 0, true, "11: a value after an empty field"},
        {ONE_SENSOR "5,3300\n", 0, true,
         "11: 3300 mmHg is outside what a session holds: 0 to 3276.75 mmHg (0.05 mmHg per "
         "count, 16 bits)"},
        {ONE_SENSOR, 0, true, "10: the file ends after 0 of the 1 rows of sensels"},
        {ONE_SENSOR "5,6\n", 2, true, "2: this frame has no sensor 2: it has 1"},
        {"Units:,mmHg\nFRAME,1\nSENSOR,S\nRows,1\nColumns,2\nSensel Width (cm),1\n"
         "Sensel Height (cm),1\nSENSELS\n1,2\n",
         0, true, "2: this frame has no Date and Time lines"},
        {"Units:,mmHg\nFRAME,1\nDate, 2022 Aug 16\nTime, 08:21:17.982\nSENSOR,S\nSENSELS\n", 0,
         true, "6: SENSELS before the sensor's Rows and Columns"},
        {"Units:,mmHg\nFRAME,1\nDate, 2022 Aug 16\nTime, 08:21:17.982\nSENSOR,S\nRows,1\n"
         "Columns,1\nSensel Width (furlong),1\n",
         0, true, "8: expected a size in cm, mm or inches: \"Sensel Width (furlong),1\""},
        {ONE_SENSOR "5,6\nFRAME,2\nDate, 2022 Aug 16\nTime, 08:21:17.000\nSENSOR,S\nRows,1\n"
                    "Columns,2\nSensel Width (cm),1\nSensel Height (cm),1\nSENSELS\n5,6\n",
         0, false, "14: time 08:21:17.000 is not after the previous frame's"},
        {ONE_SENSOR "5,6\nFRAME,2\nDate, 2022 Aug 16\nTime, 08:21:18.000\nSENSOR,S\nRows,1\n"
                    "Columns,3\nSensel Width (cm),1\nSensel Height (cm),1\nSENSELS\n5,6,7\n",
         0, false,
         "20: sensor 1 has 1 x 3 sensels here, 1 x 2 in the first frame: a session holds one "
         "grid"},
        {ONE_SENSOR "5,6\nFRAME,x\n", 0, false,
         "12: expected the next frame, FRAME,<number>, not \"FRAME,x\""},
    };
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        scratch_file_write(CASES[i].text);
        struct xsensor_csv *x = NULL;
        struct vendor_export_info info;
        char error[EXPORT_TEXT_ERROR_SIZE], expected[EXPORT_TEXT_ERROR_SIZE + 64];
        uint16_t counts[3];
        uint64_t time_us;
        int r = xsensor_csv_open(scratch_path, CASES[i].sensor, &x, &info, error, sizeof(error));
        if (!CASES[i].at_open) {
            assert_int_equal(r, 0);
            assert_int_equal(xsensor_csv_next(x, counts, &time_us, error, sizeof(error)), 1);
            r = xsensor_csv_next(x, counts, &time_us, error, sizeof(error));
            xsensor_csv_close(x);
        }
        assert_true(r < 0);
        snprintf(expected, sizeof(expected), "%s:%s", scratch_path, CASES[i].message);
        assert_string_equal(error, expected);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_sensor),
        cmocka_unit_test(test_second_sensor),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, scratch_file_create, scratch_file_remove);
}
