/* serialdev.c — the serial-port profile's state machine (see serialdev.h). */
#include <stdlib.h>
#include <string.h>

#include "serialdev.h"

enum {
    TO_READ_INTERVAL,
    TO_READ_MULTIPLIER,
    TO_READ_CONSTANT,
    TO_WRITE_MULTIPLIER,
    TO_WRITE_CONSTANT
};

#define READ_BUF_MIN 256

static const uint32_t bauds[] = {
#define BAUD_ENTRY(sym, text) sym,
    RIO_SERIAL_BAUD_TABLE(BAUD_ENTRY)
#undef BAUD_ENTRY
};

static uint64_t min64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

static serial_outcome done(serial_reply *r, uint32_t status)
{
    *r = (serial_reply){.status = status};
    return SERIAL_COMPLETED;
}

static serial_outcome done_data(serial_reply *r, const uint8_t *data, uint32_t len)
{
    *r = (serial_reply){
        .status = RIO_STATUS_SUCCESS, .information = len, .data = data, .data_length = len};
    return SERIAL_COMPLETED;
}

static serial_outcome done_u32(serialdev *d, serial_reply *r, uint32_t v)
{
    rio_put_le32(d->scratch, v);
    return done_data(r, d->scratch, RIO_SERIAL_U32_SIZE);
}

/* ---- Events --------------------------------------------------------------- */

/* An event occurred: collected if in the mask; answers a pending
 * WAIT_ON_MASK, which clears the collection. */
static void raise_events(serialdev *d, uint32_t ev)
{
    d->events |= ev & d->wait_mask;
    if (d->req != SERIAL_REQ_WAIT || d->req_done || !d->events)
        return;
    rio_put_le32(d->scratch, d->events);
    d->events = 0;
    d->req_done = true;
    done_data(&d->done_reply, d->scratch, RIO_SERIAL_U32_SIZE);
}

void serialdev_lines_changed(serialdev *d, uint32_t msr)
{
    uint32_t ev = 0;
    if (msr & RIO_SERIAL_MSR_CTS)
        ev |= RIO_SERIAL_EV_CTS;
    if (msr & RIO_SERIAL_MSR_DSR)
        ev |= RIO_SERIAL_EV_DSR;
    if (msr & RIO_SERIAL_MSR_DCD)
        ev |= RIO_SERIAL_EV_RLSD;
    if (msr & RIO_SERIAL_MSR_RI)
        ev |= RIO_SERIAL_EV_RING;
    raise_events(d, ev);
}

uint32_t serialdev_wait_mask(const serialdev *d)
{
    return d->wait_mask;
}

/* ---- The pending READ and the receive queue ------------------------------ */

static bool read_pending(const serialdev *d)
{
    return d->req == SERIAL_REQ_READ && !d->req_done;
}

/* Room for n more bytes in the READ's buffer (at most read_want). */
static bool read_reserve(serialdev *d, size_t n)
{
    size_t need = d->read_got + n;
    if (need <= d->read_cap)
        return true;
    size_t cap = d->read_cap ? d->read_cap : READ_BUF_MIN;
    while (cap < need)
        cap *= 2;
    if (cap > d->read_want)
        cap = d->read_want;
    uint8_t *p = realloc(d->read_buf, cap);
    if (!p)
        return false;
    d->read_buf = p;
    d->read_cap = cap;
    return true;
}

static void read_complete(serialdev *d)
{
    d->req_done = true;
    done_data(&d->done_reply, d->read_buf, d->read_got);
}

size_t serialdev_rx_room(const serialdev *d)
{
    size_t room = RIO_SERIAL_QUEUE_SIZE - d->rx_len;
    if (read_pending(d))
        room += d->read_want - d->read_got;
    return room;
}

static size_t queue_push(serialdev *d, const uint8_t *p, size_t n)
{
    size_t space = RIO_SERIAL_QUEUE_SIZE - d->rx_len;
    if (n > space)
        n = space;
    for (size_t i = 0; i < n; i++)
        d->rxq[(d->rx_head + d->rx_len + i) % RIO_SERIAL_QUEUE_SIZE] = p[i];
    d->rx_len += n;
    return n;
}

static void queue_pop(serialdev *d, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = d->rxq[(d->rx_head + i) % RIO_SERIAL_QUEUE_SIZE];
    d->rx_head = (d->rx_head + n) % RIO_SERIAL_QUEUE_SIZE;
    d->rx_len -= n;
}

/* Bytes arriving while a READ pends go straight to it; the rest enters the
 * queue, and what does not fit there is dropped (the newest bytes) with
 * QUEUEOVERRUN.  RXCHAR for every byte kept. */
void serialdev_receive(serialdev *d, const uint8_t *data, size_t len)
{
    size_t kept = 0;
    if (read_pending(d) && len) {
        size_t n = d->read_want - d->read_got;
        if (n > len)
            n = len;
        if (read_reserve(d, n)) { /* else: they take the queue's path */
            memcpy(d->read_buf + d->read_got, data, n);
            d->read_got += (uint32_t)n;
            d->read_heard = true;
            d->read_last_byte = d->now;
            data += n;
            len -= n;
            kept += n;
            if (d->read_got == d->read_want)
                read_complete(d);
        }
    }
    size_t queued = queue_push(d, data, len);
    if (queued < len)
        d->errors |= RIO_SERIAL_ERROR_QUEUEOVERRUN;
    if (kept + queued)
        raise_events(d, RIO_SERIAL_EV_RXCHAR);
}

/* The READ's deadline: the total timeout runs from its start, the interval
 * timeout from each byte it received (from its start if it took queued
 * bytes). */
static uint64_t read_deadline(const serialdev *d)
{
    if (!read_pending(d))
        return SERIAL_NO_DEADLINE;
    uint64_t t = d->read_total_deadline;
    uint32_t interval = d->timeouts[TO_READ_INTERVAL];
    if (d->read_heard && interval)
        t = min64(t, d->read_last_byte + interval);
    return t;
}

uint64_t serialdev_deadline(const serialdev *d)
{
    return min64(read_deadline(d), d->ops->deadline(d->line));
}

bool serialdev_pending(const serialdev *d)
{
    return d->req != SERIAL_REQ_NONE;
}

/* Bring the device to now_ms: every deadline up to it is handled at its
 * own time, in order (the line's first when they are equal: bytes arriving
 * at the very end of a timeout still count), so a late timer changes no
 * outcome. */
static void advance(serialdev *d, uint64_t now_ms)
{
    if (now_ms < d->now)
        now_ms = d->now;
    for (;;) {
        uint64_t tl = d->ops->deadline(d->line), tr = read_deadline(d);
        uint64_t t = min64(tl, tr);
        if (t > now_ms)
            break;
        if (t > d->now)
            d->now = t;
        if (tl <= tr)
            d->ops->poll(d->line, d->now);
        else
            read_complete(d);
    }
    d->now = now_ms;
    d->ops->poll(d->line, now_ms);
}

/* Start of every request: a reply handed out before is no longer needed. */
static bool begin_request(serialdev *d, uint64_t now_ms, serial_reply *r)
{
    if (d->req != SERIAL_REQ_NONE) {
        done(r, RIO_STATUS_DEVICE_BUSY); /* the caller broke the one-at-a-time rule */
        return false;
    }
    if (d->read_cap > RIO_SERIAL_QUEUE_SIZE) { /* do not keep a big READ's buffer */
        free(d->read_buf);
        d->read_buf = NULL;
        d->read_cap = 0;
    }
    advance(d, now_ms);
    return true;
}

serial_outcome serialdev_poll(serialdev *d, uint64_t now_ms, serial_reply *r)
{
    advance(d, now_ms);
    if (d->req == SERIAL_REQ_NONE)
        return SERIAL_IDLE;
    if (!d->req_done)
        return SERIAL_PENDING;
    *r = d->done_reply;
    d->req = SERIAL_REQ_NONE;
    d->req_done = false;
    return SERIAL_COMPLETED;
}

/* ---- READ and WRITE --------------------------------------------------------- */

serial_outcome serialdev_read(serialdev *d, uint32_t want, uint64_t now_ms, serial_reply *r)
{
    if (!begin_request(d, now_ms, r))
        return SERIAL_COMPLETED;
    uint32_t take = want < d->rx_len ? want : (uint32_t)d->rx_len;
    d->read_want = want;
    d->read_got = 0;
    if (!read_reserve(d, take))
        return done(r, RIO_STATUS_INSUFFICIENT_RESOURCES);
    queue_pop(d, d->read_buf, take);
    d->read_got = take;
    const uint32_t *to = d->timeouts;
    bool at_once = to[TO_READ_INTERVAL] == RIO_SERIAL_TIMEOUT_MAXDWORD && !to[TO_READ_MULTIPLIER] &&
                   !to[TO_READ_CONSTANT];
    if (take == want || at_once)
        return done_data(r, d->read_buf, take);
    uint64_t total = (uint64_t)to[TO_READ_MULTIPLIER] * want + to[TO_READ_CONSTANT];
    d->read_total_deadline = total ? d->now + total : SERIAL_NO_DEADLINE;
    d->read_heard = take > 0;
    d->read_last_byte = d->now;
    d->req = SERIAL_REQ_READ;
    d->req_done = false;
    return SERIAL_PENDING;
}

serial_outcome serialdev_write(serialdev *d, const uint8_t *data, uint32_t len, uint64_t now_ms,
                               serial_reply *r)
{
    if (!begin_request(d, now_ms, r))
        return SERIAL_COMPLETED;
    if (!d->dtr)
        return done(r, RIO_STATUS_INVALID_DEVICE_STATE);
    uint32_t accepted = 0;
    uint32_t status = d->ops->write(d->line, data, len, d->now, &accepted);
    done(r, status);
    if (status == RIO_STATUS_SUCCESS)
        r->information = accepted;
    return SERIAL_COMPLETED;
}

/* ---- DEVICE_CONTROL ----------------------------------------------------------- */

bool serialdev_baud_valid(uint32_t baud)
{
    for (size_t i = 0; i < sizeof bauds / sizeof bauds[0]; i++)
        if (bauds[i] == baud)
            return true;
    return false;
}

static serial_outcome set_baud(serialdev *d, const uint8_t *in, uint32_t in_len, serial_reply *r)
{
    if (in_len != RIO_SERIAL_U32_SIZE || !serialdev_baud_valid(rio_get_le32(in)))
        return done(r, RIO_STATUS_INVALID_PARAMETER);
    uint32_t baud = rio_get_le32(in);
    uint32_t status = d->ops->set_baud(d->line, baud);
    if (status == RIO_STATUS_SUCCESS)
        d->baud = baud;
    return done(r, status);
}

static serial_outcome set_line_control(serialdev *d, const uint8_t *in, uint32_t in_len,
                                       serial_reply *r)
{
    if (in_len != RIO_SERIAL_LINE_CONTROL_SIZE)
        return done(r, RIO_STATUS_INVALID_PARAMETER);
    uint8_t stop = in[RIO_SERIAL_LINE_CONTROL_OFF_STOP_BITS];
    uint8_t parity = in[RIO_SERIAL_LINE_CONTROL_OFF_PARITY];
    uint8_t word = in[RIO_SERIAL_LINE_CONTROL_OFF_WORD_LENGTH];
    if (stop > RIO_SERIAL_STOP_BITS_2 || parity > RIO_SERIAL_PARITY_SPACE ||
        word < RIO_SERIAL_WORD_LENGTH_MIN || word > RIO_SERIAL_WORD_LENGTH_MAX)
        return done(r, RIO_STATUS_INVALID_PARAMETER);
    uint32_t status = d->ops->set_line_control(d->line, stop, parity, word);
    if (status == RIO_STATUS_SUCCESS) {
        d->stop_bits = stop;
        d->parity = parity;
        d->word_length = word;
    }
    return done(r, status);
}

static serial_outcome get_line_control(serialdev *d, serial_reply *r)
{
    d->scratch[RIO_SERIAL_LINE_CONTROL_OFF_STOP_BITS] = d->stop_bits;
    d->scratch[RIO_SERIAL_LINE_CONTROL_OFF_PARITY] = d->parity;
    d->scratch[RIO_SERIAL_LINE_CONTROL_OFF_WORD_LENGTH] = d->word_length;
    return done_data(r, d->scratch, RIO_SERIAL_LINE_CONTROL_SIZE);
}

static serial_outcome set_timeouts(serialdev *d, const uint8_t *in, uint32_t in_len,
                                   serial_reply *r)
{
    if (in_len != RIO_SERIAL_TIMEOUTS_SIZE)
        return done(r, RIO_STATUS_INVALID_PARAMETER);
    for (size_t i = 0; i < RIO_SERIAL_TIMEOUTS_SIZE / 4; i++)
        d->timeouts[i] = rio_get_le32(in + 4 * i);
    return done(r, RIO_STATUS_SUCCESS);
}

static serial_outcome get_timeouts(serialdev *d, serial_reply *r)
{
    for (size_t i = 0; i < RIO_SERIAL_TIMEOUTS_SIZE / 4; i++)
        rio_put_le32(d->scratch + 4 * i, d->timeouts[i]);
    return done_data(r, d->scratch, RIO_SERIAL_TIMEOUTS_SIZE);
}

static serial_outcome set_dtr(serialdev *d, bool on, serial_reply *r)
{
    if (d->dtr != on) {
        d->dtr = on;
        d->ops->set_dtr(d->line, on);
    }
    return done(r, RIO_STATUS_SUCCESS);
}

static serial_outcome set_wait_mask(serialdev *d, const uint8_t *in, uint32_t in_len,
                                    serial_reply *r)
{
    if (in_len != RIO_SERIAL_U32_SIZE || (rio_get_le32(in) & ~(uint32_t)RIO_SERIAL_EV_ALL))
        return done(r, RIO_STATUS_INVALID_PARAMETER);
    d->wait_mask = rio_get_le32(in);
    d->events = 0; /* collected from here on */
    return done(r, RIO_STATUS_SUCCESS);
}

static serial_outcome wait_on_mask(serialdev *d, serial_reply *r)
{
    if (!d->wait_mask)
        return done(r, RIO_STATUS_INVALID_PARAMETER);
    if (d->events) {
        uint32_t ev = d->events;
        d->events = 0;
        return done_u32(d, r, ev);
    }
    d->req = SERIAL_REQ_WAIT;
    d->req_done = false;
    return SERIAL_PENDING;
}

static serial_outcome purge(serialdev *d, const uint8_t *in, uint32_t in_len, serial_reply *r)
{
    uint32_t bits = in_len == RIO_SERIAL_U32_SIZE ? rio_get_le32(in) : 0;
    if (!bits || (bits & ~(uint32_t)RIO_SERIAL_PURGE_ALL))
        return done(r, RIO_STATUS_INVALID_PARAMETER);
    if (bits & RIO_SERIAL_PURGE_RXCLEAR)
        d->rx_head = d->rx_len = 0;
    d->ops->purge(d->line, bits);
    return done(r, RIO_STATUS_SUCCESS);
}

/* QUEUEOVERRUN (and any other error) is reported once: the GET_COMMSTATUS
 * that carries it clears it. */
static serial_outcome get_commstatus(serialdev *d, serial_reply *r)
{
    uint8_t *s = d->scratch;
    uint64_t in_q = d->rx_len + (d->ops->in_queue ? d->ops->in_queue(d->line) : 0);
    memset(s, 0, RIO_SERIAL_STATUS_SIZE);
    rio_put_le32(s + RIO_SERIAL_STATUS_OFF_ERRORS, d->errors);
    rio_put_le32(s + RIO_SERIAL_STATUS_OFF_IN_QUEUE,
                 in_q > UINT32_MAX ? UINT32_MAX : (uint32_t)in_q);
    rio_put_le32(s + RIO_SERIAL_STATUS_OFF_OUT_QUEUE,
                 d->ops->out_queue ? d->ops->out_queue(d->line) : 0);
    d->errors = 0;
    return done_data(r, s, RIO_SERIAL_STATUS_SIZE);
}

/* Size of each IOCTL's fixed output (0: none).  Input is checked by each
 * setter; IOCTLs without input ignore input bytes. */
static uint32_t output_size(uint32_t code)
{
    switch (code) {
    case RIO_IOCTL_SERIAL_GET_BAUD_RATE:
    case RIO_IOCTL_SERIAL_GET_MODEMSTATUS:
    case RIO_IOCTL_SERIAL_GET_WAIT_MASK:
    case RIO_IOCTL_SERIAL_WAIT_ON_MASK:
        return RIO_SERIAL_U32_SIZE;
    case RIO_IOCTL_SERIAL_GET_LINE_CONTROL:
        return RIO_SERIAL_LINE_CONTROL_SIZE;
    case RIO_IOCTL_SERIAL_GET_TIMEOUTS:
        return RIO_SERIAL_TIMEOUTS_SIZE;
    case RIO_IOCTL_SERIAL_GET_COMMSTATUS:
        return RIO_SERIAL_STATUS_SIZE;
    default:
        return 0;
    }
}

serial_outcome serialdev_ioctl(serialdev *d, uint32_t code, const uint8_t *in, uint32_t in_len,
                               uint32_t out_len, uint64_t now_ms, serial_reply *r)
{
    if (!begin_request(d, now_ms, r))
        return SERIAL_COMPLETED;
    if (out_len < output_size(code))
        return done(r, RIO_STATUS_BUFFER_TOO_SMALL);
    switch (code) {
    case RIO_IOCTL_SERIAL_SET_BAUD_RATE:
        return set_baud(d, in, in_len, r);
    case RIO_IOCTL_SERIAL_GET_BAUD_RATE:
        return done_u32(d, r, d->baud);
    case RIO_IOCTL_SERIAL_SET_LINE_CONTROL:
        return set_line_control(d, in, in_len, r);
    case RIO_IOCTL_SERIAL_GET_LINE_CONTROL:
        return get_line_control(d, r);
    case RIO_IOCTL_SERIAL_SET_TIMEOUTS:
        return set_timeouts(d, in, in_len, r);
    case RIO_IOCTL_SERIAL_GET_TIMEOUTS:
        return get_timeouts(d, r);
    case RIO_IOCTL_SERIAL_SET_DTR:
        return set_dtr(d, true, r);
    case RIO_IOCTL_SERIAL_CLR_DTR:
        return set_dtr(d, false, r);
    case RIO_IOCTL_SERIAL_GET_MODEMSTATUS:
        return done_u32(d, r, d->ops->modem_status(d->line));
    case RIO_IOCTL_SERIAL_SET_WAIT_MASK:
        return set_wait_mask(d, in, in_len, r);
    case RIO_IOCTL_SERIAL_GET_WAIT_MASK:
        return done_u32(d, r, d->wait_mask);
    case RIO_IOCTL_SERIAL_WAIT_ON_MASK:
        return wait_on_mask(d, r);
    case RIO_IOCTL_SERIAL_PURGE:
        return purge(d, in, in_len, r);
    case RIO_IOCTL_SERIAL_GET_COMMSTATUS:
        return get_commstatus(d, r);
    default:
        return done(r, RIO_STATUS_INVALID_DEVICE_REQUEST);
    }
}

/* ---- Life cycle ------------------------------------------------------------------ */

static void init_common(serialdev *d, const serial_line_ops *ops, void *line)
{
    memset(d, 0, sizeof *d);
    d->ops = ops;
    d->line = line;
}

void serialdev_init_line(serialdev *d, const serial_line_ops *ops, void *line)
{
    init_common(d, ops, line);
    serialdev_reset(d);
}

void serialdev_reset(serialdev *d)
{
    d->ops->reset(d->line);
    d->baud = RIO_SERIAL_BAUD_DEFAULT;
    d->stop_bits = RIO_SERIAL_STOP_BITS_1;
    d->parity = RIO_SERIAL_PARITY_NONE;
    d->word_length = RIO_SERIAL_WORD_LENGTH_DEFAULT;
    memset(d->timeouts, 0, sizeof d->timeouts);
    d->timeouts[TO_READ_INTERVAL] = RIO_SERIAL_TIMEOUT_MAXDWORD;
    d->dtr = false;
    d->wait_mask = d->events = d->errors = 0;
    d->rx_head = d->rx_len = 0;
    d->req = SERIAL_REQ_NONE;
    d->req_done = false;
    d->read_want = d->read_got = 0;
    free(d->read_buf);
    d->read_buf = NULL;
    d->read_cap = 0;
}

void serialdev_abandon(serialdev *d)
{
    d->req = SERIAL_REQ_NONE;
    d->req_done = false;
}

void serialdev_free(serialdev *d)
{
    free(d->read_buf);
    d->read_buf = NULL;
    d->read_cap = 0;
}

/* ---- The simulated Hayes modem as the line -------------------------------------- */

static void modem_emit(void *ctx, const uint8_t *data, size_t len)
{
    serialdev_receive(ctx, data, len);
}

static void modem_carrier(serialdev *d, unsigned flags)
{
    if (flags & HAYES_CARRIER_CHANGED)
        serialdev_lines_changed(d, RIO_SERIAL_MSR_DCD);
}

static uint32_t modem_set_baud(void *line, uint32_t baud)
{
    (void)line, (void)baud; /* the modem follows the port's rate */
    return RIO_STATUS_SUCCESS;
}

static uint32_t modem_set_line_control(void *line, uint8_t stop, uint8_t parity, uint8_t word)
{
    (void)line, (void)stop, (void)parity, (void)word;
    return RIO_STATUS_SUCCESS;
}

/* DTR up: the modem is ready (DSR, CTS).  DTR down: not ready, and a call
 * is hung up. */
static void modem_set_dtr(void *line, bool on)
{
    serialdev *d = line;
    unsigned flags = on ? 0 : hayes_drop_dtr(&d->modem);
    serialdev_lines_changed(d, RIO_SERIAL_MSR_CTS | RIO_SERIAL_MSR_DSR);
    modem_carrier(d, flags);
}

static uint32_t modem_status(void *line)
{
    serialdev *d = line;
    uint32_t msr = d->dtr ? RIO_SERIAL_MSR_CTS | RIO_SERIAL_MSR_DSR : 0;
    return msr | (d->modem.carrier ? RIO_SERIAL_MSR_DCD : 0);
}

static uint32_t modem_write(void *line, const uint8_t *data, uint32_t len, uint64_t now_ms,
                            uint32_t *accepted)
{
    serialdev *d = line;
    modem_carrier(d, hayes_input(&d->modem, data, len, d->baud, now_ms));
    *accepted = len;
    return RIO_STATUS_SUCCESS;
}

static void modem_purge(void *line, uint32_t bits)
{
    (void)line, (void)bits; /* nothing waits to be sent */
}

static void modem_poll(void *line, uint64_t now_ms)
{
    serialdev *d = line;
    modem_carrier(d, hayes_poll(&d->modem, now_ms));
}

static uint64_t modem_deadline(void *line)
{
    serialdev *d = line;
    return hayes_deadline(&d->modem);
}

static void modem_reset(void *line)
{
    serialdev *d = line;
    hayes_reset(&d->modem);
}

static const serial_line_ops modem_ops = {
    .set_baud = modem_set_baud,
    .set_line_control = modem_set_line_control,
    .set_dtr = modem_set_dtr,
    .modem_status = modem_status,
    .write = modem_write,
    .purge = modem_purge,
    .poll = modem_poll,
    .deadline = modem_deadline,
    .reset = modem_reset,
};

void serialdev_init_modem(serialdev *d)
{
    init_common(d, &modem_ops, d);
    hayes_init(&d->modem, modem_emit, d);
    serialdev_reset(d);
}
