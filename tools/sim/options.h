/*
 * options.h - mtable-sim's command line.
 *
 * Every option is checked here, and a bad one is reported with its name,
 * the value given and what is expected, before anything is opened.
 */
#ifndef MTABLE_SIM_OPTIONS_H
#define MTABLE_SIM_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "faults.h"
#include "log.h"
#include "packet.h"

/* Slowest frame rate the simulated device accepts (--rate, SET_RATE): 1 frame per 1000 s. */
#define OPTIONS_MIN_RATE_MHZ 1u
/* Fastest: 1,000,000 frames/s, beyond what it can generate, for benchmarks. */
#define OPTIONS_MAX_RATE_MHZ 1000000000u
/* Fastest --replay pace, times real time: an hour of recording in 3.6 ms, beyond any link. */
#define OPTIONS_MAX_SPEED 1000000.0
/* Fastest --raw-rate, bytes/s: 1 GB/s, beyond any serial link. */
#define OPTIONS_MAX_RAW_RATE 1000000000u

/* Everything the command line sets. */
struct options {
    unsigned rows, cols;                 /* grid */
    uint32_t rate_mhz;                   /* frame rate at start */
    uint64_t seed;                       /* sensor offsets and noise */
    uint64_t frames;                     /* frames to scan after START; 0: no limit */
    uint64_t duration_ns;                /* model time to scan; 0: no limit */
    bool linger_set;                     /* --linger given */
    uint64_t linger_ns;                  /* time to stay after the last frame */
    const char *ground_truth_path;       /* NULL: none */
    const char *tee_path;                /* NULL: none */
    const char *link_path;               /* NULL: none */
    char serial[PACKET_SERIAL_SIZE + 1]; /* device serial number */
    uint32_t row_pitch_um, col_pitch_um; /* taxel pitch */
    unsigned adc_bits;                   /* ADC resolution */
    enum log_level log_level;            /* -v, -q */
    bool help;                           /* --help: print help and exit */
    struct fault_settings faults;        /* --garbage ... --grid-change */
    const char *fault_log_path;          /* NULL: none */
    const char *replay_path;             /* --replay session file, or NULL */
    double speed;                        /* --replay pace, times real time; 0: unpaced */
    const char *replay_raw_path;         /* --replay-raw capture, or NULL */
    uint64_t raw_rate;                   /* --replay-raw pace, bytes/s; 0: unpaced */
};

/* Parses argv into *options; logs what is wrong and returns -EINVAL on a bad command line. */
int options_parse(int argc, char **argv, struct options *options);

/* Prints the help text. */
void options_print_help(FILE *out);

#endif
