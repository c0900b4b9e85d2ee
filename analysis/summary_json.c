/*
 * summary_json.c - building summary.json with jansson.
 *
 * Reals are written with JSON_REAL_PRECISION digits: enough for every
 * quantity, and short enough to read.
 */
#include "summary_json.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>

/* Significant digits of reals in the file. */
#define SUMMARY_REAL_DIGITS 10

/* A real, or null for NaN and infinities (JSON has no such numbers). */
static json_t *real_or_null(double value)
{
    return isfinite(value) ? json_real(value) : json_null();
}

static json_t *text_or_null(const char *text)
{
    return text && text[0] ? json_string(text) : json_null();
}

static json_t *session_object(const struct analysis_outcome *o)
{
    const struct session_metadata *m = o->metadata;
    return json_pack(
        "{s:s, s:o, s:o, s:o, s:o, s:I, s:o, s:o, s:o, s:o, s:i, s:i, s:f, s:f, s:f, s:b, s:I, "
        "s:I, s:I, s:I, s:I, s:I}",
        "path", o->session_path, "session_id", text_or_null(m->session_id), "subject_id",
        text_or_null(m->subject_id), "operator_id", text_or_null(m->operator_id), "start_time_utc",
        text_or_null(m->start_time_utc), "start_time_unix_ns", (json_int_t)m->start_time_unix_ns,
        "end_state", text_or_null(m->end_state), "software", text_or_null(m->software),
        "device_serial", text_or_null(m->device_serial), "port", text_or_null(m->port), "rows",
        m->rows, "cols", m->cols, "row_pitch_mm", m->row_pitch_mm, "col_pitch_mm", m->col_pitch_mm,
        "frame_rate_hz", m->frame_rate_hz, "calibrated", m->calibration != NULL, "frames_in_file",
        (json_int_t)m->frames, "gap_frames", (json_int_t)m->gap_frames, "dropped_frames",
        (json_int_t)m->dropped_frames, "decode_errors", (json_int_t)m->decode_errors, "disconnects",
        (json_int_t)m->disconnects, "device_resets", (json_int_t)m->device_resets);
}

static json_t *settings_object(const struct analysis_outcome *o)
{
    return json_pack(
        "{s:s, s:f, s:i, s:i, s:i, s:f, s:i, s:i, s:f, s:o}", "regions", o->regions_source,
        "above_threshold", o->above_threshold, "active_threshold_counts", (int)o->active_threshold,
        "release_threshold_counts", (int)o->release_threshold, "contact_threshold_counts",
        (int)o->contact_threshold, "rest_window_s", o->rest_window_s, "rest_block_frames",
        (int)o->rest_block_frames, "rest_window_blocks", (int)o->rest_window_blocks, "from_s",
        o->from_s, "to_s", real_or_null(o->to_s));
}

static json_t *regions_array(const struct analysis_outcome *o)
{
    json_t *array = json_array();
    for (size_t r = 0; array && r < o->regions->count; r++) {
        const struct metrics_region *result = metrics_region_result(o->metrics, r);
        json_t *region = json_pack(
            "{s:s, s:I, s:f, s:I, s:f, s:f, s:f, s:f}", "name", o->regions->regions[r].name,
            "taxels", (json_int_t)o->regions->regions[r].taxel_count, "dwell_s", result->dwell_s,
            "visits", (json_int_t)result->visits, "longest_visit_s", result->longest_visit_s,
            "mean_applied", result->mean_applied, "peak_applied", result->peak_applied, "integral",
            result->integral);
        if (!region || json_array_append_new(array, region) < 0) {
            json_decref(array);
            return NULL;
        }
    }
    return array;
}

/* Highest value of each heatmap, raw and applied, for a quick look. */
static json_t *heatmaps_object(const struct analysis_outcome *o)
{
    json_t *object = json_object();
    size_t taxels = (size_t)o->metadata->rows * (size_t)o->metadata->cols;
    for (int applied = 0; object && applied < 2; applied++) {
        for (int kind = 0; kind < HEATMAP_KINDS; kind++) {
            const double *values = metrics_heatmap(o->metrics, (enum heatmap_kind)kind, applied);
            double high = 0;
            for (size_t x = 0; x < taxels; x++)
                high = values[x] > high ? values[x] : high;
            char key[64];
            snprintf(key, sizeof(key), "%s%s_max", applied ? "applied_" : "",
                     metrics_heatmap_name((enum heatmap_kind)kind));
            json_object_set_new(object, key, json_real(high));
        }
    }
    return object;
}

int summary_json_write(const struct analysis_outcome *o, const char *path)
{
    const struct metrics_totals *totals = metrics_totals(o->metrics);
    const char *unit = pressure_unit_name(o->unit);
    char integral_unit[32], load_unit[32];
    snprintf(integral_unit, sizeof(integral_unit), "%s*s", unit);
    snprintf(load_unit, sizeof(load_unit), "%s*taxels", unit);
    json_t *warnings = json_array();
    for (size_t i = 0; warnings && i < o->warning_count; i++)
        json_array_append_new(warnings, json_string(o->warnings[i]));
    json_t *root = json_pack(
        "{s:s, s:o, s:b, s:o, s:{s:s, s:s, s:s, s:s, s:s}, s:o, s:{s:I, s:I, s:f, s:f, s:f}, "
        "s:o, s:o}",
        "generator", "mtable-analyze " MTABLE_VERSION, "session", session_object(o), "complete",
        o->complete, "warnings", warnings, "units", "pressure", unit, "integral", integral_unit,
        "load", load_unit, "time", "s", "area", "cm2", "settings", settings_object(o), "totals",
        "frames_read", (json_int_t)o->frames_read, "frames_analysed", (json_int_t)totals->frames,
        "analysed_s", totals->duration_s, "no_region_s", totals->no_region_s, "time_axis_s",
        o->time_axis_s, "regions", regions_array(o), "heatmaps", heatmaps_object(o));
    if (!root)
        return -ENOMEM;
    int result = json_dump_file(root, path,
                                JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                    JSON_REAL_PRECISION(SUMMARY_REAL_DIGITS)) == 0
                     ? 0
                     : -EIO;
    json_decref(root);
    return result;
}
