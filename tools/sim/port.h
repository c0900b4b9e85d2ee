/*
 * port.h - the simulated table's end of the serial line, as the host sees
 * it: the pseudo-terminal (pty.h), the --tee copy of every byte that goes
 * out, the transmit queue that holds frames while a --pause stalls the
 * line, and the outage of a --disconnect, after which a new pty takes the
 * --link.
 *
 *   port_send --+-- paused: queue, at most PORT_QUEUE_BYTES --port_resume--+
 *               |                                                          v
 *               +-- otherwise -------------------------------------> pty --> host
 *                                                                     `--> tee (bytes written)
 *
 * While paused the port neither writes nor reads: commands wait in the pty
 * for the pause to end, as they would in a device whose answers cannot go
 * out. During an outage there is no pty at all: the link is removed (the
 * device node vanished) and sending fails until port_reconnect.
 *
 * Failures to write are logged here, naming the port, since every caller
 * would log them alike.
 */
#ifndef MTABLE_SIM_PORT_H
#define MTABLE_SIM_PORT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pty.h"

/*
 * Bytes a pause can hold: 256 KiB, what a table's microcontroller could
 * spare as a transmit buffer; 63 frames of the default 64 x 32 grid (0.63 s
 * at 100 frames/s), 7 of the largest grid the protocol allows.
 */
#define PORT_QUEUE_BYTES (256u * 1024u)

/* Time a host gets to read what was sent before a disconnect: a stalled one loses the rest. */
#define PORT_DRAIN_MS 1000

/* The line; set up with port_open. */
struct port {
    struct pty pty;                        /* valid while connected */
    bool connected;                        /* false during an outage */
    char *link_path;                       /* --link, made again at each reconnect; or NULL */
    int tee;                               /* --tee descriptor, or -1 */
    char *tee_path;                        /* its name, for messages */
    uint8_t *queue;                        /* bytes held during a pause */
    size_t queued;                         /* bytes in queue */
    bool paused;                           /* nothing is written until resume_ns */
    uint64_t resume_ns;                    /* CLOCK_MONOTONIC end of the pause */
    sigset_t wait_mask;                    /* signal mask while waiting */
    const volatile sig_atomic_t *stopping; /* set by the signal handler */
};

/*
 * Opens a pty (pty_open's wait_mask and stopping) and, with tee_path, the
 * tee file (created or emptied). Returns 0, or a negative errno; *what then
 * says which failed ("pseudo-terminal" or "tee file").
 */
int port_open(struct port *port, const sigset_t *wait_mask, const volatile sig_atomic_t *stopping,
              const char *tee_path, const char **what);

/* Links path to the pty, now and after every reconnect. Returns 0 or a negative errno. */
int port_link(struct port *port, const char *path);

/* Removes the link, closes the pty and the tee; held bytes are not sent. */
void port_close(struct port *port);

/*
 * Sends len bytes, waiting while the host is slow, or queues them during a
 * pause. Returns 0; -ENOTCONN (nothing sent) during an outage; -ENOBUFS
 * (nothing queued) when the pause's queue has no room for them; or
 * pty_write's error (logged), when part of them may have gone out.
 */
int port_send(struct port *port, const uint8_t *bytes, size_t len);

/* Stops writing until until_ns on CLOCK_MONOTONIC (a later end extends a pause in progress). */
void port_pause(struct port *port, uint64_t until_ns);

/* Ends a pause: sends what it held. Returns 0 or port_send's error. */
int port_resume(struct port *port);

/* End of the pause in progress on CLOCK_MONOTONIC, or 0 when not paused. */
uint64_t port_paused_until(const struct port *port);

/* Ends the pause at its time: port_resume once resume_ns has passed. Returns 0 or its error. */
int port_resume_if_due(struct port *port);

/*
 * Closes the pty as a pulled cable would: the host sees a hang-up; the
 * link goes. A host that has the port open first gets PORT_DRAIN_MS to
 * read what was already sent (a pty discards what its reader has not
 * taken when it closes); bytes it leaves unread are logged as lost.
 */
void port_disconnect(struct port *port);

/* Opens a new pty after an outage and points the link at it. Returns 0 or a negative errno. */
int port_reconnect(struct port *port);

/*
 * Waits like pty_wait for bytes from the host (1), the deadline (0) or a
 * signal (-EINTR). During a pause or an outage it only sleeps, without
 * reading (never returns 1), and never past the pause's end.
 */
int port_wait(struct port *port, uint64_t deadline_ns);

/* Reads what the host sent (pty_read); nothing during an outage. */
int port_read(struct port *port, uint8_t *bytes, size_t capacity, size_t *received);

/* False during an outage (between port_disconnect and port_reconnect). */
bool port_connected(const struct port *port);

/* True when a host has the port open (as last seen) and it is connected. */
bool port_host_present(const struct port *port);

/* The pty's path, e.g. /dev/pts/3 (the last one, during an outage). */
const char *port_path(const struct port *port);

#endif
