/*
 * write_path.c - mtable-write-path: frames per second into a file, through
 * the daemon's writer or through HDF5's own filter pipeline, on the same
 * frames.
 *
 *   mtable-write-path [--frames N] --session|--hdf5 OUTPUT.h5
 *
 * N frames of the simulated table (tools/bench/bench_frames.h) are made
 * first; then, timed from creating the file to closing it:
 *
 *   --session  acquisition/session_file.h, as the daemon's writer thread
 *              calls it: session_file_append_frame per frame (shuffled into
 *              the chunk in memory, compressed with libdeflate at the
 *              default level, stored with H5Dwrite_chunk), the per-frame
 *              series, SWMR, the closing attributes.
 *   --hdf5     the plain HDF5 way to write the same data: /frames chunked
 *              (32, rows, cols) with H5Pset_shuffle and H5Pset_deflate at
 *              the same level (zlib inside HDF5's filter pipeline), and the
 *              three per-frame series chunked by 1024 as in a session file;
 *              each chunk's worth of frames appended with H5Dset_extent and
 *              one H5Dwrite per dataset, so HDF5 compresses each chunk
 *              exactly once.
 *
 * Prints "N frames in T s: R frames/s, S bytes (B bytes per frame)".
 */
#include <errno.h>
#include <getopt.h>
#include <hdf5.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "bench_frames.h"
#include "log.h"
#include "session_file.h"

/* Subsystem tag of every message. */
#define SUBSYSTEM "write-path"
/* One loop of the simulator's routine (160 s) at 100 frames/s: every kind of frame. */
#define DEFAULT_FRAMES 16000
/* Frames per chunk of /frames: the daemon's default (SESSION_DEFAULT_FRAMES_PER_CHUNK). */
#define FRAMES_PER_CHUNK SESSION_DEFAULT_FRAMES_PER_CHUNK
/* Rows per chunk of the per-frame series, as in a session file (FILE_FORMAT.md). */
#define SERIES_CHUNK 1024
/* A fixed start time (2026-01-01T00:00:00Z), as mtable-sim-session uses. */
#define START_TIME_NS 1767225600000000000ll

static double seconds_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

/* Through the daemon's writer (callgrind --toggle-collect=write_session). */
__attribute__((noinline)) static int write_session(const char *path, const uint16_t *values,
                                                   size_t frames)
{
    const size_t taxels = (size_t)BENCH_FRAMES_ROWS * BENCH_FRAMES_COLS;
    struct session_info info = {.start_time_ns = START_TIME_NS, .software = "mtable-write-path"};
    snprintf(info.session_id, sizeof(info.session_id), "write-path");
    snprintf(info.subject_id, sizeof(info.subject_id), "BENCH");
    snprintf(info.operator_id, sizeof(info.operator_id), "bench");
    snprintf(info.port, sizeof(info.port), "none");
    info.device =
        (struct packet_device_info){.rows = BENCH_FRAMES_ROWS,
                                    .cols = BENCH_FRAMES_COLS,
                                    .adc_bits = BENCH_FRAMES_ADC_BITS,
                                    .streaming = true,
                                    .frame_rate_mhz = (uint32_t)(BENCH_FRAMES_RATE_HZ * 1000),
                                    .serial = "MT-SIM-0001"};
    struct session_file *file = NULL;
    int err = session_file_create(path, &info, NULL, &file);
    for (size_t n = 0; err == 0 && n < frames; n++) {
        uint64_t time_ns = bench_frames_time_ns(n);
        err = session_file_append_frame(file, (uint32_t)n, time_ns / 1000,
                                        START_TIME_NS + (int64_t)time_ns, values + n * taxels);
    }
    if (file != NULL) {
        int close_err =
            session_file_close(file, START_TIME_NS + (int64_t)bench_frames_time_ns(frames));
        err = err != 0 ? err : close_err;
    }
    if (err != 0)
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "%s", session_file_last_error());
    return err;
}

/* An extensible dataset of shape (0, dims...) chunked by chunk, with shuffle + deflate if level >
 * 0. */
static hid_t create_dataset(hid_t file, const char *name, hid_t type, int rank, const hsize_t *dims,
                            const hsize_t *chunk, int level)
{
    hsize_t initial[3] = {0}, maximum[3] = {H5S_UNLIMITED};
    for (int i = 1; i < rank; i++)
        initial[i] = maximum[i] = dims[i];
    hid_t space = H5Screate_simple(rank, initial, maximum);
    hid_t creation = H5Pcreate(H5P_DATASET_CREATE);
    hid_t dataset = H5I_INVALID_HID;
    if (space >= 0 && creation >= 0 && H5Pset_chunk(creation, rank, chunk) >= 0 &&
        (level == 0 ||
         (H5Pset_shuffle(creation) >= 0 && H5Pset_deflate(creation, (unsigned)level) >= 0)))
        dataset = H5Dcreate2(file, name, type, space, H5P_DEFAULT, creation, H5P_DEFAULT);
    if (creation >= 0)
        H5Pclose(creation);
    if (space >= 0)
        H5Sclose(space);
    return dataset;
}

/* Extends dataset to length rows and writes count rows of data at row start. */
static int append_rows(hid_t dataset, int rank, const hsize_t *dims, hsize_t start, hsize_t count,
                       hid_t memory_type, const void *data)
{
    hsize_t extent[3] = {start + count, dims[1], dims[2]};
    hsize_t offset[3] = {start, 0, 0}, size[3] = {count, dims[1], dims[2]};
    int err = -EIO;
    hid_t file_space = H5I_INVALID_HID, memory_space = H5I_INVALID_HID;
    if (H5Dset_extent(dataset, extent) < 0)
        goto out;
    file_space = H5Dget_space(dataset);
    memory_space = H5Screate_simple(rank, size, NULL);
    if (file_space >= 0 && memory_space >= 0 &&
        H5Sselect_hyperslab(file_space, H5S_SELECT_SET, offset, NULL, size, NULL) >= 0 &&
        H5Dwrite(dataset, memory_type, memory_space, file_space, H5P_DEFAULT, data) >= 0)
        err = 0;
out:
    if (memory_space >= 0)
        H5Sclose(memory_space);
    if (file_space >= 0)
        H5Sclose(file_space);
    return err;
}

/* Through HDF5's own filter pipeline (callgrind --toggle-collect=write_hdf5). */
__attribute__((noinline)) static int write_hdf5(const char *path, const uint16_t *values,
                                                size_t frames)
{
    const size_t taxels = (size_t)BENCH_FRAMES_ROWS * BENCH_FRAMES_COLS;
    const hsize_t frame_dims[3] = {0, BENCH_FRAMES_ROWS, BENCH_FRAMES_COLS};
    const hsize_t frame_chunk[3] = {FRAMES_PER_CHUNK, BENCH_FRAMES_ROWS, BENCH_FRAMES_COLS};
    const hsize_t series_dims[3] = {0, 1, 1}, series_chunk[1] = {SERIES_CHUNK};
    uint32_t sequence[FRAMES_PER_CHUNK];
    uint64_t device_time[FRAMES_PER_CHUNK];
    int64_t host_time[FRAMES_PER_CHUNK];
    int err = -EIO;
    hid_t datasets[4] = {H5I_INVALID_HID, H5I_INVALID_HID, H5I_INVALID_HID, H5I_INVALID_HID};
    hid_t file = H5Fcreate(path, H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT);
    if (file < 0)
        goto out;
    datasets[0] = create_dataset(file, "frames", H5T_STD_U16LE, 3, frame_dims, frame_chunk,
                                 SESSION_DEFAULT_COMPRESSION_LEVEL);
    datasets[1] = create_dataset(file, "sequence", H5T_STD_U32LE, 1, series_dims, series_chunk, 0);
    datasets[2] =
        create_dataset(file, "device_time_us", H5T_STD_U64LE, 1, series_dims, series_chunk, 0);
    datasets[3] =
        create_dataset(file, "host_time_ns", H5T_STD_I64LE, 1, series_dims, series_chunk, 0);
    if (datasets[0] < 0 || datasets[1] < 0 || datasets[2] < 0 || datasets[3] < 0)
        goto out;
    err = 0;
    for (size_t first = 0; err == 0 && first < frames; first += FRAMES_PER_CHUNK) {
        size_t count = frames - first < FRAMES_PER_CHUNK ? frames - first : FRAMES_PER_CHUNK;
        for (size_t i = 0; i < count; i++) {
            uint64_t time_ns = bench_frames_time_ns(first + i);
            sequence[i] = (uint32_t)(first + i);
            device_time[i] = time_ns / 1000;
            host_time[i] = START_TIME_NS + (int64_t)time_ns;
        }
        err = append_rows(datasets[0], 3, frame_dims, first, count, H5T_NATIVE_UINT16,
                          values + first * taxels);
        if (err == 0)
            err =
                append_rows(datasets[1], 1, series_dims, first, count, H5T_NATIVE_UINT32, sequence);
        if (err == 0)
            err = append_rows(datasets[2], 1, series_dims, first, count, H5T_NATIVE_UINT64,
                              device_time);
        if (err == 0)
            err =
                append_rows(datasets[3], 1, series_dims, first, count, H5T_NATIVE_INT64, host_time);
    }
out:
    for (size_t i = 0; i < sizeof(datasets) / sizeof(datasets[0]); i++)
        if (datasets[i] >= 0)
            H5Dclose(datasets[i]);
    if (file >= 0 && H5Fclose(file) < 0)
        err = -EIO;
    if (err != 0)
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "%s: writing with HDF5's filters failed", path);
    return err;
}

int main(int argc, char **argv)
{
    log_init("mtable-write-path", LOG_LEVEL_INFO, false);
    static const struct option options[] = {
        {"frames", required_argument, NULL, 'n'},
        {"session", no_argument, NULL, 's'},
        {"hdf5", no_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    size_t frames = DEFAULT_FRAMES;
    int mode = 0, option;
    while ((option = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        if (option == 'n') {
            frames = strtoull(optarg, NULL, 10);
        } else if (option == 's' || option == 'f') {
            mode = option;
        } else {
            fprintf(option == 'h' ? stdout : stderr,
                    "usage: mtable-write-path [--frames N] --session|--hdf5 OUTPUT.h5\n");
            return option == 'h' ? 0 : 2;
        }
    }
    if (mode == 0 || frames == 0 || argc - optind != 1) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM,
                    "give --session or --hdf5, a positive --frames and one OUTPUT.h5; see --help");
        return 2;
    }
    const char *path = argv[optind];
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    uint16_t *values = NULL;
    int err = bench_frames_generate(1, frames, &values);
    if (err < 0) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "cannot make %zu frames: %s", frames,
                    strerror(-err));
        return 1;
    }
    double start = seconds_now();
    err = mode == 's' ? write_session(path, values, frames) : write_hdf5(path, values, frames);
    double seconds = seconds_now() - start;
    free(values);
    struct stat status;
    if (err != 0 || stat(path, &status) != 0)
        return 1;
    printf("%zu frames in %.3f s: %.0f frames/s, %lld bytes (%.0f bytes per frame)\n", frames,
           seconds, (double)frames / seconds, (long long)status.st_size,
           (double)status.st_size / (double)frames);
    return 0;
}
