/*
 * log.h - levelled, subsystem-tagged messages for mtable's programs.
 *
 * Libraries return error codes and never print; programs report through
 * here. Each message is one line, written with a single write() so lines
 * from different threads never interleave:
 *
 *   2026-11-21T13:15:02.123Z mtable-acqd: warning: serial: /dev/ttyACM0: ...
 *
 * In the background (log_init with use_syslog) messages go to syslog.
 */
#ifndef MTABLE_LOG_H
#define MTABLE_LOG_H

#include <stdbool.h>

/* How important a message is; messages above the chosen level are dropped. */
enum log_level {
    LOG_LEVEL_ERROR,   /* the program cannot do what was asked */
    LOG_LEVEL_WARNING, /* something went wrong and was handled */
    LOG_LEVEL_INFO,    /* normal progress: sessions opened and closed, status */
    LOG_LEVEL_DEBUG,   /* detail for whoever is chasing a problem */
};

/* Sets the program name, the most detailed level shown, and the destination. */
void log_init(const char *program, enum log_level max_level, bool use_syslog);

/* Reports one message from subsystem (a short tag such as "serial"). */
void log_message(enum log_level level, const char *subsystem, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* True when messages of this level are shown (to skip costly formatting). */
bool log_enabled(enum log_level level);

#endif
