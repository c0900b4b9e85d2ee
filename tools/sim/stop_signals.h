/*
 * stop_signals.h - SIGINT and SIGTERM as a request to stop, for the
 * programs that serve a pty (mtable-sim, mtable-firmware-host).
 *
 * The signals are blocked except while the program waits (ppoll or
 * pselect with the mask stop_signals_catch gives), so a stop is noticed
 * exactly where the loop sleeps and never half-way through a packet.
 */
#ifndef MTABLE_STOP_SIGNALS_H
#define MTABLE_STOP_SIGNALS_H

#include <signal.h>

/* Becomes 1 when SIGINT or SIGTERM arrives (after stop_signals_catch). */
extern volatile sig_atomic_t stop_signals_received;

/*
 * Blocks SIGINT and SIGTERM and has them set stop_signals_received; writes
 * to *wait_mask the mask to wait with, which lets them in. Call before any
 * thread starts, so that every thread blocks them. Returns 0 or -errno.
 */
int stop_signals_catch(sigset_t *wait_mask);

#endif
