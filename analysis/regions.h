/*
 * regions.h - named regions of the taxel grid, read from a regions file.
 *
 * A regions file (format in analysis/METRICS.md, "Regions file") names sets
 * of taxels: rectangles and explicit taxel lists. A map is parsed for one
 * grid; every taxel must lie on it. Regions keep the order in which their
 * names first appear; they may overlap, and each is evaluated on its own.
 *
 *   struct region_map
 *   +------+------+-------+----------------------------------------------+
 *   | rows | cols | count | regions[0..count): name, taxels[] (ascending |
 *   |      |      |       | row * cols + col, no duplicates), bounds     |
 *   +------+------+-------+----------------------------------------------+
 *
 * The default map (analysis/default_regions.txt, compiled in) is drawn for
 * the 64 x 32 table; for another grid it is scaled proportionally.
 * Errors are negative errno values with a message "FILE:LINE: what is wrong"
 * written to the caller's buffer; nothing is printed.
 */
#ifndef MTABLE_REGIONS_H
#define MTABLE_REGIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Most regions in a map: the set of active regions is a 64-bit mask. */
#define REGIONS_MAX 64

/* Longest region name, in bytes (keeps CSV headers and labels readable). */
#define REGIONS_NAME_MAX 32

/* Room for an error message: file name, line and explanation. */
#define REGIONS_ERROR_SIZE 512

/* One named set of taxels. */
struct region {
    char name[REGIONS_NAME_MAX + 1];
    uint32_t *taxels;   /* taxel indices row * cols + col, ascending, no duplicates */
    size_t taxel_count; /* at least 1 */
    int first_row, last_row, first_col, last_col; /* bounding box, inclusive */
};

/* A set of regions on one grid, in file order. */
struct region_map {
    int rows, cols;
    bool scaled; /* ranges were scaled from the grid the file is drawn for */
    size_t count;
    struct region regions[REGIONS_MAX];
};

/* The default map's text (analysis/default_regions.txt, compiled in). */
extern const char regions_default_text[];

/* Length of regions_default_text in bytes. */
extern const size_t regions_default_length;

/*
 * Parses a regions file's text for a rows x cols grid. source names the
 * text in messages. A "grid" line that differs from rows x cols is an error
 * unless scale is true, when every range is scaled proportionally instead.
 */
int regions_parse(const char *text, size_t length, const char *source, int rows, int cols,
                  bool scale, struct region_map **out, char *error, size_t error_size);

/* Reads and parses the regions file at path for a rows x cols grid. */
int regions_load(const char *path, int rows, int cols, struct region_map **out, char *error,
                 size_t error_size);

/* Parses the default map for a rows x cols grid, scaled if it is drawn for another. */
int regions_load_default(int rows, int cols, struct region_map **out, char *error,
                         size_t error_size);

/*
 * Keeps only the regions named in names (comma-separated), in map order.
 * An unknown name is an error (-ENOENT) and leaves the map unchanged.
 */
int regions_select(struct region_map *map, const char *names, char *error, size_t error_size);

/* Index of the region called name, or -1. */
int regions_find(const struct region_map *map, const char *name);

/* Frees a map from regions_parse, regions_load or regions_load_default. */
void regions_free(struct region_map *map);

#endif
