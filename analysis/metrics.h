/*
 * metrics.h - everything mtable-analyze computes from the frames, one frame
 * at a time, in memory that does not grow with the session (visits aside).
 *
 * Each frame comes with its readings, the resting-load estimate
 * (resting_load.h), its duration and its place on the time axis. From them
 * the frame's pressures are p = P(reading) and its applied pressure
 * a = max(0, P(reading) - P(resting)), P the reading -> unit table; the
 * frame adds to the heatmaps, decides which regions are active, and yields
 * one row of the per-frame series. Definitions: analysis/METRICS.md.
 *
 *   heatmaps: rows x cols doubles each, row-major, for p (raw) and a (applied)
 *     [MEAN] time-weighted mean  [PEAK] maximum  [TIME_ABOVE] seconds >= threshold
 *     [INTEGRAL] pressure-time integral (unit * s)
 */
#ifndef MTABLE_METRICS_H
#define MTABLE_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame_time.h"
#include "regions.h"

/* The four heatmaps, each in a raw and an applied variant. */
enum heatmap_kind {
    HEATMAP_MEAN,       /* time-weighted mean pressure */
    HEATMAP_PEAK,       /* highest pressure */
    HEATMAP_TIME_ABOVE, /* seconds at or above the threshold */
    HEATMAP_INTEGRAL,   /* pressure-time integral */
    HEATMAP_KINDS,
};

/* How the frames are turned into results. */
struct metrics_config {
    int rows, cols;
    const struct region_map *regions; /* regions to evaluate (may hold none) */
    const double *pressure_table;     /* reading -> pressure (pressure.h); NULL: counts */
    double above_threshold;           /* pressure (unit) for the TIME_ABOVE heatmaps */
    unsigned active_threshold;        /* applied counts that make a region active */
    unsigned release_threshold;       /* applied counts below which it stops being active */
    unsigned contact_threshold;       /* reading (counts) from which a taxel is in contact */
    double taxel_area_cm2;            /* area of one taxel, 0 if the pitch is unknown */
};

/* One row of the per-frame series. */
struct metrics_frame {
    double time_s;           /* start of the frame on the session time axis */
    uint32_t sequence;       /* device frame number */
    double duration_s;       /* what the frame counts for (frame_time.h) */
    double total_load;       /* sum of p over the taxels in contact (unit * taxels) */
    uint32_t contact_taxels; /* taxels with reading >= contact threshold */
    double contact_area_cm2; /* contact_taxels * taxel area (0 if unknown) */
    double cop_row, cop_col; /* centre of pressure of that load, taxel coordinates; NaN without */
    double applied_total;    /* sum of a over all taxels */
    double applied_peak;     /* highest a */
    uint64_t active_regions; /* bit r set: region r active in this frame */
};

/* What one region accumulated over the analysed frames. */
struct metrics_region {
    double dwell_s;         /* seconds active */
    uint64_t visits;        /* runs of consecutive active frames */
    double longest_visit_s; /* dwell of the longest run */
    double mean_applied;    /* time-weighted mean of the loaded taxels' mean a while active */
    double peak_applied;    /* highest a on the region while active */
    double integral;        /* sum over active frames of region peak a * duration */
};

/* One visit: a run of consecutive recorded frames with the region active. */
struct metrics_visit {
    uint32_t region;                  /* index in the region map */
    uint64_t first_frame, last_frame; /* session frame indices */
    uint32_t first_sequence, last_sequence;
    double start_s, end_s; /* time axis: first frame's start, last frame's end */
    double dwell_s;        /* sum of the frames' durations */
    double peak_applied;   /* highest a on the region during the visit */
};

/* Totals over the analysed frames. */
struct metrics_totals {
    uint64_t frames;    /* frames analysed */
    double duration_s;  /* sum of their durations */
    double no_region_s; /* of which no region was active */
};

struct metrics;

/* Creates an accumulator for config (which must outlive it). */
int metrics_create(const struct metrics_config *config, struct metrics **out);

/*
 * Adds one frame: readings, resting estimate, stamp, index, duration and
 * time-axis position; fills *row with its series values.
 */
int metrics_add_frame(struct metrics *metrics, const uint16_t *values, const uint16_t *resting,
                      const struct frame_stamp *stamp, uint64_t index, double duration_s,
                      double time_s, struct metrics_frame *row);

/* Ends the analysis: closes visits still open. No frame may follow. */
int metrics_finish(struct metrics *metrics);

/* A heatmap after metrics_finish, rows x cols row-major: applied or raw variant of kind. */
const double *metrics_heatmap(const struct metrics *metrics, enum heatmap_kind kind, bool applied);

/* Results of region index. */
const struct metrics_region *metrics_region_result(const struct metrics *metrics, size_t index);

/* The visits, in order of start once finished; *count is set to their number. */
const struct metrics_visit *metrics_visits(const struct metrics *metrics, size_t *count);

/* Totals over the frames added. */
const struct metrics_totals *metrics_totals(const struct metrics *metrics);

/* Short name of a heatmap kind as used in file names: "mean", "peak", ... */
const char *metrics_heatmap_name(enum heatmap_kind kind);

/* Frees the accumulator. */
void metrics_free(struct metrics *metrics);

#endif
