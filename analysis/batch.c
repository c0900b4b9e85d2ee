/*
 * batch.c - the summary across sessions: sorting, CSV, JSON.
 */
#include "batch.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Significant digits of reals in the JSON file. */
#define BATCH_REAL_DIGITS 10

static int compare_entries(const void *a, const void *b)
{
    const struct batch_entry *x = a, *y = b;
    if (x->start_time_unix_ns != y->start_time_unix_ns)
        return x->start_time_unix_ns < y->start_time_unix_ns ? -1 : 1;
    return strcmp(x->session_path, y->session_path);
}

void batch_sort(struct batch_entry *entries, size_t count)
{
    qsort(entries, count, sizeof(*entries), compare_entries);
}

/* Region names of all entries in order of first appearance; returns how many. */
static size_t union_of_regions(const struct batch_entry *entries, size_t count, const char **names,
                               size_t max)
{
    size_t used = 0;
    for (size_t e = 0; e < count; e++) {
        for (size_t r = 0; !entries[e].failed && r < entries[e].region_count; r++) {
            bool seen = false;
            for (size_t i = 0; i < used && !seen; i++)
                seen = strcmp(names[i], entries[e].regions[r].name) == 0;
            if (!seen && used < max)
                names[used++] = entries[e].regions[r].name;
        }
    }
    return used;
}

static const struct batch_region *find_region(const struct batch_entry *entry, const char *name)
{
    for (size_t r = 0; r < entry->region_count; r++)
        if (strcmp(entry->regions[r].name, name) == 0)
            return &entry->regions[r];
    return NULL;
}

/* Writes text as one CSV field, quoted when it holds a comma, quote or newline. */
static void put_field(FILE *file, const char *text)
{
    if (!strpbrk(text, ",\"\r\n")) {
        fputs(text, file);
        return;
    }
    fputc('"', file);
    for (const char *c = text; *c; c++) {
        if (*c == '"')
            fputc('"', file);
        fputc(*c, file);
    }
    fputc('"', file);
}

int batch_write_csv(const struct batch_entry *entries, size_t count, const char *path)
{
    /* At most REGIONS_MAX names per entry; the union is bounded by all of them. */
    const char **names = malloc((count * REGIONS_MAX + 1) * sizeof(*names));
    if (!names)
        return -ENOMEM;
    size_t region_count = union_of_regions(entries, count, names, count * REGIONS_MAX);
    FILE *file = fopen(path, "w");
    if (!file) {
        int code = -errno;
        free(names);
        return code;
    }
    fputs("session_id,subject_id,operator_id,start_time_utc,complete,unit,frames,analysed_s,"
          "no_region_s,gap_frames,dropped_frames",
          file);
    for (size_t r = 0; r < region_count; r++)
        fprintf(file, ",%s_dwell_s,%s_visits,%s_mean_applied", names[r], names[r], names[r]);
    fputs(",output_dir,session_path\n", file);
    for (size_t e = 0; e < count; e++) {
        const struct batch_entry *entry = &entries[e];
        if (entry->failed)
            continue;
        const char *texts[] = {entry->session_id, entry->subject_id, entry->operator_id,
                               entry->start_time_utc};
        for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
            put_field(file, texts[i]);
            fputc(',', file);
        }
        fprintf(file, "%s,%s,%llu,%.6f,%.6f,%llu,%llu", entry->complete ? "yes" : "no", entry->unit,
                (unsigned long long)entry->frames, entry->duration_s, entry->no_region_s,
                (unsigned long long)entry->gap_frames, (unsigned long long)entry->dropped_frames);
        for (size_t r = 0; r < region_count; r++) {
            const struct batch_region *region = find_region(entry, names[r]);
            if (region)
                fprintf(file, ",%.6f,%llu,%.6g", region->result.dwell_s,
                        (unsigned long long)region->result.visits, region->result.mean_applied);
            else
                fputs(",,,", file);
        }
        fputc(',', file);
        put_field(file, entry->output_dir);
        fputc(',', file);
        put_field(file, entry->session_path);
        fputc('\n', file);
    }
    free(names);
    int result = ferror(file) ? -EIO : 0;
    return fclose(file) != 0 ? -EIO : result;
}

static json_t *entry_object(const struct batch_entry *entry)
{
    json_t *warnings = json_array();
    for (size_t i = 0; warnings && i < entry->warning_count; i++)
        json_array_append_new(warnings, json_string(entry->warnings[i]));
    if (entry->failed)
        return json_pack("{s:s, s:b, s:s, s:o}", "session_path", entry->session_path, "failed", 1,
                         "error", entry->error, "warnings", warnings);
    json_t *regions = json_array();
    for (size_t r = 0; regions && r < entry->region_count; r++) {
        const struct batch_region *region = &entry->regions[r];
        json_array_append_new(regions, json_pack("{s:s, s:f, s:I, s:f, s:f, s:f, s:f}", "name",
                                                 region->name, "dwell_s", region->result.dwell_s,
                                                 "visits", (json_int_t)region->result.visits,
                                                 "longest_visit_s", region->result.longest_visit_s,
                                                 "mean_applied", region->result.mean_applied,
                                                 "peak_applied", region->result.peak_applied,
                                                 "integral", region->result.integral));
    }
    return json_pack(
        "{s:s, s:b, s:s, s:s, s:s, s:s, s:s, s:I, s:b, s:s, s:I, s:f, s:f, s:I, "
        "s:I, s:o, s:o}",
        "session_path", entry->session_path, "failed", 0, "output_dir", entry->output_dir,
        "session_id", entry->session_id, "subject_id", entry->subject_id, "operator_id",
        entry->operator_id, "start_time_utc", entry->start_time_utc, "start_time_unix_ns",
        (json_int_t)entry->start_time_unix_ns, "complete", entry->complete, "unit", entry->unit,
        "frames", (json_int_t)entry->frames, "analysed_s", entry->duration_s, "no_region_s",
        entry->no_region_s, "gap_frames", (json_int_t)entry->gap_frames, "dropped_frames",
        (json_int_t)entry->dropped_frames, "regions", regions, "warnings", warnings);
}

int batch_write_json(const struct batch_entry *entries, size_t count, const char *path)
{
    json_t *sessions = json_array();
    for (size_t e = 0; sessions && e < count; e++) {
        json_t *object = entry_object(&entries[e]);
        if (!object || json_array_append_new(sessions, object) < 0) {
            json_decref(sessions);
            return -ENOMEM;
        }
    }
    json_t *root = json_pack("{s:s, s:o}", "generator", "mtable-analyze " MTABLE_VERSION,
                             "sessions", sessions);
    if (!root)
        return -ENOMEM;
    int result = json_dump_file(root, path,
                                JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                    JSON_REAL_PRECISION(BATCH_REAL_DIGITS)) == 0
                     ? 0
                     : -EIO;
    json_decref(root);
    return result;
}
