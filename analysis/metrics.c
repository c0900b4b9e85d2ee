/*
 * metrics.c - per-frame accumulation of heatmaps, region activity and series.
 *
 * Per frame, two passes:
 *  1. one loop over the taxels, row by row (add_converted): p and a (single
 *     precision) go into six per-taxel block accumulators and into the
 *     frame's per-column totals; a and the applied counts (reading - resting)
 *     stay in scratch arrays for pass 2. Whether p and a reach the
 *     time-above threshold T is decided exactly as in double precision
 *     (prepare_time_above), so a pressure a hair below T never counts as
 *     above it. The column totals are sums down each column, so the loop
 *     holds no reduction and vectorises whole; the frame's totals add the
 *     columns up in double precision (frame_totals).
 *  2. per region, its highest applied counts decide its activity
 *     (hysteresis), read through windows of METRICS_WINDOW_TAXELS taxels
 *     (make_windows); an active region adds to its results.
 * Every METRICS_BLOCK_FRAMES frames the block sums move into
 * double-precision totals, so long sessions lose no precision while the
 * per-frame loop stays in single precision (twice the values per vector
 * instruction):
 *
 *   per taxel, [0] raw and [1] applied:
 *     block_sum, block_above   float: this block's pressure * duration, seconds above
 *     sum, above               double: the totals of the blocks so far
 *     peak                     float: maxima
 *     heatmaps[kind]           double: filled by metrics_finish
 *   per taxel, scratch (taxels + METRICS_WINDOW_TAXELS - 1: windows read past the last):
 *     applied                  float: a of the current frame
 *     applied_counts           uint16: reading - resting, 0 below
 *   per column of the current frame (struct column_totals):
 *     load, row_moment         float: p in contact, and p in contact * row
 *     applied, applied_peak    float: sum and maximum of a
 *     contact                  uint32: taxels in contact
 */
#include "metrics.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "packet.h"
#include "pressure.h"
#include "vector_clones.h"

/* Frames summed in single precision before moving into double: 64 terms keep 1e-5 accuracy. */
#define METRICS_BLOCK_FRAMES 64

/* Taxels read at once for a region: 16 applied counts are one 256-bit vector. */
#define METRICS_WINDOW_TAXELS 16

/* Most columns of a grid: the largest side the wire protocol carries. */
#define METRICS_COLS_MAX PACKET_MAX_SIDE

/*
 * Up to METRICS_WINDOW_TAXELS consecutive taxels of a region, read as a
 * whole window from `first`: mask is all ones on the region's taxels and 0
 * past them. A region's windows cost one vector operation each, whatever
 * the lengths of its runs of taxels (a row of a rectangle is one run).
 */
struct taxel_window {
    uint32_t first;
    uint16_t mask[METRICS_WINDOW_TAXELS];
};

/*
 * The current frame's sums down each column (pass 1). Arrays of fixed
 * size, so that the compiler knows they do not overlap.
 */
struct column_totals {
    float load[METRICS_COLS_MAX];       /* p of the taxels in contact */
    float row_moment[METRICS_COLS_MAX]; /* the same times their row */
    float applied[METRICS_COLS_MAX];    /* a */
    float applied_peak[METRICS_COLS_MAX];
    uint32_t contact[METRICS_COLS_MAX]; /* taxels in contact */
};

/* A run of consecutive taxels of a region. */
struct taxel_run {
    uint32_t first, count;
};

/*
 * Region state between frames. Its taxels twice over: windows decide
 * activity in every frame; runs, whose loop GCC vectorises with its
 * reductions, add an active region's load.
 */
struct region_state {
    bool active;
    struct metrics_visit visit;  /* the visit under way while active */
    double loaded_mean_weighted; /* sum of duration * mean a of loaded taxels */
    struct metrics_region result;
    struct taxel_window *windows;
    size_t window_count;
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
    float *applied;           /* scratch: a of the current frame */
    uint16_t *applied_counts; /* scratch: reading - resting */
    struct column_totals *columns;
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
 * Covers region's sorted taxel list with windows: each starts at the first
 * taxel not yet covered and takes the region's taxels among the next
 * METRICS_WINDOW_TAXELS.
 */
static int make_windows(const struct region *region, struct region_state *state)
{
    state->windows = calloc(region->taxel_count, sizeof(*state->windows));
    if (!state->windows)
        return -ENOMEM;
    for (size_t i = 0; i < region->taxel_count; i++) {
        struct taxel_window *last =
            state->window_count ? &state->windows[state->window_count - 1] : NULL;
        if (!last || region->taxels[i] - last->first >= METRICS_WINDOW_TAXELS)
            (last = &state->windows[state->window_count++])->first = region->taxels[i];
        last->mask[region->taxels[i] - last->first] = UINT16_MAX;
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
    if (config->rows < 1 || config->cols < 1 || config->cols > METRICS_COLS_MAX ||
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
    size_t scratch = m->taxels + METRICS_WINDOW_TAXELS - 1;
    m->applied = calloc(scratch, sizeof(float));
    m->applied_counts = calloc(scratch, sizeof(uint16_t));
    m->columns = malloc(sizeof(*m->columns));
    m->region_count = config->regions ? config->regions->count : 0;
    m->regions = calloc(m->region_count + 1, sizeof(*m->regions));
    ok = ok && m->applied && m->applied_counts && m->columns && m->regions;
    if (ok && config->pressure_table) {
        m->table = malloc(PRESSURE_TABLE_SIZE * sizeof(float));
        ok = m->table != NULL;
        for (size_t i = 0; ok && i < PRESSURE_TABLE_SIZE; i++)
            m->table[i] = (float)config->pressure_table[i];
    }
    if (ok)
        ok = prepare_time_above(m) == 0;
    for (size_t r = 0; ok && r < m->region_count; r++)
        ok = make_windows(&config->regions->regions[r], &m->regions[r]) == 0 &&
             make_runs(&config->regions->regions[r], &m->regions[r]) == 0;
    if (!ok) {
        metrics_free(m);
        return -ENOMEM;
    }
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

/* How readings become pressures, and how time above is decided (prepare_time_above). */
enum conversion {
    CONVERSION_COUNTS, /* no table: p = v and a = the applied counts, against lowest_above */
    CONVERSION_LOWEST, /* a nondecreasing table: thresholds on the reading */
    CONVERSION_TABLE,  /* any other table: p by the reading's flag, a in double precision */
};

/*
 * Pass 1: p and a of every taxel into the block sums, the peaks, the
 * seconds above and the column totals; a and the applied counts into the
 * scratch arrays. Always inlined, with a constant conversion
 * (convert_and_add), so that each conversion is one loop without branches;
 * the arrays are parameters for their restrict (GCC keeps it through
 * inlining, not for local pointers). Built without GCC's unroll-and-jam
 * (analysis/CMakeLists.txt). Taxels below the contact threshold (sensor
 * offset and noise) add nothing to the load and the centre of pressure.
 */
static inline __attribute__((always_inline)) void
add_converted(const struct metrics *m, enum conversion conversion, const uint16_t *restrict v,
              const uint16_t *restrict rest, float d, float *restrict applied,
              uint16_t *restrict applied_counts, float *restrict sum_raw,
              float *restrict sum_applied, float *restrict peak_raw, float *restrict peak_applied,
              float *restrict above_raw, float *restrict above_applied,
              struct column_totals *restrict columns)
{
    const float *table = m->table;
    const double *exact = m->config->pressure_table;
    uint32_t lowest = m->lowest_above;
    uint16_t contact_threshold = (uint16_t)m->config->contact_threshold;
    size_t cols = (size_t)m->config->cols;
    /* The columns in use: the arrays are sized for the widest grid. */
    memset(columns->load, 0, cols * sizeof(float));
    memset(columns->row_moment, 0, cols * sizeof(float));
    memset(columns->applied, 0, cols * sizeof(float));
    memset(columns->applied_peak, 0, cols * sizeof(float));
    memset(columns->contact, 0, cols * sizeof(uint32_t));
    for (size_t r = 0; r < (size_t)m->config->rows; r++) {
        for (size_t c = 0; c < cols; c++) {
            size_t x = r * cols + c;
            int difference = (int)v[x] - (int)rest[x];
            /* A maximum, not a branch: written so, the loop vectorises. */
            difference = difference > 0 ? difference : 0;
            uint16_t counts = (uint16_t)difference;
            float p, a;
            bool raw_is_above, applied_is_above;
            if (conversion == CONVERSION_COUNTS) {
                p = (float)v[x];
                a = (float)counts;
                raw_is_above = v[x] >= lowest;
                applied_is_above = counts >= lowest;
            } else {
                float above_rest = table[v[x]] - table[rest[x]];
                p = table[v[x]];
                a = above_rest > 0 ? above_rest : 0;
                if (conversion == CONVERSION_LOWEST) {
                    raw_is_above = v[x] >= lowest;
                    applied_is_above = v[x] >= m->lowest_applied[rest[x]];
                } else {
                    double exact_above_rest = exact[v[x]] - exact[rest[x]];
                    raw_is_above = m->reading_above[v[x]];
                    applied_is_above =
                        (exact_above_rest > 0 ? exact_above_rest : 0) >= m->config->above_threshold;
                }
            }
            applied_counts[x] = counts;
            applied[x] = a;
            sum_raw[x] += p * d;
            sum_applied[x] += a * d;
            peak_raw[x] = p > peak_raw[x] ? p : peak_raw[x];
            peak_applied[x] = a > peak_applied[x] ? a : peak_applied[x];
            above_raw[x] += raw_is_above ? d : 0;
            above_applied[x] += applied_is_above ? d : 0;
            bool touching = v[x] >= contact_threshold;
            float load = touching ? p : 0;
            columns->load[c] += load;
            columns->row_moment[c] += load * (float)r;
            columns->applied[c] += a;
            columns->applied_peak[c] = a > columns->applied_peak[c] ? a : columns->applied_peak[c];
            columns->contact[c] += touching;
        }
    }
}

/* add_converted on the accumulator's own arrays. */
static inline __attribute__((always_inline)) void add_conversion(struct metrics *m,
                                                                 enum conversion conversion,
                                                                 const uint16_t *values,
                                                                 const uint16_t *resting, float d)
{
    add_converted(m, conversion, values, resting, d, m->applied, m->applied_counts, m->block_sum[0],
                  m->block_sum[1], m->peak[0], m->peak[1], m->block_above[0], m->block_above[1],
                  m->columns);
}

/* Pass 1 through the session's conversion. */
VECTOR_CLONES static void convert_and_add(struct metrics *m, const uint16_t *values,
                                          const uint16_t *resting, float d)
{
    if (!m->table)
        add_conversion(m, CONVERSION_COUNTS, values, resting, d);
    else if (m->lowest_applied)
        add_conversion(m, CONVERSION_LOWEST, values, resting, d);
    else
        add_conversion(m, CONVERSION_TABLE, values, resting, d);
}

/* The frame's totals from its column totals, added up in double precision. */
static void frame_totals(const struct metrics *m, struct metrics_frame *row)
{
    const struct column_totals *columns = m->columns;
    double load = 0, row_moment = 0, column_moment = 0, applied = 0;
    float applied_peak = 0;
    uint32_t contact = 0;
    for (int c = 0; c < m->config->cols; c++) {
        load += columns->load[c];
        row_moment += columns->row_moment[c];
        column_moment += (double)columns->load[c] * c;
        applied += columns->applied[c];
        applied_peak =
            columns->applied_peak[c] > applied_peak ? columns->applied_peak[c] : applied_peak;
        contact += columns->contact[c];
    }
    row->total_load = load;
    row->cop_row = load > 0 ? row_moment / load : NAN;
    row->cop_col = load > 0 ? column_moment / load : NAN;
    row->applied_total = applied;
    row->applied_peak = applied_peak;
    row->contact_taxels = contact;
    row->contact_area_cm2 = contact * m->config->taxel_area_cm2;
}

static void add_taxels(struct metrics *m, const uint16_t *values, const uint16_t *resting,
                       double duration_s, struct metrics_frame *row)
{
    convert_and_add(m, values, resting, (float)duration_s);
    if (++m->block_frames == METRICS_BLOCK_FRAMES)
        flush_block(m);
    frame_totals(m, row);
}

/* Pass 2: the highest applied counts on the region's taxels, all the activity rule needs. */
VECTOR_CLONES static uint16_t region_highest(const struct metrics *m,
                                             const struct region_state *state)
{
    uint16_t lanes[METRICS_WINDOW_TAXELS] = {0};
    for (size_t w = 0; w < state->window_count; w++) {
        const uint16_t *restrict counts = m->applied_counts + state->windows[w].first;
        const uint16_t *restrict mask = state->windows[w].mask;
        for (size_t k = 0; k < METRICS_WINDOW_TAXELS; k++) {
            uint16_t count = counts[k] & mask[k];
            lanes[k] = count > lanes[k] ? count : lanes[k];
        }
    }
    uint16_t highest = 0;
    for (size_t k = 0; k < METRICS_WINDOW_TAXELS; k++)
        highest = lanes[k] > highest ? lanes[k] : highest;
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
    free(m->applied);
    free(m->applied_counts);
    free(m->columns);
    free(m->table);
    free(m->lowest_applied);
    free(m->reading_above);
    for (size_t r = 0; r < m->region_count; r++) {
        free(m->regions[r].windows);
        free(m->regions[r].runs);
    }
    free(m->regions);
    free(m->visits);
    free(m);
}
