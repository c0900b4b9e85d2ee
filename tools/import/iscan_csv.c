/*
 * iscan_csv.c - Tekscan I-Scan's ASCII movie export.
 *
 * The format as found (the R package pressuRe's iscan_test.csv, I-Scan
 * 6.10I): a header of "KEY value" lines, then the frames, comma-separated.
 *
 *   DATA_TYPE MOVIE                      the first line
 *   HARDWARE 102-B578                    taken for the serial
 *   FILENAME C:\...\hand4_index_45deg_hole35.fsx     the recording: subject
 *   ROWS 28
 *   COLS 28
 *   ROW_SPACING 0.127 centimeters        sensel pitch (mm and inches assumed too)
 *   COL_SPACING 0.127 centimeters
 *   SECONDS_PER_FRAME 0.1                nominal period
 *   TIME 12/2/2019 6:21:52.34PM          clock time of frame time 0
 *   START_FRAME 1                        the frames the file holds
 *   END_FRAME 309
 *   UNITS raw                            raw readings (kPa, mmHg assumed too)
 *   ASCII_DATA @@                        end of the header; "@@" ends the data
 *
 *   Frame 1, 0,, 12/2/2019 6:21:52.34PM,,,Raw Sum=,,310     number, time in s, ...
 *   B,B,5,0,0,0,0,0,0,0,0,0,0,B,B,0,...  ROWS lines of COLS values; B: no
 *   ...                                  sensel there (outside the outline)
 *   (blank line)
 *   Frame 2, 0.1,, ...
 *   @@
 *
 * Other header keys (SENSEL_AREA, NOISE_THRESHOLD, MIRROR_ROW, ...) are
 * ignored: the values are taken in the order written. Assumed: TIME is
 * month/day/year (Tekscan's US order; the file cannot tell, day <= 12),
 * the clock taken as UTC. A B is stored as 0 (no load), and counted.
 * Frames must be numbered from START_FRAME up by one, and END_FRAME -
 * START_FRAME + 1 of them must be there. Raw readings are taken for 8-bit
 * (0..255, as in I-Scan's sensors): a larger one is an error.
 */
#include "iscan_csv.h"

#include <errno.h>
#include <math.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bits of I-Scan's raw readings (0..255). */
#define ISCAN_CSV_RAW_BITS 8

/* Fields looked at on a line: a row of the widest grid, and room for trailing empty ones. */
#define ISCAN_CSV_MAX_FIELDS (2 * PACKET_MAX_SIDE)

/* What marks a sensel outside the sensor's outline. */
#define ISCAN_CSV_OUTSIDE "B"

struct iscan_csv {
    struct export_text text;
    enum export_unit unit;
    int rows, cols;
    char end_mark[16];           /* ASCII_DATA's value: the line after the last frame */
    long start_frame, end_frame; /* from the header; -1: not given */
    long next_frame;             /* number the next frame must have; -1: any */
    uint64_t frames;             /* frames read */
    uint64_t previous_us;        /* time of the last frame read */
    bool ended;                  /* the end of the frames was read */
    uint16_t *first;             /* the first frame, read at open */
    uint64_t first_us;           /* ... its time */
    bool first_pending;          /* ... not yet handed out */
    char *fields[ISCAN_CSV_MAX_FIELDS];
};

/* Reads a whole number from text; true if it is one in min..max. */
static bool read_whole(const char *text, long min, long max, long *out)
{
    double number;
    if (!export_text_number(text, &number) || number != floor(number) || number < (double)min ||
        number > (double)max)
        return false;
    *out = (long)number;
    return true;
}

/* Handles one "KEY value" line of the header. */
static int read_header_line(struct iscan_csv *x, const char *key, char *value,
                            struct vendor_export_info *info, char *error, size_t error_size)
{
    struct export_text *text = &x->text;
    long number;
    if (strcmp(key, "ROWS") == 0 || strcmp(key, "COLS") == 0) {
        if (!read_whole(value, 1, PACKET_MAX_SIDE, &number))
            return export_text_fail(text, error, error_size, -EINVAL,
                                    "%s must be a whole number 1..%d", key, PACKET_MAX_SIDE);
        *(key[0] == 'R' ? &x->rows : &x->cols) = (int)number;
    } else if (strcmp(key, "ROW_SPACING") == 0 || strcmp(key, "COL_SPACING") == 0) {
        char unit[32];
        double length;
        int end = 0;
        if (sscanf(value, "%lf %31s %n", &length, unit, &end) != 2 || value[end] || !(length > 0) ||
            export_text_length_mm(length, unit,
                                  key[0] == 'R' ? &info->row_pitch_mm : &info->col_pitch_mm) < 0)
            return export_text_fail(text, error, error_size, -EINVAL,
                                    "%s must be a length like 0.127 centimeters", key);
    } else if (strcmp(key, "SECONDS_PER_FRAME") == 0) {
        double period;
        if (!export_text_number(value, &period) || !(period > 0))
            return export_text_fail(text, error, error_size, -EINVAL,
                                    "SECONDS_PER_FRAME must be a positive number");
        info->frame_rate_hz = 1.0 / period;
    } else if (strcmp(key, "TIME") == 0) {
        if (export_text_clock(value, "%m/%d/%Y %I:%M:%S", &info->start_time_ns) < 0)
            return export_text_fail(text, error, error_size, -EINVAL,
                                    "TIME must be like 12/2/2019 6:21:52.34PM");
        info->has_start_time = true;
    } else if (strcmp(key, "UNITS") == 0) {
        if (export_text_unit(value, &x->unit) < 0)
            return export_text_fail(text, error, error_size, -EINVAL,
                                    "UNITS \"%.20s\" are not raw, kPa or mmHg", value);
    } else if (strcmp(key, "START_FRAME") == 0 || strcmp(key, "END_FRAME") == 0) {
        if (!read_whole(value, 0, INT32_MAX, &number))
            return export_text_fail(text, error, error_size, -EINVAL, "%s must be a frame number",
                                    key);
        *(key[0] == 'S' ? &x->start_frame : &x->end_frame) = number;
    } else if (strcmp(key, "FILENAME") == 0) {
        export_text_base_name(info->subject, sizeof(info->subject), value);
    } else if (strcmp(key, "HARDWARE") == 0) {
        export_text_copy_printable(info->serial, sizeof(info->serial), value);
    }
    return 0;
}

/* Reads the header up to ASCII_DATA. */
static int read_header(struct iscan_csv *x, struct vendor_export_info *info, char *error,
                       size_t error_size)
{
    struct export_text *text = &x->text;
    int r;
    while ((r = export_text_read(text, error, error_size)) > 0) {
        char *key = text->buffer + strspn(text->buffer, " \t");
        char *value = key + strcspn(key, " \t");
        if (*value)
            *value++ = '\0';
        value += strspn(value, " \t");
        if (strcmp(key, "ASCII_DATA") == 0) {
            if (!*value || strlen(value) >= sizeof(x->end_mark))
                return export_text_fail(text, error, error_size, -EINVAL,
                                        "ASCII_DATA must give the end mark, like @@");
            snprintf(x->end_mark, sizeof(x->end_mark), "%s", value);
            break;
        }
        if ((r = read_header_line(x, key, value, info, error, error_size)) < 0)
            return r;
    }
    if (r < 0)
        return r;
    if (r == 0)
        return export_text_fail(text, error, error_size, -EINVAL,
                                "the header has no ASCII_DATA line: not an I-Scan ASCII export");
    if (x->rows == 0 || x->cols == 0 || !(info->row_pitch_mm > 0 && info->col_pitch_mm > 0))
        return export_text_fail(text, error, error_size, -EINVAL,
                                "the header lacks ROWS, COLS, ROW_SPACING or COL_SPACING");
    if ((long)x->rows * x->cols > PACKET_MAX_TAXELS)
        return export_text_fail(text, error, error_size, -EINVAL,
                                "%d x %d sensels: more than a session's largest grid (%d)", x->rows,
                                x->cols, PACKET_MAX_TAXELS);
    return 0;
}

/* At the end of the frames: checks their count against START_FRAME and END_FRAME. */
static int check_end(struct iscan_csv *x, char *error, size_t error_size)
{
    x->ended = true;
    if (x->frames == 0)
        return export_text_fail(&x->text, error, error_size, -ENODATA, "no frames");
    if (x->end_frame >= 0 && x->next_frame != x->end_frame + 1)
        return export_text_fail(&x->text, error, error_size, -EINVAL,
                                "the frames end at frame %ld, but END_FRAME says %ld",
                                x->next_frame - 1, x->end_frame);
    return 0;
}

/* Reads the next frame, counting its B sensels into *outside: 1, 0 at the end, or < 0. */
static int read_frame(struct iscan_csv *x, uint16_t *counts, uint64_t *time_us, unsigned *outside,
                      char *error, size_t error_size)
{
    struct export_text *text = &x->text;
    if (x->ended)
        return 0;
    int r;
    while ((r = export_text_read(text, error, error_size)) > 0 && export_text_blank(text->buffer))
        ;
    if (r <= 0)
        return r < 0 ? r : check_end(x, error, error_size);
    if (strcmp(text->buffer, x->end_mark) == 0)
        return check_end(x, error, error_size);
    size_t count = export_text_split_csv(text, x->fields, ISCAN_CSV_MAX_FIELDS);
    long number;
    double seconds;
    if (strncmp(x->fields[0], "Frame ", 6) != 0 ||
        !read_whole(x->fields[0] + 6, 0, LONG_MAX, &number) || count < 2 ||
        !export_text_number(x->fields[1], &seconds) || seconds < 0)
        return export_text_fail(text, error, error_size, -EINVAL,
                                "expected the next frame, like \"Frame 1, 0.1,, ...\"");
    if (x->next_frame >= 0 && number != x->next_frame)
        return export_text_fail(text, error, error_size, -EINVAL,
                                "frame %ld where frame %ld was expected", number, x->next_frame);
    uint64_t us = (uint64_t)llround(seconds * 1e6);
    if (x->frames > 0 && us <= x->previous_us)
        return export_text_fail(text, error, error_size, -EINVAL,
                                "time %.6g s is not after the previous frame's", seconds);
    for (int row = 0; row < x->rows; row++) {
        if ((r = export_text_read(text, error, error_size)) <= 0)
            return r < 0 ? r
                         : export_text_fail(text, error, error_size, -EINVAL,
                                            "the file ends after %d of the %d rows of frame %ld",
                                            row, x->rows, number);
        count = export_text_split_csv(text, x->fields, ISCAN_CSV_MAX_FIELDS);
        r = export_text_row(
            text, x->fields, count < ISCAN_CSV_MAX_FIELDS ? count : ISCAN_CSV_MAX_FIELDS, x->cols,
            x->unit, ISCAN_CSV_OUTSIDE, counts + row * x->cols, outside, error, error_size);
        if (r < 0)
            return r;
        for (int col = 0; x->unit == EXPORT_UNIT_RAW && col < x->cols; col++)
            if (counts[row * x->cols + col] >= 1u << ISCAN_CSV_RAW_BITS)
                return export_text_fail(text, error, error_size, -ERANGE,
                                        "%u is more than a raw reading of %d bits holds",
                                        counts[row * x->cols + col], ISCAN_CSV_RAW_BITS);
    }
    x->next_frame = number + 1;
    x->previous_us = us;
    x->frames++;
    *time_us = us;
    return 1;
}

int iscan_csv_open(const char *path, struct iscan_csv **out, struct vendor_export_info *info,
                   char *error, size_t error_size)
{
    struct iscan_csv *x = calloc(1, sizeof(*x));
    struct vendor_export_info found = {0};
    if (!x) {
        snprintf(error, error_size, "%s: out of memory", path);
        return -ENOMEM;
    }
    x->unit = EXPORT_UNIT_RAW;
    x->start_frame = x->end_frame = -1;
    int r = export_text_open(path, &x->text, error, error_size);
    if (r == 0)
        r = read_header(x, &found, error, error_size);
    if (r == 0 && !(x->first = malloc((size_t)x->rows * (size_t)x->cols * sizeof(uint16_t)))) {
        snprintf(error, error_size, "%s: out of memory", path);
        r = -ENOMEM;
    }
    x->next_frame = x->start_frame;
    if (r == 0)
        r = read_frame(x, x->first, &x->first_us, &found.outside_taxels, error, error_size);
    if (r < 0)
        goto out;
    x->first_pending = true;
    r = 0;
    found.rows = x->rows;
    found.cols = x->cols;
    found.unit = x->unit;
    found.adc_bits = x->unit == EXPORT_UNIT_RAW ? ISCAN_CSV_RAW_BITS : 16;
    *info = found;
    *out = x;
out:
    if (r < 0)
        iscan_csv_close(x);
    return r;
}

int iscan_csv_next(struct iscan_csv *x, uint16_t *counts, uint64_t *time_us, char *error,
                   size_t error_size)
{
    if (!x->first_pending) {
        unsigned outside = 0;
        return read_frame(x, counts, time_us, &outside, error, error_size);
    }
    memcpy(counts, x->first, (size_t)x->rows * (size_t)x->cols * sizeof(uint16_t));
    *time_us = x->first_us;
    x->first_pending = false;
    return 1;
}

void iscan_csv_close(struct iscan_csv *x)
{
    if (!x)
        return;
    export_text_close(&x->text);
    free(x->first);
    free(x);
}
