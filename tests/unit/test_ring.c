/*
 * test_ring.c - the SPSC ring keeps order, loses nothing, and never blocks.
 *
 * The stress test runs a real producer and consumer thread on a small ring
 * so that it is full and empty many times; tools/check also runs it under
 * ThreadSanitizer, which checks the acquire/release pairing.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ring.h"

/* A slot carries its number in every word, so a torn slot is caught. */
enum { SLOT_WORDS = 16, STRESS_ITEMS = 2000000 };

struct stress {
    struct ring *ring;
    uint64_t pushed;
};

static void *produce(void *arg)
{
    struct stress *s = arg;
    uint64_t next = 0;
    while (next < STRESS_ITEMS) {
        uint64_t *slot = ring_reserve(s->ring);
        if (slot == NULL) {
            sched_yield(); /* full: let the consumer catch up */
            continue;
        }
        for (int w = 0; w < SLOT_WORDS; w++)
            slot[w] = next;
        ring_publish(s->ring);
        next++;
    }
    s->pushed = next;
    return NULL;
}

static void test_two_thread_order_and_no_loss(void **state)
{
    (void)state;
    struct stress s = {0};
    assert_int_equal(ring_create(64, SLOT_WORDS * sizeof(uint64_t), &s.ring), 0);
    pthread_t producer;
    assert_int_equal(pthread_create(&producer, NULL, produce, &s), 0);

    uint64_t expected = 0;
    while (expected < STRESS_ITEMS) {
        const uint64_t *slot = ring_peek(s.ring);
        if (slot == NULL) {
            sched_yield(); /* empty: let the producer run */
            continue;
        }
        for (int w = 0; w < SLOT_WORDS; w++)
            assert_true(slot[w] == expected);
        ring_release(s.ring);
        expected++;
    }
    assert_int_equal(pthread_join(producer, NULL), 0);
    assert_true(s.pushed == STRESS_ITEMS);
    assert_null(ring_peek(s.ring));
    ring_destroy(s.ring);
}

static void test_full_ring_refuses_without_blocking(void **state)
{
    (void)state;
    struct ring *ring = NULL;
    assert_int_equal(ring_create(8, sizeof(int), &ring), 0);
    for (int i = 0; i < 8; i++) {
        int *slot = ring_reserve(ring);
        assert_non_null(slot);
        *slot = i;
        ring_publish(ring);
    }
    /* Full: the producer is told at once, as often as it asks. */
    for (int i = 0; i < 3; i++)
        assert_null(ring_reserve(ring));

    /* One release makes exactly one slot free again, and order is kept. */
    int *oldest = ring_peek(ring);
    assert_int_equal(*oldest, 0);
    ring_release(ring);
    int *slot = ring_reserve(ring);
    assert_non_null(slot);
    *slot = 8;
    ring_publish(ring);
    assert_null(ring_reserve(ring));
    for (int i = 1; i <= 8; i++) {
        int *item = ring_peek(ring);
        assert_non_null(item);
        assert_int_equal(*item, i);
        ring_release(ring);
    }
    assert_null(ring_peek(ring));
    ring_destroy(ring);
}

static void test_reserve_without_publish_is_invisible(void **state)
{
    (void)state;
    struct ring *ring = NULL;
    assert_int_equal(ring_create(4, 8, &ring), 0);
    assert_non_null(ring_reserve(ring));
    assert_null(ring_peek(ring));
    /* Reserving again hands out the same slot until it is published. */
    void *first = ring_reserve(ring);
    assert_ptr_equal(first, ring_reserve(ring));
    ring_destroy(ring);
}

static void test_free_running_indices_wrap(void **state)
{
    (void)state;
    struct ring *ring = NULL;
    assert_int_equal(ring_create(4, sizeof(unsigned), &ring), 0);
    unsigned expected = 0;
    for (unsigned i = 0; i < 1000; i++) {
        unsigned *slot = ring_reserve(ring);
        assert_non_null(slot);
        *slot = i;
        ring_publish(ring);
        if (i % 3 == 2) { /* drain in bursts so the fill level varies */
            unsigned *item;
            while ((item = ring_peek(ring)) != NULL) {
                assert_int_equal(*item, expected++);
                ring_release(ring);
            }
        }
    }
    assert_int_equal(expected, 999);
    ring_destroy(ring);
}

static void test_create_checks_arguments(void **state)
{
    (void)state;
    struct ring *ring = NULL;
    assert_int_equal(ring_create(0, 8, &ring), -EINVAL);
    assert_int_equal(ring_create(1, 8, &ring), -EINVAL);
    assert_int_equal(ring_create(6, 8, &ring), -EINVAL);
    assert_int_equal(ring_create(8, 0, &ring), -EINVAL);
    assert_null(ring);
    assert_int_equal(ring_create(16, 4100, &ring), 0);
    assert_int_equal(ring_capacity(ring), 16);
    assert_int_equal(ring_slot_size(ring), 4100);
    /* Slots are cache-line aligned and do not overlap. */
    unsigned char *a = ring_reserve(ring);
    ring_publish(ring);
    unsigned char *b = ring_reserve(ring);
    assert_int_equal((uintptr_t)a % 64, 0);
    assert_true(b - a >= 4100);
    ring_destroy(ring);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_thread_order_and_no_loss),
        cmocka_unit_test(test_full_ring_refuses_without_blocking),
        cmocka_unit_test(test_reserve_without_publish_is_invisible),
        cmocka_unit_test(test_free_running_indices_wrap),
        cmocka_unit_test(test_create_checks_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
