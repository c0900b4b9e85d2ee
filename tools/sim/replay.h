/*
 * replay.h - a recorded session (acquisition/FILE_FORMAT.md) as the frames
 * the simulated table sends again: its device, and each frame's sequence
 * number, device time, values and place on the replay's time axis.
 *
 * The file is read with the analysis library's streaming reader
 * (analysis/session_reader.h), one chunk of frames at a time, so memory
 * does not grow with the session. The time axis paces the replay: it
 * starts at 0 with the first frame and advances by the recorded device
 * clock from frame to frame, or by one nominal period where that clock
 * went back or stood still (a device reset in the recording), the rule of
 * analysis/frame_time.h:
 *
 *   frame         0        1        2     (reset)  3        4
 *   device_time   5000     15000    25000          200      10200   us
 *   axis          0        10       20             30       40      ms at 100 frames/s
 *
 *   replay_open --> replay_peek (the next frame) --> replay_advance --> ... --> NULL
 */
#ifndef MTABLE_SIM_REPLAY_H
#define MTABLE_SIM_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "packet.h"

/* Room for a message naming the file and what is wrong with it. */
#define REPLAY_ERROR_SIZE 1100

/* One recorded frame, valid until replay_advance. */
struct replay_frame {
    uint32_t sequence;       /* as recorded */
    uint64_t device_time_us; /* as recorded */
    const uint16_t *values;  /* rows x cols, row-major */
    uint64_t time_ns;        /* on the replay's time axis */
};

struct replay;

/*
 * Opens a session file and reads its device: grid, pitch, ADC bits, frame
 * rate, firmware version and serial. Returns 0 and sets *out, or a
 * negative errno with a message naming the file in error (not a session
 * file, unreadable, or a device the protocol cannot describe).
 */
int replay_open(const char *path, struct replay **out, char *error, size_t error_size);

/* The recorded device, as its DEVICE_INFO says (not streaming). */
const struct packet_device_info *replay_device_info(const struct replay *replay);

/* Frames in the file. */
uint64_t replay_frames(const struct replay *replay);

/* The next frame to send, or NULL after the last one (or after a read error). */
const struct replay_frame *replay_peek(const struct replay *replay);

/*
 * Moves on to the frame after the one peeked. Returns 0, or a negative
 * errno when the file cannot be read there (replay_error says where and
 * why; replay_peek is NULL from then on).
 */
int replay_advance(struct replay *replay);

/* The last read error, naming the file and frames. */
const char *replay_error(const struct replay *replay);

/* Closes the file; NULL is allowed. */
void replay_close(struct replay *replay);

#endif
