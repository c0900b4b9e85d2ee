/*
 * decode_ring.c - mtable-decode-ring: the daemon reader's work per frame,
 * the packet decoder and the ring, without the port.
 *
 *   mtable-decode-ring [--frames N] [--passes P] [--piece BYTES] [--copy]
 *
 * N frames of the simulated table (tools/bench/bench_frames.h) are encoded
 * once into one wire buffer, exactly as mtable-sim sends them. Then, timed,
 * the buffer is fed P times, in pieces of BYTES (default: what one read()
 * of a pseudo-terminal returns), through what reader.c does with the bytes
 * it reads: decoder_next, then for each frame ring_reserve, the record
 * header, packet_frame_values into the slot, ring_publish. The writer's
 * side of the ring is taken in the same thread (ring_peek, one value read,
 * ring_release), so the ring cycles through all its slots as in the daemon
 * but no cache line moves between cores.
 *
 * --copy measures the floor instead: the least any reader must do with the
 * same pieces, find the delimiters (memchr) and copy each stuffed run into
 * a ring slot, with no unstuffing, no CRC and no parsing.
 *
 * Prints "F frames in T s: R frames/s (checksum C)". The timed part is the
 * function measure_passes, so
 *
 *   valgrind --tool=callgrind --toggle-collect=measure_passes mtable-decode-ring
 *
 * counts exactly its instructions ("Collected" / F = instructions per frame).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_frames.h"
#include "decoder.h"
#include "log.h"
#include "packet.h"
#include "record.h"
#include "ring.h"

/* Subsystem tag of every message. */
#define SUBSYSTEM "decode-ring"
/* Distinct frames: 16 s of the simulator's routine at 100 frames/s. */
#define DEFAULT_FRAMES 1600
/* Passes over them: 80,000 frames, about a second on one core. */
#define DEFAULT_PASSES 50
/* A pty's line discipline hands over at most 4095 bytes per read(). */
#define DEFAULT_PIECE 4095
/* Frame slots of the ring: the daemon's default --ring-frames. */
#define RING_FRAMES 1024

struct options {
    size_t frames;
    unsigned passes;
    size_t piece;
    bool copy;
};

/* The encoded stream, and the ring and decoder it goes through. */
struct bench {
    uint8_t *wire;
    size_t wire_len;
    struct ring *ring;
    struct decoder decoder;
    uint8_t decoder_buffer[DECODER_MAX_STUFFED];
    size_t run;              /* --copy: bytes of the current run so far */
    struct record *run_slot; /* --copy: the slot it is copied into */
};

static double seconds_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

/* The writer's side: takes the oldest record and reads one value of it. */
static uint64_t consume(struct ring *ring)
{
    struct record *record = ring_peek(ring);
    uint64_t value = record->values[0];
    ring_release(ring);
    return value;
}

/* reader.c's handle_frame, minus the sequence and link bookkeeping. */
static uint64_t record_frame(struct bench *bench, const struct packet_frame *frame)
{
    struct record *slot = ring_reserve(bench->ring);
    slot->kind = RECORD_FRAME;
    slot->body.frame.sequence = frame->sequence;
    slot->body.frame.device_time_us = frame->device_time_us;
    slot->body.frame.host_time_ns = 0;
    packet_frame_values(frame, slot->values);
    ring_publish(bench->ring);
    return consume(bench->ring);
}

/* One piece through the decoder; returns the checksum of the frames it completed. */
static uint64_t decode_piece(struct bench *bench, const uint8_t *piece, size_t len)
{
    const uint8_t *cursor = piece;
    struct packet packet;
    uint64_t checksum = 0;
    int result;
    while ((result = decoder_next(&bench->decoder, &cursor, piece + len, &packet)) != 0)
        if (result > 0 && packet.type == PACKET_FRAME)
            checksum += record_frame(bench, &packet.body.frame);
    return checksum;
}

/* The floor: delimiters found, stuffed runs copied into slots, nothing checked. */
static uint64_t copy_piece(struct bench *bench, const uint8_t *piece, size_t len)
{
    const uint8_t *cursor = piece, *end = piece + len;
    uint64_t checksum = 0;
    while (cursor < end) {
        const uint8_t *delimiter = memchr(cursor, 0, (size_t)(end - cursor));
        size_t part = (size_t)((delimiter != NULL ? delimiter : end) - cursor);
        if (part > 0) {
            if (bench->run_slot == NULL)
                bench->run_slot = ring_reserve(bench->ring);
            memcpy((uint8_t *)bench->run_slot->values + bench->run, cursor, part);
            bench->run += part;
        }
        cursor += part;
        if (delimiter == NULL)
            break;
        cursor++;
        if (bench->run > 0) {
            bench->run_slot->kind = RECORD_FRAME;
            ring_publish(bench->ring);
            checksum += consume(bench->ring);
            bench->run_slot = NULL;
            bench->run = 0;
        }
    }
    return checksum;
}

/* The timed part (callgrind --toggle-collect=measure_passes). */
__attribute__((noinline)) static uint64_t measure_passes(struct bench *bench,
                                                         const struct options *o)
{
    uint64_t checksum = 0;
    for (unsigned pass = 0; pass < o->passes; pass++) {
        for (size_t at = 0; at < bench->wire_len; at += o->piece) {
            size_t len = bench->wire_len - at < o->piece ? bench->wire_len - at : o->piece;
            checksum += o->copy ? copy_piece(bench, bench->wire + at, len)
                                : decode_piece(bench, bench->wire + at, len);
        }
    }
    return checksum;
}

/* Encodes frames 0..count-1 back to back, as the simulator sends them. */
static int encode_stream(struct bench *bench, size_t count)
{
    uint16_t *values = NULL;
    int err = bench_frames_generate(1, count, &values);
    if (err == 0)
        err = bench_frames_encode(values, count, false, &bench->wire, &bench->wire_len);
    free(values);
    return err;
}

static int parse_options(int argc, char **argv, struct options *o)
{
    static const struct option options[] = {
        {"frames", required_argument, NULL, 'n'}, {"passes", required_argument, NULL, 'p'},
        {"piece", required_argument, NULL, 's'},  {"copy", no_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    int option;
    while ((option = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (option) {
        case 'n':
            o->frames = strtoull(optarg, NULL, 10);
            break;
        case 'p':
            o->passes = (unsigned)strtoul(optarg, NULL, 10);
            break;
        case 's':
            o->piece = strtoull(optarg, NULL, 10);
            break;
        case 'c':
            o->copy = true;
            break;
        case 'h':
            printf("usage: mtable-decode-ring [--frames N] [--passes P] [--piece BYTES] "
                   "[--copy]\n");
            return 1;
        default:
            return -EINVAL;
        }
    }
    if (o->frames == 0 || o->passes == 0 || o->piece == 0 || optind != argc) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM,
                    "--frames, --passes and --piece must be positive whole numbers; see --help");
        return -EINVAL;
    }
    return 0;
}

int main(int argc, char **argv)
{
    log_init("mtable-decode-ring", LOG_LEVEL_INFO, false);
    struct options o = {.frames = DEFAULT_FRAMES, .passes = DEFAULT_PASSES, .piece = DEFAULT_PIECE};
    int err = parse_options(argc, argv, &o);
    if (err != 0)
        return err > 0 ? 0 : 2;
    const size_t taxels = (size_t)BENCH_FRAMES_ROWS * BENCH_FRAMES_COLS;
    /* The daemon's slot (reader.c), or room for a whole stuffed run with --copy. */
    const size_t slot_size =
        sizeof(struct record) +
        (o.copy ? COBS_ENCODED_MAX(PACKET_FRAME_SIZE(taxels)) : taxels * sizeof(uint16_t));
    struct bench *bench = calloc(1, sizeof(*bench));
    err = bench != NULL ? encode_stream(bench, o.frames) : -ENOMEM;
    if (err == 0)
        err = ring_create(RING_FRAMES, slot_size, &bench->ring);
    if (err < 0) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "cannot set up %zu frames: %s", o.frames,
                    strerror(-err));
        goto out;
    }
    decoder_init(&bench->decoder, bench->decoder_buffer, sizeof(bench->decoder_buffer));
    double start = seconds_now();
    uint64_t checksum = measure_passes(bench, &o);
    double seconds = seconds_now() - start;
    uint64_t frames = (uint64_t)o.frames * o.passes;
    printf("%" PRIu64 " frames in %.3f s: %.0f frames/s (checksum %" PRIu64 ")\n", frames, seconds,
           (double)frames / seconds, checksum);
out:
    if (bench != NULL) {
        ring_destroy(bench->ring);
        free(bench->wire);
    }
    free(bench);
    return err == 0 ? 0 : 1;
}
