/*
 * test_body.c - the resting load looks like a client lying prone: zero off
 * the body and in the face-cradle hole, heaviest at the pelvis, a few
 * hundred counts elsewhere; it breathes by a few percent at 0.25 Hz, and it
 * moves exactly one row towards the feet at the client shift and stays.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "body.h"

enum { ROWS = 64, COLS = 32 };

#define NS_PER_S 1000000000ull

static struct body body;
static float load[ROWS * COLS];
static float other[ROWS * COLS];

static int set_up(void **state)
{
    (void)state;
    return body_init(&body, ROWS, COLS);
}

static int tear_down(void **state)
{
    (void)state;
    body_fini(&body);
    return 0;
}

/* Largest load in rows first..last, columns first_col..last_col. */
static float max_in(const float *map, unsigned first_row, unsigned last_row, unsigned first_col,
                    unsigned last_col)
{
    float max = 0;
    for (unsigned r = first_row; r <= last_row; r++)
        for (unsigned c = first_col; c <= last_col; c++)
            max = fmaxf(max, map[r * COLS + c]);
    return max;
}

static void test_load_where_the_body_lies(void **state)
{
    (void)state;
    body_resting_load(&body, 0, load);
    for (size_t i = 0; i < ROWS * COLS; i++)
        assert_true(load[i] >= 0.0f);
    /* Off the body: the outer columns, beside the head, the face-cradle hole. */
    assert_true(max_in(load, 0, 63, 0, 1) == 0.0f);
    assert_true(max_in(load, 0, 63, 30, 31) == 0.0f);
    assert_true(max_in(load, 0, 6, 0, 8) == 0.0f);
    assert_true(max_in(load, 5, 6, 15, 16) == 0.0f);
    /* On it: forehead and cheeks, chest, pelvis heaviest, thighs, knees, feet small. */
    float head = max_in(load, 0, 6, 10, 21);
    float chest = max_in(load, 14, 23, 4, 27);
    float pelvis = max_in(load, 31, 37, 5, 26);
    float thighs = max_in(load, 38, 48, 4, 27);
    float feet = max_in(load, 61, 63, 4, 27);
    assert_true(head > 200 && head < 500);
    assert_true(chest > 700 && chest < 1000);
    assert_true(pelvis > chest && pelvis <= 1000);
    assert_true(thighs > 300 && thighs < 700);
    assert_true(feet > 20 && feet < 250);
    assert_true(max_in(load, 0, 63, 0, 31) == pelvis);
}

static void test_breathing(void **state)
{
    (void)state;
    body_resting_load(&body, 0, other);
    body_resting_load(&body, 1 * NS_PER_S, load); /* quarter of a breath: full in */
    double chest_ratio = load[17 * COLS + 10] / other[17 * COLS + 10];
    double pelvis_ratio = load[33 * COLS + 10] / other[33 * COLS + 10];
    assert_true(chest_ratio > 1.025 && chest_ratio < 1.035);
    assert_true(fabs(pelvis_ratio - 1.0) < 1e-6);
    body_resting_load(&body, 3 * NS_PER_S, load); /* three quarters: full out */
    chest_ratio = load[17 * COLS + 10] / other[17 * COLS + 10];
    assert_true(chest_ratio > 0.965 && chest_ratio < 0.975);
    body_resting_load(&body, 4 * NS_PER_S, load); /* a whole breath: back to the start */
    assert_true(fabsf(load[17 * COLS + 10] - other[17 * COLS + 10]) < 1e-3f);
}

static void test_client_shift(void **state)
{
    (void)state;
    /* At 90 s the breathing is at the same phase as at 0 s (90 x 0.25 = 22.5 breaths... */
    /* ...so compare instants one breath apart around the shift: 86 s and 90 s). */
    body_resting_load(&body, BODY_SHIFT_TIME_NS - 4 * NS_PER_S, other);
    body_resting_load(&body, BODY_SHIFT_TIME_NS, load);
    for (unsigned c = 0; c < COLS; c++)
        assert_true(load[c] == 0.0f);
    for (unsigned r = 1; r < ROWS; r++)
        for (unsigned c = 0; c < COLS; c++)
            assert_true(fabsf(load[r * COLS + c] - other[(r - 1) * COLS + c]) < 1e-3f);
    /* Just before the shift, the body is where it started. */
    body_resting_load(&body, BODY_SHIFT_TIME_NS - 1, load);
    body_resting_load(&body, BODY_SHIFT_TIME_NS - 1 - 4 * NS_PER_S, other);
    for (size_t i = 0; i < ROWS * COLS; i++)
        assert_true(fabsf(load[i] - other[i]) < 1e-3f);
    /* And it stays shifted. */
    body_resting_load(&body, BODY_SHIFT_TIME_NS + 3600 * NS_PER_S, load);
    body_resting_load(&body, BODY_SHIFT_TIME_NS, other);
    for (size_t i = 0; i < ROWS * COLS; i++)
        assert_true(fabsf(load[i] - other[i]) < 1e-3f);
}

static void test_other_grids(void **state)
{
    (void)state;
    struct body coarse;
    assert_int_equal(body_init(&coarse, 32, 16), 0);
    float small[32 * 16];
    body_resting_load(&coarse, 0, small);
    float max = 0;
    for (size_t i = 0; i < 32 * 16; i++)
        max = fmaxf(max, small[i]);
    assert_true(max > 600 && max <= 1000);
    body_fini(&coarse);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_load_where_the_body_lies, set_up, tear_down),
        cmocka_unit_test_setup_teardown(test_breathing, set_up, tear_down),
        cmocka_unit_test_setup_teardown(test_client_shift, set_up, tear_down),
        cmocka_unit_test_setup_teardown(test_other_grids, set_up, tear_down),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
