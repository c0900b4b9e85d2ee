/*
 * uart.h - the serial link on the STM32F411: USART1 at BOARD_BAUD, 8N1,
 * to a USB-serial bridge.
 *
 * Implements hal.h's serial functions:
 *
 *   transmit  DMA2 stream 7 (channel 4) copies the packet to USART1 while
 *             the firmware scans; busy while the stream is enabled; its
 *             transfer-complete interrupt wakes the main loop
 *   receive   the RXNE interrupt puts each byte in a 256-byte ring; the
 *             main loop takes them. One writer per index (the interrupt
 *             the head, the loop the tail), aligned words: no lock needed
 *             on a single core. Bytes arriving with the ring full are
 *             dropped (commands are a few bytes; the decoder resyncs).
 */
#ifndef MTABLE_STM32F411_UART_H
#define MTABLE_STM32F411_UART_H

/* Sets up the pins, USART1, the DMA stream and their interrupts. */
void uart_init(void);

/* USART1's interrupt handler (vector table position IRQ_USART1). */
void uart_interrupt(void);

/* DMA2 stream 7's interrupt handler (vector table position IRQ_DMA2_STREAM7). */
void uart_dma_interrupt(void);

#endif
