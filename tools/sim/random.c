/*
 * random.c - splitmix64 and xoshiro256**, written from their published
 * descriptions (https://prng.di.unimi.it/).
 */
#include "random.h"

/* splitmix64's increment: 2^64 divided by the golden ratio, odd. */
#define SPLITMIX_GAMMA 0x9E3779B97F4A7C15u

/* Separates streams: an odd constant so stream * it is a bijection of 64-bit values. */
#define RANDOM_STREAM_MULTIPLIER 0xD1B54A32D192ED03u

/* One splitmix64 step: advances *x and returns 64 well-mixed bits. */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += SPLITMIX_GAMMA);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static uint64_t rotate_left(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void random_seed(struct random *random, uint64_t seed, uint64_t stream)
{
    uint64_t mixed_seed = seed;
    uint64_t x = splitmix64(&mixed_seed) ^ (stream * RANDOM_STREAM_MULTIPLIER);
    for (int i = 0; i < 4; i++)
        random->state[i] = splitmix64(&x);
}

uint64_t random_next(struct random *random)
{
    uint64_t *s = random->state;
    uint64_t result = rotate_left(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotate_left(s[3], 45);
    return result;
}

double random_uniform(struct random *random)
{
    return (double)(random_next(random) >> 11) * 0x1.0p-53;
}
