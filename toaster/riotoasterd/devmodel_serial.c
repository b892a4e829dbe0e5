/* devmodel_serial.c — the serial port (serialdev.c) behind the device
 * interface (devmodel.h), in two kinds:
 *
 *   modem  the simulated Hayes modem of hayes.c behind the port (brief
 *          section 7); online, its simulated remote end echoes every byte
 *   tty    a real tty of the server host (ttyport.c, termios), the way
 *          ser2net remotes a serial port: KIND:SERIAL:PATH
 *
 * serialdev.c keeps the profile's rules and its own notion of time; this
 * file passes the core's time in, maps SERIAL_PENDING to DEV_PEND, and
 * tells the core what a pending request waits for: serialdev_deadline (a
 * READ timeout, the +++ guard time, a tty's modem-line check) and, for a
 * tty, its fd while the port has room for input.  Between requests the
 * tty's input waits in the kernel and is taken at the next call.
 *
 * The serial-profile faults (faults.h) are applied here, around
 * serialdev's calls, so the model itself stays correct. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devmodel.h"
#include "faults.h"
#include "log.h"
#include "rio/rio.h"
#include "serialdev.h"
#include "ttyport.h"

#define TIMEOUT_INDEX(off) ((off) / 4)

typedef struct serial_model {
    serialdev port;
    ttyport tty;    /* kind tty */
    bool is_tty;
    bool fail_logged;
    unsigned faults;
    char path[128]; /* kind tty: for the log */
} serial_model;

static serial_model *model(const device *d)
{
    return d->model;
}

static bool fault(const serial_model *m, unsigned bit)
{
    return m->faults & bit;
}

static dev_result result(serial_outcome o, const serial_reply *sr, dev_reply *r)
{
    if (o == SERIAL_PENDING)
        return DEV_PEND;
    if (o == SERIAL_IDLE) { /* nothing pended: never asked by the core */
        *r = (dev_reply){.status = RIO_STATUS_INVALID_DEVICE_STATE};
        return DEV_ANSWER;
    }
    *r = (dev_reply){sr->status, sr->information, sr->data, sr->data_length};
    return DEV_ANSWER;
}

/* A tty that failed (hang-up, device gone) is logged once. */
static void note_failure(device *d)
{
    serial_model *m = model(d);
    if (!m->is_tty || m->fail_logged || !ttyport_error(&m->tty))
        return;
    m->fail_logged = true;
    log_msg("tty %s (serial %u) failed: %s; WRITE answers STATUS_INVALID_DEVICE_STATE", m->path, d->serial,
            strerror(ttyport_error(&m->tty)));
}

static int serial_open(device *d, const char *arg, const device_env *env, char *err, size_t errlen,
                       bool tty)
{
    serial_model *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "out of memory for serial port %u", d->serial);
        return -1;
    }
    m->faults = env->faults;
    m->is_tty = tty;
    if (!tty) {
        serialdev_init_modem(&m->port);
    } else {
        snprintf(m->path, sizeof m->path, "%s", arg);
        if (ttyport_open(&m->tty, &m->port, arg) < 0) {
            int e = errno;
            snprintf(err, errlen, "cannot open tty %s for serial %u: %s", arg, d->serial, strerror(e));
            free(m);
            errno = e == ENOMEM ? ENOMEM : EINVAL;
            return -1;
        }
    }
    d->model = m;
    return 0;
}

static int modem_open(device *d, const char *arg, const device_env *env, char *err, size_t errlen)
{
    return serial_open(d, arg, env, err, errlen, false);
}

static int tty_open(device *d, const char *arg, const device_env *env, char *err, size_t errlen)
{
    return serial_open(d, arg, env, err, errlen, true);
}

static void serial_close(device *d)
{
    serial_model *m = model(d);
    if (!m)
        return;
    if (m->is_tty)
        ttyport_close(&m->tty);
    serialdev_free(&m->port);
    free(m);
    d->model = NULL;
}

static void serial_reset(device *d, uint64_t now)
{
    (void)now;
    serialdev_reset(&model(d)->port);
}

static void serial_abandon(device *d)
{
    serialdev_abandon(&model(d)->port);
}

static dev_result serial_read(device *d, const dev_request *rq, dev_reply *r)
{
    serial_model *m = model(d);
    serial_reply sr;
    uint32_t *to = m->port.timeouts, saved[3];
    bool at_once = fault(m, FAULT_SERIAL_READ_AT_ONCE);
    if (at_once) { /* the fault: timeouts as after CREATE, for this READ only */
        memcpy(saved, to, sizeof saved);
        to[TIMEOUT_INDEX(RIO_SERIAL_TIMEOUTS_OFF_READ_INTERVAL)] = RIO_SERIAL_TIMEOUT_MAXDWORD;
        to[TIMEOUT_INDEX(RIO_SERIAL_TIMEOUTS_OFF_READ_MULTIPLIER)] = 0;
        to[TIMEOUT_INDEX(RIO_SERIAL_TIMEOUTS_OFF_READ_CONSTANT)] = 0;
    }
    serial_outcome o = serialdev_read(&m->port, rq->out_len, rq->now_ms, &sr);
    if (at_once)
        memcpy(to, saved, sizeof saved);
    note_failure(d);
    return result(o, &sr, r);
}

static dev_result serial_write(device *d, const dev_request *rq, dev_reply *r)
{
    serial_model *m = model(d);
    serial_reply sr;
    bool dtr = m->port.dtr;
    if (fault(m, FAULT_SERIAL_WRITE_NO_DTR))
        m->port.dtr = true; /* the fault: the check is skipped, DTR itself unchanged */
    serial_outcome o = serialdev_write(&m->port, rq->in, rq->in_len, rq->now_ms, &sr);
    m->port.dtr = dtr;
    note_failure(d);
    return result(o, &sr, r);
}

/* The serial-profile faults that change one IOCTL. */
static bool control_fault(serial_model *m, const dev_request *rq, serial_outcome *o, serial_reply *sr)
{
    if (rq->ioctl == RIO_IOCTL_SERIAL_SET_BAUD_RATE && fault(m, FAULT_SERIAL_ANY_BAUD) &&
        rq->in_len == RIO_SERIAL_U32_SIZE && !serialdev_baud_valid(rio_get_le32(rq->in))) {
        m->port.baud = rio_get_le32(rq->in);
        *sr = (serial_reply){.status = RIO_STATUS_SUCCESS};
        *o = SERIAL_COMPLETED;
        return true;
    }
    if (rq->ioctl == RIO_IOCTL_SERIAL_PURGE && fault(m, FAULT_SERIAL_PURGE_KEEPS)) {
        uint8_t rxq[RIO_SERIAL_QUEUE_SIZE];
        size_t head = m->port.rx_head, len = m->port.rx_len;
        memcpy(rxq, m->port.rxq, sizeof rxq);
        *o = serialdev_ioctl(&m->port, rq->ioctl, rq->in, rq->in_len, rq->out_len, rq->now_ms, sr);
        memcpy(m->port.rxq, rxq, sizeof rxq); /* the fault: the receive queue survives */
        m->port.rx_head = head;
        m->port.rx_len = len;
        return true;
    }
    return false;
}

static dev_result serial_control(device *d, const dev_request *rq, dev_reply *r)
{
    serial_model *m = model(d);
    serial_reply sr;
    serial_outcome o;
    if (!control_fault(m, rq, &o, &sr))
        o = serialdev_ioctl(&m->port, rq->ioctl, rq->in, rq->in_len, rq->out_len, rq->now_ms, &sr);
    if (o == SERIAL_PENDING && rq->ioctl == RIO_IOCTL_SERIAL_WAIT_ON_MASK && fault(m, FAULT_SERIAL_WAIT_AT_ONCE)) {
        serialdev_abandon(&m->port); /* the fault: no events yet is answered "none" at once */
        rio_put_le32(m->port.scratch, 0);
        sr = (serial_reply){.status = RIO_STATUS_SUCCESS, .information = RIO_SERIAL_U32_SIZE,
                            .data = m->port.scratch, .data_length = RIO_SERIAL_U32_SIZE};
        o = SERIAL_COMPLETED;
    }
    if (o == SERIAL_COMPLETED && rq->ioctl == RIO_IOCTL_SERIAL_GET_COMMSTATUS && sr.status == RIO_STATUS_SUCCESS &&
        fault(m, FAULT_SERIAL_OVERRUN_HIDDEN)) {
        uint8_t *errors = m->port.scratch + RIO_SERIAL_STATUS_OFF_ERRORS; /* sr.data points here */
        rio_put_le32(errors, rio_get_le32(errors) & ~(uint32_t)RIO_SERIAL_ERROR_QUEUEOVERRUN);
    }
    note_failure(d);
    return result(o, &sr, r);
}

static dev_result serial_poll(device *d, uint64_t now, dev_reply *r)
{
    serial_reply sr;
    serial_outcome o = serialdev_poll(&model(d)->port, now, &sr);
    note_failure(d);
    return result(o, &sr, r);
}

/* The next deadline serialdev needs, and a tty's fd while the port can
 * take input (a full port leaves it in the kernel: watching it then would
 * wake the loop for nothing, over and over). */
static dev_wait serial_wait(const device *d)
{
    const serial_model *m = model(d);
    uint64_t when = serialdev_deadline(&m->port);
    bool input = m->is_tty && !ttyport_error(&m->tty) && serialdev_rx_room(&m->port) > 0;
    return (dev_wait){.deadline_ms = when == SERIAL_NO_DEADLINE ? DEV_NO_DEADLINE : when,
                      .fd = input ? ttyport_fd(&m->tty) : -1};
}

/* What modem and tty share: all but their open. */
#define SERIAL_OPS                                                                                                 \
    .close = serial_close, .reset = serial_reset, .abandon = serial_abandon, .read = serial_read,                 \
    .write = serial_write, .control = serial_control, .poll = serial_poll, .wait = serial_wait

const device_ops devmodel_modem = {
    .kind = "modem",
    .plural = "modems",
    .summary = "a serial port with a simulated Hayes modem (brief section 7)",
    .open = modem_open,
    SERIAL_OPS,
};

const device_ops devmodel_tty = {
    .kind = "tty",
    .plural = "ttys",
    .arg = "PATH",
    .summary = "a real serial port of this host (termios), PATH a tty",
    .open = tty_open,
    SERIAL_OPS,
};
