/* client.c — `rio-replay client`: the recorded clients against a live server.
 *
 * Every recorded session gets a real TCP connection; clientplan.c says in
 * which order actions may run.  This file runs them, compares what comes
 * back and classifies closes, resets and hangs.  One poll() loop drives
 * all connections. */
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "clientplan.h"
#include "commands.h"
#include "netaddr.h"
#include "records.h"
#include "replayutil.h"
#include "report.h"

/* ---- results -------------------------------------------------------------- */

static void result(client *c, live *ls, const rr_txn *t, rr_outcome outcome, const char *note,
                   GArray *diffs, const char *hexdump, const char *live_text)
{
    rr_result r = {.session = ls->rec, .txn = t, .outcome = outcome, .note = note,
                   .diffs = diffs, .hexdump = hexdump, .live = live_text};
    rr_report_add(&c->rep, &r);
}

static void close_diff(client *c, live *ls, const rr_txn *t, const char *recorded,
                       const char *live_text, const char *note)
{
    GArray *diffs = g_array_new(FALSE, FALSE, sizeof(rr_diff));
    rr_diff d = {.field = RR_FIELD_CLOSE, .data_offset = -1};
    g_strlcpy(d.recorded, recorded, sizeof d.recorded);
    g_strlcpy(d.live, live_text, sizeof d.live);
    g_array_append_val(diffs, d);
    result(c, ls, t, RR_OUTCOME_DIVERGED, note, diffs, NULL, NULL);
    g_array_free(diffs, TRUE);
}

static void release(rr_txn *t)
{
    if (!t)
        return;
    /* The bytes are not needed any more: keep memory to what is in flight. */
    if (t->req.bytes)
        g_byte_array_free(t->req.bytes, TRUE);
    if (t->resp.bytes)
        g_byte_array_free(t->resp.bytes, TRUE);
    t->req.bytes = t->resp.bytes = NULL;
}

/* Give up on a session: what is still expected will not be replayed. */
static void abort_session(client *c, live *ls, const char *note)
{
    if (ls->aborted)
        return;
    ls->aborted = true;
    g_strlcpy(ls->note, note, sizeof ls->note);
    expect *e;
    while ((e = g_queue_pop_head(&ls->expects))) {
        if (e->kind == EXP_RESPONSE)
            result(c, ls, e->txn, RR_OUTCOME_NOT_RUN, ls->note, NULL, NULL, NULL);
        g_free(e);
    }
    rr_peer_close(&ls->peer);
}

static void maybe_finish(live *ls)
{
    if (!ls->finished && !ls->actions_left && g_queue_is_empty(&ls->expects)) {
        ls->finished = true;
        if (ls->peer.out)
            rr_peer_flush(&ls->peer);
        rr_peer_close(&ls->peer);
    }
}

/* ---- actions -------------------------------------------------------------- */

static void expect_push(live *ls, exp_kind kind, rr_txn *t, int64_t ts, bool lenient)
{
    expect *e = g_new0(expect, 1);
    e->kind = kind;
    e->txn = t;
    e->ts = ts;
    e->lenient = lenient;
    g_queue_push_tail(&ls->expects, e);
}

static void do_connect(client *c, live *ls)
{
    char err[256];
    int port = rr_live_port(c->o, ls->rec->server.port);
    int fd = rr_connect(c->o->target_host, port, c->o->timeout, err, sizeof err);
    if (fd < 0) {
        result(c, ls, NULL, RR_OUTCOME_UNREACHABLE, err, NULL, NULL, NULL);
        abort_session(c, ls, "the live server could not be reached");
        return;
    }
    rr_peer_close(&ls->peer);
    rr_peer_init(&ls->peer, fd, RIO_RESPONSE);
}

static bool last_send(const live *ls, const rr_txn *t)
{
    return t->index + 1 == ls->rec->txns->len;
}

static void send_create(live *ls)
{
    uint32_t seq = 0;
    for (guint k = 0; k < ls->rec->txns->len && !seq; k++) {
        const rr_txn *t = g_ptr_array_index(ls->rec->txns, k);
        if (rr_replayable_request(t))
            seq = t->req.pdu.hdr.sequence - 1;
    }
    rio_header h = rio_request_header(RIO_MJ_CREATE, seq, 0, 0, 0);
    uint8_t raw[RIO_HEADER_SIZE];
    rio_header_encode(&h, raw);
    rr_peer_send(&ls->peer, raw, sizeof raw);
    expect_push(ls, EXP_RESPONSE, NULL, ls->rec->ts_start, false);
}

static void do_send(client *c, live *ls, rr_txn *t)
{
    if (!t) {
        if (!ls->aborted)
            send_create(ls);
        return;
    }
    if (ls->aborted) {
        result(c, ls, t, RR_OUTCOME_NOT_RUN, ls->note, NULL, NULL, NULL);
        return;
    }
    if (!rr_replayable_request(t)) {
        result(c, ls, t, RR_OUTCOME_INCOMPLETE, NULL, NULL, NULL, NULL);
        return;
    }
    rr_fill_request(t);
    rr_peer_send(&ls->peer, t->req.bytes->data, t->req.bytes->len);
    bool lenient = !rr_txn_complete(t);
    int64_t ts = t->resp.present ? t->resp.pdu.ts_last
                 : t->server_closed && ls->rec->ts_server_fin ? ls->rec->ts_server_fin
                                                              : t->req.pdu.ts_last;
    expect_push(ls, EXP_RESPONSE, t, ts, lenient);
    /* The recorded server closed by itself after the last answer. */
    if (last_send(ls, t) && ls->rec->server_closed_first && t->resp.present)
        expect_push(ls, EXP_CLOSE, NULL, ls->rec->ts_server_fin, false);
}

static void do_close(client *c, live *ls)
{
    (void)c;
    if (ls->aborted || ls->peer.fd < 0)
        return;
    ls->peer.shut_pending = true;
    /* The recorded server closed in reply: wait for the live one to, so the
     * device is free before a later session's CREATE. */
    if (ls->rec->ts_server_fin && !ls->rec->server_closed_first)
        expect_push(ls, EXP_CLOSE, NULL, ls->rec->ts_server_fin, false);
}

static void fire(client *c, action *a)
{
    switch (a->kind) {
    case ACT_CONNECT: do_connect(c, a->ls); break;
    case ACT_SEND: do_send(c, a->ls, a->txn); break;
    case ACT_CLOSE: do_close(c, a->ls); break;
    }
    a->ls->actions_left--;
    rr_peer_flush(&a->ls->peer);
    maybe_finish(a->ls);
}

/* Fire what may fire; returns the wall time of the next timed action, or 0. */
static double run_actions(client *c, double now)
{
    double wake;
    action *a;
    while ((a = rr_plan_next(c, now, &wake)))
        fire(c, a);
    return wake;
}

/* ---- live events ---------------------------------------------------------- */

typedef struct pdu_ctx {
    client *c;
    live *ls;
} pdu_ctx;

static void compare_response(client *c, live *ls, rr_txn *t, const rio_pdu *pdu)
{
    uint8_t hdr[RIO_HEADER_SIZE];
    rio_header_encode(&pdu->header, hdr);
    rr_pdu_view live_view = {hdr, pdu->data, pdu->header.data_length};
    rr_pdu_view rec_view = rr_view_of_bytes(t->resp.bytes->data, t->resp.bytes->len);
    g_array_set_size(c->diffs, 0);
    g_string_truncate(c->hex, 0);
    rr_compare_pdus(rec_view, live_view, RIO_RESPONSE, c->o->ignore, c->diffs);
    for (guint i = 0; i < c->diffs->len; i++) {
        const rr_diff *d = &g_array_index(c->diffs, rr_diff, i);
        if (d->field == RR_FIELD_DATA)
            rr_hexdump_diff(c->hex, rec_view, live_view, (size_t)d->data_offset);
    }
    if (c->diffs->len || c->o->json) /* only shown then: keep the fast path lean */
        rr_live_text(c->text, &pdu->header, RIO_RESPONSE);
    result(c, ls, t, c->diffs->len ? RR_OUTCOME_DIVERGED : RR_OUTCOME_MATCH, NULL, c->diffs,
           c->hex->str, c->text->str);
}

static void on_pdu(void *ctx, const rio_pdu *pdu)
{
    pdu_ctx *p = ctx;
    live *ls = p->ls;
    if (ls->aborted)
        return;
    expect *e = g_queue_peek_head(&ls->expects);
    GString *text = p->c->text;
    g_string_truncate(text, 0);
    if (!e || e->kind == EXP_CLOSE || !e->txn || !e->txn->resp.present)
        rr_live_text(text, &pdu->header, RIO_RESPONSE);
    if (!e || e->kind == EXP_CLOSE) {
        result(p->c, ls, NULL, RR_OUTCOME_DIVERGED, "unexpected response from the live server",
               NULL, NULL, text->str);
    } else if (!e->txn) {
        g_queue_pop_head(&ls->expects);
        if (pdu->header.status != RIO_STATUS_SUCCESS)
            result(p->c, ls, NULL, RR_OUTCOME_DIVERGED,
                   "the CREATE prepended to this mid-stream session was refused", NULL, NULL, text->str);
        g_free(e);
    } else {
        g_queue_pop_head(&ls->expects);
        if (e->lenient)
            result(p->c, ls, e->txn, RR_OUTCOME_INCOMPLETE, NULL, NULL, NULL, NULL);
        else if (!e->txn->resp.present)
            close_diff(p->c, ls, e->txn, "connection closed", text->str,
                       "the recorded server closed without answering; the live one answered");
        else
            compare_response(p->c, ls, e->txn, pdu);
        release(e->txn);
        g_free(e);
    }
}

static void on_closed(client *c, live *ls, rr_peer_event ev)
{
    const char *how = ev == RR_PEER_RESET ? "connection reset" : "connection closed";
    expect *e = g_queue_pop_head(&ls->expects);
    if (e && e->kind == EXP_RESPONSE && !e->txn) {
        close_diff(c, ls, NULL, "answer to the prepended CREATE", how, "the live server closed");
    } else if (e && e->kind == EXP_RESPONSE && !e->txn->resp.present && !e->lenient) {
        result(c, ls, e->txn, RR_OUTCOME_MATCH, NULL, NULL, NULL, NULL); /* closed, as recorded */
    } else if (e && e->kind == EXP_RESPONSE) {
        GString *rec = g_string_new(NULL);
        rr_record_text(rec, &e->txn->resp, RR_DIR_RESPONSE);
        if (e->lenient)
            result(c, ls, e->txn, RR_OUTCOME_INCOMPLETE, NULL, NULL, NULL, NULL);
        else
            close_diff(c, ls, e->txn, rec->str, how, "the live server closed instead of answering");
        g_string_free(rec, TRUE);
    } else if (!e && ls->actions_left && ls->rec->txns->len) {
        close_diff(c, ls, NULL, "connection open", how, "the live server closed the connection early");
    }
    g_free(e);
    abort_session(c, ls, ev == RR_PEER_RESET ? "the live server reset the connection"
                                             : "the live server closed the connection");
}

static void on_framing(client *c, live *ls)
{
    char note[128];
    snprintf(note, sizeof note, "the live answer breaks framing: %s",
             rio_error_text(ls->peer.framer.error));
    expect *e = g_queue_peek_head(&ls->expects);
    result(c, ls, e && e->kind == EXP_RESPONSE ? e->txn : NULL, RR_OUTCOME_DIVERGED, note, NULL,
           NULL, NULL);
    if (e && e->kind == EXP_RESPONSE) {
        g_queue_pop_head(&ls->expects);
        g_free(e);
    }
    abort_session(c, ls, "the live server's stream broke framing");
}

static void readable(client *c, live *ls)
{
    pdu_ctx p = {c, ls};
    rr_peer_event ev = rr_peer_read(&ls->peer, on_pdu, &p);
    if (ls->aborted)
        return;
    if (ev == RR_PEER_EOF || ev == RR_PEER_RESET)
        on_closed(c, ls, ev);
    else if (ev == RR_PEER_FRAMING)
        on_framing(c, ls);
}

static void timed_out(client *c, live *ls, expect *e)
{
    char note[160];
    g_queue_pop_head(&ls->expects);
    if (e->kind == EXP_CLOSE) {
        snprintf(note, sizeof note, "the recorded server closed the connection; the live one "
                 "kept it open for %g s", c->o->timeout);
        close_diff(c, ls, NULL, "connection closed", "still open", note);
    } else if (e->lenient && e->txn) {
        result(c, ls, e->txn, RR_OUTCOME_INCOMPLETE, NULL, NULL, NULL, NULL);
        g_free(e);
        return;
    } else {
        snprintf(note, sizeof note, "no answer within %g s: the live server hangs (connection "
                 "still open)", c->o->timeout);
        result(c, ls, e->txn, RR_OUTCOME_TIMEOUT, note, NULL, NULL, NULL);
    }
    g_free(e);
    abort_session(c, ls, "an earlier transaction timed out");
}

/* Start the clock of each session's head expectation; expire overdue ones.
 * Returns the earliest deadline still running, or 0. */
static double check_deadlines(client *c, double now)
{
    double next = 0;
    for (guint i = 0; i < c->lives->len; i++) {
        live *ls = g_ptr_array_index(c->lives, i);
        expect *e = g_queue_peek_head(&ls->expects);
        if (!e || ls->aborted)
            continue;
        if (e->deadline == 0)
            e->deadline = now + c->o->timeout;
        if (now >= e->deadline) {
            timed_out(c, ls, e);
            maybe_finish(ls);
            continue;
        }
        if (!next || e->deadline < next)
            next = e->deadline;
    }
    return next;
}

/* ---- the loop ------------------------------------------------------------- */

static bool all_done(const client *c)
{
    if (c->next < c->actions->len)
        return false;
    for (guint i = 0; i < c->lives->len; i++) {
        const live *ls = g_ptr_array_index(c->lives, i);
        if (!ls->finished && !ls->aborted)
            return false;
    }
    return true;
}

static void poll_once(client *c, double wake)
{
    guint n = c->lives->len;
    struct pollfd *fds = c->fds;
    for (guint i = 0; i < n; i++) {
        live *ls = g_ptr_array_index(c->lives, i);
        fds[i].fd = ls->aborted || ls->finished ? -1 : ls->peer.fd;
        fds[i].events = POLLIN | (rr_peer_wants_write(&ls->peer) ? POLLOUT : 0);
    }
    double now = rr_now();
    int ms = wake ? (int)ceil((wake - now) * 1000) : 1000;
    poll(fds, n, ms < 0 ? 0 : ms > 1000 ? 1000 : ms);
    for (guint i = 0; i < n; i++) {
        live *ls = g_ptr_array_index(c->lives, i);
        if (fds[i].fd < 0 || ls->aborted)
            continue;
        if (fds[i].revents & POLLOUT)
            rr_peer_flush(&ls->peer);
        if (fds[i].revents & (POLLIN | POLLHUP | POLLERR))
            readable(c, ls);
        maybe_finish(ls);
    }
}

static void live_free(gpointer p)
{
    live *ls = p;
    expect *e;
    while ((e = g_queue_pop_head(&ls->expects)))
        g_free(e);
    rr_peer_close(&ls->peer);
    g_free(ls);
}

int rr_cmd_client(const rr_options *o)
{
    bool read_error = false;
    GPtrArray *sessions = rr_load_sessions(o, &read_error);
    if (!sessions)
        return RR_EXIT_USAGE;
    if (!sessions->len) {
        if (!read_error)
            rr_error("%s: no RIO session to replay%s", o->capture,
                 o->sessions->len ? " (check --session)" : "");
        g_ptr_array_free(sessions, TRUE);
        return RR_EXIT_USAGE;
    }
    client c = {.o = o, .lives = g_ptr_array_new_with_free_func(live_free),
                .actions = g_array_new(FALSE, FALSE, sizeof(action))};
    rr_report_init(&c.rep, o, "client");
    c.rep.sessions = sessions->len;
    c.fds = g_new0(struct pollfd, sessions->len);
    c.diffs = g_array_new(FALSE, FALSE, sizeof(rr_diff));
    c.hex = g_string_new(NULL);
    c.text = g_string_new(NULL);
    rr_plan_build(&c, sessions);
    c.wall0 = rr_now();
    while (!all_done(&c)) {
        double next_action = run_actions(&c, rr_now());
        double deadline = check_deadlines(&c, rr_now());
        if (all_done(&c))
            break;
        double wake = next_action && (!deadline || next_action < deadline) ? next_action : deadline;
        poll_once(&c, wake);
    }
    c.rep.elapsed = rr_now() - c.wall0;
    int code = rr_report_finish(&c.rep);
    g_free(c.fds);
    g_array_free(c.diffs, TRUE);
    g_string_free(c.hex, TRUE);
    g_string_free(c.text, TRUE);
    g_ptr_array_free(c.lives, TRUE);
    g_array_free(c.actions, TRUE);
    g_ptr_array_free(sessions, TRUE);
    return read_error ? RR_EXIT_USAGE : code;
}
