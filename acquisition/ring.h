/*
 * ring.h - lock-free single-producer/single-consumer ring of fixed slots.
 *
 * The reader thread fills slots, the writer thread empties them; neither
 * ever waits for the other. Layout (after Linux kfifo and Concurrency Kit's
 * ck_ring):
 *
 *   +----------------------------+  cache line: written by the producer only
 *   | head        cached_tail    |  head: slots ever published
 *   +----------------------------+  cache line: written by the consumer only
 *   | tail        cached_head    |  tail: slots ever released
 *   +----------------------------+
 *   | slot 0 | slot 1 | ... | slot N-1 |   N a power of two, slot i at
 *   +----------------------------------+   index & (N - 1)
 *
 * Indices run free (they are never wrapped, only masked on use). The
 * producer publishes a filled slot with a release store of head; the
 * consumer reads head with an acquire load, and hands slots back with a
 * release store of tail. Each side keeps a cached copy of the other's index
 * and reloads it only when the cache says full (or empty), so the shared
 * cache lines move between cores only when needed.
 */
#ifndef MTABLE_RING_H
#define MTABLE_RING_H

#include <stddef.h>

struct ring;

/*
 * Creates a ring of slot_count slots (a power of two, at least 2) of
 * slot_size bytes each, aligned for any type. Returns 0 and sets *out, or
 * -EINVAL (bad count) or -ENOMEM.
 */
int ring_create(size_t slot_count, size_t slot_size, struct ring **out);

/* Frees a ring; no thread may be using it. */
void ring_destroy(struct ring *ring);

/* Producer: the next free slot to fill, or NULL when the ring is full. */
void *ring_reserve(struct ring *ring);

/* Producer: publishes the slot returned by the last ring_reserve. */
void ring_publish(struct ring *ring);

/* Consumer: the oldest published slot, or NULL when the ring is empty. */
void *ring_peek(struct ring *ring);

/* Consumer: hands the slot returned by the last ring_peek back to the producer. */
void ring_release(struct ring *ring);

/* Number of slots. */
size_t ring_capacity(const struct ring *ring);

/* Size of each slot in bytes. */
size_t ring_slot_size(const struct ring *ring);

#endif
