/* ttyport.h — the serial profile passed to a real tty (termios), the way
 * ser2net remotes a serial port: a serial_line_ops backend for serialdev.
 *
 * serialdev keeps the profile's rules (input checks, the receive queue,
 * READ timeouts, the wait mask, PURGE, GET_COMMSTATUS); this backend maps
 * them onto the fd:
 *   SET_BAUD_RATE, SET_LINE_CONTROL  termios (cfsetispeed/cfsetospeed,
 *                                    CSIZE, PARENB/PARODD/CMSPAR, CSTOPB),
 *                                    raw mode, CLOCAL, CREAD
 *   SET_DTR, CLR_DTR                 ioctl TIOCMBIS / TIOCMBIC TIOCM_DTR
 *   GET_MODEMSTATUS, CTS/DSR/RLSD/   ioctl TIOCMGET (CTS, DSR, RI, CD),
 *   RING events                      looked at on every poll
 *   WRITE                            write() on the non-blocking fd
 *   received bytes                   read() into the port while it has room
 *   PURGE TXABORT/TXCLEAR, RXCLEAR   tcflush TCOFLUSH, TCIFLUSH
 *   GET_COMMSTATUS queues            the port's queue + FIONREAD, TIOCOUTQ
 *
 * What a real tty cannot provide:
 * - no AT interpreter: the device on the line (a real modem) answers, so
 *   the echo, OK/CONNECT/NO CARRIER and the +++ escape are its own;
 * - a driver without modem lines (a pseudo-terminal, a 3-wire adapter)
 *   fails TIOCMGET: then GET_MODEMSTATUS is 0, no line event ever occurs,
 *   and DTR is kept by the port alone (WRITE still needs it set);
 * - WRITE takes what the kernel accepts now (Information may be below the
 *   length when its buffer is full) and never pends; the write timeouts
 *   are kept but not applied;
 * - Errors in GET_COMMSTATUS stays 0 (the port reads only as much as its
 *   queue holds, so it never overruns; the kernel's own line errors are not
 *   visible through termios);
 * - 1.5 stop bits are CSTOPB (a UART gives 1.5 with 5 data bits).
 *
 * Driving it: watch ttyport_fd for POLLIN while serialdev_rx_room(dev) > 0
 * and call serialdev_poll then (and at serialdev_deadline, which includes
 * the modem-line checks while a WAIT_ON_MASK waits for them).  A read or
 * write error (device gone, hang-up) marks the port failed: WRITE answers
 * STATUS_INVALID_DEVICE_STATE and ttyport_error says why. */
#ifndef RIOTOASTERD_TTYPORT_H
#define RIOTOASTERD_TTYPORT_H

#include <stdbool.h>
#include <termios.h>

#include "serialdev.h"

/* How often the modem lines are read while a WAIT_ON_MASK waits for a line
 * event (termios offers no non-blocking notification; TIOCMIWAIT blocks). */
#define TTYPORT_LINE_POLL_MS 50

typedef struct ttyport {
    serialdev *dev;
    int fd;
    bool has_lines;       /* TIOCMGET works */
    uint32_t msr;         /* modem status last seen (RIO_SERIAL_MSR_*) */
    uint64_t last_poll;   /* time of the last line check */
    int error;            /* errno that failed the port, 0 while it works */
    struct termios saved; /* restored on close */
} ttyport;

/* Open `path` and put `dev` in front of it, in the profile's initial state
 * (raw 9600 8N1, DTR clear, queues flushed).  Returns 0, or -1 with errno
 * set (ENOTTY when path is not a terminal); then nothing stays open. */
int ttyport_open(ttyport *tp, serialdev *dev, const char *path);
/* Restore the tty's original settings and close it. */
void ttyport_close(ttyport *tp);
int ttyport_fd(const ttyport *tp);
/* 0 while the port works, else the errno that failed it. */
int ttyport_error(const ttyport *tp);

#endif
