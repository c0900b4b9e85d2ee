/*
 * test_decoder.c - the stream decoder finds every intact packet, whatever
 * the stream's pieces, and is back in step after garbage at any offset.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crc32c.h"
#include "decoder.h"

enum { ROWS = 3, COLS = 4, TAXELS = ROWS * COLS, PACKETS = 5 };

static struct decoder decoder;
static uint8_t decoder_buffer[DECODER_MAX_STUFFED];
static uint8_t stream[64 * 1024];

/* Appends frame packet `sequence` (values derived from it) to the stream. */
static size_t append_frame(size_t at, uint32_t sequence)
{
    uint16_t values[TAXELS];
    for (int i = 0; i < TAXELS; i++)
        values[i] = (uint16_t)(sequence * 100 + (uint32_t)i);
    size_t n = packet_encode_frame(sequence, 1000u * sequence, ROWS, COLS, values, stream + at,
                                   sizeof(stream) - at);
    assert_true(n > 0);
    return at + n;
}

struct outcome {
    uint32_t sequences[64];
    int frames;
    int rejected;
    int oversize;
    size_t rejected_bytes;
};

/* Feeds stream[0..len) in pieces of `piece` bytes and records what came out. */
static struct outcome feed(size_t len, size_t piece)
{
    struct outcome o = {0};
    decoder_init(&decoder, decoder_buffer, sizeof(decoder_buffer));
    for (size_t at = 0; at < len; at += piece) {
        const uint8_t *cursor = stream + at;
        const uint8_t *end = stream + (at + piece < len ? at + piece : len);
        struct packet p;
        int r;
        while ((r = decoder_next(&decoder, &cursor, end, &p)) != 0) {
            if (r < 0) {
                o.rejected++;
                o.oversize += r == PACKET_ERROR_OVERSIZE;
                o.rejected_bytes += decoder.rejected_bytes;
                continue;
            }
            assert_int_equal(p.type, PACKET_FRAME);
            uint16_t values[TAXELS];
            packet_frame_values(&p.body.frame, values);
            for (int i = 0; i < TAXELS; i++)
                assert_int_equal(values[i], p.body.frame.sequence * 100 + (uint32_t)i);
            o.sequences[o.frames++] = p.body.frame.sequence;
        }
    }
    return o;
}

static void test_clean_stream_any_piece_size(void **state)
{
    (void)state;
    size_t len = 0;
    for (uint32_t s = 0; s < PACKETS; s++)
        len = append_frame(len, s);
    for (size_t piece = 1; piece <= len; piece++) {
        struct outcome o = feed(len, piece);
        assert_int_equal(o.frames, PACKETS);
        assert_int_equal(o.rejected, 0);
        for (int i = 0; i < PACKETS; i++)
            assert_int_equal(o.sequences[i], (uint32_t)i);
    }
}

/*
 * Garbage inserted at every byte offset. Packet s spans [starts[s],
 * starts[s + 1]): its leading 0x00, its stuffed bytes, its trailing 0x00.
 * Garbage inserted strictly after the leading delimiter (offsets starts[s] + 1
 * up to starts[s + 1] - 1) lands inside packet s and costs exactly that
 * packet. Anywhere else it sits between delimiters of its own, is rejected
 * as a whole, and costs no packet at all. Garbage after the last packet is
 * rejected only as far as delimiters inside it close it off.
 */
static void test_garbage_at_every_offset(void **state)
{
    (void)state;
    static uint8_t clean[4096];
    size_t starts[PACKETS + 1];
    size_t clean_len = 0;
    for (uint32_t s = 0; s < PACKETS; s++) {
        starts[s] = clean_len;
        clean_len = append_frame(clean_len, s);
    }
    starts[PACKETS] = clean_len;
    memcpy(clean, stream, clean_len);

    const uint8_t garbage_kinds[][5] = {
        {0x55, 0xAA, 0x13, 0x37, 0x99}, /* no delimiter inside */
        {0x42, 0x00, 0x17, 0x00, 0x99}, /* delimiters inside */
    };
    for (size_t kind = 0; kind < 2; kind++) {
        for (size_t offset = 0; offset <= clean_len; offset++) {
            memcpy(stream, clean, offset);
            memcpy(stream + offset, garbage_kinds[kind], 5);
            memcpy(stream + offset + 5, clean + offset, clean_len - offset);
            struct outcome o = feed(clean_len + 5, 7);

            int hit = -1;
            for (int s = 0; s < PACKETS; s++)
                if (offset > starts[s] && offset < starts[s + 1])
                    hit = s;
            assert_int_equal(o.frames, hit < 0 ? PACKETS : PACKETS - 1);
            int k = 0;
            for (int s = 0; s < PACKETS; s++)
                if (s != hit)
                    assert_int_equal(o.sequences[k++], (uint32_t)s);
            if (offset == clean_len)
                assert_int_equal(o.rejected, kind == 0 ? 0 : 2);
            else if (kind == 0)
                assert_int_equal(o.rejected, 1);
            else
                assert_true(o.rejected >= 1);
        }
    }
}

static void test_leading_partial_packet(void **state)
{
    (void)state;
    size_t len = 0;
    for (uint32_t s = 0; s < PACKETS; s++)
        len = append_frame(len, s);
    /* Start listening in the middle of packet 0: it is lost, the rest arrive. */
    size_t skip = 10;
    memmove(stream, stream + skip, len - skip);
    struct outcome o = feed(len - skip, 64);
    assert_int_equal(o.frames, PACKETS - 1);
    assert_int_equal(o.rejected, 1);
    for (int i = 0; i < PACKETS - 1; i++)
        assert_int_equal(o.sequences[i], (uint32_t)(i + 1));
}

static void test_oversize_run_skipped_once(void **state)
{
    (void)state;
    size_t len = append_frame(0, 1);
    size_t junk = DECODER_MAX_STUFFED + 1000;
    memset(stream + len, 0x5A, junk);
    len += junk;
    len = append_frame(len, 2);
    /* Pieces smaller than, about as large as, and larger than the buffer. */
    const size_t pieces[] = {
        1, 1000, 8777, DECODER_MAX_STUFFED - 1, DECODER_MAX_STUFFED, DECODER_MAX_STUFFED + 1, len};
    for (size_t i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
        struct outcome o = feed(len, pieces[i]);
        assert_int_equal(o.frames, 2);
        assert_int_equal(o.rejected, 1);
        assert_int_equal(o.oversize, 1);
        assert_int_equal(o.rejected_bytes, junk);
    }
}

static void test_truncated_packet_costs_only_itself(void **state)
{
    (void)state;
    size_t first_end = append_frame(0, 1);
    size_t len = append_frame(first_end, 2);
    /* Cut packet 1 short: drop 5 bytes before its closing delimiter. */
    memmove(stream + first_end - 6, stream + first_end - 1, len - first_end + 1);
    len -= 5;
    len = append_frame(len, 3);
    struct outcome o = feed(len, 13);
    assert_int_equal(o.frames, 2);
    assert_int_equal(o.sequences[0], 2);
    assert_int_equal(o.sequences[1], 3);
    assert_int_equal(o.rejected, 1);
}

/* A device's small buffer takes commands and rejects a frame as oversize. */
static void test_small_buffer_accepts_only_short_packets(void **state)
{
    (void)state;
    uint8_t small[32];
    struct decoder commands;
    decoder_init(&commands, small, sizeof(small));
    size_t len = append_frame(0, 9);
    len += packet_encode_command(PACKET_START, stream + len, sizeof(stream) - len);
    const uint8_t *cursor = stream;
    struct packet p;
    assert_int_equal(decoder_next(&commands, &cursor, stream + len, &p), PACKET_ERROR_OVERSIZE);
    assert_int_equal(decoder_next(&commands, &cursor, stream + len, &p), 1);
    assert_int_equal(p.type, PACKET_START);
    assert_int_equal(decoder_next(&commands, &cursor, stream + len, &p), 0);
}

/* An intact packet of an unknown type is rejected, and its type is kept. */
static void test_unknown_type_is_reported(void **state)
{
    (void)state;
    /* Version 1, type 0x42, length 0, CRC-32C of 01 42 00 00, stuffed by hand. */
    uint8_t raw[8] = {0x01, 0x42, 0x00, 0x00};
    uint32_t crc = crc32c(raw, 4);
    for (int i = 0; i < 4; i++)
        raw[4 + i] = (uint8_t)(crc >> (8 * i));
    stream[0] = 0;
    size_t n = cobs_encode(raw, sizeof(raw), stream + 1, sizeof(stream) - 2);
    stream[1 + n] = 0;
    decoder_init(&decoder, decoder_buffer, sizeof(decoder_buffer));
    const uint8_t *cursor = stream;
    struct packet p;
    assert_int_equal(decoder_next(&decoder, &cursor, stream + n + 2, &p), PACKET_ERROR_TYPE);
    assert_int_equal(decoder.rejected_type, 0x42);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_stream_any_piece_size),
        cmocka_unit_test(test_garbage_at_every_offset),
        cmocka_unit_test(test_leading_partial_packet),
        cmocka_unit_test(test_oversize_run_skipped_once),
        cmocka_unit_test(test_truncated_packet_costs_only_itself),
        cmocka_unit_test(test_small_buffer_accepts_only_short_packets),
        cmocka_unit_test(test_unknown_type_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
