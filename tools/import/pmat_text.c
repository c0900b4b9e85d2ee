/*
 * pmat_text.c - parsing of text frames, line by line (a matrix file is read
 * whole at open: it is a single frame).
 */
#include "pmat_text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static int set_error(char *error, size_t size, int code, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

static int set_error(char *error, size_t size, int code, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(error, size, format, args);
    va_end(args);
    return code;
}

/* Reads the next non-blank line into text->buffer; 1, 0 at the end, or -EIO. */
static int read_line(struct pmat_text *text)
{
    for (;;) {
        ssize_t length = getline(&text->buffer, &text->capacity, text->file);
        if (length < 0)
            return ferror(text->file) ? -EIO : 0;
        text->line++;
        if (strspn(text->buffer, " \t\r\n") < (size_t)length)
            return 1;
    }
}

/*
 * Parses the values of the current line into values (at most max); sets
 * *count. Fails on anything but whole numbers 0..65535.
 */
static int parse_values(struct pmat_text *text, uint16_t *values, size_t max, size_t *count,
                        char *error, size_t error_size)
{
    size_t n = 0;
    const char *p = text->buffer;
    for (;;) {
        p += strspn(p, " \t\r\n");
        if (!*p)
            break;
        size_t length = strcspn(p, " \t\r\n");
        unsigned long value = 0;
        bool ok = length <= 5;
        for (size_t i = 0; i < length && ok; i++) {
            ok = p[i] >= '0' && p[i] <= '9';
            value = value * 10 + (unsigned long)(p[i] - '0');
        }
        if (!ok || value > UINT16_MAX)
            return set_error(error, error_size, -EINVAL,
                             "%s:%u: \"%.*s\" is not a reading (a whole number 0..65535)",
                             text->path, text->line, (int)(length < 20 ? length : 20), p);
        if (n == max)
            return set_error(error, error_size, -E2BIG, "%s:%u: more than %zu values on a line",
                             text->path, text->line, max);
        values[n++] = (uint16_t)value;
        p += length;
    }
    *count = n;
    return 0;
}

/* Reads a matrix file's remaining lines into its one frame. */
static int read_matrix(struct pmat_text *text, size_t first_count, char *error, size_t error_size)
{
    size_t cols = first_count, rows = 1;
    text->matrix = malloc(PMAT_TEXT_MAX_TAXELS * sizeof(uint16_t));
    uint16_t *row = malloc(PMAT_TEXT_MAX_TAXELS * sizeof(uint16_t));
    int r = text->matrix && row ? 0 : -ENOMEM;
    if (r == 0)
        r = parse_values(text, text->matrix, cols, &first_count, error, error_size);
    while (r == 0 && (r = read_line(text)) > 0) {
        size_t count = 0;
        r = parse_values(text, row, PMAT_TEXT_MAX_TAXELS, &count, error, error_size);
        if (r == 0 && count != cols)
            r = set_error(error, error_size, -EINVAL,
                          "%s:%u: %zu values, but the first line has %zu: a matrix file needs "
                          "the same number on every line",
                          text->path, text->line, count, cols);
        if (r == 0 && (rows + 1) * cols > PMAT_TEXT_MAX_TAXELS)
            r = set_error(error, error_size, -E2BIG, "%s:%u: more than %d values in the frame",
                          text->path, text->line, PMAT_TEXT_MAX_TAXELS);
        if (r == 0)
            memcpy(text->matrix + rows++ * cols, row, cols * sizeof(uint16_t));
    }
    free(row);
    if (r < 0)
        return r == -ENOMEM ? set_error(error, error_size, r, "%s: out of memory", text->path)
               : r == -EIO  ? set_error(error, error_size, r, "%s: read error", text->path)
                            : r;
    text->rows = (int)rows;
    text->cols = (int)cols;
    text->first_frame_pending = true;
    return 0;
}

int pmat_text_open(const char *path, int rows, int cols, struct pmat_text *text, char *error,
                   size_t error_size)
{
    *text = (struct pmat_text){.path = path};
    text->file = fopen(path, "r");
    if (!text->file)
        return set_error(error, error_size, -errno, "%s: cannot open: %s", path, strerror(errno));
    uint16_t *values = malloc(PMAT_TEXT_MAX_TAXELS * sizeof(uint16_t));
    size_t count = 0;
    int r = values ? read_line(text) : -ENOMEM;
    if (r == 0)
        r = set_error(error, error_size, -ENODATA, "%s: holds no frames", path);
    else if (r > 0)
        r = parse_values(text, values, PMAT_TEXT_MAX_TAXELS, &count, error, error_size);
    else
        r = set_error(error, error_size, r, "%s: cannot read", path);
    free(values);
    if (r < 0)
        goto out;
    size_t grid = rows > 0 && cols > 0 ? (size_t)rows * (size_t)cols : 0;
    if (count == grid || (grid == 0 && count == PMAT_TEXT_EXPERIMENT_I_VALUES)) {
        text->layout = PMAT_TEXT_FRAME_PER_LINE;
        text->rows = grid ? rows : 64;
        text->cols = grid ? cols : 32;
        rewind(text->file);
        text->line = 0;
    } else if (grid == 0 || count == (size_t)cols) {
        text->layout = PMAT_TEXT_MATRIX;
        r = read_matrix(text, count, error, error_size);
        if (r == 0 && grid != 0 && text->rows != rows)
            r = set_error(error, error_size, -EINVAL,
                          "%s: a matrix of %d lines, but the grid given has %d rows", path,
                          text->rows, rows);
    } else {
        r = set_error(error, error_size, -EINVAL,
                      "%s:%u: %zu values, but the grid given is %d x %d = %zu", path, text->line,
                      count, rows, cols, grid);
    }
out:
    if (r < 0)
        pmat_text_close(text);
    return r;
}

int pmat_text_next(struct pmat_text *text, uint16_t *values, char *error, size_t error_size)
{
    size_t taxels = (size_t)text->rows * (size_t)text->cols;
    if (text->layout == PMAT_TEXT_MATRIX) {
        if (!text->first_frame_pending)
            return 0;
        text->first_frame_pending = false;
        memcpy(values, text->matrix, taxels * sizeof(uint16_t));
        return 1;
    }
    int r = read_line(text);
    if (r <= 0)
        return r < 0 ? set_error(error, error_size, r, "%s: read error", text->path) : 0;
    size_t count = 0;
    r = parse_values(text, values, taxels, &count, error, error_size);
    if (r == -E2BIG || (r == 0 && count != taxels))
        return set_error(error, error_size, -EINVAL, "%s:%u: %s values, expected %zu (%d x %d)",
                         text->path, text->line, r == -E2BIG ? "more" : "fewer", taxels, text->rows,
                         text->cols);
    return r < 0 ? r : 1;
}

bool pmat_text_is_garbage(const uint16_t *values, size_t taxels)
{
    size_t nonzero = 0, multiples = 0;
    for (size_t i = 0; i < taxels; i++) {
        nonzero += values[i] != 0;
        multiples += values[i] != 0 && values[i] % 256 == 0;
    }
    return nonzero >= PMAT_TEXT_GARBAGE_MIN_VALUES &&
           multiples * 100 >= nonzero * PMAT_TEXT_GARBAGE_PERCENT;
}

void pmat_text_close(struct pmat_text *text)
{
    if (text->file)
        fclose(text->file);
    free(text->buffer);
    free(text->matrix);
    *text = (struct pmat_text){.path = text->path};
}
