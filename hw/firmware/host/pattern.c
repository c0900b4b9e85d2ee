/*
 * pattern.c - three paraboloids, in integers.
 */
#include "pattern.h"

/* Pressure of a disc of radius (at least 1) centred at (centre_row, centre_col). */
static uint32_t disc(unsigned row, unsigned col, long centre_row, long centre_col, long radius,
                     uint32_t peak)
{
    long dr = (long)row - centre_row;
    long dc = (long)col - centre_col;
    long inside = radius * radius - dr * dr - dc * dc;
    if (inside <= 0)
        return 0;
    return (uint32_t)((uint64_t)peak * (uint64_t)inside / (uint64_t)(radius * radius));
}

/* Pressure of an ellipse of semi-axes a rows and b columns centred at (centre_row, centre_col). */
static uint32_t ellipse(unsigned row, unsigned col, long centre_row, long centre_col, long a,
                        long b, uint32_t peak)
{
    long dr = (long)row - centre_row;
    long dc = (long)col - centre_col;
    long inside = a * a * b * b - dr * dr * b * b - dc * dc * a * a;
    if (inside <= 0)
        return 0;
    return (uint32_t)((uint64_t)peak * (uint64_t)inside / (uint64_t)(a * a * b * b));
}

static long at_least_one(long n)
{
    return n < 1 ? 1 : n;
}

uint32_t pattern_pressure_pa(unsigned rows, unsigned cols, unsigned row, unsigned col,
                             uint64_t scan)
{
    long r = (long)rows, c = (long)cols;
    long travel = 3 * r / 4 + 1; /* rows a hand passes before starting over */
    long hand_row = r / 8 + (long)((scan / 2) % (uint64_t)travel);
    long elbow_row = r - 1 - r / 8 - (long)((scan / 3) % (uint64_t)travel);
    return ellipse(row, col, r / 2, c / 2, at_least_one(7 * r / 16), at_least_one(c / 4),
                   PATTERN_CLIENT_PA) +
           disc(row, col, hand_row, c / 2 - c / 6, at_least_one(c / 8), PATTERN_HAND_PA) +
           disc(row, col, elbow_row, c / 2 + c / 6, at_least_one(c / 16), PATTERN_ELBOW_PA);
}
