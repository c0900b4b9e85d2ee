/*
 * test_port.c - the simulated table's end of the line, on a real pty with
 * this test as the host: bytes arrive as sent and in the tee; a pause holds
 * them (up to PORT_QUEUE_BYTES exactly, and no more) and sends them in
 * order when it ends, reading nothing meanwhile; a disconnect lets the
 * host read what was sent, then hangs it up and removes the link, and a
 * reconnect points the link at a new pty that works.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cmocka.h>

#include "scratch.h"

#include "port.h"
#include "schedule.h"

static volatile sig_atomic_t never_stopping;
static char tee_path[64], link_path[64];

/* Opens the port's pty as the host, raw and non-blocking. */
static int open_host(const char *path)
{
    int host = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK);
    assert_true(host >= 0);
    struct termios settings;
    assert_int_equal(tcgetattr(host, &settings), 0);
    cfmakeraw(&settings);
    assert_int_equal(tcsetattr(host, TCSANOW, &settings), 0);
    return host;
}

/* Reads whatever arrives at the host within wait_ms (after the first byte, until quiet). */
static size_t read_host(int host, uint8_t *bytes, size_t capacity, int wait_ms)
{
    size_t got = 0;
    struct pollfd fd = {.fd = host, .events = POLLIN};
    while (got < capacity && poll(&fd, 1, wait_ms) > 0) {
        ssize_t n = read(host, bytes + got, capacity - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    return got;
}

/* Opens a port with a tee and a link, and a host on it. */
static void open_port(struct port *port, int *host)
{
    sigset_t mask;
    sigprocmask(SIG_SETMASK, NULL, &mask);
    const char *what = NULL;
    assert_int_equal(port_open(port, &mask, &never_stopping, tee_path, &what), 0);
    assert_int_equal(port_link(port, link_path), 0);
    *host = open_host(link_path);
    /* The port learns that a host is there at its next wait. */
    assert_int_equal(port_wait(port, schedule_now_ns() + 50000000u), 0);
    assert_true(port_host_present(port));
}

static size_t tee_size(void)
{
    FILE *file = fopen(tee_path, "rb");
    assert_non_null(file);
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    fclose(file);
    return (size_t)size;
}

static int make_directory(void **state)
{
    if (scratch_directory_create(state) != 0)
        return -1;
    snprintf(tee_path, sizeof(tee_path), "%s/tee", scratch_directory);
    snprintf(link_path, sizeof(link_path), "%s/port", scratch_directory);
    return 0;
}

static void test_pause_holds_up_to_the_bound_then_sends_in_order(void **state)
{
    (void)state;
    struct port port;
    int host = -1;
    open_port(&port, &host);
    static uint8_t sent[PORT_QUEUE_BYTES + 1], received[PORT_QUEUE_BYTES + 2];
    for (size_t i = 0; i < sizeof(sent); i++)
        sent[i] = (uint8_t)(i * 7 + i / 251);

    port_pause(&port, schedule_now_ns() + 60000000000u);
    /* A command from the host is not read during the pause. */
    assert_int_equal(write(host, "\x00\x01", 2), 2);
    assert_int_equal(port_wait(&port, schedule_now_ns() + 30000000u), 0);
    /* The queue takes exactly PORT_QUEUE_BYTES, in pieces, and refuses one byte more. */
    assert_int_equal(port_send(&port, sent, 1000), 0);
    assert_int_equal(port_send(&port, sent + 1000, PORT_QUEUE_BYTES - 1000), 0);
    assert_int_equal(port_send(&port, sent + PORT_QUEUE_BYTES, 1), -ENOBUFS);
    assert_int_equal(read_host(host, received, sizeof(received), 30), 0);
    assert_int_equal(tee_size(), 0);

    /* The pause ends: everything held goes out, in order (a reader thread is not needed:
     * the pty takes what the host has not read yet in pieces, so read while resuming). */
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        size_t got = read_host(host, received, PORT_QUEUE_BYTES, 2000);
        _exit(got == PORT_QUEUE_BYTES && memcmp(received, sent, PORT_QUEUE_BYTES) == 0 ? 0 : 1);
    }
    assert_int_equal(port_resume(&port), 0);
    int status = -1;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(tee_size(), PORT_QUEUE_BYTES);
    /* Now the host's command can be read, and bytes go out at once again. */
    assert_int_equal(port_wait(&port, schedule_now_ns() + 50000000u), 1);
    assert_int_equal(port_send(&port, sent, 10), 0);
    assert_int_equal(read_host(host, received, sizeof(received), 50), 10);
    close(host);
    port_close(&port);
}

static void test_pause_ends_at_its_time(void **state)
{
    (void)state;
    struct port port;
    int host = -1;
    open_port(&port, &host);
    uint64_t end = schedule_now_ns() + 100000000u;
    port_pause(&port, end);
    assert_int_equal(port_send(&port, (const uint8_t *)"held", 4), 0);
    /* Waiting for ever while paused still wakes up when the pause is due to end. */
    assert_int_equal(port_wait(&port, UINT64_MAX), 0);
    assert_true(schedule_now_ns() >= end);
    assert_int_equal(port_resume_if_due(&port), 0);
    uint8_t received[16];
    assert_int_equal(read_host(host, received, sizeof(received), 50), 4);
    assert_memory_equal(received, "held", 4);
    close(host);
    port_close(&port);
}

static void test_disconnect_and_reconnect(void **state)
{
    (void)state;
    struct port port;
    int host = -1;
    open_port(&port, &host);
    /* What was sent before the cable is pulled reaches a host that reads it, a little late. */
    assert_int_equal(port_send(&port, (const uint8_t *)"before", 6), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        uint8_t got[16];
        usleep(100000);
        _exit(read_host(host, got, 6, 1000) == 6 && memcmp(got, "before", 6) == 0 ? 0 : 1);
    }
    port_disconnect(&port);
    int status = -1;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    /* Then the host is hung up: reading fails (EIO) or ends (0). */
    uint8_t byte;
    struct pollfd fd = {.fd = host, .events = POLLIN};
    assert_int_equal(poll(&fd, 1, 1000), 1);
    assert_true(read(host, &byte, 1) <= 0);
    close(host);
    assert_int_equal(access(link_path, F_OK), -1);
    assert_false(port_connected(&port));
    assert_false(port_host_present(&port));
    assert_int_equal(port_send(&port, (const uint8_t *)"x", 1), -ENOTCONN);
    uint64_t before = schedule_now_ns();
    assert_int_equal(port_wait(&port, before + 20000000u), 0); /* sleeps: nothing to watch */
    assert_true(schedule_now_ns() >= before + 20000000u);

    assert_int_equal(port_reconnect(&port), 0);
    char target[64] = "";
    assert_true(readlink(link_path, target, sizeof(target) - 1) > 0);
    assert_string_equal(target, port_path(&port));
    host = open_host(link_path);
    assert_int_equal(port_wait(&port, schedule_now_ns() + 50000000u), 0);
    assert_true(port_host_present(&port));
    assert_int_equal(port_send(&port, (const uint8_t *)"again", 5), 0);
    uint8_t received[8];
    assert_int_equal(read_host(host, received, sizeof(received), 50), 5);
    assert_memory_equal(received, "again", 5);
    close(host);
    port_close(&port);
    assert_int_equal(access(link_path, F_OK), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pause_holds_up_to_the_bound_then_sends_in_order),
        cmocka_unit_test(test_pause_ends_at_its_time),
        cmocka_unit_test(test_disconnect_and_reconnect),
    };
    return cmocka_run_group_tests(tests, make_directory, scratch_directory_remove);
}
