/*
 * pliance_asc.c - novel pliance's ASCII export.
 *
 * The format as found (the R package pressuRe's pliance_test.asc): free
 * text header lines, then blank-separated columns.
 *
 *   file name: 2112170R_1.mat date/time 17.06.23 15.21    recording; start DD.MM.YY HH.MM
 *   mat type s2160_001                                    taken for the serial
 *   total times [secs]: 44.458 time per frame [secs]: 0.04167 scanning rate [Hz]: 24
 *   pressure values in kPa                                (mmHg assumed too)
 *   electrical:
 *   time[secs]       4       5 ...     32      36 ...     one column per sensor, by number
 *       5.79167   0.000   0.000 ...                       a frame per line: time in s,
 *       ...                                               then each sensor's value
 *           MPP   0.000 ...                               after the frames: the vendor's
 *           MVP   0.000 ...                               per-sensor statistics,
 *    time[secs] force[N]   x[cm]   y[cm]                  its per-frame force and centre
 *       0.04167    0.000       -       -                  of pressure (not imported),
 *   sensor        4        5 ...                          and the sensor table:
 *   corner[cm]
 *   x[0]   0.0000 ...                                     the four corners of each
 *   y[0]  29.8120 ...                                     sensor,
 *   ...
 *   x[c]   0.2640 ...                                     its centre,
 *   y[c]  29.2980 ...
 *   area   0.5428 ...                                     its area (cm^2)
 *
 * The frames hold only part of the recording (5.79 s to 17.46 s of its
 * 44.46 s here); their times are kept as the file gives them.
 *
 * The sensors are rectangles whose centres lie on a lattice (28 x 29 here,
 * 0.528 x 1.028 cm); a session needs a grid, so each sensor goes to the
 * cell of its centre: column (x - smallest x) / x pitch, row (largest y -
 * y) / y pitch, so that row 0 is the top of the mat with y pointing up.
 * The pitches are the centres' spacing. A mat whose centres are not on one
 * lattice, with fewer than two distinct positions along an axis, or with
 * two sensors in one cell cannot be imported. Cells without a sensor are
 * stored as 0. Start time: the date/time, day first (17 cannot be a month),
 * the clock taken as UTC.
 */
#include "pliance_asc.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Positions closer than this (cm) are one: ten times the 0.0001 cm the table prints. */
#define PLIANCE_ASC_SAME_POSITION_CM 0.001

/* Largest distance of a centre from its lattice point, as a share of the pitch. */
#define PLIANCE_ASC_LATTICE_TOLERANCE 0.02

/* Longest word kept from a header line. */
#define PLIANCE_ASC_WORD_SIZE 128

struct pliance_asc {
    struct export_text text;
    enum export_unit unit;
    size_t sensors;       /* value columns of a frame */
    long *numbers;        /* sensor number of each column */
    size_t *cells;        /* grid cell (row * cols + col) of each column */
    int rows, cols;       /* the grid */
    uint64_t frames;      /* frames read */
    uint64_t previous_us; /* time of the last frame read */
    bool ended;           /* the end of the frames was read */
    char **fields;        /* room for sensors + 2 words */
};

/* A sensor number and where it is in a list. */
struct sensor_index {
    long number;
    size_t index;
};

static int compare_sensor_index(const void *a, const void *b)
{
    long x = ((const struct sensor_index *)a)->number, y = ((const struct sensor_index *)b)->number;
    return (x > y) - (x < y);
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Copies the first word after label in line into word; false if line has no label. */
static bool word_after(const char *line, const char *label, char *word, size_t size)
{
    const char *p = strstr(line, label);
    if (!p)
        return false;
    p += strlen(label);
    p += strspn(p, " \t");
    snprintf(word, size, "%.*s", (int)strcspn(p, " \t"), p);
    return true;
}

/* Reads a whole number; true if it is one. */
static bool read_whole(const char *text, long *out)
{
    double number;
    if (!export_text_number(text, &number) || number != floor(number) || fabs(number) > 1e15)
        return false;
    *out = (long)number;
    return true;
}

/* Handles one header line before the column header. */
static int read_header_line(struct pliance_asc *x, const char *line,
                            struct vendor_export_info *info, char *error, size_t error_size)
{
    struct export_text *text = &x->text;
    char word[PLIANCE_ASC_WORD_SIZE];
    double number;
    if (word_after(line, "file name:", word, sizeof(word)))
        export_text_base_name(info->subject, sizeof(info->subject), word);
    const char *clock = strstr(line, "date/time");
    if (clock) {
        if (export_text_clock(clock + strlen("date/time"), "%d.%m.%y %H.%M", &info->start_time_ns) <
            0)
            return export_text_fail(text, error, error_size, -EINVAL,
                                    "date/time must be like 17.06.23 15.21 (day.month.year)");
        info->has_start_time = true;
    }
    if (word_after(line, "mat type", word, sizeof(word)))
        export_text_copy_printable(info->serial, sizeof(info->serial), word);
    if (word_after(line, "scanning rate [Hz]:", word, sizeof(word))) {
        if (!export_text_number(word, &number) || !(number > 0))
            return export_text_fail(text, error, error_size, -EINVAL,
                                    "scanning rate \"%s\" is not a frame rate", word);
        info->frame_rate_hz = number;
    }
    if (word_after(line, "pressure values in", word, sizeof(word)) &&
        (export_text_unit(word, &x->unit) < 0 || x->unit == EXPORT_UNIT_RAW))
        return export_text_fail(text, error, error_size, -EINVAL,
                                "pressure values in \"%s\": not kPa or mmHg", word);
    return 0;
}

/* Reads the header up to and with the column header "time[secs] 4 5 ...". */
static int read_header(struct pliance_asc *x, struct vendor_export_info *info, char *error,
                       size_t error_size)
{
    struct export_text *text = &x->text;
    bool has_unit = false;
    int r;
    while ((r = export_text_read(text, error, error_size)) > 0) {
        const char *line = text->buffer + strspn(text->buffer, " \t");
        if (strncmp(line, "time[secs]", 10) == 0)
            break;
        has_unit = has_unit || strstr(line, "pressure values in");
        if ((r = read_header_line(x, line, info, error, error_size)) < 0)
            return r;
    }
    if (r <= 0)
        return r < 0 ? r
                     : export_text_fail(text, error, error_size, -EINVAL,
                                        "no column header \"time[secs] ...\": not a pliance "
                                        "ASCII export");
    if (!has_unit)
        return export_text_fail(text, error, error_size, -EINVAL,
                                "no \"pressure values in UNIT\" line before the data");
    size_t words = export_text_split_words(text, NULL, 0);
    x->sensors = words > 0 ? words - 1 : 0;
    if (x->sensors == 0 || x->sensors > PACKET_MAX_TAXELS)
        return export_text_fail(text, error, error_size, -EINVAL,
                                "%zu sensors: a session holds 1 to %d", x->sensors,
                                PACKET_MAX_TAXELS);
    x->fields = malloc((x->sensors + 2) * sizeof(char *));
    x->numbers = malloc(x->sensors * sizeof(long));
    x->cells = malloc(x->sensors * sizeof(size_t));
    if (!x->fields || !x->numbers || !x->cells) {
        snprintf(error, error_size, "%s: out of memory", text->path);
        return -ENOMEM;
    }
    export_text_split_words(text, x->fields, x->sensors + 2);
    for (size_t i = 0; i < x->sensors; i++)
        if (!read_whole(x->fields[i + 1], &x->numbers[i]))
            return export_text_fail(text, error, error_size, -EINVAL,
                                    "\"%.20s\" is not a sensor number", x->fields[i + 1]);
    return 0;
}

/*
 * Finds the lattice of positions (cm): the smallest, the pitch and the
 * number of cells. -EINVAL if they are not on one.
 */
static int find_lattice(const double *positions, size_t count, double *smallest, double *pitch,
                        int *cells)
{
    double *sorted = malloc(count * sizeof(double));
    if (!sorted)
        return -ENOMEM;
    memcpy(sorted, positions, count * sizeof(double));
    qsort(sorted, count, sizeof(double), compare_double);
    double gap = INFINITY;
    for (size_t i = 1; i < count; i++)
        if (sorted[i] - sorted[i - 1] > PLIANCE_ASC_SAME_POSITION_CM &&
            sorted[i] - sorted[i - 1] < gap)
            gap = sorted[i] - sorted[i - 1];
    double span = sorted[count - 1] - sorted[0];
    *smallest = sorted[0];
    free(sorted);
    if (!isfinite(gap) || span / gap + 1.5 > PACKET_MAX_SIDE)
        return -EINVAL;
    *cells = (int)llround(span / gap) + 1;
    *pitch = span / (*cells - 1);
    return 0;
}

/* The lattice cell of a position, or -1 if it is not on the lattice. */
static int cell_of(double position, double smallest, double pitch)
{
    double steps = (position - smallest) / pitch;
    double cell = round(steps);
    return fabs(steps - cell) <= PLIANCE_ASC_LATTICE_TOLERANCE ? (int)cell : -1;
}

/*
 * Places each column's sensor on the grid from the centres x, y (cm, in
 * column order) of the sensor table read by table.
 */
static int place_sensors(struct pliance_asc *x, const struct export_text *table, const double *xs,
                         const double *ys, struct vendor_export_info *info, char *error,
                         size_t error_size)
{
    double x0, y0, x_pitch, y_pitch;
    int rows, cols;
    if (find_lattice(xs, x->sensors, &x0, &x_pitch, &cols) < 0 ||
        find_lattice(ys, x->sensors, &y0, &y_pitch, &rows) < 0 ||
        (long)rows * cols > PACKET_MAX_TAXELS)
        return export_text_fail(table, error, error_size, -EINVAL,
                                "the sensors' centres do not form a grid of at most %d x %d with "
                                "two or more positions on each axis",
                                PACKET_MAX_SIDE, PACKET_MAX_SIDE);
    bool *taken = calloc((size_t)rows * (size_t)cols, sizeof(bool));
    if (!taken)
        return -ENOMEM;
    int r = 0;
    for (size_t i = 0; i < x->sensors && r == 0; i++) {
        int col = cell_of(xs[i], x0, x_pitch), row_from_bottom = cell_of(ys[i], y0, y_pitch);
        if (col < 0 || row_from_bottom < 0) {
            r = export_text_fail(table, error, error_size, -EINVAL,
                                 "sensor %ld's centre (%g, %g) cm is off the grid of %g x %g cm",
                                 x->numbers[i], xs[i], ys[i], x_pitch, y_pitch);
            break;
        }
        x->cells[i] = (size_t)(rows - 1 - row_from_bottom) * (size_t)cols + (size_t)col;
        if (taken[x->cells[i]])
            r = export_text_fail(table, error, error_size, -EINVAL,
                                 "sensors %ld and another have their centre in one cell, at "
                                 "(%g, %g) cm",
                                 x->numbers[i], xs[i], ys[i]);
        taken[x->cells[i]] = true;
    }
    free(taken);
    x->rows = rows;
    x->cols = cols;
    info->rows = rows;
    info->cols = cols;
    info->row_pitch_mm = y_pitch * 10;
    info->col_pitch_mm = x_pitch * 10;
    info->outside_taxels = (unsigned)((size_t)rows * (size_t)cols - x->sensors);
    return r;
}

/* Reads one row of the sensor table (one number per sensor in its order) into values. */
static int read_table_row(struct pliance_asc *x, struct export_text *table, size_t count,
                          double *values, char *error, size_t error_size)
{
    if (count != x->sensors + 1)
        return export_text_fail(table, error, error_size, -EINVAL,
                                "%zu values, expected one per sensor (%zu)", count - 1, x->sensors);
    for (size_t i = 0; i < x->sensors; i++)
        if (!export_text_number(x->fields[i + 1], &values[i]))
            return export_text_fail(table, error, error_size, -EINVAL,
                                    "\"%.20s\" is not a position", x->fields[i + 1]);
    return 0;
}

/* Reads the sensor table at the end of the file and places the sensors. */
static int read_sensor_table(struct pliance_asc *x, struct vendor_export_info *info, char *error,
                             size_t error_size)
{
    struct export_text table;
    struct sensor_index *order = NULL;
    double *xs = NULL, *ys = NULL, *row = NULL;
    size_t words = 0, n = x->sensors;
    int r = export_text_open(x->text.path, &table, error, error_size);
    if (r < 0)
        return r;
    while ((r = export_text_read(&table, error, error_size)) > 0 &&
           ((words = export_text_split_words(&table, x->fields, n + 2)) == 0 ||
            strcmp(x->fields[0], "sensor") != 0))
        ;
    if (r <= 0) {
        r = r < 0 ? r
                  : export_text_fail(&table, error, error_size, -EINVAL,
                                     "no sensor table (\"sensor\", then \"x[c]\" and \"y[c]\" "
                                     "lines): the sensors' positions are needed for a grid");
        goto out;
    }
    unsigned sensor_line = table.line;
    r = 0;
    order = malloc(n * sizeof(*order));
    xs = malloc(n * sizeof(double));
    ys = malloc(n * sizeof(double));
    row = malloc(n * sizeof(double));
    if (!order || !xs || !ys || !row) {
        r = -ENOMEM;
        goto out;
    }
    if (words != n + 1)
        r = export_text_fail(&table, error, error_size, -EINVAL,
                             "%zu sensors here, %zu in the frames", words - 1, n);
    for (size_t i = 0; r == 0 && i < n; i++) {
        order[i].index = i;
        if (!read_whole(x->fields[i + 1], &order[i].number))
            r = export_text_fail(&table, error, error_size, -EINVAL,
                                 "\"%.20s\" is not a sensor number", x->fields[i + 1]);
    }
    if (r == 0)
        qsort(order, n, sizeof(*order), compare_sensor_index);
    bool has_x = false, has_y = false;
    while (r == 0 && !(has_x && has_y)) {
        /* The table ends at the end of the file or at a blank line. */
        if ((r = export_text_read(&table, error, error_size)) <= 0 ||
            (words = export_text_split_words(&table, x->fields, n + 2)) == 0)
            break;
        r = 0;
        bool is_x = strcmp(x->fields[0], "x[c]") == 0, is_y = strcmp(x->fields[0], "y[c]") == 0;
        if (!is_x && !is_y)
            continue;
        if ((r = read_table_row(x, &table, words, row, error, error_size)) < 0)
            break;
        /* Put the centres in the frames' column order. */
        for (size_t i = 0; r == 0 && i < n; i++) {
            struct sensor_index key = {.number = x->numbers[i]};
            const struct sensor_index *found =
                bsearch(&key, order, n, sizeof(*order), compare_sensor_index);
            if (!found)
                r = export_text_fail_at(&table, sensor_line, error, error_size, -EINVAL,
                                        "sensor %ld of the frames is not in this table",
                                        x->numbers[i]);
            else
                (is_x ? xs : ys)[i] = row[found->index];
        }
        has_x = has_x || is_x;
        has_y = has_y || is_y;
    }
    if (r >= 0 && !(has_x && has_y))
        r = export_text_fail(&table, error, error_size, -EINVAL,
                             "the sensor table has no x[c] and y[c] lines (the centres)");
    if (r >= 0)
        r = place_sensors(x, &table, xs, ys, info, error, error_size);
out:
    if (r == -ENOMEM)
        snprintf(error, error_size, "%s: out of memory", x->text.path);
    export_text_close(&table);
    free(order);
    free(xs);
    free(ys);
    free(row);
    return r;
}

int pliance_asc_open(const char *path, struct pliance_asc **out, struct vendor_export_info *info,
                     char *error, size_t error_size)
{
    struct pliance_asc *x = calloc(1, sizeof(*x));
    struct vendor_export_info found = {.adc_bits = 16};
    if (!x) {
        snprintf(error, error_size, "%s: out of memory", path);
        return -ENOMEM;
    }
    int r = export_text_open(path, &x->text, error, error_size);
    if (r == 0)
        r = read_header(x, &found, error, error_size);
    if (r == 0)
        r = read_sensor_table(x, &found, error, error_size);
    if (r < 0)
        goto out;
    found.unit = x->unit;
    *info = found;
    *out = x;
out:
    if (r < 0)
        pliance_asc_close(x);
    return r;
}

int pliance_asc_next(struct pliance_asc *x, uint16_t *counts, uint64_t *time_us, char *error,
                     size_t error_size)
{
    struct export_text *text = &x->text;
    if (x->ended)
        return 0;
    int r;
    size_t words = 0;
    /* Blank lines may stand between the column header and the first frame. */
    while ((r = export_text_read(text, error, error_size)) > 0 &&
           (words = export_text_split_words(text, x->fields, x->sensors + 2)) == 0 &&
           x->frames == 0)
        ;
    if (r < 0)
        return r;
    if (r == 0)
        words = 0;
    double seconds;
    /* The frames end at the first line that does not start with a time (MPP here). */
    if (words == 0 || !export_text_number(x->fields[0], &seconds)) {
        x->ended = true;
        return x->frames > 0 ? 0
                             : export_text_fail(text, error, error_size, -ENODATA,
                                                "no frames after the column header");
    }
    if (words != x->sensors + 1)
        return export_text_fail(text, error, error_size, -EINVAL,
                                "%zu values, expected one per sensor (%zu)", words - 1, x->sensors);
    uint64_t us = seconds >= 0 ? (uint64_t)llround(seconds * 1e6) : 0;
    if (seconds < 0 || (x->frames > 0 && us <= x->previous_us))
        return export_text_fail(text, error, error_size, -EINVAL,
                                "time %s s is not after the previous frame's", x->fields[0]);
    memset(counts, 0, (size_t)x->rows * (size_t)x->cols * sizeof(uint16_t));
    for (size_t i = 0; i < x->sensors; i++) {
        double value;
        if (!export_text_number(x->fields[i + 1], &value))
            return export_text_fail(text, error, error_size, -EINVAL, "\"%.20s\" is not a pressure",
                                    x->fields[i + 1]);
        if ((r = export_text_counts(text, value, x->unit, &counts[x->cells[i]], error,
                                    error_size)) < 0)
            return r;
    }
    x->previous_us = us;
    x->frames++;
    *time_us = us;
    return 1;
}

void pliance_asc_close(struct pliance_asc *x)
{
    if (!x)
        return;
    export_text_close(&x->text);
    free(x->numbers);
    free(x->cells);
    free(x->fields);
    free(x);
}
