/*
 * cobs.c - COBS encoder and decoder over caller-owned buffers.
 *
 * Both directions walk forward only, which is what makes in-place use safe:
 * the encoder's write position never passes its read position when the
 * input sits far enough inside the output, and the decoder's output is never
 * longer than what it has read.
 */
#include "cobs.h"

size_t cobs_encode(const uint8_t *in, size_t len, uint8_t *out, size_t capacity)
{
    if (capacity < COBS_ENCODED_MAX(len))
        return 0;
    size_t code_at = 0; /* where the current block's code byte goes */
    size_t write = 1;
    uint8_t code = 1;
    for (size_t read = 0; read < len; read++) {
        uint8_t byte = in[read];
        if (byte != 0) {
            out[write++] = byte;
            code++;
        }
        if (byte == 0 || code == 0xFF) {
            out[code_at] = code;
            code_at = write++;
            code = 1;
            /* A full block at the very end needs no empty block after it. */
            if (byte != 0 && read + 1 == len)
                return code_at;
        }
    }
    out[code_at] = code;
    return write;
}

long cobs_decode(const uint8_t *in, size_t len, uint8_t *out, size_t capacity)
{
    size_t read = 0;
    size_t write = 0;
    while (read < len) {
        uint8_t code = in[read++];
        if (code == 0 || read + (size_t)(code - 1) > len)
            return -1;
        if (write + (size_t)(code - 1) > capacity)
            return -1;
        for (uint8_t i = 1; i < code; i++) {
            uint8_t byte = in[read++];
            if (byte == 0)
                return -1;
            out[write++] = byte;
        }
        if (code != 0xFF && read < len) {
            if (write >= capacity)
                return -1;
            out[write++] = 0;
        }
    }
    return (long)write;
}
