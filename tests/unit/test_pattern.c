/*
 * test_pattern.c - the simulated table's test pattern is the one its header
 * (and hw/README.md) describes: values worked out by hand for the default
 * 64 x 32 grid at scans 0 and 100, and for a 1 x 1 grid.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pattern.h"

static void test_default_grid(void **state)
{
    (void)state;
    /*
     * Client: centre (32, 16), a = 28, b = 8, a^2 b^2 = 50176. Scan 0: hand at
     * row 8, column 11, radius 4; elbow at row 55, column 21, radius 2. Scan 100:
     * hand at row 8 + 50 mod 49 = 9, elbow at row 55 - 33 mod 49 = 22.
     */
    static const struct {
        unsigned row, col;
        uint64_t scan;
        uint32_t pa;
    } cases[] = {
        {32, 16, 0, 3000},    /* client's centre */
        {0, 0, 0, 0},         /* a corner */
        {8, 11, 0, 40000},    /* hand centre; client: 50176 - 36864 - 19600 < 0 */
        {9, 12, 0, 35225},    /* hand 40000 * 14 / 16 + client 3000 * 3776 / 50176 (225) */
        {55, 21, 0, 90000},   /* elbow centre */
        {56, 21, 0, 67500},   /* elbow 90000 * 3 / 4; client 50176 - 36864 - 19600 < 0 */
        {9, 11, 100, 40000},  /* the hand moved one row */
        {22, 21, 100, 91445}, /* the elbow moved 33 rows; client 3000 * 24176 / 50176 (1445) */
        {8, 11, 100, 37500},  /* one row from the hand's centre now: 40000 * 15 / 16 */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint32_t got = pattern_pressure_pa(64, 32, cases[i].row, cases[i].col, cases[i].scan);
        if (got != cases[i].pa)
            fail_msg("row %u col %u scan %llu: %u Pa, expected %u", cases[i].row, cases[i].col,
                     (unsigned long long)cases[i].scan, got, cases[i].pa);
    }
}

/* The hands travel 49 rows and start over: scan n and n + 2 x 3 x 49 look the same. */
static void test_pattern_repeats(void **state)
{
    (void)state;
    for (unsigned row = 0; row < 64; row++)
        for (unsigned col = 0; col < 32; col++)
            assert_int_equal(pattern_pressure_pa(64, 32, row, col, 5),
                             pattern_pressure_pa(64, 32, row, col, 5 + 294));
}

/* Every shape keeps a size of at least one taxel: on a 1 x 1 grid all three peaks add up. */
static void test_smallest_grid(void **state)
{
    (void)state;
    assert_int_equal(pattern_pressure_pa(1, 1, 0, 0, 0), 3000 + 40000 + 90000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_grid),
        cmocka_unit_test(test_pattern_repeats),
        cmocka_unit_test(test_smallest_grid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
