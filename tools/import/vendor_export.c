/*
 * vendor_export.c - telling the formats apart, and handing each call to
 * the format's parser.
 */
#include "vendor_export.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "iscan_csv.h"
#include "pliance_asc.h"
#include "pressure.h"
#include "xsensor_csv.h"

struct vendor_export {
    enum vendor_format format;
    struct xsensor_csv *xsensor;
    struct iscan_csv *iscan;
    struct pliance_asc *pliance;
};

/* Names of the formats, by enum vendor_format. */
static const char *const FORMAT_NAMES[] = {"pmat", "xsensor", "iscan", "pliance"};

int vendor_export_detect(const char *path, enum vendor_format *format, char *error,
                         size_t error_size)
{
    struct export_text text;
    int r = export_text_open(path, &text, error, error_size);
    if (r < 0)
        return r;
    while ((r = export_text_read(&text, error, error_size)) > 0 && export_text_blank(text.buffer))
        ;
    const char *line = text.buffer;
    if (r == 0 || (r > 0 && strchr("0123456789", line[strspn(line, " \t")])))
        *format = VENDOR_FORMAT_PMAT;
    else if (r > 0 && (strncmp(line, "File:,", 6) == 0 || strncmp(line, "FRAME,", 6) == 0))
        *format = VENDOR_FORMAT_XSENSOR;
    else if (r > 0 && strncmp(line, "DATA_TYPE", 9) == 0)
        *format = VENDOR_FORMAT_ISCAN;
    else if (r > 0 && strncmp(line, "file name:", 10) == 0)
        *format = VENDOR_FORMAT_PLIANCE;
    else if (r > 0)
        r = export_text_fail(&text, error, error_size, -EINVAL,
                             "not a format mtable-import reads (PmatData text, XSENSOR CSV, "
                             "I-Scan ASCII movie, pliance ASCII): see --format");
    export_text_close(&text);
    return r < 0 ? r : 0;
}

int vendor_export_format_parse(const char *name, enum vendor_format *format)
{
    for (size_t i = 0; i < sizeof(FORMAT_NAMES) / sizeof(FORMAT_NAMES[0]); i++)
        if (strcasecmp(name, FORMAT_NAMES[i]) == 0) {
            *format = (enum vendor_format)i;
            return 0;
        }
    return -EINVAL;
}

const char *vendor_export_format_name(enum vendor_format format)
{
    return FORMAT_NAMES[format];
}

int vendor_export_open(const char *path, enum vendor_format format, int sensor,
                       struct vendor_export **out, struct vendor_export_info *info, char *error,
                       size_t error_size)
{
    if (format == VENDOR_FORMAT_PMAT) {
        snprintf(error, error_size, "%s: PmatData text is not a vendor export", path);
        return -EINVAL;
    }
    if (sensor > 0 && format != VENDOR_FORMAT_XSENSOR) {
        snprintf(error, error_size, "%s: a sensor is chosen only in xsensor exports, not %s", path,
                 FORMAT_NAMES[format]);
        return -EINVAL;
    }
    struct vendor_export *export = calloc(1, sizeof(*export));
    if (!export) {
        snprintf(error, error_size, "%s: out of memory", path);
        return -ENOMEM;
    }
    export->format = format;
    int r = format == VENDOR_FORMAT_XSENSOR
                ? xsensor_csv_open(path, sensor, &export->xsensor, info, error, error_size)
            : format == VENDOR_FORMAT_ISCAN
                ? iscan_csv_open(path, &export->iscan, info, error, error_size)
                : pliance_asc_open(path, &export->pliance, info, error, error_size);
    if (r < 0) {
        free(export);
        return r;
    }
    *out = export;
    return 0;
}

int vendor_export_next(struct vendor_export *export, uint16_t *counts, uint64_t *time_us,
                       char *error, size_t error_size)
{
    switch (export->format) {
    case VENDOR_FORMAT_XSENSOR:
        return xsensor_csv_next(export->xsensor, counts, time_us, error, error_size);
    case VENDOR_FORMAT_ISCAN:
        return iscan_csv_next(export->iscan, counts, time_us, error, error_size);
    case VENDOR_FORMAT_PLIANCE:
        return pliance_asc_next(export->pliance, counts, time_us, error, error_size);
    case VENDOR_FORMAT_PMAT:
        break;
    }
    return -EINVAL;
}

void vendor_export_close(struct vendor_export *export)
{
    if (!export)
        return;
    xsensor_csv_close(export->xsensor);
    iscan_csv_close(export->iscan);
    pliance_asc_close(export->pliance);
    free(export);
}

void vendor_export_calibration(enum export_unit unit, double points[4])
{
    double kpa_per_count = unit == EXPORT_UNIT_MMHG
                               ? EXPORT_TEXT_MMHG_PER_COUNT / PRESSURE_MMHG_PER_KPA
                               : EXPORT_TEXT_KPA_PER_COUNT;
    points[0] = 0;
    points[1] = 0;
    points[2] = UINT16_MAX;
    points[3] = UINT16_MAX * kpa_per_count;
}
