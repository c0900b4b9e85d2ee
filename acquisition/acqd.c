/*
 * acqd.c - mtable-acqd, the acquisition daemon: options, wiring, main loop.
 *
 *   serial port --> reader thread --> ring --> recorder thread --> session.h5
 *                   (reader.c)                 (recorder.c)
 *
 * main() reads the settings, takes the output directory (one daemon per
 * directory), finishes session files a crashed run left open, starts the
 * recorder and then the reader, and waits for signals: SIGINT/SIGTERM stop
 * (reader first, then the recorder drains the ring, flushes and closes),
 * SIGHUP starts a new session file, SIGUSR1 places a marker. Handlers only
 * set flags; the loop acts on them. A status line is logged at a fixed
 * interval.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "clock.h"
#include "config.h"
#include "log.h"
#include "reader.h"
#include "record.h"
#include "recorder.h"
#include "ring.h"
#include "serial.h"
#include "session_file.h"

/* Exit status: settings or command line wrong (nothing was recorded). */
#define EXIT_USAGE 2
/* Exit status: recording failed (e.g. disk full); what was written is kept. */
#define EXIT_RECORDING_FAILED 1
/* Slots of the first ring, which carries only small records before the grid is known. */
#define FIRST_RING_SLOTS 64
/* Name of the lock file that keeps two daemons out of one output directory. */
#define LOCK_FILE_NAME ".mtable-acqd.lock"

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t rotate_requested;
static volatile sig_atomic_t marks_requested;

static void on_signal(int signal_number)
{
    switch (signal_number) {
    case SIGHUP:
        rotate_requested = 1;
        break;
    case SIGUSR1:
        marks_requested++;
        break;
    default:
        stop_requested = 1;
        break;
    }
}

static void usage(FILE *out)
{
    fprintf(
        out,
        "Usage: mtable-acqd --port PORT [options]\n"
        "Records a pressure-sensing table's frames from a serial port into one HDF5\n"
        "session file per session (acquisition/FILE_FORMAT.md).\n"
        "\n"
        "  -p, --port PORT          device path (/dev/ttyACM0, a pty, a symlink) or\n"
        "                           usb:SERIAL (the adapter's USB serial number)\n"
        "  -b, --baud N             UART speed (default 6000000; USB and ptys ignore it)\n"
        "  -r, --rate HZ            ask the device for this frame rate (default: keep)\n"
        "  -o, --output-dir DIR     where session files go (default .)\n"
        "  -s, --subject ID         subject id (default unspecified)\n"
        "  -O, --operator ID        operator id (default unspecified)\n"
        "                           ids: 1-64 of A-Z a-z 0-9 . _ -, not starting with .\n"
        "  -d, --duration SECONDS   stop after this long (default: until stopped)\n"
        "  -c, --config FILE        read settings from an INI file first\n"
        "      --flush-interval S   longest time before data is in the file, readable by\n"
        "                           others and kept through a crash of mtable-acqd (default 1)\n"
        "      --ring-frames N      frames buffered between reader and writer (default 1024)\n"
        "      --capture FILE       also save every byte read from the port, as read, for\n"
        "                           mtable-sim --replay-raw (FILE must not exist)\n"
        "      --status-interval S  seconds between status lines, 0 for none (default 10)\n"
        "  -F, --foreground         stay in the foreground and log to stderr\n"
        "                           (otherwise detach and log to syslog)\n"
        "  -v, --verbose            log debug messages\n"
        "  -q, --quiet              log warnings and errors only\n"
        "      --list-ports         list serial ports with their USB identity and exit\n"
        "  -V, --version            print the version and exit\n"
        "  -h, --help               print this help and exit\n"
        "\n"
        "Config file sections and settings (same meaning as the options):\n"
        "  [device] port baud frame_rate   [session] output_dir subject operator duration\n"
        "  [recording] flush_interval ring_frames frames_per_chunk compression_level\n"
        "              calibration (CSV of counts,kPa pairs) capture\n"
        "  [daemon] status_interval log_level (error|warning|info|debug)\n"
        "\n"
        "Signals: SIGINT/SIGTERM stop after writing everything received; SIGHUP closes the\n"
        "session file and starts a new one; SIGUSR1 places a marker named 'mark'.\n"
        "Exit status: 0 stopped normally, %d recording failed (files keep what was\n"
        "written), %d bad settings.\n",
        EXIT_RECORDING_FAILED, EXIT_USAGE);
}

enum long_only_option {
    OPTION_FLUSH_INTERVAL = 256,
    OPTION_RING_FRAMES,
    OPTION_STATUS_INTERVAL,
    OPTION_LIST_PORTS,
    OPTION_CAPTURE,
};

static const struct option long_options[] = {
    {"port", required_argument, NULL, 'p'},
    {"baud", required_argument, NULL, 'b'},
    {"rate", required_argument, NULL, 'r'},
    {"output-dir", required_argument, NULL, 'o'},
    {"subject", required_argument, NULL, 's'},
    {"operator", required_argument, NULL, 'O'},
    {"duration", required_argument, NULL, 'd'},
    {"config", required_argument, NULL, 'c'},
    {"flush-interval", required_argument, NULL, OPTION_FLUSH_INTERVAL},
    {"ring-frames", required_argument, NULL, OPTION_RING_FRAMES},
    {"status-interval", required_argument, NULL, OPTION_STATUS_INTERVAL},
    {"foreground", no_argument, NULL, 'F'},
    {"verbose", no_argument, NULL, 'v'},
    {"quiet", no_argument, NULL, 'q'},
    {"list-ports", no_argument, NULL, OPTION_LIST_PORTS},
    {"capture", required_argument, NULL, OPTION_CAPTURE},
    {"version", no_argument, NULL, 'V'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};
static const char short_options[] = "p:b:r:o:s:O:d:c:FvqVh";

/* Which setting each option with a value sets. */
static const struct {
    int option;
    const char *section;
    const char *name;
} option_settings[] = {
    {'p', "device", "port"},
    {'b', "device", "baud"},
    {'r', "device", "frame_rate"},
    {'o', "session", "output_dir"},
    {'s', "session", "subject"},
    {'O', "session", "operator"},
    {'d', "session", "duration"},
    {OPTION_FLUSH_INTERVAL, "recording", "flush_interval"},
    {OPTION_RING_FRAMES, "recording", "ring_frames"},
    {OPTION_STATUS_INTERVAL, "daemon", "status_interval"},
    {OPTION_CAPTURE, "recording", "capture"},
};

struct command_line {
    const char *config_file;
    bool foreground;
    bool list_ports;
};

/* Reads options; the config file named by -c is read before the other options apply. */
static int parse_command_line(int argc, char **argv, struct config *config, struct command_line *cl)
{
    char error[512];
    int option;
    opterr = 0;
    while ((option = getopt_long(argc, argv, short_options, long_options, NULL)) != -1) {
        if (option == 'c')
            cl->config_file = optarg;
        else if (option == '?') {
            fprintf(stderr, "mtable-acqd: unknown option or missing value: %s\n", argv[optind - 1]);
            return -EINVAL;
        }
    }
    if (cl->config_file != NULL &&
        config_load(cl->config_file, config, error, sizeof(error)) != 0) {
        fprintf(stderr, "mtable-acqd: %s\n", error);
        return -EINVAL;
    }
    optind = 1;
    while ((option = getopt_long(argc, argv, short_options, long_options, NULL)) != -1) {
        switch (option) {
        case 'F':
            cl->foreground = true;
            continue;
        case 'v':
            config->log_level = LOG_LEVEL_DEBUG;
            continue;
        case 'q':
            config->log_level = LOG_LEVEL_WARNING;
            continue;
        case OPTION_LIST_PORTS:
            cl->list_ports = true;
            continue;
        case 'V':
            printf("mtable-acqd %s\n", MTABLE_VERSION);
            exit(EXIT_SUCCESS);
        case 'h':
            usage(stdout);
            exit(EXIT_SUCCESS);
        default:
            break;
        }
        for (size_t i = 0; i < sizeof(option_settings) / sizeof(option_settings[0]); i++) {
            if (option_settings[i].option != option)
                continue;
            if (config_set(config, option_settings[i].section, option_settings[i].name, optarg,
                           error, sizeof(error)) != 0) {
                fprintf(stderr, "mtable-acqd: %s\n", error);
                return -EINVAL;
            }
        }
    }
    if (optind < argc) {
        fprintf(stderr, "mtable-acqd: unexpected argument '%s'\n", argv[optind]);
        return -EINVAL;
    }
    return 0;
}

static int list_ports(void)
{
    struct serial_port_info *ports = NULL;
    size_t count = 0;
    char error[SERIAL_ERROR_MAX];
    if (serial_list_ports(&ports, &count, error, sizeof(error)) != 0) {
        fprintf(stderr, "mtable-acqd: %s\n", error);
        return EXIT_RECORDING_FAILED;
    }
    if (count == 0)
        printf("no serial ports found\n");
    for (size_t i = 0; i < count; i++) {
        printf("%s\t%s\n", ports[i].path, ports[i].description);
        if (ports[i].usb)
            printf("\tUSB %04x:%04x  manufacturer '%s'  product '%s'  serial '%s'%s%s\n",
                   (unsigned)ports[i].usb_vid, (unsigned)ports[i].usb_pid, ports[i].manufacturer,
                   ports[i].product, ports[i].usb_serial,
                   ports[i].usb_serial[0] != '\0' ? "  ->  --port usb:" : "", ports[i].usb_serial);
    }
    free(ports);
    return EXIT_SUCCESS;
}

/* Writes dir/name into path; false if it does not fit. */
static bool join_path(char *path, size_t size, const char *dir, const char *name)
{
    int n = snprintf(path, size, "%s/%s", dir, name);
    return n >= 0 && (size_t)n < size;
}

/*
 * Makes a relative path absolute against the current directory, which a
 * detached daemon leaves for /. Symlinks are kept: a port's link may not
 * exist yet, and must be followed afresh at each reconnection.
 */
static bool make_absolute(char *path, size_t size)
{
    if (path[0] == '/' || path[0] == '\0')
        return true;
    char cwd[PATH_MAX], absolute[PATH_MAX];
    if (getcwd(cwd, sizeof(cwd)) == NULL || !join_path(absolute, sizeof(absolute), cwd, path) ||
        strlen(absolute) >= size)
        return false;
    memcpy(path, absolute, strlen(absolute) + 1);
    return true;
}

/* Takes the output directory for this daemon; returns the lock's descriptor or -1. */
static int lock_output_dir(const char *dir)
{
    char path[PATH_MAX];
    if (!join_path(path, sizeof(path), dir, LOCK_FILE_NAME)) {
        fprintf(stderr, "mtable-acqd: output directory path %s is too long\n", dir);
        return -1;
    }
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        fprintf(stderr, "mtable-acqd: cannot create %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        fprintf(stderr,
                "mtable-acqd: another mtable-acqd is already recording into %s; stop it or "
                "choose another output directory\n",
                dir);
        close(fd);
        return -1;
    }
    return fd;
}

/* Finishes session files left open by a run that crashed. */
static void recover_crashed_sessions(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *entry;
    while ((entry = readdir(d)) != NULL) {
        size_t len = strlen(entry->d_name);
        if (len < 4 || strcmp(entry->d_name + len - 3, ".h5") != 0)
            continue;
        char path[PATH_MAX];
        if (!join_path(path, sizeof(path), dir, entry->d_name))
            continue;
        int result = session_file_recover(path);
        if (result == 0)
            log_message(LOG_LEVEL_WARNING, "recovery",
                        "%s was left open by a crashed run; finished it (end_state "
                        "\"recovered\")",
                        path);
        else if (result < 0 && result != -EPROTO)
            log_message(LOG_LEVEL_WARNING, "recovery", "cannot recover %s: %s", path,
                        session_file_last_error());
    }
    closedir(d);
}

static void log_status(struct reader *reader, struct recorder *recorder, uint64_t *last_frames,
                       int64_t *last_ns)
{
    const struct reader_stats *rs = reader_stats(reader);
    const struct recorder_stats *ws = recorder_stats(recorder);
    uint64_t frames = atomic_load(&ws->frames_written);
    int64_t now = clock_monotonic_ns();
    double rate = now > *last_ns
                      ? (double)(frames - *last_frames) * CLOCK_NS_PER_S / (double)(now - *last_ns)
                      : 0.0;
    *last_frames = frames;
    *last_ns = now;
    char path[PATH_MAX];
    recorder_current_file(recorder, path, sizeof(path));
    log_message(LOG_LEVEL_INFO, "status",
                "%llu frames recorded of %llu received (%.1f/s), %llu dropped, %llu missing in "
                "%llu gaps, %llu decode errors (%llu CRC), %llu disconnects%s; %s",
                (unsigned long long)frames, (unsigned long long)atomic_load(&rs->frames_received),
                rate, (unsigned long long)atomic_load(&rs->frames_dropped),
                (unsigned long long)atomic_load(&rs->frames_missing),
                (unsigned long long)atomic_load(&rs->gaps),
                (unsigned long long)atomic_load(&rs->decode_errors),
                (unsigned long long)atomic_load(&rs->crc_errors),
                (unsigned long long)atomic_load(&rs->disconnects),
                atomic_load(&rs->streaming) ? "" : ", waiting for the device",
                path[0] != '\0' ? path : "no session file open");
}

/*
 * Installs the handlers (they only set flags) and blocks the signals, so
 * that threads started later inherit the mask and only the main loop's
 * ppoll, with the mask written to *unblocked, ever takes them.
 */
static void catch_signals(sigset_t *unblocked)
{
    sigset_t blocked;
    sigemptyset(&blocked);
    int handled[] = {SIGINT, SIGTERM, SIGHUP, SIGUSR1};
    struct sigaction action = {.sa_handler = on_signal};
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < sizeof(handled) / sizeof(handled[0]); i++) {
        sigaddset(&blocked, handled[i]);
        sigaction(handled[i], &action, NULL);
    }
    signal(SIGPIPE, SIG_IGN);
    /* A file size limit (ulimit -f) must fail the write, not kill the daemon. */
    signal(SIGXFSZ, SIG_IGN);
    pthread_sigmask(SIG_BLOCK, &blocked, unblocked);
}

/* Runs until stopped; returns the recorder's result. */
static int run(const struct config *config, const char *output_dir, const double *calibration,
               size_t calibration_points, const sigset_t *unblocked)
{
    int err = 0;
    int wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    struct ring *first_ring = NULL;
    struct recorder *recorder = NULL;
    struct reader *reader = NULL;
    struct capture *capture = NULL;
    if (wake_fd < 0) {
        err = -errno;
        goto out;
    }
    err = ring_create(FIRST_RING_SLOTS, sizeof(struct record), &first_ring);
    if (err != 0)
        goto out;
    struct recorder_config recorder_config = {
        .output_dir = output_dir,
        .subject_id = config->subject_id,
        .operator_id = config->operator_id,
        .port = config->port,
        .file_options = {.frames_per_chunk = config->frames_per_chunk,
                         .compression_level = (int)config->compression_level},
        .flush_interval_ns = (int64_t)(config->flush_interval_s * CLOCK_NS_PER_S),
        .calibration = calibration,
        .calibration_points = calibration_points,
        .wake_fd = wake_fd,
    };
    err = recorder_start(&recorder_config, first_ring, &recorder);
    if (err != 0)
        goto out;
    char error[512];
    if (config->capture[0] != '\0') {
        err = capture_start(config->capture, &capture, error, sizeof(error));
        if (err != 0)
            log_message(LOG_LEVEL_ERROR, "main", "%s", error);
    }
    struct reader_config reader_config = {
        .port = config->port,
        .baud = config->baud,
        .frame_rate_mhz = (uint32_t)(config->frame_rate_hz * 1000.0 + 0.5),
        .ring_frames = config->ring_frames,
        .wake_fd = wake_fd,
        .capture = capture,
    };
    if (err == 0)
        err = reader_start(&reader_config, first_ring, &reader);
    if (err != 0) {
        /* The recorder owns the first ring now; end its stream so it finishes. */
        struct record *end = ring_reserve(first_ring);
        end->kind = RECORD_END;
        ring_publish(first_ring);
        first_ring = NULL;
        goto out;
    }
    first_ring = NULL;

    int64_t start_ns = clock_monotonic_ns();
    int64_t stop_ns = config->duration_s > 0
                          ? start_ns + (int64_t)(config->duration_s * CLOCK_NS_PER_S)
                          : INT64_MAX;
    int64_t status_interval_ns = (int64_t)(config->status_interval_s * CLOCK_NS_PER_S);
    int64_t next_status_ns = status_interval_ns > 0 ? start_ns + status_interval_ns : INT64_MAX;
    uint64_t status_frames = 0;
    int64_t status_ns = start_ns;
    sig_atomic_t marks_done = 0;
    while (!stop_requested) {
        int64_t deadline = stop_ns < next_status_ns ? stop_ns : next_status_ns;
        int timeout_ms = deadline == INT64_MAX ? -1 : clock_poll_timeout_ms(deadline);
        struct timespec timeout = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000};
        struct pollfd pfd = {.fd = recorder_done_fd(recorder), .events = POLLIN};
        ppoll(&pfd, 1, timeout_ms < 0 ? NULL : &timeout, unblocked);
        if (pfd.revents != 0) {
            log_message(LOG_LEVEL_ERROR, "main", "recording failed; stopping");
            break;
        }
        if (rotate_requested) {
            rotate_requested = 0;
            recorder_rotate(recorder);
        }
        while (marks_done != marks_requested) {
            marks_done++;
            recorder_mark(recorder, clock_realtime_ns());
        }
        int64_t now = clock_monotonic_ns();
        if (now >= next_status_ns) {
            log_status(reader, recorder, &status_frames, &status_ns);
            next_status_ns = now + status_interval_ns;
        }
        if (now >= stop_ns) {
            log_message(LOG_LEVEL_INFO, "main", "duration of %.1f s reached; stopping",
                        config->duration_s);
            break;
        }
    }
    if (stop_requested)
        log_message(LOG_LEVEL_INFO, "main", "stopping on request");
    reader_stop(reader);
    err = recorder_join(recorder);
    if (capture != NULL) {
        uint64_t missing = 0;
        int capture_err = capture_stop(capture, &missing);
        capture = NULL;
        if (capture_err != 0 || missing > 0)
            log_message(LOG_LEVEL_WARNING, "capture",
                        "%s is incomplete: %llu bytes read from the port are not in it",
                        config->capture, (unsigned long long)missing);
    }
    log_status(reader, recorder, &status_frames, &status_ns);
    reader_free(reader);
    recorder_free(recorder);
    recorder = NULL;
out:
    if (capture != NULL)
        capture_stop(capture, NULL);
    if (recorder != NULL) {
        int join_err = recorder_join(recorder);
        err = err != 0 ? err : join_err;
        recorder_free(recorder);
    }
    ring_destroy(first_ring);
    if (wake_fd >= 0)
        close(wake_fd);
    return err;
}

int main(int argc, char **argv)
{
    struct config config;
    config_defaults(&config);
    struct command_line cl = {0};
    if (parse_command_line(argc, argv, &config, &cl) != 0) {
        fprintf(stderr, "Try 'mtable-acqd --help'.\n");
        return EXIT_USAGE;
    }
    if (cl.list_ports)
        return list_ports();
    if (config.port[0] == '\0') {
        fprintf(stderr, "mtable-acqd: no port given: use --port PORT (see --list-ports)\n");
        return EXIT_USAGE;
    }
    bool usb_name = strncmp(config.port, SERIAL_USB_PREFIX, strlen(SERIAL_USB_PREFIX)) == 0;
    if ((!usb_name && !make_absolute(config.port, sizeof(config.port))) ||
        !make_absolute(config.capture, sizeof(config.capture))) {
        fprintf(stderr, "mtable-acqd: cannot make the port and capture paths absolute\n");
        return EXIT_USAGE;
    }
    char output_dir[PATH_MAX];
    struct stat st;
    if (realpath(config.output_dir, output_dir) == NULL || stat(output_dir, &st) != 0 ||
        !S_ISDIR(st.st_mode) || access(output_dir, W_OK | X_OK) != 0) {
        fprintf(stderr, "mtable-acqd: output directory %s: %s\n", config.output_dir,
                errno != 0 ? strerror(errno) : "not a directory");
        return EXIT_USAGE;
    }
    double *calibration = NULL;
    size_t calibration_points = 0;
    char error[512];
    if (config.calibration[0] != '\0' &&
        config_load_calibration(config.calibration, &calibration, &calibration_points, error,
                                sizeof(error)) != 0) {
        fprintf(stderr, "mtable-acqd: calibration %s\n", error);
        return EXIT_USAGE;
    }
    if (config.capture[0] != '\0' && access(config.capture, F_OK) == 0) {
        fprintf(stderr, "mtable-acqd: capture file %s already exists; choose a new name\n",
                config.capture);
        free(calibration);
        return EXIT_USAGE;
    }
    int lock_fd = lock_output_dir(output_dir);
    if (lock_fd < 0) {
        free(calibration);
        return EXIT_USAGE;
    }
    if (!cl.foreground && daemon(0, 0) != 0) {
        fprintf(stderr, "mtable-acqd: cannot detach: %s\n", strerror(errno));
        return EXIT_RECORDING_FAILED;
    }
    log_init("mtable-acqd", config.log_level, !cl.foreground);
    sigset_t unblocked;
    catch_signals(&unblocked);
    log_message(LOG_LEVEL_INFO, "main",
                "mtable-acqd %s recording from %s into %s (subject %s, operator %s)",
                MTABLE_VERSION, config.port, output_dir, config.subject_id, config.operator_id);
    recover_crashed_sessions(output_dir);

    /* A stop asked for during recovery waits, blocked, until run()'s first ppoll. */
    int err = run(&config, output_dir, calibration, calibration_points, &unblocked);
    free(calibration);
    close(lock_fd);
    if (err != 0) {
        log_message(LOG_LEVEL_ERROR, "main", "exiting after a failure: %s", strerror(-err));
        return EXIT_RECORDING_FAILED;
    }
    return EXIT_SUCCESS;
}
