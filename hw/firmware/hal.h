/*
 * hal.h - the hardware the portable firmware needs, as a few plain functions.
 *
 * The firmware (scan.c, firmware.c) calls only these; each target links one
 * implementation: stm32f411/ (registers), host/ (a simulated resistive
 * matrix on a pseudo-terminal) and the unit tests' recording fake. There is
 * one table per program, so the functions take no handle.
 *
 *   rows      one row at a time is driven to the sensing level; every other
 *             row rests at the idle level (see hw/README.md, "Wiring")
 *   columns   analog multiplexers of HAL_MUX_CHANNELS channels share their
 *             address lines; the output of multiplexer m is ADC input m, so
 *             column c is channel c % HAL_MUX_CHANNELS on input c / HAL_MUX_CHANNELS
 *   ADC       one conversion at a time, raw counts of the column voltage
 *   time      a free-running microsecond clock, a one-shot alarm interrupt,
 *             and a short busy wait for settling
 *   serial    transmit in the background (DMA on the target), receive into
 *             a buffer filled by the receive interrupt
 *   sleep     interrupts masked while deciding, then wait for one
 *
 * Interrupt handlers only set flags that these functions report
 * (hal_timer_alarm_fired, hal_serial_busy, hal_serial_readable); all the
 * work happens in the firmware's main loop.
 */
#ifndef MTABLE_HAL_H
#define MTABLE_HAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Channels of one column multiplexer: a CD74HC4067 is 16:1. */
#define HAL_MUX_CHANNELS 16

/* Puts row at the sensing level (the others stay idle). */
void hal_row_drive(unsigned row);

/* Returns row to the idle level. */
void hal_row_release(unsigned row);

/* Sets the shared address lines of every column multiplexer to channel. */
void hal_mux_select(unsigned channel);

/* Converts ADC input (the output of multiplexer input) once; raw counts. */
uint16_t hal_adc_sample(unsigned input);

/* Waits at least ns nanoseconds without sleeping: the settle time before a sample. */
void hal_delay_ns(uint32_t ns);

/* Microseconds since reset on the free-running timer, never wrapping. */
uint64_t hal_time_us(void);

/* Arms the one-shot alarm for time_us (at once if it has passed); clears a fired alarm. */
void hal_timer_alarm_at(uint64_t time_us);

/* Disarms the alarm and clears a fired one. */
void hal_timer_cancel(void);

/* True once the armed alarm has gone off, until it is armed again or cancelled. */
bool hal_timer_alarm_fired(void);

/* Starts sending len bytes in the background; bytes must stay unchanged while busy. */
void hal_serial_send(const uint8_t *bytes, size_t len);

/* True while the bytes of the last hal_serial_send are still being taken from memory. */
bool hal_serial_busy(void);

/* True when received bytes are waiting to be taken. */
bool hal_serial_readable(void);

/* Takes up to capacity received bytes without waiting; returns how many. */
size_t hal_serial_receive(uint8_t *bytes, size_t capacity);

/* Masks interrupts (they stay pending), so a decision to sleep cannot miss one. */
void hal_interrupts_disable(void);

/* Unmasks interrupts; pending ones run now. */
void hal_interrupts_enable(void);

/* Sleeps until an interrupt is pending; call with interrupts masked. */
void hal_wait_for_interrupt(void);

#endif
