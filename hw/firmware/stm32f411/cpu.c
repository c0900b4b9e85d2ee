/*
 * cpu.c - PRIMASK, WFI and NVIC_ISER.
 */
#include "cpu.h"

#include "hal.h"
#include "registers.h"

void cpu_enable_irq(unsigned irq)
{
    NVIC_ISER(irq / 32u) = 1u << (irq % 32u);
}

uint32_t cpu_mask_interrupts(void)
{
    uint32_t previous;
    __asm volatile("mrs %0, primask" : "=r"(previous));
    __asm volatile("cpsid i" ::: "memory");
    return previous;
}

void cpu_restore_interrupts(uint32_t previous)
{
    __asm volatile("msr primask, %0" ::"r"(previous) : "memory");
}

void hal_interrupts_disable(void)
{
    __asm volatile("cpsid i" ::: "memory");
}

void hal_interrupts_enable(void)
{
    __asm volatile("cpsie i" ::: "memory");
}

void hal_wait_for_interrupt(void)
{
    __asm volatile("wfi" ::: "memory");
}
