/*
 * port.c - sending through the pty with a tee copy, the pause queue, and
 * the outage.
 */
#include "port.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "schedule.h"

int port_open(struct port *port, const sigset_t *wait_mask, const volatile sig_atomic_t *stopping,
              const char *tee_path, const char **what)
{
    struct port made = {.tee = -1, .wait_mask = *wait_mask, .stopping = stopping};
    int err = 0;
    *what = "tee file";
    if (tee_path != NULL) {
        made.tee_path = strdup(tee_path);
        if (made.tee_path == NULL) {
            err = -ENOMEM;
            goto out;
        }
        made.tee = open(tee_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (made.tee < 0) {
            err = -errno;
            goto out;
        }
    }
    *what = "pseudo-terminal";
    made.queue = malloc(PORT_QUEUE_BYTES);
    if (made.queue == NULL) {
        err = -ENOMEM;
        goto out;
    }
    err = pty_open(&made.pty, wait_mask, stopping);
    if (err < 0)
        goto out;
    made.connected = true;
    *port = made;
out:
    if (err < 0) {
        if (made.tee >= 0)
            close(made.tee);
        free(made.tee_path);
        free(made.queue);
    }
    return err;
}

int port_link(struct port *port, const char *path)
{
    char *copy = strdup(path);
    if (copy == NULL)
        return -ENOMEM;
    int err = pty_link(&port->pty, path);
    if (err < 0) {
        free(copy);
        return err;
    }
    free(port->link_path);
    port->link_path = copy;
    return 0;
}

void port_close(struct port *port)
{
    if (port->connected)
        pty_close(&port->pty);
    port->connected = false;
    if (port->tee >= 0)
        close(port->tee);
    port->tee = -1;
    free(port->tee_path);
    free(port->link_path);
    free(port->queue);
    port->tee_path = port->link_path = NULL;
    port->queue = NULL;
}

/* Copies bytes sent to the host into the tee file; stops teeing on failure. */
static void tee_bytes(struct port *port, const uint8_t *bytes, size_t len)
{
    size_t done = 0;
    while (port->tee >= 0 && done < len) {
        ssize_t n = write(port->tee, bytes + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            log_message(LOG_LEVEL_ERROR, "tee",
                        "%s: %s; no more bytes are copied there (check the disk)", port->tee_path,
                        n < 0 ? strerror(errno) : "nothing written");
            close(port->tee);
            port->tee = -1;
            break;
        }
        done += (size_t)n;
    }
}

/* Writes to the pty now, tees what went out and logs a failure. */
static int write_now(struct port *port, const uint8_t *bytes, size_t len)
{
    size_t written = 0;
    int err = pty_write(&port->pty, bytes, len, &written);
    tee_bytes(port, bytes, written);
    if (err == -EPIPE)
        log_message(LOG_LEVEL_WARNING, "port",
                    "%s: the host closed the port while %zu of %zu "
                    "bytes of a packet were unsent; they are lost",
                    port->pty.slave_path, len - written, len);
    else if (err == -ETIMEDOUT)
        log_message(LOG_LEVEL_WARNING, "port",
                    "%s: the host took no bytes for %d ms after the "
                    "stop request; %zu of %zu bytes of a packet were left unsent",
                    port->pty.slave_path, PTY_STOP_GRACE_MS, len - written, len);
    else if (err < 0)
        log_message(LOG_LEVEL_ERROR, "port", "%s: write failed: %s", port->pty.slave_path,
                    strerror(-err));
    return err;
}

int port_send(struct port *port, const uint8_t *bytes, size_t len)
{
    if (!port->connected)
        return -ENOTCONN;
    if (!port->paused)
        return write_now(port, bytes, len);
    if (len > PORT_QUEUE_BYTES - port->queued)
        return -ENOBUFS;
    memcpy(port->queue + port->queued, bytes, len);
    port->queued += len;
    return 0;
}

void port_pause(struct port *port, uint64_t until_ns)
{
    if (!port->paused || until_ns > port->resume_ns)
        port->resume_ns = until_ns;
    port->paused = true;
}

int port_resume(struct port *port)
{
    int err = 0;
    if (!port->paused)
        return 0;
    port->paused = false;
    if (port->queued > 0 && port->connected)
        err = write_now(port, port->queue, port->queued);
    port->queued = 0;
    return err;
}

uint64_t port_paused_until(const struct port *port)
{
    return port->paused ? port->resume_ns : 0;
}

int port_resume_if_due(struct port *port)
{
    if (port->paused && schedule_now_ns() >= port->resume_ns)
        return port_resume(port);
    return 0;
}

void port_disconnect(struct port *port)
{
    if (!port->connected)
        return;
    int unread = pty_hung_up(&port->pty) ? 0 : pty_drain(&port->pty, PORT_DRAIN_MS);
    if (unread > 0)
        log_message(LOG_LEVEL_WARNING, "port",
                    "%s: the host left %d bytes unread at the disconnect; they are lost",
                    port->pty.slave_path, unread);
    pty_close(&port->pty);
    port->connected = false;
}

int port_reconnect(struct port *port)
{
    if (port->connected)
        return 0;
    struct pty pty;
    int err = pty_open(&pty, &port->wait_mask, port->stopping);
    if (err < 0)
        return err;
    if (port->link_path != NULL) {
        err = pty_link(&pty, port->link_path);
        if (err < 0) {
            pty_close(&pty);
            return err;
        }
    }
    port->pty = pty;
    port->connected = true;
    return 0;
}

int port_wait(struct port *port, uint64_t deadline_ns)
{
    if (port->paused && port->resume_ns < deadline_ns)
        deadline_ns = port->resume_ns;
    if (port->connected && !port->paused)
        return pty_wait(&port->pty, deadline_ns);
    /* Nothing to watch: sleep, with the termination signals let through. */
    uint64_t now = schedule_now_ns();
    uint64_t wait_ns = deadline_ns > now ? deadline_ns - now : 0;
    struct timespec nap = {.tv_sec = (time_t)(wait_ns / 1000000000u),
                           .tv_nsec = (long)(wait_ns % 1000000000u)};
    if (ppoll(NULL, 0, deadline_ns == UINT64_MAX ? NULL : &nap, &port->wait_mask) < 0)
        return -errno;
    return 0;
}

int port_read(struct port *port, uint8_t *bytes, size_t capacity, size_t *received)
{
    if (!port->connected) {
        *received = 0;
        return 0;
    }
    return pty_read(&port->pty, bytes, capacity, received);
}

bool port_connected(const struct port *port)
{
    return port->connected;
}

bool port_host_present(const struct port *port)
{
    return port->connected && !pty_hung_up(&port->pty);
}

const char *port_path(const struct port *port)
{
    return port->pty.slave_path;
}
