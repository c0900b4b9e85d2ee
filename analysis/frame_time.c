/*
 * frame_time.c - frame durations and time-axis steps from recorded stamps.
 */
#include "frame_time.h"

double frame_time_duration(const struct frame_stamp *frame, const struct frame_stamp *next,
                           double period_s)
{
    if (!next || next->sequence != (uint32_t)(frame->sequence + 1u) ||
        next->device_time_us <= frame->device_time_us)
        return period_s;
    double step_s = (double)(next->device_time_us - frame->device_time_us) * 1e-6;
    return step_s <= FRAME_TIME_MAX_PERIODS * period_s ? step_s : period_s;
}

double frame_time_step(const struct frame_stamp *frame, const struct frame_stamp *next,
                       double duration_s)
{
    if (next->device_time_us > frame->device_time_us)
        return (double)(next->device_time_us - frame->device_time_us) * 1e-6;
    return duration_s;
}
