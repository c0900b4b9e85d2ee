/*
 * reader.h - the reader thread: serial port -> decoder -> ring.
 *
 * The reader owns the port. It asks the device who it is (GET_INFO),
 * starts it streaming, and turns every byte that arrives into records for
 * the writer thread: frames, link events (gaps, decode errors, drops,
 * disconnects) and device descriptions. It waits only in its own poll():
 * when the ring is full a frame is dropped and counted, and the drop is
 * recorded as soon as there is room again. When the port hangs up it says
 * so at once, keeps retrying the same port name (a path, or usb:SERIAL so a
 * replugged adapter is found again) and continues the same session.
 *
 * Records go to the ring the writer is reading. The first ring carries only
 * small records; when the device's grid is known (or changes) the reader
 * makes a ring whose slots fit that grid and hands it over with a
 * RECORD_DEVICE record, after which the writer frees the old ring.
 */
#ifndef MTABLE_READER_H
#define MTABLE_READER_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct capture;
struct ring;

/* What the reader needs to know. */
struct reader_config {
    const char *port;        /* port name: device path, pty, symlink, or usb:SERIAL */
    unsigned baud;           /* line speed for real UARTs (USB CDC and ptys ignore it) */
    uint32_t frame_rate_mhz; /* 0: keep the device's rate; else ask for this rate */
    size_t ring_frames;      /* frame slots in each ring; a power of two */
    int wake_fd;             /* eventfd written whenever records were published */
    struct capture *capture; /* NULL, or where every byte read is copied */
};

/* Running totals, readable from any thread at any time. */
struct reader_stats {
    atomic_uint_fast64_t frames_received; /* intact frames of the session's grid */
    atomic_uint_fast64_t frames_dropped;  /* received but not recorded: the ring was full */
    atomic_uint_fast64_t frames_missing;  /* sequence numbers never received */
    atomic_uint_fast64_t gaps;            /* runs of missing sequence numbers */
    atomic_uint_fast64_t decode_errors;   /* packets rejected by the decoder (all kinds) */
    atomic_uint_fast64_t crc_errors;      /* of which CRC mismatches */
    atomic_uint_fast64_t bytes_read;      /* bytes read from the port */
    atomic_uint_fast64_t disconnects;     /* hang-ups of the port */
    atomic_bool streaming;                /* connected and frames are expected */
};

struct reader;

/*
 * Starts the reader thread on first_ring, a ring whose slots hold at least
 * a struct record. The thread keeps trying to open the port until stopped.
 */
int reader_start(const struct reader_config *config, struct ring *first_ring, struct reader **out);

/*
 * Stops reading, passes on everything already received, ends the stream
 * with RECORD_END, and joins the thread. The writer must keep consuming
 * until it has seen RECORD_END. The totals stay readable until reader_free.
 */
void reader_stop(struct reader *reader);

/* Frees a stopped reader. */
void reader_free(struct reader *reader);

/* The reader's running totals. */
const struct reader_stats *reader_stats(const struct reader *reader);

#endif
