/*
 * test_faults.c - fault decisions are a function of (seed, frame) alone,
 * hit at the probabilities asked for, kind by kind independently; each
 * fault changes a frame's wire bytes exactly as faults.h draws it (checked
 * by hand on the worked example of hw/PROTOCOL.md section 7, and as
 * properties on many real frames, with the stream decoder as the receiver);
 * timed events come out in time order.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "decoder.h"
#include "faults.h"
#include "packet.h"

/* The FRAME of hw/PROTOCOL.md section 7: sequence 7, 1000 us, 2 x 2, values 0, 1, 256, 4095. */
static const uint8_t WORKED_FRAME[] = {
    0x00, 0x04, 0x01, 0x02, 0x18, 0x02, 0x07, 0x01, 0x01, 0x03, 0xE8, 0x03,
    0x01, 0x01, 0x01, 0x01, 0x01, 0x02, 0x02, 0x02, 0x02, 0x01, 0x01, 0x02,
    0x01, 0x01, 0x08, 0x01, 0xFF, 0x0F, 0x95, 0x4D, 0x1D, 0x89, 0x00,
};

enum { ROWS = 16, COLS = 8, TAXELS = ROWS * COLS, FRAMES = 400 };

/* A real frame's wire bytes: frame n of a 16 x 8 grid with values that vary with n. */
static size_t make_frame(uint32_t n, uint8_t *out, size_t capacity)
{
    uint16_t values[TAXELS];
    for (size_t i = 0; i < TAXELS; i++)
        values[i] = (uint16_t)((n * 977u + i * 131u) % 4096u);
    size_t len = packet_encode_frame(n, 1000u * n, ROWS, COLS, values, out, capacity);
    assert_true(len > 0);
    return len;
}

/* Frames the stream decoder finds in bytes, and the sequence number of the last. */
static int count_frames(const uint8_t *bytes, size_t len, uint32_t *sequence)
{
    static uint8_t buffer[DECODER_MAX_STUFFED];
    struct decoder decoder;
    decoder_init(&decoder, buffer, sizeof(buffer));
    const uint8_t *cursor = bytes;
    struct packet packet;
    int frames = 0, result;
    while ((result = decoder_next(&decoder, &cursor, bytes + len, &packet)) != 0) {
        if (result == 1 && packet.type == PACKET_FRAME) {
            frames++;
            *sequence = packet.body.frame.sequence;
        }
    }
    return frames;
}

static void test_same_seed_same_decisions_in_any_order(void **state)
{
    (void)state;
    struct fault_settings settings = {
        .garbage = 0.3, .garbage_inside = 0.3, .flip = 0.3, .truncate = 0.3, .drop = 0.3};
    static struct fault_decision forward[FRAMES];
    for (uint64_t k = 0; k < FRAMES; k++)
        faults_decide(&settings, 42, k, &forward[k]);
    int differ = 0;
    for (uint64_t k = FRAMES; k-- > 0;) {
        struct fault_decision again, other;
        faults_decide(&settings, 42, k, &again);
        assert_memory_equal(&again, &forward[k], sizeof(again));
        faults_decide(&settings, 43, k, &other);
        differ += memcmp(&other, &forward[k], sizeof(other)) != 0;
    }
    assert_int_equal(differ, FRAMES);
}

/* Fraction of n frames the probability p hits, for one kind. */
static double rate_of(int kind, double p, uint64_t seed, unsigned n)
{
    struct fault_settings settings = {0};
    double *probabilities[] = {&settings.garbage, &settings.garbage_inside, &settings.flip,
                               &settings.truncate, &settings.drop};
    *probabilities[kind] = p;
    unsigned hits = 0;
    for (uint64_t k = 0; k < n; k++) {
        struct fault_decision d;
        faults_decide(&settings, seed, k, &d);
        bool hit[] = {d.garbage_length > 0, d.inside_length > 0, d.flip, d.truncate, d.drop};
        hits += hit[kind];
    }
    return (double)hits / n;
}

static void test_probabilities_are_the_rates(void **state)
{
    (void)state;
    static const double probabilities[] = {0.0, 0.01, 0.1, 0.5, 1.0};
    for (int kind = 0; kind < 5; kind++) {
        for (size_t i = 0; i < sizeof(probabilities) / sizeof(probabilities[0]); i++) {
            double p = probabilities[i];
            double rate = rate_of(kind, p, 7, 40000);
            /* 40,000 frames: the binomial spread is at most 0.0025; 0.01 is four of it. */
            if (rate < p - 0.01 || rate > p + 0.01)
                fail_msg("kind %d, probability %g: rate %g", kind, p, rate);
            if ((p == 0.0 && rate != 0.0) || (p == 1.0 && rate != 1.0))
                fail_msg("kind %d, probability %g: rate %g", kind, p, rate);
        }
    }
}

static void test_kinds_do_not_change_each_other(void **state)
{
    (void)state;
    struct fault_settings alone = {.drop = 0.2};
    struct fault_settings all = {
        .garbage = 0.9, .garbage_inside = 0.9, .flip = 0.9, .truncate = 0.9, .drop = 0.2};
    unsigned both = 0;
    for (uint64_t k = 0; k < 40000; k++) {
        struct fault_decision a, b;
        faults_decide(&alone, 5, k, &a);
        faults_decide(&all, 5, k, &b);
        assert_int_equal(a.drop, b.drop);
        assert_memory_equal(a.garbage, b.garbage, sizeof(a.garbage));
        assert_true(a.flip_choice == b.flip_choice && a.truncate_choice == b.truncate_choice);
        both += b.drop && b.flip;
    }
    /* Independent kinds: drop and flip together at 0.2 x 0.9 = 0.18 of the frames. */
    assert_true(both > 0.17 * 40000 && both < 0.19 * 40000);
}

static void test_garbage_inside_bytes_are_never_zero(void **state)
{
    (void)state;
    struct fault_settings settings = {.garbage_inside = 1.0};
    for (uint64_t k = 0; k < 10000; k++) {
        struct fault_decision d;
        faults_decide(&settings, 9, k, &d);
        assert_true(d.inside_length >= 1 && d.inside_length <= FAULTS_INSIDE_MAX);
        assert_null(memchr(d.inside, 0x00, FAULTS_INSIDE_MAX));
    }
}

/* One hand-worked case: the decision's choices and the bytes expected. */
struct worked_case {
    const char *name;
    struct fault_decision decision;
    size_t edit_at;          /* first byte of WORKED_FRAME changed */
    const uint8_t *inserted; /* bytes in its place (replacing `removed`) */
    size_t inserted_len;
    size_t removed;
};

static void test_worked_example_by_hand(void **state)
{
    (void)state;
    static const uint8_t garbage[3] = {0x00, 0x55, 0x00};
    static const uint8_t flipped[1] = {0x1C};
    static const uint8_t inside[2] = {0xAA, 0x01};
    static const uint8_t cut[1] = {0x00};
    /* The stuffed run is WORKED_FRAME[1..33], 33 bytes. */
    static const struct worked_case cases[] = {
        /* Garbage goes in front of the leading delimiter. */
        {"garbage", {.garbage_length = 3, .garbage = {0x00, 0x55, 0x00}}, 0, garbage, 3, 0},
        /* Choice 26 = byte 3 of the run (0x18 at offset 4), bit 2: 0x1C. */
        {"flip", {.flip = true, .flip_choice = 26}, 4, flipped, 1, 1},
        /* p = 1 + 64 % 32 = 1: before byte 1 of the run (offset 2 of the packet). */
        {"inside",
         {.inside_length = 2, .inside = {0xAA, 0x01}, .inside_choice = 64},
         2,
         inside,
         2,
         0},
        /* Choice 4 keeps 1 + 4 % 32 = 5 bytes of the run: the rest goes, the delimiter stays. */
        {"truncate", {.truncate = true, .truncate_choice = 4}, 6, cut, 1, sizeof(WORKED_FRAME) - 6},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct worked_case *c = &cases[i];
        uint8_t expected[sizeof(WORKED_FRAME) + FAULTS_GARBAGE_MAX];
        memcpy(expected, WORKED_FRAME, c->edit_at);
        memcpy(expected + c->edit_at, c->inserted, c->inserted_len);
        memcpy(expected + c->edit_at + c->inserted_len, WORKED_FRAME + c->edit_at + c->removed,
               sizeof(WORKED_FRAME) - c->edit_at - c->removed);
        size_t expected_len = sizeof(WORKED_FRAME) + c->inserted_len - c->removed;
        uint8_t out[FAULTS_WIRE_MAX(sizeof(WORKED_FRAME))];
        size_t written = 0;
        struct fault_damage damage;
        assert_int_equal(faults_apply(&c->decision, WORKED_FRAME, sizeof(WORKED_FRAME), out,
                                      sizeof(out), &written, &damage),
                         0);
        if (written != expected_len || memcmp(out, expected, expected_len) != 0)
            fail_msg("%s: wrong bytes", c->name);
    }
}

/* Applies decision to frame n and checks the result against the frame, kind by kind. */
static void check_transform(uint32_t n, const struct fault_decision *d)
{
    uint8_t packet[PACKET_WIRE_SIZE(PACKET_FRAME_SIZE(TAXELS))];
    uint8_t out[FAULTS_WIRE_MAX(sizeof(packet))];
    size_t len = make_frame(n, packet, sizeof(packet));
    size_t run = len - 2, written = 0;
    struct fault_damage damage;
    assert_int_equal(faults_apply(d, packet, len, out, sizeof(out), &written, &damage), 0);
    uint32_t sequence = 0;
    if (d->garbage_length > 0) {
        assert_true(d->garbage_length >= 1 && d->garbage_length <= FAULTS_GARBAGE_MAX);
        assert_int_equal(written, d->garbage_length + len);
        assert_memory_equal(out, d->garbage, d->garbage_length);
        assert_memory_equal(out + d->garbage_length, packet, len);
        /* Garbage between packets costs nothing: the frame arrives intact. */
        assert_int_equal(count_frames(out, written, &sequence), 1);
        assert_int_equal(sequence, n);
        return;
    }
    /* Every damaging fault keeps both delimiters and loses the frame. */
    assert_int_equal(out[0], 0x00);
    assert_int_equal(out[written - 1], 0x00);
    assert_int_equal(count_frames(out, written, &sequence), 0);
    if (d->flip) {
        assert_int_equal(written, len);
        size_t bits = 0, at = 0;
        for (size_t i = 0; i < len; i++) {
            uint8_t x = (uint8_t)(out[i] ^ packet[i]);
            if (x != 0)
                at = i;
            bits += (size_t)__builtin_popcount(x);
        }
        assert_int_equal(bits, 1);
        assert_true(at >= 1 && at <= run); /* inside the stuffed run */
        assert_int_equal(at, damage.flip_offset + 1);
    } else if (d->inside_length > 0) {
        size_t k = d->inside_length, p = damage.inside_offset;
        assert_int_equal(written, len + k);
        assert_true(p >= 1 && p <= run - 1); /* strictly inside: run bytes on both sides */
        assert_memory_equal(out, packet, 1 + p);
        assert_memory_equal(out + 1 + p, d->inside, k);
        assert_null(memchr(out + 1 + p, 0x00, k));
        assert_memory_equal(out + 1 + p + k, packet + 1 + p, len - 1 - p);
    } else if (d->truncate) {
        size_t kept = written - 2;
        assert_true(kept >= 1 && kept <= run - 1);
        assert_int_equal(kept, damage.kept);
        assert_memory_equal(out, packet, 1 + kept);
    }
}

static void test_each_fault_changes_the_wire_as_specified(void **state)
{
    (void)state;
    static const struct fault_settings kinds[] = {
        {.garbage = 1.0}, {.flip = 1.0}, {.garbage_inside = 1.0}, {.truncate = 1.0}};
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        for (uint32_t n = 0; n < FRAMES; n++) {
            struct fault_decision d;
            faults_decide(&kinds[i], 1234, n, &d);
            check_transform(n, &d);
        }
    }
}

static void test_combined_faults_lose_the_frame(void **state)
{
    (void)state;
    struct fault_settings all = {
        .garbage = 1.0, .garbage_inside = 1.0, .flip = 1.0, .truncate = 1.0};
    for (uint32_t n = 0; n < FRAMES; n++) {
        uint8_t packet[PACKET_WIRE_SIZE(PACKET_FRAME_SIZE(TAXELS))];
        uint8_t out[FAULTS_WIRE_MAX(sizeof(packet))];
        size_t len = make_frame(n, packet, sizeof(packet)), written = 0;
        struct fault_decision d;
        struct fault_damage damage;
        faults_decide(&all, 77, n, &d);
        assert_true(faults_damage_frame(&d));
        assert_int_equal(faults_apply(&d, packet, len, out, sizeof(out), &written, &damage), 0);
        uint32_t sequence = 0;
        assert_int_equal(count_frames(out, written, &sequence), 0);
        assert_int_equal(damage.run_length, len - 2 + d.inside_length);
    }
}

static void test_apply_refuses_what_is_not_one_packet(void **state)
{
    (void)state;
    struct fault_decision d = {.flip = true};
    uint8_t out[FAULTS_WIRE_MAX(sizeof(WORKED_FRAME))];
    size_t written = 0;
    struct fault_damage damage;
    static const uint8_t two_packets[] = {0x00, 0x02, 0x05, 0x00, 0x02, 0x05, 0x00};
    static const uint8_t undelimited[] = {0x02, 0x05, 0x02, 0x05};
    static const uint8_t too_short[] = {0x00, 0x01, 0x00};
    assert_int_equal(
        faults_apply(&d, two_packets, sizeof(two_packets), out, sizeof(out), &written, &damage),
        -EINVAL);
    assert_int_equal(
        faults_apply(&d, undelimited, sizeof(undelimited), out, sizeof(out), &written, &damage),
        -EINVAL);
    assert_int_equal(
        faults_apply(&d, too_short, sizeof(too_short), out, sizeof(out), &written, &damage),
        -EINVAL);
    assert_int_equal(faults_apply(&d, WORKED_FRAME, sizeof(WORKED_FRAME), out,
                                  sizeof(WORKED_FRAME) + 10, &written, &damage),
                     -ENOBUFS);
}

static void test_events_fire_in_time_order(void **state)
{
    (void)state;
    static struct fault_settings settings;
    memset(&settings, 0, sizeof(settings));
    /* Given out of order; two at 2 s keep the order given. */
    static const struct fault_event given[] = {
        {.kind = FAULT_RESET, .at_ns = 5000000000u},
        {.kind = FAULT_BURST, .at_ns = 2000000000u, .frames = 3},
        {.kind = FAULT_PAUSE, .at_ns = 2000000000u, .duration_ns = 1},
        {.kind = FAULT_DISCONNECT, .at_ns = 0, .duration_ns = 1},
    };
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(faults_add_event(&settings, &given[i]), 0);
    size_t cursor = 0;
    assert_int_equal(faults_next_due(&settings, &cursor, 0)->kind, FAULT_DISCONNECT);
    assert_null(faults_next_due(&settings, &cursor, 1999999999u));
    assert_int_equal(faults_next_due(&settings, &cursor, 4000000000u)->kind, FAULT_BURST);
    assert_int_equal(faults_next_due(&settings, &cursor, 4000000000u)->kind, FAULT_PAUSE);
    assert_null(faults_next_due(&settings, &cursor, 4000000000u));
    assert_int_equal(faults_next_due(&settings, &cursor, UINT64_MAX)->kind, FAULT_RESET);
    assert_null(faults_next_due(&settings, &cursor, UINT64_MAX));

    memset(&settings, 0, sizeof(settings));
    for (size_t i = 0; i < FAULTS_MAX_EVENTS; i++)
        assert_int_equal(faults_add_event(&settings, &given[0]), 0);
    assert_int_equal(faults_add_event(&settings, &given[0]), -ENOSPC);
}

static void test_kind_names(void **state)
{
    (void)state;
    static const char *const names[FAULT_KINDS] = {
        "garbage", "garbage_inside", "flip",      "truncate", "drop",       "burst",
        "pause",   "disconnect",     "reconnect", "reset",    "grid_change"};
    for (int kind = 0; kind < FAULT_KINDS; kind++)
        assert_string_equal(faults_kind_name((enum fault_kind)kind), names[kind]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_same_decisions_in_any_order),
        cmocka_unit_test(test_probabilities_are_the_rates),
        cmocka_unit_test(test_kinds_do_not_change_each_other),
        cmocka_unit_test(test_garbage_inside_bytes_are_never_zero),
        cmocka_unit_test(test_worked_example_by_hand),
        cmocka_unit_test(test_each_fault_changes_the_wire_as_specified),
        cmocka_unit_test(test_combined_faults_lose_the_frame),
        cmocka_unit_test(test_apply_refuses_what_is_not_one_packet),
        cmocka_unit_test(test_events_fire_in_time_order),
        cmocka_unit_test(test_kind_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
