/*
 * session_reader.c - opening, checking and streaming a session file.
 *
 * Chunk c of /frames (frames c*F .. c*F+F-1) travels through slot c % SLOTS:
 *
 *   EMPTY --load (caller: H5Dread_chunk, stamps)--> LOADED
 *   LOADED --claim (either thread)--> CLAIMED --inflate, unshuffle--> READY
 *   (a chunk read through H5Dread goes straight to READY; any failure: FAILED)
 *   READY --handed out by session_reader_next, released at the next call--> EMPTY
 *
 * The caller keeps up to SLOTS chunks loaded ahead, so the second thread
 * always has work. A stored chunk holds F frames of `taxels` 2-byte values
 * shuffled as HDF5's shuffle filter does: every low byte first, then every
 * high byte; the values of a partial last chunk past the end are ignored.
 * Slot states change under `lock`; a slot's buffers belong to whoever moved
 * it to its current state.
 */
#include "session_reader.h"

#include <errno.h>
#include <hdf5.h>
#include <libdeflate.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hdf5_error.h"
#include "packet.h"
#include "pressure.h"
#include "record.h"
#include "vector_clones.h"

/* Chunks in flight: enough to keep the inflating thread busy while the caller works. */
#define READER_SLOTS 8

/* Stamps read per H5Dread of /sequence and /device_time_us (their chunk is 1024). */
#define STAMP_BATCH 8192

/* Rows of /link_events read at once. */
#define EVENT_BATCH 1024

/* Frames per block when chunks are not read raw: the writer's default chunk. */
#define READER_FALLBACK_BLOCK 32

/* Largest chunk read raw (bytes): bounds the slots' memory whatever the file says. */
#define READER_MAX_DIRECT_CHUNK (4 * 1024 * 1024)

/* HDF5's default number of chunk cache slots, the least given to a dataset. */
#define READER_CACHE_SLOTS_MIN 521

/* Metadata cache of a session file: its headers and the chunk index blocks being read. */
#define READER_METADATA_CACHE (64 * 1024)

/* Chunk cache policy: evict chunks read in full first, since reading goes in order. */
#define READER_CACHE_PREEMPTION 1.0

enum slot_state { SLOT_EMPTY, SLOT_LOADED, SLOT_CLAIMED, SLOT_READY, SLOT_FAILED };

struct slot {
    enum slot_state state;
    uint64_t chunk;
    uint64_t first_frame;
    size_t frames;
    uint8_t *compressed;
    size_t compressed_size, compressed_capacity;
    uint16_t *values;
    struct frame_stamp *stamps;
    char error[256];
};

/* Who inflates: the caller's thread or the second one, each with its own buffers. */
enum { INFLATER_CALLER, INFLATER_WORKER, INFLATERS };

struct session_reader {
    char path[1024];
    struct session_metadata metadata;
    hid_t file, frames, sequence, device_time;
    size_t taxels, chunk_bytes;
    uint64_t chunks, next_load, next_deliver;
    int delivered_slot;
    struct slot slots[READER_SLOTS];
    struct libdeflate_decompressor *decompressors[INFLATERS];
    uint8_t *scratch[INFLATERS];
    uint32_t *sequence_cache;
    uint64_t *time_cache;
    uint64_t cache_first;
    size_t cache_count, cache_capacity;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    pthread_t worker;
    bool worker_started, stopping;
    char error[SESSION_READER_ERROR_SIZE];
};

static int set_error(char *error, size_t size, int code, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

static int set_error(char *error, size_t size, int code, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(error, size, format, args);
    va_end(args);
    return code;
}

/* --- Attributes ----------------------------------------------------------- */

/* Reads string attribute name of object into out (empty if absent); -EPROTO if unreadable. */
static int read_string_attribute(hid_t object, const char *name, char *out, size_t size)
{
    int result = 0;
    hid_t attribute = H5I_INVALID_HID, type = H5I_INVALID_HID, memory = H5I_INVALID_HID;
    out[0] = '\0';
    if (H5Aexists(object, name) <= 0)
        return 0;
    attribute = H5Aopen(object, name, H5P_DEFAULT);
    type = attribute >= 0 ? H5Aget_type(attribute) : H5I_INVALID_HID;
    if (type < 0 || H5Tget_class(type) != H5T_STRING) {
        result = -EPROTO;
        goto out;
    }
    memory = H5Tcopy(H5T_C_S1);
    /* HDF5 converts no character set into another: read in the stored one. */
    if (memory < 0 || H5Tset_cset(memory, H5Tget_cset(type)) < 0) {
        result = -EPROTO;
        goto out;
    }
    if (H5Tis_variable_str(type) > 0) {
        char *value = NULL;
        if (H5Tset_size(memory, H5T_VARIABLE) < 0 || H5Aread(attribute, memory, &value) < 0) {
            result = -EPROTO;
            goto out;
        }
        snprintf(out, size, "%s", value ? value : "");
        H5free_memory(value);
    } else {
        size_t length = H5Tget_size(type);
        char *value = calloc(length + 1, 1);
        if (!value || H5Tset_size(memory, length + 1) < 0 ||
            H5Aread(attribute, memory, value) < 0) {
            free(value);
            result = -EPROTO;
            goto out;
        }
        snprintf(out, size, "%s", value);
        free(value);
    }
out:
    if (memory >= 0)
        H5Tclose(memory);
    if (type >= 0)
        H5Tclose(type);
    if (attribute >= 0)
        H5Aclose(attribute);
    H5Eclear2(H5E_DEFAULT);
    return result;
}

/* Reads a numeric scalar attribute converted to memory_type; -ENOENT if absent. */
static int read_number_attribute(hid_t object, const char *name, hid_t memory_type, void *out)
{
    if (H5Aexists(object, name) <= 0)
        return -ENOENT;
    hid_t attribute = H5Aopen(object, name, H5P_DEFAULT);
    hid_t type = attribute >= 0 ? H5Aget_type(attribute) : H5I_INVALID_HID;
    H5T_class_t class = type >= 0 ? H5Tget_class(type) : H5T_NO_CLASS;
    int result =
        (class == H5T_INTEGER || class == H5T_FLOAT) && H5Aread(attribute, memory_type, out) >= 0
            ? 0
            : -EPROTO;
    if (type >= 0)
        H5Tclose(type);
    if (attribute >= 0)
        H5Aclose(attribute);
    H5Eclear2(H5E_DEFAULT);
    return result;
}

/* --- Opening -------------------------------------------------------------- */

/*
 * Fixes the file's metadata cache at READER_METADATA_CACHE bytes. HDF5's
 * default starts at 2 MiB and may grow to 32 MiB, and it keeps every piece
 * of the chunk indexes read until it is full: memory growing with the
 * session (about 0.4 MB per hour at 100 frames/s). Frames are read in
 * order, so index blocks already passed are never needed again.
 */
static int limit_metadata_cache(hid_t access)
{
    H5AC_cache_config_t config = {.version = H5AC__CURR_CACHE_CONFIG_VERSION};
    if (H5Pget_mdc_config(access, &config) < 0)
        return -EIO;
    config.set_initial_size = true;
    config.initial_size = config.min_size = config.max_size = READER_METADATA_CACHE;
    config.incr_mode = H5C_incr__off;
    config.flash_incr_mode = H5C_flash_incr__off;
    config.decr_mode = H5C_decr__off;
    return H5Pset_mdc_config(access, &config) < 0 ? -EIO : 0;
}

static hid_t open_file(const char *path, char *cause, size_t cause_size)
{
    hid_t access = H5Pcreate(H5P_FILE_ACCESS);
    if (access < 0 || H5Pset_libver_bounds(access, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST) < 0 ||
        limit_metadata_cache(access) < 0) {
        hdf5_error_take(cause, cause_size);
        if (access >= 0)
            H5Pclose(access);
        return H5I_INVALID_HID;
    }
    /* A live or crashed file only opens as a SWMR reader; a file written
     * without SWMR (older format) only opens plainly. */
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, access);
    if (file < 0) {
        hdf5_error_take(cause, cause_size);
        file = H5Fopen(path, H5F_ACC_RDONLY, access);
        H5Eclear2(H5E_DEFAULT);
    }
    H5Pclose(access);
    return file;
}

/* Length of a 1-D or first dimension of a dataset, or -1. */
static int64_t dataset_length(hid_t dataset, int rank, hsize_t *dims)
{
    hid_t space = H5Dget_space(dataset);
    int64_t length = -1;
    if (space >= 0 && H5Sget_simple_extent_ndims(space) == rank &&
        H5Sget_simple_extent_dims(space, dims, NULL) == rank)
        length = (int64_t)dims[0];
    if (space >= 0)
        H5Sclose(space);
    return length;
}

/* The filter at index of a dataset creation property list. */
static H5Z_filter_t filter_at(hid_t creation, unsigned index)
{
    unsigned flags = 0, config = 0;
    size_t values = 0;
    return H5Pget_filter2(creation, index, &flags, &values, NULL, 0, NULL, &config);
}

/*
 * Reopens dataset `name`, open as *dataset, with a chunk cache of `slots`
 * slots and `bytes` bytes (HDF5 sets a dataset's cache when it is first
 * opened). Should that fail, it is opened with the default cache: the data
 * still read, only with more memory or time.
 */
static void reopen_with_cache(struct session_reader *r, const char *name, hid_t *dataset,
                              size_t slots, size_t bytes)
{
    hid_t access = H5Dget_access_plist(*dataset);
    if (access >= 0 && H5Pset_chunk_cache(access, slots, bytes, READER_CACHE_PREEMPTION) >= 0) {
        H5Dclose(*dataset);
        *dataset = H5Dopen2(r->file, name, access);
        if (*dataset < 0)
            *dataset = H5Dopen2(r->file, name, H5P_DEFAULT);
    }
    if (access >= 0)
        H5Pclose(access);
    H5Eclear2(H5E_DEFAULT);
}

/*
 * Gives /frames, read through HDF5's pipeline, a chunk cache holding every
 * chunk that one block of frames touches (a slab of chunks across the grid),
 * so that each chunk is inflated once, in memory that does not grow with
 * the session. With HDF5's default cache (1 MiB) a larger chunk is inflated
 * again for every block read from it. Blocks read in order straddle at most
 * two slabs, and the chunks of the older one are finished by then: one slab
 * is enough.
 */
static void cache_frame_chunks(struct session_reader *r, const hsize_t chunk[3], size_t value_size)
{
    const struct session_metadata *m = &r->metadata;
    hsize_t across = (((hsize_t)m->rows + chunk[1] - 1) / chunk[1]) *
                     (((hsize_t)m->cols + chunk[2] - 1) / chunk[2]);
    /* The chunks of two consecutive slabs have consecutive indices, which
     * HDF5 hashes modulo the slot count: with more slots none collide. */
    size_t slots = 2 * (size_t)across + 1;
    reopen_with_cache(r, "frames", &r->frames,
                      slots > READER_CACHE_SLOTS_MIN ? slots : READER_CACHE_SLOTS_MIN,
                      (size_t)(across * chunk[0] * chunk[1] * chunk[2] * value_size));
}

/*
 * Gives /sequence and /device_time_us a chunk cache of one chunk. They are
 * read in order, STAMP_BATCH values at a time, so a chunk is never needed
 * again once the reading has passed it; HDF5's default cache would keep up
 * to 1 MiB of such chunks per dataset, memory growing with the session for
 * its first 131 072 (device times) and 262 144 frames (sequence numbers).
 */
static void cache_stamp_chunks(struct session_reader *r)
{
    static const char *const names[] = {"sequence", "device_time_us"};
    hid_t *datasets[] = {&r->sequence, &r->device_time};
    for (size_t i = 0; i < 2; i++) {
        hid_t creation = H5Dget_create_plist(*datasets[i]);
        hid_t type = H5Dget_type(*datasets[i]);
        hsize_t chunk = 0;
        size_t bytes = creation >= 0 && type >= 0 && H5Pget_layout(creation) == H5D_CHUNKED &&
                               H5Pget_chunk(creation, 1, &chunk) == 1
                           ? (size_t)chunk * H5Tget_size(type)
                           : 0;
        if (type >= 0)
            H5Tclose(type);
        if (creation >= 0)
            H5Pclose(creation);
        H5Eclear2(H5E_DEFAULT);
        if (bytes > 0)
            reopen_with_cache(r, names[i], datasets[i], READER_CACHE_SLOTS_MIN, bytes);
    }
}

/*
 * Decides whether chunks can be read raw: uint16 little-endian chunks of
 * (F, rows, cols), at most READER_MAX_DIRECT_CHUNK bytes, through exactly
 * [shuffle, deflate]. Otherwise HDF5 reads blocks of READER_FALLBACK_BLOCK
 * frames through its own pipeline and chunk cache.
 */
static void inspect_layout(struct session_reader *r)
{
    struct session_metadata *m = &r->metadata;
    hid_t creation = H5Dget_create_plist(r->frames);
    hid_t type = H5Dget_type(r->frames);
    hsize_t chunk[3] = {0, 0, 0};
    size_t taxel_bytes = (size_t)m->rows * (size_t)m->cols * sizeof(uint16_t);
    bool chunked = creation >= 0 && type >= 0 && H5Pget_layout(creation) == H5D_CHUNKED &&
                   H5Pget_chunk(creation, 3, chunk) == 3 && chunk[0] >= 1 && chunk[1] >= 1 &&
                   chunk[2] >= 1;
    m->direct_chunks = chunked && chunk[0] * taxel_bytes <= READER_MAX_DIRECT_CHUNK &&
                       chunk[1] == (hsize_t)m->rows && chunk[2] == (hsize_t)m->cols &&
                       H5Tequal(type, H5T_STD_U16LE) > 0 && H5Pget_nfilters(creation) == 2 &&
                       filter_at(creation, 0) == H5Z_FILTER_SHUFFLE &&
                       filter_at(creation, 1) == H5Z_FILTER_DEFLATE;
    m->frames_per_chunk = m->direct_chunks ? (unsigned)chunk[0] : READER_FALLBACK_BLOCK;
    if (chunked && !m->direct_chunks)
        cache_frame_chunks(r, chunk, H5Tget_size(type));
    if (type >= 0)
        H5Tclose(type);
    if (creation >= 0)
        H5Pclose(creation);
    H5Eclear2(H5E_DEFAULT);
}

/* Sums /link_events by kind. */
static int count_link_events(struct session_reader *r)
{
    struct event_count {
        uint8_t kind;
        uint32_t count;
    } rows[EVENT_BATCH];
    struct session_metadata *m = &r->metadata;
    int result = 0;
    hid_t events = H5I_INVALID_HID, file_type = H5I_INVALID_HID, kind_type = H5I_INVALID_HID;
    hid_t memory = H5I_INVALID_HID, file_space = H5I_INVALID_HID, memory_space = H5I_INVALID_HID;
    if (H5Lexists(r->file, "link_events", H5P_DEFAULT) <= 0)
        return 0;
    events = H5Dopen2(r->file, "link_events", H5P_DEFAULT);
    file_type = events >= 0 ? H5Dget_type(events) : H5I_INVALID_HID;
    int kind_index = file_type >= 0 ? H5Tget_member_index(file_type, "kind") : -1;
    int count_index = file_type >= 0 ? H5Tget_member_index(file_type, "count") : -1;
    if (kind_index < 0 || count_index < 0) {
        result = -EPROTO;
        goto out;
    }
    hid_t stored_kind = H5Tget_member_type(file_type, (unsigned)kind_index);
    kind_type = H5Tget_native_type(stored_kind, H5T_DIR_ASCEND);
    H5Tclose(stored_kind);
    memory = H5Tcreate(H5T_COMPOUND, sizeof(rows[0]));
    if (kind_type < 0 || H5Tget_size(kind_type) != 1 || memory < 0 ||
        H5Tinsert(memory, "kind", HOFFSET(struct event_count, kind), kind_type) < 0 ||
        H5Tinsert(memory, "count", HOFFSET(struct event_count, count), H5T_NATIVE_UINT32) < 0) {
        result = -EPROTO;
        goto out;
    }
    hsize_t dims[1];
    int64_t length = dataset_length(events, 1, dims);
    file_space = H5Dget_space(events);
    if (length < 0 || file_space < 0) {
        result = -EPROTO;
        goto out;
    }
    for (hsize_t start = 0; start < (hsize_t)length; start += EVENT_BATCH) {
        hsize_t count =
            (hsize_t)length - start < EVENT_BATCH ? (hsize_t)length - start : EVENT_BATCH;
        memory_space = H5Screate_simple(1, &count, NULL);
        if (H5Sselect_hyperslab(file_space, H5S_SELECT_SET, &start, NULL, &count, NULL) < 0 ||
            H5Dread(events, memory, memory_space, file_space, H5P_DEFAULT, rows) < 0) {
            result = -EPROTO;
            goto out;
        }
        H5Sclose(memory_space);
        memory_space = H5I_INVALID_HID;
        for (hsize_t i = 0; i < count; i++) {
            unsigned kind = rows[i].kind;
            if (kind == LINK_EVENT_GAP)
                m->gap_frames += rows[i].count;
            else if (kind == LINK_EVENT_DROP)
                m->dropped_frames += rows[i].count;
            else if (kind >= LINK_EVENT_FRAMING && kind <= LINK_EVENT_OVERSIZE)
                m->decode_errors += rows[i].count;
            else if (kind == LINK_EVENT_DISCONNECT)
                m->disconnects++;
            else if (kind == LINK_EVENT_DEVICE_RESET)
                m->device_resets++;
        }
    }
out:
    if (memory_space >= 0)
        H5Sclose(memory_space);
    if (file_space >= 0)
        H5Sclose(file_space);
    if (memory >= 0)
        H5Tclose(memory);
    if (kind_type >= 0)
        H5Tclose(kind_type);
    if (file_type >= 0)
        H5Tclose(file_type);
    if (events >= 0)
        H5Dclose(events);
    H5Eclear2(H5E_DEFAULT);
    return result;
}

static int read_calibration(struct session_reader *r, char *error, size_t error_size)
{
    struct session_metadata *m = &r->metadata;
    int result = 0;
    if (H5Lexists(r->file, "calibration", H5P_DEFAULT) <= 0)
        return 0;
    hid_t dataset = H5Dopen2(r->file, "calibration", H5P_DEFAULT);
    hsize_t dims[2] = {0, 0};
    int64_t points = dataset >= 0 ? dataset_length(dataset, 2, dims) : -1;
    if (points < 2 || points > PRESSURE_TABLE_SIZE || dims[1] != 2) {
        result = set_error(error, error_size, -EPROTO,
                           "%s: /calibration is not a (P, 2) table with P >= 2", r->path);
        goto out;
    }
    m->calibration = malloc((size_t)points * 2 * sizeof(double));
    if (!m->calibration) {
        result = set_error(error, error_size, -ENOMEM, "%s: out of memory", r->path);
        goto out;
    }
    if (H5Dread(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, m->calibration) < 0 ||
        pressure_check_calibration(m->calibration, (size_t)points) < 0) {
        result = set_error(error, error_size, -EPROTO,
                           "%s: /calibration is unreadable or its counts are not strictly "
                           "increasing",
                           r->path);
        goto out;
    }
    m->calibration_points = (size_t)points;
out:
    if (dataset >= 0)
        H5Dclose(dataset);
    H5Eclear2(H5E_DEFAULT);
    return result;
}

/* Reads the root attributes; fails on those the analysis cannot do without. */
static int read_metadata(struct session_reader *r, char *error, size_t error_size)
{
    struct session_metadata *m = &r->metadata;
    char schema[64];
    int64_t version = 0, rows = 0, cols = 0, bits = 0;
    if (read_string_attribute(r->file, "schema", schema, sizeof(schema)) < 0 ||
        strcmp(schema, "mtable-session") != 0)
        return set_error(error, error_size, -EPROTO,
                         "%s: not an mtable session file (its root has no schema = "
                         "\"mtable-session\" attribute)",
                         r->path);
    if (read_number_attribute(r->file, "schema_version", H5T_NATIVE_INT64, &version) < 0)
        return set_error(error, error_size, -EPROTO,
                         "%s: the session file has no readable schema_version attribute", r->path);
    if (version != SESSION_READER_SCHEMA_VERSION)
        return set_error(error, error_size, -EPROTONOSUPPORT,
                         "%s: session schema version %lld is not known to this mtable-analyze "
                         "(it reads version %d); use a matching version of mtable",
                         r->path, (long long)version, SESSION_READER_SCHEMA_VERSION);
    static const char *const required[] = {"device_rows", "device_cols", "device_frame_rate_hz"};
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
        if (H5Aexists(r->file, required[i]) <= 0)
            return set_error(error, error_size, -EPROTO,
                             "%s: the session file lacks the %s attribute", r->path, required[i]);
    if (read_number_attribute(r->file, "device_rows", H5T_NATIVE_INT64, &rows) < 0 ||
        read_number_attribute(r->file, "device_cols", H5T_NATIVE_INT64, &cols) < 0 || rows < 1 ||
        cols < 1 || rows > PACKET_MAX_SIDE || cols > PACKET_MAX_SIDE)
        return set_error(error, error_size, -EPROTO,
                         "%s: device_rows and device_cols must be 1 to %d", r->path,
                         PACKET_MAX_SIDE);
    if (read_number_attribute(r->file, "device_frame_rate_hz", H5T_NATIVE_DOUBLE,
                              &m->frame_rate_hz) < 0 ||
        !isfinite(m->frame_rate_hz) || m->frame_rate_hz <= 0)
        return set_error(error, error_size, -EPROTO,
                         "%s: device_frame_rate_hz is not a positive frame rate", r->path);
    m->rows = (int)rows;
    m->cols = (int)cols;
    if (read_number_attribute(r->file, "device_adc_bits", H5T_NATIVE_INT64, &bits) == 0)
        m->adc_bits = (int)bits;
    read_number_attribute(r->file, "device_row_pitch_mm", H5T_NATIVE_DOUBLE, &m->row_pitch_mm);
    read_number_attribute(r->file, "device_col_pitch_mm", H5T_NATIVE_DOUBLE, &m->col_pitch_mm);
    if (!isfinite(m->row_pitch_mm) || !isfinite(m->col_pitch_mm) || m->row_pitch_mm < 0 ||
        m->col_pitch_mm < 0)
        m->row_pitch_mm = m->col_pitch_mm = 0;
    read_number_attribute(r->file, "start_time_unix_ns", H5T_NATIVE_INT64, &m->start_time_unix_ns);
    struct {
        const char *name;
        char *out;
        size_t size;
    } strings[] = {
        {"session_id", m->session_id, sizeof(m->session_id)},
        {"subject_id", m->subject_id, sizeof(m->subject_id)},
        {"operator_id", m->operator_id, sizeof(m->operator_id)},
        {"start_time_utc", m->start_time_utc, sizeof(m->start_time_utc)},
        {"end_state", m->end_state, sizeof(m->end_state)},
        {"end_time_utc", m->end_time_utc, sizeof(m->end_time_utc)},
        {"software", m->software, sizeof(m->software)},
        {"port", m->port, sizeof(m->port)},
        {"device_serial", m->device_serial, sizeof(m->device_serial)},
        {"device_firmware_version", m->firmware_version, sizeof(m->firmware_version)},
    };
    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
        if (read_string_attribute(r->file, strings[i].name, strings[i].out, strings[i].size) < 0)
            return set_error(error, error_size, -EPROTO, "%s: attribute %s is not a string",
                             r->path, strings[i].name);
    return 0;
}

static int open_datasets(struct session_reader *r, char *error, size_t error_size)
{
    struct session_metadata *m = &r->metadata;
    static const char *const names[] = {"frames", "sequence", "device_time_us"};
    hid_t *handles[] = {&r->frames, &r->sequence, &r->device_time};
    for (size_t i = 0; i < 3; i++) {
        if (H5Lexists(r->file, names[i], H5P_DEFAULT) <= 0 ||
            (*handles[i] = H5Dopen2(r->file, names[i], H5P_DEFAULT)) < 0) {
            H5Eclear2(H5E_DEFAULT);
            return set_error(error, error_size, -EPROTO, "%s: the session file has no /%s dataset",
                             r->path, names[i]);
        }
    }
    hsize_t frame_dims[3], dims[1];
    int64_t frames = dataset_length(r->frames, 3, frame_dims);
    int64_t sequences = dataset_length(r->sequence, 1, dims);
    int64_t times = dataset_length(r->device_time, 1, dims);
    if (frames < 0 || frame_dims[1] != (hsize_t)m->rows || frame_dims[2] != (hsize_t)m->cols)
        return set_error(error, error_size, -EPROTO,
                         "%s: /frames is not (N, %d, %d) as device_rows and device_cols say",
                         r->path, m->rows, m->cols);
    if (sequences < 0 || times < 0)
        return set_error(error, error_size, -EPROTO,
                         "%s: /sequence and /device_time_us must be one-dimensional", r->path);
    cache_stamp_chunks(r);
    /* A crashed writer may leave the per-frame datasets of unequal length:
     * only frames with all three are used. */
    int64_t n = frames < sequences ? frames : sequences;
    m->frames = (uint64_t)(n < times ? n : times);
    return 0;
}

/* --- Streaming ------------------------------------------------------------ */

/* Makes the stamp cache cover frames [first, first + count). */
static int fill_stamps(struct session_reader *r, uint64_t first, size_t count, char *error,
                       size_t error_size)
{
    if (first >= r->cache_first && first + count <= r->cache_first + r->cache_count)
        return 0;
    hsize_t start = first;
    hsize_t length = r->metadata.frames - first < r->cache_capacity
                         ? (hsize_t)(r->metadata.frames - first)
                         : (hsize_t)r->cache_capacity;
    int result = 0;
    hid_t memory = H5Screate_simple(1, &length, NULL);
    hid_t spaces[2] = {H5Dget_space(r->sequence), H5Dget_space(r->device_time)};
    for (int i = 0; i < 2 && result == 0; i++) {
        hid_t dataset = i == 0 ? r->sequence : r->device_time;
        hid_t type = i == 0 ? H5T_NATIVE_UINT32 : H5T_NATIVE_UINT64;
        void *into = i == 0 ? (void *)r->sequence_cache : (void *)r->time_cache;
        if (memory < 0 || spaces[i] < 0 ||
            H5Sselect_hyperslab(spaces[i], H5S_SELECT_SET, &start, NULL, &length, NULL) < 0 ||
            H5Dread(dataset, type, memory, spaces[i], H5P_DEFAULT, into) < 0) {
            char cause[256];
            hdf5_error_take(cause, sizeof(cause));
            result = set_error(error, error_size, -EIO, "cannot read /%s: %s",
                               i == 0 ? "sequence" : "device_time_us", cause);
        }
    }
    for (int i = 0; i < 2; i++)
        if (spaces[i] >= 0)
            H5Sclose(spaces[i]);
    if (memory >= 0)
        H5Sclose(memory);
    if (result == 0) {
        r->cache_first = first;
        r->cache_count = (size_t)length;
    } else {
        r->cache_count = 0;
    }
    return result;
}

/* Reads frames of slot through HDF5's own filter pipeline. */
static int read_through_hdf5(struct session_reader *r, struct slot *slot)
{
    hsize_t start[3] = {slot->first_frame, 0, 0};
    hsize_t count[3] = {slot->frames, (hsize_t)r->metadata.rows, (hsize_t)r->metadata.cols};
    hid_t space = H5Dget_space(r->frames);
    hid_t memory = H5Screate_simple(3, count, NULL);
    int result = 0;
    if (space < 0 || memory < 0 ||
        H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, count, NULL) < 0 ||
        H5Dread(r->frames, H5T_NATIVE_UINT16, memory, space, H5P_DEFAULT, slot->values) < 0) {
        char cause[200];
        hdf5_error_take(cause, sizeof(cause));
        snprintf(slot->error, sizeof(slot->error), "HDF5: %s", cause);
        result = -EIO;
    }
    if (memory >= 0)
        H5Sclose(memory);
    if (space >= 0)
        H5Sclose(space);
    return result;
}

/* Loads chunk `chunk` into slot: raw bytes for inflating, or values through HDF5. */
static enum slot_state load_slot(struct session_reader *r, struct slot *slot, uint64_t chunk)
{
    unsigned per_chunk = r->metadata.frames_per_chunk;
    slot->chunk = chunk;
    slot->first_frame = chunk * per_chunk;
    slot->frames = (size_t)(r->metadata.frames - slot->first_frame < per_chunk
                                ? r->metadata.frames - slot->first_frame
                                : per_chunk);
    slot->error[0] = '\0';
    if (fill_stamps(r, slot->first_frame, slot->frames, slot->error, sizeof(slot->error)) < 0)
        return SLOT_FAILED;
    for (size_t i = 0; i < slot->frames; i++) {
        size_t at = (size_t)(slot->first_frame - r->cache_first) + i;
        slot->stamps[i] = (struct frame_stamp){r->sequence_cache[at], r->time_cache[at]};
    }
    if (!r->metadata.direct_chunks)
        return read_through_hdf5(r, slot) < 0 ? SLOT_FAILED : SLOT_READY;
    hsize_t offset[3] = {slot->first_frame, 0, 0};
    hsize_t stored = 0;
    uint32_t filter_mask = 0;
    if (H5Dget_chunk_storage_size(r->frames, offset, &stored) < 0 || stored == 0) {
        /* Not stored (or not found): HDF5 knows what the frames read as. */
        H5Eclear2(H5E_DEFAULT);
        return read_through_hdf5(r, slot) < 0 ? SLOT_FAILED : SLOT_READY;
    }
    if (stored > slot->compressed_capacity) {
        /* Grow by doubling: growing to each new size fragments the heap. */
        size_t capacity =
            2 * slot->compressed_capacity > stored ? 2 * slot->compressed_capacity : (size_t)stored;
        uint8_t *grown = realloc(slot->compressed, capacity);
        if (!grown) {
            snprintf(slot->error, sizeof(slot->error), "out of memory");
            return SLOT_FAILED;
        }
        slot->compressed = grown;
        slot->compressed_capacity = capacity;
    }
    if (H5Dread_chunk(r->frames, H5P_DEFAULT, offset, &filter_mask, slot->compressed) < 0) {
        char cause[200];
        hdf5_error_take(cause, sizeof(cause));
        snprintf(slot->error, sizeof(slot->error), "HDF5 cannot read the chunk: %s", cause);
        return SLOT_FAILED;
    }
    if (filter_mask != 0)
        return read_through_hdf5(r, slot) < 0 ? SLOT_FAILED : SLOT_READY;
    slot->compressed_size = (size_t)stored;
    return SLOT_LOADED;
}

/* Values from shuffled bytes: the low bytes of all elements, then the high bytes. */
VECTOR_CLONES static void unshuffle(const uint8_t *restrict bytes, size_t elements, size_t used,
                                    uint16_t *restrict values)
{
    const uint8_t *restrict high = bytes + elements;
    for (size_t i = 0; i < used; i++)
        values[i] = (uint16_t)(bytes[i] | high[i] << 8);
}

/* Inflates and unshuffles a loaded slot with inflater `who`'s buffers. */
static enum slot_state inflate_slot(struct session_reader *r, struct slot *slot, int who)
{
    enum libdeflate_result result =
        libdeflate_zlib_decompress(r->decompressors[who], slot->compressed, slot->compressed_size,
                                   r->scratch[who], r->chunk_bytes, NULL);
    if (result != LIBDEFLATE_SUCCESS) {
        snprintf(slot->error, sizeof(slot->error),
                 "the compressed chunk is damaged (libdeflate result %d)", (int)result);
        return SLOT_FAILED;
    }
    unshuffle(r->scratch[who], r->chunk_bytes / 2, slot->frames * r->taxels, slot->values);
    return SLOT_READY;
}

/* The next loaded slot in chunk order, or NULL. Call with lock held. */
static struct slot *find_loaded(struct session_reader *r)
{
    for (uint64_t c = r->next_deliver; c < r->next_load; c++) {
        struct slot *slot = &r->slots[c % READER_SLOTS];
        if (slot->state == SLOT_LOADED)
            return slot;
    }
    return NULL;
}

/* Claims slot (lock held), inflates it without the lock, and publishes the result. */
static void inflate_claimed(struct session_reader *r, struct slot *slot, int who)
{
    slot->state = SLOT_CLAIMED;
    pthread_mutex_unlock(&r->lock);
    enum slot_state state = inflate_slot(r, slot, who);
    pthread_mutex_lock(&r->lock);
    slot->state = state;
    pthread_cond_broadcast(&r->changed);
}

static void *run_worker(void *data)
{
    struct session_reader *r = data;
    pthread_mutex_lock(&r->lock);
    for (;;) {
        struct slot *slot = NULL;
        while (!r->stopping && !(slot = find_loaded(r)))
            pthread_cond_wait(&r->changed, &r->lock);
        if (r->stopping)
            break;
        inflate_claimed(r, slot, INFLATER_WORKER);
    }
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

int session_reader_next(struct session_reader *r, struct session_block *block)
{
    pthread_mutex_lock(&r->lock);
    if (r->delivered_slot >= 0) {
        r->slots[r->delivered_slot].state = SLOT_EMPTY;
        r->delivered_slot = -1;
        r->next_deliver++;
    }
    pthread_mutex_unlock(&r->lock);
    if (r->next_deliver >= r->chunks)
        return 0;
    while (r->next_load < r->chunks && r->next_load < r->next_deliver + READER_SLOTS) {
        struct slot *slot = &r->slots[r->next_load % READER_SLOTS];
        enum slot_state state = load_slot(r, slot, r->next_load);
        pthread_mutex_lock(&r->lock);
        slot->state = state;
        r->next_load++;
        pthread_cond_broadcast(&r->changed);
        pthread_mutex_unlock(&r->lock);
    }
    struct slot *wanted = &r->slots[r->next_deliver % READER_SLOTS];
    pthread_mutex_lock(&r->lock);
    while (wanted->state != SLOT_READY && wanted->state != SLOT_FAILED) {
        /* Inflate something rather than wait: the wanted chunk first. */
        struct slot *work = wanted->state == SLOT_LOADED ? wanted : find_loaded(r);
        if (work)
            inflate_claimed(r, work, INFLATER_CALLER);
        else
            pthread_cond_wait(&r->changed, &r->lock);
    }
    enum slot_state state = wanted->state;
    pthread_mutex_unlock(&r->lock);
    if (state == SLOT_FAILED) {
        uint64_t last = wanted->first_frame + wanted->frames - 1;
        return set_error(
            r->error, sizeof(r->error), -EIO, "%s: frames %llu-%llu cannot be read: %s", r->path,
            (unsigned long long)wanted->first_frame, (unsigned long long)last, wanted->error);
    }
    r->delivered_slot = (int)(r->next_deliver % READER_SLOTS);
    *block = (struct session_block){.values = wanted->values,
                                    .stamps = wanted->stamps,
                                    .first_frame = wanted->first_frame,
                                    .frames = wanted->frames};
    return 1;
}

static int start_streaming(struct session_reader *r, char *error, size_t error_size)
{
    struct session_metadata *m = &r->metadata;
    r->taxels = (size_t)m->rows * (size_t)m->cols;
    r->chunk_bytes = (size_t)m->frames_per_chunk * r->taxels * sizeof(uint16_t);
    r->chunks = (m->frames + m->frames_per_chunk - 1) / m->frames_per_chunk;
    r->cache_capacity = m->frames_per_chunk > STAMP_BATCH ? m->frames_per_chunk : STAMP_BATCH;
    r->sequence_cache = malloc(r->cache_capacity * sizeof(uint32_t));
    r->time_cache = malloc(r->cache_capacity * sizeof(uint64_t));
    bool ok = r->sequence_cache && r->time_cache;
    for (int i = 0; i < READER_SLOTS && ok; i++) {
        /* Deflate output is at most slightly larger than its input. */
        r->slots[i].compressed_capacity = r->chunk_bytes + r->chunk_bytes / 8 + 4096;
        r->slots[i].compressed = malloc(r->slots[i].compressed_capacity);
        r->slots[i].values = malloc(r->chunk_bytes);
        r->slots[i].stamps = malloc(m->frames_per_chunk * sizeof(struct frame_stamp));
        ok = r->slots[i].compressed && r->slots[i].values && r->slots[i].stamps;
    }
    for (int i = 0; i < INFLATERS && ok && m->direct_chunks; i++) {
        r->decompressors[i] = libdeflate_alloc_decompressor();
        r->scratch[i] = malloc(r->chunk_bytes);
        ok = r->decompressors[i] && r->scratch[i];
    }
    if (!ok)
        return set_error(error, error_size, -ENOMEM, "%s: out of memory", r->path);
    if (m->direct_chunks) {
        int code = pthread_create(&r->worker, NULL, run_worker, r);
        if (code != 0)
            return set_error(error, error_size, -code, "%s: cannot start a thread: %s", r->path,
                             strerror(code));
        r->worker_started = true;
    }
    return 0;
}

int session_reader_open(const char *path, struct session_reader **out, char *error,
                        size_t error_size)
{
    struct stat status;
    if (stat(path, &status) < 0)
        return set_error(error, error_size, -errno, "%s: cannot open the session file: %s", path,
                         strerror(errno));
    if (S_ISDIR(status.st_mode))
        return set_error(error, error_size, -EISDIR, "%s: is a directory, not a session file",
                         path);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    htri_t is_hdf5 = H5Fis_hdf5(path);
    H5Eclear2(H5E_DEFAULT);
    if (is_hdf5 <= 0)
        return set_error(error, error_size, -ENOEXEC,
                         "%s: not an HDF5 file, so not an mtable session file", path);
    struct session_reader *r = calloc(1, sizeof(*r));
    if (!r)
        return set_error(error, error_size, -ENOMEM, "%s: out of memory", path);
    r->file = r->frames = r->sequence = r->device_time = H5I_INVALID_HID;
    r->delivered_slot = -1;
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->changed, NULL);
    snprintf(r->path, sizeof(r->path), "%s", path);
    int result = 0;
    char cause[256];
    r->file = open_file(path, cause, sizeof(cause));
    if (r->file < 0) {
        result =
            set_error(error, error_size, -EIO, "%s: HDF5 cannot open the file: %s", path, cause);
        goto out;
    }
    result = read_metadata(r, error, error_size);
    if (result == 0)
        result = open_datasets(r, error, error_size);
    if (result == 0)
        result = read_calibration(r, error, error_size);
    if (result == 0 && count_link_events(r) < 0)
        result = set_error(error, error_size, -EPROTO,
                           "%s: /link_events is not the table FILE_FORMAT.md describes", path);
    if (result == 0) {
        inspect_layout(r);
        result = start_streaming(r, error, error_size);
    }
out:
    if (result < 0) {
        session_reader_close(r);
        return result;
    }
    *out = r;
    return 0;
}

const struct session_metadata *session_reader_metadata(const struct session_reader *r)
{
    return &r->metadata;
}

const char *session_reader_error(const struct session_reader *r)
{
    return r->error;
}

void session_reader_close(struct session_reader *r)
{
    if (!r)
        return;
    if (r->worker_started) {
        pthread_mutex_lock(&r->lock);
        r->stopping = true;
        pthread_cond_broadcast(&r->changed);
        pthread_mutex_unlock(&r->lock);
        pthread_join(r->worker, NULL);
    }
    hid_t datasets[] = {r->frames, r->sequence, r->device_time};
    for (size_t i = 0; i < 3; i++)
        if (datasets[i] >= 0)
            H5Dclose(datasets[i]);
    if (r->file >= 0)
        H5Fclose(r->file);
    H5Eclear2(H5E_DEFAULT);
    for (int i = 0; i < READER_SLOTS; i++) {
        free(r->slots[i].compressed);
        free(r->slots[i].values);
        free(r->slots[i].stamps);
    }
    for (int i = 0; i < INFLATERS; i++) {
        if (r->decompressors[i])
            libdeflate_free_decompressor(r->decompressors[i]);
        free(r->scratch[i]);
    }
    free(r->sequence_cache);
    free(r->time_cache);
    free(r->metadata.calibration);
    pthread_cond_destroy(&r->changed);
    pthread_mutex_destroy(&r->lock);
    free(r);
}
