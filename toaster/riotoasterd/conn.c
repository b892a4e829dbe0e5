/* conn.c — one connection's bytes.
 *
 * Input: bytes are read into the server's shared scratch buffer and framed
 * straight from there; only what cannot be handled yet (a READ pends, the
 * output queue is full) is copied into the connection's backlog.  One
 * request is framed only after the previous one is answered, so pipelined
 * requests are answered in order and none is lost; reading stops while the
 * backlog is full (backpressure).
 *
 * Output: a response goes out in one writev (header + data); what the
 * socket does not take is queued and sent on EPOLLOUT.
 *
 * Closing: conn_finish lets the queued answers go out, then shuts the socket
 * down for writing and discards input until the peer closes (a lingering
 * close: closing with unread input would send a RST that can destroy the
 * last answer before the client reads it). */
#include <errno.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "server.h"

#define LINGER_MS 2000 /* longest wait for the peer's FIN after our shutdown */

static void on_event(loop *l, int fd, void *data, unsigned mask);
static void on_timer(loop *l, void *data);
static void conn_abort(conn *c, const char *reason);

conn *conn_new(server *s, int fd, device *fixed_dev)
{
    /* One timer per connection and device, one for accepts: arming never allocates. */
    if (loop_timer_reserve(s->loop, s->nconns + s->ndevices + 2) < 0)
        return NULL;
    conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->srv = s;
    c->fd = fd;
    c->fixed_dev = fixed_dev;
    rio_framer_init(&c->framer, RIO_REQUEST);
    loop_timer_init(&c->timer, on_timer, c);
    c->last_active = c->out_progress = loop_now(s->loop);
    if (loop_watch(s->loop, fd, LOOP_READABLE, on_event, c) < 0) {
        free(c);
        return NULL;
    }
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    s->nconns++;
    return c;
}

/* ---- the work list: connections with framed-later requests (fairness) ---- */

static void work_remove(conn *c)
{
    server *s = c->srv;
    if (!c->on_work)
        return;
    if (c->work_prev)
        c->work_prev->work_next = c->work_next;
    else
        s->work_head = c->work_next;
    if (c->work_next)
        c->work_next->work_prev = c->work_prev;
    else
        s->work_tail = c->work_prev;
    c->work_prev = c->work_next = NULL;
    c->on_work = false;
}

static void work_add(conn *c)
{
    server *s = c->srv;
    if (c->on_work)
        return;
    c->on_work = true;
    c->work_turn = s->turn;
    c->work_prev = s->work_tail;
    c->work_next = NULL;
    if (s->work_tail)
        s->work_tail->work_next = c;
    else
        s->work_head = c;
    s->work_tail = c;
}

/* Each connection with requests still buffered frames one more slice, in
 * the order they asked; those that join during this pass wait for the
 * next turn, so every other socket is polled in between (like redis, one
 * connection never holds the loop for a whole 64 KiB of requests). */
void conn_run_work(server *s)
{
    s->turn++;
    while (s->work_head && s->work_head->work_turn < s->turn) {
        conn *c = s->work_head;
        work_remove(c);
        conn_resume(c);
        conn_settle(c);
    }
}

/* ---- the request-data budget (--request-budget) -------------------------- */

/* Keep the server's total in step with what this connection's framer holds. */
static void sync_charge(conn *c)
{
    c->srv->request_held = c->srv->request_held - c->charged + c->framer.data_cap;
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
    server *s = c->srv;
    size_t budget = s->cfg->request_budget;
    if (s->request_held - c->charged + h.data_length <= budget)
        return true;
    log_msg("request budget %s: a request of %u data bytes would exceed %zu bytes held (%zu held now)", c->peer,
            h.data_length, budget, s->request_held);
    conn_abort(c, "request budget exhausted");
    return false;
}

void conn_destroy(conn *c)
{
    server *s = c->srv;
    if (!c->closing) /* a closing connection was logged by conn_finish */
        log_msg("close %s: %s", c->peer, c->reason ? c->reason : "server stopping");
    work_remove(c);
    device_release(c);
    loop_timer_disarm(s->loop, &c->timer);
    loop_unwatch(s->loop, c->fd);
    close(c->fd);
    rio_framer_free(&c->framer);
    sync_charge(c);
    buf_free(&c->backlog);
    buf_free(&c->out);
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    s->nconns--;
    free(c);
    server_conn_gone(s);
}

/* Drop the connection at once (peer gone, socket error). */
static void conn_abort(conn *c, const char *reason)
{
    if (!c->closing)
        c->reason = reason;
    c->dead = true;
}

void conn_finish(conn *c, const char *reason)
{
    if (c->closing)
        return;
    c->closing = true;
    c->reason = reason;
    c->close_start = loop_now(c->srv->loop);
    log_msg("close %s: %s", c->peer, reason);
    device_release(c); /* the handle is given back now, not at the FIN */
}

bool conn_can_frame(const conn *c)
{
    return !c->closing && !c->dead && !c->pending_read && c->out.len < OUT_MAX;
}

static bool can_frame_now(const conn *c)
{
    return c->slice > 0 && conn_can_frame(c);
}

/* ---- output ------------------------------------------------------------ */

/* A client whose unsent answers exceed --max-output-bytes is not reading:
 * it is closed at once (checked after each write attempt). */
static void check_output_limit(conn *c)
{
    size_t max = c->srv->cfg->max_output;
    if (c->out.len <= max || c->dead)
        return;
    log_msg("output limit %s: %zu bytes of answers unsent exceed %zu", c->peer, c->out.len, max);
    conn_abort(c, "output buffer limit");
}

/* Queue iov after its first `skip` bytes, behind what is queued. */
static void queue_rest(conn *c, const struct iovec *iov, int n, size_t skip)
{
    if (!c->out.len)
        c->out_progress = loop_now(c->srv->loop); /* the write-stall clock starts */
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

void conn_send(conn *c, const uint8_t hdr[RIO_HEADER_SIZE], const uint8_t *data, uint32_t len)
{
    struct iovec iov[2] = {{(void *)hdr, RIO_HEADER_SIZE}, {(void *)data, len}};
    int n = len ? 2 : 1;
    c->last_active = loop_now(c->srv->loop);
    if (c->dead)
        return;
    /* Keep order behind what is queued; while a slice of pipelined requests
     * is answered, small answers are gathered and go out in one write. */
    if (c->out.len || (c->corked && len <= CORK_MAX)) {
        queue_rest(c, iov, n, 0);
        return;
    }
    ssize_t w = writev(c->fd, iov, n);
    if (w < 0 && errno != EAGAIN && errno != EINTR) {
        conn_abort(c, errno == EPIPE || errno == ECONNRESET ? "peer reset" : "write error");
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
            conn_abort(c, errno == EPIPE || errno == ECONNRESET ? "peer reset" : "write error");
            return;
        }
        buf_consume(&c->out, (size_t)w);
        c->out_progress = loop_now(c->srv->loop);
    }
    if (!c->out.len) /* an idle connection holds no output buffer */
        buf_free(&c->out);
    check_output_limit(c);
}

/* ---- input ------------------------------------------------------------- */

size_t conn_consume(conn *c, const uint8_t *data, size_t len)
{
    size_t pos = 0;
    bool corked = c->corked; /* nested: accept_version_2 feeds a header again */
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
        c->in_pdu = false;
        c->slice--;
        if (c->srv->cfg->trace)
            c->req_us = (uint64_t)g_get_monotonic_time();
        if (r == RIO_FEED_ERROR) {
            session_framing_error(c);
            continue;
        }
        session_handle(c, &pdu);
        /* A big request's buffer is not kept for the life of the connection
         * (nor charged to the request budget while it idles). */
        if (c->framer.data_cap > RIO_TOASTER_MAX_LOAD_BYTES)
            rio_framer_free(&c->framer);
    }
    sync_charge(c);
    c->corked = corked;
    if (!corked && !c->dead)
        flush_out(c);
    if (!c->in_pdu && rio_framer_mid_pdu(&c->framer)) {
        c->in_pdu = true;
        c->pdu_start = loop_now(c->srv->loop);
    }
    return pos;
}

void conn_resume(conn *c)
{
    c->slice = SLICE_PDUS;
    if (!c->backlog.len || !conn_can_frame(c))
        return;
    size_t used = conn_consume(c, buf_begin(&c->backlog), c->backlog.len);
    buf_consume(&c->backlog, used);
}

static void discard_input(conn *c)
{
    ssize_t n = read(c->fd, c->srv->scratch, SCRATCH_SIZE);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
        c->dead = true;
}

/* Read once: straight into scratch when nothing waits, else into the
 * backlog behind what waits. */
static void read_input(conn *c)
{
    c->slice = SLICE_PDUS;
    bool direct = !c->backlog.len && conn_can_frame(c);
    uint8_t *into = direct ? c->srv->scratch : buf_reserve(&c->backlog, SCRATCH_SIZE);
    if (!into) {
        conn_abort(c, "out of memory");
        return;
    }
    ssize_t n = read(c->fd, into, SCRATCH_SIZE);
    if (n == 0) {
        c->peer_eof = true; /* conn_settle decides when to close */
        return;
    }
    if (n < 0) {
        if (errno != EAGAIN && errno != EINTR)
            conn_abort(c, "peer reset");
        return;
    }
    if (!direct) {
        c->backlog.len += (size_t)n;
        conn_resume(c);
        return;
    }
    size_t used = conn_consume(c, into, (size_t)n);
    if (used < (size_t)n && !c->closing && !buf_append(&c->backlog, into + used, (size_t)n - used))
        conn_abort(c, "out of memory");
}

static void on_event(loop *l, int fd, void *data, unsigned mask)
{
    (void)l;
    (void)fd;
    conn *c = data;
    if (mask & LOOP_WRITABLE) {
        flush_out(c);
        conn_resume(c);
    }
    if ((mask & LOOP_READABLE) && !c->dead)
        c->lingering ? discard_input(c) : read_input(c);
    conn_settle(c);
}

/* ---- deadlines ----------------------------------------------------------- */

static uint64_t earliest(uint64_t a, uint64_t b)
{
    return !a ? b : !b ? a : a < b ? a : b;
}

/* Unsent answers must move within --write-timeout (0: none pending). */
static uint64_t write_deadline(const conn *c)
{
    return c->out.len ? c->out_progress + c->srv->cfg->write_ms : 0;
}

/* The earliest deadline that applies now, or 0 for none. */
static uint64_t deadline(const conn *c)
{
    const server_config *cfg = c->srv->cfg;
    if (c->lingering)
        return c->close_start + LINGER_MS;
    if (c->closing) /* answers must drain within a stall timeout */
        return c->close_start + cfg->stall_ms;
    uint64_t when = write_deadline(c);
    if (c->pending_read)
        return when; /* a READ waiting on the toaster is never idle */
    if (c->in_pdu)
        return earliest(when, c->pdu_start + cfg->stall_ms);
    return earliest(when, cfg->idle_ms ? c->last_active + cfg->idle_ms : 0);
}

static void on_timer(loop *l, void *data)
{
    conn *c = data;
    uint64_t when = deadline(c);
    if (when == 0)
        return;
    if (when > loop_now(l)) {
        loop_timer_arm(l, &c->timer, when);
        return;
    }
    const server_config *cfg = c->srv->cfg;
    if (c->lingering || c->closing) {
        conn_abort(c, c->reason);
    } else if (write_deadline(c) && write_deadline(c) <= loop_now(l)) {
        log_msg("timeout %s: no write progress for %.3f s (%zu bytes of answers unsent)", c->peer,
                (double)cfg->write_ms / 1000, c->out.len);
        conn_abort(c, "write timeout"); /* nothing more can reach a peer that does not read */
    } else if (c->in_pdu) {
        log_msg("timeout %s: request incomplete after %.3f s", c->peer, (double)cfg->stall_ms / 1000);
        conn_finish(c, "stall timeout");
    } else {
        log_msg("timeout %s: idle for %.3f s", c->peer, (double)cfg->idle_ms / 1000);
        conn_finish(c, "idle timeout");
    }
    conn_settle(c);
}

/* Timers are re-armed lazily: an armed timer that fires early re-arms for
 * the current deadline, so the hot path only moves it when it gets earlier. */
static void update_timer(conn *c)
{
    uint64_t when = deadline(c);
    if (when == 0)
        loop_timer_disarm(c->srv->loop, &c->timer);
    else if (!loop_timer_armed(&c->timer) || when < c->timer.when_ms)
        loop_timer_arm(c->srv->loop, &c->timer, when);
}

static void start_linger(conn *c)
{
    c->lingering = true;
    c->close_start = loop_now(c->srv->loop);
    buf_free(&c->backlog);
    shutdown(c->fd, SHUT_WR);
}

/* After the peer's FIN (RIO-SES-016, RIO-SES-019): requests received whole
 * are still answered in order; a READ waiting on a toast cycle is dropped
 * with the device (RIO-SES-025); then the connection closes. */
static void check_peer_eof(conn *c)
{
    if (!c->peer_eof || c->closing || c->dead)
        return;
    if (c->pending_read)
        conn_abort(c, "peer disconnected with a READ pending");
    else if (!c->backlog.len) /* else: answers wait for the socket to drain */
        conn_finish(c, rio_framer_mid_pdu(&c->framer) ? "peer disconnected in the middle of a request"
                                                      : "peer disconnected");
}

void conn_settle(conn *c)
{
    check_peer_eof(c);
    if (c->dead) {
        conn_destroy(c);
        return;
    }
    if (c->closing && !c->out.len && !c->lingering)
        start_linger(c);
    if (c->backlog.len && conn_can_frame(c) && !c->lingering)
        work_add(c); /* the rest of its requests: next turn */
    else
        work_remove(c);
    unsigned mask = 0;
    if (c->lingering || (!c->closing && !c->peer_eof && c->backlog.len < BACKLOG_MAX))
        mask |= LOOP_READABLE;
    if (c->out.len)
        mask |= LOOP_WRITABLE;
    if (loop_set_mask(c->srv->loop, c->fd, mask) < 0) {
        c->reason = "epoll error";
        conn_destroy(c);
        return;
    }
    update_timer(c);
}
