/*
 * injector.h - the faults of faults.h put into action on the running
 * simulator, each written to the --fault-log:
 *
 *   timed    injector_fire_due before each scan: burst (the next frames
 *            unpaced), pause (port_pause), disconnect (port_disconnect,
 *            then injector_reconnect when it is over), reset and grid
 *            change (simulator_reset)
 *   per frame injector_send: the frame's decision (faults_decide), then
 *            skipped (no host, outage), dropped, or encoded by device.c,
 *            damaged (faults_apply) and sent through the port
 *
 * Every frame not delivered intact gets a row: garbage_inside, flip or
 * truncate when sent damaged; drop when not sent at all (--drop, a full
 * pause queue, an outage, no host having the port open, the host closing
 * the port mid-frame; the detail says which).
 */
#ifndef MTABLE_SIM_INJECTOR_H
#define MTABLE_SIM_INJECTOR_H

#include <stdint.h>

#include "simulator.h"

/* What became of a frame. */
enum injector_outcome {
    INJECTOR_INTACT,  /* sent (or held by a pause) whole */
    INJECTOR_DAMAGED, /* sent damaged, or dropped on purpose: lost to a fault */
    INJECTOR_SKIPPED, /* not sent: no host, an outage, a full pause queue */
};

/* Fires the timed faults due at model time time_ns, in order. Returns 0 or a negative errno. */
int injector_fire_due(struct simulator *sim, uint64_t time_ns);

/* Ends an outage: a new port behind the same link. Returns 0 or a negative errno (logged). */
int injector_reconnect(struct simulator *sim);

/*
 * Sends the frame scanned as its faults decide; its sequence number is
 * used up whatever happens. Sets *outcome; returns 0 or a negative errno.
 */
int injector_send(struct simulator *sim, const struct scan *scan, enum injector_outcome *outcome);

#endif
