/*
 * matrix.c - exact divider arithmetic, and first-order settling for early samples.
 */
#include "matrix.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

/* ln(2^13) in ten-thousandths: after this many time constants the residue is below half a count. */
#define SETTLED_TAU_TEN_THOUSANDTHS 90109u

/* Conductance of the reference resistor, in the matrix's unit 1 / (R0 P0 R_ref) S. */
#define REFERENCE_CONDUCTANCE ((uint64_t)MATRIX_SENSOR_R0_OHMS * MATRIX_SENSOR_P0_PA)

int matrix_init(struct matrix *matrix, unsigned rows, unsigned cols)
{
    matrix->rows = rows;
    matrix->cols = cols;
    matrix->inputs = (cols + MATRIX_MUX_CHANNELS - 1) / MATRIX_MUX_CHANNELS;
    matrix->conductance = calloc((size_t)rows * cols, sizeof(*matrix->conductance));
    matrix->column_total = calloc(cols, sizeof(*matrix->column_total));
    matrix->column_driven = calloc(cols, sizeof(*matrix->column_driven));
    matrix->line_start = calloc(cols, sizeof(*matrix->line_start));
    matrix->driven = calloc(rows, sizeof(*matrix->driven));
    matrix->last_reading = calloc(matrix->inputs, sizeof(*matrix->last_reading));
    if (matrix->conductance == NULL || matrix->column_total == NULL ||
        matrix->column_driven == NULL || matrix->line_start == NULL || matrix->driven == NULL ||
        matrix->last_reading == NULL) {
        matrix_fini(matrix);
        return -ENOMEM;
    }
    matrix->channel = 0;
    matrix->since_row_ns = UINT32_MAX; /* long settled */
    matrix->since_mux_ns = UINT32_MAX;
    for (unsigned i = 0; i < matrix->inputs; i++)
        matrix->last_reading[i] = MATRIX_ADC_MAX; /* no row driven: every line at VREF */
    for (size_t i = 0; i < (size_t)rows * cols; i++)
        matrix->conductance[i] = (uint64_t)MATRIX_REFERENCE_OHMS * MATRIX_SENSOR_P0_PA;
    for (unsigned col = 0; col < cols; col++) {
        matrix->column_total[col] =
            REFERENCE_CONDUCTANCE + (uint64_t)rows * MATRIX_REFERENCE_OHMS * MATRIX_SENSOR_P0_PA;
        matrix->line_start[col] = MATRIX_ADC_MAX;
    }
    return 0;
}

void matrix_fini(struct matrix *matrix)
{
    free(matrix->conductance);
    free(matrix->column_total);
    free(matrix->column_driven);
    free(matrix->line_start);
    free(matrix->driven);
    free(matrix->last_reading);
    matrix->conductance = NULL;
    matrix->column_total = NULL;
    matrix->column_driven = NULL;
    matrix->line_start = NULL;
    matrix->driven = NULL;
    matrix->last_reading = NULL;
}

void matrix_set_pressures(struct matrix *matrix, const uint32_t *pressure_pa)
{
    for (unsigned col = 0; col < matrix->cols; col++) {
        matrix->column_total[col] = REFERENCE_CONDUCTANCE;
        matrix->column_driven[col] = 0;
    }
    for (unsigned row = 0; row < matrix->rows; row++) {
        for (unsigned col = 0; col < matrix->cols; col++) {
            size_t i = (size_t)row * matrix->cols + col;
            uint64_t g = (uint64_t)MATRIX_REFERENCE_OHMS * (MATRIX_SENSOR_P0_PA + pressure_pa[i]);
            matrix->conductance[i] = g;
            matrix->column_total[col] += g;
            if (matrix->driven[row])
                matrix->column_driven[col] += g;
        }
    }
}

/* The divider's reading of column col with the rows driven now, rounded half up. */
static uint16_t settled_reading(const struct matrix *matrix, unsigned col)
{
    uint64_t total = matrix->column_total[col];
    uint64_t to_reference = total - matrix->column_driven[col];
    return (uint16_t)((2u * MATRIX_ADC_MAX * to_reference + total) / (2u * total));
}

/* True once t is at least ln(2^13) time constants tau. */
static bool settled(uint64_t t_ns, uint32_t tau_ns)
{
    return t_ns * 10000u >= (uint64_t)tau_ns * SETTLED_TAU_TEN_THOUSANDTHS;
}

/* Where column line col is now, counts: on its way from line_start to the settled reading. */
static double line_value(const struct matrix *matrix, unsigned col)
{
    double target = settled_reading(matrix, col);
    if (settled(matrix->since_row_ns, MATRIX_ROW_TAU_NS))
        return target;
    return target + (matrix->line_start[col] - target) *
                        exp(-(double)matrix->since_row_ns / MATRIX_ROW_TAU_NS);
}

/* Switches row to driven or idle: every column line starts from where it is. */
static void switch_row(struct matrix *matrix, unsigned row, bool driven)
{
    if (row >= matrix->rows || matrix->driven[row] == driven)
        return;
    for (unsigned col = 0; col < matrix->cols; col++) {
        matrix->line_start[col] = line_value(matrix, col);
        uint64_t g = matrix->conductance[(size_t)row * matrix->cols + col];
        if (driven)
            matrix->column_driven[col] += g;
        else
            matrix->column_driven[col] -= g;
    }
    matrix->driven[row] = driven;
    matrix->since_row_ns = 0;
}

void matrix_drive_row(struct matrix *matrix, unsigned row)
{
    switch_row(matrix, row, true);
}

void matrix_release_row(struct matrix *matrix, unsigned row)
{
    switch_row(matrix, row, false);
}

void matrix_select(struct matrix *matrix, unsigned channel)
{
    if (channel != matrix->channel) {
        matrix->channel = channel;
        matrix->since_mux_ns = 0;
    }
}

void matrix_wait(struct matrix *matrix, uint32_t ns)
{
    matrix->since_row_ns += ns;
    matrix->since_mux_ns += ns;
}

uint16_t matrix_sample(struct matrix *matrix, unsigned input)
{
    unsigned col = input * MATRIX_MUX_CHANNELS + matrix->channel;
    uint16_t reading = MATRIX_ADC_MAX;
    if (col < matrix->cols) {
        reading = settled_reading(matrix, col);
        bool mux_settled = settled(matrix->since_mux_ns, MATRIX_COLUMN_TAU_NS);
        if (!mux_settled || !settled(matrix->since_row_ns, MATRIX_ROW_TAU_NS)) {
            double line = line_value(matrix, col);
            double node = line;
            if (!mux_settled)
                node += (matrix->last_reading[input] - line) *
                        exp(-(double)matrix->since_mux_ns / MATRIX_COLUMN_TAU_NS);
            reading = (uint16_t)lround(node);
        }
    }
    if (input < matrix->inputs)
        matrix->last_reading[input] = reading;
    matrix_wait(matrix, MATRIX_CONVERSION_NS);
    return reading;
}
