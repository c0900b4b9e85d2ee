/*
 * faults.h - the faults the simulated table injects on purpose: what each
 * frame suffers, decided from the seed alone, what that does to its bytes
 * on the wire, and the timed events (burst, pause, disconnect, reset, grid
 * change) in the order they fire.
 *
 * Per-frame faults of the k-th frame scanned (counted from power-up,
 * across resets) are drawn from their own random stream (seed,
 * FAULTS_STREAM_BASE + k), far from the sensor's streams (seed, 0) and
 * (seed, sequence + 1): enabling faults never changes a frame's values, and
 * a frame's faults depend on nothing but the seed and k, never on its
 * content or on what happened to other frames. Every number is drawn
 * whatever the probabilities, in a fixed order, so turning one kind on
 * never changes the decisions of another.
 *
 * A frame on the wire, and what the per-frame faults do to it:
 *
 *   garbage: 1..64 random bytes (any value)
 *   [ g g ... g ] [00] [ s0 s1 ... s(n-1) ] [00]
 *                        stuffed bytes, never 00
 *     flip:           one bit of one s(i) inverted
 *     garbage_inside: 1..16 random non-zero bytes inserted before s(p),
 *                     1 <= p <= n - 1 (strictly inside the run)
 *     truncate:       only s0 .. s(k-1) kept, 1 <= k <= (run length) - 1,
 *                     then the trailing delimiter
 *
 * applied in that order (an insertion lengthens the run a truncation
 * cuts). Garbage sits between delimiters of its own, so it costs no frame;
 * any of the other three loses the frame, since the receiver rejects the
 * whole run. A dropped frame is not sent at all (its garbage still is).
 *
 * Timed events fire before the first frame scanned at or after their model
 * time; events at the same time fire in the order given.
 */
#ifndef MTABLE_SIM_FAULTS_H
#define MTABLE_SIM_FAULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* First random stream of the per-frame faults: 2^62, beyond every sensor stream (sequence + 1). */
#define FAULTS_STREAM_BASE (UINT64_C(1) << 62)
/* Most garbage bytes sent between two packets. */
#define FAULTS_GARBAGE_MAX 64
/* Most garbage bytes inserted inside one packet. */
#define FAULTS_INSIDE_MAX 16
/* Timed events one run can hold: far more than a test scenario needs; bounds the options. */
#define FAULTS_MAX_EVENTS 64
/* Wire bytes of a frame of len wire bytes after faults_apply, at most. */
#define FAULTS_WIRE_MAX(len) ((len) + FAULTS_GARBAGE_MAX + FAULTS_INSIDE_MAX)

/* Every kind of fault, as the fault log names them. */
enum fault_kind {
    FAULT_GARBAGE,        /* random bytes between packets */
    FAULT_GARBAGE_INSIDE, /* random non-zero bytes inside a frame's packet */
    FAULT_FLIP,           /* one bit of a frame's packet inverted */
    FAULT_TRUNCATE,       /* a frame's packet cut short */
    FAULT_DROP,           /* a frame scanned and not sent: a sequence gap */
    FAULT_BURST,          /* frames sent back to back */
    FAULT_PAUSE,          /* nothing written for a while; frames held */
    FAULT_DISCONNECT,     /* the port closed */
    FAULT_RECONNECT,      /* a new port behind the same link */
    FAULT_RESET,          /* the device restarted */
    FAULT_GRID_CHANGE,    /* the device restarted with another grid */
    FAULT_KINDS
};

/* One timed fault. */
struct fault_event {
    enum fault_kind kind; /* FAULT_BURST, _PAUSE, _DISCONNECT, _RESET or _GRID_CHANGE */
    uint64_t at_ns;       /* model time it fires at */
    uint64_t duration_ns; /* pause, disconnect: how long */
    uint32_t frames;      /* burst: frames sent unpaced */
    unsigned rows, cols;  /* grid change: the new grid */
};

/* What the command line asks for. */
struct fault_settings {
    double garbage;                               /* probability per frame of garbage before it */
    double garbage_inside;                        /* ... of garbage inserted in it */
    double flip;                                  /* ... of a bit flipped in it */
    double truncate;                              /* ... of it being cut short */
    double drop;                                  /* ... of it not being sent */
    struct fault_event events[FAULTS_MAX_EVENTS]; /* by model time, then as given */
    size_t event_count;
};

/* What happens to one frame; made by faults_decide. */
struct fault_decision {
    size_t garbage_length;               /* bytes sent before the frame; 0: none */
    uint8_t garbage[FAULTS_GARBAGE_MAX]; /* those bytes */
    bool drop;                           /* the frame is not sent */
    bool flip;                           /* a bit is flipped ... */
    uint64_t flip_choice;                /* ... which one: this modulo the run's bits */
    size_t inside_length;                /* bytes inserted; 0: none */
    uint8_t inside[FAULTS_INSIDE_MAX];   /* those bytes, never 0x00 */
    uint64_t inside_choice;              /* where: picks p in 1 .. n - 1 */
    bool truncate;                       /* the run is cut ... */
    uint64_t truncate_choice;            /* ... to k bytes: picks k in 1 .. length - 1 */
};

/* Where faults_apply changed a packet, for the fault log (offsets in the stuffed run). */
struct fault_damage {
    size_t flip_offset;   /* byte whose bit was flipped */
    unsigned flip_bit;    /* that bit, 0 = least significant */
    size_t inside_offset; /* the inserted bytes went before this byte */
    size_t kept;          /* truncate: bytes of the run kept ... */
    size_t run_length;    /* ... of this many (after an insertion) */
};

/*
 * Adds a timed event, keeping events in time order (after those already
 * given for the same time). Returns 0, or -ENOSPC when FAULTS_MAX_EVENTS
 * are there already.
 */
int faults_add_event(struct fault_settings *settings, const struct fault_event *event);

/*
 * The next event due at model time time_ns, from *cursor (the index of the
 * first event not fired yet, advanced past it), or NULL when none is due.
 */
const struct fault_event *faults_next_due(const struct fault_settings *settings, size_t *cursor,
                                          uint64_t time_ns);

/* Decides the faults of the frame_index-th frame scanned (from 0) for seed. */
void faults_decide(const struct fault_settings *settings, uint64_t seed, uint64_t frame_index,
                   struct fault_decision *decision);

/* True when the decision loses the frame although it is sent (flip, insert or truncate). */
bool faults_damage_frame(const struct fault_decision *decision);

/*
 * Writes packet (len bytes: 0x00, a stuffed run of at least 2 bytes, 0x00)
 * to out as the decision says: garbage, then the packet flipped, inserted
 * into and truncated. The decision's drop is not looked at. Returns 0 and
 * sets *written and *damage, -EINVAL when packet is not one delimited run,
 * or -ENOBUFS when capacity is below FAULTS_WIRE_MAX(len).
 */
int faults_apply(const struct fault_decision *decision, const uint8_t *packet, size_t len,
                 uint8_t *out, size_t capacity, size_t *written, struct fault_damage *damage);

/* Name of a kind as the fault log writes it ("garbage_inside"). */
const char *faults_kind_name(enum fault_kind kind);

#endif
