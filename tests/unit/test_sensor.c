/*
 * test_sensor.c - readings are load + fixed offset + Gaussian noise of about
 * 3 counts, rounded and clipped to the ADC's range, and each frame's noise
 * depends only on the seed and the frame's sequence number.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sensor.h"

enum { ROWS = 16, COLS = 8, TAXELS = ROWS * COLS, FRAMES = 4000 };

static struct sensor sensor, other;
static float load[TAXELS];
static uint16_t values[TAXELS], again[TAXELS];

static void fill(float value)
{
    for (size_t i = 0; i < TAXELS; i++)
        load[i] = value;
}

static void test_same_seed_same_frame(void **state)
{
    (void)state;
    assert_int_equal(sensor_init(&sensor, ROWS, COLS, 12, 7), 0);
    assert_int_equal(sensor_init(&other, ROWS, COLS, 12, 7), 0);
    fill(500);
    sensor_read(&sensor, 3, load, values);
    sensor_read(&sensor, 4, load, again); /* reading another frame first changes nothing */
    sensor_read(&other, 3, load, again);
    assert_memory_equal(values, again, sizeof(values));
    sensor_read(&sensor, 4, load, again);
    assert_memory_not_equal(values, again, sizeof(values));
    sensor_fini(&other);

    /* Another seed: other offsets and other noise in most taxels. */
    assert_int_equal(sensor_init(&other, ROWS, COLS, 12, 8), 0);
    sensor_read(&other, 3, load, again);
    int differ = 0;
    for (size_t i = 0; i < TAXELS; i++)
        differ += values[i] != again[i];
    assert_true(differ > TAXELS / 2);
    sensor_fini(&other);
    sensor_fini(&sensor);
}

static void test_noise_and_offsets(void **state)
{
    (void)state;
    assert_int_equal(sensor_init(&sensor, ROWS, COLS, 12, 1), 0);
    fill(1000);
    static double sum[TAXELS], sum2[TAXELS];
    memset(sum, 0, sizeof(sum));
    memset(sum2, 0, sizeof(sum2));
    for (uint32_t n = 0; n < FRAMES; n++) {
        sensor_read(&sensor, n, load, values);
        for (size_t i = 0; i < TAXELS; i++) {
            sum[i] += values[i];
            sum2[i] += (double)values[i] * values[i];
        }
    }
    double pooled_variance = 0, offset_mean = 0, offset_min = 1e9, offset_max = -1e9;
    for (size_t i = 0; i < TAXELS; i++) {
        double mean = sum[i] / FRAMES;
        pooled_variance += sum2[i] / FRAMES - mean * mean;
        double offset = mean - 1000;
        offset_mean += offset / TAXELS;
        offset_min = fmin(offset_min, offset);
        offset_max = fmax(offset_max, offset);
    }
    double sigma = sqrt(pooled_variance / TAXELS);
    /* sigma 3 counts plus rounding (1/12 count^2); offsets a few counts, fixed per taxel. */
    assert_true(sigma > 2.9 && sigma < 3.2);
    assert_true(offset_min > -0.5 && offset_max < SENSOR_OFFSET_MAX + 0.5);
    assert_true(offset_max - offset_min > 3.0);
    assert_true(fabs(offset_mean - SENSOR_OFFSET_MAX / 2) < 1.0);
    sensor_fini(&sensor);
}

static void test_clipped_to_the_adc_range(void **state)
{
    (void)state;
    struct {
        unsigned bits;
        float load;
        uint16_t expected;
    } cases[] = {
        {12, -100.0f, 0}, {12, 10000.0f, 4095}, {8, 300.0f, 255}, {16, 1e6f, 65535}, {1, 50.0f, 1},
    };
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        assert_int_equal(sensor_init(&sensor, ROWS, COLS, cases[c].bits, 1), 0);
        fill(cases[c].load);
        sensor_read(&sensor, 0, load, values);
        for (size_t i = 0; i < TAXELS; i++)
            assert_int_equal(values[i], cases[c].expected);
        sensor_fini(&sensor);
    }
    /* At zero load the noise is clipped at 0, never wrapped to 65535. */
    assert_int_equal(sensor_init(&sensor, ROWS, COLS, 12, 1), 0);
    fill(0.0f);
    int zeros = 0;
    for (uint32_t n = 0; n < 50; n++) {
        sensor_read(&sensor, n, load, values);
        for (size_t i = 0; i < TAXELS; i++) {
            assert_true(values[i] < 30);
            zeros += values[i] == 0;
        }
    }
    assert_true(zeros > 0);
    sensor_fini(&sensor);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_same_frame),
        cmocka_unit_test(test_noise_and_offsets),
        cmocka_unit_test(test_clipped_to_the_adc_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
