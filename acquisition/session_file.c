/*
 * session_file.c - the HDF5 session file: creation, SWMR appends, closing, recovery.
 *
 * The writer compresses /frames itself. The chunk being filled lives in
 * memory already byte-shuffled, in the layout HDF5's shuffle filter gives
 * 2-byte values, with zeros where no frame has arrived yet:
 *
 *   shuffled: F frames of T taxels, low bytes first, then high bytes
 *   +------------------------------------+------------------------------------+
 *   | low(frame 0, taxels 0..T-1) ...    | high(frame 0, taxels 0..T-1) ...   |
 *   |          ... low(frame F-1)        |          ... high(frame F-1)       |
 *   +------------------------------------+------------------------------------+
 *   0                                  F * T                              2 * F * T
 *
 * A commit compresses it (libdeflate, zlib format: what HDF5's deflate
 * filter reads) and stores it with H5Dwrite_chunk, writes the buffered
 * sequence and timestamps, extends all four per-frame datasets to the
 * frames appended, and writes buffered events and markers. A commit happens
 * when the chunk is full (at the next append, so an append either adds its
 * frame or fails without adding it) and at every flush, which then calls
 * H5Fflush. The per-frame datasets bypass HDF5's chunk cache, so their
 * values reach the file before the metadata that makes them visible.
 *
 * The partly filled chunk is rewritten at each flush. Under SWMR, HDF5
 * never frees the old space of a chunk whose size changes, but rewrites a
 * chunk of unchanged size in place. So when a partial chunk is first stored
 * it reserves room for the projected full chunk, and every later version
 * that fits is padded with zeros to that size (the deflate filter ignores
 * bytes after the end of the zlib stream).
 *
 * HDF5 cannot undo a write that failed half-way, nor close a file without
 * writing its cached metadata (and when H5Fclose fails, HDF5 1.10 crashes
 * at exit). So before HDF5 writes anything, disk space is allocated past
 * its end of file (posix_fallocate): a full disk or a file size limit makes
 * that fail first, with the file unchanged. After any other failed write
 * (an I/O error) the file accepts nothing more, and closing it sends HDF5's
 * last writes to an anonymous memory file: the file stays as the last
 * successful flush left it, like after a crash, and session_file_recover
 * finishes it.
 */
#include "session_file.h"

#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <libdeflate.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hdf5_error.h"

/* Longest message kept for session_file_last_error: a path and two causes. */
#define SESSION_ERROR_SIZE 1024

/* Rows per chunk of the per-frame datasets (FILE_FORMAT.md). */
#define SERIES_CHUNK 1024

/* Rows per chunk of /link_events and /markers (FILE_FORMAT.md). */
#define TABLE_CHUNK 64

/* Bytes of a stored marker label: SESSION_LABEL_MAX plus at least one NUL. */
#define LABEL_SIZE (SESSION_LABEL_MAX + 1)

/* Bytes of a /link_events row in the file: int64, uint8 and three uint32, packed. */
#define EVENT_FILE_SIZE 21

/* Bytes of a /markers row in the file: int64, uint64 and the label, packed. */
#define MARKER_FILE_SIZE (16 + LABEL_SIZE)

/* Highest level HDF5's deflate filter accepts; only recorded, never used to decode. */
#define DEFLATE_FILTER_MAX_LEVEL 9

/* libdeflate's highest level. */
#define COMPRESSION_LEVEL_MAX 12

/*
 * Disk space kept allocated past HDF5's end of file before writing: more
 * than the metadata HDF5 adds in one commit, and than the uncompressed
 * chunk recovery may rewrite for the default chunk of the largest grid
 * (32 x 128 x 128 x 2 bytes).
 */
#define SPACE_RESERVE (UINT64_C(1) << 20)

/* Largest uncompressed chunk: HDF5 stores chunk sizes in 32 bits. */
#define CHUNK_BYTES_MAX (UINT32_C(1) << 30)

/*
 * Room reserved for a partial chunk beyond its projected full size, as a
 * fraction 1/CHUNK_RESERVE_DIVISOR. Consecutive full chunks of a steady
 * load differ by under 2.3 %; across posture changes (PmatData) 5 % of them
 * grow by more than 1/16, and each such growth leaks one reservation.
 */
#define CHUNK_RESERVE_DIVISOR 16

/* Sum of count over gap rows, and so on: the closing attributes. */
struct session_totals {
    int64_t frames_missing;
    int64_t frames_dropped;
    int64_t decode_errors;
    int64_t disconnects;
};

/* One /link_events row in memory. */
struct event_row {
    int64_t host_time_ns;
    uint8_t kind;
    uint32_t sequence;
    uint32_t count;
    uint32_t bytes;
};

/* One /markers row in memory. */
struct marker_row {
    int64_t host_time_ns;
    uint64_t frame_index;
    char label[LABEL_SIZE];
};

struct session_file {
    char *path;
    hid_t file;
    hid_t frames, sequence, device_time, host_time, link_events, markers;
    hid_t event_type, marker_type; /* memory layouts of the rows */
    unsigned rows, cols, frames_per_chunk;
    size_t taxels; /* rows * cols */

    /* The chunk being filled. */
    struct libdeflate_compressor *compressor;
    uint8_t *shuffled;          /* chunk_bytes, layout above */
    size_t chunk_bytes;         /* 2 * frames_per_chunk * taxels */
    uint8_t *compressed;        /* compressed_capacity */
    size_t compressed_capacity; /* libdeflate's bound for chunk_bytes */
    uint64_t chunk_first;       /* index of the chunk's first frame */
    unsigned chunk_frames;      /* frames in it so far */
    size_t chunk_stored;        /* bytes it occupies in the file; 0: not stored yet */
    size_t last_full_chunk;     /* compressed size of the last full chunk; 0: none yet */

    /* Frames: appended, and written (the length of the four datasets). */
    uint64_t frames_appended;
    uint64_t frames_written;
    uint32_t *pending_sequence; /* frames_per_chunk each: frames written .. appended */
    uint64_t *pending_device_time;
    int64_t *pending_host_time;

    /* Events and markers appended since the last commit. */
    struct event_row *events;
    size_t events_pending, events_capacity;
    uint64_t events_written;
    struct marker_row *marker_rows;
    size_t markers_pending, markers_capacity;
    uint64_t markers_written;

    struct session_totals totals;
    int failure; /* 0, or the error of a failed write: the file takes nothing more */
};

/* Names of enum link_event_kind in the file (FILE_FORMAT.md, link_events). */
static const char *const EVENT_KIND_NAMES[LINK_EVENT_KIND_MAX + 1] = {
    [LINK_EVENT_GAP] = "gap",
    [LINK_EVENT_DROP] = "drop",
    [LINK_EVENT_FRAMING] = "framing_error",
    [LINK_EVENT_TRUNCATED] = "truncated",
    [LINK_EVENT_CRC] = "crc_error",
    [LINK_EVENT_VERSION] = "bad_version",
    [LINK_EVENT_TYPE] = "unknown_type",
    [LINK_EVENT_LENGTH] = "bad_length",
    [LINK_EVENT_FIELD] = "bad_field",
    [LINK_EVENT_OVERSIZE] = "oversize",
    [LINK_EVENT_SHAPE] = "shape_mismatch",
    [LINK_EVENT_DISCONNECT] = "disconnect",
    [LINK_EVENT_RECONNECT] = "reconnect",
    [LINK_EVENT_DEVICE_RESET] = "device_reset",
};

static _Thread_local char session_error[SESSION_ERROR_SIZE];
static pthread_once_t hdf5_silence_once = PTHREAD_ONCE_INIT;

const char *session_file_last_error(void)
{
    return session_error;
}

static void silence_hdf5(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

/* Sets "session file PATH: ACTION failed: CAUSE" and returns code. */
static int set_error(int code, const char *path, const char *action, const char *cause)
{
    snprintf(session_error, sizeof(session_error), "session file %s: %s failed: %s", path, action,
             cause);
    return code;
}

/* Like set_error with the cause strerror(-code). */
static int system_error(int code, const char *path, const char *action)
{
    char text[128];
    return set_error(code, path, action, strerror_r(-code, text, sizeof(text)));
}

/*
 * Describes the HDF5 failure just reported, for the action formatted from
 * format, and returns -errno when the operating system gave one, else -EIO.
 */
static int hdf5_error(const char *path, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static int hdf5_error(const char *path, const char *format, ...)
{
    char action[256];
    va_list args;
    va_start(args, format);
    vsnprintf(action, sizeof(action), format, args);
    va_end(args);

    char description[256];
    int os_error = hdf5_error_take(description, sizeof(description));
    if (os_error == 0)
        return set_error(-EIO, path, action, description);
    char text[128], full[400];
    snprintf(full, sizeof(full), "%s: %s", description, strerror_r(os_error, text, sizeof(text)));
    return set_error(-os_error, path, action, full);
}

/* ISO 8601 UTC with microseconds, as FILE_FORMAT.md section 3 shows. */
static void format_utc(int64_t time_ns, char *out, size_t size)
{
    int64_t seconds = time_ns / 1000000000;
    int64_t rest = time_ns % 1000000000;
    if (rest < 0) {
        rest += 1000000000;
        seconds--;
    }
    time_t whole = (time_t)seconds;
    struct tm utc;
    gmtime_r(&whole, &utc);
    size_t n = strftime(out, size, "%Y-%m-%dT%H:%M:%S", &utc);
    snprintf(out + n, size - n, ".%06dZ", (int)(rest / 1000));
}

/* --- Types and attributes -------------------------------------------------- */

/* The kind enumeration over uint8 (file_layout) or the native uint8. */
static hid_t create_kind_type(bool file_layout)
{
    hid_t type = H5Tenum_create(file_layout ? H5T_STD_U8LE : H5T_NATIVE_UINT8);
    if (type < 0)
        return type;
    for (uint8_t kind = 1; kind <= LINK_EVENT_KIND_MAX; kind++) {
        if (H5Tenum_insert(type, EVENT_KIND_NAMES[kind], &kind) < 0) {
            H5Tclose(type);
            return H5I_INVALID_HID;
        }
    }
    return type;
}

/* One field of a compound row type, in the file (packed) and in memory. */
struct row_field {
    const char *name;
    size_t file_offset, memory_offset;
    hid_t file_type, memory_type;
};

/* A compound type of count fields, laid out as in the file or as in memory. */
static hid_t create_row_type(const struct row_field *fields, size_t count, bool file_layout,
                             size_t file_size, size_t memory_size)
{
    hid_t type = H5Tcreate(H5T_COMPOUND, file_layout ? file_size : memory_size);
    for (size_t i = 0; type >= 0 && i < count; i++) {
        if (H5Tinsert(type, fields[i].name,
                      file_layout ? fields[i].file_offset : fields[i].memory_offset,
                      file_layout ? fields[i].file_type : fields[i].memory_type) < 0) {
            H5Tclose(type);
            type = H5I_INVALID_HID;
        }
    }
    return type;
}

/* A /link_events row: packed little-endian in the file, struct event_row in memory. */
static hid_t create_event_type(bool file_layout)
{
    hid_t kind = create_kind_type(file_layout);
    if (kind < 0)
        return kind;
    const struct row_field fields[] = {
        {"host_time_ns", 0, offsetof(struct event_row, host_time_ns), H5T_STD_I64LE,
         H5T_NATIVE_INT64},
        {"kind", 8, offsetof(struct event_row, kind), kind, kind},
        {"sequence", 9, offsetof(struct event_row, sequence), H5T_STD_U32LE, H5T_NATIVE_UINT32},
        {"count", 13, offsetof(struct event_row, count), H5T_STD_U32LE, H5T_NATIVE_UINT32},
        {"bytes", 17, offsetof(struct event_row, bytes), H5T_STD_U32LE, H5T_NATIVE_UINT32},
    };
    hid_t type = create_row_type(fields, sizeof(fields) / sizeof(fields[0]), file_layout,
                                 EVENT_FILE_SIZE, sizeof(struct event_row));
    H5Tclose(kind);
    return type;
}

/* A /markers row: packed little-endian in the file, struct marker_row in memory. */
static hid_t create_marker_type(bool file_layout)
{
    hid_t label = H5Tcopy(H5T_C_S1);
    if (label < 0)
        return label;
    hid_t type = H5I_INVALID_HID;
    if (H5Tset_size(label, LABEL_SIZE) >= 0 && H5Tset_strpad(label, H5T_STR_NULLPAD) >= 0 &&
        H5Tset_cset(label, H5T_CSET_ASCII) >= 0) {
        const struct row_field fields[] = {
            {"host_time_ns", 0, offsetof(struct marker_row, host_time_ns), H5T_STD_I64LE,
             H5T_NATIVE_INT64},
            {"frame_index", 8, offsetof(struct marker_row, frame_index), H5T_STD_U64LE,
             H5T_NATIVE_UINT64},
            {"label", 16, offsetof(struct marker_row, label), label, label},
        };
        type = create_row_type(fields, sizeof(fields) / sizeof(fields[0]), file_layout,
                               MARKER_FILE_SIZE, sizeof(struct marker_row));
    }
    H5Tclose(label);
    return type;
}

/* Writes (replacing any old one) a scalar attribute of object. */
static int write_attribute(hid_t object, const char *path, const char *name, hid_t file_type,
                           hid_t memory_type, const void *value)
{
    int result = 0;
    hid_t space = H5I_INVALID_HID, attribute = H5I_INVALID_HID;
    htri_t exists = H5Aexists(object, name);
    if (exists < 0 || (exists > 0 && H5Adelete(object, name) < 0)) {
        result = hdf5_error(path, "replacing attribute %s", name);
        goto out;
    }
    space = H5Screate(H5S_SCALAR);
    if (space >= 0)
        attribute = H5Acreate2(object, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT);
    if (attribute < 0 || H5Awrite(attribute, memory_type, value) < 0)
        result = hdf5_error(path, "writing attribute %s", name);
out:
    if (attribute >= 0)
        H5Aclose(attribute);
    if (space >= 0)
        H5Sclose(space);
    return result;
}

/* Variable-length UTF-8 string attribute. */
static int write_string_attribute(hid_t object, const char *path, const char *name,
                                  const char *value)
{
    hid_t type = H5Tcopy(H5T_C_S1);
    if (type < 0 || H5Tset_size(type, H5T_VARIABLE) < 0 || H5Tset_cset(type, H5T_CSET_UTF8) < 0) {
        int result = hdf5_error(path, "making the string type of attribute %s", name);
        if (type >= 0)
            H5Tclose(type);
        return result;
    }
    int result = write_attribute(object, path, name, type, type, &value);
    H5Tclose(type);
    return result;
}

static int write_int32_attribute(hid_t object, const char *path, const char *name, int32_t value)
{
    return write_attribute(object, path, name, H5T_STD_I32LE, H5T_NATIVE_INT32, &value);
}

static int write_int64_attribute(hid_t object, const char *path, const char *name, int64_t value)
{
    return write_attribute(object, path, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
}

static int write_double_attribute(hid_t object, const char *path, const char *name, double value)
{
    return write_attribute(object, path, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

/* The root attributes written at creation (FILE_FORMAT.md section 3). */
static int write_root_attributes(hid_t root, const char *path, const struct session_info *info)
{
    const struct packet_device_info *device = &info->device;
    char start[40], firmware[24], software[128];
    format_utc(info->start_time_ns, start, sizeof(start));
    snprintf(software, sizeof(software), "%s %s",
             info->software != NULL ? info->software : "mtable-acqd", MTABLE_VERSION);
    snprintf(firmware, sizeof(firmware), "%u.%u.%u", device->firmware_major, device->firmware_minor,
             device->firmware_patch);
    int result = write_string_attribute(root, path, "schema", "mtable-session");
    if (result == 0)
        result = write_int32_attribute(root, path, "schema_version", SESSION_SCHEMA_VERSION);
    if (result == 0)
        result = write_string_attribute(root, path, "session_id", info->session_id);
    if (result == 0)
        result = write_string_attribute(root, path, "subject_id", info->subject_id);
    if (result == 0)
        result = write_string_attribute(root, path, "operator_id", info->operator_id);
    if (result == 0)
        result = write_string_attribute(root, path, "start_time_utc", start);
    if (result == 0)
        result = write_int64_attribute(root, path, "start_time_unix_ns", info->start_time_ns);
    if (result == 0)
        result = write_string_attribute(root, path, "software", software);
    if (result == 0)
        result = write_string_attribute(root, path, "port", info->port);
    if (result == 0)
        result = write_int32_attribute(root, path, "protocol_version", PACKET_VERSION);
    if (result == 0)
        result = write_int32_attribute(root, path, "device_rows", device->rows);
    if (result == 0)
        result = write_int32_attribute(root, path, "device_cols", device->cols);
    if (result == 0)
        result = write_double_attribute(root, path, "device_row_pitch_mm",
                                        device->row_pitch_um / 1000.0);
    if (result == 0)
        result = write_double_attribute(root, path, "device_col_pitch_mm",
                                        device->col_pitch_um / 1000.0);
    if (result == 0)
        result = write_int32_attribute(root, path, "device_adc_bits", device->adc_bits);
    if (result == 0)
        result = write_double_attribute(root, path, "device_frame_rate_hz",
                                        device->frame_rate_mhz / 1000.0);
    if (result == 0)
        result = write_string_attribute(root, path, "device_firmware_version", firmware);
    if (result == 0)
        result = write_string_attribute(root, path, "device_serial", device->serial);
    if (result == 0)
        result = write_string_attribute(root, path, "pressure_units",
                                        info->calibration != NULL ? "kPa" : "counts");
    return result;
}

/* The closing attributes; end_state last, so its presence means all are there. */
static int write_closing_attributes(hid_t root, const char *path, const char *end_state,
                                    int64_t end_time_ns, uint64_t frames,
                                    const struct session_totals *totals)
{
    char end[40];
    format_utc(end_time_ns, end, sizeof(end));
    int result = write_string_attribute(root, path, "end_time_utc", end);
    if (result == 0)
        result = write_int64_attribute(root, path, "end_time_unix_ns", end_time_ns);
    if (result == 0)
        result = write_int64_attribute(root, path, "frames_recorded", (int64_t)frames);
    if (result == 0)
        result = write_int64_attribute(root, path, "frames_missing", totals->frames_missing);
    if (result == 0)
        result = write_int64_attribute(root, path, "frames_dropped", totals->frames_dropped);
    if (result == 0)
        result = write_int64_attribute(root, path, "decode_errors", totals->decode_errors);
    if (result == 0)
        result = write_int64_attribute(root, path, "disconnects", totals->disconnects);
    if (result == 0)
        result = write_string_attribute(root, path, "end_state", end_state);
    return result;
}

/* Adds one event to the totals of the closing attributes. */
static void count_event(struct session_totals *totals, uint8_t kind, uint32_t count)
{
    if (kind == LINK_EVENT_GAP)
        totals->frames_missing += count;
    else if (kind == LINK_EVENT_DROP)
        totals->frames_dropped += count;
    else if (kind >= LINK_EVENT_FRAMING && kind <= LINK_EVENT_OVERSIZE)
        totals->decode_errors += count;
    else if (kind == LINK_EVENT_DISCONNECT)
        totals->disconnects++;
}

/*
 * Makes sure at least bytes of disk space are allocated past HDF5's end of
 * file, so that the writes that follow cannot fail for want of space (see
 * the top of the file). When that is impossible, the file is unchanged.
 */
static int reserve_space(hid_t file, const char *path, const char *action, uint64_t bytes)
{
    haddr_t end = 0;
    void *handle = NULL;
    if (H5Fget_eoa(file, &end) < 0 || H5Fget_vfd_handle(file, H5P_DEFAULT, &handle) < 0 ||
        handle == NULL)
        return hdf5_error(path, "%s", action);
    int descriptor = *(int *)handle;
    struct stat status;
    if (fstat(descriptor, &status) < 0)
        return system_error(-errno, path, action);
    if ((uint64_t)status.st_size >= end + bytes)
        return 0;
    int error = posix_fallocate(descriptor, (off_t)end, (off_t)bytes);
    if (error == 0)
        return 0;
    char text[128], cause[200];
    snprintf(cause, sizeof(cause), "cannot reserve disk space: %s",
             strerror_r(error, text, sizeof(text)));
    return set_error(-error, path, action, cause);
}

/* --- Creation -------------------------------------------------------------- */

/* File access: the latest format, which SWMR needs. */
static hid_t create_file_access(bool clear_status_flags)
{
    hid_t access = H5Pcreate(H5P_FILE_ACCESS);
    if (access < 0)
        return access;
    hbool_t clear = true;
    if (H5Pset_libver_bounds(access, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST) < 0 ||
        (clear_status_flags && H5Pset(access, "clear_status_flags", &clear) < 0)) {
        H5Pclose(access);
        return H5I_INVALID_HID;
    }
    return access;
}

/*
 * Creates an extensible dataset of shape (0, dims[1], ...) chunked by chunk,
 * with an optional units attribute and optional shuffle + deflate.
 */
static int create_dataset(hid_t file, const char *path, const char *name, hid_t type, int rank,
                          const hsize_t *dims, const hsize_t *chunk, const char *units,
                          int deflate_level, hid_t access, hid_t *out)
{
    int result = 0;
    hsize_t initial[3] = {0}, maximum[3] = {H5S_UNLIMITED};
    for (int i = 1; i < rank; i++)
        initial[i] = maximum[i] = dims[i];
    hid_t space = H5Screate_simple(rank, initial, maximum);
    hid_t creation = H5Pcreate(H5P_DATASET_CREATE);
    hid_t dataset = H5I_INVALID_HID;
    if (space < 0 || creation < 0 || H5Pset_chunk(creation, rank, chunk) < 0 ||
        (deflate_level > 0 &&
         (H5Pset_shuffle(creation) < 0 || H5Pset_deflate(creation, (unsigned)deflate_level) < 0)))
        result = hdf5_error(path, "setting up dataset %s", name);
    if (result == 0) {
        dataset = H5Dcreate2(file, name, type, space, H5P_DEFAULT, creation, access);
        if (dataset < 0)
            result = hdf5_error(path, "creating dataset %s", name);
    }
    if (result == 0 && units != NULL)
        result = write_string_attribute(dataset, path, "units", units);
    if (creation >= 0)
        H5Pclose(creation);
    if (space >= 0)
        H5Sclose(space);
    if (result == 0)
        *out = dataset;
    else if (dataset >= 0)
        H5Dclose(dataset);
    return result;
}

/* Writes /calibration, (points, 2) float64. */
static int write_calibration(hid_t file, const char *path, const struct session_info *info)
{
    int result = 0;
    hsize_t dims[2] = {info->calibration_points, 2};
    hid_t space = H5Screate_simple(2, dims, NULL);
    hid_t dataset = H5I_INVALID_HID;
    if (space >= 0)
        dataset = H5Dcreate2(file, "calibration", H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT,
                             H5P_DEFAULT);
    if (dataset < 0 ||
        H5Dwrite(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, info->calibration) < 0)
        result = hdf5_error(path, "writing dataset calibration");
    if (dataset >= 0)
        H5Dclose(dataset);
    if (space >= 0)
        H5Sclose(space);
    return result;
}

/*
 * Creates every dataset and attribute of FILE_FORMAT.md in file->file. The
 * datasets bypass HDF5's chunk cache (see the top of the file).
 */
static int create_layout(struct session_file *file, const struct session_info *info,
                         int compression_level)
{
    const char *path = file->path;
    hid_t root = file->file;
    hid_t event_file_type = create_event_type(true);
    hid_t marker_file_type = create_marker_type(true);
    hid_t access = H5Pcreate(H5P_DATASET_ACCESS);
    int result = 0;
    if (event_file_type < 0 || marker_file_type < 0 || file->event_type < 0 ||
        file->marker_type < 0 || access < 0 ||
        H5Pset_chunk_cache(access, H5D_CHUNK_CACHE_NSLOTS_DEFAULT, 0, H5D_CHUNK_CACHE_W0_DEFAULT) <
            0) {
        result = hdf5_error(path, "setting up types and properties");
        goto out;
    }
    result = write_root_attributes(root, path, info);
    hsize_t frame_dims[3] = {0, file->rows, file->cols};
    hsize_t frame_chunk[3] = {file->frames_per_chunk, file->rows, file->cols};
    hsize_t series_chunk[1] = {SERIES_CHUNK}, table_chunk[1] = {TABLE_CHUNK};
    int filter_level =
        compression_level < DEFLATE_FILTER_MAX_LEVEL ? compression_level : DEFLATE_FILTER_MAX_LEVEL;
    if (result == 0)
        result = create_dataset(root, path, "frames", H5T_STD_U16LE, 3, frame_dims, frame_chunk,
                                "counts", filter_level, access, &file->frames);
    if (result == 0)
        result = create_dataset(root, path, "sequence", H5T_STD_U32LE, 1, frame_dims, series_chunk,
                                "1", 0, access, &file->sequence);
    if (result == 0)
        result = create_dataset(root, path, "device_time_us", H5T_STD_U64LE, 1, frame_dims,
                                series_chunk, "us", 0, access, &file->device_time);
    if (result == 0)
        result = create_dataset(root, path, "host_time_ns", H5T_STD_I64LE, 1, frame_dims,
                                series_chunk, "ns", 0, access, &file->host_time);
    if (result == 0)
        result = create_dataset(root, path, "link_events", event_file_type, 1, frame_dims,
                                table_chunk, NULL, 0, access, &file->link_events);
    if (result == 0)
        result = create_dataset(root, path, "markers", marker_file_type, 1, frame_dims, table_chunk,
                                NULL, 0, access, &file->markers);
    if (result == 0 && info->calibration != NULL)
        result = write_calibration(root, path, info);
    if (result == 0 && H5Fstart_swmr_write(root) < 0)
        result = hdf5_error(path, "starting SWMR writing");
out:
    if (access >= 0)
        H5Pclose(access);
    if (event_file_type >= 0)
        H5Tclose(event_file_type);
    if (marker_file_type >= 0)
        H5Tclose(marker_file_type);
    return result;
}

/* Checks what create needs; sets the message and returns -EINVAL otherwise. */
static int check_arguments(const char *path, const struct session_info *info,
                           unsigned frames_per_chunk, int compression_level)
{
    const char *problem = NULL;
    if (!packet_grid_valid(info->device.rows, info->device.cols))
        problem = "the device grid is not one the protocol allows";
    else if (frames_per_chunk == 0 ||
             (uint64_t)frames_per_chunk * info->device.rows * info->device.cols * 2 >
                 CHUNK_BYTES_MAX)
        problem = "frames per chunk makes chunks larger than 1 GiB";
    else if (compression_level < 1 || compression_level > COMPRESSION_LEVEL_MAX)
        problem = "the compression level is not between 1 and 12";
    else if (info->calibration != NULL && info->calibration_points < 2)
        problem = "a calibration needs at least two points";
    for (size_t i = 1; problem == NULL && info->calibration != NULL && i < info->calibration_points;
         i++)
        if (!(info->calibration[2 * i] > info->calibration[2 * i - 2]))
            problem = "calibration counts are not strictly increasing";
    if (problem == NULL)
        return 0;
    return set_error(-EINVAL, path, "creating", problem);
}

/* Frees everything file holds in memory and closes what is still open in HDF5. */
static void release(struct session_file *file)
{
    hid_t datasets[] = {file->frames,    file->sequence,    file->device_time,
                        file->host_time, file->link_events, file->markers};
    for (size_t i = 0; i < sizeof(datasets) / sizeof(datasets[0]); i++)
        if (datasets[i] >= 0)
            H5Dclose(datasets[i]);
    if (file->event_type >= 0)
        H5Tclose(file->event_type);
    if (file->marker_type >= 0)
        H5Tclose(file->marker_type);
    if (file->compressor != NULL)
        libdeflate_free_compressor(file->compressor);
    free(file->shuffled);
    free(file->compressed);
    free(file->pending_sequence);
    free(file->pending_device_time);
    free(file->pending_host_time);
    free(file->events);
    free(file->marker_rows);
    free(file->path);
    free(file);
}

int session_file_create(const char *path, const struct session_info *info,
                        const struct session_file_options *options, struct session_file **out)
{
    pthread_once(&hdf5_silence_once, silence_hdf5);
    unsigned frames_per_chunk = options != NULL && options->frames_per_chunk != 0
                                    ? options->frames_per_chunk
                                    : SESSION_DEFAULT_FRAMES_PER_CHUNK;
    int level = options != NULL && options->compression_level != 0
                    ? options->compression_level
                    : SESSION_DEFAULT_COMPRESSION_LEVEL;
    int result = check_arguments(path, info, frames_per_chunk, level);
    if (result < 0)
        return result;
    hid_t access = H5I_INVALID_HID;
    bool created = false;
    struct session_file *file = calloc(1, sizeof(*file));
    if (file == NULL)
        return system_error(-ENOMEM, path, "creating");
    file->file = file->frames = file->sequence = file->device_time = file->host_time =
        file->link_events = file->markers = H5I_INVALID_HID;
    file->rows = info->device.rows;
    file->cols = info->device.cols;
    file->frames_per_chunk = frames_per_chunk;
    file->taxels = (size_t)info->device.rows * info->device.cols;
    file->chunk_bytes = 2 * frames_per_chunk * file->taxels;
    file->path = strdup(path);
    file->compressor = libdeflate_alloc_compressor(level);
    file->shuffled = calloc(1, file->chunk_bytes);
    file->pending_sequence = calloc(frames_per_chunk, sizeof(uint32_t));
    file->pending_device_time = calloc(frames_per_chunk, sizeof(uint64_t));
    file->pending_host_time = calloc(frames_per_chunk, sizeof(int64_t));
    if (file->compressor != NULL) {
        file->compressed_capacity =
            libdeflate_zlib_compress_bound(file->compressor, file->chunk_bytes);
        file->compressed = malloc(file->compressed_capacity);
    }
    file->event_type = create_event_type(false);
    file->marker_type = create_marker_type(false);
    if (file->path == NULL || file->compressor == NULL || file->shuffled == NULL ||
        file->compressed == NULL || file->pending_sequence == NULL ||
        file->pending_device_time == NULL || file->pending_host_time == NULL) {
        result = system_error(-ENOMEM, path, "creating");
        goto out;
    }

    access = create_file_access(false);
    if (access >= 0)
        file->file = H5Fcreate(path, H5F_ACC_EXCL, H5P_DEFAULT, access);
    if (file->file < 0) {
        result = hdf5_error(path, "creating");
        goto out;
    }
    created = true;
    result = reserve_space(file->file, path, "creating", SPACE_RESERVE);
    if (result == 0)
        result = create_layout(file, info, level);
out:
    if (access >= 0)
        H5Pclose(access);
    if (result < 0) {
        hid_t handle = file->file;
        file->file = H5I_INVALID_HID;
        release(file);
        if (handle >= 0)
            H5Fclose(handle);
        if (created)
            unlink(path); /* half made by us, never a session */
        return result;
    }
    *out = file;
    return 0;
}

/* --- Appending ------------------------------------------------------------- */

/*
 * Bytes to store a chunk that compressed to size: the room it has if that
 * is enough; otherwise, for a partial chunk, room for the projected full
 * chunk (the size of the last full chunk, or this one's per frame times F,
 * whichever is smaller) plus a margin. See the top of the file.
 */
static size_t stored_size(const struct session_file *file, size_t size)
{
    if (file->chunk_stored >= size)
        return file->chunk_stored;
    if (file->chunk_frames == file->frames_per_chunk)
        return size;
    uint64_t projected = (uint64_t)size * file->frames_per_chunk / file->chunk_frames;
    if (file->last_full_chunk != 0 && file->last_full_chunk < projected)
        projected = file->last_full_chunk;
    if (projected < size)
        projected = size;
    projected += projected / CHUNK_RESERVE_DIVISOR;
    return projected < file->compressed_capacity ? (size_t)projected : file->compressed_capacity;
}

/* Compresses the chunk being filled and stores it; /frames covers it already. */
static int store_chunk(struct session_file *file)
{
    size_t size = libdeflate_zlib_compress(file->compressor, file->shuffled, file->chunk_bytes,
                                           file->compressed, file->compressed_capacity);
    if (size == 0) /* cannot happen with libdeflate's bound, but never store garbage */
        return set_error(-EIO, file->path, "writing frames", "libdeflate could not compress");
    size_t stored = stored_size(file, size);
    memset(file->compressed + size, 0, stored - size);
    hsize_t offset[3] = {file->chunk_first, 0, 0};
    if (H5Dwrite_chunk(file->frames, H5P_DEFAULT, 0, offset, stored, file->compressed) < 0)
        return hdf5_error(file->path, "writing frames");
    file->chunk_stored = stored;
    if (file->chunk_frames == file->frames_per_chunk)
        file->last_full_chunk = size;
    return 0;
}

/* Sets the length of a 1-D dataset, or of the first dimension of /frames. */
static int set_length(struct session_file *file, hid_t dataset, const char *name, uint64_t length)
{
    hsize_t dims[3] = {length, file->rows, file->cols};
    if (H5Dset_extent(dataset, dims) < 0)
        return hdf5_error(file->path, "extending %s", name);
    return 0;
}

/* Selects count rows from row start of a 1-D dataset, and a matching memory space. */
static int select_rows(const char *path, hid_t dataset, const char *name, uint64_t start,
                       size_t count, hid_t *file_space, hid_t *memory_space)
{
    hsize_t first = start, length = count;
    *file_space = H5Dget_space(dataset);
    *memory_space = H5Screate_simple(1, &length, NULL);
    if (*file_space < 0 || *memory_space < 0 ||
        H5Sselect_hyperslab(*file_space, H5S_SELECT_SET, &first, NULL, &length, NULL) < 0)
        return hdf5_error(path, "selecting rows of %s", name);
    return 0;
}

/* Writes count rows from memory at row start of a 1-D dataset long enough already. */
static int write_rows(const char *path, hid_t dataset, const char *name, hid_t memory_type,
                      uint64_t start, size_t count, const void *rows)
{
    hid_t file_space = H5I_INVALID_HID, memory_space = H5I_INVALID_HID;
    int result = select_rows(path, dataset, name, start, count, &file_space, &memory_space);
    if (result == 0 &&
        H5Dwrite(dataset, memory_type, memory_space, file_space, H5P_DEFAULT, rows) < 0)
        result = hdf5_error(path, "writing %s", name);
    if (memory_space >= 0)
        H5Sclose(memory_space);
    if (file_space >= 0)
        H5Sclose(file_space);
    return result;
}

/* Extends a table by its pending rows and writes them. */
static int write_table(struct session_file *file, hid_t dataset, const char *name,
                       hid_t memory_type, uint64_t *written, size_t *pending, const void *rows)
{
    if (*pending == 0)
        return 0;
    int result = set_length(file, dataset, name, *written + *pending);
    if (result == 0)
        result = write_rows(file->path, dataset, name, memory_type, *written, *pending, rows);
    if (result == 0) {
        *written += *pending;
        *pending = 0;
    }
    return result;
}

/* Writes everything appended (the chunk being filled too) and extends the datasets. */
static int commit(struct session_file *file)
{
    int result = reserve_space(file->file, file->path, "writing frames",
                               file->compressed_capacity + SPACE_RESERVE);
    if (result < 0)
        return result; /* nothing written: a later call may succeed */
    uint64_t start = file->frames_written, end = file->frames_appended;
    if (end > start) {
        size_t count = (size_t)(end - start);
        result = set_length(file, file->frames, "frames", end);
        if (result == 0)
            result = set_length(file, file->sequence, "sequence", end);
        if (result == 0)
            result = set_length(file, file->device_time, "device_time_us", end);
        if (result == 0)
            result = set_length(file, file->host_time, "host_time_ns", end);
        if (result == 0)
            result = store_chunk(file);
        if (result == 0)
            result = write_rows(file->path, file->sequence, "sequence", H5T_NATIVE_UINT32, start,
                                count, file->pending_sequence);
        if (result == 0)
            result = write_rows(file->path, file->device_time, "device_time_us", H5T_NATIVE_UINT64,
                                start, count, file->pending_device_time);
        if (result == 0)
            result = write_rows(file->path, file->host_time, "host_time_ns", H5T_NATIVE_INT64,
                                start, count, file->pending_host_time);
        if (result < 0)
            goto out;
        file->frames_written = end;
        if (file->chunk_frames == file->frames_per_chunk) {
            memset(file->shuffled, 0, file->chunk_bytes);
            file->chunk_first += file->frames_per_chunk;
            file->chunk_frames = 0;
            file->chunk_stored = 0;
        }
    }
    result = write_table(file, file->link_events, "link_events", file->event_type,
                         &file->events_written, &file->events_pending, file->events);
    if (result == 0)
        result = write_table(file, file->markers, "markers", file->marker_type,
                             &file->markers_written, &file->markers_pending, file->marker_rows);
out:
    if (result < 0)
        file->failure = result;
    return result;
}

/* Refuses further use of a file after a failed write. */
static int refuse_failed(const struct session_file *file, const char *action)
{
    return set_error(file->failure, file->path, action,
                     "an earlier write failed; the file keeps what the last flush wrote");
}

int session_file_append_frame(struct session_file *file, uint32_t sequence, uint64_t device_time_us,
                              int64_t host_time_ns, const uint16_t *values)
{
    if (file->failure < 0)
        return refuse_failed(file, "appending a frame");
    if (file->chunk_frames == file->frames_per_chunk) {
        int result = commit(file);
        if (result < 0)
            return result;
    }
    /*
     * A local count: a store through a uint8_t pointer may alias file->taxels,
     * which would keep the compiler from vectorising this loop.
     */
    const size_t taxels = file->taxels;
    size_t half = file->chunk_bytes / 2;
    uint8_t *low = file->shuffled + (size_t)file->chunk_frames * taxels;
    uint8_t *high = low + half;
    for (size_t i = 0; i < taxels; i++) {
        low[i] = (uint8_t)values[i];
        high[i] = (uint8_t)(values[i] >> 8);
    }
    size_t pending = (size_t)(file->frames_appended - file->frames_written);
    file->pending_sequence[pending] = sequence;
    file->pending_device_time[pending] = device_time_us;
    file->pending_host_time[pending] = host_time_ns;
    file->chunk_frames++;
    file->frames_appended++;
    return 0;
}

/* Makes room for one more row in a growing array of rows. */
static int reserve_row(void **rows, size_t *capacity, size_t used, size_t row_size)
{
    if (used < *capacity)
        return 0;
    size_t wanted = *capacity == 0 ? TABLE_CHUNK : 2 * *capacity;
    void *grown = realloc(*rows, wanted * row_size);
    if (grown == NULL)
        return -ENOMEM;
    *rows = grown;
    *capacity = wanted;
    return 0;
}

int session_file_append_event(struct session_file *file, const struct link_event *event)
{
    if (file->failure < 0)
        return refuse_failed(file, "appending a link event");
    if (event->kind < LINK_EVENT_GAP || event->kind > LINK_EVENT_KIND_MAX)
        return set_error(-EINVAL, file->path, "appending a link event", "unknown event kind");
    void *rows = file->events;
    if (reserve_row(&rows, &file->events_capacity, file->events_pending, sizeof(struct event_row)) <
        0)
        return system_error(-ENOMEM, file->path, "appending a link event");
    file->events = rows;
    struct event_row *row = &file->events[file->events_pending++];
    *row = (struct event_row){
        .host_time_ns = event->host_time_ns,
        .kind = (uint8_t)event->kind,
        .sequence = event->sequence,
        .count = event->count,
        .bytes = event->bytes,
    };
    count_event(&file->totals, row->kind, row->count);
    return 0;
}

int session_file_append_marker(struct session_file *file, int64_t host_time_ns, const char *label)
{
    if (file->failure < 0)
        return refuse_failed(file, "appending a marker");
    size_t length = strnlen(label, SESSION_LABEL_MAX + 1);
    for (size_t i = 0; i < length; i++)
        if ((unsigned char)label[i] < 0x20 || (unsigned char)label[i] > 0x7E)
            return set_error(-EINVAL, file->path, "appending a marker",
                             "the label holds characters other than printable ASCII");
    if (length > SESSION_LABEL_MAX)
        return set_error(-EINVAL, file->path, "appending a marker",
                         "the label is longer than 63 characters");
    void *rows = file->marker_rows;
    if (reserve_row(&rows, &file->markers_capacity, file->markers_pending,
                    sizeof(struct marker_row)) < 0)
        return system_error(-ENOMEM, file->path, "appending a marker");
    file->marker_rows = rows;
    struct marker_row *row = &file->marker_rows[file->markers_pending++];
    memset(row, 0, sizeof(*row));
    row->host_time_ns = host_time_ns;
    row->frame_index = file->frames_appended;
    memcpy(row->label, label, length);
    return 0;
}

int session_file_flush(struct session_file *file)
{
    if (file->failure < 0)
        return refuse_failed(file, "flushing");
    int result = commit(file);
    if (result == 0 && H5Fflush(file->file, H5F_SCOPE_LOCAL) < 0) {
        result = hdf5_error(file->path, "flushing");
        file->failure = result;
    }
    return result;
}

uint64_t session_file_frames(const struct session_file *file)
{
    return file->frames_appended;
}

/* --- Closing --------------------------------------------------------------- */

/*
 * Sends HDF5's remaining writes to file into an anonymous memory file, so
 * that closing neither changes the file on disk nor fails (see the top of
 * this file; a failed H5Fclose also leaves HDF5 1.10 to crash at exit).
 */
static void abandon(struct session_file *file)
{
    void *handle = NULL;
    if (H5Fget_vfd_handle(file->file, H5P_DEFAULT, &handle) < 0 || handle == NULL)
        return;
    int sink = memfd_create("abandoned-session-file", MFD_CLOEXEC);
    if (sink < 0)
        return;
    dup3(sink, *(int *)handle, O_CLOEXEC);
    close(sink);
}

/* Opens path with flags, clearing HDF5's open-for-writing marks if asked. */
static int open_file(const char *path, unsigned flags, bool clear_status_flags, hid_t *out)
{
    hid_t access = create_file_access(clear_status_flags);
    hid_t file = H5I_INVALID_HID;
    if (access >= 0)
        file = H5Fopen(path, flags, access);
    int result = file < 0 ? hdf5_error(path, "opening") : 0;
    if (access >= 0)
        H5Pclose(access);
    if (result == 0)
        *out = file;
    return result;
}

int session_file_close(struct session_file *file, int64_t end_time_ns)
{
    int result = file->failure < 0 ? refuse_failed(file, "closing") : session_file_flush(file);
    if (file->failure < 0)
        abandon(file);
    char *path = file->path;
    file->path = NULL;
    hid_t handle = file->file;
    uint64_t frames = file->frames_appended;
    struct session_totals totals = file->totals;
    release(file);
    if (H5Fclose(handle) < 0 && result == 0)
        result = hdf5_error(path, "closing");
    hid_t reopened = H5I_INVALID_HID;
    if (result == 0)
        result = open_file(path, H5F_ACC_RDWR, false, &reopened);
    if (result == 0) {
        result = reserve_space(reopened, path, "adding the closing attributes", SPACE_RESERVE);
        if (result == 0)
            result =
                write_closing_attributes(reopened, path, "closed", end_time_ns, frames, &totals);
        if (H5Fclose(reopened) < 0 && result == 0)
            result = hdf5_error(path, "closing after adding the closing attributes");
    }
    free(path);
    return result;
}

/* --- Recovery -------------------------------------------------------------- */

/* Reads count rows from row start of a 1-D dataset. */
static int read_rows(const char *path, hid_t dataset, const char *name, hid_t memory_type,
                     uint64_t start, size_t count, void *rows)
{
    hid_t file_space = H5I_INVALID_HID, memory_space = H5I_INVALID_HID;
    int result = select_rows(path, dataset, name, start, count, &file_space, &memory_space);
    if (result == 0 &&
        H5Dread(dataset, memory_type, memory_space, file_space, H5P_DEFAULT, rows) < 0)
        result = hdf5_error(path, "reading %s", name);
    if (memory_space >= 0)
        H5Sclose(memory_space);
    if (file_space >= 0)
        H5Sclose(file_space);
    return result;
}

/* True when an attribute stored as stored can be read as memory (string to string, ...). */
static bool type_matches(hid_t stored, hid_t memory)
{
    H5T_class_t kind = H5Tget_class(stored);
    if (kind != H5Tget_class(memory))
        return false;
    return kind != H5T_STRING ||
           (H5Tis_variable_str(stored) > 0 && H5Tget_cset(stored) == H5Tget_cset(memory));
}

/* Reads a scalar attribute; -EPROTO when it is of another kind than memory_type. */
static int read_attribute(hid_t object, const char *path, const char *name, hid_t memory_type,
                          void *value)
{
    int result = 0;
    hid_t attribute = H5Aopen(object, name, H5P_DEFAULT);
    hid_t type = attribute >= 0 ? H5Aget_type(attribute) : H5I_INVALID_HID;
    if (type < 0)
        result = hdf5_error(path, "reading attribute %s", name);
    else if (!type_matches(type, memory_type))
        result = -EPROTO;
    else if (H5Aread(attribute, memory_type, value) < 0)
        result = hdf5_error(path, "reading attribute %s", name);
    if (type >= 0)
        H5Tclose(type);
    if (attribute >= 0)
        H5Aclose(attribute);
    return result;
}

/* Refuses files that are not version-1 sessions (FILE_FORMAT.md section 1). */
static int check_schema(hid_t file, const char *path)
{
    const char *action = "recovering";
    htri_t has_schema = H5Aexists(file, "schema");
    htri_t has_version = H5Aexists(file, "schema_version");
    if (has_schema < 0 || has_version < 0)
        return hdf5_error(path, "looking for the schema attributes");
    if (has_schema == 0 || has_version == 0)
        return set_error(-EPROTO, path, action,
                         "not an mtable session file (no schema attributes)");
    char *schema = NULL;
    hid_t string_type = H5Tcopy(H5T_C_S1);
    if (string_type < 0 || H5Tset_size(string_type, H5T_VARIABLE) < 0 ||
        H5Tset_cset(string_type, H5T_CSET_UTF8) < 0) {
        if (string_type >= 0)
            H5Tclose(string_type);
        return hdf5_error(path, "making a string type");
    }
    int result = read_attribute(file, path, "schema", string_type, &schema);
    H5Tclose(string_type);
    if (result == 0 && strcmp(schema, "mtable-session") != 0)
        result = -EPROTO;
    H5free_memory(schema);
    if (result == -EPROTO)
        return set_error(
            -EPROTO, path, action,
            "not an mtable session file (schema is not the string \"mtable-session\")");
    if (result < 0)
        return result;
    int version = 0;
    result = read_attribute(file, path, "schema_version", H5T_NATIVE_INT, &version);
    if (result == -EPROTO)
        return set_error(-EPROTO, path, action,
                         "not an mtable session file (schema_version is not an integer)");
    if (result == 0 && version != SESSION_SCHEMA_VERSION) {
        char cause[128];
        snprintf(cause, sizeof(cause),
                 "schema version %d is not one this program knows (it reads version %d)", version,
                 SESSION_SCHEMA_VERSION);
        return set_error(-EPROTO, path, action, cause);
    }
    return result;
}

/* Totals of the closing attributes, recomputed from /link_events. */
static int count_events(hid_t file, const char *path, struct session_totals *totals)
{
    enum { BLOCK = 16 * TABLE_CHUNK }; /* rows read at a time: bounded memory */
    struct event_row *rows = malloc(BLOCK * sizeof(*rows));
    hid_t type = create_event_type(false);
    hid_t dataset = H5Dopen2(file, "link_events", H5P_DEFAULT);
    hid_t space = dataset >= 0 ? H5Dget_space(dataset) : H5I_INVALID_HID;
    hsize_t length = 0;
    int result = 0;
    if (rows == NULL) {
        result = system_error(-ENOMEM, path, "recovering");
        goto out;
    }
    if (type < 0 || space < 0 || H5Sget_simple_extent_dims(space, &length, NULL) != 1) {
        result = hdf5_error(path, "opening link_events");
        goto out;
    }
    for (uint64_t start = 0; start < length && result == 0; start += BLOCK) {
        size_t count = length - start < BLOCK ? (size_t)(length - start) : BLOCK;
        result = read_rows(path, dataset, "link_events", type, start, count, rows);
        for (size_t i = 0; i < count && result == 0; i++)
            count_event(totals, rows[i].kind, rows[i].count);
    }
out:
    if (space >= 0)
        H5Sclose(space);
    if (dataset >= 0)
        H5Dclose(dataset);
    if (type >= 0)
        H5Tclose(type);
    free(rows);
    return result;
}

/*
 * Cuts the four per-frame datasets to their common length (a crash during
 * a flush may have left them unequal) and sets *frames to it.
 */
static int cut_to_common_length(hid_t file, const char *path, uint64_t *frames)
{
    static const char *const names[] = {"frames", "sequence", "device_time_us", "host_time_ns"};
    enum { SERIES = sizeof(names) / sizeof(names[0]) };
    hid_t datasets[SERIES];
    hsize_t dims[SERIES][3];
    uint64_t common = UINT64_MAX;
    int result = 0;
    for (size_t i = 0; i < SERIES; i++)
        datasets[i] = H5I_INVALID_HID;
    for (size_t i = 0; i < SERIES && result == 0; i++) {
        datasets[i] = H5Dopen2(file, names[i], H5P_DEFAULT);
        hid_t space = datasets[i] >= 0 ? H5Dget_space(datasets[i]) : H5I_INVALID_HID;
        if (space < 0 || H5Sget_simple_extent_dims(space, dims[i], NULL) < 0)
            result = hdf5_error(path, "reading the length of %s", names[i]);
        else if (dims[i][0] < common)
            common = dims[i][0];
        if (space >= 0)
            H5Sclose(space);
    }
    for (size_t i = 0; i < SERIES && result == 0; i++) {
        if (dims[i][0] == common)
            continue;
        dims[i][0] = common;
        if (H5Dset_extent(datasets[i], dims[i]) < 0)
            result = hdf5_error(path, "cutting %s to the common length", names[i]);
    }
    for (size_t i = 0; i < SERIES; i++)
        if (datasets[i] >= 0)
            H5Dclose(datasets[i]);
    if (result == 0)
        *frames = common;
    return result;
}

/* Host time of the last frame, or the start time without frames. */
static int find_end_time(hid_t file, const char *path, uint64_t frames, int64_t *end_time_ns)
{
    if (frames == 0)
        return read_attribute(file, path, "start_time_unix_ns", H5T_NATIVE_INT64, end_time_ns);
    hid_t dataset = H5Dopen2(file, "host_time_ns", H5P_DEFAULT);
    if (dataset < 0)
        return hdf5_error(path, "opening host_time_ns");
    int result =
        read_rows(path, dataset, "host_time_ns", H5T_NATIVE_INT64, frames - 1, 1, end_time_ns);
    H5Dclose(dataset);
    return result;
}

/* Adds the closing attributes with end_state "recovered" to a file open for writing. */
static int finish_recovered(hid_t file, const char *path)
{
    uint64_t frames = 0;
    int64_t end_time_ns = 0;
    struct session_totals totals = {0};
    int result = reserve_space(file, path, "recovering", SPACE_RESERVE);
    if (result == 0)
        result = cut_to_common_length(file, path, &frames);
    if (result == 0)
        result = find_end_time(file, path, frames, &end_time_ns);
    if (result == 0)
        result = count_events(file, path, &totals);
    if (result == 0)
        result = write_closing_attributes(file, path, "recovered", end_time_ns, frames, &totals);
    return result;
}

int session_file_recover(const char *path)
{
    pthread_once(&hdf5_silence_once, silence_hdf5);
    htri_t is_hdf5 = H5Fis_hdf5(path);
    if (is_hdf5 < 0)
        return hdf5_error(path, "recovering");
    if (is_hdf5 == 0)
        return set_error(-EPROTO, path, "recovering",
                         "not an mtable session file (not an HDF5 file)");
    /* Look read-only first: a file that is not a session is never written to. */
    hid_t file = H5I_INVALID_HID;
    int result = open_file(path, H5F_ACC_RDONLY, true, &file);
    if (result < 0)
        return result;
    result = check_schema(file, path);
    htri_t ended = result == 0 ? H5Aexists(file, "end_state") : 0;
    if (ended < 0)
        result = hdf5_error(path, "looking for end_state");
    H5Fclose(file);
    if (result < 0)
        return result;
    if (ended > 0)
        return 1;
    result = open_file(path, H5F_ACC_RDWR, true, &file);
    if (result < 0)
        return result;
    result = finish_recovered(file, path);
    if (H5Fclose(file) < 0 && result == 0)
        result = hdf5_error(path, "closing after recovery");
    return result;
}
