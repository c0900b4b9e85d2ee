/*
 * test_capture.c - the capture saves exactly the bytes handed to it, in
 * order, never overwrites a file, and counts what it could not write.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture.h"
#include "log.h"

static char path[64];

static int fresh_path(void **state)
{
    (void)state;
    snprintf(path, sizeof(path), "/tmp/mtable-test-capture-%d.bin", (int)getpid());
    unlink(path);
    return 0;
}

static int remove_path(void **state)
{
    (void)state;
    unlink(path);
    return 0;
}

/* Byte i of the stream handed to the capture. */
static uint8_t stream_byte(size_t i)
{
    return (uint8_t)(i * 131 + i / 256);
}

static void test_bytes_saved_in_order(void **state)
{
    (void)state;
    struct capture *capture = NULL;
    char error[256];
    assert_int_equal(capture_start(path, &capture, error, sizeof(error)), 0);
    static uint8_t piece[CAPTURE_PIECE_MAX];
    size_t total = 0;
    const size_t sizes[] = {1, 7, 4096, CAPTURE_PIECE_MAX, 0, 100, 33333};
    for (int round = 0; round < 20; round++)
        for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
            for (size_t i = 0; i < sizes[k]; i++)
                piece[i] = stream_byte(total + i);
            capture_bytes(capture, piece, sizes[k]);
            total += sizes[k];
            if (k % 3 == 0)
                usleep(1000); /* let the thread keep up: this test is not about overflow */
        }
    uint64_t missing = 99;
    assert_int_equal(capture_stop(capture, &missing), 0);
    assert_int_equal(missing, 0);

    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t i = 0;
    int c;
    while ((c = fgetc(f)) != EOF) {
        if ((uint8_t)c != stream_byte(i))
            fail_msg("byte %zu differs", i);
        i++;
    }
    fclose(f);
    assert_int_equal(i, total);
}

static void test_existing_file_is_refused(void **state)
{
    (void)state;
    FILE *f = fopen(path, "w");
    fputs("keep me", f);
    fclose(f);
    struct capture *capture = NULL;
    char error[256];
    assert_int_equal(capture_start(path, &capture, error, sizeof(error)), -EEXIST);
    char expected[300];
    snprintf(expected, sizeof(expected), "capture file %s: File exists", path);
    assert_string_equal(error, expected);
    f = fopen(path, "r");
    char text[16] = "";
    assert_non_null(fgets(text, sizeof(text), f));
    fclose(f);
    assert_string_equal(text, "keep me");
}

/* In a child limited to 10 kB of file: the rest is counted, nothing blocks. */
static void test_write_failure_is_counted(void **state)
{
    (void)state;
    pid_t child = fork();
    if (child == 0) {
        log_init("test_capture", LOG_LEVEL_ERROR, false);
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit limit = {10000, 10000};
        setrlimit(RLIMIT_FSIZE, &limit);
        struct capture *capture = NULL;
        char error[256];
        if (capture_start(path, &capture, error, sizeof(error)) != 0)
            _exit(2);
        static uint8_t piece[4000];
        for (int i = 0; i < 10; i++) {
            capture_bytes(capture, piece, sizeof(piece));
            usleep(2000);
        }
        uint64_t missing = 0;
        int err = capture_stop(capture, &missing);
        _exit(err == -EFBIG && missing == 40000 - 10000 ? 0 : 1);
    }
    int status = 0;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
    log_init("test_capture", LOG_LEVEL_ERROR, false);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bytes_saved_in_order, fresh_path, remove_path),
        cmocka_unit_test_setup_teardown(test_existing_file_is_refused, fresh_path, remove_path),
        cmocka_unit_test_setup_teardown(test_write_failure_is_counted, fresh_path, remove_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
