/*
 * packet.c - building and checking single packets.
 *
 * Encoders assemble the unstuffed packet near the end of the caller's output
 * buffer and COBS-encode it forward into the front of the same buffer (see
 * cobs_encode), so no packet-sized scratch memory is needed: the firmware
 * sends a frame from one buffer. The parser checks, in order, stuffing, size,
 * CRC, version, length and type-specific layout, so each rejection names the
 * first thing that was wrong.
 */
#include "packet.h"

#include <string.h>

#include "crc32c.h"

static void put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_u32(uint8_t *p, uint32_t v)
{
    put_u16(p, (uint16_t)v);
    put_u16(p + 2, (uint16_t)(v >> 16));
}

static void put_u64(uint8_t *p, uint64_t v)
{
    put_u32(p, (uint32_t)v);
    put_u32(p + 4, (uint32_t)(v >> 32));
}

static uint16_t get_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)get_u16(p) | ((uint32_t)get_u16(p + 2) << 16);
}

static uint64_t get_u64(const uint8_t *p)
{
    return (uint64_t)get_u32(p) | ((uint64_t)get_u32(p + 4) << 32);
}

bool packet_grid_valid(unsigned rows, unsigned cols)
{
    return rows >= 1 && cols >= 1 && rows <= PACKET_MAX_SIDE && cols <= PACKET_MAX_SIDE &&
           rows * cols <= PACKET_MAX_TAXELS;
}

/*
 * Reserves room in out for an unstuffed packet of payload_len payload bytes
 * and writes its header. Returns where the payload goes, or NULL if out is
 * too small. The packet is finished by finish_packet.
 */
static uint8_t *start_packet(uint8_t type, size_t payload_len, uint8_t *out, size_t capacity)
{
    size_t raw_len = PACKET_HEADER_SIZE + payload_len + PACKET_CRC_SIZE;
    if (payload_len > UINT16_MAX || capacity < PACKET_WIRE_SIZE(raw_len))
        return NULL;
    uint8_t *raw = out + 1 + (COBS_ENCODED_MAX(raw_len) - raw_len);
    raw[0] = PACKET_VERSION;
    raw[1] = type;
    put_u16(raw + 2, (uint16_t)payload_len);
    return raw + PACKET_HEADER_SIZE;
}

/* Appends the CRC, stuffs the packet in place and adds both delimiters. */
static size_t finish_packet(size_t payload_len, uint8_t *out, size_t capacity)
{
    size_t raw_len = PACKET_HEADER_SIZE + payload_len + PACKET_CRC_SIZE;
    uint8_t *raw = out + 1 + (COBS_ENCODED_MAX(raw_len) - raw_len);
    put_u32(raw + raw_len - PACKET_CRC_SIZE, crc32c(raw, raw_len - PACKET_CRC_SIZE));
    out[0] = 0;
    size_t stuffed = cobs_encode(raw, raw_len, out + 1, capacity - 2);
    out[1 + stuffed] = 0;
    return stuffed + 2;
}

size_t packet_encode_frame(uint32_t sequence, uint64_t device_time_us, uint16_t rows, uint16_t cols,
                           const uint16_t *values, uint8_t *out, size_t capacity)
{
    if (!packet_grid_valid(rows, cols))
        return 0;
    size_t taxels = (size_t)rows * cols;
    size_t payload_len = PACKET_FRAME_HEADER_SIZE + 2 * taxels;
    uint8_t *p = start_packet(PACKET_FRAME, payload_len, out, capacity);
    if (p == NULL)
        return 0;
    put_u32(p, sequence);
    put_u64(p + 4, device_time_us);
    put_u16(p + 12, rows);
    put_u16(p + 14, cols);
    p += PACKET_FRAME_HEADER_SIZE;
    for (size_t i = 0; i < taxels; i++)
        put_u16(p + 2 * i, values[i]);
    return finish_packet(payload_len, out, capacity);
}

size_t packet_encode_device_info(const struct packet_device_info *info, uint8_t *out,
                                 size_t capacity)
{
    if (!packet_grid_valid(info->rows, info->cols) || info->adc_bits < 1 || info->adc_bits > 16)
        return 0;
    uint8_t *p = start_packet(PACKET_DEVICE_INFO, PACKET_DEVICE_INFO_SIZE, out, capacity);
    if (p == NULL)
        return 0;
    put_u16(p, info->rows);
    put_u16(p + 2, info->cols);
    put_u32(p + 4, info->row_pitch_um);
    put_u32(p + 8, info->col_pitch_um);
    p[12] = info->adc_bits;
    p[13] = info->streaming ? 1 : 0;
    put_u16(p + 14, 0);
    put_u32(p + 16, info->frame_rate_mhz);
    p[20] = info->firmware_major;
    p[21] = info->firmware_minor;
    put_u16(p + 22, info->firmware_patch);
    memset(p + 24, 0, PACKET_SERIAL_SIZE);
    memcpy(p + 24, info->serial, strnlen(info->serial, PACKET_SERIAL_SIZE));
    return finish_packet(PACKET_DEVICE_INFO_SIZE, out, capacity);
}

size_t packet_encode_ack(uint8_t command, enum packet_ack_status status, uint8_t *out,
                         size_t capacity)
{
    uint8_t *p = start_packet(PACKET_ACK, 2, out, capacity);
    if (p == NULL)
        return 0;
    p[0] = command;
    p[1] = (uint8_t)status;
    return finish_packet(2, out, capacity);
}

size_t packet_encode_command(enum packet_type command, uint8_t *out, size_t capacity)
{
    if (command != PACKET_START && command != PACKET_STOP && command != PACKET_GET_INFO)
        return 0;
    if (start_packet((uint8_t)command, 0, out, capacity) == NULL)
        return 0;
    return finish_packet(0, out, capacity);
}

size_t packet_encode_set_rate(uint32_t frame_rate_mhz, uint8_t *out, size_t capacity)
{
    uint8_t *p = start_packet(PACKET_SET_RATE, 4, out, capacity);
    if (p == NULL)
        return 0;
    put_u32(p, frame_rate_mhz);
    return finish_packet(4, out, capacity);
}

void packet_frame_values(const struct packet_frame *frame, uint16_t *out)
{
    size_t taxels = (size_t)frame->rows * frame->cols;
    for (size_t i = 0; i < taxels; i++)
        out[i] = get_u16(frame->values + 2 * i);
}

static int parse_device_info(const uint8_t *p, size_t len, struct packet_device_info *info)
{
    if (len != PACKET_DEVICE_INFO_SIZE)
        return PACKET_ERROR_LENGTH;
    info->rows = get_u16(p);
    info->cols = get_u16(p + 2);
    if (!packet_grid_valid(info->rows, info->cols))
        return PACKET_ERROR_FIELD;
    info->row_pitch_um = get_u32(p + 4);
    info->col_pitch_um = get_u32(p + 8);
    info->adc_bits = p[12];
    if (info->adc_bits < 1 || info->adc_bits > 16)
        return PACKET_ERROR_FIELD;
    info->streaming = (p[13] & 1) != 0;
    info->frame_rate_mhz = get_u32(p + 16);
    info->firmware_major = p[20];
    info->firmware_minor = p[21];
    info->firmware_patch = get_u16(p + 22);
    memcpy(info->serial, p + 24, PACKET_SERIAL_SIZE);
    info->serial[PACKET_SERIAL_SIZE] = '\0';
    /* Printable ASCII, then only NUL padding: it becomes a text attribute in the file. */
    size_t length = strnlen(info->serial, PACKET_SERIAL_SIZE);
    for (size_t i = 0; i < PACKET_SERIAL_SIZE; i++)
        if (i < length ? info->serial[i] < 0x20 || info->serial[i] > 0x7E : p[24 + i] != 0)
            return PACKET_ERROR_FIELD;
    return 0;
}

static int parse_frame(const uint8_t *p, size_t len, struct packet_frame *frame)
{
    if (len < PACKET_FRAME_HEADER_SIZE)
        return PACKET_ERROR_LENGTH;
    uint16_t rows = get_u16(p + 12);
    uint16_t cols = get_u16(p + 14);
    if (!packet_grid_valid(rows, cols))
        return PACKET_ERROR_FIELD;
    if (len != PACKET_FRAME_HEADER_SIZE + 2 * (size_t)rows * cols)
        return PACKET_ERROR_LENGTH;
    frame->sequence = get_u32(p);
    frame->device_time_us = get_u64(p + 4);
    frame->rows = rows;
    frame->cols = cols;
    frame->values = p + PACKET_FRAME_HEADER_SIZE;
    return 0;
}

int packet_parse(const uint8_t *raw, size_t len, struct packet *out)
{
    if (len < PACKET_HEADER_SIZE + PACKET_CRC_SIZE)
        return PACKET_ERROR_SHORT;
    size_t body_len = len - PACKET_CRC_SIZE;
    if (crc32c(raw, body_len) != get_u32(raw + body_len))
        return PACKET_ERROR_CRC;
    if (raw[0] != PACKET_VERSION)
        return PACKET_ERROR_VERSION;
    size_t payload_len = body_len - PACKET_HEADER_SIZE;
    if (get_u16(raw + 2) != payload_len)
        return PACKET_ERROR_LENGTH;
    const uint8_t *p = raw + PACKET_HEADER_SIZE;
    struct packet parsed;
    int err = 0;
    parsed.type = (enum packet_type)raw[1];
    switch (raw[1]) {
    case PACKET_DEVICE_INFO:
        err = parse_device_info(p, payload_len, &parsed.body.info);
        break;
    case PACKET_FRAME:
        err = parse_frame(p, payload_len, &parsed.body.frame);
        break;
    case PACKET_ACK:
        if (payload_len != 2)
            return PACKET_ERROR_LENGTH;
        parsed.body.ack.command = p[0];
        parsed.body.ack.status = (enum packet_ack_status)p[1];
        break;
    case PACKET_SET_RATE:
        if (payload_len != 4)
            return PACKET_ERROR_LENGTH;
        parsed.body.frame_rate_mhz = get_u32(p);
        break;
    case PACKET_START:
    case PACKET_STOP:
    case PACKET_GET_INFO:
        if (payload_len != 0)
            return PACKET_ERROR_LENGTH;
        break;
    default:
        return PACKET_ERROR_TYPE;
    }
    if (err == 0)
        *out = parsed;
    return err;
}

const char *packet_error_name(int error)
{
    switch (error) {
    case PACKET_ERROR_FRAMING:
        return "framing error (invalid byte stuffing)";
    case PACKET_ERROR_SHORT:
        return "truncated packet";
    case PACKET_ERROR_CRC:
        return "CRC mismatch";
    case PACKET_ERROR_VERSION:
        return "unknown protocol version";
    case PACKET_ERROR_TYPE:
        return "unknown packet type";
    case PACKET_ERROR_LENGTH:
        return "wrong packet length";
    case PACKET_ERROR_FIELD:
        return "field out of range (grid size, ADC bits or serial)";
    case PACKET_ERROR_OVERSIZE:
        return "oversize packet";
    default:
        return "unknown error";
    }
}
