/*
 * options.c - getopt_long, the value checks and the help text.
 */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "body.h"
#include "region_map.h"
#include "routine.h"

/* Subsystem tag of every message from here. */
#define SUBSYSTEM "options"

/* Longest accepted pitch, mm: a micrometre count must fit the protocol's u32. */
#define MAX_PITCH_MM 4000000.0

enum long_only_option {
    OPTION_ROWS = 256, /* above every character, so no clash with short options */
    OPTION_COLS,
    OPTION_RATE,
    OPTION_SEED,
    OPTION_FRAMES,
    OPTION_DURATION,
    OPTION_LINGER,
    OPTION_GROUND_TRUTH,
    OPTION_TEE,
    OPTION_LINK,
    OPTION_SERIAL,
    OPTION_PITCH,
    OPTION_ADC_BITS,
};

static const struct option LONG_OPTIONS[] = {
    {"rows", required_argument, NULL, OPTION_ROWS},
    {"cols", required_argument, NULL, OPTION_COLS},
    {"rate", required_argument, NULL, OPTION_RATE},
    {"seed", required_argument, NULL, OPTION_SEED},
    {"frames", required_argument, NULL, OPTION_FRAMES},
    {"duration", required_argument, NULL, OPTION_DURATION},
    {"linger", required_argument, NULL, OPTION_LINGER},
    {"ground-truth", required_argument, NULL, OPTION_GROUND_TRUTH},
    {"tee", required_argument, NULL, OPTION_TEE},
    {"link", required_argument, NULL, OPTION_LINK},
    {"serial", required_argument, NULL, OPTION_SERIAL},
    {"pitch-mm", required_argument, NULL, OPTION_PITCH},
    {"adc-bits", required_argument, NULL, OPTION_ADC_BITS},
    {"verbose", no_argument, NULL, 'v'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Parses a whole decimal number from min to max; logs and returns -EINVAL otherwise. */
static int parse_whole(const char *option, const char *text, uint64_t min, uint64_t max,
                       uint64_t *value)
{
    char *end = NULL;
    errno = 0;
    unsigned long long parsed = strtoull(text, &end, 10);
    if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0 || parsed < min ||
        parsed > max) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM,
                    "%s: '%s' is not a whole number from %" PRIu64 " to %" PRIu64
                    "; see mtable-sim --help",
                    option, text, min, max);
        return -EINVAL;
    }
    *value = parsed;
    return 0;
}

/* Parses a decimal number (fractions allowed) from min to max; logs and returns -EINVAL otherwise.
 */
static int parse_decimal(const char *option, const char *text, const char *what, double min,
                         double max, double *value)
{
    char *end = NULL;
    errno = 0;
    double parsed = strtod(text, &end);
    if (end == text || *end != '\0' || errno != 0 || !isfinite(parsed) || parsed < min ||
        parsed > max) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM,
                    "%s: '%s' is not %s from %.10g to %.10g; see mtable-sim --help", option, text,
                    what, min, max);
        return -EINVAL;
    }
    *value = parsed;
    return 0;
}

static int parse_rate(const char *text, uint32_t *rate_mhz)
{
    double hz;
    int err = parse_decimal("--rate", text, "a frame rate in frames per second",
                            OPTIONS_MIN_RATE_MHZ / 1000.0, OPTIONS_MAX_RATE_MHZ / 1000.0, &hz);
    if (err == 0)
        *rate_mhz = (uint32_t)llround(hz * 1000.0);
    return err;
}

static int parse_seconds(const char *option, const char *text, double min, uint64_t *ns)
{
    double seconds;
    /* A year: longer is a typing mistake, and its nanoseconds still fit 64 bits. */
    int err = parse_decimal(option, text, "a time in seconds", min, 31536000.0, &seconds);
    if (err == 0)
        *ns = (uint64_t)llround(seconds * 1e9);
    return err;
}

static int parse_pitch(const char *text, uint32_t *row_um, uint32_t *col_um)
{
    char row_text[64];
    const char *comma = strchr(text, ',');
    size_t row_len = comma != NULL ? (size_t)(comma - text) : 0;
    if (comma == NULL || row_len >= sizeof(row_text)) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM,
                    "--pitch-mm: '%s' is not ROW,COL (two distances in mm, e.g. 30,21.875)", text);
        return -EINVAL;
    }
    memcpy(row_text, text, row_len);
    row_text[row_len] = '\0';
    double row_mm, col_mm;
    if (parse_decimal("--pitch-mm", row_text, "a row pitch in mm", 0.001, MAX_PITCH_MM, &row_mm) <
            0 ||
        parse_decimal("--pitch-mm", comma + 1, "a column pitch in mm", 0.001, MAX_PITCH_MM,
                      &col_mm) < 0)
        return -EINVAL;
    *row_um = (uint32_t)llround(row_mm * 1000.0);
    *col_um = (uint32_t)llround(col_mm * 1000.0);
    return 0;
}

static int parse_serial(const char *text, char serial[PACKET_SERIAL_SIZE + 1])
{
    size_t length = strlen(text);
    bool printable = true;
    for (size_t i = 0; i < length; i++)
        printable = printable && text[i] >= 0x20 && text[i] <= 0x7E;
    if (length == 0 || length > PACKET_SERIAL_SIZE || !printable) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM,
                    "--serial: '%s' is not 1 to %d printable ASCII characters", text,
                    PACKET_SERIAL_SIZE);
        return -EINVAL;
    }
    memset(serial, 0, PACKET_SERIAL_SIZE + 1);
    memcpy(serial, text, length);
    return 0;
}

/* Handles one option; returns 0 or -EINVAL. */
static int parse_option(int option, const char *text, struct options *o)
{
    uint64_t whole = 0;
    int err = 0;
    switch (option) {
    case OPTION_ROWS:
        err = parse_whole("--rows", text, 1, PACKET_MAX_SIDE, &whole);
        o->rows = (unsigned)whole;
        break;
    case OPTION_COLS:
        err = parse_whole("--cols", text, 1, PACKET_MAX_SIDE, &whole);
        o->cols = (unsigned)whole;
        break;
    case OPTION_RATE:
        err = parse_rate(text, &o->rate_mhz);
        break;
    case OPTION_SEED:
        err = parse_whole("--seed", text, 0, UINT64_MAX, &o->seed);
        break;
    case OPTION_FRAMES:
        err = parse_whole("--frames", text, 1, UINT32_MAX, &o->frames);
        break;
    case OPTION_DURATION:
        err = parse_seconds("--duration", text, 1e-9, &o->duration_ns);
        break;
    case OPTION_LINGER:
        err = parse_seconds("--linger", text, 0.0, &o->linger_ns);
        o->linger_set = true;
        break;
    case OPTION_GROUND_TRUTH:
        o->ground_truth_path = text;
        break;
    case OPTION_TEE:
        o->tee_path = text;
        break;
    case OPTION_LINK:
        o->link_path = text;
        break;
    case OPTION_SERIAL:
        err = parse_serial(text, o->serial);
        break;
    case OPTION_PITCH:
        err = parse_pitch(text, &o->row_pitch_um, &o->col_pitch_um);
        break;
    case OPTION_ADC_BITS:
        err = parse_whole("--adc-bits", text, 1, 16, &whole);
        o->adc_bits = (unsigned)whole;
        break;
    case 'v':
        o->log_level = LOG_LEVEL_DEBUG;
        break;
    case 'q':
        o->log_level = LOG_LEVEL_WARNING;
        break;
    case 'h':
        o->help = true;
        break;
    default: /* getopt_long has said what was wrong */
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "bad command line; see mtable-sim --help");
        err = -EINVAL;
        break;
    }
    return err;
}

int options_parse(int argc, char **argv, struct options *options)
{
    struct options o = {
        .rows = 64,
        .cols = 32,
        .rate_mhz = 100000,
        .seed = 1,
        .serial = "MT-SIM-0001",
        .row_pitch_um = 30000,
        .col_pitch_um = 21875,
        .adc_bits = 12,
        .log_level = LOG_LEVEL_INFO,
    };
    int option;
    optind = 1;
    while ((option = getopt_long(argc, argv, "vqh", LONG_OPTIONS, NULL)) != -1) {
        if (parse_option(option, optarg, &o) < 0)
            return -EINVAL;
    }
    if (optind < argc) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM,
                    "unexpected argument '%s': mtable-sim takes options only; see --help",
                    argv[optind]);
        return -EINVAL;
    }
    if (!packet_grid_valid(o.rows, o.cols)) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM,
                    "--rows %u --cols %u: %u taxels, more than the protocol's %u; use a smaller "
                    "grid",
                    o.rows, o.cols, o.rows * o.cols, PACKET_MAX_TAXELS);
        return -EINVAL;
    }
    if (o.rows < REGION_MAP_MIN_ROWS || o.cols < REGION_MAP_MIN_COLS) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM,
                    "--rows %u --cols %u: the body map needs at least %u rows and %u columns",
                    o.rows, o.cols, REGION_MAP_MIN_ROWS, REGION_MAP_MIN_COLS);
        return -EINVAL;
    }
    if (o.linger_set && o.frames == 0 && o.duration_ns == 0) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM,
                    "--linger: only meaningful after the last frame; add --frames or --duration");
        return -EINVAL;
    }
    *options = o;
    return 0;
}

static void print_routine(FILE *out)
{
    size_t count = 0;
    const struct routine_step *steps = routine_steps(&count);
    fprintf(out, "  start  length  technique           region(s)\n");
    for (size_t i = 0; i < count; i++) {
        const struct routine_step *s = &steps[i];
        fprintf(out, "  %4" PRIu32 " s  %4" PRIu32 " s  %-18s  %s%s%s\n", s->start_ms / 1000,
                s->duration_ms / 1000, routine_technique_name(s->technique),
                region_map_name(s->regions[0]), s->contacts > 1 ? " + " : "",
                s->contacts > 1 ? region_map_name(s->regions[1]) : "");
    }
    fprintf(out, "  %4llu s          the loop starts again\n", ROUTINE_LOOP_NS / 1000000000ull);
}

void options_print_help(FILE *out)
{
    fprintf(out,
            "Usage: mtable-sim [OPTION]...\n"
            "A simulated mtable pressure table on a pseudo-terminal. The first line of\n"
            "standard output is the port to open (e.g. /dev/pts/3). The device speaks\n"
            "hw/PROTOCOL.md: DEVICE_INFO at start, frames only after START, commands\n"
            "answered at any time between frames.\n"
            "\n"
            "Device:\n"
            "  --rows N             taxel rows, 10..256 (default 64)\n"
            "  --cols N             taxel columns, 3..256, rows x cols at most 16384 (default 32)\n"
            "  --rate HZ            frame rate, 0.001..1000000 frames/s, fractions allowed\n"
            "                       (default 100); SET_RATE accepts the same range\n"
            "  --pitch-mm ROW,COL   taxel pitch in mm (default 30,21.875)\n"
            "  --adc-bits N         ADC resolution, 1..16 (default 12); the model is in\n"
            "                       12-bit counts, clipped to 0..2^N-1\n"
            "  --serial TEXT        serial number, 1..16 printable ASCII (default MT-SIM-0001)\n"
            "Session:\n"
            "  --seed N             seed of the sensor offsets and noise (default 1)\n"
            "  --frames N           after START, scan N frames (sequences 0..N-1), then stop\n"
            "                       streaming for good and stay idle, still answering commands\n"
            "  --duration S         likewise, for the frames of the first S seconds of model\n"
            "                       time (S x rate frames)\n"
            "  --linger S           with --frames or --duration: exit S seconds after the\n"
            "                       last frame instead of waiting for SIGINT or SIGTERM\n"
            "Outputs:\n"
            "  --link PATH          a symbolic link PATH to the port while running\n"
            "  --ground-truth FILE  the therapist's steps as sent, CSV (below)\n"
            "  --tee FILE           a copy of every byte sent to the host\n"
            "  -v, --verbose        also log every command received\n"
            "  -q, --quiet          log only warnings and errors (no summary at exit)\n"
            "  -h, --help           show this help\n"
            "\n"
            "The frames: a client lies prone, head at row 0, their left at column 0, on\n"
            "the regions head, shoulder_*, upper_back_*, lower_back_*, pelvis, thigh_*,\n"
            "lower_leg_* (_left/_right; the analysis tool's default region map, scaled to\n"
            "the grid). Resting load of a few hundred counts (pelvis and chest near 1000),\n"
            "breathing at 0.25 Hz, sensor noise of 3 counts and fixed per-taxel offsets.\n"
            "Client shift: at %.0f s of model time the client moves %u row towards the\n"
            "feet and stays there. A therapist's routine, looping, adds contact patches\n"
            "of at least 800 counts, each inside its region, with pauses of at least\n"
            "1.5 s between steps:\n",
            (double)BODY_SHIFT_TIME_NS * 1e-9, BODY_SHIFT_ROWS);
    print_routine(out);
    fprintf(out, "Frame n depends only on the seed, the grid, n and the rate (model time is\n"
                 "n / rate), never on the wall clock: runs with the same options send the\n"
                 "same values. Frames are scanned on absolute deadlines; a late frame is sent\n"
                 "at once. While no host has the port open, frames due are skipped (their\n"
                 "sequence numbers are used up); a slow host is waited for.\n"
                 "\n"
                 "Ground truth: '#' comment lines (seed, grid, rate, client shift), then\n"
                 "  region,technique,first_sequence,last_sequence,start_s,end_s,peak_counts\n"
                 "one row per step and region with pressure in frames actually sent; start_s =\n"
                 "first_sequence / rate, end_s = (last_sequence + 1) / rate.\n"
                 "\n"
                 "SIGINT or SIGTERM: the packet being sent is finished, the ground truth\n"
                 "written, the link removed; exit status 0. Exit status 1 on errors, 2 on a\n"
                 "bad command line.\n");
}
