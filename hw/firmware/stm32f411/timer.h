/*
 * timer.h - time on the STM32F411: TIM2 and the core's cycle counter.
 *
 * Implements hal.h's clock, alarm and settle wait:
 *
 *   TIM2     32-bit counter at 1 MHz, never stopped: the low word of
 *            hal_time_us; its overflow interrupt (every 71.6 minutes)
 *            counts the high word. Compare channel 1 is the alarm: its
 *            interrupt sets the flag hal_timer_alarm_fired reports.
 *   DWT      the Cortex-M4 cycle counter at 96 MHz: hal_delay_ns spins on
 *            it, so a settle wait is exact to a cycle and independent of
 *            the code around it.
 *
 * An alarm is at most 2^32 us (71 minutes) ahead, more than the longest
 * frame period the firmware accepts (1000 s).
 */
#ifndef MTABLE_STM32F411_TIMER_H
#define MTABLE_STM32F411_TIMER_H

/* Starts TIM2 at 1 MHz from 0, its interrupt, and the cycle counter. */
void timer_init(void);

/* TIM2's interrupt handler (vector table position IRQ_TIM2). */
void timer_interrupt(void);

#endif
