/*
 * benchmark.c - mtable-sim-benchmark: how many frames per second one core
 * can generate and encode, the simulator's ceiling before the pty.
 *
 *   mtable-sim-benchmark [FRAMES [ROWS COLS]]     (default 100000, 64 x 32)
 *
 * Runs exactly what mtable-sim does per frame (frame_source_generate, then
 * device_encode_frame), on consecutive frames at 100 frames/s of model time,
 * with no I/O, and prints the rate and the time per frame of each half.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "device.h"
#include "frame_source.h"
#include "log.h"

/* Model time between frames: the default 100 frames/s. */
#define FRAME_NS 10000000ull

static double seconds_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

static unsigned long parse_argument(const char *text, unsigned long min, unsigned long max)
{
    char *end = NULL;
    unsigned long value = strtoul(text, &end, 10);
    if (*end != '\0' || value < min || value > max) {
        log_message(LOG_LEVEL_ERROR, "options", "'%s' is not a whole number from %lu to %lu", text,
                    min, max);
        exit(2);
    }
    return value;
}

int main(int argc, char **argv)
{
    log_init("mtable-sim-benchmark", LOG_LEVEL_INFO, false);
    if (argc != 1 && argc != 2 && argc != 4) {
        log_message(LOG_LEVEL_ERROR, "options", "usage: mtable-sim-benchmark [FRAMES [ROWS COLS]]");
        return 2;
    }
    uint32_t frames = argc > 1 ? (uint32_t)parse_argument(argv[1], 1, UINT32_MAX) : 100000;
    unsigned rows = argc > 3 ? (unsigned)parse_argument(argv[2], 10, PACKET_MAX_SIDE) : 64;
    unsigned cols = argc > 3 ? (unsigned)parse_argument(argv[3], 3, PACKET_MAX_SIDE) : 32;
    int status = EXIT_FAILURE;
    struct frame_source source = {0};
    uint16_t *values = malloc((size_t)rows * cols * sizeof(*values));
    uint8_t *wire = malloc(PACKET_WIRE_SIZE(PACKET_FRAME_SIZE((size_t)rows * cols)));
    struct packet_device_info info = {
        .rows = (uint16_t)rows, .cols = (uint16_t)cols, .adc_bits = 12, .frame_rate_mhz = 100000};
    struct device_rate_limits limits = {1, 1000000000};
    uint8_t rx_buffer[DEVICE_RX_BUFFER_SIZE];
    struct device device;
    if (values == NULL || wire == NULL || !packet_grid_valid(rows, cols) ||
        frame_source_init(&source, rows, cols, 12, 1) < 0 ||
        device_init(&device, &info, &limits, rx_buffer, sizeof(rx_buffer)) < 0) {
        log_message(LOG_LEVEL_ERROR, "benchmark", "%u x %u: cannot set up (grid or memory)", rows,
                    cols);
        goto out;
    }
    double generating = 0, start = seconds_now();
    for (uint32_t n = 0; n < frames; n++) {
        struct routine_contact contacts[ROUTINE_MAX_CONTACTS];
        double before = seconds_now();
        frame_source_generate(&source, n, n * FRAME_NS, values, contacts);
        generating += seconds_now() - before;
        size_t len = 0;
        device_encode_frame(&device, n * FRAME_NS / 1000, values, wire,
                            device_frame_wire_size(&device), &len);
    }
    double total = seconds_now() - start;
    printf("%" PRIu32 " frames of %u x %u in %.3f s: %.0f frames/s on one core "
           "(generate %.1f us + encode %.1f us per frame)\n",
           frames, rows, cols, total, frames / total, generating / frames * 1e6,
           (total - generating) / frames * 1e6);
    status = EXIT_SUCCESS;
out:
    frame_source_fini(&source);
    free(values);
    free(wire);
    return status;
}
