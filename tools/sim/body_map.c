/*
 * body_map.c - the default region rectangles and their scaling.
 */
#include "body_map.h"

#include <errno.h>

/* The grid the rectangles are drawn on: the lab table's 64 x 32 taxels. */
#define TEMPLATE_ROWS 64u
#define TEMPLATE_COLS 32u

static const struct body_region TEMPLATE[REGION_COUNT] = {
    [REGION_HEAD] = {"head", 0, 6, 10, 21},
    [REGION_SHOULDER_LEFT] = {"shoulder_left", 7, 13, 2, 15},
    [REGION_SHOULDER_RIGHT] = {"shoulder_right", 7, 13, 16, 29},
    [REGION_UPPER_BACK_LEFT] = {"upper_back_left", 14, 23, 4, 15},
    [REGION_UPPER_BACK_RIGHT] = {"upper_back_right", 14, 23, 16, 27},
    [REGION_LOWER_BACK_LEFT] = {"lower_back_left", 24, 30, 5, 15},
    [REGION_LOWER_BACK_RIGHT] = {"lower_back_right", 24, 30, 16, 26},
    [REGION_PELVIS] = {"pelvis", 31, 37, 5, 26},
    [REGION_THIGH_LEFT] = {"thigh_left", 38, 48, 4, 15},
    [REGION_THIGH_RIGHT] = {"thigh_right", 38, 48, 16, 27},
    [REGION_LOWER_LEG_LEFT] = {"lower_leg_left", 49, 63, 5, 15},
    [REGION_LOWER_LEG_RIGHT] = {"lower_leg_right", 49, 63, 16, 26},
};

/* Scales an inclusive template range first..last onto size taxels; -EINVAL if it vanishes. */
static int scale_range(unsigned first, unsigned last, unsigned template_size, unsigned size,
                       unsigned *scaled_first, unsigned *scaled_last)
{
    unsigned begin = first * size / template_size;
    unsigned end = (last + 1) * size / template_size; /* one past the last */
    if (end <= begin)
        return -EINVAL;
    *scaled_first = begin;
    *scaled_last = end - 1;
    return 0;
}

int body_map_init(struct body_map *map, unsigned rows, unsigned cols)
{
    struct body_map scaled = {.rows = rows, .cols = cols};
    for (int i = 0; i < REGION_COUNT; i++) {
        const struct body_region *t = &TEMPLATE[i];
        struct body_region *r = &scaled.regions[i];
        r->name = t->name;
        if (scale_range(t->first_row, t->last_row, TEMPLATE_ROWS, rows, &r->first_row,
                        &r->last_row) < 0 ||
            scale_range(t->first_col, t->last_col, TEMPLATE_COLS, cols, &r->first_col,
                        &r->last_col) < 0)
            return -EINVAL;
    }
    *map = scaled;
    return 0;
}

const char *body_map_name(enum region_id region)
{
    return TEMPLATE[region].name;
}
