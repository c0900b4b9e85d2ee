/*
 * injector.c - timed faults against the device, port and models, and each
 * frame's own faults on its way to the port, with their fault log rows.
 */
#include "injector.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

/* Longest detail of a fault log row. */
#define DETAIL_MAX 200

/* Writes a row to the fault log; stops logging faults (once, loudly) if that fails. */
static void log_fault(struct simulator *sim, enum fault_kind kind, uint32_t sequence,
                      uint64_t time_ns, const char *detail_format, ...)
    __attribute__((format(printf, 5, 6)));

static void log_fault(struct simulator *sim, enum fault_kind kind, uint32_t sequence,
                      uint64_t time_ns, const char *detail_format, ...)
{
    char detail[DETAIL_MAX];
    va_list args;
    va_start(args, detail_format);
    vsnprintf(detail, sizeof(detail), detail_format, args);
    va_end(args);
    int err = fault_log_write(&sim->fault_log, kind, sequence, time_ns, "%s", detail);
    if (err < 0) {
        log_message(LOG_LEVEL_ERROR, "faults", "%s: %s; no more faults are logged (check the disk)",
                    sim->options.fault_log_path, strerror(-err));
        fault_log_close(&sim->fault_log);
    }
}

/* Closes the port for duration_ns (an outage in progress ends at the later end). */
static void disconnect(struct simulator *sim, uint32_t sequence, uint64_t time_ns,
                       uint64_t duration_ns)
{
    uint64_t now = schedule_now_ns();
    if (port_connected(&sim->port) || sim->reconnect_ns < now + duration_ns)
        sim->reconnect_ns = now + duration_ns;
    double seconds = (double)(sim->reconnect_ns - now) * 1e-9;
    port_resume(&sim->port); /* a pause ends first: its frames go out */
    port_disconnect(&sim->port);
    log_fault(sim, FAULT_DISCONNECT, sequence, time_ns, "%s closed for %.6f s",
              port_path(&sim->port), seconds);
    log_message(LOG_LEVEL_INFO, "port", "%s closed (--disconnect); a new port in %.3f s",
                port_path(&sim->port), seconds);
}

int injector_fire_due(struct simulator *sim, uint64_t time_ns)
{
    int err = 0;
    const struct fault_event *event;
    while (err == 0 &&
           (event = faults_next_due(&sim->options.faults, &sim->next_event, time_ns)) != NULL) {
        uint32_t sequence = device_next_sequence(&sim->device);
        switch (event->kind) {
        case FAULT_BURST:
            sim->burst_left = event->frames;
            log_fault(sim, FAULT_BURST, sequence, time_ns, "the next %" PRIu32 " frames unpaced",
                      event->frames);
            break;
        case FAULT_PAUSE:
            port_pause(&sim->port, schedule_now_ns() + event->duration_ns);
            log_fault(sim, FAULT_PAUSE, sequence, time_ns, "nothing written for %.6f s",
                      (double)event->duration_ns * 1e-9);
            break;
        case FAULT_DISCONNECT:
            disconnect(sim, sequence, time_ns, event->duration_ns);
            break;
        case FAULT_RESET:
            log_fault(sim, FAULT_RESET, sequence, time_ns, "sequence and clock from 0");
            err = simulator_reset(sim, sim->rows, sim->cols);
            break;
        default:
            log_fault(sim, FAULT_GRID_CHANGE, sequence, time_ns, "%ux%u", event->rows, event->cols);
            err = simulator_reset(sim, event->rows, event->cols);
            break;
        }
    }
    return err;
}

int injector_reconnect(struct simulator *sim)
{
    int err = port_reconnect(&sim->port);
    if (err < 0) {
        log_message(LOG_LEVEL_ERROR, "port",
                    "cannot create a pseudo-terminal after the --disconnect outage: %s",
                    strerror(-err));
        return err;
    }
    log_fault(sim, FAULT_RECONNECT, device_next_sequence(&sim->device),
              simulator_next_model_ns(sim), "%s linked as %s", port_path(&sim->port),
              sim->options.link_path);
    log_message(LOG_LEVEL_INFO, "port", "reconnected: %s linked as %s", port_path(&sim->port),
                sim->options.link_path);
    return 0;
}

/* Logs the faults done to a frame that went out (or into the pause's queue). */
static void log_damage(struct simulator *sim, const struct scan *scan,
                       const struct fault_decision *decision, const struct fault_damage *damage)
{
    if (decision->garbage_length > 0)
        log_fault(sim, FAULT_GARBAGE, scan->sequence, scan->time_ns, "%zu bytes before the frame",
                  decision->garbage_length);
    if (decision->flip)
        log_fault(sim, FAULT_FLIP, scan->sequence, scan->time_ns,
                  "bit %u of stuffed byte %zu: frame lost", damage->flip_bit, damage->flip_offset);
    if (decision->inside_length > 0)
        log_fault(sim, FAULT_GARBAGE_INSIDE, scan->sequence, scan->time_ns,
                  "%zu bytes before stuffed byte %zu: frame lost", decision->inside_length,
                  damage->inside_offset);
    if (decision->truncate)
        log_fault(sim, FAULT_TRUNCATE, scan->sequence, scan->time_ns,
                  "%zu of %zu stuffed bytes sent: frame lost", damage->kept, damage->run_length);
}

/* The frame is not sent: its sequence number is used up, and the log says why. */
static void not_sent(struct simulator *sim, const struct scan *scan, const char *why)
{
    device_skip_frame(&sim->device);
    log_fault(sim, FAULT_DROP, scan->sequence, scan->time_ns, "%s", why);
}

/* No host can take the frame: says so once per absence. */
static void report_absence(struct simulator *sim, const struct scan *scan)
{
    bool connected = port_connected(&sim->port);
    if (connected && !sim->warned_hung_up)
        log_message(LOG_LEVEL_WARNING, "port",
                    "%s: no host has the port open; skipping frames from %" PRIu32
                    " until one does",
                    port_path(&sim->port), scan->sequence);
    sim->warned_hung_up = connected;
    not_sent(sim, scan,
             connected ? "no host has the port open: frame not sent"
                       : "port disconnected: frame not sent");
}

int injector_send(struct simulator *sim, const struct scan *scan, enum injector_outcome *outcome)
{
    struct fault_decision decision;
    faults_decide(&sim->options.faults, sim->options.seed, scan->index, &decision);
    *outcome = INJECTOR_SKIPPED;
    if (!port_host_present(&sim->port)) {
        report_absence(sim, scan);
        return 0;
    }
    if (sim->warned_hung_up)
        log_message(LOG_LEVEL_INFO, "port",
                    "%s: a host has the port open again; sending from frame %" PRIu32,
                    port_path(&sim->port), scan->sequence);
    sim->warned_hung_up = false;
    if (decision.drop) {
        if (decision.garbage_length > 0 &&
            port_send(&sim->port, decision.garbage, decision.garbage_length) == 0)
            log_fault(sim, FAULT_GARBAGE, scan->sequence, scan->time_ns,
                      "%zu bytes where the frame would have been", decision.garbage_length);
        not_sent(sim, scan, "--drop: frame not sent");
        *outcome = INJECTOR_DAMAGED;
        return 0;
    }
    size_t len = 0, wire_len = 0;
    struct fault_damage damage;
    int err = device_encode_frame(&sim->device, scan->device_time_us, scan->values, sim->frame,
                                  sim->frame_capacity, &len);
    if (err == 0)
        err = faults_apply(&decision, sim->frame, len, sim->wire, sim->wire_capacity, &wire_len,
                           &damage);
    if (err < 0)
        return err; /* not reached: the buffers fit the largest grid */
    err = port_send(&sim->port, sim->wire, wire_len);
    if (err < 0) {
        /* The sequence number is used up already; the port said why (EPIPE: logged). */
        log_fault(sim, FAULT_DROP, scan->sequence, scan->time_ns, "%s",
                  err == -ENOBUFS ? "the pause's queue is full: frame not sent"
                                  : "the host closed the port while it was sent: frame lost");
        return 0;
    }
    log_damage(sim, scan, &decision, &damage);
    *outcome = faults_damage_frame(&decision) ? INJECTOR_DAMAGED : INJECTOR_INTACT;
    return 0;
}
