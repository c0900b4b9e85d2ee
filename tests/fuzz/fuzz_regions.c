/*
 * fuzz_regions.c - the analysis regions parser on arbitrary text.
 *
 * The first two input bytes choose the grid (1..64 rows, 1..64 columns)
 * and whether a differing "grid" line is scaled, the rest is the file. A
 * parsed map must keep the promises of analysis/regions.h: every region
 * non-empty, taxels on the grid, ascending and unique, inside its bounding
 * box; a refused file must come with a message naming the source.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "regions.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_map(const struct region_map *map, int rows, int cols)
{
    if (map->count > REGIONS_MAX || map->rows != rows || map->cols != cols)
        abort();
    for (size_t r = 0; r < map->count; r++) {
        const struct region *region = &map->regions[r];
        if (region->taxel_count == 0 || region->name[0] == '\0')
            abort();
        for (size_t i = 0; i < region->taxel_count; i++) {
            uint32_t taxel = region->taxels[i];
            int row = (int)(taxel / (uint32_t)cols), col = (int)(taxel % (uint32_t)cols);
            if (taxel >= (uint32_t)(rows * cols) || (i > 0 && taxel <= region->taxels[i - 1]) ||
                row < region->first_row || row > region->last_row || col < region->first_col ||
                col > region->last_col)
                abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    int rows = 1 + data[0] % 64, cols = 1 + (data[1] & 63);
    bool scale = (data[1] & 64) != 0;
    struct region_map *map = NULL;
    char error[REGIONS_ERROR_SIZE] = "";
    if (regions_parse((const char *)data + 2, size - 2, "fuzz.regions", rows, cols, scale, &map,
                      error, sizeof(error)) == 0) {
        check_map(map, rows, cols);
        regions_free(map);
    } else if (strncmp(error, "fuzz.regions", strlen("fuzz.regions")) != 0) {
        abort();
    }
    return 0;
}
