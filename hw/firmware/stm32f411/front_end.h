/*
 * front_end.h - the STM32F411's side of the analog front end: row decoder
 * and multiplexer address lines on GPIOB, the multiplexer outputs on ADC1.
 *
 * Implements hal.h's hal_row_drive, hal_row_release, hal_mux_select and
 * hal_adc_sample. Each set of address lines changes in one write to BSRR,
 * so its pins switch together. The ADC runs at 24 MHz (APB2 / 4), samples
 * for 15 clocks and converts in 12: 1.125 us per reading, started by
 * software and awaited (shorter than any interrupt's overhead).
 */
#ifndef MTABLE_STM32F411_FRONT_END_H
#define MTABLE_STM32F411_FRONT_END_H

/* Sets up the address pins (every row idle, channel 0), the analog pins and ADC1. */
void front_end_init(void);

#endif
