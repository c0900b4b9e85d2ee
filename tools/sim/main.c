/*
 * main.c - mtable-sim: a simulated massage table on a pseudo-terminal.
 *
 * Parses the options, sets the modules up in order and runs one loop:
 *
 *   reset: DEVICE_INFO, print the port
 *   loop:  wait on the port until the simulator's next deadline (a scan,
 *          the end of a pause or an outage, --linger; for ever when idle);
 *          bytes from the host -> simulator_answer_commands; a deadline ->
 *          simulator_act (simulator.h draws what happens there)
 *   exit:  on SIGINT/SIGTERM (or --linger): ground truth, summary, unlink
 *
 * With --replay-raw the table is a capture instead: replay_raw sends it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "options.h"
#include "replay_raw.h"
#include "simulator.h"
#include "stop_signals.h"

/* Exit status for a bad command line, as most command-line tools use. */
#define EXIT_USAGE 2

/* Prints the port's path: the first line of standard output, which hosts wait for. */
static void print_port(const struct simulator *sim)
{
    printf("%s\n", port_path(&sim->port));
    fflush(stdout);
}

/* Runs until a stop is requested, --linger expires or something fails. */
static int run(struct simulator *sim)
{
    int err = 0;
    while (!stop_signals_received && err == 0) {
        int ready = port_wait(&sim->port, simulator_next_deadline(sim));
        if (ready == -EINTR)
            continue;
        if (ready < 0) {
            log_message(LOG_LEVEL_ERROR, "port", "%s: waiting failed: %s", port_path(&sim->port),
                        strerror(-ready));
            err = ready;
        } else if (ready == 1) {
            err = simulator_answer_commands(sim);
        } else {
            err = simulator_act(sim);
            if (err == 1)
                return 0; /* --linger expired */
        }
    }
    return err;
}

/* Plays a capture back (--replay-raw). Returns the exit status. */
static int replay_capture(struct simulator *sim, const sigset_t *wait_mask)
{
    const struct options *o = &sim->options;
    struct replay_raw raw = {.file = -1};
    int err = replay_raw_open(&raw, o->replay_raw_path, o->raw_rate);
    if (err < 0) {
        log_message(LOG_LEVEL_ERROR, "replay", "--replay-raw %s: cannot play it back: %s",
                    o->replay_raw_path,
                    err == -EINVAL ? "not a regular file (give a file mtable-acqd --capture made)"
                                   : strerror(-err));
        return EXIT_FAILURE;
    }
    err = simulator_power_up(sim, wait_mask, &stop_signals_received, false);
    if (err == 0) {
        print_port(sim);
        log_message(LOG_LEVEL_INFO, "replay", "%s on %s: waiting for a host to open it",
                    o->replay_raw_path, port_path(&sim->port));
        err = replay_raw_run(&raw, &sim->port, &stop_signals_received, o->linger_set, o->linger_ns);
    }
    replay_raw_close(&raw);
    return err == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

int main(int argc, char **argv)
{
    static struct simulator sim;
    int status = EXIT_FAILURE;
    log_init("mtable-sim", LOG_LEVEL_INFO, false);
    if (options_parse(argc, argv, &sim.options) < 0)
        return EXIT_USAGE;
    if (sim.options.help) {
        options_print_help(stdout);
        return EXIT_SUCCESS;
    }
    log_init("mtable-sim", sim.options.log_level, false);
    sigset_t wait_mask;
    int err = stop_signals_catch(&wait_mask);
    if (err < 0) {
        log_message(LOG_LEVEL_ERROR, "signals", "cannot catch SIGINT and SIGTERM: %s",
                    strerror(-err));
        goto out;
    }
    if (sim.options.replay_raw_path != NULL) {
        status = replay_capture(&sim, &wait_mask);
        goto out;
    }
    if (simulator_start(&sim) < 0 ||
        simulator_power_up(&sim, &wait_mask, &stop_signals_received, true) < 0)
        goto out;
    print_port(&sim);
    simulator_log_device(&sim);
    if (run(&sim) == 0 && !sim.failed)
        status = EXIT_SUCCESS;
    simulator_stop(&sim);
out:
    if (simulator_fini(&sim) < 0)
        status = EXIT_FAILURE;
    return status;
}
