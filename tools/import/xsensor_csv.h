/*
 * xsensor_csv.h - XSENSOR Pro's CSV export, one sensor's frames at a time
 * (the format as found: xsensor_csv.c).
 */
#ifndef MTABLE_XSENSOR_CSV_H
#define MTABLE_XSENSOR_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "vendor_export.h"

/* An open XSENSOR export. */
struct xsensor_csv;

/*
 * Opens path, reads its header and its first frame, and fills info for
 * sensor (from 1; 0: the first) of the frames. Returns 0 and sets *out, or
 * a negative errno with "FILE:LINE: message" in error.
 */
int xsensor_csv_open(const char *path, int sensor, struct xsensor_csv **out,
                     struct vendor_export_info *info, char *error, size_t error_size);

/* Reads the sensor's next frame as counts, its time after the first frame's: 1, 0, or < 0. */
int xsensor_csv_next(struct xsensor_csv *export, uint16_t *counts, uint64_t *time_us, char *error,
                     size_t error_size);

/* Closes the export (NULL is allowed). */
void xsensor_csv_close(struct xsensor_csv *export);

#endif
