/*
 * export_text.h - reading the text exports of pressure-mapping software
 * (xsensor_csv.c, iscan_csv.c, pliance_asc.c) one line at a time.
 *
 * What every format's parser needs: lines without their line end (LF or
 * CR LF; a UTF-8 byte-order mark before line 1 is dropped), numbered from
 * 1 for messages, with one line of lookahead; fields split at commas (CSV,
 * double quotes honoured) or at blanks; numbers read strictly; clock times;
 * lengths in mm; and pressures turned into the 16-bit counts of a session.
 * Every error message starts "FILE:LINE: ".
 *
 * The counts: a session stores uint16 readings (acquisition/FILE_FORMAT.md)
 * and a calibration to kPa. A value in mmHg or kPa is stored as
 * counts = round(value / step), step below; its calibration is linear
 * through 0 (vendor_export_calibration), so the analysis gives back
 * counts * step. Raw readings are stored as they are.
 */
#ifndef MTABLE_EXPORT_TEXT_H
#define MTABLE_EXPORT_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * mmHg per count: 16 bits hold 0 .. 3276.75 mmHg (437 kPa), above the
 * 2957 mmHg peak of the XSENSOR foot recording; rounding moves a value by
 * at most 0.025 mmHg, an eighth of the 0.2 mmHg between XSENSOR's values.
 */
#define EXPORT_TEXT_MMHG_PER_COUNT 0.05

/*
 * kPa per count: 16 bits hold 0 .. 655.35 kPa, the range of pliance's
 * sensors; rounding moves a value by at most 0.005 kPa, 1/333 of the
 * 1.667 kPa between pliance's values.
 */
#define EXPORT_TEXT_KPA_PER_COUNT 0.01

/* Room for an error message. */
#define EXPORT_TEXT_ERROR_SIZE 512

/* Units of the values in an export. */
enum export_unit {
    EXPORT_UNIT_RAW,  /* the sensor's own readings: whole numbers, stored as they are */
    EXPORT_UNIT_KPA,  /* kilopascal */
    EXPORT_UNIT_MMHG, /* millimetres of mercury */
};

/* An open export, read line by line. */
struct export_text {
    const char *path;
    FILE *file;
    unsigned line;          /* number of the line in buffer, from 1 */
    char *buffer;           /* the current line, without its line end */
    size_t capacity;        /* of buffer */
    char *fields;           /* the current line cut into fields (export_text_split_*) */
    size_t fields_capacity; /* of fields: at least capacity */
    bool again;             /* export_text_unread was called: hand the line out again */
};

/* Opens path for reading; "FILE: cannot open: why" in error on failure. */
int export_text_open(const char *path, struct export_text *text, char *error, size_t error_size);

/* Reads the next line into text->buffer: 1, 0 at the end of the file, or -EIO, -ENOMEM. */
int export_text_read(struct export_text *text, char *error, size_t error_size);

/* Makes the next export_text_read hand out the current line again. */
void export_text_unread(struct export_text *text);

/* Writes "FILE:LINE: " and the message (the current line) into error; returns code. */
int export_text_fail(const struct export_text *text, char *error, size_t error_size, int code,
                     const char *format, ...) __attribute__((format(printf, 5, 6)));

/* Like export_text_fail, for an earlier line. */
int export_text_fail_at(const struct export_text *text, unsigned line, char *error,
                        size_t error_size, int code, const char *format, ...)
    __attribute__((format(printf, 6, 7)));

/* True for a line of nothing but commas and blanks. */
bool export_text_blank(const char *line);

/*
 * Splits the current line at commas, as CSV: a field in double quotes may
 * hold commas ("" is a quote). Stores the first max fields (pointers into
 * a copy: the line stays as it is) and returns how many the line has, or
 * 0 when out of memory.
 */
size_t export_text_split_csv(struct export_text *text, char **fields, size_t max);

/* Splits the current line at runs of blanks; like export_text_split_csv otherwise. */
size_t export_text_split_words(struct export_text *text, char **words, size_t max);

/* Reads a decimal number (blanks around allowed, nothing else): true and *value if it is one. */
bool export_text_number(const char *field, double *value);

/*
 * Reads a clock time: strptime's format up to the seconds (or minutes),
 * then an optional fraction of a second ".ddd", then an optional AM or PM,
 * then nothing but blanks. The time is taken as UTC. 0 and *ns (since
 * 1970), or -EINVAL.
 */
int export_text_clock(const char *text, const char *format, int64_t *ns);

/* Copies text into out (size bytes), each byte outside printable ASCII as '?'. */
void export_text_copy_printable(char *out, size_t size, const char *text);

/* Copies the base name of a Windows or POSIX path, without its extension, into out. */
void export_text_base_name(char *out, size_t size, const char *path);

/* Reads a unit of pressure: "raw", "kPa", "mmHg" (any case). 0, or -EINVAL. */
int export_text_unit(const char *name, enum export_unit *unit);

/* Name of a unit as the importer writes it: "raw", "kPa", "mmHg". */
const char *export_text_unit_name(enum export_unit unit);

/* Units of the file per stored count: the steps above, 1 for raw readings. */
double export_text_step(enum export_unit unit);

/*
 * Converts a length to mm; unit "mm", "cm", "in" or their words
 * (centimeters, millimetres, inches...), any case. 0, or -EINVAL.
 */
int export_text_length_mm(double value, const char *unit, double *mm);

/*
 * Converts a value of the current line in unit to counts at the fixed
 * scale. 0 and *count, or -ERANGE (-EINVAL for a raw reading that is not
 * a whole number) with "FILE:LINE: ..." in error.
 */
int export_text_counts(const struct export_text *text, double value, enum export_unit unit,
                       uint16_t *count, char *error, size_t error_size);

/*
 * Reads one row of a grid from the count fields of the current line: cols
 * values (each through export_text_counts), then only empty fields. A
 * field equal to outside (unless NULL) marks a sensel outside the sensor's
 * outline: stored as 0 and counted in *outside_count. 0, or -EINVAL or
 * -ERANGE with "FILE:LINE: ..." in error.
 */
int export_text_row(const struct export_text *text, char *const *fields, size_t count, int cols,
                    enum export_unit unit, const char *outside, uint16_t *counts,
                    unsigned *outside_count, char *error, size_t error_size);

/* Closes the file. */
void export_text_close(struct export_text *text);

#endif
