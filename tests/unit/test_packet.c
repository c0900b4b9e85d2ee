/*
 * test_packet.c - every packet type round-trips, and damage is rejected.
 *
 * Round trips go encoder -> COBS decode -> parser and compare the fields
 * with the inputs. The header test checks the unstuffed bytes against the
 * layout in hw/PROTOCOL.md written out by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crc32c.h"
#include "packet.h"

static uint8_t wire[PACKET_MAX_WIRE_SIZE];
static uint8_t raw[PACKET_MAX_SIZE];

/* Strips the delimiters and unstuffs one encoded packet into raw. */
static size_t unstuff(const uint8_t *encoded, size_t len)
{
    assert_true(len >= 3);
    assert_int_equal(encoded[0], 0);
    assert_int_equal(encoded[len - 1], 0);
    long n = cobs_decode(encoded + 1, len - 2, raw, sizeof(raw));
    assert_true(n > 0);
    return (size_t)n;
}

static void test_frame_round_trip(void **state)
{
    (void)state;
    static const uint16_t grids[][2] = {{1, 1}, {3, 5}, {64, 32}, {128, 128}, {256, 64}};
    for (size_t g = 0; g < sizeof(grids) / sizeof(grids[0]); g++) {
        uint16_t rows = grids[g][0], cols = grids[g][1];
        size_t taxels = (size_t)rows * cols;
        uint16_t *values = malloc(taxels * sizeof(*values));
        uint16_t *back = malloc(taxels * sizeof(*back));
        for (size_t i = 0; i < taxels; i++)
            values[i] = (uint16_t)(i * 2654435761u >> 7); /* zero and non-zero bytes */
        size_t n = packet_encode_frame(0xDEADBEEFu, 0x0123456789ABCDEFull, rows, cols, values, wire,
                                       sizeof(wire));
        assert_true(n > 0 && n <= PACKET_WIRE_SIZE(PACKET_FRAME_SIZE(taxels)));
        size_t len = unstuff(wire, n);
        assert_int_equal(len, PACKET_FRAME_SIZE(taxels));

        struct packet p;
        assert_int_equal(packet_parse(raw, len, &p), 0);
        assert_int_equal(p.type, PACKET_FRAME);
        assert_int_equal(p.body.frame.sequence, 0xDEADBEEFu);
        assert_true(p.body.frame.device_time_us == 0x0123456789ABCDEFull);
        assert_int_equal(p.body.frame.rows, rows);
        assert_int_equal(p.body.frame.cols, cols);
        packet_frame_values(&p.body.frame, back);
        assert_memory_equal(back, values, taxels * sizeof(*values));
        free(values);
        free(back);
    }
}

static void test_frame_layout(void **state)
{
    (void)state;
    const uint16_t values[2] = {0x0102, 0xA0B0};
    size_t n = packet_encode_frame(7, 1000, 1, 2, values, wire, sizeof(wire));
    size_t len = unstuff(wire, n);
    const uint8_t expected[] = {
        0x01, 0x02, 0x14, 0x00,                         /* version 1, FRAME, length 20 */
        0x07, 0x00, 0x00, 0x00,                         /* sequence 7 */
        0xE8, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* 1000 us */
        0x01, 0x00, 0x02, 0x00,                         /* 1 row, 2 columns */
        0x02, 0x01, 0xB0, 0xA0,                         /* values, little-endian */
    };
    assert_int_equal(len, sizeof(expected) + 4);
    assert_memory_equal(raw, expected, sizeof(expected));
    uint32_t crc = crc32c(expected, sizeof(expected));
    const uint8_t crc_le[4] = {(uint8_t)crc, (uint8_t)(crc >> 8), (uint8_t)(crc >> 16),
                               (uint8_t)(crc >> 24)};
    assert_memory_equal(raw + sizeof(expected), crc_le, 4);
}

static void test_device_info_round_trip(void **state)
{
    (void)state;
    struct packet_device_info info = {
        .rows = 64,
        .cols = 32,
        .row_pitch_um = 30000,
        .col_pitch_um = 21875,
        .adc_bits = 12,
        .streaming = true,
        .frame_rate_mhz = 100000,
        .firmware_major = 1,
        .firmware_minor = 2,
        .firmware_patch = 300,
        .serial = "MT-0001-ABCDEFGH", /* exactly 16 characters: no terminator on the wire */
    };
    size_t n = packet_encode_device_info(&info, wire, sizeof(wire));
    size_t len = unstuff(wire, n);
    struct packet p;
    assert_int_equal(packet_parse(raw, len, &p), 0);
    assert_int_equal(p.type, PACKET_DEVICE_INFO);
    assert_int_equal(p.body.info.rows, 64);
    assert_int_equal(p.body.info.cols, 32);
    assert_int_equal(p.body.info.row_pitch_um, 30000);
    assert_int_equal(p.body.info.col_pitch_um, 21875);
    assert_int_equal(p.body.info.adc_bits, 12);
    assert_true(p.body.info.streaming);
    assert_int_equal(p.body.info.frame_rate_mhz, 100000);
    assert_int_equal(p.body.info.firmware_major, 1);
    assert_int_equal(p.body.info.firmware_minor, 2);
    assert_int_equal(p.body.info.firmware_patch, 300);
    assert_string_equal(p.body.info.serial, "MT-0001-ABCDEFGH");

    strcpy(info.serial, "short");
    info.streaming = false;
    len = unstuff(wire, packet_encode_device_info(&info, wire, sizeof(wire)));
    assert_int_equal(packet_parse(raw, len, &p), 0);
    assert_string_equal(p.body.info.serial, "short");
    assert_false(p.body.info.streaming);
}

static void test_commands_round_trip(void **state)
{
    (void)state;
    const enum packet_type plain[] = {PACKET_START, PACKET_STOP, PACKET_GET_INFO};
    struct packet p;
    for (size_t i = 0; i < 3; i++) {
        size_t len = unstuff(wire, packet_encode_command(plain[i], wire, sizeof(wire)));
        assert_int_equal(len, 8);
        assert_int_equal(packet_parse(raw, len, &p), 0);
        assert_int_equal(p.type, plain[i]);
    }
    assert_int_equal(packet_encode_command(PACKET_FRAME, wire, sizeof(wire)), 0);

    size_t len = unstuff(wire, packet_encode_set_rate(250500, wire, sizeof(wire)));
    assert_int_equal(packet_parse(raw, len, &p), 0);
    assert_int_equal(p.type, PACKET_SET_RATE);
    assert_int_equal(p.body.frame_rate_mhz, 250500);

    len = unstuff(wire,
                  packet_encode_ack(PACKET_SET_RATE, PACKET_ACK_BAD_ARGUMENT, wire, sizeof(wire)));
    assert_int_equal(packet_parse(raw, len, &p), 0);
    assert_int_equal(p.type, PACKET_ACK);
    assert_int_equal(p.body.ack.command, PACKET_SET_RATE);
    assert_int_equal(p.body.ack.status, PACKET_ACK_BAD_ARGUMENT);
}

static void test_every_bit_flip_rejected(void **state)
{
    (void)state;
    uint16_t values[4 * 3];
    for (int i = 0; i < 12; i++)
        values[i] = (uint16_t)(1000 + i * 37);
    size_t len = unstuff(wire, packet_encode_frame(42, 123456, 4, 3, values, wire, sizeof(wire)));
    uint8_t damaged[PACKET_FRAME_SIZE(12)];
    struct packet p;
    for (size_t bit = 0; bit < len * 8; bit++) {
        memcpy(damaged, raw, len);
        damaged[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_int_equal(packet_parse(damaged, len, &p), PACKET_ERROR_CRC);
    }
}

/* Builds an unstuffed packet with a correct CRC from header and payload. */
static size_t build_raw(uint8_t version, uint8_t type, uint16_t length_field,
                        const uint8_t *payload, size_t payload_len)
{
    raw[0] = version;
    raw[1] = type;
    raw[2] = (uint8_t)length_field;
    raw[3] = (uint8_t)(length_field >> 8);
    memcpy(raw + 4, payload, payload_len);
    uint32_t crc = crc32c(raw, 4 + payload_len);
    for (int i = 0; i < 4; i++)
        raw[4 + payload_len + (size_t)i] = (uint8_t)(crc >> (8 * i));
    return 8 + payload_len;
}

static void test_well_checksummed_but_wrong(void **state)
{
    (void)state;
    struct packet p;
    uint8_t payload[64] = {0};
    assert_int_equal(packet_parse(raw, build_raw(2, PACKET_START, 0, payload, 0), &p),
                     PACKET_ERROR_VERSION);
    assert_int_equal(packet_parse(raw, build_raw(1, 0x7F, 0, payload, 0), &p), PACKET_ERROR_TYPE);
    assert_int_equal(packet_parse(raw, build_raw(1, PACKET_START, 1, payload, 0), &p),
                     PACKET_ERROR_LENGTH);
    assert_int_equal(packet_parse(raw, build_raw(1, PACKET_STOP, 1, payload, 1), &p),
                     PACKET_ERROR_LENGTH);
    assert_int_equal(packet_parse(raw, build_raw(1, PACKET_ACK, 3, payload, 3), &p),
                     PACKET_ERROR_LENGTH);
    assert_int_equal(packet_parse(raw, build_raw(1, PACKET_SET_RATE, 2, payload, 2), &p),
                     PACKET_ERROR_LENGTH);

    /* A frame header claiming 2 x 2 with only three values. */
    payload[12] = 2;
    payload[14] = 2;
    assert_int_equal(packet_parse(raw, build_raw(1, PACKET_FRAME, 22, payload, 22), &p),
                     PACKET_ERROR_LENGTH);
}

static void test_grid_limits(void **state)
{
    (void)state;
    struct packet p;
    uint8_t payload[PACKET_DEVICE_INFO_SIZE] = {0};
    static const uint16_t bad[][2] = {{0, 32}, {64, 0}, {257, 1}, {1, 257}, {129, 128}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        payload[0] = (uint8_t)bad[i][0];
        payload[1] = (uint8_t)(bad[i][0] >> 8);
        payload[2] = (uint8_t)bad[i][1];
        payload[3] = (uint8_t)(bad[i][1] >> 8);
        assert_int_equal(packet_parse(raw, build_raw(1, PACKET_DEVICE_INFO, 40, payload, 40), &p),
                         PACKET_ERROR_FIELD);
        uint8_t frame[PACKET_FRAME_HEADER_SIZE] = {0};
        memcpy(frame + 12, payload, 4);
        assert_int_equal(packet_parse(raw, build_raw(1, PACKET_FRAME, 16, frame, 16), &p),
                         PACKET_ERROR_FIELD);
        uint16_t one = 0;
        assert_int_equal(packet_encode_frame(0, 0, bad[i][0], bad[i][1], &one, wire, sizeof(wire)),
                         0);
    }
    assert_false(packet_grid_valid(129, 128));
    assert_true(packet_grid_valid(128, 128));
    assert_true(packet_grid_valid(256, 64));
}

static void test_truncated_rejected(void **state)
{
    (void)state;
    uint16_t values[6] = {1, 2, 3, 4, 5, 6};
    size_t len = unstuff(wire, packet_encode_frame(1, 2, 2, 3, values, wire, sizeof(wire)));
    struct packet p;
    for (size_t cut = 0; cut < len; cut++) {
        int err = packet_parse(raw, cut, &p);
        assert_true(err == (cut < 8 ? PACKET_ERROR_SHORT : PACKET_ERROR_CRC));
    }
}

static void test_encoder_needs_room(void **state)
{
    (void)state;
    uint16_t values[6] = {0};
    size_t needed = PACKET_WIRE_SIZE(PACKET_FRAME_SIZE(6));
    assert_int_equal(packet_encode_frame(1, 2, 2, 3, values, wire, needed - 1), 0);
    assert_true(packet_encode_frame(1, 2, 2, 3, values, wire, needed) > 0);
}

/*
 * The worked examples of hw/PROTOCOL.md, as printed by the independent
 * reference implementation tests/e2e/protocol_reference.py: the C encoder
 * must produce exactly these bytes, and the parser must read them back.
 */
static void test_worked_examples_from_protocol_md(void **state)
{
    (void)state;
    const uint8_t frame_wire[] = {
        0x00, 0x04, 0x01, 0x02, 0x18, 0x02, 0x07, 0x01, 0x01, 0x03, 0xE8, 0x03,
        0x01, 0x01, 0x01, 0x01, 0x01, 0x02, 0x02, 0x02, 0x02, 0x01, 0x01, 0x02,
        0x01, 0x01, 0x08, 0x01, 0xFF, 0x0F, 0x95, 0x4D, 0x1D, 0x89, 0x00,
    };
    const uint16_t values[4] = {0, 1, 256, 4095};
    size_t n = packet_encode_frame(7, 1000, 2, 2, values, wire, sizeof(wire));
    assert_int_equal(n, sizeof(frame_wire));
    assert_memory_equal(wire, frame_wire, n);
    struct packet p;
    assert_int_equal(packet_parse(raw, unstuff(frame_wire, sizeof(frame_wire)), &p), 0);
    assert_int_equal(p.body.frame.sequence, 7);
    uint16_t back[4];
    packet_frame_values(&p.body.frame, back);
    assert_memory_equal(back, values, sizeof(values));

    const uint8_t info_wire[] = {
        0x00, 0x04, 0x01, 0x01, 0x28, 0x02, 0x40, 0x02, 0x20, 0x03, 0x30, 0x75, 0x01,
        0x03, 0x73, 0x55, 0x01, 0x02, 0x0C, 0x01, 0x01, 0x04, 0xA0, 0x86, 0x01, 0x02,
        0x01, 0x01, 0x01, 0x0C, 0x4D, 0x54, 0x2D, 0x53, 0x49, 0x4D, 0x2D, 0x30, 0x30,
        0x30, 0x31, 0x01, 0x01, 0x01, 0x01, 0x05, 0x01, 0xC4, 0x6C, 0x1D, 0x00,
    };
    struct packet_device_info info = {
        .rows = 64,
        .cols = 32,
        .row_pitch_um = 30000,
        .col_pitch_um = 21875,
        .adc_bits = 12,
        .streaming = false,
        .frame_rate_mhz = 100000,
        .firmware_major = 1,
        .serial = "MT-SIM-0001",
    };
    n = packet_encode_device_info(&info, wire, sizeof(wire));
    assert_int_equal(n, sizeof(info_wire));
    assert_memory_equal(wire, info_wire, n);

    const uint8_t start_wire[] = {0x00, 0x03, 0x01, 0x10, 0x01, 0x05, 0xF5, 0x9C, 0x80, 0xE5, 0x00};
    n = packet_encode_command(PACKET_START, wire, sizeof(wire));
    assert_int_equal(n, sizeof(start_wire));
    assert_memory_equal(wire, start_wire, n);
}

/* DEVICE_INFO fields the file stores must be sane: ADC bits and a printable serial. */
static void test_device_info_fields_checked(void **state)
{
    (void)state;
    struct packet p;
    uint8_t payload[PACKET_DEVICE_INFO_SIZE] = {0};
    payload[0] = 64; /* 64 rows */
    payload[2] = 32; /* 32 columns */
    payload[12] = 12;
    memcpy(payload + 24, "MT-1", 4);
    assert_int_equal(packet_parse(raw, build_raw(1, PACKET_DEVICE_INFO, 40, payload, 40), &p), 0);

    static const struct {
        size_t offset;
        uint8_t value;
    } bad[] = {
        {12, 0},    /* 0 ADC bits */
        {12, 17},   /* 17 ADC bits */
        {25, 0x07}, /* a control character in the serial */
        {26, 0xC3}, /* a non-ASCII byte in the serial */
        {30, 'X'},  /* a character after the NUL padding began */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint8_t copy[PACKET_DEVICE_INFO_SIZE];
        memcpy(copy, payload, sizeof(copy));
        copy[bad[i].offset] = bad[i].value;
        assert_int_equal(packet_parse(raw, build_raw(1, PACKET_DEVICE_INFO, 40, copy, 40), &p),
                         PACKET_ERROR_FIELD);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frame_round_trip),
        cmocka_unit_test(test_frame_layout),
        cmocka_unit_test(test_device_info_round_trip),
        cmocka_unit_test(test_commands_round_trip),
        cmocka_unit_test(test_every_bit_flip_rejected),
        cmocka_unit_test(test_well_checksummed_but_wrong),
        cmocka_unit_test(test_grid_limits),
        cmocka_unit_test(test_device_info_fields_checked),
        cmocka_unit_test(test_truncated_rejected),
        cmocka_unit_test(test_encoder_needs_room),
        cmocka_unit_test(test_worked_examples_from_protocol_md),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
