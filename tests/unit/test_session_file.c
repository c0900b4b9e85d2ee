/*
 * test_session_file.c - session files read back by an independent reader.
 *
 * Every test writes a file with known contents (frame values from
 * value_at(), timestamps from a linear formula, events and markers from
 * tables) and reads it back with tests/e2e/check_session_file.py, which uses
 * h5py and FILE_FORMAT.md, never this module; h5dump checks the finished
 * files open in HDF5's own tools. Crashes and a full disk are produced for
 * real: a child process killed with SIGKILL, and a child whose file size
 * limit (RLIMIT_FSIZE) makes writing fail with EFBIG.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "scratch.h"
#include <hdf5.h>

#include "session_file.h"

extern char **environ;

/* The reader script, run by the Python that has h5py (both from CMake). */
#define CHECK_SCRIPT MTABLE_SOURCE_DIR "/tests/e2e/check_session_file.py"

/* Timestamps of frame i: SEQUENCE0 + i wraps past 2^32 within the tests. */
#define SEQUENCE0   4294967200u
#define DEVICE0     5000000ull
#define DEVICE_STEP 10000ull
#define HOST0       1795000000123456789ll /* 2026-11-18T11:06:40.123456789Z */
#define HOST_STEP   10000000ll

/* Frame i, row r, column c; the script computes the same by hand. */
static uint16_t value_at(uint64_t i, unsigned r, unsigned c)
{
    return (uint16_t)((i * 251 + r * 1021 + c * 37 + (i * r * c) % 7) % 65536);
}

/* A fresh path in the test directory. */
static void path_for(char *path, size_t size, const char *name)
{
    snprintf(path, size, "%s/%s", scratch_directory, name);
    unlink(path);
}

/* Runs argv (NULL-terminated) and returns its exit status, -1 if it did not exit. */
static int run(char *const argv[])
{
    pid_t child;
    int status;
    if (posix_spawn(&child, argv[0], NULL, NULL, argv, environ) != 0)
        return -1;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

/* Runs the h5py checker on path with the expectations that follow, up to NULL. */
static int check_file(const char *path, ...)
{
    char *argv[64] = {MTABLE_PYTHON, CHECK_SCRIPT, (char *)path};
    size_t argc = 3;
    va_list args;
    va_start(args, path);
    for (char *arg = va_arg(args, char *); arg != NULL; arg = va_arg(args, char *)) {
        assert_true(argc < sizeof(argv) / sizeof(argv[0]) - 1);
        argv[argc++] = arg;
    }
    va_end(args);
    argv[argc] = NULL;
    return run(argv);
}

/* Exit status of h5dump -H on path. */
static int dump_header(const char *path)
{
    char *argv[] = {MTABLE_H5DUMP, "-H", (char *)path, NULL};
    int saved = dup(STDOUT_FILENO);
    int quiet = open("/dev/null", O_WRONLY);
    dup2(quiet, STDOUT_FILENO);
    int status = run(argv);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    close(quiet);
    return status;
}

static struct session_info make_info(unsigned rows, unsigned cols)
{
    struct session_info info = {
        .session_id = "S01-20261118T110635Z",
        .subject_id = "S01",
        .operator_id = "T\xc3\xa9o", /* UTF-8 */
        .start_time_ns = HOST0 - 5000000000ll,
        .port = "/dev/ttyACM0",
        .device =
            {
                .rows = (uint16_t)rows,
                .cols = (uint16_t)cols,
                .row_pitch_um = 30000,
                .col_pitch_um = 21875,
                .adc_bits = 12,
                .frame_rate_mhz = 100000,
                .firmware_major = 1,
                .firmware_minor = 2,
                .firmware_patch = 300,
                .serial = "MT-0001",
            },
    };
    return info;
}

/*
 * Appends frames [first, end) of the formula; returns the first error, or
 * -ERANGE if session_file_frames does not count them. No cmocka assertions,
 * so that forked children can use it.
 */
static int append_frames(struct session_file *file, unsigned rows, unsigned cols, uint64_t first,
                         uint64_t end)
{
    static uint16_t values[PACKET_MAX_TAXELS];
    int result = 0;
    for (uint64_t i = first; i < end && result == 0; i++) {
        for (unsigned r = 0; r < rows; r++)
            for (unsigned c = 0; c < cols; c++)
                values[r * cols + c] = value_at(i, r, c);
        if (session_file_frames(file) != i)
            return -ERANGE;
        result =
            session_file_append_frame(file, (uint32_t)(SEQUENCE0 + i), DEVICE0 + i * DEVICE_STEP,
                                      HOST0 + (int64_t)i * HOST_STEP, values);
    }
    return result;
}

/* In a forked child: a crash must end the child, not resume cmocka's test list. */
static void become_child(void)
{
    static const int signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGSYS, SIGABRT};
    for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
        signal(signals[i], SIG_DFL);
}

/* The timing= expectation matching the constants above. */
#define TIMING_EXPECTATION "timing=4294967200,5000000,10000,1795000000123456789,10000000"

static void test_round_trip(void **state)
{
    (void)state;
    char path[256];
    path_for(path, sizeof(path), "round_trip.h5");
    const double calibration[] = {0, 0, 100, 2.5, 4095, 80};
    struct session_info info = make_info(5, 3);
    info.calibration = calibration;
    info.calibration_points = 3;
    struct session_file_options options = {.frames_per_chunk = 16, .compression_level = 6};
    struct session_file *file = NULL;
    assert_int_equal(session_file_create(path, &info, &options, &file), 0);

    static const struct link_event events[] = {
        {HOST0 + 1, LINK_EVENT_GAP, 4294967250u, 3, 0},
        {HOST0 + 2, LINK_EVENT_CRC, 4294967260u, 4, 900},
        {HOST0 + 3, LINK_EVENT_DROP, 4294967270u, 6, 0},
        {HOST0 + 4, LINK_EVENT_DISCONNECT, 20, 1, 0},
        {HOST0 + 5, LINK_EVENT_RECONNECT, 20, 1, 0},
        {HOST0 + 6, LINK_EVENT_FRAMING, 21, 2, 37},
        {HOST0 + 7, LINK_EVENT_OVERSIZE, 21, 1, 70000},
        {HOST0 + 8, LINK_EVENT_SHAPE, 22, 1, 0},
        {HOST0 + 9, LINK_EVENT_GAP, 30, 2, 0},
        {HOST0 + 10, LINK_EVENT_DEVICE_RESET, 31, 1, 0},
        {HOST0 + 11, LINK_EVENT_DISCONNECT, 5, 1, 0},
    };
    assert_int_equal(append_frames(file, 5, 3, 0, 40), 0);
    for (size_t k = 0; k < 6; k++)
        assert_int_equal(session_file_append_event(file, &events[k]), 0);
    assert_int_equal(session_file_append_marker(file, HOST0 + 100, "mark"), 0);
    assert_int_equal(session_file_flush(file), 0);
    assert_int_equal(append_frames(file, 5, 3, 40, 250), 0);
    for (size_t k = 6; k < 11; k++)
        assert_int_equal(session_file_append_event(file, &events[k]), 0);
    assert_int_equal(session_file_append_marker(file, HOST0 + 200, "lower back, left"), 0);
    assert_int_equal(append_frames(file, 5, 3, 250, 301), 0);
    assert_int_equal(session_file_append_marker(file, HOST0 + 300, ""), 0);
    assert_int_equal(session_file_close(file, HOST0 + 3600000000000ll), 0);

    assert_int_equal(
        check_file(
            path, "grid=5,3", "chunk=16", "frames=301", TIMING_EXPECTATION,
            "event=1795000000123456790,gap,4294967250,3,0",
            "event=1795000000123456791,crc_error,4294967260,4,900",
            "event=1795000000123456792,drop,4294967270,6,0",
            "event=1795000000123456793,disconnect,20,1,0",
            "event=1795000000123456794,reconnect,20,1,0",
            "event=1795000000123456795,framing_error,21,2,37",
            "event=1795000000123456796,oversize,21,1,70000",
            "event=1795000000123456797,shape_mismatch,22,1,0",
            "event=1795000000123456798,gap,30,2,0", "event=1795000000123456799,device_reset,31,1,0",
            "event=1795000000123456800,disconnect,5,1,0", "events=11",
            "marker=1795000000123456889,40,mark", "marker=1795000000123456989,250,lower back, left",
            "marker=1795000000123457089,301,", "markers=3", "calibration=0:0,100:2.5,4095:80",
            "attr=schema:str=mtable-session", "attr=schema_version:i4=1",
            "attr=session_id:str=S01-20261118T110635Z", "attr=subject_id:str=S01",
            "attr=operator_id:str=T\xc3\xa9o",
            "attr=start_time_utc:str=2026-11-18T11:06:35.123456Z",
            "attr=start_time_unix_ns:i8=1794999995123456789",
            "attr=software:str=mtable-acqd " MTABLE_VERSION, "attr=port:str=/dev/ttyACM0",
            "attr=protocol_version:i4=1", "attr=device_rows:i4=5", "attr=device_cols:i4=3",
            "attr=device_row_pitch_mm:f8=30", "attr=device_col_pitch_mm:f8=21.875",
            "attr=device_adc_bits:i4=12", "attr=device_frame_rate_hz:f8=100",
            "attr=device_firmware_version:str=1.2.300", "attr=device_serial:str=MT-0001",
            "attr=pressure_units:str=kPa", "attr=end_state:str=closed",
            "attr=end_time_utc:str=2026-11-18T12:06:40.123456Z",
            "attr=end_time_unix_ns:i8=1795003600123456789", "attr=frames_recorded:i8=301",
            "attr=frames_missing:i8=5", "attr=frames_dropped:i8=6", "attr=decode_errors:i8=7",
            "attr=disconnects:i8=2", NULL),
        0);
    assert_int_equal(dump_header(path), 0);
}

/* A file without calibration says counts, and an empty session is a valid file. */
static void test_empty_without_calibration(void **state)
{
    (void)state;
    char path[256];
    path_for(path, sizeof(path), "empty.h5");
    struct session_info info = make_info(64, 32);
    struct session_file *file = NULL;
    assert_int_equal(session_file_create(path, &info, NULL, &file), 0);
    assert_int_equal(session_file_close(file, HOST0), 0);
    assert_int_equal(check_file(path, "grid=64,32", "chunk=32", "frames=0", "events=0", "markers=0",
                                "calibration=none", "attr=pressure_units:str=counts",
                                "attr=frames_recorded:i8=0", "attr=end_state:str=closed",
                                "attr=end_time_utc:str=2026-11-18T11:06:40.123456Z", NULL),
                     0);
}

static void test_live_reading(void **state)
{
    (void)state;
    char path[256];
    path_for(path, sizeof(path), "live.h5");
    struct session_info info = make_info(4, 6);
    struct session_file *file = NULL;
    assert_int_equal(session_file_create(path, &info, NULL, &file), 0);
    assert_int_equal(check_file(path, "open=swmr", "plain_open=fails", "frames=0", NULL), 0);
    assert_int_equal(append_frames(file, 4, 6, 0, 100), 0);
    assert_int_equal(session_file_flush(file), 0);
    assert_int_equal(append_frames(file, 4, 6, 100, 150), 0); /* not flushed: must not be seen */
    assert_int_equal(check_file(path, "open=swmr", "plain_open=fails", "frames=100",
                                TIMING_EXPECTATION, "absent=end_state", NULL),
                     0);
    assert_int_equal(session_file_flush(file), 0);
    assert_int_equal(check_file(path, "open=swmr", "frames=150", TIMING_EXPECTATION, NULL), 0);
    assert_int_equal(session_file_close(file, HOST0), 0);
    assert_int_equal(check_file(path, "frames=150", "attr=end_state:str=closed", NULL), 0);
}

static void test_crash_and_recovery(void **state)
{
    (void)state;
    char path[256];
    path_for(path, sizeof(path), "crash.h5");
    enum { FLUSHED = 70, APPENDED = 170 };
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        become_child();
        struct session_info info = make_info(8, 4);
        struct session_file *file = NULL;
        struct link_event gap = {HOST0, LINK_EVENT_GAP, 9, 4, 0};
        struct link_event crc = {HOST0, LINK_EVENT_CRC, 20, 2, 50};
        struct link_event later = {HOST0, LINK_EVENT_DROP, 100, 8, 0};
        if (session_file_create(path, &info, NULL, &file) < 0 ||
            append_frames(file, 8, 4, 0, FLUSHED) < 0 ||
            session_file_append_event(file, &gap) < 0 ||
            session_file_append_event(file, &crc) < 0 || session_file_flush(file) < 0 ||
            append_frames(file, 8, 4, FLUSHED, APPENDED) < 0 ||
            session_file_append_event(file, &later) < 0)
            _exit(1);
        raise(SIGKILL);
    }
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

    assert_int_equal(check_file(path, "open=swmr", "plain_open=fails", "min_frames=70",
                                TIMING_EXPECTATION, "absent=end_state", NULL),
                     0);
    assert_int_equal(session_file_recover(path), 0);
    assert_int_equal(check_file(path, "min_frames=70", TIMING_EXPECTATION,
                                "attr=end_state:str=recovered", "attr=frames_recorded:i8=length",
                                "attr=end_time_unix_ns:i8=last_host_time",
                                "attr=frames_missing:i8=4", "attr=decode_errors:i8=2",
                                "attr=frames_dropped:i8=0", "attr=disconnects:i8=0", NULL),
                     0);
    assert_int_equal(dump_header(path), 0);
    assert_int_equal(session_file_recover(path), 1);
}

/*
 * Creates an HDF5 file with one dataset and, if schema is not NULL, schema
 * attributes (schema a variable-length UTF-8 string unless fixed_length).
 */
static void make_foreign_file(const char *path, const char *schema, int version, bool fixed_length)
{
    hid_t file = H5Fcreate(path, H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(file >= 0);
    hsize_t dims[1] = {3};
    hid_t space = H5Screate_simple(1, dims, NULL);
    hid_t dataset =
        H5Dcreate2(file, "data", H5T_STD_I32LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(dataset >= 0);
    H5Dclose(dataset);
    H5Sclose(space);
    if (schema != NULL) {
        hid_t string = H5Tcopy(H5T_C_S1);
        H5Tset_size(string, fixed_length ? strlen(schema) + 1 : H5T_VARIABLE);
        H5Tset_cset(string, H5T_CSET_UTF8);
        hid_t scalar = H5Screate(H5S_SCALAR);
        hid_t attribute = H5Acreate2(file, "schema", string, scalar, H5P_DEFAULT, H5P_DEFAULT);
        assert_true(H5Awrite(attribute, string, fixed_length ? (const void *)schema : &schema) >=
                    0);
        H5Aclose(attribute);
        attribute =
            H5Acreate2(file, "schema_version", H5T_STD_I32LE, scalar, H5P_DEFAULT, H5P_DEFAULT);
        assert_true(H5Awrite(attribute, H5T_NATIVE_INT, &version) >= 0);
        H5Aclose(attribute);
        H5Sclose(scalar);
        H5Tclose(string);
    }
    assert_true(H5Fclose(file) >= 0);
}

/* Reads a whole small file. */
static size_t slurp(const char *path, char *buffer, size_t size)
{
    FILE *stream = fopen(path, "rb");
    assert_non_null(stream);
    size_t n = fread(buffer, 1, size, stream);
    fclose(stream);
    return n;
}

static void test_refusals(void **state)
{
    (void)state;
    char path[256];
    static char before[1 << 16], after[1 << 16];

    path_for(path, sizeof(path), "precious.h5");
    FILE *stream = fopen(path, "w");
    fputs("not to be overwritten\n", stream);
    fclose(stream);
    struct session_info info = make_info(4, 4);
    struct session_file *file = NULL;
    assert_int_equal(session_file_create(path, &info, NULL, &file), -EEXIST);
    assert_null(file);
    assert_non_null(strstr(session_file_last_error(), path));
    size_t n = slurp(path, after, sizeof(after));
    assert_int_equal(n, strlen("not to be overwritten\n"));
    assert_memory_equal(after, "not to be overwritten\n", n);

    static const struct {
        const char *name;
        const char *schema; /* NULL: no schema attributes; "-": not HDF5 at all */
        int version;
        bool fixed_length; /* schema stored as a fixed-length string */
        int expected;
        const char *message; /* part of the error message */
    } cases[] = {
        {"text.h5", "-", 0, false, -EPROTO, "not an mtable session file"},
        {"foreign.h5", NULL, 0, false, -EPROTO, "not an mtable session file"},
        {"other_schema.h5", "other-thing", 1, false, -EPROTO, "not an mtable session file"},
        {"fixed_schema.h5", "mtable-session", 1, true, -EPROTO, "not an mtable session file"},
        {"future.h5", "mtable-session", 2, false, -EPROTO, "schema version 2"},
        {"missing.h5", "", 0, false, -ENOENT, "No such file or directory"},
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        path_for(path, sizeof(path), cases[k].name);
        if (cases[k].schema != NULL && strcmp(cases[k].schema, "-") == 0) {
            stream = fopen(path, "w");
            fputs("subject,frame\nS01,1\n", stream);
            fclose(stream);
        } else if (cases[k].schema == NULL || cases[k].schema[0] != '\0') {
            make_foreign_file(path, cases[k].schema, cases[k].version, cases[k].fixed_length);
        }
        size_t size = access(path, F_OK) == 0 ? slurp(path, before, sizeof(before)) : 0;
        assert_int_equal(session_file_recover(path), cases[k].expected);
        const char *message = session_file_last_error();
        if (strstr(message, path) == NULL || strstr(message, cases[k].message) == NULL)
            fail_msg("%s: message \"%s\"", cases[k].name, message);
        if (size > 0) {
            assert_int_equal(slurp(path, after, sizeof(after)), size);
            assert_memory_equal(after, before, size); /* refused files are not written to */
        }
    }
}

/* What the child of the write failure test tells its parent. */
struct failure_report {
    uint64_t flushed; /* frames flushed before the failure */
    int error;        /* what the failing call returned */
    char message[512];
};

static void test_write_failure(void **state)
{
    (void)state;
    char path[256];
    path_for(path, sizeof(path), "full.h5");
    enum { ROWS = 64, COLS = 32, LIMIT = 4 << 20 };
    int pipe_ends[2];
    assert_int_equal(pipe(pipe_ends), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        become_child();
        struct failure_report report = {0};
        struct rlimit limit = {LIMIT, LIMIT};
        signal(SIGXFSZ, SIG_IGN);
        struct session_info info = make_info(ROWS, COLS);
        struct session_file *file = NULL;
        if (setrlimit(RLIMIT_FSIZE, &limit) < 0 ||
            session_file_create(path, &info, NULL, &file) < 0)
            _exit(1);
        int result = 0;
        for (uint64_t i = 0; result == 0 && i < 100000; i++) {
            result = append_frames(file, ROWS, COLS, i, i + 1);
            if (result == 0 && i % 10 == 9) {
                result = session_file_flush(file);
                if (result == 0)
                    report.flushed = i + 1;
            }
        }
        report.error = result;
        snprintf(report.message, sizeof(report.message), "%s", session_file_last_error());
        session_file_close(file, HOST0); /* fails too; the file stays as flushed */
        ssize_t written = write(pipe_ends[1], &report, sizeof(report));
        exit(written == (ssize_t)sizeof(report) ? 0 : 1); /* and HDF5 closes down cleanly */
    }
    close(pipe_ends[1]);
    struct failure_report report;
    assert_int_equal(read(pipe_ends[0], &report, sizeof(report)), sizeof(report));
    close(pipe_ends[0]);
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    assert_int_equal(report.error, -EFBIG);
    if (strstr(report.message, path) == NULL || strstr(report.message, "File too large") == NULL)
        fail_msg("message \"%s\"", report.message);
    assert_true(report.flushed >= 20);
    char minimum[32];
    snprintf(minimum, sizeof(minimum), "min_frames=%llu", (unsigned long long)report.flushed);
    assert_int_equal(session_file_recover(path), 0);
    assert_int_equal(check_file(path, minimum, "grid=64,32", TIMING_EXPECTATION,
                                "attr=end_state:str=recovered", "attr=frames_recorded:i8=length",
                                NULL),
                     0);
}

/* Without room for its first megabyte a file is not created, and nothing is left behind. */
static void test_create_without_space(void **state)
{
    (void)state;
    char path[256];
    path_for(path, sizeof(path), "no_room.h5");
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        become_child();
        struct rlimit limit = {64 * 1024, 64 * 1024};
        signal(SIGXFSZ, SIG_IGN);
        struct session_info info = make_info(64, 32);
        struct session_file *file = NULL;
        if (setrlimit(RLIMIT_FSIZE, &limit) < 0)
            _exit(1);
        int result = session_file_create(path, &info, NULL, &file);
        bool named = strstr(session_file_last_error(), path) != NULL &&
                     strstr(session_file_last_error(), "File too large") != NULL;
        exit(result == -EFBIG && file == NULL && named ? 0 : 2); /* and HDF5 closes down cleanly */
    }
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(access(path, F_OK), -1);
}

/* Frame counts that end mid-chunk, and flushes inside chunks, for several F. */
static void test_partial_chunks(void **state)
{
    (void)state;
    static const struct {
        unsigned frames_per_chunk;
        unsigned frames;
        unsigned flush_every; /* 0: only at close */
        unsigned flush_at[4]; /* and after these frame counts (0 ends) */
    } cases[] = {
        {1, 5, 1, {0}},          {7, 50, 0, {3, 10, 14, 15}},
        {32, 31, 1, {0}},       /* one chunk rewritten at every frame */
        {32, 100, 3, {0}},      /* each chunk stored partial many times, then full */
        {5, 23, 0, {5, 10, 0}}, /* flushes exactly at chunk ends */
        {64, 200, 0, {1, 2, 0}},
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        char path[256], name[32], frames[32], chunk[32];
        snprintf(name, sizeof(name), "partial%zu.h5", k);
        path_for(path, sizeof(path), name);
        struct session_info info = make_info(3, 2);
        struct session_file_options options = {.frames_per_chunk = cases[k].frames_per_chunk};
        struct session_file *file = NULL;
        assert_int_equal(session_file_create(path, &info, &options, &file), 0);
        for (unsigned i = 0; i < cases[k].frames; i++) {
            assert_int_equal(append_frames(file, 3, 2, i, i + 1), 0);
            bool flush = cases[k].flush_every != 0 && (i + 1) % cases[k].flush_every == 0;
            for (size_t f = 0; f < 4 && cases[k].flush_at[f] != 0; f++)
                flush = flush || cases[k].flush_at[f] == i + 1;
            if (flush)
                assert_int_equal(session_file_flush(file), 0);
        }
        assert_int_equal(session_file_close(file, HOST0), 0);
        snprintf(frames, sizeof(frames), "frames=%u", cases[k].frames);
        snprintf(chunk, sizeof(chunk), "chunk=%u", cases[k].frames_per_chunk);
        if (check_file(path, frames, chunk, TIMING_EXPECTATION, "raw_chunks=1", NULL) != 0)
            fail_msg("case %zu", k);
    }
}

/* Bytes of the file at path. */
static long long file_size(const char *path)
{
    struct stat status;
    assert_int_equal(stat(path, &status), 0);
    return (long long)status.st_size;
}

/* Bytes HDF5 holds for /frames in the finished file at path. */
static long long frames_storage(const char *path)
{
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t dataset = H5Dopen2(file, "frames", H5P_DEFAULT);
    assert_true(file >= 0 && dataset >= 0);
    long long size = (long long)H5Dget_storage_size(dataset);
    H5Dclose(dataset);
    H5Fclose(file);
    return size;
}

/*
 * Rewriting the partly filled chunk at every flush (as at 1 frame/s) takes
 * little more room than writing each chunk once: HDF5 would otherwise keep
 * every old version of the chunk (about 16 times the data for F = 32).
 */
static void test_rewrites_reuse_space(void **state)
{
    (void)state;
    enum { ROWS = 64, COLS = 32, FRAMES = 96 };
    char every[256], once[256];
    path_for(every, sizeof(every), "flush_every_frame.h5");
    path_for(once, sizeof(once), "flush_once.h5");
    struct session_info info = make_info(ROWS, COLS);
    struct session_file *file = NULL;
    assert_int_equal(session_file_create(every, &info, NULL, &file), 0);
    for (unsigned i = 0; i < FRAMES; i++) {
        assert_int_equal(append_frames(file, ROWS, COLS, i, i + 1), 0);
        assert_int_equal(session_file_flush(file), 0);
    }
    assert_int_equal(session_file_close(file, HOST0), 0);
    assert_int_equal(session_file_create(once, &info, NULL, &file), 0);
    assert_int_equal(append_frames(file, ROWS, COLS, 0, FRAMES), 0);
    assert_int_equal(session_file_close(file, HOST0), 0);

    long long extra = file_size(every) - file_size(once), data = frames_storage(once);
    print_message("flushing every frame: %lld bytes more than %lld of frames\n", extra, data);
    assert_true(extra < data / 2);
    assert_int_equal(check_file(every, "frames=96", TIMING_EXPECTATION, "raw_chunks=1", NULL), 0);
}

/* Arguments the writer refuses, each with a message naming the file. */
static void test_invalid_arguments(void **state)
{
    (void)state;
    char path[256];
    path_for(path, sizeof(path), "invalid.h5");
    const double decreasing[] = {0, 0, 10, 1, 5, 2};
    struct session_info info = make_info(4, 4);
    struct session_file *file = NULL;
    struct session_file_options bad_level = {.compression_level = 13};
    assert_int_equal(session_file_create(path, &info, &bad_level, &file), -EINVAL);
    info.calibration = decreasing;
    info.calibration_points = 3;
    assert_int_equal(session_file_create(path, &info, NULL, &file), -EINVAL);
    assert_non_null(strstr(session_file_last_error(), "strictly increasing"));
    info = make_info(0, 4);
    assert_int_equal(session_file_create(path, &info, NULL, &file), -EINVAL);
    assert_non_null(strstr(session_file_last_error(), path));
    assert_int_equal(access(path, F_OK), -1); /* nothing created */

    info = make_info(4, 4);
    assert_int_equal(session_file_create(path, &info, NULL, &file), 0);
    struct link_event unknown = {HOST0, (enum link_event_kind)15, 0, 1, 0};
    assert_int_equal(session_file_append_event(file, &unknown), -EINVAL);
    char long_label[SESSION_LABEL_MAX + 2];
    memset(long_label, 'x', sizeof(long_label) - 1);
    long_label[sizeof(long_label) - 1] = '\0';
    assert_int_equal(session_file_append_marker(file, HOST0, long_label), -EINVAL);
    long_label[SESSION_LABEL_MAX] = '\0';
    assert_int_equal(session_file_append_marker(file, HOST0, long_label), 0);
    assert_int_equal(session_file_append_marker(file, HOST0, "caf\xc3\xa9"), -EINVAL);
    assert_int_equal(session_file_close(file, HOST0), 0);
    char marker[128];
    snprintf(marker, sizeof(marker), "marker=%lld,0,%s", (long long)HOST0, long_label);
    assert_int_equal(check_file(path, "frames=0", "events=0", "markers=1", marker, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_empty_without_calibration),
        cmocka_unit_test(test_live_reading),
        cmocka_unit_test(test_crash_and_recovery),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_write_failure),
        cmocka_unit_test(test_create_without_space),
        cmocka_unit_test(test_partial_chunks),
        cmocka_unit_test(test_rewrites_reuse_space),
        cmocka_unit_test(test_invalid_arguments),
    };
    return cmocka_run_group_tests(tests, scratch_directory_create, scratch_directory_remove);
}
