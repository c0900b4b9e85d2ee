/*
 * fuzz_config.c - the daemon's INI settings and calibration CSV readers on
 * arbitrary files. A rejected file must come with a message that names it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz-config", 0);
    if (fd < 0 || write(fd, data, size) != (ssize_t)size)
        abort();
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);

    struct config config;
    config_defaults(&config);
    char error[1024] = "";
    if (config_load(path, &config, error, sizeof(error)) != 0 && strstr(error, path) == NULL)
        abort();

    double *pairs = NULL;
    size_t points = 0;
    error[0] = '\0';
    if (config_load_calibration(path, &pairs, &points, error, sizeof(error)) == 0) {
        if (points < 2)
            abort();
        for (size_t i = 1; i < points; i++)
            if (!(pairs[2 * i] > pairs[2 * (i - 1)]))
                abort();
        free(pairs);
    } else if (strstr(error, path) == NULL) {
        abort();
    }
    close(fd);
    return 0;
}
