/*
 * serial.c - opening, configuring, reading and listing serial ports.
 *
 * Which path a port takes is decided from the device node itself: a
 * character device whose major number is a UNIX98 pseudo-terminal slave's
 * goes through termios, anything else through libserialport.
 */
#include "serial.h"

#include <errno.h>
#include <fcntl.h>
#include <libserialport.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* Linux majors of UNIX98 pty slaves (/dev/pts/N): 136 to 143. */
#define PTY_SLAVE_MAJOR_FIRST 136
#define PTY_SLAVE_MAJOR_LAST  143

struct serial_port {
    int fd;
    struct sp_port *sp; /* NULL for a pseudo-terminal */
    char path[PATH_MAX];
};

static void set_error(char *error, size_t error_size, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void set_error(char *error, size_t error_size, const char *format, ...)
{
    if (error == NULL || error_size == 0)
        return;
    va_list args;
    va_start(args, format);
    vsnprintf(error, error_size, format, args);
    va_end(args);
}

/* libserialport's description of its last failure, copied into error. */
static int sp_failure(enum sp_return result, const char *what, const char *path, char *error,
                      size_t error_size)
{
    int err = result == SP_ERR_MEM ? -ENOMEM : -EIO;
    char detail[SERIAL_ERROR_MAX];
    if (result == SP_ERR_FAIL) {
        err = errno != 0 ? -errno : -EIO;
        char *message = sp_last_error_message();
        snprintf(detail, sizeof(detail), "%s: %s", what, message);
        sp_free_error_message(message);
    } else {
        snprintf(detail, sizeof(detail), "%s failed", what);
    }
    set_error(error, error_size, "%s: %s", path, detail);
    return err;
}

static bool is_pty_slave(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISCHR(st.st_mode))
        return false;
    unsigned int device_major = major(st.st_rdev);
    return device_major >= PTY_SLAVE_MAJOR_FIRST && device_major <= PTY_SLAVE_MAJOR_LAST;
}

/* termios speed constant for a baud rate; ptys ignore it, so B38400 is fine. */
static speed_t termios_speed(unsigned baud)
{
    static const struct {
        unsigned baud;
        speed_t speed;
    } speeds[] = {{9600, B9600},       {19200, B19200},     {38400, B38400},
                  {57600, B57600},     {115200, B115200},   {230400, B230400},
                  {460800, B460800},   {921600, B921600},   {1000000, B1000000},
                  {2000000, B2000000}, {3000000, B3000000}, {4000000, B4000000}};
    for (size_t i = 0; i < sizeof(speeds) / sizeof(speeds[0]); i++)
        if (speeds[i].baud == baud)
            return speeds[i].speed;
    return B38400;
}

static int open_pty(struct serial_port *port, unsigned baud, char *error, size_t error_size)
{
    int fd = open(port->path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int err = -errno;
        set_error(error, error_size, "%s: %s", port->path, strerror(errno));
        return err;
    }
    struct termios tio;
    if (tcgetattr(fd, &tio) != 0) {
        int err = -errno;
        set_error(error, error_size, "%s: cannot read terminal settings: %s", port->path,
                  strerror(errno));
        close(fd);
        return err;
    }
    cfmakeraw(&tio);
    tio.c_cflag |= CLOCAL | CREAD;
    tio.c_cc[VMIN] = 0;
    tio.c_cc[VTIME] = 0;
    cfsetspeed(&tio, termios_speed(baud));
    if (tcsetattr(fd, TCSANOW, &tio) != 0) {
        int err = -errno;
        set_error(error, error_size, "%s: cannot set raw mode: %s", port->path, strerror(errno));
        close(fd);
        return err;
    }
    port->fd = fd;
    return 0;
}

static int open_real_port(struct serial_port *port, unsigned baud, char *error, size_t error_size)
{
    struct sp_port *sp = NULL;
    enum sp_return result = sp_get_port_by_name(port->path, &sp);
    if (result != SP_OK)
        return sp_failure(result, "not a serial port", port->path, error, error_size);
    const char *step = "open";
    result = sp_open(sp, SP_MODE_READ_WRITE);
    if (result == SP_OK) {
        step = "set baud rate";
        result = sp_set_baudrate(sp, (int)baud);
    }
    if (result == SP_OK) {
        step = "set 8 data bits, no parity, 1 stop bit";
        result = sp_set_bits(sp, 8);
        if (result == SP_OK)
            result = sp_set_parity(sp, SP_PARITY_NONE);
        if (result == SP_OK)
            result = sp_set_stopbits(sp, 1);
    }
    if (result == SP_OK) {
        step = "disable flow control";
        result = sp_set_flowcontrol(sp, SP_FLOWCONTROL_NONE);
    }
    if (result == SP_OK) {
        step = "get file descriptor";
        result = sp_get_port_handle(sp, &port->fd);
    }
    if (result != SP_OK) {
        int err = sp_failure(result, step, port->path, error, error_size);
        sp_close(sp);
        sp_free_port(sp);
        return err;
    }
    /* Exclusive: a second program opening the table would steal bytes. */
    int flags = fcntl(port->fd, F_GETFL);
    if (ioctl(port->fd, TIOCEXCL) != 0 || flags < 0 ||
        fcntl(port->fd, F_SETFL, flags | O_NONBLOCK) != 0) {
        int err = -errno;
        set_error(error, error_size, "%s: cannot take exclusive non-blocking access: %s",
                  port->path, strerror(errno));
        sp_close(sp);
        sp_free_port(sp);
        return err;
    }
    port->sp = sp;
    return 0;
}

/* Finds the device path of the USB adapter whose serial number is usb_serial. */
static int find_usb_serial(const char *usb_serial, char *path, size_t path_size, char *error,
                           size_t error_size)
{
    struct sp_port **list = NULL;
    enum sp_return result = sp_list_ports(&list);
    if (result != SP_OK)
        return sp_failure(result, "list ports", "serial ports", error, error_size);
    int err = -ENOENT;
    for (size_t i = 0; list[i] != NULL; i++) {
        const char *serial = sp_get_port_transport(list[i]) == SP_TRANSPORT_USB
                                 ? sp_get_port_usb_serial(list[i])
                                 : NULL;
        if (serial != NULL && strcmp(serial, usb_serial) == 0) {
            snprintf(path, path_size, "%s", sp_get_port_name(list[i]));
            err = 0;
            break;
        }
    }
    sp_free_port_list(list);
    if (err != 0)
        set_error(error, error_size,
                  "%s%s: no USB serial adapter with this serial number is connected",
                  SERIAL_USB_PREFIX, usb_serial);
    return err;
}

int serial_open(const char *name, unsigned baud, struct serial_port **out, char *error,
                size_t error_size)
{
    struct serial_port *port = calloc(1, sizeof(*port));
    if (port == NULL)
        return -ENOMEM;
    port->fd = -1;
    int err;
    size_t prefix = strlen(SERIAL_USB_PREFIX);
    if (strncmp(name, SERIAL_USB_PREFIX, prefix) == 0) {
        err = find_usb_serial(name + prefix, port->path, sizeof(port->path), error, error_size);
        if (err != 0)
            goto out;
    } else if (realpath(name, port->path) == NULL) {
        err = -errno;
        set_error(error, error_size, "%s: %s", name, strerror(errno));
        goto out;
    }
    err = is_pty_slave(port->path) ? open_pty(port, baud, error, error_size)
                                   : open_real_port(port, baud, error, error_size);
out:
    if (err != 0) {
        free(port);
        return err;
    }
    *out = port;
    return 0;
}

void serial_close(struct serial_port *port)
{
    if (port == NULL)
        return;
    if (port->sp != NULL) {
        sp_close(port->sp);
        sp_free_port(port->sp);
    } else if (port->fd >= 0) {
        close(port->fd);
    }
    free(port);
}

int serial_fd(const struct serial_port *port)
{
    return port->fd;
}

const char *serial_path(const struct serial_port *port)
{
    return port->path;
}

bool serial_is_pty(const struct serial_port *port)
{
    return port->sp == NULL;
}

ssize_t serial_read(struct serial_port *port, void *buffer, size_t len)
{
    /* With VMIN = VTIME = 0 an idle terminal reads 0 bytes: that is not end of file. */
    ssize_t n = read(port->fd, buffer, len);
    if (n >= 0)
        return n;
    if (errno == EAGAIN || errno == EINTR)
        return 0;
    return -errno;
}

static long long monotonic_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

int serial_write(struct serial_port *port, const void *data, size_t len, int timeout_ms)
{
    const unsigned char *p = data;
    long long deadline = monotonic_ms() + timeout_ms;
    while (len > 0) {
        ssize_t n = write(port->fd, p, len);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR)
            return -errno;
        long long left = deadline - monotonic_ms();
        if (left <= 0)
            return -ETIMEDOUT;
        struct pollfd pfd = {.fd = port->fd, .events = POLLOUT};
        if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
            return -errno;
    }
    return 0;
}

static void copy_string(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src != NULL ? src : "");
}

int serial_list_ports(struct serial_port_info **ports, size_t *count, char *error,
                      size_t error_size)
{
    struct sp_port **list = NULL;
    enum sp_return result = sp_list_ports(&list);
    if (result != SP_OK)
        return sp_failure(result, "list ports", "serial ports", error, error_size);
    size_t n = 0;
    while (list[n] != NULL)
        n++;
    struct serial_port_info *infos = calloc(n > 0 ? n : 1, sizeof(*infos));
    if (infos == NULL) {
        sp_free_port_list(list);
        return -ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        struct serial_port_info *info = &infos[i];
        copy_string(info->path, sizeof(info->path), sp_get_port_name(list[i]));
        copy_string(info->description, sizeof(info->description), sp_get_port_description(list[i]));
        info->usb = sp_get_port_transport(list[i]) == SP_TRANSPORT_USB;
        if (info->usb) {
            sp_get_port_usb_vid_pid(list[i], &info->usb_vid, &info->usb_pid);
            copy_string(info->manufacturer, sizeof(info->manufacturer),
                        sp_get_port_usb_manufacturer(list[i]));
            copy_string(info->product, sizeof(info->product), sp_get_port_usb_product(list[i]));
            copy_string(info->usb_serial, sizeof(info->usb_serial),
                        sp_get_port_usb_serial(list[i]));
        }
    }
    sp_free_port_list(list);
    *ports = infos;
    *count = n;
    return 0;
}
