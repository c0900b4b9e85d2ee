/*
 * decoder.h - finds packets in a byte stream and resynchronises after garbage.
 *
 * Bytes arrive in arbitrary pieces. The decoder collects stuffed bytes up to
 * each 0x00 delimiter, then unstuffs and checks them as one packet. Whatever
 * was between two delimiters either is a packet or is rejected as a whole,
 * so after any damage the decoder is back in step at the next delimiter.
 * Empty packets (two delimiters in a row) are idle filler and ignored.
 * The caller provides the buffer: DECODER_MAX_STUFFED bytes to accept any
 * packet (the host), or less to accept only short ones (a device receiving
 * commands); longer runs are rejected as oversize. No allocation, no I/O.
 */
#ifndef MTABLE_DECODER_H
#define MTABLE_DECODER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packet.h"

/* Longest run of stuffed bytes between delimiters that can be a packet. */
#define DECODER_MAX_STUFFED COBS_ENCODED_MAX(PACKET_MAX_SIZE)

/* Stream decoder state; initialise with decoder_init. */
struct decoder {
    uint8_t *buffer;       /* stuffed bytes, unstuffed in place */
    size_t capacity;       /* size of buffer: the longest run accepted */
    size_t length;         /* stuffed bytes held for the current packet */
    bool skipping;         /* discarding an oversize run up to the next delimiter */
    size_t skipped;        /* bytes of that run so far */
    size_t rejected_bytes; /* bytes of the packet most recently rejected */
    uint8_t rejected_type; /* type byte of the last packet rejected as PACKET_ERROR_TYPE: */
                           /* it arrived intact, only its type is unknown */
};

/* Starts a decoder on buffer (capacity bytes), waiting for a packet. */
void decoder_init(struct decoder *decoder, uint8_t *buffer, size_t capacity);

/*
 * Consumes bytes from *cursor (advanced past what was used) up to end and
 * stops at the first complete packet. Returns 1 when *out holds a packet (a
 * frame's values point into the decoder, valid until the next call), 0 when
 * the input is used up, or a negative enum packet_error when a packet was
 * rejected; then decoder->rejected_bytes says how many bytes were discarded.
 * Call again with the same cursor until it returns 0.
 */
int decoder_next(struct decoder *decoder, const uint8_t **cursor, const uint8_t *end,
                 struct packet *out);

#endif
