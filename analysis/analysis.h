/*
 * analysis.h - one session analysed from file to output directory.
 *
 *   session_reader --blocks--> resting_load --frames + estimate--> metrics
 *        |                                                   |  series rows
 *        | metadata                                          v
 *        '-----------------> outputs: PNG, CSV, JSON, HDF5, HTML (output_dir)
 *
 * A single pass over the frames; everything is written into a temporary
 * directory renamed into place when complete. The settings and the
 * outcome are what the output writers describe.
 */
#ifndef MTABLE_ANALYSIS_H
#define MTABLE_ANALYSIS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch.h"
#include "metrics.h"
#include "pressure.h"
#include "regions.h"
#include "series_overview.h"
#include "session_reader.h"

/* Default threshold making a region active: applied counts (METRICS.md). */
#define ANALYSIS_ACTIVE_THRESHOLD 200
/* Default release threshold, a region stays active down to it: half the above. */
#define ANALYSIS_RELEASE_THRESHOLD 100
/* Default reading from which a taxel counts as in contact: above the sensor's offset and noise. */
#define ANALYSIS_CONTACT_THRESHOLD 20
/* Default time-above threshold without calibration, counts: the active threshold. */
#define ANALYSIS_ABOVE_COUNTS 200.0
/* Default time-above threshold with calibration: 32 mmHg, the capillary closing pressure. */
#define ANALYSIS_ABOVE_MMHG 32.0
/* Default resting-load window each side of a frame, seconds: longer than any held press. */
#define ANALYSIS_REST_WINDOW_S 60.0
/* Resting-load block length, seconds: block minima cover the far part of each window. */
#define ANALYSIS_REST_BLOCK_S 1.0
/* Memory cap of the resting-load estimator; its window shrinks to fit, to one block at least. */
#define ANALYSIS_REST_MEMORY_MAX (40u * 1024 * 1024)

/* What the user asked for. */
struct analysis_settings {
    const char *regions_path; /* regions file, NULL for the default map */
    const char *only_regions; /* comma-separated region names to keep, or NULL */
    bool unit_given;          /* unit set explicitly (else kPa with calibration, counts without) */
    enum pressure_unit unit;
    bool above_given; /* above_threshold set explicitly (in unit) */
    double above_threshold;
    unsigned active_threshold, release_threshold, contact_threshold; /* counts */
    double rest_window_s;
    double from_s, to_s; /* time window on the session axis; to_s INFINITY for the end */
    /* Called now and then with frames read so far and in total, or NULL. */
    void (*progress)(void *context, uint64_t done, uint64_t total);
    void *progress_context;
    volatile sig_atomic_t *interrupted; /* set by a signal handler to stop early, or NULL */
};

/* What an analysis found; filled by analysis_run, read by the output writers. */
struct analysis_outcome {
    const char *session_path;
    const struct session_metadata *metadata;
    const struct region_map *regions; /* the regions evaluated (count may be 0) */
    char regions_source[1100];        /* where they came from, for people */
    const struct metrics *metrics;
    const struct series_overview *overview;
    enum pressure_unit unit;
    double above_threshold; /* in unit */
    unsigned active_threshold, release_threshold, contact_threshold;
    double rest_window_s; /* window actually used */
    unsigned rest_block_frames, rest_window_blocks;
    double from_s, to_s;
    double time_axis_s;   /* end of the last frame read on the time axis */
    uint64_t frames_read; /* frames read from the file */
    bool complete;        /* the file was finished and every frame read */
    size_t warning_count;
    const char (*warnings)[BATCH_TEXT_SIZE]; /* what the analysis warned about */
};

/* The settings' defaults. */
void analysis_settings_init(struct analysis_settings *settings);

/*
 * The default output directory of a session: "<dir>/<name without .h5>.analysis"
 * beside the file.
 */
int analysis_default_output(const char *session_path, char *out, size_t size);

/*
 * Analyses session_path into the directory out_path and fills *entry with
 * the results and any warnings (an unfinished file, an unreadable chunk, a
 * scaled region map). Returns 0, or a negative errno with the message in
 * entry->error; then no directory out_path is created or changed.
 */
int analysis_run(const char *session_path, const char *out_path,
                 const struct analysis_settings *settings, struct batch_entry *entry);

#endif
