/*
 * config.c - the table of settings, value checks, and the two file readers.
 *
 * Each setting is a row of `settings`: where it lives in struct config,
 * its type and its allowed range. config_set looks the row up and checks
 * the text; the INI handler and the command line both go through it.
 * libinih reads the file through a line reader that counts lines, so a bad
 * value is reported with its line number.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

#include "session_path.h"

enum setting_type {
    SETTING_TEXT,         /* any text that fits */
    SETTING_ID,           /* a subject or operator id (session_path_valid_id) */
    SETTING_UNSIGNED,     /* whole number in [min, max] */
    SETTING_POWER_OF_TWO, /* whole number in [min, max], a power of two */
    SETTING_NUMBER,       /* decimal number in [min, max] */
    SETTING_LOG_LEVEL,    /* error, warning, info or debug */
};

struct setting {
    const char *section;
    const char *name;
    enum setting_type type;
    size_t offset; /* in struct config */
    size_t size;   /* of the field */
    double min;
    double max;
};

#define FIELD(field) offsetof(struct config, field), sizeof(((struct config *)0)->field)

static const struct setting settings[] = {
    {"device", "port", SETTING_TEXT, FIELD(port), 0, 0},
    {"device", "baud", SETTING_UNSIGNED, FIELD(baud), 50, 20000000},
    {"device", "frame_rate", SETTING_NUMBER, FIELD(frame_rate_hz), 0, 4000000},
    {"session", "output_dir", SETTING_TEXT, FIELD(output_dir), 0, 0},
    {"session", "subject", SETTING_ID, FIELD(subject_id), 0, 0},
    {"session", "operator", SETTING_ID, FIELD(operator_id), 0, 0},
    {"session", "duration", SETTING_NUMBER, FIELD(duration_s), 0, 1e7},
    {"recording", "flush_interval", SETTING_NUMBER, FIELD(flush_interval_s), 0.01, 60},
    /* 16 slots is the least that rides out scheduling hiccups; 2^20 bounds memory. */
    {"recording", "ring_frames", SETTING_POWER_OF_TWO, FIELD(ring_frames), 16, 1048576},
    {"recording", "frames_per_chunk", SETTING_UNSIGNED, FIELD(frames_per_chunk), 1, 4096},
    {"recording", "compression_level", SETTING_UNSIGNED, FIELD(compression_level), 1, 12},
    {"recording", "calibration", SETTING_TEXT, FIELD(calibration), 0, 0},
    {"recording", "capture", SETTING_TEXT, FIELD(capture), 0, 0},
    {"daemon", "status_interval", SETTING_NUMBER, FIELD(status_interval_s), 0, 86400},
    {"daemon", "log_level", SETTING_LOG_LEVEL, FIELD(log_level), 0, 0},
};

void config_defaults(struct config *config)
{
    memset(config, 0, sizeof(*config));
    config->baud = 6000000; /* the firmware's UART: 64 x 32 at up to 144 frames/s (PROTOCOL.md 6) */
    snprintf(config->output_dir, sizeof(config->output_dir), ".");
    snprintf(config->subject_id, sizeof(config->subject_id), "unspecified");
    snprintf(config->operator_id, sizeof(config->operator_id), "unspecified");
    config->flush_interval_s = 1.0;
    config->ring_frames = 1024; /* about 10 s at 100 frames/s in about 4 MB */
    config->status_interval_s = 10.0;
    config->log_level = LOG_LEVEL_INFO;
}

static int parse_number(const char *value, double *out)
{
    char *end;
    errno = 0;
    double number = strtod(value, &end);
    if (end == value)
        return -EINVAL;
    end += strspn(end, " \t"); /* spaces after the number, as around CSV fields */
    if (*end != '\0' || errno != 0 || !isfinite(number))
        return -EINVAL;
    *out = number;
    return 0;
}

int config_set(struct config *config, const char *section, const char *name, const char *value,
               char *error, size_t error_size)
{
    const struct setting *s = NULL;
    for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++)
        if (strcmp(settings[i].section, section) == 0 && strcmp(settings[i].name, name) == 0)
            s = &settings[i];
    if (s == NULL) {
        snprintf(error, error_size, "unknown setting '%s' in section [%s]", name, section);
        return -EINVAL;
    }
    char *field = (char *)config + s->offset;
    double number = 0;
    switch (s->type) {
    case SETTING_TEXT:
        if (strlen(value) >= s->size) {
            snprintf(error, error_size, "%s: value is longer than %zu characters", name,
                     s->size - 1);
            return -EINVAL;
        }
        memcpy(field, value, strlen(value) + 1);
        return 0;
    case SETTING_ID:
        if (!session_path_valid_id(value)) {
            snprintf(error, error_size,
                     "%s: '%s' is not a valid id: use 1 to %d letters, digits, '.', '_' or '-', "
                     "not starting with '.'",
                     name, value, SESSION_ID_MAX);
            return -EINVAL;
        }
        memcpy(field, value, strlen(value) + 1);
        return 0;
    case SETTING_LOG_LEVEL: {
        static const char *const levels[] = {"error", "warning", "info", "debug"};
        for (int level = 0; level < 4; level++)
            if (strcasecmp(value, levels[level]) == 0) {
                *(enum log_level *)(void *)field = (enum log_level)level;
                return 0;
            }
        snprintf(error, error_size, "%s: '%s' is not one of error, warning, info, debug", name,
                 value);
        return -EINVAL;
    }
    case SETTING_UNSIGNED:
    case SETTING_POWER_OF_TWO:
    case SETTING_NUMBER:
        break;
    }
    if (parse_number(value, &number) != 0) {
        snprintf(error, error_size, "%s: '%s' is not a number", name, value);
        return -EINVAL;
    }
    if (number < s->min || number > s->max) {
        snprintf(error, error_size, "%s: %s is out of range (%g to %g)", name, value, s->min,
                 s->max);
        return -EINVAL;
    }
    if (s->type == SETTING_NUMBER) {
        *(double *)(void *)field = number;
        return 0;
    }
    unsigned whole = (unsigned)number;
    if ((double)whole != number ||
        (s->type == SETTING_POWER_OF_TWO && (whole & (whole - 1)) != 0)) {
        snprintf(error, error_size, "%s: %s is not a whole number%s", name, value,
                 s->type == SETTING_POWER_OF_TWO ? " that is a power of two" : "");
        return -EINVAL;
    }
    *(unsigned *)(void *)field = whole;
    return 0;
}

/* State of one config_load: the line being parsed and the first error. */
struct load_state {
    struct config *config;
    FILE *file;
    int line;
    int error_line; /* 0: no error from the handler yet */
    char message[512];
};

static char *read_counted_line(char *buffer, int size, void *stream)
{
    struct load_state *state = stream;
    char *line = fgets(buffer, size, state->file);
    if (line != NULL)
        state->line++;
    return line;
}

static int handle_setting(void *user, const char *section, const char *name, const char *value)
{
    struct load_state *state = user;
    char message[sizeof(state->message)];
    if (config_set(state->config, section, name, value, message, sizeof(message)) == 0)
        return 1;
    if (state->error_line == 0) {
        state->error_line = state->line;
        memcpy(state->message, message, sizeof(message));
    }
    return 0;
}

int config_load(const char *path, struct config *config, char *error, size_t error_size)
{
    struct load_state state = {.config = config};
    state.file = fopen(path, "r");
    if (state.file == NULL) {
        int err = -errno;
        snprintf(error, error_size, "%s: %s", path, strerror(errno));
        return err;
    }
    int line = ini_parse_stream(read_counted_line, &state, handle_setting, &state);
    fclose(state.file);
    if (line == 0)
        return 0;
    if (line < 0) {
        snprintf(error, error_size, "%s: cannot read the file", path);
        return -EIO;
    }
    if (state.error_line == line)
        snprintf(error, error_size, "%s:%d: %s", path, line, state.message);
    else
        snprintf(error, error_size, "%s:%d: expected '[section]' or 'name = value'", path, line);
    return -EINVAL;
}

int config_load_calibration(const char *path, double **pairs, size_t *points, char *error,
                            size_t error_size)
{
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        int err = -errno;
        snprintf(error, error_size, "%s: %s", path, strerror(errno));
        return err;
    }
    double *table = NULL;
    size_t count = 0;
    size_t capacity = 0;
    int err = 0;
    int line_number = 0;
    bool header_allowed = true;
    char line[512];
    while (fgets(line, sizeof(line), file) != NULL) {
        line_number++;
        line[strcspn(line, "\r\n")] = '\0';
        char *text = line + strspn(line, " \t");
        if (*text == '\0' || *text == '#')
            continue;
        char *comma = strchr(text, ',');
        double counts, kpa;
        if (comma != NULL)
            *comma = '\0';
        bool numbers = comma != NULL && parse_number(text, &counts) == 0 &&
                       parse_number(comma + 1 + strspn(comma + 1, " \t"), &kpa) == 0;
        if (!numbers && header_allowed) {
            header_allowed = false;
            continue;
        }
        header_allowed = false;
        if (!numbers) {
            snprintf(error, error_size, "%s:%d: expected 'counts,kPa' (two numbers)", path,
                     line_number);
            err = -EINVAL;
            goto out;
        }
        if (count > 0 && counts <= table[2 * (count - 1)]) {
            snprintf(error, error_size, "%s:%d: counts must increase from line to line", path,
                     line_number);
            err = -EINVAL;
            goto out;
        }
        if (count == capacity) {
            capacity = capacity == 0 ? 16 : capacity * 2;
            double *grown = realloc(table, capacity * 2 * sizeof(double));
            if (grown == NULL) {
                err = -ENOMEM;
                goto out;
            }
            table = grown;
        }
        table[2 * count] = counts;
        table[2 * count + 1] = kpa;
        count++;
    }
    if (count < 2) {
        snprintf(error, error_size, "%s: a calibration needs at least two 'counts,kPa' lines",
                 path);
        err = -EINVAL;
    }
out:
    fclose(file);
    if (err != 0) {
        free(table);
        return err;
    }
    *pairs = table;
    *points = count;
    return 0;
}
