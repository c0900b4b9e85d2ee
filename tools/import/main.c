/*
 * main.c - mtable-import: other systems' pressure recordings into a session file.
 *
 * The session is written with acquisition/session_file.h, exactly as the
 * daemon writes one, so the analysis and the replayer treat it like any
 * recording. Where the frames came from is kept in the attributes: port
 * "import:<path>", operator "import" (unless given), the device serial.
 *
 * Formats (vendor_export.h tells them apart from the file's first line):
 *   - PmatData text (pmat_text.h), below;
 *   - vendor exports (vendor_export.h): XSENSOR CSV, Tekscan I-Scan ASCII,
 *     novel pliance ASCII. Each file states its grid, sensel size and
 *     frame times, and usually its start time, recording name (the
 *     subject) and sensor (the serial); options override them. Frame n
 *     becomes sequence n at the file's own time. Values in mmHg or kPa
 *     are stored as counts at export_text.h's fixed scale with the
 *     matching calibration, so the analysis reports them in the file's
 *     unit; raw readings stay counts. The file is read twice: once to
 *     check it whole (nothing is written if any of it cannot be read) and
 *     find its frame rate when it states none, once to write.
 *
 * PmatData: frame n of the text (its n-th frame line, from 0) becomes
 * sequence n at device time n / rate, unless --stamps gives sequence and
 * device time for each frame. PmatData's quirks are handled so:
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
#include "vendor_export.h"

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

/* What the command line asks for; 0 and NULL: not given. */
struct import {
    const char *input, *output;
    const char *subject, *operator_name, *serial;
    const char *stamps_path, *calibration_path;
    bool format_given;
    enum vendor_format format;
    int sensor;
    int rows, cols;
    double rate_hz, row_pitch_mm, col_pitch_mm;
    int adc_bits;
    bool start_given;
    int64_t start_time_ns;
    bool keep_garbage, leave_open;
};

static void print_help(void)
{
    printf("Usage: mtable-import [OPTIONS] INPUT OUTPUT.h5\n"
           "\n"
           "Converts another system's pressure recording into an mtable session file, written\n"
           "like a recording of the daemon. OUTPUT.h5 must not exist. The format is told from\n"
           "the file's first line (or --format):\n"
           "  xsensor   XSENSOR Pro CSV export (first line File:,... or FRAME,...)\n"
           "  iscan     Tekscan I-Scan ASCII movie (first line DATA_TYPE ...)\n"
           "  pliance   novel pliance ASCII export (first line file name: ...)\n"
           "  pmat      PmatData text: one frame per line, or one frame as a matrix of lines\n"
           "\n"
           "Vendor exports (xsensor, iscan, pliance) state their grid, sensel size and frame\n"
           "times, and mostly their start time, recording name (the subject) and sensor (the\n"
           "serial); options below override these. Frame n becomes sequence n at the file's\n"
           "time. Values in mmHg or kPa are stored as 16-bit counts at a fixed scale, with\n"
           "the matching calibration (linear through 0): mtable-analyze reports kPa, and\n"
           "--units mmHg gives the mmHg back.\n"
           "  mmHg   counts = round(mmHg / %g), 0 to %g mmHg\n"
           "  kPa    counts = round(kPa / %g), 0 to %g kPa\n"
           "Raw readings (I-Scan UNITS raw) stay counts, without calibration. Grid cells\n"
           "with no sensel (I-Scan's B, outside the sensor's outline; pliance cells without\n"
           "a sensor) are stored as 0. Clock times in the files are taken as UTC.\n"
           "\n"
           "PmatData: frame n of the text becomes sequence n at device time n / RATE. A frame\n"
           "with at least 64 non-zero values, 90 %% or more of them multiples of 256 (PmatData's\n"
           "garbage frame 1), is left out: the session shows a one-frame gap there and a\n"
           "marker names it. Frame 0, nearly empty in PmatData, is a real reading and is\n"
           "kept.\n"
           "\n"
           "Options:\n"
           "  --format NAME       xsensor, iscan, pliance or pmat (default: from the content)\n"
           "  --sensor N          xsensor: the sensor to import when each frame holds several\n"
           "                      (from 1, in the file's order; default 1)\n"
           "  --grid RxC          pmat: grid of a frame-per-line file (default: 2048 values\n"
           "                      per line are 64x32; a matrix file's is its lines x values)\n"
           "  --rate HZ           nominal frame rate (pmat default %.0f, PmatData's about one\n"
           "                      per second; vendor exports: the file's, else from its times)\n"
           "  --subject ID        subject id (default: the vendor's recording name, else\n"
           "                      unknown)\n"
           "  --operator ID       operator id (default: import)\n"
           "  --serial TEXT       device serial, at most 16 characters (default: the vendor's\n"
           "                      sensor serial or type; pmat: FSA-SoftFlex2048 for 64x32,\n"
           "                      BodiTrak-BT3510 otherwise)\n"
           "  --pitch-mm R,C      taxel pitch in mm (default: the file's; pmat %.1f,%.1f:\n"
           "                      PmatData documents none; one inch is assumed)\n"
           "  --adc-bits N        bits per reading (default: pmat %d, I-Scan raw 8, values\n"
           "                      stored at a scale 16)\n"
           "  --start-time ISO    session start, e.g. 2017-01-01T00:00:00Z (default: the\n"
           "                      file's, else the input file's modification time)\n"
           "  --stamps FILE       pmat: CSV of sequence,device_time_us for each frame kept, in\n"
           "                      order (instead of n and n / RATE); '#' starts a comment\n"
           "  --calibration FILE  CSV of counts,kPa points stored as the session's calibration\n"
           "                      (the daemon's format: '#' comments, one optional header line)\n"
           "                      for raw readings; values in mmHg or kPa bring their own\n"
           "  --keep-garbage      pmat: keep frames taken for PmatData's garbage frame\n"
           "  --leave-open        leave the session as a crashed recorder would (unfinished;\n"
           "                      readers must open it as SWMR readers): for testing readers\n"
           "  -h, --help          show this help\n",
           EXPORT_TEXT_MMHG_PER_COUNT, UINT16_MAX * EXPORT_TEXT_MMHG_PER_COUNT,
           EXPORT_TEXT_KPA_PER_COUNT, UINT16_MAX * EXPORT_TEXT_KPA_PER_COUNT,
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
        OPTION_FORMAT = 256,
        OPTION_SENSOR,
        OPTION_GRID,
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
        {"format", required_argument, NULL, OPTION_FORMAT},
        {"sensor", required_argument, NULL, OPTION_SENSOR},
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
        case OPTION_FORMAT:
            import->format_given = true;
            if (vendor_export_format_parse(optarg, &import->format) < 0) {
                log_message(LOG_LEVEL_ERROR, SUBSYSTEM,
                            "--format: '%s' is not xsensor, iscan, pliance or pmat", optarg);
                r = -EINVAL;
            }
            break;
        case OPTION_SENSOR:
            a = strtod(optarg, NULL);
            if (!(a >= 1 && a <= 1000 && a == floor(a))) {
                log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "--sensor: '%s' is not a sensor number",
                            optarg);
                r = -EINVAL;
            }
            import->sensor = (int)a;
            break;
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
                    "expected INPUT OUTPUT.h5; see mtable-import --help");
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

/* Fills what every imported session says alike: id, start, operator, port, software. */
static void describe_session(const struct import *import, struct session_info *info)
{
    *info =
        (struct session_info){.start_time_ns = import->start_time_ns, .software = "mtable-import"};
    session_id_of(import->output, info->session_id, sizeof(info->session_id));
    snprintf(info->operator_id, sizeof(info->operator_id), "%s", import->operator_name);
    snprintf(info->port, sizeof(info->port), "import:%s", import->input);
}

/* Reads --calibration, if given, with the daemon's own reader: both accept the same files. */
static int load_calibration(const struct import *import, double **calibration, size_t *points)
{
    char error[PMAT_TEXT_ERROR_SIZE];
    if (!import->calibration_path)
        return 0;
    int r = config_load_calibration(import->calibration_path, calibration, points, error,
                                    sizeof(error));
    if (r < 0)
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "%s", error);
    return r;
}

/* The input file's modification time, the start of a session whose file tells none. */
static int64_t modification_time_of(const char *path)
{
    struct stat status;
    return stat(path, &status) == 0 ? (int64_t)status.st_mtim.tv_sec * 1000000000 : 0;
}

/*
 * Ends the session after its frames were imported with result r: closes it
 * at end_ns, or with --leave-open leaves it as a crashed recorder would.
 * Returns r, or the closing's error.
 */
static int finish_session(const struct import *import, struct session_file *file, int r,
                          int64_t end_ns)
{
    if (r == 0 && import->leave_open) {
        if ((r = session_file_flush(file)) < 0)
            log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "%s", session_file_last_error());
        /* Exit without closing, as a crashed recorder would: HDF5's own exit
         * handlers must not close the file either. */
        fflush(stdout);
        _exit(r == 0 ? EXIT_OK : EXIT_FAILED);
    }
    int closed = session_file_close(file, end_ns);
    if (r == 0 && closed < 0) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "%s", session_file_last_error());
        r = closed;
    }
    return r;
}

static int run_pmat(struct import *import)
{
    struct pmat_text text;
    char error[PMAT_TEXT_ERROR_SIZE];
    double *stamps = NULL, *calibration = NULL;
    size_t stamp_count = 0, calibration_points = 0;
    struct session_file *file = NULL;
    if (import->rate_hz == 0)
        import->rate_hz = IMPORT_DEFAULT_RATE_HZ;
    if (import->row_pitch_mm == 0)
        import->row_pitch_mm = import->col_pitch_mm = IMPORT_DEFAULT_PITCH_MM;
    if (import->adc_bits == 0)
        import->adc_bits = IMPORT_DEFAULT_ADC_BITS;
    if (!import->start_given)
        import->start_time_ns = modification_time_of(import->input);
    int r = pmat_text_open(import->input, import->rows, import->cols, &text, error, sizeof(error));
    if (r < 0) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "%s", error);
        return r;
    }
    if (import->stamps_path && (r = read_stamps(import->stamps_path, &stamps, &stamp_count)) < 0)
        goto out;
    if ((r = load_calibration(import, &calibration, &calibration_points)) < 0)
        goto out;
    struct session_info info;
    describe_session(import, &info);
    info.calibration = calibration;
    info.calibration_points = calibration_points;
    snprintf(info.subject_id, sizeof(info.subject_id), "%s",
             import->subject ? import->subject : "unknown");
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
    r = import_frames(import, &text, file, stamps, stamp_count);
    int64_t end_ns = import->start_time_ns +
                     (int64_t)llround((double)session_file_frames(file) * 1e9 / import->rate_hz);
    if ((r = finish_session(import, file, r, end_ns)) < 0)
        remove(import->output);
out:
    pmat_text_close(&text);
    free(stamps);
    free(calibration);
    return r;
}

/* What the first reading of an export found. */
struct export_scan {
    struct vendor_export_info info;
    uint64_t frames;
    uint64_t first_us, last_us; /* times of the first and the last frame */
};

/*
 * Reads the whole export once: every line of it must be readable before
 * anything is written, and its frame times give the frame rate when the
 * file states none.
 */
static int scan_export(const struct import *import, enum vendor_format format,
                       struct export_scan *scan)
{
    struct vendor_export *export = NULL;
    uint16_t *counts = NULL;
    char error[EXPORT_TEXT_ERROR_SIZE];
    uint64_t time_us;
    *scan = (struct export_scan){0};
    int r = vendor_export_open(import->input, format, import->sensor, &export, &scan->info, error,
                               sizeof(error));
    if (r == 0 &&
        !(counts = malloc((size_t)scan->info.rows * (size_t)scan->info.cols * sizeof(uint16_t)))) {
        snprintf(error, sizeof(error), "%s: out of memory", import->input);
        r = -ENOMEM;
    }
    while (r == 0 && (r = vendor_export_next(export, counts, &time_us, error, sizeof(error))) > 0) {
        if (scan->frames++ == 0)
            scan->first_us = time_us;
        scan->last_us = time_us;
        r = 0;
    }
    if (r < 0)
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "%s", error);
    vendor_export_close(export);
    free(counts);
    return r;
}

/* Tells what the import did with the export, and what the analysis should know. */
static void report_export(const struct import *import, enum vendor_format format,
                          const struct export_scan *scan, double rate_hz)
{
    const struct vendor_export_info *info = &scan->info;
    const char *unit = export_text_unit_name(info->unit);
    double step = export_text_step(info->unit);
    log_message(LOG_LEVEL_INFO, SUBSYSTEM,
                "%s: %s export, %llu frames of %d x %d sensels (pitch %g x %g mm) at %.4g "
                "frames/s%s",
                import->input, vendor_export_format_name(format), (unsigned long long)scan->frames,
                info->rows, info->cols, info->row_pitch_mm, info->col_pitch_mm, rate_hz,
                import->rate_hz == 0 && info->frame_rate_hz == 0 ? " (from its frame times)" : "");
    if (info->sensor[0])
        log_message(LOG_LEVEL_INFO, SUBSYSTEM, "%s: imported %s (--sensor chooses)", import->input,
                    info->sensor);
    if (info->unit != EXPORT_UNIT_RAW)
        log_message(LOG_LEVEL_INFO, SUBSYSTEM,
                    "%s: values in %s stored as counts of %g %s (0 to %g %s) with their "
                    "calibration: mtable-analyze --units %s reports them in %s",
                    import->input, unit, step, unit, UINT16_MAX * step, unit, unit, unit);
    if (info->outside_taxels > 0)
        log_message(LOG_LEVEL_INFO, SUBSYSTEM,
                    "%s: %u of the %d x %d grid cells have no sensel (%s): stored as 0",
                    import->input, info->outside_taxels, info->rows, info->cols,
                    format == VENDOR_FORMAT_ISCAN ? "B, outside the sensor's outline"
                                                  : "no sensor there");
    if (info->threshold > 0)
        log_message(LOG_LEVEL_INFO, SUBSYSTEM,
                    "%s: the vendor's contact threshold %g %s is %.0f counts: mtable-analyze "
                    "--contact %.0f counts contact as the vendor does",
                    import->input, info->threshold, unit, round(info->threshold / step),
                    round(info->threshold / step));
}

/* Reads the export again and appends its frames: frame n is sequence n at the file's time. */
static int import_export(const struct import *import, enum vendor_format format,
                         const struct export_scan *scan, struct session_file *file)
{
    struct vendor_export *export = NULL;
    struct vendor_export_info info;
    size_t taxels = (size_t)scan->info.rows * (size_t)scan->info.cols;
    uint16_t *counts = malloc(taxels * sizeof(uint16_t));
    char error[EXPORT_TEXT_ERROR_SIZE];
    uint64_t time_us;
    uint32_t sequence = 0;
    bool writer_failed = false;
    int r = counts ? vendor_export_open(import->input, format, import->sensor, &export, &info,
                                        error, sizeof(error))
                   : -ENOMEM;
    if (r == -ENOMEM)
        snprintf(error, sizeof(error), "%s: out of memory", import->input);
    if (r == 0 && scan->info.sensor[0] &&
        (r = session_file_append_marker(file, import->start_time_ns, scan->info.sensor)) < 0)
        writer_failed = true;
    while (r == 0 && (r = vendor_export_next(export, counts, &time_us, error, sizeof(error))) > 0) {
        r = session_file_append_frame(file, sequence++, time_us,
                                      import->start_time_ns + (int64_t)time_us * 1000, counts);
        writer_failed = r < 0;
    }
    if (r < 0)
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "%s",
                    writer_failed ? session_file_last_error() : error);
    vendor_export_close(export);
    free(counts);
    return r;
}

static int run_vendor(struct import *import, enum vendor_format format)
{
    struct export_scan scan;
    struct session_file *file = NULL;
    double *calibration = NULL, scale[4];
    size_t calibration_points = 0;
    int r = scan_export(import, format, &scan);
    if (r < 0)
        return r;
    const struct vendor_export_info *found = &scan.info;
    if (found->unit != EXPORT_UNIT_RAW && import->calibration_path) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM,
                    "--calibration: %s holds values in %s, whose calibration the import writes "
                    "itself",
                    import->input, export_text_unit_name(found->unit));
        return -EINVAL;
    }
    if ((r = load_calibration(import, &calibration, &calibration_points)) < 0)
        return r;
    double rate_hz = import->rate_hz > 0        ? import->rate_hz
                     : found->frame_rate_hz > 0 ? found->frame_rate_hz
                     : scan.last_us > scan.first_us
                         ? (double)(scan.frames - 1) * 1e6 / (double)(scan.last_us - scan.first_us)
                         : IMPORT_DEFAULT_RATE_HZ;
    if (!import->start_given)
        import->start_time_ns =
            found->has_start_time ? found->start_time_ns : modification_time_of(import->input);
    report_export(import, format, &scan, rate_hz);

    struct session_info info;
    describe_session(import, &info);
    if (found->unit != EXPORT_UNIT_RAW) {
        vendor_export_calibration(found->unit, scale);
        info.calibration = scale;
        info.calibration_points = 2;
    } else {
        info.calibration = calibration;
        info.calibration_points = calibration_points;
    }
    snprintf(info.subject_id, sizeof(info.subject_id), "%s",
             import->subject     ? import->subject
             : found->subject[0] ? found->subject
                                 : "unknown");
    info.device = (struct packet_device_info){
        .rows = (uint16_t)found->rows,
        .cols = (uint16_t)found->cols,
        .row_pitch_um = (uint32_t)llround(
            (import->row_pitch_mm > 0 ? import->row_pitch_mm : found->row_pitch_mm) * 1000),
        .col_pitch_um = (uint32_t)llround(
            (import->col_pitch_mm > 0 ? import->col_pitch_mm : found->col_pitch_mm) * 1000),
        .adc_bits = (uint8_t)(import->adc_bits > 0 ? import->adc_bits : found->adc_bits),
        .streaming = true,
        .frame_rate_mhz = (uint32_t)llround(rate_hz * 1000),
    };
    snprintf(info.device.serial, sizeof(info.device.serial), "%s",
             import->serial     ? import->serial
             : found->serial[0] ? found->serial
                                : vendor_export_format_name(format));
    if ((r = session_file_create(import->output, &info, NULL, &file)) < 0) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "%s", session_file_last_error());
        goto out;
    }
    r = import_export(import, format, &scan, file);
    int64_t end_ns =
        import->start_time_ns + (int64_t)scan.last_us * 1000 + (int64_t)llround(1e9 / rate_hz);
    if ((r = finish_session(import, file, r, end_ns)) < 0)
        remove(import->output);
out:
    free(calibration);
    return r;
}

/* Options that only one format takes. */
static int check_options_for(const struct import *import, enum vendor_format format)
{
    const char *option = NULL;
    if (format != VENDOR_FORMAT_PMAT)
        option = import->rows > 0       ? "--grid"
                 : import->stamps_path  ? "--stamps"
                 : import->keep_garbage ? "--keep-garbage"
                                        : NULL;
    if (format != VENDOR_FORMAT_XSENSOR && import->sensor > 0)
        option = "--sensor";
    if (!option)
        return 0;
    log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "%s: not for the %s format of %s", option,
                vendor_export_format_name(format), import->input);
    return -EINVAL;
}

static int run(struct import *import)
{
    char error[EXPORT_TEXT_ERROR_SIZE];
    enum vendor_format format = import->format;
    int r = import->format_given
                ? 0
                : vendor_export_detect(import->input, &format, error, sizeof(error));
    if (r < 0) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "%s", error);
        return r;
    }
    if ((r = check_options_for(import, format)) < 0)
        return r;
    return format == VENDOR_FORMAT_PMAT ? run_pmat(import) : run_vendor(import, format);
}

int main(int argc, char **argv)
{
    log_init("mtable-import", LOG_LEVEL_INFO, false);
    struct import import = {.operator_name = "import"};
    int r = parse_options(argc, argv, &import);
    if (r != 0)
        return r > 0 ? EXIT_OK : EXIT_USAGE;
    return run(&import) == 0 ? EXIT_OK : EXIT_FAILED;
}
