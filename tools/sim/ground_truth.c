/*
 * ground_truth.c - visits grown frame by frame, written out as CSV.
 *
 * A contact extends the open visit of its (step, region) if there is one:
 * it can only be among the last ROUTINE_MAX_CONTACTS visits, since a step's
 * contacts are recorded together and steps never overlap. The file is
 * written to a temporary name and renamed, so a reader sees the old file
 * or the new one, never half of one.
 */
#include "ground_truth.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "body.h"

/* Visits allocated at the first record: a loop of the routine has 13. */
#define INITIAL_CAPACITY 64

void ground_truth_init(struct ground_truth *truth)
{
    truth->visits = NULL;
    truth->count = 0;
    truth->capacity = 0;
}

void ground_truth_fini(struct ground_truth *truth)
{
    free(truth->visits);
    ground_truth_init(truth);
}

/* The open visit of (step, region), or NULL. */
static struct ground_truth_visit *open_visit(struct ground_truth *truth, uint64_t step,
                                             enum region_id region)
{
    size_t oldest = truth->count > ROUTINE_MAX_CONTACTS ? truth->count - ROUTINE_MAX_CONTACTS : 0;
    for (size_t i = truth->count; i > oldest; i--) {
        struct ground_truth_visit *v = &truth->visits[i - 1];
        if (v->step == step && v->region == region)
            return v;
    }
    return NULL;
}

int ground_truth_record(struct ground_truth *truth, uint32_t sequence, uint64_t time_ns,
                        uint64_t next_ns, const struct routine_contact *contacts, unsigned count)
{
    for (unsigned i = 0; i < count; i++) {
        const struct routine_contact *c = &contacts[i];
        struct ground_truth_visit *v = open_visit(truth, c->step, c->region);
        if (v == NULL) {
            if (truth->count == truth->capacity) {
                size_t capacity = truth->capacity == 0 ? INITIAL_CAPACITY : 2 * truth->capacity;
                struct ground_truth_visit *grown =
                    realloc(truth->visits, capacity * sizeof(*grown));
                if (grown == NULL)
                    return -ENOMEM;
                truth->visits = grown;
                truth->capacity = capacity;
            }
            v = &truth->visits[truth->count++];
            v->step = c->step;
            v->region = c->region;
            v->technique = c->technique;
            v->first_sequence = sequence;
            v->start_ns = time_ns;
            v->peak = c->peak;
        }
        v->last_sequence = sequence;
        v->end_ns = next_ns;
    }
    return 0;
}

static void write_header(FILE *file, const struct ground_truth_header *header)
{
    fprintf(file,
            "# mtable-sim ground truth: the therapist's applied pressure, one row per step and "
            "region\n"
            "# seed %" PRIu64 ", grid %u x %u, rate %" PRIu32 ".%03" PRIu32 " Hz, adc_bits %u\n"
            "# client shift: at model time %.3f s (from frame %.0f at this rate) the resting load "
            "moves %u row(s) towards the feet\n"
            "# frames first_sequence..last_sequence were sent with pressure on the region;\n"
            "# start_s = first_sequence / rate, end_s = (last_sequence + 1) / rate (model time)\n"
            "# peak_counts: the contact patch's peak at full pressure, ADC counts above the "
            "resting load\n",
            header->seed, header->rows, header->cols, header->rate_mhz / 1000,
            header->rate_mhz % 1000, header->adc_bits, (double)BODY_SHIFT_TIME_NS * 1e-9,
            ceil((double)BODY_SHIFT_TIME_NS * 1e-12 * header->rate_mhz), BODY_SHIFT_ROWS);
    fprintf(file, "region,technique,first_sequence,last_sequence,start_s,end_s,peak_counts\n");
}

int ground_truth_write(const struct ground_truth *truth, const struct ground_truth_header *header,
                       const char *path)
{
    int err = 0;
    char temporary[4096];
    FILE *file = NULL;
    if (snprintf(temporary, sizeof(temporary), "%s.tmp", path) >= (int)sizeof(temporary)) {
        err = -ENAMETOOLONG;
        goto out;
    }
    file = fopen(temporary, "w");
    if (file == NULL) {
        err = -errno;
        goto out;
    }
    write_header(file, header);
    for (size_t i = 0; i < truth->count; i++) {
        const struct ground_truth_visit *v = &truth->visits[i];
        fprintf(file, "%s,%s,%" PRIu32 ",%" PRIu32 ",%.6f,%.6f,%.0f\n", body_map_name(v->region),
                routine_technique_name(v->technique), v->first_sequence, v->last_sequence,
                (double)v->start_ns * 1e-9, (double)v->end_ns * 1e-9, v->peak);
    }
    if (ferror(file)) {
        err = -EIO;
        goto out;
    }
    int closed = fclose(file);
    file = NULL;
    if (closed != 0) {
        err = -errno;
        goto out;
    }
    if (rename(temporary, path) != 0)
        err = -errno;
out:
    if (file != NULL)
        fclose(file);
    if (err < 0 && err != -ENAMETOOLONG)
        remove(temporary);
    return err;
}
