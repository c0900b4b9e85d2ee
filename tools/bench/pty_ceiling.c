/*
 * pty_ceiling.c - mtable-pty-ceiling: the pseudo-terminal's own ceiling, a
 * bare raw-mode read loop that takes frames off a port as fast as the
 * kernel hands them over, and does nothing else with them.
 *
 *   mtable-pty-ceiling --frames N PORT
 *
 * The port is opened exactly as the daemon opens it (acquisition/serial.h:
 * raw termios, non-blocking), START is sent as the daemon sends it, and
 * then the loop is the daemon reader's I/O without the decoding: poll(),
 * read() of up to 64 KiB, memchr() over the bytes to find the delimiters.
 * A run between delimiters longer than any packet but a frame counts as a
 * frame (grids of more than 12 taxels); no byte is unstuffed or checked. It stops after N frames
 * and prints their rate, first to last:
 *
 *   N frames (B bytes, K reads) in T s: R frames/s, M MB/s
 *
 * With the same writer on the other side (mtable-sim), this is the most any
 * reader of that pty could take: tools/bench/run puts the daemon next to it.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "packet.h"
#include "serial.h"

/* Subsystem tag of every message. */
#define SUBSYSTEM "pty-ceiling"
/* Bytes asked for per read(): the daemon reader's READ_BUFFER_SIZE. */
#define READ_SIZE 65536
/* Baud rate handed to the port; ptys ignore it (the daemon's default). */
#define BAUD 6000000
/*
 * Runs longer than this are frames: DEVICE_INFO, the longest packet of any
 * other type, stuffs to 49 bytes, and a frame of more than 12 taxels to more.
 */
#define FRAME_RUN_MIN                                                                              \
    COBS_ENCODED_MAX(PACKET_HEADER_SIZE + PACKET_DEVICE_INFO_SIZE + PACKET_CRC_SIZE)
/* Give up when the writer has sent nothing for this long. */
#define IDLE_TIMEOUT_MS 5000
/* Time allowed for the port to take the START command. */
#define COMMAND_TIMEOUT_MS 500

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* Frames found so far, and when the first and the last of them ended. */
struct tally {
    uint64_t frames;
    uint64_t bytes;
    uint64_t reads;
    size_t run; /* bytes since the last delimiter */
    uint64_t first_ns, last_ns;
};

/* Counts the frames that end in bytes[0..len). */
static void count_frames(struct tally *tally, const uint8_t *bytes, size_t len, uint64_t when_ns)
{
    const uint8_t *cursor = bytes, *end = bytes + len;
    tally->bytes += len;
    tally->reads++;
    while (cursor < end) {
        const uint8_t *delimiter = memchr(cursor, 0, (size_t)(end - cursor));
        if (delimiter == NULL) {
            tally->run += (size_t)(end - cursor);
            return;
        }
        tally->run += (size_t)(delimiter - cursor);
        if (tally->run > FRAME_RUN_MIN) {
            if (tally->frames++ == 0)
                tally->first_ns = when_ns;
            tally->last_ns = when_ns;
        }
        tally->run = 0;
        cursor = delimiter + 1;
    }
}

static int drain(const char *name, uint64_t frames)
{
    char error[SERIAL_ERROR_MAX];
    struct serial_port *port = NULL;
    uint8_t *buffer = malloc(READ_SIZE);
    struct tally tally = {0};
    int result = buffer != NULL ? serial_open(name, BAUD, &port, error, sizeof(error)) : -ENOMEM;
    if (result < 0) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "cannot open %s: %s", name,
                    buffer != NULL ? error : "out of memory");
        goto out;
    }
    uint8_t start[PACKET_WIRE_SIZE(PACKET_HEADER_SIZE + PACKET_CRC_SIZE)];
    size_t len = packet_encode_command(PACKET_START, start, sizeof(start));
    result = serial_write(port, start, len, COMMAND_TIMEOUT_MS);
    if (result < 0) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "%s: cannot send START: %s", name,
                    strerror(-result));
        goto out;
    }
    while (tally.frames < frames) {
        struct pollfd pfd = {.fd = serial_fd(port), .events = POLLIN};
        int ready = poll(&pfd, 1, IDLE_TIMEOUT_MS);
        if (ready == 0) {
            log_message(LOG_LEVEL_ERROR, SUBSYSTEM,
                        "%s: nothing for %d ms after %" PRIu64 " of %" PRIu64
                        " frames; is the writer running with --frames %" PRIu64 " or more?",
                        name, IDLE_TIMEOUT_MS, tally.frames, frames, frames);
            result = -ETIMEDOUT;
            goto out;
        }
        ssize_t n = ready > 0 ? serial_read(port, buffer, READ_SIZE) : 0;
        if (ready < 0 || n < 0 || (n == 0 && (pfd.revents & POLLHUP) != 0)) {
            result = ready < 0 ? -errno : n < 0 ? (int)n : -EPIPE;
            log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "%s: reading failed: %s", name,
                        strerror(-result));
            goto out;
        }
        count_frames(&tally, buffer, (size_t)n, now_ns());
    }
    double seconds = (double)(tally.last_ns - tally.first_ns) * 1e-9;
    printf("%" PRIu64 " frames (%" PRIu64 " bytes, %" PRIu64
           " reads) in %.3f s: %.0f frames/s, %.1f MB/s\n",
           tally.frames, tally.bytes, tally.reads, seconds,
           seconds > 0 ? (double)(tally.frames - 1) / seconds : 0.0,
           seconds > 0 ? (double)tally.bytes / seconds * 1e-6 : 0.0);
out:
    if (port != NULL)
        serial_close(port);
    free(buffer);
    return result;
}

int main(int argc, char **argv)
{
    log_init("mtable-pty-ceiling", LOG_LEVEL_INFO, false);
    static const struct option options[] = {
        {"frames", required_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    uint64_t frames = 0;
    int option;
    while ((option = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        if (option == 'n') {
            frames = strtoull(optarg, NULL, 10);
        } else {
            fprintf(option == 'h' ? stdout : stderr, "usage: mtable-pty-ceiling --frames N PORT\n");
            return option == 'h' ? 0 : 2;
        }
    }
    if (frames < 2 || argc - optind != 1) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM,
                    "give --frames N (at least 2) and one PORT; see --help");
        return 2;
    }
    return drain(argv[optind], frames) == 0 ? 0 : 1;
}
