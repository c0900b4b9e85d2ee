/*
 * cobs.c - COBS encoder and decoder over caller-owned buffers.
 *
 * Both directions walk forward only, which is what makes in-place use safe:
 * the encoder's write position never passes its read position when the
 * input sits far enough inside the output, and the decoder's output is never
 * longer than what it has read.
 *
 * The decoder does not copy block by block. The decoded packet is the
 * encoded one moved one byte to the left, with every code byte after the
 * first turned into the zero it stands for (or removed, after a full block
 * of 254 non-zero bytes, which implies no zero):
 *
 *   encoded   03  11  22  02  33  01          (code bytes at 0, 3, 5)
 *   moved         11  22  02  33  01
 *   decoded       11  22  00  33  00          (codes at 3 and 5 -> zeros)
 *
 * So one memmove and a walk along the chain of codes replace a loop over
 * every byte: frames, half of whose bytes are zeros (the high bytes of
 * small readings), have a block every two bytes or so. Full blocks, which
 * only zero-free data has, cost a move of the rest each.
 */
#include "cobs.h"

#include <string.h>

/* Code of a block of 254 non-zero bytes, which stands for no zero after them. */
#define COBS_FULL_BLOCK 0xFF

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
        if (byte == 0 || code == COBS_FULL_BLOCK) {
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

/* Block by block, for an output buffer smaller than the input (exact capacity checks). */
static long decode_blocks(const uint8_t *in, size_t len, uint8_t *out, size_t capacity)
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
        if (code != COBS_FULL_BLOCK && read < len) {
            if (write >= capacity)
                return -1;
            out[write++] = 0;
        }
    }
    return (long)write;
}

long cobs_decode(const uint8_t *in, size_t len, uint8_t *out, size_t capacity)
{
    if (len == 0)
        return 0;
    /* Valid COBS holds no zero byte at all, neither code nor data. */
    if (memchr(in, 0, len) != NULL)
        return -1;
    if (len - 1 > capacity)
        return decode_blocks(in, len, out, capacity); /* may still fit: full blocks */
    uint8_t code = in[0];
    memmove(out, in + 1, len - 1);
    size_t end = len - 1;      /* end of the data in out */
    size_t code_at = code - 1; /* next code byte, in out */
    for (;;) {
        /* After a full block no zero is implied: the code byte goes, the rest moves up. */
        while (code == COBS_FULL_BLOCK && code_at < end) {
            code = out[code_at];
            memmove(out + code_at, out + code_at + 1, end - code_at - 1);
            end--;
            code_at += code - 1u;
        }
        if (code_at >= end)
            break;
        code = out[code_at];
        out[code_at] = 0;
        code_at += code;
    }
    if (code_at != end)
        return -1; /* the last block runs past the end */
    return (long)end;
}
