/*
 * sim_session.c - mtable-sim-session: a simulated session written straight
 * to a session file, at full speed, for benchmarks and tests.
 *
 * Frame n is exactly the frame mtable-sim would send as sequence n (the
 * simulator's own models: tools/sim/frame_source.h, same seed, grid and
 * rate), stamped with device time n / rate, and written through
 * acquisition/session_file.h as the daemon writes it. No pseudo-terminal
 * and no real-time pacing, so an hour of frames takes seconds, not an hour.
 *
 * --drop A-B leaves frames A..B out, as if lost on the link: the file gets
 * a gap event, and the ground truth (the simulator's, written by its own
 * module) still describes what the therapist did, frames left out included.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame_source.h"
#include "ground_truth.h"
#include "log.h"
#include "session_file.h"

/* Subsystem tag of every message. */
#define SUBSYSTEM "sim-session"

/* Most --drop ranges. */
#define MAX_DROPS 16

/* The simulator's defaults (tools/sim/options.c): its table, so files compare. */
#define DEFAULT_ROWS         64
#define DEFAULT_COLS         32
#define DEFAULT_RATE_HZ      100.0
#define DEFAULT_ROW_PITCH_UM 30000
#define DEFAULT_COL_PITCH_UM 21875
#define DEFAULT_ADC_BITS     12

/* A fixed start time (2026-01-01T00:00:00Z), so runs with the same options give the same file. */
#define START_TIME_NS 1767225600000000000ll

struct options {
    uint64_t seed;
    unsigned rows, cols;
    double rate_hz;
    uint64_t frames;
    const char *ground_truth_path, *output;
    unsigned drops;
    uint64_t drop_first[MAX_DROPS], drop_last[MAX_DROPS];
    unsigned frames_per_chunk;
};

static void print_help(void)
{
    printf("Usage: mtable-sim-session [OPTIONS] --duration S | --frames N OUTPUT.h5\n"
           "\n"
           "Writes the frames mtable-sim would send (same models, seed, grid and rate) into a\n"
           "session file through the daemon's writer, as fast as possible. For benchmarks and\n"
           "tests of the analysis; OUTPUT.h5 must not exist.\n"
           "\n"
           "  --seed N             seed of the sensor offsets and noise (default 1)\n"
           "  --rows N, --cols N   grid (default %d x %d)\n"
           "  --rate HZ            frame rate (default %.0f)\n"
           "  --duration S         frames of the first S seconds of model time\n"
           "  --frames N           or the first N frames\n"
           "  --drop A-B           leave out frames A..B (a gap in the file); repeatable\n"
           "  --chunk N            frames per chunk of /frames (default: the writer's)\n"
           "  --ground-truth FILE  the simulator's ground truth CSV for these frames\n"
           "  -h, --help           show this help\n",
           DEFAULT_ROWS, DEFAULT_COLS, DEFAULT_RATE_HZ);
}

static int parse_options(int argc, char **argv, struct options *o)
{
    enum { SEED = 256, ROWS, COLS, RATE, DURATION, FRAMES, DROP, CHUNK, TRUTH };
    static const struct option options[] = {
        {"seed", required_argument, NULL, SEED},
        {"rows", required_argument, NULL, ROWS},
        {"cols", required_argument, NULL, COLS},
        {"rate", required_argument, NULL, RATE},
        {"duration", required_argument, NULL, DURATION},
        {"frames", required_argument, NULL, FRAMES},
        {"drop", required_argument, NULL, DROP},
        {"chunk", required_argument, NULL, CHUNK},
        {"ground-truth", required_argument, NULL, TRUTH},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    double duration = 0;
    int option;
    while ((option = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (option) {
        case SEED:
            o->seed = strtoull(optarg, NULL, 10);
            break;
        case ROWS:
            o->rows = (unsigned)atoi(optarg);
            break;
        case COLS:
            o->cols = (unsigned)atoi(optarg);
            break;
        case RATE:
            o->rate_hz = strtod(optarg, NULL);
            break;
        case DURATION:
            duration = strtod(optarg, NULL);
            break;
        case FRAMES:
            o->frames = strtoull(optarg, NULL, 10);
            break;
        case DROP:
            if (o->drops == MAX_DROPS ||
                sscanf(optarg, "%" SCNu64 "-%" SCNu64, &o->drop_first[o->drops],
                       &o->drop_last[o->drops]) != 2 ||
                o->drop_last[o->drops] < o->drop_first[o->drops]) {
                log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "--drop: '%s' is not A-B (at most %d)",
                            optarg, MAX_DROPS);
                return -EINVAL;
            }
            o->drops++;
            break;
        case CHUNK:
            o->frames_per_chunk = (unsigned)atoi(optarg);
            break;
        case TRUTH:
            o->ground_truth_path = optarg;
            break;
        case 'h':
            print_help();
            return 1;
        default:
            return -EINVAL;
        }
    }
    if (!(o->rate_hz > 0)) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "--rate must be positive");
        return -EINVAL;
    }
    if (duration > 0)
        o->frames = (uint64_t)llround(duration * o->rate_hz);
    if (o->frames == 0 || argc - optind != 1) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM,
                    "give --duration or --frames and one OUTPUT.h5; see --help");
        return -EINVAL;
    }
    o->output = argv[optind];
    return 0;
}

/* The --drop range holding frame n, or -1. */
static int dropped_by(const struct options *o, uint64_t n)
{
    for (unsigned i = 0; i < o->drops; i++)
        if (n >= o->drop_first[i] && n <= o->drop_last[i])
            return (int)i;
    return -1;
}

static int write_session(const struct options *o)
{
    struct frame_source source;
    struct ground_truth truth;
    struct session_file *file = NULL;
    uint16_t *values = malloc((size_t)o->rows * o->cols * sizeof(uint16_t));
    int r =
        values ? frame_source_init(&source, o->rows, o->cols, DEFAULT_ADC_BITS, o->seed) : -ENOMEM;
    if (r < 0) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "cannot set up the simulator's models: %s",
                    strerror(-r));
        free(values);
        return r;
    }
    ground_truth_init(&truth);
    uint32_t rate_mhz = (uint32_t)llround(o->rate_hz * 1000);
    struct session_info info = {.start_time_ns = START_TIME_NS, .software = "mtable-sim-session"};
    const char *name = strrchr(o->output, '/') ? strrchr(o->output, '/') + 1 : o->output;
    snprintf(info.session_id, sizeof(info.session_id), "%.*s",
             (int)(strlen(name) > 3 ? strlen(name) - 3 : strlen(name)), name);
    snprintf(info.subject_id, sizeof(info.subject_id), "SIM");
    snprintf(info.operator_id, sizeof(info.operator_id), "sim-session");
    snprintf(info.port, sizeof(info.port), "mtable-sim-session --seed %" PRIu64, o->seed);
    info.device = (struct packet_device_info){.rows = (uint16_t)o->rows,
                                              .cols = (uint16_t)o->cols,
                                              .row_pitch_um = DEFAULT_ROW_PITCH_UM,
                                              .col_pitch_um = DEFAULT_COL_PITCH_UM,
                                              .adc_bits = DEFAULT_ADC_BITS,
                                              .streaming = true,
                                              .frame_rate_mhz = rate_mhz,
                                              .serial = "MT-SIM-0001"};
    struct session_file_options file_options = {.frames_per_chunk = o->frames_per_chunk};
    if ((r = session_file_create(o->output, &info, &file_options, &file)) < 0) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "%s", session_file_last_error());
        goto out;
    }
    for (uint64_t n = 0; n < o->frames && r == 0; n++) {
        uint64_t time_ns = (uint64_t)llround((double)n * 1e9 / o->rate_hz);
        uint64_t next_ns = (uint64_t)llround((double)(n + 1) * 1e9 / o->rate_hz);
        struct routine_contact contacts[ROUTINE_MAX_CONTACTS];
        unsigned count = frame_source_generate(&source, (uint32_t)n, time_ns, values, contacts);
        r = ground_truth_record(&truth, (uint32_t)n, time_ns, next_ns, contacts, count);
        int drop = dropped_by(o, n);
        int64_t host_ns = START_TIME_NS + (int64_t)time_ns;
        if (r == 0 && drop >= 0 && n == o->drop_first[drop]) {
            struct link_event gap = {.host_time_ns = host_ns,
                                     .kind = LINK_EVENT_GAP,
                                     .sequence = (uint32_t)n,
                                     .count = (uint32_t)(o->drop_last[drop] - n + 1)};
            r = session_file_append_event(file, &gap);
        }
        if (r == 0 && drop < 0)
            r = session_file_append_frame(file, (uint32_t)n, time_ns / 1000, host_ns, values);
        if (r < 0)
            log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "%s",
                        r == -ENOMEM ? "out of memory" : session_file_last_error());
    }
    if (r == 0) {
        r = session_file_close(file, START_TIME_NS +
                                         (int64_t)llround((double)o->frames * 1e9 / o->rate_hz));
        file = NULL;
        if (r < 0)
            log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "%s", session_file_last_error());
    }
    if (r == 0 && o->ground_truth_path) {
        struct ground_truth_header header = {.seed = o->seed,
                                             .rows = o->rows,
                                             .cols = o->cols,
                                             .rate_mhz = rate_mhz,
                                             .adc_bits = DEFAULT_ADC_BITS};
        r = ground_truth_write(&truth, &header, o->ground_truth_path);
        if (r < 0)
            log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "%s: cannot write: %s", o->ground_truth_path,
                        strerror(-r));
    }
out:
    if (file)
        session_file_close(file, START_TIME_NS);
    ground_truth_fini(&truth);
    frame_source_fini(&source);
    free(values);
    return r;
}

int main(int argc, char **argv)
{
    log_init("mtable-sim-session", LOG_LEVEL_INFO, false);
    struct options options = {
        .seed = 1, .rows = DEFAULT_ROWS, .cols = DEFAULT_COLS, .rate_hz = DEFAULT_RATE_HZ};
    int r = parse_options(argc, argv, &options);
    if (r != 0)
        return r > 0 ? 0 : 2;
    return write_session(&options) == 0 ? 0 : 1;
}
