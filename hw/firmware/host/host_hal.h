/*
 * host_hal.h - setting up the host implementation of hal.h, on which the
 * unchanged firmware runs as an ordinary Linux program.
 *
 *   rows, multiplexers, ADC   the simulated matrix (matrix.h) feeling the
 *                             test pattern (pattern.h); a new scan begins,
 *                             and the pattern moves on, when row 0 is driven
 *   settle waits              simulated time in the matrix: nothing waits
 *   clock                     CLOCK_MONOTONIC since host_hal_open, in us
 *   alarm                     an absolute deadline, honoured by the wait
 *   serial                    the master side of a pseudo-terminal (the pty
 *                             module of tools/sim), raw mode; the host opens
 *                             the slave as it would /dev/ttyUSB0
 *   wait for interrupt        ppoll on the port until the alarm's deadline,
 *                             with SIGINT and SIGTERM unblocked only there
 *
 * "Interrupts" are level checks made by the HAL functions, so masking them
 * is a no-op here. Transmission never blocks, like DMA to a UART: what the
 * pty takes now is gone; the rest is offered again each time the firmware
 * asks whether the link is busy. While no host has the port open and the
 * pty's buffer is full, the rest is discarded, as a UART's bytes are with
 * nobody listening. Every byte the pty took is copied to the --tee file.
 */
#ifndef MTABLE_HOST_HAL_H
#define MTABLE_HOST_HAL_H

#include <stdbool.h>
#include <stdint.h>

/* What the host table looks like from outside. */
struct host_hal_settings {
    unsigned rows, cols;   /* grid of the simulated matrix */
    const char *link_path; /* symbolic link to the port, or NULL */
    const char *tee_path;  /* file receiving a copy of every byte sent, or NULL */
};

/* What happened on the host table's edges since host_hal_open. */
struct host_hal_counters {
    uint64_t scans;           /* scans begun (row 0 driven) */
    uint64_t bytes_sent;      /* bytes the pty took */
    uint64_t bytes_discarded; /* bytes dropped while nobody listened */
};

/*
 * Creates the matrix, the pseudo-terminal (and its link), the tee file,
 * and the stop signals' handlers; the clock starts at 0. Logs what failed
 * and returns a negative errno.
 */
int host_hal_open(const struct host_hal_settings *settings);

/* Closes the port (removing its link) and the tee file, frees the matrix. */
void host_hal_close(void);

/* Path of the pseudo-terminal's slave, e.g. /dev/pts/3. */
const char *host_hal_port(void);

/* True once SIGINT or SIGTERM arrived. */
bool host_hal_stop_requested(void);

/* Counters since host_hal_open. */
struct host_hal_counters host_hal_counters(void);

#endif
