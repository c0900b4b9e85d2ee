/*
 * read_frames.c - mtable-read-frames: how long it takes merely to read and
 * decompress every frame of a session, the floor under any analysis.
 *
 * Default: one thread, each chunk of /frames read raw with H5Dread_chunk,
 * inflated with libdeflate and unshuffled, as plainly as possible.
 * --reader: the same through analysis/session_reader.h (a second thread
 * inflates), the path mtable-analyze takes.
 * Either way a checksum of all values is printed, so nothing is optimised
 * away and the two modes can be compared.
 */
#include <errno.h>
#include <hdf5.h>
#include <libdeflate.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session_reader.h"

static int read_plain(const char *path, uint64_t *checksum, uint64_t *frames)
{
    int result = -EIO;
    hid_t access = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_libver_bounds(access, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, access);
    hid_t dataset = file >= 0 ? H5Dopen2(file, "frames", H5P_DEFAULT) : H5I_INVALID_HID;
    hid_t creation = dataset >= 0 ? H5Dget_create_plist(dataset) : H5I_INVALID_HID;
    hid_t space = dataset >= 0 ? H5Dget_space(dataset) : H5I_INVALID_HID;
    hsize_t dims[3], chunk[3];
    struct libdeflate_decompressor *decompressor = libdeflate_alloc_decompressor();
    uint8_t *compressed = NULL, *inflated = NULL;
    uint16_t *values = NULL;
    if (space < 0 || H5Sget_simple_extent_dims(space, dims, NULL) != 3 ||
        H5Pget_chunk(creation, 3, chunk) != 3 || !decompressor)
        goto out;
    size_t elements = (size_t)(chunk[0] * chunk[1] * chunk[2]);
    size_t capacity = 2 * elements * 2;
    compressed = malloc(capacity);
    inflated = malloc(elements * 2);
    values = malloc(elements * 2);
    if (!compressed || !inflated || !values)
        goto out;
    for (hsize_t first = 0; first < dims[0]; first += chunk[0]) {
        hsize_t offset[3] = {first, 0, 0}, stored = 0;
        uint32_t filters = 0;
        if (H5Dget_chunk_storage_size(dataset, offset, &stored) < 0 || stored > capacity ||
            H5Dread_chunk(dataset, H5P_DEFAULT, offset, &filters, compressed) < 0 || filters != 0 ||
            libdeflate_zlib_decompress(decompressor, compressed, (size_t)stored, inflated,
                                       elements * 2, NULL) != LIBDEFLATE_SUCCESS)
            goto out;
        size_t used = (size_t)((dims[0] - first < chunk[0] ? dims[0] - first : chunk[0]) *
                               chunk[1] * chunk[2]);
        for (size_t i = 0; i < used; i++)
            values[i] = (uint16_t)(inflated[i] | inflated[elements + i] << 8);
        for (size_t i = 0; i < used; i++)
            *checksum += values[i];
    }
    *frames = dims[0];
    result = 0;
out:
    free(compressed);
    free(inflated);
    free(values);
    if (decompressor)
        libdeflate_free_decompressor(decompressor);
    if (space >= 0)
        H5Sclose(space);
    if (creation >= 0)
        H5Pclose(creation);
    if (dataset >= 0)
        H5Dclose(dataset);
    if (file >= 0)
        H5Fclose(file);
    H5Pclose(access);
    return result;
}

static int read_with_reader(const char *path, uint64_t *checksum, uint64_t *frames)
{
    struct session_reader *reader = NULL;
    char error[SESSION_READER_ERROR_SIZE];
    if (session_reader_open(path, &reader, error, sizeof(error)) < 0) {
        fprintf(stderr, "%s\n", error);
        return -EIO;
    }
    const struct session_metadata *m = session_reader_metadata(reader);
    size_t taxels = (size_t)m->rows * (size_t)m->cols;
    struct session_block block;
    int r;
    while ((r = session_reader_next(reader, &block)) > 0) {
        for (size_t i = 0; i < block.frames * taxels; i++)
            *checksum += block.values[i];
        *frames += block.frames;
    }
    if (r < 0)
        fprintf(stderr, "%s\n", session_reader_error(reader));
    session_reader_close(reader);
    return r;
}

int main(int argc, char **argv)
{
    bool reader = argc == 3 && strcmp(argv[1], "--reader") == 0;
    if (argc != 2 && !reader) {
        fprintf(stderr, "usage: mtable-read-frames [--reader] SESSION.h5\n");
        return 2;
    }
    uint64_t checksum = 0, frames = 0;
    const char *path = argv[argc - 1];
    int r =
        reader ? read_with_reader(path, &checksum, &frames) : read_plain(path, &checksum, &frames);
    if (r < 0) {
        fprintf(stderr, "%s: cannot read the frames\n", path);
        return 1;
    }
    printf("%llu frames, checksum %llu\n", (unsigned long long)frames,
           (unsigned long long)checksum);
    return 0;
}
