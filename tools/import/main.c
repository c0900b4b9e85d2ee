/*
 * main.c - mtable-import: text pressure frames (PmatData) into a session file.
 *
 * The session is written with acquisition/session_file.h, exactly as the
 * daemon writes one, so the analysis and the replayer treat it like any
 * recording. Where the frames came from is kept in the attributes: port
 * "import:<path>", operator "import" (unless given), the device serial.
 *
 * Frame n of the text (its n-th frame line, from 0) becomes sequence n at
 * device time n / rate, unless --stamps gives sequence and device time for
 * each frame. PmatData's quirks are handled so:
 *   - a frame whose non-zero values are nearly all multiples of 256 (the
 *     garbage frame 1 of nearly every experiment i file; the rule is
 *     pmat_text_is_garbage's) is not recorded: its sequence number is left
 *     out, which the file records as a one-frame gap, and a marker names
 *     it. --keep-garbage keeps such frames instead.
 *   - frame 0 (nearly empty: the mat before the subject lay down) is a
 *     genuine reading and is kept.
 *   - CRLF line ends and trailing tabs are accepted; values up to 65535
 *     are kept as they are (4095 is 12-bit saturation).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "pmat_text.h"
#include "session_file.h"

/* Subsystem tag of every message. */
#define SUBSYSTEM "import"

/* PmatData experiment i: about one frame per second (../shared/data/README.md). */
#define IMPORT_DEFAULT_RATE_HZ 1.0

/*
 * Taxel pitch assumed when none is given: the dataset documents none. The
 * FSA SoftFlex 2048 is a 32 x 64 bed mat, taken here as about one inch
 * between sensor centres.
 */
#define IMPORT_DEFAULT_PITCH_MM 25.4

/* The readings of the PmatData mats: 12-bit (saturating at 4095). */
#define IMPORT_DEFAULT_ADC_BITS 12

/* Exit statuses. */
enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

struct import {
    const char *input, *output;
    const char *subject, *operator_name, *serial;
    const char *stamps_path, *calibration_path;
    int rows, cols;
    double rate_hz, row_pitch_mm, col_pitch_mm;
    int adc_bits;
    bool start_given;
    int64_t start_time_ns;
    bool keep_garbage, leave_open;
};

static void print_help(void)
{
    printf("Usage: mtable-import [OPTIONS] INPUT.txt OUTPUT.h5\n"
           "\n"
           "Converts pressure frames in a text file (PmatData exports: one frame per line,\n"
           "or one frame as a matrix of lines) into an mtable session file, written like a\n"
           "recording of the daemon. OUTPUT.h5 must not exist.\n"
           "\n"
           "Frame n of the text becomes sequence n at device time n / RATE. A frame with\n"
           "at least 64 non-zero values, 90 %% or more of them multiples of 256 (PmatData's\n"
           "garbage frame 1), is left out: the session shows a one-frame gap there and a\n"
           "marker names it. Frame 0, nearly empty in PmatData, is a real reading and is\n"
           "kept.\n"
           "\n"
           "Options:\n"
           "  --grid RxC          grid of a frame-per-line file (default: 2048 values per line\n"
           "                      are 64x32; a matrix file's grid is its lines x values)\n"
           "  --rate HZ           frame rate (default %.0f, PmatData's about one per second)\n"
           "  --subject ID        subject id (default: unknown)\n"
           "  --operator ID       operator id (default: import)\n"
           "  --serial TEXT       device serial, at most 16 characters (default\n"
           "                      FSA-SoftFlex2048 for 64x32, BodiTrak-BT3510 otherwise)\n"
           "  --pitch-mm R,C      taxel pitch in mm (default %.1f,%.1f: PmatData documents\n"
           "                      none; one inch is assumed)\n"
           "  --adc-bits N        bits per reading (default %d)\n"
           "  --start-time ISO    session start, e.g. 2017-01-01T00:00:00Z (default: the input\n"
           "                      file's modification time)\n"
           "  --stamps FILE       CSV of sequence,device_time_us for each frame kept, in order\n"
           "                      (instead of n and n / RATE); '#' starts a comment\n"
           "  --calibration FILE  CSV of counts,kPa points stored as the session's calibration\n"
           "                      (the daemon's format: '#' comments, one optional header line)\n"
           "  --keep-garbage      keep frames taken for PmatData's garbage frame\n"
           "  --leave-open        leave the session as a crashed recorder would (unfinished;\n"
           "                      readers must open it as SWMR readers): for testing readers\n"
           "  -h, --help          show this help\n",
           IMPORT_DEFAULT_RATE_HZ, IMPORT_DEFAULT_PITCH_MM, IMPORT_DEFAULT_PITCH_MM,
           IMPORT_DEFAULT_ADC_BITS);
}

static int parse_pair(const char *option, const char *text, char separator, double *first,
                      double *second)
{
    char *end = NULL;
    *first = strtod(text, &end);
    if (end == text || *end != separator)
        goto bad;
    const char *rest = end + 1;
    *second = strtod(rest, &end);
    if (end == rest || *end || !(*first > 0) || !(*second > 0))
        goto bad;
    return 0;
bad:
    log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "%s: '%s' is not two positive numbers like 1%c2",
                option, text, separator);
    return -EINVAL;
}

static int parse_time(const char *text, int64_t *out)
{
    struct tm utc = {0};
    const char *end = strptime(text, "%Y-%m-%dT%H:%M:%S", &utc);
    if (!end || (*end && strcmp(end, "Z") != 0)) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM,
                    "--start-time: '%s' is not a UTC time like 2017-01-01T00:00:00Z", text);
        return -EINVAL;
    }
    *out = (int64_t)timegm(&utc) * 1000000000;
    return 0;
}

/* Reads the --stamps CSV (sequence,device_time_us; '#' comments): *out malloc'd, 2 * *count. */
static int read_stamps(const char *path, double **out, size_t *count)
{
    FILE *file = fopen(path, "r");
    if (!file) {
        int code = -errno;
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "%s: cannot open the stamps file: %s", path,
                    strerror(errno));
        return code;
    }
    size_t capacity = 1024, n = 0;
    double *pairs = malloc(capacity * 2 * sizeof(double));
    char line[256];
    unsigned number = 0;
    int r = pairs ? 0 : -ENOMEM;
    while (r == 0 && fgets(line, sizeof(line), file)) {
        number++;
        line[strcspn(line, "#\r\n")] = '\0';
        if (strspn(line, " \t") == strlen(line))
            continue;
        char *end = NULL;
        double a = strtod(line, &end);
        char *rest = end && *end == ',' ? end + 1 : NULL;
        double b = rest ? strtod(rest, &end) : 0;
        if (!rest || end == rest || strspn(end, " \t") != strlen(end) || !isfinite(a) ||
            !isfinite(b)) {
            log_message(LOG_LEVEL_ERROR, SUBSYSTEM,
                        "%s:%u: expected two numbers, sequence,device_time_us", path, number);
            r = -EINVAL;
            break;
        }
        if (n == capacity) {
            double *grown = realloc(pairs, capacity * 4 * sizeof(double));
            if (!grown) {
                r = -ENOMEM;
                break;
            }
            pairs = grown;
            capacity *= 2;
        }
        pairs[2 * n] = a;
        pairs[2 * n + 1] = b;
        n++;
    }
    fclose(file);
    if (r < 0) {
        free(pairs);
        return r;
    }
    *out = pairs;
    *count = n;
    return 0;
}

static int parse_options(int argc, char **argv, struct import *import)
{
    enum {
        OPTION_GRID = 256,
        OPTION_RATE,
        OPTION_SUBJECT,
        OPTION_OPERATOR,
        OPTION_SERIAL,
        OPTION_PITCH,
        OPTION_ADC_BITS,
        OPTION_START,
        OPTION_STAMPS,
        OPTION_CALIBRATION,
        OPTION_KEEP_GARBAGE,
        OPTION_LEAVE_OPEN,
    };
    static const struct option options[] = {
        {"grid", required_argument, NULL, OPTION_GRID},
        {"rate", required_argument, NULL, OPTION_RATE},
        {"subject", required_argument, NULL, OPTION_SUBJECT},
        {"operator", required_argument, NULL, OPTION_OPERATOR},
        {"serial", required_argument, NULL, OPTION_SERIAL},
        {"pitch-mm", required_argument, NULL, OPTION_PITCH},
        {"adc-bits", required_argument, NULL, OPTION_ADC_BITS},
        {"start-time", required_argument, NULL, OPTION_START},
        {"stamps", required_argument, NULL, OPTION_STAMPS},
        {"calibration", required_argument, NULL, OPTION_CALIBRATION},
        {"keep-garbage", no_argument, NULL, OPTION_KEEP_GARBAGE},
        {"leave-open", no_argument, NULL, OPTION_LEAVE_OPEN},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int option, r = 0;
    double a, b;
    while (r == 0 && (option = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (option) {
        case OPTION_GRID:
            r = parse_pair("--grid", optarg, 'x', &a, &b);
            if (r == 0 && (a != floor(a) || b != floor(b) || a > 256 || b > 256)) {
                log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "--grid: '%s' is not ROWSxCOLS", optarg);
                r = -EINVAL;
            }
            import->rows = (int)a;
            import->cols = (int)b;
            break;
        case OPTION_RATE:
            a = strtod(optarg, NULL);
            if (!(a > 0 && a <= 1e6)) {
                log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "--rate: '%s' is not a frame rate", optarg);
                r = -EINVAL;
            }
            import->rate_hz = a;
            break;
        case OPTION_SUBJECT:
            import->subject = optarg;
            break;
        case OPTION_OPERATOR:
            import->operator_name = optarg;
            break;
        case OPTION_SERIAL:
            if (strlen(optarg) > PACKET_SERIAL_SIZE) {
                log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "--serial: longer than %d characters",
                            PACKET_SERIAL_SIZE);
                r = -EINVAL;
            }
            import->serial = optarg;
            break;
        case OPTION_PITCH:
            r = parse_pair("--pitch-mm", optarg, ',', &import->row_pitch_mm, &import->col_pitch_mm);
            break;
        case OPTION_ADC_BITS:
            import->adc_bits = atoi(optarg);
            if (import->adc_bits < 1 || import->adc_bits > 16) {
                log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "--adc-bits: '%s' is not 1..16", optarg);
                r = -EINVAL;
            }
            break;
        case OPTION_START:
            import->start_given = true;
            r = parse_time(optarg, &import->start_time_ns);
            break;
        case OPTION_STAMPS:
            import->stamps_path = optarg;
            break;
        case OPTION_CALIBRATION:
            import->calibration_path = optarg;
            break;
        case OPTION_KEEP_GARBAGE:
            import->keep_garbage = true;
            break;
        case OPTION_LEAVE_OPEN:
            import->leave_open = true;
            break;
        case 'h':
            print_help();
            return 1;
        default:
            r = -EINVAL;
        }
    }
    if (r < 0)
        return r;
    if (argc - optind != 2) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM,
                    "expected INPUT.txt OUTPUT.h5; see mtable-import --help");
        return -EINVAL;
    }
    import->input = argv[optind];
    import->output = argv[optind + 1];
    return 0;
}

/* The session id: the output's base name without ".h5". */
static void session_id_of(const char *path, char *out, size_t size)
{
    const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    size_t length = strlen(name);
    if (length > 3 && strcmp(name + length - 3, ".h5") == 0)
        length -= 3;
    snprintf(out, size, "%.*s", (int)length, name);
}

/* Records the link event that a jump from sequence previous to sequence means. */
static int record_jump(struct session_file *file, uint32_t previous, uint32_t sequence,
                       int64_t host_time_ns)
{
    if (sequence == (uint32_t)(previous + 1))
        return 0;
    struct link_event event = {.host_time_ns = host_time_ns, .count = 1};
    if (sequence > previous) {
        event.kind = LINK_EVENT_GAP;
        event.sequence = previous + 1;
        event.count = sequence - previous - 1;
    } else {
        event.kind = LINK_EVENT_DEVICE_RESET;
        event.sequence = previous;
    }
    return session_file_append_event(file, &event);
}

static int import_frames(struct import *import, struct pmat_text *text, struct session_file *file,
                         const double *stamps, size_t stamp_count)
{
    size_t taxels = (size_t)text->rows * (size_t)text->cols;
    uint16_t *values = malloc(taxels * sizeof(uint16_t));
    if (!values) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "out of memory");
        return -ENOMEM;
    }
    char error[PMAT_TEXT_ERROR_SIZE];
    uint64_t line_frame = 0, kept = 0, first_time_us = 0;
    uint32_t previous = 0;
    bool writer_failed = false;
    int r;
    while ((r = pmat_text_next(text, values, error, sizeof(error))) > 0) {
        uint64_t n = line_frame++;
        if (!import->keep_garbage && pmat_text_is_garbage(values, taxels)) {
            char label[SESSION_LABEL_MAX + 1];
            snprintf(label, sizeof(label), "import: frame %llu skipped (values x256)",
                     (unsigned long long)n);
            if ((r = session_file_append_marker(file, import->start_time_ns, label)) < 0) {
                writer_failed = true;
                break;
            }
            log_message(LOG_LEVEL_INFO, SUBSYSTEM,
                        "%s: frame %llu left out: its values are multiples of 256 (PmatData's "
                        "garbage frame)",
                        import->input, (unsigned long long)n);
            continue;
        }
        uint32_t sequence = (uint32_t)n;
        uint64_t time_us = (uint64_t)llround((double)n * 1e6 / import->rate_hz);
        if (stamps) {
            if (kept == stamp_count) {
                log_message(LOG_LEVEL_ERROR, SUBSYSTEM,
                            "%s: has %zu lines, fewer than the frames of %s", import->stamps_path,
                            stamp_count, import->input);
                free(values);
                return -EINVAL;
            }
            sequence = (uint32_t)stamps[2 * kept];
            time_us = (uint64_t)stamps[2 * kept + 1];
        }
        if (kept == 0)
            first_time_us = time_us;
        int64_t host_time_ns =
            import->start_time_ns +
            (time_us >= first_time_us ? (int64_t)(time_us - first_time_us) * 1000 : 0);
        if ((kept > 0 && (r = record_jump(file, previous, sequence, host_time_ns)) < 0) ||
            (r = session_file_append_frame(file, sequence, time_us, host_time_ns, values)) < 0) {
            writer_failed = true;
            break;
        }
        previous = sequence;
        kept++;
    }
    free(values);
    if (r < 0) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "%s",
                    writer_failed ? session_file_last_error() : error);
        return r;
    }
    if (kept == 0) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "%s: no frame left to import", import->input);
        return -ENODATA;
    }
    return 0;
}

static int run(struct import *import)
{
    struct pmat_text text;
    char error[PMAT_TEXT_ERROR_SIZE];
    double *stamps = NULL, *calibration = NULL;
    size_t stamp_count = 0, calibration_points = 0;
    struct session_file *file = NULL;
    bool created = false;
    int r = pmat_text_open(import->input, import->rows, import->cols, &text, error, sizeof(error));
    if (r < 0) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "%s", error);
        return r;
    }
    if (import->stamps_path && (r = read_stamps(import->stamps_path, &stamps, &stamp_count)) < 0)
        goto out;
    /* The daemon's own reader of calibration files, so both accept the same files. */
    if (import->calibration_path &&
        (r = config_load_calibration(import->calibration_path, &calibration, &calibration_points,
                                     error, sizeof(error))) < 0) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "%s", error);
        goto out;
    }
    if (!import->start_given) {
        struct stat status;
        import->start_time_ns =
            stat(import->input, &status) == 0 ? (int64_t)status.st_mtim.tv_sec * 1000000000 : 0;
    }
    struct session_info info = {.start_time_ns = import->start_time_ns,
                                .software = "mtable-import",
                                .calibration = calibration,
                                .calibration_points = calibration_points};
    session_id_of(import->output, info.session_id, sizeof(info.session_id));
    snprintf(info.subject_id, sizeof(info.subject_id), "%s", import->subject);
    snprintf(info.operator_id, sizeof(info.operator_id), "%s", import->operator_name);
    snprintf(info.port, sizeof(info.port), "import:%s", import->input);
    info.device = (struct packet_device_info){
        .rows = (uint16_t)text.rows,
        .cols = (uint16_t)text.cols,
        .row_pitch_um = (uint32_t)llround(import->row_pitch_mm * 1000),
        .col_pitch_um = (uint32_t)llround(import->col_pitch_mm * 1000),
        .adc_bits = (uint8_t)import->adc_bits,
        .streaming = true,
        .frame_rate_mhz = (uint32_t)llround(import->rate_hz * 1000),
    };
    snprintf(info.device.serial, sizeof(info.device.serial), "%s",
             import->serial                       ? import->serial
             : text.rows == 64 && text.cols == 32 ? "FSA-SoftFlex2048"
                                                  : "BodiTrak-BT3510");
    if ((r = session_file_create(import->output, &info, NULL, &file)) < 0) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "%s", session_file_last_error());
        goto out;
    }
    created = true;
    r = import_frames(import, &text, file, stamps, stamp_count);
    if (r == 0 && import->leave_open) {
        if ((r = session_file_flush(file)) < 0)
            log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "%s", session_file_last_error());
        /* Exit without closing, as a crashed recorder would: HDF5's own exit
         * handlers must not close the file either. */
        fflush(stdout);
        _exit(r == 0 ? EXIT_OK : EXIT_FAILED);
    }
    int64_t end_ns = import->start_time_ns +
                     (int64_t)llround((double)session_file_frames(file) * 1e9 / import->rate_hz);
    int closed = session_file_close(file, end_ns);
    file = NULL;
    if (r == 0 && closed < 0) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "%s", session_file_last_error());
        r = closed;
    }
out:
    if (file)
        session_file_close(file, import->start_time_ns);
    if (r < 0 && created)
        remove(import->output);
    pmat_text_close(&text);
    free(stamps);
    free(calibration);
    return r;
}

int main(int argc, char **argv)
{
    log_init("mtable-import", LOG_LEVEL_INFO, false);
    struct import import = {.subject = "unknown",
                            .operator_name = "import",
                            .rate_hz = IMPORT_DEFAULT_RATE_HZ,
                            .row_pitch_mm = IMPORT_DEFAULT_PITCH_MM,
                            .col_pitch_mm = IMPORT_DEFAULT_PITCH_MM,
                            .adc_bits = IMPORT_DEFAULT_ADC_BITS};
    int r = parse_options(argc, argv, &import);
    if (r != 0)
        return r > 0 ? EXIT_OK : EXIT_USAGE;
    return run(&import) == 0 ? EXIT_OK : EXIT_FAILED;
}
