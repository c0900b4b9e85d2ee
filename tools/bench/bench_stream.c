/*
 * bench_stream.c - mtable-bench-stream: the bytes mtable-sim sends for N
 * frames, saved to a file, for mtable-sim --replay-raw.
 *
 *   mtable-bench-stream --frames N FILE
 *
 * FILE gets what a host reads from the simulated table from the moment it
 * opens the port: DEVICE_INFO, the ACK of START, then frames 0..N-1 of the
 * simulator's default session (tools/bench/bench_frames.h), as an
 * mtable-acqd --capture would hold them. Played back with --replay-raw,
 * the simulator only copies bytes into the pty, as fast as the host takes
 * them or at --raw-rate, so the ingest benchmarks measure the readers and
 * the pty rather than the frame models (tools/bench/README.md).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_frames.h"
#include "log.h"

/* Subsystem tag of every message. */
#define SUBSYSTEM "bench-stream"

/* Writes len bytes to a new file at path. */
static int save(const char *path, const uint8_t *bytes, size_t len)
{
    FILE *out = fopen(path, "wbx");
    if (out == NULL)
        return -errno;
    size_t written = fwrite(bytes, 1, len, out);
    return fclose(out) != 0 || written != len ? -EIO : 0;
}

int main(int argc, char **argv)
{
    log_init("mtable-bench-stream", LOG_LEVEL_INFO, false);
    static const struct option options[] = {
        {"frames", required_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    size_t frames = 0;
    int option;
    while ((option = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        if (option == 'n') {
            frames = strtoull(optarg, NULL, 10);
        } else {
            fprintf(option == 'h' ? stdout : stderr,
                    "usage: mtable-bench-stream --frames N FILE\n");
            return option == 'h' ? 0 : 2;
        }
    }
    if (frames == 0 || argc - optind != 1) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM,
                    "give a positive --frames and one FILE; see --help");
        return 2;
    }
    const char *path = argv[optind];
    uint16_t *values = NULL;
    uint8_t *wire = NULL;
    size_t len = 0;
    int err = bench_frames_generate(1, frames, &values);
    if (err == 0)
        err = bench_frames_encode(values, frames, true, &wire, &len);
    if (err == 0 && (err = save(path, wire, len)) < 0)
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "cannot write %s: %s (it must not exist yet)", path,
                    strerror(-err));
    else if (err < 0)
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "cannot make %zu frames: %s", frames,
                    strerror(-err));
    free(values);
    free(wire);
    return err == 0 ? 0 : 1;
}
