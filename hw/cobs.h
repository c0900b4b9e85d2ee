/*
 * cobs.h - Consistent Overhead Byte Stuffing (Cheshire & Baker, 1999).
 *
 * COBS rewrites a packet so that it contains no 0x00 byte; 0x00 then marks
 * packet boundaries on the wire, and a receiver that starts in the middle of
 * garbage is back in step at the next 0x00. Encoded form: a sequence of
 * blocks, each a code byte c (1..255) followed by c-1 non-zero data bytes;
 * a block with c < 255 stands for its data bytes followed by one 0x00 (the
 * last block's implied 0x00 is dropped). Overhead is at most one byte per
 * 254 bytes, plus one.
 */
#ifndef MTABLE_COBS_H
#define MTABLE_COBS_H

#include <stddef.h>
#include <stdint.h>

/* Largest encoded size of an n-byte input. */
#define COBS_ENCODED_MAX(n) ((n) + (n) / 254 + 1)

/*
 * Encodes len bytes of in into out (capacity bytes). Returns the encoded
 * length, or 0 if out is too small. in may lie inside out at an offset of at
 * least COBS_ENCODED_MAX(len) - len bytes (in-place encoding).
 */
size_t cobs_encode(const uint8_t *in, size_t len, uint8_t *out, size_t capacity);

/*
 * Decodes len encoded bytes (no 0x00 delimiter) into out (capacity bytes).
 * Returns the decoded length, or -1 if the input is not valid COBS (a zero
 * byte, a code running past the end) or out is too small. out may equal in.
 */
long cobs_decode(const uint8_t *in, size_t len, uint8_t *out, size_t capacity);

#endif
