/*
 * uart.c - RM0383 19 (USART), 9 (DMA), 8 (GPIO alternate functions).
 */
#include "uart.h"

#include "board.h"
#include "cpu.h"
#include "hal.h"
#include "registers.h"

/* Received bytes held for the main loop: a power of two, so the indices wrap cleanly. */
#define RX_RING_SIZE 256u

static volatile uint8_t rx_ring[RX_RING_SIZE];
static volatile uint32_t rx_head; /* bytes ever received (written by the interrupt) */
static volatile uint32_t rx_tail; /* bytes ever taken (written by the main loop) */

/* Sets the two-bit field of pin in a GPIO register to value. */
static void set_pin_field(volatile uint32_t *reg, unsigned pin, uint32_t value)
{
    *reg = (*reg & ~(3u << (2u * pin))) | (value << (2u * pin));
}

void uart_init(void)
{
    RCC_AHB1ENR |= RCC_AHB1ENR_GPIOAEN | RCC_AHB1ENR_DMA2EN;
    RCC_APB2ENR |= RCC_APB2ENR_USART1EN;
    const unsigned pins[2] = {BOARD_USART1_TX_PIN, BOARD_USART1_RX_PIN};
    for (unsigned i = 0; i < 2; i++) {
        unsigned shift = 4u * (pins[i] - 8u); /* AFRH holds pins 8..15, four bits each */
        GPIO_AFRH(GPIOA_BASE) =
            (GPIO_AFRH(GPIOA_BASE) & ~(0xFu << shift)) | (BOARD_USART1_AF << shift);
        set_pin_field(&GPIO_MODER(GPIOA_BASE), pins[i], GPIO_MODE_ALTERNATE);
    }
    set_pin_field(&GPIO_OSPEEDR(GPIOA_BASE), BOARD_USART1_TX_PIN, GPIO_SPEED_HIGH);
    set_pin_field(&GPIO_PUPDR(GPIOA_BASE), BOARD_USART1_RX_PIN, GPIO_PULL_UP); /* idle high */

    USART1_BRR = BOARD_USART1_BRR;
    USART1_CR3 = USART_CR3_DMAT;
    USART1_CR1 = USART_CR1_OVER8 | USART_CR1_UE | USART_CR1_TE | USART_CR1_RE | USART_CR1_RXNEIE;
    cpu_enable_irq(IRQ_USART1);
    cpu_enable_irq(IRQ_DMA2_STREAM7);
}

void uart_interrupt(void)
{
    uint32_t status = USART1_SR;
    if (status & (USART_SR_RXNE | USART_SR_ORE)) {
        uint8_t byte = (uint8_t)USART1_DR; /* reading SR then DR clears RXNE and ORE */
        uint32_t head = rx_head;
        if (head - rx_tail < RX_RING_SIZE) {
            rx_ring[head % RX_RING_SIZE] = byte;
            rx_head = head + 1u;
        }
    }
}

void uart_dma_interrupt(void)
{
    DMA2_HIFCR = DMA_HIFCR_STREAM7; /* done (or failed): the stream has disabled itself */
}

void hal_serial_send(const uint8_t *bytes, size_t len)
{
    DMA2_S7CR &= ~DMA_SCR_EN;
    while (DMA2_S7CR & DMA_SCR_EN)
        continue;
    DMA2_HIFCR = DMA_HIFCR_STREAM7;
    DMA2_S7PAR = (uint32_t)(uintptr_t)&USART1_DR;
    DMA2_S7M0AR = (uint32_t)(uintptr_t)bytes;
    DMA2_S7NDTR = (uint32_t)len;
    DMA2_S7FCR = 0; /* direct mode: byte by byte as the USART asks */
    DMA2_S7CR = (DMA2_S7_CHANNEL_USART1_TX << DMA_SCR_CHSEL_POS) | DMA_SCR_MINC |
                DMA_SCR_DIR_MEMORY_TO_PERIPHERAL | DMA_SCR_TCIE | DMA_SCR_TEIE;
    DMA2_S7CR |= DMA_SCR_EN;
}

bool hal_serial_busy(void)
{
    return (DMA2_S7CR & DMA_SCR_EN) != 0;
}

bool hal_serial_readable(void)
{
    return rx_head != rx_tail;
}

size_t hal_serial_receive(uint8_t *bytes, size_t capacity)
{
    size_t n = 0;
    uint32_t tail = rx_tail;
    uint32_t head = rx_head;
    while (n < capacity && tail != head)
        bytes[n++] = rx_ring[tail++ % RX_RING_SIZE];
    rx_tail = tail;
    return n;
}
