/*
 * resting_load.c - the windowed-minimum resting-load estimator.
 *
 * Bookkeeping, with B frames per block and K blocks per window:
 *   pushed           frames pushed so far; frame f lives in frame slot
 *                    f % ((K + 1) * B), block j's minima in slot j % (2K + 1)
 *   complete_blocks  blocks whose minima are known (all B frames pushed, or
 *                    the last, shorter block after finish)
 *   current          the block whose frames are coming out; it is prepared
 *                    (suffix minima, the past and future block minima) when
 *                    its first frame is popped
 *   popped           frames popped so far
 * Block k can come out once block k + K is complete, or after finish.
 */
#include "resting_load.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vector_clones.h"

/* Most frames per block and blocks per window a plan gives: far beyond any real rate or window. */
#define RESTING_LOAD_MAX_COUNT 100000

struct resting_load {
    size_t taxels;
    unsigned block_frames, window_blocks;
    size_t frame_slots, block_slots;
    uint16_t *frames;           /* frame_slots x taxels readings */
    struct frame_stamp *stamps; /* frame_slots stamps */
    uint16_t *block_minima;     /* block_slots x taxels */
    uint16_t *suffix;           /* block_frames x taxels: min from frame to end of its block */
    uint16_t *past_blocks;      /* taxels: min over the K blocks before the current one */
    uint16_t *future_blocks;    /* taxels: min over the K blocks after the current one */
    uint16_t *running;          /* taxels: min from the current block's start to the frame */
    uint16_t *resting;          /* taxels: the estimate handed out */
    uint64_t pushed, popped, complete_blocks, current;
    bool current_prepared, finished;
};

size_t resting_load_memory(size_t taxels, unsigned block_frames, unsigned window_blocks)
{
    size_t frames = ((size_t)window_blocks + 1) * block_frames;
    size_t blocks = 2 * (size_t)window_blocks + 1;
    /* frames and stamps; block minima, suffix minima and the four per-taxel rows */
    return frames * (taxels * sizeof(uint16_t) + sizeof(struct frame_stamp)) +
           (blocks + block_frames + 4) * taxels * sizeof(uint16_t);
}

/* A count of blocks or frames from a real number: at least 1, at most RESTING_LOAD_MAX_COUNT. */
static unsigned whole_count(double count)
{
    return count < 1                        ? 1
           : count > RESTING_LOAD_MAX_COUNT ? RESTING_LOAD_MAX_COUNT
                                            : (unsigned)count;
}

void resting_load_plan(double rate_hz, double block_s, double window_s, size_t taxels,
                       size_t memory_max, struct resting_load_plan *out)
{
    unsigned block_frames = whole_count(floor(rate_hz * block_s + 0.5));
    unsigned wanted = whole_count(ceil(window_s * rate_hz / block_frames));
    unsigned window_blocks = wanted;
    while (window_blocks > 1 &&
           resting_load_memory(taxels, block_frames, window_blocks) > memory_max)
        window_blocks--;
    size_t memory = resting_load_memory(taxels, block_frames, window_blocks);
    *out = (struct resting_load_plan){.block_frames = block_frames,
                                      .wanted_blocks = wanted,
                                      .window_blocks = window_blocks,
                                      .memory = memory,
                                      .over_memory = memory > memory_max};
}

int resting_load_create(size_t taxels, unsigned block_frames, unsigned window_blocks,
                        struct resting_load **out)
{
    if (taxels == 0 || block_frames == 0 || window_blocks == 0)
        return -EINVAL;
    struct resting_load *e = calloc(1, sizeof(*e));
    if (!e)
        return -ENOMEM;
    e->taxels = taxels;
    e->block_frames = block_frames;
    e->window_blocks = window_blocks;
    e->frame_slots = ((size_t)window_blocks + 1) * block_frames;
    e->block_slots = 2 * (size_t)window_blocks + 1;
    e->frames = malloc(e->frame_slots * taxels * sizeof(uint16_t));
    e->stamps = malloc(e->frame_slots * sizeof(*e->stamps));
    e->block_minima = malloc(e->block_slots * taxels * sizeof(uint16_t));
    e->suffix = malloc((size_t)block_frames * taxels * sizeof(uint16_t));
    e->past_blocks = malloc(taxels * sizeof(uint16_t));
    e->future_blocks = malloc(taxels * sizeof(uint16_t));
    e->running = malloc(taxels * sizeof(uint16_t));
    e->resting = malloc(taxels * sizeof(uint16_t));
    if (!e->frames || !e->stamps || !e->block_minima || !e->suffix || !e->past_blocks ||
        !e->future_blocks || !e->running || !e->resting) {
        resting_load_free(e);
        return -ENOMEM;
    }
    *out = e;
    return 0;
}

static uint16_t *frame_slot(struct resting_load *e, uint64_t frame)
{
    return e->frames + (size_t)(frame % e->frame_slots) * e->taxels;
}

static uint16_t *block_slot(struct resting_load *e, uint64_t block)
{
    return e->block_minima + (size_t)(block % e->block_slots) * e->taxels;
}

VECTOR_CLONES static void take_minimum(uint16_t *restrict into, const uint16_t *restrict values,
                                       size_t taxels)
{
    for (size_t x = 0; x < taxels; x++)
        into[x] = values[x] < into[x] ? values[x] : into[x];
}

/* into = the taxel-wise minimum of a and b. */
VECTOR_CLONES static void minimum_of(uint16_t *restrict into, const uint16_t *restrict a,
                                     const uint16_t *restrict b, size_t taxels)
{
    for (size_t x = 0; x < taxels; x++)
        into[x] = a[x] < b[x] ? a[x] : b[x];
}

/* Frames of block `block` that have been pushed. */
static uint64_t block_length(const struct resting_load *e, uint64_t block)
{
    uint64_t start = block * e->block_frames;
    uint64_t end = start + e->block_frames;
    return (end < e->pushed ? end : e->pushed) - start;
}

int resting_load_push(struct resting_load *e, const uint16_t *values,
                      const struct frame_stamp *stamp)
{
    if (e->finished || e->pushed - e->popped >= e->frame_slots)
        return -ENOBUFS;
    uint64_t frame = e->pushed++;
    memcpy(frame_slot(e, frame), values, e->taxels * sizeof(uint16_t));
    e->stamps[frame % e->frame_slots] = *stamp;
    uint64_t block = frame / e->block_frames;
    uint16_t *minima = block_slot(e, block);
    if (frame % e->block_frames == 0)
        memcpy(minima, values, e->taxels * sizeof(uint16_t));
    else
        take_minimum(minima, values, e->taxels);
    if (frame % e->block_frames == e->block_frames - 1)
        e->complete_blocks = block + 1;
    return 0;
}

void resting_load_finish(struct resting_load *e)
{
    e->finished = true;
    e->complete_blocks = (e->pushed + e->block_frames - 1) / e->block_frames;
}

/* Computes the suffix minima and the window's block minima for block e->current. */
static void prepare_block(struct resting_load *e)
{
    uint64_t k = e->current;
    size_t taxels = e->taxels;
    uint64_t length = block_length(e, k);
    uint64_t first = k * e->block_frames;
    /* suffix[j] = min of frames first + j .. end of block */
    memcpy(e->suffix + (length - 1) * taxels, frame_slot(e, first + length - 1),
           taxels * sizeof(uint16_t));
    for (uint64_t j = length - 1; j-- > 0;)
        minimum_of(e->suffix + j * taxels, frame_slot(e, first + j), e->suffix + (j + 1) * taxels,
                   taxels);
    memset(e->past_blocks, 0xff, taxels * sizeof(uint16_t));
    for (uint64_t j = k > e->window_blocks ? k - e->window_blocks : 0; j < k; j++)
        take_minimum(e->past_blocks, block_slot(e, j), taxels);
    memset(e->future_blocks, 0xff, taxels * sizeof(uint16_t));
    for (uint64_t j = k + 1; j <= k + e->window_blocks && j < e->complete_blocks; j++)
        take_minimum(e->future_blocks, block_slot(e, j), taxels);
    memset(e->running, 0xff, taxels * sizeof(uint16_t));
    e->current_prepared = true;
}

/* The estimate for one frame of the current block, given its suffix minima. */
VECTOR_CLONES static void estimate(struct resting_load *e, const uint16_t *restrict values,
                                   const uint16_t *restrict suffix)
{
    uint16_t *restrict running = e->running;
    uint16_t *restrict resting = e->resting;
    const uint16_t *restrict past_blocks = e->past_blocks;
    const uint16_t *restrict future_blocks = e->future_blocks;
    for (size_t x = 0; x < e->taxels; x++) {
        uint16_t run = values[x] < running[x] ? values[x] : running[x];
        running[x] = run;
        uint16_t past = run < past_blocks[x] ? run : past_blocks[x];
        uint16_t future = suffix[x] < future_blocks[x] ? suffix[x] : future_blocks[x];
        resting[x] = past > future ? past : future;
    }
}

bool resting_load_pop(struct resting_load *e, struct resting_load_frame *out)
{
    if (e->popped == e->pushed)
        return false;
    uint64_t frame = e->popped;
    uint64_t block = frame / e->block_frames;
    if (block != e->current || !e->current_prepared) {
        bool ready = e->finished || e->complete_blocks > block + e->window_blocks;
        if (!ready)
            return false;
        e->current = block;
        prepare_block(e);
    }
    const uint16_t *values = frame_slot(e, frame);
    estimate(e, values, e->suffix + (size_t)(frame - block * e->block_frames) * e->taxels);
    out->values = values;
    out->resting = e->resting;
    out->stamp = e->stamps[frame % e->frame_slots];
    out->next = frame + 1 < e->pushed ? &e->stamps[(frame + 1) % e->frame_slots] : NULL;
    out->index = frame;
    e->popped++;
    if (e->popped % e->block_frames == 0)
        e->current_prepared = false;
    return true;
}

void resting_load_free(struct resting_load *e)
{
    if (!e)
        return;
    free(e->frames);
    free(e->stamps);
    free(e->block_minima);
    free(e->suffix);
    free(e->past_blocks);
    free(e->future_blocks);
    free(e->running);
    free(e->resting);
    free(e);
}
