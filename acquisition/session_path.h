/*
 * session_path.h - session ids and file names that user input cannot abuse.
 *
 * A subject or operator id is 1 to SESSION_ID_MAX characters from
 * [A-Za-z0-9._-], not starting with '.', so an id can never climb out of the
 * output directory or hide a file. A session file is named
 *
 *   <output dir>/<subject>-<YYYYMMDD>T<HHMMSS>Z.h5       (attempt 1)
 *   <output dir>/<subject>-<YYYYMMDD>T<HHMMSS>Z-<n>.h5   (attempt n > 1)
 *
 * from its UTC start time; the caller tries attempts in turn until it
 * creates a file that did not exist, so none is ever overwritten.
 */
#ifndef MTABLE_SESSION_PATH_H
#define MTABLE_SESSION_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when id may be used as a subject or operator id. */
bool session_path_valid_id(const char *id);

/*
 * Writes the session id (file name without .h5) and the full path for
 * attempt n (1, 2, ...). Returns 0, or -ENAMETOOLONG if either does not fit.
 */
int session_path_make(const char *output_dir, const char *subject_id, int64_t start_time_ns,
                      unsigned attempt, char *session_id, size_t id_size, char *path,
                      size_t path_size);

#endif
