/*
 * ticker.c - whole units plus carried fractions.
 */
#include "ticker.h"

/* Millihertz per hertz: a period is units * 1000 / rate_mhz. */
#define MILLIHERTZ_PER_HERTZ 1000u

static void set_period(struct ticker *ticker, uint32_t rate_mhz)
{
    uint64_t numerator = ticker->units * MILLIHERTZ_PER_HERTZ;
    ticker->rate_mhz = rate_mhz;
    ticker->period = numerator / rate_mhz;
    ticker->remainder = numerator % rate_mhz;
    ticker->carried = 0;
}

/* Moves next one period past previous. */
static void advance(struct ticker *ticker)
{
    ticker->next = ticker->previous + ticker->period;
    ticker->carried += ticker->remainder;
    if (ticker->carried >= ticker->rate_mhz) {
        ticker->carried -= ticker->rate_mhz;
        ticker->next++;
    }
}

void ticker_start(struct ticker *ticker, uint32_t units, uint64_t first, uint32_t rate_mhz)
{
    ticker->units = units;
    set_period(ticker, rate_mhz);
    ticker->next = first;
    ticker->previous = first;
    ticker->ticked = false;
}

uint64_t ticker_take(struct ticker *ticker)
{
    ticker->previous = ticker->next;
    ticker->ticked = true;
    advance(ticker);
    return ticker->previous;
}

void ticker_set_rate(struct ticker *ticker, uint32_t rate_mhz)
{
    set_period(ticker, rate_mhz);
    if (ticker->ticked)
        advance(ticker);
}
