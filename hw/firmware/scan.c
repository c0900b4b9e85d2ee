/*
 * scan.c - the row/column walk over the HAL.
 */
#include "scan.h"

#include "hal.h"

void scan_init(struct scan *scan, uint16_t rows, uint16_t cols, uint8_t adc_bits,
               const struct scan_settle *settle, uint16_t *values)
{
    scan->rows = rows;
    scan->cols = cols;
    scan->adc_max = (uint16_t)((1u << adc_bits) - 1u);
    scan->settle = *settle;
    scan->values = values;
    scan->row = 0;
    scan->column = 0;
    scan->active = false;
}

void scan_begin(struct scan *scan)
{
    scan->row = 0;
    scan->column = 0;
    scan->active = true;
}

enum scan_progress scan_step(struct scan *scan)
{
    unsigned column = scan->column;
    uint32_t settle_ns = scan->settle.column_ns;
    if (column == 0) {
        hal_row_drive(scan->row);
        settle_ns = scan->settle.row_ns;
    }
    hal_mux_select(column % HAL_MUX_CHANNELS);
    hal_delay_ns(settle_ns);
    uint16_t reading = hal_adc_sample(column / HAL_MUX_CHANNELS);
    if (reading > scan->adc_max)
        reading = scan->adc_max; /* an ADC never reads more; a fault must not wrap around */
    scan->values[(unsigned)scan->row * scan->cols + column] = (uint16_t)(scan->adc_max - reading);

    if (++scan->column < scan->cols)
        return SCAN_TAXEL;
    hal_row_release(scan->row);
    scan->column = 0;
    if (++scan->row < scan->rows)
        return SCAN_ROW;
    scan->active = false;
    return SCAN_FRAME;
}

void scan_abort(struct scan *scan)
{
    if (scan->active && scan->column > 0)
        hal_row_release(scan->row);
    scan->active = false;
}

bool scan_active(const struct scan *scan)
{
    return scan->active;
}
