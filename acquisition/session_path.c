/*
 * session_path.c - id checks and file name formatting.
 */
#include "session_path.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "session_file.h"

bool session_path_valid_id(const char *id)
{
    size_t len = strlen(id);
    if (len == 0 || len > SESSION_ID_MAX || id[0] == '.')
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = id[i];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok)
            return false;
    }
    return true;
}

int session_path_make(const char *output_dir, const char *subject_id, int64_t start_time_ns,
                      unsigned attempt, char *session_id, size_t id_size, char *path,
                      size_t path_size)
{
    time_t seconds = (time_t)(start_time_ns / 1000000000LL);
    struct tm utc;
    gmtime_r(&seconds, &utc);
    char stamp[32];
    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &utc);
    int n = attempt > 1 ? snprintf(session_id, id_size, "%s-%s-%u", subject_id, stamp, attempt)
                        : snprintf(session_id, id_size, "%s-%s", subject_id, stamp);
    if (n < 0 || (size_t)n >= id_size)
        return -ENAMETOOLONG;
    n = snprintf(path, path_size, "%s/%s.h5", output_dir, session_id);
    if (n < 0 || (size_t)n >= path_size)
        return -ENAMETOOLONG;
    return 0;
}
