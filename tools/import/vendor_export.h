/*
 * vendor_export.h - recordings exported by commercial pressure-mapping
 * software, whatever the format: which format a file is in (from its
 * first line), what it says about its recording, and its frames one at a
 * time as the 16-bit counts of a session (export_text.h gives the scale).
 *
 *   format       software                        parser
 *   xsensor      XSENSOR Pro, CSV export         xsensor_csv.c
 *   iscan        Tekscan I-Scan, ASCII movie     iscan_csv.c
 *   pliance      novel pliance, ASCII export     pliance_asc.c
 *   pmat         PhysioNet PmatData text         pmat_text.c (main.c reads it itself)
 *
 * Frame times are microseconds after start_time_ns, as the file gives
 * them; a frame's clock time is start_time_ns + 1000 * time_us.
 */
#ifndef MTABLE_VENDOR_EXPORT_H
#define MTABLE_VENDOR_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "export_text.h"
#include "packet.h"
#include "session_file.h"

/* The formats mtable-import reads. */
enum vendor_format {
    VENDOR_FORMAT_PMAT,
    VENDOR_FORMAT_XSENSOR,
    VENDOR_FORMAT_ISCAN,
    VENDOR_FORMAT_PLIANCE,
};

/* What an export says about its recording: known once it is open. */
struct vendor_export_info {
    int rows, cols;                      /* grid of the session */
    double row_pitch_mm, col_pitch_mm;   /* sensel centre to centre */
    enum export_unit unit;               /* of the values in the file */
    int adc_bits;                        /* bits of the stored counts */
    double frame_rate_hz;                /* as the file states it; 0: it states none */
    bool has_start_time;                 /* the file gives the clock time of time 0 */
    int64_t start_time_ns;               /* that time (the file's clock, taken as UTC) */
    char subject[SESSION_ID_MAX + 1];    /* the recording's name in the vendor software, or "" */
    char serial[PACKET_SERIAL_SIZE + 1]; /* the sensor's serial or type, or "" */
    char sensor[SESSION_LABEL_MAX + 1];  /* which of the file's sensors this is, or "" */
    double threshold;                    /* the vendor's contact threshold in unit; 0: none */
    unsigned outside_taxels;             /* grid cells with no sensel, stored as 0 */
};

/* An open export. */
struct vendor_export;

/*
 * Tells a file's format from its first non-blank line: "File:" or "FRAME"
 * as its first CSV field (XSENSOR), "DATA_TYPE" (I-Scan), "file name:"
 * (pliance), numbers (PmatData). A blank file is taken for PmatData.
 * Returns 0, or -EINVAL with "FILE:LINE: message" in error.
 */
int vendor_export_detect(const char *path, enum vendor_format *format, char *error,
                         size_t error_size);

/* Reads a format's name (xsensor, iscan, pliance, pmat). 0, or -EINVAL. */
int vendor_export_format_parse(const char *name, enum vendor_format *format);

/* The name of a format, as --format takes it. */
const char *vendor_export_format_name(enum vendor_format format);

/*
 * Opens an export of format (not VENDOR_FORMAT_PMAT) and reads its
 * header. sensor picks one sensor of a file that holds several (from 1;
 * 0: the first); -EINVAL for a format with one. Returns 0 and sets *out
 * and *info, or a negative errno with "FILE:LINE: message" in error.
 */
int vendor_export_open(const char *path, enum vendor_format format, int sensor,
                       struct vendor_export **out, struct vendor_export_info *info, char *error,
                       size_t error_size);

/*
 * Reads the next frame: rows x cols counts (row-major) and its time.
 * Returns 1, 0 at the end, or a negative errno with "FILE:LINE: message"
 * in error.
 */
int vendor_export_next(struct vendor_export *export, uint16_t *counts, uint64_t *time_us,
                       char *error, size_t error_size);

/* Closes an export (NULL is allowed). */
void vendor_export_close(struct vendor_export *export);

/*
 * The session calibration of unit's fixed scale, linear through 0: the
 * points (0, 0) and (65535, 65535 * step in kPa), as (counts, kPa) pairs.
 * Not for EXPORT_UNIT_RAW.
 */
void vendor_export_calibration(enum export_unit unit, double points[4]);

#endif
