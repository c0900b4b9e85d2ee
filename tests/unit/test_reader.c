/*
 * test_reader.c - the reader thread against a scripted device on a pty.
 *
 * The test plays both neighbours of the reader: the device (the pty master,
 * speaking the protocol through the hw codec) and the writer (consuming the
 * ring, following handoffs to new rings as the recorder does). Each test
 * checks the exact records the reader hands on: frames in order with their
 * values, and the link events for gaps, garbage, drops, disconnects,
 * resets and grid changes.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "decoder.h"
#include "log.h"
#include "packet.h"
#include "reader.h"
#include "record.h"
#include "ring.h"

/* Longest wait for anything the reader should do promptly. */
#define WAIT_MS 5000

struct harness {
    char link[64];   /* symlink the reader opens: re-pointed to simulate a replug */
    char slave[128]; /* current pty slave */
    int master;      /* current pty master: the device's end */
    int wake_fd;
    struct ring *ring; /* ring the test (as writer) is reading */
    struct reader *reader;
    struct decoder decoder;
    uint8_t decoder_buffer[256];
};

static void new_pty(struct harness *h)
{
    h->master = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);
    assert_true(h->master >= 0);
    assert_int_equal(grantpt(h->master), 0);
    assert_int_equal(unlockpt(h->master), 0);
    assert_int_equal(ptsname_r(h->master, h->slave, sizeof(h->slave)), 0);
    char tmp[80];
    snprintf(tmp, sizeof(tmp), "%s.new", h->link);
    unlink(tmp);
    assert_int_equal(symlink(h->slave, tmp), 0);
    assert_int_equal(rename(tmp, h->link), 0);
    decoder_init(&h->decoder, h->decoder_buffer, sizeof(h->decoder_buffer));
}

static struct harness *start_at_rate(size_t ring_frames, uint32_t frame_rate_mhz)
{
    struct harness *h = calloc(1, sizeof(*h));
    snprintf(h->link, sizeof(h->link), "/tmp/mtable-test-reader-%d", (int)getpid());
    new_pty(h);
    h->wake_fd = eventfd(0, EFD_NONBLOCK);
    assert_int_equal(ring_create(16, sizeof(struct record), &h->ring), 0);
    struct reader_config config = {.port = h->link,
                                   .baud = 115200,
                                   .frame_rate_mhz = frame_rate_mhz,
                                   .ring_frames = ring_frames,
                                   .wake_fd = h->wake_fd};
    assert_int_equal(reader_start(&config, h->ring, &h->reader), 0);
    return h;
}

static struct harness *start(size_t ring_frames)
{
    return start_at_rate(ring_frames, 0);
}

/* Reads commands the reader sent until one of type `type` arrives. */
static void expect_command(struct harness *h, enum packet_type type)
{
    for (int waited = 0; waited < WAIT_MS; waited += 10) {
        uint8_t bytes[256];
        ssize_t n = read(h->master, bytes, sizeof(bytes));
        const uint8_t *cursor = bytes;
        struct packet p;
        while (n > 0 && decoder_next(&h->decoder, &cursor, bytes + n, &p) != 0)
            if (p.type == type)
                return;
        poll(NULL, 0, 10);
    }
    fail_msg("the reader did not send command 0x%02x", type);
}

static void send_bytes(struct harness *h, const uint8_t *bytes, size_t len)
{
    assert_int_equal(write(h->master, bytes, len), (ssize_t)len);
}

static void send_info_at_rate(struct harness *h, uint16_t rows, uint16_t cols, bool streaming,
                              uint32_t frame_rate_mhz)
{
    struct packet_device_info info = {.rows = rows,
                                      .cols = cols,
                                      .row_pitch_um = 30000,
                                      .col_pitch_um = 21875,
                                      .adc_bits = 12,
                                      .streaming = streaming,
                                      .frame_rate_mhz = frame_rate_mhz,
                                      .firmware_major = 1,
                                      .serial = "TEST-1"};
    uint8_t bytes[128];
    send_bytes(h, bytes, packet_encode_device_info(&info, bytes, sizeof(bytes)));
}

static void send_info(struct harness *h, uint16_t rows, uint16_t cols, bool streaming)
{
    send_info_at_rate(h, rows, cols, streaming, 100000);
}

static void send_ack(struct harness *h, uint8_t command, enum packet_ack_status status)
{
    uint8_t bytes[32];
    send_bytes(h, bytes, packet_encode_ack(command, status, bytes, sizeof(bytes)));
}

/* Frame values derived from the sequence number, so each frame is checkable. */
static uint16_t value_of(uint32_t sequence, size_t i)
{
    return (uint16_t)(sequence * 10 + i);
}

static void send_frame_at(struct harness *h, uint32_t sequence, uint64_t device_time_us,
                          uint16_t rows, uint16_t cols)
{
    uint16_t values[64];
    for (size_t i = 0; i < (size_t)rows * cols; i++)
        values[i] = value_of(sequence, i);
    uint8_t bytes[PACKET_WIRE_SIZE(PACKET_FRAME_SIZE(64))];
    send_bytes(
        h, bytes,
        packet_encode_frame(sequence, device_time_us, rows, cols, values, bytes, sizeof(bytes)));
}

/* A frame stamped 1 ms per sequence number. */
static void send_frame(struct harness *h, uint32_t sequence, uint16_t rows, uint16_t cols)
{
    send_frame_at(h, sequence, 1000ull * sequence, rows, cols);
}

/* Takes the next record as the writer would, following ring handoffs. */
static struct record next_record(struct harness *h)
{
    for (int waited = 0; waited < WAIT_MS; waited += 5) {
        struct record *slot = ring_peek(h->ring);
        if (slot == NULL) {
            struct pollfd pfd = {.fd = h->wake_fd, .events = POLLIN};
            poll(&pfd, 1, 5);
            uint64_t count;
            ssize_t ignored = read(h->wake_fd, &count, sizeof(count));
            (void)ignored;
            continue;
        }
        struct record copy = *slot;
        ring_release(h->ring);
        if (copy.kind == RECORD_DEVICE && copy.body.device.next_ring != NULL) {
            ring_destroy(h->ring);
            h->ring = copy.body.device.next_ring;
        }
        return copy;
    }
    fail_msg("no record from the reader within %d ms", WAIT_MS);
    return (struct record){0};
}

static void expect_frame_at(struct harness *h, uint32_t sequence, uint64_t device_time_us,
                            size_t taxels)
{
    struct record *slot = NULL;
    for (int waited = 0; slot == NULL && waited < WAIT_MS; waited += 5) {
        slot = ring_peek(h->ring);
        if (slot == NULL)
            poll(NULL, 0, 5);
    }
    assert_non_null(slot);
    if (slot->kind != RECORD_FRAME)
        fail_msg("expected frame %u, got record kind %d (event kind %d)", sequence, slot->kind,
                 slot->body.event.kind);
    assert_int_equal(slot->body.frame.sequence, sequence);
    assert_true(slot->body.frame.device_time_us == device_time_us);
    assert_true(slot->body.frame.host_time_ns > 0);
    for (size_t i = 0; i < taxels; i++)
        assert_int_equal(slot->values[i], value_of(sequence, i));
    ring_release(h->ring);
}

static void expect_frame(struct harness *h, uint32_t sequence, size_t taxels)
{
    expect_frame_at(h, sequence, 1000ull * sequence, taxels);
}

static void expect_event(struct harness *h, enum link_event_kind kind, uint32_t sequence,
                         uint32_t count)
{
    struct record r = next_record(h);
    if (r.kind != RECORD_EVENT || r.body.event.kind != kind)
        fail_msg("expected event kind %d, got record kind %d (event kind %d)", kind, r.kind,
                 r.body.event.kind);
    assert_int_equal(r.body.event.sequence, sequence);
    assert_int_equal(r.body.event.count, count);
}

/* The reader asks, the device answers, the reader starts it, the writer gets a new ring. */
static void handshake(struct harness *h, uint16_t rows, uint16_t cols)
{
    expect_command(h, PACKET_GET_INFO);
    send_info(h, rows, cols, false);
    expect_command(h, PACKET_START);
    struct record r = next_record(h);
    assert_int_equal(r.kind, RECORD_DEVICE);
    assert_non_null(r.body.device.next_ring);
    assert_int_equal(r.body.device.info.rows, rows);
    assert_int_equal(r.body.device.info.cols, cols);
    assert_string_equal(r.body.device.info.serial, "TEST-1");
}

static void stop(struct harness *h)
{
    reader_stop(h->reader);
    struct record r;
    do
        r = next_record(h);
    while (r.kind != RECORD_END);
    reader_free(h->reader);
    ring_destroy(h->ring);
    close(h->master);
    close(h->wake_fd);
    unlink(h->link);
    free(h);
}

static void test_frames_gaps_and_garbage(void **state)
{
    (void)state;
    struct harness *h = start(64);
    handshake(h, 3, 4);
    for (uint32_t s = 0; s < 5; s++)
        send_frame(h, s, 3, 4);
    for (uint32_t s = 0; s < 5; s++)
        expect_frame(h, s, 12);

    send_frame(h, 7, 3, 4); /* 5 and 6 never arrive */
    expect_event(h, LINK_EVENT_GAP, 5, 2);
    expect_frame(h, 7, 12);

    const uint8_t garbage[] = {0x00, 0x55, 0xAA, 0x00, 0x55, 0xAA, 0x13, 0x00};
    send_bytes(h, garbage, sizeof(garbage));
    send_frame(h, 8, 3, 4);
    struct record r = next_record(h); /* two framing errors in a row: one event */
    assert_int_equal(r.kind, RECORD_EVENT);
    assert_int_equal(r.body.event.kind, LINK_EVENT_FRAMING);
    assert_int_equal(r.body.event.count, 2);
    assert_int_equal(r.body.event.bytes, 5);
    assert_int_equal(r.body.event.sequence, 7);
    expect_frame(h, 8, 12);

    const struct reader_stats *stats = reader_stats(h->reader);
    assert_int_equal(atomic_load(&stats->frames_received), 7);
    assert_int_equal(atomic_load(&stats->frames_missing), 2);
    assert_int_equal(atomic_load(&stats->gaps), 1);
    assert_int_equal(atomic_load(&stats->decode_errors), 2);
    assert_int_equal(atomic_load(&stats->frames_dropped), 0);
    stop(h);
}

static void test_full_ring_drops_and_records_them(void **state)
{
    (void)state;
    struct harness *h = start(16);
    handshake(h, 2, 2);
    const struct reader_stats *stats = reader_stats(h->reader);
    /* The writer (this test) reads nothing while 40 frames arrive. */
    for (uint32_t s = 0; s < 40; s++)
        send_frame(h, s, 2, 2);
    for (int waited = 0; atomic_load(&stats->frames_received) < 40 && waited < WAIT_MS; waited += 5)
        poll(NULL, 0, 5);
    assert_int_equal(atomic_load(&stats->frames_received), 40);
    assert_int_equal(atomic_load(&stats->frames_dropped), 24);

    for (uint32_t s = 0; s < 16; s++)
        expect_frame(h, s, 4);
    send_frame(h, 40, 2, 2);
    expect_event(h, LINK_EVENT_DROP, 16, 24);
    expect_frame(h, 40, 4);
    stop(h);
}

static void test_disconnect_and_reconnect(void **state)
{
    (void)state;
    struct harness *h = start(64);
    handshake(h, 2, 3);
    for (uint32_t s = 0; s < 3; s++)
        send_frame(h, s, 2, 3);
    for (uint32_t s = 0; s < 3; s++)
        expect_frame(h, s, 6);

    close(h->master); /* the cable is pulled */
    expect_event(h, LINK_EVENT_DISCONNECT, 2, 1);
    const struct reader_stats *stats = reader_stats(h->reader);
    assert_int_equal(atomic_load(&stats->disconnects), 1);
    assert_false(atomic_load(&stats->streaming));

    new_pty(h); /* the device comes back at the same name */
    expect_command(h, PACKET_GET_INFO);
    send_info(h, 2, 3, true); /* still streaming: no START needed */
    expect_event(h, LINK_EVENT_RECONNECT, 2, 1);
    send_frame(h, 5, 2, 3);
    expect_event(h, LINK_EVENT_GAP, 3, 2);
    expect_frame(h, 5, 6);
    assert_true(atomic_load(&stats->streaming));
    stop(h);
}

static void test_device_reset_restarts_streaming(void **state)
{
    (void)state;
    struct harness *h = start(64);
    handshake(h, 2, 2);
    for (uint32_t s = 0; s < 4; s++)
        send_frame(h, s, 2, 2);
    for (uint32_t s = 0; s < 4; s++)
        expect_frame(h, s, 4);
    send_info(h, 2, 2, false); /* the device rebooted */
    expect_command(h, PACKET_START);
    send_frame(h, 0, 2, 2);
    expect_event(h, LINK_EVENT_DEVICE_RESET, 3, 1);
    expect_frame(h, 0, 4); /* sequence restarts: no gap reported */
    stop(h);
}

static void test_grid_change_hands_over_a_new_ring(void **state)
{
    (void)state;
    struct harness *h = start(64);
    handshake(h, 2, 2);
    send_frame(h, 0, 2, 2);
    expect_frame(h, 0, 4);
    send_frame(h, 1, 4, 4); /* a frame of another shape before the device says so */
    send_info(h, 4, 4, true);
    send_frame(h, 2, 4, 4);
    expect_event(h, LINK_EVENT_SHAPE, 1, 1);
    struct record r = next_record(h);
    assert_int_equal(r.kind, RECORD_DEVICE);
    assert_non_null(r.body.device.next_ring);
    assert_int_equal(r.body.device.info.rows, 4);
    expect_frame(h, 2, 16);
    stop(h);
}

static void test_silent_port_keeps_asking(void **state)
{
    (void)state;
    struct harness *h = start(64);
    expect_command(h, PACKET_GET_INFO);
    expect_command(h, PACKET_GET_INFO); /* asked again after a second */
    stop(h);
}

static void test_sequence_wraps_without_a_gap(void **state)
{
    (void)state;
    struct harness *h = start(64);
    handshake(h, 2, 2);
    send_frame_at(h, 0xFFFFFFFEu, 1000, 2, 2);
    send_frame_at(h, 0xFFFFFFFFu, 2000, 2, 2);
    send_frame_at(h, 0, 3000, 2, 2); /* 2^32 - 1 + 1 wraps to 0: the next frame */
    send_frame_at(h, 2, 5000, 2, 2); /* 1 is missing */
    expect_frame_at(h, 0xFFFFFFFEu, 1000, 4);
    expect_frame_at(h, 0xFFFFFFFFu, 2000, 4);
    expect_frame_at(h, 0, 3000, 4);
    expect_event(h, LINK_EVENT_GAP, 1, 1);
    expect_frame_at(h, 2, 5000, 4);
    stop(h);
}

/* A device that restarted while its numbers ran on (e.g. while unplugged): its clock went back. */
static void test_clock_going_back_is_a_restart_not_a_gap(void **state)
{
    (void)state;
    struct harness *h = start(64);
    handshake(h, 2, 2);
    send_frame_at(h, 10, 500000, 2, 2);
    send_frame_at(h, 40, 3000, 2, 2);
    expect_frame_at(h, 10, 500000, 4);
    expect_event(h, LINK_EVENT_DEVICE_RESET, 10, 1);
    expect_frame_at(h, 40, 3000, 4);
    assert_int_equal(atomic_load(&reader_stats(h->reader)->gaps), 0);
    stop(h);
}

/* A frame of the wrong shape is accounted for by its own row, not also as a gap. */
static void test_wrong_shape_is_not_also_a_gap(void **state)
{
    (void)state;
    struct harness *h = start(64);
    handshake(h, 2, 2);
    send_frame(h, 0, 2, 2);
    send_frame(h, 1, 3, 3);
    send_frame(h, 2, 2, 2);
    expect_frame(h, 0, 4);
    expect_event(h, LINK_EVENT_SHAPE, 1, 1);
    expect_frame(h, 2, 4);
    assert_int_equal(atomic_load(&reader_stats(h->reader)->gaps), 0);
    stop(h);
}

/* With a rate asked for, the session starts only from the description the device confirms. */
static void test_rate_is_confirmed_before_the_session(void **state)
{
    (void)state;
    struct harness *h = start_at_rate(64, 20000);
    expect_command(h, PACKET_GET_INFO);
    send_info(h, 2, 2, false); /* at 100 frames/s */
    expect_command(h, PACKET_SET_RATE);
    send_info(h, 2, 2, false); /* a late answer to an earlier GET_INFO: still 100 */
    send_ack(h, PACKET_SET_RATE, PACKET_ACK_OK);
    expect_command(h, PACKET_GET_INFO);
    send_info_at_rate(h, 2, 2, false, 20000);
    expect_command(h, PACKET_START);
    struct record r = next_record(h);
    assert_int_equal(r.kind, RECORD_DEVICE);
    assert_int_equal(r.body.device.info.frame_rate_mhz, 20000);
    stop(h);
}

static void test_refused_rate_records_the_device_rate(void **state)
{
    (void)state;
    struct harness *h = start_at_rate(64, 5000000);
    expect_command(h, PACKET_GET_INFO);
    send_info(h, 2, 2, false);
    expect_command(h, PACKET_SET_RATE);
    send_ack(h, PACKET_SET_RATE, PACKET_ACK_BAD_ARGUMENT);
    expect_command(h, PACKET_GET_INFO);
    send_info(h, 2, 2, false);
    expect_command(h, PACKET_START);
    struct record r = next_record(h);
    assert_int_equal(r.kind, RECORD_DEVICE);
    assert_int_equal(r.body.device.info.frame_rate_mhz, 100000);
    stop(h);
}

/* Two grid changes while the writer reads nothing: the reader goes on with the newest grid. */
static void test_grid_changes_while_the_writer_is_stalled(void **state)
{
    (void)state;
    struct harness *h = start(16);
    handshake(h, 2, 2);
    for (uint32_t s = 0; s < 20; s++)
        send_frame(h, s, 2, 2); /* 16 fill the ring, 4 are dropped */
    send_info(h, 3, 3, true);
    send_frame(h, 100, 3, 3);
    send_info(h, 4, 4, true);
    send_frame(h, 200, 4, 4);
    /* Only now does the writer wake up: everything above was read while it slept. */
    const struct reader_stats *stats = reader_stats(h->reader);
    for (int waited = 0; atomic_load(&stats->frames_received) < 22 && waited < WAIT_MS; waited += 5)
        poll(NULL, 0, 5);
    assert_int_equal(atomic_load(&stats->frames_received), 22);
    assert_int_equal(atomic_load(&stats->frames_dropped), 4);
    for (uint32_t s = 0; s < 16; s++)
        expect_frame(h, s, 4);
    struct record r = next_record(h);
    assert_int_equal(r.kind, RECORD_DEVICE);
    assert_int_equal(r.body.device.info.rows, 3);
    uint16_t grid = 3;
    uint32_t last_frame = 0;
    for (int guard = 0; guard < 10 && !(grid == 4 && last_frame == 200); guard++) {
        r = next_record(h);
        if (r.kind == RECORD_DEVICE)
            grid = r.body.device.info.rows;
        if (r.kind == RECORD_FRAME)
            last_frame = r.body.frame.sequence;
    }
    assert_int_equal(grid, 4);
    assert_int_equal(last_frame, 200);
    stop(h);
}

int main(void)
{
    log_init("test_reader", LOG_LEVEL_ERROR, false);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frames_gaps_and_garbage),
        cmocka_unit_test(test_full_ring_drops_and_records_them),
        cmocka_unit_test(test_disconnect_and_reconnect),
        cmocka_unit_test(test_device_reset_restarts_streaming),
        cmocka_unit_test(test_grid_change_hands_over_a_new_ring),
        cmocka_unit_test(test_silent_port_keeps_asking),
        cmocka_unit_test(test_sequence_wraps_without_a_gap),
        cmocka_unit_test(test_clock_going_back_is_a_restart_not_a_gap),
        cmocka_unit_test(test_wrong_shape_is_not_also_a_gap),
        cmocka_unit_test(test_rate_is_confirmed_before_the_session),
        cmocka_unit_test(test_refused_rate_records_the_device_rate),
        cmocka_unit_test(test_grid_changes_while_the_writer_is_stalled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
