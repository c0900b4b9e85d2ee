/*
 * pty.h - the simulated table's serial port: a pseudo-terminal whose slave
 * side the host opens as it would /dev/ttyACM0.
 *
 * The simulator holds only the master. The slave is put in raw mode once
 * (cfmakeraw: no byte translated, no echo, no line buffering) and closed
 * again, so the master reports POLLHUP whenever no host has the port open:
 * then pty_wait sleeps and looks again every PTY_HANGUP_RECHECK_MS instead
 * of polling a descriptor that is always ready. Bytes written while no host
 * has the port open stay in the pty's buffer for the next one.
 *
 * Every wait is a ppoll that unblocks the caller's termination signals
 * only while it sleeps, so a signal is never missed between a check of the
 * stop flag and the sleep. Writes block (politely, in ppoll) until the host
 * has taken every byte: nothing is dropped or cut because the host reads
 * slowly. Once a stop is requested, a stalled host gets PTY_STOP_GRACE_MS
 * more to take the packet being written.
 */
#ifndef MTABLE_SIM_PTY_H
#define MTABLE_SIM_PTY_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How often to look whether a host has opened the port: short next to a host's retry. */
#define PTY_HANGUP_RECHECK_MS 20
/* Time a stalled host still gets to take a packet after a stop request. */
#define PTY_STOP_GRACE_MS 1000

/* One pseudo-terminal; set up with pty_open. */
struct pty {
    int master;                            /* non-blocking master descriptor */
    char slave_path[64];                   /* e.g. /dev/pts/3 */
    char *link_path;                       /* symlink to slave_path, or NULL */
    bool hung_up;                          /* no host has the port open */
    sigset_t wait_mask;                    /* signal mask while waiting */
    const volatile sig_atomic_t *stopping; /* set by the signal handler */
};

/*
 * Opens a pseudo-terminal in raw mode. wait_mask is the signal mask to wait
 * with (the termination signals unblocked), stopping the flag their handler
 * sets. Returns 0 or a negative errno.
 */
int pty_open(struct pty *pty, const sigset_t *wait_mask, const volatile sig_atomic_t *stopping);

/*
 * Makes path a symbolic link to the slave, replacing whatever was there in
 * one step (a link to a temporary name, renamed). Removed by pty_close.
 * Returns 0 or a negative errno.
 */
int pty_link(struct pty *pty, const char *path);

/* Removes the link (if it still points to this pty) and closes the master. */
void pty_close(struct pty *pty);

/*
 * Waits until the host sent bytes (returns 1), until deadline_ns on
 * CLOCK_MONOTONIC passes (returns 0; UINT64_MAX waits for ever) or a signal
 * arrives (returns -EINTR). Looks at the port even when the deadline has
 * passed, so commands are noticed between frames however late they are.
 */
int pty_wait(struct pty *pty, uint64_t deadline_ns);

/*
 * Reads what the host sent, up to capacity bytes, without waiting. Returns
 * 0 and sets *received (0 if nothing was there), or a negative errno.
 */
int pty_read(struct pty *pty, uint8_t *bytes, size_t capacity, size_t *received);

/*
 * Writes len bytes, waiting while the host is slow to read. Returns 0, or
 * -EPIPE when the host closed the port before taking them all, -ETIMEDOUT
 * when stopping and the host took nothing more for PTY_STOP_GRACE_MS, or
 * another negative errno. *written is set in every case to the bytes the
 * host was given.
 */
int pty_write(struct pty *pty, const uint8_t *bytes, size_t len, size_t *written);

/*
 * Waits until the host has read every byte written, looking every
 * millisecond, for at most timeout_ms (less if a stop is requested).
 * Returns 0 once it has, the bytes still unread (in the line discipline's
 * buffer) when the time is up, or a negative errno.
 */
int pty_drain(struct pty *pty, int timeout_ms);

/* True while no host has the port open (as last seen). */
bool pty_hung_up(const struct pty *pty);

#endif
