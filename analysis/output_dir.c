/*
 * output_dir.c - temporary directory, marker, atomic rename, clean-up.
 */
#include "output_dir.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Open file descriptors nftw may use while removing a directory. */
#define REMOVE_OPEN_FILES 16

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

/* Splits path into its parent directory and last component. */
static int split_path(const char *path, char *parent, char *name, size_t size)
{
    char copy[OUTPUT_DIR_PATH_MAX];
    if (snprintf(copy, sizeof(copy), "%s", path) >= (int)sizeof(copy))
        return -ENAMETOOLONG;
    size_t length = strlen(copy);
    while (length > 1 && copy[length - 1] == '/')
        copy[--length] = '\0';
    char copy2[OUTPUT_DIR_PATH_MAX];
    memcpy(copy2, copy, sizeof(copy2));
    snprintf(parent, size, "%s", dirname(copy));
    snprintf(name, size, "%s", basename(copy2));
    return 0;
}

static int remove_entry(const char *path, const struct stat *status, int type, struct FTW *ftw)
{
    (void)status;
    (void)type;
    (void)ftw;
    return remove(path) < 0 ? -1 : 0;
}

static void remove_tree(const char *path)
{
    nftw(path, remove_entry, REMOVE_OPEN_FILES, FTW_DEPTH | FTW_PHYS);
}

/* True if directory path holds the marker file. */
static bool has_marker(const char *path)
{
    char marker[OUTPUT_DIR_PATH_MAX + 32];
    snprintf(marker, sizeof(marker), "%s/%s", path, OUTPUT_DIR_MARKER);
    return access(marker, F_OK) == 0;
}

int output_dir_begin(const char *final_path, struct output_dir *out, char *error, size_t error_size)
{
    char parent[OUTPUT_DIR_PATH_MAX], name[OUTPUT_DIR_PATH_MAX];
    struct stat status;
    *out = (struct output_dir){.temp_path = ""};
    if (split_path(final_path, parent, name, sizeof(parent)) < 0 ||
        snprintf(out->final_path, sizeof(out->final_path), "%s", final_path) >=
            (int)sizeof(out->final_path))
        return set_error(error, error_size, -ENAMETOOLONG, "%s: path too long", final_path);
    if (lstat(final_path, &status) == 0) {
        if (!S_ISDIR(status.st_mode))
            return set_error(error, error_size, -EEXIST,
                             "%s: exists and is not a directory; choose another --out", final_path);
        if (!has_marker(final_path))
            return set_error(error, error_size, -EEXIST,
                             "%s: exists and was not written by mtable-analyze; remove it or "
                             "choose another --out",
                             final_path);
    }
    if (stat(parent, &status) < 0 || !S_ISDIR(status.st_mode))
        return set_error(error, error_size, -ENOENT,
                         "%s: cannot create it: %s is not an existing directory", final_path,
                         parent);
    if (snprintf(out->temp_path, sizeof(out->temp_path), "%s/.%s.tmp-XXXXXX", parent, name) >=
            (int)sizeof(out->temp_path) ||
        !mkdtemp(out->temp_path)) {
        int code = errno;
        out->temp_path[0] = '\0';
        return set_error(error, error_size, -code, "%s: cannot create a directory in %s: %s",
                         final_path, parent, strerror(code));
    }
    /* mkdtemp makes the directory private; results get the usual permissions. */
    mode_t mask = umask(0);
    umask(mask);
    chmod(out->temp_path, 0777 & ~mask);
    char marker[OUTPUT_DIR_PATH_MAX];
    int fd = -1;
    if (output_dir_file(out, OUTPUT_DIR_MARKER, marker, sizeof(marker)) < 0 ||
        (fd = open(marker, O_WRONLY | O_CREAT | O_EXCL, 0644)) < 0) {
        int code = errno;
        output_dir_abandon(out);
        return set_error(error, error_size, -code, "%s: cannot write in %s: %s", final_path, parent,
                         strerror(code));
    }
    static const char text[] = "Written by mtable-analyze; the directory may be replaced by a "
                               "new analysis.\n";
    ssize_t written = write(fd, text, sizeof(text) - 1);
    close(fd);
    if (written != (ssize_t)sizeof(text) - 1) {
        output_dir_abandon(out);
        return set_error(error, error_size, -EIO, "%s: cannot write in %s", final_path, parent);
    }
    return 0;
}

int output_dir_file(const struct output_dir *dir, const char *name, char *out, size_t size)
{
    return snprintf(out, size, "%s/%s", dir->temp_path, name) < (int)size ? 0 : -ENAMETOOLONG;
}

int output_dir_commit(struct output_dir *dir, char *error, size_t error_size)
{
    char old[OUTPUT_DIR_PATH_MAX + 16] = "";
    struct stat status;
    if (lstat(dir->final_path, &status) == 0) {
        /* An earlier output directory: move it aside, then remove it once the new one is in. */
        if (!has_marker(dir->final_path))
            return set_error(error, error_size, -EEXIST,
                             "%s: appeared while analysing and was not written by "
                             "mtable-analyze; results left in %s",
                             dir->final_path, dir->temp_path);
        snprintf(old, sizeof(old), "%s.old-XXXXXX", dir->temp_path);
        if (!mkdtemp(old) || rename(dir->final_path, old) < 0) {
            int code = errno;
            return set_error(error, error_size, -code, "%s: cannot replace it: %s", dir->final_path,
                             strerror(code));
        }
    }
    if (rename(dir->temp_path, dir->final_path) < 0) {
        int code = errno;
        if (old[0])
            rename(old, dir->final_path);
        return set_error(error, error_size, -code, "%s: cannot move the results into place: %s",
                         dir->final_path, strerror(code));
    }
    dir->temp_path[0] = '\0';
    if (old[0])
        remove_tree(old);
    return 0;
}

void output_dir_abandon(struct output_dir *dir)
{
    if (dir->temp_path[0])
        remove_tree(dir->temp_path);
    dir->temp_path[0] = '\0';
}
