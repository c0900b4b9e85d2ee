/*
 * test_schedule.c - tick k after a start s falls at exactly
 * s + floor(k * 10^12 / rate_mhz) ns, for whole and fractional periods, and
 * a rate change takes effect one new period after the last tick.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "schedule.h"

static void test_ticks_exact_without_drift(void **state)
{
    (void)state;
    /* 100 Hz, 3 Hz (period 333,333,333.3 ns), 0.007 Hz, 7 mHz-odd and the extremes. */
    static const uint32_t rates_mhz[] = {100000, 3000, 7, 999999999, 1000000000, 1, 333, 60000};
    for (size_t r = 0; r < sizeof(rates_mhz) / sizeof(rates_mhz[0]); r++) {
        struct schedule s;
        const uint64_t start = 123456789;
        schedule_start(&s, start, rates_mhz[r]);
        for (uint64_t k = 0; k < 1000000; k++) {
            uint64_t expected = start + k * 1000000000000ull / rates_mhz[r];
            uint64_t got = schedule_take(&s);
            if (got != expected)
                fail_msg("rate %u mHz, tick %llu: %llu ns, expected %llu", rates_mhz[r],
                         (unsigned long long)k, (unsigned long long)got,
                         (unsigned long long)expected);
        }
    }
}

static void test_rate_change(void **state)
{
    (void)state;
    struct schedule s;
    schedule_start(&s, 1000, 100000);
    schedule_set_rate(&s, 50000); /* before the first tick: the first tick stays */
    assert_true(schedule_take(&s) == 1000);
    assert_true(schedule_take(&s) == 1000 + 20000000);
    schedule_set_rate(&s, 3000); /* one new period after the last tick taken */
    assert_true(s.next_ns == 1000 + 20000000 + 333333333);
    assert_true(schedule_take(&s) == 1000 + 20000000 + 333333333);
    assert_true(schedule_take(&s) == 1000 + 20000000 + 666666666);
    assert_true(schedule_take(&s) == 1000 + 20000000 + 1000000000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ticks_exact_without_drift),
        cmocka_unit_test(test_rate_change),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
