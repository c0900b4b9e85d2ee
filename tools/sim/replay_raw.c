/*
 * replay_raw.c - the capture's bytes, paced or not, whatever the host says.
 *
 * With a pace, byte k is due k / bytes_per_s seconds after the host opened
 * the port, and bytes go out in pieces of about RAW_PACED_PIECES_PER_S per
 * second. Without one, pieces of RAW_CHUNK_MAX bytes are written as fast
 * as the host takes them (port_send waits for it).
 */
#include "replay_raw.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "schedule.h"

/* Largest piece written at once: 64 KiB, a pty's buffer. */
#define RAW_CHUNK_MAX 65536u
/* Pieces per second when paced: smooth at the scale of a frame period, cheap. */
#define RAW_PACED_PIECES_PER_S 100u
/* Bytes from the host read (and ignored) at a time. */
#define RAW_INPUT_CHUNK 512u

int replay_raw_open(struct replay_raw *raw, const char *path, uint64_t bytes_per_s)
{
    struct stat status;
    int file = open(path, O_RDONLY | O_CLOEXEC);
    if (file < 0)
        return -errno;
    int err = fstat(file, &status) != 0 ? -errno : 0;
    if (err == 0 && !S_ISREG(status.st_mode))
        err = S_ISDIR(status.st_mode) ? -EISDIR : -EINVAL;
    if (err < 0) {
        close(file);
        return err;
    }
    char *copy = strdup(path);
    if (copy == NULL) {
        close(file);
        return -ENOMEM;
    }
    *raw = (struct replay_raw){
        .file = file, .path = copy, .size = (uint64_t)status.st_size, .bytes_per_s = bytes_per_s};
    return 0;
}

void replay_raw_close(struct replay_raw *raw)
{
    if (raw->file >= 0)
        close(raw->file);
    raw->file = -1;
    free(raw->path);
    raw->path = NULL;
}

/* Reads and ignores whatever the host sent. */
static int ignore_input(struct port *port)
{
    uint8_t input[RAW_INPUT_CHUNK];
    size_t received = 0;
    int err = port_read(port, input, sizeof(input), &received);
    if (err < 0)
        log_message(LOG_LEVEL_ERROR, "port", "%s: read failed: %s", port_path(port),
                    strerror(-err));
    return err;
}

/* Waits until deadline_ns, ignoring the host's bytes. Returns 0, -EINTR or an error. */
static int wait_ignoring(struct port *port, uint64_t deadline_ns)
{
    int ready = port_wait(port, deadline_ns);
    if (ready == 1)
        return ignore_input(port);
    if (ready < 0 && ready != -EINTR)
        log_message(LOG_LEVEL_ERROR, "port", "%s: waiting failed: %s", port_path(port),
                    strerror(-ready));
    return ready;
}

/* CLOCK_MONOTONIC time at which byte `offset` is due. */
static uint64_t due_ns(const struct replay_raw *raw, uint64_t start_ns, uint64_t offset)
{
    return start_ns + (uint64_t)ceil((double)offset * 1e9 / (double)raw->bytes_per_s);
}

/* Bytes to write now from offset: what is due (paced) or a whole piece. */
static size_t piece_length(const struct replay_raw *raw, uint64_t start_ns, uint64_t offset)
{
    uint64_t left = raw->size - offset;
    uint64_t piece = RAW_CHUNK_MAX;
    if (raw->bytes_per_s != 0) {
        uint64_t now = schedule_now_ns();
        uint64_t due = (uint64_t)floor((double)(now - start_ns) * 1e-9 * (double)raw->bytes_per_s);
        uint64_t step = raw->bytes_per_s / RAW_PACED_PIECES_PER_S + 1;
        piece = due > offset ? due - offset : 0;
        if (piece > step)
            piece = step;
        if (piece > RAW_CHUNK_MAX)
            piece = RAW_CHUNK_MAX;
    }
    return (size_t)(piece < left ? piece : left);
}

int replay_raw_run(struct replay_raw *raw, struct port *port, const volatile sig_atomic_t *stopping,
                   bool linger_set, uint64_t linger_ns)
{
    int err = 0;
    uint8_t *piece = malloc(RAW_CHUNK_MAX);
    if (piece == NULL)
        return -ENOMEM;
    uint64_t offset = 0;
    uint64_t start_ns = 0;
    while (!*stopping && offset < raw->size) {
        if (!port_host_present(port)) {
            /* pty_wait notices a host opening the port within PTY_HANGUP_RECHECK_MS. */
            err = wait_ignoring(port, schedule_now_ns() + PTY_HANGUP_RECHECK_MS * 1000000ull);
            if (err < 0 && err != -EINTR)
                goto out;
            err = 0;
            continue;
        }
        if (start_ns == 0) {
            start_ns = schedule_now_ns();
            log_message(LOG_LEVEL_INFO, "replay",
                        "a host opened %s; sending the %" PRIu64 " bytes of %s", port_path(port),
                        raw->size, raw->path);
        }
        err = ignore_input(port);
        if (err < 0)
            goto out;
        size_t length = piece_length(raw, start_ns, offset);
        if (length == 0) {
            err = wait_ignoring(port, due_ns(raw, start_ns, offset + 1));
            if (err < 0 && err != -EINTR)
                goto out;
            err = 0;
            continue;
        }
        ssize_t got = pread(raw->file, piece, length, (off_t)offset);
        if (got <= 0) {
            err = got < 0 ? -errno : -ENODATA;
            log_message(LOG_LEVEL_ERROR, "replay",
                        "%s: cannot read at byte %" PRIu64 ": %s; the rest is not sent", raw->path,
                        offset, got < 0 ? strerror(errno) : "the file got shorter");
            goto out;
        }
        int sent = port_send(port, piece, (size_t)got);
        if (sent < 0 && sent != -EPIPE && sent != -ETIMEDOUT) {
            err = sent;
            goto out;
        }
        offset += (uint64_t)got;
    }
    if (offset == raw->size)
        log_message(LOG_LEVEL_INFO, "replay", "all %" PRIu64 " bytes of %s sent%s", raw->size,
                    raw->path, linger_set ? "; lingering" : "; staying until SIGINT or SIGTERM");
    uint64_t until = linger_set ? schedule_now_ns() + linger_ns : UINT64_MAX;
    while (!*stopping && schedule_now_ns() < until) {
        err = wait_ignoring(port, until);
        if (err < 0 && err != -EINTR)
            goto out;
        err = 0;
    }
out:
    free(piece);
    return err;
}
