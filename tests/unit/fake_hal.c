/*
 * fake_hal.c - hal.h with simulated time and a log of every call.
 */
#include "fake_hal.h"

#include <stdlib.h>
#include <string.h>

#include "hal.h"

struct fake_hal fake_hal;

static void record(enum fake_event_kind kind, uint64_t arg)
{
    if (fake_hal.event_count == FAKE_MAX_EVENTS) {
        fake_hal.dropped_events++;
        return;
    }
    fake_hal.events[fake_hal.event_count++] =
        (struct fake_event){.kind = kind, .arg = arg, .time_ns = fake_hal.now_ns};
}

void fake_hal_reset(uint64_t start_ns, uint16_t (*reading)(unsigned, unsigned, unsigned))
{
    uint8_t *sent = fake_hal.sent != NULL ? fake_hal.sent : malloc(FAKE_MAX_SENT);
    struct fake_event *events = fake_hal.events != NULL
                                    ? fake_hal.events
                                    : malloc(FAKE_MAX_EVENTS * sizeof(struct fake_event));
    memset(&fake_hal, 0, sizeof(fake_hal));
    fake_hal.sent = sent;
    fake_hal.events = events;
    fake_hal.now_ns = start_ns;
    fake_hal.reading = reading;
    fake_hal.driven_row = FAKE_NO_ROW;
}

void fake_hal_free(void)
{
    free(fake_hal.sent);
    free(fake_hal.events);
    fake_hal.sent = NULL;
    fake_hal.events = NULL;
}

void fake_hal_input(uint64_t at_ns, const uint8_t *bytes, size_t len)
{
    for (size_t i = 0; i < len && fake_hal.input_end < FAKE_MAX_INPUT; i++) {
        fake_hal.input[fake_hal.input_end] = bytes[i];
        fake_hal.input_at_ns[fake_hal.input_end++] = at_ns;
    }
}

void hal_row_drive(unsigned row)
{
    record(FAKE_ROW_DRIVE, row);
    if (row == 0)
        fake_hal.scans++;
    fake_hal.driven_row = row;
}

void hal_row_release(unsigned row)
{
    record(FAKE_ROW_RELEASE, row);
    if (fake_hal.driven_row == row)
        fake_hal.driven_row = FAKE_NO_ROW;
}

void hal_mux_select(unsigned channel)
{
    record(FAKE_MUX_SELECT, channel);
    fake_hal.channel = channel;
}

uint16_t hal_adc_sample(unsigned input)
{
    record(FAKE_SAMPLE, input);
    fake_hal.now_ns += fake_hal.conversion_ns;
    return fake_hal.reading(fake_hal.driven_row, input * HAL_MUX_CHANNELS + fake_hal.channel,
                            fake_hal.scans - 1);
}

void hal_delay_ns(uint32_t ns)
{
    record(FAKE_DELAY, ns);
    fake_hal.now_ns += ns;
}

uint64_t hal_time_us(void)
{
    return fake_hal.now_ns / 1000u;
}

void hal_timer_alarm_at(uint64_t time_us)
{
    record(FAKE_ALARM_AT, time_us);
    fake_hal.alarm_armed = true;
    fake_hal.alarm_us = time_us;
}

void hal_timer_cancel(void)
{
    record(FAKE_CANCEL, 0);
    fake_hal.alarm_armed = false;
}

bool hal_timer_alarm_fired(void)
{
    return fake_hal.alarm_armed && hal_time_us() >= fake_hal.alarm_us;
}

void hal_serial_send(const uint8_t *bytes, size_t len)
{
    record(FAKE_SEND, len);
    if (fake_hal.sent_len + len <= FAKE_MAX_SENT) {
        memcpy(fake_hal.sent + fake_hal.sent_len, bytes, len);
        fake_hal.sent_len += len;
    }
    fake_hal.busy_until_ns = fake_hal.now_ns + fake_hal.byte_ns * len;
    if (fake_hal.event_count > 0)
        fake_hal.events[fake_hal.event_count - 1].end_ns = fake_hal.busy_until_ns;
}

bool hal_serial_busy(void)
{
    return fake_hal.now_ns < fake_hal.busy_until_ns;
}

bool hal_serial_readable(void)
{
    return fake_hal.input_start < fake_hal.input_end &&
           fake_hal.input_at_ns[fake_hal.input_start] <= fake_hal.now_ns;
}

size_t hal_serial_receive(uint8_t *bytes, size_t capacity)
{
    size_t n = 0;
    while (n < capacity && hal_serial_readable())
        bytes[n++] = fake_hal.input[fake_hal.input_start++];
    return n;
}

void hal_interrupts_disable(void)
{
    fake_hal.masked = true;
}

void hal_interrupts_enable(void)
{
    fake_hal.masked = false;
}

void hal_wait_for_interrupt(void)
{
    uint64_t wake_ns = UINT64_MAX;
    if (fake_hal.alarm_armed && fake_hal.alarm_us * 1000u < wake_ns)
        wake_ns = fake_hal.alarm_us * 1000u;
    if (fake_hal.busy_until_ns > fake_hal.now_ns && fake_hal.busy_until_ns < wake_ns)
        wake_ns = fake_hal.busy_until_ns;
    if (fake_hal.input_start < fake_hal.input_end &&
        fake_hal.input_at_ns[fake_hal.input_start] < wake_ns)
        wake_ns = fake_hal.input_at_ns[fake_hal.input_start];
    fake_hal.stuck = wake_ns == UINT64_MAX;
    if (!fake_hal.masked)
        fake_hal.unmasked_waits++;
    record(FAKE_WAIT, fake_hal.stuck ? 0 : 1);
    if (!fake_hal.stuck && wake_ns > fake_hal.now_ns)
        fake_hal.now_ns = wake_ns;
}
