/*
 * capture.c - the capture thread and its ring of pieces.
 *
 * Each ring slot holds one piece as read from the port:
 *
 *   +--------+------------------------------+
 *   | length | bytes[CAPTURE_PIECE_MAX]     |
 *   +--------+------------------------------+
 *
 * The thread writes pieces in order and sleeps on an eventfd when there are
 * none; the reader pays for a copy into the slot and one eventfd write.
 */
#include "capture.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "log.h"
#include "ring.h"

/* Pieces queued: 4 MiB, seconds of a fast link, before bytes go missing. */
#define CAPTURE_SLOTS 64

struct piece {
    size_t length;
    uint8_t bytes[CAPTURE_PIECE_MAX];
};

struct capture {
    int fd;
    int wake_fd; /* eventfd: pieces queued, or stopping */
    char *path;
    struct ring *ring;
    pthread_t thread;
    atomic_bool stopping;
    atomic_uint_fast64_t missing_bytes; /* not queued (ring full) or not written */
    int error;                          /* first write error, negative errno */
};

/* Writes one piece; after a failure the rest is only counted as missing. */
static void write_piece(struct capture *capture, const struct piece *piece)
{
    if (capture->error != 0) {
        atomic_fetch_add(&capture->missing_bytes, piece->length);
        return;
    }
    size_t done = 0;
    while (done < piece->length) {
        ssize_t n = write(capture->fd, piece->bytes + done, piece->length - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            capture->error = n < 0 ? -errno : -EIO;
            log_message(LOG_LEVEL_ERROR, "capture",
                        "%s: cannot write: %s; the capture stops here (recording goes on)",
                        capture->path, strerror(-capture->error));
            atomic_fetch_add(&capture->missing_bytes, piece->length - done);
            return;
        }
        done += (size_t)n;
    }
}

static void wake(struct capture *capture)
{
    uint64_t one = 1;
    ssize_t ignored = write(capture->wake_fd, &one, sizeof(one));
    (void)ignored; /* a non-blocking eventfd only refuses when its count is huge: it is awake */
}

static void *capture_main(void *arg)
{
    struct capture *capture = arg;
    for (;;) {
        struct piece *piece = ring_peek(capture->ring);
        if (piece != NULL) {
            write_piece(capture, piece);
            ring_release(capture->ring);
            continue;
        }
        if (atomic_load(&capture->stopping))
            break;
        struct pollfd pfd = {.fd = capture->wake_fd, .events = POLLIN};
        if (poll(&pfd, 1, -1) > 0) {
            uint64_t count;
            ssize_t ignored = read(capture->wake_fd, &count, sizeof(count));
            (void)ignored; /* a readable eventfd always yields its count */
        }
    }
    return NULL;
}

int capture_start(const char *path, struct capture **out, char *error, size_t error_size)
{
    struct capture *capture = calloc(1, sizeof(*capture));
    if (capture == NULL)
        return -ENOMEM;
    capture->wake_fd = -1;
    int err = 0;
    capture->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (capture->fd < 0) {
        err = -errno;
        snprintf(error, error_size, "capture file %s: %s", path, strerror(errno));
        goto out;
    }
    capture->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    capture->path = strdup(path);
    if (capture->wake_fd < 0 || capture->path == NULL) {
        err = capture->path == NULL ? -ENOMEM : -errno;
        goto out;
    }
    err = ring_create(CAPTURE_SLOTS, sizeof(struct piece), &capture->ring);
    if (err == 0)
        err = -pthread_create(&capture->thread, NULL, capture_main, capture);
    if (err != 0)
        snprintf(error, error_size, "capture file %s: cannot start: %s", path, strerror(-err));
out:
    if (err != 0) {
        if (capture->fd >= 0) {
            close(capture->fd);
            unlink(path);
        }
        if (capture->wake_fd >= 0)
            close(capture->wake_fd);
        ring_destroy(capture->ring);
        free(capture->path);
        free(capture);
        return err;
    }
    *out = capture;
    return 0;
}

void capture_bytes(struct capture *capture, const uint8_t *bytes, size_t len)
{
    struct piece *piece = ring_reserve(capture->ring);
    if (piece == NULL || len > CAPTURE_PIECE_MAX) {
        atomic_fetch_add(&capture->missing_bytes, len);
        return;
    }
    piece->length = len;
    memcpy(piece->bytes, bytes, len);
    ring_publish(capture->ring);
    wake(capture);
}

int capture_stop(struct capture *capture, uint64_t *missing_bytes)
{
    atomic_store(&capture->stopping, true);
    wake(capture);
    pthread_join(capture->thread, NULL);
    close(capture->wake_fd);
    int err = capture->error;
    if (close(capture->fd) != 0 && err == 0)
        err = -errno;
    if (missing_bytes != NULL)
        *missing_bytes = atomic_load(&capture->missing_bytes);
    ring_destroy(capture->ring);
    free(capture->path);
    free(capture);
    return err;
}
