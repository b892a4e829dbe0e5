/* replayclient.c — `rio-replay client`: the recorded clients against a live server.
 *
 * Every recorded session gets a real TCP connection; clientplan.c says in
 * which order actions may run.  This file runs them, compares what comes
 * back and classifies closes, resets and hangs.  One poll() loop drives
 * all connections and reads the capture (load.h) while it waits, a bounded
 * way ahead; each transaction is freed once its result is reported. */
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "clientplan.h"
#include "replaycmds.h"
#include "console.h"
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

/* A transaction is freed once reported: memory stays at what is in flight. */
static void expect_free(expect *e)
{
    rr_txn_free(e->txn);
    g_free(e);
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
        expect_free(e);
    }
    rr_peer_close(&ls->peer);
}

static void maybe_finish(live *ls)
{
    if (!ls->finished && g_queue_is_empty(&ls->expects) && !rr_plan_actions_left(ls)) {
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

/* A live port that could not be reached is tried once: one error line,
 * and every later session for it is unreachable at once. */
static void do_connect(client *c, live *ls)
{
    char err[256];
    int port = rr_live_port(c->o, ls->rec->server.port);
    const char *known = g_hash_table_lookup(c->unreachable, GINT_TO_POINTER(port));
    int fd = known ? -1 : rr_connect(c->o->target_host, port, c->o->timeout, err, sizeof err);
    if (fd < 0) {
        if (!known) {
            rr_error("%s (every session for this port is reported unreachable)", err);
            known = g_strdup(err);
            g_hash_table_insert(c->unreachable, GINT_TO_POINTER(port), (gpointer)known);
        }
        result(c, ls, NULL, RR_OUTCOME_UNREACHABLE, known, NULL, NULL, NULL);
        abort_session(c, ls, "the live server could not be reached");
        return;
    }
    rr_peer_close(&ls->peer);
    rr_peer_init(&ls->peer, fd, RIO_RESPONSE);
}

/* t was just taken: the last one if none is left and the session ended. */
static bool last_send(const live *ls)
{
    return ls->rec->loaded && !rr_recorded_pending(ls->rec);
}

static void send_create(live *ls)
{
    uint32_t seq = 0;
    for (guint k = 0; k < rr_recorded_pending(ls->rec) && !seq; k++) {
        const rr_txn *t = rr_recorded_peek(ls->rec, k);
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
    if (ls->aborted || !rr_replayable_request(t)) {
        result(c, ls, t, ls->aborted ? RR_OUTCOME_NOT_RUN : RR_OUTCOME_INCOMPLETE,
               ls->aborted ? ls->note : NULL, NULL, NULL, NULL);
        rr_txn_free(t);
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
    if (last_send(ls) && ls->rec->server_closed_first && t->resp.present)
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
    rr_peer_flush(&a->ls->peer);
    maybe_finish(a->ls);
}

/* Fire what may fire; returns the wall time of the next timed action, or 0,
 * and why the next one may not run yet. */
static double run_actions(client *c, double now, plan_wait *why)
{
    double wake;
    action a;
    while (rr_plan_next(c, now, &a, why, &wake))
        fire(c, &a);
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
        expect_free(e);
    } else {
        g_queue_pop_head(&ls->expects);
        if (e->lenient)
            result(p->c, ls, e->txn, RR_OUTCOME_INCOMPLETE, NULL, NULL, NULL, NULL);
        else if (!e->txn->resp.present)
            close_diff(p->c, ls, e->txn, "connection closed", text->str,
                       "the recorded server closed without answering; the live one answered");
        else
            compare_response(p->c, ls, e->txn, pdu);
        expect_free(e);
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
    } else if (!e && rr_plan_actions_left(ls) && ls->rec->delivered) {
        close_diff(c, ls, NULL, "connection open", how, "the live server closed the connection early");
    }
    if (e)
        expect_free(e);
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
        expect_free(e);
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
        expect_free(e);
        return;
    } else {
        snprintf(note, sizeof note, "no answer within %g s: the live server hangs (connection "
                 "still open)", c->o->timeout);
        result(c, ls, e->txn, RR_OUTCOME_TIMEOUT, note, NULL, NULL, NULL);
    }
    expect_free(e);
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

#define RR_READ_AHEAD 256   /* transactions read but not sent, beyond what is needed */
#define RR_READ_WAITING 8   /* packets read per turn while waiting for the server */
#define RR_READ_NEEDED 256  /* packets read per turn when nothing can run without them */

static bool live_done(live *ls)
{
    return (ls->finished || ls->aborted) && !rr_plan_actions_left(ls);
}

static bool all_done(const client *c)
{
    if (!rr_loader_done(c->loader))
        return false;
    for (guint i = 0; i < c->lives->len; i++)
        if (!live_done(g_ptr_array_index(c->lives, i)))
            return false;
    return true;
}

static void poll_once(client *c, double wake, bool no_wait)
{
    guint n = c->lives->len;
    if (n > c->nfds) {
        c->nfds = MAX(n, 2 * c->nfds);
        c->fds = g_renew(struct pollfd, c->fds, c->nfds);
    }
    struct pollfd *fds = c->fds;
    for (guint i = 0; i < n; i++) {
        live *ls = g_ptr_array_index(c->lives, i);
        fds[i].fd = ls->aborted || ls->finished ? -1 : ls->peer.fd;
        fds[i].events = POLLIN | (rr_peer_wants_write(&ls->peer) ? POLLOUT : 0);
        fds[i].revents = 0;
    }
    double now = rr_now();
    int ms = no_wait ? 0 : wake ? (int)ceil((wake - now) * 1000) : 1000;
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
    rr_report_session_done(ls->rep, ls->rec->id);
    expect *e;
    while ((e = g_queue_pop_head(&ls->expects)))
        expect_free(e);
    rr_peer_close(&ls->peer);
    rr_recorded_free(ls->rec);
    g_free(ls);
}

/* Sessions replayed and reported to the end are forgotten. */
static void sweep(client *c)
{
    for (guint i = 0; i < c->lives->len;) {
        live *ls = g_ptr_array_index(c->lives, i);
        if (ls->rec->loaded && live_done(ls) && g_queue_is_empty(&ls->expects))
            g_ptr_array_remove_index(c->lives, i);
        else
            i++;
    }
}

static void on_session(void *ctx, rr_recorded *rec)
{
    client *c = ctx;
    rr_plan_add(c, rec);
    c->rep.sessions++;
}

/* Read more of the capture now?  Always when nothing can run without it;
 * otherwise a little while waiting, up to a bounded read-ahead. */
static unsigned packets_to_read(const client *c, plan_wait why)
{
    if (rr_loader_done(c->loader))
        return 0;
    if (why == WAIT_DATA)
        return RR_READ_NEEDED;
    return rr_loader_delivered(c->loader) - c->taken < RR_READ_AHEAD ? RR_READ_WAITING : 0;
}

/* The progress line: how far reading and replaying are. */
static void describe(void *ctx, GString *g)
{
    const client *c = ctx;
    rr_capture_describe((void *)rr_loader_capture(c->loader), g);
    g_string_append(g, "; ");
    rr_report_progress(&c->rep, g);
}

static void replay(client *c)
{
    rr_progress_source(describe, c);
    while (!all_done(c)) {
        rr_progress_tick();
        plan_wait why = WAIT_NONE;
        double next_action = run_actions(c, rr_now(), &why);
        double deadline = check_deadlines(c, rr_now());
        if (all_done(c))
            break;
        unsigned packets = packets_to_read(c, why);
        if (packets)
            rr_loader_step(c->loader, packets);
        /* Waiting for the server or the clock, reading can stop once far
         * enough ahead; waiting for data, the new packets may let an
         * action run: look again without blocking. */
        bool look_again = packets && (why == WAIT_DATA || packets_to_read(c, why));
        double wake = next_action && (!deadline || next_action < deadline) ? next_action : deadline;
        poll_once(c, wake, look_again);
        sweep(c);
    }
}

int rr_cmd_client(const rr_options *o)
{
    client c = {.o = o, .lives = g_ptr_array_new_with_free_func(live_free),
                .unreachable = g_hash_table_new_full(NULL, NULL, NULL, g_free)};
    rr_report_init(&c.rep, o, "client");
    c.loader = rr_loader_open(o, on_session, &c);
    if (!c.loader) {
        rr_report_discard(&c.rep);
        g_ptr_array_free(c.lives, TRUE);
        g_hash_table_destroy(c.unreachable);
        return rr_console_finish(RR_EXIT_USAGE);
    }
    c.diffs = g_array_new(FALSE, FALSE, sizeof(rr_diff));
    c.hex = g_string_new(NULL);
    c.text = g_string_new(NULL);
    double start = rr_now();
    replay(&c);
    c.rep.elapsed = rr_now() - start;
    bool read_error = rr_loader_read_error(c.loader);
    int code = RR_EXIT_USAGE;
    if (c.rep.sessions) {
        g_ptr_array_set_size(c.lives, 0); /* every row final */
        code = rr_report_finish(&c.rep);
    } else {
        if (!read_error)
            rr_error("%s: no RIO session to replay%s", o->capture,
                     o->sessions->len ? " (check --session)" : "");
        rr_report_discard(&c.rep);
    }
    rr_loader_close(c.loader);
    g_free(c.fds);
    g_array_free(c.diffs, TRUE);
    g_string_free(c.hex, TRUE);
    g_string_free(c.text, TRUE);
    g_ptr_array_free(c.lives, TRUE);
    g_hash_table_destroy(c.unreachable);
    return rr_console_finish(read_error ? RR_EXIT_USAGE : code);
}
