/*
 * frame_source.c - sets up the three models and runs them per frame.
 */
#include "frame_source.h"

#include <errno.h>
#include <stdlib.h>

int frame_source_init(struct frame_source *source, unsigned rows, unsigned cols, unsigned adc_bits,
                      uint64_t seed)
{
    struct frame_source made = {0}; /* every pointer NULL: safe to free at out */
    int err = routine_init(&made.routine, rows, cols);
    if (err < 0)
        goto out;
    err = body_init(&made.body, rows, cols);
    if (err < 0)
        goto out;
    err = sensor_init(&made.sensor, rows, cols, adc_bits, seed);
    if (err < 0)
        goto out;
    made.load = malloc((size_t)rows * cols * sizeof(*made.load));
    if (made.load == NULL) {
        err = -ENOMEM;
        goto out;
    }
    *source = made;
out:
    if (err < 0)
        frame_source_fini(&made);
    return err;
}

void frame_source_fini(struct frame_source *source)
{
    free(source->load);
    source->load = NULL;
    sensor_fini(&source->sensor);
    body_fini(&source->body);
}

unsigned frame_source_generate(struct frame_source *source, uint32_t sequence, uint64_t time_ns,
                               uint16_t *values, struct routine_contact *contacts)
{
    body_resting_load(&source->body, time_ns, source->load);
    unsigned count = routine_contacts(&source->routine, time_ns, contacts);
    routine_apply(&source->routine, contacts, count, source->load);
    sensor_read(&source->sensor, sequence, source->load, values);
    return count;
}
