/*
 * test_device.c - the device answers every command as hw/PROTOCOL.md 3.4 and
 * 5 say, numbers its frames by scans, and ignores damaged packets.
 *
 * Expected answers are unstuffed packets written out byte by byte from the
 * field tables of PROTOCOL.md (and, where the document gives them, its worked
 * examples on the wire); the device's answers are found with the hw stream
 * decoder, then compared byte for byte with those.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crc32c.h"
#include "decoder.h"
#include "device.h"

enum { MIN_RATE_MHZ = 500, MAX_RATE_MHZ = 200000 };

/* The DEVICE_INFO of PROTOCOL.md section 7's worked example. */
static const struct packet_device_info EXAMPLE_INFO = {
    .rows = 64,
    .cols = 32,
    .row_pitch_um = 30000,
    .col_pitch_um = 21875,
    .adc_bits = 12,
    .frame_rate_mhz = 100000,
    .firmware_major = 1,
    .serial = "MT-SIM-0001",
};
static const struct device_rate_limits LIMITS = {MIN_RATE_MHZ, MAX_RATE_MHZ};

static struct device device;
static uint8_t rx_buffer[DEVICE_RX_BUFFER_SIZE];
static uint8_t answer[DEVICE_ANSWER_MAX];
static uint8_t wire[PACKET_MAX_WIRE_SIZE];
static uint8_t raw[PACKET_MAX_SIZE];

static void reset_device(void)
{
    assert_int_equal(device_init(&device, &EXAMPLE_INFO, &LIMITS, rx_buffer, sizeof(rx_buffer)), 0);
}

/* Wire bytes of an unstuffed packet: delimiter, COBS, delimiter. */
static size_t stuff(const uint8_t *packet, size_t len, uint8_t *out, size_t capacity)
{
    out[0] = 0;
    size_t n = cobs_encode(packet, len, out + 1, capacity - 2);
    assert_true(n > 0);
    out[n + 1] = 0;
    return n + 2;
}

/* Appends the little-endian CRC-32C of packet[0..len) after it; returns the new length. */
static size_t append_crc(uint8_t *packet, size_t len)
{
    uint32_t crc = crc32c(packet, len);
    for (size_t i = 0; i < 4; i++)
        packet[len + i] = (uint8_t)(crc >> (8 * i));
    return len + 4;
}

/* Unstuffed packet of version 1, type and payload (PROTOCOL.md section 1); returns its length. */
static size_t unstuffed_packet(uint8_t type, const uint8_t *payload, size_t payload_len,
                               uint8_t packet[64])
{
    assert_true(payload_len + 8 <= 64);
    packet[0] = 1;
    packet[1] = type;
    packet[2] = (uint8_t)payload_len;
    packet[3] = (uint8_t)(payload_len >> 8);
    if (payload_len > 0)
        memcpy(packet + 4, payload, payload_len);
    return append_crc(packet, 4 + payload_len);
}

/* Wire bytes of a packet of type and payload. */
static size_t build_packet(uint8_t type, const uint8_t *payload, size_t payload_len, uint8_t *out,
                           size_t capacity)
{
    uint8_t packet[64];
    return stuff(packet, unstuffed_packet(type, payload, payload_len, packet), out, capacity);
}

/*
 * Checks that answer (len bytes) is exactly one packet, found intact by the
 * hw decoder, whose unstuffed bytes are type, length, payload and CRC-32C.
 */
static void assert_answer(const uint8_t *bytes, size_t len, uint8_t type, const uint8_t *payload,
                          size_t payload_len)
{
    static uint8_t decoder_buffer[DECODER_MAX_STUFFED];
    struct decoder decoder;
    decoder_init(&decoder, decoder_buffer, sizeof(decoder_buffer));
    const uint8_t *cursor = bytes;
    struct packet p;
    assert_int_equal(decoder_next(&decoder, &cursor, bytes + len, &p), 1);
    assert_int_equal(p.type, type);
    assert_int_equal(decoder_next(&decoder, &cursor, bytes + len, &p), 0);

    uint8_t expected[64];
    size_t expected_len = unstuffed_packet(type, payload, payload_len, expected);
    assert_int_equal(bytes[0], 0);
    assert_int_equal(bytes[len - 1], 0);
    long n = cobs_decode(bytes + 1, len - 2, raw, sizeof(raw));
    assert_int_equal(n, (long)expected_len);
    assert_memory_equal(raw, expected, expected_len);
}

/* DEVICE_INFO payload of EXAMPLE_INFO with the given flags and rate, field by field. */
static void example_info_payload(uint8_t streaming, uint32_t rate_mhz, uint8_t payload[40])
{
    const uint8_t fields[40] = {
        64,
        0,
        32,
        0, /* rows, cols */
        0x30,
        0x75,
        0,
        0, /* row pitch 30000 um */
        0x73,
        0x55,
        0,
        0, /* col pitch 21875 um */
        12,
        streaming,
        0,
        0, /* adc bits, flags, reserved */
        (uint8_t)rate_mhz,
        (uint8_t)(rate_mhz >> 8),
        (uint8_t)(rate_mhz >> 16),
        (uint8_t)(rate_mhz >> 24),
        1,
        0,
        0,
        0, /* firmware 1.0.0 */
        'M',
        'T',
        '-',
        'S',
        'I',
        'M',
        '-',
        '0',
        '0',
        '0',
        '1',
        0,
        0,
        0,
        0,
        0,
    };
    memcpy(payload, fields, sizeof(fields));
}

/* Feeds len bytes to the device; collects the answers; returns how many. */
static int feed(const uint8_t *bytes, size_t len, uint8_t *answers, size_t *lengths, int max)
{
    const uint8_t *cursor = bytes;
    int count = 0;
    size_t at = 0;
    int r;
    while ((r = device_receive(&device, &cursor, bytes + len, answer, sizeof(answer),
                               &lengths[count])) == 1) {
        assert_true(count < max);
        memcpy(answers + at, answer, lengths[count]);
        at += lengths[count];
        count++;
    }
    assert_int_equal(r, 0);
    assert_ptr_equal(cursor, bytes + len);
    return count;
}

/* Feeds one command and checks that exactly one answer came back. */
static size_t feed_one(const uint8_t *bytes, size_t len, uint8_t *out)
{
    size_t lengths[2];
    assert_int_equal(feed(bytes, len, out, lengths, 2), 1);
    return lengths[0];
}

static void test_device_info_at_reset(void **state)
{
    (void)state;
    /* PROTOCOL.md section 7, DEVICE_INFO on the wire. */
    static const uint8_t expected[] = {
        0x00, 0x04, 0x01, 0x01, 0x28, 0x02, 0x40, 0x02, 0x20, 0x03, 0x30, 0x75, 0x01,
        0x03, 0x73, 0x55, 0x01, 0x02, 0x0C, 0x01, 0x01, 0x04, 0xA0, 0x86, 0x01, 0x02,
        0x01, 0x01, 0x01, 0x0C, 0x4D, 0x54, 0x2D, 0x53, 0x49, 0x4D, 0x2D, 0x30, 0x30,
        0x30, 0x31, 0x01, 0x01, 0x01, 0x01, 0x05, 0x01, 0xC4, 0x6C, 0x1D, 0x00,
    };
    struct packet_device_info streaming_info = EXAMPLE_INFO;
    streaming_info.streaming = true; /* a reset device is idle whatever it is told */
    assert_int_equal(device_init(&device, &streaming_info, &LIMITS, rx_buffer, sizeof(rx_buffer)),
                     0);
    size_t n = 0;
    assert_int_equal(device_encode_info(&device, answer, sizeof(answer), &n), 0);
    assert_int_equal(n, sizeof(expected));
    assert_memory_equal(answer, expected, n);
    assert_false(device_streaming(&device));
    assert_int_equal(device_next_sequence(&device), 0);
    assert_int_equal(device_frame_rate_mhz(&device), 100000);
}

struct command_case {
    const char *name;
    uint8_t type;         /* command sent */
    uint32_t argument;    /* SET_RATE's rate */
    uint8_t answer_type;  /* PACKET_ACK or PACKET_DEVICE_INFO */
    uint8_t status;       /* ACK status */
    bool streaming_after; /* device state after the command */
    uint32_t rate_after_mhz;
};

static void test_every_command_answered(void **state)
{
    (void)state;
    static const struct command_case cases[] = {
        {"GET_INFO when idle", PACKET_GET_INFO, 0, PACKET_DEVICE_INFO, 0, false, 100000},
        {"STOP when idle", PACKET_STOP, 0, PACKET_ACK, 0, false, 100000},
        {"START", PACKET_START, 0, PACKET_ACK, 0, true, 100000},
        {"START when streaming", PACKET_START, 0, PACKET_ACK, 0, true, 100000},
        {"GET_INFO when streaming", PACKET_GET_INFO, 0, PACKET_DEVICE_INFO, 0, true, 100000},
        {"SET_RATE 50 Hz", PACKET_SET_RATE, 50000, PACKET_ACK, 0, true, 50000},
        {"SET_RATE below minimum", PACKET_SET_RATE, MIN_RATE_MHZ - 1, PACKET_ACK, 2, true, 50000},
        {"SET_RATE zero", PACKET_SET_RATE, 0, PACKET_ACK, 2, true, 50000},
        {"SET_RATE above maximum", PACKET_SET_RATE, MAX_RATE_MHZ + 1, PACKET_ACK, 2, true, 50000},
        {"SET_RATE 2^32 - 1", PACKET_SET_RATE, UINT32_MAX, PACKET_ACK, 2, true, 50000},
        {"SET_RATE minimum", PACKET_SET_RATE, MIN_RATE_MHZ, PACKET_ACK, 0, true, MIN_RATE_MHZ},
        {"SET_RATE maximum", PACKET_SET_RATE, MAX_RATE_MHZ, PACKET_ACK, 0, true, MAX_RATE_MHZ},
        {"GET_INFO shows the rate", PACKET_GET_INFO, 0, PACKET_DEVICE_INFO, 0, true, MAX_RATE_MHZ},
        {"STOP", PACKET_STOP, 0, PACKET_ACK, 0, false, MAX_RATE_MHZ},
        {"unknown 0x14", 0x14, 0, PACKET_ACK, 1, false, MAX_RATE_MHZ},
        {"unknown 0xFF", 0xFF, 0, PACKET_ACK, 1, false, MAX_RATE_MHZ},
        {"GET_INFO after STOP", PACKET_GET_INFO, 0, PACKET_DEVICE_INFO, 0, false, MAX_RATE_MHZ},
    };
    reset_device();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct command_case *c = &cases[i];
        print_message("%s\n", c->name);
        uint8_t argument[4] = {(uint8_t)c->argument, (uint8_t)(c->argument >> 8),
                               (uint8_t)(c->argument >> 16), (uint8_t)(c->argument >> 24)};
        size_t len =
            build_packet(c->type, argument, c->type == PACKET_SET_RATE ? 4 : 0, wire, sizeof(wire));
        uint8_t out[DEVICE_ANSWER_MAX];
        size_t n = feed_one(wire, len, out);
        if (c->answer_type == PACKET_ACK) {
            uint8_t ack[2] = {c->type, c->status};
            assert_answer(out, n, PACKET_ACK, ack, sizeof(ack));
        } else {
            uint8_t info[40];
            example_info_payload(c->streaming_after, c->rate_after_mhz, info);
            assert_answer(out, n, PACKET_DEVICE_INFO, info, sizeof(info));
        }
        assert_int_equal(device_streaming(&device), c->streaming_after);
        assert_int_equal(device_frame_rate_mhz(&device), c->rate_after_mhz);
    }
    assert_int_equal(device_ignored_packets(&device), 0);
}

static void test_worked_examples_from_protocol_md(void **state)
{
    (void)state;
    static const uint8_t start[] = {0x00, 0x03, 0x01, 0x10, 0x01, 0x05,
                                    0xF5, 0x9C, 0x80, 0xE5, 0x00};
    static const uint8_t set_rate_50[] = {0x00, 0x04, 0x01, 0x12, 0x04, 0x03, 0x50, 0xC3,
                                          0x01, 0x05, 0xDF, 0x82, 0x12, 0xDF, 0x00};
    static const uint8_t ack_start[] = {0x00, 0x04, 0x01, 0x03, 0x02, 0x02, 0x10,
                                        0x05, 0x67, 0x75, 0x8B, 0x70, 0x00};
    reset_device();
    uint8_t out[DEVICE_ANSWER_MAX];
    size_t n = feed_one(start, sizeof(start), out);
    assert_int_equal(n, sizeof(ack_start));
    assert_memory_equal(out, ack_start, n);
    n = feed_one(set_rate_50, sizeof(set_rate_50), out);
    uint8_t ack[2] = {PACKET_SET_RATE, PACKET_ACK_OK};
    assert_answer(out, n, PACKET_ACK, ack, sizeof(ack));
    assert_int_equal(device_frame_rate_mhz(&device), 50000);
}

static void test_commands_in_any_pieces(void **state)
{
    (void)state;
    /* GET_INFO, START, SET_RATE 1 Hz, STOP back to back, fed in pieces of every size. */
    size_t len = 0;
    len += packet_encode_command(PACKET_GET_INFO, wire + len, sizeof(wire) - len);
    len += packet_encode_command(PACKET_START, wire + len, sizeof(wire) - len);
    len += packet_encode_set_rate(1000, wire + len, sizeof(wire) - len);
    len += packet_encode_command(PACKET_STOP, wire + len, sizeof(wire) - len);
    static const uint8_t expected_types[] = {PACKET_DEVICE_INFO, PACKET_ACK, PACKET_ACK,
                                             PACKET_ACK};
    static const uint8_t expected_commands[] = {0, PACKET_START, PACKET_SET_RATE, PACKET_STOP};
    for (size_t piece = 1; piece <= len; piece++) {
        reset_device();
        uint8_t answers[4 * DEVICE_ANSWER_MAX];
        size_t lengths[4];
        int count = 0;
        size_t at = 0;
        for (size_t from = 0; from < len; from += piece) {
            size_t size = from + piece < len ? piece : len - from;
            size_t piece_lengths[4];
            int got = feed(wire + from, size, answers + at, piece_lengths, 4 - count);
            for (int i = 0; i < got; i++) {
                lengths[count + i] = piece_lengths[i];
                at += piece_lengths[i];
            }
            count += got;
        }
        assert_int_equal(count, 4);
        at = 0;
        for (int i = 0; i < 4; i++) {
            struct packet p;
            long n = cobs_decode(answers + at + 1, lengths[i] - 2, raw, sizeof(raw));
            assert_true(n > 0);
            assert_int_equal(packet_parse(raw, (size_t)n, &p), 0);
            assert_int_equal(p.type, expected_types[i]);
            if (p.type == PACKET_ACK) {
                assert_int_equal(p.body.ack.command, expected_commands[i]);
                assert_int_equal(p.body.ack.status, PACKET_ACK_OK);
            }
            at += lengths[i];
        }
        assert_false(device_streaming(&device));
        assert_int_equal(device_frame_rate_mhz(&device), 1000);
    }
}

/* One damaged or misdirected packet per case; none may be answered or change anything. */
static void test_damaged_and_device_packets_ignored(void **state)
{
    (void)state;
    reset_device();
    uint8_t good[16];
    size_t good_len = build_packet(PACKET_START, NULL, 0, good, sizeof(good));
    struct {
        const char *name;
        uint8_t bytes[160];
        size_t len;
    } cases[9];
    size_t count = 0;

    cases[count].name = "START with a bit flipped (CRC)";
    memcpy(cases[count].bytes, good, good_len);
    cases[count].bytes[4] ^= 0x04;
    cases[count++].len = good_len;

    uint8_t packet[64];
    size_t packet_len = unstuffed_packet(PACKET_START, NULL, 0, packet);
    cases[count].name = "START missing its last CRC byte (truncated)";
    cases[count].len = stuff(packet, packet_len - 1, cases[count].bytes, 160);
    count++;

    packet[0] = 2;
    append_crc(packet, 4);
    cases[count].name = "START of protocol version 2";
    cases[count].len = stuff(packet, packet_len, cases[count].bytes, 160);
    count++;

    cases[count].name = "START with a payload byte (length)";
    cases[count].len = build_packet(PACKET_START, (const uint8_t[]){7}, 1, cases[count].bytes, 160);
    count++;

    cases[count].name = "SET_RATE with 2 bytes (length)";
    cases[count].len =
        build_packet(PACKET_SET_RATE, (const uint8_t[]){1, 2}, 2, cases[count].bytes, 160);
    count++;

    cases[count].name = "ACK sent to the device";
    cases[count].len =
        build_packet(PACKET_ACK, (const uint8_t[]){PACKET_START, 0}, 2, cases[count].bytes, 160);
    count++;

    cases[count].name = "unknown type 0x05 from the device range";
    cases[count].len = build_packet(0x05, NULL, 0, cases[count].bytes, 160);
    count++;

    cases[count].name = "invalid COBS (code past the end)";
    memcpy(cases[count].bytes, (const uint8_t[]){0, 0x09, 1, 2, 3, 0}, 6);
    cases[count++].len = 6;

    cases[count].name = "oversize run of 150 bytes";
    cases[count].bytes[0] = 0;
    memset(cases[count].bytes + 1, 0x11, 150);
    cases[count].bytes[151] = 0;
    cases[count++].len = 152;

    for (size_t i = 0; i < count; i++) {
        print_message("%s\n", cases[i].name);
        uint8_t answers[2 * DEVICE_ANSWER_MAX];
        size_t lengths[2];
        assert_int_equal(feed(cases[i].bytes, cases[i].len, answers, lengths, 2), 0);
        assert_int_equal(device_ignored_packets(&device), i + 1);
        assert_false(device_streaming(&device));
        assert_int_equal(device_frame_rate_mhz(&device), 100000);
        assert_int_equal(device_next_sequence(&device), 0);
    }
    /* Back in step: the next intact command is answered. */
    uint8_t out[DEVICE_ANSWER_MAX];
    size_t n = feed_one(good, good_len, out);
    uint8_t ack[2] = {PACKET_START, PACKET_ACK_OK};
    assert_answer(out, n, PACKET_ACK, ack, sizeof(ack));
    assert_true(device_streaming(&device));
}

/* Decodes one frame packet and checks sequence, time, grid and values. */
static void assert_frame(const uint8_t *bytes, size_t len, uint32_t sequence, uint64_t time_us,
                         const uint16_t *values)
{
    long n = cobs_decode(bytes + 1, len - 2, raw, sizeof(raw));
    assert_true(n > 0);
    struct packet p;
    assert_int_equal(packet_parse(raw, (size_t)n, &p), 0);
    assert_int_equal(p.type, PACKET_FRAME);
    assert_int_equal(p.body.frame.sequence, sequence);
    assert_true(p.body.frame.device_time_us == time_us);
    assert_int_equal(p.body.frame.rows, 2);
    assert_int_equal(p.body.frame.cols, 3);
    uint16_t back[6];
    packet_frame_values(&p.body.frame, back);
    assert_memory_equal(back, values, sizeof(back));
}

static void test_sequence_counts_scans(void **state)
{
    (void)state;
    struct packet_device_info info = EXAMPLE_INFO;
    info.rows = 2;
    info.cols = 3;
    assert_int_equal(device_init(&device, &info, &LIMITS, rx_buffer, sizeof(rx_buffer)), 0);
    const uint16_t values[6] = {0, 1, 255, 256, 4095, 7};
    uint8_t frame[PACKET_WIRE_SIZE(PACKET_FRAME_SIZE(6))];
    assert_int_equal(device_frame_wire_size(&device), sizeof(frame));
    size_t n = 0;

    /* Scans 0 and 1 sent, 2 skipped, 3 sent. */
    assert_int_equal(device_encode_frame(&device, 0, values, frame, sizeof(frame), &n), 0);
    assert_frame(frame, n, 0, 0, values);
    assert_int_equal(device_encode_frame(&device, 10000, values, frame, sizeof(frame), &n), 0);
    assert_frame(frame, n, 1, 10000, values);
    device_skip_frame(&device);
    assert_int_equal(device_encode_frame(&device, 30000, values, frame, sizeof(frame), &n), 0);
    assert_frame(frame, n, 3, 30000, values);

    /* A buffer too small uses up no number. */
    assert_int_equal(device_encode_frame(&device, 40000, values, frame, sizeof(frame) - 1, &n),
                     -ENOBUFS);
    assert_int_equal(device_next_sequence(&device), 4);

    /* STOP and START do not restart the count. */
    uint8_t command[16];
    uint8_t out[DEVICE_ANSWER_MAX];
    size_t len = packet_encode_command(PACKET_STOP, command, sizeof(command));
    feed_one(command, len, out);
    len = packet_encode_command(PACKET_START, command, sizeof(command));
    feed_one(command, len, out);
    assert_int_equal(device_encode_frame(&device, 90000, values, frame, sizeof(frame), &n), 0);
    assert_frame(frame, n, 4, 90000, values);

    /* A reset does. */
    assert_int_equal(device_init(&device, &info, &LIMITS, rx_buffer, sizeof(rx_buffer)), 0);
    assert_int_equal(device_encode_frame(&device, 5, values, frame, sizeof(frame), &n), 0);
    assert_frame(frame, n, 0, 5, values);
}

static void test_device_stop(void **state)
{
    (void)state;
    reset_device();
    uint8_t command[16];
    uint8_t out[DEVICE_ANSWER_MAX];
    size_t len = packet_encode_command(PACKET_START, command, sizeof(command));
    feed_one(command, len, out);
    assert_true(device_streaming(&device));
    device_stop(&device);
    assert_false(device_streaming(&device));
    len = packet_encode_command(PACKET_GET_INFO, command, sizeof(command));
    size_t n = feed_one(command, len, out);
    uint8_t info[40];
    example_info_payload(0, 100000, info);
    assert_answer(out, n, PACKET_DEVICE_INFO, info, sizeof(info));
}

static void test_answer_buffer_too_small(void **state)
{
    (void)state;
    reset_device();
    uint8_t command[16];
    size_t len = packet_encode_command(PACKET_GET_INFO, command, sizeof(command));
    const uint8_t *cursor = command;
    size_t n = 0;
    assert_int_equal(
        device_receive(&device, &cursor, command + len, answer, DEVICE_ANSWER_MAX - 1, &n),
        -ENOBUFS);
    assert_ptr_equal(cursor, command);
    n = 0;
    assert_int_equal(device_encode_info(&device, answer, DEVICE_ANSWER_MAX - 1, &n), -ENOBUFS);
    assert_int_equal(n, 0);
}

static void test_init_rejects_invalid_settings(void **state)
{
    (void)state;
    struct {
        const char *name;
        uint16_t rows, cols;
        uint8_t adc_bits;
        const char *serial;
        uint32_t rate_mhz, min_mhz, max_mhz;
        size_t rx_capacity;
    } cases[] = {
        {"zero rows", 0, 32, 12, "S", 1000, 1, 2000, 64},
        {"257 columns", 1, 257, 12, "S", 1000, 1, 2000, 64},
        {"129 x 129 taxels", 129, 129, 12, "S", 1000, 1, 2000, 64},
        {"0 ADC bits", 64, 32, 0, "S", 1000, 1, 2000, 64},
        {"17 ADC bits", 64, 32, 17, "S", 1000, 1, 2000, 64},
        {"control character in serial", 64, 32, 12, "A\tB", 1000, 1, 2000, 64},
        {"17-character serial", 64, 32, 12, "ABCDEFGHIJKLMNOPQ", 1000, 1, 2000, 64},
        {"minimum rate 0", 64, 32, 12, "S", 1000, 0, 2000, 64},
        {"minimum above maximum", 64, 32, 12, "S", 1000, 3000, 2000, 64},
        {"rate below minimum", 64, 32, 12, "S", 999, 1000, 2000, 64},
        {"rate above maximum", 64, 32, 12, "S", 2001, 1000, 2000, 64},
        {"receive buffer too small", 64, 32, 12, "S", 1000, 1, 2000, DEVICE_RX_BUFFER_MIN - 1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        print_message("%s\n", cases[i].name);
        struct packet_device_info info = EXAMPLE_INFO;
        info.rows = cases[i].rows;
        info.cols = cases[i].cols;
        info.adc_bits = cases[i].adc_bits;
        memset(info.serial, 0, sizeof(info.serial));
        memcpy(info.serial, cases[i].serial, strlen(cases[i].serial));
        info.frame_rate_mhz = cases[i].rate_mhz;
        struct device_rate_limits limits = {cases[i].min_mhz, cases[i].max_mhz};
        assert_int_equal(device_init(&device, &info, &limits, rx_buffer, cases[i].rx_capacity),
                         -EINVAL);
    }
    /* The limits themselves are accepted, and a 16-character serial fits. */
    struct packet_device_info info = EXAMPLE_INFO;
    memcpy(info.serial, "ABCDEFGHIJKLMNOP", 17);
    info.frame_rate_mhz = 1;
    struct device_rate_limits limits = {1, 1};
    assert_int_equal(device_init(&device, &info, &limits, rx_buffer, DEVICE_RX_BUFFER_MIN), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_device_info_at_reset),
        cmocka_unit_test(test_every_command_answered),
        cmocka_unit_test(test_worked_examples_from_protocol_md),
        cmocka_unit_test(test_commands_in_any_pieces),
        cmocka_unit_test(test_damaged_and_device_packets_ignored),
        cmocka_unit_test(test_sequence_counts_scans),
        cmocka_unit_test(test_device_stop),
        cmocka_unit_test(test_answer_buffer_too_small),
        cmocka_unit_test(test_init_rejects_invalid_settings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
