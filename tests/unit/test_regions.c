/*
 * test_regions.c - the regions file parser: what good files mean, the exact
 * "file:line: message" of each bad one, the compiled-in default map and its
 * scaling to another grid, and selecting regions by name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "regions.h"

static struct region_map *parse_ok(const char *text, int rows, int cols)
{
    struct region_map *map = NULL;
    char error[REGIONS_ERROR_SIZE] = "";
    int r = regions_parse(text, strlen(text), "test.regions", rows, cols, false, &map, error,
                          sizeof(error));
    if (r != 0)
        fail_msg("unexpected error %d: %s", r, error);
    return map;
}

static bool region_has(const struct region *region, int cols, int row, int col)
{
    for (size_t i = 0; i < region->taxel_count; i++)
        if (region->taxels[i] == (uint32_t)(row * cols + col))
            return true;
    return false;
}

static void test_rect_and_taxels(void **state)
{
    (void)state;
    /* Comments, blank lines, CRLF, a repeated name adding to its region, overlap. */
    struct region_map *map = parse_ok("# two regions\r\n"
                                      "\n"
                                      "grid 8 4   # the grid\r\n"
                                      "a rect 1-2 0-1\r\n"
                                      "b taxels 0,3 2,1 0,3\n"
                                      "a taxels 7,3   # adds to a\n"
                                      "b rect 5 2",
                                      8, 4);
    assert_int_equal(map->count, 2);
    assert_false(map->scaled);
    const struct region *a = &map->regions[0], *b = &map->regions[1];
    assert_string_equal(a->name, "a");
    assert_string_equal(b->name, "b");
    /* a: rows 1-2 x cols 0-1 (4 taxels) + (7,3) = 5 taxels, ascending indices. */
    assert_int_equal(a->taxel_count, 5);
    uint32_t expected_a[] = {4, 5, 8, 9, 31};
    assert_memory_equal(a->taxels, expected_a, sizeof(expected_a));
    assert_int_equal(a->first_row, 1);
    assert_int_equal(a->last_row, 7);
    assert_int_equal(a->first_col, 0);
    assert_int_equal(a->last_col, 3);
    /* b: (0,3) once, (2,1) shared with a, (5,2). */
    assert_int_equal(b->taxel_count, 3);
    assert_true(region_has(b, 4, 0, 3));
    assert_true(region_has(b, 4, 2, 1));
    assert_true(region_has(a, 4, 2, 1));
    assert_true(region_has(b, 4, 5, 2));
    regions_free(map);
}

static void test_default_map(void **state)
{
    (void)state;
    struct region_map *map = NULL;
    char error[REGIONS_ERROR_SIZE];
    assert_int_equal(regions_load_default(64, 32, &map, error, sizeof(error)), 0);
    assert_false(map->scaled);
    /* The names and rectangles decided for the default table, in this order. */
    static const struct {
        const char *name;
        int r0, r1, c0, c1;
    } expected[] = {
        {"head", 0, 6, 10, 21},
        {"shoulder_left", 7, 13, 2, 15},
        {"shoulder_right", 7, 13, 16, 29},
        {"upper_back_left", 14, 23, 4, 15},
        {"upper_back_right", 14, 23, 16, 27},
        {"lower_back_left", 24, 30, 5, 15},
        {"lower_back_right", 24, 30, 16, 26},
        {"pelvis", 31, 37, 5, 26},
        {"thigh_left", 38, 48, 4, 15},
        {"thigh_right", 38, 48, 16, 27},
        {"lower_leg_left", 49, 63, 5, 15},
        {"lower_leg_right", 49, 63, 16, 26},
    };
    assert_int_equal(map->count, sizeof(expected) / sizeof(expected[0]));
    for (size_t i = 0; i < map->count; i++) {
        const struct region *region = &map->regions[i];
        assert_string_equal(region->name, expected[i].name);
        assert_int_equal(region->first_row, expected[i].r0);
        assert_int_equal(region->last_row, expected[i].r1);
        assert_int_equal(region->first_col, expected[i].c0);
        assert_int_equal(region->last_col, expected[i].c1);
        assert_int_equal(region->taxel_count, (size_t)(expected[i].r1 - expected[i].r0 + 1) *
                                                  (size_t)(expected[i].c1 - expected[i].c0 + 1));
    }
    regions_free(map);
}

static void test_default_map_scaled(void **state)
{
    (void)state;
    struct region_map *map = NULL;
    char error[REGIONS_ERROR_SIZE];
    /* PmatData experiment ii: 64 x 27. Columns c0-c1 become floor(c0*27/32) to
     * floor((c1+1)*27/32)-1: head 10-21 -> 8-17, shoulder_right 16-29 -> 13-24. */
    assert_int_equal(regions_load_default(64, 27, &map, error, sizeof(error)), 0);
    assert_true(map->scaled);
    assert_int_equal(map->regions[0].first_col, 8);
    assert_int_equal(map->regions[0].last_col, 17);
    assert_int_equal(map->regions[0].first_row, 0);
    assert_int_equal(map->regions[0].last_row, 6);
    assert_int_equal(map->regions[2].first_col, 13);
    assert_int_equal(map->regions[2].last_col, 24);
    /* Adjacent rectangles stay adjacent: shoulder_left 2-15 -> 1-12, next starts at 13. */
    assert_int_equal(map->regions[1].last_col, 12);
    regions_free(map);
    /* Half the rows: pelvis rows 31-37 -> 15-18. */
    assert_int_equal(regions_load_default(32, 16, &map, error, sizeof(error)), 0);
    assert_int_equal(map->regions[7].first_row, 15);
    assert_int_equal(map->regions[7].last_row, 18);
    regions_free(map);
}

struct bad_case {
    const char *text;
    const char *message;
};

static const struct bad_case bad_cases[] = {
    {"head rectangle 0-6 1-2",
     "test.regions:1: unknown shape \"rectangle\" (expected \"rect\" or \"taxels\")"},
    {"# comment\nhead rect 0-6",
     "test.regions:2: \"rect\" takes a row range and a column range, e.g. \"head rect 0-6 "
     "10-21\""},
    {"head rect 6-0 1-2", "test.regions:1: bad row range \"6-0\": expected N or N-M with N <= M"},
    {"head rect 0-6 1-x",
     "test.regions:1: bad column range \"1-x\": expected N or N-M with N <= M"},
    {"head rect 0-6 -3", "test.regions:1: bad column range \"-3\": expected N or N-M with N <= M"},
    {"head rect 60-70 1-2",
     "test.regions:1: region \"head\": rows 60-70 are outside the grid (rows 0-63)"},
    {"\n\nhead rect 0-6 30-32",
     "test.regions:3: region \"head\": columns 30-32 are outside the grid (columns 0-31)"},
    {"spot taxels 1,1 64,0",
     "test.regions:1: region \"spot\": taxel 64,0 is outside the grid (rows 0-63, columns "
     "0-31)"},
    {"spot taxels 3;4", "test.regions:1: bad taxel \"3;4\": expected ROW,COL such as 3,4"},
    {"spot taxels 3,", "test.regions:1: bad taxel \"3,\": expected ROW,COL such as 3,4"},
    {"spot taxels",
     "test.regions:1: \"taxels\" needs at least one ROW,COL, e.g. \"spot taxels 3,4 3,5\""},
    {"3head rect 0 0",
     "test.regions:1: bad region name \"3head\": a name starts with a letter and holds only "
     "letters, digits, '_', '-' and '.'"},
    {"grid 64 27\nhead rect 0 0",
     "test.regions:1: the map is drawn for a 64 x 27 grid but the session's grid is 64 x 32"},
    {"head rect 0 0\ngrid 64 32",
     "test.regions:2: \"grid\" must come once, before the first region"},
    {"grid 64",
     "test.regions:1: bad grid line: expected \"grid ROWS COLS\" such as \"grid 64 32\""},
    {"head", "test.regions:1: expected \"NAME rect ROWS COLS\" or \"NAME taxels ROW,COL ...\""},
    {"# nothing here\n\n", "test.regions: no regions defined"},
    {"", "test.regions: no regions defined"},
};

static void test_bad_inputs(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        struct region_map *map = NULL;
        char error[REGIONS_ERROR_SIZE] = "";
        int r = regions_parse(bad_cases[i].text, strlen(bad_cases[i].text), "test.regions", 64, 32,
                              false, &map, error, sizeof(error));
        if (r >= 0)
            fail_msg("case %zu (%s) was accepted", i, bad_cases[i].text);
        assert_null(map);
        assert_string_equal(error, bad_cases[i].message);
    }
}

static void test_too_many_regions(void **state)
{
    (void)state;
    char text[REGIONS_MAX * 32 + 64] = "";
    size_t used = 0;
    for (int i = 0; i <= REGIONS_MAX; i++)
        used += (size_t)snprintf(text + used, sizeof(text) - used, "r%d rect %d 0\n", i, i % 64);
    struct region_map *map = NULL;
    char error[REGIONS_ERROR_SIZE] = "";
    assert_true(regions_parse(text, used, "many", 64, 32, false, &map, error, sizeof(error)) < 0);
    assert_string_equal(error, "many:65: more than 64 regions");
}

static void test_nul_byte(void **state)
{
    (void)state;
    struct region_map *map = NULL;
    char error[REGIONS_ERROR_SIZE] = "";
    assert_true(
        regions_parse("a rect 0 0\0x", 12, "bin", 64, 32, false, &map, error, sizeof(error)) < 0);
    assert_string_equal(error, "bin: not a text file (it contains NUL bytes)");
}

static void test_load_missing_file(void **state)
{
    (void)state;
    struct region_map *map = NULL;
    char error[REGIONS_ERROR_SIZE] = "";
    assert_true(regions_load("/nonexistent/x.regions", 64, 32, &map, error, sizeof(error)) < 0);
    assert_string_equal(error,
                        "/nonexistent/x.regions: cannot open the regions file: No such file or "
                        "directory");
}

static void test_select(void **state)
{
    (void)state;
    struct region_map *map = parse_ok("a rect 0 0\nb rect 1 1\nc rect 2 2\n", 64, 32);
    char error[REGIONS_ERROR_SIZE] = "";
    /* An unknown name is an error and leaves the map whole. */
    assert_true(regions_select(map, "c,nose", error, sizeof(error)) < 0);
    assert_string_equal(error, "unknown region \"nose\"; the regions are: a b c");
    assert_int_equal(map->count, 3);
    /* Selected regions keep the map's order, not the list's. */
    assert_int_equal(regions_select(map, "c,a", error, sizeof(error)), 0);
    assert_int_equal(map->count, 2);
    assert_string_equal(map->regions[0].name, "a");
    assert_string_equal(map->regions[1].name, "c");
    assert_int_equal(map->regions[1].taxels[0], 2 * 32 + 2);
    regions_free(map);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rect_and_taxels),    cmocka_unit_test(test_default_map),
        cmocka_unit_test(test_default_map_scaled), cmocka_unit_test(test_bad_inputs),
        cmocka_unit_test(test_too_many_regions),   cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_load_missing_file),  cmocka_unit_test(test_select),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
