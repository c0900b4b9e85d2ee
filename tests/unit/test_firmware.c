/*
 * test_firmware.c - the firmware's main loop, driven with bytes in and a
 * simulated clock: DEVICE_INFO at power-up; START, STOP, SET_RATE and
 * GET_INFO answered and acted on (the alarm follows the rate); frames begin
 * at their ticks, carry the time their scan began and the values scanned,
 * row-major; a frame still scanning, or waiting for a busy link, at the
 * next tick is skipped and counted, using up its sequence number; ticks
 * that pass before a scan can begin use none; transmissions never overlap.
 *
 * Expected times are worked out by hand from the rates, settle times and
 * the fake link's speed (fake_hal.h); expected values from the fake ADC's
 * formula.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "crc32c.h"
#include "decoder.h"
#include "fake_hal.h"
#include "firmware.h"

/* The simulated clock starts at 1 ms, so times are not zero by accident. */
enum { START_NS = 1000000, START_US = START_NS / 1000 };
enum { MAX_TAXELS = 120, MAX_PACKETS = 64 };

static const struct firmware_config CONFIG = {
    .info =
        {
            .rows = 2,
            .cols = 3,
            .row_pitch_um = 30000,
            .col_pitch_um = 21875,
            .adc_bits = 12,
            .frame_rate_mhz = 100000,
            .firmware_major = 1,
            .firmware_minor = 2,
            .firmware_patch = 3,
            .serial = "MT-TEST-0001",
        },
    .limits = {1, 200000},
    .settle = {20000, 1500},
};

static struct firmware firmware;
static uint16_t values[MAX_TAXELS];
static uint8_t frame_buffer[PACKET_WIRE_SIZE(PACKET_FRAME_SIZE(MAX_TAXELS))];

/* One packet the firmware sent, as the test reads it. */
struct sent_packet {
    enum packet_type type;
    uint64_t sent_ns;            /* when hal_serial_send was called */
    uint32_t sequence;           /* FRAME */
    uint64_t device_time_us;     /* FRAME */
    uint16_t values[MAX_TAXELS]; /* FRAME */
    uint8_t command, status;     /* ACK */
    bool streaming;              /* DEVICE_INFO */
    uint32_t rate_mhz;           /* DEVICE_INFO */
};
static struct sent_packet packets[MAX_PACKETS];

/* A reading naming its taxel and scan: 100 * row + 10 * column + scan. */
static uint16_t naming_reading(unsigned row, unsigned column, unsigned scan)
{
    return (uint16_t)(100 * row + 10 * column + scan);
}

static void start_firmware(const struct firmware_config *config)
{
    fake_hal_reset(START_NS, naming_reading);
    assert_int_equal(
        firmware_init(&firmware, config, values, MAX_TAXELS, frame_buffer, sizeof(frame_buffer)),
        0);
    firmware_power_up(&firmware);
}

static int set_up(void **state)
{
    (void)state;
    start_firmware(&CONFIG);
    return 0;
}

static int tear_down(void **state)
{
    (void)state;
    assert_int_equal(fake_hal.unmasked_waits, 0); /* every sleep decided with interrupts masked */
    assert_int_equal(fake_hal.dropped_events, 0);
    fake_hal_free();
    return 0;
}

/* Runs the loop until the simulated clock reaches until_ns or nothing could wake it. */
static void run_until(uint64_t until_ns)
{
    for (int turns = 0; fake_hal.now_ns < until_ns; turns++) {
        assert_true(turns < 1000000);
        fake_hal.stuck = false;
        firmware_run_once(&firmware);
        if (fake_hal.stuck)
            return;
    }
}

/* Sends at at_ns a command without argument, or SET_RATE when command is PACKET_SET_RATE. */
static void send_command(uint64_t at_ns, enum packet_type command, uint32_t rate_mhz)
{
    uint8_t bytes[32];
    size_t n = command == PACKET_SET_RATE ? packet_encode_set_rate(rate_mhz, bytes, sizeof(bytes))
                                          : packet_encode_command(command, bytes, sizeof(bytes));
    assert_true(n > 0);
    fake_hal_input(at_ns, bytes, n);
}

/* Sends a well-formed packet of a type the protocol does not define. */
static void send_unknown_command(uint8_t type)
{
    uint8_t bytes[32];
    size_t n = packet_encode_command(PACKET_START, bytes, sizeof(bytes));
    uint8_t raw[16];
    long raw_len = cobs_decode(bytes + 1, n - 2, raw, sizeof(raw));
    assert_int_equal(raw_len, 8);
    raw[1] = type;
    uint32_t crc = crc32c(raw, 4);
    for (int i = 0; i < 4; i++)
        raw[4 + i] = (uint8_t)(crc >> (8 * i));
    bytes[0] = 0;
    size_t stuffed = cobs_encode(raw, 8, bytes + 1, sizeof(bytes) - 2);
    bytes[stuffed + 1] = 0;
    fake_hal_input(START_NS, bytes, stuffed + 2);
}

/*
 * Decodes everything sent so far into packets[]; returns how many. Checks on
 * the way that no transmission began while the previous one was still going.
 */
static size_t sent_packets(void)
{
    static uint8_t decoder_buffer[DECODER_MAX_STUFFED];
    struct decoder decoder;
    decoder_init(&decoder, decoder_buffer, sizeof(decoder_buffer));
    size_t count = 0, offset = 0;
    uint64_t link_free_ns = 0;
    for (size_t i = 0; i < fake_hal.event_count; i++) {
        const struct fake_event *e = &fake_hal.events[i];
        if (e->kind != FAKE_SEND)
            continue;
        assert_true(e->time_ns >= link_free_ns);
        link_free_ns = e->end_ns;
        const uint8_t *cursor = fake_hal.sent + offset;
        const uint8_t *end = cursor + e->arg;
        struct packet p;
        assert_int_equal(decoder_next(&decoder, &cursor, end, &p), 1); /* one whole packet */
        assert_int_equal(decoder_next(&decoder, &cursor, end, &p), 0);
        offset += e->arg;
        assert_true(count < MAX_PACKETS);
        struct sent_packet *s = &packets[count++];
        memset(s, 0, sizeof(*s));
        s->type = p.type;
        s->sent_ns = e->time_ns;
        if (p.type == PACKET_FRAME) {
            s->sequence = p.body.frame.sequence;
            s->device_time_us = p.body.frame.device_time_us;
            assert_int_equal(p.body.frame.rows, firmware.scan.rows);
            assert_int_equal(p.body.frame.cols, firmware.scan.cols);
            packet_frame_values(&p.body.frame, s->values);
        } else if (p.type == PACKET_ACK) {
            s->command = p.body.ack.command;
            s->status = (uint8_t)p.body.ack.status;
        } else if (p.type == PACKET_DEVICE_INFO) {
            s->streaming = p.body.info.streaming;
            s->rate_mhz = p.body.info.frame_rate_mhz;
        }
    }
    assert_int_equal(offset, fake_hal.sent_len);
    return count;
}

/* Simulated times (ns) at which row 0 was driven: when each scan began. */
static size_t scan_starts(uint64_t *starts, size_t capacity)
{
    size_t n = 0;
    for (size_t i = 0; i < fake_hal.event_count; i++) {
        if (fake_hal.events[i].kind == FAKE_ROW_DRIVE && fake_hal.events[i].arg == 0) {
            assert_true(n < capacity);
            starts[n++] = fake_hal.events[i].time_ns;
        }
    }
    return n;
}

static void assert_frame(const struct sent_packet *p, uint32_t sequence, uint64_t time_us,
                         unsigned scan)
{
    assert_int_equal(p->type, PACKET_FRAME);
    assert_int_equal(p->sequence, sequence);
    assert_int_equal(p->device_time_us, time_us);
    for (unsigned r = 0; r < firmware.scan.rows; r++)
        for (unsigned c = 0; c < firmware.scan.cols; c++)
            assert_int_equal(p->values[r * firmware.scan.cols + c],
                             4095 - naming_reading(r, c, scan));
}

static void assert_ack(const struct sent_packet *p, uint8_t command, uint8_t status)
{
    assert_int_equal(p->type, PACKET_ACK);
    assert_int_equal(p->command, command);
    assert_int_equal(p->status, status);
}

/* Power-up: one DEVICE_INFO, streaming clear, then the loop sleeps and scans nothing. */
static void test_power_up_announces_the_table(void **state)
{
    (void)state;
    run_until(UINT64_MAX);
    assert_true(fake_hal.stuck);
    assert_int_equal(sent_packets(), 1);
    assert_int_equal(packets[0].type, PACKET_DEVICE_INFO);
    assert_false(packets[0].streaming);
    assert_int_equal(packets[0].rate_mhz, 100000);
    uint64_t starts[1];
    assert_int_equal(scan_starts(starts, 1), 0);
}

/* START: ACK, then one frame per 10 ms tick, stamped with the time its scan began. */
static void test_start_streams_frames_at_the_rate(void **state)
{
    (void)state;
    send_command(START_NS, PACKET_START, 0);
    run_until(START_NS + 35000000);
    assert_int_equal(sent_packets(), 6);
    assert_int_equal(packets[0].type, PACKET_DEVICE_INFO);
    assert_ack(&packets[1], PACKET_START, PACKET_ACK_OK);
    uint64_t starts[8];
    assert_int_equal(scan_starts(starts, 8), 4);
    for (unsigned k = 0; k < 4; k++) {
        assert_int_equal(starts[k], START_NS + k * 10000000ull);
        assert_frame(&packets[2 + k], k, START_US + k * 10000u, k);
    }
    assert_int_equal(firmware_stats(&firmware)->frames_sent, 4);
    /* One scan: 2 rows x (20 us + 2 x 1.5 us) with instant conversions. */
    assert_int_equal(firmware_stats(&firmware)->scan_us_last, 46);
    /* The alarm was armed at each tick in turn. */
    unsigned alarms = 0;
    for (size_t i = 0; i < fake_hal.event_count; i++)
        if (fake_hal.events[i].kind == FAKE_ALARM_AT)
            assert_int_equal(fake_hal.events[i].arg, START_US + 10000u * alarms++);
    assert_int_equal(alarms, 5);
}

/* SET_RATE: ACK OK; the next frame begins one new period after the last tick. */
static void test_set_rate_applies_one_new_period_after_the_last_tick(void **state)
{
    (void)state;
    send_command(START_NS, PACKET_START, 0);
    send_command(START_NS + 15000000, PACKET_SET_RATE, 40000);  /* after the ticks at 0, 10 ms */
    send_command(START_NS + 15000000, PACKET_SET_RATE, 300000); /* faster than the limits */
    run_until(START_NS + 70000000);
    assert_int_equal(sent_packets(), 8);
    assert_ack(&packets[1], PACKET_START, PACKET_ACK_OK);
    assert_frame(&packets[2], 0, START_US, 0);
    assert_frame(&packets[3], 1, START_US + 10000, 1);
    assert_ack(&packets[4], PACKET_SET_RATE, PACKET_ACK_OK);
    assert_ack(&packets[5], PACKET_SET_RATE, PACKET_ACK_BAD_ARGUMENT);
    assert_frame(&packets[6], 2, START_US + 10000 + 25000, 2);
    assert_frame(&packets[7], 3, START_US + 10000 + 50000, 3);
    /* The alarm was moved when SET_RATE arrived, from 21 ms to 10 + 25 ms. */
    bool moved = false;
    for (size_t i = 0; i < fake_hal.event_count; i++) {
        const struct fake_event *e = &fake_hal.events[i];
        if (e->kind == FAKE_ALARM_AT && e->time_ns == START_NS + 15000000)
            moved = e->arg == START_US + 35000;
    }
    assert_true(moved);
}

/* STOP: ACK, the alarm is cancelled, no scan begins after it, and the loop sleeps. */
static void test_stop_ends_the_frames(void **state)
{
    (void)state;
    send_command(START_NS, PACKET_START, 0);
    send_command(START_NS + 25000000, PACKET_STOP, 0); /* after frames at 0, 10, 20 ms */
    send_command(START_NS + 25000000, PACKET_STOP, 0); /* STOP while stopped: OK, no change */
    run_until(UINT64_MAX);
    assert_true(fake_hal.stuck);
    assert_int_equal(sent_packets(), 7);
    assert_frame(&packets[4], 2, START_US + 20000, 2);
    assert_ack(&packets[5], PACKET_STOP, PACKET_ACK_OK);
    assert_ack(&packets[6], PACKET_STOP, PACKET_ACK_OK);
    uint64_t starts[8];
    assert_int_equal(scan_starts(starts, 8), 3);
    assert_int_equal(fake_hal.events[fake_hal.event_count - 1].kind, FAKE_WAIT);
    bool cancelled = false;
    for (size_t i = 0; i < fake_hal.event_count; i++)
        cancelled = cancelled || fake_hal.events[i].kind == FAKE_CANCEL;
    assert_true(cancelled);

    /* START again: frames go on from the next sequence number, from a new first tick. */
    uint64_t restart_ns = fake_hal.now_ns;
    assert_int_equal(restart_ns, START_NS + 25000000);
    send_command(restart_ns, PACKET_START, 0);
    run_until(restart_ns + 5000000);
    assert_int_equal(sent_packets(), 9);
    assert_ack(&packets[7], PACKET_START, PACKET_ACK_OK);
    assert_frame(&packets[8], 3, restart_ns / 1000, 3);
}

/* GET_INFO: DEVICE_INFO as it stands (streaming, current rate), no ACK. */
static void test_get_info_reports_streaming_and_rate(void **state)
{
    (void)state;
    send_command(START_NS, PACKET_SET_RATE, 50000);
    send_command(START_NS, PACKET_START, 0);
    send_command(START_NS, PACKET_GET_INFO, 0);
    run_until(START_NS + 1000000);
    assert_int_equal(sent_packets(), 5);
    assert_ack(&packets[1], PACKET_SET_RATE, PACKET_ACK_OK);
    assert_ack(&packets[2], PACKET_START, PACKET_ACK_OK);
    assert_int_equal(packets[3].type, PACKET_DEVICE_INFO);
    assert_true(packets[3].streaming);
    assert_int_equal(packets[3].rate_mhz, 50000);
    assert_frame(&packets[4], 0, START_US, 0);
}

/* A command type the protocol does not define: ACK "unsupported". */
static void test_unknown_command_is_unsupported(void **state)
{
    (void)state;
    send_unknown_command(0x1F);
    run_until(UINT64_MAX);
    assert_int_equal(sent_packets(), 2);
    assert_ack(&packets[1], 0x1F, PACKET_ACK_UNSUPPORTED);
}

/*
 * A 2 x 60 grid at 100 us per taxel scans in 12 ms, longer than the 10 ms
 * period: each scan is abandoned at the next tick (row released, sequence
 * number used up, overrun counted) and the next begins exactly at its tick.
 * At 50 frames/s the scans fit and are sent.
 */
static void test_overrun_skips_the_frame_and_counts_it(void **state)
{
    (void)state;
    struct firmware_config config = CONFIG;
    config.info.cols = 60;
    config.settle = (struct scan_settle){100000, 100000};
    start_firmware(&config);
    send_command(START_NS, PACKET_START, 0);
    /* Scans at 0, 10, 20, 30 ms, the first three abandoned; the new rate arrives during the last.
     */
    send_command(START_NS + 33000000, PACKET_SET_RATE, 50000);
    run_until(START_NS + 70000000);
    assert_int_equal(firmware_stats(&firmware)->overruns, 3);
    assert_int_equal(sent_packets(), 5);
    assert_ack(&packets[1], PACKET_START, PACKET_ACK_OK);
    assert_ack(&packets[2], PACKET_SET_RATE, PACKET_ACK_OK);
    assert_frame(&packets[3], 3, START_US + 30000, 3); /* sequence 0-2 skipped: a gap */
    assert_frame(&packets[4], 4, START_US + 50000, 4); /* one new period after 30 ms */
    uint64_t starts[8];
    assert_int_equal(scan_starts(starts, 8), 5);
    static const uint64_t expected_ms[] = {0, 10, 20, 30, 50};
    for (int k = 0; k < 5; k++)
        assert_int_equal(starts[k], START_NS + expected_ms[k] * 1000000u);
    /* Each abandoned scan released row 1 just before the next drove row 0. */
    unsigned released = 0;
    for (size_t i = 1; i < fake_hal.event_count; i++) {
        const struct fake_event *e = &fake_hal.events[i];
        if (e->kind == FAKE_ROW_DRIVE && e->arg == 0 &&
            fake_hal.events[i - 1].kind == FAKE_ROW_RELEASE && fake_hal.events[i - 1].arg == 1 &&
            fake_hal.events[i - 1].time_ns == e->time_ns)
            released++;
    }
    assert_int_equal(released, 3);
}

/*
 * A link taking 1 ms per byte sends a 2 x 3 frame (39 bytes on the wire) in
 * 39 ms: frames 1 and 2 are scanned but still waiting at their next tick, so
 * they are skipped and counted; frame 3 goes out when the link is free.
 */
static void test_busy_link_skips_the_frame_and_counts_it(void **state)
{
    (void)state;
    send_command(START_NS, PACKET_START, 0);
    firmware_run_once(&firmware); /* DEVICE_INFO out, START in */
    firmware_run_once(&firmware); /* scan 0 begins, ACK out */
    fake_hal.byte_ns = 1000000;
    run_until(START_NS + 39500000); /* frame 0 on the link until 39.05 ms, frame 3 after */
    assert_int_equal(firmware_stats(&firmware)->link_busy, 2);
    assert_int_equal(sent_packets(), 4);
    assert_frame(&packets[2], 0, START_US, 0);
    assert_frame(&packets[3], 3, START_US + 30000, 3);
    uint64_t starts[8];
    assert_int_equal(scan_starts(starts, 8), 4); /* every tick scanned */
}

/*
 * Every step of a 1 x 1 grid with a 25 ms row settle blocks past two ticks:
 * the loop takes the due tick when the step ends, begins a scan then, and
 * counts the ticks that passed meanwhile without using sequence numbers.
 */
static void test_missed_ticks_begin_no_scan(void **state)
{
    (void)state;
    struct firmware_config config = CONFIG;
    config.info.rows = 1;
    config.info.cols = 1;
    config.settle = (struct scan_settle){25000000, 0};
    start_firmware(&config);
    send_command(START_NS, PACKET_START, 0);
    run_until(START_NS + 60000000);
    assert_int_equal(sent_packets(), 5);
    assert_frame(&packets[2], 0, START_US, 0);
    assert_frame(&packets[3], 1, START_US + 25000, 1);
    assert_frame(&packets[4], 2, START_US + 50000, 2);
    assert_int_equal(firmware_stats(&firmware)->ticks_missed, 3); /* at 20, 40 and 50 ms */
    assert_int_equal(firmware_stats(&firmware)->overruns, 0);
    uint64_t starts[4];
    assert_int_equal(scan_starts(starts, 4), 3);
    assert_int_equal(starts[2], START_NS + 50000000);
}

/* Buffers too small for the grid, or a configuration device.c refuses: -EINVAL. */
static void test_init_refuses_what_cannot_work(void **state)
{
    (void)state;
    struct firmware other;
    assert_int_equal(firmware_init(&other, &CONFIG, values, 5, frame_buffer, sizeof(frame_buffer)),
                     -EINVAL);
    assert_int_equal(firmware_init(&other, &CONFIG, values, 6, frame_buffer,
                                   PACKET_WIRE_SIZE(PACKET_FRAME_SIZE(6)) - 1),
                     -EINVAL);
    assert_int_equal(firmware_init(&other, &CONFIG, values, 6, frame_buffer,
                                   PACKET_WIRE_SIZE(PACKET_FRAME_SIZE(6))),
                     0);
    struct firmware_config bad = CONFIG;
    bad.info.frame_rate_mhz = 300000; /* outside its own limits */
    assert_int_equal(
        firmware_init(&other, &bad, values, MAX_TAXELS, frame_buffer, sizeof(frame_buffer)),
        -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_power_up_announces_the_table, set_up, tear_down),
        cmocka_unit_test_setup_teardown(test_start_streams_frames_at_the_rate, set_up, tear_down),
        cmocka_unit_test_setup_teardown(test_set_rate_applies_one_new_period_after_the_last_tick,
                                        set_up, tear_down),
        cmocka_unit_test_setup_teardown(test_stop_ends_the_frames, set_up, tear_down),
        cmocka_unit_test_setup_teardown(test_get_info_reports_streaming_and_rate, set_up,
                                        tear_down),
        cmocka_unit_test_setup_teardown(test_unknown_command_is_unsupported, set_up, tear_down),
        cmocka_unit_test_setup_teardown(test_overrun_skips_the_frame_and_counts_it, set_up,
                                        tear_down),
        cmocka_unit_test_setup_teardown(test_busy_link_skips_the_frame_and_counts_it, set_up,
                                        tear_down),
        cmocka_unit_test_setup_teardown(test_missed_ticks_begin_no_scan, set_up, tear_down),
        cmocka_unit_test_setup_teardown(test_init_refuses_what_cannot_work, set_up, tear_down),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
