/*
 * device.h - the device side of the wire protocol: what the table does with
 * commands, and how it numbers and encodes the frames it scans.
 *
 * The firmware and the simulator (tools/sim) both run this code, so both
 * behave exactly as hw/PROTOCOL.md sections 3.4 and 5 say. Portable C11: no
 * I/O, no allocation, no floating point; the caller owns every buffer, reads
 * the link, keeps time, scans the grid and sends the bytes:
 *
 *   reset        device_init, then send device_encode_info's packet
 *   bytes in     device_receive, one answer (ACK or DEVICE_INFO) at a time;
 *                then device_streaming / device_frame_rate_mhz tell whether
 *                START, STOP or SET_RATE changed anything
 *   each scan    device_encode_frame (assigns the sequence number) and send,
 *                or device_skip_frame when the frame cannot be sent
 *
 * State, all in struct device (a few hundred bytes plus the caller's
 * receive buffer, DEVICE_RX_BUFFER_SIZE bytes on the firmware):
 *
 *   +----------+--------------------------------------------------------+
 *   | info     | the DEVICE_INFO contents; streaming and frame_rate_mhz |
 *   |          | change with commands, the rest is fixed at reset       |
 *   | limits   | frame rates SET_RATE accepts                           |
 *   | sequence | number of the next frame scanned (0 after reset)       |
 *   | decoder  | command bytes received so far                          |
 *   +----------+--------------------------------------------------------+
 */
#ifndef MTABLE_DEVICE_H
#define MTABLE_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decoder.h"
#include "packet.h"

/* Smallest receive buffer: holds the longest command (SET_RATE, 12 bytes) stuffed. */
#define DEVICE_RX_BUFFER_MIN COBS_ENCODED_MAX(PACKET_HEADER_SIZE + 4 + PACKET_CRC_SIZE)
/*
 * Receive buffer the firmware and simulator use: every command, and unknown
 * commands with up to 55 payload bytes, which are still answered "unsupported".
 */
#define DEVICE_RX_BUFFER_SIZE 64
/* Largest answer to one command: a DEVICE_INFO packet on the wire. */
#define DEVICE_ANSWER_MAX                                                                          \
    PACKET_WIRE_SIZE(PACKET_HEADER_SIZE + PACKET_DEVICE_INFO_SIZE + PACKET_CRC_SIZE)

/* Frame rates the device can scan at; SET_RATE outside them is a bad argument. */
struct device_rate_limits {
    uint32_t min_mhz; /* slowest rate, millihertz, at least 1 */
    uint32_t max_mhz; /* fastest rate, millihertz */
};

/* One device; set up with device_init. Fields are private to device.c. */
struct device {
    struct packet_device_info info;   /* what DEVICE_INFO reports now */
    struct device_rate_limits limits; /* rates SET_RATE accepts */
    uint32_t sequence;                /* number of the next frame scanned */
    uint32_t ignored_packets;         /* damaged or device-bound packets received */
    struct decoder decoder;           /* finds commands in the received bytes */
};

/*
 * Resets the device: idle, sequence 0, rate and identity from info (its
 * streaming flag is ignored), commands collected in rx_buffer (rx_capacity
 * bytes, at least DEVICE_RX_BUFFER_MIN). Returns -EINVAL when info is not a
 * valid DEVICE_INFO (grid, adc_bits, serial of printable ASCII), the limits
 * are empty or exclude info's rate, or the buffer is too small.
 */
int device_init(struct device *device, const struct packet_device_info *info,
                const struct device_rate_limits *limits, uint8_t *rx_buffer, size_t rx_capacity);

/*
 * Encodes DEVICE_INFO as it stands (the packet to send at reset) into out,
 * capacity bytes (DEVICE_ANSWER_MAX suffice). Returns 0 and sets *written,
 * or -ENOBUFS.
 */
int device_encode_info(const struct device *device, uint8_t *out, size_t capacity, size_t *written);

/*
 * Consumes received bytes from *cursor (advanced past what was used) up to
 * end, acting on each command, and stops at the first one that needs an
 * answer. Returns 1 with the answer's wire bytes in answer (*answer_len
 * bytes), 0 when the input is used up, or -ENOBUFS (nothing consumed) when
 * capacity is below DEVICE_ANSWER_MAX. Call again until it returns 0.
 * Damaged packets and packets meant for the host are ignored and counted.
 */
int device_receive(struct device *device, const uint8_t **cursor, const uint8_t *end,
                   uint8_t *answer, size_t capacity, size_t *answer_len);

/*
 * Encodes the next frame scanned: values are rows x cols native readings,
 * row-major, device_time_us when the scan began. Takes the next sequence
 * number. Returns 0 and sets *written, or -ENOBUFS (capacity below
 * device_frame_wire_size; the sequence number is not used up).
 */
int device_encode_frame(struct device *device, uint64_t device_time_us, const uint16_t *values,
                        uint8_t *out, size_t capacity, size_t *written);

/* Uses up the next sequence number for a frame scanned but not sent. */
void device_skip_frame(struct device *device);

/* Stops streaming on the device's own decision (no ACK: nothing asked for it). */
void device_stop(struct device *device);

/* True while the device streams frames (after START, until STOP). */
bool device_streaming(const struct device *device);

/* Current frame rate, millihertz. */
uint32_t device_frame_rate_mhz(const struct device *device);

/* Sequence number the next frame scanned will carry. */
uint32_t device_next_sequence(const struct device *device);

/* Packets received and ignored since reset: damaged, or not commands. */
uint32_t device_ignored_packets(const struct device *device);

/* Bytes on the wire of one frame of this device's grid: the buffer a frame needs. */
size_t device_frame_wire_size(const struct device *device);

#endif
