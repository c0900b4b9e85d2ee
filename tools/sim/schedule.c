/*
 * schedule.c - CLOCK_MONOTONIC in nanoseconds, and absolute sleeps on it.
 */
#include "schedule.h"

#include <errno.h>
#include <time.h>

uint64_t schedule_now_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

void schedule_sleep_until(uint64_t deadline_ns)
{
    struct timespec deadline = {.tv_sec = (time_t)(deadline_ns / 1000000000u),
                                .tv_nsec = (long)(deadline_ns % 1000000000u)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL) == EINTR)
        continue; /* an absolute deadline survives interruptions unchanged */
}
