/*
 * test_export_text.c - the vendor exports' line reader: byte-order mark
 * and CR LF dropped, lines numbered, one line read again, CSV fields with
 * quotes, words, strict numbers, clock times of the three vendors, lengths,
 * and values to counts at the fixed scale (rounding by hand: 107.87 mmHg /
 * 0.05 = 2157.4 -> 2157) with FILE:LINE errors beyond it.
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

#include "export_text.h"

static void test_lines(void **state)
{
    (void)state;
    scratch_file_write("\xEF\xBB\xBF"
                       "File:,\"C:\\a,b.XSN\",,\r\n"
                       "\r\n"
                       "x  y\tz\n"
                       "last");
    struct export_text text;
    char error[EXPORT_TEXT_ERROR_SIZE];
    char *fields[4];
    assert_int_equal(export_text_open(scratch_path, &text, error, sizeof(error)), 0);
    assert_int_equal(export_text_read(&text, error, sizeof(error)), 1);
    assert_int_equal(text.line, 1);
    assert_string_equal(text.buffer, "File:,\"C:\\a,b.XSN\",,");
    assert_int_equal(export_text_split_csv(&text, fields, 4), 4);
    assert_string_equal(fields[0], "File:");
    assert_string_equal(fields[1], "C:\\a,b.XSN");
    assert_string_equal(fields[2], "");
    assert_string_equal(fields[3], "");
    /* Splitting leaves the line as it was, so it can be read again. */
    export_text_unread(&text);
    assert_int_equal(export_text_read(&text, error, sizeof(error)), 1);
    assert_int_equal(text.line, 1);
    assert_int_equal(export_text_split_csv(&text, fields, 1), 4);
    assert_string_equal(fields[0], "File:");

    assert_int_equal(export_text_read(&text, error, sizeof(error)), 1);
    assert_string_equal(text.buffer, "");
    assert_true(export_text_blank(text.buffer));
    assert_int_equal(export_text_read(&text, error, sizeof(error)), 1);
    assert_int_equal(export_text_split_words(&text, fields, 4), 3);
    assert_string_equal(fields[2], "z");
    assert_int_equal(export_text_read(&text, error, sizeof(error)), 1);
    assert_string_equal(text.buffer, "last");
    assert_int_equal(text.line, 4);
    assert_int_equal(export_text_read(&text, error, sizeof(error)), 0);
    export_text_close(&text);

    assert_true(export_text_blank(",,, ,\t"));
    assert_false(export_text_blank(",,0,"));
}

static void test_numbers(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        bool ok;
        double value;
    } CASES[] = {
        {"107.87", true, 107.87}, {" 0 ", true, 0},    {"-1.5", true, -1.5}, {"2e3", true, 2000},
        {"", false, 0},           {"B", false, 0},     {"nan", false, 0},    {"inf", false, 0},
        {"0x10", false, 0},       {"1.2.3", false, 0}, {"12 3", false, 0},   {"5,", false, 0},
    };
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        double value = -99;
        assert_int_equal(export_text_number(CASES[i].text, &value), CASES[i].ok);
        if (CASES[i].ok)
            assert_true(value == CASES[i].value);
    }
}

static void test_clocks(void **state)
{
    (void)state;
    int64_t ns = 0;
    /* 2022-08-16T08:21:17.982Z: 1660638077 s (date -u -d 2022-08-16T08:21:17Z +%s). */
    assert_int_equal(export_text_clock(" 2022 Aug 16 08:21:17.982", "%Y %b %d %H:%M:%S", &ns), 0);
    assert_true(ns == 1660638077982000000);
    /* 2019-12-02T18:21:52.34Z: 1575310912 s. */
    assert_int_equal(export_text_clock("12/2/2019 6:21:52.34PM", "%m/%d/%Y %I:%M:%S", &ns), 0);
    assert_true(ns == 1575310912340000000);
    assert_int_equal(export_text_clock("12/2/2019 12:00:00AM", "%m/%d/%Y %I:%M:%S", &ns), 0);
    assert_true(ns == 1575244800000000000);
    /* 2023-06-17T15:21:00Z: 1687015260 s. */
    assert_int_equal(export_text_clock(" 17.06.23 15.21", "%d.%m.%y %H.%M", &ns), 0);
    assert_true(ns == 1687015260000000000);
    assert_int_equal(export_text_clock("17.06.23 15.21 x", "%d.%m.%y %H.%M", &ns), -EINVAL);
    assert_int_equal(export_text_clock("2022 Aug 16", "%Y %b %d %H:%M:%S", &ns), -EINVAL);
    assert_int_equal(export_text_clock("12/2/2019 13:00:00PM", "%m/%d/%Y %H:%M:%S", &ns), -EINVAL);
}

static void test_units_and_lengths(void **state)
{
    (void)state;
    enum export_unit unit;
    assert_int_equal(export_text_unit("MMHG", &unit), 0);
    assert_int_equal(unit, EXPORT_UNIT_MMHG);
    assert_int_equal(export_text_unit("kpa", &unit), 0);
    assert_int_equal(unit, EXPORT_UNIT_KPA);
    assert_int_equal(export_text_unit("raw", &unit), 0);
    assert_int_equal(unit, EXPORT_UNIT_RAW);
    assert_int_equal(export_text_unit("psi", &unit), -EINVAL);
    assert_true(export_text_step(EXPORT_UNIT_MMHG) == 0.05);
    assert_true(export_text_step(EXPORT_UNIT_KPA) == 0.01);
    assert_true(export_text_step(EXPORT_UNIT_RAW) == 1);
    double mm = 0;
    assert_int_equal(export_text_length_mm(0.127, "centimeters", &mm), 0);
    assert_true(fabs(mm - 1.27) <= 1e-12);
    assert_int_equal(export_text_length_mm(0.86, "cm", &mm), 0);
    assert_true(fabs(mm - 8.6) <= 1e-12);
    assert_int_equal(export_text_length_mm(1, "inches", &mm), 0);
    assert_true(fabs(mm - 25.4) <= 1e-12);
    assert_int_equal(export_text_length_mm(1, "furlongs", &mm), -EINVAL);

    char name[64];
    export_text_base_name(name, sizeof(name), "C:\\Users\\x\\justin-08,16,2022-4km.XSN");
    assert_string_equal(name, "justin-08,16,2022-4km");
    export_text_base_name(name, sizeof(name), "2112170R_1.mat");
    assert_string_equal(name, "2112170R_1");
    export_text_base_name(name, sizeof(name), "/a/b/noext");
    assert_string_equal(name, "noext");
    export_text_copy_printable(name, sizeof(name), "cm\xC2\xB2 ok");
    assert_string_equal(name, "cm?? ok");
}

static void test_counts(void **state)
{
    (void)state;
    scratch_file_write("a\nb\n");
    struct export_text text;
    char error[EXPORT_TEXT_ERROR_SIZE], expected[EXPORT_TEXT_ERROR_SIZE + 64];
    uint16_t count = 0;
    assert_int_equal(export_text_open(scratch_path, &text, error, sizeof(error)), 0);
    assert_int_equal(export_text_read(&text, error, sizeof(error)), 1);
    assert_int_equal(export_text_read(&text, error, sizeof(error)), 1);
    static const struct {
        double value;
        enum export_unit unit;
        uint16_t count;
    } CASES[] = {
        {107.87, EXPORT_UNIT_MMHG, 2157},
        {51.72, EXPORT_UNIT_MMHG, 1034},
        {2957.46, EXPORT_UNIT_MMHG, 59149},
        {3276.75, EXPORT_UNIT_MMHG, 65535},
        {11.667, EXPORT_UNIT_KPA, 1167},
        {655.35, EXPORT_UNIT_KPA, 65535},
        {0, EXPORT_UNIT_KPA, 0},
        {255, EXPORT_UNIT_RAW, 255},
    };
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        assert_int_equal(
            export_text_counts(&text, CASES[i].value, CASES[i].unit, &count, error, sizeof(error)),
            0);
        assert_int_equal(count, CASES[i].count);
    }
    assert_int_equal(
        export_text_counts(&text, 3276.8, EXPORT_UNIT_MMHG, &count, error, sizeof(error)), -ERANGE);
    snprintf(expected, sizeof(expected),
             "%s:2: 3276.8 mmHg is outside what a session holds: 0 to 3276.75 mmHg (0.05 mmHg "
             "per count, 16 bits)",
             scratch_path);
    assert_string_equal(error, expected);
    assert_int_equal(export_text_counts(&text, -1, EXPORT_UNIT_KPA, &count, error, sizeof(error)),
                     -ERANGE);
    assert_int_equal(export_text_counts(&text, 4.5, EXPORT_UNIT_RAW, &count, error, sizeof(error)),
                     -EINVAL);
    snprintf(expected, sizeof(expected), "%s:2: 4.5 is not a raw reading (a whole number 0..65535)",
             scratch_path);
    assert_string_equal(error, expected);
    export_text_close(&text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines),  cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_clocks), cmocka_unit_test(test_units_and_lengths),
        cmocka_unit_test(test_counts),
    };
    return cmocka_run_group_tests(tests, scratch_file_create, scratch_file_remove);
}
