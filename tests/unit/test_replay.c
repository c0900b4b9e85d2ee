/*
 * test_replay.c - a session file written by the acquisition library comes
 * back from replay as it was recorded: the device of its DEVICE_INFO, each
 * frame's sequence number, device time and values, across chunk
 * boundaries, and a time axis computed here by hand (device clock steps;
 * one nominal period where the clock went back at a device reset). Files
 * that are not sessions are refused with a message naming them.
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
#include <hdf5.h>

#include "replay.h"
#include "session_file.h"

enum { ROWS = 3, COLS = 2, TAXELS = ROWS * COLS };

/* The recording: a gap (10, 11 missing), then a device reset (sequence and clock restart). */
static const uint32_t SEQUENCES[] = {7, 8, 9, 12, 13, 0, 1, 2};
static const uint64_t DEVICE_US[] = {1000, 21000, 41000, 101000, 121000, 500, 20500, 40500};
/* Its time axis at 50 frames/s, ms: steps of the device clock, one period (20 ms) at the reset. */
static const uint64_t AXIS_MS[] = {0, 20, 40, 100, 120, 140, 160, 180};
enum { FRAMES = sizeof(SEQUENCES) / sizeof(SEQUENCES[0]) };

static uint16_t value_at(size_t frame, size_t taxel)
{
    return (uint16_t)(frame * 100 + taxel * 7 + 1);
}

static struct packet_device_info recorded_device(void)
{
    struct packet_device_info device = {
        .rows = ROWS,
        .cols = COLS,
        .row_pitch_um = 25400,
        .col_pitch_um = 12500,
        .adc_bits = 10,
        .frame_rate_mhz = 50000,
        .firmware_major = 2,
        .firmware_minor = 3,
        .firmware_patch = 17,
        .serial = "LAB-TABLE-07",
    };
    return device;
}

/* Writes a session of the first `frames` recorded frames, chunks of 3 frames, at path. */
static void write_session(const char *path, size_t frames)
{
    struct session_info info = {
        .session_id = "S01-test",
        .subject_id = "S01",
        .operator_id = "T1",
        .start_time_ns = 1795000000000000000ll,
        .port = "/dev/ttyACM0",
        .device = recorded_device(),
    };
    struct session_file_options options = {.frames_per_chunk = 3};
    struct session_file *file = NULL;
    assert_int_equal(session_file_create(path, &info, &options, &file), 0);
    for (size_t i = 0; i < frames; i++) {
        uint16_t values[TAXELS];
        for (size_t t = 0; t < TAXELS; t++)
            values[t] = value_at(i, t);
        assert_int_equal(session_file_append_frame(file, SEQUENCES[i], DEVICE_US[i],
                                                   1795000000000000000ll + (int64_t)i, values),
                         0);
    }
    assert_int_equal(session_file_close(file, 1795000001000000000ll), 0);
}

static void test_device_and_frames_as_recorded(void **state)
{
    (void)state;
    char path[64];
    snprintf(path, sizeof(path), "%s/session.h5", scratch_directory);
    write_session(path, FRAMES);
    struct replay *replay = NULL;
    char error[REPLAY_ERROR_SIZE];
    assert_int_equal(replay_open(path, &replay, error, sizeof(error)), 0);

    const struct packet_device_info *device = replay_device_info(replay);
    struct packet_device_info expected = recorded_device();
    assert_int_equal(device->rows, expected.rows);
    assert_int_equal(device->cols, expected.cols);
    assert_int_equal(device->row_pitch_um, expected.row_pitch_um);
    assert_int_equal(device->col_pitch_um, expected.col_pitch_um);
    assert_int_equal(device->adc_bits, expected.adc_bits);
    assert_int_equal(device->frame_rate_mhz, expected.frame_rate_mhz);
    assert_int_equal(device->firmware_major, 2);
    assert_int_equal(device->firmware_minor, 3);
    assert_int_equal(device->firmware_patch, 17);
    assert_string_equal(device->serial, "LAB-TABLE-07");
    assert_false(device->streaming);
    assert_int_equal(replay_frames(replay), FRAMES);

    for (size_t i = 0; i < FRAMES; i++) {
        const struct replay_frame *frame = replay_peek(replay);
        assert_non_null(frame);
        assert_int_equal(frame->sequence, SEQUENCES[i]);
        assert_int_equal(frame->device_time_us, DEVICE_US[i]);
        assert_int_equal(frame->time_ns, AXIS_MS[i] * 1000000u);
        for (size_t t = 0; t < TAXELS; t++)
            assert_int_equal(frame->values[t], value_at(i, t));
        assert_int_equal(replay_advance(replay), 0);
    }
    assert_null(replay_peek(replay));
    assert_int_equal(replay_advance(replay), 0);
    replay_close(replay);
}

static void test_session_without_frames(void **state)
{
    (void)state;
    char path[64];
    snprintf(path, sizeof(path), "%s/empty.h5", scratch_directory);
    write_session(path, 0);
    struct replay *replay = NULL;
    char error[REPLAY_ERROR_SIZE];
    assert_int_equal(replay_open(path, &replay, error, sizeof(error)), 0);
    assert_int_equal(replay_frames(replay), 0);
    assert_null(replay_peek(replay));
    assert_int_equal(replay_device_info(replay)->rows, ROWS);
    replay_close(replay);
}

static void test_files_that_are_not_sessions_are_named(void **state)
{
    (void)state;
    char text[64], foreign[64], missing[64];
    snprintf(text, sizeof(text), "%s/notes.txt", scratch_directory);
    snprintf(foreign, sizeof(foreign), "%s/foreign.h5", scratch_directory);
    snprintf(missing, sizeof(missing), "%s/missing.h5", scratch_directory);
    FILE *file = fopen(text, "w");
    assert_non_null(file);
    fputs("not a session\n", file);
    fclose(file);
    hid_t h5 = H5Fcreate(foreign, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(h5 >= 0);
    H5Fclose(h5);
    const char *paths[] = {text, foreign, missing};
    static const struct {
        int code;
        const char *cause;
    } cases[] = {
        {-ENOEXEC, "not an HDF5 file"},
        {-EPROTO, "not an mtable session file"},
        {-ENOENT, "No such file"},
    };
    for (size_t i = 0; i < 3; i++) {
        struct replay *replay = NULL;
        char error[REPLAY_ERROR_SIZE] = "";
        assert_int_equal(replay_open(paths[i], &replay, error, sizeof(error)), cases[i].code);
        assert_null(replay);
        assert_non_null(strstr(error, paths[i]));
        assert_non_null(strstr(error, cases[i].cause));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_device_and_frames_as_recorded),
        cmocka_unit_test(test_session_without_frames),
        cmocka_unit_test(test_files_that_are_not_sessions_are_named),
    };
    return cmocka_run_group_tests(tests, scratch_directory_create, scratch_directory_remove);
}
