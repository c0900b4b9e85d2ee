/*
 * results_csv.c - writing regions.csv, visits.csv and series.csv.
 *
 * series.csv has one row per frame (360 000 for an hour at 100 frames/s),
 * so its numbers are formatted here as fixed-point decimals into a line
 * buffer rather than through printf, which would cost more than the rest
 * of the analysis.
 */
#include "results_csv.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest series line: twelve numbers and every region name. */
#define SERIES_LINE_MAX (256 + REGIONS_MAX * (REGIONS_NAME_MAX + 1))

struct series_csv {
    FILE *file;
    const struct region_map *regions;
    char line[SERIES_LINE_MAX];
};

/* Appends the unsigned decimal value at p; returns the new end. */
static char *put_unsigned(char *p, uint64_t value)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    while (n)
        *p++ = digits[--n];
    return p;
}

/* Appends value rounded to decimals places (nothing for NaN), then a comma. */
static char *put_fixed(char *p, double value, int decimals)
{
    static const double scales[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};
    static const uint64_t powers[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
    if (isfinite(value)) {
        double scaled = fabs(value) * scales[decimals];
        if (scaled >= 9e15) {
            p += sprintf(p, "%.*f", decimals, value);
        } else {
            uint64_t whole = (uint64_t)llround(scaled);
            if (value < 0 && whole > 0)
                *p++ = '-';
            p = put_unsigned(p, whole / powers[decimals]);
            if (decimals > 0) {
                *p++ = '.';
                uint64_t fraction = whole % powers[decimals];
                for (uint64_t unit = powers[decimals] / 10; unit > 0; unit /= 10)
                    *p++ = (char)('0' + fraction / unit % 10);
            }
        }
    }
    *p++ = ',';
    return p;
}

int series_csv_open(const char *path, const struct region_map *regions, struct series_csv **out)
{
    struct series_csv *csv = calloc(1, sizeof(*csv));
    if (!csv)
        return -ENOMEM;
    csv->file = fopen(path, "w");
    if (!csv->file) {
        int code = -errno;
        free(csv);
        return code;
    }
    csv->regions = regions;
    fputs("frame,sequence,time_s,duration_s,total_load,contact_taxels,contact_area_cm2,cop_row,"
          "cop_col,applied_total,applied_peak,active_regions\n",
          csv->file);
    *out = csv;
    return 0;
}

int series_csv_append(struct series_csv *csv, uint64_t index, const struct metrics_frame *row)
{
    char *p = csv->line;
    p = put_unsigned(p, index);
    *p++ = ',';
    p = put_unsigned(p, row->sequence);
    *p++ = ',';
    p = put_fixed(p, row->time_s, 6);
    p = put_fixed(p, row->duration_s, 6);
    p = put_fixed(p, row->total_load, 3);
    p = put_unsigned(p, row->contact_taxels);
    *p++ = ',';
    p = put_fixed(p, row->contact_area_cm2, 2);
    p = put_fixed(p, row->cop_row, 4);
    p = put_fixed(p, row->cop_col, 4);
    p = put_fixed(p, row->applied_total, 3);
    p = put_fixed(p, row->applied_peak, 3);
    bool first = true;
    for (size_t r = 0; csv->regions && r < csv->regions->count; r++) {
        if (!(row->active_regions >> r & 1))
            continue;
        if (!first)
            *p++ = '+';
        size_t length = strlen(csv->regions->regions[r].name);
        memcpy(p, csv->regions->regions[r].name, length);
        p += length;
        first = false;
    }
    *p++ = '\n';
    return fwrite(csv->line, 1, (size_t)(p - csv->line), csv->file) == (size_t)(p - csv->line)
               ? 0
               : -EIO;
}

int series_csv_close(struct series_csv *csv)
{
    int result = ferror(csv->file) ? -EIO : 0;
    if (fclose(csv->file) != 0)
        result = -EIO;
    free(csv);
    return result;
}

int results_csv_write_regions(const struct analysis_outcome *o, const char *path)
{
    FILE *file = fopen(path, "w");
    if (!file)
        return -errno;
    const char *unit = pressure_unit_name(o->unit);
    fprintf(file, "region,taxels,dwell_s,visits,longest_visit_s,mean_applied,peak_applied,integral,"
                  "unit\n");
    for (size_t r = 0; r < o->regions->count; r++) {
        const struct metrics_region *result = metrics_region_result(o->metrics, r);
        fprintf(file, "%s,%zu,%.6f,%llu,%.6f,%.6g,%.6g,%.6g,%s\n", o->regions->regions[r].name,
                o->regions->regions[r].taxel_count, result->dwell_s,
                (unsigned long long)result->visits, result->longest_visit_s, result->mean_applied,
                result->peak_applied, result->integral, unit);
    }
    int result = ferror(file) ? -EIO : 0;
    return fclose(file) != 0 ? -EIO : result;
}

int results_csv_write_visits(const struct analysis_outcome *o, const char *path)
{
    size_t count = 0;
    const struct metrics_visit *visits = metrics_visits(o->metrics, &count);
    FILE *file = fopen(path, "w");
    if (!file)
        return -errno;
    fprintf(file, "region,first_frame,last_frame,first_sequence,last_sequence,start_s,end_s,"
                  "dwell_s,peak_applied,unit\n");
    for (size_t v = 0; v < count; v++) {
        const struct metrics_visit *visit = &visits[v];
        fprintf(file, "%s,%llu,%llu,%u,%u,%.6f,%.6f,%.6f,%.6g,%s\n",
                o->regions->regions[visit->region].name, (unsigned long long)visit->first_frame,
                (unsigned long long)visit->last_frame, visit->first_sequence, visit->last_sequence,
                visit->start_s, visit->end_s, visit->dwell_s, visit->peak_applied,
                pressure_unit_name(o->unit));
    }
    int result = ferror(file) ? -EIO : 0;
    return fclose(file) != 0 ? -EIO : result;
}
