/*
 * matrix.h - the simulated table's electronics: a grid of force-sensitive
 * resistors read through reference resistors, multiplexers and a 12-bit
 * ADC, wired as hw/README.md describes for the real table.
 *
 * Sensor: each taxel's resistance falls with the pressure p on it,
 *
 *   R(p) = R0 / (1 + p / P0)        R0 = 10 MOhm, P0 = 10 Pa
 *
 * so its conductance G = (1 + p / P0) / R0 grows linearly with pressure (a
 * velostat taxel with a spacer: about 10 kOhm at 10 kPa, 1 kOhm at 100 kPa).
 *
 * Circuit of column c, with the driven row r at 0 V and every other row at
 * the ADC reference VREF, like the top of the reference resistor:
 *
 *   VREF --R_ref--+--R(r',c)-- row r' (idle, at VREF), for every r' != r
 *                 |
 *                 +--R(r,c)--- row r (driven, 0 V)
 *                 |
 *              column c --> multiplexer --> ADC
 *
 *   reading = 4095 * (G_ref + sum of G(r',c) over idle rows r')
 *                  / (G_ref + sum of G(r',c) over all rows)
 *
 * rounded to the nearest count (halves up). With no row driven every row is
 * at VREF and the reading is 4095. The arithmetic is exact: conductances are
 * kept as whole multiples of 1 / (R0 * P0 * R_ref) siemens, G(p) as
 * R_ref * (P0 + p) and G_ref as R0 * P0.
 *
 * Settling, first order: each column line moves towards its new value with
 * time constant MATRIX_ROW_TAU_NS from the value it had when a row last
 * switched (so a row read too early still shows the row before); the
 * multiplexer's output moves towards the line it selects with
 * MATRIX_COLUMN_TAU_NS from the reading it last gave. Time passes only
 * through matrix_wait and the conversions themselves (MATRIX_CONVERSION_NS
 * each); nothing really waits. A sample taken at least ln(2^13) = 9.011 time
 * constants after both switches is the exact reading above (the residue
 * would be below half a count); an earlier one is the two exponential
 * approaches, rounded.
 */
#ifndef MTABLE_MATRIX_H
#define MTABLE_MATRIX_H

#include <stdbool.h>
#include <stdint.h>

/* Reference resistor from each column line to VREF (hw/README.md, "Reference resistors"). */
#define MATRIX_REFERENCE_OHMS 4700u
/* Sensor resistance under no pressure: the spacer keeps the layers almost apart. */
#define MATRIX_SENSOR_R0_OHMS 10000000u
/* Pressure that doubles the sensor's conductance, pascals. */
#define MATRIX_SENSOR_P0_PA 10u
/* Full scale of the 12-bit ADC. */
#define MATRIX_ADC_MAX 4095u
/* Time constant of the column lines after a row switch: ~4.7 kOhm x ~0.4 nF. */
#define MATRIX_ROW_TAU_NS 2000u
/* Time constant of a multiplexer output after a channel switch: ~4.7 kOhm x ~30 pF. */
#define MATRIX_COLUMN_TAU_NS 150u
/* One conversion (the STM32F411's 15 + 12 ADC clocks at 24 MHz); the lines settle on meanwhile. */
#define MATRIX_CONVERSION_NS 1125u
/* Channels per multiplexer, as hal.h. */
#define MATRIX_MUX_CHANNELS 16u

/* The simulated electronics; set up with matrix_init. */
struct matrix {
    unsigned rows, cols;     /* grid */
    unsigned inputs;         /* ADC inputs: one per multiplexer */
    uint64_t *conductance;   /* rows x cols, row-major, in 1 / (R0 P0 R_ref) S */
    uint64_t *column_total;  /* per column: G_ref plus every taxel of the column */
    uint64_t *column_driven; /* per column: its taxels on driven rows */
    double *line_start;      /* per column: line's value (counts) when a row last switched */
    bool *driven;            /* per row: at 0 V */
    unsigned channel;        /* multiplexer address */
    uint64_t since_row_ns;   /* time since a row last switched */
    uint64_t since_mux_ns;   /* time since the multiplexer address last changed */
    uint16_t *last_reading;  /* per ADC input: the reading before */
};

/* Sets up a rows x cols matrix with no pressure, no row driven, channel 0. Returns 0 or -ENOMEM. */
int matrix_init(struct matrix *matrix, unsigned rows, unsigned cols);

/* Frees what matrix_init allocated. */
void matrix_fini(struct matrix *matrix);

/* Sets every taxel's pressure: pressure_pa holds rows x cols values, row-major, pascals. */
void matrix_set_pressures(struct matrix *matrix, const uint32_t *pressure_pa);

/* Puts row at 0 V. */
void matrix_drive_row(struct matrix *matrix, unsigned row);

/* Puts row back at VREF. */
void matrix_release_row(struct matrix *matrix, unsigned row);

/* Sets the multiplexers' address. */
void matrix_select(struct matrix *matrix, unsigned channel);

/* Lets ns nanoseconds pass. */
void matrix_wait(struct matrix *matrix, uint32_t ns);

/* Converts ADC input once: the column it sees now; 4095 for a channel with no column. */
uint16_t matrix_sample(struct matrix *matrix, unsigned input);

#endif
