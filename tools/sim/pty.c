/*
 * pty.c - opening, linking, waiting on and writing to the master side.
 */
#include "pty.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "schedule.h"

static struct timespec timespec_from_ns(uint64_t ns)
{
    struct timespec t = {.tv_sec = (time_t)(ns / 1000000000u), .tv_nsec = (long)(ns % 1000000000u)};
    return t;
}

/* Opens the slave once to put the line in raw mode for whoever opens it next. */
static int make_raw(const char *slave_path)
{
    int err = 0;
    int slave = open(slave_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0)
        return -errno;
    struct termios settings;
    if (tcgetattr(slave, &settings) != 0) {
        err = -errno;
        goto out;
    }
    cfmakeraw(&settings);
    if (tcsetattr(slave, TCSANOW, &settings) != 0)
        err = -errno;
out:
    close(slave);
    return err;
}

int pty_open(struct pty *pty, const sigset_t *wait_mask, const volatile sig_atomic_t *stopping)
{
    int err = 0;
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0)
        return -errno;
    if (grantpt(master) != 0 || unlockpt(master) != 0 || fcntl(master, F_SETFD, FD_CLOEXEC) != 0) {
        err = -errno;
        goto out;
    }
    const char *slave_path = ptsname(master);
    if (slave_path == NULL) {
        err = -errno;
        goto out;
    }
    if (strlen(slave_path) >= sizeof(pty->slave_path)) {
        err = -ENAMETOOLONG;
        goto out;
    }
    strcpy(pty->slave_path, slave_path);
    err = make_raw(pty->slave_path);
    if (err < 0)
        goto out;
    int flags = fcntl(master, F_GETFL);
    if (flags < 0 || fcntl(master, F_SETFL, flags | O_NONBLOCK) != 0) {
        err = -errno;
        goto out;
    }
    pty->master = master;
    pty->link_path = NULL;
    pty->hung_up = true; /* make_raw closed the only slave descriptor */
    pty->wait_mask = *wait_mask;
    pty->stopping = stopping;
out:
    if (err < 0)
        close(master);
    return err;
}

int pty_link(struct pty *pty, const char *path)
{
    int err = 0;
    char temporary[PATH_MAX];
    char *copy = NULL;
    if (snprintf(temporary, sizeof(temporary), "%s.%ld.tmp", path, (long)getpid()) >=
        (int)sizeof(temporary))
        return -ENAMETOOLONG;
    copy = strdup(path);
    if (copy == NULL)
        return -ENOMEM;
    unlink(temporary); /* left over by an earlier run with the same process id */
    if (symlink(pty->slave_path, temporary) != 0) {
        err = -errno;
        goto out;
    }
    if (rename(temporary, path) != 0) {
        err = -errno;
        unlink(temporary);
        goto out;
    }
    free(pty->link_path);
    pty->link_path = copy;
    copy = NULL;
out:
    free(copy);
    return err;
}

void pty_close(struct pty *pty)
{
    if (pty->link_path != NULL) {
        char target[sizeof(pty->slave_path)];
        ssize_t n = readlink(pty->link_path, target, sizeof(target) - 1);
        if (n >= 0) {
            target[n] = '\0';
            if (strcmp(target, pty->slave_path) == 0)
                unlink(pty->link_path);
        }
        free(pty->link_path);
        pty->link_path = NULL;
    }
    close(pty->master);
    pty->master = -1;
}

/* Polls the master without waiting: did a host send bytes, is one there at all? */
static bool check_port(struct pty *pty)
{
    struct pollfd port = {.fd = pty->master, .events = POLLIN};
    if (poll(&port, 1, 0) < 0)
        return false;
    pty->hung_up = (port.revents & (POLLHUP | POLLERR)) != 0;
    return (port.revents & POLLIN) != 0;
}

int pty_wait(struct pty *pty, uint64_t deadline_ns)
{
    for (;;) {
        uint64_t now = schedule_now_ns();
        uint64_t wait_ns = deadline_ns > now ? deadline_ns - now : 0;
        if (pty->hung_up) {
            /* POLLHUP cannot be masked: sleep in steps and look again. */
            if (check_port(pty))
                return 1;
            if (!pty->hung_up)
                continue;
            if (wait_ns == 0)
                return 0;
            if (wait_ns > PTY_HANGUP_RECHECK_MS * 1000000ull)
                wait_ns = PTY_HANGUP_RECHECK_MS * 1000000ull;
            struct timespec nap = timespec_from_ns(wait_ns);
            if (ppoll(NULL, 0, &nap, &pty->wait_mask) < 0)
                return -errno;
            continue;
        }
        struct pollfd port = {.fd = pty->master, .events = POLLIN};
        struct timespec timeout = timespec_from_ns(wait_ns);
        int ready = ppoll(&port, 1, deadline_ns == UINT64_MAX ? NULL : &timeout, &pty->wait_mask);
        if (ready < 0)
            return -errno;
        if (ready == 0)
            return 0;
        if (port.revents & POLLIN)
            return 1;
        if (port.revents & (POLLHUP | POLLERR))
            pty->hung_up = true;
    }
}

int pty_read(struct pty *pty, uint8_t *bytes, size_t capacity, size_t *received)
{
    ssize_t n = read(pty->master, bytes, capacity);
    if (n < 0 && errno != EAGAIN && errno != EINTR && errno != EIO)
        return -errno;
    if (n == 0 || (n < 0 && errno == EIO))
        pty->hung_up = true; /* the host closed its last descriptor of the port */
    *received = n > 0 ? (size_t)n : 0;
    return 0;
}

int pty_write(struct pty *pty, const uint8_t *bytes, size_t len, size_t *written)
{
    int err = 0;
    size_t done = 0;
    uint64_t give_up_ns = UINT64_MAX;
    while (done < len) {
        ssize_t n = write(pty->master, bytes + done, len - done);
        if (n > 0) {
            done += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EIO) {
            pty->hung_up = true;
            err = -EPIPE;
            break;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR) {
            err = -errno;
            break;
        }
        /* The host has not read enough yet: wait for room. */
        uint64_t now = schedule_now_ns();
        if (*pty->stopping && give_up_ns == UINT64_MAX)
            give_up_ns = now + PTY_STOP_GRACE_MS * 1000000ull;
        if (now >= give_up_ns) {
            err = -ETIMEDOUT;
            break;
        }
        struct pollfd port = {.fd = pty->master, .events = POLLOUT};
        struct timespec timeout = timespec_from_ns(give_up_ns - now);
        int ready = ppoll(&port, 1, give_up_ns == UINT64_MAX ? NULL : &timeout, &pty->wait_mask);
        if (ready < 0 && errno != EINTR) {
            err = -errno;
            break;
        }
        if (ready > 0 && !(port.revents & POLLOUT) && (port.revents & (POLLHUP | POLLERR))) {
            pty->hung_up = true;
            err = -EPIPE;
            break;
        }
    }
    *written = done;
    return err;
}

/* How often pty_drain looks at what the host has not read: 1 ms, a fraction of a frame period. */
#define DRAIN_CHECK_NS 1000000u

int pty_drain(struct pty *pty, int timeout_ms)
{
    int result = 0, waiting = 0, empty_looks = 0;
    /* Only the slave knows what it holds unread: look through a descriptor of our own. */
    int slave = open(pty->slave_path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (slave < 0)
        return -errno;
    uint64_t give_up_ns = schedule_now_ns() + (uint64_t)timeout_ms * 1000000u;
    for (;;) {
        if (ioctl(slave, FIONREAD, &waiting) != 0) {
            result = -errno;
            break;
        }
        /* Twice empty: bytes still queued behind the line discipline have moved in by then. */
        empty_looks = waiting == 0 ? empty_looks + 1 : 0;
        if (empty_looks == 2)
            break;
        if (schedule_now_ns() >= give_up_ns || *pty->stopping) {
            result = waiting;
            break;
        }
        struct timespec nap = timespec_from_ns(DRAIN_CHECK_NS);
        ppoll(NULL, 0, &nap, &pty->wait_mask);
    }
    close(slave);
    return result;
}

bool pty_hung_up(const struct pty *pty)
{
    return pty->hung_up;
}
