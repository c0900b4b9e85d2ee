/*
 * test_options.c - mtable-sim's command line: fault and replay options
 * parse to the values given, timed faults come out in time order, and
 * every bad value or contradictory combination is refused with a message
 * that names the option at fault.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "options.h"

/* Most arguments in one case. */
#define MAX_ARGS 12

/* Parses argv (NULL-terminated, without the program name); stderr goes to message. */
static int parse(const char *const *args, struct options *options, char *message, size_t size)
{
    char *argv[MAX_ARGS + 2] = {"mtable-sim"};
    int argc = 1;
    for (; args[argc - 1] != NULL; argc++)
        argv[argc] = (char *)args[argc - 1];
    char path[] = "/tmp/test_options.XXXXXX";
    int capture = mkstemp(path);
    assert_true(capture >= 0);
    int saved = dup(STDERR_FILENO);
    dup2(capture, STDERR_FILENO);
    int result = options_parse(argc, argv, options);
    dup2(saved, STDERR_FILENO);
    close(saved);
    ssize_t n = pread(capture, message, size - 1, 0);
    message[n > 0 ? n : 0] = '\0';
    close(capture);
    unlink(path);
    return result;
}

/* A command line that must be refused, and the option the message must name. */
struct refused {
    const char *args[MAX_ARGS + 1];
    const char *named;
};

static void test_bad_command_lines_are_refused_by_name(void **state)
{
    (void)state;
    static const struct refused cases[] = {
        {{"--garbage", "-0.1", NULL}, "--garbage"},
        {{"--garbage-inside", "half", NULL}, "--garbage-inside"},
        {{"--flip", "1.5", NULL}, "--flip"},
        {{"--truncate", "2", NULL}, "--truncate"},
        {{"--drop", "", NULL}, "--drop"},
        {{"--burst", "10", NULL}, "--burst"},
        {{"--burst", "0@1", NULL}, "--burst"},
        {{"--burst", "5@-1", NULL}, "--burst"},
        {{"--burst", "5@", NULL}, "--burst"},
        {{"--pause", "1", NULL}, "--pause"},
        {{"--pause", "0@1", NULL}, "--pause"},
        {{"--disconnect", "x@1", "--link", "p", NULL}, "--disconnect"},
        {{"--disconnect", "1@2", NULL}, "--disconnect"}, /* no --link */
        {{"--reset-at", "soon", NULL}, "--reset-at"},
        {{"--grid-change", "10x@1", NULL}, "--grid-change"},
        {{"--grid-change", "20@1", NULL}, "--grid-change"},
        {{"--grid-change", "300x10@1", NULL}, "--grid-change"},
        {{"--grid-change", "200x200@1", NULL}, "--grid-change"}, /* over 16384 taxels */
        {{"--grid-change", "5x5@1", NULL}, "--grid-change"},     /* under the body map */
        {{"--speed", "2", NULL}, "--speed"},                     /* without --replay */
        {{"--replay", "s.h5", "--speed", "-1", NULL}, "--speed"},
        {{"--replay", "s.h5", "--speed", "0.0001", NULL}, "--speed"},
        {{"--raw-rate", "100", NULL}, "--raw-rate"}, /* without --replay-raw */
        {{"--replay-raw", "c.bin", "--raw-rate", "0", NULL}, "--raw-rate"},
        {{"--replay", "s.h5", "--rows", "20", NULL}, "--rows"},
        {{"--replay", "s.h5", "--serial", "X", NULL}, "--serial"},
        {{"--replay", "s.h5", "--frames", "10", NULL}, "--frames"},
        {{"--replay", "s.h5", "--reset-at", "1", NULL}, "--reset-at"},
        {{"--replay", "s.h5", "--grid-change", "20x10@1", NULL}, "--grid-change"},
        {{"--replay", "s.h5", "--ground-truth", "g.csv", NULL}, "--ground-truth"},
        {{"--replay-raw", "c.bin", "--drop", "0.1", NULL}, "--drop"},
        {{"--replay-raw", "c.bin", "--seed", "2", NULL}, "--seed"},
        {{"--replay-raw", "c.bin", "--replay", "s.h5", NULL}, "--replay"},
        {{"--replay-raw", "c.bin", "--fault-log", "f.csv", NULL}, "--fault-log"},
        {{"--ground-truth", "g.csv", "--reset-at", "1", NULL}, "--reset-at"},
        {{"--ground-truth", "g.csv", "--grid-change", "20x10@1", NULL}, "--grid-change"},
        {{"--linger", "1", NULL}, "--linger"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct options options;
        char message[2048];
        int result = parse(cases[i].args, &options, message, sizeof(message));
        if (result != -EINVAL)
            fail_msg("case %zu (%s %s) was accepted", i, cases[i].args[0], cases[i].args[1]);
        if (strstr(message, cases[i].named) == NULL)
            fail_msg("case %zu: the message does not name %s: %s", i, cases[i].named, message);
    }
}

static void test_too_many_timed_faults(void **state)
{
    (void)state;
    static const char *args[2 * (FAULTS_MAX_EVENTS + 1) + 1];
    for (size_t i = 0; i <= FAULTS_MAX_EVENTS; i++) {
        args[2 * i] = "--reset-at";
        args[2 * i + 1] = "1";
    }
    char *argv[2 * (FAULTS_MAX_EVENTS + 1) + 1] = {"mtable-sim"};
    for (size_t i = 0; i < 2 * (FAULTS_MAX_EVENTS + 1); i++)
        argv[i + 1] = (char *)args[i];
    struct options options;
    int saved = dup(STDERR_FILENO);
    int null = open("/dev/null", O_WRONLY);
    dup2(null, STDERR_FILENO);
    int result = options_parse(2 * FAULTS_MAX_EVENTS + 1, argv, &options);
    int too_many = options_parse(2 * (FAULTS_MAX_EVENTS + 1) + 1, argv, &options);
    dup2(saved, STDERR_FILENO);
    close(saved);
    close(null);
    assert_int_equal(result, 0);
    assert_int_equal(too_many, -EINVAL);
}

static void test_fault_values(void **state)
{
    (void)state;
    static const char *const args[] = {"--reset-at",
                                       "5",
                                       "--burst",
                                       "3@1",
                                       "--pause",
                                       "0.25@1",
                                       "--grid-change",
                                       "20x4@2.5",
                                       "--disconnect",
                                       "1.5@0",
                                       "--link",
                                       "port",
                                       NULL};
    static const char *const probabilities[] = {
        "--garbage", "0.25",  "--garbage-inside", "0.5",   "--flip", "1", "--truncate", "0",
        "--drop",    "0.125", "--fault-log",      "f.csv", NULL};
    struct options o;
    char message[2048];
    assert_int_equal(parse(args, &o, message, sizeof(message)), 0);
    const struct fault_settings *f = &o.faults;
    assert_int_equal(f->event_count, 5);
    assert_int_equal(f->events[0].kind, FAULT_DISCONNECT);
    assert_true(f->events[0].at_ns == 0 && f->events[0].duration_ns == 1500000000u);
    assert_int_equal(f->events[1].kind, FAULT_BURST);
    assert_true(f->events[1].at_ns == 1000000000u && f->events[1].frames == 3);
    assert_int_equal(f->events[2].kind, FAULT_PAUSE);
    assert_true(f->events[2].at_ns == 1000000000u && f->events[2].duration_ns == 250000000u);
    assert_int_equal(f->events[3].kind, FAULT_GRID_CHANGE);
    assert_true(f->events[3].at_ns == 2500000000u && f->events[3].rows == 20 &&
                f->events[3].cols == 4);
    assert_int_equal(f->events[4].kind, FAULT_RESET);
    assert_true(f->events[4].at_ns == 5000000000u);

    assert_int_equal(parse(probabilities, &o, message, sizeof(message)), 0);
    assert_true(o.faults.garbage == 0.25 && o.faults.garbage_inside == 0.5 &&
                o.faults.flip == 1.0 && o.faults.truncate == 0.0 && o.faults.drop == 0.125);
    assert_string_equal(o.fault_log_path, "f.csv");
    assert_int_equal(o.faults.event_count, 0);
}

static void test_replay_values(void **state)
{
    (void)state;
    static const char *const plain[] = {"--replay", "s.h5", NULL};
    static const char *const unpaced[] = {"--replay", "s.h5",   "--speed", "0", "--linger",
                                          "1",        "--drop", "0.5",     NULL};
    static const char *const raw[] = {"--replay-raw", "c.bin", "--raw-rate", "1000", "--linger",
                                      "0.5",          "--tee", "t",          NULL};
    struct options o;
    char message[2048];
    assert_int_equal(parse(plain, &o, message, sizeof(message)), 0);
    assert_string_equal(o.replay_path, "s.h5");
    assert_true(o.speed == 1.0);
    assert_null(o.replay_raw_path);
    assert_int_equal(parse(unpaced, &o, message, sizeof(message)), 0);
    assert_true(o.speed == 0.0 && o.linger_set && o.linger_ns == 1000000000u);
    assert_true(o.faults.drop == 0.5);
    assert_int_equal(parse(raw, &o, message, sizeof(message)), 0);
    assert_string_equal(o.replay_raw_path, "c.bin");
    assert_true(o.raw_rate == 1000 && o.linger_ns == 500000000u);
    assert_null(o.replay_path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_command_lines_are_refused_by_name),
        cmocka_unit_test(test_too_many_timed_faults),
        cmocka_unit_test(test_fault_values),
        cmocka_unit_test(test_replay_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
