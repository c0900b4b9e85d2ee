/*
 * ticker.h - the times at which frames are due, in microseconds of the
 * device clock, at a rate given in millihertz, without drift.
 *
 * The period of rate r mHz is 10^9 / r us, rarely a whole number (30 frames/s:
 * 33,333.33 us). The ticker adds the whole microseconds and carries the
 * remainder in units of 1/r us, so tick k after a start at s falls at
 * exactly s + floor(k * 10^9 / r) us however long the table runs. This is
 * tools/sim/schedule.c's arithmetic in the device clock's unit, with no
 * operating-system clock, so the microcontroller builds it.
 */
#ifndef MTABLE_TICKER_H
#define MTABLE_TICKER_H

#include <stdbool.h>
#include <stdint.h>

/* A sequence of frame ticks; set up with ticker_start. */
struct ticker {
    uint64_t next_us;     /* time of the next tick */
    uint64_t previous_us; /* time of the tick taken last */
    bool ticked;          /* a tick was taken since the start */
    uint32_t rate_mhz;    /* ticks per 1000 s */
    uint64_t period_us;   /* whole microseconds of the period */
    uint64_t remainder;   /* 10^9 mod rate_mhz: the period's fraction, in 1/rate_mhz us */
    uint64_t carried;     /* fractions carried so far, below rate_mhz */
};

/* Starts ticking at rate_mhz (at least 1) with the first tick at first_us. */
void ticker_start(struct ticker *ticker, uint64_t first_us, uint32_t rate_mhz);

/* Takes the next tick: returns its time and moves on to the one after. */
uint64_t ticker_take(struct ticker *ticker);

/* Changes the rate: the next tick comes one new period after the last one taken. */
void ticker_set_rate(struct ticker *ticker, uint32_t rate_mhz);

#endif
