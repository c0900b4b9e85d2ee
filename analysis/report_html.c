/*
 * report_html.c - the HTML report, written with stdio; images are read back
 * from the output directory and base64-encoded with GLib.
 */
#include "report_html.h"

#include <errno.h>
#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Largest image embedded: far above any image this tool draws. */
#define REPORT_IMAGE_MAX (64 * 1024 * 1024)

/* Writes text with HTML's special characters escaped. */
static void put_escaped(FILE *out, const char *text)
{
    for (const char *c = text; *c; c++) {
        switch (*c) {
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '&':
            fputs("&amp;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        default:
            fputc(*c, out);
        }
    }
}

/* Writes an <img> of file name in dir as a data URI, with alt text. */
static int put_image(FILE *out, const struct output_dir *dir, const char *name, const char *alt)
{
    char path[OUTPUT_DIR_PATH_MAX];
    gchar *contents = NULL;
    gsize length = 0;
    if (output_dir_file(dir, name, path, sizeof(path)) < 0 ||
        !g_file_get_contents(path, &contents, &length, NULL))
        return -EIO;
    if (length > REPORT_IMAGE_MAX) {
        g_free(contents);
        return -EFBIG;
    }
    gchar *encoded = g_base64_encode((const guchar *)contents, length);
    g_free(contents);
    fputs("<img alt=\"", out);
    put_escaped(out, alt);
    fprintf(out, "\" src=\"data:image/png;base64,%s\">", encoded);
    g_free(encoded);
    return 0;
}

static void put_row(FILE *out, const char *name, const char *value)
{
    fprintf(out, "<tr><th>%s</th><td>", name);
    put_escaped(out, value && value[0] ? value : "-");
    fputs("</td></tr>\n", out);
}

static void put_session(FILE *out, const struct analysis_outcome *o)
{
    const struct session_metadata *m = o->metadata;
    const struct metrics_totals *totals = metrics_totals(o->metrics);
    char text[256];
    fputs("<h2>Session</h2>\n<table class=\"facts\">\n", out);
    put_row(out, "File", o->session_path);
    put_row(out, "Subject", m->subject_id);
    put_row(out, "Operator", m->operator_id);
    put_row(out, "Start (UTC)", m->start_time_utc);
    put_row(out, "End", m->end_state[0] ? m->end_state : "not finished (recording or crashed)");
    snprintf(text, sizeof(text), "%s, serial %s, firmware %s", m->software, m->device_serial,
             m->firmware_version);
    put_row(out, "Recorded by", text);
    snprintf(text, sizeof(text), "%d x %d taxels, pitch %.3g x %.3g mm, %.6g frames/s nominal",
             m->rows, m->cols, m->row_pitch_mm, m->col_pitch_mm, m->frame_rate_hz);
    put_row(out, "Table", text);
    snprintf(text, sizeof(text), "%llu in the file, %llu read, %llu analysed",
             (unsigned long long)m->frames, (unsigned long long)o->frames_read,
             (unsigned long long)totals->frames);
    put_row(out, "Frames", text);
    snprintf(text, sizeof(text),
             "%llu missing (gaps), %llu dropped, %llu decode errors, %llu "
             "disconnects",
             (unsigned long long)m->gap_frames, (unsigned long long)m->dropped_frames,
             (unsigned long long)m->decode_errors, (unsigned long long)m->disconnects);
    put_row(out, "Link", text);
    snprintf(text, sizeof(text), "%.3f s of recorded frames; %.3f s with no region active",
             totals->duration_s, totals->no_region_s);
    put_row(out, "Analysed", text);
    snprintf(text, sizeof(text), "%s%s", pressure_unit_name(o->unit),
             m->calibration ? " (through the session's calibration)" : " (raw ADC counts)");
    put_row(out, "Pressure unit", text);
    fputs("</table>\n", out);
}

static void put_settings(FILE *out, const struct analysis_outcome *o)
{
    char text[256];
    fputs("<h2>Settings</h2>\n<table class=\"facts\">\n", out);
    put_row(out, "Regions", o->regions_source);
    snprintf(text, sizeof(text),
             "a region becomes active when one of its taxels has at least %u counts of applied "
             "pressure, and stays active while one has at least %u",
             o->active_threshold, o->release_threshold);
    put_row(out, "Active rule", text);
    snprintf(text, sizeof(text),
             "max of the minimum reading over %.3g s before and after each frame (blocks of %u "
             "frames, %u blocks each side)",
             o->rest_window_s, o->rest_block_frames, o->rest_window_blocks);
    put_row(out, "Resting load", text);
    snprintf(text, sizeof(text), "%.6g %s", o->above_threshold, pressure_unit_name(o->unit));
    put_row(out, "Time-above threshold", text);
    snprintf(text, sizeof(text), "reading of at least %u counts", o->contact_threshold);
    put_row(out, "Contact", text);
    if (o->to_s < INFINITY)
        snprintf(text, sizeof(text), "%.6g s to %.6g s", o->from_s, o->to_s);
    else
        snprintf(text, sizeof(text), "from %.6g s to the end", o->from_s);
    put_row(out, "Time window", text);
    fputs("</table>\n", out);
}

static void put_regions(FILE *out, const struct analysis_outcome *o)
{
    const char *unit = pressure_unit_name(o->unit);
    fputs("<h2>Regions</h2>\n", out);
    if (o->regions->count == 0) {
        fputs("<p>No regions were analysed.</p>\n", out);
        return;
    }
    fprintf(out,
            "<table class=\"results\">\n<tr><th>Region</th><th>Taxels</th><th>Dwell (s)</th>"
            "<th>Visits</th><th>Longest visit (s)</th><th>Mean applied (%s)</th>"
            "<th>Peak applied (%s)</th><th>Integral (%s&middot;s)</th></tr>\n",
            unit, unit, unit);
    for (size_t r = 0; r < o->regions->count; r++) {
        const struct metrics_region *m = metrics_region_result(o->metrics, r);
        fputs("<tr><td>", out);
        put_escaped(out, o->regions->regions[r].name);
        fprintf(out,
                "</td><td>%zu</td><td>%.2f</td><td>%llu</td><td>%.2f</td><td>%.4g</td>"
                "<td>%.4g</td><td>%.4g</td></tr>\n",
                o->regions->regions[r].taxel_count, m->dwell_s, (unsigned long long)m->visits,
                m->longest_visit_s, m->mean_applied, m->peak_applied, m->integral);
    }
    fprintf(out,
            "<tr><td><em>no region active</em></td><td></td><td>%.2f</td>"
            "<td colspan=\"5\"></td></tr>\n</table>\n",
            metrics_totals(o->metrics)->no_region_s);
}

int report_html_write(const struct analysis_outcome *o, const struct output_dir *dir,
                      const char *path)
{
    FILE *out = fopen(path, "w");
    if (!out)
        return -errno;
    int result = 0;
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>", out);
    put_escaped(out, o->metadata->session_id[0] ? o->metadata->session_id : o->session_path);
    fputs(" - mtable session report</title>\n<style>\n"
          "body{font-family:sans-serif;margin:2em;max-width:1100px;color:#222}\n"
          "table{border-collapse:collapse;margin-bottom:1em}\n"
          "th,td{border:1px solid #ccc;padding:3px 8px;text-align:left}\n"
          ".results td{text-align:right}.results td:first-child{text-align:left}\n"
          ".warning{background:#fff3cd;border:1px solid #e0b000;padding:0.5em 1em}\n"
          ".maps{display:flex;flex-wrap:wrap;gap:8px}.maps img{width:260px}\n"
          "img{max-width:100%}\n</style>\n</head>\n<body>\n<h1>Session report: ",
          out);
    put_escaped(out, o->metadata->session_id[0] ? o->metadata->session_id : o->session_path);
    fputs("</h1>\n", out);
    for (size_t i = 0; i < o->warning_count; i++) {
        fputs("<p class=\"warning\">", out);
        put_escaped(out, o->warnings[i]);
        fputs("</p>\n", out);
    }
    put_session(out, o);
    put_regions(out, o);
    fputs("<h2>Region timeline</h2>\n", out);
    result = put_image(out, dir, "timeline.png", "region timeline");
    for (int applied = 1; applied >= 0 && result == 0; applied--) {
        fprintf(out, "<h2>Heatmaps, %s</h2>\n<p>%s</p>\n<div class=\"maps\">\n",
                applied ? "applied pressure" : "raw pressure",
                applied ? "The client's resting load estimated per taxel and subtracted: what "
                          "remains is the pressure the therapist applied."
                        : "Everything the table measured, resting load included.");
        for (int kind = 0; kind < HEATMAP_KINDS && result == 0; kind++) {
            char name[64];
            snprintf(name, sizeof(name), "heatmap_%s%s.png", applied ? "applied_" : "",
                     metrics_heatmap_name((enum heatmap_kind)kind));
            result = put_image(out, dir, name, name);
        }
        fputs("</div>\n", out);
    }
    if (result == 0) {
        fputs("<h2>Per-frame series</h2>\n", out);
        result = put_image(out, dir, "series.png", "per-frame series");
    }
    put_settings(out, o);
    fputs("<h2>Files</h2>\n<p>In this directory: summary.json, regions.csv, visits.csv, "
          "series.csv, results.h5 and the PNG images above. Definitions of every number: "
          "analysis/METRICS.md of mtable " MTABLE_VERSION ".</p>\n</body>\n</html>\n",
          out);
    if (ferror(out) && result == 0)
        result = -EIO;
    if (fclose(out) != 0 && result == 0)
        result = -EIO;
    return result;
}
