/*
 * body_map.h - where the simulated client lies: the named body regions on
 * the table that the therapist's routine works on, one at a time. They are
 * the rectangles of the analysis tool's default region map
 * (analysis/default_regions.txt; test_body_map checks they agree), so the
 * ground truth names the regions the analysis reports.
 *
 * Rectangles of taxels, inclusive, on the 64 x 32 grid (row 0 at the head
 * end, column 0 on the client's left when prone):
 *
 *          col 0         10    16    21          31
 *   row  0        +-----[ head ]-----+
 *        7  [ shoulder_left | shoulder_right ]
 *       14  [ upper_back_left | upper_back_right ]
 *       24  [ lower_back_left | lower_back_right ]
 *       31  [         pelvis          ]
 *       38  [ thigh_left | thigh_right ]
 *       49  [ lower_leg_left | lower_leg_right ]   (to row 63)
 *
 * Other grids scale the bounds: a region covering rows a..b of 64 covers
 * rows floor(a * rows / 64) .. floor((b + 1) * rows / 64) - 1, and likewise
 * for columns over 32, so regions that touch on 64 x 32 still touch and
 * never overlap. No two regions share a taxel.
 */
#ifndef MTABLE_SIM_BODY_MAP_H
#define MTABLE_SIM_BODY_MAP_H

/* Fewest rows on which every region keeps a taxel (the 7-row regions need 64 / 7). */
#define BODY_MAP_MIN_ROWS 10u
/* Fewest columns on which every region keeps a taxel. */
#define BODY_MAP_MIN_COLS 3u

/* The regions, in the order of the table above. */
enum region_id {
    REGION_HEAD,
    REGION_SHOULDER_LEFT,
    REGION_SHOULDER_RIGHT,
    REGION_UPPER_BACK_LEFT,
    REGION_UPPER_BACK_RIGHT,
    REGION_LOWER_BACK_LEFT,
    REGION_LOWER_BACK_RIGHT,
    REGION_PELVIS,
    REGION_THIGH_LEFT,
    REGION_THIGH_RIGHT,
    REGION_LOWER_LEG_LEFT,
    REGION_LOWER_LEG_RIGHT,
    REGION_COUNT
};

/* One region: a rectangle of taxels, bounds inclusive. */
struct body_region {
    const char *name; /* as in the ground truth and the analysis tool, e.g. "shoulder_left" */
    unsigned first_row, last_row;
    unsigned first_col, last_col;
};

/* Every region placed on one grid. */
struct body_map {
    unsigned rows, cols;                      /* the grid */
    struct body_region regions[REGION_COUNT]; /* indexed by enum region_id */
};

/* Places the regions on a rows x cols grid; -EINVAL if the grid is too small for one. */
int body_map_init(struct body_map *map, unsigned rows, unsigned cols);

/* Name of a region, as in the ground truth and the analysis tool ("shoulder_left"). */
const char *body_map_name(enum region_id region);

#endif
