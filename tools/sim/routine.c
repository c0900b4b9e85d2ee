/*
 * routine.c - the step table, the hands' motion and the contact patches.
 *
 * Every technique is a function of the time since its step began. It gives,
 * per contact, the pressure as a fraction of the step's peak (never below
 * MIN_PRESSURE_FRACTION) and the centre as fractions (0..1) of the range
 * the centre may take in its region (struct routine_range). The ranges keep
 * the truncated patch inside the region: a centre at least
 * ROUTINE_CUTOFF_SIGMAS sigmas plus CUTOFF_MARGIN away from the first taxel
 * outside leaves that taxel, and all beyond it, at exactly zero.
 *
 * Why the floors hold: with sigma of at least one taxel, a centre at most
 * half a taxel from the nearest taxel on both axes leaves that taxel at
 * exp(-(0.5^2 + 0.5^2) / 2) = 0.78 of the patch's value or more, and
 * 0.68 x 0.78 = 0.53; with a sigma under one taxel the centre is snapped to
 * a taxel, which then reads the full value.
 */
#include "routine.h"

#include <errno.h>
#include <math.h>

/* Grid the patch spread and the script are drawn for. */
#define TEMPLATE_ROWS 64.0
#define TEMPLATE_COLS 32.0

/* Extra distance between a patch's cut-off and the region's edge, taxels: rounding slack. */
#define CUTOFF_MARGIN 0.01

/* Spread whose cut-off stays within one taxel of the centre: a patch of one taxel per axis. */
#define ONE_TAXEL_SIGMA ((1.0 - 2.0 * CUTOFF_MARGIN) / ROUTINE_CUTOFF_SIGMAS)

/* Lowest pressure of any technique, fraction of its peak (see the design comment). */
#define MIN_PRESSURE_FRACTION 0.68

/* Kneading pressure cycle: 1 Hz, as a therapist's hands knead. */
#define KNEADING_HZ 1.0
/* One stroke down the region and back, seconds. */
#define STROKE_PERIOD_S 4.0
/* One circle of circular friction, seconds. */
#define FRICTION_PERIOD_S 2.0
/* One compression (press and ease), seconds. */
#define COMPRESSION_PERIOD_S 2.0
/* Static pressure: time to lean in from 75 % to full pressure, seconds. */
#define LEAN_IN_S 2.0
/* Kneading hands wander over the region, slowly and never retracing a path. */
#define WANDER_ROW_PERIOD_S 8.0
#define WANDER_COL_PERIOD_S 5.0
/* How far they wander, fraction of the centre's range either side of the middle. */
#define WANDER_REACH 0.3
/* Circular friction: radius of the circle, fraction of the centre's range. */
#define CIRCLE_REACH 0.4

/* The script, one step per line (start and length in ms, hands, regions, peak counts). */
/* clang-format off */
static const struct routine_step STEPS[] = {
    {  2000, 12000, ROUTINE_STROKE,             1, {REGION_UPPER_BACK_LEFT},   900},
    { 16000, 12000, ROUTINE_STROKE,             1, {REGION_UPPER_BACK_RIGHT},  900},
    { 30000, 10000, ROUTINE_KNEADING,           1, {REGION_SHOULDER_LEFT},    1100},
    { 42000, 10000, ROUTINE_KNEADING,           1, {REGION_SHOULDER_RIGHT},   1100},
    { 54000, 12000, ROUTINE_BILATERAL_KNEADING, 2, {REGION_SHOULDER_LEFT,
                                                    REGION_SHOULDER_RIGHT},   1000},
    { 68000, 20000, ROUTINE_STATIC_PRESSURE,    1, {REGION_LOWER_BACK_LEFT},  1400},
    { 92000, 12000, ROUTINE_CIRCULAR_FRICTION,  1, {REGION_PELVIS},           1200},
    {106000,  8000, ROUTINE_COMPRESSION,        1, {REGION_THIGH_LEFT},       1300},
    {116000,  8000, ROUTINE_COMPRESSION,        1, {REGION_THIGH_RIGHT},      1300},
    {126000,  8000, ROUTINE_COMPRESSION,        1, {REGION_LOWER_LEG_LEFT},   1000},
    {136000,  8000, ROUTINE_COMPRESSION,        1, {REGION_LOWER_LEG_RIGHT},  1000},
    {146000, 10000, ROUTINE_STROKE,             1, {REGION_LOWER_BACK_RIGHT},  900},
};
/* clang-format on */

#define STEP_COUNT (sizeof(STEPS) / sizeof(STEPS[0]))

const struct routine_step *routine_steps(size_t *count)
{
    *count = STEP_COUNT;
    return STEPS;
}

const char *routine_technique_name(enum routine_technique technique)
{
    switch (technique) {
    case ROUTINE_STROKE:
        return "stroke";
    case ROUTINE_KNEADING:
        return "kneading";
    case ROUTINE_BILATERAL_KNEADING:
        return "bilateral_kneading";
    case ROUTINE_STATIC_PRESSURE:
        return "static_pressure";
    case ROUTINE_CIRCULAR_FRICTION:
        return "circular_friction";
    case ROUTINE_COMPRESSION:
        return "compression";
    }
    return "unknown";
}

/*
 * Where a patch centre may go on one axis of a region spanning taxels
 * first..last: beyond cutoff (taxels) of the first taxel outside on each
 * side. Snapped to whole taxels when sigma is under one taxel.
 */
static int centre_range(unsigned first, unsigned last, double sigma, struct routine_range *range)
{
    double cutoff = ROUTINE_CUTOFF_SIGMAS * sigma + CUTOFF_MARGIN;
    double low = (double)first - 1.0 + cutoff;
    double high = (double)last + 1.0 - cutoff;
    bool snapped = sigma < 1.0;
    if (snapped) {
        low = ceil(low);
        high = floor(high);
    }
    if (low > high)
        return -EINVAL;
    range->low = low;
    range->high = high;
    range->snapped = snapped;
    return 0;
}

/*
 * Chooses the spread on one axis (rows when by_rows) and where centres may
 * go in every region. The spread scaled with the grid is kept if every
 * region can hold the patch; on coarse grids where one cannot, it shrinks
 * to ONE_TAXEL_SIGMA, which fits any region.
 */
static int place_axis(const struct body_map *map, bool by_rows, double scaled_sigma, double *sigma,
                      struct routine_range ranges[REGION_COUNT])
{
    const double choices[] = {scaled_sigma, ONE_TAXEL_SIGMA};
    for (size_t c = 0; c < sizeof(choices) / sizeof(choices[0]); c++) {
        int err = 0;
        for (int i = 0; i < REGION_COUNT && err == 0; i++) {
            const struct body_region *r = &map->regions[i];
            err = by_rows ? centre_range(r->first_row, r->last_row, choices[c], &ranges[i])
                          : centre_range(r->first_col, r->last_col, choices[c], &ranges[i]);
        }
        if (err == 0) {
            *sigma = choices[c];
            return 0;
        }
    }
    return -EINVAL;
}

int routine_init(struct routine *routine, unsigned rows, unsigned cols)
{
    struct routine placed;
    int err = body_map_init(&placed.map, rows, cols);
    if (err == 0)
        err = place_axis(&placed.map, true, ROUTINE_SIGMA_ROWS * rows / TEMPLATE_ROWS,
                         &placed.sigma_row, placed.rows);
    if (err == 0)
        err = place_axis(&placed.map, false, ROUTINE_SIGMA_COLS * cols / TEMPLATE_COLS,
                         &placed.sigma_col, placed.cols);
    if (err == 0)
        *routine = placed;
    return err;
}

/* The centre at fraction u (0..1) of a range. */
static double place(const struct routine_range *range, double u)
{
    double at = range->low + u * (range->high - range->low);
    return range->snapped ? round(at) : at;
}

/* 0 -> 1 -> 0 over each period, starting at 0. */
static double triangle(double t, double period)
{
    double phase = t / period - floor(t / period);
    return phase < 0.5 ? 2.0 * phase : 2.0 - 2.0 * phase;
}

/* Pressure oscillating between MIN_PRESSURE_FRACTION and 1, at 1 when phase is 0. */
static double oscillate(double phase)
{
    double middle = (1.0 + MIN_PRESSURE_FRACTION) / 2.0;
    return middle + (1.0 - middle) * cos(2.0 * M_PI * phase);
}

/* Pressure fraction and centre fractions of contact `hand` at t seconds into a step. */
static void technique_motion(const struct routine_step *step, unsigned hand, double t,
                             double *fraction, double *u_row, double *u_col)
{
    switch (step->technique) {
    case ROUTINE_STROKE:
        *u_row = triangle(t, STROKE_PERIOD_S);
        *u_col = 0.5;
        *fraction = oscillate(t / STROKE_PERIOD_S);
        return;
    case ROUTINE_KNEADING:
        *u_row = 0.5 + WANDER_REACH * sin(2.0 * M_PI * t / WANDER_ROW_PERIOD_S);
        *u_col = 0.5 + WANDER_REACH * sin(2.0 * M_PI * t / WANDER_COL_PERIOD_S);
        *fraction = oscillate(KNEADING_HZ * t);
        return;
    case ROUTINE_BILATERAL_KNEADING: {
        double mirror = hand == 0 ? 1.0 : -1.0; /* the hands move symmetrically */
        *u_row = 0.5 + WANDER_REACH * sin(2.0 * M_PI * t / WANDER_ROW_PERIOD_S);
        *u_col = 0.5 + mirror * WANDER_REACH * sin(2.0 * M_PI * t / WANDER_COL_PERIOD_S);
        *fraction = oscillate(KNEADING_HZ * t + 0.25 * hand);
        return;
    }
    case ROUTINE_STATIC_PRESSURE:
        *u_row = 0.5;
        *u_col = 0.5;
        *fraction = t < LEAN_IN_S ? 0.75 + 0.25 * t / LEAN_IN_S : 1.0;
        return;
    case ROUTINE_CIRCULAR_FRICTION:
        *u_row = 0.5 + CIRCLE_REACH * sin(2.0 * M_PI * t / FRICTION_PERIOD_S);
        *u_col = 0.5 + CIRCLE_REACH * cos(2.0 * M_PI * t / FRICTION_PERIOD_S);
        *fraction = oscillate(t / FRICTION_PERIOD_S);
        return;
    case ROUTINE_COMPRESSION: {
        /* The hand moves on to the next spot when the pressure is lowest. */
        double spots = floor(step->duration_ms / (1000.0 * COMPRESSION_PERIOD_S)) + 1.0;
        double spot = fmin(floor(t / COMPRESSION_PERIOD_S + 0.5), spots - 1.0);
        *u_row = spot / (spots - 1.0);
        *u_col = 0.5;
        *fraction = oscillate(t / COMPRESSION_PERIOD_S);
        return;
    }
    }
    *u_row = 0.5;
    *u_col = 0.5;
    *fraction = 1.0;
}

unsigned routine_contacts(const struct routine *routine, uint64_t time_ns,
                          struct routine_contact out[ROUTINE_MAX_CONTACTS])
{
    uint64_t loop = time_ns / ROUTINE_LOOP_NS;
    uint64_t in_loop_ns = time_ns % ROUTINE_LOOP_NS;
    for (size_t s = 0; s < STEP_COUNT; s++) {
        const struct routine_step *step = &STEPS[s];
        uint64_t start_ns = (uint64_t)step->start_ms * 1000000u;
        uint64_t end_ns = start_ns + (uint64_t)step->duration_ms * 1000000u;
        if (in_loop_ns < start_ns || in_loop_ns >= end_ns)
            continue;
        double t = (double)(in_loop_ns - start_ns) * 1e-9;
        for (unsigned hand = 0; hand < step->contacts; hand++) {
            struct routine_contact *c = &out[hand];
            enum region_id region = step->regions[hand];
            double fraction, u_row, u_col;
            technique_motion(step, hand, t, &fraction, &u_row, &u_col);
            c->step = loop * STEP_COUNT + s;
            c->region = region;
            c->technique = step->technique;
            c->row = place(&routine->rows[region], u_row);
            c->col = place(&routine->cols[region], u_col);
            c->peak = step->peak_counts;
            c->pressure = fraction * step->peak_counts;
        }
        return step->contacts;
    }
    return 0;
}

/* First and last taxel within the cut-off of centre on an axis of size taxels. */
static void footprint(double centre, double sigma, unsigned size, unsigned *first, unsigned *last)
{
    double reach = ROUTINE_CUTOFF_SIGMAS * sigma;
    double low = ceil(centre - reach);
    double high = floor(centre + reach);
    *first = low < 0.0 ? 0u : (unsigned)low;
    *last = high > size - 1.0 ? size - 1u : (unsigned)high;
}

void routine_apply(const struct routine *routine, const struct routine_contact *contacts,
                   unsigned count, float *load)
{
    const double cutoff2 = ROUTINE_CUTOFF_SIGMAS * ROUTINE_CUTOFF_SIGMAS;
    unsigned cols = routine->map.cols;
    for (unsigned i = 0; i < count; i++) {
        const struct routine_contact *c = &contacts[i];
        unsigned first_row, last_row, first_col, last_col;
        footprint(c->row, routine->sigma_row, routine->map.rows, &first_row, &last_row);
        footprint(c->col, routine->sigma_col, cols, &first_col, &last_col);
        for (unsigned r = first_row; r <= last_row; r++) {
            double dr = (r - c->row) / routine->sigma_row;
            for (unsigned col = first_col; col <= last_col; col++) {
                double dc = (col - c->col) / routine->sigma_col;
                double d2 = dr * dr + dc * dc;
                if (d2 <= cutoff2)
                    load[(size_t)r * cols + col] += (float)(c->pressure * exp(-0.5 * d2));
            }
        }
    }
}
