/*
 * frame_source.h - the frames the simulated table scans: client, therapist
 * and sensor put together.
 *
 *   body (resting load) + routine (contact patches) -> load -> sensor -> values
 *
 * Frame n is a pure function of the seed, the grid, n and its model time
 * (the time the scan would have in an uninterrupted stream at the frame
 * rate: n / rate while the rate does not change), never of the wall clock,
 * so two runs with the same options send the same values.
 */
#ifndef MTABLE_SIM_FRAME_SOURCE_H
#define MTABLE_SIM_FRAME_SOURCE_H

#include <stdint.h>

#include "body.h"
#include "routine.h"
#include "sensor.h"

/* Everything that makes frames; set up with frame_source_init. */
struct frame_source {
    struct body body;
    struct routine routine;
    struct sensor sensor;
    float *load; /* scratch: the load of the frame being made, counts */
};

/*
 * Sets up the models for a rows x cols grid read with adc_bits bits.
 * Returns -EINVAL if the grid is too small for the routine's contact
 * patches, -ENOMEM when out of memory.
 */
int frame_source_init(struct frame_source *source, unsigned rows, unsigned cols, unsigned adc_bits,
                      uint64_t seed);

/* Frees the models. */
void frame_source_fini(struct frame_source *source);

/*
 * Makes frame `sequence` at model time time_ns into values (rows x cols,
 * row-major); returns the number of therapist contacts in it, described in
 * contacts.
 */
unsigned frame_source_generate(struct frame_source *source, uint32_t sequence, uint64_t time_ns,
                               uint16_t *values, struct routine_contact *contacts);

#endif
