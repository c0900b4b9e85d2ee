/*
 * ring.c - the SPSC ring: C11 atomics, acquire/release, cached indices.
 */
#include "ring.h"

#include <errno.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

/* x86-64 and ARMv8 cache line; keeps the two sides' indices apart. */
#define RING_CACHE_LINE 64

struct ring {
    /* Producer's line. */
    alignas(RING_CACHE_LINE) atomic_size_t head; /* slots ever published */
    size_t cached_tail;                          /* producer's last view of tail */
    /* Consumer's line. */
    alignas(RING_CACHE_LINE) atomic_size_t tail; /* slots ever released */
    size_t cached_head;                          /* consumer's last view of head */
    /* Read-only after creation. */
    alignas(RING_CACHE_LINE) size_t mask;
    size_t slot_size;
    size_t stride; /* slot_size rounded up to whole cache lines */
    unsigned char *slots;
};

int ring_create(size_t slot_count, size_t slot_size, struct ring **out)
{
    if (slot_count < 2 || (slot_count & (slot_count - 1)) != 0 || slot_size == 0)
        return -EINVAL;
    size_t stride = (slot_size + RING_CACHE_LINE - 1) / RING_CACHE_LINE * RING_CACHE_LINE;
    if (stride > SIZE_MAX / slot_count)
        return -EINVAL;
    struct ring *ring = aligned_alloc(RING_CACHE_LINE, sizeof(*ring));
    unsigned char *slots = aligned_alloc(RING_CACHE_LINE, stride * slot_count);
    if (ring == NULL || slots == NULL) {
        free(ring);
        free(slots);
        return -ENOMEM;
    }
    atomic_init(&ring->head, 0);
    atomic_init(&ring->tail, 0);
    ring->cached_tail = 0;
    ring->cached_head = 0;
    ring->mask = slot_count - 1;
    ring->slot_size = slot_size;
    ring->stride = stride;
    ring->slots = slots;
    *out = ring;
    return 0;
}

void ring_destroy(struct ring *ring)
{
    if (ring == NULL)
        return;
    free(ring->slots);
    free(ring);
}

void *ring_reserve(struct ring *ring)
{
    size_t head = atomic_load_explicit(&ring->head, memory_order_relaxed);
    if (head - ring->cached_tail > ring->mask) {
        /* Acquire: the consumer's reads of the slot finish before we reuse it. */
        ring->cached_tail = atomic_load_explicit(&ring->tail, memory_order_acquire);
        if (head - ring->cached_tail > ring->mask)
            return NULL;
    }
    return ring->slots + (head & ring->mask) * ring->stride;
}

void ring_publish(struct ring *ring)
{
    size_t head = atomic_load_explicit(&ring->head, memory_order_relaxed);
    /* Release: the slot's contents are visible before the new head. */
    atomic_store_explicit(&ring->head, head + 1, memory_order_release);
}

void *ring_peek(struct ring *ring)
{
    size_t tail = atomic_load_explicit(&ring->tail, memory_order_relaxed);
    if (tail == ring->cached_head) {
        /* Acquire: pairs with ring_publish's release. */
        ring->cached_head = atomic_load_explicit(&ring->head, memory_order_acquire);
        if (tail == ring->cached_head)
            return NULL;
    }
    return ring->slots + (tail & ring->mask) * ring->stride;
}

void ring_release(struct ring *ring)
{
    size_t tail = atomic_load_explicit(&ring->tail, memory_order_relaxed);
    atomic_store_explicit(&ring->tail, tail + 1, memory_order_release);
}

size_t ring_capacity(const struct ring *ring)
{
    return ring->mask + 1;
}

size_t ring_slot_size(const struct ring *ring)
{
    return ring->slot_size;
}
