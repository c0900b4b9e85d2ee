/*
 * config.h - the daemon's settings: defaults, a config file, the command line.
 *
 * Every setting has a section and a name, as in the INI config file:
 *
 *   [device]    port, baud, frame_rate
 *   [session]   output_dir, subject, operator, duration
 *   [recording] flush_interval, ring_frames, frames_per_chunk,
 *               compression_level, calibration, capture
 *   [daemon]    status_interval, log_level
 *
 * The file is read with libinih; command-line options set the same
 * settings through config_set afterwards, so both are checked the same way
 * and the command line wins.
 */
#ifndef MTABLE_CONFIG_H
#define MTABLE_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "log.h"
#include "session_file.h"

/* Longest setting value, in bytes. */
#define CONFIG_VALUE_MAX PATH_MAX

/* Everything mtable-acqd can be told. */
struct config {
    char port[CONFIG_VALUE_MAX];       /* device path, pty, symlink, or usb:SERIAL */
    unsigned baud;                     /* line speed for real UARTs */
    double frame_rate_hz;              /* 0: keep the device's rate */
    char output_dir[CONFIG_VALUE_MAX]; /* where session files go */
    char subject_id[SESSION_ID_MAX + 1];
    char operator_id[SESSION_ID_MAX + 1];
    double duration_s;                  /* 0: record until stopped */
    double flush_interval_s;            /* longest time before data is durable */
    unsigned ring_frames;               /* frame slots between reader and writer */
    unsigned frames_per_chunk;          /* HDF5 chunk length of /frames; 0: the default */
    unsigned compression_level;         /* libdeflate level; 0: the default */
    char calibration[CONFIG_VALUE_MAX]; /* CSV of (counts, kPa) pairs, or empty */
    char capture[CONFIG_VALUE_MAX];     /* file for the raw bytes read, or empty */
    double status_interval_s;           /* 0: no status lines */
    enum log_level log_level;
};

/* Fills config with the defaults documented in mtable-acqd --help. */
void config_defaults(struct config *config);

/*
 * Sets one setting from text. Returns 0, or -EINVAL with a message in
 * error saying what is wrong with the value (or that the setting is unknown).
 */
int config_set(struct config *config, const char *section, const char *name, const char *value,
               char *error, size_t error_size);

/*
 * Reads an INI file of settings into config. Returns 0, or a negative errno
 * with "FILE:LINE: message" (or "FILE: reason") in error.
 */
int config_load(const char *path, struct config *config, char *error, size_t error_size);

/*
 * Reads a calibration CSV: one "counts,kPa" pair per line, counts strictly
 * increasing, at least two pairs, '#' comments and one optional header line.
 * Returns 0 and sets *pairs (2 doubles per point; free() it) and *points,
 * or -EINVAL with "FILE:LINE: message" in error.
 */
int config_load_calibration(const char *path, double **pairs, size_t *points, char *error,
                            size_t error_size);

#endif
