/*
 * pliance_asc.h - novel pliance's ASCII export, one frame at a time, its
 * sensors placed on a grid by their positions (the format as found:
 * pliance_asc.c).
 */
#ifndef MTABLE_PLIANCE_ASC_H
#define MTABLE_PLIANCE_ASC_H

#include <stddef.h>
#include <stdint.h>

#include "vendor_export.h"

/* An open pliance export. */
struct pliance_asc;

/*
 * Opens path, reads its header and its sensor table (at the end of the
 * file), and fills info. Returns 0 and sets *out, or a negative errno with
 * "FILE:LINE: message" in error.
 */
int pliance_asc_open(const char *path, struct pliance_asc **out, struct vendor_export_info *info,
                     char *error, size_t error_size);

/* Reads the next frame as counts and its time (the file's, in us): 1, 0 at the end, or < 0. */
int pliance_asc_next(struct pliance_asc *export, uint16_t *counts, uint64_t *time_us, char *error,
                     size_t error_size);

/* Closes the export (NULL is allowed). */
void pliance_asc_close(struct pliance_asc *export);

#endif
