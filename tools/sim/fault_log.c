/*
 * fault_log.c - CSV rows through stdio, flushed one by one.
 */
#include "fault_log.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>

/* Longest detail text: a sentence naming offsets and counts. */
#define DETAIL_MAX 256

void fault_log_init(struct fault_log *log)
{
    log->file = NULL;
}

int fault_log_open(struct fault_log *log, const char *path)
{
    FILE *file = fopen(path, "we");
    if (file == NULL)
        return -errno;
    if (fprintf(file, "%s\n", FAULT_LOG_HEADER) < 0 || fflush(file) != 0) {
        int err = -errno;
        fclose(file);
        return err;
    }
    log->file = file;
    return 0;
}

int fault_log_write(struct fault_log *log, enum fault_kind kind, uint32_t sequence,
                    uint64_t model_time_ns, const char *detail_format, ...)
{
    if (log->file == NULL)
        return 0;
    char detail[DETAIL_MAX];
    va_list args;
    va_start(args, detail_format);
    vsnprintf(detail, sizeof(detail), detail_format, args);
    va_end(args);
    for (char *c = detail; *c != '\0'; c++) {
        if (*c == ',' || *c == '"' || *c == '\n' || *c == '\r')
            *c = ';'; /* keeps the row four plain fields */
    }
    errno = 0;
    if (fprintf(log->file, "%s,%" PRIu32 ",%" PRIu64 ".%06" PRIu64 ",%s\n", faults_kind_name(kind),
                sequence, model_time_ns / 1000000000u, model_time_ns % 1000000000u / 1000u,
                detail) < 0 ||
        fflush(log->file) != 0)
        return errno != 0 ? -errno : -EIO;
    return 0;
}

int fault_log_close(struct fault_log *log)
{
    int err = 0;
    if (log->file != NULL && fclose(log->file) != 0)
        err = -errno;
    log->file = NULL;
    return err;
}
