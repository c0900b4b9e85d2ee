/*
 * clock.h - the two clocks the daemon uses, in nanoseconds.
 *
 * Host timestamps stored in session files are UTC (CLOCK_REALTIME);
 * deadlines and intervals use CLOCK_MONOTONIC so a clock step never makes
 * the daemon wait for hours or flush in a burst.
 */
#ifndef MTABLE_CLOCK_H
#define MTABLE_CLOCK_H

#include <limits.h>
#include <stdint.h>
#include <time.h>

/* Nanoseconds per second. */
#define CLOCK_NS_PER_S 1000000000LL

/* UTC now, nanoseconds since 1970. */
static inline int64_t clock_realtime_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (int64_t)now.tv_sec * CLOCK_NS_PER_S + now.tv_nsec;
}

/* Monotonic now, nanoseconds since an arbitrary start. */
static inline int64_t clock_monotonic_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * CLOCK_NS_PER_S + now.tv_nsec;
}

/* Milliseconds from now until deadline_ns (monotonic), for poll(); 0 if past. */
static inline int clock_poll_timeout_ms(int64_t deadline_ns)
{
    int64_t left = deadline_ns - clock_monotonic_ns();
    if (left <= 0)
        return 0;
    int64_t ms = (left + 999999) / 1000000;
    return ms < INT_MAX ? (int)ms : INT_MAX;
}

#endif
