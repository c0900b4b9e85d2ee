/*
 * record.h - what the reader thread hands the writer thread through the ring.
 *
 * Each ring slot holds one record: a frame (with its values after the
 * header), a link event (something that happened on the serial link and
 * must be written to the file), a new device description, or the end of
 * the stream. Link events are also the rows of the session file's
 * /link_events table (acquisition/FILE_FORMAT.md).
 */
#ifndef MTABLE_RECORD_H
#define MTABLE_RECORD_H

#include <stdint.h>

#include "packet.h"

struct ring;

/* What happened on the link; the numbers are stored in the session file. */
enum link_event_kind {
    LINK_EVENT_GAP = 1,       /* frames never received: count from first missing sequence */
    LINK_EVENT_DROP = 2,      /* frames received but not recorded: the writer fell behind */
    LINK_EVENT_FRAMING = 3,   /* decode errors, one kind per enum packet_error ... */
    LINK_EVENT_TRUNCATED = 4, /*   (kind = LINK_EVENT_FRAMING - 1 - error) */
    LINK_EVENT_CRC = 5,
    LINK_EVENT_VERSION = 6,
    LINK_EVENT_TYPE = 7,
    LINK_EVENT_LENGTH = 8,
    LINK_EVENT_FIELD = 9,
    LINK_EVENT_OVERSIZE = 10,     /* ... up to here */
    LINK_EVENT_SHAPE = 11,        /* intact frame whose grid differs from the device's */
    LINK_EVENT_DISCONNECT = 12,   /* the port hung up or vanished */
    LINK_EVENT_RECONNECT = 13,    /* the port is back and the device answered */
    LINK_EVENT_DEVICE_RESET = 14, /* the device restarted: sequence and clock restart */
};

/* Highest link_event_kind value. */
#define LINK_EVENT_KIND_MAX LINK_EVENT_DEVICE_RESET

/* Link event kind for a packet decode error (enum packet_error). */
#define LINK_EVENT_FROM_PACKET_ERROR(error)                                                        \
    ((enum link_event_kind)(LINK_EVENT_FRAMING - 1 - (error)))

/* One row of /link_events. Consecutive events of one kind may be merged. */
struct link_event {
    int64_t host_time_ns; /* host clock (UTC, ns since 1970) when first noticed */
    enum link_event_kind kind;
    uint32_t sequence; /* GAP, DROP: first sequence affected; others: last frame sequence received
                          before */
    uint32_t count;    /* GAP, DROP: frames; decode errors: rejected packets; others: 1 */
    uint32_t bytes;    /* decode errors: bytes discarded; others: 0 */
};

/* Kinds of record. */
enum record_kind {
    RECORD_FRAME = 1,  /* a frame; values follow the header */
    RECORD_EVENT = 2,  /* a link event */
    RECORD_DEVICE = 3, /* device info arrived; may carry the ring to continue on */
    RECORD_END = 4,    /* the reader has stopped; nothing follows */
};

/* A new device description; with next_ring, the hand-over to a ring sized for its grid. */
struct device_change {
    struct packet_device_info info;
    int64_t host_time_ns;   /* host clock (UTC) when the description arrived */
    struct ring *next_ring; /* non-NULL: later records are in this ring, free the old one */
};

/* Header of every ring slot. */
struct record {
    enum record_kind kind;
    union {
        struct {
            uint32_t sequence;       /* device's frame number */
            uint64_t device_time_us; /* device clock at scan start */
            int64_t host_time_ns;    /* host clock (UTC) when the frame was decoded */
        } frame;
        struct link_event event;
        struct device_change device;
    } body;
    uint16_t values[]; /* RECORD_FRAME: rows * cols values, row-major */
};

#endif
