/*
 * schedule.c - whole nanoseconds plus carried fractions.
 */
#include "schedule.h"

#include <errno.h>
#include <time.h>

/* period_ns = PERIOD_NUMERATOR / rate_mhz: 10^3 mHz per Hz times 10^9 ns per second. */
#define PERIOD_NUMERATOR 1000000000000ull

static void set_period(struct schedule *schedule, uint32_t rate_mhz)
{
    schedule->rate_mhz = rate_mhz;
    schedule->period_ns = PERIOD_NUMERATOR / rate_mhz;
    schedule->remainder = PERIOD_NUMERATOR % rate_mhz;
    schedule->carried = 0;
}

/* Moves next_ns one period past previous_ns. */
static void advance(struct schedule *schedule)
{
    schedule->next_ns = schedule->previous_ns + schedule->period_ns;
    schedule->carried += schedule->remainder;
    if (schedule->carried >= schedule->rate_mhz) {
        schedule->carried -= schedule->rate_mhz;
        schedule->next_ns++;
    }
}

void schedule_start(struct schedule *schedule, uint64_t first_ns, uint32_t rate_mhz)
{
    set_period(schedule, rate_mhz);
    schedule->next_ns = first_ns;
    schedule->previous_ns = first_ns;
    schedule->ticked = false;
}

uint64_t schedule_take(struct schedule *schedule)
{
    schedule->previous_ns = schedule->next_ns;
    schedule->ticked = true;
    advance(schedule);
    return schedule->previous_ns;
}

void schedule_set_rate(struct schedule *schedule, uint32_t rate_mhz)
{
    set_period(schedule, rate_mhz);
    if (schedule->ticked)
        advance(schedule);
}

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
