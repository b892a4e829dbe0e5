/* ttyport.c — a real tty behind the serial profile (see ttyport.h). */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "ttyport.h"

static const struct {
    uint32_t baud;
    speed_t speed;
} speeds[] = {
    {RIO_SERIAL_BAUD_300, B300},       {RIO_SERIAL_BAUD_1200, B1200},
    {RIO_SERIAL_BAUD_2400, B2400},     {RIO_SERIAL_BAUD_4800, B4800},
    {RIO_SERIAL_BAUD_9600, B9600},     {RIO_SERIAL_BAUD_19200, B19200},
    {RIO_SERIAL_BAUD_38400, B38400},   {RIO_SERIAL_BAUD_57600, B57600},
    {RIO_SERIAL_BAUD_115200, B115200},
};

static const struct {
    int tiocm;
    uint32_t msr;
} lines[] = {
    {TIOCM_CTS, RIO_SERIAL_MSR_CTS},
    {TIOCM_DSR, RIO_SERIAL_MSR_DSR},
    {TIOCM_RI, RIO_SERIAL_MSR_RI},
    {TIOCM_CD, RIO_SERIAL_MSR_DCD},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void fail(ttyport *tp, int err)
{
    if (!tp->error)
        tp->error = err ? err : EIO;
}

/* tcsetattr succeeds when any part of the change took: read it back, and
 * when the driver refused a value (a pty forces CS8 and no parity) put the
 * old settings back, so a refused IOCTL changes nothing. */
static uint32_t apply(ttyport *tp, const struct termios *old, const struct termios *want)
{
    const tcflag_t checked = CSIZE | PARENB | PARODD | CSTOPB;
    struct termios got;
    if (tcsetattr(tp->fd, TCSANOW, want) < 0 || tcgetattr(tp->fd, &got) < 0) {
        uint32_t status =
            errno == EINVAL ? RIO_STATUS_INVALID_PARAMETER : RIO_STATUS_INVALID_DEVICE_STATE;
        (void)tcsetattr(tp->fd, TCSANOW, old);
        return status;
    }
    if ((got.c_cflag & checked) != (want->c_cflag & checked) ||
        cfgetospeed(&got) != cfgetospeed(want)) {
        (void)tcsetattr(tp->fd, TCSANOW, old);
        return RIO_STATUS_INVALID_PARAMETER;
    }
    return RIO_STATUS_SUCCESS;
}

static uint32_t tty_set_baud(void *line, uint32_t baud)
{
    ttyport *tp = line;
    struct termios old, t;
    if (tcgetattr(tp->fd, &old) < 0)
        return RIO_STATUS_INVALID_DEVICE_STATE;
    t = old;
    for (size_t i = 0; i < COUNT(speeds); i++)
        if (speeds[i].baud == baud) {
            cfsetispeed(&t, speeds[i].speed);
            cfsetospeed(&t, speeds[i].speed);
            return apply(tp, &old, &t);
        }
    return RIO_STATUS_INVALID_PARAMETER;
}

static void line_control_flags(struct termios *t, uint8_t stop, uint8_t parity, uint8_t word)
{
    static const tcflag_t sizes[] = {CS5, CS6, CS7, CS8};
    t->c_cflag &= ~(tcflag_t)(CSIZE | PARENB | PARODD | CSTOPB);
#ifdef CMSPAR
    t->c_cflag &= ~(tcflag_t)CMSPAR;
#endif
    t->c_cflag |= sizes[word - RIO_SERIAL_WORD_LENGTH_MIN];
    if (stop != RIO_SERIAL_STOP_BITS_1)
        t->c_cflag |= CSTOPB;
    switch (parity) {
    case RIO_SERIAL_PARITY_ODD:
        t->c_cflag |= PARENB | PARODD;
        break;
    case RIO_SERIAL_PARITY_EVEN:
        t->c_cflag |= PARENB;
        break;
#ifdef CMSPAR
    case RIO_SERIAL_PARITY_MARK: /* stick parity: PARODD picks mark */
        t->c_cflag |= PARENB | CMSPAR | PARODD;
        break;
    case RIO_SERIAL_PARITY_SPACE:
        t->c_cflag |= PARENB | CMSPAR;
        break;
#endif
    default:
        break;
    }
}

static uint32_t tty_set_line_control(void *line, uint8_t stop, uint8_t parity, uint8_t word)
{
    ttyport *tp = line;
    struct termios old, t;
#ifndef CMSPAR
    if (parity == RIO_SERIAL_PARITY_MARK || parity == RIO_SERIAL_PARITY_SPACE)
        return RIO_STATUS_INVALID_PARAMETER; /* no stick parity on this system */
#endif
    if (tcgetattr(tp->fd, &old) < 0)
        return RIO_STATUS_INVALID_DEVICE_STATE;
    t = old;
    line_control_flags(&t, stop, parity, word);
    return apply(tp, &old, &t);
}

static uint32_t read_lines(ttyport *tp)
{
    int bits;
    if (!tp->has_lines || ioctl(tp->fd, TIOCMGET, &bits) < 0)
        return 0;
    uint32_t msr = 0;
    for (size_t i = 0; i < COUNT(lines); i++)
        if (bits & lines[i].tiocm)
            msr |= lines[i].msr;
    return msr;
}

/* Report the modem lines that changed since the last look. */
static void check_lines(ttyport *tp)
{
    uint32_t msr = read_lines(tp);
    uint32_t changed = msr ^ tp->msr;
    tp->msr = msr;
    if (changed)
        serialdev_lines_changed(tp->dev, changed);
}

static void tty_set_dtr(void *line, bool on)
{
    ttyport *tp = line;
    int bit = TIOCM_DTR;
    if (tp->has_lines)
        (void)ioctl(tp->fd, on ? TIOCMBIS : TIOCMBIC, &bit); /* a failure shows in the lines */
    check_lines(tp);
}

static uint32_t tty_modem_status(void *line)
{
    ttyport *tp = line;
    return read_lines(tp);
}

static uint32_t tty_write(void *line, const uint8_t *data, uint32_t len, uint64_t now_ms,
                          uint32_t *accepted)
{
    ttyport *tp = line;
    (void)now_ms;
    uint32_t done = 0;
    while (!tp->error && done < len) {
        ssize_t n = write(tp->fd, data + done, len - done);
        if (n > 0)
            done += (uint32_t)n;
        else if (n < 0 && errno == EINTR)
            continue;
        else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break; /* the kernel's buffer is full: take what went */
        else
            fail(tp, n < 0 ? errno : EIO);
    }
    *accepted = done;
    return done || !tp->error ? RIO_STATUS_SUCCESS : RIO_STATUS_INVALID_DEVICE_STATE;
}

static void tty_purge(void *line, uint32_t bits)
{
    ttyport *tp = line;
    if (bits & (RIO_SERIAL_PURGE_TXABORT | RIO_SERIAL_PURGE_TXCLEAR))
        (void)tcflush(tp->fd, TCOFLUSH);
    if (bits & RIO_SERIAL_PURGE_RXCLEAR)
        (void)tcflush(tp->fd, TCIFLUSH);
}

/* Take what the tty received, as much as the port has room for (the rest
 * waits in the kernel), and look at the modem lines. */
static void tty_poll(void *line, uint64_t now_ms)
{
    ttyport *tp = line;
    uint8_t buf[RIO_SERIAL_QUEUE_SIZE];
    size_t room;
    tp->last_poll = now_ms;
    while (!tp->error && (room = serialdev_rx_room(tp->dev)) > 0) {
        ssize_t n = read(tp->fd, buf, room < sizeof buf ? room : sizeof buf);
        if (n > 0)
            serialdev_receive(tp->dev, buf, (size_t)n);
        else if (n < 0 && errno == EINTR)
            continue;
        else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        else
            fail(tp, n < 0 ? errno : EIO); /* 0: hung up */
    }
    check_lines(tp);
}

static uint64_t tty_deadline(void *line)
{
    ttyport *tp = line;
    uint32_t line_events =
        RIO_SERIAL_EV_CTS | RIO_SERIAL_EV_DSR | RIO_SERIAL_EV_RLSD | RIO_SERIAL_EV_RING;
    if (!tp->has_lines || !serialdev_pending(tp->dev) ||
        !(serialdev_wait_mask(tp->dev) & line_events))
        return SERIAL_NO_DEADLINE;
    return tp->last_poll + TTYPORT_LINE_POLL_MS;
}

static uint32_t tty_in_queue(void *line)
{
    ttyport *tp = line;
    int n = 0;
    return ioctl(tp->fd, FIONREAD, &n) == 0 && n > 0 ? (uint32_t)n : 0;
}

static uint32_t tty_out_queue(void *line)
{
    ttyport *tp = line;
    int n = 0;
    return ioctl(tp->fd, TIOCOUTQ, &n) == 0 && n > 0 ? (uint32_t)n : 0;
}

/* The profile's initial state on the tty: raw 9600 8N1, DTR clear, both
 * kernel queues flushed.  No line events: a new handle starts fresh. */
static void tty_reset(void *line)
{
    ttyport *tp = line;
    struct termios t;
    if (tcgetattr(tp->fd, &t) == 0) {
        cfmakeraw(&t);
        t.c_cflag |= CLOCAL | CREAD;
        t.c_cflag &= ~(tcflag_t)HUPCL;
        t.c_cc[VMIN] = 1;
        t.c_cc[VTIME] = 0;
        cfsetispeed(&t, B9600);
        cfsetospeed(&t, B9600);
        line_control_flags(&t, RIO_SERIAL_STOP_BITS_1, RIO_SERIAL_PARITY_NONE,
                           RIO_SERIAL_WORD_LENGTH_DEFAULT);
        (void)tcsetattr(tp->fd, TCSANOW, &t);
    }
    int bit = TIOCM_DTR;
    if (tp->has_lines)
        (void)ioctl(tp->fd, TIOCMBIC, &bit);
    (void)tcflush(tp->fd, TCIOFLUSH);
    tp->msr = read_lines(tp);
}

static const serial_line_ops tty_ops = {
    .set_baud = tty_set_baud,
    .set_line_control = tty_set_line_control,
    .set_dtr = tty_set_dtr,
    .modem_status = tty_modem_status,
    .write = tty_write,
    .purge = tty_purge,
    .poll = tty_poll,
    .deadline = tty_deadline,
    .in_queue = tty_in_queue,
    .out_queue = tty_out_queue,
    .reset = tty_reset,
};

int ttyport_open(ttyport *tp, serialdev *dev, const char *path)
{
    *tp = (ttyport){.dev = dev, .fd = -1};
    int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return -1;
    if (!isatty(fd) || tcgetattr(fd, &tp->saved) < 0) {
        int err = errno ? errno : ENOTTY;
        close(fd);
        errno = err;
        return -1;
    }
    int bits;
    tp->fd = fd;
    tp->has_lines = ioctl(fd, TIOCMGET, &bits) == 0;
    serialdev_init_line(dev, &tty_ops, tp); /* calls tty_reset */
    return 0;
}

void ttyport_close(ttyport *tp)
{
    if (tp->fd < 0)
        return;
    (void)tcsetattr(tp->fd, TCSANOW, &tp->saved);
    close(tp->fd);
    tp->fd = -1;
}

int ttyport_fd(const ttyport *tp)
{
    return tp->fd;
}

int ttyport_error(const ttyport *tp)
{
    return tp->error;
}
