/*
 * clock.c - RM0383 6.3 (RCC), 5.4.1 (voltage scaling), 3.4.1 (flash latency).
 */
#include "clock.h"

#include "board.h"
#include "registers.h"

void clock_init(void)
{
    RCC_APB1ENR |= RCC_APB1ENR_PWREN;
    PWR_CR = (PWR_CR & ~PWR_CR_VOS_MASK) | (BOARD_VOLTAGE_SCALE_1 << PWR_CR_VOS_POS);

    RCC_CR |= RCC_CR_HSEON;
    while ((RCC_CR & RCC_CR_HSERDY) == 0)
        continue;
    RCC_PLLCFGR = (RCC_PLLCFGR & ~RCC_PLLCFGR_FIELDS) | (BOARD_PLLM << RCC_PLLCFGR_PLLM_POS) |
                  (BOARD_PLLN << RCC_PLLCFGR_PLLN_POS) | (BOARD_PLLP_DIV2 << RCC_PLLCFGR_PLLP_POS) |
                  RCC_PLLCFGR_PLLSRC_HSE | (BOARD_PLLQ << RCC_PLLCFGR_PLLQ_POS);
    RCC_CR |= RCC_CR_PLLON;
    while ((RCC_CR & RCC_CR_PLLRDY) == 0)
        continue;

    /* Slower flash first, then the faster clock (RM0383 3.4.1, "increasing the CPU frequency"). */
    FLASH_ACR = (BOARD_FLASH_WAIT_STATES << FLASH_ACR_LATENCY_POS) | FLASH_ACR_PRFTEN |
                FLASH_ACR_ICEN | FLASH_ACR_DCEN;
    while ((FLASH_ACR & FLASH_ACR_LATENCY_MASK) != BOARD_FLASH_WAIT_STATES)
        continue;
    RCC_CFGR = RCC_CFGR_PPRE1_DIV2 | RCC_CFGR_SW_PLL; /* AHB and APB2 undivided */
    while ((RCC_CFGR & RCC_CFGR_SWS_MASK) != RCC_CFGR_SWS_PLL)
        continue;
}
