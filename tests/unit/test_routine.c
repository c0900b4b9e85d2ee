/*
 * test_routine.c - the therapist's routine follows the rules that make the
 * ground truth unambiguous: a script with the required steps and pauses,
 * contact patches that never leave their step's region, pressure that jumps
 * to at least half its peak within a frame, stays above 40 % (checked: 50 %)
 * of it, and drops to exactly zero at the end.
 *
 * Region rectangles are the brief's table written out here, scaled by the
 * rule documented in body_map.h, so the test does not trust the code's
 * own table. Every frame of a whole loop is checked, on several grids.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "body.h"
#include "routine.h"

#define NS_PER_S 1000000000ull

/* The default region map (64 x 32), as the task gives it. */
static const struct {
    const char *name;
    unsigned first_row, last_row, first_col, last_col;
} EXPECTED[REGION_COUNT] = {
    {"head", 0, 6, 10, 21},
    {"shoulder_left", 7, 13, 2, 15},
    {"shoulder_right", 7, 13, 16, 29},
    {"upper_back_left", 14, 23, 4, 15},
    {"upper_back_right", 14, 23, 16, 27},
    {"lower_back_left", 24, 30, 5, 15},
    {"lower_back_right", 24, 30, 16, 26},
    {"pelvis", 31, 37, 5, 26},
    {"thigh_left", 38, 48, 4, 15},
    {"thigh_right", 38, 48, 16, 27},
    {"lower_leg_left", 49, 63, 5, 15},
    {"lower_leg_right", 49, 63, 16, 26},
};

/* Is taxel (row, col) of a rows x cols grid in region i, scaled as body_map.h says? */
static bool in_region(int i, unsigned rows, unsigned cols, unsigned row, unsigned col)
{
    unsigned first_row = EXPECTED[i].first_row * rows / 64;
    unsigned end_row = (EXPECTED[i].last_row + 1) * rows / 64;
    unsigned first_col = EXPECTED[i].first_col * cols / 32;
    unsigned end_col = (EXPECTED[i].last_col + 1) * cols / 32;
    return row >= first_row && row < end_row && col >= first_col && col < end_col;
}

/* Highest value of load inside region i. */
static float region_max(const float *load, int i, unsigned rows, unsigned cols)
{
    float max = 0.0f;
    for (unsigned r = 0; r < rows; r++)
        for (unsigned c = 0; c < cols; c++)
            if (in_region(i, rows, cols, r, c) && load[r * cols + c] > max)
                max = load[r * cols + c];
    return max;
}

/* Applied pressure alone (no body, no noise) at model time time_ns. */
static unsigned applied(const struct routine *routine, uint64_t time_ns, float *load,
                        struct routine_contact *contacts)
{
    size_t taxels = (size_t)routine->map.rows * routine->map.cols;
    memset(load, 0, taxels * sizeof(*load));
    unsigned count = routine_contacts(routine, time_ns, contacts);
    routine_apply(routine, contacts, count, load);
    return count;
}

static int find_step(const struct routine_step *steps, size_t count,
                     enum routine_technique technique, enum region_id region)
{
    for (size_t i = 0; i < count; i++)
        for (unsigned h = 0; h < steps[i].contacts; h++)
            if (steps[i].technique == technique && steps[i].regions[h] == region)
                return (int)i;
    return -1;
}

static void test_script_follows_the_rules(void **state)
{
    (void)state;
    size_t count = 0;
    const struct routine_step *steps = routine_steps(&count);
    assert_true(count > 0);
    assert_true(ROUTINE_LOOP_NS >= 120 * NS_PER_S && ROUTINE_LOOP_NS <= 180 * NS_PER_S);
    assert_true(steps[0].start_ms < 3000); /* a 20 s session shows activity */
    for (size_t i = 0; i < count; i++) {
        const struct routine_step *s = &steps[i];
        assert_in_range(s->duration_ms, 4000, 20000);
        assert_true(s->peak_counts >= 800.0);
        assert_in_range(s->contacts, 1, ROUTINE_MAX_CONTACTS);
        uint64_t next_start_ms =
            i + 1 < count ? steps[i + 1].start_ms : ROUTINE_LOOP_NS / 1000000u + steps[0].start_ms;
        assert_true(next_start_ms >= (uint64_t)s->start_ms + s->duration_ms + 1500);
        /* The client shift falls in a pause. */
        uint64_t shift_ms = BODY_SHIFT_TIME_NS / 1000000u;
        assert_false(shift_ms >= s->start_ms && shift_ms < (uint64_t)s->start_ms + s->duration_ms);
    }
    assert_true((uint64_t)steps[count - 1].start_ms + steps[count - 1].duration_ms <=
                ROUTINE_LOOP_NS / 1000000u);

    /* The techniques and regions the brief asks for. */
    assert_true(find_step(steps, count, ROUTINE_STROKE, REGION_UPPER_BACK_LEFT) >= 0);
    assert_true(find_step(steps, count, ROUTINE_STROKE, REGION_UPPER_BACK_RIGHT) >= 0);
    assert_true(find_step(steps, count, ROUTINE_KNEADING, REGION_SHOULDER_LEFT) >= 0);
    assert_true(find_step(steps, count, ROUTINE_KNEADING, REGION_SHOULDER_RIGHT) >= 0);
    int bilateral = find_step(steps, count, ROUTINE_BILATERAL_KNEADING, REGION_SHOULDER_LEFT);
    assert_true(bilateral >= 0);
    assert_int_equal(steps[bilateral].contacts, 2);
    assert_int_equal(steps[bilateral].regions[1], REGION_SHOULDER_RIGHT);
    int lower_back = find_step(steps, count, ROUTINE_STATIC_PRESSURE, REGION_LOWER_BACK_LEFT);
    assert_true(lower_back >= 0);
    assert_true(steps[lower_back].duration_ms >= 18000);
    assert_true(find_step(steps, count, ROUTINE_COMPRESSION, REGION_THIGH_LEFT) >= 0);
    assert_true(find_step(steps, count, ROUTINE_COMPRESSION, REGION_THIGH_RIGHT) >= 0);
    assert_true(find_step(steps, count, ROUTINE_COMPRESSION, REGION_LOWER_LEG_LEFT) >= 0);
    assert_true(find_step(steps, count, ROUTINE_COMPRESSION, REGION_LOWER_LEG_RIGHT) >= 0);
    assert_true(find_step(steps, count, ROUTINE_CIRCULAR_FRICTION, REGION_PELVIS) >= 0);
}

/*
 * Walks every frame of one loop (plus the start of the next) at rate_mhz on
 * a rows x cols grid and checks each frame's applied pressure.
 */
static void check_every_frame(unsigned rows, unsigned cols, uint32_t rate_mhz)
{
    print_message("%u x %u at %u mHz\n", rows, cols, rate_mhz);
    struct routine routine;
    assert_int_equal(routine_init(&routine, rows, cols), 0);
    float *load = malloc((size_t)rows * cols * sizeof(*load));
    assert_non_null(load);
    uint64_t frames = (ROUTINE_LOOP_NS + 10 * NS_PER_S) * rate_mhz / (1000 * NS_PER_S);
    unsigned previous_count = 0;
    uint64_t previous_step = UINT64_MAX;
    for (uint64_t n = 0; n < frames; n++) {
        uint64_t time_ns = n * 1000 * NS_PER_S / rate_mhz;
        struct routine_contact contacts[ROUTINE_MAX_CONTACTS];
        unsigned count = applied(&routine, time_ns, load, contacts);

        /* No pressure on any taxel outside the regions of the step. */
        for (unsigned r = 0; r < rows; r++) {
            for (unsigned c = 0; c < cols; c++) {
                if (load[r * cols + c] == 0.0f)
                    continue;
                bool inside = false;
                for (unsigned h = 0; h < count; h++)
                    inside = inside || in_region(contacts[h].region, rows, cols, r, c);
                if (!inside)
                    fail_msg("frame %llu: %.1f counts at row %u col %u, outside the step's "
                             "region(s)",
                             (unsigned long long)n, load[r * cols + c], r, c);
            }
        }
        /* Between 50 % (more than the 40 % asked) and 100 % of the peak, in every frame. */
        for (unsigned h = 0; h < count; h++) {
            float max = region_max(load, contacts[h].region, rows, cols);
            if (max < 0.5 * contacts[h].peak || max > contacts[h].peak * 1.0001)
                fail_msg("frame %llu: %s peaks at %.1f of %.0f counts", (unsigned long long)n,
                         EXPECTED[contacts[h].region].name, max, contacts[h].peak);
        }
        /* A new step follows at least one empty frame when a frame fits in a 1.5 s pause. */
        if (count > 0 && previous_count > 0 && rate_mhz >= 1000)
            assert_true(contacts[0].step == previous_step);
        previous_count = count;
        previous_step = count > 0 ? contacts[0].step : UINT64_MAX;
    }
    free(load);
}

static void test_patches_confined_and_strong_default_grid(void **state)
{
    (void)state;
    check_every_frame(64, 32, 100000);
}

static void test_patches_confined_and_strong_other_grids(void **state)
{
    (void)state;
    static const unsigned grids[][2] = {{128, 128}, {96, 48}, {48, 24}, {32, 16},
                                        {27, 9},    {16, 8},  {10, 3},  {256, 64}};
    for (size_t g = 0; g < sizeof(grids) / sizeof(grids[0]); g++)
        check_every_frame(grids[g][0], grids[g][1], 7000); /* 7 Hz: frames off the seconds */
}

static void test_slow_rates(void **state)
{
    (void)state;
    check_every_frame(64, 32, 500); /* 0.5 Hz: 2 s per frame, pauses may hold no frame */
    check_every_frame(64, 32, 3000);
}

/* At exact step boundaries: 0 just before, >= 50 % from the start, 0 from the end. */
static void test_onset_and_offset(void **state)
{
    (void)state;
    struct routine routine;
    assert_int_equal(routine_init(&routine, 64, 32), 0);
    float load[64 * 32];
    size_t count = 0;
    const struct routine_step *steps = routine_steps(&count);
    for (uint64_t loop = 0; loop < 2; loop++) {
        for (size_t i = 0; i < count; i++) {
            const struct routine_step *s = &steps[i];
            uint64_t start = loop * ROUTINE_LOOP_NS + (uint64_t)s->start_ms * 1000000u;
            uint64_t end = start + (uint64_t)s->duration_ms * 1000000u;
            struct routine_contact contacts[ROUTINE_MAX_CONTACTS];
            assert_int_equal(applied(&routine, start - 1, load, contacts), 0);
            for (size_t t = 0; t < 64 * 32; t++)
                assert_true(load[t] == 0.0f);
            assert_int_equal(applied(&routine, start, load, contacts), s->contacts);
            for (unsigned h = 0; h < s->contacts; h++) {
                assert_int_equal(contacts[h].region, s->regions[h]);
                assert_int_equal(contacts[h].step, loop * count + i);
                assert_true(region_max(load, s->regions[h], 64, 32) >= 0.5 * s->peak_counts);
            }
            assert_int_equal(applied(&routine, end - 1, load, contacts), s->contacts);
            for (unsigned h = 0; h < s->contacts; h++)
                assert_true(region_max(load, s->regions[h], 64, 32) >= 0.4 * s->peak_counts);
            assert_int_equal(applied(&routine, end, load, contacts), 0);
            for (size_t t = 0; t < 64 * 32; t++)
                assert_true(load[t] == 0.0f);
        }
    }
}

/* A stroke moves along its region; kneading oscillates at about 1 Hz. */
static void test_techniques_move_and_oscillate(void **state)
{
    (void)state;
    struct routine routine;
    assert_int_equal(routine_init(&routine, 64, 32), 0);
    size_t count = 0;
    const struct routine_step *steps = routine_steps(&count);
    int stroke = find_step(steps, count, ROUTINE_STROKE, REGION_UPPER_BACK_LEFT);
    int kneading = find_step(steps, count, ROUTINE_KNEADING, REGION_SHOULDER_LEFT);
    struct routine_contact c[ROUTINE_MAX_CONTACTS];

    double low_row = 1e9, high_row = -1e9;
    for (uint32_t ms = 0; ms < steps[stroke].duration_ms; ms += 10) {
        routine_contacts(&routine, ((uint64_t)steps[stroke].start_ms + ms) * 1000000u, c);
        low_row = fmin(low_row, c[0].row);
        high_row = fmax(high_row, c[0].row);
    }
    assert_true(high_row - low_row >= 4.0); /* most of the region's 10 rows */

    /* Count pressure maxima of the kneading over its duration: about one per second. */
    int maxima = 0;
    double before = 0, now = 0;
    for (uint32_t ms = 0; ms < steps[kneading].duration_ms; ms += 10) {
        routine_contacts(&routine, ((uint64_t)steps[kneading].start_ms + ms) * 1000000u, c);
        double next = c[0].pressure;
        if (ms >= 20 && now > before && now >= next)
            maxima++;
        before = now;
        now = next;
    }
    assert_in_range(maxima, steps[kneading].duration_ms / 1000 - 1,
                    steps[kneading].duration_ms / 1000 + 1);
}

static void test_loops_repeat(void **state)
{
    (void)state;
    struct routine routine;
    assert_int_equal(routine_init(&routine, 64, 32), 0);
    size_t count = 0;
    routine_steps(&count);
    for (uint64_t ms = 0; ms < ROUTINE_LOOP_NS / 1000000u; ms += 37) {
        struct routine_contact a[ROUTINE_MAX_CONTACTS], b[ROUTINE_MAX_CONTACTS];
        unsigned na = routine_contacts(&routine, ms * 1000000u, a);
        unsigned nb = routine_contacts(&routine, ms * 1000000u + 3 * ROUTINE_LOOP_NS, b);
        assert_int_equal(na, nb);
        for (unsigned h = 0; h < na; h++) {
            assert_true(b[h].step == a[h].step + 3 * count);
            assert_int_equal(a[h].region, b[h].region);
            assert_true(fabs(a[h].row - b[h].row) < 1e-9 && fabs(a[h].col - b[h].col) < 1e-9);
            assert_true(fabs(a[h].pressure - b[h].pressure) < 1e-6);
        }
    }
}

static void test_grid_limits(void **state)
{
    (void)state;
    struct routine routine;
    assert_int_equal(routine_init(&routine, 10, 3), 0);
    assert_int_equal(routine_init(&routine, 9, 32), -EINVAL);
    assert_int_equal(routine_init(&routine, 64, 2), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_script_follows_the_rules),
        cmocka_unit_test(test_patches_confined_and_strong_default_grid),
        cmocka_unit_test(test_patches_confined_and_strong_other_grids),
        cmocka_unit_test(test_slow_rates),
        cmocka_unit_test(test_onset_and_offset),
        cmocka_unit_test(test_techniques_move_and_oscillate),
        cmocka_unit_test(test_loops_repeat),
        cmocka_unit_test(test_grid_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
