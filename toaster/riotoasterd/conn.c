/* conn.c — one connection's bytes and lifecycle (conn.h).
 *
 * Input: bytes are read into the hub's shared scratch buffer and framed
 * straight from there; only what cannot be handled yet (a request pends,
 * the output queue is full, the slice is used) is copied into the
 * connection's backlog.  One request is framed only after the previous one
 * is answered, so pipelined requests are answered in order and none is
 * lost; reading stops while the backlog is full (backpressure).
 *
 * Output: a response goes out in one writev (header + data); what the
 * socket does not take is queued and sent on EPOLLOUT.
 *
 * Closing: CLOSING lets the queued answers go out, then LINGERING shuts the
 * socket down for writing and discards input until the peer closes (closing
 * with unread input would send a RST that can destroy the last answer
 * before the client reads it). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "conn.h"
#include "listen.h"
#include "log.h"

#define LINGER_MS 2000 /* longest wait for the peer's FIN after our shutdown */
/* A request buffer bigger than this is freed after its request, so an idle
 * connection holds (and is charged) little. */
#define FRAMER_KEEP_BYTES 4096

static void on_event(loop *l, int fd, void *data, unsigned mask);
static void on_device(loop *l, int fd, void *data, unsigned mask);
static void on_timer(loop *l, void *data);
static void settle(conn *c);

/* ---- the lifecycle: one state, every transition in one table -------------- */

typedef enum conn_event {
    EV_PEND,       /* the request pends at the device */
    EV_ANSWERED,   /* the device answered the pending request */
    EV_PEER_EOF,   /* the peer's FIN */
    EV_INPUT_DONE, /* DRAINING: every whole request is answered */
    EV_FINISH,     /* close after the answers: CLOSE, refusal, framing error, stall, idle */
    EV_SENT,       /* CLOSING: every answer went out */
    EV_ABORT,      /* close at once: socket error, a limit, write timeout, linger over */
} conn_event;

/* Every transition, in one place: from a state, on an event, to a state.
 * An event not listed for a state changes nothing there; EV_ABORT goes
 * from every state to DEAD. */
static const struct {
    conn_state from;
    conn_event on;
    conn_state to;
} TRANSITIONS[] = {
    {CONN_SERVING, EV_PEND, CONN_PENDING},
    {CONN_SERVING, EV_PEER_EOF, CONN_DRAINING},
    {CONN_SERVING, EV_FINISH, CONN_CLOSING},
    {CONN_PENDING, EV_ANSWERED, CONN_SERVING},
    {CONN_PENDING, EV_PEER_EOF, CONN_DEAD}, /* the request is abandoned with the device's state */
    {CONN_PENDING, EV_FINISH, CONN_CLOSING},
    {CONN_DRAINING, EV_PEND, CONN_DEAD}, /* its answer would have nowhere to go */
    {CONN_DRAINING, EV_INPUT_DONE, CONN_CLOSING},
    {CONN_DRAINING, EV_FINISH, CONN_CLOSING},
    {CONN_CLOSING, EV_SENT, CONN_LINGERING},
    {CONN_LINGERING, EV_PEER_EOF, CONN_DEAD},
};

static conn_state next_state(conn_state from, conn_event ev)
{
    if (ev == EV_ABORT)
        return CONN_DEAD;
    for (size_t i = 0; i < sizeof TRANSITIONS / sizeof TRANSITIONS[0]; i++)
        if (TRANSITIONS[i].from == from && TRANSITIONS[i].on == ev)
            return TRANSITIONS[i].to;
    return from;
}

/* Apply an event; `reason` says why the connection closes (logged once,
 * when it first leaves the serving states). */
static void transition(conn *c, conn_event ev, const char *reason)
{
    conn_state from = c->state, to = next_state(from, ev);
    if (to == from)
        return;
    c->state = to;
    uint64_t now = loop_now(c->hub->loop);
    switch (to) {
    case CONN_CLOSING:
        c->reason = reason;
        c->close_start = now;
        log_msg("close %s: %s", c->peer, reason);
        rules_release(&c->session, now); /* the handle is given back now, not at the FIN */
        break;
    case CONN_LINGERING:
        c->close_start = now;
        buf_free(&c->backlog);
        shutdown(c->fd, SHUT_WR);
        break;
    case CONN_DEAD:
        if (from != CONN_CLOSING && from != CONN_LINGERING) { /* else logged when it began closing */
            c->reason = reason;
            log_msg("close %s: %s", c->peer, reason);
        }
        break;
    default: /* SERVING, PENDING, DRAINING: settle arms what they need */
        break;
    }
}

static void conn_abort(conn *c, const char *reason)
{
    transition(c, EV_ABORT, reason);
}

/* Requests may be framed now (SERVING, DRAINING) and the answers queued are
 * few enough. */
static bool can_frame(const conn *c)
{
    return (c->state == CONN_SERVING || c->state == CONN_DRAINING) && c->out.len < OUT_MAX;
}

static bool can_frame_now(const conn *c)
{
    return c->slice > 0 && can_frame(c);
}

conn *conn_new(conn_hub *h, int fd, device *fixed)
{
    /* One timer per connection, one for accepts: arming never allocates. */
    if (loop_timer_reserve(h->loop, h->nconns + 2) < 0)
        return NULL;
    conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->hub = h;
    c->fd = fd;
    c->state = CONN_SERVING;
    c->watched_fd = -1;
    peer_name(fd, c->peer, sizeof c->peer);
    session_init(&c->session, h->cfg, h->devices, fixed, c->peer);
    rio_framer_init(&c->framer, RIO_REQUEST);
    loop_timer_init(&c->timer, on_timer, c);
    c->last_active = c->out_progress = loop_now(h->loop);
    if (loop_watch(h->loop, fd, LOOP_READABLE, on_event, c) < 0) {
        free(c);
        return NULL;
    }
    c->next = h->conns;
    if (h->conns)
        h->conns->prev = c;
    h->conns = c;
    h->nconns++;
    return c;
}

/* ---- the work list: connections with framed-later requests (fairness) ---- */

static void work_remove(conn *c)
{
    conn_hub *h = c->hub;
    if (!c->on_work)
        return;
    if (c->work_prev)
        c->work_prev->work_next = c->work_next;
    else
        h->work_head = c->work_next;
    if (c->work_next)
        c->work_next->work_prev = c->work_prev;
    else
        h->work_tail = c->work_prev;
    c->work_prev = c->work_next = NULL;
    c->on_work = false;
}

static void work_add(conn *c)
{
    conn_hub *h = c->hub;
    if (c->on_work)
        return;
    c->on_work = true;
    c->work_turn = h->turn;
    c->work_prev = h->work_tail;
    c->work_next = NULL;
    if (h->work_tail)
        h->work_tail->work_next = c;
    else
        h->work_head = c;
    h->work_tail = c;
}

static void resume(conn *c);

/* Each connection with requests still buffered frames one more slice, in
 * the order they asked; those that join during this pass wait for the
 * next turn, so every other socket is polled in between (like redis, one
 * connection never holds the loop for a whole 64 KiB of requests). */
bool conn_run_work(conn_hub *h)
{
    h->turn++;
    while (h->work_head && h->work_head->work_turn < h->turn) {
        conn *c = h->work_head;
        work_remove(c);
        resume(c);
        settle(c);
    }
    return h->work_head != NULL;
}

/* ---- the request-data budget (--request-budget) -------------------------- */

/* Keep the hub's total in step with what this connection's framer holds. */
static void sync_charge(conn *c)
{
    c->hub->request_held = c->hub->request_held - c->charged + c->framer.data_cap;
    c->charged = c->framer.data_cap;
}

/* The header completed by data[0..len) is charged its DataLength before
 * the framer allocates for it.  Over the budget the connection is closed at
 * once (logged): the newest sender of a big request is the one refused, and
 * requests other connections have half sent keep their room. */
static bool charge_header(conn *c, const uint8_t *data, size_t len)
{
    rio_framer *f = &c->framer;
    if (f->state != RIO_FRAMER_HEADER || f->have + len < RIO_HEADER_SIZE)
        return true;
    uint8_t raw[RIO_HEADER_SIZE];
    rio_header h;
    memcpy(raw, f->raw, f->have);
    memcpy(raw + f->have, data, RIO_HEADER_SIZE - f->have);
    if (rio_header_decode(raw, RIO_REQUEST, &h) != RIO_OK || h.data_length <= c->charged)
        return true; /* a framing error, or the buffer it holds is big enough */
    conn_hub *hub = c->hub;
    size_t budget = hub->cfg->request_budget;
    if (hub->request_held - c->charged + h.data_length <= budget)
        return true;
    log_msg("request budget %s: a request of %u data bytes would exceed %zu bytes held (%zu held now)", c->peer,
            h.data_length, budget, hub->request_held);
    conn_abort(c, "request budget exhausted");
    return false;
}

/* ---- output ------------------------------------------------------------ */

/* A client whose unsent answers exceed --max-output-bytes is not reading:
 * it is closed at once (checked after each write attempt). */
static void check_output_limit(conn *c)
{
    size_t max = c->hub->cfg->max_output;
    if (c->out.len <= max || c->state == CONN_DEAD)
        return;
    log_msg("output limit %s: %zu bytes of answers unsent exceed %zu", c->peer, c->out.len, max);
    conn_abort(c, "output buffer limit");
}

/* Queue iov after its first `skip` bytes, behind what is queued. */
static void queue_rest(conn *c, const struct iovec *iov, int n, size_t skip)
{
    if (!c->out.len)
        c->out_progress = loop_now(c->hub->loop); /* the write-stall clock starts */
    for (int i = 0; i < n; i++) {
        size_t len = iov[i].iov_len;
        size_t from = skip < len ? skip : len;
        skip -= from;
        if (!buf_append(&c->out, (const uint8_t *)iov[i].iov_base + from, len - from)) {
            conn_abort(c, "out of memory");
            return;
        }
    }
}

static const char *write_failure(void)
{
    return errno == EPIPE || errno == ECONNRESET ? "peer reset" : "write error";
}

/* Send one response (header + data, one writev when nothing is queued). */
static void send_answer(conn *c, const uint8_t hdr[RIO_HEADER_SIZE], const uint8_t *data, uint32_t len)
{
    struct iovec iov[2] = {{(void *)hdr, RIO_HEADER_SIZE}, {(void *)data, len}};
    int n = len ? 2 : 1;
    c->last_active = loop_now(c->hub->loop);
    if (c->state == CONN_DEAD)
        return;
    /* Keep order behind what is queued; while a slice of pipelined requests
     * is answered, small answers are gathered and go out in one write. */
    if (c->out.len || (c->corked && len <= CORK_MAX)) {
        queue_rest(c, iov, n, 0);
        return;
    }
    ssize_t w = writev(c->fd, iov, n);
    if (w < 0 && errno != EAGAIN && errno != EINTR) {
        conn_abort(c, write_failure());
        return;
    }
    size_t wrote = w < 0 ? 0 : (size_t)w;
    if (wrote < RIO_HEADER_SIZE + (size_t)len) {
        queue_rest(c, iov, n, wrote);
        check_output_limit(c);
    }
}

static void flush_out(conn *c)
{
    while (c->out.len) {
        ssize_t w = write(c->fd, buf_begin(&c->out), c->out.len);
        if (w < 0) {
            if (errno == EAGAIN || errno == EINTR)
                break;
            conn_abort(c, write_failure());
            return;
        }
        buf_consume(&c->out, (size_t)w);
        c->out_progress = loop_now(c->hub->loop);
    }
    if (!c->out.len) /* an idle connection holds no output buffer */
        buf_free(&c->out);
    check_output_limit(c);
}

/* ---- carrying out what rules.c decided ------------------------------------- */

static void carry_out(conn *c, const rules_outcome *o)
{
    if (o->answer)
        send_answer(c, o->header, o->data, o->data_length);
    if (o->next == RULES_PEND)
        transition(c, EV_PEND, "peer disconnected with a request pending");
    else if (o->next == RULES_CLOSE)
        transition(c, EV_FINISH, o->reason);
}

/* What the framer produced: a request, a framing error, or (the
 * version-2-accepted fault) a header rules.c wants framed again at once. */
static void handle_framed(conn *c, rio_feed_result r, rio_pdu *pdu)
{
    uint64_t now = loop_now(c->hub->loop);
    while (r != RIO_FEED_MORE) {
        c->pdu_start = 0;
        if (c->slice)
            c->slice--;
        rules_outcome o = r == RIO_FEED_ERROR ? rules_framing_error(&c->session, &c->framer)
                                              : rules_request(&c->session, pdu, now);
        carry_out(c, &o);
        if (o.next != RULES_REFEED) {
            /* A big request's buffer is not kept for the life of the
             * connection (nor charged to the request budget while it idles). */
            if (c->framer.data_cap > FRAMER_KEEP_BYTES)
                rio_framer_free(&c->framer);
            return;
        }
        /* The corrected header is whole: it completes a request, fails, or
         * waits for its data (never refed twice: its version is 1 now). */
        size_t used;
        rio_framer_reset(&c->framer);
        if (!charge_header(c, o.header, RIO_HEADER_SIZE))
            return;
        r = rio_framer_feed(&c->framer, o.header, RIO_HEADER_SIZE, &used, pdu);
        sync_charge(c);
    }
}

/* Frame and handle bytes; returns how many were consumed (it stops when the
 * connection cannot take another request now). */
static size_t consume(conn *c, const uint8_t *data, size_t len)
{
    size_t pos = 0;
    c->corked = true;
    while (can_frame_now(c)) {
        size_t used;
        rio_pdu pdu;
        if (!charge_header(c, data + pos, len - pos)) {
            pos = len; /* the connection is dropped with its input */
            break;
        }
        rio_feed_result r = rio_framer_feed(&c->framer, data + pos, len - pos, &used, &pdu);
        pos += used;
        sync_charge(c);
        if (r == RIO_FEED_MORE)
            break;
        handle_framed(c, r, &pdu);
    }
    sync_charge(c);
    c->corked = false;
    if (c->state != CONN_DEAD)
        flush_out(c);
    if (!c->pdu_start && rio_framer_mid_pdu(&c->framer))
        c->pdu_start = loop_now(c->hub->loop);
    return pos;
}

/* Handle what waits in the backlog (after a pending request or a full
 * output queue), with a new slice. */
static void resume(conn *c)
{
    c->slice = SLICE_PDUS;
    if (!c->backlog.len || !can_frame(c))
        return;
    size_t used = consume(c, buf_begin(&c->backlog), c->backlog.len);
    buf_consume(&c->backlog, used);
}

/* The device may have answered the pending request. */
static void poll_device(conn *c)
{
    rules_outcome o = rules_poll(&c->session, loop_now(c->hub->loop));
    if (o.next == RULES_PEND)
        return;
    transition(c, EV_ANSWERED, NULL);
    carry_out(c, &o);
    resume(c); /* the requests that waited behind it */
}

/* CLOSING, LINGERING: input is read and dropped until the peer's FIN. */
static void discard_input(conn *c)
{
    ssize_t n = read(c->fd, c->hub->scratch, SCRATCH_SIZE);
    if (n == 0)
        transition(c, EV_PEER_EOF, "peer disconnected");
    else if (n < 0 && errno != EAGAIN && errno != EINTR)
        conn_abort(c, "peer reset");
}

/* Read once: straight into scratch when nothing waits, else into the
 * backlog behind what waits. */
static void read_input(conn *c)
{
    c->slice = SLICE_PDUS;
    bool direct = !c->backlog.len && can_frame(c);
    uint8_t *into = direct ? c->hub->scratch : buf_reserve(&c->backlog, SCRATCH_SIZE);
    if (!into) {
        conn_abort(c, "out of memory");
        return;
    }
    ssize_t n = read(c->fd, into, SCRATCH_SIZE);
    if (n == 0) {
        transition(c, EV_PEER_EOF, "peer disconnected with a request pending");
        return;
    }
    if (n < 0) {
        if (errno != EAGAIN && errno != EINTR)
            conn_abort(c, "peer reset");
        return;
    }
    if (!direct) {
        c->backlog.len += (size_t)n;
        resume(c);
        return;
    }
    size_t used = consume(c, into, (size_t)n);
    bool keep = c->state != CONN_CLOSING && c->state != CONN_DEAD;
    if (used < (size_t)n && keep && !buf_append(&c->backlog, into + used, (size_t)n - used))
        conn_abort(c, "out of memory");
}

static void on_event(loop *l, int fd, void *data, unsigned mask)
{
    (void)l;
    (void)fd;
    conn *c = data;
    if (mask & LOOP_WRITABLE) {
        flush_out(c);
        resume(c);
    }
    if (mask & LOOP_READABLE) {
        if (c->state == CONN_CLOSING || c->state == CONN_LINGERING)
            discard_input(c);
        else if (c->state != CONN_DEAD)
            read_input(c);
    }
    settle(c);
}

/* The device's fd (a tty) is readable while a request pends on it. */
static void on_device(loop *l, int fd, void *data, unsigned mask)
{
    (void)l;
    (void)fd;
    (void)mask;
    conn *c = data;
    if (c->state == CONN_PENDING)
        poll_device(c);
    settle(c);
}

/* ---- deadlines ----------------------------------------------------------- */

static uint64_t earliest(uint64_t a, uint64_t b)
{
    return !a ? b : !b ? a : a < b ? a : b;
}

/* Unsent answers must move within --write-timeout (0: none pending). */
static uint64_t write_deadline(const conn *c)
{
    return c->out.len ? c->out_progress + c->hub->cfg->write_ms : 0;
}

static uint64_t device_deadline(const conn *c)
{
    uint64_t when = rules_wait(&c->session).deadline_ms;
    return when == DEV_NO_DEADLINE ? 0 : when;
}

/* The earliest deadline that applies in this state, or 0 for none. */
static uint64_t deadline(const conn *c)
{
    const server_config *cfg = c->hub->cfg;
    switch (c->state) {
    case CONN_LINGERING:
        return c->close_start + LINGER_MS;
    case CONN_CLOSING: /* answers must drain within a stall timeout */
        return c->close_start + cfg->stall_ms;
    case CONN_PENDING: /* a request waiting on the device is never idle */
        return earliest(write_deadline(c), device_deadline(c));
    case CONN_SERVING:
    case CONN_DRAINING:
        if (c->pdu_start)
            return earliest(write_deadline(c), c->pdu_start + cfg->stall_ms);
        return earliest(write_deadline(c), cfg->idle_ms ? c->last_active + cfg->idle_ms : 0);
    default:
        return 0;
    }
}

static void on_timer(loop *l, void *data)
{
    conn *c = data;
    uint64_t when = deadline(c), now = loop_now(l);
    if (when == 0)
        return;
    if (when > now) {
        loop_timer_arm(l, &c->timer, when);
        return;
    }
    const server_config *cfg = c->hub->cfg;
    uint64_t wd = write_deadline(c);
    if (c->state == CONN_CLOSING || c->state == CONN_LINGERING) {
        conn_abort(c, c->reason);
    } else if (wd && wd <= now) {
        log_msg("timeout %s: no write progress for %.3f s (%zu bytes of answers unsent)", c->peer,
                (double)cfg->write_ms / 1000, c->out.len);
        conn_abort(c, "write timeout"); /* nothing more can reach a peer that does not read */
    } else if (c->state == CONN_PENDING) {
        poll_device(c); /* the device's deadline */
    } else if (c->pdu_start) {
        log_msg("timeout %s: request incomplete after %.3f s", c->peer, (double)cfg->stall_ms / 1000);
        transition(c, EV_FINISH, "stall timeout");
    } else {
        log_msg("timeout %s: idle for %.3f s", c->peer, (double)cfg->idle_ms / 1000);
        transition(c, EV_FINISH, "idle timeout");
    }
    settle(c);
}

/* Timers are re-armed lazily: an armed timer that fires early re-arms for
 * the current deadline, so the hot path only moves it when it gets earlier. */
static void update_timer(conn *c)
{
    uint64_t when = deadline(c);
    if (when == 0)
        loop_timer_disarm(c->hub->loop, &c->timer);
    else if (!loop_timer_armed(&c->timer) || when < c->timer.when_ms)
        loop_timer_arm(c->hub->loop, &c->timer, when);
}

/* Watch the device's fd while a request pends on it (and the device says
 * it can take input). */
static bool update_device_watch(conn *c)
{
    int fd = c->state == CONN_PENDING ? rules_wait(&c->session).fd : -1;
    if (fd == c->watched_fd)
        return true;
    if (c->watched_fd >= 0)
        loop_unwatch(c->hub->loop, c->watched_fd);
    c->watched_fd = -1;
    if (fd >= 0 && loop_watch(c->hub->loop, fd, LOOP_READABLE, on_device, c) < 0)
        return false;
    c->watched_fd = fd;
    return true;
}

/* The events that follow from the state of the buffers. */
static void settle_events(conn *c)
{
    if (c->state == CONN_DRAINING && !c->backlog.len) /* else: answers wait for the socket to drain */
        transition(c, EV_INPUT_DONE, rio_framer_mid_pdu(&c->framer) ? "peer disconnected in the middle of a request"
                                                                    : "peer disconnected");
    if (c->state == CONN_CLOSING && !c->out.len)
        transition(c, EV_SENT, NULL);
}

static void free_conn(conn *c)
{
    conn_hub *h = c->hub;
    work_remove(c);
    rules_release(&c->session, loop_now(h->loop));
    c->state = CONN_DEAD;
    update_device_watch(c);
    loop_timer_disarm(h->loop, &c->timer);
    loop_unwatch(h->loop, c->fd);
    close(c->fd);
    rio_framer_free(&c->framer);
    sync_charge(c);
    buf_free(&c->backlog);
    buf_free(&c->out);
    if (c->prev)
        c->prev->next = c->next;
    else
        h->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    h->nconns--;
    free(c);
}

void conn_destroy(conn *c, const char *reason)
{
    conn_abort(c, reason);
    free_conn(c);
}

/* After any event: destroy a dead connection, or bring its work-list
 * place, its interest, its device watch and its deadline up to date. */
static void settle(conn *c)
{
    settle_events(c);
    if (c->state == CONN_DEAD) {
        free_conn(c);
        return;
    }
    bool framing = c->state == CONN_SERVING || c->state == CONN_DRAINING;
    if (c->backlog.len && framing && can_frame(c))
        work_add(c); /* the rest of its requests: next turn */
    else
        work_remove(c);
    unsigned mask = 0;
    bool reading = c->state == CONN_SERVING || c->state == CONN_PENDING;
    if (c->state == CONN_LINGERING || (reading && c->backlog.len < BACKLOG_MAX))
        mask |= LOOP_READABLE;
    if (c->out.len)
        mask |= LOOP_WRITABLE;
    if (loop_set_mask(c->hub->loop, c->fd, mask) < 0 || !update_device_watch(c)) {
        conn_abort(c, "epoll error");
        free_conn(c);
        return;
    }
    update_timer(c);
}
