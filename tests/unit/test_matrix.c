/*
 * test_matrix.c - the simulated table's electronics read what the divider
 * of hw/README.md gives, load a column with the other rows' taxels as the
 * circuit does (and the README's correction undoes it), and read early
 * samples partly settled: a column line still on its way from the row
 * before, a multiplexer output from the column before.
 *
 * Expected counts are worked out by hand from resistances:
 * R(p) = 10 MOhm / (1 + p / 10 Pa), R_ref = 4.7 kOhm, 12 bits.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "matrix.h"

static struct matrix matrix;

static int tear_down(void **state)
{
    (void)state;
    matrix_fini(&matrix);
    return 0;
}

/* Lets the row and the multiplexer settle fully (a long wait). */
static void settle(void)
{
    matrix_wait(&matrix, 1000000);
}

static void test_divider_readings(void **state)
{
    (void)state;
    assert_int_equal(matrix_init(&matrix, 1, 1), 0);
    settle();
    assert_int_equal(matrix_sample(&matrix, 0), 4095); /* no row driven: the line sits at VREF */
    matrix_drive_row(&matrix, 0);
    settle();
    /* p = 0: R = 10 MOhm; 4095 * 10e6 / (10e6 + 4700) = 4093.08 */
    assert_int_equal(matrix_sample(&matrix, 0), 4093);
    /* p = 10 kPa: R = 10e6 / 1001 = 9990.01; 4095 * 9990.01 / 14690.01 = 2784.82 */
    uint32_t pressure = 10000;
    matrix_set_pressures(&matrix, &pressure);
    assert_int_equal(matrix_sample(&matrix, 0), 2785);
    /* p = 100 kPa: R = 10e6 / 10001 = 999.90; 4095 * 999.90 / 5699.90 = 718.36 */
    pressure = 100000;
    matrix_set_pressures(&matrix, &pressure);
    assert_int_equal(matrix_sample(&matrix, 0), 718);
    matrix_release_row(&matrix, 0);
    settle();
    assert_int_equal(matrix_sample(&matrix, 0), 4095);
}

/*
 * Two rows at 10 kPa on one column: with row 0 driven, row 1's taxel (at
 * VREF) pulls the column up beside R_ref: 4700 || 9990.01 = 3196.26 Ohm,
 * 4095 * 9990.01 / (9990.01 + 3196.26) = 3102.40. The README's correction,
 * G = G_ref * f / (1 - sum of f over the column) with f = (4095 - reading) / 4095,
 * gives back R within the rounding of the counts.
 */
static void test_other_rows_load_the_column(void **state)
{
    (void)state;
    assert_int_equal(matrix_init(&matrix, 2, 1), 0);
    const uint32_t pressures[2] = {10000, 10000};
    matrix_set_pressures(&matrix, pressures);
    unsigned readings[2];
    for (unsigned row = 0; row < 2; row++) {
        matrix_drive_row(&matrix, row);
        settle();
        readings[row] = matrix_sample(&matrix, 0);
        matrix_release_row(&matrix, row);
    }
    assert_int_equal(readings[0], 3102);
    assert_int_equal(readings[1], 3102);
    double f0 = (4095.0 - readings[0]) / 4095.0, f1 = (4095.0 - readings[1]) / 4095.0;
    double resistance = MATRIX_REFERENCE_OHMS * (1.0 - f0 - f1) / f0;
    assert_true(fabs(resistance - 9990.01) < 0.005 * 9990.01);
}

/* Column c is channel c % 16 on ADC input c / 16; a channel with no column reads full scale. */
static void test_columns_on_two_multiplexers(void **state)
{
    (void)state;
    assert_int_equal(matrix_init(&matrix, 1, 20), 0);
    uint32_t pressures[20] = {0};
    pressures[17] = 10000;
    matrix_set_pressures(&matrix, pressures);
    matrix_drive_row(&matrix, 0);
    matrix_select(&matrix, 1);
    settle();
    assert_int_equal(matrix_sample(&matrix, 1), 2785); /* column 17 */
    assert_int_equal(matrix_sample(&matrix, 0), 4093); /* column 1 */
    matrix_select(&matrix, 5);
    settle();
    assert_int_equal(matrix_sample(&matrix, 1), 4095); /* column 21 does not exist */
}

/*
 * A sample one time constant after a switch reads the previous reading of
 * its input moved towards the new one by 1 - 1/e; ln(2^13) time constants
 * after, the exact reading.
 */
static void test_early_samples_are_partly_settled(void **state)
{
    (void)state;
    assert_int_equal(matrix_init(&matrix, 1, 2), 0);
    const uint32_t pressures[2] = {0, 10000};
    matrix_set_pressures(&matrix, pressures);

    matrix_drive_row(&matrix, 0);
    assert_int_equal(matrix_sample(&matrix, 0), 4095); /* at once: the line has not moved */
    matrix_wait(&matrix, MATRIX_ROW_TAU_NS - MATRIX_CONVERSION_NS);
    /* 2000 ns after the row switch: 4093 + (4095 - 4093) / e = 4093.74 */
    assert_int_equal(matrix_sample(&matrix, 0), 4094);
    matrix_wait(&matrix, 18022 - 2 * MATRIX_CONVERSION_NS - 2000 + MATRIX_CONVERSION_NS);
    assert_int_equal(matrix_sample(&matrix, 0), 4093); /* 9.011 tau after: settled */

    matrix_select(&matrix, 1);
    matrix_wait(&matrix, MATRIX_COLUMN_TAU_NS);
    /* 150 ns after the multiplexer switch: 2785 + (4093 - 2785) / e = 3266.19 */
    assert_int_equal(matrix_sample(&matrix, 0), 3266);
    matrix_wait(&matrix, 1352 - MATRIX_COLUMN_TAU_NS - MATRIX_CONVERSION_NS);
    assert_int_equal(matrix_sample(&matrix, 0), 2785);
}

/*
 * Row 0 at 10 kPa, row 1 at 0 Pa, one column. Row 0 driven and settled reads
 * 4095 * 100,047,000 / 147,094,000 = 2785.24; row 1 driven settles towards
 * 4095 * 147,047,000 / 147,094,000 = 4093.69 (4094), starting from 2785:
 * one time constant after the switch the line is at 4094 - 1309 / e = 3612.45.
 */
static void test_a_row_read_early_shows_the_row_before(void **state)
{
    (void)state;
    assert_int_equal(matrix_init(&matrix, 2, 1), 0);
    const uint32_t pressures[2] = {10000, 0};
    matrix_set_pressures(&matrix, pressures);
    matrix_drive_row(&matrix, 0);
    settle();
    assert_int_equal(matrix_sample(&matrix, 0), 2785);
    matrix_release_row(&matrix, 0);
    matrix_drive_row(&matrix, 1);
    matrix_wait(&matrix, MATRIX_ROW_TAU_NS);
    assert_int_equal(matrix_sample(&matrix, 0), 3612);
    settle();
    assert_int_equal(matrix_sample(&matrix, 0), 4094);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_divider_readings, tear_down),
        cmocka_unit_test_teardown(test_other_rows_load_the_column, tear_down),
        cmocka_unit_test_teardown(test_columns_on_two_multiplexers, tear_down),
        cmocka_unit_test_teardown(test_early_samples_are_partly_settled, tear_down),
        cmocka_unit_test_teardown(test_a_row_read_early_shows_the_row_before, tear_down),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
