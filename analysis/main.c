/*
 * main.c - mtable-analyze: options, then one analysis or a batch of them.
 *
 * One session: its results go to one output directory. Several sessions
 * (or a directory of them): one batch directory holding summary.csv and
 * summary.json across the sessions, in start order, and one output
 * directory per session. Either appears only when complete.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis.h"
#include "batch.h"
#include "log.h"
#include "output_dir.h"
#include "progress.h"
#include "render.h"

/* Subsystem tag of every message. */
#define SUBSYSTEM "analyze"

/* Default batch directory, in the current directory. */
#define BATCH_DEFAULT_OUT "mtable-batch.analysis"

/* Exit statuses. */
enum {
    EXIT_OK = 0,     /* everything analysed (warnings may have been given) */
    EXIT_FAILED = 1, /* a session could not be analysed */
    EXIT_USAGE = 2,  /* bad command line */
};

static volatile sig_atomic_t interrupted;

static void on_signal(int signal_number)
{
    (void)signal_number;
    interrupted = 1;
}

static void print_help(void)
{
    printf("Usage: mtable-analyze [OPTIONS] SESSION.h5 [SESSION.h5 | DIRECTORY ...]\n"
           "\n"
           "Analyses recorded sessions: pressure heatmaps (raw and applied), per-region dwell\n"
           "times, per-frame series, a JSON summary, an HDF5 results file and an HTML report.\n"
           "Several sessions, or a directory of *.h5 sessions, also give one summary table\n"
           "across them in session start order. Definitions: analysis/METRICS.md.\n"
           "\n"
           "Options:\n"
           "  -o, --out DIR        output directory. One session: default SESSION.analysis\n"
           "                       beside the file. Several: default ./" BATCH_DEFAULT_OUT ",\n"
           "                       holding summary.csv, summary.json and one NAME.analysis\n"
           "                       per session. An existing output directory of\n"
           "                       mtable-analyze is replaced; any other is never touched.\n"
           "  -r, --regions FILE   regions file (format: METRICS.md); default: the built-in\n"
           "                       map of a prone client on the 64 x 32 table, scaled\n"
           "                       proportionally (with a warning) for other grids\n"
           "      --only NAMES     analyse only these regions (comma-separated)\n"
           "  -u, --units UNIT     counts, kPa or mmHg; default kPa when the session carries\n"
           "                       a calibration, counts otherwise\n"
           "      --from S         analyse from S seconds on the session's time axis (0)\n"
           "      --to S           ... up to S seconds (the end)\n"
           "      --threshold P    threshold of the time-above heatmaps, in the unit\n"
           "                       (default %.0f counts, or %.0f mmHg = %.3f kPa)\n"
           "      --active N       applied counts that make a region active (default %d)\n"
           "      --release N      applied counts below which it stops (default %d)\n"
           "      --contact N      reading from which a taxel is in contact (default %d)\n"
           "      --rest-window S  resting-load window each side of a frame (default %.0f s)\n"
           "  -q, --quiet          no progress line, only warnings and errors\n"
           "  -h, --help           show this help\n"
           "      --version        show the version\n"
           "\n"
           "Exit status: 0 analysed (warnings included, e.g. an unfinished recording),\n"
           "1 a session could not be analysed, 2 bad command line.\n",
           ANALYSIS_ABOVE_COUNTS, ANALYSIS_ABOVE_MMHG, ANALYSIS_ABOVE_MMHG / PRESSURE_MMHG_PER_KPA,
           ANALYSIS_ACTIVE_THRESHOLD, ANALYSIS_RELEASE_THRESHOLD, ANALYSIS_CONTACT_THRESHOLD,
           ANALYSIS_REST_WINDOW_S);
}

static int parse_number(const char *option, const char *text, double low, double high, double *out)
{
    char *end = NULL;
    errno = 0;
    double value = strtod(text, &end);
    if (errno || end == text || *end || !(value >= low && value <= high)) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "%s: '%s' is not a number from %g to %g", option,
                    text, low, high);
        return -EINVAL;
    }
    *out = value;
    return 0;
}

static int parse_counts(const char *option, const char *text, unsigned *out)
{
    double value;
    if (parse_number(option, text, 0, 65535, &value) < 0)
        return -EINVAL;
    if (value != floor(value)) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "%s: '%s' is not a whole number of counts", option,
                    text);
        return -EINVAL;
    }
    *out = (unsigned)value;
    return 0;
}

struct command {
    struct analysis_settings settings;
    const char *out;
    bool quiet;
};

enum {
    OPTION_ONLY = 256,
    OPTION_FROM,
    OPTION_TO,
    OPTION_THRESHOLD,
    OPTION_ACTIVE,
    OPTION_RELEASE,
    OPTION_CONTACT,
    OPTION_REST_WINDOW,
    OPTION_VERSION,
};

/* Parses the options; returns the index of the first input, or -1 (already reported) or -2 (done).
 */
static int parse_options(int argc, char **argv, struct command *command)
{
    static const struct option options[] = {
        {"out", required_argument, NULL, 'o'},
        {"regions", required_argument, NULL, 'r'},
        {"only", required_argument, NULL, OPTION_ONLY},
        {"units", required_argument, NULL, 'u'},
        {"from", required_argument, NULL, OPTION_FROM},
        {"to", required_argument, NULL, OPTION_TO},
        {"threshold", required_argument, NULL, OPTION_THRESHOLD},
        {"active", required_argument, NULL, OPTION_ACTIVE},
        {"release", required_argument, NULL, OPTION_RELEASE},
        {"contact", required_argument, NULL, OPTION_CONTACT},
        {"rest-window", required_argument, NULL, OPTION_REST_WINDOW},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, OPTION_VERSION},
        {NULL, 0, NULL, 0},
    };
    struct analysis_settings *s = &command->settings;
    int option, r = 0;
    while ((option = getopt_long(argc, argv, "o:r:u:qh", options, NULL)) != -1 && r == 0) {
        switch (option) {
        case 'o':
            command->out = optarg;
            break;
        case 'r':
            s->regions_path = optarg;
            break;
        case OPTION_ONLY:
            s->only_regions = optarg;
            break;
        case 'u':
            s->unit_given = true;
            if (pressure_unit_parse(optarg, &s->unit) < 0) {
                log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "--units: '%s' is not counts, kPa or mmHg",
                            optarg);
                r = -EINVAL;
            }
            break;
        case OPTION_FROM:
            r = parse_number("--from", optarg, 0, 1e9, &s->from_s);
            break;
        case OPTION_TO:
            r = parse_number("--to", optarg, 0, 1e9, &s->to_s);
            break;
        case OPTION_THRESHOLD:
            s->above_given = true;
            r = parse_number("--threshold", optarg, 0, 1e9, &s->above_threshold);
            break;
        case OPTION_ACTIVE:
            r = parse_counts("--active", optarg, &s->active_threshold);
            break;
        case OPTION_RELEASE:
            r = parse_counts("--release", optarg, &s->release_threshold);
            break;
        case OPTION_CONTACT:
            r = parse_counts("--contact", optarg, &s->contact_threshold);
            break;
        case OPTION_REST_WINDOW:
            r = parse_number("--rest-window", optarg, 0.001, 3600, &s->rest_window_s);
            break;
        case 'q':
            command->quiet = true;
            break;
        case 'h':
            print_help();
            return -2;
        case OPTION_VERSION:
            printf("mtable-analyze %s\n", MTABLE_VERSION);
            return -2;
        default:
            r = -EINVAL;
        }
    }
    if (r < 0)
        return -1;
    if (s->to_s <= s->from_s) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "--to must be later than --from");
        return -1;
    }
    if (s->release_threshold > s->active_threshold) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM,
                    "--release %u is above --active %u: a region must be able to stay active",
                    s->release_threshold, s->active_threshold);
        return -1;
    }
    if (s->active_threshold == 0) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM,
                    "--active 0 would make every region always active; give at least 1");
        return -1;
    }
    if (optind == argc) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "no session given; see mtable-analyze --help");
        return -1;
    }
    return optind;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the *.h5 files of directory, sorted, to the input list. */
static int add_directory(const char *directory, char ***inputs, size_t *count)
{
    DIR *dir = opendir(directory);
    if (!dir) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "%s: cannot list the directory: %s", directory,
                    strerror(errno));
        return -errno;
    }
    size_t first = *count;
    struct dirent *entry;
    int r = 0;
    while ((entry = readdir(dir)) && r == 0) {
        size_t length = strlen(entry->d_name);
        if (length <= 3 || strcmp(entry->d_name + length - 3, ".h5") != 0 ||
            entry->d_name[0] == '.')
            continue;
        char **grown = realloc(*inputs, (*count + 1) * sizeof(**inputs));
        char *path = malloc(strlen(directory) + length + 2);
        if (!grown || !path) {
            free(path);
            if (grown)
                *inputs = grown;
            r = -ENOMEM;
            break;
        }
        *inputs = grown;
        sprintf(path, "%s/%s", directory, entry->d_name);
        (*inputs)[(*count)++] = path;
    }
    closedir(dir);
    if (r == 0 && *count == first) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "%s: holds no .h5 session files", directory);
        return -ENOENT;
    }
    qsort(*inputs + first, *count - first, sizeof(**inputs), compare_names);
    return r;
}

/* Expands the command line's inputs (files as given, directories to their *.h5). */
static int collect_inputs(int argc, char **argv, int first, char ***inputs, size_t *count,
                          bool *batch)
{
    *batch = argc - first > 1;
    for (int i = first; i < argc; i++) {
        struct stat status;
        if (stat(argv[i], &status) == 0 && S_ISDIR(status.st_mode)) {
            *batch = true;
            int r = add_directory(argv[i], inputs, count);
            if (r < 0)
                return r;
            continue;
        }
        char **grown = realloc(*inputs, (*count + 1) * sizeof(**inputs));
        if (!grown)
            return -ENOMEM;
        *inputs = grown;
        (*inputs)[*count] = strdup(argv[i]);
        if (!(*inputs)[(*count)++])
            return -ENOMEM;
    }
    return 0;
}

static void report_entry(const struct batch_entry *entry)
{
    for (size_t i = 0; i < entry->warning_count; i++)
        log_message(LOG_LEVEL_WARNING, SUBSYSTEM, "%s", entry->warnings[i]);
    if (entry->failed)
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "%s", entry->error);
}

static int analyse_one(const char *path, const char *out, struct command *command,
                       struct batch_entry *entry)
{
    struct progress progress;
    const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    progress_start(&progress, name, !command->quiet);
    command->settings.progress = progress_report;
    command->settings.progress_context = &progress;
    int r = analysis_run(path, out, &command->settings, entry);
    progress_finish(&progress);
    report_entry(entry);
    return r;
}

static int run_single(const char *path, struct command *command)
{
    char out[OUTPUT_DIR_PATH_MAX];
    if (command->out)
        snprintf(out, sizeof(out), "%s", command->out);
    else if (analysis_default_output(path, out, sizeof(out)) < 0) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "%s: path too long", path);
        return EXIT_FAILED;
    }
    struct batch_entry *entry = malloc(sizeof(*entry));
    if (!entry) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "out of memory");
        return EXIT_FAILED;
    }
    int r = analyse_one(path, out, command, entry);
    if (r == 0)
        printf("report: %s/report.html\n", entry->output_dir);
    free(entry);
    return r == 0 ? EXIT_OK : EXIT_FAILED;
}

/* Directory name for session path inside a batch: its base name, made unique. */
static int batch_member_name(char **inputs, size_t index, char *out, size_t size)
{
    const char *name =
        strrchr(inputs[index], '/') ? strrchr(inputs[index], '/') + 1 : inputs[index];
    char base[OUTPUT_DIR_PATH_MAX];
    analysis_default_output(name, base, sizeof(base));
    unsigned same = 0;
    for (size_t i = 0; i < index; i++) {
        const char *other = strrchr(inputs[i], '/') ? strrchr(inputs[i], '/') + 1 : inputs[i];
        same += strcmp(other, name) == 0;
    }
    int length =
        same ? snprintf(out, size, "%s-%u", base, same + 1) : snprintf(out, size, "%s", base);
    return length < (int)size ? 0 : -ENAMETOOLONG;
}

static int run_batch(char **inputs, size_t count, struct command *command)
{
    const char *out = command->out ? command->out : BATCH_DEFAULT_OUT;
    struct output_dir dir;
    char error[1024], path[OUTPUT_DIR_PATH_MAX], name[OUTPUT_DIR_PATH_MAX];
    struct batch_entry *entries = calloc(count, sizeof(*entries));
    if (!entries) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "out of memory");
        return EXIT_FAILED;
    }
    if (output_dir_begin(out, &dir, error, sizeof(error)) < 0) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "%s", error);
        free(entries);
        return EXIT_FAILED;
    }
    size_t failed = 0;
    for (size_t i = 0; i < count && !interrupted; i++) {
        if (batch_member_name(inputs, i, name, sizeof(name)) < 0 ||
            output_dir_file(&dir, name, path, sizeof(path)) < 0) {
            entries[i].failed = true;
            snprintf(entries[i].session_path, sizeof(entries[i].session_path), "%s", inputs[i]);
            snprintf(entries[i].error, sizeof(entries[i].error), "path too long");
            report_entry(&entries[i]);
            failed++;
            continue;
        }
        if (analyse_one(inputs[i], path, command, &entries[i]) < 0)
            failed++;
        /* Paths as they will be once the batch directory is in place. */
        else if (snprintf(entries[i].output_dir, sizeof(entries[i].output_dir), "%s/%s", out,
                          name) >= (int)sizeof(entries[i].output_dir))
            entries[i].output_dir[0] = '\0';
    }
    int status = EXIT_OK;
    if (interrupted) {
        log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "interrupted; no batch results written");
        status = EXIT_FAILED;
    } else {
        batch_sort(entries, count);
        if (output_dir_file(&dir, "summary.csv", path, sizeof(path)) < 0 ||
            batch_write_csv(entries, count, path) < 0 ||
            output_dir_file(&dir, "summary.json", path, sizeof(path)) < 0 ||
            batch_write_json(entries, count, path) < 0) {
            log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "%s: cannot write the batch summary", out);
            status = EXIT_FAILED;
        } else if (output_dir_commit(&dir, error, sizeof(error)) < 0) {
            log_message(LOG_LEVEL_ERROR, SUBSYSTEM, "%s", error);
            status = EXIT_FAILED;
        }
    }
    if (status != EXIT_OK) {
        output_dir_abandon(&dir);
    } else {
        printf("summary: %s/summary.csv (%zu of %zu sessions analysed)\n", out, count - failed,
               count);
        for (size_t i = 0; i < count; i++)
            if (!entries[i].failed)
                printf("report: %s/report.html\n", entries[i].output_dir);
        if (failed) {
            log_message(LOG_LEVEL_ERROR, SUBSYSTEM,
                        "%zu of %zu sessions could not be analysed; see the errors above and "
                        "%s/summary.json",
                        failed, count, out);
            status = EXIT_FAILED;
        }
    }
    free(entries);
    return status;
}

int main(int argc, char **argv)
{
    log_init("mtable-analyze", LOG_LEVEL_INFO, false);
    struct command command = {.out = NULL};
    analysis_settings_init(&command.settings);
    command.settings.interrupted = &interrupted;
    int first = parse_options(argc, argv, &command);
    if (first == -2)
        return EXIT_OK;
    if (first < 0)
        return EXIT_USAGE;
    struct sigaction action = {.sa_handler = on_signal};
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);

    char **inputs = NULL;
    size_t count = 0;
    bool batch = false;
    int status = EXIT_FAILED;
    if (collect_inputs(argc, argv, first, &inputs, &count, &batch) == 0)
        status = batch ? run_batch(inputs, count, &command) : run_single(inputs[0], &command);
    for (size_t i = 0; i < count; i++)
        free(inputs[i]);
    free(inputs);
    render_release();
    return status;
}
