/*
 * faults.c - per-frame fault decisions from the seed, their effect on the
 * wire bytes, and the timed events in firing order.
 *
 * The draws of one frame, always all of them and always in this order:
 *   garbage   uniform, length, 8 x 64 bits of bytes
 *   drop      uniform
 *   flip      uniform, position
 *   inside    uniform, length, position, 16 x 64 bits (one non-zero byte each)
 *   truncate  uniform, position
 */
#include "faults.h"

#include <errno.h>
#include <string.h>

#include "random.h"

static const char *const KIND_NAMES[FAULT_KINDS] = {
    [FAULT_GARBAGE] = "garbage",
    [FAULT_GARBAGE_INSIDE] = "garbage_inside",
    [FAULT_FLIP] = "flip",
    [FAULT_TRUNCATE] = "truncate",
    [FAULT_DROP] = "drop",
    [FAULT_BURST] = "burst",
    [FAULT_PAUSE] = "pause",
    [FAULT_DISCONNECT] = "disconnect",
    [FAULT_RECONNECT] = "reconnect",
    [FAULT_RESET] = "reset",
    [FAULT_GRID_CHANGE] = "grid_change",
};

int faults_add_event(struct fault_settings *settings, const struct fault_event *event)
{
    if (settings->event_count == FAULTS_MAX_EVENTS)
        return -ENOSPC;
    size_t at = settings->event_count;
    while (at > 0 && settings->events[at - 1].at_ns > event->at_ns) {
        settings->events[at] = settings->events[at - 1];
        at--;
    }
    settings->events[at] = *event;
    settings->event_count++;
    return 0;
}

const struct fault_event *faults_next_due(const struct fault_settings *settings, size_t *cursor,
                                          uint64_t time_ns)
{
    if (*cursor >= settings->event_count || settings->events[*cursor].at_ns > time_ns)
        return NULL;
    return &settings->events[(*cursor)++];
}

/* Whole number from 1 to max, from 64 random bits (the bias is below 2^-50). */
static size_t pick_length(uint64_t bits, size_t max)
{
    return 1 + (size_t)(bits % max);
}

void faults_decide(const struct fault_settings *settings, uint64_t seed, uint64_t frame_index,
                   struct fault_decision *decision)
{
    struct random random;
    random_seed(&random, seed, FAULTS_STREAM_BASE + frame_index);
    struct fault_decision d;
    memset(&d, 0, sizeof(d));

    bool garbage = random_uniform(&random) < settings->garbage;
    size_t garbage_length = pick_length(random_next(&random), FAULTS_GARBAGE_MAX);
    for (size_t i = 0; i < FAULTS_GARBAGE_MAX; i += sizeof(uint64_t)) {
        uint64_t bits = random_next(&random);
        memcpy(&d.garbage[i], &bits, sizeof(bits));
    }
    d.garbage_length = garbage ? garbage_length : 0;

    d.drop = random_uniform(&random) < settings->drop;

    d.flip = random_uniform(&random) < settings->flip;
    d.flip_choice = random_next(&random);

    bool inside = random_uniform(&random) < settings->garbage_inside;
    size_t inside_length = pick_length(random_next(&random), FAULTS_INSIDE_MAX);
    d.inside_choice = random_next(&random);
    for (size_t i = 0; i < FAULTS_INSIDE_MAX; i++)
        d.inside[i] = (uint8_t)pick_length(random_next(&random), 255);
    d.inside_length = inside ? inside_length : 0;

    d.truncate = random_uniform(&random) < settings->truncate;
    d.truncate_choice = random_next(&random);
    *decision = d;
}

bool faults_damage_frame(const struct fault_decision *decision)
{
    return decision->flip || decision->inside_length > 0 || decision->truncate;
}

int faults_apply(const struct fault_decision *decision, const uint8_t *packet, size_t len,
                 uint8_t *out, size_t capacity, size_t *written, struct fault_damage *damage)
{
    if (len < 4 || packet[0] != 0x00 || packet[len - 1] != 0x00 ||
        memchr(packet + 1, 0x00, len - 2) != NULL)
        return -EINVAL;
    if (capacity < FAULTS_WIRE_MAX(len))
        return -ENOBUFS;
    struct fault_damage made;
    memset(&made, 0, sizeof(made));
    size_t at = 0;
    memcpy(out, decision->garbage, decision->garbage_length);
    at += decision->garbage_length;
    out[at++] = 0x00;

    /* The stuffed run, built in place from out[at]. */
    uint8_t *run = out + at;
    size_t run_length = len - 2;
    memcpy(run, packet + 1, run_length);
    if (decision->flip) {
        uint64_t bit = decision->flip_choice % ((uint64_t)run_length * 8);
        made.flip_offset = (size_t)(bit / 8);
        made.flip_bit = (unsigned)(bit % 8);
        run[made.flip_offset] ^= (uint8_t)(1u << made.flip_bit);
    }
    if (decision->inside_length > 0) {
        made.inside_offset = 1 + (size_t)(decision->inside_choice % (run_length - 1));
        memmove(run + made.inside_offset + decision->inside_length, run + made.inside_offset,
                run_length - made.inside_offset);
        memcpy(run + made.inside_offset, decision->inside, decision->inside_length);
        run_length += decision->inside_length;
    }
    made.run_length = run_length;
    if (decision->truncate)
        run_length = 1 + (size_t)(decision->truncate_choice % (run_length - 1));
    made.kept = run_length;
    at += run_length;
    out[at++] = 0x00;
    *written = at;
    *damage = made;
    return 0;
}

const char *faults_kind_name(enum fault_kind kind)
{
    return kind < FAULT_KINDS ? KIND_NAMES[kind] : "unknown";
}
