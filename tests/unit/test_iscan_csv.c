/*
 * test_iscan_csv.c - the I-Scan ASCII movie reader on hand-written
 * excerpts in the layout of I-Scan 6.10's export: header facts (pitch in
 * cm and mm, period, 12-hour start time), raw readings kept as counts, B
 * (outside the outline) stored as 0 and counted, frame times from the
 * file, and each malformed excerpt's exact FILE:LINE error.
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

#include "iscan_csv.h"

/* Lines 1-14: the header of a 2 x 3 sensor of two frames. */
#define HEADER                                                                                     \
    "DATA_TYPE MOVIE\n"                                                                            \
    "HARDWARE 102-B578\n"                                                                          \
    "FILENAME C:\\x\\hand4.fsx\n"                                                                  \
    "ROWS 2\n"                                                                                     \
    "COLS 3\n"                                                                                     \
    "ROW_SPACING 0.127 centimeters\n"                                                              \
    "COL_SPACING 1 mm\n"                                                                           \
    "SECONDS_PER_FRAME 0.1\n"                                                                      \
    "TIME 12/2/2019 6:21:52.34PM\n"                                                                \
    "START_FRAME 1\n"                                                                              \
    "END_FRAME 2\n"                                                                                \
    "UNITS raw\n"                                                                                  \
    "ASCII_DATA @@\n"                                                                              \
    "\n"

/* Lines 15-18: frame 1. */
#define FRAME_1                                                                                    \
    "Frame 1, 0,, 12/2/2019 6:21:52.34PM,,,Raw Sum=,,267\n"                                        \
    "B,5,0\n"                                                                                      \
    "255,B,7\n"                                                                                    \
    "\n"

static void test_frames(void **state)
{
    (void)state;
    scratch_file_write(HEADER FRAME_1 "Frame 2, 0.11,, 12/2/2019 6:21:52.45PM,,,Raw Sum=,,1\n"
                                      "B,0,0\n"
                                      "0,B,1\n"
                                      "\n"
                                      "@@\n");
    struct iscan_csv *x = NULL;
    struct vendor_export_info info;
    char error[EXPORT_TEXT_ERROR_SIZE];
    assert_int_equal(iscan_csv_open(scratch_path, &x, &info, error, sizeof(error)), 0);
    assert_int_equal(info.rows, 2);
    assert_int_equal(info.cols, 3);
    assert_true(fabs(info.row_pitch_mm - 1.27) <= 1e-12);
    assert_true(fabs(info.col_pitch_mm - 1.0) <= 1e-12);
    assert_true(fabs(info.frame_rate_hz - 10.0) <= 1e-12);
    assert_true(info.has_start_time);
    assert_true(info.start_time_ns == 1575310912340000000); /* 2019-12-02T18:21:52.34Z */
    assert_string_equal(info.subject, "hand4");
    assert_string_equal(info.serial, "102-B578");
    assert_string_equal(info.sensor, "");
    assert_int_equal(info.unit, EXPORT_UNIT_RAW);
    assert_int_equal(info.adc_bits, 8);
    assert_int_equal(info.outside_taxels, 2);

    uint16_t counts[6];
    uint64_t time_us = 99;
    assert_int_equal(iscan_csv_next(x, counts, &time_us, error, sizeof(error)), 1);
    const uint16_t first[6] = {0, 5, 0, 255, 0, 7};
    assert_memory_equal(counts, first, sizeof(first));
    assert_true(time_us == 0);
    assert_int_equal(iscan_csv_next(x, counts, &time_us, error, sizeof(error)), 1);
    const uint16_t second[6] = {0, 0, 0, 0, 0, 1};
    assert_memory_equal(counts, second, sizeof(second));
    assert_true(time_us == 110000);
    assert_int_equal(iscan_csv_next(x, counts, &time_us, error, sizeof(error)), 0);
    assert_int_equal(iscan_csv_next(x, counts, &time_us, error, sizeof(error)), 0);
    iscan_csv_close(x);
}

static void test_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        bool at_open; /* the error comes from open, else from the second frame */
        const char *message;
    } CASES[] = {
        {"DATA_TYPE MOVIE\nUNITS PSI\n", true, "2: UNITS \"PSI\" are not raw, kPa or mmHg"},
        {"DATA_TYPE MOVIE\nROWS 2\n", true,
         "2: the header has no ASCII_DATA line: not an I-Scan ASCII export"},
        {"DATA_TYPE MOVIE\nROWS 2\nCOLS 3\nASCII_DATA @@\n", true,
         "4: the header lacks ROWS, COLS, ROW_SPACING or COL_SPACING"},
        {"ROWS 300\n", true, "1: ROWS must be a whole number 1..256"},
        {"ROW_SPACING 0.127 parsecs\n", true,
         "1: ROW_SPACING must be a length like 0.127 centimeters"},
        {"TIME 2019-12-02 18:21\n", true, "1: TIME must be like 12/2/2019 6:21:52.34PM"},
        {HEADER "@@\n", true, "15: no frames"},
        {HEADER "Frame 1, 0,,\nB,5\n", true, "16: 2 values on a row of the grid, expected 3"},
        {HEADER "Frame 1, 0,,\nB,5,4.5\n", true,
         "16: 4.5 is not a raw reading (a whole number 0..65535)"},
        {HEADER "Frame 1, 0,,\nB,5,C\n", true, "16: \"C\" is not a number"},
        {HEADER "Frame 1, 0,,\nB,5,256\n", true,
         "16: 256 is more than a raw reading of 8 bits holds"},
        {HEADER "Frame 1, 0,,\nB,5,0\n", true,
         "16: the file ends after 1 of the 2 rows of frame 1"},
        {HEADER "Frame 2, 0,,\n", true, "15: frame 2 where frame 1 was expected"},
        {HEADER "Header 1\n", true, "15: expected the next frame, like \"Frame 1, 0.1,, ...\""},
        {HEADER FRAME_1 "Frame 3, 0.1,,\n", false, "19: frame 3 where frame 2 was expected"},
        {HEADER FRAME_1 "Frame 2, 0,,\n", false, "19: time 0 s is not after the previous frame's"},
        {HEADER FRAME_1 "@@\n", false, "19: the frames end at frame 1, but END_FRAME says 2"},
        {HEADER FRAME_1, false, "18: the frames end at frame 1, but END_FRAME says 2"},
    };
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        scratch_file_write(CASES[i].text);
        struct iscan_csv *x = NULL;
        struct vendor_export_info info;
        char error[EXPORT_TEXT_ERROR_SIZE], expected[EXPORT_TEXT_ERROR_SIZE + 64];
        uint16_t counts[6];
        uint64_t time_us;
        int r = iscan_csv_open(scratch_path, &x, &info, error, sizeof(error));
        if (!CASES[i].at_open) {
            assert_int_equal(r, 0);
            assert_int_equal(iscan_csv_next(x, counts, &time_us, error, sizeof(error)), 1);
            r = iscan_csv_next(x, counts, &time_us, error, sizeof(error));
            iscan_csv_close(x);
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
