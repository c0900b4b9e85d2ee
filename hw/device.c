/*
 * device.c - commands in, answers and frames out, as hw/PROTOCOL.md 3.4 and 5.
 *
 * Received bytes go through the shared stream decoder on the caller's small
 * buffer, so a command is acted on only once it arrived intact. The answer
 * to each command is encoded straight into the caller's buffer; device_receive
 * returns after each one, so the caller can send it between frames and never
 * needs room for more than one answer.
 *
 * The one packet the decoder cannot hand over is a command of a type it does
 * not know: it rejects it as PACKET_ERROR_TYPE, after checking its CRC,
 * version and length, and keeps its type byte (decoder.rejected_type). Such
 * a packet is intact and is answered ACK "unsupported" when its type is in
 * the host's range.
 */
#include "device.h"

#include <errno.h>
#include <string.h>

/* First packet type of the host-to-device range (PROTOCOL.md section 3). */
#define DEVICE_FIRST_COMMAND_TYPE 0x10

static bool serial_valid(const char *serial)
{
    size_t length = strnlen(serial, PACKET_SERIAL_SIZE + 1);
    if (length > PACKET_SERIAL_SIZE)
        return false;
    for (size_t i = 0; i < length; i++) {
        if (serial[i] < 0x20 || serial[i] > 0x7E)
            return false;
    }
    return true;
}

int device_init(struct device *device, const struct packet_device_info *info,
                const struct device_rate_limits *limits, uint8_t *rx_buffer, size_t rx_capacity)
{
    if (!packet_grid_valid(info->rows, info->cols) || info->adc_bits < 1 || info->adc_bits > 16 ||
        !serial_valid(info->serial))
        return -EINVAL;
    if (limits->min_mhz < 1 || limits->min_mhz > limits->max_mhz ||
        info->frame_rate_mhz < limits->min_mhz || info->frame_rate_mhz > limits->max_mhz)
        return -EINVAL;
    if (rx_capacity < DEVICE_RX_BUFFER_MIN)
        return -EINVAL;
    device->info = *info;
    device->info.streaming = false;
    device->limits = *limits;
    device->sequence = 0;
    device->ignored_packets = 0;
    decoder_init(&device->decoder, rx_buffer, rx_capacity);
    return 0;
}

int device_encode_info(const struct device *device, uint8_t *out, size_t capacity, size_t *written)
{
    size_t length = packet_encode_device_info(&device->info, out, capacity);
    if (length == 0)
        return -ENOBUFS;
    *written = length;
    return 0;
}

/* Carries out one intact command; returns the status its ACK reports. */
static enum packet_ack_status execute(struct device *device, const struct packet *command)
{
    switch (command->type) {
    case PACKET_START:
        device->info.streaming = true;
        return PACKET_ACK_OK;
    case PACKET_STOP:
        device->info.streaming = false;
        return PACKET_ACK_OK;
    case PACKET_SET_RATE:
        if (command->body.frame_rate_mhz < device->limits.min_mhz ||
            command->body.frame_rate_mhz > device->limits.max_mhz)
            return PACKET_ACK_BAD_ARGUMENT;
        device->info.frame_rate_mhz = command->body.frame_rate_mhz;
        return PACKET_ACK_OK;
    default:
        return PACKET_ACK_UNSUPPORTED;
    }
}

int device_receive(struct device *device, const uint8_t **cursor, const uint8_t *end,
                   uint8_t *answer, size_t capacity, size_t *answer_len)
{
    if (capacity < DEVICE_ANSWER_MAX)
        return -ENOBUFS;
    for (;;) {
        struct packet command;
        int result = decoder_next(&device->decoder, cursor, end, &command);
        if (result == 0)
            return 0;
        size_t length = 0;
        if (result == PACKET_ERROR_TYPE &&
            device->decoder.rejected_type >= DEVICE_FIRST_COMMAND_TYPE) {
            length = packet_encode_ack(device->decoder.rejected_type, PACKET_ACK_UNSUPPORTED,
                                       answer, capacity);
        } else if (result < 0 || command.type < DEVICE_FIRST_COMMAND_TYPE) {
            device->ignored_packets++;
            continue;
        } else if (command.type == PACKET_GET_INFO) {
            length = packet_encode_device_info(&device->info, answer, capacity);
        } else {
            enum packet_ack_status status = execute(device, &command);
            length = packet_encode_ack((uint8_t)command.type, status, answer, capacity);
        }
        *answer_len = length;
        return 1;
    }
}

int device_encode_frame(struct device *device, uint64_t device_time_us, const uint16_t *values,
                        uint8_t *out, size_t capacity, size_t *written)
{
    size_t length = packet_encode_frame(device->sequence, device_time_us, device->info.rows,
                                        device->info.cols, values, out, capacity);
    if (length == 0)
        return -ENOBUFS;
    device->sequence++;
    *written = length;
    return 0;
}

void device_skip_frame(struct device *device)
{
    device->sequence++;
}

void device_stop(struct device *device)
{
    device->info.streaming = false;
}

bool device_streaming(const struct device *device)
{
    return device->info.streaming;
}

uint32_t device_frame_rate_mhz(const struct device *device)
{
    return device->info.frame_rate_mhz;
}

uint32_t device_next_sequence(const struct device *device)
{
    return device->sequence;
}

uint32_t device_ignored_packets(const struct device *device)
{
    return device->ignored_packets;
}

size_t device_frame_wire_size(const struct device *device)
{
    return PACKET_WIRE_SIZE(PACKET_FRAME_SIZE((size_t)device->info.rows * device->info.cols));
}
