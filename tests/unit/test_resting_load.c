/*
 * test_resting_load.c - the resting-load estimator gives, for every frame,
 * the value of analysis/METRICS.md's closed form: with k = i / B,
 *   P_i = min v[max(0, (k-K)B) .. i],  F_i = min v[i .. min(N-1, (k+K+1)B-1)]
 *   r_i = max(P_i, F_i)
 * (hand-worked cases: a short press, a load that rises or falls and stays,
 * a shift inside a block, a press longer than the window, a press running
 * into the session's end), matches a brute-force evaluation of that
 * formula on random data, and keeps the push/pop protocol (frames out in
 * order, after K blocks, stamps aligned). The plan of blocks and window
 * follows METRICS.md's rounding and memory rule (hand-computed cases).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "resting_load.h"

/* Runs one taxel's readings through an estimator; writes the estimates to resting. */
static void run_one_taxel(const uint16_t *values, size_t count, unsigned block, unsigned window,
                          uint16_t *resting)
{
    struct resting_load *e = NULL;
    assert_int_equal(resting_load_create(1, block, window, &e), 0);
    size_t out = 0;
    struct resting_load_frame frame;
    for (size_t i = 0; i < count; i++) {
        struct frame_stamp stamp = {.sequence = (uint32_t)i, .device_time_us = 1000 * i};
        assert_int_equal(resting_load_push(e, &values[i], &stamp), 0);
        while (resting_load_pop(e, &frame)) {
            assert_int_equal(frame.index, out);
            assert_int_equal(frame.values[0], values[out]);
            resting[out++] = frame.resting[0];
        }
    }
    resting_load_finish(e);
    while (resting_load_pop(e, &frame))
        resting[out++] = frame.resting[0];
    assert_int_equal(out, count);
    resting_load_free(e);
}

struct hand_case {
    const char *what;
    unsigned block, window;
    size_t count;
    uint16_t values[16];
    uint16_t expected[16];
};

static const struct hand_case hand_cases[] = {
    /* B=1, K=4. Frame 3: past = min(v0..v3) = 10, future = min(v3..v7) = 10. */
    {"short press",
     1,
     4,
     10,
     {10, 10, 10, 50, 50, 10, 10, 10, 10, 10},
     {10, 10, 10, 10, 10, 10, 10, 10, 10, 10}},
    /* Rise at frame 5: frame 4 future = min(v4..v8) = 10; frame 5 past = 10,
     * future = min(v5..v9) = 30, max 30. */
    {"load rises and stays",
     1,
     4,
     10,
     {10, 10, 10, 10, 10, 30, 30, 30, 30, 30},
     {10, 10, 10, 10, 10, 30, 30, 30, 30, 30}},
    /* Fall at frame 5: frame 4: past = min(v0..v4) = 30 beats future 10;
     * frame 5: past = min(v1..v5) = 10 = future. */
    {"load falls and stays",
     1,
     4,
     10,
     {30, 30, 30, 30, 30, 10, 10, 10, 10, 10},
     {30, 30, 30, 30, 30, 10, 10, 10, 10, 10}},
    /* B=2, K=2, rise at frame 5 inside block 2 (frames 4, 5): frame 4
     * future = min(v4..v9) = 10; frame 5 future = min(v5..v9) = 30 > past 10;
     * frame 8 (block 4): past = min(v4..v8) = 10, future = min(v8..v11) = 30. */
    {"rise inside a block",
     2,
     2,
     14,
     {10, 10, 10, 10, 10, 30, 30, 30, 30, 30, 30, 30, 30, 30},
     {10, 10, 10, 10, 10, 30, 30, 30, 30, 30, 30, 30, 30, 30}},
    /* B=1, K=2: windows of 2 frames each side. In a 6-frame press every
     * frame has one window wholly inside the press (frame 2: future =
     * min(v2..v4) = 50; frame 7: past = min(v5..v7) = 50), so the whole
     * press is taken for rest: the documented limit of the estimator. */
    {"press longer than the window",
     1,
     2,
     10,
     {10, 10, 50, 50, 50, 50, 50, 50, 10, 10},
     {10, 10, 50, 50, 50, 50, 50, 50, 10, 10}},
    /* B=1, K=8: a press running into the end of the session: the future
     * minimum of every frame in it is the press (frame 10: min(v10..v11) =
     * 50), so it is taken for rest, the documented limit at the session's
     * ends. */
    {"press at the end",
     1,
     8,
     12,
     {10, 10, 10, 10, 10, 10, 10, 10, 50, 50, 50, 50},
     {10, 10, 10, 10, 10, 10, 10, 10, 50, 50, 50, 50}},
    /* B=3, K=1, N=7, blocks {0,1,2} {3,4,5} {6}. Frame 0: past = 5, future =
     * min(v0..v5) = 2 -> 5. Frame 3: past = min(v0..v3) = 5, future =
     * min(v3..v6) = 2 -> 5. Frame 6: past = min(v3..v6) = 2, future = 8 -> 8. */
    {"short last block", 3, 1, 7, {5, 6, 7, 9, 9, 2, 8}, {5, 5, 5, 5, 5, 2, 8}},
};

static void test_hand_cases(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof(hand_cases) / sizeof(hand_cases[0]); c++) {
        const struct hand_case *h = &hand_cases[c];
        uint16_t resting[16];
        run_one_taxel(h->values, h->count, h->block, h->window, resting);
        for (size_t i = 0; i < h->count; i++)
            if (resting[i] != h->expected[i])
                fail_msg("%s: frame %zu: resting %u, expected %u", h->what, i, resting[i],
                         h->expected[i]);
    }
}

/* The closed form, evaluated by brute force. */
static uint16_t closed_form(const uint16_t *v, size_t n, size_t i, size_t block, size_t window)
{
    size_t k = i / block;
    size_t past_start = k > window ? (k - window) * block : 0;
    size_t future_end = (k + window + 1) * block - 1 < n - 1 ? (k + window + 1) * block - 1 : n - 1;
    uint16_t past = UINT16_MAX, future = UINT16_MAX;
    for (size_t j = past_start; j <= i; j++)
        past = v[j] < past ? v[j] : past;
    for (size_t j = i; j <= future_end; j++)
        future = v[j] < future ? v[j] : future;
    return past > future ? past : future;
}

static void test_random_against_closed_form(void **state)
{
    (void)state;
    enum { TAXELS = 3, FRAMES = 500 };
    static uint16_t values[FRAMES][TAXELS];
    static uint16_t column[TAXELS][FRAMES];
    srand(7);
    for (size_t i = 0; i < FRAMES; i++)
        for (size_t x = 0; x < TAXELS; x++)
            column[x][i] = values[i][x] = (uint16_t)(rand() % 1000);
    const unsigned settings[][2] = {{1, 1}, {4, 3}, {7, 5}, {32, 2}, {100, 1}, {600, 1}};
    for (size_t s = 0; s < sizeof(settings) / sizeof(settings[0]); s++) {
        unsigned block = settings[s][0], window = settings[s][1];
        struct resting_load *e = NULL;
        assert_int_equal(resting_load_create(TAXELS, block, window, &e), 0);
        size_t out = 0;
        struct resting_load_frame frame;
        for (size_t i = 0; i <= FRAMES; i++) {
            if (i < FRAMES) {
                struct frame_stamp stamp = {.sequence = (uint32_t)i, .device_time_us = 10 * i};
                assert_int_equal(resting_load_push(e, values[i], &stamp), 0);
            } else {
                resting_load_finish(e);
            }
            while (resting_load_pop(e, &frame)) {
                assert_int_equal(frame.index, out);
                assert_int_equal(frame.stamp.sequence, out);
                if (out + 1 < FRAMES)
                    assert_int_equal(frame.next->sequence, out + 1);
                else
                    assert_null(frame.next);
                for (size_t x = 0; x < TAXELS; x++)
                    assert_int_equal(frame.resting[x],
                                     closed_form(column[x], FRAMES, out, block, window));
                out++;
            }
        }
        assert_int_equal(out, FRAMES);
        resting_load_free(e);
    }
}

static void test_frames_held_back(void **state)
{
    (void)state;
    /* B=2, K=3: block 0 comes out once block 3 is complete, i.e. after 8 pushes. */
    struct resting_load *e = NULL;
    assert_int_equal(resting_load_create(1, 2, 3, &e), 0);
    struct resting_load_frame frame;
    uint16_t value = 1;
    struct frame_stamp stamp = {0};
    for (int i = 0; i < 7; i++) {
        stamp.sequence = (uint32_t)i;
        assert_int_equal(resting_load_push(e, &value, &stamp), 0);
        assert_false(resting_load_pop(e, &frame));
    }
    stamp.sequence = 7;
    assert_int_equal(resting_load_push(e, &value, &stamp), 0);
    assert_true(resting_load_pop(e, &frame));
    assert_true(resting_load_pop(e, &frame));
    assert_false(resting_load_pop(e, &frame));
    /* Block 1 waits for block 4 (frames 8 and 9). */
    assert_int_equal(resting_load_push(e, &value, &stamp), 0);
    assert_false(resting_load_pop(e, &frame));
    assert_int_equal(resting_load_push(e, &value, &stamp), 0);
    assert_true(resting_load_pop(e, &frame));
    assert_int_equal(frame.index, 2);
    assert_true(resting_load_pop(e, &frame));
    assert_false(resting_load_pop(e, &frame));
    /* The ring holds (K+1)*B = 8 frames: 10 pushed, 4 popped, two more fit. */
    assert_int_equal(resting_load_push(e, &value, &stamp), 0);
    assert_int_equal(resting_load_push(e, &value, &stamp), 0);
    assert_int_equal(resting_load_push(e, &value, &stamp), -ENOBUFS);
    resting_load_free(e);
}

/* Memory cap of mtable-analyze (analysis.h): 40 MiB. */
#define CAP (40u * 1024 * 1024)

static void test_plan(void **state)
{
    (void)state;
    /* METRICS.md section 3: B = max(1, floor(R + 0.5)), wanted K = max(1, ceil(W R / B)),
     * M(K) = 2X((K+1)B + 2K+1 + B + 4) + 16(K+1)B, K the largest <= wanted with M(K) <= cap. */
    static const struct {
        double rate_hz, window_s;
        size_t taxels;
        unsigned block, wanted, window;
        size_t memory;
        bool over;
    } cases[] = {
        /* 64 x 32 at 100 Hz: K = 60, M = 4096 (6100 + 121 + 104) + 16 * 6100. */
        {100, 60, 2048, 100, 60, 60, 26004800, false},
        /* 2.5 Hz: halves round up, B = 3; K = ceil(150 / 3) = 50; M = 4096 * 261 + 16 * 153. */
        {2.5, 60, 2048, 3, 50, 50, 1071504, false},
        /* 3.5 Hz: B = 4; K = ceil(210 / 4) = 53. M = 4096 (216 + 107 + 8) + 16 * 216. */
        {3.5, 60, 2048, 4, 53, 53, 1359232, false},
        /* 0.25 Hz: floor(0.75) = 0, so B = 1; K = 15. M = 4096 (16 + 31 + 5) + 16 * 16. */
        {0.25, 60, 2048, 1, 15, 15, 213248, false},
        /* A window shorter than a block: K = 1. M = 4096 (200 + 3 + 104) + 16 * 200. */
        {100, 0.5, 2048, 100, 1, 1, 1260672, false},
        /* 128 x 128 at 100 Hz: M(10) = 32768 * 1225 + 17600 = 40158400 <= 41943040,
         * M(11) = 32768 * 1327 + 19200 = 43502336 > cap: K = 10. */
        {100, 60, 16384, 100, 60, 10, 40158400, false},
        /* 128 x 128 at 500 Hz: M(1) = 32768 * 1507 + 16000 = 49397376 > cap: K = 1, over. */
        {500, 60, 16384, 500, 60, 1, 49397376, true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct resting_load_plan plan;
        resting_load_plan(cases[i].rate_hz, 1.0, cases[i].window_s, cases[i].taxels, CAP, &plan);
        assert_int_equal(plan.block_frames, cases[i].block);
        assert_int_equal(plan.wanted_blocks, cases[i].wanted);
        assert_int_equal(plan.window_blocks, cases[i].window);
        assert_int_equal(plan.memory, cases[i].memory);
        assert_int_equal(plan.over_memory, cases[i].over);
        assert_int_equal(
            resting_load_memory(cases[i].taxels, plan.block_frames, plan.window_blocks),
            cases[i].memory);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_cases),
        cmocka_unit_test(test_random_against_closed_form),
        cmocka_unit_test(test_frames_held_back),
        cmocka_unit_test(test_plan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
