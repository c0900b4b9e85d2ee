/*
 * ticker.c - whole microseconds plus carried fractions.
 */
#include "ticker.h"

/* period_us = PERIOD_NUMERATOR / rate_mhz: 10^3 mHz per Hz times 10^6 us per second. */
#define PERIOD_NUMERATOR 1000000000u

static void set_period(struct ticker *ticker, uint32_t rate_mhz)
{
    ticker->rate_mhz = rate_mhz;
    ticker->period_us = PERIOD_NUMERATOR / rate_mhz;
    ticker->remainder = PERIOD_NUMERATOR % rate_mhz;
    ticker->carried = 0;
}

/* Moves next_us one period past previous_us. */
static void advance(struct ticker *ticker)
{
    ticker->next_us = ticker->previous_us + ticker->period_us;
    ticker->carried += ticker->remainder;
    if (ticker->carried >= ticker->rate_mhz) {
        ticker->carried -= ticker->rate_mhz;
        ticker->next_us++;
    }
}

void ticker_start(struct ticker *ticker, uint64_t first_us, uint32_t rate_mhz)
{
    set_period(ticker, rate_mhz);
    ticker->next_us = first_us;
    ticker->previous_us = first_us;
    ticker->ticked = false;
}

uint64_t ticker_take(struct ticker *ticker)
{
    ticker->previous_us = ticker->next_us;
    ticker->ticked = true;
    advance(ticker);
    return ticker->previous_us;
}

void ticker_set_rate(struct ticker *ticker, uint32_t rate_mhz)
{
    set_period(ticker, rate_mhz);
    if (ticker->ticked)
        advance(ticker);
}
