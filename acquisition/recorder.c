/*
 * recorder.c - the writer thread's loop.
 *
 * Each turn takes one record from the ring, writes it, and releases the
 * slot; when the ring is empty the thread does its periodic work (flush,
 * rotation, markers) and sleeps in poll() on the reader's eventfd until
 * the next flush is due. The reader wakes it for a device change or the
 * end at once, else only every 1/8 ring of records (reader.c), so frames
 * usually wait in the ring until the flush is due: everything in the ring
 * is written first, then the file is flushed. Only when the ring does not
 * empty (the writer behind) is the flush done with records still waiting,
 * after at most one ring's worth more. A RECORD_DEVICE record may hand
 * over to a new ring: the old one is finished (the reader writes nothing
 * more to it) and freed here.
 */
#include "recorder.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "record.h"
#include "ring.h"
#include "session_path.h"

/* Tries of file names for one start second before giving up. */
#define NAME_ATTEMPTS_MAX 1000
/* Link events seen before the first session file exists, written into it. */
#define EARLY_EVENTS_MAX 64
/* Markers asked for and not yet placed (signals coming faster than frames). */
#define MARKERS_MAX 64

struct recorder {
    struct recorder_config config;
    pthread_t thread;
    int done_fd;
    struct recorder_stats stats;
    atomic_bool rotate_requested;
    struct ring *markers; /* times (int64_t, UTC ns) of markers asked for: main -> recorder */
    int error;            /* first write failure, negative errno */

    struct ring *ring;
    struct session_file *file;
    bool have_device;
    struct packet_device_info device;
    int64_t next_flush_ns;
    size_t records_while_due;  /* records taken since the flush fell due */
    uint64_t frames_discarded; /* after a failure */
    struct link_event early_events[EARLY_EVENTS_MAX];
    size_t early_count;
    uint64_t early_lost;

    pthread_mutex_t path_lock; /* guards path: the status line reads it */
    char path[4096];
};

static void set_path(struct recorder *recorder, const char *path)
{
    pthread_mutex_lock(&recorder->path_lock);
    snprintf(recorder->path, sizeof(recorder->path), "%s", path);
    pthread_mutex_unlock(&recorder->path_lock);
}

static void signal_done(struct recorder *recorder)
{
    uint64_t one = 1;
    ssize_t ignored = write(recorder->done_fd, &one, sizeof(one));
    (void)ignored; /* cannot fail on an eventfd counting so little */
}

/*
 * Records a write failure on the session file at path: report it, close the
 * file with what it has, stop recording. cause: what went wrong, or NULL
 * for the session file module's own description.
 */
static void fail(struct recorder *recorder, int err, const char *path, const char *what,
                 const char *cause)
{
    log_message(LOG_LEVEL_ERROR, "writer", "%s failed: %s", what,
                cause != NULL ? cause : session_file_last_error());
    if (recorder->file != NULL) {
        uint64_t frames = session_file_frames(recorder->file);
        if (session_file_close(recorder->file, clock_realtime_ns()) == 0)
            log_message(LOG_LEVEL_ERROR, "writer",
                        "closed %s with the %llu frames written before the failure", path,
                        (unsigned long long)frames);
        else
            log_message(LOG_LEVEL_ERROR, "writer",
                        "%s holds the frames flushed before the failure; the next start of "
                        "mtable-acqd recovers it",
                        path);
        recorder->file = NULL;
    }
    if (recorder->error == 0)
        recorder->error = err;
    atomic_store(&recorder->stats.failed, true);
    set_path(recorder, "");
    signal_done(recorder);
}

/* fail() for the current session file. */
static void fail_current(struct recorder *recorder, int err, const char *what)
{
    char path[sizeof(recorder->path)];
    recorder_current_file(recorder, path, sizeof(path));
    fail(recorder, err, path, what, NULL);
}

static void close_file(struct recorder *recorder)
{
    if (recorder->file == NULL)
        return;
    char path[sizeof(recorder->path)];
    recorder_current_file(recorder, path, sizeof(path));
    uint64_t frames = session_file_frames(recorder->file);
    int err = session_file_close(recorder->file, clock_realtime_ns());
    recorder->file = NULL;
    set_path(recorder, "");
    if (err != 0) {
        fail(recorder, err, path, "closing the session file", NULL);
        return;
    }
    log_message(LOG_LEVEL_INFO, "writer", "closed %s (%llu frames)", path,
                (unsigned long long)frames);
}

static void open_file(struct recorder *recorder)
{
    struct session_info info;
    memset(&info, 0, sizeof(info));
    info.start_time_ns = clock_realtime_ns();
    snprintf(info.subject_id, sizeof(info.subject_id), "%s", recorder->config.subject_id);
    snprintf(info.operator_id, sizeof(info.operator_id), "%s", recorder->config.operator_id);
    snprintf(info.port, sizeof(info.port), "%s", recorder->config.port);
    info.device = recorder->device;
    info.calibration = recorder->config.calibration;
    info.calibration_points = recorder->config.calibration_points;

    char path[sizeof(recorder->path)] = "";
    int err = -EEXIST;
    for (unsigned attempt = 1; attempt <= NAME_ATTEMPTS_MAX && err == -EEXIST; attempt++) {
        err = session_path_make(recorder->config.output_dir, info.subject_id, info.start_time_ns,
                                attempt, info.session_id, sizeof(info.session_id), path,
                                sizeof(path));
        if (err != 0) {
            fail(recorder, err, recorder->config.output_dir, "naming a session file",
                 "the output directory's path and the subject id make too long a name");
            return;
        }
        err = session_file_create(path, &info, &recorder->config.file_options, &recorder->file);
    }
    if (err != 0) {
        fail(recorder, err, path, "creating a session file", NULL);
        return;
    }
    set_path(recorder, path);
    atomic_fetch_add(&recorder->stats.sessions, 1);
    log_message(LOG_LEVEL_INFO, "writer", "recording session %s into %s", info.session_id, path);
    for (size_t i = 0; i < recorder->early_count; i++)
        if ((err = session_file_append_event(recorder->file, &recorder->early_events[i])) != 0) {
            fail(recorder, err, path, "writing link events", NULL);
            return;
        }
    if (recorder->early_lost > 0)
        log_message(LOG_LEVEL_WARNING, "writer",
                    "%llu link events from before the session began did not fit in memory and "
                    "are not in %s",
                    (unsigned long long)recorder->early_lost, path);
    recorder->early_count = 0;
    recorder->early_lost = 0;
    recorder->next_flush_ns = clock_monotonic_ns() + recorder->config.flush_interval_ns;
}

static void handle_device(struct recorder *recorder, const struct packet_device_info *info)
{
    if (recorder->have_device && recorder->file != NULL) {
        log_message(LOG_LEVEL_WARNING, "writer",
                    "the device changed from %ux%u at %.3f frames/s to %ux%u at %.3f frames/s: "
                    "closing this session file and starting a new one",
                    recorder->device.rows, recorder->device.cols,
                    recorder->device.frame_rate_mhz / 1000.0, info->rows, info->cols,
                    info->frame_rate_mhz / 1000.0);
        close_file(recorder);
    }
    recorder->device = *info;
    recorder->have_device = true;
    if (!atomic_load(&recorder->stats.failed))
        open_file(recorder);
}

static void handle_event(struct recorder *recorder, const struct link_event *event)
{
    if (recorder->file == NULL) {
        if (atomic_load(&recorder->stats.failed))
            return;
        if (recorder->early_count < EARLY_EVENTS_MAX)
            recorder->early_events[recorder->early_count++] = *event;
        else
            recorder->early_lost++;
        return;
    }
    int err = session_file_append_event(recorder->file, event);
    if (err != 0)
        fail_current(recorder, err, "writing a link event");
}

/* Places the markers asked for at or before time_ns (UTC). */
static void place_markers(struct recorder *recorder, int64_t time_ns)
{
    const int64_t *marker;
    while (recorder->file != NULL && (marker = ring_peek(recorder->markers)) != NULL &&
           *marker <= time_ns) {
        int err = session_file_append_marker(recorder->file, *marker, "mark");
        ring_release(recorder->markers);
        if (err != 0) {
            fail_current(recorder, err, "writing a marker");
            return;
        }
        log_message(LOG_LEVEL_INFO, "writer", "marker placed at frame %llu",
                    (unsigned long long)session_file_frames(recorder->file));
    }
}

static void handle_frame(struct recorder *recorder, const struct record *record)
{
    place_markers(recorder, record->body.frame.host_time_ns);
    if (recorder->file == NULL) {
        recorder->frames_discarded++;
        return;
    }
    int err = session_file_append_frame(recorder->file, record->body.frame.sequence,
                                        record->body.frame.device_time_us,
                                        record->body.frame.host_time_ns, record->values);
    if (err != 0) {
        fail_current(recorder, err, "writing a frame");
        recorder->frames_discarded++;
        return;
    }
    atomic_fetch_add(&recorder->stats.frames_written, 1);
}

/* Flush, rotation and markers: whatever is due now. */
static void periodic_work(struct recorder *recorder)
{
    if (recorder->file != NULL && atomic_exchange(&recorder->rotate_requested, false)) {
        log_message(LOG_LEVEL_INFO, "writer", "starting a new session file on request");
        close_file(recorder);
        if (recorder->have_device && !atomic_load(&recorder->stats.failed))
            open_file(recorder);
    }
    place_markers(recorder, clock_realtime_ns());
    if (recorder->file != NULL && clock_monotonic_ns() >= recorder->next_flush_ns) {
        int err = session_file_flush(recorder->file);
        recorder->next_flush_ns = clock_monotonic_ns() + recorder->config.flush_interval_ns;
        recorder->records_while_due = 0;
        if (err != 0)
            fail_current(recorder, err, "flushing the session file");
    }
}

static void wait_for_records(struct recorder *recorder)
{
    struct pollfd pfd = {.fd = recorder->config.wake_fd, .events = POLLIN};
    int timeout = recorder->file != NULL ? clock_poll_timeout_ms(recorder->next_flush_ns)
                                         : (int)(recorder->config.flush_interval_ns / 1000000);
    if (poll(&pfd, 1, timeout) > 0) {
        uint64_t count;
        ssize_t ignored = read(recorder->config.wake_fd, &count, sizeof(count));
        (void)ignored; /* a readable eventfd always yields its count */
    }
}

static void *recorder_main(void *arg)
{
    struct recorder *recorder = arg;
    bool ended = false;
    while (!ended) {
        struct record *record = ring_peek(recorder->ring);
        if (record == NULL) {
            periodic_work(recorder);
            wait_for_records(recorder);
            continue;
        }
        struct ring *next_ring = NULL;
        switch (record->kind) {
        case RECORD_FRAME:
            handle_frame(recorder, record);
            break;
        case RECORD_EVENT:
            handle_event(recorder, &record->body.event);
            break;
        case RECORD_DEVICE:
            next_ring = record->body.device.next_ring;
            handle_device(recorder, &record->body.device.info);
            break;
        case RECORD_END:
            ended = true;
            break;
        }
        ring_release(recorder->ring);
        if (next_ring != NULL) {
            ring_destroy(recorder->ring);
            recorder->ring = next_ring;
        }
        if (recorder->file != NULL && clock_monotonic_ns() >= recorder->next_flush_ns &&
            ++recorder->records_while_due >= ring_capacity(recorder->ring))
            periodic_work(recorder);
    }
    close_file(recorder);
    ring_destroy(recorder->ring);
    if (recorder->frames_discarded > 0)
        log_message(LOG_LEVEL_ERROR, "writer",
                    "%llu frames received after recording stopped were not written",
                    (unsigned long long)recorder->frames_discarded);
    signal_done(recorder);
    return NULL;
}

int recorder_start(const struct recorder_config *config, struct ring *first_ring,
                   struct recorder **out)
{
    struct recorder *recorder = calloc(1, sizeof(*recorder));
    if (recorder == NULL)
        return -ENOMEM;
    recorder->config = *config;
    recorder->ring = first_ring;
    recorder->done_fd = eventfd(0, EFD_CLOEXEC);
    pthread_mutex_init(&recorder->path_lock, NULL);
    int err = recorder->done_fd < 0 ? -errno : 0;
    if (err == 0)
        err = ring_create(MARKERS_MAX, sizeof(int64_t), &recorder->markers);
    if (err == 0)
        err = -pthread_create(&recorder->thread, NULL, recorder_main, recorder);
    if (err != 0) {
        if (recorder->done_fd >= 0)
            close(recorder->done_fd);
        ring_destroy(recorder->markers);
        pthread_mutex_destroy(&recorder->path_lock);
        free(recorder);
        return err;
    }
    *out = recorder;
    return 0;
}

void recorder_rotate(struct recorder *recorder)
{
    atomic_store(&recorder->rotate_requested, true);
    uint64_t one = 1;
    ssize_t ignored = write(recorder->config.wake_fd, &one, sizeof(one));
    (void)ignored; /* only wakes the thread early; it looks again at the next flush */
}

void recorder_mark(struct recorder *recorder, int64_t host_time_ns)
{
    int64_t *slot = ring_reserve(recorder->markers);
    if (slot == NULL) {
        log_message(LOG_LEVEL_WARNING, "writer",
                    "%d markers are already waiting to be placed; this one is ignored",
                    MARKERS_MAX);
        return;
    }
    *slot = host_time_ns;
    ring_publish(recorder->markers);
    uint64_t one = 1;
    ssize_t ignored = write(recorder->config.wake_fd, &one, sizeof(one));
    (void)ignored; /* only wakes the thread early; it looks again at the next flush */
}

int recorder_done_fd(const struct recorder *recorder)
{
    return recorder->done_fd;
}

void recorder_current_file(struct recorder *recorder, char *path, size_t size)
{
    pthread_mutex_lock(&recorder->path_lock);
    snprintf(path, size, "%s", recorder->path);
    pthread_mutex_unlock(&recorder->path_lock);
}

const struct recorder_stats *recorder_stats(const struct recorder *recorder)
{
    return &recorder->stats;
}

int recorder_join(struct recorder *recorder)
{
    pthread_join(recorder->thread, NULL);
    return recorder->error;
}

void recorder_free(struct recorder *recorder)
{
    close(recorder->done_fd);
    ring_destroy(recorder->markers);
    pthread_mutex_destroy(&recorder->path_lock);
    free(recorder);
}
