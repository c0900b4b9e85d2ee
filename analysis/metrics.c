/*
 * metrics.c - per-frame accumulation of heatmaps, region activity and series.
 *
 * Per frame, one pass over the taxels computes p and a (single precision),
 * adds them to six per-taxel block accumulators and to the frame's totals,
 * and keeps the applied counts (reading - resting) and a in scratch arrays;
 * whether p and a reach the time-above threshold T is decided exactly as
 * in double precision (prepare_time_above), so a pressure a hair below T
 * never counts as above it;
 * then one pass per region over its runs of consecutive taxels decides the
 * region's activity (hysteresis on the region's highest applied counts) and
 * adds to its results. Every METRICS_BLOCK_FRAMES frames the block sums move
 * into double-precision totals, so long sessions lose no precision while
 * the per-frame loop stays in single precision (twice the values per
 * vector instruction):
 *
 *   per taxel, [0] raw and [1] applied:
 *     block_sum, block_above   float: this block's pressure * duration, seconds above
 *     sum, above               double: the totals of the blocks so far
 *     peak                     float: maxima
 *     heatmaps[kind]           double: filled by metrics_finish
 */
#include "metrics.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pressure.h"
#include "vector_clones.h"

/* Frames summed in single precision before moving into double: 64 terms keep 1e-5 accuracy. */
#define METRICS_BLOCK_FRAMES 64

/* A run of consecutive taxels of a region. */
struct taxel_run {
    uint32_t first, count;
};

/* Region state between frames. */
struct region_state {
    bool active;
    struct metrics_visit visit;  /* the visit under way while active */
    double loaded_mean_weighted; /* sum of duration * mean a of loaded taxels */
    struct metrics_region result;
    struct taxel_run *runs;
    size_t run_count;
};

struct metrics {
    const struct metrics_config *config;
    size_t taxels;
    float *block_sum[2], *block_above[2], *peak[2];
    double *sum[2], *above[2];
    double *heatmaps[2][HEATMAP_KINDS];
    unsigned block_frames;    /* frames in the block sums */
    float *pressure;          /* scratch: p of the current frame */
    float *applied;           /* scratch: a of the current frame */
    uint16_t *applied_counts; /* scratch: reading - resting */
    float *column_of;         /* column index of each taxel */
    float *table;             /* reading -> pressure in single precision, or NULL */
    uint32_t lowest_above;    /* P nondecreasing: the least reading with p >= threshold */
    uint32_t *lowest_applied; /* ... for each resting estimate, the least with a >= threshold */
    uint8_t *reading_above;   /* otherwise: 1 where the reading's pressure >= threshold */
    struct region_state *regions;
    size_t region_count;
    struct metrics_visit *visits;
    size_t visit_count, visit_capacity;
    struct metrics_totals totals;
    bool finished;
};

const char *metrics_heatmap_name(enum heatmap_kind kind)
{
    static const char *const names[HEATMAP_KINDS] = {"mean", "peak", "time_above", "integral"};
    return kind < HEATMAP_KINDS ? names[kind] : "unknown";
}

/* Splits region's sorted taxel list into runs of consecutive indices. */
static int make_runs(const struct region *region, struct region_state *state)
{
    state->runs = malloc((region->taxel_count + 1) * sizeof(*state->runs));
    if (!state->runs)
        return -ENOMEM;
    for (size_t i = 0; i < region->taxel_count; i++) {
        struct taxel_run *last = state->run_count ? &state->runs[state->run_count - 1] : NULL;
        if (last && last->first + last->count == region->taxels[i])
            last->count++;
        else
            state->runs[state->run_count++] = (struct taxel_run){region->taxels[i], 1};
    }
    return 0;
}

/*
 * Sets up the exact time-above decisions. For a nondecreasing P (counts: the
 * reading itself), p >= T holds from one reading on, and so does
 * max(0, P(v) - P(r)) >= T for each r (rounding never reverses an order);
 * that reading grows with r, so one sweep finds them all.
 */
static int prepare_time_above(struct metrics *m)
{
    const double *table = m->config->pressure_table;
    double threshold = m->config->above_threshold;
    size_t v = 0;
    while (v < PRESSURE_TABLE_SIZE && !((table ? table[v] : (double)v) >= threshold))
        v++;
    m->lowest_above = (uint32_t)v;
    if (!table)
        return 0;
    bool nondecreasing = true;
    for (v = 1; v < PRESSURE_TABLE_SIZE && nondecreasing; v++)
        nondecreasing = table[v] >= table[v - 1];
    if (!nondecreasing) {
        m->reading_above = malloc(PRESSURE_TABLE_SIZE);
        if (!m->reading_above)
            return -ENOMEM;
        for (v = 0; v < PRESSURE_TABLE_SIZE; v++)
            m->reading_above[v] = table[v] >= threshold;
        return 0;
    }
    m->lowest_applied = malloc(PRESSURE_TABLE_SIZE * sizeof(uint32_t));
    if (!m->lowest_applied)
        return -ENOMEM;
    v = 0;
    for (size_t r = 0; r < PRESSURE_TABLE_SIZE; r++) {
        for (; v < PRESSURE_TABLE_SIZE; v++) {
            double applied = table[v] - table[r];
            if ((applied > 0 ? applied : 0) >= threshold)
                break;
        }
        m->lowest_applied[r] = (uint32_t)v;
    }
    return 0;
}

int metrics_create(const struct metrics_config *config, struct metrics **out)
{
    if (config->rows < 1 || config->cols < 1 ||
        config->release_threshold > config->active_threshold)
        return -EINVAL;
    struct metrics *m = calloc(1, sizeof(*m));
    if (!m)
        return -ENOMEM;
    m->config = config;
    m->taxels = (size_t)config->rows * (size_t)config->cols;
    bool ok = true;
    for (int v = 0; v < 2; v++) {
        m->block_sum[v] = calloc(m->taxels, sizeof(float));
        m->block_above[v] = calloc(m->taxels, sizeof(float));
        m->peak[v] = calloc(m->taxels, sizeof(float));
        m->sum[v] = calloc(m->taxels, sizeof(double));
        m->above[v] = calloc(m->taxels, sizeof(double));
        ok = ok && m->block_sum[v] && m->block_above[v] && m->peak[v] && m->sum[v] && m->above[v];
        for (int kind = 0; kind < HEATMAP_KINDS; kind++)
            ok = ok && (m->heatmaps[v][kind] = calloc(m->taxels, sizeof(double)));
    }
    m->pressure = calloc(m->taxels, sizeof(float));
    m->applied = calloc(m->taxels, sizeof(float));
    m->applied_counts = calloc(m->taxels, sizeof(uint16_t));
    m->column_of = calloc(m->taxels, sizeof(float));
    m->region_count = config->regions ? config->regions->count : 0;
    m->regions = calloc(m->region_count + 1, sizeof(*m->regions));
    ok = ok && m->pressure && m->applied && m->applied_counts && m->column_of && m->regions;
    if (ok && config->pressure_table) {
        m->table = malloc(PRESSURE_TABLE_SIZE * sizeof(float));
        ok = m->table != NULL;
        for (size_t i = 0; ok && i < PRESSURE_TABLE_SIZE; i++)
            m->table[i] = (float)config->pressure_table[i];
    }
    if (ok)
        ok = prepare_time_above(m) == 0;
    for (size_t r = 0; ok && r < m->region_count; r++)
        ok = make_runs(&config->regions->regions[r], &m->regions[r]) == 0;
    if (!ok) {
        metrics_free(m);
        return -ENOMEM;
    }
    for (size_t x = 0; x < m->taxels; x++)
        m->column_of[x] = (float)(x % (size_t)config->cols);
    *out = m;
    return 0;
}

static int append_visit(struct metrics *m, const struct metrics_visit *visit)
{
    if (m->visit_count == m->visit_capacity) {
        size_t capacity = m->visit_capacity ? 2 * m->visit_capacity : 64;
        struct metrics_visit *grown = realloc(m->visits, capacity * sizeof(*grown));
        if (!grown)
            return -ENOMEM;
        m->visits = grown;
        m->visit_capacity = capacity;
    }
    m->visits[m->visit_count++] = *visit;
    return 0;
}

/* Ends region index's visit under way. */
static int close_visit(struct metrics *m, size_t index)
{
    struct region_state *state = &m->regions[index];
    state->active = false;
    state->result.visits++;
    if (state->visit.dwell_s > state->result.longest_visit_s)
        state->result.longest_visit_s = state->visit.dwell_s;
    return append_visit(m, &state->visit);
}

/* Moves the block sums into the double-precision totals. */
static void flush_block(struct metrics *m)
{
    for (int v = 0; v < 2; v++) {
        for (size_t x = 0; x < m->taxels; x++) {
            m->sum[v][x] += m->block_sum[v][x];
            m->above[v][x] += m->block_above[v][x];
        }
        memset(m->block_sum[v], 0, m->taxels * sizeof(float));
        memset(m->block_above[v], 0, m->taxels * sizeof(float));
    }
    m->block_frames = 0;
}

/* p and a of every taxel, and the applied counts, with readings in counts. */
VECTOR_CLONES static void convert_counts(size_t taxels, const uint16_t *restrict v,
                                         const uint16_t *restrict rest, float *restrict p,
                                         float *restrict a, uint16_t *restrict counts)
{
    for (size_t x = 0; x < taxels; x++) {
        int difference = (int)v[x] - (int)rest[x];
        difference = difference > 0 ? difference : 0;
        counts[x] = (uint16_t)difference;
        p[x] = (float)v[x];
        a[x] = (float)difference;
    }
}

/* The same through the calibration table. */
VECTOR_CLONES static void convert_table(size_t taxels, const float *restrict table,
                                        const uint16_t *restrict v, const uint16_t *restrict rest,
                                        float *restrict p, float *restrict a,
                                        uint16_t *restrict counts)
{
    for (size_t x = 0; x < taxels; x++) {
        int difference = (int)v[x] - (int)rest[x];
        counts[x] = (uint16_t)(difference > 0 ? difference : 0);
        float applied = table[v[x]] - table[rest[x]];
        p[x] = table[v[x]];
        a[x] = applied > 0 ? applied : 0;
    }
}

/* Adds one frame's pressures (duration d) to one variant's block sums and peaks. */
VECTOR_CLONES static void accumulate(size_t taxels, const float *restrict pressure, float d,
                                     float *restrict sum, float *restrict peak)
{
    for (size_t x = 0; x < taxels; x++) {
        sum[x] += pressure[x] * d;
        peak[x] = pressure[x] > peak[x] ? pressure[x] : peak[x];
    }
}

/* Time above in counts: p = v and a = the applied counts, both whole, against the least count. */
VECTOR_CLONES static void add_above_counts(size_t taxels, const uint16_t *restrict v,
                                           const uint16_t *restrict counts, uint32_t lowest,
                                           float d, float *restrict raw, float *restrict applied)
{
    for (size_t x = 0; x < taxels; x++) {
        raw[x] += v[x] >= lowest ? d : 0;
        applied[x] += counts[x] >= lowest ? d : 0;
    }
}

/* Time above for a nondecreasing calibration: thresholds on the reading (prepare_time_above). */
VECTOR_CLONES static void add_above_lowest(size_t taxels, const uint16_t *restrict v,
                                           const uint16_t *restrict rest, uint32_t lowest,
                                           const uint32_t *restrict lowest_applied, float d,
                                           float *restrict raw, float *restrict applied)
{
    for (size_t x = 0; x < taxels; x++) {
        raw[x] += v[x] >= lowest ? d : 0;
        applied[x] += v[x] >= lowest_applied[rest[x]] ? d : 0;
    }
}

/* Time above for any other calibration: p by the reading's flag, a in double precision. */
VECTOR_CLONES static void add_above_table(size_t taxels, const uint8_t *restrict reading_above,
                                          const double *restrict table, double threshold,
                                          const uint16_t *restrict v, const uint16_t *restrict rest,
                                          float d, float *restrict raw, float *restrict applied)
{
    for (size_t x = 0; x < taxels; x++) {
        double difference = table[v[x]] - table[rest[x]];
        raw[x] += reading_above[v[x]] ? d : 0;
        applied[x] += (difference > 0 ? difference : 0) >= threshold ? d : 0;
    }
}

/*
 * The frame's totals, one row at a time so single-precision partial sums
 * stay accurate. Taxels below the contact threshold (sensor offset and
 * noise) add nothing to the load and the centre of pressure.
 */
VECTOR_CLONES static void frame_totals(const struct metrics *m, const uint16_t *restrict values,
                                       struct metrics_frame *row)
{
    const struct metrics_config *config = m->config;
    size_t cols = (size_t)config->cols;
    const float *restrict p = m->pressure;
    const float *restrict column_of = m->column_of;
    const float *restrict applied = m->applied;
    uint16_t contact_threshold = (uint16_t)config->contact_threshold;
    double total = 0, row_moment = 0, column_moment = 0, applied_total = 0;
    float applied_peak = 0;
    uint32_t contact = 0;
    for (size_t r = 0; r < (size_t)config->rows; r++) {
        size_t base = r * cols;
        float row_total = 0, moment = 0, applied_part = 0;
#pragma omp simd reduction(+ : row_total, moment, applied_part, contact) reduction(max : applied_peak)
        for (size_t x = base; x < base + cols; x++) {
            bool touching = values[x] >= contact_threshold;
            float pressure = touching ? p[x] : 0;
            row_total += pressure;
            moment += pressure * column_of[x];
            applied_part += applied[x];
            applied_peak = applied[x] > applied_peak ? applied[x] : applied_peak;
            contact += touching;
        }
        total += row_total;
        row_moment += (double)row_total * (double)r;
        column_moment += moment;
        applied_total += applied_part;
    }
    row->total_load = total;
    row->cop_row = total > 0 ? row_moment / total : NAN;
    row->cop_col = total > 0 ? column_moment / total : NAN;
    row->applied_total = applied_total;
    row->applied_peak = applied_peak;
    row->contact_taxels = contact;
    row->contact_area_cm2 = contact * config->taxel_area_cm2;
}

static void add_taxels(struct metrics *m, const uint16_t *values, const uint16_t *resting,
                       double duration_s, struct metrics_frame *row)
{
    size_t taxels = m->taxels;
    float d = (float)duration_s;
    float *p = m->pressure;
    if (m->table)
        convert_table(taxels, m->table, values, resting, p, m->applied, m->applied_counts);
    else
        convert_counts(taxels, values, resting, p, m->applied, m->applied_counts);
    if (!m->table)
        add_above_counts(taxels, values, m->applied_counts, m->lowest_above, d, m->block_above[0],
                         m->block_above[1]);
    else if (m->lowest_applied)
        add_above_lowest(taxels, values, resting, m->lowest_above, m->lowest_applied, d,
                         m->block_above[0], m->block_above[1]);
    else
        add_above_table(taxels, m->reading_above, m->config->pressure_table,
                        m->config->above_threshold, values, resting, d, m->block_above[0],
                        m->block_above[1]);
    accumulate(taxels, p, d, m->block_sum[0], m->peak[0]);
    accumulate(taxels, m->applied, d, m->block_sum[1], m->peak[1]);
    if (++m->block_frames == METRICS_BLOCK_FRAMES)
        flush_block(m);
    frame_totals(m, values, row);
}

/* Highest applied counts on the region's taxels: all the activity rule needs. */
VECTOR_CLONES static uint16_t region_highest(const struct metrics *m,
                                             const struct region_state *state)
{
    uint16_t highest = 0;
    for (size_t i = 0; i < state->run_count; i++) {
        const uint16_t *restrict counts = m->applied_counts + state->runs[i].first;
#pragma omp simd reduction(max : highest)
        for (size_t x = 0; x < state->runs[i].count; x++)
            highest = counts[x] > highest ? counts[x] : highest;
    }
    return highest;
}

/* What an active region adds: its highest a, and its loaded taxels' count and summed a. */
struct region_load {
    float peak;
    uint32_t loaded;
    float loaded_sum;
};

VECTOR_CLONES static void region_load(const struct metrics *m, const struct region_state *state,
                                      uint16_t release, struct region_load *out)
{
    uint32_t loaded = 0;
    float peak = 0, loaded_sum = 0;
    for (size_t i = 0; i < state->run_count; i++) {
        const uint16_t *restrict counts = m->applied_counts + state->runs[i].first;
        const float *restrict applied = m->applied + state->runs[i].first;
#pragma omp simd reduction(max : peak) reduction(+ : loaded, loaded_sum)
        for (size_t x = 0; x < state->runs[i].count; x++) {
            peak = applied[x] > peak ? applied[x] : peak;
            loaded += counts[x] >= release;
            loaded_sum += counts[x] >= release ? applied[x] : 0;
        }
    }
    *out = (struct region_load){peak, loaded, loaded_sum};
}

/* Decides region index's activity in this frame and adds to its results. */
static int add_region(struct metrics *m, size_t index, const struct frame_stamp *stamp,
                      uint64_t frame_index, double duration_s, double time_s,
                      struct metrics_frame *row)
{
    struct region_state *state = &m->regions[index];
    uint16_t release = (uint16_t)m->config->release_threshold;
    uint16_t highest = region_highest(m, state);
    bool active = highest >= (state->active ? release : m->config->active_threshold);
    if (!active)
        return state->active ? close_visit(m, index) : 0;
    struct region_load load;
    region_load(m, state, release, &load);
    double peak = load.peak;
    if (!state->active) {
        state->active = true;
        state->visit = (struct metrics_visit){.region = (uint32_t)index,
                                              .first_frame = frame_index,
                                              .first_sequence = stamp->sequence,
                                              .start_s = time_s};
    }
    state->visit.last_frame = frame_index;
    state->visit.last_sequence = stamp->sequence;
    state->visit.end_s = time_s + duration_s;
    state->visit.dwell_s += duration_s;
    state->visit.peak_applied = peak > state->visit.peak_applied ? peak : state->visit.peak_applied;
    state->result.dwell_s += duration_s;
    state->result.integral += peak * duration_s;
    state->result.peak_applied =
        peak > state->result.peak_applied ? peak : state->result.peak_applied;
    state->loaded_mean_weighted += duration_s * load.loaded_sum / load.loaded;
    row->active_regions |= (uint64_t)1 << index;
    return 0;
}

int metrics_add_frame(struct metrics *m, const uint16_t *values, const uint16_t *resting,
                      const struct frame_stamp *stamp, uint64_t index, double duration_s,
                      double time_s, struct metrics_frame *row)
{
    if (m->finished)
        return -EINVAL;
    *row = (struct metrics_frame){
        .time_s = time_s, .sequence = stamp->sequence, .duration_s = duration_s};
    add_taxels(m, values, resting, duration_s, row);
    for (size_t i = 0; i < m->region_count; i++) {
        int r = add_region(m, i, stamp, index, duration_s, time_s, row);
        if (r < 0)
            return r;
    }
    m->totals.frames++;
    m->totals.duration_s += duration_s;
    if (row->active_regions == 0)
        m->totals.no_region_s += duration_s;
    return 0;
}

/* Order of start: first frame, then region index (two visits may start in one frame). */
static int compare_visits(const void *a, const void *b)
{
    const struct metrics_visit *x = a, *y = b;
    if (x->first_frame != y->first_frame)
        return x->first_frame < y->first_frame ? -1 : 1;
    return (x->region > y->region) - (x->region < y->region);
}

int metrics_finish(struct metrics *m)
{
    if (m->finished)
        return 0;
    m->finished = true;
    for (size_t i = 0; i < m->region_count; i++) {
        struct region_state *state = &m->regions[i];
        if (state->active) {
            int r = close_visit(m, i);
            if (r < 0)
                return r;
        }
        if (state->result.dwell_s > 0)
            state->result.mean_applied = state->loaded_mean_weighted / state->result.dwell_s;
    }
    if (m->visit_count > 1)
        qsort(m->visits, m->visit_count, sizeof(*m->visits), compare_visits);
    flush_block(m);
    double duration = m->totals.duration_s;
    for (int v = 0; v < 2; v++) {
        for (size_t x = 0; x < m->taxels; x++) {
            m->heatmaps[v][HEATMAP_MEAN][x] = duration > 0 ? m->sum[v][x] / duration : 0;
            m->heatmaps[v][HEATMAP_PEAK][x] = m->peak[v][x];
            m->heatmaps[v][HEATMAP_TIME_ABOVE][x] = m->above[v][x];
            m->heatmaps[v][HEATMAP_INTEGRAL][x] = m->sum[v][x];
        }
    }
    return 0;
}

const double *metrics_heatmap(const struct metrics *m, enum heatmap_kind kind, bool applied)
{
    return m->heatmaps[applied ? 1 : 0][kind < HEATMAP_KINDS ? kind : HEATMAP_INTEGRAL];
}

const struct metrics_region *metrics_region_result(const struct metrics *m, size_t index)
{
    return &m->regions[index].result;
}

const struct metrics_visit *metrics_visits(const struct metrics *m, size_t *count)
{
    *count = m->visit_count;
    return m->visits;
}

const struct metrics_totals *metrics_totals(const struct metrics *m)
{
    return &m->totals;
}

void metrics_free(struct metrics *m)
{
    if (!m)
        return;
    for (int v = 0; v < 2; v++) {
        free(m->block_sum[v]);
        free(m->block_above[v]);
        free(m->peak[v]);
        free(m->sum[v]);
        free(m->above[v]);
        for (int kind = 0; kind < HEATMAP_KINDS; kind++)
            free(m->heatmaps[v][kind]);
    }
    free(m->pressure);
    free(m->applied);
    free(m->applied_counts);
    free(m->column_of);
    free(m->table);
    free(m->lowest_applied);
    free(m->reading_above);
    for (size_t r = 0; r < m->region_count; r++)
        free(m->regions[r].runs);
    free(m->regions);
    free(m->visits);
    free(m);
}
