/*
 * test_config.c - settings are checked the same way from the file and the
 * command line, and every error names the file, line and setting.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scratch.h"

#include "config.h"

/* Writes text to a file in the test directory and returns its path. */
static const char *write_file(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof(path), "%s/%s", scratch_directory, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void test_defaults(void **state)
{
    (void)state;
    struct config c;
    config_defaults(&c);
    assert_string_equal(c.port, "");
    assert_int_equal(c.baud, 6000000);
    assert_string_equal(c.output_dir, ".");
    assert_string_equal(c.subject_id, "unspecified");
    assert_true(c.flush_interval_s == 1.0);
    assert_int_equal(c.ring_frames, 1024);
    assert_true(c.status_interval_s == 10.0);
    assert_int_equal(c.log_level, LOG_LEVEL_INFO);
}

static void test_set_values(void **state)
{
    (void)state;
    static const struct {
        const char *section, *name, *value;
        const char *error; /* NULL: accepted */
    } cases[] = {
        {"device", "port", "/dev/ttyACM0", NULL},
        {"device", "baud", "115200", NULL},
        {"device", "baud", "fast", "baud: 'fast' is not a number"},
        {"device", "baud", "115200.5", "baud: 115200.5 is not a whole number"},
        {"device", "baud", "10", "baud: 10 is out of range (50 to 2e+07)"},
        {"device", "frame_rate", "0.5", NULL},
        {"device", "frame_rate", "-1", "frame_rate: -1 is out of range (0 to 4e+06)"},
        {"device", "frame_rate", "nan", "frame_rate: 'nan' is not a number"},
        {"device", "frame_rate", "100Hz", "frame_rate: '100Hz' is not a number"},
        {"session", "subject", "S01", NULL},
        {"session", "subject", "../etc",
         "subject: '../etc' is not a valid id: use 1 to 64 letters, digits, '.', '_' or '-', "
         "not starting with '.'"},
        {"session", "operator", "T 1",
         "operator: 'T 1' is not a valid id: use 1 to 64 letters, digits, '.', '_' or '-', "
         "not starting with '.'"},
        {"recording", "ring_frames", "2048", NULL},
        {"recording", "ring_frames", "1000",
         "ring_frames: 1000 is not a whole number that is a power of two"},
        {"recording", "ring_frames", "8", "ring_frames: 8 is out of range (16 to 1.04858e+06)"},
        {"recording", "compression_level", "13", "compression_level: 13 is out of range (1 to 12)"},
        {"daemon", "log_level", "DEBUG", NULL},
        {"daemon", "log_level", "loud",
         "log_level: 'loud' is not one of error, warning, info, debug"},
        {"device", "colour", "blue", "unknown setting 'colour' in section [device]"},
        {"session", "port", "/dev/x", "unknown setting 'port' in section [session]"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct config c;
        config_defaults(&c);
        char error[512] = "";
        int err =
            config_set(&c, cases[i].section, cases[i].name, cases[i].value, error, sizeof(error));
        if (cases[i].error == NULL) {
            if (err != 0)
                fail_msg("%s=%s refused: %s", cases[i].name, cases[i].value, error);
        } else {
            assert_int_equal(err, -EINVAL);
            assert_string_equal(error, cases[i].error);
        }
    }
    struct config c;
    config_defaults(&c);
    char error[512];
    assert_int_equal(config_set(&c, "device", "baud", "115200", error, sizeof(error)), 0);
    assert_int_equal(c.baud, 115200);
    assert_int_equal(config_set(&c, "daemon", "log_level", "debug", error, sizeof(error)), 0);
    assert_int_equal(c.log_level, LOG_LEVEL_DEBUG);
    assert_int_equal(config_set(&c, "device", "frame_rate", "0.5", error, sizeof(error)), 0);
    assert_true(c.frame_rate_hz == 0.5);
}

static void test_load_file(void **state)
{
    (void)state;
    const char *path = write_file("good.ini", "; lab table\n"
                                              "[device]\n"
                                              "port = /dev/ttyACM0   ; the table\n"
                                              "baud = 921600\n"
                                              "\n"
                                              "# comments with a hash too\n"
                                              "[session]\n"
                                              "output_dir = /var/lib/mtable\n"
                                              "subject = S07\n"
                                              "[recording]\n"
                                              "flush_interval = 0.5\n");
    struct config c;
    config_defaults(&c);
    char error[512] = "";
    assert_int_equal(config_load(path, &c, error, sizeof(error)), 0);
    assert_string_equal(c.port, "/dev/ttyACM0");
    assert_int_equal(c.baud, 921600);
    assert_string_equal(c.output_dir, "/var/lib/mtable");
    assert_string_equal(c.subject_id, "S07");
    assert_true(c.flush_interval_s == 0.5);
    assert_string_equal(c.operator_id, "unspecified"); /* untouched default */
}

static void test_load_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *error; /* after "<path>:" */
    } cases[] = {
        {"[device]\nport = /dev/x\nbaud = many\n", "3: baud: 'many' is not a number"},
        {"[device]\nport /dev/x\n", "2: expected '[section]' or 'name = value'"},
        {"[device\nport = /dev/x\n", "1: expected '[section]' or 'name = value'"},
        {"[session]\nsubject = a/b\n",
         "2: subject: 'a/b' is not a valid id: use 1 to 64 letters, digits, '.', '_' or '-', "
         "not starting with '.'"},
        {"port = /dev/x\n", "1: unknown setting 'port' in section []"},
        /* The first error is reported, even when a later line is bad too. */
        {"[device]\n\nbaud = x\nbaud = y\n", "3: baud: 'x' is not a number"},
        {"[device]\nbogus line\nbaud = y\n", "2: expected '[section]' or 'name = value'"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *path = write_file("bad.ini", cases[i].text);
        char expected[512];
        snprintf(expected, sizeof(expected), "%s:%s", path, cases[i].error);
        struct config c;
        config_defaults(&c);
        char error[512] = "";
        assert_int_equal(config_load(path, &c, error, sizeof(error)), -EINVAL);
        assert_string_equal(error, expected);
    }
    struct config c;
    config_defaults(&c);
    char error[512] = "";
    char missing[300];
    snprintf(missing, sizeof(missing), "%s/none.ini", scratch_directory);
    assert_int_equal(config_load(missing, &c, error, sizeof(error)), -ENOENT);
    char expected[400];
    snprintf(expected, sizeof(expected), "%s: No such file or directory", missing);
    assert_string_equal(error, expected);
}

static void test_calibration(void **state)
{
    (void)state;
    const char *path = write_file("cal.csv", "# table 3, 2026-11-01\n"
                                             "counts,kPa\n"
                                             "0,0\n"
                                             "100 , 2.5 \n"
                                             "\n"
                                             "4095,60\r\n");
    double *pairs = NULL;
    size_t points = 0;
    char error[512] = "";
    assert_int_equal(config_load_calibration(path, &pairs, &points, error, sizeof(error)), 0);
    assert_int_equal(points, 3);
    const double expected[] = {0, 0, 100, 2.5, 4095, 60};
    for (size_t i = 0; i < 6; i++)
        assert_true(pairs[i] == expected[i]);
    free(pairs);

    static const struct {
        const char *text;
        const char *error;
    } bad[] = {
        {"0,0\n10,1\n10,2\n", ":3: counts must increase from line to line"},
        {"0,0\n10,1\n20\n", ":3: expected 'counts,kPa' (two numbers)"},
        {"counts,kPa\n0,0\n", ": a calibration needs at least two 'counts,kPa' lines"},
        {"0,0\n5,x\n", ":2: expected 'counts,kPa' (two numbers)"},
        {"0,0\n5, \n", ":2: expected 'counts,kPa' (two numbers)"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        path = write_file("bad.csv", bad[i].text);
        char want[512];
        snprintf(want, sizeof(want), "%s%s", path, bad[i].error);
        assert_int_equal(config_load_calibration(path, &pairs, &points, error, sizeof(error)),
                         -EINVAL);
        assert_string_equal(error, want);
    }
}

/* The example shipped with the daemon stays a valid config file. */
static void test_example_file_loads(void **state)
{
    (void)state;
    struct config c;
    config_defaults(&c);
    char error[512] = "";
    int err = config_load(MTABLE_SOURCE_DIR "/acquisition/mtable-acqd.conf.example", &c, error,
                          sizeof(error));
    if (err != 0)
        fail_msg("%s", error);
    assert_string_equal(c.port, "usb:MT-0001");
    assert_string_equal(c.output_dir, "/var/lib/mtable");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),    cmocka_unit_test(test_set_values),
        cmocka_unit_test(test_load_file),   cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_calibration), cmocka_unit_test(test_example_file_loads),
    };
    return cmocka_run_group_tests(tests, scratch_directory_create, scratch_directory_remove);
}
