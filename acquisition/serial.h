/*
 * serial.h - the serial port the table is connected to.
 *
 * A port is named by its device path (/dev/ttyACM0, a symlink such as
 * /dev/serial/by-id/..., or a pseudo-terminal) or by the USB serial number
 * of its adapter ("usb:SERIAL"), which finds the same table again after it
 * is unplugged and plugged into another socket. Real ports are opened
 * through libserialport, configured raw 8N1 at the given baud rate without
 * flow control, and taken exclusively (TIOCEXCL). Pseudo-terminals, which
 * the Debian libserialport 0.1.1 cannot open, get the same raw setup through
 * plain termios and are not taken exclusively (as gpsd does). Either way the
 * port is a non-blocking file descriptor for poll() and read().
 */
#ifndef MTABLE_SERIAL_H
#define MTABLE_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Prefix of a port name that gives a USB serial number instead of a path. */
#define SERIAL_USB_PREFIX "usb:"

/* Longest description of a serial error kept for the caller's message. */
#define SERIAL_ERROR_MAX 256

/* What --list-ports shows about one port. */
struct serial_port_info {
    char path[256];         /* device node */
    char description[128];  /* the system's description of the port */
    bool usb;               /* a USB adapter: the fields below are known */
    int usb_vid;            /* USB vendor id */
    int usb_pid;            /* USB product id */
    char manufacturer[128]; /* USB manufacturer string, may be empty */
    char product[128];      /* USB product string, may be empty */
    char usb_serial[128];   /* USB serial number: use as --port usb:SERIAL */
};

struct serial_port;

/*
 * Opens the port called name at baud. Returns 0 and sets *out, or a
 * negative errno (-ENOENT when no such port, or no USB adapter with that
 * serial number, is present) with a description in error (error_size bytes).
 */
int serial_open(const char *name, unsigned baud, struct serial_port **out, char *error,
                size_t error_size);

/* Closes the port. */
void serial_close(struct serial_port *port);

/* File descriptor to poll for input and hang-up. */
int serial_fd(const struct serial_port *port);

/* Device path actually opened (after resolving usb: names and symlinks). */
const char *serial_path(const struct serial_port *port);

/* True when the port is a pseudo-terminal. */
bool serial_is_pty(const struct serial_port *port);

/*
 * Reads up to len bytes without blocking. Returns the number read, 0 when
 * nothing is waiting, or a negative errno; -EIO or -ENXIO mean the device is
 * gone (hang-up, cable pulled). A hang-up may also show only as POLLHUP from
 * poll() with nothing to read.
 */
ssize_t serial_read(struct serial_port *port, void *buffer, size_t len);

/*
 * Writes all len bytes, waiting up to timeout_ms in total for the port to
 * take them. Returns 0, -ETIMEDOUT, or another negative errno.
 */
int serial_write(struct serial_port *port, const void *data, size_t len, int timeout_ms);

/*
 * Lists the serial ports present. Returns 0 and sets *ports (free() it) and
 * *count, or a negative errno with a description in error.
 */
int serial_list_ports(struct serial_port_info **ports, size_t *count, char *error,
                      size_t error_size);

#endif
