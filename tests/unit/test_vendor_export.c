/*
 * test_vendor_export.c - telling the formats apart from a file's first
 * line (byte-order mark and leading blank lines allowed), the error for a
 * file of no known format, format names, --sensor only for XSENSOR, one
 * export read through the common calls, and the calibration of the fixed
 * scales (by hand: 65535 * 0.05 mmHg / 7.500617 mmHg/kPa = 436.864061 kPa).
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

#include "vendor_export.h"

static void test_detect(void **state)
{
    (void)state;
    static const struct {
        const char *first_lines;
        enum vendor_format format;
    } CASES[] = {
        {"\xEF\xBB\xBF"
         "File:,\"C:\\a.XSN\",,\n",
         VENDOR_FORMAT_XSENSOR},
        {",,,\nFRAME,1,,\n", VENDOR_FORMAT_XSENSOR},
        {"DATA_TYPE MOVIE\n", VENDOR_FORMAT_ISCAN},
        {"file name: a.mat date/time 17.06.23 15.21\n", VENDOR_FORMAT_PLIANCE},
        {"1\t2\t3\t\r\n", VENDOR_FORMAT_PMAT},
        {"\n\n  40 50\n", VENDOR_FORMAT_PMAT},
        {"", VENDOR_FORMAT_PMAT},
    };
    char error[EXPORT_TEXT_ERROR_SIZE], expected[EXPORT_TEXT_ERROR_SIZE + 64];
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        scratch_file_write(CASES[i].first_lines);
        enum vendor_format format = VENDOR_FORMAT_PMAT;
        assert_int_equal(vendor_export_detect(scratch_path, &format, error, sizeof(error)), 0);
        assert_int_equal(format, CASES[i].format);
    }
    scratch_file_write("\nPressure report\n");
    enum vendor_format format;
    assert_int_equal(vendor_export_detect(scratch_path, &format, error, sizeof(error)), -EINVAL);
    snprintf(expected, sizeof(expected),
             "%s:2: not a format mtable-import reads (PmatData text, XSENSOR CSV, I-Scan ASCII "
             "movie, pliance ASCII): see --format",
             scratch_path);
    assert_string_equal(error, expected);
    assert_int_equal(vendor_export_detect("/nonexistent/x.csv", &format, error, sizeof(error)),
                     -ENOENT);
    assert_string_equal(error, "/nonexistent/x.csv: cannot open: No such file or directory");
}

static void test_names(void **state)
{
    (void)state;
    for (int i = VENDOR_FORMAT_PMAT; i <= VENDOR_FORMAT_PLIANCE; i++) {
        enum vendor_format format;
        assert_int_equal(
            vendor_export_format_parse(vendor_export_format_name((enum vendor_format)i), &format),
            0);
        assert_int_equal(format, i);
    }
    enum vendor_format format;
    assert_int_equal(vendor_export_format_parse("XSENSOR", &format), 0);
    assert_int_equal(format, VENDOR_FORMAT_XSENSOR);
    assert_int_equal(vendor_export_format_parse("tekscan", &format), -EINVAL);
}

static void test_open_and_read(void **state)
{
    (void)state;
    scratch_file_write("DATA_TYPE MOVIE\nROWS 1\nCOLS 2\nROW_SPACING 1 mm\nCOL_SPACING 2 mm\n"
                       "ASCII_DATA @@\nFrame 1, 0.5,,\n3,B\nFrame 2, 0.75,,\n4,B\n@@\n");
    struct vendor_export *export = NULL;
    struct vendor_export_info info;
    char error[EXPORT_TEXT_ERROR_SIZE], expected[EXPORT_TEXT_ERROR_SIZE + 64];
    assert_int_equal(vendor_export_open(scratch_path, VENDOR_FORMAT_ISCAN, 2, &export, &info, error,
                                        sizeof(error)),
                     -EINVAL);
    snprintf(expected, sizeof(expected),
             "%s: a sensor is chosen only in xsensor exports, not iscan", scratch_path);
    assert_string_equal(error, expected);
    assert_int_equal(vendor_export_open(scratch_path, VENDOR_FORMAT_ISCAN, 0, &export, &info, error,
                                        sizeof(error)),
                     0);
    assert_int_equal(info.rows, 1);
    assert_int_equal(info.cols, 2);
    assert_int_equal(info.outside_taxels, 1);
    assert_true(info.frame_rate_hz == 0);
    uint16_t counts[2];
    uint64_t time_us;
    assert_int_equal(vendor_export_next(export, counts, &time_us, error, sizeof(error)), 1);
    assert_int_equal(counts[0], 3);
    assert_true(time_us == 500000);
    assert_int_equal(vendor_export_next(export, counts, &time_us, error, sizeof(error)), 1);
    assert_int_equal(counts[0], 4);
    assert_int_equal(counts[1], 0);
    assert_true(time_us == 750000);
    assert_int_equal(vendor_export_next(export, counts, &time_us, error, sizeof(error)), 0);
    vendor_export_close(export);
    vendor_export_close(NULL);
}

static void test_calibration(void **state)
{
    (void)state;
    double points[4];
    vendor_export_calibration(EXPORT_UNIT_MMHG, points);
    assert_true(points[0] == 0 && points[1] == 0 && points[2] == 65535);
    assert_true(fabs(points[3] - 436.864061) <= 1e-6);
    /* 1034 counts (51.72 mmHg at 0.05) read back through the table and PRESSURE_MMHG_PER_KPA. */
    assert_true(fabs(1034 * points[3] / points[2] * 7.500617 - 51.7) <= 1e-9);
    vendor_export_calibration(EXPORT_UNIT_KPA, points);
    assert_true(fabs(points[3] - 655.35) <= 1e-9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detect),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_open_and_read),
        cmocka_unit_test(test_calibration),
    };
    return cmocka_run_group_tests(tests, scratch_file_create, scratch_file_remove);
}
