/*
 * analysis.c - one session from file to output directory.
 *
 * Order of work: open and check the session; settle units, thresholds,
 * regions and the estimator's window; start the output directory and the
 * streamed outputs (series.csv, results.h5); stream the frames through the
 * resting-load estimator into the metrics; write the remaining outputs;
 * rename the directory into place. Any failure abandons the directory.
 */
#include "analysis.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame_time.h"
#include "output_dir.h"
#include "render.h"
#include "report_html.h"
#include "resting_load.h"
#include "results_csv.h"
#include "results_hdf5.h"
#include "summary_json.h"

/* Frames between two progress reports. */
#define PROGRESS_EVERY 16384

/* Everything one run holds; freed in one place. */
struct run {
    const char *path;
    const struct analysis_settings *settings;
    struct batch_entry *entry;
    struct session_reader *reader;
    const struct session_metadata *metadata;
    double *pressure_table;
    struct region_map *regions;
    struct resting_load *estimator;
    struct metrics *metrics;
    struct metrics_config config;
    struct series_overview *overview;
    struct series_csv *series_csv;
    struct results_hdf5 *results;
    struct output_dir dir;
    struct analysis_outcome outcome;
    double period_s;
    double time_s;     /* start of the next frame on the time axis */
    double axis_end_s; /* end of the last frame read */
};

static int fail(struct run *run, int code, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct run *run, int code, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(run->entry->error, sizeof(run->entry->error), format, args);
    va_end(args);
    run->entry->failed = true;
    return code;
}

static void warn(struct run *run, const char *format, ...) __attribute__((format(printf, 2, 3)));

static void warn(struct run *run, const char *format, ...)
{
    struct batch_entry *entry = run->entry;
    if (entry->warning_count == BATCH_WARNINGS_MAX)
        return;
    va_list args;
    va_start(args, format);
    vsnprintf(entry->warnings[entry->warning_count++], BATCH_TEXT_SIZE, format, args);
    va_end(args);
}

void analysis_settings_init(struct analysis_settings *settings)
{
    *settings = (struct analysis_settings){.active_threshold = ANALYSIS_ACTIVE_THRESHOLD,
                                           .release_threshold = ANALYSIS_RELEASE_THRESHOLD,
                                           .contact_threshold = ANALYSIS_CONTACT_THRESHOLD,
                                           .rest_window_s = ANALYSIS_REST_WINDOW_S,
                                           .from_s = 0,
                                           .to_s = INFINITY};
}

int analysis_default_output(const char *session_path, char *out, size_t size)
{
    size_t length = strlen(session_path);
    while (length > 1 && session_path[length - 1] == '/')
        length--;
    if (length > 3 && strncmp(session_path + length - 3, ".h5", 3) == 0)
        length -= 3;
    return snprintf(out, size, "%.*s.analysis", (int)length, session_path) < (int)size
               ? 0
               : -ENAMETOOLONG;
}

/* Settles the unit, its table and the time-above threshold. */
static int choose_units(struct run *run)
{
    const struct analysis_settings *s = run->settings;
    const struct session_metadata *m = run->metadata;
    enum pressure_unit unit = m->calibration ? PRESSURE_UNIT_KPA : PRESSURE_UNIT_COUNTS;
    if (s->unit_given) {
        if (s->unit != PRESSURE_UNIT_COUNTS && !m->calibration)
            return fail(run, -EINVAL,
                        "%s: --units %s needs a calibrated session, and this one has no "
                        "/calibration table; use --units counts",
                        run->path, pressure_unit_name(s->unit));
        unit = s->unit;
    }
    run->outcome.unit = unit;
    if (unit != PRESSURE_UNIT_COUNTS && pressure_table_create(m->calibration, m->calibration_points,
                                                              unit, &run->pressure_table) < 0)
        return fail(run, -ENOMEM, "%s: out of memory", run->path);
    if (s->above_given)
        run->outcome.above_threshold = s->above_threshold;
    else if (unit == PRESSURE_UNIT_COUNTS)
        run->outcome.above_threshold = ANALYSIS_ABOVE_COUNTS;
    else
        run->outcome.above_threshold = unit == PRESSURE_UNIT_MMHG
                                           ? ANALYSIS_ABOVE_MMHG
                                           : ANALYSIS_ABOVE_MMHG / PRESSURE_MMHG_PER_KPA;
    return 0;
}

static int choose_regions(struct run *run)
{
    const struct analysis_settings *s = run->settings;
    const struct session_metadata *m = run->metadata;
    char error[REGIONS_ERROR_SIZE];
    int r;
    if (s->regions_path) {
        r = regions_load(s->regions_path, m->rows, m->cols, &run->regions, error, sizeof(error));
        snprintf(run->outcome.regions_source, sizeof(run->outcome.regions_source), "%s",
                 s->regions_path);
    } else {
        r = regions_load_default(m->rows, m->cols, &run->regions, error, sizeof(error));
        if (r == 0 && run->regions->scaled) {
            snprintf(run->outcome.regions_source, sizeof(run->outcome.regions_source),
                     "default map (64 x 32) scaled to this %d x %d grid", m->rows, m->cols);
            warn(run,
                 "%s: the default region map is drawn for the 64 x 32 table; scaled "
                 "proportionally to this %d x %d grid (give --regions for an exact map)",
                 run->path, m->rows, m->cols);
        } else {
            snprintf(run->outcome.regions_source, sizeof(run->outcome.regions_source),
                     "default map (prone client, 64 x 32 table)");
        }
    }
    if (r < 0)
        return fail(run, r, "%s", error);
    if (s->only_regions && regions_select(run->regions, s->only_regions, error, sizeof(error)) < 0)
        return fail(run, -ENOENT, "--only: %s", error);
    return 0;
}

/* Blocks of about ANALYSIS_REST_BLOCK_S and a window of rest_window_s, within the memory cap. */
static int create_estimator(struct run *run)
{
    const struct session_metadata *m = run->metadata;
    size_t taxels = (size_t)m->rows * (size_t)m->cols;
    struct resting_load_plan plan;
    resting_load_plan(m->frame_rate_hz, ANALYSIS_REST_BLOCK_S, run->settings->rest_window_s, taxels,
                      ANALYSIS_REST_MEMORY_MAX, &plan);
    run->outcome.rest_block_frames = plan.block_frames;
    run->outcome.rest_window_blocks = plan.window_blocks;
    run->outcome.rest_window_s = plan.window_blocks * (double)plan.block_frames / m->frame_rate_hz;
    if (plan.over_memory)
        warn(run,
             "%s: the resting-load estimator needs %.1f MiB at this frame rate and grid, more than "
             "its %u MiB cap even with a window of one block (%.3g s)",
             run->path, (double)plan.memory / (1 << 20), ANALYSIS_REST_MEMORY_MAX >> 20,
             run->outcome.rest_window_s);
    else if (plan.window_blocks < plan.wanted_blocks)
        warn(run,
             "%s: the resting-load window is shortened to %.3g s to keep memory under %u MiB at "
             "this frame rate and grid",
             run->path, run->outcome.rest_window_s, ANALYSIS_REST_MEMORY_MAX >> 20);
    if (resting_load_create(taxels, plan.block_frames, plan.window_blocks, &run->estimator) < 0)
        return fail(run, -ENOMEM, "%s: out of memory", run->path);
    return 0;
}

static int start_outputs(struct run *run, const char *out_path)
{
    char error[BATCH_TEXT_SIZE], path[OUTPUT_DIR_PATH_MAX];
    int r = output_dir_begin(out_path, &run->dir, error, sizeof(error));
    if (r < 0)
        return fail(run, r, "%s", error);
    if (output_dir_file(&run->dir, "series.csv", path, sizeof(path)) < 0 ||
        (r = series_csv_open(path, run->regions, &run->series_csv)) < 0)
        return fail(run, r < 0 ? r : -ENAMETOOLONG, "%s: cannot write series.csv: %s", out_path,
                    strerror(r < 0 ? -r : ENAMETOOLONG));
    if (output_dir_file(&run->dir, "results.h5", path, sizeof(path)) < 0 ||
        (r = results_hdf5_create(path, &run->results, error, sizeof(error))) < 0)
        return fail(run, -EIO, "%s: %s", out_path, error);
    return 0;
}

/* Analyses one frame out of the estimator. */
static int add_frame(struct run *run, const struct resting_load_frame *frame)
{
    double duration = frame_time_duration(&frame->stamp, frame->next, run->period_s);
    double time_s = run->time_s;
    run->time_s += frame->next ? frame_time_step(&frame->stamp, frame->next, duration) : duration;
    run->axis_end_s = time_s + duration;
    run->outcome.frames_read++;
    if (time_s < run->settings->from_s || time_s >= run->settings->to_s)
        return 0;
    struct metrics_frame row;
    int r = metrics_add_frame(run->metrics, frame->values, frame->resting, &frame->stamp,
                              frame->index, duration, time_s, &row);
    if (r == 0)
        r = series_csv_append(run->series_csv, frame->index, &row);
    if (r == 0)
        r = results_hdf5_append(run->results, frame->index, &row);
    if (r < 0)
        return fail(run, r, "%s: cannot write the per-frame series: %s", run->dir.final_path,
                    strerror(-r));
    series_overview_add(run->overview, &row);
    return 0;
}

static int drain(struct run *run)
{
    struct resting_load_frame frame;
    while (resting_load_pop(run->estimator, &frame)) {
        int r = add_frame(run, &frame);
        if (r < 0)
            return r;
    }
    return 0;
}

/* Streams every readable frame through the estimator and the metrics. */
static int stream_frames(struct run *run)
{
    const struct session_metadata *m = run->metadata;
    size_t taxels = (size_t)m->rows * (size_t)m->cols;
    uint64_t reported = 0;
    struct session_block block;
    int r;
    while ((r = session_reader_next(run->reader, &block)) > 0) {
        if (run->settings->interrupted && *run->settings->interrupted)
            return fail(run, -EINTR, "%s: interrupted; no results written", run->path);
        for (size_t i = 0; i < block.frames; i++) {
            if (resting_load_push(run->estimator, block.values + i * taxels, &block.stamps[i]) < 0)
                return fail(run, -EFAULT, "%s: internal error: estimator full", run->path);
            if ((r = drain(run)) < 0)
                return r;
        }
        uint64_t done = block.first_frame + block.frames;
        if (run->settings->progress && (done - reported >= PROGRESS_EVERY || done == m->frames)) {
            run->settings->progress(run->settings->progress_context, done, m->frames);
            reported = done;
        }
    }
    if (r < 0) {
        run->outcome.complete = false;
        warn(run, "%s; analysing the frames before them", session_reader_error(run->reader));
    }
    resting_load_finish(run->estimator);
    return drain(run);
}

/* Writes one heatmap PNG. */
static int write_heatmap(struct run *run, enum heatmap_kind kind, bool applied)
{
    static const char *const titles[HEATMAP_KINDS] = {
        "Mean pressure", "Peak pressure", "Time above threshold", "Pressure-time integral"};
    const char *unit = pressure_unit_name(run->outcome.unit);
    char name[64], path[OUTPUT_DIR_PATH_MAX], title[128], subtitle[512], bar_unit[48];
    snprintf(name, sizeof(name), "heatmap_%s%s.png", applied ? "applied_" : "",
             metrics_heatmap_name(kind));
    snprintf(title, sizeof(title), "%s, %s", titles[kind], applied ? "applied" : "raw");
    if (kind == HEATMAP_TIME_ABOVE)
        snprintf(subtitle, sizeof(subtitle), "%s - at or above %.4g %s - %.1f s analysed",
                 run->metadata->session_id, run->outcome.above_threshold, unit,
                 metrics_totals(run->metrics)->duration_s);
    else
        snprintf(subtitle, sizeof(subtitle), "%s - %.1f s analysed", run->metadata->session_id,
                 metrics_totals(run->metrics)->duration_s);
    if (kind == HEATMAP_TIME_ABOVE)
        snprintf(bar_unit, sizeof(bar_unit), "s");
    else if (kind == HEATMAP_INTEGRAL)
        snprintf(bar_unit, sizeof(bar_unit), "%s*s", unit);
    else
        snprintf(bar_unit, sizeof(bar_unit), "%s", unit);
    struct render_heatmap heatmap = {.values = metrics_heatmap(run->metrics, kind, applied),
                                     .rows = run->metadata->rows,
                                     .cols = run->metadata->cols,
                                     .regions = run->regions->count ? run->regions : NULL,
                                     .title = title,
                                     .subtitle = subtitle,
                                     .unit = bar_unit};
    if (output_dir_file(&run->dir, name, path, sizeof(path)) < 0 ||
        render_heatmap_png(&heatmap, path) < 0)
        return fail(run, -EIO, "%s: cannot draw %s", run->dir.final_path, name);
    return 0;
}

static int write_outputs(struct run *run)
{
    struct analysis_outcome *o = &run->outcome;
    char path[OUTPUT_DIR_PATH_MAX], error[BATCH_TEXT_SIZE];
    int r = series_csv_close(run->series_csv);
    run->series_csv = NULL;
    if (r < 0)
        return fail(run, r, "%s: cannot write series.csv", run->dir.final_path);
    r = results_hdf5_finish(run->results, o, error, sizeof(error));
    run->results = NULL;
    if (r < 0)
        return fail(run, r, "%s: %s", run->dir.final_path, error);
    static const struct {
        const char *name;
        int (*write)(const struct analysis_outcome *, const char *);
    } files[] = {{"regions.csv", results_csv_write_regions},
                 {"visits.csv", results_csv_write_visits},
                 {"summary.json", summary_json_write}};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        if (output_dir_file(&run->dir, files[i].name, path, sizeof(path)) < 0 ||
            files[i].write(o, path) < 0)
            return fail(run, -EIO, "%s: cannot write %s", run->dir.final_path, files[i].name);
    for (int applied = 0; applied < 2; applied++)
        for (int kind = 0; kind < HEATMAP_KINDS; kind++)
            if ((r = write_heatmap(run, (enum heatmap_kind)kind, applied)) < 0)
                return r;
    size_t visit_count = 0;
    const struct metrics_visit *visits = metrics_visits(run->metrics, &visit_count);
    char title[512];
    snprintf(title, sizeof(title), "Regions worked over time - %s", run->metadata->session_id);
    struct render_timeline timeline = {.regions = run->regions,
                                       .visits = visits,
                                       .visit_count = visit_count,
                                       .start_s = o->from_s,
                                       .end_s = series_overview_end(run->overview),
                                       .title = title};
    if (output_dir_file(&run->dir, "timeline.png", path, sizeof(path)) < 0 ||
        render_timeline_png(&timeline, path) < 0)
        return fail(run, -EIO, "%s: cannot draw timeline.png", run->dir.final_path);
    snprintf(title, sizeof(title), "Per-frame series - %s", run->metadata->session_id);
    if (output_dir_file(&run->dir, "series.png", path, sizeof(path)) < 0 ||
        render_series_png(run->overview, run->metadata->rows, pressure_unit_name(o->unit), title,
                          path) < 0)
        return fail(run, -EIO, "%s: cannot draw series.png", run->dir.final_path);
    if (output_dir_file(&run->dir, "report.html", path, sizeof(path)) < 0 ||
        report_html_write(o, &run->dir, path) < 0)
        return fail(run, -EIO, "%s: cannot write report.html", run->dir.final_path);
    return 0;
}

/* Copies the results a batch summary needs into the entry. */
static void fill_entry(struct run *run)
{
    struct batch_entry *e = run->entry;
    const struct session_metadata *m = run->metadata;
    const struct metrics_totals *totals = metrics_totals(run->metrics);
    snprintf(e->output_dir, sizeof(e->output_dir), "%s", run->dir.final_path);
    snprintf(e->session_id, sizeof(e->session_id), "%s", m->session_id);
    snprintf(e->subject_id, sizeof(e->subject_id), "%s", m->subject_id);
    snprintf(e->operator_id, sizeof(e->operator_id), "%s", m->operator_id);
    snprintf(e->start_time_utc, sizeof(e->start_time_utc), "%s", m->start_time_utc);
    snprintf(e->unit, sizeof(e->unit), "%s", pressure_unit_name(run->outcome.unit));
    e->start_time_unix_ns = m->start_time_unix_ns;
    e->complete = run->outcome.complete;
    e->frames = totals->frames;
    e->duration_s = totals->duration_s;
    e->no_region_s = totals->no_region_s;
    e->gap_frames = m->gap_frames;
    e->dropped_frames = m->dropped_frames;
    e->region_count = run->regions->count;
    for (size_t r = 0; r < run->regions->count; r++) {
        snprintf(e->regions[r].name, sizeof(e->regions[r].name), "%s",
                 run->regions->regions[r].name);
        e->regions[r].result = *metrics_region_result(run->metrics, r);
    }
}

static int run_analysis(struct run *run, const char *out_path)
{
    char error[SESSION_READER_ERROR_SIZE];
    int r = session_reader_open(run->path, &run->reader, error, sizeof(error));
    if (r < 0)
        return fail(run, r, "%s", error);
    run->metadata = session_reader_metadata(run->reader);
    const struct session_metadata *m = run->metadata;
    if (m->frames == 0)
        return fail(run, -ENODATA, "%s: the session holds no frames; nothing to analyse",
                    run->path);
    run->outcome.complete = m->end_state[0] != '\0';
    if (!run->outcome.complete)
        warn(run,
             "%s: still being recorded or not recovered after a crash; analysing the %llu "
             "frames flushed so far",
             run->path, (unsigned long long)m->frames);
    if ((r = choose_units(run)) < 0 || (r = choose_regions(run)) < 0 ||
        (r = create_estimator(run)) < 0)
        return r;
    const struct analysis_settings *s = run->settings;
    run->config = (struct metrics_config){
        .rows = m->rows,
        .cols = m->cols,
        .regions = run->regions,
        .pressure_table = run->pressure_table,
        .above_threshold = run->outcome.above_threshold,
        .active_threshold = s->active_threshold,
        .release_threshold = s->release_threshold,
        .contact_threshold = s->contact_threshold,
        .taxel_area_cm2 = m->row_pitch_mm * m->col_pitch_mm / 100,
    };
    if (metrics_create(&run->config, &run->metrics) < 0)
        return fail(run, -EINVAL,
                    "%s: bad thresholds: the release threshold must not exceed "
                    "the active threshold",
                    run->path);
    run->overview = malloc(sizeof(*run->overview));
    if (!run->overview)
        return fail(run, -ENOMEM, "%s: out of memory", run->path);
    run->period_s = 1 / m->frame_rate_hz;
    /* Gapless, the window ends at to_s or with the session: N nominal periods. */
    double nominal_end_s = (double)m->frames * run->period_s;
    series_overview_init(run->overview, s->from_s,
                         s->to_s < nominal_end_s ? s->to_s : nominal_end_s);
    if ((r = start_outputs(run, out_path)) < 0 || (r = stream_frames(run)) < 0)
        return r;
    if (metrics_finish(run->metrics) < 0)
        return fail(run, -ENOMEM, "%s: out of memory", run->path);
    if (metrics_totals(run->metrics)->frames == 0)
        return fail(run, -ENODATA,
                    "%s: no frames between %.6g s and %.6g s (the session's time axis ends at "
                    "%.6g s)",
                    run->path, s->from_s, s->to_s, run->axis_end_s);
    struct analysis_outcome *o = &run->outcome;
    o->session_path = run->path;
    o->metadata = m;
    o->regions = run->regions;
    o->metrics = run->metrics;
    o->overview = run->overview;
    o->active_threshold = s->active_threshold;
    o->release_threshold = s->release_threshold;
    o->contact_threshold = s->contact_threshold;
    o->from_s = s->from_s;
    o->to_s = s->to_s;
    o->time_axis_s = run->axis_end_s;
    o->warning_count = run->entry->warning_count;
    o->warnings = run->entry->warnings;
    if ((r = write_outputs(run)) < 0)
        return r;
    if ((r = output_dir_commit(&run->dir, error, sizeof(error))) < 0)
        return fail(run, r, "%s", error);
    fill_entry(run);
    return 0;
}

int analysis_run(const char *session_path, const char *out_path,
                 const struct analysis_settings *settings, struct batch_entry *entry)
{
    memset(entry, 0, sizeof(*entry));
    snprintf(entry->session_path, sizeof(entry->session_path), "%s", session_path);
    struct run run = {.path = session_path, .settings = settings, .entry = entry};
    int r = run_analysis(&run, out_path);
    if (run.series_csv)
        series_csv_close(run.series_csv);
    results_hdf5_discard(run.results);
    if (r < 0)
        output_dir_abandon(&run.dir);
    free(run.overview);
    metrics_free(run.metrics);
    resting_load_free(run.estimator);
    regions_free(run.regions);
    free(run.pressure_table);
    session_reader_close(run.reader);
    return r;
}
