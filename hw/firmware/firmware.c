/*
 * firmware.c - ticks, scan, link and commands, one turn at a time.
 */
#include "firmware.h"

#include <errno.h>

#include "hal.h"

int firmware_init(struct firmware *firmware, const struct firmware_config *config, uint16_t *values,
                  size_t values_capacity, uint8_t *frame, size_t frame_capacity)
{
    size_t taxels = (size_t)config->info.rows * config->info.cols;
    if (values_capacity < taxels || frame_capacity < PACKET_WIRE_SIZE(PACKET_FRAME_SIZE(taxels)))
        return -EINVAL;
    int err = device_init(&firmware->device, &config->info, &config->limits, firmware->rx_buffer,
                          sizeof(firmware->rx_buffer));
    if (err < 0)
        return err;
    scan_init(&firmware->scan, config->info.rows, config->info.cols, config->info.adc_bits,
              &config->settle, values);
    firmware->stats = (struct firmware_stats){0};
    firmware->frame_state = FIRMWARE_NO_FRAME;
    firmware->frame_time_us = 0;
    firmware->frame = frame;
    firmware->frame_capacity = frame_capacity;
    firmware->answer_len = 0;
    firmware->in_flight = NULL;
    firmware->input_start = 0;
    firmware->input_end = 0;
    firmware->streaming = false;
    firmware->rate_mhz = device_frame_rate_mhz(&firmware->device);
    return 0;
}

void firmware_power_up(struct firmware *firmware)
{
    size_t len = 0;
    if (device_encode_info(&firmware->device, firmware->answer, sizeof(firmware->answer), &len) ==
        0)
        firmware->answer_len = len;
}

const struct firmware_stats *firmware_stats(const struct firmware *firmware)
{
    return &firmware->stats;
}

/* Skips the frame in hand, if any: its sequence number is used up, the host sees a gap. */
static void abandon_frame(struct firmware *firmware)
{
    if (firmware->frame_state == FIRMWARE_SCANNING) {
        scan_abort(&firmware->scan);
        device_skip_frame(&firmware->device);
        firmware->stats.overruns++;
    } else if (firmware->frame_state == FIRMWARE_SCANNED) {
        device_skip_frame(&firmware->device);
        firmware->stats.link_busy++;
    }
    firmware->frame_state = FIRMWARE_NO_FRAME;
}

/* On a fired alarm: takes the due tick (and any missed), re-arms, begins a scan. */
static void take_tick(struct firmware *firmware)
{
    if (!firmware->streaming || !hal_timer_alarm_fired())
        return;
    struct ticker *ticker = &firmware->ticker;
    uint64_t now = hal_time_us();
    if (ticker->next > now) {
        hal_timer_alarm_at(ticker->next); /* went off early: wait on */
        return;
    }
    ticker_take(ticker);
    while (ticker->next <= now) {
        ticker_take(ticker);
        firmware->stats.ticks_missed++;
    }
    hal_timer_alarm_at(ticker->next);
    abandon_frame(firmware);
    firmware->frame_time_us = hal_time_us();
    scan_begin(&firmware->scan);
    firmware->frame_state = FIRMWARE_SCANNING;
}

/* Scans to the end of the current row, or until a tick is due. */
static void scan_row(struct firmware *firmware)
{
    for (;;) {
        enum scan_progress progress = scan_step(&firmware->scan);
        if (progress == SCAN_FRAME) {
            uint64_t length_us = hal_time_us() - firmware->frame_time_us;
            firmware->stats.scan_us_last =
                length_us > UINT32_MAX ? UINT32_MAX : (uint32_t)length_us;
            if (firmware->stats.scan_us_last > firmware->stats.scan_us_longest)
                firmware->stats.scan_us_longest = firmware->stats.scan_us_last;
            firmware->frame_state = FIRMWARE_SCANNED;
            return;
        }
        if (progress == SCAN_ROW || (firmware->streaming && hal_timer_alarm_fired()))
            return;
    }
}

/* Hands the link a waiting answer, else a scanned frame, while it is free. */
static void transmit(struct firmware *firmware)
{
    while (!hal_serial_busy()) {
        size_t len = 0;
        if (firmware->answer_len > 0) {
            hal_serial_send(firmware->answer, firmware->answer_len);
            firmware->in_flight = firmware->answer;
            firmware->answer_len = 0;
            firmware->stats.answers++;
        } else if (firmware->frame_state == FIRMWARE_SCANNED) {
            firmware->frame_state = FIRMWARE_NO_FRAME;
            if (device_encode_frame(&firmware->device, firmware->frame_time_us,
                                    firmware->scan.values, firmware->frame,
                                    firmware->frame_capacity, &len) < 0) {
                device_skip_frame(&firmware->device); /* cannot happen: firmware_init sized it */
                return;
            }
            hal_serial_send(firmware->frame, len);
            firmware->in_flight = firmware->frame;
            firmware->stats.frames_sent++;
        } else {
            firmware->in_flight = NULL;
            return;
        }
    }
}

/* Acts on what a command changed: starts or stops the ticks, or changes their rate. */
static void follow_device(struct firmware *firmware)
{
    bool streaming = device_streaming(&firmware->device);
    uint32_t rate_mhz = device_frame_rate_mhz(&firmware->device);
    if (streaming && !firmware->streaming) {
        ticker_start(&firmware->ticker, TICKER_MICROSECONDS, hal_time_us(), rate_mhz);
        hal_timer_alarm_at(firmware->ticker.next);
    } else if (!streaming && firmware->streaming) {
        hal_timer_cancel(); /* a scan in progress still finishes and is sent */
    } else if (streaming && rate_mhz != firmware->rate_mhz) {
        ticker_set_rate(&firmware->ticker, rate_mhz);
        hal_timer_alarm_at(firmware->ticker.next);
    }
    firmware->streaming = streaming;
    firmware->rate_mhz = rate_mhz;
}

/* True when received bytes may be taken: no answer waits, and its buffer is not being sent. */
static bool can_receive(const struct firmware *firmware)
{
    return firmware->answer_len == 0 &&
           (firmware->in_flight != firmware->answer || !hal_serial_busy());
}

/* Gives received bytes to device.c until it produces an answer or they run out. */
static void receive(struct firmware *firmware)
{
    if (!can_receive(firmware))
        return;
    if (firmware->input_start == firmware->input_end) {
        firmware->input_start = 0;
        firmware->input_end = hal_serial_receive(firmware->input, sizeof(firmware->input));
    }
    const uint8_t *cursor = firmware->input + firmware->input_start;
    size_t len = 0;
    int result = device_receive(&firmware->device, &cursor, firmware->input + firmware->input_end,
                                firmware->answer, sizeof(firmware->answer), &len);
    firmware->input_start = (size_t)(cursor - firmware->input);
    if (result == 1) {
        firmware->answer_len = len;
        follow_device(firmware);
    }
}

/* True when a turn of the loop would do something; decided with interrupts masked. */
static bool work_pending(const struct firmware *firmware)
{
    if (firmware->frame_state == FIRMWARE_SCANNING)
        return true;
    if (firmware->streaming && hal_timer_alarm_fired())
        return true;
    bool link_free = !hal_serial_busy();
    if (link_free && (firmware->frame_state == FIRMWARE_SCANNED || firmware->answer_len > 0))
        return true;
    return can_receive(firmware) &&
           (firmware->input_start < firmware->input_end || hal_serial_readable());
}

void firmware_run_once(struct firmware *firmware)
{
    take_tick(firmware);
    if (firmware->frame_state == FIRMWARE_SCANNING)
        scan_row(firmware);
    transmit(firmware);
    receive(firmware);
    hal_interrupts_disable();
    if (!work_pending(firmware))
        hal_wait_for_interrupt();
    hal_interrupts_enable();
}
