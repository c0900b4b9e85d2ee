/*
 * table.h - the default table that hw/README.md describes: 64 x 32 taxels on
 * a 1920 x 700 mm top (the defaults of tools/sim), read by a 12-bit ADC.
 *
 * The microcontroller build and the host build both start from these, so
 * the simulated table is the table a lab wires.
 */
#ifndef MTABLE_TABLE_H
#define MTABLE_TABLE_H

/* Taxel rows along the table's length: 64 x 30 mm = 1920 mm. */
#define TABLE_ROWS 64
/* Taxel columns across its width: 32 x 21.875 mm = 700 mm. */
#define TABLE_COLS 32
/* Centre-to-centre distance between rows, micrometres. */
#define TABLE_ROW_PITCH_UM 30000
/* Centre-to-centre distance between columns, micrometres. */
#define TABLE_COL_PITCH_UM 21875
/* Resolution of the STM32F411's ADC. */
#define TABLE_ADC_BITS 12
/* Frame rate after reset: 100 frames/s, the rate hw/PROTOCOL.md budgets for. */
#define TABLE_FRAME_RATE_MHZ 100000
/* Slowest rate accepted: one frame per 1000 s, inside a 32-bit microsecond alarm. */
#define TABLE_MIN_RATE_MHZ 1
/*
 * Settle after a row switch: the column lines recharge through at most the
 * 4.7 kOhm reference resistor into about 0.4 nF of strip and cable, tau ~ 2 us;
 * 12-bit accuracy needs 9 tau (hw/README.md, "Scan-time budget").
 */
#define TABLE_ROW_SETTLE_NS 20000
/* Settle after a multiplexer switch: its output node, ~30 pF through 4.7 kOhm, 9 tau. */
#define TABLE_COLUMN_SETTLE_NS 1500

#endif
