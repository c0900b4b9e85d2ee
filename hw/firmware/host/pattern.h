/*
 * pattern.h - the pressure the simulated table feels: a client lying on it
 * and two hands working along it, in whole pascals, for each scan.
 *
 * This is a test pattern, not a model of a massage (tools/sim has that):
 * simple enough that an end-to-end test recomputes it independently, and
 * changing from scan to scan so that a stale frame shows. All integer
 * arithmetic, so every build and the test get exactly the same numbers.
 * For a grid of R rows and C columns, scan n (every shape is a paraboloid,
 * peak * (1 - d^2), zero outside, and the three add up):
 *
 *   client  ellipse centred at row R/2, column C/2, semi-axes 7R/16 rows
 *           and C/4 columns (at least 1), peak PATTERN_CLIENT_PA
 *   hand    disc of radius max(1, C/8) taxels at row R/8 + (n/2) mod (3R/4 + 1),
 *           column C/2 - C/6, peak PATTERN_HAND_PA: moves towards the feet
 *   elbow   disc of radius max(1, C/16) at row R - 1 - R/8 - (n/3) mod (3R/4 + 1),
 *           column C/2 + C/6, peak PATTERN_ELBOW_PA: moves towards the head
 *
 * where inside a disc of radius h at distance d^2 = dr^2 + dc^2 (in taxels)
 * the pressure is peak * (h^2 - d^2) / h^2, and inside the ellipse it is
 * peak * (a^2 b^2 - dr^2 b^2 - dc^2 a^2) / (a^2 b^2), each division rounding
 * down, for the numerator above zero.
 */
#ifndef MTABLE_PATTERN_H
#define MTABLE_PATTERN_H

#include <stdint.h>

/* Peak of the client's resting load: about what a torso puts on a table, 3 kPa. */
#define PATTERN_CLIENT_PA 3000u
/* Peak under a palm working firmly: 40 kPa. */
#define PATTERN_HAND_PA 40000u
/* Peak under an elbow or thumb: 90 kPa, near the top of a massage's range. */
#define PATTERN_ELBOW_PA 90000u

/* Pressure on taxel (row, col) of a rows x cols grid during scan n (0 first), pascals. */
uint32_t pattern_pressure_pa(unsigned rows, unsigned cols, unsigned row, unsigned col,
                             uint64_t scan);

#endif
