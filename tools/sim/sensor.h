/*
 * sensor.h - the taxel array and its ADC: load in, raw readings out.
 *
 * Each reading is the load on the taxel plus the taxel's fixed offset plus
 * Gaussian read noise, rounded and clipped to 0 .. 2^adc_bits - 1. Offsets
 * are drawn once from the seed; the noise of frame n is drawn from its own
 * random stream (seed, n), so it does not depend on any other frame.
 *
 * Gaussian samples come from a table of SENSOR_NORMAL_LEVELS equally likely
 * values (the inverse normal distribution at the centre of each slice), so a
 * sample costs a table look-up: the simulator must generate frames far faster
 * than any serial link carries them.
 */
#ifndef MTABLE_SIM_SENSOR_H
#define MTABLE_SIM_SENSOR_H

#include <stdint.h>

/* Read noise, counts: a few counts, as on a 12-bit resistive mat. */
#define SENSOR_NOISE_SIGMA 3.0
/* Fixed per-taxel offsets are uniform in 0 .. this many counts. */
#define SENSOR_OFFSET_MAX 6.0
/* Levels of the Gaussian table: 12 random bits per sample, five samples per 64-bit draw. */
#define SENSOR_NORMAL_BITS   12
#define SENSOR_NORMAL_LEVELS (1u << SENSOR_NORMAL_BITS)

/* One taxel array; set up with sensor_init. */
struct sensor {
    unsigned rows, cols;
    uint64_t seed;                      /* names the offsets and every frame's noise */
    float max_value;                    /* 2^adc_bits - 1 */
    float *offset;                      /* fixed offset of each taxel, counts */
    float normal[SENSOR_NORMAL_LEVELS]; /* noise values, counts, equally likely */
};

/* Sets up a rows x cols array read by an adc_bits ADC; -ENOMEM when out of memory. */
int sensor_init(struct sensor *sensor, unsigned rows, unsigned cols, unsigned adc_bits,
                uint64_t seed);

/* Frees the offsets. */
void sensor_fini(struct sensor *sensor);

/* Readings of frame `sequence` for load (counts, row-major) into values. */
void sensor_read(const struct sensor *sensor, uint32_t sequence, const float *load,
                 uint16_t *values);

#endif
