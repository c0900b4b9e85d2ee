/*
 * body.c - the body parts and their sum.
 *
 * Each part is the bump peak * (1 - d^2)^2 for d < 1, where d is the
 * elliptic distance from the part's centre in units of its radii: smooth,
 * largest at the centre, and exactly zero outside the ellipse, so the load
 * is zero wherever no part lies. Parts are placed on the 64 x 32 template;
 * a taxel of another grid is evaluated at its centre mapped onto it.
 */
#include "body.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

/* The grid the parts are drawn on (rows, columns), as the region map's. */
#define TEMPLATE_ROWS 64.0
#define TEMPLATE_COLS 32.0

/* One part of the body touching the table. */
struct body_part {
    double row, col; /* centre on the 64 x 32 template */
    double row_radius, col_radius;
    double peak; /* load at the centre, counts */
    bool torso;  /* moves with breathing */
};

/*
 * A prone adult of about 75 kg: peaks of a few hundred counts, pelvis and
 * chest near 1000, as on a 12-bit mat. Column 0 is the client's left.
 */
static const struct body_part PARTS[] = {
    {1.5, 15.5, 1.8, 3.5, 380, false},  /* forehead, above the face-cradle hole */
    {4.5, 12.5, 2.2, 1.8, 300, false},  /* left cheek */
    {4.5, 18.5, 2.2, 1.8, 300, false},  /* right cheek */
    {10.5, 7.5, 2.8, 4.5, 420, false},  /* left shoulder */
    {10.5, 23.5, 2.8, 4.5, 420, false}, /* right shoulder */
    {17.5, 10.5, 5.5, 5.0, 850, true},  /* left chest */
    {17.5, 20.5, 5.5, 5.0, 850, true},  /* right chest */
    {22.0, 15.5, 4.0, 5.0, 300, true},  /* lower sternum */
    {27.0, 15.5, 4.5, 8.0, 380, true},  /* abdomen */
    {33.0, 10.5, 3.5, 4.5, 950, false}, /* left iliac crest */
    {33.0, 20.5, 3.5, 4.5, 950, false}, /* right iliac crest */
    {36.0, 15.5, 2.5, 4.0, 700, false}, /* pubis */
    {43.0, 11.0, 6.0, 3.6, 480, false}, /* left thigh */
    {43.0, 20.0, 6.0, 3.6, 480, false}, /* right thigh */
    {50.5, 11.0, 2.2, 2.6, 620, false}, /* left knee */
    {50.5, 20.0, 2.2, 2.6, 620, false}, /* right knee */
    {56.5, 11.0, 4.5, 2.2, 320, false}, /* left shin */
    {56.5, 20.0, 4.5, 2.2, 320, false}, /* right shin */
    {62.0, 11.0, 1.6, 2.0, 160, false}, /* left foot */
    {62.0, 20.0, 1.6, 2.0, 160, false}, /* right foot */
};

static double part_load(const struct body_part *part, double row, double col)
{
    double dr = (row - part->row) / part->row_radius;
    double dc = (col - part->col) / part->col_radius;
    double d2 = dr * dr + dc * dc;
    if (d2 >= 1.0)
        return 0.0;
    return part->peak * (1.0 - d2) * (1.0 - d2);
}

int body_init(struct body *body, unsigned rows, unsigned cols)
{
    size_t taxels = (size_t)rows * cols;
    float *torso = calloc(taxels, sizeof(*torso));
    float *still = calloc(taxels, sizeof(*still));
    if (torso == NULL || still == NULL) {
        free(torso);
        free(still);
        return -ENOMEM;
    }
    for (unsigned r = 0; r < rows; r++) {
        double row = (r + 0.5) * TEMPLATE_ROWS / rows - 0.5;
        for (unsigned c = 0; c < cols; c++) {
            double col = (c + 0.5) * TEMPLATE_COLS / cols - 0.5;
            for (size_t p = 0; p < sizeof(PARTS) / sizeof(PARTS[0]); p++) {
                float *map = PARTS[p].torso ? torso : still;
                map[(size_t)r * cols + c] += (float)part_load(&PARTS[p], row, col);
            }
        }
    }
    body->rows = rows;
    body->cols = cols;
    body->torso = torso;
    body->still = still;
    return 0;
}

void body_fini(struct body *body)
{
    free(body->torso);
    free(body->still);
    body->torso = NULL;
    body->still = NULL;
}

void body_resting_load(const struct body *body, uint64_t time_ns, float *load)
{
    double seconds = (double)time_ns * 1e-9;
    float breathing =
        (float)(1.0 + BODY_BREATHING_DEPTH * sin(2.0 * M_PI * BODY_BREATHING_HZ * seconds));
    unsigned shift = time_ns >= BODY_SHIFT_TIME_NS ? BODY_SHIFT_ROWS : 0;
    if (shift > body->rows)
        shift = body->rows;
    size_t cols = body->cols;
    for (size_t i = 0; i < shift * cols; i++)
        load[i] = 0.0f;
    size_t moved = (size_t)(body->rows - shift) * cols;
    const float *torso = body->torso;
    const float *still = body->still;
    float *out = load + shift * cols;
    for (size_t i = 0; i < moved; i++)
        out[i] = still[i] + breathing * torso[i];
}
