/*
 * resting_load.h - streaming estimate of the client's own load per taxel.
 *
 * The estimate for frame i at taxel x (analysis/METRICS.md, "Resting load")
 * is max(past, future), where past is the smallest reading of x over
 * about `window` frames up to and including i, and future the smallest from i over about `window`
 * frames after it. A press shorter than the window leaves rest on both sides, so both minima see
 * the rest; a lasting change of the client's load (a shift on the table) is followed from the frame
 * it happens on, whether the load rises (future) or falls (past).
 *
 * Frames are grouped in blocks of B frames from the first one; minima over
 * whole blocks cover the far part of each window, exact running minima the
 * block holding i. Frame i comes out once the K blocks after its own are
 * complete, so the estimator holds (K + 1) * B frames however long the
 * session:
 *
 *   blocks:   ... | k-K | ... | k-1 |  k  | k+1 | ... | k+K |
 *   minima:   [ ring of 2K+1 block minima per taxel          ]
 *   frames:                         [ ring of (K+1)*B frames ]
 *                                     ^ frames of block k come out,
 *                                       block k+K is the newest complete
 *
 * Push frames in order; after each push, pop every frame that is ready
 * before pushing again. After the last push, finish, then pop the rest.
 */
#ifndef MTABLE_RESTING_LOAD_H
#define MTABLE_RESTING_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame_time.h"

struct resting_load;

/* A frame coming out of the estimator; pointers stay valid until the next push or pop. */
struct resting_load_frame {
    const uint16_t *values;         /* the readings, taxels values */
    const uint16_t *resting;        /* the resting-load estimate, never above values */
    struct frame_stamp stamp;       /* the frame's stamp */
    const struct frame_stamp *next; /* the next frame's stamp, NULL for the last */
    uint64_t index;                 /* position in the session, from 0 */
};

/*
 * Creates an estimator for frames of `taxels` values, with blocks of
 * block_frames frames and windows of window_blocks blocks (both >= 1).
 */
int resting_load_create(size_t taxels, unsigned block_frames, unsigned window_blocks,
                        struct resting_load **out);

/* Bytes of the estimator's arrays for these settings (to bound memory before creating it). */
size_t resting_load_memory(size_t taxels, unsigned block_frames, unsigned window_blocks);

/* Block and window lengths for a session, by the rule of analysis/METRICS.md section 3. */
struct resting_load_plan {
    unsigned block_frames;  /* B = max(1, floor(rate * block_s + 0.5)) */
    unsigned wanted_blocks; /* max(1, ceil(window_s * rate / B)) */
    unsigned window_blocks; /* K: the largest of 1 .. wanted_blocks within memory_max, else 1 */
    size_t memory;          /* resting_load_memory for B and K */
    bool over_memory;       /* even K = 1 needs more than memory_max */
};

/*
 * Plans blocks of about block_s seconds and a window of window_s seconds at
 * rate_hz for frames of taxels values, shortening the window (never below
 * one block) to keep the estimator within memory_max bytes.
 */
void resting_load_plan(double rate_hz, double block_s, double window_s, size_t taxels,
                       size_t memory_max, struct resting_load_plan *out);

/* Adds the next frame (values are copied). Pop every ready frame first. */
int resting_load_push(struct resting_load *estimator, const uint16_t *values,
                      const struct frame_stamp *stamp);

/* Declares that no frame follows: every frame pushed becomes ready. */
void resting_load_finish(struct resting_load *estimator);

/* Takes the next ready frame into *out; false when none is ready. */
bool resting_load_pop(struct resting_load *estimator, struct resting_load_frame *out);

/* Frees the estimator. */
void resting_load_free(struct resting_load *estimator);

#endif
