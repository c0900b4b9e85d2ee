/*
 * packet.h - the packets of the mtable wire protocol (hw/PROTOCOL.md).
 *
 * A packet before byte stuffing:
 *
 *   +---------+------+---------------+-----------------+---------------+
 *   | version | type | length (u16)  | payload[length] | CRC-32C (u32) |
 *   +---------+------+---------------+-----------------+---------------+
 *     1 byte   1 byte  little-endian                     little-endian,
 *                                                        over all before it
 *
 * On the wire each packet travels as 0x00, COBS(packet), 0x00. This module
 * builds and checks single packets; decoder.h finds them in a byte stream.
 * All multi-byte fields are little-endian whatever the host's byte order.
 * No I/O and no allocation: the firmware, the simulator and the daemon all
 * link it.
 */
#ifndef MTABLE_PACKET_H
#define MTABLE_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cobs.h"

/* Protocol version carried in every packet; a receiver rejects any other. */
#define PACKET_VERSION 1

/* Largest grid side: a 256-taxel side already exceeds any table or mat. */
#define PACKET_MAX_SIDE 256
/* Largest grid (128 x 128): bounds every buffer, keeps a frame under 32 KiB. */
#define PACKET_MAX_TAXELS 16384

/* Bytes of version, type and length before the payload. */
#define PACKET_HEADER_SIZE 4
/* Bytes of CRC after the payload. */
#define PACKET_CRC_SIZE 4
/* Bytes of a frame payload before its values. */
#define PACKET_FRAME_HEADER_SIZE 16
/* Bytes of a device-info payload. */
#define PACKET_DEVICE_INFO_SIZE 40
/* Bytes of the device serial string in device info (NUL-padded). */
#define PACKET_SERIAL_SIZE 16

/* Unstuffed size of a frame packet of n taxels. */
#define PACKET_FRAME_SIZE(n)                                                                       \
    (PACKET_HEADER_SIZE + PACKET_FRAME_HEADER_SIZE + 2 * (size_t)(n) + PACKET_CRC_SIZE)
/* Largest unstuffed packet (a frame of PACKET_MAX_TAXELS). */
#define PACKET_MAX_SIZE PACKET_FRAME_SIZE(PACKET_MAX_TAXELS)
/* Bytes on the wire for an unstuffed packet of n bytes: stuffing plus two delimiters. */
#define PACKET_WIRE_SIZE(n) (COBS_ENCODED_MAX(n) + 2)
/* Largest packet on the wire. */
#define PACKET_MAX_WIRE_SIZE PACKET_WIRE_SIZE(PACKET_MAX_SIZE)

/* Packet types. Device to host below 0x10, host to device from 0x10. */
enum packet_type {
    PACKET_DEVICE_INFO = 0x01, /* grid geometry and identity; sent at reset and on GET_INFO */
    PACKET_FRAME = 0x02,       /* one scan of the grid */
    PACKET_ACK = 0x03,         /* answer to START, STOP and SET_RATE */
    PACKET_START = 0x10,       /* begin streaming frames */
    PACKET_STOP = 0x11,        /* stop streaming frames */
    PACKET_SET_RATE = 0x12,    /* change the frame rate */
    PACKET_GET_INFO = 0x13,    /* ask for a DEVICE_INFO packet */
};

/* Result codes carried by an ACK. */
enum packet_ack_status {
    PACKET_ACK_OK = 0,           /* command carried out */
    PACKET_ACK_UNSUPPORTED = 1,  /* unknown command type */
    PACKET_ACK_BAD_ARGUMENT = 2, /* e.g. a frame rate the device cannot scan at */
};

/* Why a packet was rejected (packet_parse and the stream decoder). */
enum packet_error {
    PACKET_ERROR_FRAMING = -1,  /* not valid COBS: the bytes were damaged */
    PACKET_ERROR_SHORT = -2,    /* fewer bytes than header and CRC: truncated */
    PACKET_ERROR_CRC = -3,      /* CRC-32C mismatch: corrupted in transit */
    PACKET_ERROR_VERSION = -4,  /* another protocol version */
    PACKET_ERROR_TYPE = -5,     /* unknown packet type */
    PACKET_ERROR_LENGTH = -6,   /* length field or payload size wrong for the type */
    PACKET_ERROR_FIELD = -7,    /* a field out of range: grid size, ADC bits, serial */
    PACKET_ERROR_OVERSIZE = -8, /* longer than the largest packet before a delimiter */
};

/* Number of packet_error kinds (for tables of counters indexed by -error - 1). */
#define PACKET_ERROR_KINDS 8

/* Grid identity and capabilities of a table, from a DEVICE_INFO packet. */
struct packet_device_info {
    uint16_t rows;           /* taxel rows; row 0 is the head end */
    uint16_t cols;           /* taxel columns */
    uint32_t row_pitch_um;   /* centre-to-centre distance between rows, micrometres */
    uint32_t col_pitch_um;   /* centre-to-centre distance between columns, micrometres */
    uint8_t adc_bits;        /* resolution of each value, 1..16 */
    bool streaming;          /* frames are being sent */
    uint32_t frame_rate_mhz; /* frame rate in millihertz (100 frames/s = 100000) */
    uint8_t firmware_major;  /* firmware version, major */
    uint8_t firmware_minor;  /* firmware version, minor */
    uint16_t firmware_patch; /* firmware version, patch */
    char serial[PACKET_SERIAL_SIZE + 1]; /* device serial number, NUL-terminated */
};

/* One scan of the grid as it travels: values stay in wire byte order. */
struct packet_frame {
    uint32_t sequence;       /* frame counter since device reset, wraps at 2^32 */
    uint64_t device_time_us; /* device clock when the scan started, microseconds since reset */
    uint16_t rows;           /* rows in this frame */
    uint16_t cols;           /* columns in this frame */
    const uint8_t *values;   /* rows * cols little-endian uint16, row-major */
};

/* Answer to a command. */
struct packet_ack {
    uint8_t command;               /* type of the command answered */
    enum packet_ack_status status; /* what became of it */
};

/* One parsed packet; which member is valid depends on type. */
struct packet {
    enum packet_type type;
    union {
        struct packet_device_info info; /* PACKET_DEVICE_INFO */
        struct packet_frame frame;      /* PACKET_FRAME */
        struct packet_ack ack;          /* PACKET_ACK */
        uint32_t frame_rate_mhz;        /* PACKET_SET_RATE */
    } body;
};

/* True when rows x cols is a grid the protocol allows. */
bool packet_grid_valid(unsigned rows, unsigned cols);

/*
 * Checks and parses one unstuffed packet of len bytes. On success returns 0
 * and fills *out (a frame's values point into raw); otherwise returns a
 * negative enum packet_error and leaves *out alone.
 */
int packet_parse(const uint8_t *raw, size_t len, struct packet *out);

/*
 * Encoders. Each writes the complete wire form (delimiter, COBS bytes,
 * delimiter) into out, capacity bytes, and returns the number of bytes
 * written, or 0 when the arguments are invalid or out is too small.
 */

/* Frame packet; values are rows * cols native uint16, row-major. */
size_t packet_encode_frame(uint32_t sequence, uint64_t device_time_us, uint16_t rows, uint16_t cols,
                           const uint16_t *values, uint8_t *out, size_t capacity);

/* DEVICE_INFO packet. */
size_t packet_encode_device_info(const struct packet_device_info *info, uint8_t *out,
                                 size_t capacity);

/* ACK packet. */
size_t packet_encode_ack(uint8_t command, enum packet_ack_status status, uint8_t *out,
                         size_t capacity);

/* A command without argument: PACKET_START, PACKET_STOP or PACKET_GET_INFO. */
size_t packet_encode_command(enum packet_type command, uint8_t *out, size_t capacity);

/* SET_RATE command. */
size_t packet_encode_set_rate(uint32_t frame_rate_mhz, uint8_t *out, size_t capacity);

/* Copies a frame's rows * cols values into native uint16. */
void packet_frame_values(const struct packet_frame *frame, uint16_t *out);

/* Short English name of a packet error, for logs ("CRC mismatch"). */
const char *packet_error_name(int error);

#endif
