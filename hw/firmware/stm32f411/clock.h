/*
 * clock.h - the STM32F411's clock tree, set once at reset.
 *
 *   HSE 25 MHz --PLL--> SYSCLK = HCLK 96 MHz --+-- APB2 96 MHz: USART1, ADC1 (/4: 24 MHz)
 *                                             +-- APB1 48 MHz: TIM2 (x2: 96 MHz)
 *
 * The crystal, not the internal RC oscillator (1 % tolerance), times the
 * frames and the UART. Without a working crystal clock_init never returns:
 * the board is faulty, and a debugger shows it waiting here.
 */
#ifndef MTABLE_STM32F411_CLOCK_H
#define MTABLE_STM32F411_CLOCK_H

/* Starts the crystal and the PLL, sets flash wait states and bus prescalers, switches over. */
void clock_init(void);

#endif
