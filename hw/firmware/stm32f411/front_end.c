/*
 * front_end.c - RM0383 8 (GPIO), 11 (ADC).
 */
#include "front_end.h"

#include "board.h"
#include "hal.h"
#include "registers.h"

/* Row address bits: six lines select one of 64 rows. */
#define ROW_ADDRESS_MASK 0x3Fu
/* Multiplexer address bits: four lines select one of 16 channels. */
#define MUX_ADDRESS_MASK 0xFu

static const uint32_t MUX_ADC_CHANNEL[BOARD_MUXES] = BOARD_MUX_ADC_CHANNELS;

/* Sets the two-bit field of pin in a GPIO register to value. */
static void set_pin_field(volatile uint32_t *reg, unsigned pin, uint32_t value)
{
    *reg = (*reg & ~(3u << (2u * pin))) | (value << (2u * pin));
}

/* One BSRR value: the bits of value in field (mask at pin first) set, the others reset. */
static uint32_t bsrr_field(uint32_t value, uint32_t mask, unsigned first_pin)
{
    return ((value & mask) << first_pin) | ((~value & mask) << (first_pin + 16u));
}

void front_end_init(void)
{
    RCC_AHB1ENR |= RCC_AHB1ENR_GPIOAEN | RCC_AHB1ENR_GPIOBEN;
    RCC_APB2ENR |= RCC_APB2ENR_ADC1EN;

    /* Levels first, then outputs: the pins come up with every row idle. */
    GPIO_BSRR(GPIOB_BASE) = bsrr_field(0, ROW_ADDRESS_MASK, BOARD_ROW_ADDRESS_PIN) |
                            (1u << (BOARD_ROW_ENABLE_PIN + 16u)) |
                            bsrr_field(0, MUX_ADDRESS_MASK, BOARD_MUX_ADDRESS_PIN);
    for (unsigned bit = 0; bit < 6u; bit++)
        set_pin_field(&GPIO_MODER(GPIOB_BASE), BOARD_ROW_ADDRESS_PIN + bit, GPIO_MODE_OUTPUT);
    set_pin_field(&GPIO_MODER(GPIOB_BASE), BOARD_ROW_ENABLE_PIN, GPIO_MODE_OUTPUT);
    for (unsigned bit = 0; bit < 4u; bit++)
        set_pin_field(&GPIO_MODER(GPIOB_BASE), BOARD_MUX_ADDRESS_PIN + bit, GPIO_MODE_OUTPUT);

    ADC_CCR = ADC_CCR_ADCPRE_DIV4;
    ADC1_CR1 = 0;  /* 12-bit resolution, no scan */
    ADC1_SQR1 = 0; /* one conversion per start */
    for (unsigned m = 0; m < BOARD_MUXES; m++) {
        /* Analog mode: PA<n> is ADC1_IN<n> on this package. */
        set_pin_field(&GPIO_MODER(GPIOA_BASE), MUX_ADC_CHANNEL[m], GPIO_MODE_ANALOG);
        ADC1_SMPR2 |= ADC_SMPR_15_CYCLES << (3u * MUX_ADC_CHANNEL[m]);
    }
    ADC1_CR2 = ADC_CR2_ADON;
    hal_delay_ns(3000); /* ADC power-up, t_STAB (datasheet: 3 us) */
}

void hal_row_drive(unsigned row)
{
    /* Address first, decoders still off; then enable: no other row is touched on the way. */
    GPIO_BSRR(GPIOB_BASE) = bsrr_field(row, ROW_ADDRESS_MASK, BOARD_ROW_ADDRESS_PIN);
    GPIO_BSRR(GPIOB_BASE) = 1u << BOARD_ROW_ENABLE_PIN;
}

void hal_row_release(unsigned row)
{
    (void)row; /* one row at a time: disabling the decoders releases it */
    GPIO_BSRR(GPIOB_BASE) = 1u << (BOARD_ROW_ENABLE_PIN + 16u);
}

void hal_mux_select(unsigned channel)
{
    GPIO_BSRR(GPIOB_BASE) = bsrr_field(channel, MUX_ADDRESS_MASK, BOARD_MUX_ADDRESS_PIN);
}

uint16_t hal_adc_sample(unsigned input)
{
    ADC1_SQR3 = MUX_ADC_CHANNEL[input];
    ADC1_CR2 |= ADC_CR2_SWSTART;
    while ((ADC1_SR & ADC_SR_EOC) == 0)
        continue;
    return (uint16_t)ADC1_DR; /* reading DR clears EOC */
}
