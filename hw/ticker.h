/*
 * ticker.h - the times at which frames are due, at a rate given in
 * millihertz, exact and drift-free with integer arithmetic only.
 *
 * Times count `units` per second (10^6 for the firmware's microseconds,
 * 10^9 for the simulator's nanoseconds). The period of rate r mHz is
 * units * 1000 / r, rarely a whole number (30 frames/s: 33,333.33 us). The
 * ticker adds the whole units and carries the remainder in units of 1/r (as
 * Bresenham's line algorithm carries its error), so tick k after a start at
 * s falls at exactly s + floor(k * units * 1000 / r) however long the table
 * runs. No operating-system clock: the microcontroller builds it too.
 */
#ifndef MTABLE_TICKER_H
#define MTABLE_TICKER_H

#include <stdbool.h>
#include <stdint.h>

/* Units per second of a ticker counting microseconds (the device clock). */
#define TICKER_MICROSECONDS 1000000u
/* Units per second of a ticker counting nanoseconds (host clocks). */
#define TICKER_NANOSECONDS 1000000000u

/* A sequence of frame ticks; set up with ticker_start. */
struct ticker {
    uint64_t next;      /* time of the next tick */
    uint64_t previous;  /* time of the tick taken last */
    bool ticked;        /* a tick was taken since the start */
    uint64_t units;     /* time units per second */
    uint32_t rate_mhz;  /* ticks per 1000 s */
    uint64_t period;    /* whole units of the period */
    uint64_t remainder; /* units * 1000 mod rate_mhz: the period's fraction, in 1/rate_mhz */
    uint64_t carried;   /* fractions carried so far, below rate_mhz */
};

/* Starts ticking at rate_mhz (at least 1), times in units per second, first tick at first. */
void ticker_start(struct ticker *ticker, uint32_t units, uint64_t first, uint32_t rate_mhz);

/* Takes the next tick: returns its time and moves on to the one after. */
uint64_t ticker_take(struct ticker *ticker);

/* Changes the rate: the next tick comes one new period after the last one taken. */
void ticker_set_rate(struct ticker *ticker, uint32_t rate_mhz);

#endif
