/*
 * frame_time.h - how long each recorded frame lasts, and where it sits on
 * the session's time axis (the rules of analysis/METRICS.md, "Time").
 *
 * A frame lasts until the next scan began, measured on the device clock,
 * when the next recorded frame is the next scan (consecutive sequence
 * numbers, device time advancing by more than 0 and at most
 * FRAME_TIME_MAX_PERIODS nominal periods). Otherwise (the last frame, a gap,
 * a drop, a device reset, a stalled clock) it lasts one nominal period, so
 * frames that were never recorded add no time to any result.
 */
#ifndef MTABLE_FRAME_TIME_H
#define MTABLE_FRAME_TIME_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Longest step between consecutive scans taken as a frame's duration, in
 * nominal periods: room for clock jitter and a lower frame rate set during
 * the session, while a pause of streaming (STOP, START) is not counted.
 */
#define FRAME_TIME_MAX_PERIODS 10

/* What the file records for one frame. */
struct frame_stamp {
    uint32_t sequence;       /* device frame number */
    uint64_t device_time_us; /* device clock at the start of the scan */
};

/*
 * Duration in seconds of frame `frame`, given the next recorded frame (next
 * is NULL for the last one) and the nominal period in seconds.
 */
double frame_time_duration(const struct frame_stamp *frame, const struct frame_stamp *next,
                           double period_s);

/*
 * Step of the session time axis from frame to next: the device clock's
 * advance when it advanced, else the frame's duration (device reset).
 */
double frame_time_step(const struct frame_stamp *frame, const struct frame_stamp *next,
                       double duration_s);

#endif
