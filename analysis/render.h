/*
 * render.h - the pictures of an analysis, drawn with cairo into PNG files.
 *
 * Heatmap: the table seen from above, head end (row 0) at the top, column 0
 * (the client's left when prone) on the left; one square per taxel coloured
 * by colormap.h, region outlines and names, a colour bar with its unit:
 *
 *   +--------------------------------------------+
 *   | title / subtitle                            |
 *   |              HEAD                           |
 *   |   +------------------+   +--+ max unit      |
 *   | L |  taxels, regions | R |  | ...           |
 *   |   +------------------+   +--+ 0             |
 *   |              FEET                           |
 *   +--------------------------------------------+
 *
 * Timeline: one lane per region, a bar for each visit, over the analysed
 * time range. Series: total and applied load, contact area and centre of
 * pressure over the same range.
 * Sizes depend only on the grid and the number of regions (render_*_size),
 * so tests know what to expect.
 */
#ifndef MTABLE_RENDER_H
#define MTABLE_RENDER_H

#include <stddef.h>

#include "metrics.h"
#include "regions.h"
#include "series_overview.h"

/* What a heatmap image shows. */
struct render_heatmap {
    const double *values; /* rows x cols, row-major */
    int rows, cols;
    const struct region_map *regions; /* outlines to draw, or NULL */
    const char *title;                /* what the map is, e.g. "Mean pressure (applied)" */
    const char *subtitle;             /* which session and window */
    const char *unit;                 /* colour bar unit, e.g. "kPa" or "s" */
};

/* What the region timeline shows. */
struct render_timeline {
    const struct region_map *regions;
    const struct metrics_visit *visits;
    size_t visit_count;
    double start_s, end_s; /* the time axis: the analysed range on the session's axis */
    const char *title;
};

/* Width and height in pixels of a heatmap image of a rows x cols grid. */
void render_heatmap_size(int rows, int cols, int *width, int *height);

/* Width and height in pixels of a timeline image of region_count regions. */
void render_timeline_size(size_t region_count, int *width, int *height);

/* Width and height in pixels of a series image. */
void render_series_size(int *width, int *height);

/* Draws a heatmap into the PNG file path. 0 or -EIO. */
int render_heatmap_png(const struct render_heatmap *heatmap, const char *path);

/* Draws the region timeline into the PNG file path. */
int render_timeline_png(const struct render_timeline *timeline, const char *path);

/*
 * Releases what cairo and fontconfig keep for the life of the program (font
 * caches), so leak checkers see a clean exit. Call once, after all drawing.
 */
void render_release(void);

/* Draws the series overview into the PNG file path; unit is the load's unit. */
int render_series_png(const struct series_overview *overview, int rows, const char *unit,
                      const char *title, const char *path);

#endif
