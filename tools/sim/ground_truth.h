/*
 * ground_truth.h - what the therapist did, as streamed: the answer key the
 * analysis tool's dwell times are checked against.
 *
 * The simulator records every frame it actually sends, and at the end
 * writes one CSV row per (step, region) that had applied pressure in at
 * least one of them (a bilateral step gives two rows), in time order:
 *
 *   # comments: seed, grid, rate, the client shift
 *   region,technique,first_sequence,last_sequence,start_s,end_s,peak_counts
 *   upper_back_left,stroke,200,1399,2.000000,14.000000,900
 *
 * first_sequence and last_sequence are the first and last frames sent with
 * pressure on the region; start_s is the model time of the first (its
 * sequence / rate) and end_s that of the frame after the last ((last + 1) /
 * rate), so end_s - start_s is the visit's dwell time in frame periods.
 * Frames never sent (after a --frames limit, or while no host had the port
 * open) are not in it: a visit cut by the end of the stream ends at the last
 * frame sent, and one whose middle frames were lost still spans them (the
 * gap in sequence numbers shows where).
 */
#ifndef MTABLE_SIM_GROUND_TRUTH_H
#define MTABLE_SIM_GROUND_TRUTH_H

#include <stddef.h>
#include <stdint.h>

#include "routine.h"

/* One visit of the therapist's hand to one region during one step. */
struct ground_truth_visit {
    uint64_t step; /* the step instance (struct routine_contact) */
    enum region_id region;
    enum routine_technique technique;
    uint32_t first_sequence, last_sequence; /* frames sent with pressure on the region */
    uint64_t start_ns;                      /* model time of the first frame */
    uint64_t end_ns;                        /* model time of the frame after the last */
    double peak;                            /* patch peak at full pressure, counts */
};

/* The visits so far; start with ground_truth_init. */
struct ground_truth {
    struct ground_truth_visit *visits; /* in order of first frame */
    size_t count, capacity;
};

/* What the file's comment lines state about the run. */
struct ground_truth_header {
    uint64_t seed;
    unsigned rows, cols;
    uint32_t rate_mhz; /* at the start of the run */
    unsigned adc_bits;
};

/* Starts with no visits. */
void ground_truth_init(struct ground_truth *truth);

/* Frees the visits. */
void ground_truth_fini(struct ground_truth *truth);

/*
 * Records frame `sequence`, sent at model time time_ns (the next frame's
 * model time next_ns), with count contacts. Returns 0 or -ENOMEM.
 */
int ground_truth_record(struct ground_truth *truth, uint32_t sequence, uint64_t time_ns,
                        uint64_t next_ns, const struct routine_contact *contacts, unsigned count);

/* Writes the CSV file at path (replacing it whole); returns 0 or a negative errno. */
int ground_truth_write(const struct ground_truth *truth, const struct ground_truth_header *header,
                       const char *path);

#endif
