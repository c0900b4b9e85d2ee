/*
 * log.c - formatting and delivery of log lines.
 *
 * Settings are written once by log_init before any thread starts, and only
 * read afterwards, so no lock is needed.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static const char *log_program = "mtable";
static enum log_level log_max_level = LOG_LEVEL_INFO;
static bool log_to_syslog;

static const char *const level_names[] = {"error", "warning", "info", "debug"};
static const int syslog_priorities[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};

void log_init(const char *program, enum log_level max_level, bool use_syslog)
{
    log_program = program;
    log_max_level = max_level;
    log_to_syslog = use_syslog;
    if (use_syslog)
        openlog(program, LOG_PID, LOG_DAEMON);
}

bool log_enabled(enum log_level level)
{
    return level <= log_max_level;
}

void log_message(enum log_level level, const char *subsystem, const char *format, ...)
{
    if (!log_enabled(level))
        return;
    char text[1024];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof(text), format, args);
    va_end(args);

    if (log_to_syslog) {
        syslog(syslog_priorities[level], "%s: %s: %s", level_names[level], subsystem, text);
        return;
    }
    struct timespec now;
    struct tm utc;
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &utc);
    char line[1200];
    int n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s: %s: %s: %s\n",
                     utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
                     utc.tm_sec, now.tv_nsec / 1000000, log_program, level_names[level], subsystem,
                     text);
    if (n > (int)sizeof(line) - 1) {
        n = (int)sizeof(line) - 1;
        line[n - 1] = '\n';
    }
    ssize_t ignored = write(STDERR_FILENO, line, (size_t)n);
    (void)ignored; /* nowhere left to report a failed write to stderr */
}
