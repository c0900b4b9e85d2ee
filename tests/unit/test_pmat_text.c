/*
 * test_pmat_text.c - the importer's text reader: PmatData's frame-per-line
 * layout (tabs, trailing tab, CRLF) and matrix layout, grids given or
 * found, errors naming file and line, and the garbage-frame rule on the
 * real experiment i file 1.txt (frame 1 garbage, frames 0 and 2 not).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "scratch.h"

#include "pmat_text.h"

static void test_frame_per_line(void **state)
{
    (void)state;
    /* Two frames of 2 x 3, PmatData style, and a blank line. */
    scratch_file_write("1\t2\t3\t4\t5\t6\t\r\n\r\n7\t8\t9\t10\t11\t65535\t\r\n");
    struct pmat_text text;
    char error[PMAT_TEXT_ERROR_SIZE];
    assert_int_equal(pmat_text_open(scratch_path, 2, 3, &text, error, sizeof(error)), 0);
    assert_int_equal(text.layout, PMAT_TEXT_FRAME_PER_LINE);
    uint16_t values[6];
    assert_int_equal(pmat_text_next(&text, values, error, sizeof(error)), 1);
    const uint16_t first[6] = {1, 2, 3, 4, 5, 6};
    assert_memory_equal(values, first, sizeof(first));
    assert_int_equal(pmat_text_next(&text, values, error, sizeof(error)), 1);
    assert_int_equal(values[5], 65535);
    assert_int_equal(pmat_text_next(&text, values, error, sizeof(error)), 0);
    pmat_text_close(&text);
}

static void test_matrix(void **state)
{
    (void)state;
    scratch_file_write("1 2 3\r\n4 5 6\r\n7 8 9\r\n10 11 12\r\n");
    struct pmat_text text;
    char error[PMAT_TEXT_ERROR_SIZE];
    assert_int_equal(pmat_text_open(scratch_path, 0, 0, &text, error, sizeof(error)), 0);
    assert_int_equal(text.layout, PMAT_TEXT_MATRIX);
    assert_int_equal(text.rows, 4);
    assert_int_equal(text.cols, 3);
    uint16_t values[12];
    assert_int_equal(pmat_text_next(&text, values, error, sizeof(error)), 1);
    assert_int_equal(values[11], 12);
    assert_int_equal(pmat_text_next(&text, values, error, sizeof(error)), 0);
    pmat_text_close(&text);
}

static void test_errors_name_the_line(void **state)
{
    (void)state;
    struct pmat_text text;
    char error[PMAT_TEXT_ERROR_SIZE], expected[PMAT_TEXT_ERROR_SIZE + 64];
    uint16_t values[6];
    scratch_file_write("1 2 3 4 5 6\n1 2 x 4 5 6\n");
    assert_int_equal(pmat_text_open(scratch_path, 2, 3, &text, error, sizeof(error)), 0);
    assert_int_equal(pmat_text_next(&text, values, error, sizeof(error)), 1);
    assert_int_equal(pmat_text_next(&text, values, error, sizeof(error)), -EINVAL);
    snprintf(expected, sizeof(expected), "%s:2: \"x\" is not a reading (a whole number 0..65535)",
             scratch_path);
    assert_string_equal(error, expected);
    pmat_text_close(&text);

    scratch_file_write("1 2 3 4 5 6\n1 2 3 4 5\n");
    assert_int_equal(pmat_text_open(scratch_path, 2, 3, &text, error, sizeof(error)), 0);
    assert_int_equal(pmat_text_next(&text, values, error, sizeof(error)), 1);
    assert_int_equal(pmat_text_next(&text, values, error, sizeof(error)), -EINVAL);
    snprintf(expected, sizeof(expected), "%s:2: fewer values, expected 6 (2 x 3)", scratch_path);
    assert_string_equal(error, expected);
    pmat_text_close(&text);

    scratch_file_write("1 2 3\n4 5\n");
    assert_int_equal(pmat_text_open(scratch_path, 0, 0, &text, error, sizeof(error)), -EINVAL);
    snprintf(expected, sizeof(expected),
             "%s:2: 2 values, but the first line has 3: a matrix file needs the same number "
             "on every line",
             scratch_path);
    assert_string_equal(error, expected);

    scratch_file_write("70000 1\n");
    assert_int_equal(pmat_text_open(scratch_path, 0, 0, &text, error, sizeof(error)), -EINVAL);
}

static void test_garbage_frame_of_real_data(void **state)
{
    (void)state;
    char real[512];
    snprintf(real, sizeof(real), "%s/pmatdata/experiment-i/S1/1.txt", MTABLE_SHARED_DATA);
    struct pmat_text text;
    char error[PMAT_TEXT_ERROR_SIZE];
    assert_int_equal(pmat_text_open(real, 0, 0, &text, error, sizeof(error)), 0);
    assert_int_equal(text.rows, 64);
    assert_int_equal(text.cols, 32);
    uint16_t values[2048];
    bool garbage[3];
    for (int i = 0; i < 3; i++) {
        assert_int_equal(pmat_text_next(&text, values, error, sizeof(error)), 1);
        garbage[i] = pmat_text_is_garbage(values, 2048);
    }
    pmat_text_close(&text);
    assert_false(garbage[0]); /* nearly empty, but real */
    assert_true(garbage[1]);
    assert_false(garbage[2]);
    /* An empty frame, or a few multiples of 256, is not garbage. */
    memset(values, 0, sizeof(values));
    assert_false(pmat_text_is_garbage(values, 2048));
    for (int i = 0; i < 10; i++)
        values[i] = 512;
    assert_false(pmat_text_is_garbage(values, 2048));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frame_per_line),
        cmocka_unit_test(test_matrix),
        cmocka_unit_test(test_errors_name_the_line),
        cmocka_unit_test(test_garbage_frame_of_real_data),
    };
    return cmocka_run_group_tests(tests, scratch_file_create, scratch_file_remove);
}
