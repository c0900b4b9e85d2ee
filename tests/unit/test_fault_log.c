/*
 * test_fault_log.c - the fault log's CSV: the header, one row per fault
 * with the model time exact to the microsecond, details kept to one field,
 * and a closed log that writes nothing.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fault_log.h"

/* Reads a whole small file into text (NUL-terminated). */
static void read_text(const char *path, char *text, size_t size)
{
    FILE *file = fopen(path, "r");
    assert_non_null(file);
    size_t n = fread(text, 1, size - 1, file);
    text[n] = '\0';
    fclose(file);
}

static void test_rows_as_written(void **state)
{
    (void)state;
    char path[] = "/tmp/test_fault_log.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    struct fault_log log;
    fault_log_init(&log);
    assert_int_equal(fault_log_open(&log, path), 0);
    assert_int_equal(fault_log_write(&log, FAULT_FLIP, 18, 180000000u,
                                     "bit %u of stuffed byte %u: frame lost", 5u, 1021u),
                     0);
    /* 2^32 - 1 and a model time of more than a day, rounded down to the microsecond. */
    assert_int_equal(fault_log_write(&log, FAULT_DROP, 4294967295u, 86400123456789u, "--drop"), 0);
    assert_int_equal(fault_log_write(&log, FAULT_RECONNECT, 0, 999, "at \"a,b\"\nnext"), 0);
    /* Rows are on disk as soon as written: a test following the file sees them. */
    char text[512];
    read_text(path, text, sizeof(text));
    assert_string_equal(text, "kind,sequence,model_time_s,detail\n"
                              "flip,18,0.180000,bit 5 of stuffed byte 1021: frame lost\n"
                              "drop,4294967295,86400.123456,--drop\n"
                              "reconnect,0,0.000000,at ;a;b;;next\n");
    assert_int_equal(fault_log_close(&log), 0);
    unlink(path);
}

static void test_closed_log_writes_nothing(void **state)
{
    (void)state;
    struct fault_log log;
    fault_log_init(&log);
    assert_int_equal(fault_log_write(&log, FAULT_GARBAGE, 1, 2, "ignored"), 0);
    assert_int_equal(fault_log_close(&log), 0);
}

static void test_unwritable_path_fails(void **state)
{
    (void)state;
    struct fault_log log;
    fault_log_init(&log);
    assert_int_equal(fault_log_open(&log, "/tmp"), -EISDIR);
    assert_int_equal(fault_log_open(&log, "/nonexistent-directory/faults.csv"), -ENOENT);
    assert_null(log.file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_as_written),
        cmocka_unit_test(test_closed_log_writes_nothing),
        cmocka_unit_test(test_unwritable_path_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
