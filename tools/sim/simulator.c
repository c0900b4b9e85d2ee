/*
 * simulator.c - set-up, commands, scans and resets of the simulated table.
 */
#include "simulator.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "injector.h"
#include "log.h"

/* Bytes read from the host at a time: dozens of commands. */
#define INPUT_CHUNK 512
/* Sequence numbers ahead by this much or more went back: a reset (hw/PROTOCOL.md 5). */
#define SEQUENCE_BACKWARDS 0x80000000u

static void print_rate(char *text, size_t size, uint32_t rate_mhz)
{
    snprintf(text, size, "%" PRIu32 ".%03" PRIu32 " frames/s", rate_mhz / 1000, rate_mhz % 1000);
}

/* The device at power-up, from the options. */
static struct packet_device_info device_from_options(const struct options *o)
{
    struct packet_device_info info = {
        .rows = (uint16_t)o->rows,
        .cols = (uint16_t)o->cols,
        .row_pitch_um = o->row_pitch_um,
        .col_pitch_um = o->col_pitch_um,
        .adc_bits = (uint8_t)o->adc_bits,
        .frame_rate_mhz = o->rate_mhz,
        .firmware_major = MTABLE_VERSION_MAJOR,
        .firmware_minor = MTABLE_VERSION_MINOR,
        .firmware_patch = MTABLE_VERSION_PATCH,
    };
    memcpy(info.serial, o->serial, sizeof(info.serial));
    return info;
}

/* Taxels of the largest grid the run will scan: at power-up or after a --grid-change. */
static size_t largest_grid(const struct simulator *sim)
{
    size_t taxels = (size_t)sim->power_up.rows * sim->power_up.cols;
    const struct fault_settings *faults = &sim->options.faults;
    for (size_t i = 0; i < faults->event_count; i++) {
        size_t changed = (size_t)faults->events[i].rows * faults->events[i].cols;
        if (faults->events[i].kind == FAULT_GRID_CHANGE && changed > taxels)
            taxels = changed;
    }
    return taxels;
}

int simulator_start(struct simulator *sim)
{
    const struct options *o = &sim->options;
    int err = 0;
    ground_truth_init(&sim->truth);
    fault_log_init(&sim->fault_log);
    if (o->replay_path != NULL) {
        char error[REPLAY_ERROR_SIZE];
        err = replay_open(o->replay_path, &sim->replay, error, sizeof(error));
        if (err < 0) {
            log_message(LOG_LEVEL_ERROR, "replay", "--replay: %s", error);
            return err;
        }
        sim->power_up = *replay_device_info(sim->replay);
    } else {
        sim->power_up = device_from_options(o);
        err = frame_source_init(&sim->source, o->rows, o->cols, o->adc_bits, o->seed);
        if (err < 0) {
            log_message(LOG_LEVEL_ERROR, "model",
                        "--rows %u --cols %u: cannot set up the models: %s", o->rows, o->cols,
                        strerror(-err));
            return err;
        }
    }
    struct device_rate_limits limits = {OPTIONS_MIN_RATE_MHZ, OPTIONS_MAX_RATE_MHZ};
    err =
        device_init(&sim->device, &sim->power_up, &limits, sim->rx_buffer, sizeof(sim->rx_buffer));
    if (err < 0) {
        log_message(LOG_LEVEL_ERROR, "device", "%s%sthe device settings were refused: %s",
                    o->replay_path != NULL ? o->replay_path : "",
                    o->replay_path != NULL ? ": " : "", strerror(-err));
        return err;
    }
    sim->rate_mhz = sim->power_up.frame_rate_mhz;
    sim->rows = sim->power_up.rows;
    sim->cols = sim->power_up.cols;
    size_t taxels = largest_grid(sim);
    sim->values = malloc(taxels * sizeof(*sim->values));
    sim->frame_capacity = PACKET_WIRE_SIZE(PACKET_FRAME_SIZE(taxels));
    sim->frame = malloc(sim->frame_capacity);
    sim->wire_capacity = FAULTS_WIRE_MAX(sim->frame_capacity);
    sim->wire = malloc(sim->wire_capacity);
    if (sim->values == NULL || sim->frame == NULL || sim->wire == NULL) {
        log_message(LOG_LEVEL_ERROR, "model", "out of memory for one frame");
        return -ENOMEM;
    }
    if (o->fault_log_path != NULL) {
        err = fault_log_open(&sim->fault_log, o->fault_log_path);
        if (err < 0)
            log_message(LOG_LEVEL_ERROR, "faults", "--fault-log %s: cannot create: %s",
                        o->fault_log_path, strerror(-err));
    }
    return err;
}

static void write_ground_truth(struct simulator *sim)
{
    if (sim->options.ground_truth_path == NULL)
        return;
    struct ground_truth_header header = {
        .seed = sim->options.seed,
        .rows = sim->options.rows,
        .cols = sim->options.cols,
        .rate_mhz = sim->options.rate_mhz,
        .adc_bits = sim->options.adc_bits,
    };
    int err = ground_truth_write(&sim->truth, &header, sim->options.ground_truth_path);
    if (err < 0)
        log_message(LOG_LEVEL_ERROR, "ground-truth", "%s: cannot write: %s (check the directory)",
                    sim->options.ground_truth_path, strerror(-err));
}

/* The frame budget is used up: stop streaming for good. */
static void spend_budget(struct simulator *sim)
{
    sim->budget_spent = true;
    device_stop(&sim->device);
    sim->streaming = false;
    write_ground_truth(sim);
    sim->linger_until_ns = schedule_now_ns() + sim->options.linger_ns;
    log_message(LOG_LEVEL_INFO, "stream",
                "all %" PRIu64 " frames %s (%" PRIu64 " sent intact); idle now, still answering "
                "commands%s",
                sim->frames_scanned, sim->replay != NULL ? "of the recording replayed" : "scanned",
                sim->frames_sent,
                sim->options.linger_set ? ", until --linger expires" : ", until SIGINT or SIGTERM");
}

int simulator_power_up(struct simulator *sim, const sigset_t *wait_mask,
                       const volatile sig_atomic_t *stopping, bool announce)
{
    const char *what = "pseudo-terminal";
    int err = port_open(&sim->port, wait_mask, stopping, sim->options.tee_path, &what);
    if (err < 0 && strcmp(what, "tee file") == 0)
        log_message(LOG_LEVEL_ERROR, "tee", "--tee %s: cannot create: %s", sim->options.tee_path,
                    strerror(-err));
    else if (err < 0)
        log_message(LOG_LEVEL_ERROR, "port", "cannot create a pseudo-terminal: %s", strerror(-err));
    if (err < 0)
        return err;
    sim->port_opened = true;
    if (announce) {
        /* Power-up: the device announces itself before anyone asked. */
        sim->reset_ns = schedule_now_ns();
        ticker_start(&sim->model, TICKER_NANOSECONDS, 0, sim->rate_mhz);
        uint8_t info[DEVICE_ANSWER_MAX];
        size_t info_len = 0;
        device_encode_info(&sim->device, info, sizeof(info), &info_len);
        err = port_send(&sim->port, info, info_len);
        if (err < 0)
            return err;
    }
    if (sim->replay != NULL && replay_peek(sim->replay) == NULL)
        spend_budget(sim); /* a recording without frames */
    if (sim->options.link_path != NULL) {
        err = port_link(&sim->port, sim->options.link_path);
        if (err < 0) {
            log_message(LOG_LEVEL_ERROR, "port", "--link %s: cannot create the link: %s",
                        sim->options.link_path, strerror(-err));
            return err;
        }
    }
    return 0;
}

void simulator_log_device(const struct simulator *sim)
{
    const struct options *o = &sim->options;
    char rate[48];
    print_rate(rate, sizeof(rate), sim->power_up.frame_rate_mhz);
    char source[1200];
    if (sim->replay != NULL)
        snprintf(source, sizeof(source), "replaying %s (%" PRIu64 " frames)", o->replay_path,
                 replay_frames(sim->replay));
    else
        snprintf(source, sizeof(source), "seed %" PRIu64, o->seed);
    log_message(LOG_LEVEL_INFO, "device",
                "table on %s%s%s: %u x %u taxels, %s, %s, serial %s; waiting for START",
                port_path(&sim->port), o->link_path != NULL ? " linked as " : "",
                o->link_path != NULL ? o->link_path : "", sim->power_up.rows, sim->power_up.cols,
                rate, source, sim->power_up.serial);
}

uint64_t simulator_next_model_ns(const struct simulator *sim)
{
    if (sim->replay == NULL)
        return sim->model.next;
    const struct replay_frame *next = replay_peek(sim->replay);
    return next != NULL ? next->time_ns : sim->replay_end_ns;
}

/*
 * --speed 0: as fast as the host reads, so never while it cannot (a pause,
 * an outage, no host): those delay the replay instead of costing frames.
 */
static uint64_t unpaced_scan_ns(const struct simulator *sim)
{
    if (!port_connected(&sim->port))
        return sim->reconnect_ns;
    if (port_paused_until(&sim->port) != 0)
        return port_paused_until(&sim->port);
    if (!port_host_present(&sim->port)) /* pty_wait notices a host within this time */
        return schedule_now_ns() + PTY_HANGUP_RECHECK_MS * 1000000ull;
    return 0;
}

/* CLOCK_MONOTONIC deadline of the next scan (0: at once). */
static uint64_t next_scan_ns(const struct simulator *sim)
{
    if (sim->burst_left > 0)
        return 0;
    if (sim->replay == NULL)
        return sim->deadlines.next;
    if (sim->options.speed == 0.0)
        return unpaced_scan_ns(sim);
    double ahead_ns =
        (double)(simulator_next_model_ns(sim) - sim->pace_axis_ns) / sim->options.speed;
    return sim->pace_wall_ns + (uint64_t)llround(ahead_ns);
}

uint64_t simulator_next_deadline(const struct simulator *sim)
{
    uint64_t deadline_ns = UINT64_MAX;
    if (sim->streaming)
        deadline_ns = next_scan_ns(sim);
    else if (sim->budget_spent && sim->options.linger_set)
        deadline_ns = sim->linger_until_ns;
    if (!port_connected(&sim->port) && sim->reconnect_ns < deadline_ns)
        deadline_ns = sim->reconnect_ns;
    return deadline_ns; /* port_wait also wakes up at the end of a pause */
}

/* Follows the device's state after a command: rate and streaming. */
static void follow_device(struct simulator *sim)
{
    uint32_t rate = device_frame_rate_mhz(&sim->device);
    if (rate != sim->rate_mhz) {
        ticker_set_rate(&sim->deadlines, rate);
        ticker_set_rate(&sim->model, rate);
        sim->rate_mhz = rate;
        char text[48];
        print_rate(text, sizeof(text), rate);
        log_message(LOG_LEVEL_INFO, "device", "frame rate now %s%s", text,
                    sim->replay != NULL ? " (the recording still sets the pace)" : "");
    }
    bool streaming = device_streaming(&sim->device);
    if (streaming && !sim->streaming) {
        if (sim->budget_spent) {
            device_stop(&sim->device);
            streaming = false;
            log_message(LOG_LEVEL_INFO, "device",
                        "START after the last frame of --frames/--duration/--replay: no more "
                        "frames");
        } else {
            sim->pace_wall_ns = schedule_now_ns();
            sim->pace_axis_ns = simulator_next_model_ns(sim);
            ticker_start(&sim->deadlines, TICKER_NANOSECONDS, sim->pace_wall_ns, rate);
            log_message(LOG_LEVEL_INFO, "device", "START: streaming from frame %" PRIu32,
                        device_next_sequence(&sim->device));
        }
    } else if (!streaming && sim->streaming) {
        log_message(LOG_LEVEL_INFO, "device", "STOP: idle after frame %" PRIu32,
                    device_next_sequence(&sim->device) - 1u);
    }
    sim->streaming = streaming;
}

/* With -v: says what the device answered (the answer names the command). */
static void log_answer(const uint8_t *answer, size_t len)
{
    uint8_t raw[DEVICE_ANSWER_MAX];
    struct packet packet;
    long raw_len = cobs_decode(answer + 1, len - 2, raw, sizeof(raw));
    if (raw_len < 0 || packet_parse(raw, (size_t)raw_len, &packet) < 0)
        return;
    if (packet.type == PACKET_ACK)
        log_message(LOG_LEVEL_DEBUG, "device", "command 0x%02X answered: ACK status %d",
                    packet.body.ack.command, (int)packet.body.ack.status);
    else
        log_message(LOG_LEVEL_DEBUG, "device", "GET_INFO answered: DEVICE_INFO");
}

int simulator_answer_commands(struct simulator *sim)
{
    uint8_t input[INPUT_CHUNK];
    size_t received = 0;
    int err = port_read(&sim->port, input, sizeof(input), &received);
    if (err < 0) {
        log_message(LOG_LEVEL_ERROR, "port", "%s: read failed: %s", port_path(&sim->port),
                    strerror(-err));
        return err;
    }
    const uint8_t *cursor = input;
    uint8_t answer[DEVICE_ANSWER_MAX];
    size_t answer_len = 0;
    uint32_t ignored = device_ignored_packets(&sim->device);
    while (device_receive(&sim->device, &cursor, input + received, answer, sizeof(answer),
                          &answer_len) == 1) {
        sim->commands++;
        if (log_enabled(LOG_LEVEL_DEBUG))
            log_answer(answer, answer_len);
        port_send(&sim->port, answer, answer_len);
        follow_device(sim);
    }
    if (device_ignored_packets(&sim->device) != ignored)
        log_message(LOG_LEVEL_DEBUG, "device",
                    "ignored %" PRIu32 " damaged packet(s) from the host",
                    device_ignored_packets(&sim->device) - ignored);
    return 0;
}

int simulator_reset(struct simulator *sim, unsigned rows, unsigned cols)
{
    port_resume(&sim->port);
    struct packet_device_info info = sim->power_up;
    info.rows = (uint16_t)rows;
    info.cols = (uint16_t)cols;
    if (sim->replay == NULL && (rows != sim->rows || cols != sim->cols)) {
        struct frame_source source;
        int err = frame_source_init(&source, rows, cols, info.adc_bits, sim->options.seed);
        if (err < 0) {
            log_message(LOG_LEVEL_ERROR, "model", "a grid of %u x %u: cannot set up the models: %s",
                        rows, cols, strerror(-err));
            return err;
        }
        frame_source_fini(&sim->source);
        sim->source = source;
    }
    struct device_rate_limits limits = {OPTIONS_MIN_RATE_MHZ, OPTIONS_MAX_RATE_MHZ};
    int err = device_init(&sim->device, &info, &limits, sim->rx_buffer, sizeof(sim->rx_buffer));
    if (err < 0)
        return err; /* not reached: the same settings passed at power-up */
    sim->rows = rows;
    sim->cols = cols;
    sim->reset_ns = schedule_now_ns();
    sim->streaming = false;
    sim->burst_left = 0;
    sim->scanned_since_reset = false;
    if (sim->rate_mhz != info.frame_rate_mhz) {
        ticker_set_rate(&sim->model, info.frame_rate_mhz);
        sim->rate_mhz = info.frame_rate_mhz;
    }
    uint8_t packet[DEVICE_ANSWER_MAX];
    size_t len = 0;
    device_encode_info(&sim->device, packet, sizeof(packet), &len);
    port_send(&sim->port, packet, len); /* lost during an outage, as on a real link */
    log_message(LOG_LEVEL_INFO, "device",
                "reset: %u x %u taxels, sequence and clock from 0; waiting for START", rows, cols);
    return 0;
}

/* Takes the recording's next frame: the device's sequence is moved on to its number. */
static void take_recorded(struct simulator *sim, struct scan *scan)
{
    const struct replay_frame *frame = replay_peek(sim->replay);
    while (device_next_sequence(&sim->device) != frame->sequence)
        device_skip_frame(&sim->device); /* a gap in the recording */
    scan->sequence = frame->sequence;
    scan->time_ns = frame->time_ns;
    scan->device_time_us = frame->device_time_us;
    scan->values = frame->values;
}

/* Moves on in the recording; at its end (or a read error) the stream ends. */
static void advance_recording(struct simulator *sim)
{
    sim->replay_end_ns = replay_peek(sim->replay)->time_ns;
    if (replay_advance(sim->replay) < 0) {
        log_message(LOG_LEVEL_ERROR, "replay", "%s; the replay ends here",
                    replay_error(sim->replay));
        sim->failed = true;
    }
    if (replay_peek(sim->replay) == NULL)
        spend_budget(sim);
}

/* Counts a frame delivered intact, and records it in the ground truth. */
static int count_intact(struct simulator *sim, const struct scan *scan)
{
    if (sim->frames_sent == 0)
        sim->first_frame_ns = schedule_now_ns();
    sim->last_frame_ns = schedule_now_ns();
    sim->frames_sent++;
    if (sim->replay == NULL &&
        ground_truth_record(&sim->truth, scan->sequence, scan->time_ns, sim->model.next,
                            scan->contacts, scan->contact_count) < 0) {
        log_message(LOG_LEVEL_ERROR, "ground-truth", "out of memory at frame %" PRIu32,
                    scan->sequence);
        return -ENOMEM;
    }
    return 0;
}

/* Scans the frame due now: timed faults first, then the frame itself. */
static int scan_frame(struct simulator *sim)
{
    int err = injector_fire_due(sim, simulator_next_model_ns(sim));
    if (err < 0 || !sim->streaming || next_scan_ns(sim) > schedule_now_ns())
        return err; /* a reset came first, or (--speed 0) the line cannot take the frame now */
    if (sim->replay != NULL && sim->scanned_since_reset &&
        replay_peek(sim->replay)->sequence - device_next_sequence(&sim->device) >=
            SEQUENCE_BACKWARDS)
        return simulator_reset(sim, sim->power_up.rows, sim->power_up.cols);

    uint64_t deadline_ns = next_scan_ns(sim);
    if (sim->replay == NULL)
        ticker_take(&sim->deadlines); /* a burst keeps the schedule's place */
    if (sim->burst_left > 0)
        sim->burst_left--;
    else
        schedule_sleep_until(deadline_ns); /* exact even if the wait woke up early */
    uint64_t scan_ns = deadline_ns != 0 ? deadline_ns : schedule_now_ns();

    struct scan scan = {.index = sim->frames_scanned++};
    sim->scanned_since_reset = true;
    if (sim->replay != NULL) {
        take_recorded(sim, &scan);
    } else {
        scan.sequence = device_next_sequence(&sim->device);
        scan.time_ns = ticker_take(&sim->model);
        scan.device_time_us = (scan_ns - sim->reset_ns) / 1000u;
        if (port_host_present(&sim->port)) { /* nobody to see it: no need to make it */
            scan.contact_count = frame_source_generate(&sim->source, scan.sequence, scan.time_ns,
                                                       sim->values, scan.contacts);
            scan.values = sim->values;
        }
    }
    enum injector_outcome outcome;
    err = injector_send(sim, &scan, &outcome);
    if (err == 0 && outcome == INJECTOR_INTACT)
        err = count_intact(sim, &scan);
    sim->frames_lost += outcome == INJECTOR_DAMAGED;
    sim->frames_skipped += outcome == INJECTOR_SKIPPED;
    if (err < 0)
        return err;
    if (sim->replay != NULL)
        advance_recording(sim);
    else if ((sim->options.frames != 0 && sim->frames_scanned >= sim->options.frames) ||
             (sim->options.duration_ns != 0 && sim->model.next >= sim->options.duration_ns))
        spend_budget(sim);
    return 0;
}

int simulator_act(struct simulator *sim)
{
    port_resume_if_due(&sim->port);
    uint64_t now = schedule_now_ns();
    if (!port_connected(&sim->port) && now >= sim->reconnect_ns)
        return injector_reconnect(sim);
    if (sim->streaming && now >= next_scan_ns(sim))
        return scan_frame(sim);
    if (!sim->streaming && sim->budget_spent && sim->options.linger_set &&
        now >= sim->linger_until_ns)
        return 1;
    return 0;
}

void simulator_stop(struct simulator *sim)
{
    port_resume(&sim->port); /* frames held by a pause: delayed, not lost */
    write_ground_truth(sim);
    char rate[48] = "";
    if (sim->frames_sent > 1 && sim->last_frame_ns > sim->first_frame_ns)
        snprintf(rate, sizeof(rate), " at %.1f frames/s",
                 (double)(sim->frames_sent - 1) * 1e9 /
                     (double)(sim->last_frame_ns - sim->first_frame_ns));
    log_message(LOG_LEVEL_INFO, "summary",
                "%" PRIu64 " frames sent intact%s, %" PRIu64 " lost to faults, %" PRIu64
                " skipped, %" PRIu64 " commands answered, %" PRIu32 " damaged packets ignored",
                sim->frames_sent, rate, sim->frames_lost, sim->frames_skipped, sim->commands,
                device_ignored_packets(&sim->device));
}

int simulator_fini(struct simulator *sim)
{
    if (sim->port_opened)
        port_close(&sim->port);
    sim->port_opened = false;
    int err = fault_log_close(&sim->fault_log);
    free(sim->values);
    free(sim->frame);
    free(sim->wire);
    sim->values = NULL;
    sim->frame = sim->wire = NULL;
    ground_truth_fini(&sim->truth);
    frame_source_fini(&sim->source);
    replay_close(sim->replay);
    sim->replay = NULL;
    return err;
}
