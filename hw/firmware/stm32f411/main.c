/*
 * main.c - the table's firmware on the STM32F411: sets the chip up, names the
 * table, and runs the portable firmware's main loop for ever.
 *
 * Order matters: the clock first (everything is timed from it), then the
 * timer (the ADC's power-up wait uses the cycle counter), the front end,
 * and the link last, so the first byte sent is DEVICE_INFO.
 *
 * The serial number is "MT-" and 8 hexadecimal digits folded from the
 * chip's 96-bit unique identifier (RM0383 24.1): distinct per board, the
 * same across resets and reflashing.
 */
#include <stdint.h>

#include "board.h"
#include "clock.h"
#include "firmware.h"
#include "front_end.h"
#include "registers.h"
#include "table.h"
#include "timer.h"
#include "uart.h"

/* Taxels of the table this image scans. */
#define TAXELS (TABLE_ROWS * TABLE_COLS)

static struct firmware firmware;
static uint16_t values[TAXELS];
static uint8_t frame[PACKET_WIRE_SIZE(PACKET_FRAME_SIZE(TAXELS))];

/* Writes "MT-" and 8 hex digits of the folded unique identifier into serial. */
static void name_table(char serial[PACKET_SERIAL_SIZE + 1])
{
    static const char DIGITS[] = "0123456789ABCDEF";
    uint32_t id = UID_WORD(0) ^ UID_WORD(1) ^ UID_WORD(2);
    serial[0] = 'M';
    serial[1] = 'T';
    serial[2] = '-';
    for (unsigned i = 0; i < 8; i++)
        serial[3 + i] = DIGITS[(id >> (28u - 4u * i)) & 0xFu];
    serial[11] = '\0';
}

int main(void)
{
    clock_init();
    timer_init();
    front_end_init();
    uart_init();

    struct firmware_config config = {
        .info =
            {
                .rows = TABLE_ROWS,
                .cols = TABLE_COLS,
                .row_pitch_um = TABLE_ROW_PITCH_UM,
                .col_pitch_um = TABLE_COL_PITCH_UM,
                .adc_bits = TABLE_ADC_BITS,
                .frame_rate_mhz = TABLE_FRAME_RATE_MHZ,
                .firmware_major = MTABLE_VERSION_MAJOR,
                .firmware_minor = MTABLE_VERSION_MINOR,
                .firmware_patch = MTABLE_VERSION_PATCH,
            },
        .limits = {TABLE_MIN_RATE_MHZ, BOARD_MAX_RATE_MHZ},
        .settle = {TABLE_ROW_SETTLE_NS, TABLE_COLUMN_SETTLE_NS},
    };
    name_table(config.info.serial);
    /* Cannot fail: the configuration is fixed and the buffers are sized for it. */
    firmware_init(&firmware, &config, values, TAXELS, frame, sizeof(frame));
    firmware_power_up(&firmware);
    for (;;)
        firmware_run_once(&firmware);
}
