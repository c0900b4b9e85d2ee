/*
 * body.h - the resting load of a client lying prone on the table.
 *
 * The client's own weight, in ADC counts, before the therapist touches
 * anything: forehead and cheeks around the face-cradle hole, shoulders,
 * chest and abdomen, pelvis (the heaviest), thighs, knees and shins, feet;
 * zero outside the body's outline. Each body part is a smooth bump drawn on
 * the 64 x 32 grid and scaled with the grid like the region map.
 *
 * Two things change with time:
 *   - breathing: the chest and abdomen load rises and falls by
 *     BODY_BREATHING_DEPTH at BODY_BREATHING_HZ;
 *   - the client shift: at BODY_SHIFT_TIME_NS the whole body moves
 *     BODY_SHIFT_ROWS towards the feet and stays there.
 *
 * The load is precomputed at init in two maps (the part that breathes and
 * the part that does not), so each frame costs one multiply-add per taxel.
 */
#ifndef MTABLE_SIM_BODY_H
#define MTABLE_SIM_BODY_H

#include <stdint.h>

/* Model time of the client shift: 90 s, in a pause of the routine, so no step straddles it. */
#define BODY_SHIFT_TIME_NS 90000000000ull
/* How far the client moves at the shift: one row towards the feet. */
#define BODY_SHIFT_ROWS 1u
/* Breathing frequency: 15 breaths a minute, a relaxed adult at rest. */
#define BODY_BREATHING_HZ 0.25
/* Breathing modulation of the torso load: a few percent. */
#define BODY_BREATHING_DEPTH 0.03

/* The resting-load model of one grid; set up with body_init. */
struct body {
    unsigned rows, cols;
    float *torso; /* load that follows breathing, counts, row-major */
    float *still; /* the rest of the load, counts, row-major */
};

/* Draws the body on a rows x cols grid; -ENOMEM if the maps cannot be allocated. */
int body_init(struct body *body, unsigned rows, unsigned cols);

/* Frees the maps. */
void body_fini(struct body *body);

/* Resting load at model time time_ns into load (rows x cols counts, row-major). */
void body_resting_load(const struct body *body, uint64_t time_ns, float *load);

#endif
