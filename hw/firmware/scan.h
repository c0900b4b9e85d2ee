/*
 * scan.h - one scan of the piezoresistive matrix, one taxel per step.
 *
 * For each row, from row 0 (the head end): drive the row, then for each
 * column from 0: select its multiplexer channel, wait the settle time, and
 * sample its ADC input; release the row after its last column. The first
 * column of a row waits the longer row settle time, because the row switch
 * recharges every column line; the others wait the column settle time,
 * which only the multiplexer's node needs.
 *
 *   row r:  drive r | mux c%16, settle(row), sample c/16 | mux, settle(column),
 *           sample | ... | release r
 *
 * Each taxel of a column sits between its row and the column line, which a
 * reference resistor pulls up to the ADC reference; the driven row is low.
 * More pressure, lower resistance, lower column voltage: the scan stores
 * adc_max - reading, so that higher values mean more pressure as
 * hw/PROTOCOL.md 3.1 requires. values[] is row-major: row r column c at
 * r * cols + c.
 *
 * A step takes a fixed time (the settle wait plus one conversion) whatever
 * the readings, so a scan's length depends only on the grid and the settle
 * times. The caller decides between steps whether to go on (scan_abort).
 */
#ifndef MTABLE_SCAN_H
#define MTABLE_SCAN_H

#include <stdbool.h>
#include <stdint.h>

/* How long to let the analog signal settle before sampling. */
struct scan_settle {
    uint32_t row_ns;    /* after a row switch: the column lines recharge */
    uint32_t column_ns; /* after a multiplexer switch: its output node recharges */
};

/* What a step finished. */
enum scan_progress {
    SCAN_TAXEL, /* one taxel; the row goes on */
    SCAN_ROW,   /* the last taxel of a row; the row is released */
    SCAN_FRAME, /* the last taxel of the last row: values[] holds the frame */
};

/* One scan in progress; set up with scan_init. */
struct scan {
    uint16_t rows, cols;       /* grid */
    uint16_t adc_max;          /* largest reading, 2^adc_bits - 1 */
    struct scan_settle settle; /* settle times */
    uint16_t *values;          /* rows * cols readings, row-major */
    uint16_t row, column;      /* taxel the next step scans */
    bool active;               /* begun and neither finished nor aborted */
};

/*
 * Sets up scans of rows x cols taxels read with adc_bits (1..16) into values
 * (rows * cols entries, the caller's). Nothing is driven until scan_begin.
 */
void scan_init(struct scan *scan, uint16_t rows, uint16_t cols, uint8_t adc_bits,
               const struct scan_settle *settle, uint16_t *values);

/* Starts a scan at row 0, column 0 (the previous one must be finished or aborted). */
void scan_begin(struct scan *scan);

/* Scans the next taxel of an active scan; says whether it ended a row or the frame. */
enum scan_progress scan_step(struct scan *scan);

/* Stops an active scan where it is, releasing the row it drives; values[] is incomplete. */
void scan_abort(struct scan *scan);

/* True from scan_begin until the frame is finished or aborted. */
bool scan_active(const struct scan *scan);

#endif
