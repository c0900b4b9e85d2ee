/*
 * render.c - cairo drawing of heatmaps, the region timeline and the series.
 *
 * All text uses the "sans-serif" face through fontconfig. Lengths below
 * are pixels.
 */
#include "render.h"

#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "colormap.h"

/* Heatmap layout: the grid fills about HEATMAP_GRID_HEIGHT pixels of height. */
#define HEATMAP_GRID_HEIGHT    640
#define HEATMAP_CELL_MIN       4  /* below this a taxel is hard to see */
#define HEATMAP_CELL_MAX       24 /* above this a small grid gets needlessly huge */
#define HEATMAP_GRID_WIDTH_MAX 640
#define HEATMAP_TOP            70 /* title, subtitle and HEAD */
#define HEATMAP_BOTTOM         34 /* FEET */
#define HEATMAP_SIDE           34 /* L and R beside the grid */
#define HEATMAP_BAR_WIDTH      18
#define HEATMAP_BAR_LABELS     96  /* tick labels and unit right of the bar */
#define HEATMAP_MIN_WIDTH      540 /* room for the title */
#define HEATMAP_TICKS          5   /* most ticks on the colour bar */

/* Timeline layout. */
#define TIMELINE_WIDTH  1000
#define TIMELINE_NAMES  150 /* region names left of the lanes */
#define TIMELINE_RIGHT  20
#define TIMELINE_TOP    40
#define TIMELINE_LANE   22
#define TIMELINE_BOTTOM 44 /* time axis */

/* Series layout: three panels stacked. */
#define SERIES_WIDTH     1000
#define SERIES_LEFT      80
#define SERIES_RIGHT     20
#define SERIES_TOP       54
#define SERIES_PANEL     150
#define SERIES_PANEL_GAP 36
#define SERIES_BOTTOM    44
#define SERIES_PANELS    3

/* Most ticks on a time axis. */
#define AXIS_TICKS_MAX 10

/* A step for at most max_ticks ticks over span: 1, 2 or 5 times a power of ten. */
static double tick_step(double span, double max_ticks)
{
    static const double multiples[] = {1, 2, 5};
    double power = pow(10, floor(log10(span / max_ticks)));
    for (size_t i = 0; i < sizeof(multiples) / sizeof(multiples[0]); i++)
        if (span / (multiples[i] * power) <= max_ticks)
            return multiples[i] * power;
    return 10 * power;
}

/* Pixels per taxel: fits the grid in HEATMAP_GRID_HEIGHT x HEATMAP_GRID_WIDTH_MAX, then clamps. */
static int heatmap_cell(int rows, int cols)
{
    int by_height = HEATMAP_GRID_HEIGHT / rows, by_width = HEATMAP_GRID_WIDTH_MAX / cols;
    int cell = by_height < by_width ? by_height : by_width;
    return cell < HEATMAP_CELL_MIN   ? HEATMAP_CELL_MIN
           : cell > HEATMAP_CELL_MAX ? HEATMAP_CELL_MAX
                                     : cell;
}

void render_heatmap_size(int rows, int cols, int *width, int *height)
{
    int cell = heatmap_cell(rows, cols);
    int natural =
        HEATMAP_SIDE + cols * cell + HEATMAP_SIDE + HEATMAP_BAR_WIDTH + HEATMAP_BAR_LABELS;
    *width = natural > HEATMAP_MIN_WIDTH ? natural : HEATMAP_MIN_WIDTH;
    *height = HEATMAP_TOP + rows * cell + HEATMAP_BOTTOM;
}

void render_timeline_size(size_t region_count, int *width, int *height)
{
    *width = TIMELINE_WIDTH;
    *height =
        TIMELINE_TOP + (int)(region_count > 0 ? region_count : 1) * TIMELINE_LANE + TIMELINE_BOTTOM;
}

void render_series_size(int *width, int *height)
{
    *width = SERIES_WIDTH;
    *height = SERIES_TOP + SERIES_PANELS * SERIES_PANEL + (SERIES_PANELS - 1) * SERIES_PANEL_GAP +
              SERIES_BOTTOM;
}

/* Creates a white canvas; NULL on failure. */
static cairo_t *create_canvas(int width, int height)
{
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
    cairo_t *cr = cairo_create(surface);
    cairo_surface_destroy(surface);
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
        cairo_destroy(cr);
        return NULL;
    }
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    return cr;
}

/* Writes the canvas to path and frees it. */
static int finish_canvas(cairo_t *cr, const char *path)
{
    cairo_status_t status = cairo_status(cr);
    if (status == CAIRO_STATUS_SUCCESS)
        status = cairo_surface_write_to_png(cairo_get_target(cr), path);
    cairo_destroy(cr);
    return status == CAIRO_STATUS_SUCCESS ? 0 : -EIO;
}

/* Draws text with its anchor: align 0 left, 0.5 centre, 1 right of x; y is the baseline. */
static void draw_text(cairo_t *cr, double x, double y, double align, double size, bool bold,
                      const char *text)
{
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    cairo_text_extents_t extents;
    cairo_text_extents(cr, text, &extents);
    cairo_move_to(cr, x - align * extents.x_advance, y);
    cairo_show_text(cr, text);
}

/* Text in white with a dark outline, readable on any colour of the scale. */
static void draw_label(cairo_t *cr, double x, double y, double size, const char *text)
{
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(cr, size);
    cairo_text_extents_t extents;
    cairo_text_extents(cr, text, &extents);
    cairo_move_to(cr, x - extents.x_advance / 2, y + extents.height / 2);
    cairo_text_path(cr, text);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 2.5);
    cairo_stroke_preserve(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_fill(cr);
}

/* Tick label of value, short. */
static void format_value(double value, char *out, size_t size)
{
    if (value != 0 && (fabs(value) >= 1e5 || fabs(value) < 1e-2))
        snprintf(out, size, "%.2e", value);
    else
        snprintf(out, size, "%.4g", value);
}

/* Outlines the taxels of region on a grid drawn from (x0, y0) with cells of cell pixels. */
static void outline_region(cairo_t *cr, const struct region *region, int rows, int cols, double x0,
                           double y0, int cell, const uint8_t *inside)
{
    for (size_t i = 0; i < region->taxel_count; i++) {
        int row = (int)(region->taxels[i] / (uint32_t)cols);
        int col = (int)(region->taxels[i] % (uint32_t)cols);
        double x = x0 + col * cell, y = y0 + row * cell;
        if (row == 0 || !inside[(row - 1) * cols + col]) {
            cairo_move_to(cr, x, y);
            cairo_line_to(cr, x + cell, y);
        }
        if (row == rows - 1 || !inside[(row + 1) * cols + col]) {
            cairo_move_to(cr, x, y + cell);
            cairo_line_to(cr, x + cell, y + cell);
        }
        if (col == 0 || !inside[row * cols + col - 1]) {
            cairo_move_to(cr, x, y);
            cairo_line_to(cr, x, y + cell);
        }
        if (col == cols - 1 || !inside[row * cols + col + 1]) {
            cairo_move_to(cr, x + cell, y);
            cairo_line_to(cr, x + cell, y + cell);
        }
    }
}

static int draw_regions(cairo_t *cr, const struct region_map *map, double x0, double y0, int cell)
{
    uint8_t *inside = calloc((size_t)map->rows * (size_t)map->cols, 1);
    if (!inside)
        return -ENOMEM;
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_SQUARE);
    for (size_t r = 0; r < map->count; r++) {
        const struct region *region = &map->regions[r];
        for (size_t i = 0; i < region->taxel_count; i++)
            inside[region->taxels[i]] = 1;
        outline_region(cr, region, map->rows, map->cols, x0, y0, cell, inside);
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_set_line_width(cr, 2.5);
        cairo_stroke_preserve(cr);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_set_line_width(cr, 1);
        cairo_stroke(cr);
        for (size_t i = 0; i < region->taxel_count; i++)
            inside[region->taxels[i]] = 0;
    }
    for (size_t r = 0; r < map->count; r++) {
        const struct region *region = &map->regions[r];
        double x = x0 + (region->first_col + region->last_col + 1) * cell / 2.0;
        double y = y0 + (region->first_row + region->last_row + 1) * cell / 2.0;
        draw_label(cr, x, y, cell < 10 ? 7 : 9, region->name);
    }
    free(inside);
    return 0;
}

int render_heatmap_png(const struct render_heatmap *h, const char *path)
{
    int width, height, cell = heatmap_cell(h->rows, h->cols);
    render_heatmap_size(h->rows, h->cols, &width, &height);
    cairo_t *cr = create_canvas(width, height);
    if (!cr)
        return -ENOMEM;
    size_t taxels = (size_t)h->rows * (size_t)h->cols;
    double high = 0;
    for (size_t x = 0; x < taxels; x++)
        high = h->values[x] > high ? h->values[x] : high;
    double scale = high > 0 ? high : 1;
    double x0 = HEATMAP_SIDE, y0 = HEATMAP_TOP;
    double grid_width = h->cols * cell, grid_height = h->rows * cell;

    cairo_set_source_rgb(cr, 0, 0, 0);
    draw_text(cr, 10, 20, 0, 15, true, h->title);
    draw_text(cr, 10, 38, 0, 11, false, h->subtitle);
    draw_text(cr, x0 + grid_width / 2, y0 - 8, 0.5, 12, true, "HEAD");
    draw_text(cr, x0 + grid_width / 2, y0 + grid_height + 22, 0.5, 12, true, "FEET");
    draw_text(cr, x0 - 8, y0 + grid_height / 2, 1, 12, true, "L");
    draw_text(cr, x0 + grid_width + 8, y0 + grid_height / 2, 0, 12, true, "R");

    for (int row = 0; row < h->rows; row++) {
        for (int col = 0; col < h->cols; col++) {
            double rgb[3];
            colormap_color(h->values[(size_t)row * (size_t)h->cols + (size_t)col] / scale, rgb);
            cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
            cairo_rectangle(cr, x0 + col * cell, y0 + row * cell, cell, cell);
            cairo_fill(cr);
        }
    }
    if (h->regions && draw_regions(cr, h->regions, x0, y0, cell) < 0) {
        cairo_destroy(cr);
        return -ENOMEM;
    }

    /* Colour bar: 0 at the bottom, the map's highest value at the top. */
    double bar_x = x0 + grid_width + HEATMAP_SIDE;
    for (int y = 0; y < (int)grid_height; y++) {
        double rgb[3];
        colormap_color(1 - (y + 0.5) / grid_height, rgb);
        cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
        cairo_rectangle(cr, bar_x, y0 + y, HEATMAP_BAR_WIDTH, 1);
        cairo_fill(cr);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, bar_x + 0.5, y0 + 0.5, HEATMAP_BAR_WIDTH - 1, grid_height - 1);
    cairo_stroke(cr);
    /* Ticks at round values (1, 2 or 5 times a power of ten) up to the top. */
    double step = tick_step(scale, HEATMAP_TICKS);
    for (double value = 0; value <= scale * (1 + 1e-9); value += step) {
        double y = y0 + grid_height * (1 - value / scale);
        char label[32];
        format_value(value, label, sizeof(label));
        cairo_move_to(cr, bar_x + HEATMAP_BAR_WIDTH, y);
        cairo_line_to(cr, bar_x + HEATMAP_BAR_WIDTH + 4, y);
        cairo_stroke(cr);
        draw_text(cr, bar_x + HEATMAP_BAR_WIDTH + 7, y + 4, 0, 10, false, label);
    }
    draw_text(cr, bar_x, y0 - 8, 0, 11, true, h->unit);
    return finish_canvas(cr, path);
}

/* Draws a time axis under [x0, x0 + width] for start_s .. start_s + span_s at height y. */
static void draw_time_axis(cairo_t *cr, double x0, double width, double y, double start_s,
                           double span_s)
{
    bool minutes = span_s >= 180;
    double step =
        minutes ? tick_step(span_s / 60, AXIS_TICKS_MAX) * 60 : tick_step(span_s, AXIS_TICKS_MAX);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 1);
    cairo_move_to(cr, x0, y + 0.5);
    cairo_line_to(cr, x0 + width, y + 0.5);
    cairo_stroke(cr);
    /* Ticks at whole multiples of step; the first at or after start_s. */
    for (double tick = ceil(start_s / step * (1 - 1e-9));
         tick * step <= (start_s + span_s) * (1 + 1e-9); tick++) {
        double t = tick * step;
        double x = x0 + width * (t - start_s) / span_s;
        char label[32];
        if (minutes)
            snprintf(label, sizeof(label), "%d:%02d", (int)(t / 60), (int)fmod(t, 60));
        else
            snprintf(label, sizeof(label), "%g", t);
        cairo_move_to(cr, x + 0.5, y);
        cairo_line_to(cr, x + 0.5, y + 5);
        cairo_stroke(cr);
        draw_text(cr, x, y + 18, 0.5, 10, false, label);
    }
    draw_text(cr, x0 + width, y + 34, 1, 10, false, minutes ? "time (min:s)" : "time (s)");
}

/* A distinct colour for lane or line index (hues spread by the golden angle). */
static void category_color(size_t index, double rgb[3])
{
    double hue = fmod((double)index * 137.508, 360) / 60;
    double chroma = 0.65, lightness = 0.35;
    double x = chroma * (1 - fabs(fmod(hue, 2) - 1));
    double parts[6][3] = {{chroma, x, 0}, {x, chroma, 0}, {0, chroma, x},
                          {0, x, chroma}, {x, 0, chroma}, {chroma, 0, x}};
    for (int i = 0; i < 3; i++)
        rgb[i] = parts[(int)hue % 6][i] + lightness * (1 - chroma);
}

int render_timeline_png(const struct render_timeline *t, const char *path)
{
    int width, height;
    size_t count = t->regions ? t->regions->count : 0;
    render_timeline_size(count, &width, &height);
    cairo_t *cr = create_canvas(width, height);
    if (!cr)
        return -ENOMEM;
    double x0 = TIMELINE_NAMES, lanes_width = width - TIMELINE_NAMES - TIMELINE_RIGHT;
    double span = t->end_s > t->start_s ? t->end_s - t->start_s : 1;
    cairo_set_source_rgb(cr, 0, 0, 0);
    draw_text(cr, 10, 22, 0, 15, true, t->title);
    if (count == 0)
        draw_text(cr, x0, TIMELINE_TOP + 15, 0, 11, false, "no regions analysed");
    for (size_t r = 0; r < count; r++) {
        double y = TIMELINE_TOP + (double)r * TIMELINE_LANE;
        cairo_set_source_rgb(cr, r % 2 ? 0.97 : 0.92, r % 2 ? 0.97 : 0.92, r % 2 ? 0.97 : 0.92);
        cairo_rectangle(cr, x0, y, lanes_width, TIMELINE_LANE);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        draw_text(cr, x0 - 8, y + TIMELINE_LANE / 2.0 + 4, 1, 11, false,
                  t->regions->regions[r].name);
    }
    for (size_t v = 0; v < t->visit_count; v++) {
        const struct metrics_visit *visit = &t->visits[v];
        double rgb[3];
        category_color(visit->region, rgb);
        double x = x0 + lanes_width * (visit->start_s - t->start_s) / span;
        double w = lanes_width * (visit->end_s - visit->start_s) / span;
        cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
        cairo_rectangle(cr, x, TIMELINE_TOP + (double)visit->region * TIMELINE_LANE + 3,
                        w > 1 ? w : 1, TIMELINE_LANE - 6);
        cairo_fill(cr);
    }
    draw_time_axis(cr, x0, lanes_width,
                   TIMELINE_TOP + (double)(count > 0 ? count : 1) * TIMELINE_LANE, t->start_s,
                   span);
    return finish_canvas(cr, path);
}

/* One panel of the series image: quantities drawn as min-max bands over time. */
static void draw_panel(cairo_t *cr, const struct series_overview *overview, double top, double span,
                       const enum series_quantity *quantities, const char *const *names, int count,
                       double low, double high, const char *label)
{
    double x0 = SERIES_LEFT, width = SERIES_WIDTH - SERIES_LEFT - SERIES_RIGHT;
    if (!(high > low))
        high = low + 1;
    cairo_set_source_rgb(cr, 0.95, 0.95, 0.95);
    cairo_rectangle(cr, x0, top, width, SERIES_PANEL);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    char text[32];
    format_value(high, text, sizeof(text));
    draw_text(cr, x0 - 6, top + 10, 1, 10, false, text);
    format_value(low, text, sizeof(text));
    draw_text(cr, x0 - 6, top + SERIES_PANEL, 1, 10, false, text);
    draw_text(cr, x0, top - 6, 0, 11, true, label);
    for (int q = 0; q < count; q++) {
        double rgb[3];
        category_color((size_t)q * 3 + 1, rgb);
        cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
        cairo_set_line_width(cr, 1.5);
        for (size_t b = 0; b < SERIES_OVERVIEW_BINS; b++) {
            const struct series_bin *bin = &overview->bins[b];
            if (!bin->used || isnan(bin->low[quantities[q]]))
                continue;
            double x = x0 + width * ((bin->start_s + bin->end_s) / 2 - overview->start_s) / span;
            double y1 = top + SERIES_PANEL * (1 - (bin->low[quantities[q]] - low) / (high - low));
            double y2 = top + SERIES_PANEL * (1 - (bin->high[quantities[q]] - low) / (high - low));
            cairo_move_to(cr, x, y1 + 0.75);
            cairo_line_to(cr, x, y2 - 0.75);
        }
        cairo_stroke(cr);
        draw_text(cr, x0 + width - 200 + q * 100, top - 6, 0, 10, true, names[q]);
    }
}

int render_series_png(const struct series_overview *overview, int rows, const char *unit,
                      const char *title, const char *path)
{
    int width, height;
    render_series_size(&width, &height);
    cairo_t *cr = create_canvas(width, height);
    if (!cr)
        return -ENOMEM;
    double span = series_overview_end(overview) - overview->start_s, load_high = 0, area_high = 0;
    for (size_t b = 0; b < SERIES_OVERVIEW_BINS; b++) {
        const struct series_bin *bin = &overview->bins[b];
        if (!bin->used)
            continue;
        for (int q = SERIES_TOTAL_LOAD; q <= SERIES_APPLIED_TOTAL; q++)
            load_high = bin->high[q] > load_high ? bin->high[q] : load_high;
        area_high =
            bin->high[SERIES_CONTACT_AREA] > area_high ? bin->high[SERIES_CONTACT_AREA] : area_high;
    }
    span = span > 0 ? span : 1;
    cairo_set_source_rgb(cr, 0, 0, 0);
    draw_text(cr, 10, 22, 0, 15, true, title);
    double top = SERIES_TOP;
    char label[64];
    snprintf(label, sizeof(label), "load (%s x taxels)", unit);
    const enum series_quantity load[] = {SERIES_TOTAL_LOAD, SERIES_APPLIED_TOTAL};
    const char *const load_names[] = {"total", "applied"};
    draw_panel(cr, overview, top, span, load, load_names, 2, 0, load_high, label);
    top += SERIES_PANEL + SERIES_PANEL_GAP;
    const enum series_quantity area[] = {SERIES_CONTACT_AREA};
    const char *const area_names[] = {"contact"};
    draw_panel(cr, overview, top, span, area, area_names, 1, 0, area_high, "contact area (taxels)");
    top += SERIES_PANEL + SERIES_PANEL_GAP;
    const enum series_quantity centre[] = {SERIES_COP_ROW, SERIES_COP_COL};
    const char *const centre_names[] = {"row", "column"};
    draw_panel(cr, overview, top, span, centre, centre_names, 2, 0, rows - 1,
               "centre of pressure (taxel row / column)");
    draw_time_axis(cr, SERIES_LEFT, SERIES_WIDTH - SERIES_LEFT - SERIES_RIGHT, top + SERIES_PANEL,
                   overview->start_s, span);
    return finish_canvas(cr, path);
}

void render_release(void)
{
    cairo_debug_reset_static_data();
    FcFini();
}
