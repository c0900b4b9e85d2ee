/*
 * replay_raw.h - plays a capture back byte for byte: the bytes mtable-acqd
 * read from its port (--capture FILE, unframed), so a problem seen in the
 * lab becomes a test fixture.
 *
 * Once a host has the port open, FILE's bytes go to it exactly as they
 * are, at --raw-rate bytes per second or as fast as it reads, and nothing
 * else does (no DEVICE_INFO, no answers: the capture holds the device's
 * half of the conversation). Bytes from the host are read and ignored.
 * Afterwards the port stays open until --linger expires or a signal comes.
 *
 *   capture file --pread, chunk by chunk--> port_send --> pty --> host
 *                                                    `--> tee
 */
#ifndef MTABLE_SIM_REPLAY_RAW_H
#define MTABLE_SIM_REPLAY_RAW_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "port.h"

/* A capture being played; set up with replay_raw_open. */
struct replay_raw {
    int file;             /* the capture, read-only */
    char *path;           /* its name, for messages */
    uint64_t size;        /* bytes in it */
    uint64_t bytes_per_s; /* pace; 0: as fast as the host reads */
};

/* Opens the capture at path. Returns 0 or a negative errno (nothing to clean up then). */
int replay_raw_open(struct replay_raw *raw, const char *path, uint64_t bytes_per_s);

/*
 * Sends the capture through port once a host opens it, then lingers
 * (linger_ns after the last byte when linger_set, else until *stopping).
 * Returns 0 when done or stopped, or a negative errno (logged) when the
 * file or the port fails.
 */
int replay_raw_run(struct replay_raw *raw, struct port *port, const volatile sig_atomic_t *stopping,
                   bool linger_set, uint64_t linger_ns);

/* Closes the capture. */
void replay_raw_close(struct replay_raw *raw);

#endif
