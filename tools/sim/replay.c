/*
 * replay.c - a session file's device and frames, through session_reader.
 *
 * The reader hands out blocks of consecutive frames (one chunk of /frames
 * each); the replay walks one block at a time and keeps the stamp of the
 * frame it leaves, so the step to the next frame is known even when that
 * frame starts a new block.
 */
#include "replay.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame_time.h"
#include "session_reader.h"

struct replay {
    struct session_reader *reader;
    struct packet_device_info info;
    uint64_t frames;
    size_t taxels;
    double period_s;            /* nominal period, for steps where the clock went back */
    struct session_block block; /* the block being walked */
    size_t index;               /* the next frame's place in it */
    bool more;                  /* current holds the next frame */
    struct replay_frame current;
    char error[REPLAY_ERROR_SIZE];
};

/* Makes current the frame at index of the block, at time_ns on the axis. */
static void take_current(struct replay *r, uint64_t time_ns)
{
    const struct frame_stamp *stamp = &r->block.stamps[r->index];
    r->current = (struct replay_frame){
        .sequence = stamp->sequence,
        .device_time_us = stamp->device_time_us,
        .values = r->block.values + r->index * r->taxels,
        .time_ns = time_ns,
    };
}

/* "a.b.c" into the firmware fields; false if it is not three numbers in range. */
static bool parse_firmware(const char *text, struct packet_device_info *info)
{
    unsigned major, minor, patch;
    char extra;
    if (sscanf(text, "%u.%u.%u%c", &major, &minor, &patch, &extra) != 3 || major > UINT8_MAX ||
        minor > UINT8_MAX || patch > UINT16_MAX)
        return false;
    info->firmware_major = (uint8_t)major;
    info->firmware_minor = (uint8_t)minor;
    info->firmware_patch = (uint16_t)patch;
    return true;
}

static bool serial_valid(const char *serial)
{
    size_t length = strlen(serial);
    for (size_t i = 0; i < length; i++) {
        if (serial[i] < 0x20 || serial[i] > 0x7E)
            return false;
    }
    return length <= PACKET_SERIAL_SIZE;
}

/* Micrometres from millimetres, if they fit DEVICE_INFO's u32. */
static bool pitch_um(double mm, uint32_t *um)
{
    double rounded = round(mm * 1000.0);
    if (!(rounded >= 0.0 && rounded <= (double)UINT32_MAX))
        return false;
    *um = (uint32_t)rounded;
    return true;
}

/* The DEVICE_INFO of the recorded device; writes "PATH: what is wrong" on failure. */
static int read_device(const char *path, const struct session_metadata *m,
                       struct packet_device_info *info, char *error, size_t error_size)
{
    memset(info, 0, sizeof(*info));
    double rate_mhz = round(m->frame_rate_hz * 1000.0);
    if (!packet_grid_valid((unsigned)m->rows, (unsigned)m->cols)) {
        snprintf(error, error_size,
                 "%s: a grid of %d x %d taxels, more than the wire protocol carries "
                 "(hw/PROTOCOL.md section 4)",
                 path, m->rows, m->cols);
        return -EPROTO;
    }
    if (m->adc_bits < 1 || m->adc_bits > 16) {
        snprintf(error, error_size, "%s: device_adc_bits is %d, not 1 to 16 (or missing)", path,
                 m->adc_bits);
        return -EPROTO;
    }
    if (!(rate_mhz >= 1.0 && rate_mhz <= (double)UINT32_MAX)) {
        snprintf(error, error_size,
                 "%s: device_frame_rate_hz %g is not a rate DEVICE_INFO can state "
                 "(0.001 to 4294967 frames/s)",
                 path, m->frame_rate_hz);
        return -EPROTO;
    }
    if (!pitch_um(m->row_pitch_mm, &info->row_pitch_um) ||
        !pitch_um(m->col_pitch_mm, &info->col_pitch_um)) {
        snprintf(error, error_size, "%s: the taxel pitch %g x %g mm does not fit DEVICE_INFO", path,
                 m->row_pitch_mm, m->col_pitch_mm);
        return -EPROTO;
    }
    if (!parse_firmware(m->firmware_version, info)) {
        snprintf(error, error_size,
                 "%s: device_firmware_version '%s' is not major.minor.patch (e.g. 1.0.0)", path,
                 m->firmware_version);
        return -EPROTO;
    }
    if (!serial_valid(m->device_serial)) {
        snprintf(error, error_size,
                 "%s: device_serial '%s' is not at most %d printable ASCII characters", path,
                 m->device_serial, PACKET_SERIAL_SIZE);
        return -EPROTO;
    }
    info->rows = (uint16_t)m->rows;
    info->cols = (uint16_t)m->cols;
    info->adc_bits = (uint8_t)m->adc_bits;
    info->frame_rate_mhz = (uint32_t)rate_mhz;
    memcpy(info->serial, m->device_serial, strlen(m->device_serial) + 1);
    return 0;
}

int replay_open(const char *path, struct replay **out, char *error, size_t error_size)
{
    int err = 0;
    struct replay *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        snprintf(error, error_size, "%s: out of memory", path);
        return -ENOMEM;
    }
    err = session_reader_open(path, &r->reader, error, error_size);
    if (err < 0)
        goto out;
    const struct session_metadata *m = session_reader_metadata(r->reader);
    err = read_device(path, m, &r->info, error, error_size);
    if (err < 0)
        goto out;
    r->frames = m->frames;
    r->taxels = (size_t)m->rows * (size_t)m->cols;
    r->period_s = 1.0 / m->frame_rate_hz;
    err = session_reader_next(r->reader, &r->block);
    if (err < 0) {
        snprintf(error, error_size, "%s", session_reader_error(r->reader));
        goto out;
    }
    r->more = err == 1 && r->block.frames > 0;
    err = 0;
    if (r->more)
        take_current(r, 0);
    *out = r;
out:
    if (err < 0)
        replay_close(r);
    return err;
}

const struct packet_device_info *replay_device_info(const struct replay *replay)
{
    return &replay->info;
}

uint64_t replay_frames(const struct replay *replay)
{
    return replay->frames;
}

const struct replay_frame *replay_peek(const struct replay *replay)
{
    return replay->more ? &replay->current : NULL;
}

int replay_advance(struct replay *r)
{
    if (!r->more)
        return 0;
    struct frame_stamp left = r->block.stamps[r->index];
    uint64_t left_ns = r->current.time_ns;
    r->index++;
    if (r->index == r->block.frames) {
        int result = session_reader_next(r->reader, &r->block);
        if (result < 0)
            snprintf(r->error, sizeof(r->error), "%s", session_reader_error(r->reader));
        if (result <= 0 || r->block.frames == 0) {
            r->more = false;
            return result < 0 ? result : 0;
        }
        r->index = 0;
    }
    double step_s = frame_time_step(&left, &r->block.stamps[r->index], r->period_s);
    take_current(r, left_ns + (uint64_t)llround(step_s * 1e9));
    return 0;
}

const char *replay_error(const struct replay *replay)
{
    return replay->error;
}

void replay_close(struct replay *replay)
{
    if (replay == NULL)
        return;
    if (replay->reader != NULL)
        session_reader_close(replay->reader);
    free(replay);
}
