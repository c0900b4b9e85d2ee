/*
 * decoder.c - delimiter scanning, oversize handling and packet checks.
 *
 * A complete packet found inside one input piece is unstuffed straight from
 * the input; one split across pieces is collected first and unstuffed in
 * place. A run longer than any packet is counted while it is skipped, and
 * reported once as a single oversize rejection at its closing delimiter.
 */
#include "decoder.h"

#include <string.h>

void decoder_init(struct decoder *decoder, uint8_t *buffer, size_t capacity)
{
    decoder->buffer = buffer;
    decoder->capacity = capacity;
    decoder->length = 0;
    decoder->skipping = false;
    decoder->skipped = 0;
    decoder->rejected_bytes = 0;
    decoder->rejected_type = 0;
}

/* Unstuffs and checks len stuffed bytes at stuffed into the decoder's buffer. */
static int finish_packet(struct decoder *decoder, const uint8_t *stuffed, size_t len,
                         struct packet *out)
{
    long raw_len = cobs_decode(stuffed, len, decoder->buffer, decoder->capacity);
    int result =
        raw_len < 0 ? PACKET_ERROR_FRAMING : packet_parse(decoder->buffer, (size_t)raw_len, out);
    if (result < 0) {
        decoder->rejected_bytes = len;
        if (result == PACKET_ERROR_TYPE)
            decoder->rejected_type = decoder->buffer[1];
        return result;
    }
    return 1;
}

int decoder_next(struct decoder *decoder, const uint8_t **cursor, const uint8_t *end,
                 struct packet *out)
{
    while (*cursor < end) {
        const uint8_t *start = *cursor;
        const uint8_t *delimiter = memchr(start, 0, (size_t)(end - start));
        size_t piece = (size_t)((delimiter != NULL ? delimiter : end) - start);
        *cursor = delimiter != NULL ? delimiter + 1 : end;

        if (!decoder->skipping && decoder->length + piece > decoder->capacity) {
            decoder->skipping = true;
            decoder->skipped = decoder->length;
            decoder->length = 0;
        }
        if (decoder->skipping) {
            decoder->skipped += piece;
            if (delimiter == NULL)
                return 0;
            decoder->rejected_bytes = decoder->skipped;
            decoder->skipping = false;
            decoder->skipped = 0;
            return PACKET_ERROR_OVERSIZE;
        }
        if (delimiter == NULL) {
            memcpy(decoder->buffer + decoder->length, start, piece);
            decoder->length += piece;
            return 0;
        }
        if (decoder->length == 0) {
            if (piece == 0)
                continue; /* idle filler between delimiters */
            return finish_packet(decoder, start, piece, out);
        }
        memcpy(decoder->buffer + decoder->length, start, piece);
        size_t len = decoder->length + piece;
        decoder->length = 0;
        return finish_packet(decoder, decoder->buffer, len, out);
    }
    return 0;
}
