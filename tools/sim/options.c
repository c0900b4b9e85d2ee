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
#include "port.h"
#include "body_map.h"
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
    OPTION_GARBAGE,
    OPTION_GARBAGE_INSIDE,
    OPTION_FLIP,
    OPTION_TRUNCATE,
    OPTION_DROP,
    OPTION_BURST,
    OPTION_PAUSE,
    OPTION_DISCONNECT,
    OPTION_RESET_AT,
    OPTION_GRID_CHANGE,
    OPTION_FAULT_LOG,
    OPTION_REPLAY,
    OPTION_SPEED,
    OPTION_REPLAY_RAW,
    OPTION_RAW_RATE,
    OPTION_END /* one past the last: sizes the table of options given */
};

/* Options given on the command line, indexed by option - OPTION_ROWS. */
struct given {
    bool option[OPTION_END - OPTION_ROWS];
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
    {"garbage", required_argument, NULL, OPTION_GARBAGE},
    {"garbage-inside", required_argument, NULL, OPTION_GARBAGE_INSIDE},
    {"flip", required_argument, NULL, OPTION_FLIP},
    {"truncate", required_argument, NULL, OPTION_TRUNCATE},
    {"drop", required_argument, NULL, OPTION_DROP},
    {"burst", required_argument, NULL, OPTION_BURST},
    {"pause", required_argument, NULL, OPTION_PAUSE},
    {"disconnect", required_argument, NULL, OPTION_DISCONNECT},
    {"reset-at", required_argument, NULL, OPTION_RESET_AT},
    {"grid-change", required_argument, NULL, OPTION_GRID_CHANGE},
    {"fault-log", required_argument, NULL, OPTION_FAULT_LOG},
    {"replay", required_argument, NULL, OPTION_REPLAY},
    {"speed", required_argument, NULL, OPTION_SPEED},
    {"replay-raw", required_argument, NULL, OPTION_REPLAY_RAW},
    {"raw-rate", required_argument, NULL, OPTION_RAW_RATE},
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

/* Splits "LEFT<separator>RIGHT" into left (a copy) and right; false without the separator. */
static bool split_at(const char *text, char separator, char *left, size_t left_size,
                     const char **right)
{
    const char *at = strchr(text, separator);
    if (at == NULL || (size_t)(at - text) >= left_size)
        return false;
    memcpy(left, text, (size_t)(at - text));
    left[at - text] = '\0';
    *right = at + 1;
    return true;
}

/* Checks a grid against the protocol and the body map; logs and returns -EINVAL otherwise. */
static int check_grid(const char *option, unsigned rows, unsigned cols)
{
    if (!packet_grid_valid(rows, cols)) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM,
                    "%s: a grid of %u x %u taxels, more than the protocol's %u; use a smaller "
                    "grid",
                    option, rows, cols, PACKET_MAX_TAXELS);
        return -EINVAL;
    }
    if (rows < BODY_MAP_MIN_ROWS || cols < BODY_MAP_MIN_COLS) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM,
                    "%s: a grid of %u x %u taxels; the body map needs at least %u rows and %u "
                    "columns",
                    option, rows, cols, BODY_MAP_MIN_ROWS, BODY_MAP_MIN_COLS);
        return -EINVAL;
    }
    return 0;
}

static int parse_probability(const char *option, const char *text, double *probability)
{
    return parse_decimal(option, text, "a probability per frame", 0.0, 1.0, probability);
}

/* Shortest --pause or --disconnect, seconds: a millisecond; a shorter outage no host notices. */
#define MIN_OUTAGE_S 0.001

/*
 * Parses a timed fault: "N@T" (--burst), "S@T" (--pause, --disconnect),
 * "T" (--reset-at) or "RxC@T" (--grid-change), T in seconds of model time.
 */
static int parse_timed_fault(int option, const char *name, const char *text,
                             struct fault_settings *faults)
{
    static const char *const FORMS[] = {
        [OPTION_BURST - OPTION_BURST] = "N@T (frames, then a model time in seconds; e.g. 10@5)",
        [OPTION_PAUSE - OPTION_BURST] = "S@T (seconds, then a model time in seconds; e.g. 0.5@5)",
        [OPTION_DISCONNECT - OPTION_BURST] =
            "S@T (seconds, then a model time in seconds; e.g. 2@5)",
        [OPTION_RESET_AT - OPTION_BURST] = "T (a model time in seconds; e.g. 5)",
        [OPTION_GRID_CHANGE - OPTION_BURST] =
            "RxC@T (rows x columns, then a model time in seconds; e.g. 32x16@5)",
    };
    struct fault_event event = {0};
    char left[64];
    const char *time_text = text;
    uint64_t whole = 0;
    int err = 0;
    if (option != OPTION_RESET_AT && !split_at(text, '@', left, sizeof(left), &time_text)) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "%s: '%s' is not %s", name, text,
                    FORMS[option - OPTION_BURST]);
        return -EINVAL;
    }
    switch (option) {
    case OPTION_BURST:
        event.kind = FAULT_BURST;
        err = parse_whole(name, left, 1, UINT32_MAX, &whole);
        event.frames = (uint32_t)whole;
        break;
    case OPTION_PAUSE:
    case OPTION_DISCONNECT:
        event.kind = option == OPTION_PAUSE ? FAULT_PAUSE : FAULT_DISCONNECT;
        err = parse_seconds(name, left, MIN_OUTAGE_S, &event.duration_ns);
        break;
    case OPTION_RESET_AT:
        event.kind = FAULT_RESET;
        break;
    default: {
        char rows_text[32];
        const char *cols_text = NULL;
        event.kind = FAULT_GRID_CHANGE;
        if (!split_at(left, 'x', rows_text, sizeof(rows_text), &cols_text)) {
            log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "%s: '%s' is not %s", name, text,
                        FORMS[option - OPTION_BURST]);
            return -EINVAL;
        }
        err = parse_whole(name, rows_text, 1, PACKET_MAX_SIDE, &whole);
        event.rows = (unsigned)whole;
        if (err == 0)
            err = parse_whole(name, cols_text, 1, PACKET_MAX_SIDE, &whole);
        event.cols = (unsigned)whole;
        if (err == 0)
            err = check_grid(name, event.rows, event.cols);
        break;
    }
    }
    if (err == 0)
        err = parse_seconds(name, time_text, 0.0, &event.at_ns);
    if (err == 0 && faults_add_event(faults, &event) < 0) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM,
                    "%s %s: more than %d timed faults (--burst, --pause, --disconnect, "
                    "--reset-at, --grid-change) in one run",
                    name, text, FAULTS_MAX_EVENTS);
        err = -EINVAL;
    }
    return err;
}

/* The long name of an option, with its dashes ("--rows"). */
static const char *option_name(int option)
{
    static char name[40];
    for (const struct option *o = LONG_OPTIONS; o->name != NULL; o++) {
        if (o->val == option) {
            snprintf(name, sizeof(name), "--%s", o->name);
            return name;
        }
    }
    return "?";
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
    case OPTION_GARBAGE:
        err = parse_probability("--garbage", text, &o->faults.garbage);
        break;
    case OPTION_GARBAGE_INSIDE:
        err = parse_probability("--garbage-inside", text, &o->faults.garbage_inside);
        break;
    case OPTION_FLIP:
        err = parse_probability("--flip", text, &o->faults.flip);
        break;
    case OPTION_TRUNCATE:
        err = parse_probability("--truncate", text, &o->faults.truncate);
        break;
    case OPTION_DROP:
        err = parse_probability("--drop", text, &o->faults.drop);
        break;
    case OPTION_BURST:
    case OPTION_PAUSE:
    case OPTION_DISCONNECT:
    case OPTION_RESET_AT:
    case OPTION_GRID_CHANGE:
        err = parse_timed_fault(option, option_name(option), text, &o->faults);
        break;
    case OPTION_FAULT_LOG:
        o->fault_log_path = text;
        break;
    case OPTION_REPLAY:
        o->replay_path = text;
        break;
    case OPTION_SPEED:
        if (strcmp(text, "0") == 0)
            o->speed = 0.0;
        else
            err = parse_decimal("--speed", text, "0 or a factor of real time", 0.001,
                                OPTIONS_MAX_SPEED, &o->speed);
        break;
    case OPTION_REPLAY_RAW:
        o->replay_raw_path = text;
        break;
    case OPTION_RAW_RATE:
        err = parse_whole("--raw-rate", text, 1, OPTIONS_MAX_RAW_RATE, &o->raw_rate);
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

/* The first of options (ending with OPTION_END) that was given, or OPTION_END. */
static int first_given(const struct given *given, const int *options)
{
    for (; *options != OPTION_END; options++) {
        if (given->option[*options - OPTION_ROWS])
            return *options;
    }
    return OPTION_END;
}

/* Options that describe the simulated device; a replay takes them from its file. */
static const int DEVICE_OPTIONS[] = {OPTION_ROWS,     OPTION_COLS,   OPTION_RATE, OPTION_PITCH,
                                     OPTION_ADC_BITS, OPTION_SERIAL, OPTION_END};
/* Options that make no sense when a capture is sent as it is. */
static const int NOT_WITH_RAW[] = {
    OPTION_ROWS,      OPTION_COLS,         OPTION_RATE,     OPTION_PITCH,
    OPTION_ADC_BITS,  OPTION_SERIAL,       OPTION_SEED,     OPTION_FRAMES,
    OPTION_DURATION,  OPTION_GROUND_TRUTH, OPTION_GARBAGE,  OPTION_GARBAGE_INSIDE,
    OPTION_FLIP,      OPTION_TRUNCATE,     OPTION_DROP,     OPTION_BURST,
    OPTION_PAUSE,     OPTION_DISCONNECT,   OPTION_RESET_AT, OPTION_GRID_CHANGE,
    OPTION_FAULT_LOG, OPTION_REPLAY,       OPTION_SPEED,    OPTION_END};
/* Options that a replay cannot honour: its file decides frames, resets and grid. */
static const int NOT_WITH_REPLAY[] = {OPTION_FRAMES,   OPTION_DURATION,    OPTION_GROUND_TRUTH,
                                      OPTION_RESET_AT, OPTION_GRID_CHANGE, OPTION_END};
/* Faults that restart the sequence numbers, which the ground truth is keyed by. */
static const int RESETS[] = {OPTION_RESET_AT, OPTION_GRID_CHANGE, OPTION_END};

/* Rejects options that contradict each other; logs which and why. */
static int check_combinations(const struct options *o, const struct given *given)
{
    int clash;
    if (o->replay_raw_path != NULL && (clash = first_given(given, NOT_WITH_RAW)) != OPTION_END) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM,
                    "%s cannot be combined with --replay-raw: the capture is sent exactly as it "
                    "is, with its own device and frames; leave %s out",
                    option_name(clash), option_name(clash));
        return -EINVAL;
    }
    if (o->replay_path != NULL && (clash = first_given(given, DEVICE_OPTIONS)) != OPTION_END) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM,
                    "%s: with --replay the grid, rate, pitch, ADC bits and serial come from the "
                    "recorded session; leave %s out",
                    option_name(clash), option_name(clash));
        return -EINVAL;
    }
    if (o->replay_path != NULL && (clash = first_given(given, NOT_WITH_REPLAY)) != OPTION_END) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM,
                    "%s cannot be combined with --replay: the recorded session decides which "
                    "frames are sent, their sequence numbers and the device's resets and grid",
                    option_name(clash));
        return -EINVAL;
    }
    if (given->option[OPTION_SPEED - OPTION_ROWS] && o->replay_path == NULL) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "--speed: only meaningful with --replay");
        return -EINVAL;
    }
    if (given->option[OPTION_RAW_RATE - OPTION_ROWS] && o->replay_raw_path == NULL) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "--raw-rate: only meaningful with --replay-raw");
        return -EINVAL;
    }
    if (o->linger_set && o->frames == 0 && o->duration_ns == 0 && o->replay_path == NULL &&
        o->replay_raw_path == NULL) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM,
                    "--linger: only meaningful after the last frame; add --frames, --duration, "
                    "--replay or --replay-raw");
        return -EINVAL;
    }
    if (o->ground_truth_path != NULL && (clash = first_given(given, RESETS)) != OPTION_END) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM,
                    "%s cannot be combined with --ground-truth: the ground truth is keyed by "
                    "sequence numbers, which a reset starts again",
                    option_name(clash));
        return -EINVAL;
    }
    if (given->option[OPTION_DISCONNECT - OPTION_ROWS] && o->link_path == NULL) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM,
                    "--disconnect: add --link PATH, through which the host finds the new port "
                    "after the outage");
        return -EINVAL;
    }
    return 0;
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
        .speed = 1.0,
    };
    struct given given = {0};
    int option;
    optind = 1;
    while ((option = getopt_long(argc, argv, "vqh", LONG_OPTIONS, NULL)) != -1) {
        if (parse_option(option, optarg, &o) < 0)
            return -EINVAL;
        if (option >= OPTION_ROWS && option < OPTION_END)
            given.option[option - OPTION_ROWS] = true;
    }
    if (optind < argc) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM,
                    "unexpected argument '%s': mtable-sim takes options only; see --help",
                    argv[optind]);
        return -EINVAL;
    }
    if (check_grid("--rows and --cols", o.rows, o.cols) < 0)
        return -EINVAL;
    if (check_combinations(&o, &given) < 0)
        return -EINVAL;
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
                body_map_name(s->regions[0]), s->contacts > 1 ? " + " : "",
                s->contacts > 1 ? body_map_name(s->regions[1]) : "");
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
            "  --seed N             seed of the sensor offsets, the noise and the faults\n"
            "                       (default 1)\n"
            "  --frames N           after START, scan N frames (sequences 0..N-1), then stop\n"
            "                       streaming for good and stay idle, still answering commands\n"
            "  --duration S         likewise, for the frames of the first S seconds of model\n"
            "                       time (S x rate frames)\n"
            "  --linger S           with --frames, --duration, --replay or --replay-raw: exit\n"
            "                       S seconds after the last frame (byte) instead of waiting\n"
            "                       for SIGINT or SIGTERM\n"
            "Faults (any combination; P is a probability per frame, 0..1; T a model time in\n"
            "seconds; options with @T may be given several times):\n"
            "  --garbage P          1..64 random bytes (any value) between packets, before\n"
            "                       the frame; costs no frame\n"
            "  --garbage-inside P   1..16 random non-zero bytes inserted inside the frame's\n"
            "                       packet; the frame is lost\n"
            "  --flip P             one random bit of the frame's stuffed bytes flipped; lost\n"
            "  --truncate P         the packet cut short (its leading delimiter, a random part\n"
            "                       of its stuffed bytes, its trailing delimiter); lost\n"
            "  --drop P             the frame not sent; its sequence number is used up (a gap)\n"
            "  --burst N@T          the next N frames back to back, unpaced; then the schedule\n"
            "                       resumes\n"
            "  --pause S@T          nothing written (and no command read) for S seconds;\n"
            "                       frames scanned meanwhile are held, at most %u bytes\n"
            "                       (more are dropped), and sent when it ends\n"
            "  --disconnect S@T     the port closes (the host sees a hang-up); S seconds\n"
            "                       later a new one takes --link (required); frames scanned\n"
            "                       meanwhile are skipped; the device keeps streaming\n"
            "  --reset-at T         the device resets: sequence and clock from 0, DEVICE_INFO,\n"
            "                       no frames until START\n"
            "  --grid-change RxC@T  likewise, with a grid of R rows and C columns\n"
            "Replay:\n"
            "  --replay FILE        send a session recorded by mtable-acqd: its device info,\n"
            "                       then after START its frames with their sequence numbers\n"
            "                       and device times, paced by those times\n"
            "  --speed X            with --replay: X times real time, 0.001..1000000, or 0 for\n"
            "                       as fast as the host reads: then a pause, an outage or no\n"
            "                       host delays frames instead of costing them (default 1)\n"
            "  --replay-raw FILE    once a host opens the port, send FILE's bytes exactly (an\n"
            "                       mtable-acqd --capture); commands are ignored\n"
            "  --raw-rate N         with --replay-raw: N bytes/s (default: as fast as the host\n"
            "                       reads)\n"
            "Outputs:\n"
            "  --link PATH          a symbolic link PATH to the port while running\n"
            "  --ground-truth FILE  the therapist's steps as sent, CSV (below)\n"
            "  --tee FILE           a copy of every byte sent to the host, damaged or not\n"
            "  --fault-log FILE     one CSV row per fault injected (below)\n"
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
            PORT_QUEUE_BYTES, (double)BODY_SHIFT_TIME_NS * 1e-9, BODY_SHIFT_ROWS);
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
                 "first_sequence / rate, end_s = (last_sequence + 1) / rate. Frames lost to a\n"
                 "fault are not in it.\n"
                 "\n"
                 "Faults are decided from --seed on random streams of their own: the same\n"
                 "options give the same faults on the same frames, and frame values are those\n"
                 "of a run without faults. A timed fault fires before the first frame scanned\n"
                 "at or after its model time T (with --replay: T on the recording's time axis,\n"
                 "0 at its first frame); S is wall-clock seconds. A disconnect, reset or grid\n"
                 "change during a pause ends the pause first (the held frames are sent). A\n"
                 "disconnect gives the host up to 1 s to read what was already sent.\n"
                 "--reset-at and --grid-change do not combine with --ground-truth or --replay.\n"
                 "\n"
                 "Fault log: the header kind,sequence,model_time_s,detail, then one row per\n"
                 "fault, kind one of garbage, garbage_inside, flip, truncate, drop, burst,\n"
                 "pause, disconnect, reconnect, reset, grid_change. sequence is the frame's\n"
                 "(for events: the number the next frame would carry, before a reset).\n"
                 "Frames lost are exactly those of the garbage_inside, flip, truncate and drop\n"
                 "rows; drop rows also stand for frames not sent because of a full pause\n"
                 "queue, an outage, or no host having the port open (the detail says which).\n"
                 "\n"
                 "Replay: grid, pitch, ADC bits, rate, firmware version and serial come from\n"
                 "the file (--rows, --cols, --rate, --pitch-mm, --adc-bits, --serial, --frames,\n"
                 "--duration and --ground-truth are refused). Frames are paced by their device\n"
                 "times over --speed; recorded gaps stay gaps; where the recording's sequence\n"
                 "goes back (a device reset), the device resets: DEVICE_INFO, then waits for\n"
                 "START. SET_RATE is answered but the recording sets the pace. After the last\n"
                 "frame the device is idle, as after --frames.\n"
                 "\n"
                 "SIGINT or SIGTERM: the packet being sent is finished, the ground truth\n"
                 "written, the link removed; exit status 0. Exit status 1 on errors, 2 on a\n"
                 "bad command line.\n");
}
