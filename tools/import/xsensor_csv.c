/*
 * xsensor_csv.c - XSENSOR Pro's CSV export.
 *
 * The format as found (the R package pressuRe's xsensor_data.csv, XSENSOR
 * Pro 2022, two foot sensors): a UTF-8 byte-order mark, then lines of
 * comma-separated fields, all with the same number of commas; a line of
 * nothing but commas between any two others.
 *
 *   File:,"C:\...\justin-08,16,2022-4km.XSN",,,   the recording (quoted: commas)
 *   Units:,mmHg                                    of every pressure
 *   Threshold:,51.72                               lowest value taken as contact
 *   FRAME,1464                                     a block per frame:
 *   Date, 2022 Aug 16                                its clock time, to the ms
 *   Time, 08:21:17.982
 *   SENSOR,HX210.11.31.M11-DFM-LF S0073              a block per sensor:
 *   Rows,31                                            its grid
 *   Columns,11
 *   Sensel Width (cm),0.86                             its sensel size
 *   Sensel Height (cm),0.86
 *   Average Pressure (mmHg),452.85                     the vendor's statistics
 *   ...                                                (not imported)
 *   SENSELS
 *   0,0,0,0,0,107.87,0,0,174.74,89.9,0,,,              Rows lines of Columns values
 *   ...
 *   SENSOR,HX210.11.31.M11-DFM-RF S0073              the next sensor, the same way
 *   GROUP,1                                          regions: statistics and their
 *   Name,Left Heel                                   cells' values, 20 a line,
 *   ...                                              without positions (not imported)
 *   FRAME,1465
 *
 * Assumed beyond what the file shows: Units may also be kPa; a sensel size
 * may be in mm or inches too. Lines with other keys are ignored.
 *
 * One sensor is imported (the first unless told), since a session holds
 * one grid; its Rows, Columns and sensel size must stay the same in every
 * frame. Frame times are the Date and Time lines (the recording PC's
 * clock, taken as UTC), counted from the first frame's; the file states
 * no frame rate. The serial is the sensor name's last word ("S0073"), the
 * subject the recording's file name ("justin-08,16,2022-4km").
 */
#include "xsensor_csv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Fields looked at on a line: a row of the widest grid, and room for trailing empty ones. */
#define XSENSOR_CSV_MAX_FIELDS (2 * PACKET_MAX_SIDE)

/* Longest Date or Time value kept. */
#define XSENSOR_CSV_CLOCK_SIZE 64

struct xsensor_csv {
    struct export_text text;
    int sensor; /* the sensor imported, from 1 */
    enum export_unit unit;
    int rows, cols;                /* the sensor's grid in the first frame */
    double width_mm, height_mm;    /* its sensel size in the first frame */
    int64_t first_ns, previous_ns; /* clock times of the first and the last frame read */
    uint64_t frames;               /* frames read */
    uint16_t *first;               /* the first frame, read at open */
    bool first_pending;            /* ... and not yet handed out */
    char *fields[XSENSOR_CSV_MAX_FIELDS];
};

/* What one frame block said. */
struct frame_block {
    unsigned line;      /* of its FRAME line */
    unsigned time_line; /* of its Time line */
    char date[XSENSOR_CSV_CLOCK_SIZE], time[XSENSOR_CSV_CLOCK_SIZE];
    int sensors;                      /* SENSOR blocks in it */
    char name[SESSION_LABEL_MAX + 1]; /* of the imported sensor */
    int rows, cols;                   /* of the imported sensor */
    double width_mm, height_mm;       /* ... */
    bool has_sensels;                 /* its values were read */
};

/* Reads the next line that is not blank, split into x->fields: 1, 0 at the end, or < 0. */
static int read_fields(struct xsensor_csv *x, size_t *count, char *error, size_t error_size)
{
    int r;
    while ((r = export_text_read(&x->text, error, error_size)) > 0 &&
           export_text_blank(x->text.buffer))
        ;
    if (r > 0)
        *count = export_text_split_csv(&x->text, x->fields, XSENSOR_CSV_MAX_FIELDS);
    return r;
}

/* Reads the Rows lines of values after SENSELS into counts. */
static int read_sensels(struct xsensor_csv *x, const struct frame_block *block, uint16_t *counts,
                        char *error, size_t error_size)
{
    struct export_text *text = &x->text;
    if (block->rows == 0 || block->cols == 0)
        return export_text_fail(text, error, error_size, -EINVAL,
                                "SENSELS before the sensor's Rows and Columns");
    if (x->frames > 0 && (block->rows != x->rows || block->cols != x->cols))
        return export_text_fail(text, error, error_size, -EINVAL,
                                "sensor %d has %d x %d sensels here, %d x %d in the first frame: "
                                "a session holds one grid",
                                x->sensor, block->rows, block->cols, x->rows, x->cols);
    for (int row = 0; row < block->rows; row++) {
        size_t count = 0;
        int r = read_fields(x, &count, error, error_size);
        if (r <= 0)
            return r < 0 ? r
                         : export_text_fail(text, error, error_size, -EINVAL,
                                            "the file ends after %d of the %d rows of sensels", row,
                                            block->rows);
        size_t stored = count < XSENSOR_CSV_MAX_FIELDS ? count : XSENSOR_CSV_MAX_FIELDS;
        unsigned outside = 0;
        r = export_text_row(text, x->fields, stored, block->cols, x->unit, NULL,
                            counts + row * block->cols, &outside, error, error_size);
        if (r < 0)
            return r;
    }
    return 0;
}

/* Reads a "Sensel Width (cm)" or "Sensel Height (cm)" line's value in mm. */
static int read_sensel_size(struct xsensor_csv *x, const char *key, const char *value, double *mm,
                            char *error, size_t error_size)
{
    char unit[16] = "";
    double number;
    if (sscanf(key, "%*[^(](%15[^)])", unit) != 1 || !export_text_number(value, &number) ||
        !(number > 0) || export_text_length_mm(number, unit, mm) < 0)
        return export_text_fail(&x->text, error, error_size, -EINVAL,
                                "expected a size in cm, mm or inches: \"%.40s,%.20s\"", key, value);
    return 0;
}

/* Handles one line of the imported sensor's block. */
static int read_sensor_line(struct xsensor_csv *x, const char *key, const char *value,
                            struct frame_block *block, uint16_t *counts, char *error,
                            size_t error_size)
{
    double number;
    if (strcmp(key, "Rows") == 0 || strcmp(key, "Columns") == 0) {
        if (!export_text_number(value, &number) || number < 1 || number > PACKET_MAX_SIDE ||
            number != (int)number)
            return export_text_fail(&x->text, error, error_size, -EINVAL,
                                    "%s must be a whole number 1..%d, not \"%.20s\"", key,
                                    PACKET_MAX_SIDE, value);
        *(key[0] == 'R' ? &block->rows : &block->cols) = (int)number;
        if ((long)block->rows * block->cols > PACKET_MAX_TAXELS)
            return export_text_fail(&x->text, error, error_size, -EINVAL,
                                    "more than %d sensels: larger than a session's largest grid",
                                    PACKET_MAX_TAXELS);
        return 0;
    }
    if (strncmp(key, "Sensel Width", 12) == 0)
        return read_sensel_size(x, key, value, &block->width_mm, error, error_size);
    if (strncmp(key, "Sensel Height", 13) == 0)
        return read_sensel_size(x, key, value, &block->height_mm, error, error_size);
    if (strcmp(key, "SENSELS") == 0) {
        int r = read_sensels(x, block, counts, error, error_size);
        block->has_sensels = r == 0;
        return r;
    }
    return 0;
}

/* Checks a frame block once read, and takes its time. */
static int check_frame(struct xsensor_csv *x, const struct frame_block *block, char *error,
                       size_t error_size)
{
    struct export_text *text = &x->text;
    if (block->sensors < x->sensor)
        return export_text_fail_at(text, block->line, error, error_size, -EINVAL,
                                   "this frame has no sensor %d: it has %d", x->sensor,
                                   block->sensors);
    if (!block->has_sensels)
        return export_text_fail_at(text, block->line, error, error_size, -EINVAL,
                                   "sensor %d of this frame has no SENSELS", x->sensor);
    if (!block->date[0] || !block->time[0])
        return export_text_fail_at(text, block->line, error, error_size, -EINVAL,
                                   "this frame has no Date and Time lines");
    char clock[2 * XSENSOR_CSV_CLOCK_SIZE + 2];
    snprintf(clock, sizeof(clock), "%s %s", block->date, block->time);
    int64_t ns;
    if (export_text_clock(clock, "%Y %b %d %H:%M:%S", &ns) < 0)
        return export_text_fail_at(text, block->time_line, error, error_size, -EINVAL,
                                   "\"%s\" is not a Date and Time like 2022 Aug 16, 08:21:17.982",
                                   clock);
    if (x->frames > 0 && ns <= x->previous_ns)
        return export_text_fail_at(text, block->time_line, error, error_size, -EINVAL,
                                   "time %s is not after the previous frame's", block->time);
    if (x->frames > 0 && (block->width_mm != x->width_mm || block->height_mm != x->height_mm))
        return export_text_fail_at(text, block->line, error, error_size, -EINVAL,
                                   "sensor %d's sensels are %g x %g mm here, %g x %g mm in the "
                                   "first frame",
                                   x->sensor, block->width_mm, block->height_mm, x->width_mm,
                                   x->height_mm);
    if (x->frames == 0) {
        if (!(block->width_mm > 0 && block->height_mm > 0))
            return export_text_fail_at(text, block->line, error, error_size, -EINVAL,
                                       "sensor %d has no Sensel Width and Sensel Height",
                                       x->sensor);
        x->rows = block->rows;
        x->cols = block->cols;
        x->width_mm = block->width_mm;
        x->height_mm = block->height_mm;
        x->first_ns = ns;
    }
    x->previous_ns = ns;
    x->frames++;
    return 0;
}

/* Reads the next frame block: 1, 0 at the end of the file, or < 0. */
static int read_frame(struct xsensor_csv *x, uint16_t *counts, struct frame_block *block,
                      char *error, size_t error_size)
{
    struct export_text *text = &x->text;
    size_t count = 0;
    int r = read_fields(x, &count, error, error_size);
    if (r <= 0)
        return r;
    double number;
    if (strcmp(x->fields[0], "FRAME") != 0 || count < 2 ||
        !export_text_number(x->fields[1], &number))
        return export_text_fail(text, error, error_size, -EINVAL,
                                "expected the next frame, FRAME,<number>, not \"%.40s\"",
                                text->buffer);
    *block = (struct frame_block){.line = text->line};
    bool in_sensor = false;
    while ((r = read_fields(x, &count, error, error_size)) > 0) {
        const char *key = x->fields[0], *value = count > 1 ? x->fields[1] : "";
        if (strcmp(key, "FRAME") == 0) {
            export_text_unread(text);
            break;
        }
        if (strcmp(key, "SENSOR") == 0) {
            in_sensor = ++block->sensors == x->sensor;
            if (in_sensor)
                export_text_copy_printable(block->name, sizeof(block->name), value);
        } else if (strcmp(key, "GROUP") == 0) {
            in_sensor = false;
        } else if (strcmp(key, "Date") == 0) {
            snprintf(block->date, sizeof(block->date), "%s", value + strspn(value, " "));
        } else if (strcmp(key, "Time") == 0) {
            snprintf(block->time, sizeof(block->time), "%s", value + strspn(value, " "));
            block->time_line = text->line;
        } else if (in_sensor &&
                   (r = read_sensor_line(x, key, value, block, counts, error, error_size)) < 0) {
            return r;
        }
    }
    if (r < 0)
        return r;
    r = check_frame(x, block, error, error_size);
    return r < 0 ? r : 1;
}

/* Reads the lines before the first frame: File, Units, Threshold. */
static int read_header(struct xsensor_csv *x, struct vendor_export_info *info, char *error,
                       size_t error_size)
{
    struct export_text *text = &x->text;
    bool has_unit = false;
    size_t count = 0;
    int r;
    while ((r = read_fields(x, &count, error, error_size)) > 0) {
        const char *key = x->fields[0], *value = count > 1 ? x->fields[1] : "";
        if (strcmp(key, "FRAME") == 0) {
            export_text_unread(text);
            break;
        }
        if (strcmp(key, "File:") == 0) {
            export_text_base_name(info->subject, sizeof(info->subject), value);
        } else if (strcmp(key, "Units:") == 0) {
            if (export_text_unit(value, &x->unit) < 0 || x->unit == EXPORT_UNIT_RAW)
                return export_text_fail(text, error, error_size, -EINVAL,
                                        "units \"%.20s\" are not mmHg or kPa", value);
            has_unit = true;
        } else if (strcmp(key, "Threshold:") == 0) {
            if (!export_text_number(value, &info->threshold) || info->threshold < 0)
                return export_text_fail(text, error, error_size, -EINVAL,
                                        "threshold \"%.20s\" is not a pressure", value);
        }
    }
    if (r < 0)
        return r;
    if (r == 0)
        return export_text_fail(text, error, error_size, -ENODATA,
                                "the file ends before its first frame (FRAME,<number>)");
    if (!has_unit)
        return export_text_fail(text, error, error_size, -EINVAL,
                                "no Units: line before the first frame");
    return 0;
}

int xsensor_csv_open(const char *path, int sensor, struct xsensor_csv **out,
                     struct vendor_export_info *info, char *error, size_t error_size)
{
    struct xsensor_csv *x = calloc(1, sizeof(*x));
    struct vendor_export_info found = {.adc_bits = 16};
    if (!x) {
        snprintf(error, error_size, "%s: out of memory", path);
        return -ENOMEM;
    }
    x->sensor = sensor > 0 ? sensor : 1;
    int r = export_text_open(path, &x->text, error, error_size);
    if (r == 0)
        r = read_header(x, &found, error, error_size);
    if (r == 0 && !(x->first = malloc(PACKET_MAX_TAXELS * sizeof(uint16_t)))) {
        snprintf(error, error_size, "%s: out of memory", path);
        r = -ENOMEM;
    }
    struct frame_block block;
    if (r == 0)
        r = read_frame(x, x->first, &block, error, error_size);
    if (r < 0)
        goto out;
    x->first_pending = true;
    r = 0;
    found.rows = x->rows;
    found.cols = x->cols;
    found.row_pitch_mm = x->height_mm;
    found.col_pitch_mm = x->width_mm;
    found.unit = x->unit;
    found.has_start_time = true;
    found.start_time_ns = x->first_ns;
    const char *last_word = strrchr(block.name, ' ');
    export_text_copy_printable(found.serial, sizeof(found.serial),
                               last_word ? last_word + 1 : block.name);
    char label[2 * sizeof(found.sensor)];
    snprintf(label, sizeof(label), "sensor %d of %d: %s", x->sensor, block.sensors, block.name);
    export_text_copy_printable(found.sensor, sizeof(found.sensor), label);
    *info = found;
    *out = x;
out:
    if (r < 0)
        xsensor_csv_close(x);
    return r;
}

int xsensor_csv_next(struct xsensor_csv *x, uint16_t *counts, uint64_t *time_us, char *error,
                     size_t error_size)
{
    if (x->first_pending) {
        memcpy(counts, x->first, (size_t)x->rows * (size_t)x->cols * sizeof(uint16_t));
        x->first_pending = false;
        *time_us = 0;
        return 1;
    }
    struct frame_block block;
    int r = read_frame(x, counts, &block, error, error_size);
    if (r > 0)
        *time_us = (uint64_t)((x->previous_ns - x->first_ns) / 1000);
    return r;
}

void xsensor_csv_close(struct xsensor_csv *x)
{
    if (!x)
        return;
    export_text_close(&x->text);
    free(x->first);
    free(x);
}
