/*
 * progress.c - the status line, written with single write() calls.
 */
#include "progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

static void put(const char *text, int length)
{
    ssize_t ignored = write(STDERR_FILENO, text, (size_t)length);
    (void)ignored; /* a status line that cannot be shown is not worth failing for */
}

void progress_start(struct progress *p, const char *label, bool enabled)
{
    p->enabled = enabled && isatty(STDERR_FILENO);
    p->label = label;
    p->start_s = now_s();
    p->last_s = 0;
}

void progress_report(void *context, uint64_t done, uint64_t total)
{
    struct progress *p = context;
    if (!p->enabled)
        return;
    double now = now_s();
    if (now - p->last_s < PROGRESS_INTERVAL_S && done < total)
        return;
    p->last_s = now;
    double rate = now > p->start_s ? (double)done / (now - p->start_s) : 0;
    char line[512];
    int length = snprintf(line, sizeof(line),
                          "\r\033[Kanalysing %s: %llu/%llu frames (%d %%), %.0f frames/s", p->label,
                          (unsigned long long)done, (unsigned long long)total,
                          total ? (int)(100 * done / total) : 100, rate);
    put(line, length < (int)sizeof(line) ? length : (int)sizeof(line) - 1);
}

void progress_finish(struct progress *p)
{
    if (p->enabled)
        put("\r\033[K", 4);
}
