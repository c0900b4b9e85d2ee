/*
 * timer.c - RM0383 13.4 (TIM2), ARMv7-M C1.8 (DWT cycle counter).
 */
#include "timer.h"

#include <stdbool.h>

#include "board.h"
#include "cpu.h"
#include "hal.h"
#include "registers.h"

/* Core cycles per nanosecond times 2^20, rounded up (100,664 at 96 MHz): no division per wait. */
#define CYCLES_PER_NS_Q20 ((((uint64_t)BOARD_CORE_HZ << 20) + 999999999u) / 1000000000u)

static volatile uint32_t overflows; /* high word of the microsecond clock */
static volatile bool alarm_fired;   /* set by the compare interrupt */

void timer_init(void)
{
    RCC_APB1ENR |= RCC_APB1ENR_TIM2EN;
    TIM2_PSC = BOARD_TIM2_PRESCALER;
    TIM2_ARR = 0xFFFFFFFFu;
    TIM2_CR1 = TIM_CR1_URS; /* only an overflow raises the update interrupt */
    TIM2_EGR = TIM_EGR_UG;  /* loads the prescaler, counter from 0 */
    TIM2_SR = 0;
    TIM2_DIER = TIM_DIER_UIE;
    cpu_enable_irq(IRQ_TIM2);
    TIM2_CR1 |= TIM_CR1_CEN;

    DEMCR |= DEMCR_TRCENA;
    DWT_CYCCNT = 0;
    DWT_CTRL |= DWT_CTRL_CYCCNTENA;
}

void timer_interrupt(void)
{
    uint32_t status = TIM2_SR;
    if (status & TIM_SR_UIF) {
        TIM2_SR = ~TIM_SR_UIF; /* status bits clear on writing 0 */
        overflows++;
    }
    if ((status & TIM_SR_CC1IF) && (TIM2_DIER & TIM_DIER_CC1IE)) {
        TIM2_SR = ~TIM_SR_CC1IF;
        TIM2_DIER &= ~TIM_DIER_CC1IE; /* one shot */
        alarm_fired = true;
    }
}

uint64_t hal_time_us(void)
{
    uint32_t previous = cpu_mask_interrupts();
    uint32_t high = overflows;
    uint32_t low = TIM2_CNT;
    if ((TIM2_SR & TIM_SR_UIF) && low < 0x80000000u)
        high++; /* wrapped, and the interrupt has not counted it yet */
    cpu_restore_interrupts(previous);
    return ((uint64_t)high << 32) | low;
}

void hal_timer_alarm_at(uint64_t time_us)
{
    uint32_t previous = cpu_mask_interrupts();
    alarm_fired = false;
    TIM2_CCR1 = (uint32_t)time_us;
    TIM2_SR = ~TIM_SR_CC1IF;
    TIM2_DIER |= TIM_DIER_CC1IE;
    cpu_restore_interrupts(previous);
    /* A compare fires only on equality: a time already passed must be flagged here. */
    if (hal_time_us() >= time_us) {
        previous = cpu_mask_interrupts();
        TIM2_DIER &= ~TIM_DIER_CC1IE;
        alarm_fired = true;
        cpu_restore_interrupts(previous);
    }
}

void hal_timer_cancel(void)
{
    uint32_t previous = cpu_mask_interrupts();
    TIM2_DIER &= ~TIM_DIER_CC1IE;
    TIM2_SR = ~TIM_SR_CC1IF;
    alarm_fired = false;
    cpu_restore_interrupts(previous);
}

bool hal_timer_alarm_fired(void)
{
    return alarm_fired;
}

void hal_delay_ns(uint32_t ns)
{
    uint32_t cycles = (uint32_t)(((uint64_t)ns * CYCLES_PER_NS_Q20) >> 20);
    uint32_t start = DWT_CYCCNT;
    while (DWT_CYCCNT - start < cycles)
        continue;
}
