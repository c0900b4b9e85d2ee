/*
 * random.h - reproducible pseudo-random numbers for the simulated table.
 *
 * xoshiro256** (Blackman & Vigna, 2018), its 256-bit state filled from
 * splitmix64 (Steele, Lea & Flood, 2014) as its authors recommend. A
 * generator is named by a seed and a stream number, so each frame's noise
 * comes from its own stream: frame n's numbers are the same whatever was
 * drawn before, which keeps every frame a pure function of (seed, n).
 */
#ifndef MTABLE_SIM_RANDOM_H
#define MTABLE_SIM_RANDOM_H

#include <stdint.h>

/* One generator; start it with random_seed. */
struct random {
    uint64_t state[4]; /* xoshiro256** state, never all zero */
};

/* Starts the generator for (seed, stream); equal pairs give equal sequences. */
void random_seed(struct random *random, uint64_t seed, uint64_t stream);

/* Next 64 random bits. */
uint64_t random_next(struct random *random);

/* Uniform double in [0, 1), 53 random bits. */
double random_uniform(struct random *random);

#endif
