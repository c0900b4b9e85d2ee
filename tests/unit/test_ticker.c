/*
 * test_ticker.c - frame tick k after a start s falls at exactly
 * s + floor(k * 10^9 / rate_mhz) us, for whole and fractional periods, and a
 * rate change takes effect one new period after the last tick.
 *
 * Expected times come from that formula evaluated directly, and by hand for
 * the rate change.
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
    /* 100 Hz, 30 Hz (33,333.33 us), 7 mHz, 1 mHz, odd rates, 1000 Hz and the largest. */
    static const uint32_t rates_mhz[] = {100000, 30000, 7, 1, 333, 99999, 1000000, 4294967295u};
    for (size_t r = 0; r < sizeof(rates_mhz) / sizeof(rates_mhz[0]); r++) {
        struct ticker t;
        const uint64_t start = 123456789;
        ticker_start(&t, start, rates_mhz[r]);
        for (uint64_t k = 0; k < 1000000; k++) {
            uint64_t expected = start + k * 1000000000ull / rates_mhz[r];
            uint64_t got = ticker_take(&t);
            if (got != expected)
                fail_msg("rate %u mHz, tick %llu: %llu us, expected %llu", rates_mhz[r],
                         (unsigned long long)k, (unsigned long long)got,
                         (unsigned long long)expected);
        }
    }
}

static void test_rate_change(void **state)
{
    (void)state;
    struct ticker t;
    ticker_start(&t, 1000, 100000);
    ticker_set_rate(&t, 50000); /* before the first tick: the first tick stays */
    assert_true(t.next_us == 1000);
    assert_true(ticker_take(&t) == 1000);
    assert_true(ticker_take(&t) == 1000 + 20000);
    ticker_set_rate(&t, 30000); /* one new period (33,333.33 us) after the last tick taken */
    assert_true(t.next_us == 21000 + 33333);
    assert_true(ticker_take(&t) == 21000 + 33333);
    assert_true(ticker_take(&t) == 21000 + 66666);
    assert_true(ticker_take(&t) == 21000 + 100000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ticks_exact_without_drift),
        cmocka_unit_test(test_rate_change),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
