/*
 * test_session_reader.c - the session reader hands out exactly the frames,
 * sequence numbers and device times the daemon's writer stored, in order,
 * through its raw-chunk path (a partial last chunk included) and through
 * HDF5's own pipeline (other chunk shapes and filters, a chunk stored with
 * a filter skipped, and chunks too large for the raw path: the largest the
 * daemon writes, 4096 frames of 64 x 32); it reads a file a crashed writer
 * left open; and it
 * refuses missing files, non-HDF5 files, foreign HDF5 files and unknown
 * schema versions with the documented codes and messages naming the file.
 */
#include <errno.h>
#include <hdf5.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "scratch.h"

#include "session_file.h"
#include "session_reader.h"

enum { ROWS = 4, COLS = 3, TAXELS = ROWS * COLS };

/* The largest chunks mtable-acqd writes: frames_per_chunk 4096 on the 64 x 32 table (16 MiB). */
enum { LARGE_ROWS = 64, LARGE_COLS = 32, LARGE_CHUNK = 4096 };

/* The value of taxel x in frame n: every frame and taxel different. */
static uint16_t value_of(uint64_t n, size_t x)
{
    return (uint16_t)(n * 37 + x * 1009 + (n * x) % 251);
}

static void path_of(const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s/%s", scratch_directory, name);
}

/* Writes a session of frames frames on a rows x cols grid with the daemon's writer. */
static void write_session(const char *path, unsigned rows, unsigned cols, unsigned frames_per_chunk,
                          uint64_t frames, bool close_it)
{
    static const double calibration[] = {0, 0, 1000, 50, 4095, 300};
    struct session_info info = {
        .start_time_ns = 1700000000000000000, .calibration = calibration, .calibration_points = 3};
    snprintf(info.session_id, sizeof(info.session_id), "reader-test");
    snprintf(info.subject_id, sizeof(info.subject_id), "S9");
    info.device = (struct packet_device_info){.rows = (uint16_t)rows,
                                              .cols = (uint16_t)cols,
                                              .row_pitch_um = 30000,
                                              .col_pitch_um = 20000,
                                              .adc_bits = 12,
                                              .frame_rate_mhz = 50000,
                                              .serial = "TEST-1"};
    struct session_file_options options = {.frames_per_chunk = frames_per_chunk};
    struct session_file *file = NULL;
    size_t taxels = (size_t)rows * cols;
    uint16_t *values = malloc(taxels * sizeof(uint16_t));
    assert_non_null(values);
    assert_int_equal(session_file_create(path, &info, &options, &file), 0);
    for (uint64_t n = 0; n < frames; n++) {
        for (size_t x = 0; x < taxels; x++)
            values[x] = value_of(n, x);
        assert_int_equal(
            session_file_append_frame(file, (uint32_t)(n + 100), 20000 * n, (int64_t)n, values), 0);
    }
    free(values);
    if (close_it) {
        assert_int_equal(session_file_close(file, 1), 0);
        return;
    }
    assert_int_equal(session_file_flush(file), 0);
    _exit(0); /* as a crash: nothing closes the file */
}

/* Reads every frame of a rows x cols session and checks values and stamps; returns the frames
 * read. */
static uint64_t read_grid(const char *path, int rows, int cols, uint64_t expected_frames)
{
    struct session_reader *reader = NULL;
    char error[SESSION_READER_ERROR_SIZE] = "";
    int r = session_reader_open(path, &reader, error, sizeof(error));
    if (r != 0)
        fail_msg("open: %s", error);
    const struct session_metadata *m = session_reader_metadata(reader);
    assert_int_equal(m->rows, rows);
    assert_int_equal(m->cols, cols);
    assert_int_equal(m->frames, expected_frames);
    size_t taxels = (size_t)rows * (size_t)cols;
    uint64_t next = 0;
    struct session_block block;
    while ((r = session_reader_next(reader, &block)) > 0) {
        assert_int_equal(block.first_frame, next);
        for (size_t i = 0; i < block.frames; i++, next++) {
            assert_int_equal(block.stamps[i].sequence, next + 100);
            assert_int_equal(block.stamps[i].device_time_us, 20000 * next);
            for (size_t x = 0; x < taxels; x++)
                if (block.values[i * taxels + x] != value_of(next, x))
                    fail_msg("frame %llu taxel %zu: %u, expected %u", (unsigned long long)next, x,
                             block.values[i * taxels + x], value_of(next, x));
        }
    }
    assert_int_equal(r, 0);
    session_reader_close(reader);
    return next;
}

/* read_grid on the small grid. */
static uint64_t read_all(const char *path, uint64_t expected_frames)
{
    return read_grid(path, ROWS, COLS, expected_frames);
}

static void test_daemon_file_raw_chunks(void **state)
{
    (void)state;
    char path[256];
    path_of("daemon.h5", path, sizeof(path));
    write_session(path, ROWS, COLS, 8, 61, true); /* 7 full chunks of 8 and one of 5 */
    struct session_reader *reader = NULL;
    char error[SESSION_READER_ERROR_SIZE];
    assert_int_equal(session_reader_open(path, &reader, error, sizeof(error)), 0);
    const struct session_metadata *m = session_reader_metadata(reader);
    assert_true(m->direct_chunks);
    assert_int_equal(m->frames_per_chunk, 8);
    assert_string_equal(m->end_state, "closed");
    assert_string_equal(m->subject_id, "S9");
    assert_string_equal(m->device_serial, "TEST-1");
    assert_true(m->frame_rate_hz == 50.0);
    assert_true(m->row_pitch_mm == 30.0 && m->col_pitch_mm == 20.0);
    assert_int_equal(m->calibration_points, 3);
    assert_true(m->calibration[3] == 50.0);
    session_reader_close(reader);
    assert_int_equal(read_all(path, 61), 61);
}

/* Writes frames with HDF5's own filters: chunks of chunk frames, shuffle as asked. */
static void write_with_hdf5(const char *path, hsize_t frames, hsize_t chunk, bool shuffle,
                            bool skip_deflate_in_chunk_0)
{
    hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t scalar = H5Screate(H5S_SCALAR);
    hid_t string = H5Tcopy(H5T_C_S1);
    H5Tset_size(string, H5T_VARIABLE);
    const char *schema = "mtable-session";
    hid_t attribute = H5Acreate2(file, "schema", string, scalar, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(attribute, string, &schema);
    H5Aclose(attribute);
    const struct {
        const char *name;
        double value;
    } numbers[] = {{"schema_version", 1},
                   {"device_rows", ROWS},
                   {"device_cols", COLS},
                   {"device_frame_rate_hz", 50}};
    for (size_t i = 0; i < 4; i++) {
        attribute =
            H5Acreate2(file, numbers[i].name, H5T_IEEE_F64LE, scalar, H5P_DEFAULT, H5P_DEFAULT);
        H5Awrite(attribute, H5T_NATIVE_DOUBLE, &numbers[i].value);
        H5Aclose(attribute);
    }
    hsize_t dims[3] = {frames, ROWS, COLS}, chunks[3] = {chunk, ROWS, COLS};
    hid_t creation = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(creation, 3, chunks);
    if (shuffle)
        H5Pset_shuffle(creation);
    H5Pset_deflate(creation, 6);
    hid_t space = H5Screate_simple(3, dims, NULL);
    hid_t dataset =
        H5Dcreate2(file, "frames", H5T_STD_U16LE, space, H5P_DEFAULT, creation, H5P_DEFAULT);
    uint16_t *values = malloc(frames * TAXELS * sizeof(uint16_t));
    uint32_t *sequences = malloc(frames * sizeof(uint32_t));
    uint64_t *times = malloc(frames * sizeof(uint64_t));
    for (hsize_t n = 0; n < frames; n++) {
        sequences[n] = (uint32_t)(n + 100);
        times[n] = 20000 * n;
        for (size_t x = 0; x < TAXELS; x++)
            values[n * TAXELS + x] = value_of(n, x);
    }
    H5Dwrite(dataset, H5T_NATIVE_UINT16, H5S_ALL, H5S_ALL, H5P_DEFAULT, values);
    if (skip_deflate_in_chunk_0) {
        /* Chunk 0 stored shuffled but not deflated: filter mask bit 1 set. */
        size_t bytes = chunk * TAXELS * 2;
        uint8_t *raw = malloc(bytes);
        for (size_t i = 0; i < chunk * TAXELS; i++) {
            raw[i] = (uint8_t)(values[i] & 0xff);
            raw[chunk * TAXELS + i] = (uint8_t)(values[i] >> 8);
        }
        hsize_t offset[3] = {0, 0, 0};
        assert_true(H5Dwrite_chunk(dataset, H5P_DEFAULT, 2, offset, bytes, raw) >= 0);
        free(raw);
    }
    hsize_t length = frames;
    hid_t line = H5Screate_simple(1, &length, NULL);
    hid_t d =
        H5Dcreate2(file, "sequence", H5T_STD_U32LE, line, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(d, H5T_NATIVE_UINT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, sequences);
    H5Dclose(d);
    d = H5Dcreate2(file, "device_time_us", H5T_STD_U64LE, line, H5P_DEFAULT, H5P_DEFAULT,
                   H5P_DEFAULT);
    H5Dwrite(d, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, times);
    H5Dclose(d);
    free(values);
    free(sequences);
    free(times);
    H5Sclose(line);
    H5Sclose(space);
    H5Dclose(dataset);
    H5Pclose(creation);
    H5Tclose(string);
    H5Sclose(scalar);
    H5Fclose(file);
}

static void test_other_layouts_through_hdf5(void **state)
{
    (void)state;
    char path[256];
    struct session_reader *reader = NULL;
    char error[SESSION_READER_ERROR_SIZE];
    /* Deflate without shuffle, chunks of 5: not the daemon's layout. */
    path_of("deflate-only.h5", path, sizeof(path));
    write_with_hdf5(path, 23, 5, false, false);
    assert_int_equal(session_reader_open(path, &reader, error, sizeof(error)), 0);
    assert_false(session_reader_metadata(reader)->direct_chunks);
    assert_string_equal(session_reader_metadata(reader)->end_state, "");
    session_reader_close(reader);
    assert_int_equal(read_all(path, 23), 23);
    /* The daemon's layout, but chunk 0 stored with deflate skipped. */
    path_of("mask.h5", path, sizeof(path));
    write_with_hdf5(path, 20, 8, true, true);
    assert_int_equal(session_reader_open(path, &reader, error, sizeof(error)), 0);
    assert_true(session_reader_metadata(reader)->direct_chunks);
    session_reader_close(reader);
    assert_int_equal(read_all(path, 20), 20);
}

/*
 * Chunks above the raw path's limit go through HDF5 with a chunk cache that
 * holds one: without it, HDF5 inflated the whole 16 MiB chunk again for
 * every block of 32 frames (21.7 s here instead of 0.5 s).
 * Two full chunks and a partial one.
 */
static void test_large_chunks(void **state)
{
    (void)state;
    char path[256];
    path_of("large-chunks.h5", path, sizeof(path));
    uint64_t frames = 2 * LARGE_CHUNK + 100;
    write_session(path, LARGE_ROWS, LARGE_COLS, LARGE_CHUNK, frames, true);
    struct session_reader *reader = NULL;
    char error[SESSION_READER_ERROR_SIZE];
    assert_int_equal(session_reader_open(path, &reader, error, sizeof(error)), 0);
    assert_false(session_reader_metadata(reader)->direct_chunks);
    session_reader_close(reader);
    assert_int_equal(read_grid(path, LARGE_ROWS, LARGE_COLS, frames), frames);
}

static void test_crashed_writer(void **state)
{
    (void)state;
    char path[256];
    path_of("crashed.h5", path, sizeof(path));
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0)
        write_session(path, ROWS, COLS, 8, 13, false);
    int status = 0;
    waitpid(child, &status, 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    /* Everything flushed is there; no end_state. */
    assert_int_equal(read_all(path, 13), 13);
    struct session_reader *reader = NULL;
    char error[SESSION_READER_ERROR_SIZE];
    assert_int_equal(session_reader_open(path, &reader, error, sizeof(error)), 0);
    assert_string_equal(session_reader_metadata(reader)->end_state, "");
    session_reader_close(reader);
}

static void expect_refusal(const char *path, int code, const char *message)
{
    struct session_reader *reader = NULL;
    char error[SESSION_READER_ERROR_SIZE] = "";
    assert_int_equal(session_reader_open(path, &reader, error, sizeof(error)), code);
    assert_null(reader);
    if (strstr(error, message) != error + strlen(path) + 2 || strncmp(error, path, strlen(path)))
        fail_msg("got \"%s\", expected \"%s: %s...\"", error, path, message);
}

static void test_refusals(void **state)
{
    (void)state;
    char path[256];
    path_of("absent.h5", path, sizeof(path));
    expect_refusal(path, -ENOENT, "cannot open the session file: No such file or directory");

    path_of("text.h5", path, sizeof(path));
    FILE *f = fopen(path, "w");
    fputs("hello\n", f);
    fclose(f);
    expect_refusal(path, -ENOEXEC, "not an HDF5 file, so not an mtable session file");

    path_of("foreign.h5", path, sizeof(path));
    hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    H5Fclose(file);
    expect_refusal(path, -EPROTO, "not an mtable session file");

    path_of("future.h5", path, sizeof(path));
    write_session(path, ROWS, COLS, 8, 3, true);
    file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t attribute = H5Aopen(file, "schema_version", H5P_DEFAULT);
    int32_t version = 2;
    H5Awrite(attribute, H5T_NATIVE_INT32, &version);
    H5Aclose(attribute);
    H5Fclose(file);
    expect_refusal(path, -EPROTONOSUPPORT, "session schema version 2 is not known");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_daemon_file_raw_chunks),
        cmocka_unit_test(test_other_layouts_through_hdf5),
        cmocka_unit_test(test_large_chunks),
        cmocka_unit_test(test_crashed_writer),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, scratch_directory_create, scratch_directory_remove);
}
