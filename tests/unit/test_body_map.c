/*
 * test_body_map.c - the simulator's body regions are the analysis tool's
 * default region map (analysis/default_regions.txt, parsed by the analysis
 * library), scale to other grids without overlapping, and refuse grids
 * where one would vanish.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "body_map.h"
#include "regions.h"

static void test_default_grid_is_the_analysis_map(void **state)
{
    (void)state;
    struct body_map map;
    assert_int_equal(body_map_init(&map, 64, 32), 0);
    struct region_map *analysis = NULL;
    char error[REGIONS_ERROR_SIZE];
    assert_int_equal(regions_load_default(64, 32, &analysis, error, sizeof(error)), 0);
    assert_int_equal(analysis->count, REGION_COUNT);
    for (int i = 0; i < REGION_COUNT; i++) {
        const struct body_region *r = &map.regions[i];
        const struct region *a = &analysis->regions[i];
        assert_string_equal(r->name, a->name);
        assert_string_equal(body_map_name((enum region_id)i), a->name);
        assert_int_equal(r->first_row, a->first_row);
        assert_int_equal(r->last_row, a->last_row);
        assert_int_equal(r->first_col, a->first_col);
        assert_int_equal(r->last_col, a->last_col);
        /* A whole rectangle, as the simulator assumes. */
        assert_int_equal(a->taxel_count,
                         (r->last_row - r->first_row + 1) * (r->last_col - r->first_col + 1));
    }
    regions_free(analysis);
}

/* Scaled by hand: 32 x 16 halves every bound (first / 2, (last + 1) / 2 - 1). */
static void test_half_grid(void **state)
{
    (void)state;
    struct body_map map;
    assert_int_equal(body_map_init(&map, 32, 16), 0);
    const struct body_region *pelvis = &map.regions[REGION_PELVIS];
    assert_int_equal(pelvis->first_row, 15); /* 31 / 2 */
    assert_int_equal(pelvis->last_row, 18);  /* 38 / 2 - 1 */
    assert_int_equal(pelvis->first_col, 2);  /* 5 / 2 */
    assert_int_equal(pelvis->last_col, 12);  /* 27 / 2 - 1 */
    const struct body_region *head = &map.regions[REGION_HEAD];
    assert_int_equal(head->first_row, 0);
    assert_int_equal(head->last_row, 2); /* 7 / 2 - 1 */
    assert_int_equal(head->first_col, 5);
    assert_int_equal(head->last_col, 10); /* 22 / 2 - 1 */
}

/* On every grid, no taxel belongs to two regions, and regions that touch still touch. */
static void test_scaled_regions_never_overlap(void **state)
{
    (void)state;
    static const unsigned grids[][2] = {{10, 3},  {13, 7},   {27, 9},    {48, 24},
                                        {64, 32}, {100, 50}, {128, 128}, {256, 64}};
    for (size_t g = 0; g < sizeof(grids) / sizeof(grids[0]); g++) {
        unsigned rows = grids[g][0], cols = grids[g][1];
        struct body_map map;
        assert_int_equal(body_map_init(&map, rows, cols), 0);
        for (unsigned r = 0; r < rows; r++) {
            for (unsigned c = 0; c < cols; c++) {
                int holders = 0;
                for (int i = 0; i < REGION_COUNT; i++) {
                    const struct body_region *x = &map.regions[i];
                    holders += r >= x->first_row && r <= x->last_row && c >= x->first_col &&
                               c <= x->last_col;
                }
                assert_true(holders <= 1);
            }
        }
        /* The back halves meet along the spine, the lower back follows the upper back. */
        assert_int_equal(map.regions[REGION_UPPER_BACK_LEFT].last_col + 1,
                         map.regions[REGION_UPPER_BACK_RIGHT].first_col);
        assert_int_equal(map.regions[REGION_UPPER_BACK_LEFT].last_row + 1,
                         map.regions[REGION_LOWER_BACK_LEFT].first_row);
        assert_int_equal(map.regions[REGION_LOWER_LEG_LEFT].last_row, rows - 1);
    }
}

static void test_too_small_grids_refused(void **state)
{
    (void)state;
    struct body_map map;
    memset(&map, 0x5A, sizeof(map));
    struct body_map untouched = map;
    assert_int_equal(body_map_init(&map, BODY_MAP_MIN_ROWS - 1, 32), -EINVAL);
    assert_int_equal(body_map_init(&map, 64, BODY_MAP_MIN_COLS - 1), -EINVAL);
    assert_memory_equal(&map, &untouched, sizeof(map));
    assert_int_equal(body_map_init(&map, BODY_MAP_MIN_ROWS, BODY_MAP_MIN_COLS), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_grid_is_the_analysis_map),
        cmocka_unit_test(test_half_grid),
        cmocka_unit_test(test_scaled_regions_never_overlap),
        cmocka_unit_test(test_too_small_grids_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
