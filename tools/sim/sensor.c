/*
 * sensor.c - offsets, the Gaussian table and the ADC.
 */
#include "sensor.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "random.h"

/* Random stream of the per-taxel offsets; frame n uses stream n + 1. */
#define OFFSET_STREAM 0u

/* Standard normal quantile of p, by bisection on the normal distribution function. */
static double normal_quantile(double p)
{
    double low = -10.0;
    double high = 10.0;
    for (int i = 0; i < 100; i++) {
        double middle = (low + high) / 2.0;
        if (0.5 * erfc(-middle / M_SQRT2) < p)
            low = middle;
        else
            high = middle;
    }
    return (low + high) / 2.0;
}

int sensor_init(struct sensor *sensor, unsigned rows, unsigned cols, unsigned adc_bits,
                uint64_t seed)
{
    size_t taxels = (size_t)rows * cols;
    float *offset = malloc(taxels * sizeof(*offset));
    if (offset == NULL)
        return -ENOMEM;
    struct random random;
    random_seed(&random, seed, OFFSET_STREAM);
    for (size_t i = 0; i < taxels; i++)
        offset[i] = (float)(SENSOR_OFFSET_MAX * random_uniform(&random));
    for (unsigned i = 0; i < SENSOR_NORMAL_LEVELS; i++)
        sensor->normal[i] =
            (float)(SENSOR_NOISE_SIGMA * normal_quantile((i + 0.5) / SENSOR_NORMAL_LEVELS));
    sensor->rows = rows;
    sensor->cols = cols;
    sensor->seed = seed;
    sensor->max_value = (float)((1u << adc_bits) - 1u);
    sensor->offset = offset;
    return 0;
}

void sensor_fini(struct sensor *sensor)
{
    free(sensor->offset);
    sensor->offset = NULL;
}

void sensor_read(const struct sensor *sensor, uint32_t sequence, const float *load,
                 uint16_t *values)
{
    size_t taxels = (size_t)sensor->rows * sensor->cols;
    struct random random;
    random_seed(&random, sensor->seed, (uint64_t)sequence + 1u);
    uint64_t bits = 0;
    unsigned samples_left = 0;
    for (size_t i = 0; i < taxels; i++) {
        if (samples_left == 0) {
            bits = random_next(&random);
            samples_left = 64 / SENSOR_NORMAL_BITS;
        }
        float noise = sensor->normal[bits & (SENSOR_NORMAL_LEVELS - 1u)];
        bits >>= SENSOR_NORMAL_BITS;
        samples_left--;
        float reading = rintf(load[i] + sensor->offset[i] + noise);
        if (reading < 0.0f)
            reading = 0.0f;
        else if (reading > sensor->max_value)
            reading = sensor->max_value;
        values[i] = (uint16_t)reading;
    }
}
