/*
 * hdf5_error.c - walking the HDF5 error stack.
 */
#include "hdf5_error.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cause {
    char *description;
    size_t size;
    int os_error;
};

static herr_t collect_cause(unsigned n, const H5E_error2_t *error, void *data)
{
    struct cause *cause = data;
    if (error->desc == NULL)
        return 0;
    const char *errno_text = strstr(error->desc, "errno = ");
    if (errno_text != NULL && cause->os_error == 0)
        cause->os_error = atoi(errno_text + strlen("errno = "));
    if (n == 0) {
        snprintf(cause->description, cause->size, "%s", error->desc);
        /* Low-level descriptions append "name = value, ..." dumps (with ctime's newline). */
        char *colon = strchr(cause->description, ':');
        if (colon != NULL && strstr(colon, " = ") != NULL)
            *colon = '\0';
        for (char *c = cause->description; *c != '\0'; c++)
            if (*c == '\n')
                *c = ' ';
    }
    return 0;
}

int hdf5_error_take(char *description, size_t size)
{
    struct cause cause = {description, size, 0};
    snprintf(description, size, "HDF5 gave no reason");
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, collect_cause, &cause);
    H5Eclear2(H5E_DEFAULT);
    return cause.os_error > 0 ? cause.os_error : 0;
}
