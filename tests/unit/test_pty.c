/*
 * test_pty.c - pty_drain on a real pseudo-terminal with this test as the
 * host: it returns once the host has read everything written, and reports
 * what a host that does not read leaves behind.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <cmocka.h>

#include "pty.h"
#include "schedule.h"

static volatile sig_atomic_t never_stopping;

static void test_drain(void **state)
{
    (void)state;
    sigset_t mask;
    sigprocmask(SIG_SETMASK, NULL, &mask);
    struct pty pty;
    assert_int_equal(pty_open(&pty, &mask, &never_stopping), 0);
    int host = open(pty.slave_path, O_RDWR | O_NOCTTY | O_NONBLOCK);
    assert_true(host >= 0);
    size_t written = 0;
    static const uint8_t bytes[300] = {1, 2, 3};

    /* Nothing written: drained at once. */
    assert_int_equal(pty_drain(&pty, 1000), 0);

    /* A host that does not read: the bytes are still there when the time is up. */
    assert_int_equal(pty_write(&pty, bytes, sizeof(bytes), &written), 0);
    uint64_t before = schedule_now_ns();
    assert_int_equal(pty_drain(&pty, 50), sizeof(bytes));
    assert_true(schedule_now_ns() - before >= 50000000u);

    /* Once it has read them, the drain is over. */
    uint8_t got[sizeof(bytes)];
    assert_int_equal(read(host, got, sizeof(got)), (ssize_t)sizeof(got));
    assert_int_equal(pty_drain(&pty, 1000), 0);
    close(host);
    pty_close(&pty);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_drain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
