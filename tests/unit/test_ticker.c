/*
 * test_ticker.c - tick k after a start s falls at exactly
 * s + floor(k * units * 1000 / rate_mhz), in microseconds (the firmware) and
 * nanoseconds (the simulator), for whole and fractional periods, and a rate
 * change takes effect one new period after the last tick.
 *
 * Expected times come from that formula evaluated directly, and by hand for
 * the rate changes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ticker.h"

static void test_ticks_exact_without_drift(void **state)
{
    (void)state;
    static const struct {
        uint32_t units;
        uint32_t rate_mhz;
    } cases[] = {
        /* 100 Hz, 30 Hz (33,333.33 us), 7 mHz, 1 mHz, odd rates, 1000 Hz and the largest. */
        {TICKER_MICROSECONDS, 100000},
        {TICKER_MICROSECONDS, 30000},
        {TICKER_MICROSECONDS, 7},
        {TICKER_MICROSECONDS, 1},
        {TICKER_MICROSECONDS, 333},
        {TICKER_MICROSECONDS, 99999},
        {TICKER_MICROSECONDS, 1000000},
        {TICKER_MICROSECONDS, 4294967295u},
        /* 3 Hz (333,333,333.3 ns) and neighbours of 1 MHz in nanoseconds. */
        {TICKER_NANOSECONDS, 100000},
        {TICKER_NANOSECONDS, 3000},
        {TICKER_NANOSECONDS, 7},
        {TICKER_NANOSECONDS, 999999999},
        {TICKER_NANOSECONDS, 1000000000u},
        {TICKER_NANOSECONDS, 1},
        {TICKER_NANOSECONDS, 333},
        {TICKER_NANOSECONDS, 60000},
    };
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        struct ticker t;
        const uint64_t start = 123456789;
        ticker_start(&t, cases[c].units, start, cases[c].rate_mhz);
        for (uint64_t k = 0; k < 1000000; k++) {
            uint64_t expected = start + k * (uint64_t)cases[c].units * 1000u / cases[c].rate_mhz;
            uint64_t got = ticker_take(&t);
            if (got != expected)
                fail_msg("%u units/s, rate %u mHz, tick %llu: %llu, expected %llu", cases[c].units,
                         cases[c].rate_mhz, (unsigned long long)k, (unsigned long long)got,
                         (unsigned long long)expected);
        }
    }
}

static void test_rate_change_microseconds(void **state)
{
    (void)state;
    struct ticker t;
    ticker_start(&t, TICKER_MICROSECONDS, 1000, 100000);
    ticker_set_rate(&t, 50000); /* before the first tick: the first tick stays */
    assert_true(ticker_take(&t) == 1000);
    assert_true(ticker_take(&t) == 1000 + 20000);
    ticker_set_rate(&t, 30000); /* one new period (33,333.33 us) after the last tick taken */
    assert_true(ticker_take(&t) == 21000 + 33333);
    assert_true(ticker_take(&t) == 21000 + 66666);
    assert_true(ticker_take(&t) == 21000 + 100000);
}

static void test_rate_change_nanoseconds(void **state)
{
    (void)state;
    struct ticker t;
    ticker_start(&t, TICKER_NANOSECONDS, 1000, 100000);
    ticker_set_rate(&t, 50000);
    assert_true(ticker_take(&t) == 1000);
    assert_true(ticker_take(&t) == 1000 + 20000000);
    ticker_set_rate(&t, 3000); /* one new period (333,333,333.3 ns) after the last tick taken */
    assert_true(ticker_take(&t) == 1000 + 20000000 + 333333333);
    assert_true(ticker_take(&t) == 1000 + 20000000 + 666666666);
    assert_true(ticker_take(&t) == 1000 + 20000000 + 1000000000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ticks_exact_without_drift),
        cmocka_unit_test(test_rate_change_microseconds),
        cmocka_unit_test(test_rate_change_nanoseconds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
