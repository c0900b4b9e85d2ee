/*
 * bench_frames.h - the input of the in-memory benchmarks: consecutive
 * frames of the simulated table, made once before anything is timed.
 *
 * Frame n is what mtable-sim sends as sequence n (tools/sim/frame_source.h:
 * same seed, grid and rate), so the write-path and decoder benchmarks work
 * on the same values the daemon records in the pty benchmarks. The frames
 * can also be encoded as mtable-sim sends them, for the decoder benchmark
 * and as a stream mtable-sim --replay-raw plays into a pty:
 *
 *   values: count frames of rows x cols uint16, row-major, frame after frame
 *   +-----------------+-----------------+-----+---------------------+
 *   | frame 0         | frame 1         | ... | frame count - 1     |
 *   +-----------------+-----------------+-----+---------------------+
 */
#ifndef MTABLE_BENCH_FRAMES_H
#define MTABLE_BENCH_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The simulator's default table and rate (tools/sim/options.c). */
#define BENCH_FRAMES_ROWS     64
#define BENCH_FRAMES_COLS     32
#define BENCH_FRAMES_RATE_HZ  100.0
#define BENCH_FRAMES_ADC_BITS 12

/*
 * Makes frames 0..count-1 of the default table with seed into a new array
 * (free() it). Returns 0 and sets *out, -ENOMEM, or -EINVAL.
 */
int bench_frames_generate(uint64_t seed, size_t count, uint16_t **out);

/* Model time of frame n at the default rate, nanoseconds. */
uint64_t bench_frames_time_ns(uint64_t n);

/*
 * Encodes count frames of values (as made by bench_frames_generate) as
 * mtable-sim sends them, back to back, into a new buffer (free() it); with
 * handshake, after what the simulator sends first: DEVICE_INFO (not yet
 * streaming) and the ACK of START. Returns 0 and sets *out and *length,
 * -EINVAL (too many frames for memory) or -ENOMEM.
 */
int bench_frames_encode(const uint16_t *values, size_t count, bool handshake, uint8_t **out,
                        size_t *length);

#endif
