/*
 * firmware.h - the table's main loop: frame ticks, the matrix scan, frames
 * and command answers on the serial link.
 *
 * The protocol logic is hw/device.c (commands, answers, sequence numbers);
 * the scan is scan.c; the hardware is hal.h. This module decides when each
 * happens:
 *
 *   alarm interrupt --> tick due --> abandon the frame still in hand, begin a scan
 *   main loop:  scan a row (stopping early if a tick is due)
 *               answer waiting + link free --> send
 *               frame scanned + link free --> device_encode_frame, send
 *               no answer waiting --> bytes in --> device_receive --> answer
 *               nothing to do --> sleep until an interrupt
 *
 * Frame timing comes from the alarm alone: tick k of a START is due at
 * exactly start + floor(k * 10^9 / rate_mhz) us (hw/ticker.h), and each scan
 * begins at its tick, however long the previous frame took. A frame still
 * being scanned, or scanned but still waiting for the link, when the next
 * tick comes is skipped (device_skip_frame: it uses up its sequence number,
 * so the host sees a gap) and counted; it is never sent late. The frame's
 * device_time_us is the clock read when its scan begins.
 *
 * A tick that passes while the loop cannot even begin a scan (only a
 * stalled host process does that) begins none and uses no sequence number,
 * since sequence numbers count scans (hw/PROTOCOL.md 3.1); it is counted in
 * ticks_missed, and the host sees it as a jump in device_time_us.
 *
 * Answers wait for the link like frames and go out whole, so they never
 * land inside a frame. An answer waiting for the link goes before a frame:
 * it is short (at most 51 bytes), and so START's ACK always comes before the
 * first frame. While an answer waits, received bytes stay where they are
 * (in the HAL's receive buffer).
 *
 * Memory: everything in struct firmware, plus the caller's buffers for one
 * frame's values and one frame on the wire (about 8.3 KB for 64 x 32).
 */
#ifndef MTABLE_FIRMWARE_H
#define MTABLE_FIRMWARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device.h"
#include "scan.h"
#include "ticker.h"

/* Received bytes taken from the HAL at a time: several commands. */
#define FIRMWARE_INPUT_CHUNK 64

/* What the table is: everything fixed at reset. */
struct firmware_config {
    struct packet_device_info info;   /* grid, pitch, ADC bits, initial rate, version, serial */
    struct device_rate_limits limits; /* rates the table can scan and send at */
    struct scan_settle settle;        /* settle times of the analog front end */
};

/* Counters since reset, for a debugger or the host build's summary. */
struct firmware_stats {
    uint32_t frames_sent;  /* frames handed to the link */
    uint32_t overruns;     /* frames skipped: still being scanned at the next tick */
    uint32_t link_busy;    /* frames skipped: scanned, but the link was busy until the next tick */
    uint32_t ticks_missed; /* ticks that passed before a scan could begin (no sequence number) */
    uint32_t answers;      /* command answers sent */
    uint32_t scan_us_last; /* length of the last complete scan, microseconds */
    uint32_t scan_us_longest; /* longest complete scan since reset */
};

/* Where the frame in hand is. */
enum firmware_frame_state {
    FIRMWARE_NO_FRAME, /* waiting for the next tick */
    FIRMWARE_SCANNING, /* the scan runs */
    FIRMWARE_SCANNED,  /* values complete, waiting for the link */
};

/* One table; set up with firmware_init. Fields are private to firmware.c. */
struct firmware {
    struct device device;                     /* protocol state (hw/device.h) */
    uint8_t rx_buffer[DEVICE_RX_BUFFER_SIZE]; /* device.c's command decoder buffer */
    struct scan scan;                         /* the matrix scan */
    struct ticker ticker;                     /* when frames are due */
    struct firmware_stats stats;              /* counters */
    enum firmware_frame_state frame_state;    /* the frame in hand */
    uint64_t frame_time_us;                   /* clock when its scan began */
    uint8_t *frame;                           /* wire bytes of a frame (caller's) */
    size_t frame_capacity;                    /* size of frame */
    uint8_t answer[DEVICE_ANSWER_MAX];        /* an answer waiting for the link */
    size_t answer_len;                        /* its length; 0 when none waits */
    const uint8_t *in_flight;                 /* buffer the link last took bytes from */
    uint8_t input[FIRMWARE_INPUT_CHUNK];      /* received bytes taken from the HAL */
    size_t input_start, input_end;            /* the part not yet given to device.c */
    bool streaming;                           /* device state last acted on */
    uint32_t rate_mhz;                        /* likewise */
};

/*
 * Sets the table up from config: values holds rows x cols readings,
 * frame frame_capacity bytes (at least the wire size of one frame,
 * PACKET_WIRE_SIZE(PACKET_FRAME_SIZE(rows * cols))). Idle, sequence 0.
 * Returns -EINVAL when device_init refuses config or a buffer is too small.
 */
int firmware_init(struct firmware *firmware, const struct firmware_config *config, uint16_t *values,
                  size_t values_capacity, uint8_t *frame, size_t frame_capacity);

/* Announces the table as at power-up: queues DEVICE_INFO (streaming clear). */
void firmware_power_up(struct firmware *firmware);

/*
 * One turn of the main loop: acts on a due tick, scans up to the end of a
 * row, sends what the link can take, answers a command, and sleeps until
 * an interrupt when nothing is left to do. Call for ever.
 */
void firmware_run_once(struct firmware *firmware);

/* Counters since reset. */
const struct firmware_stats *firmware_stats(const struct firmware *firmware);

#endif
