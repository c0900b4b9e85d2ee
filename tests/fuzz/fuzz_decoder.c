/*
 * fuzz_decoder.c - the stream decoder on arbitrary bytes in arbitrary pieces.
 *
 * The first input byte sets the piece size, the rest is the stream. Beyond
 * "no crash, no sanitizer report", every packet handed out must be one the
 * protocol allows, and a frame must survive encode -> decode unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decoder.h"

static void check_packet(const struct packet *p)
{
    if (p->type != PACKET_FRAME)
        return;
    const struct packet_frame *f = &p->body.frame;
    if (!packet_grid_valid(f->rows, f->cols))
        abort();
    static uint16_t values[PACKET_MAX_TAXELS];
    static uint8_t wire[PACKET_MAX_WIRE_SIZE];
    static uint8_t buffer[DECODER_MAX_STUFFED];
    packet_frame_values(f, values);
    size_t n = packet_encode_frame(f->sequence, f->device_time_us, f->rows, f->cols, values, wire,
                                   sizeof(wire));
    uint32_t sequence = f->sequence;
    struct decoder again;
    decoder_init(&again, buffer, sizeof(buffer));
    const uint8_t *cursor = wire;
    struct packet q;
    if (n == 0 || decoder_next(&again, &cursor, wire + n, &q) != 1 || q.type != PACKET_FRAME ||
        q.body.frame.sequence != sequence)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t piece = (size_t)data[0] + 1;
    data++;
    size--;
    static uint8_t buffer[DECODER_MAX_STUFFED];
    struct decoder decoder;
    decoder_init(&decoder, buffer, sizeof(buffer));
    for (size_t at = 0; at < size; at += piece) {
        const uint8_t *cursor = data + at;
        const uint8_t *end = data + (at + piece < size ? at + piece : size);
        struct packet p;
        int r;
        while ((r = decoder_next(&decoder, &cursor, end, &p)) != 0) {
            if (r < 0 && (r < -PACKET_ERROR_KINDS || decoder.rejected_bytes == 0))
                abort();
            if (r > 0)
                check_packet(&p);
        }
    }
    return 0;
}
