/*
 * results_hdf5.c - writing results.h5.
 *
 * Series columns are chunked, extendible 1-D datasets; rows are buffered
 * SERIES_BUFFER at a time (one buffer per column below) and appended with
 * one H5Dwrite per column.
 */
#include "results_hdf5.h"

#include <errno.h>
#include <hdf5.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hdf5_error.h"

/* Rows buffered per series column, and the columns' chunk length. */
#define SERIES_BUFFER 8192

/* The series columns, as in series.csv. */
enum series_column {
    COLUMN_FRAME,
    COLUMN_SEQUENCE,
    COLUMN_TIME,
    COLUMN_DURATION,
    COLUMN_TOTAL_LOAD,
    COLUMN_CONTACT_TAXELS,
    COLUMN_CONTACT_AREA,
    COLUMN_COP_ROW,
    COLUMN_COP_COL,
    COLUMN_APPLIED_TOTAL,
    COLUMN_APPLIED_PEAK,
    COLUMN_ACTIVE_REGIONS,
    COLUMNS,
};

static const char *const column_names[COLUMNS] = {
    "frame",      "sequence",       "time_s",           "duration_s",
    "total_load", "contact_taxels", "contact_area_cm2", "cop_row",
    "cop_col",    "applied_total",  "applied_peak",     "active_regions"};

struct results_hdf5 {
    hid_t file;
    hid_t columns[COLUMNS];
    uint64_t written; /* rows in the file */
    size_t buffered;  /* rows in the buffers */
    /* One buffer per column type: 8-byte values, converted by HDF5 on write. */
    uint64_t unsigned_rows[3][SERIES_BUFFER]; /* frame, contact_taxels, active_regions */
    uint32_t sequence_rows[SERIES_BUFFER];
    double real_rows[8][SERIES_BUFFER]; /* the real-valued columns, in order */
};

static int set_error(char *error, size_t size, const char *action)
{
    char cause[256];
    hdf5_error_take(cause, sizeof(cause));
    snprintf(error, size, "%s: %s", action, cause);
    return -EIO;
}

static hid_t column_type(int column)
{
    switch (column) {
    case COLUMN_FRAME:
    case COLUMN_ACTIVE_REGIONS:
        return H5T_STD_U64LE;
    case COLUMN_SEQUENCE:
    case COLUMN_CONTACT_TAXELS:
        return H5T_STD_U32LE;
    default:
        return H5T_IEEE_F64LE;
    }
}

int results_hdf5_create(const char *path, struct results_hdf5 **out, char *error, size_t error_size)
{
    struct results_hdf5 *r = calloc(1, sizeof(*r));
    if (!r)
        return -ENOMEM;
    for (int c = 0; c < COLUMNS; c++)
        r->columns[c] = H5I_INVALID_HID;
    int result = 0;
    hid_t series = H5I_INVALID_HID, space = H5I_INVALID_HID, creation = H5I_INVALID_HID;
    hid_t access = H5I_INVALID_HID, file_access = H5Pcreate(H5P_FILE_ACCESS);
    /* The HDF5 1.10 file format (session files need 1.10 readers too): its
     * chunk index (an extensible array) keeps the memory of the growing
     * series near constant, where the 1.8 format's B-trees took hundreds of
     * kilobytes more at a time as an hour-long series grew. */
    if (file_access >= 0 &&
        H5Pset_libver_bounds(file_access, H5F_LIBVER_V110, H5F_LIBVER_V110) >= 0)
        r->file = H5Fcreate(path, H5F_ACC_EXCL, H5P_DEFAULT, file_access);
    else
        r->file = H5I_INVALID_HID;
    if (file_access >= 0)
        H5Pclose(file_access);
    if (r->file < 0) {
        result = set_error(error, error_size, "cannot create results.h5");
        goto out;
    }
    hsize_t zero = 0, unlimited = H5S_UNLIMITED, chunk = SERIES_BUFFER;
    series = H5Gcreate2(r->file, "series", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    space = H5Screate_simple(1, &zero, &unlimited);
    creation = H5Pcreate(H5P_DATASET_CREATE);
    /* Not compressed: deflating 12 columns of an hour would cost more than the analysis. */
    /* Whole chunks are written at once: a chunk cache would only keep up to
     * 1 MiB per column of finished chunks in memory. */
    access = H5Pcreate(H5P_DATASET_ACCESS);
    if (series < 0 || space < 0 || creation < 0 || access < 0 ||
        H5Pset_chunk(creation, 1, &chunk) < 0 ||
        H5Pset_chunk_cache(access, H5D_CHUNK_CACHE_NSLOTS_DEFAULT, 0, H5D_CHUNK_CACHE_W0_DEFAULT) <
            0) {
        result = set_error(error, error_size, "cannot set up results.h5");
        goto out;
    }
    for (int c = 0; c < COLUMNS; c++) {
        r->columns[c] = H5Dcreate2(series, column_names[c], column_type(c), space, H5P_DEFAULT,
                                   creation, access);
        if (r->columns[c] < 0) {
            result = set_error(error, error_size, "cannot create the series in results.h5");
            goto out;
        }
    }
out:
    if (access >= 0)
        H5Pclose(access);
    if (creation >= 0)
        H5Pclose(creation);
    if (space >= 0)
        H5Sclose(space);
    if (series >= 0)
        H5Gclose(series);
    if (result < 0) {
        results_hdf5_discard(r);
        return result;
    }
    *out = r;
    return 0;
}

/* Appends the buffered rows to every column. */
static int flush_series(struct results_hdf5 *r)
{
    if (r->buffered == 0)
        return 0;
    hsize_t start = r->written, count = r->buffered, total = r->written + r->buffered;
    int result = 0;
    int real = 0, whole = 0;
    for (int c = 0; c < COLUMNS && result == 0; c++) {
        const void *data;
        hid_t memory_type;
        if (c == COLUMN_SEQUENCE) {
            data = r->sequence_rows;
            memory_type = H5T_NATIVE_UINT32;
        } else if (c == COLUMN_FRAME || c == COLUMN_CONTACT_TAXELS || c == COLUMN_ACTIVE_REGIONS) {
            data = r->unsigned_rows[whole++];
            memory_type = H5T_NATIVE_UINT64;
        } else {
            data = r->real_rows[real++];
            memory_type = H5T_NATIVE_DOUBLE;
        }
        hid_t file_space = H5I_INVALID_HID, memory_space = H5Screate_simple(1, &count, NULL);
        if (H5Dset_extent(r->columns[c], &total) < 0 ||
            (file_space = H5Dget_space(r->columns[c])) < 0 ||
            H5Sselect_hyperslab(file_space, H5S_SELECT_SET, &start, NULL, &count, NULL) < 0 ||
            H5Dwrite(r->columns[c], memory_type, memory_space, file_space, H5P_DEFAULT, data) < 0)
            result = -EIO;
        if (file_space >= 0)
            H5Sclose(file_space);
        if (memory_space >= 0)
            H5Sclose(memory_space);
    }
    r->written = total;
    r->buffered = 0;
    return result;
}

int results_hdf5_append(struct results_hdf5 *r, uint64_t index, const struct metrics_frame *row)
{
    size_t i = r->buffered++;
    r->unsigned_rows[0][i] = index;
    r->unsigned_rows[1][i] = row->contact_taxels;
    r->unsigned_rows[2][i] = row->active_regions;
    r->sequence_rows[i] = row->sequence;
    const double reals[8] = {row->time_s,           row->duration_s,  row->total_load,
                             row->contact_area_cm2, row->cop_row,     row->cop_col,
                             row->applied_total,    row->applied_peak};
    for (int c = 0; c < 8; c++)
        r->real_rows[c][i] = reals[c];
    return r->buffered == SERIES_BUFFER ? flush_series(r) : 0;
}

/* Writes a 1-D or 2-D or 3-D dataset at path (relative to location) from memory. */
static int write_array(hid_t location, const char *name, hid_t file_type, hid_t memory_type,
                       int rank, const hsize_t *dims, const void *data, const char *units)
{
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t dataset = space >= 0 ? H5Dcreate2(location, name, file_type, space, H5P_DEFAULT,
                                            H5P_DEFAULT, H5P_DEFAULT)
                               : H5I_INVALID_HID;
    int result =
        dataset >= 0 && H5Dwrite(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0
            ? 0
            : -EIO;
    if (result == 0 && units) {
        hid_t type = H5Tcopy(H5T_C_S1), scalar = H5Screate(H5S_SCALAR);
        hid_t attribute = H5I_INVALID_HID;
        if (type < 0 || scalar < 0 || H5Tset_size(type, H5T_VARIABLE) < 0 ||
            H5Tset_cset(type, H5T_CSET_UTF8) < 0 ||
            (attribute = H5Acreate2(dataset, "units", type, scalar, H5P_DEFAULT, H5P_DEFAULT)) <
                0 ||
            H5Awrite(attribute, type, &units) < 0)
            result = -EIO;
        if (attribute >= 0)
            H5Aclose(attribute);
        if (scalar >= 0)
            H5Sclose(scalar);
        if (type >= 0)
            H5Tclose(type);
    }
    if (dataset >= 0)
        H5Dclose(dataset);
    if (space >= 0)
        H5Sclose(space);
    return result;
}

static int write_string_attribute(hid_t object, const char *name, const char *value)
{
    hid_t type = H5Tcopy(H5T_C_S1), space = H5Screate(H5S_SCALAR);
    hid_t attribute = H5I_INVALID_HID;
    int result = type >= 0 && space >= 0 && H5Tset_size(type, H5T_VARIABLE) >= 0 &&
                         H5Tset_cset(type, H5T_CSET_UTF8) >= 0 &&
                         (attribute = H5Acreate2(object, name, type, space, H5P_DEFAULT,
                                                 H5P_DEFAULT)) >= 0 &&
                         H5Awrite(attribute, type, &value) >= 0
                     ? 0
                     : -EIO;
    if (attribute >= 0)
        H5Aclose(attribute);
    if (space >= 0)
        H5Sclose(space);
    if (type >= 0)
        H5Tclose(type);
    return result;
}

static int write_double_attribute(hid_t object, const char *name, double value)
{
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t attribute =
        space >= 0 ? H5Acreate2(object, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT)
                   : H5I_INVALID_HID;
    int result = attribute >= 0 && H5Awrite(attribute, H5T_NATIVE_DOUBLE, &value) >= 0 ? 0 : -EIO;
    if (attribute >= 0)
        H5Aclose(attribute);
    if (space >= 0)
        H5Sclose(space);
    return result;
}

static int write_heatmaps(hid_t file, const struct analysis_outcome *o)
{
    const char *unit = pressure_unit_name(o->unit);
    char integral_unit[32];
    snprintf(integral_unit, sizeof(integral_unit), "%s*s", unit);
    hsize_t dims[2] = {(hsize_t)o->metadata->rows, (hsize_t)o->metadata->cols};
    int result = 0;
    hid_t heatmaps = H5Gcreate2(file, "heatmaps", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    for (int applied = 0; heatmaps >= 0 && applied < 2 && result == 0; applied++) {
        hid_t group = H5Gcreate2(heatmaps, applied ? "applied" : "raw", H5P_DEFAULT, H5P_DEFAULT,
                                 H5P_DEFAULT);
        for (int kind = 0; group >= 0 && kind < HEATMAP_KINDS && result == 0; kind++) {
            const char *units = kind == HEATMAP_TIME_ABOVE ? "s"
                                : kind == HEATMAP_INTEGRAL ? integral_unit
                                                           : unit;
            result =
                write_array(group, metrics_heatmap_name((enum heatmap_kind)kind), H5T_IEEE_F64LE,
                            H5T_NATIVE_DOUBLE, 2, dims,
                            metrics_heatmap(o->metrics, (enum heatmap_kind)kind, applied), units);
        }
        if (group < 0)
            result = -EIO;
        else
            H5Gclose(group);
    }
    if (heatmaps < 0)
        return -EIO;
    H5Gclose(heatmaps);
    return result;
}

static int write_regions(hid_t file, const struct analysis_outcome *o)
{
    size_t count = o->regions->count;
    size_t taxels = (size_t)o->metadata->rows * (size_t)o->metadata->cols;
    hsize_t dims[3] = {count, (hsize_t)o->metadata->rows, (hsize_t)o->metadata->cols};
    const char **names = calloc(count + 1, sizeof(*names));
    double(*reals)[6] = calloc(count + 1, sizeof(*reals));
    uint64_t(*whole)[2] = calloc(count + 1, sizeof(*whole));
    uint8_t *mask = calloc(count * taxels + 1, 1);
    hid_t group = H5Gcreate2(file, "regions", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t string = H5Tcopy(H5T_C_S1);
    int result = names && reals && whole && mask && group >= 0 && string >= 0 &&
                         H5Tset_size(string, H5T_VARIABLE) >= 0 &&
                         H5Tset_cset(string, H5T_CSET_UTF8) >= 0
                     ? 0
                     : -EIO;
    double *columns = NULL;
    if (result == 0) {
        for (size_t r = 0; r < count; r++) {
            const struct region *region = &o->regions->regions[r];
            const struct metrics_region *m = metrics_region_result(o->metrics, r);
            names[r] = region->name;
            whole[r][0] = region->taxel_count;
            whole[r][1] = m->visits;
            double values[6] = {m->dwell_s,      m->longest_visit_s, m->mean_applied,
                                m->peak_applied, m->integral,        0};
            memcpy(reals[r], values, sizeof(values));
            for (size_t i = 0; i < region->taxel_count; i++)
                mask[r * taxels + region->taxels[i]] = 1;
        }
        result = write_array(group, "name", string, string, 1, dims, names, NULL);
    }
    /* Columns from the row-major arrays above. */
    static const char *const real_names[5] = {"dwell_s", "longest_visit_s", "mean_applied",
                                              "peak_applied", "integral"};
    columns = malloc((count + 1) * sizeof(double));
    uint64_t *whole_column = malloc((count + 1) * sizeof(uint64_t));
    for (int c = 0; c < 5 && result == 0 && columns; c++) {
        for (size_t r = 0; r < count; r++)
            columns[r] = reals[r][c];
        result = write_array(group, real_names[c], H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, dims,
                             columns, NULL);
    }
    for (int c = 0; c < 2 && result == 0 && whole_column; c++) {
        for (size_t r = 0; r < count; r++)
            whole_column[r] = whole[r][c];
        result = write_array(group, c == 0 ? "taxels" : "visits", H5T_STD_U64LE, H5T_NATIVE_UINT64,
                             1, dims, whole_column, NULL);
    }
    if (result == 0 && (!columns || !whole_column))
        result = -ENOMEM;
    if (result == 0)
        result = write_array(group, "mask", H5T_STD_U8LE, H5T_NATIVE_UINT8, 3, dims, mask, NULL);
    free(columns);
    free(whole_column);
    if (string >= 0)
        H5Tclose(string);
    if (group >= 0)
        H5Gclose(group);
    free(names);
    free(reals);
    free(whole);
    free(mask);
    return result;
}

static int write_visits(hid_t file, const struct analysis_outcome *o)
{
    size_t count = 0;
    const struct metrics_visit *visits = metrics_visits(o->metrics, &count);
    uint64_t *whole = malloc((count + 1) * sizeof(uint64_t));
    double *reals = malloc((count + 1) * sizeof(double));
    hid_t group = H5Gcreate2(file, "visits", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int result = whole && reals && group >= 0 ? 0 : -EIO;
    hsize_t dims[1] = {count};
    static const char *const whole_names[5] = {"region", "first_frame", "last_frame",
                                               "first_sequence", "last_sequence"};
    for (int c = 0; c < 5 && result == 0; c++) {
        for (size_t v = 0; v < count; v++) {
            const struct metrics_visit *visit = &visits[v];
            const uint64_t values[5] = {visit->region, visit->first_frame, visit->last_frame,
                                        visit->first_sequence, visit->last_sequence};
            whole[v] = values[c];
        }
        result = write_array(group, whole_names[c], H5T_STD_U64LE, H5T_NATIVE_UINT64, 1, dims,
                             whole, NULL);
    }
    static const char *const real_names[4] = {"start_s", "end_s", "dwell_s", "peak_applied"};
    for (int c = 0; c < 4 && result == 0; c++) {
        for (size_t v = 0; v < count; v++) {
            const struct metrics_visit *visit = &visits[v];
            const double values[4] = {visit->start_s, visit->end_s, visit->dwell_s,
                                      visit->peak_applied};
            reals[v] = values[c];
        }
        result = write_array(group, real_names[c], H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, dims,
                             reals, NULL);
    }
    if (group >= 0)
        H5Gclose(group);
    free(whole);
    free(reals);
    return result;
}

int results_hdf5_finish(struct results_hdf5 *r, const struct analysis_outcome *o, char *error,
                        size_t error_size)
{
    const struct metrics_totals *totals = metrics_totals(o->metrics);
    int result = flush_series(r);
    if (result == 0)
        result = write_heatmaps(r->file, o);
    if (result == 0)
        result = write_regions(r->file, o);
    if (result == 0)
        result = write_visits(r->file, o);
    if (result == 0) {
        const char *strings[][2] = {{"generator", "mtable-analyze " MTABLE_VERSION},
                                    {"session_path", o->session_path},
                                    {"session_id", o->metadata->session_id},
                                    {"pressure_units", pressure_unit_name(o->unit)},
                                    {"complete", o->complete ? "yes" : "no"}};
        for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]) && result == 0; i++)
            result = write_string_attribute(r->file, strings[i][0], strings[i][1]);
        if (result == 0)
            result = write_double_attribute(r->file, "analysed_s", totals->duration_s);
        if (result == 0)
            result = write_double_attribute(r->file, "no_region_s", totals->no_region_s);
    }
    if (result < 0)
        set_error(error, error_size, "cannot write results.h5");
    for (int c = 0; c < COLUMNS; c++) {
        if (r->columns[c] >= 0)
            H5Dclose(r->columns[c]);
        r->columns[c] = H5I_INVALID_HID;
    }
    if (H5Fclose(r->file) < 0 && result == 0)
        result = set_error(error, error_size, "cannot close results.h5");
    r->file = H5I_INVALID_HID;
    free(r);
    return result;
}

void results_hdf5_discard(struct results_hdf5 *r)
{
    if (!r)
        return;
    for (int c = 0; c < COLUMNS; c++)
        if (r->columns[c] >= 0)
            H5Dclose(r->columns[c]);
    if (r->file >= 0)
        H5Fclose(r->file);
    H5Eclear2(H5E_DEFAULT);
    free(r);
}
