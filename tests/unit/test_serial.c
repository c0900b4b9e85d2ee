/*
 * test_serial.c - ports open raw and transparent, hang-ups are seen, and
 * bad names give messages naming the port. Uses real pseudo-terminals.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "serial.h"

/* Opens a pty master and writes its slave's path. */
static int open_master(char *slave, size_t size)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    assert_true(master >= 0);
    assert_int_equal(grantpt(master), 0);
    assert_int_equal(unlockpt(master), 0);
    assert_int_equal(ptsname_r(master, slave, size), 0);
    return master;
}

/* Reads exactly len bytes from fd, waiting up to 2 s in all. */
static void read_exactly(int fd, uint8_t *buffer, size_t len)
{
    size_t got = 0;
    for (int tries = 0; got < len && tries < 200; tries++) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        poll(&pfd, 1, 10);
        ssize_t n = read(fd, buffer + got, len - got);
        if (n > 0)
            got += (size_t)n;
    }
    assert_int_equal(got, len);
}

static void test_pty_is_raw_both_ways(void **state)
{
    (void)state;
    char slave[128];
    int master = open_master(slave, sizeof(slave));
    struct serial_port *port = NULL;
    char error[SERIAL_ERROR_MAX];
    assert_int_equal(serial_open(slave, 4000000, &port, error, sizeof(error)), 0);
    assert_true(serial_is_pty(port));
    assert_string_equal(serial_path(port), slave);

    /* Every byte value, including NUL, CR, LF, ^C, ^D, XON and XOFF, unchanged. */
    uint8_t all[256], back[256];
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    assert_int_equal(write(master, all, sizeof(all)), (ssize_t)sizeof(all));
    size_t got = 0;
    for (int tries = 0; got < sizeof(back) && tries < 200; tries++) {
        struct pollfd pfd = {.fd = serial_fd(port), .events = POLLIN};
        poll(&pfd, 1, 10);
        ssize_t n = serial_read(port, back + got, sizeof(back) - got);
        assert_true(n >= 0);
        got += (size_t)n;
    }
    assert_int_equal(got, sizeof(all));
    assert_memory_equal(back, all, sizeof(all));

    assert_int_equal(serial_write(port, all, sizeof(all), 1000), 0);
    read_exactly(master, back, sizeof(back));
    assert_memory_equal(back, all, sizeof(all));

    /* Nothing waiting: 0, not an error, and no blocking. */
    assert_int_equal(serial_read(port, back, sizeof(back)), 0);
    serial_close(port);
    close(master);
}

static void test_hang_up_is_seen(void **state)
{
    (void)state;
    char slave[128];
    int master = open_master(slave, sizeof(slave));
    struct serial_port *port = NULL;
    assert_int_equal(serial_open(slave, 115200, &port, NULL, 0), 0);
    close(master);
    struct pollfd pfd = {.fd = serial_fd(port), .events = POLLIN};
    assert_int_equal(poll(&pfd, 1, 1000), 1);
    assert_true((pfd.revents & POLLHUP) != 0);
    /* Nothing more to read: the hang-up is what poll reported (serial.h). */
    uint8_t byte;
    assert_true(serial_read(port, &byte, 1) <= 0);
    serial_close(port);
}

static void test_symlink_is_followed(void **state)
{
    (void)state;
    char slave[128];
    int master = open_master(slave, sizeof(slave));
    char link[] = "/tmp/mtable-test-serial-link-XXXXXX";
    int fd = mkstemp(link);
    close(fd);
    unlink(link);
    assert_int_equal(symlink(slave, link), 0);
    struct serial_port *port = NULL;
    assert_int_equal(serial_open(link, 115200, &port, NULL, 0), 0);
    assert_string_equal(serial_path(port), slave);
    serial_close(port);
    unlink(link);
    close(master);
}

static void test_bad_names_are_explained(void **state)
{
    (void)state;
    struct serial_port *port = NULL;
    char error[SERIAL_ERROR_MAX];
    assert_int_equal(serial_open("/dev/mtable-no-such-port", 115200, &port, error, sizeof(error)),
                     -ENOENT);
    assert_string_equal(error, "/dev/mtable-no-such-port: No such file or directory");
    assert_null(port);

    assert_int_equal(serial_open("usb:MTABLE-NO-SUCH-SERIAL", 115200, &port, error, sizeof(error)),
                     -ENOENT);
    assert_string_equal(error, "usb:MTABLE-NO-SUCH-SERIAL: no USB serial adapter with this serial "
                               "number is connected");

    /* A regular file is not a serial port: refused with its name in the message. */
    char file[] = "/tmp/mtable-test-serial-file-XXXXXX";
    int fd = mkstemp(file);
    close(fd);
    assert_true(serial_open(file, 115200, &port, error, sizeof(error)) < 0);
    assert_non_null(strstr(error, file));
    assert_null(port);
    unlink(file);
}

static void test_list_ports(void **state)
{
    (void)state;
    struct serial_port_info *ports = NULL;
    size_t count = 99;
    char error[SERIAL_ERROR_MAX];
    assert_int_equal(serial_list_ports(&ports, &count, error, sizeof(error)), 0);
    for (size_t i = 0; i < count; i++)
        assert_true(strncmp(ports[i].path, "/dev/", 5) == 0);
    free(ports);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pty_is_raw_both_ways), cmocka_unit_test(test_hang_up_is_seen),
        cmocka_unit_test(test_symlink_is_followed),  cmocka_unit_test(test_bad_names_are_explained),
        cmocka_unit_test(test_list_ports),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
