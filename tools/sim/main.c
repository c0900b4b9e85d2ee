/*
 * main.c - mtable-sim: a simulated massage table on a pseudo-terminal.
 *
 * Parses the options, sets the modules up in order and runs one loop:
 *
 *   reset: DEVICE_INFO, print the port
 *   loop:  wait on the port until the next scan deadline (or for ever when
 *          idle); bytes from the host -> device.c -> answers; at a deadline
 *          -> frame_source -> device.c encodes -> pty; ground truth grows
 *   exit:  on SIGINT/SIGTERM (or --linger): ground truth, summary, unlink
 *
 * The protocol logic is hw/device.c, exactly what the firmware runs; this
 * file only keeps time and moves bytes. Scan deadlines are absolute (the
 * wall-clock schedule); a frame's content follows its model time (the model
 * schedule), so it never depends on how late the scan was.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "device.h"
#include "frame_source.h"
#include "ground_truth.h"
#include "log.h"
#include "options.h"
#include "pty.h"
#include "schedule.h"

/* Exit status for a bad command line, as most command-line tools use. */
#define EXIT_USAGE 2
/* Bytes read from the host at a time: dozens of commands. */
#define INPUT_CHUNK 512

static volatile sig_atomic_t stop_requested;

static void request_stop(int signal_number)
{
    (void)signal_number;
    stop_requested = 1;
}

/* Everything the loop works with. */
struct simulator {
    struct options options;
    struct device device;
    uint8_t rx_buffer[DEVICE_RX_BUFFER_SIZE];
    struct pty pty;
    struct frame_source source;
    struct ground_truth truth;
    struct schedule deadlines; /* scan times on CLOCK_MONOTONIC, restarted at START */
    struct schedule model;     /* model time of each frame, from 0 */
    uint64_t reset_ns;         /* CLOCK_MONOTONIC at the simulated power-up */
    uint16_t *values;          /* the frame being scanned */
    uint8_t *frame;            /* its wire bytes */
    size_t frame_capacity;
    int tee;                  /* --tee descriptor, or -1 */
    bool streaming;           /* device state last seen, to notice changes */
    uint32_t rate_mhz;        /* likewise */
    bool budget_spent;        /* --frames or --duration reached: no more frames */
    uint64_t linger_until_ns; /* with --linger, when to exit */
    bool warned_hung_up;      /* the skipping of frames was reported */
    uint64_t frames_scanned, frames_sent, frames_skipped, commands;
    uint64_t first_frame_ns, last_frame_ns; /* wall clock of the first and last frame sent */
};

static void print_rate(char *text, size_t size, uint32_t rate_mhz)
{
    snprintf(text, size, "%" PRIu32 ".%03" PRIu32 " frames/s", rate_mhz / 1000, rate_mhz % 1000);
}

/* Copies bytes sent to the host into the --tee file; stops teeing on failure. */
static void tee_bytes(struct simulator *sim, const uint8_t *bytes, size_t len)
{
    size_t done = 0;
    while (sim->tee >= 0 && done < len) {
        ssize_t n = write(sim->tee, bytes + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            log_message(LOG_LEVEL_ERROR, "tee",
                        "%s: %s; no more bytes are copied there (check the disk)",
                        sim->options.tee_path, n < 0 ? strerror(errno) : "nothing written");
            close(sim->tee);
            sim->tee = -1;
            break;
        }
        done += (size_t)n;
    }
}

/* Sends bytes to the host, waiting as long as it is slow; returns pty_write's result. */
static int send_bytes(struct simulator *sim, const uint8_t *bytes, size_t len)
{
    size_t written = 0;
    int err = pty_write(&sim->pty, bytes, len, &written);
    tee_bytes(sim, bytes, written);
    if (err == -EPIPE)
        log_message(LOG_LEVEL_WARNING, "port",
                    "%s: the host closed the port while %zu of %zu "
                    "bytes of a packet were unsent; they are lost",
                    sim->pty.slave_path, len - written, len);
    else if (err == -ETIMEDOUT)
        log_message(LOG_LEVEL_WARNING, "port",
                    "%s: the host took no bytes for %d ms after the "
                    "stop request; %zu of %zu bytes of a packet were left unsent",
                    sim->pty.slave_path, PTY_STOP_GRACE_MS, len - written, len);
    else if (err < 0)
        log_message(LOG_LEVEL_ERROR, "port", "%s: write failed: %s", sim->pty.slave_path,
                    strerror(-err));
    return err;
}

static void write_ground_truth(struct simulator *sim)
{
    if (sim->options.ground_truth_path == NULL)
        return;
    struct ground_truth_header header = {
        .seed = sim->options.seed,
        .rows = sim->options.rows,
        .cols = sim->options.cols,
        .rate_mhz = sim->options.rate_mhz,
        .adc_bits = sim->options.adc_bits,
    };
    int err = ground_truth_write(&sim->truth, &header, sim->options.ground_truth_path);
    if (err < 0)
        log_message(LOG_LEVEL_ERROR, "ground-truth", "%s: cannot write: %s (check the directory)",
                    sim->options.ground_truth_path, strerror(-err));
}

/* The frame budget is used up: stop streaming for good. */
static void spend_budget(struct simulator *sim)
{
    sim->budget_spent = true;
    device_stop(&sim->device);
    sim->streaming = false;
    write_ground_truth(sim);
    sim->linger_until_ns = schedule_now_ns() + sim->options.linger_ns;
    log_message(LOG_LEVEL_INFO, "stream",
                "all %" PRIu64 " frames scanned (%" PRIu64 " sent); idle now, still answering "
                "commands%s",
                sim->frames_scanned, sim->frames_sent,
                sim->options.linger_set ? ", until --linger expires" : ", until SIGINT or SIGTERM");
}

/* Follows the device's state after a command: rate and streaming. */
static void follow_device(struct simulator *sim)
{
    uint32_t rate = device_frame_rate_mhz(&sim->device);
    if (rate != sim->rate_mhz) {
        schedule_set_rate(&sim->deadlines, rate);
        schedule_set_rate(&sim->model, rate);
        sim->rate_mhz = rate;
        char text[48];
        print_rate(text, sizeof(text), rate);
        log_message(LOG_LEVEL_INFO, "device", "frame rate now %s", text);
    }
    bool streaming = device_streaming(&sim->device);
    if (streaming && !sim->streaming) {
        if (sim->budget_spent) {
            device_stop(&sim->device);
            streaming = false;
            log_message(LOG_LEVEL_INFO, "device",
                        "START after the last frame of --frames/--duration: no more frames");
        } else {
            schedule_start(&sim->deadlines, schedule_now_ns(), rate);
            log_message(LOG_LEVEL_INFO, "device", "START: streaming from frame %" PRIu32,
                        device_next_sequence(&sim->device));
        }
    } else if (!streaming && sim->streaming) {
        log_message(LOG_LEVEL_INFO, "device", "STOP: idle after frame %" PRIu32,
                    device_next_sequence(&sim->device) - 1u);
    }
    sim->streaming = streaming;
}

/* With -v: says what the device answered (the answer names the command). */
static void log_answer(const uint8_t *answer, size_t len)
{
    uint8_t raw[DEVICE_ANSWER_MAX];
    struct packet packet;
    long raw_len = cobs_decode(answer + 1, len - 2, raw, sizeof(raw));
    if (raw_len < 0 || packet_parse(raw, (size_t)raw_len, &packet) < 0)
        return;
    if (packet.type == PACKET_ACK)
        log_message(LOG_LEVEL_DEBUG, "device", "command 0x%02X answered: ACK status %d",
                    packet.body.ack.command, (int)packet.body.ack.status);
    else
        log_message(LOG_LEVEL_DEBUG, "device", "GET_INFO answered: DEVICE_INFO");
}

/* Reads what the host sent and answers each command. */
static int answer_commands(struct simulator *sim)
{
    uint8_t input[INPUT_CHUNK];
    size_t received = 0;
    int err = pty_read(&sim->pty, input, sizeof(input), &received);
    if (err < 0) {
        log_message(LOG_LEVEL_ERROR, "port", "%s: read failed: %s", sim->pty.slave_path,
                    strerror(-err));
        return err;
    }
    const uint8_t *cursor = input;
    uint8_t answer[DEVICE_ANSWER_MAX];
    size_t answer_len = 0;
    uint32_t ignored = device_ignored_packets(&sim->device);
    while (device_receive(&sim->device, &cursor, input + received, answer, sizeof(answer),
                          &answer_len) == 1) {
        sim->commands++;
        if (log_enabled(LOG_LEVEL_DEBUG))
            log_answer(answer, answer_len);
        send_bytes(sim, answer, answer_len);
        follow_device(sim);
    }
    if (device_ignored_packets(&sim->device) != ignored)
        log_message(LOG_LEVEL_DEBUG, "device",
                    "ignored %" PRIu32 " damaged packet(s) from the host",
                    device_ignored_packets(&sim->device) - ignored);
    return 0;
}

/* Scans the frame due now: sends it, or skips it when no host has the port open. */
static int scan_frame(struct simulator *sim)
{
    int err = 0;
    uint64_t deadline_ns = schedule_take(&sim->deadlines);
    schedule_sleep_until(deadline_ns); /* exact even if the wait above woke up early */
    uint64_t time_ns = schedule_take(&sim->model);
    uint32_t sequence = device_next_sequence(&sim->device);
    sim->frames_scanned++;

    if (pty_hung_up(&sim->pty)) {
        device_skip_frame(&sim->device);
        sim->frames_skipped++;
        if (!sim->warned_hung_up)
            log_message(LOG_LEVEL_WARNING, "port",
                        "%s: no host has the port open; skipping frames from %" PRIu32
                        " until one does",
                        sim->pty.slave_path, sequence);
        sim->warned_hung_up = true;
    } else {
        struct routine_contact contacts[ROUTINE_MAX_CONTACTS];
        unsigned count =
            frame_source_generate(&sim->source, sequence, time_ns, sim->values, contacts);
        size_t len = 0;
        err = device_encode_frame(&sim->device, (deadline_ns - sim->reset_ns) / 1000u, sim->values,
                                  sim->frame, sim->frame_capacity, &len);
        if (err < 0)
            goto out;
        if (sim->warned_hung_up)
            log_message(LOG_LEVEL_INFO, "port",
                        "%s: a host has the port open again; sending from frame %" PRIu32,
                        sim->pty.slave_path, sequence);
        sim->warned_hung_up = false;
        if (send_bytes(sim, sim->frame, len) == 0) {
            if (sim->frames_sent == 0)
                sim->first_frame_ns = schedule_now_ns();
            sim->last_frame_ns = schedule_now_ns();
            sim->frames_sent++;
            err = ground_truth_record(&sim->truth, sequence, time_ns, sim->model.next_ns, contacts,
                                      count);
            if (err < 0) {
                log_message(LOG_LEVEL_ERROR, "ground-truth", "out of memory at frame %" PRIu32,
                            sequence);
                goto out;
            }
        } else {
            sim->frames_skipped++;
        }
    }
    if ((sim->options.frames != 0 && sim->frames_scanned >= sim->options.frames) ||
        (sim->options.duration_ns != 0 && sim->model.next_ns >= sim->options.duration_ns))
        spend_budget(sim);
out:
    return err;
}

/* Runs until a stop is requested, --linger expires or something fails. */
static int run(struct simulator *sim)
{
    int err = 0;
    while (!stop_requested && err == 0) {
        uint64_t deadline_ns = UINT64_MAX;
        if (sim->streaming)
            deadline_ns = sim->deadlines.next_ns;
        else if (sim->budget_spent && sim->options.linger_set)
            deadline_ns = sim->linger_until_ns;
        int ready = pty_wait(&sim->pty, deadline_ns);
        if (ready == -EINTR)
            continue;
        if (ready < 0) {
            log_message(LOG_LEVEL_ERROR, "port", "%s: waiting failed: %s", sim->pty.slave_path,
                        strerror(-ready));
            err = ready;
        } else if (ready == 1) {
            err = answer_commands(sim);
        } else if (sim->streaming) {
            err = scan_frame(sim);
        } else if (deadline_ns != UINT64_MAX) {
            break; /* --linger expired */
        }
    }
    return err;
}

/* Blocks SIGINT and SIGTERM except while waiting, and has them request a stop. */
static int catch_signals(sigset_t *wait_mask)
{
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    if (sigprocmask(SIG_BLOCK, &stop_signals, wait_mask) != 0)
        return -errno;
    sigdelset(wait_mask, SIGINT);
    sigdelset(wait_mask, SIGTERM);
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = request_stop;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGINT, &action, NULL) != 0 || sigaction(SIGTERM, &action, NULL) != 0)
        return -errno;
    return 0;
}

static void log_summary(const struct simulator *sim)
{
    char rate[48] = "";
    if (sim->frames_sent > 1 && sim->last_frame_ns > sim->first_frame_ns)
        snprintf(rate, sizeof(rate), " at %.1f frames/s",
                 (double)(sim->frames_sent - 1) * 1e9 /
                     (double)(sim->last_frame_ns - sim->first_frame_ns));
    log_message(LOG_LEVEL_INFO, "summary",
                "%" PRIu64 " frames sent%s, %" PRIu64 " skipped, %" PRIu64
                " commands answered, %" PRIu32 " damaged packets ignored",
                sim->frames_sent, rate, sim->frames_skipped, sim->commands,
                device_ignored_packets(&sim->device));
}

/* Sets up the models, the device and the outputs; logs what failed. Returns 0 or a negative errno.
 */
static int start(struct simulator *sim)
{
    const struct options *o = &sim->options;
    int err = frame_source_init(&sim->source, o->rows, o->cols, o->adc_bits, o->seed);
    if (err < 0) {
        log_message(LOG_LEVEL_ERROR, "model", "--rows %u --cols %u: cannot set up the models: %s",
                    o->rows, o->cols, strerror(-err));
        return err;
    }
    struct packet_device_info info = {
        .rows = (uint16_t)o->rows,
        .cols = (uint16_t)o->cols,
        .row_pitch_um = o->row_pitch_um,
        .col_pitch_um = o->col_pitch_um,
        .adc_bits = (uint8_t)o->adc_bits,
        .frame_rate_mhz = o->rate_mhz,
        .firmware_major = MTABLE_VERSION_MAJOR,
        .firmware_minor = MTABLE_VERSION_MINOR,
        .firmware_patch = MTABLE_VERSION_PATCH,
    };
    memcpy(info.serial, o->serial, sizeof(info.serial));
    struct device_rate_limits limits = {OPTIONS_MIN_RATE_MHZ, OPTIONS_MAX_RATE_MHZ};
    err = device_init(&sim->device, &info, &limits, sim->rx_buffer, sizeof(sim->rx_buffer));
    if (err < 0) {
        log_message(LOG_LEVEL_ERROR, "device", "the device settings were refused: %s",
                    strerror(-err));
        return err;
    }
    sim->rate_mhz = o->rate_mhz;
    sim->values = malloc((size_t)o->rows * o->cols * sizeof(*sim->values));
    sim->frame_capacity = device_frame_wire_size(&sim->device);
    sim->frame = malloc(sim->frame_capacity);
    if (sim->values == NULL || sim->frame == NULL) {
        log_message(LOG_LEVEL_ERROR, "model", "out of memory for one frame");
        return -ENOMEM;
    }
    if (o->tee_path != NULL) {
        sim->tee = open(o->tee_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (sim->tee < 0) {
            err = -errno;
            log_message(LOG_LEVEL_ERROR, "tee", "--tee %s: cannot create: %s", o->tee_path,
                        strerror(errno));
            return err;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    static struct simulator sim = {.tee = -1};
    int status = EXIT_FAILURE;
    bool pty_opened = false;
    log_init("mtable-sim", LOG_LEVEL_INFO, false);
    if (options_parse(argc, argv, &sim.options) < 0)
        return EXIT_USAGE;
    if (sim.options.help) {
        options_print_help(stdout);
        return EXIT_SUCCESS;
    }
    log_init("mtable-sim", sim.options.log_level, false);
    ground_truth_init(&sim.truth);
    if (start(&sim) < 0)
        goto out;

    sigset_t wait_mask;
    int err = catch_signals(&wait_mask);
    if (err == 0)
        err = pty_open(&sim.pty, &wait_mask, &stop_requested);
    if (err < 0) {
        log_message(LOG_LEVEL_ERROR, "port", "cannot create a pseudo-terminal: %s", strerror(-err));
        goto out;
    }
    pty_opened = true;

    /* Power-up: the device announces itself before anyone asked. */
    sim.reset_ns = schedule_now_ns();
    schedule_start(&sim.model, 0, sim.options.rate_mhz);
    uint8_t info[DEVICE_ANSWER_MAX];
    size_t info_len = 0;
    device_encode_info(&sim.device, info, sizeof(info), &info_len);
    if (send_bytes(&sim, info, info_len) < 0)
        goto out;
    if (sim.options.link_path != NULL) {
        err = pty_link(&sim.pty, sim.options.link_path);
        if (err < 0) {
            log_message(LOG_LEVEL_ERROR, "port", "--link %s: cannot create the link: %s",
                        sim.options.link_path, strerror(-err));
            goto out;
        }
    }
    printf("%s\n", sim.pty.slave_path);
    fflush(stdout);
    char rate[48];
    print_rate(rate, sizeof(rate), sim.options.rate_mhz);
    log_message(LOG_LEVEL_INFO, "device",
                "table on %s%s%s: %u x %u taxels, %s, seed %" PRIu64 ", serial %s; waiting for "
                "START",
                sim.pty.slave_path, sim.options.link_path != NULL ? " linked as " : "",
                sim.options.link_path != NULL ? sim.options.link_path : "", sim.options.rows,
                sim.options.cols, rate, sim.options.seed, sim.options.serial);

    if (run(&sim) == 0)
        status = EXIT_SUCCESS;
    write_ground_truth(&sim);
    log_summary(&sim);
out:
    if (pty_opened)
        pty_close(&sim.pty);
    if (sim.tee >= 0)
        close(sim.tee);
    free(sim.values);
    free(sim.frame);
    ground_truth_fini(&sim.truth);
    frame_source_fini(&sim.source);
    return status;
}
