/*
 * board.h - how the STM32F411 board (a WeAct "Black Pill" STM32F411CEU6 with
 * a 25 MHz crystal) is wired to the table's front end (hw/README.md, "Wiring").
 *
 *   PB3..PB8   row address A0..A5  --> 8 row decoders 74LVC138A (A0..A2) and
 *                                      a bank decoder 74LVC138A (A3..A5)
 *   PB9        row enable (high)    --> bank decoder G1: low = every row idle
 *   PB12..PB15 column address S0..S3 --> both CD74HC4067 multiplexers
 *   PA1        ADC1_IN1            <-- multiplexer 0 (columns 0..15)
 *   PA2        ADC1_IN2            <-- multiplexer 1 (columns 16..31)
 *   PA9/PA10   USART1 TX/RX (AF7)  <-> USB-serial bridge RX/TX
 *
 * Row r is driven (pulled to 0 V by its decoder output) while PB9 is high
 * and PB3..PB8 hold r; every other row output stays high, at the reference
 * voltage, as the column pull-ups.
 */
#ifndef MTABLE_STM32F411_BOARD_H
#define MTABLE_STM32F411_BOARD_H

#include "table.h"

/* Core clock: HSE 25 MHz / PLLM 25 * PLLN 192 / PLLP 2; the USB clock (PLLQ 4) is 48 MHz. */
#define BOARD_CORE_HZ 96000000u
/* Crystal on the Black Pill. */
#define BOARD_HSE_HZ 25000000u
/* PLL settings for BOARD_CORE_HZ (RM0383 6.3.2): VCO input 1 MHz, VCO output 192 MHz. */
#define BOARD_PLLM      25u
#define BOARD_PLLN      192u
#define BOARD_PLLP_DIV2 0u /* PLLP field 0 divides by 2 */
#define BOARD_PLLQ      4u
/* Flash wait states at 96 MHz and 2.7-3.6 V (RM0383 3.4.1, the wait-state table). */
#define BOARD_FLASH_WAIT_STATES 3u
/* Regulator scale 1, needed above 84 MHz (RM0383 5.1, PWR_CR.VOS). */
#define BOARD_VOLTAGE_SCALE_1 3u

/* Timer prescaler: TIM2 runs at 2 x 48 MHz APB1 = 96 MHz (RM0383 6.2); 96 ticks = 1 us. */
#define BOARD_TIM2_PRESCALER (BOARD_CORE_HZ / 1000000u - 1u)

/*
 * UART speed: 4,139 bytes per 64 x 32 frame, 10 bits a byte, 100 frames/s need
 * 4,139,000 baud (hw/PROTOCOL.md 6); 6 Mbaud leaves room and divides exactly:
 * USART1 on the 96 MHz APB2 with 8x oversampling, USARTDIV = 96e6 / (8 x 6e6) = 2.
 */
#define BOARD_BAUD 6000000u
/* USART1_BRR for BOARD_BAUD: mantissa 2, fraction 0 (RM0383 19.3.4). */
#define BOARD_USART1_BRR (2u << 4)

/* GPIOB pins: row address bits A0..A5 start here. */
#define BOARD_ROW_ADDRESS_PIN 3u
/* GPIOB pin enabling the row decoders. */
#define BOARD_ROW_ENABLE_PIN 9u
/* GPIOB pins: column multiplexer address S0..S3 start here. */
#define BOARD_MUX_ADDRESS_PIN 12u
/* ADC1 channel of each multiplexer's output: PA1 and PA2. */
#define BOARD_MUX_ADC_CHANNELS                                                                     \
    {                                                                                              \
        1u, 2u                                                                                     \
    }
/* Multiplexers wired. */
#define BOARD_MUXES 2u
/* GPIOA pins of USART1: alternate function 7 (the datasheet's alternate function map). */
#define BOARD_USART1_TX_PIN 9u
#define BOARD_USART1_RX_PIN 10u
#define BOARD_USART1_AF     7u

/*
 * Fastest frame rate SET_RATE accepts for the default grid (hw/README.md,
 * "Scan-time budget"): a scan takes 7.9 ms and encoding 0.6 ms, so 8.5 ms
 * per frame; 110 frames/s (9.1 ms) keeps a margin. The link at 6 Mbaud
 * would carry 144.
 */
#define BOARD_MAX_RATE_MHZ 110000u

_Static_assert(TABLE_ROWS <= 64, "six row address lines select at most 64 rows");
_Static_assert(TABLE_COLS <= 16 * BOARD_MUXES, "two 16-channel multiplexers read 32 columns");

#endif
