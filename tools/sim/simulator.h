/*
 * simulator.h - the simulated table between the loop's wake-ups: what it
 * does on each command and at each deadline, and the state all of that
 * shares.
 *
 *   main.c's loop:  port_wait until simulator_next_deadline
 *     bytes in  --> simulator_answer_commands --> device.c --> answers --> port
 *     deadline  --> simulator_act: end of a pause, reconnect, or a scan:
 *                   injector (timed faults) --> the frame (frame_source, or
 *                   the recording with --replay) --> injector (its faults,
 *                   device.c encodes) --> port; ground truth grows
 *
 * The protocol logic is hw/device.c, exactly what the firmware runs; this
 * keeps time and moves bytes. Scan deadlines are absolute (the wall-clock
 * schedule, or the recording's time axis over --speed); a frame's content
 * follows its model time (the model schedule), so it never depends on how
 * late the scan was.
 */
#ifndef MTABLE_SIM_SIMULATOR_H
#define MTABLE_SIM_SIMULATOR_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "device.h"
#include "fault_log.h"
#include "frame_source.h"
#include "ground_truth.h"
#include "options.h"
#include "port.h"
#include "replay.h"
#include "schedule.h"
#include "ticker.h"

/* Everything the simulated table works with; fields are shared with injector.c. */
struct simulator {
    struct options options;
    struct device device;
    uint8_t rx_buffer[DEVICE_RX_BUFFER_SIZE];
    struct packet_device_info power_up; /* the device at power-up; a reset returns to it */
    unsigned rows, cols;                /* its grid now (a --grid-change changes it) */
    struct port port;
    bool port_opened;           /* port_open succeeded: port_close is due */
    struct frame_source source; /* the models, without --replay */
    struct replay *replay;      /* --replay, or NULL */
    struct ground_truth truth;
    struct fault_log fault_log;
    struct ticker deadlines; /* scan times on CLOCK_MONOTONIC (ns), restarted at START */
    struct ticker model;     /* model time of each frame (ns), from 0 */
    uint64_t reset_ns;       /* CLOCK_MONOTONIC at the simulated power-up or reset */
    uint64_t pace_wall_ns;   /* replay: CLOCK_MONOTONIC at START ... */
    uint64_t pace_axis_ns;   /* ... and the recording's time then */
    uint64_t replay_end_ns;  /* replay: time axis after the last frame */
    uint16_t *values;        /* the frame being scanned */
    uint8_t *frame;          /* its wire bytes */
    size_t frame_capacity;
    uint8_t *wire; /* the same after faults */
    size_t wire_capacity;
    bool streaming;           /* device state last seen, to notice changes */
    uint32_t rate_mhz;        /* likewise */
    bool budget_spent;        /* --frames, --duration or the recording done: no more frames */
    uint64_t linger_until_ns; /* with --linger, when to exit */
    bool warned_hung_up;      /* the skipping of frames was reported */
    size_t next_event;        /* first timed fault not fired yet */
    uint32_t burst_left;      /* frames still to send unpaced */
    uint64_t reconnect_ns;    /* end of an outage */
    bool scanned_since_reset; /* a frame was scanned since the last reset */
    bool failed;              /* the recording could not be read to its end */
    uint64_t frames_scanned, frames_sent, frames_lost, frames_skipped, commands;
    uint64_t first_frame_ns, last_frame_ns; /* wall clock of the first and last frame sent */
};

/* The frame being scanned. */
struct scan {
    uint64_t index;          /* frames scanned before it since power-up */
    uint32_t sequence;       /* its number */
    uint64_t time_ns;        /* its model time */
    uint64_t device_time_us; /* its device time */
    const uint16_t *values;  /* its readings, rows x cols */
    struct routine_contact contacts[ROUTINE_MAX_CONTACTS]; /* without --replay: the therapist */
    unsigned contact_count;
};

/*
 * Sets up, from sim->options, the frames (models or recording), the device,
 * the buffers and the fault log; logs what failed. Returns 0 or a negative
 * errno. sim must be zeroed before, and given to simulator_fini after.
 */
int simulator_start(struct simulator *sim);

/*
 * Opens the port (pty, tee, link) waiting with wait_mask and stopping; the
 * device announces itself with DEVICE_INFO, unless announce is false
 * (--replay-raw). Logs what failed; returns 0 or a negative errno.
 */
int simulator_power_up(struct simulator *sim, const sigset_t *wait_mask,
                       const volatile sig_atomic_t *stopping, bool announce);

/* Logs what the table is, where, and that it waits for START. */
void simulator_log_device(const struct simulator *sim);

/* CLOCK_MONOTONIC time of the next thing to do (UINT64_MAX: only commands). */
uint64_t simulator_next_deadline(const struct simulator *sim);

/* Reads what the host sent and answers each command. Returns 0 or a negative errno (logged). */
int simulator_answer_commands(struct simulator *sim);

/*
 * Does what is due now: ends a pause, reconnects after an outage, scans a
 * frame. Returns 0, 1 when --linger has expired (time to exit), or a
 * negative errno (logged).
 */
int simulator_act(struct simulator *sim);

/* Model time of the next frame: the model schedule's, or the recording's time axis. */
uint64_t simulator_next_model_ns(const struct simulator *sim);

/*
 * The device resets (power cycle, watchdog) with a rows x cols grid:
 * sequence and clock from 0, rate and identity as at power-up, DEVICE_INFO
 * sent, idle until START. A pause in progress ends first. Returns 0 or a
 * negative errno (logged).
 */
int simulator_reset(struct simulator *sim, unsigned rows, unsigned cols);

/* After the loop: sends what a pause still holds, writes the ground truth, logs a summary. */
void simulator_stop(struct simulator *sim);

/* Frees everything; returns a negative errno if the fault log's last rows were not written. */
int simulator_fini(struct simulator *sim);

#endif
