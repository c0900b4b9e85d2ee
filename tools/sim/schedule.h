/*
 * schedule.h - tick times at a frame rate given in millihertz, exact and
 * drift-free with integer arithmetic only.
 *
 * The period of rate r mHz is 10^12 / r ns, rarely a whole number. The
 * schedule adds the whole nanoseconds and carries the remainder (in units of
 * 1/r ns, as Bresenham's line algorithm carries its error), so tick k after
 * a start at s falls at exactly s + floor(k * 10^12 / r) ns for every k,
 * with no rounding error building up over hours.
 *
 * The simulator runs two: the wall-clock deadlines of the scans
 * (CLOCK_MONOTONIC), restarted at each START, and the model clock of the
 * frames (0 at the first frame), which only ever advances.
 */
#ifndef MTABLE_SIM_SCHEDULE_H
#define MTABLE_SIM_SCHEDULE_H

#include <stdbool.h>
#include <stdint.h>

/* A sequence of ticks; set up with schedule_start. */
struct schedule {
    uint64_t next_ns;     /* time of the next tick */
    uint64_t previous_ns; /* time of the tick taken last */
    bool ticked;          /* a tick was taken since the start */
    uint32_t rate_mhz;    /* ticks per 1000 s */
    uint64_t period_ns;   /* whole nanoseconds of the period */
    uint64_t remainder;   /* 10^12 mod rate_mhz: the period's fraction, in 1/rate_mhz ns */
    uint64_t carried;     /* fractions carried so far, below rate_mhz */
};

/* Starts ticking at rate_mhz (at least 1) with the first tick at first_ns. */
void schedule_start(struct schedule *schedule, uint64_t first_ns, uint32_t rate_mhz);

/* Takes the next tick: returns its time and moves on to the one after. */
uint64_t schedule_take(struct schedule *schedule);

/* Now on CLOCK_MONOTONIC, the clock scan deadlines are set on, nanoseconds. */
uint64_t schedule_now_ns(void);

/* Sleeps until deadline_ns on CLOCK_MONOTONIC; returns at once if it has passed. */
void schedule_sleep_until(uint64_t deadline_ns);

/* Period from now on: the next tick comes one new period after the last one taken. */
void schedule_set_rate(struct schedule *schedule, uint32_t rate_mhz);

#endif
