/*
 * bench_frames.c - the simulated table's frames, made up front, and encoded.
 */
#include "bench_frames.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "frame_source.h"
#include "packet.h"

/* The simulator's defaults (tools/sim/options.c): pitch in micrometres, serial number. */
#define SIM_ROW_PITCH_UM 30000
#define SIM_COL_PITCH_UM 21875
#define SIM_SERIAL       "MT-SIM-0001"

uint64_t bench_frames_time_ns(uint64_t n)
{
    return (uint64_t)llround((double)n * 1e9 / BENCH_FRAMES_RATE_HZ);
}

int bench_frames_generate(uint64_t seed, size_t count, uint16_t **out)
{
    const size_t taxels = (size_t)BENCH_FRAMES_ROWS * BENCH_FRAMES_COLS;
    if (count == 0 || count > SIZE_MAX / taxels / sizeof(uint16_t))
        return -EINVAL;
    struct frame_source source;
    uint16_t *values = malloc(count * taxels * sizeof(uint16_t));
    int err = values != NULL ? frame_source_init(&source, BENCH_FRAMES_ROWS, BENCH_FRAMES_COLS,
                                                 BENCH_FRAMES_ADC_BITS, seed)
                             : -ENOMEM;
    if (err < 0) {
        free(values);
        return err;
    }
    for (size_t n = 0; n < count; n++) {
        struct routine_contact contacts[ROUTINE_MAX_CONTACTS];
        frame_source_generate(&source, (uint32_t)n, bench_frames_time_ns(n), values + n * taxels,
                              contacts);
    }
    frame_source_fini(&source);
    *out = values;
    return 0;
}

int bench_frames_encode(const uint16_t *values, size_t count, bool handshake, uint8_t **out,
                        size_t *length)
{
    const size_t taxels = (size_t)BENCH_FRAMES_ROWS * BENCH_FRAMES_COLS;
    const size_t frame_wire = PACKET_WIRE_SIZE(PACKET_FRAME_SIZE(taxels));
    const size_t handshake_wire =
        PACKET_WIRE_SIZE(PACKET_HEADER_SIZE + PACKET_DEVICE_INFO_SIZE + PACKET_CRC_SIZE) +
        PACKET_WIRE_SIZE(PACKET_HEADER_SIZE + 2 + PACKET_CRC_SIZE);
    if (count > (SIZE_MAX - handshake_wire) / frame_wire)
        return -EINVAL;
    uint8_t *wire = malloc(count * frame_wire + handshake_wire);
    if (wire == NULL)
        return -ENOMEM;
    size_t used = 0;
    if (handshake) {
        struct packet_device_info info = {.rows = BENCH_FRAMES_ROWS,
                                          .cols = BENCH_FRAMES_COLS,
                                          .row_pitch_um = SIM_ROW_PITCH_UM,
                                          .col_pitch_um = SIM_COL_PITCH_UM,
                                          .adc_bits = BENCH_FRAMES_ADC_BITS,
                                          .streaming = false,
                                          .frame_rate_mhz = (uint32_t)(BENCH_FRAMES_RATE_HZ * 1000),
                                          .serial = SIM_SERIAL};
        used += packet_encode_device_info(&info, wire, handshake_wire);
        used += packet_encode_ack(PACKET_START, PACKET_ACK_OK, wire + used, handshake_wire - used);
    }
    for (size_t n = 0; n < count; n++)
        used +=
            packet_encode_frame((uint32_t)n, bench_frames_time_ns(n) / 1000, BENCH_FRAMES_ROWS,
                                BENCH_FRAMES_COLS, values + n * taxels, wire + used, frame_wire);
    *out = wire;
    *length = used;
    return 0;
}
