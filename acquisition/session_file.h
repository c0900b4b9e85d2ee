/*
 * session_file.h - one recording session as one HDF5 file.
 *
 * The layout is the contract in acquisition/FILE_FORMAT.md. The file is
 * created complete (every dataset and attribute), then switched to SWMR
 * writing so readers can follow it live; frames are appended as compressed
 * chunks and made durable by session_file_flush. Closing reopens the file
 * once to add the closing attributes. Not thread-safe: one thread owns each
 * session file (and, the HDF5 library being global, all HDF5 calls).
 *
 * Errors are negative errno values; session_file_last_error() then gives a
 * one-line description naming the file, what was being done and why.
 * Running out of disk space (-ENOSPC, -EFBIG) is noticed before anything
 * is written, so such a call changes nothing and may be retried; after any
 * other failed write the file accepts nothing more and keeps what the last
 * successful flush wrote.
 */
#ifndef MTABLE_SESSION_FILE_H
#define MTABLE_SESSION_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "packet.h"
#include "record.h"

/* Version of the layout in FILE_FORMAT.md written by this code. */
#define SESSION_SCHEMA_VERSION 1

/* Longest subject or operator id, in bytes. */
#define SESSION_ID_MAX 64

/* Longest marker label, in bytes (stored fixed-length). */
#define SESSION_LABEL_MAX 63

/* Frames per chunk of /frames when the options say 0. */
#define SESSION_DEFAULT_FRAMES_PER_CHUNK 32

/* libdeflate level when the options say 0: see FILE_FORMAT.md for the measurement. */
#define SESSION_DEFAULT_COMPRESSION_LEVEL 1

/* What the file says about its session, fixed at creation. */
struct session_info {
    char session_id[SESSION_ID_MAX * 2 + 32]; /* unique id, also the file's base name */
    char subject_id[SESSION_ID_MAX + 1];      /* as given by the operator */
    char operator_id[SESSION_ID_MAX + 1];     /* as given by the operator */
    int64_t start_time_ns;                    /* UTC, ns since 1970 */
    char port[256];                           /* serial port recorded from */
    struct packet_device_info device;         /* the table, from DEVICE_INFO */
    const char *software;                     /* program writing it, NULL: "mtable-acqd" */
    const double *calibration;                /* NULL, or count pairs (counts, kPa) ... */
    size_t calibration_points;                /* ... strictly increasing counts, >= 2 */
};

/* How the file is written; zero fields take the defaults above. */
struct session_file_options {
    unsigned frames_per_chunk; /* frames in each chunk of /frames */
    int compression_level;     /* libdeflate level, 1..12 */
};

struct session_file;

/*
 * Creates path (never overwriting: -EEXIST if it exists) with the layout of
 * FILE_FORMAT.md for info, and starts SWMR writing. Returns 0 and sets *out;
 * -EINVAL for a grid, calibration or option out of range.
 */
int session_file_create(const char *path, const struct session_info *info,
                        const struct session_file_options *options, struct session_file **out);

/*
 * Appends one frame of rows x cols values (row-major) with its timestamps.
 * When the chunk being filled is full this first writes it (and may fail
 * like session_file_flush); on failure the frame is not appended.
 */
int session_file_append_frame(struct session_file *file, uint32_t sequence, uint64_t device_time_us,
                              int64_t host_time_ns, const uint16_t *values);

/* Appends one row to /link_events; -EINVAL for an unknown kind. */
int session_file_append_event(struct session_file *file, const struct link_event *event);

/*
 * Appends one row to /markers, at the index of the next frame to be
 * appended; -EINVAL unless label is at most 63 printable ASCII characters.
 */
int session_file_append_marker(struct session_file *file, int64_t host_time_ns, const char *label);

/*
 * Writes everything appended so far (the partly filled chunk too) and makes
 * it visible to SWMR readers. After a crash of the program the file holds
 * at least what the last successful flush wrote (no fsync: a power cut can
 * lose what the operating system had not yet written).
 */
int session_file_flush(struct session_file *file);

/* Frames appended so far. */
uint64_t session_file_frames(const struct session_file *file);

/*
 * Flushes, closes, and adds the closing attributes (end time, totals,
 * end_state "closed"). Frees file whatever happens; on failure the file on
 * disk still holds what the last successful flush wrote, and
 * session_file_recover finishes it.
 */
int session_file_close(struct session_file *file, int64_t end_time_ns);

/*
 * Finishes a session file left open by a crashed writer: clears HDF5's
 * open-for-writing marks and adds the closing attributes with end_state
 * "recovered" and the end time of the last frame. Returns 0 if recovered,
 * 1 if the file needed nothing (already closed), or a negative errno
 * (-EPROTO for a file that is not an mtable session, or of a schema
 * version this code does not know; such files are not written to). Only
 * for files no program is writing any more: HDF5 cannot tell.
 */
int session_file_recover(const char *path);

/* Description of the last error in this thread, naming file and cause. */
const char *session_file_last_error(void);

#endif
