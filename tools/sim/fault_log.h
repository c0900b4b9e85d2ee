/*
 * fault_log.h - the --fault-log file: one CSV row per fault injected, so a
 * test knows exactly which frames were lost and why.
 *
 *   kind,sequence,model_time_s,detail
 *   garbage,17,0.170000,23 bytes before the frame
 *   flip,18,0.180000,bit 5 of stuffed byte 1021: frame lost
 *   drop,40,0.400000,--drop: frame not sent
 *   pause,55,0.550000,nothing written for 0.500000 s
 *
 * kind is faults_kind_name's; sequence is the frame's sequence number (for
 * events: the number the next frame scanned would carry, before a reset
 * restarts it); model_time_s is the frame's (or the event's) model time,
 * exact to the microsecond; detail is free text (commas, quotes and line
 * breaks in it become ';').
 * Each row is flushed as it is written, so a reader following the file
 * sees every fault that already happened.
 */
#ifndef MTABLE_SIM_FAULT_LOG_H
#define MTABLE_SIM_FAULT_LOG_H

#include <stdint.h>
#include <stdio.h>

#include "faults.h"

/* The header line of the CSV file. */
#define FAULT_LOG_HEADER "kind,sequence,model_time_s,detail"

/* An open fault log, or a closed one (file NULL) that writes nothing. */
struct fault_log {
    FILE *file;
};

/* Starts a closed log: fault_log_write does nothing. */
void fault_log_init(struct fault_log *log);

/* Creates (or replaces) path and writes the header. Returns 0 or a negative errno. */
int fault_log_open(struct fault_log *log, const char *path);

/* Writes one row (nothing if the log is closed). Returns 0 or a negative errno. */
int fault_log_write(struct fault_log *log, enum fault_kind kind, uint32_t sequence,
                    uint64_t model_time_ns, const char *detail_format, ...)
    __attribute__((format(printf, 5, 6)));

/* Closes the file; returns 0 or a negative errno if the last rows could not be written. */
int fault_log_close(struct fault_log *log);

#endif
