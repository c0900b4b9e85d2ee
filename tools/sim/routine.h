/*
 * routine.h - the therapist's scripted routine: where, how hard and how the
 * hands press on the client, frame by frame.
 *
 * A loop of ROUTINE_LOOP_NS repeats for as long as the table streams. Each
 * step works one region (two for bilateral kneading) with one technique and
 * is followed by a pause of at least 1.5 s with no applied pressure:
 *
 *   start  length  technique            region(s)
 *     2 s   12 s   stroke               upper_back_left
 *    16 s   12 s   stroke               upper_back_right
 *    30 s   10 s   kneading             shoulder_left
 *    42 s   10 s   kneading             shoulder_right
 *    54 s   12 s   bilateral_kneading   shoulder_left + shoulder_right
 *    68 s   20 s   static_pressure      lower_back_left
 *    (90 s: the client shifts one row towards the feet, see body.h)
 *    92 s   12 s   circular_friction    pelvis
 *   106 s    8 s   compression          thigh_left
 *   116 s    8 s   compression          thigh_right
 *   126 s    8 s   compression          lower_leg_left
 *   136 s    8 s   compression          lower_leg_right
 *   146 s   10 s   stroke               lower_back_right
 *   160 s          the loop starts again (next step at 162 s)
 *
 * Each hand is a contact patch: a 2D Gaussian of ROUTINE_SIGMA_ROWS rows by
 * ROUTINE_SIGMA_COLS columns (scaled with the grid like the regions), cut
 * to zero beyond ROUTINE_CUTOFF_SIGMAS, added to the resting load. So that
 * the ground truth is unambiguous:
 *   - a patch's footprint never reaches a taxel outside its step's region;
 *   - its pressure (peak now) stays between 68 % and 100 % of the step's
 *     peak, at least 800 counts, from the first frame of the step to the
 *     last, and is exactly 0 outside steps. Its centre is placed so that the
 *     highest taxel under it reads at least 50 % of the peak in every frame.
 * On grids coarser than 64 x 32 (sigma under one taxel) patch centres sit
 * on taxel centres, so a patch never falls between taxels; where a region
 * is too small for the scaled patch, the patch shrinks to one taxel on that
 * axis. Any grid the region map accepts can therefore hold the routine.
 */
#ifndef MTABLE_SIM_ROUTINE_H
#define MTABLE_SIM_ROUTINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "body_map.h"

/* Most contacts at once: two hands in bilateral kneading. */
#define ROUTINE_MAX_CONTACTS 2
/* Length of one loop of the routine: 160 s, about 2.7 minutes. */
#define ROUTINE_LOOP_NS 160000000000ull
/* Patch spread in rows on the 64 x 32 grid: a hand is about 3 cm of 30 mm rows. */
#define ROUTINE_SIGMA_ROWS 1.0
/* Patch spread in columns on the 64 x 32 grid: the same 3 cm over 21.875 mm columns. */
#define ROUTINE_SIGMA_COLS 1.3
/* Patch cut-off, in sigmas: beyond it the patch is exactly zero. */
#define ROUTINE_CUTOFF_SIGMAS 2.5

/* The techniques of the routine. */
enum routine_technique {
    ROUTINE_STROKE,             /* one hand gliding along the region and back */
    ROUTINE_KNEADING,           /* one hand, pressure oscillating at 1 Hz, slowly wandering */
    ROUTINE_BILATERAL_KNEADING, /* both hands, one per region, a quarter cycle apart */
    ROUTINE_STATIC_PRESSURE,    /* one hand leaning in over 2 s, then holding still */
    ROUTINE_CIRCULAR_FRICTION,  /* one hand circling once every 2 s */
    ROUTINE_COMPRESSION,        /* one hand pressing every 2 s, moving along the region */
};

/* One step of the script. */
struct routine_step {
    uint32_t start_ms;    /* start within the loop */
    uint32_t duration_ms; /* how long pressure is applied */
    enum routine_technique technique;
    unsigned contacts;                            /* 1, or 2 for bilateral work */
    enum region_id regions[ROUTINE_MAX_CONTACTS]; /* one per contact */
    double peak_counts;                           /* pressure at full force, counts */
};

/* One hand on the client in one frame. */
struct routine_contact {
    uint64_t step; /* loop x steps per loop + step index: unique within a session */
    enum region_id region;
    enum routine_technique technique;
    double row, col; /* patch centre, in taxels */
    double peak;     /* the step's peak_counts */
    double pressure; /* the patch's value at its centre now, counts */
};

/* The routine placed on one grid; set up with routine_init. */
struct routine {
    struct body_map map;
    double sigma_row, sigma_col; /* patch spread on this grid, taxels */
    /* Where patch centres may go in each region so the footprint stays inside. */
    struct routine_range {
        double low, high; /* inclusive bounds of the centre, taxels */
        bool snapped;     /* centres sit on whole taxels (sigma under one taxel) */
    } rows[REGION_COUNT], cols[REGION_COUNT];
};

/* The script: *count steps in time order. */
const struct routine_step *routine_steps(size_t *count);

/* Name of a technique as written in the ground truth ("static_pressure"). */
const char *routine_technique_name(enum routine_technique technique);

/* Places the routine on a rows x cols grid; -EINVAL if a region cannot hold a patch. */
int routine_init(struct routine *routine, unsigned rows, unsigned cols);

/* The contacts at model time time_ns into out; returns how many (0 in pauses). */
unsigned routine_contacts(const struct routine *routine, uint64_t time_ns,
                          struct routine_contact out[ROUTINE_MAX_CONTACTS]);

/* Adds the patches of count contacts to load (rows x cols counts, row-major). */
void routine_apply(const struct routine *routine, const struct routine_contact *contacts,
                   unsigned count, float *load);

#endif
