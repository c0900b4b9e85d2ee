/*
 * capture.h - a copy of every byte read from the port, for replay.
 *
 * With --capture FILE the reader hands each piece it reads to the capture,
 * which a thread of its own writes to FILE exactly as read, with no framing:
 * `mtable-sim --replay-raw FILE` plays it back byte for byte, so a problem
 * seen in the lab becomes a test fixture. The reader never waits for the
 * capture: pieces go through an SPSC ring, and if the disk falls behind
 * the bytes that do not fit are counted as missing from the capture (the
 * session file is not affected).
 */
#ifndef MTABLE_CAPTURE_H
#define MTABLE_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

/* Largest piece capture_bytes takes at once: the reader's read size. */
#define CAPTURE_PIECE_MAX 65536

struct capture;

/*
 * Creates path (never overwriting an existing file) and starts the
 * capture thread. Returns 0 and sets *out, or a negative errno with a
 * message naming the file in error.
 */
int capture_start(const char *path, struct capture **out, char *error, size_t error_size);

/* Reader thread: queues len bytes (at most CAPTURE_PIECE_MAX) without blocking. */
void capture_bytes(struct capture *capture, const uint8_t *bytes, size_t len);

/*
 * Writes what is queued, closes the file and frees the capture. Returns 0,
 * or a negative errno if writing failed; *missing_bytes (if not NULL) says
 * how many bytes read from the port are not in the file.
 */
int capture_stop(struct capture *capture, uint64_t *missing_bytes);

#endif
