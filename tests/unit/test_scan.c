/*
 * test_scan.c - the matrix scan drives one row at a time, selects each
 * column's multiplexer channel before sampling its ADC input, waits the
 * settle time between every switch and its sample (the row settle time
 * after a row switch), releases each row after its last column, and stores
 * adc_max - reading row-major.
 *
 * Expected call sequences are written out by hand from the wiring in
 * hal.h (column c = channel c % 16 on input c / 16); expected values from
 * the fake ADC's formula.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fake_hal.h"
#include "scan.h"

enum { ROW_NS = 20000, COLUMN_NS = 1500 };
static const struct scan_settle SETTLE = {ROW_NS, COLUMN_NS};

/* A reading that names its taxel: 1000 + 100 * row + column. */
static uint16_t naming_reading(unsigned row, unsigned column, unsigned scan)
{
    (void)scan;
    return (uint16_t)(1000 + 100 * row + column);
}

static int set_up(void **state)
{
    (void)state;
    fake_hal_reset(0, naming_reading);
    return 0;
}

static int tear_down(void **state)
{
    (void)state;
    fake_hal_free();
    return 0;
}

/* Runs a whole scan and checks what each step says it finished. */
static void scan_frame(struct scan *scan, unsigned rows, unsigned cols)
{
    scan_begin(scan);
    assert_true(scan_active(scan));
    for (unsigned row = 0; row < rows; row++) {
        for (unsigned col = 0; col < cols; col++) {
            enum scan_progress expected = SCAN_TAXEL;
            if (col == cols - 1)
                expected = row == rows - 1 ? SCAN_FRAME : SCAN_ROW;
            assert_int_equal(scan_step(scan), expected);
        }
    }
    assert_false(scan_active(scan));
}

static void assert_event(size_t i, enum fake_event_kind kind, uint64_t arg)
{
    assert_true(i < fake_hal.event_count);
    if (fake_hal.events[i].kind != kind || fake_hal.events[i].arg != arg)
        fail_msg("event %zu: kind %d arg %llu, expected kind %d arg %llu", i,
                 (int)fake_hal.events[i].kind, (unsigned long long)fake_hal.events[i].arg,
                 (int)kind, (unsigned long long)arg);
}

static void test_order_of_a_two_by_three_scan(void **state)
{
    (void)state;
    static const struct {
        enum fake_event_kind kind;
        uint64_t arg;
    } expected[] = {
        {FAKE_ROW_DRIVE, 0},   {FAKE_MUX_SELECT, 0},    {FAKE_DELAY, ROW_NS},
        {FAKE_SAMPLE, 0},      {FAKE_MUX_SELECT, 1},    {FAKE_DELAY, COLUMN_NS},
        {FAKE_SAMPLE, 0},      {FAKE_MUX_SELECT, 2},    {FAKE_DELAY, COLUMN_NS},
        {FAKE_SAMPLE, 0},      {FAKE_ROW_RELEASE, 0},   {FAKE_ROW_DRIVE, 1},
        {FAKE_MUX_SELECT, 0},  {FAKE_DELAY, ROW_NS},    {FAKE_SAMPLE, 0},
        {FAKE_MUX_SELECT, 1},  {FAKE_DELAY, COLUMN_NS}, {FAKE_SAMPLE, 0},
        {FAKE_MUX_SELECT, 2},  {FAKE_DELAY, COLUMN_NS}, {FAKE_SAMPLE, 0},
        {FAKE_ROW_RELEASE, 1},
    };
    uint16_t values[6];
    struct scan scan;
    scan_init(&scan, 2, 3, 12, &SETTLE, values);
    assert_int_equal(fake_hal.event_count, 0); /* nothing driven before scan_begin */
    scan_frame(&scan, 2, 3);
    assert_int_equal(fake_hal.event_count, sizeof(expected) / sizeof(expected[0]));
    for (size_t i = 0; i < fake_hal.event_count; i++)
        assert_event(i, expected[i].kind, expected[i].arg);
    /* Row-major, higher for more pressure: 4095 - (1000 + 100 r + c). */
    static const uint16_t expected_values[6] = {3095, 3094, 3093, 2995, 2994, 2993};
    assert_memory_equal(values, expected_values, sizeof(values));
}

/* Columns beyond 16 are on the second multiplexer: channel c % 16, ADC input c / 16. */
static void test_columns_map_to_multiplexers(void **state)
{
    (void)state;
    enum { COLS = 35 };
    uint16_t values[COLS];
    struct scan scan;
    scan_init(&scan, 1, COLS, 12, &SETTLE, values);
    scan_frame(&scan, 1, COLS);
    /* drive, then (select, delay, sample) per column, then release */
    assert_int_equal(fake_hal.event_count, 1 + 3 * COLS + 1);
    for (unsigned c = 0; c < COLS; c++) {
        assert_event(1 + 3 * c, FAKE_MUX_SELECT, c % 16);
        assert_event(3 + 3 * c, FAKE_SAMPLE, c / 16);
        assert_int_equal(values[c], 4095 - (1000 + c));
    }
}

/* Every sample follows its switches by the settle time: checked on the clock, not the log. */
static void test_settle_time_between_each_switch_and_its_sample(void **state)
{
    (void)state;
    enum { ROWS = 3, COLS = 18 };
    fake_hal.conversion_ns = 1125;
    uint16_t values[ROWS * COLS];
    struct scan scan;
    scan_init(&scan, ROWS, COLS, 12, &SETTLE, values);
    scan_frame(&scan, ROWS, COLS);
    uint64_t last_row_switch = 0, last_mux_switch = 0;
    unsigned samples = 0;
    for (size_t i = 0; i < fake_hal.event_count; i++) {
        const struct fake_event *e = &fake_hal.events[i];
        if (e->kind == FAKE_ROW_DRIVE || e->kind == FAKE_ROW_RELEASE)
            last_row_switch = e->time_ns;
        else if (e->kind == FAKE_MUX_SELECT)
            last_mux_switch = e->time_ns;
        else if (e->kind == FAKE_SAMPLE) {
            assert_true(e->time_ns - last_row_switch >= ROW_NS);
            assert_true(e->time_ns - last_mux_switch >= COLUMN_NS);
            samples++;
        }
    }
    assert_int_equal(samples, ROWS * COLS);
    /* A fixed length: rows x (row settle + (cols - 1) column settles + cols conversions). */
    assert_int_equal(fake_hal.now_ns, ROWS * (ROW_NS + (COLS - 1) * COLUMN_NS + COLS * 1125));
}

/* Exactly one row is driven at a time, and none after the scan. */
static void test_one_row_driven_at_a_time(void **state)
{
    (void)state;
    enum { ROWS = 5, COLS = 2 };
    uint16_t values[ROWS * COLS];
    struct scan scan;
    scan_init(&scan, ROWS, COLS, 12, &SETTLE, values);
    scan_frame(&scan, ROWS, COLS);
    int driven = 0;
    unsigned next_row = 0;
    for (size_t i = 0; i < fake_hal.event_count; i++) {
        const struct fake_event *e = &fake_hal.events[i];
        if (e->kind == FAKE_ROW_DRIVE) {
            assert_int_equal(driven, 0);
            assert_int_equal(e->arg, next_row++); /* row 0 (the head end) first */
            driven++;
        } else if (e->kind == FAKE_ROW_RELEASE) {
            assert_int_equal(driven, 1);
            driven--;
        } else if (e->kind == FAKE_SAMPLE) {
            assert_int_equal(driven, 1);
        }
    }
    assert_int_equal(next_row, ROWS);
    assert_int_equal(driven, 0);
}

/* A reading above the ADC's range (a fault) stores 0, never a wrapped-around value. */
static void test_readings_are_clamped_to_adc_bits(void **state)
{
    (void)state;
    uint16_t values[3];
    struct scan scan;
    scan_init(&scan, 1, 3, 10, &SETTLE, values); /* 10 bits: adc_max 1023 */
    scan_frame(&scan, 1, 3);
    /* readings 1000, 1001, 1002 against adc_max 1023: 23, 22, 21 */
    static const uint16_t expected[3] = {23, 22, 21};
    assert_memory_equal(values, expected, sizeof(values));

    struct scan small;
    uint16_t one[1];
    scan_init(&small, 2, 1, 8, &SETTLE, one); /* adc_max 255: readings 1000, 1100 clamp */
    scan_begin(&small);
    scan_step(&small);
    assert_int_equal(one[0], 0);
}

/* An abort mid-row releases the driven row; a new scan starts again at row 0. */
static void test_abort_releases_the_row(void **state)
{
    (void)state;
    uint16_t values[9];
    struct scan scan;
    scan_init(&scan, 3, 3, 12, &SETTLE, values);
    scan_begin(&scan);
    for (int i = 0; i < 4; i++) /* row 0, and column 0 of row 1 */
        scan_step(&scan);
    size_t before = fake_hal.event_count;
    scan_abort(&scan);
    assert_false(scan_active(&scan));
    assert_int_equal(fake_hal.event_count, before + 1);
    assert_event(before, FAKE_ROW_RELEASE, 1);

    /* Aborting at a row boundary releases nothing: no row is driven there. */
    scan_begin(&scan);
    assert_event(fake_hal.event_count - 1, FAKE_ROW_RELEASE, 1);
    for (int i = 0; i < 3; i++)
        scan_step(&scan);
    before = fake_hal.event_count;
    scan_abort(&scan);
    assert_int_equal(fake_hal.event_count, before);

    scan_begin(&scan);
    scan_step(&scan);
    assert_event(before, FAKE_ROW_DRIVE, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_order_of_a_two_by_three_scan, set_up, tear_down),
        cmocka_unit_test_setup_teardown(test_columns_map_to_multiplexers, set_up, tear_down),
        cmocka_unit_test_setup_teardown(test_settle_time_between_each_switch_and_its_sample, set_up,
                                        tear_down),
        cmocka_unit_test_setup_teardown(test_one_row_driven_at_a_time, set_up, tear_down),
        cmocka_unit_test_setup_teardown(test_readings_are_clamped_to_adc_bits, set_up, tear_down),
        cmocka_unit_test_setup_teardown(test_abort_releases_the_row, set_up, tear_down),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
