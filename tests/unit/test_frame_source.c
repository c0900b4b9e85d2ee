/*
 * test_frame_source.c - a frame is a pure function of (seed, sequence,
 * grid, model time): the same options give the same values in any order of
 * generation, another seed gives other noise, and the therapist's pressure
 * shows above the resting load where the routine says.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "frame_source.h"

enum { ROWS = 64, COLS = 32, TAXELS = ROWS * COLS };

#define FRAME_NS 10000000ull /* 100 frames/s */

static struct frame_source a, b;
static uint16_t first[TAXELS], second[TAXELS];

static unsigned generate(struct frame_source *source, uint32_t n, uint16_t *values)
{
    struct routine_contact contacts[ROUTINE_MAX_CONTACTS];
    return frame_source_generate(source, n, n * FRAME_NS, values, contacts);
}

static void test_same_options_same_frames(void **state)
{
    (void)state;
    assert_int_equal(frame_source_init(&a, ROWS, COLS, 12, 5), 0);
    assert_int_equal(frame_source_init(&b, ROWS, COLS, 12, 5), 0);
    /* a makes frames 0..999 in order; b jumps straight to some of them. */
    static const uint32_t probes[] = {0, 1, 250, 999};
    for (uint32_t n = 0; n < 1000; n++) {
        generate(&a, n, first);
        for (size_t p = 0; p < sizeof(probes) / sizeof(probes[0]); p++) {
            if (probes[p] != n)
                continue;
            generate(&b, n, second);
            assert_memory_equal(first, second, sizeof(first));
        }
    }
    frame_source_fini(&b);

    assert_int_equal(frame_source_init(&b, ROWS, COLS, 12, 6), 0);
    generate(&a, 123, first);
    generate(&b, 123, second);
    int differ = 0;
    for (size_t i = 0; i < TAXELS; i++)
        differ += first[i] != second[i];
    assert_true(differ > TAXELS / 2);
    frame_source_fini(&b);
    frame_source_fini(&a);
}

static void test_values_within_adc_range(void **state)
{
    (void)state;
    assert_int_equal(frame_source_init(&a, ROWS, COLS, 10, 1), 0);
    bool clipped = false;
    for (uint32_t n = 0; n < 16000; n += 7) {
        generate(&a, n, first);
        for (size_t i = 0; i < TAXELS; i++) {
            assert_true(first[i] <= 1023);
            clipped = clipped || first[i] == 1023;
        }
    }
    assert_true(clipped); /* the 12-bit-scale model saturates a 10-bit ADC */
    frame_source_fini(&a);
}

static void test_pressure_on_top_of_resting_load(void **state)
{
    (void)state;
    assert_int_equal(frame_source_init(&a, ROWS, COLS, 12, 1), 0);
    /* Frame 3500 (35 s): kneading on shoulder_left; frame 2950 (29.5 s): a pause. */
    struct routine_contact contacts[ROUTINE_MAX_CONTACTS];
    assert_int_equal(frame_source_generate(&a, 3500, 3500 * FRAME_NS, first, contacts), 1);
    assert_int_equal(contacts[0].region, REGION_SHOULDER_LEFT);
    assert_int_equal(frame_source_generate(&a, 2950, 2950 * FRAME_NS, second, contacts), 0);
    int max_rise = 0;
    for (unsigned r = 0; r < ROWS; r++) {
        for (unsigned c = 0; c < COLS; c++) {
            int rise = first[r * COLS + c] - second[r * COLS + c];
            bool in_shoulder_left = r >= 7 && r <= 13 && c >= 2 && c <= 15;
            if (in_shoulder_left && rise > max_rise)
                max_rise = rise;
            if (!in_shoulder_left) /* noise and breathing only */
                assert_true(abs(rise) < 60);
        }
    }
    assert_true(max_rise >= 500);
    frame_source_fini(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_options_same_frames),
        cmocka_unit_test(test_values_within_adc_range),
        cmocka_unit_test(test_pressure_on_top_of_resting_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
