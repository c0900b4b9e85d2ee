/*
 * registers.h - the few STM32F411 and Cortex-M4 registers the firmware uses.
 *
 * Names and offsets are those of ST's reference manual RM0383 (STM32F411xC/E,
 * section numbers below) and of ARM's ARMv7-M Architecture Reference Manual
 * (DDI 0403) for the core's registers. Only what the target layer touches
 * is defined; bit names are PERIPHERAL_REGISTER_FIELD.
 */
#ifndef MTABLE_STM32F411_REGISTERS_H
#define MTABLE_STM32F411_REGISTERS_H

#include <stdint.h>

/* A memory-mapped 32-bit register at address. */
#define REGISTER(address) (*(volatile uint32_t *)(uintptr_t)(address))

/* RM0383 2.3, the memory map: peripheral base addresses. */
#define TIM2_BASE   0x40000000u
#define PWR_BASE    0x40007000u
#define USART1_BASE 0x40011000u
#define ADC1_BASE   0x40012000u
#define GPIOA_BASE  0x40020000u
#define GPIOB_BASE  0x40020400u
#define RCC_BASE    0x40023800u
#define FLASH_BASE  0x40023C00u
#define DMA2_BASE   0x40026400u

/* RM0383 3.8.1: flash access control (wait states, caches). */
#define FLASH_ACR              REGISTER(FLASH_BASE + 0x00u)
#define FLASH_ACR_LATENCY_POS  0
#define FLASH_ACR_LATENCY_MASK 0xFu
#define FLASH_ACR_PRFTEN       (1u << 8)
#define FLASH_ACR_ICEN         (1u << 9)
#define FLASH_ACR_DCEN         (1u << 10)

/* RM0383 5.4.1: power control, regulator voltage scaling. */
#define PWR_CR          REGISTER(PWR_BASE + 0x00u)
#define PWR_CR_VOS_POS  14
#define PWR_CR_VOS_MASK (3u << 14)

/* RM0383 6.3: reset and clock control. */
#define RCC_CR                 REGISTER(RCC_BASE + 0x00u)
#define RCC_CR_HSEON           (1u << 16)
#define RCC_CR_HSERDY          (1u << 17)
#define RCC_CR_PLLON           (1u << 24)
#define RCC_CR_PLLRDY          (1u << 25)
#define RCC_PLLCFGR            REGISTER(RCC_BASE + 0x04u)
#define RCC_PLLCFGR_PLLM_POS   0
#define RCC_PLLCFGR_PLLN_POS   6
#define RCC_PLLCFGR_PLLP_POS   16
#define RCC_PLLCFGR_PLLSRC_HSE (1u << 22)
#define RCC_PLLCFGR_PLLQ_POS   24
#define RCC_PLLCFGR_FIELDS     0x0F437FFFu /* PLLQ, PLLSRC, PLLP, PLLN, PLLM: the rest is reserved */
#define RCC_CFGR               REGISTER(RCC_BASE + 0x08u)
#define RCC_CFGR_SW_PLL        (2u << 0)
#define RCC_CFGR_SWS_MASK      (3u << 2)
#define RCC_CFGR_SWS_PLL       (2u << 2)
#define RCC_CFGR_PPRE1_DIV2    (4u << 10)
#define RCC_AHB1ENR            REGISTER(RCC_BASE + 0x30u)
#define RCC_AHB1ENR_GPIOAEN    (1u << 0)
#define RCC_AHB1ENR_GPIOBEN    (1u << 1)
#define RCC_AHB1ENR_DMA2EN     (1u << 22)
#define RCC_APB1ENR            REGISTER(RCC_BASE + 0x40u)
#define RCC_APB1ENR_TIM2EN     (1u << 0)
#define RCC_APB1ENR_PWREN      (1u << 28)
#define RCC_APB2ENR            REGISTER(RCC_BASE + 0x44u)
#define RCC_APB2ENR_USART1EN   (1u << 4)
#define RCC_APB2ENR_ADC1EN     (1u << 8)

/* RM0383 8.4: general-purpose I/O ports. */
#define GPIO_MODER(base)    REGISTER((base) + 0x00u)
#define GPIO_OSPEEDR(base)  REGISTER((base) + 0x08u)
#define GPIO_PUPDR(base)    REGISTER((base) + 0x0Cu)
#define GPIO_BSRR(base)     REGISTER((base) + 0x18u)
#define GPIO_AFRH(base)     REGISTER((base) + 0x24u)
#define GPIO_MODE_OUTPUT    1u /* MODER field values, two bits per pin */
#define GPIO_MODE_ALTERNATE 2u
#define GPIO_MODE_ANALOG    3u
#define GPIO_SPEED_HIGH     2u /* OSPEEDR field value */
#define GPIO_PULL_UP        1u /* PUPDR field value */

/* RM0383 9.5: DMA controller; stream 7 of DMA2 carries USART1_TX on channel 4 (DMA2 request
 * mapping). */
#define DMA2_HIFCR                       REGISTER(DMA2_BASE + 0x0Cu)
#define DMA_HIFCR_STREAM7                (0x3Du << 22) /* CTCIF7, CHTIF7, CTEIF7, CDMEIF7, CFEIF7 */
#define DMA2_S7CR                        REGISTER(DMA2_BASE + 0x10u + 0x18u * 7u)
#define DMA2_S7NDTR                      REGISTER(DMA2_BASE + 0x14u + 0x18u * 7u)
#define DMA2_S7PAR                       REGISTER(DMA2_BASE + 0x18u + 0x18u * 7u)
#define DMA2_S7M0AR                      REGISTER(DMA2_BASE + 0x1Cu + 0x18u * 7u)
#define DMA2_S7FCR                       REGISTER(DMA2_BASE + 0x24u + 0x18u * 7u)
#define DMA_SCR_EN                       (1u << 0)
#define DMA_SCR_TEIE                     (1u << 2)
#define DMA_SCR_TCIE                     (1u << 4)
#define DMA_SCR_DIR_MEMORY_TO_PERIPHERAL (1u << 6)
#define DMA_SCR_MINC                     (1u << 10)
#define DMA_SCR_CHSEL_POS                25
#define DMA2_S7_CHANNEL_USART1_TX        4u /* table 28 */

/* RM0383 10.1 (NVIC), the vector table: interrupt positions. */
#define IRQ_TIM2         28
#define IRQ_USART1       37
#define IRQ_DMA2_STREAM7 70
/* RM0383 vector table: positions 0..85, FPU (81) and SPI5 (85) included. */
#define IRQ_COUNT 86

/* RM0383 11.12: ADC1's registers, and the common ones at offset 0x300. */
#define ADC1_SR             REGISTER(ADC1_BASE + 0x00u)
#define ADC_SR_EOC          (1u << 1)
#define ADC1_CR1            REGISTER(ADC1_BASE + 0x04u)
#define ADC1_CR2            REGISTER(ADC1_BASE + 0x08u)
#define ADC_CR2_ADON        (1u << 0)
#define ADC_CR2_SWSTART     (1u << 30)
#define ADC1_SMPR2          REGISTER(ADC1_BASE + 0x10u)
#define ADC_SMPR_15_CYCLES  1u /* SMPx field value: 15 ADC clocks of sampling */
#define ADC1_SQR1           REGISTER(ADC1_BASE + 0x2Cu)
#define ADC1_SQR3           REGISTER(ADC1_BASE + 0x34u)
#define ADC1_DR             REGISTER(ADC1_BASE + 0x4Cu)
#define ADC_CCR             REGISTER(ADC1_BASE + 0x300u + 0x04u)
#define ADC_CCR_ADCPRE_DIV4 (1u << 16)

/* RM0383 13.4: general-purpose timer TIM2 (32-bit counter). */
#define TIM2_CR1       REGISTER(TIM2_BASE + 0x00u)
#define TIM_CR1_CEN    (1u << 0)
#define TIM_CR1_URS    (1u << 2)
#define TIM2_DIER      REGISTER(TIM2_BASE + 0x0Cu)
#define TIM_DIER_UIE   (1u << 0)
#define TIM_DIER_CC1IE (1u << 1)
#define TIM2_SR        REGISTER(TIM2_BASE + 0x10u)
#define TIM_SR_UIF     (1u << 0)
#define TIM_SR_CC1IF   (1u << 1)
#define TIM2_EGR       REGISTER(TIM2_BASE + 0x14u)
#define TIM_EGR_UG     (1u << 0)
#define TIM2_CNT       REGISTER(TIM2_BASE + 0x24u)
#define TIM2_PSC       REGISTER(TIM2_BASE + 0x28u)
#define TIM2_ARR       REGISTER(TIM2_BASE + 0x2Cu)
#define TIM2_CCR1      REGISTER(TIM2_BASE + 0x34u)

/* RM0383 19.6: USART1. */
#define USART1_SR        REGISTER(USART1_BASE + 0x00u)
#define USART_SR_ORE     (1u << 3)
#define USART_SR_RXNE    (1u << 5)
#define USART1_DR        REGISTER(USART1_BASE + 0x04u)
#define USART1_BRR       REGISTER(USART1_BASE + 0x08u)
#define USART1_CR1       REGISTER(USART1_BASE + 0x0Cu)
#define USART_CR1_RE     (1u << 2)
#define USART_CR1_TE     (1u << 3)
#define USART_CR1_RXNEIE (1u << 5)
#define USART_CR1_UE     (1u << 13)
#define USART_CR1_OVER8  (1u << 15)
#define USART1_CR3       REGISTER(USART1_BASE + 0x14u)
#define USART_CR3_DMAT   (1u << 7)

/* RM0383 24.1: the 96-bit unique device identifier, three words. */
#define UID_WORD(n) REGISTER(0x1FFF7A10u + 4u * (n))

/* ARMv7-M ARM B3.4.4: NVIC interrupt set-enable registers, 32 interrupts each. */
#define NVIC_ISER(n) REGISTER(0xE000E100u + 4u * (n))
/* ARMv7-M ARM C1.6.5: debug exception and monitor control; TRCENA powers the DWT. */
#define DEMCR        REGISTER(0xE000EDFCu)
#define DEMCR_TRCENA (1u << 24)
/* ARMv7-M ARM C1.8.7-8: data watchpoint and trace unit, its cycle counter. */
#define DWT_CTRL           REGISTER(0xE0001000u)
#define DWT_CTRL_CYCCNTENA (1u << 0)
#define DWT_CYCCNT         REGISTER(0xE0001004u)

#endif
