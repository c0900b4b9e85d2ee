/*
 * pressure.c - calibration interpolation and the reading -> pressure table.
 */
#include "pressure.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <strings.h>

const char *pressure_unit_name(enum pressure_unit unit)
{
    switch (unit) {
    case PRESSURE_UNIT_KPA:
        return "kPa";
    case PRESSURE_UNIT_MMHG:
        return "mmHg";
    case PRESSURE_UNIT_COUNTS:
        break;
    }
    return "counts";
}

int pressure_unit_parse(const char *text, enum pressure_unit *out)
{
    static const enum pressure_unit units[] = {PRESSURE_UNIT_COUNTS, PRESSURE_UNIT_KPA,
                                               PRESSURE_UNIT_MMHG};
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcasecmp(text, pressure_unit_name(units[i])) == 0) {
            *out = units[i];
            return 0;
        }
    }
    return -EINVAL;
}

int pressure_check_calibration(const double *points, size_t point_count)
{
    if (!points || point_count < 2)
        return -EINVAL;
    for (size_t i = 0; i < point_count; i++) {
        if (!isfinite(points[2 * i]) || !isfinite(points[2 * i + 1]))
            return -EINVAL;
        if (i > 0 && !(points[2 * i] > points[2 * (i - 1)]))
            return -EINVAL;
    }
    return 0;
}

double pressure_calibrate(const double *points, size_t point_count, double counts)
{
    if (counts <= points[0])
        return points[1];
    for (size_t i = 1; i < point_count; i++) {
        double x0 = points[2 * (i - 1)], x1 = points[2 * i];
        if (counts <= x1) {
            double y0 = points[2 * (i - 1) + 1], y1 = points[2 * i + 1];
            return y0 + (y1 - y0) * (counts - x0) / (x1 - x0);
        }
    }
    return points[2 * (point_count - 1) + 1];
}

int pressure_table_create(const double *points, size_t point_count, enum pressure_unit unit,
                          double **out)
{
    if (unit != PRESSURE_UNIT_COUNTS && pressure_check_calibration(points, point_count) < 0)
        return -EINVAL;
    double *table = malloc(PRESSURE_TABLE_SIZE * sizeof(*table));
    if (!table)
        return -ENOMEM;
    double scale = unit == PRESSURE_UNIT_MMHG ? PRESSURE_MMHG_PER_KPA : 1.0;
    for (size_t counts = 0; counts < PRESSURE_TABLE_SIZE; counts++)
        table[counts] = unit == PRESSURE_UNIT_COUNTS
                            ? (double)counts
                            : scale * pressure_calibrate(points, point_count, (double)counts);
    *out = table;
    return 0;
}
