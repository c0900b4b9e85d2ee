/*
 * session_reader.h - reads a session file (acquisition/FILE_FORMAT.md) as a
 * stream of frame blocks, in memory that does not depend on its length.
 *
 * Opening checks that the file is an mtable session of a known schema
 * version and reads what it says about itself. Frames then come out one
 * chunk of /frames at a time, in order, with their sequence numbers and
 * device times:
 *
 *   calling thread                         decompression thread
 *   H5Dread_chunk -> slot (compressed) --> libdeflate + unshuffle -> slot
 *   session_reader_next <- oldest slot <------------------------------'
 *
 * All HDF5 calls stay on the calling thread (the library is not
 * thread-safe); a second thread inflates chunks, and the caller inflates
 * one itself rather than wait. Chunks with an unexpected layout or filter
 * mask, or too large to keep several in flight, are read through HDF5's
 * own pipeline (H5Dread) instead, with a chunk cache that holds them.
 *
 * Files are opened as a SWMR reader, so a file still being recorded, or
 * left by a crashed writer and not yet recovered, is read as of the
 * writer's last flush.
 */
#ifndef MTABLE_SESSION_READER_H
#define MTABLE_SESSION_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame_time.h"

/* Room for an error message naming the file and the cause. */
#define SESSION_READER_ERROR_SIZE 1024

/* Schema version of acquisition/FILE_FORMAT.md this reader understands. */
#define SESSION_READER_SCHEMA_VERSION 1

/* What a session file says about itself. */
struct session_metadata {
    char session_id[256];
    char subject_id[128];
    char operator_id[128];
    char start_time_utc[64];
    int64_t start_time_unix_ns;
    char end_state[32];    /* "closed", "recovered", or "" while recording/after a crash */
    char end_time_utc[64]; /* "" when unknown */
    char software[128];
    char port[512];
    char device_serial[64];
    char firmware_version[32];
    int rows, cols;
    int adc_bits;
    double row_pitch_mm, col_pitch_mm;
    double frame_rate_hz;    /* nominal, at the start of the session */
    uint64_t frames;         /* frames that can be read */
    uint64_t gap_frames;     /* sum of /link_events gap counts */
    uint64_t dropped_frames; /* sum of drop counts */
    uint64_t decode_errors;  /* sum of decode error counts */
    uint64_t disconnects;    /* disconnect rows */
    uint64_t device_resets;  /* device_reset rows */
    double *calibration;     /* NULL, or calibration_points (counts, kPa) pairs */
    size_t calibration_points;
    unsigned frames_per_chunk; /* frames per block handed out */
    bool direct_chunks;        /* chunks are read raw and inflated here */
};

/* A block of consecutive frames; valid until the next session_reader_next. */
struct session_block {
    const uint16_t *values;           /* frames x rows x cols readings */
    const struct frame_stamp *stamps; /* frames stamps */
    uint64_t first_frame;             /* index of the first frame in the session */
    size_t frames;
};

struct session_reader;

/*
 * Opens path and checks it is a session file this reader knows. On failure
 * returns a negative errno (-ENOENT missing, -ENOEXEC not HDF5, -EPROTO not
 * a session or unusable, -EPROTONOSUPPORT unknown schema version) and
 * writes "PATH: what is wrong" to error.
 */
int session_reader_open(const char *path, struct session_reader **out, char *error,
                        size_t error_size);

/* What the file says about itself. */
const struct session_metadata *session_reader_metadata(const struct session_reader *reader);

/*
 * Hands out the next block of frames: 1 and *block set, 0 after the last
 * frame, or a negative errno when a chunk cannot be read or decoded
 * (session_reader_error then says which frames and why; the blocks handed
 * out before stay valid results).
 */
int session_reader_next(struct session_reader *reader, struct session_block *block);

/* Description of the last read error, naming the file and frames. */
const char *session_reader_error(const struct session_reader *reader);

/* Stops the decompression thread, closes the file and frees the reader. */
void session_reader_close(struct session_reader *reader);

#endif
