/*
 * hal.c - hal.h on Linux: the simulated matrix, CLOCK_MONOTONIC, a pty.
 *
 * One table per process, as on the microcontroller, so the state is one
 * static struct. Only the executable links this file; it logs through
 * acquisition/log.h like every mtable program.
 */
#include "hal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "host_hal.h"
#include "log.h"
#include "matrix.h"
#include "pattern.h"
#include "pty.h"
#include "schedule.h"
#include "stop_signals.h"

/* How long to sleep while the pty is full and a host reads slowly: a UART drains meanwhile. */
#define FULL_PORT_RETRY_NS 1000000u
/* Timer slack for the waits, ns: Linux's default 50 us would show as jitter of the frame starts. */
#define TIMER_SLACK_NS 1000

static struct host_table {
    struct matrix matrix;    /* the electronics */
    uint32_t *pressure_pa;   /* the pattern for the scan in progress */
    struct pty pty;          /* the serial link */
    bool pty_open;           /* pty needs closing */
    int tee;                 /* --tee descriptor, or -1 */
    const char *tee_path;    /* its name, for messages */
    uint64_t reset_ns;       /* CLOCK_MONOTONIC at "power-up" */
    bool alarm_armed;        /* hal_timer_alarm_at called, not cancelled */
    uint64_t alarm_us;       /* when it goes off */
    const uint8_t *tx_bytes; /* bytes being sent */
    size_t tx_len, tx_done;  /* how many, and how many are gone */
    struct host_hal_counters counters;
} table = {.tee = -1};

int host_hal_open(const struct host_hal_settings *settings)
{
    int err = matrix_init(&table.matrix, settings->rows, settings->cols);
    table.pressure_pa = calloc((size_t)settings->rows * settings->cols, sizeof(uint32_t));
    if (err < 0 || table.pressure_pa == NULL) {
        log_message(LOG_LEVEL_ERROR, "matrix", "out of memory for a %u x %u matrix", settings->rows,
                    settings->cols);
        return -ENOMEM;
    }
    sigset_t wait_mask;
    err = stop_signals_catch(&wait_mask);
    if (err == 0)
        err = pty_open(&table.pty, &wait_mask, &stop_signals_received);
    if (err < 0) {
        log_message(LOG_LEVEL_ERROR, "port", "cannot create a pseudo-terminal: %s", strerror(-err));
        return err;
    }
    table.pty_open = true;
    if (settings->link_path != NULL) {
        err = pty_link(&table.pty, settings->link_path);
        if (err < 0) {
            log_message(LOG_LEVEL_ERROR, "port", "--link %s: cannot create the link: %s",
                        settings->link_path, strerror(-err));
            return err;
        }
    }
    if (settings->tee_path != NULL) {
        table.tee = open(settings->tee_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (table.tee < 0) {
            err = -errno;
            log_message(LOG_LEVEL_ERROR, "tee", "--tee %s: cannot create: %s", settings->tee_path,
                        strerror(errno));
            return err;
        }
        table.tee_path = settings->tee_path;
    }
    prctl(PR_SET_TIMERSLACK, TIMER_SLACK_NS); /* best effort: only precision depends on it */
    table.reset_ns = schedule_now_ns();
    return 0;
}

void host_hal_close(void)
{
    if (table.pty_open)
        pty_close(&table.pty);
    table.pty_open = false;
    if (table.tee >= 0)
        close(table.tee);
    table.tee = -1;
    matrix_fini(&table.matrix);
    free(table.pressure_pa);
    table.pressure_pa = NULL;
}

const char *host_hal_port(void)
{
    return table.pty.slave_path;
}

bool host_hal_stop_requested(void)
{
    return stop_signals_received != 0;
}

struct host_hal_counters host_hal_counters(void)
{
    return table.counters;
}

void hal_row_drive(unsigned row)
{
    if (row == 0) {
        struct matrix *m = &table.matrix;
        for (unsigned r = 0; r < m->rows; r++)
            for (unsigned c = 0; c < m->cols; c++)
                table.pressure_pa[(size_t)r * m->cols + c] =
                    pattern_pressure_pa(m->rows, m->cols, r, c, table.counters.scans);
        matrix_set_pressures(m, table.pressure_pa);
        table.counters.scans++;
    }
    matrix_drive_row(&table.matrix, row);
}

void hal_row_release(unsigned row)
{
    matrix_release_row(&table.matrix, row);
}

void hal_mux_select(unsigned channel)
{
    matrix_select(&table.matrix, channel);
}

uint16_t hal_adc_sample(unsigned input)
{
    return matrix_sample(&table.matrix, input);
}

void hal_delay_ns(uint32_t ns)
{
    matrix_wait(&table.matrix, ns);
}

uint64_t hal_time_us(void)
{
    return (schedule_now_ns() - table.reset_ns) / 1000u;
}

void hal_timer_alarm_at(uint64_t time_us)
{
    table.alarm_armed = true;
    table.alarm_us = time_us;
}

void hal_timer_cancel(void)
{
    table.alarm_armed = false;
}

bool hal_timer_alarm_fired(void)
{
    return table.alarm_armed && hal_time_us() >= table.alarm_us;
}

/* Copies bytes the pty took into the --tee file; stops teeing on failure. */
static void tee_bytes(const uint8_t *bytes, size_t len)
{
    size_t done = 0;
    while (table.tee >= 0 && done < len) {
        ssize_t n = write(table.tee, bytes + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            log_message(LOG_LEVEL_ERROR, "tee",
                        "%s: %s; no more bytes are copied there (check the disk)", table.tee_path,
                        n < 0 ? strerror(errno) : "nothing written");
            close(table.tee);
            table.tee = -1;
        } else {
            done += (size_t)n;
        }
    }
}

/* Gives the pty what it takes of the bytes being sent; discards them if nobody listens. */
static void offer_bytes(void)
{
    while (table.tx_done < table.tx_len) {
        const uint8_t *bytes = table.tx_bytes + table.tx_done;
        ssize_t n = write(table.pty.master, bytes, table.tx_len - table.tx_done);
        if (n > 0) {
            tee_bytes(bytes, (size_t)n);
            table.tx_done += (size_t)n;
            table.counters.bytes_sent += (uint64_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN && !pty_hung_up(&table.pty))
            return; /* a host is reading, slowly: the link stays busy */
        if (n < 0 && errno != EAGAIN && errno != EIO)
            log_message(LOG_LEVEL_ERROR, "port", "%s: write failed: %s; bytes are lost",
                        table.pty.slave_path, strerror(errno));
        table.counters.bytes_discarded += table.tx_len - table.tx_done;
        table.tx_done = table.tx_len;
    }
}

void hal_serial_send(const uint8_t *bytes, size_t len)
{
    table.tx_bytes = bytes;
    table.tx_len = len;
    table.tx_done = 0;
    offer_bytes();
}

bool hal_serial_busy(void)
{
    offer_bytes();
    return table.tx_done < table.tx_len;
}

bool hal_serial_readable(void)
{
    return pty_wait(&table.pty, 0) == 1;
}

size_t hal_serial_receive(uint8_t *bytes, size_t capacity)
{
    size_t received = 0;
    int err = pty_read(&table.pty, bytes, capacity, &received);
    if (err < 0)
        log_message(LOG_LEVEL_ERROR, "port", "%s: read failed: %s", table.pty.slave_path,
                    strerror(-err));
    return received;
}

void hal_interrupts_disable(void)
{
    /* Nothing to mask: the HAL's "interrupts" are checks made when asked. */
}

void hal_interrupts_enable(void)
{
}

void hal_wait_for_interrupt(void)
{
    if (stop_signals_received)
        return;
    uint64_t deadline_ns = UINT64_MAX;
    if (table.alarm_armed)
        deadline_ns = table.reset_ns + table.alarm_us * 1000u;
    if (table.tx_done < table.tx_len) {
        /* The pty is full: look again soon, as a UART would have drained some. */
        uint64_t now = schedule_now_ns();
        uint64_t wake_ns =
            now + FULL_PORT_RETRY_NS < deadline_ns ? now + FULL_PORT_RETRY_NS : deadline_ns;
        uint64_t nap_ns = wake_ns > now ? wake_ns - now : 0;
        struct timespec nap = {.tv_sec = (time_t)(nap_ns / 1000000000u),
                               .tv_nsec = (long)(nap_ns % 1000000000u)};
        ppoll(NULL, 0, &nap, &table.pty.wait_mask);
        return;
    }
    pty_wait(&table.pty, deadline_ns); /* -EINTR on a stop signal: the caller looks */
}
