/*
 * pressure.h - units of pressure and the counts -> kPa calibration.
 *
 * Readings are raw ADC counts. A session with a /calibration table
 * (acquisition/FILE_FORMAT.md) converts them to kPa by piecewise-linear
 * interpolation, clamped to the table's ends; mmHg is kPa times
 * PRESSURE_MMHG_PER_KPA. The analysis converts through a lookup table with
 * one entry per possible reading, built once per session.
 */
#ifndef MTABLE_PRESSURE_H
#define MTABLE_PRESSURE_H

#include <stddef.h>

/* mmHg in one kPa (1 mmHg = 133.322 Pa, the conventional manometric value). */
#define PRESSURE_MMHG_PER_KPA 7.500617

/* Entries of a lookup table: one per 16-bit reading. */
#define PRESSURE_TABLE_SIZE 65536

/* Units results are reported in. */
enum pressure_unit {
    PRESSURE_UNIT_COUNTS, /* raw ADC counts, no calibration */
    PRESSURE_UNIT_KPA,    /* kilopascal, through the session's calibration */
    PRESSURE_UNIT_MMHG,   /* millimetres of mercury, from kPa */
};

/* Name of a unit as written in outputs: "counts", "kPa", "mmHg". */
const char *pressure_unit_name(enum pressure_unit unit);

/* Parses "counts", "kPa" or "mmHg" (any case); -EINVAL for anything else. */
int pressure_unit_parse(const char *text, enum pressure_unit *out);

/*
 * Checks a calibration table of points (counts, kPa) pairs: at least two
 * points, counts strictly increasing, every value finite. 0 or -EINVAL.
 */
int pressure_check_calibration(const double *points, size_t point_count);

/* Pressure in kPa of a reading of counts, by the calibration's interpolation rule. */
double pressure_calibrate(const double *points, size_t point_count, double counts);

/*
 * Builds the PRESSURE_TABLE_SIZE-entry table reading -> pressure in unit
 * (points may be NULL only for counts). Returns 0 and sets *out (free()).
 */
int pressure_table_create(const double *points, size_t point_count, enum pressure_unit unit,
                          double **out);

#endif
