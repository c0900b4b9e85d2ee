/*
 * test_ground_truth.c - the ground truth rows agree with the applied
 * pressure frame by frame, honour a cut-off, and are written as the
 * documented CSV.
 *
 * The expected visits are found independently of the step bookkeeping:
 * from the applied-pressure map of every frame, a visit is a run of
 * consecutive frames with pressure on a region (taxels assigned to regions
 * by the default rectangles written out here).
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ground_truth.h"
#include "routine.h"

enum { ROWS = 64, COLS = 32, RATE_MHZ = 50000, MAX_VISITS = 64 };

#define FRAME_NS (1000000000000ull / RATE_MHZ)

static const unsigned RECTANGLES[REGION_COUNT][4] = {
    {0, 6, 10, 21},   {7, 13, 2, 15},   {7, 13, 16, 29},  {14, 23, 4, 15},
    {14, 23, 16, 27}, {24, 30, 5, 15},  {24, 30, 16, 26}, {31, 37, 5, 26},
    {38, 48, 4, 15},  {38, 48, 16, 27}, {49, 63, 5, 15},  {49, 63, 16, 26},
};

struct run {
    int region;
    uint32_t first, last;
};

/* Regions with applied pressure in frame n (a bit per region). */
static unsigned pressed_regions(const struct routine *routine, uint32_t n,
                                struct routine_contact *contacts, unsigned *count)
{
    static float load[ROWS * COLS];
    memset(load, 0, sizeof(load));
    *count = routine_contacts(routine, n * FRAME_NS, contacts);
    routine_apply(routine, contacts, *count, load);
    unsigned pressed = 0;
    for (int i = 0; i < REGION_COUNT; i++)
        for (unsigned r = RECTANGLES[i][0]; r <= RECTANGLES[i][1]; r++)
            for (unsigned c = RECTANGLES[i][2]; c <= RECTANGLES[i][3]; c++)
                if (load[r * COLS + c] > 0.0f)
                    pressed |= 1u << i;
    return pressed;
}

/*
 * Records frames 0..frames-1 (skipping those in `unsent`) into truth, and
 * finds the runs from the maps; returns the number of runs.
 */
static size_t record(struct ground_truth *truth, uint32_t frames, uint32_t unsent_first,
                     uint32_t unsent_last, struct run *runs)
{
    struct routine routine;
    assert_int_equal(routine_init(&routine, ROWS, COLS), 0);
    size_t count = 0;
    int open[REGION_COUNT];
    for (int i = 0; i < REGION_COUNT; i++)
        open[i] = -1;
    for (uint32_t n = 0; n < frames; n++) {
        if (n >= unsent_first && n <= unsent_last)
            continue;
        struct routine_contact contacts[ROUTINE_MAX_CONTACTS];
        unsigned contact_count = 0;
        unsigned pressed = pressed_regions(&routine, n, contacts, &contact_count);
        assert_int_equal(ground_truth_record(truth, n, n * FRAME_NS, (n + 1) * FRAME_NS, contacts,
                                             contact_count),
                         0);
        for (int i = 0; i < REGION_COUNT; i++) {
            if (!(pressed & (1u << i))) {
                open[i] = -1;
            } else if (open[i] >= 0) {
                runs[open[i]].last = n;
            } else {
                assert_true(count < MAX_VISITS);
                runs[count] = (struct run){i, n, n};
                open[i] = (int)count++;
            }
        }
    }
    return count;
}

static void test_rows_match_applied_pressure(void **state)
{
    (void)state;
    struct ground_truth truth;
    ground_truth_init(&truth);
    struct run runs[MAX_VISITS];
    uint32_t frames = (uint32_t)(2 * ROUTINE_LOOP_NS / FRAME_NS); /* two loops */
    size_t count = record(&truth, frames, UINT32_MAX, UINT32_MAX, runs);
    size_t steps = 0;
    const struct routine_step *script = routine_steps(&steps);
    assert_int_equal(truth.count, count);
    assert_true(count >= 2 * steps);
    for (size_t i = 0; i < count; i++) {
        const struct ground_truth_visit *v = &truth.visits[i];
        assert_int_equal(v->region, runs[i].region);
        assert_int_equal(v->first_sequence, runs[i].first);
        assert_int_equal(v->last_sequence, runs[i].last);
        assert_true(v->start_ns == runs[i].first * FRAME_NS);
        assert_true(v->end_ns == (runs[i].last + 1) * FRAME_NS);
        const struct routine_step *s = &script[v->step % steps];
        assert_int_equal(v->technique, s->technique);
        assert_true(v->peak == s->peak_counts);
        /* Dwell: the step's duration, to the frame. */
        assert_true(v->end_ns - v->start_ns == (uint64_t)s->duration_ms * 1000000u);
    }
    ground_truth_fini(&truth);
}

static void test_only_frames_sent_count(void **state)
{
    (void)state;
    /* Steps 1 and 2 run over frames 100..699 and 800..1399; frames 300..399 are never sent
       (no host) and the stream ends after frame 899 (--frames 900). */
    struct ground_truth truth;
    ground_truth_init(&truth);
    struct run runs[MAX_VISITS];
    size_t count = record(&truth, 900, 300, 399, runs);
    assert_int_equal(count, 2);
    assert_int_equal(truth.count, 2);
    assert_int_equal(truth.visits[0].first_sequence, 100);
    assert_int_equal(truth.visits[0].last_sequence, 699); /* one visit, across the lost frames */
    assert_int_equal(truth.visits[1].first_sequence, 800);
    assert_int_equal(truth.visits[1].last_sequence, 899); /* cut by the end of the frames */
    assert_true(truth.visits[1].end_ns == 900 * FRAME_NS);
    assert_int_equal(truth.visits[1].region, REGION_UPPER_BACK_RIGHT);
    ground_truth_fini(&truth);
}

static void test_csv_file(void **state)
{
    (void)state;
    struct ground_truth truth;
    ground_truth_init(&truth);
    struct run runs[MAX_VISITS];
    uint32_t frames = (uint32_t)(ROUTINE_LOOP_NS / FRAME_NS);
    size_t count = record(&truth, frames, UINT32_MAX, UINT32_MAX, runs);
    char dir[] = "/tmp/test_ground_truth.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof(path), "%s/truth.csv", dir);
    struct ground_truth_header header = {
        .seed = 42, .rows = ROWS, .cols = COLS, .rate_mhz = RATE_MHZ, .adc_bits = 12};
    assert_int_equal(ground_truth_write(&truth, &header, path), 0);

    FILE *file = fopen(path, "r");
    assert_non_null(file);
    char line[256];
    bool seed = false, grid = false, rate = false, shift = false;
    while (fgets(line, sizeof(line), file) != NULL && line[0] == '#') {
        seed = seed || strstr(line, "seed 42") != NULL;
        grid = grid || strstr(line, "grid 64 x 32") != NULL;
        rate = rate || strstr(line, "rate 50.000 Hz") != NULL;
        shift = shift || (strstr(line, "90.000 s") != NULL && strstr(line, "frame 4500") != NULL);
    }
    assert_true(seed && grid && rate && shift);
    assert_string_equal(
        line, "region,technique,first_sequence,last_sequence,start_s,end_s,peak_counts\n");
    size_t rows = 0;
    while (fgets(line, sizeof(line), file) != NULL) {
        char region[32], technique[32];
        unsigned first, last;
        double start_s, end_s, peak;
        assert_int_equal(sscanf(line, "%31[^,],%31[^,],%u,%u,%lf,%lf,%lf", region, technique,
                                &first, &last, &start_s, &end_s, &peak),
                         7);
        assert_true(rows < count);
        assert_int_equal(first, runs[rows].first);
        assert_int_equal(last, runs[rows].last);
        assert_true(fabs(start_s - first / 50.0) < 1e-6);
        assert_true(fabs(end_s - (last + 1) / 50.0) < 1e-6);
        assert_true(peak >= 800);
        rows++;
    }
    assert_int_equal(rows, count);
    /* The first rows of the loop, by name. */
    rewind(file);
    char *all = calloc(1, 65536);
    assert_true(fread(all, 1, 65535, file) > 0);
    assert_non_null(strstr(all, "\nupper_back_left,stroke,100,699,2.000000,14.000000,900\n"));
    assert_non_null(strstr(all, "\nshoulder_left,bilateral_kneading,2700,3299,54.000000,"
                                "66.000000,1000\nshoulder_right,bilateral_kneading,2700,3299,"));
    free(all);
    fclose(file);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(dir), 0);

    /* A directory that does not exist: an error, not a crash. */
    assert_int_equal(ground_truth_write(&truth, &header, "/nonexistent-dir/truth.csv"), -ENOENT);
    ground_truth_fini(&truth);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_match_applied_pressure),
        cmocka_unit_test(test_only_frames_sent_count),
        cmocka_unit_test(test_csv_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
