/*
 * iscan_csv.h - Tekscan I-Scan's ASCII movie export, one frame at a time
 * (the format as found: iscan_csv.c).
 */
#ifndef MTABLE_ISCAN_CSV_H
#define MTABLE_ISCAN_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "vendor_export.h"

/* An open I-Scan export. */
struct iscan_csv;

/*
 * Opens path and reads its header into info. Returns 0 and sets *out, or a
 * negative errno with "FILE:LINE: message" in error.
 */
int iscan_csv_open(const char *path, struct iscan_csv **out, struct vendor_export_info *info,
                   char *error, size_t error_size);

/* Reads the next frame as counts and its time (the file's, in us): 1, 0 at the end, or < 0. */
int iscan_csv_next(struct iscan_csv *export, uint16_t *counts, uint64_t *time_us, char *error,
                   size_t error_size);

/* Closes the export (NULL is allowed). */
void iscan_csv_close(struct iscan_csv *export);

#endif
