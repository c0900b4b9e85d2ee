/*
 * startup.c - what runs before main: the vector table and the reset handler.
 *
 * The Cortex-M4 reads the initial stack pointer and the reset handler's
 * address from the first two words of flash (ARMv7-M ARM B1.5.3); the
 * linker script places vector_table there. Reset copies .data's initial
 * values from flash to RAM, zeroes .bss, and calls main. Faults and core
 * exceptions stop in unused_interrupt, where a debugger finds them; the
 * peripheral interrupts the firmware never enables have no entry (0).
 *
 *   word 0        _estack (top of RAM)
 *   word 1        reset_handler
 *   words 2..15   core exceptions (NMI, HardFault, ...; 0 where reserved)
 *   words 16..    peripheral interrupts, positions 0..85 of RM0383's vector table (10.1)
 */
#include <stdint.h>
#include <string.h>

#include "registers.h"
#include "timer.h"
#include "uart.h"

/* Exceptions before the first peripheral interrupt (ARMv7-M ARM B1.5.2). */
#define CORE_EXCEPTIONS 16

/* Symbols of the linker script (stm32f411ce.ld). */
extern uint32_t _estack[], _sidata[], _sdata[], _edata[], _sbss[], _ebss[];

int main(void);
void reset_handler(void);
void unused_interrupt(void);

void reset_handler(void)
{
    memcpy(_sdata, _sidata, (size_t)((uintptr_t)_edata - (uintptr_t)_sdata));
    memset(_sbss, 0, (size_t)((uintptr_t)_ebss - (uintptr_t)_sbss));
    main();
    for (;;)
        continue; /* main never returns */
}

void unused_interrupt(void)
{
    for (;;)
        continue;
}

/* The vector table: each entry the address of a handler (the first, of the stack's top). */
__attribute__((section(".isr_vector"),
               used)) static void (*const vector_table[CORE_EXCEPTIONS + IRQ_COUNT])(void) = {
    [0] = (void (*)(void))(uintptr_t)_estack,
    [1] = reset_handler,
    [2] = unused_interrupt,  /* NMI */
    [3] = unused_interrupt,  /* HardFault */
    [4] = unused_interrupt,  /* MemManage */
    [5] = unused_interrupt,  /* BusFault */
    [6] = unused_interrupt,  /* UsageFault */
    [11] = unused_interrupt, /* SVCall */
    [12] = unused_interrupt, /* DebugMonitor */
    [14] = unused_interrupt, /* PendSV */
    [15] = unused_interrupt, /* SysTick */
    [CORE_EXCEPTIONS + IRQ_TIM2] = timer_interrupt,
    [CORE_EXCEPTIONS + IRQ_USART1] = uart_interrupt,
    [CORE_EXCEPTIONS + IRQ_DMA2_STREAM7] = uart_dma_interrupt,
};
