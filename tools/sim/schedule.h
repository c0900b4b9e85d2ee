/*
 * schedule.h - the clock the simulator's scan deadlines are set on.
 *
 * The simulator keeps two tickers (hw/ticker.h, in nanoseconds): the
 * wall-clock deadlines of the scans on CLOCK_MONOTONIC, restarted at each
 * START, and the model clock of the frames (0 at the first frame), which
 * only ever advances. This module reads and sleeps on that clock.
 */
#ifndef MTABLE_SIM_SCHEDULE_H
#define MTABLE_SIM_SCHEDULE_H

#include <stdint.h>

/* Now on CLOCK_MONOTONIC, the clock scan deadlines are set on, nanoseconds. */
uint64_t schedule_now_ns(void);

/* Sleeps until deadline_ns on CLOCK_MONOTONIC; returns at once if it has passed. */
void schedule_sleep_until(uint64_t deadline_ns);

#endif
