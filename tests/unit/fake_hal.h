/*
 * fake_hal.h - a recording implementation of hw/firmware/hal.h for unit tests.
 *
 * Time is simulated: it moves only when the firmware waits for settling
 * (hal_delay_ns), converts (fake_hal.conversion_ns each), or sleeps
 * (hal_wait_for_interrupt jumps to the next thing that would wake it: the
 * alarm or the end of a transmission). Every call that touches the
 * hardware is logged with the time it happened, so tests can check order
 * and timing.
 *
 * ADC readings come from fake_hal.reading(row, column, scan), where row is
 * the row driven (FAKE_NO_ROW if none), column = input * 16 + channel, and
 * scan counts the drives of row 0 (0 for the first). Bytes sent collect in
 * fake_hal.sent; the link is busy for fake_hal.byte_ns per byte after a
 * send. Bytes for the firmware to receive are queued with fake_hal_input,
 * each readable from a given time; a sleeping firmware wakes then.
 */
#ifndef MTABLE_FAKE_HAL_H
#define MTABLE_FAKE_HAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Row argument of reading() when no row is driven. */
#define FAKE_NO_ROW 0xFFFFu
/* Calls the log holds; more are counted in dropped_events. */
#define FAKE_MAX_EVENTS 65536
/* Bytes the link collects. */
#define FAKE_MAX_SENT (1u << 20)
/* Bytes waiting to be received. */
#define FAKE_MAX_INPUT 1024

/* What the firmware did. */
enum fake_event_kind {
    FAKE_ROW_DRIVE,   /* arg: row */
    FAKE_ROW_RELEASE, /* arg: row */
    FAKE_MUX_SELECT,  /* arg: channel */
    FAKE_DELAY,       /* arg: nanoseconds */
    FAKE_SAMPLE,      /* arg: ADC input */
    FAKE_ALARM_AT,    /* arg: alarm time, microseconds */
    FAKE_CANCEL,      /* arg: 0 */
    FAKE_SEND,        /* arg: bytes */
    FAKE_WAIT,        /* arg: 1 if something could wake it, 0 if nothing ever would */
};

/* One logged call. */
struct fake_event {
    enum fake_event_kind kind;
    uint64_t arg;
    uint64_t time_ns; /* simulated time when it was called */
    uint64_t end_ns;  /* FAKE_SEND: when the link is free again */
};

/* The fake hardware's whole state; tests read and set it directly. */
struct fake_hal {
    uint64_t now_ns;        /* the simulated clock */
    uint32_t conversion_ns; /* time one hal_adc_sample takes */
    uint16_t (*reading)(unsigned row, unsigned column, unsigned scan); /* the ADC */
    unsigned driven_row; /* FAKE_NO_ROW or the row driven */
    unsigned channel;    /* multiplexer address */
    unsigned scans;      /* drives of row 0 so far */
    bool alarm_armed;
    uint64_t alarm_us;
    bool masked;            /* interrupts disabled */
    uint64_t byte_ns;       /* time the link takes per byte */
    uint64_t busy_until_ns; /* end of the transmission in progress */
    uint8_t *sent;          /* every byte sent, FAKE_MAX_SENT */
    size_t sent_len;
    uint8_t input[FAKE_MAX_INPUT];        /* bytes to receive */
    uint64_t input_at_ns[FAKE_MAX_INPUT]; /* when each becomes readable */
    size_t input_start, input_end;
    struct fake_event *events; /* the log, FAKE_MAX_EVENTS */
    size_t event_count;
    size_t dropped_events;
    bool stuck;              /* the last wait had nothing that could ever wake it */
    unsigned unmasked_waits; /* waits entered with interrupts enabled: a lost wake-up */
};

/* The fake hardware. */
extern struct fake_hal fake_hal;

/* Resets the fake: time start_ns, no row, channel 0, nothing armed, nothing sent or queued. */
void fake_hal_reset(uint64_t start_ns, uint16_t (*reading)(unsigned, unsigned, unsigned));

/* Frees the fake's buffers. */
void fake_hal_free(void);

/* Queues bytes for the firmware to receive from time at_ns (after those queued before). */
void fake_hal_input(uint64_t at_ns, const uint8_t *bytes, size_t len);

#endif
