/*
 * reader.c - the reader thread's loop and its protocol handling.
 *
 * State, per connection:
 *
 *   CLOSED --open ok--> AWAIT_INFO --DEVICE_INFO--> STREAMING
 *     ^  (retry every 0.5 s)   | (GET_INFO again every 1 s)   |
 *     +-------- hang-up, read error, write error -------------+
 *
 * Link events are queued in `pending` and passed on just before the next
 * frame (or at the end of a read with no frame), so they reach the file in
 * the order they happened; while the ring is full they wait there, and
 * consecutive decode errors of one kind, and consecutive drops, merge into
 * one event. A frame that finds the ring full is dropped and counted.
 *
 * The writer is woken at once for the records it must act on (a device
 * change, the end), and otherwise only when 1/WAKE_FRACTION of the ring has
 * been published since it was last woken; it also wakes on its own to
 * flush, and writes what waits in the ring first (recorder.c). At the
 * nominal rate that is one wake-up per flush interval instead of one per
 * frame.
 */
#include "reader.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "capture.h"
#include "clock.h"
#include "decoder.h"
#include "log.h"
#include "packet.h"
#include "record.h"
#include "ring.h"
#include "serial.h"

/* Bytes asked for per read(): several frames, about the kernel's tty buffer. */
#define READ_BUFFER_SIZE 65536
_Static_assert(READ_BUFFER_SIZE <= CAPTURE_PIECE_MAX, "a read must fit one capture piece");
/*
 * Link events held while the ring is full. Drops and decode errors merge;
 * a stalled writer on a noisy link still adds a gap and a drop row per
 * corrupted frame, so this is sized for thousands (24 bytes each).
 */
#define PENDING_EVENTS_MAX 4096
/* Rings still owed their hand-over record: grid changes faster than the writer drains. */
#define HANDOFFS_MAX 4
/* DEVICE_INFO answers ignored while waiting for SET_RATE's ACK before giving up on it. */
#define RATE_WAITS_MAX 3
/* Wait for DEVICE_INFO this long before asking again. */
#define INFO_RETRY_NS CLOCK_NS_PER_S
/* Requests without an answer before warning that the device is silent. */
#define INFO_REQUESTS_BEFORE_WARNING 3
/* Between attempts to open a port that is missing or refuses. */
#define REOPEN_RETRY_NS (CLOCK_NS_PER_S / 2)
/* Streaming but no frame for this long (or 3 frame periods if longer): ask the device. */
#define WATCHDOG_MIN_NS (2 * CLOCK_NS_PER_S)
/* A command that the port will not take within this time means the link is broken. */
#define COMMAND_TIMEOUT_MS 500
/* Half the sequence space: a jump forward by less is a gap, by more a restart. */
#define SEQUENCE_HALF_RANGE 0x80000000u
/*
 * Records published before the writer is woken: 1/8 of the ring (128 frames
 * of the default 1024, over a second at 100 frames/s), leaving 7/8 of it for
 * the time the writer takes to wake up and catch up.
 */
#define WAKE_FRACTION 8

enum reader_state { READER_CLOSED, READER_AWAIT_INFO, READER_STREAMING };

/* A ring the writer reads up to its hand-over record, not yet published. */
struct handoff {
    struct ring *ring;
    struct device_change change;
};

struct reader {
    struct reader_config config;
    char *port_name;
    pthread_t thread;
    int stop_fd;
    struct reader_stats stats;

    struct ring *ring; /* where records go now */
    struct handoff handoffs[HANDOFFS_MAX];
    size_t handoff_count;
    struct serial_port *port;
    enum reader_state state;
    int64_t next_action_ns; /* monotonic: next open attempt, GET_INFO, or watchdog */
    unsigned info_requests;
    bool reconnecting; /* a disconnect was recorded; the next DEVICE_INFO ends it */
    bool warned_open;
    bool have_device;
    struct packet_device_info device;
    bool have_sequence;
    uint32_t last_sequence;
    uint64_t last_device_time_us;
    bool rate_awaiting_ack;    /* SET_RATE sent on this connection, no ACK yet */
    unsigned rate_waits;       /* DEVICE_INFOs ignored meanwhile */
    bool rate_settling;        /* ACK seen: the next DEVICE_INFO has the rate to keep */
    uint32_t settled_rate_mhz; /* rate the device kept after SET_RATE, 0: none yet */
    uint64_t frames_before_info;
    bool wake_needed;   /* a record the writer must act on at once was published */
    size_t unannounced; /* records published since the writer was last woken */
    struct link_event pending[PENDING_EVENTS_MAX];
    size_t pending_count;
    uint64_t events_lost;
    bool warned_events_lost;
    struct decoder decoder;
    uint8_t decoder_buffer[DECODER_MAX_STUFFED];
    uint8_t read_buffer[READ_BUFFER_SIZE];
};

static bool is_decode_error(enum link_event_kind kind)
{
    return kind >= LINK_EVENT_FRAMING && kind <= LINK_EVENT_OVERSIZE;
}

/* Queues a link event, merging it into the previous one where the rules allow. */
static void add_event(struct reader *reader, enum link_event_kind kind, uint32_t sequence,
                      uint32_t count, uint32_t bytes, int64_t host_time_ns)
{
    if (reader->pending_count > 0) {
        struct link_event *last = &reader->pending[reader->pending_count - 1];
        bool same_decode_error = is_decode_error(kind) && last->kind == kind;
        bool next_drop = kind == LINK_EVENT_DROP && last->kind == LINK_EVENT_DROP &&
                         last->sequence + last->count == sequence;
        if (same_decode_error || next_drop) {
            last->count += count;
            last->bytes += bytes;
            return;
        }
    }
    if (reader->pending_count == PENDING_EVENTS_MAX) {
        if (!reader->warned_events_lost)
            log_message(LOG_LEVEL_ERROR, "reader",
                        "%s: the writer has been stalled so long that link events are being "
                        "lost; the session file will miss some gap, drop or error rows",
                        reader->port_name);
        reader->warned_events_lost = true;
        reader->events_lost++;
        return;
    }
    reader->pending[reader->pending_count++] = (struct link_event){
        .host_time_ns = host_time_ns,
        .kind = kind,
        .sequence = sequence,
        .count = count,
        .bytes = bytes,
    };
}

/* Publishes the hand-over records owed to earlier rings, where there is room now. */
static void push_handoffs(struct reader *reader)
{
    size_t kept = 0;
    for (size_t i = 0; i < reader->handoff_count; i++) {
        struct handoff *handoff = &reader->handoffs[i];
        struct record *slot = ring_reserve(handoff->ring);
        if (slot == NULL) {
            reader->handoffs[kept++] = *handoff;
            continue;
        }
        slot->kind = RECORD_DEVICE;
        slot->body.device = handoff->change;
        ring_publish(handoff->ring);
        reader->wake_needed = true;
    }
    reader->handoff_count = kept;
}

/* Passes queued events on; false if the ring filled up first. */
static bool push_pending(struct reader *reader)
{
    size_t done = 0;
    while (done < reader->pending_count) {
        struct record *slot = ring_reserve(reader->ring);
        if (slot == NULL)
            break;
        slot->kind = RECORD_EVENT;
        slot->body.event = reader->pending[done++];
        ring_publish(reader->ring);
        reader->unannounced++;
    }
    memmove(reader->pending, reader->pending + done,
            (reader->pending_count - done) * sizeof(reader->pending[0]));
    reader->pending_count -= done;
    if (reader->pending_count == 0)
        reader->warned_events_lost = false;
    return reader->pending_count == 0;
}

static void wake_writer(struct reader *reader)
{
    if (!reader->wake_needed && reader->unannounced < ring_capacity(reader->ring) / WAKE_FRACTION)
        return;
    uint64_t one = 1;
    ssize_t ignored = write(reader->config.wake_fd, &one, sizeof(one));
    (void)ignored; /* an eventfd only fails to count past 2^64 - 2 */
    reader->wake_needed = false;
    reader->unannounced = 0;
}

static void disconnect(struct reader *reader, const char *why, int64_t host_time_ns)
{
    if (reader->port == NULL)
        return;
    log_message(LOG_LEVEL_WARNING, "serial",
                "%s: device disconnected (%s); keeping the session open and waiting for it to "
                "come back",
                reader->port_name, why);
    serial_close(reader->port);
    reader->port = NULL;
    reader->state = READER_CLOSED;
    reader->next_action_ns = clock_monotonic_ns() + REOPEN_RETRY_NS;
    atomic_store(&reader->stats.streaming, false);
    atomic_fetch_add(&reader->stats.disconnects, 1);
    add_event(reader, LINK_EVENT_DISCONNECT, reader->last_sequence, 1, 0, host_time_ns);
    reader->reconnecting = true;
    /* A packet cut off by the hang-up is lost with the connection. */
    decoder_init(&reader->decoder, reader->decoder_buffer, sizeof(reader->decoder_buffer));
}

static void send_command(struct reader *reader, const uint8_t *bytes, size_t len, const char *what)
{
    int err = serial_write(reader->port, bytes, len, COMMAND_TIMEOUT_MS);
    if (err != 0) {
        log_message(LOG_LEVEL_WARNING, "serial", "%s: cannot send %s: %s", reader->port_name, what,
                    strerror(-err));
        disconnect(reader, "write failed", clock_realtime_ns());
    }
}

static void request_info(struct reader *reader)
{
    /* A lone delimiter first ends whatever partial bytes the device holds. */
    uint8_t bytes[1 + PACKET_WIRE_SIZE(PACKET_HEADER_SIZE + PACKET_CRC_SIZE)];
    bytes[0] = 0;
    size_t n = packet_encode_command(PACKET_GET_INFO, bytes + 1, sizeof(bytes) - 1);
    reader->info_requests++;
    reader->next_action_ns = clock_monotonic_ns() + INFO_RETRY_NS;
    if (reader->info_requests == INFO_REQUESTS_BEFORE_WARNING + 1)
        log_message(LOG_LEVEL_WARNING, "serial",
                    "%s: no answer to %u requests for device info; is an mtable table connected, "
                    "at the right baud rate (%u)? Still asking every second",
                    reader->port_name, INFO_REQUESTS_BEFORE_WARNING, reader->config.baud);
    send_command(reader, bytes, n + 1, "GET_INFO");
}

static void try_open(struct reader *reader)
{
    char error[SERIAL_ERROR_MAX];
    int err =
        serial_open(reader->port_name, reader->config.baud, &reader->port, error, sizeof(error));
    if (err != 0) {
        enum log_level level = reader->warned_open ? LOG_LEVEL_DEBUG : LOG_LEVEL_WARNING;
        log_message(level, "serial", "cannot open %s; retrying every %.1f s", error,
                    (double)REOPEN_RETRY_NS / CLOCK_NS_PER_S);
        reader->warned_open = true;
        reader->next_action_ns = clock_monotonic_ns() + REOPEN_RETRY_NS;
        return;
    }
    log_message(LOG_LEVEL_INFO, "serial", "%s: opened %s%s", reader->port_name,
                serial_path(reader->port), serial_is_pty(reader->port) ? " (pseudo-terminal)" : "");
    reader->warned_open = false;
    reader->state = READER_AWAIT_INFO;
    reader->info_requests = 0;
    reader->rate_awaiting_ack = false;
    reader->rate_settling = false;
    reader->settled_rate_mhz = 0;
    request_info(reader);
}

/* How long streaming may go without a frame before the device is asked for its state. */
static int64_t watchdog_ns(const struct reader *reader)
{
    int64_t three_periods = reader->device.frame_rate_mhz > 0
                                ? 3 * CLOCK_NS_PER_S * 1000 / (int64_t)reader->device.frame_rate_mhz
                                : 0;
    return three_periods > WATCHDOG_MIN_NS ? three_periods : WATCHDOG_MIN_NS;
}

/* Moves the reader to a fresh ring sized for info's grid, owing the old one a hand-over. */
static int switch_ring(struct reader *reader, const struct packet_device_info *info,
                       int64_t host_time_ns)
{
    /* Events noticed so far belong before the hand-over. */
    push_pending(reader);
    push_handoffs(reader);
    if (reader->handoff_count == HANDOFFS_MAX)
        return -EBUSY;
    size_t taxels = (size_t)info->rows * info->cols;
    struct ring *next = NULL;
    int err = ring_create(reader->config.ring_frames,
                          sizeof(struct record) + taxels * sizeof(uint16_t), &next);
    if (err != 0)
        return err;
    reader->handoffs[reader->handoff_count++] = (struct handoff){
        .ring = reader->ring,
        .change = {.info = *info, .host_time_ns = host_time_ns, .next_ring = next},
    };
    reader->ring = next;
    push_handoffs(reader);
    return 0;
}

/*
 * Asks the device for the configured frame rate when it runs at another.
 * Returns true while the answer is awaited: this description is about to
 * change, so no session should start from it. The device answers SET_RATE
 * with an ACK and commands in order, so once the ACK is in, a fresh GET_INFO
 * is answered with the rate the device kept (which may differ by rounding).
 */
static bool negotiate_rate(struct reader *reader, const struct packet_device_info *info)
{
    uint32_t wanted = reader->config.frame_rate_mhz;
    if (wanted == 0)
        return false;
    if (reader->rate_awaiting_ack) {
        if (++reader->rate_waits <= RATE_WAITS_MAX)
            return true;
        log_message(LOG_LEVEL_WARNING, "serial",
                    "%s: no answer to SET_RATE; recording at the device's %.3f frames/s",
                    reader->port_name, info->frame_rate_mhz / 1000.0);
        reader->rate_awaiting_ack = false;
        reader->settled_rate_mhz = info->frame_rate_mhz;
        return false;
    }
    if (reader->rate_settling) {
        reader->rate_settling = false;
        reader->settled_rate_mhz = info->frame_rate_mhz;
        if (info->frame_rate_mhz != wanted)
            log_message(LOG_LEVEL_WARNING, "serial",
                        "%s: asked for %.3f frames/s, the device runs at %.3f frames/s",
                        reader->port_name, wanted / 1000.0, info->frame_rate_mhz / 1000.0);
        return false;
    }
    if (info->frame_rate_mhz == wanted || info->frame_rate_mhz == reader->settled_rate_mhz)
        return false;
    uint8_t bytes[PACKET_WIRE_SIZE(PACKET_HEADER_SIZE + 4 + PACKET_CRC_SIZE)];
    size_t n = packet_encode_set_rate(wanted, bytes, sizeof(bytes));
    reader->rate_awaiting_ack = true;
    reader->rate_waits = 0;
    send_command(reader, bytes, n, "SET_RATE");
    return true;
}

/* SET_RATE answered: ask again for the description, which now has the rate to keep. */
static void handle_rate_ack(struct reader *reader, enum packet_ack_status status)
{
    if (!reader->rate_awaiting_ack)
        return;
    reader->rate_awaiting_ack = false;
    reader->rate_settling = true;
    if (status != PACKET_ACK_OK)
        log_message(LOG_LEVEL_WARNING, "serial",
                    "%s: the device cannot scan at %.3f frames/s (status %u); recording at its "
                    "own rate",
                    reader->port_name, reader->config.frame_rate_mhz / 1000.0, (unsigned)status);
    request_info(reader);
}

static void handle_device_info(struct reader *reader, const struct packet_device_info *info,
                               int64_t host_time_ns)
{
    if (reader->reconnecting) {
        add_event(reader, LINK_EVENT_RECONNECT, reader->last_sequence, 1, 0, host_time_ns);
        log_message(LOG_LEVEL_INFO, "serial", "%s: device is back; continuing the session",
                    reader->port_name);
        reader->reconnecting = false;
    }
    if (negotiate_rate(reader, info))
        return;
    /* A session file has one grid and one nominal rate: a change starts a new one. */
    bool changed = !reader->have_device || info->rows != reader->device.rows ||
                   info->cols != reader->device.cols ||
                   info->frame_rate_mhz != reader->device.frame_rate_mhz;
    if (changed) {
        int err = switch_ring(reader, info, host_time_ns);
        if (err != 0) {
            log_message(LOG_LEVEL_ERROR, "reader",
                        "cannot hand the writer a ring for a %ux%u grid: %s; asking again",
                        info->rows, info->cols, strerror(-err));
            return;
        }
        log_message(LOG_LEVEL_INFO, "serial",
                    "%s: device %s, firmware %u.%u.%u, %ux%u taxels, %u-bit, %.3f frames/s",
                    reader->port_name, info->serial, info->firmware_major, info->firmware_minor,
                    info->firmware_patch, info->rows, info->cols, info->adc_bits,
                    info->frame_rate_mhz / 1000.0);
        reader->have_sequence = false;
    }
    reader->have_device = true;
    reader->device = *info;

    /*
     * Not streaming: start it. This may be the answer to a GET_INFO sent
     * before an earlier START took effect, or a device that reset; START is
     * harmless either way, and a reset shows in its sequence and clock.
     */
    if (!info->streaming && reader->port != NULL) {
        uint8_t bytes[PACKET_WIRE_SIZE(PACKET_HEADER_SIZE + PACKET_CRC_SIZE)];
        size_t n = packet_encode_command(PACKET_START, bytes, sizeof(bytes));
        send_command(reader, bytes, n, "START");
    }
    if (reader->port != NULL) {
        reader->state = READER_STREAMING;
        reader->next_action_ns = clock_monotonic_ns() + watchdog_ns(reader);
        atomic_store(&reader->stats.streaming, true);
    }
}

static void drop_frame(struct reader *reader, uint32_t sequence, int64_t host_time_ns)
{
    atomic_fetch_add(&reader->stats.frames_dropped, 1);
    add_event(reader, LINK_EVENT_DROP, sequence, 1, 0, host_time_ns);
}

/*
 * Follows the sequence numbers and device clock of every intact frame of
 * this device: a jump ahead is a gap; a sequence or clock going back is a
 * restarted device (its numbers and clock begin again from 0).
 */
static void track_sequence(struct reader *reader, const struct packet_frame *frame,
                           int64_t host_time_ns)
{
    if (reader->have_sequence) {
        uint32_t ahead = frame->sequence - (reader->last_sequence + 1);
        if (ahead >= SEQUENCE_HALF_RANGE || frame->device_time_us < reader->last_device_time_us) {
            log_message(LOG_LEVEL_WARNING, "serial",
                        "%s: sequence %u -> %u, device clock %llu -> %llu us: the device "
                        "restarted",
                        reader->port_name, reader->last_sequence, frame->sequence,
                        (unsigned long long)reader->last_device_time_us,
                        (unsigned long long)frame->device_time_us);
            add_event(reader, LINK_EVENT_DEVICE_RESET, reader->last_sequence, 1, 0, host_time_ns);
        } else if (ahead != 0) {
            add_event(reader, LINK_EVENT_GAP, reader->last_sequence + 1, ahead, 0, host_time_ns);
            atomic_fetch_add(&reader->stats.gaps, 1);
            atomic_fetch_add(&reader->stats.frames_missing, ahead);
        }
    }
    reader->have_sequence = true;
    reader->last_sequence = frame->sequence;
    reader->last_device_time_us = frame->device_time_us;
}

static void handle_frame(struct reader *reader, const struct packet_frame *frame,
                         int64_t host_time_ns)
{
    if (!reader->have_device) {
        if (reader->frames_before_info++ == 0)
            log_message(LOG_LEVEL_INFO, "serial",
                        "%s: frames arriving before device info are not recorded (the session "
                        "starts with the device info)",
                        reader->port_name);
        return;
    }
    reader->next_action_ns = clock_monotonic_ns() + watchdog_ns(reader);
    track_sequence(reader, frame, host_time_ns);
    if (frame->rows != reader->device.rows || frame->cols != reader->device.cols) {
        add_event(reader, LINK_EVENT_SHAPE, frame->sequence, 1, 0, host_time_ns);
        return;
    }
    atomic_fetch_add(&reader->stats.frames_received, 1);

    push_handoffs(reader);
    struct record *slot = push_pending(reader) ? ring_reserve(reader->ring) : NULL;
    if (slot == NULL) {
        drop_frame(reader, frame->sequence, host_time_ns);
        return;
    }
    slot->kind = RECORD_FRAME;
    slot->body.frame.sequence = frame->sequence;
    slot->body.frame.device_time_us = frame->device_time_us;
    slot->body.frame.host_time_ns = host_time_ns;
    packet_frame_values(frame, slot->values);
    ring_publish(reader->ring);
    reader->unannounced++;
}

static void handle_packet(struct reader *reader, const struct packet *packet, int64_t host_time_ns)
{
    switch (packet->type) {
    case PACKET_FRAME:
        handle_frame(reader, &packet->body.frame, host_time_ns);
        break;
    case PACKET_DEVICE_INFO:
        handle_device_info(reader, &packet->body.info, host_time_ns);
        break;
    case PACKET_ACK:
        if (packet->body.ack.command == PACKET_SET_RATE)
            handle_rate_ack(reader, packet->body.ack.status);
        else if (packet->body.ack.status != PACKET_ACK_OK)
            log_message(LOG_LEVEL_WARNING, "serial",
                        "%s: the device refused command 0x%02x (status %u)", reader->port_name,
                        packet->body.ack.command, (unsigned)packet->body.ack.status);
        break;
    default:
        log_message(LOG_LEVEL_DEBUG, "serial", "%s: ignoring host-to-device packet 0x%02x",
                    reader->port_name, (unsigned)packet->type);
        break;
    }
}

/* Reads what the port has and decodes it; hung_up: poll reported a hang-up. */
static void read_port(struct reader *reader, bool hung_up)
{
    ssize_t n = serial_read(reader->port, reader->read_buffer, sizeof(reader->read_buffer));
    int64_t host_time_ns = clock_realtime_ns();
    if (n < 0 || (n == 0 && hung_up)) {
        disconnect(reader, n == -EIO || n == 0 ? "hang-up" : strerror((int)-n), host_time_ns);
        return;
    }
    atomic_fetch_add(&reader->stats.bytes_read, (uint_fast64_t)n);
    if (reader->config.capture != NULL && n > 0)
        capture_bytes(reader->config.capture, reader->read_buffer, (size_t)n);
    const uint8_t *cursor = reader->read_buffer;
    const uint8_t *end = cursor + n;
    struct packet packet;
    int result;
    while ((result = decoder_next(&reader->decoder, &cursor, end, &packet)) != 0) {
        if (result > 0) {
            handle_packet(reader, &packet, host_time_ns);
            continue;
        }
        atomic_fetch_add(&reader->stats.decode_errors, 1);
        if (result == PACKET_ERROR_CRC)
            atomic_fetch_add(&reader->stats.crc_errors, 1);
        log_message(LOG_LEVEL_DEBUG, "decoder", "%s: %s, %zu bytes discarded", reader->port_name,
                    packet_error_name(result), reader->decoder.rejected_bytes);
        add_event(reader, LINK_EVENT_FROM_PACKET_ERROR(result), reader->last_sequence, 1,
                  (uint32_t)reader->decoder.rejected_bytes, host_time_ns);
    }
}

/* Retries, re-requests and watchdog, when their time has come. */
static void run_timers(struct reader *reader)
{
    if (clock_monotonic_ns() < reader->next_action_ns)
        return;
    switch (reader->state) {
    case READER_CLOSED:
        try_open(reader);
        break;
    case READER_AWAIT_INFO:
        request_info(reader);
        break;
    case READER_STREAMING:
        log_message(LOG_LEVEL_WARNING, "serial",
                    "%s: no frame for %.1f s; asking the device for its state", reader->port_name,
                    (double)watchdog_ns(reader) / CLOCK_NS_PER_S);
        reader->state = READER_AWAIT_INFO;
        reader->info_requests = 0;
        atomic_store(&reader->stats.streaming, false);
        request_info(reader);
        break;
    }
}

/* Stopping: hand on everything, then the end marker, waiting for room if need be. */
static void finish_stream(struct reader *reader)
{
    if (reader->port != NULL) {
        uint8_t bytes[PACKET_WIRE_SIZE(PACKET_HEADER_SIZE + PACKET_CRC_SIZE)];
        size_t n = packet_encode_command(PACKET_STOP, bytes, sizeof(bytes));
        serial_write(reader->port, bytes, n, COMMAND_TIMEOUT_MS);
        serial_close(reader->port);
        reader->port = NULL;
    }
    struct record *slot;
    for (;;) {
        push_handoffs(reader);
        if (reader->handoff_count == 0 && push_pending(reader) &&
            (slot = ring_reserve(reader->ring)) != NULL)
            break;
        reader->wake_needed = true;
        wake_writer(reader);
        poll(NULL, 0, 1); /* the writer drains until it sees the end */
    }
    slot->kind = RECORD_END;
    ring_publish(reader->ring);
    reader->wake_needed = true;
    wake_writer(reader);
    if (reader->events_lost > 0)
        log_message(LOG_LEVEL_WARNING, "reader",
                    "%llu link events could not be queued while the writer was behind",
                    (unsigned long long)reader->events_lost);
}

static void *reader_main(void *arg)
{
    struct reader *reader = arg;
    for (;;) {
        struct pollfd fds[2] = {
            {.fd = reader->stop_fd, .events = POLLIN},
            {.fd = reader->port != NULL ? serial_fd(reader->port) : -1, .events = POLLIN},
        };
        int timeout = clock_poll_timeout_ms(reader->next_action_ns);
        if (poll(fds, 2, timeout) < 0 && errno != EINTR) {
            log_message(LOG_LEVEL_ERROR, "reader", "poll failed: %s", strerror(errno));
            break;
        }
        if (fds[0].revents != 0)
            break;
        if (reader->port != NULL && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0)
            read_port(reader, (fds[1].revents & (POLLHUP | POLLERR)) != 0);
        run_timers(reader);
        push_handoffs(reader);
        push_pending(reader);
        wake_writer(reader);
    }
    finish_stream(reader);
    return NULL;
}

int reader_start(const struct reader_config *config, struct ring *first_ring, struct reader **out)
{
    struct reader *reader = calloc(1, sizeof(*reader));
    if (reader == NULL)
        return -ENOMEM;
    reader->config = *config;
    reader->port_name = strdup(config->port);
    reader->stop_fd = eventfd(0, EFD_CLOEXEC);
    int err = 0;
    if (reader->port_name == NULL || reader->stop_fd < 0) {
        err = reader->port_name == NULL ? -ENOMEM : -errno;
        goto out;
    }
    reader->ring = first_ring;
    reader->state = READER_CLOSED;
    reader->next_action_ns = clock_monotonic_ns();
    decoder_init(&reader->decoder, reader->decoder_buffer, sizeof(reader->decoder_buffer));
    err = -pthread_create(&reader->thread, NULL, reader_main, reader);
out:
    if (err != 0) {
        if (reader->stop_fd >= 0)
            close(reader->stop_fd);
        free(reader->port_name);
        free(reader);
        return err;
    }
    *out = reader;
    return 0;
}

void reader_stop(struct reader *reader)
{
    uint64_t one = 1;
    ssize_t ignored = write(reader->stop_fd, &one, sizeof(one));
    (void)ignored; /* cannot fail on a fresh eventfd */
    pthread_join(reader->thread, NULL);
}

void reader_free(struct reader *reader)
{
    close(reader->stop_fd);
    free(reader->port_name);
    free(reader);
}

const struct reader_stats *reader_stats(const struct reader *reader)
{
    return &reader->stats;
}
