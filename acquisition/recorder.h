/*
 * recorder.h - the writer thread: ring -> session files.
 *
 * The recorder is the only thread that calls HDF5. It takes records from
 * the ring in order and writes them into the current session file, which it
 * creates when the device's description arrives, flushes on a fixed
 * interval (so a crash loses at most that interval), replaces on request
 * (SIGHUP) or when the device's grid changes, and closes at the end of the
 * stream. When a write fails (disk full, file size limit) it reports the
 * error, closes the file with what it holds, signals done_fd, and keeps
 * draining the ring so the reader can finish.
 */
#ifndef MTABLE_RECORDER_H
#define MTABLE_RECORDER_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "session_file.h"

struct ring;

/* What the recorder needs to know. */
struct recorder_config {
    const char *output_dir;  /* directory for session files (absolute) */
    const char *subject_id;  /* checked by session_path_valid_id */
    const char *operator_id; /* checked by session_path_valid_id */
    const char *port;        /* port name, stored in each file */
    struct session_file_options file_options;
    int64_t flush_interval_ns; /* longest time a record waits before it is durable */
    const double *calibration; /* NULL or calibration_points (counts, kPa) pairs */
    size_t calibration_points;
    int wake_fd; /* eventfd the reader writes when it publishes */
};

/* Running totals, readable from any thread. */
struct recorder_stats {
    atomic_uint_fast64_t frames_written; /* frames appended to session files */
    atomic_uint_fast64_t sessions;       /* session files created */
    atomic_bool failed;                  /* a write failed: recording has stopped */
};

struct recorder;

/* Starts the recorder thread reading first_ring. */
int recorder_start(const struct recorder_config *config, struct ring *first_ring,
                   struct recorder **out);

/* Asks for the current session file to be closed and a new one started. */
void recorder_rotate(struct recorder *recorder);

/*
 * Asks for a marker labelled "mark" at host_time_ns (UTC): it is placed
 * before the first frame received after that time. Call from one thread.
 */
void recorder_mark(struct recorder *recorder, int64_t host_time_ns);

/* An eventfd that becomes readable when the recorder has failed or finished. */
int recorder_done_fd(const struct recorder *recorder);

/* Copies the current session file's path (empty if none) into path. */
void recorder_current_file(struct recorder *recorder, char *path, size_t size);

/* The recorder's running totals. */
const struct recorder_stats *recorder_stats(const struct recorder *recorder);

/*
 * Waits for the thread to finish (after the reader's RECORD_END). Returns 0,
 * or the negative errno of the write failure that stopped it. The totals
 * stay readable until recorder_free.
 */
int recorder_join(struct recorder *recorder);

/* Frees a joined recorder. */
void recorder_free(struct recorder *recorder);

#endif
