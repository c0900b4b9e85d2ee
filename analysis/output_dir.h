/*
 * output_dir.h - a directory of results that appears complete or not at all.
 *
 * Every output is written into a hidden temporary directory beside the
 * final one (".NAME.tmp-XXXXXX" in the same parent, so renaming is atomic);
 * only when all are written is it renamed to NAME. On failure the temporary
 * directory is removed, so a directory called NAME is always complete.
 *
 * An existing NAME is replaced only if it holds the marker file that every
 * output directory gets (OUTPUT_DIR_MARKER): a directory that mtable-analyze
 * did not write is never deleted.
 */
#ifndef MTABLE_OUTPUT_DIR_H
#define MTABLE_OUTPUT_DIR_H

#include <stddef.h>

/* Name of the marker file written into every output directory. */
#define OUTPUT_DIR_MARKER ".mtable-analyze"

/* Longest path handled. */
#define OUTPUT_DIR_PATH_MAX 4096

/* An output directory being written. */
struct output_dir {
    char final_path[OUTPUT_DIR_PATH_MAX]; /* where it will appear */
    char temp_path[OUTPUT_DIR_PATH_MAX];  /* where it is written; "" when none */
};

/*
 * Starts writing the directory final_path: checks that it is absent or an
 * earlier output directory, creates the temporary directory and its marker.
 */
int output_dir_begin(const char *final_path, struct output_dir *out, char *error,
                     size_t error_size);

/* Path of file name inside the directory being written. */
int output_dir_file(const struct output_dir *dir, const char *name, char *out, size_t size);

/* Renames the finished directory into place, replacing an earlier output directory. */
int output_dir_commit(struct output_dir *dir, char *error, size_t error_size);

/* Removes the temporary directory and everything in it (after a failure). */
void output_dir_abandon(struct output_dir *dir);

#endif
