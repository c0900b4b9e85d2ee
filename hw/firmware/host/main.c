/*
 * main.c - mtable-firmware-host: the table's firmware, unchanged, running on
 * Linux against a simulated resistive matrix and a pseudo-terminal.
 *
 * Parses the options, opens the host HAL (host_hal.h), and runs the
 * firmware's main loop until SIGINT or SIGTERM. At its edges it behaves like
 * tools/sim's mtable-sim, so the same test harness drives both: the first
 * line on stdout is the port's path, --link makes a symbolic link to it,
 * --tee copies every byte sent to a file.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firmware.h"
#include "hal.h"
#include "host_hal.h"
#include "log.h"
#include "table.h"

/* Exit status for a bad command line, as most command-line tools use. */
#define EXIT_USAGE 2
/* Fastest rate the host table accepts: its scan takes microseconds; 1000 frames/s tests a host. */
#define HOST_MAX_RATE_MHZ 1000000u
/* Serial number reported when --serial is not given. */
#define DEFAULT_SERIAL "MT-HOST-0001"

/* Everything the command line sets. */
struct options {
    unsigned rows, cols;
    uint32_t rate_mhz;
    const char *serial;
    struct host_hal_settings hal;
    enum log_level log_level;
};

static void print_help(FILE *out)
{
    fprintf(out,
            "Usage: mtable-firmware-host [options]\n"
            "Runs the table's firmware (hw/firmware) on this computer, scanning a simulated\n"
            "resistive matrix and speaking hw/PROTOCOL.md on a pseudo-terminal. Prints the\n"
            "port's path on the first line of standard output; stops on SIGINT or SIGTERM.\n"
            "\n"
            "  --rows N        taxel rows, 1-256 (default %d)\n"
            "  --cols N        taxel columns, 1-256, rows x cols at most 16384 (default %d)\n"
            "  --rate HZ       frame rate after reset, 0.001-%u (default %g)\n"
            "  --serial TEXT   serial number, 1-16 printable characters (default %s)\n"
            "  --link PATH     also make PATH a symbolic link to the port\n"
            "  --tee FILE      copy every byte sent to FILE\n"
            "  -v, --verbose   log debug messages\n"
            "  -q, --quiet     log warnings and errors only\n"
            "  -h, --help      print this help and exit\n",
            TABLE_ROWS, TABLE_COLS, HOST_MAX_RATE_MHZ / 1000, TABLE_FRAME_RATE_MHZ / 1000.0,
            DEFAULT_SERIAL);
}

/* Parses a whole number from min to max; logs and returns -EINVAL otherwise. */
static int parse_whole(const char *option, const char *text, unsigned min, unsigned max,
                       unsigned *value)
{
    char *end = NULL;
    errno = 0;
    unsigned long parsed = strtoul(text, &end, 10);
    if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0 || parsed < min ||
        parsed > max) {
        log_message(LOG_LEVEL_ERROR, "options",
                    "%s: '%s' is not a whole number from %u to %u; see --help", option, text, min,
                    max);
        return -EINVAL;
    }
    *value = (unsigned)parsed;
    return 0;
}

/* Parses --rate in frames/s into millihertz; logs and returns -EINVAL when out of range. */
static int parse_rate(const char *text, uint32_t *rate_mhz)
{
    char *end = NULL;
    errno = 0;
    double hz = strtod(text, &end);
    double mhz = round(hz * 1000.0);
    if (end == text || *end != '\0' || errno != 0 || !(mhz >= TABLE_MIN_RATE_MHZ) ||
        mhz > HOST_MAX_RATE_MHZ) {
        log_message(LOG_LEVEL_ERROR, "options",
                    "--rate: '%s' is not a frame rate from 0.001 to %u frames/s", text,
                    HOST_MAX_RATE_MHZ / 1000);
        return -EINVAL;
    }
    *rate_mhz = (uint32_t)mhz;
    return 0;
}

/* Fills options from argv; returns 1 for --help, 0, or -EINVAL (logged). */
static int parse_options(int argc, char **argv, struct options *options)
{
    enum { OPTION_ROWS = 256, OPTION_COLS, OPTION_RATE, OPTION_SERIAL, OPTION_LINK, OPTION_TEE };
    static const struct option long_options[] = {
        {"rows", required_argument, NULL, OPTION_ROWS},
        {"cols", required_argument, NULL, OPTION_COLS},
        {"rate", required_argument, NULL, OPTION_RATE},
        {"serial", required_argument, NULL, OPTION_SERIAL},
        {"link", required_argument, NULL, OPTION_LINK},
        {"tee", required_argument, NULL, OPTION_TEE},
        {"verbose", no_argument, NULL, 'v'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    *options = (struct options){
        .rows = TABLE_ROWS,
        .cols = TABLE_COLS,
        .rate_mhz = TABLE_FRAME_RATE_MHZ,
        .serial = DEFAULT_SERIAL,
        .log_level = LOG_LEVEL_INFO,
    };
    int opt;
    int err = 0;
    while (err == 0 && (opt = getopt_long(argc, argv, "vqh", long_options, NULL)) != -1) {
        switch (opt) {
        case OPTION_ROWS:
            err = parse_whole("--rows", optarg, 1, PACKET_MAX_SIDE, &options->rows);
            break;
        case OPTION_COLS:
            err = parse_whole("--cols", optarg, 1, PACKET_MAX_SIDE, &options->cols);
            break;
        case OPTION_RATE:
            err = parse_rate(optarg, &options->rate_mhz);
            break;
        case OPTION_SERIAL:
            options->serial = optarg;
            break;
        case OPTION_LINK:
            options->hal.link_path = optarg;
            break;
        case OPTION_TEE:
            options->hal.tee_path = optarg;
            break;
        case 'v':
            options->log_level = LOG_LEVEL_DEBUG;
            break;
        case 'q':
            options->log_level = LOG_LEVEL_WARNING;
            break;
        case 'h':
            return 1;
        default:
            return -EINVAL; /* getopt_long has said what is wrong */
        }
    }
    if (err == 0 && optind < argc) {
        log_message(LOG_LEVEL_ERROR, "options", "unexpected argument '%s'; see --help",
                    argv[optind]);
        err = -EINVAL;
    }
    if (err == 0 && (size_t)options->rows * options->cols > PACKET_MAX_TAXELS) {
        log_message(LOG_LEVEL_ERROR, "options",
                    "--rows %u --cols %u: %u taxels, more than the protocol's %d", options->rows,
                    options->cols, options->rows * options->cols, PACKET_MAX_TAXELS);
        err = -EINVAL;
    }
    if (err == 0 &&
        (strlen(options->serial) == 0 || strlen(options->serial) > PACKET_SERIAL_SIZE)) {
        log_message(LOG_LEVEL_ERROR, "options", "--serial: '%s' is not 1-%d characters",
                    options->serial, PACKET_SERIAL_SIZE);
        err = -EINVAL;
    }
    options->hal.rows = options->rows;
    options->hal.cols = options->cols;
    return err;
}

/* The firmware's configuration for the command line's table. */
static struct firmware_config table_config(const struct options *options)
{
    struct firmware_config config = {
        .info =
            {
                .rows = (uint16_t)options->rows,
                .cols = (uint16_t)options->cols,
                .row_pitch_um = TABLE_ROW_PITCH_UM,
                .col_pitch_um = TABLE_COL_PITCH_UM,
                .adc_bits = TABLE_ADC_BITS,
                .frame_rate_mhz = options->rate_mhz,
                .firmware_major = MTABLE_VERSION_MAJOR,
                .firmware_minor = MTABLE_VERSION_MINOR,
                .firmware_patch = MTABLE_VERSION_PATCH,
            },
        .limits = {TABLE_MIN_RATE_MHZ, HOST_MAX_RATE_MHZ},
        .settle = {TABLE_ROW_SETTLE_NS, TABLE_COLUMN_SETTLE_NS},
    };
    strncpy(config.info.serial, options->serial, PACKET_SERIAL_SIZE);
    return config;
}

static void log_summary(const struct firmware *firmware)
{
    const struct firmware_stats *stats = firmware_stats(firmware);
    struct host_hal_counters counters = host_hal_counters();
    log_message(LOG_LEVEL_INFO, "summary",
                "%" PRIu64 " scans begun, %" PRIu32 " frames sent, skipped %" PRIu32
                " (scan overran the period) + %" PRIu32 " (link busy), %" PRIu32
                " ticks missed, %" PRIu32 " answers; scan took %" PRIu32 " us (longest %" PRIu32
                " us); %" PRIu64 " bytes sent, %" PRIu64 " discarded with nobody listening",
                counters.scans, stats->frames_sent, stats->overruns, stats->link_busy,
                stats->ticks_missed, stats->answers, stats->scan_us_last, stats->scan_us_longest,
                counters.bytes_sent, counters.bytes_discarded);
}

int main(int argc, char **argv)
{
    static struct firmware firmware;
    struct options options;
    uint16_t *values = NULL;
    uint8_t *frame = NULL;
    int status = EXIT_FAILURE;
    log_init("mtable-firmware-host", LOG_LEVEL_INFO, false);
    int parsed = parse_options(argc, argv, &options);
    if (parsed == 1) {
        print_help(stdout);
        return EXIT_SUCCESS;
    }
    if (parsed < 0)
        return EXIT_USAGE;
    log_init("mtable-firmware-host", options.log_level, false);

    struct firmware_config config = table_config(&options);
    size_t taxels = (size_t)options.rows * options.cols;
    size_t frame_capacity = PACKET_WIRE_SIZE(PACKET_FRAME_SIZE(taxels));
    values = calloc(taxels, sizeof(*values));
    frame = malloc(frame_capacity);
    if (values == NULL || frame == NULL) {
        log_message(LOG_LEVEL_ERROR, "firmware", "out of memory for one frame");
        goto out;
    }
    if (firmware_init(&firmware, &config, values, taxels, frame, frame_capacity) < 0) {
        log_message(LOG_LEVEL_ERROR, "firmware", "--serial '%s': not printable ASCII",
                    options.serial);
        goto out;
    }
    if (host_hal_open(&options.hal) < 0)
        goto out;
    firmware_power_up(&firmware);
    printf("%s\n", host_hal_port());
    fflush(stdout);
    log_message(LOG_LEVEL_INFO, "firmware",
                "table on %s%s%s: %u x %u taxels, %.3f frames/s, serial %s; waiting for START",
                host_hal_port(), options.hal.link_path != NULL ? " linked as " : "",
                options.hal.link_path != NULL ? options.hal.link_path : "", options.rows,
                options.cols, options.rate_mhz / 1000.0, options.serial);

    while (!host_hal_stop_requested())
        firmware_run_once(&firmware);
    log_summary(&firmware);
    status = EXIT_SUCCESS;
out:
    host_hal_close();
    free(values);
    free(frame);
    return status;
}
