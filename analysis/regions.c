/*
 * regions.c - parsing of regions files (grammar in analysis/METRICS.md).
 *
 * The text is copied, split into lines, comments cut at '#', and each line
 * split into words. While parsing, each region is a byte mask over the grid
 * (so overlapping rectangles and repeated taxels cost nothing); at the end
 * the masks become sorted taxel lists.
 */
#include "regions.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Most words on one line: a name, a shape and this many taxels. */
#define REGIONS_LINE_WORDS_MAX 4096

/* Largest file read: a map of the largest grid written as taxel lists fits. */
#define REGIONS_FILE_MAX (16 * 1024 * 1024)

/* A map while it is parsed. */
struct parse_state {
    const char *source;
    int rows, cols;             /* the grid the map is for */
    int drawn_rows, drawn_cols; /* the grid the file says it is drawn for */
    bool scale;
    struct region_map *map;
    uint8_t *masks[REGIONS_MAX]; /* rows * cols bytes per region */
    char *error;
    size_t error_size;
};

static void set_error(char *error, size_t error_size, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void set_error(char *error, size_t error_size, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(error, error_size, format, args);
    va_end(args);
}

/* Parses a non-negative decimal integer that fills [text, end). */
static bool parse_index(const char *text, const char *end, int *out)
{
    if (text == end)
        return false;
    long value = 0;
    for (const char *p = text; p < end; p++) {
        if (!isdigit((unsigned char)*p))
            return false;
        value = value * 10 + (*p - '0');
        if (value > 1000000)
            return false;
    }
    *out = (int)value;
    return true;
}

/* Parses "N" or "N-M" (N <= M) into an inclusive range. */
static bool parse_range(const char *word, int *first, int *last)
{
    const char *dash = strchr(word, '-');
    const char *end = word + strlen(word);
    if (!dash)
        return parse_index(word, end, first) && (*last = *first, true);
    return parse_index(word, dash, first) && parse_index(dash + 1, end, last) && *first <= *last;
}

/* Scales an inclusive range drawn on `from` cells to `to` cells. */
static void scale_range(int *first, int *last, int from, int to)
{
    int scaled_first = (int)((long)*first * to / from);
    int scaled_last = (int)((long)(*last + 1) * to / from) - 1;
    *first = scaled_first;
    *last = scaled_last < scaled_first ? scaled_first : scaled_last;
}

static bool name_is_valid(const char *name)
{
    if (!isalpha((unsigned char)name[0]))
        return false;
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' && *p != '.')
            return false;
    return true;
}

/* Finds or creates the region called name; returns its index or a negative errno. */
static int region_for_name(struct parse_state *state, const char *name, int line)
{
    struct region_map *map = state->map;
    int found = regions_find(map, name);
    if (found >= 0)
        return found;
    if (strlen(name) > REGIONS_NAME_MAX) {
        set_error(state->error, state->error_size,
                  "%s:%d: region name \"%.40s...\" is longer than %d characters", state->source,
                  line, name, REGIONS_NAME_MAX);
        return -EINVAL;
    }
    if (!name_is_valid(name)) {
        set_error(state->error, state->error_size,
                  "%s:%d: bad region name \"%s\": a name starts with a letter and holds only "
                  "letters, digits, '_', '-' and '.'",
                  state->source, line, name);
        return -EINVAL;
    }
    if (map->count == REGIONS_MAX) {
        set_error(state->error, state->error_size, "%s:%d: more than %d regions", state->source,
                  line, REGIONS_MAX);
        return -E2BIG;
    }
    uint8_t *mask = calloc((size_t)state->rows * (size_t)state->cols, 1);
    if (!mask) {
        set_error(state->error, state->error_size, "%s: out of memory", state->source);
        return -ENOMEM;
    }
    size_t index = map->count++;
    snprintf(map->regions[index].name, sizeof(map->regions[index].name), "%s", name);
    state->masks[index] = mask;
    return (int)index;
}

/* Checks an inclusive range against the grid; axis is "rows" or "columns". */
static int check_range(struct parse_state *state, int line, const char *name, const char *axis,
                       int first, int last, int size)
{
    if (last < size)
        return 0;
    set_error(state->error, state->error_size,
              "%s:%d: region \"%s\": %s %d-%d are outside the grid (%s 0-%d)", state->source, line,
              name, axis, first, last, axis, size - 1);
    return -ERANGE;
}

static int parse_rect(struct parse_state *state, int line, char **words, int word_count)
{
    if (word_count != 4) {
        set_error(state->error, state->error_size,
                  "%s:%d: \"rect\" takes a row range and a column range, e.g. \"%s rect 0-6 "
                  "10-21\"",
                  state->source, line, words[0]);
        return -EINVAL;
    }
    int first_row, last_row, first_col, last_col;
    for (int i = 2; i < 4; i++) {
        int *first = i == 2 ? &first_row : &first_col;
        int *last = i == 2 ? &last_row : &last_col;
        if (!parse_range(words[i], first, last)) {
            set_error(state->error, state->error_size,
                      "%s:%d: bad %s range \"%s\": expected N or N-M with N <= M", state->source,
                      line, i == 2 ? "row" : "column", words[i]);
            return -EINVAL;
        }
    }
    if (state->scale) {
        scale_range(&first_row, &last_row, state->drawn_rows, state->rows);
        scale_range(&first_col, &last_col, state->drawn_cols, state->cols);
    }
    int r = check_range(state, line, words[0], "rows", first_row, last_row, state->rows);
    if (r == 0)
        r = check_range(state, line, words[0], "columns", first_col, last_col, state->cols);
    if (r < 0)
        return r;
    int index = region_for_name(state, words[0], line);
    if (index < 0)
        return index;
    for (int row = first_row; row <= last_row; row++)
        memset(state->masks[index] + (size_t)row * (size_t)state->cols + (size_t)first_col, 1,
               (size_t)(last_col - first_col + 1));
    return 0;
}

static int parse_taxels(struct parse_state *state, int line, char **words, int word_count)
{
    if (word_count < 3) {
        set_error(state->error, state->error_size,
                  "%s:%d: \"taxels\" needs at least one ROW,COL, e.g. \"%s taxels 3,4 3,5\"",
                  state->source, line, words[0]);
        return -EINVAL;
    }
    /* Check every taxel before creating the region, so a bad line adds nothing. */
    for (int pass = 0; pass < 2; pass++) {
        int index = pass == 1 ? region_for_name(state, words[0], line) : 0;
        if (index < 0)
            return index;
        for (int i = 2; i < word_count; i++) {
            const char *comma = strchr(words[i], ',');
            int row, col;
            if (!comma || !parse_index(words[i], comma, &row) ||
                !parse_index(comma + 1, words[i] + strlen(words[i]), &col)) {
                set_error(state->error, state->error_size,
                          "%s:%d: bad taxel \"%s\": expected ROW,COL such as 3,4", state->source,
                          line, words[i]);
                return -EINVAL;
            }
            if (state->scale) {
                row = (int)((long)row * state->rows / state->drawn_rows);
                col = (int)((long)col * state->cols / state->drawn_cols);
            }
            if (row >= state->rows || col >= state->cols) {
                set_error(state->error, state->error_size,
                          "%s:%d: region \"%s\": taxel %d,%d is outside the grid (rows 0-%d, "
                          "columns 0-%d)",
                          state->source, line, words[0], row, col, state->rows - 1,
                          state->cols - 1);
                return -ERANGE;
            }
            if (pass == 1)
                state->masks[index][(size_t)row * (size_t)state->cols + (size_t)col] = 1;
        }
    }
    return 0;
}

static int parse_grid(struct parse_state *state, int line, char **words, int word_count)
{
    int rows, cols;
    if (state->map->count > 0 || state->drawn_rows > 0) {
        set_error(state->error, state->error_size,
                  "%s:%d: \"grid\" must come once, before the first region", state->source, line);
        return -EINVAL;
    }
    if (word_count != 3 || !parse_index(words[1], words[1] + strlen(words[1]), &rows) ||
        !parse_index(words[2], words[2] + strlen(words[2]), &cols) || rows < 1 || cols < 1) {
        set_error(state->error, state->error_size,
                  "%s:%d: bad grid line: expected \"grid ROWS COLS\" such as \"grid 64 32\"",
                  state->source, line);
        return -EINVAL;
    }
    state->drawn_rows = rows;
    state->drawn_cols = cols;
    if (rows == state->rows && cols == state->cols) {
        state->scale = false;
        return 0;
    }
    if (state->scale)
        return 0;
    set_error(state->error, state->error_size,
              "%s:%d: the map is drawn for a %d x %d grid but the session's grid is %d x %d",
              state->source, line, rows, cols, state->rows, state->cols);
    return -ERANGE;
}

static int parse_line(struct parse_state *state, int line, char *text)
{
    char *comment = strchr(text, '#');
    if (comment)
        *comment = '\0';
    char *words[REGIONS_LINE_WORDS_MAX];
    int word_count = 0;
    char *save = NULL;
    for (char *word = strtok_r(text, " \t\r\v\f", &save); word;
         word = strtok_r(NULL, " \t\r\v\f", &save)) {
        if (word_count == REGIONS_LINE_WORDS_MAX) {
            set_error(state->error, state->error_size,
                      "%s:%d: more than %d words on one line: split the region over several lines",
                      state->source, line, REGIONS_LINE_WORDS_MAX);
            return -E2BIG;
        }
        words[word_count++] = word;
    }
    if (word_count == 0)
        return 0;
    if (strcmp(words[0], "grid") == 0)
        return parse_grid(state, line, words, word_count);
    if (state->scale && state->drawn_rows == 0) {
        /* Scaling needs to know the grid the map was drawn for. */
        set_error(state->error, state->error_size,
                  "%s:%d: a map to be scaled needs a \"grid ROWS COLS\" line before its regions",
                  state->source, line);
        return -EINVAL;
    }
    if (word_count < 2) {
        set_error(state->error, state->error_size,
                  "%s:%d: expected \"NAME rect ROWS COLS\" or \"NAME taxels ROW,COL ...\"",
                  state->source, line);
        return -EINVAL;
    }
    if (strcmp(words[1], "rect") == 0)
        return parse_rect(state, line, words, word_count);
    if (strcmp(words[1], "taxels") == 0)
        return parse_taxels(state, line, words, word_count);
    set_error(state->error, state->error_size,
              "%s:%d: unknown shape \"%s\" (expected \"rect\" or \"taxels\")", state->source, line,
              words[1]);
    return -EINVAL;
}

/* Turns region index's mask into its sorted taxel list and bounding box. */
static int finish_region(struct parse_state *state, size_t index)
{
    struct region *region = &state->map->regions[index];
    size_t taxels = (size_t)state->rows * (size_t)state->cols;
    size_t count = 0;
    for (size_t i = 0; i < taxels; i++)
        count += state->masks[index][i];
    region->taxels = malloc(count * sizeof(*region->taxels));
    if (!region->taxels) {
        set_error(state->error, state->error_size, "%s: out of memory", state->source);
        return -ENOMEM;
    }
    region->first_row = state->rows;
    region->first_col = state->cols;
    region->last_row = region->last_col = -1;
    for (size_t i = 0; i < taxels; i++) {
        if (!state->masks[index][i])
            continue;
        int row = (int)(i / (size_t)state->cols), col = (int)(i % (size_t)state->cols);
        region->taxels[region->taxel_count++] = (uint32_t)i;
        region->first_row = row < region->first_row ? row : region->first_row;
        region->last_row = row > region->last_row ? row : region->last_row;
        region->first_col = col < region->first_col ? col : region->first_col;
        region->last_col = col > region->last_col ? col : region->last_col;
    }
    return 0;
}

int regions_parse(const char *text, size_t length, const char *source, int rows, int cols,
                  bool scale, struct region_map **out, char *error, size_t error_size)
{
    struct parse_state state = {.source = source,
                                .rows = rows,
                                .cols = cols,
                                .scale = scale,
                                .error = error,
                                .error_size = error_size};
    char *copy = NULL;
    int r = 0;
    if (rows < 1 || cols < 1) {
        set_error(error, error_size, "%s: no grid to place regions on", source);
        return -EINVAL;
    }
    state.map = calloc(1, sizeof(*state.map));
    copy = malloc(length + 1);
    if (!state.map || !copy) {
        set_error(error, error_size, "%s: out of memory", source);
        r = -ENOMEM;
        goto out;
    }
    state.map->rows = rows;
    state.map->cols = cols;
    memcpy(copy, text, length);
    copy[length] = '\0';
    if (memchr(copy, '\0', length)) {
        set_error(error, error_size, "%s: not a text file (it contains NUL bytes)", source);
        r = -EINVAL;
        goto out;
    }
    int line = 1;
    for (char *start = copy; start && r == 0; line++) {
        char *newline = strchr(start, '\n');
        if (newline)
            *newline = '\0';
        r = parse_line(&state, line, start);
        start = newline ? newline + 1 : NULL;
    }
    if (r == 0 && state.map->count == 0) {
        set_error(error, error_size, "%s: no regions defined", source);
        r = -EINVAL;
    }
    for (size_t i = 0; r == 0 && i < state.map->count; i++)
        r = finish_region(&state, i);
    state.map->scaled = state.scale;
out:
    for (size_t i = 0; i < REGIONS_MAX; i++)
        free(state.masks[i]);
    free(copy);
    if (r < 0) {
        regions_free(state.map);
        return r;
    }
    *out = state.map;
    return 0;
}

int regions_load(const char *path, int rows, int cols, struct region_map **out, char *error,
                 size_t error_size)
{
    char *text = NULL;
    size_t length = 0;
    int r = 0;
    FILE *file = fopen(path, "rb");
    if (!file) {
        r = -errno;
        set_error(error, error_size, "%s: cannot open the regions file: %s", path, strerror(-r));
        return r;
    }
    text = malloc(REGIONS_FILE_MAX);
    if (!text) {
        set_error(error, error_size, "%s: out of memory", path);
        r = -ENOMEM;
        goto out;
    }
    length = fread(text, 1, REGIONS_FILE_MAX, file);
    if (ferror(file)) {
        r = -EIO;
        set_error(error, error_size, "%s: cannot read the regions file", path);
        goto out;
    }
    if (length == REGIONS_FILE_MAX) {
        r = -EFBIG;
        set_error(error, error_size, "%s: larger than %d MiB: not a regions file", path,
                  REGIONS_FILE_MAX >> 20);
        goto out;
    }
    r = regions_parse(text, length, path, rows, cols, false, out, error, error_size);
out:
    free(text);
    fclose(file);
    return r;
}

int regions_load_default(int rows, int cols, struct region_map **out, char *error,
                         size_t error_size)
{
    return regions_parse(regions_default_text, regions_default_length,
                         "analysis/default_regions.txt", rows, cols, true, out, error, error_size);
}

int regions_find(const struct region_map *map, const char *name)
{
    for (size_t i = 0; i < map->count; i++)
        if (strcmp(map->regions[i].name, name) == 0)
            return (int)i;
    return -1;
}

int regions_select(struct region_map *map, const char *names, char *error, size_t error_size)
{
    bool keep[REGIONS_MAX] = {false};
    const char *start = names;
    if (!*names) {
        snprintf(error, error_size, "no region named: give names separated by commas");
        return -EINVAL;
    }
    while (*start) {
        size_t length = strcspn(start, ",");
        char name[REGIONS_NAME_MAX + 1] = "";
        if (length <= REGIONS_NAME_MAX)
            memcpy(name, start, length);
        name[length <= REGIONS_NAME_MAX ? length : 0] = '\0';
        int index = name[0] ? regions_find(map, name) : -1;
        if (index < 0) {
            size_t used = (size_t)snprintf(
                error, error_size, "unknown region \"%.*s\"; the regions are:", (int)length, start);
            for (size_t i = 0; i < map->count && used < error_size; i++)
                used +=
                    (size_t)snprintf(error + used, error_size - used, " %s", map->regions[i].name);
            return -ENOENT;
        }
        keep[index] = true;
        start += length + (start[length] == ',');
    }
    size_t kept = 0;
    for (size_t i = 0; i < map->count; i++) {
        if (!keep[i]) {
            free(map->regions[i].taxels);
            continue;
        }
        map->regions[kept++] = map->regions[i];
    }
    map->count = kept;
    return 0;
}

void regions_free(struct region_map *map)
{
    if (!map)
        return;
    for (size_t i = 0; i < map->count; i++)
        free(map->regions[i].taxels);
    free(map);
}
