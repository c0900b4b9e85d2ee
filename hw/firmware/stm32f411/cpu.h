/*
 * cpu.h - the Cortex-M4 core: interrupt masking, sleeping, the NVIC.
 *
 * Implements hal.h's hal_interrupts_disable/enable (PRIMASK) and
 * hal_wait_for_interrupt (WFI, which wakes on a pending interrupt even
 * while PRIMASK masks it, so deciding to sleep with interrupts masked
 * cannot miss one). The drivers use the helpers below for short critical
 * sections shared with their interrupt handlers.
 */
#ifndef MTABLE_STM32F411_CPU_H
#define MTABLE_STM32F411_CPU_H

#include <stdint.h>

/* Enables interrupt irq (its position in RM0383's vector table, 10.1) in the NVIC. */
void cpu_enable_irq(unsigned irq);

/* Masks interrupts; returns the previous mask for cpu_restore_interrupts. */
uint32_t cpu_mask_interrupts(void);

/* Puts back the interrupt mask cpu_mask_interrupts returned. */
void cpu_restore_interrupts(uint32_t previous);

#endif
