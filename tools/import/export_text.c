/*
 * export_text.c - line reading, fields, numbers, clock times and the
 * counts scale shared by the vendor export parsers.
 */
#include "export_text.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* The UTF-8 byte-order mark that Windows programs put before line 1. */
static const char UTF8_BOM[] = "\xEF\xBB\xBF";

int export_text_open(const char *path, struct export_text *text, char *error, size_t error_size)
{
    *text = (struct export_text){.path = path};
    text->file = fopen(path, "r");
    if (!text->file) {
        int code = -errno;
        snprintf(error, error_size, "%s: cannot open: %s", path, strerror(errno));
        return code;
    }
    return 0;
}

int export_text_read(struct export_text *text, char *error, size_t error_size)
{
    if (text->again) {
        text->again = false;
        return 1;
    }
    ssize_t length = getline(&text->buffer, &text->capacity, text->file);
    if (length < 0) {
        if (!ferror(text->file))
            return 0;
        snprintf(error, error_size, "%s: read error after line %u", text->path, text->line);
        return -EIO;
    }
    text->line++;
    /* Room to cut the line into fields without touching it (export_text_split_*). */
    if (text->fields_capacity < text->capacity) {
        char *grown = realloc(text->fields, text->capacity);
        if (!grown) {
            snprintf(error, error_size, "%s:%u: out of memory", text->path, text->line);
            return -ENOMEM;
        }
        text->fields = grown;
        text->fields_capacity = text->capacity;
    }
    while (length > 0 && (text->buffer[length - 1] == '\n' || text->buffer[length - 1] == '\r'))
        text->buffer[--length] = '\0';
    if (text->line == 1 && strncmp(text->buffer, UTF8_BOM, strlen(UTF8_BOM)) == 0)
        memmove(text->buffer, text->buffer + strlen(UTF8_BOM),
                (size_t)length - strlen(UTF8_BOM) + 1);
    return 1;
}

void export_text_unread(struct export_text *text)
{
    text->again = true;
}

static void format_error(const struct export_text *text, unsigned line, char *error,
                         size_t error_size, const char *format, va_list args)
    __attribute__((format(printf, 5, 0)));

static void format_error(const struct export_text *text, unsigned line, char *error,
                         size_t error_size, const char *format, va_list args)
{
    int prefix = snprintf(error, error_size, "%s:%u: ", text->path, line);
    if (prefix >= 0 && (size_t)prefix < error_size)
        vsnprintf(error + prefix, error_size - (size_t)prefix, format, args);
}

int export_text_fail(const struct export_text *text, char *error, size_t error_size, int code,
                     const char *format, ...)
{
    va_list args;
    va_start(args, format);
    format_error(text, text->line, error, error_size, format, args);
    va_end(args);
    return code;
}

int export_text_fail_at(const struct export_text *text, unsigned line, char *error,
                        size_t error_size, int code, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    format_error(text, line, error, error_size, format, args);
    va_end(args);
    return code;
}

bool export_text_blank(const char *line)
{
    return line[strspn(line, ", \t")] == '\0';
}

/* Copies the current line into text->fields (as large as the line's buffer) for cutting. */
static char *copy_line(struct export_text *text)
{
    return memcpy(text->fields, text->buffer, strlen(text->buffer) + 1);
}

size_t export_text_split_csv(struct export_text *text, char **fields, size_t max)
{
    char *read = copy_line(text);
    size_t count = 0;
    for (;;) {
        char *start = read, *write = read;
        if (*read == '"') {
            read++;
            while (*read && !(*read == '"' && read[1] != '"')) {
                if (*read == '"')
                    read++;
                *write++ = *read++;
            }
            if (*read == '"')
                read++;
        }
        while (*read && *read != ',')
            *write++ = *read++;
        bool more = *read == ',';
        *write = '\0';
        if (count < max)
            fields[count] = start;
        count++;
        if (!more)
            return count;
        read++;
    }
}

size_t export_text_split_words(struct export_text *text, char **words, size_t max)
{
    char *p = copy_line(text);
    size_t count = 0;
    for (;;) {
        p += strspn(p, " \t");
        if (!*p)
            return count;
        size_t length = strcspn(p, " \t");
        if (count < max)
            words[count] = p;
        count++;
        p += length;
        if (*p)
            *p++ = '\0';
    }
}

bool export_text_number(const char *field, double *value)
{
    const char *p = field + strspn(field, " \t");
    /* Digits, sign, point and exponent only: strtod would take "nan", "inf" and hex too. */
    size_t length = strspn(p, "+-0123456789.eE");
    if (length == 0 || p[length + strspn(p + length, " \t")] != '\0')
        return false;
    char *end = NULL;
    double number = strtod(p, &end);
    if (end != p + length || !isfinite(number))
        return false;
    *value = number;
    return true;
}

int export_text_clock(const char *text, const char *format, int64_t *ns)
{
    struct tm fields = {0};
    const char *p = strptime(text + strspn(text, " \t"), format, &fields);
    if (!p)
        return -EINVAL;
    int64_t fraction_ns = 0;
    if (p[0] == '.' && p[1] >= '0' && p[1] <= '9') {
        int64_t scale = 100000000;
        for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
            fraction_ns += (*p - '0') * scale;
    }
    p += strspn(p, " \t");
    if (strncasecmp(p, "AM", 2) == 0 || strncasecmp(p, "PM", 2) == 0) {
        /* strptime's %I gives 0..11 (12 is 0); a 24-hour clock can go past 12. */
        if (fields.tm_hour > 12)
            return -EINVAL;
        fields.tm_hour = fields.tm_hour % 12 + (strncasecmp(p, "PM", 2) == 0 ? 12 : 0);
        p += 2;
    }
    if (p[strspn(p, " \t")] != '\0')
        return -EINVAL;
    *ns = (int64_t)timegm(&fields) * 1000000000 + fraction_ns;
    return 0;
}

void export_text_copy_printable(char *out, size_t size, const char *text)
{
    size_t i = 0;
    for (; text[i] && i + 1 < size; i++)
        out[i] = text[i] >= ' ' && text[i] <= '~' ? text[i] : '?';
    if (size > 0)
        out[i] = '\0';
}

void export_text_base_name(char *out, size_t size, const char *path)
{
    const char *name = path + strlen(path);
    while (name > path && name[-1] != '/' && name[-1] != '\\')
        name--;
    const char *dot = strrchr(name, '.');
    size_t length = dot && dot != name ? (size_t)(dot - name) : strlen(name);
    snprintf(out, size, "%.*s", (int)length, name);
}

int export_text_unit(const char *name, enum export_unit *unit)
{
    static const struct {
        const char *name;
        enum export_unit unit;
    } UNITS[] = {{"raw", EXPORT_UNIT_RAW}, {"kPa", EXPORT_UNIT_KPA}, {"mmHg", EXPORT_UNIT_MMHG}};
    for (size_t i = 0; i < sizeof(UNITS) / sizeof(UNITS[0]); i++)
        if (strcasecmp(name, UNITS[i].name) == 0) {
            *unit = UNITS[i].unit;
            return 0;
        }
    return -EINVAL;
}

const char *export_text_unit_name(enum export_unit unit)
{
    return unit == EXPORT_UNIT_KPA ? "kPa" : unit == EXPORT_UNIT_MMHG ? "mmHg" : "raw";
}

double export_text_step(enum export_unit unit)
{
    return unit == EXPORT_UNIT_KPA    ? EXPORT_TEXT_KPA_PER_COUNT
           : unit == EXPORT_UNIT_MMHG ? EXPORT_TEXT_MMHG_PER_COUNT
                                      : 1.0;
}

int export_text_length_mm(double value, const char *unit, double *mm)
{
    static const struct {
        const char *name;
        double mm;
    } LENGTHS[] = {
        {"mm", 1.0},  {"millimeters", 1.0},  {"millimetres", 1.0},
        {"cm", 10.0}, {"centimeters", 10.0}, {"centimetres", 10.0},
        {"in", 25.4}, {"inch", 25.4},        {"inches", 25.4},
    };
    for (size_t i = 0; i < sizeof(LENGTHS) / sizeof(LENGTHS[0]); i++)
        if (strcasecmp(unit, LENGTHS[i].name) == 0) {
            *mm = value * LENGTHS[i].mm;
            return 0;
        }
    return -EINVAL;
}

int export_text_counts(const struct export_text *text, double value, enum export_unit unit,
                       uint16_t *count, char *error, size_t error_size)
{
    double step = export_text_step(unit);
    if (unit == EXPORT_UNIT_RAW && value != floor(value))
        return export_text_fail(text, error, error_size, -EINVAL,
                                "%g is not a raw reading (a whole number 0..65535)", value);
    double scaled = round(value / step);
    if (!(scaled >= 0 && scaled <= UINT16_MAX))
        return export_text_fail(text, error, error_size, -ERANGE,
                                "%g %s is outside what a session holds: 0 to %g %s "
                                "(%g %s per count, 16 bits)",
                                value, export_text_unit_name(unit), UINT16_MAX * step,
                                export_text_unit_name(unit), step, export_text_unit_name(unit));
    *count = (uint16_t)scaled;
    return 0;
}

int export_text_row(const struct export_text *text, char *const *fields, size_t count, int cols,
                    enum export_unit unit, const char *outside, uint16_t *counts,
                    unsigned *outside_count, char *error, size_t error_size)
{
    size_t values = 0;
    while (values < count && !export_text_blank(fields[values]))
        values++;
    for (size_t i = values; i < count; i++)
        if (!export_text_blank(fields[i]))
            return export_text_fail(text, error, error_size, -EINVAL,
                                    "a value after an empty field");
    if (values != (size_t)cols)
        return export_text_fail(text, error, error_size, -EINVAL,
                                "%zu values on a row of the grid, expected %d", values, cols);
    for (int col = 0; col < cols; col++) {
        double value;
        if (outside && strcmp(fields[col] + strspn(fields[col], " \t"), outside) == 0) {
            counts[col] = 0;
            (*outside_count)++;
        } else if (!export_text_number(fields[col], &value)) {
            return export_text_fail(text, error, error_size, -EINVAL, "\"%.20s\" is not a number",
                                    fields[col]);
        } else {
            int r = export_text_counts(text, value, unit, &counts[col], error, error_size);
            if (r < 0)
                return r;
        }
    }
    return 0;
}

void export_text_close(struct export_text *text)
{
    if (text->file)
        fclose(text->file);
    free(text->buffer);
    free(text->fields);
    *text = (struct export_text){.path = text->path};
}
