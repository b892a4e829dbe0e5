/* replayserver.c — `rio-replay server`: play the recorded server for a live client.
 *
 * The k-th live connection plays the k-th recorded session.  Each live
 * request is matched to the recorded request at the same position with the
 * same MajorFunction (and IoControlCode); recorded requests skipped over
 * "never came".  The answer is the recorded response with its Sequence
 * rewritten to the live request's; a recorded server close is played too.
 * Live requests that differ from the recorded ones are reported field by
 * field (Sequence is not compared: a client may start anywhere). */
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <unistd.h>

#include "replaycmds.h"
#include "console.h"
#include "livepeer.h"
#include "load.h"
#include "netaddr.h"
#include "records.h"
#include "replayutil.h"
#include "report.h"

typedef struct conn {
    rr_recorded *rec;
    rr_peer peer;
    guint next;          /* next recorded transaction */
    bool closing;        /* close once the answer is written */
    bool done;
    double last_activity;
} conn;

typedef struct server {
    const rr_options *o;
    rr_report rep;
    GPtrArray *sessions;
    GPtrArray *conns;
    guint accepted;
    int lfd;
    double last_activity;
} server;

static void result(server *s, conn *c, const rr_txn *t, rr_outcome outcome, const char *note,
                   GArray *diffs, const char *live_text)
{
    rr_result r = {.session = c->rec, .txn = t, .outcome = outcome, .note = note,
                   .diffs = diffs, .live = live_text};
    rr_report_add(&s->rep, &r);
}

/* Recorded requests before upto that did not come: skipped by the live
 * client (diverged), or never reached (not replayed). */
static void never_came(server *s, conn *c, guint upto, rr_outcome outcome, const char *why)
{
    for (; c->next < upto; c->next++) {
        rr_txn *t = g_ptr_array_index(c->rec->txns, c->next);
        if (t->req.present)
            result(s, c, t, outcome, why, NULL, NULL);
    }
}

/* Recorded requests are left: was that the live client's doing? */
static bool requests_left(const conn *c)
{
    for (guint k = c->next; k < c->rec->txns->len; k++)
        if (((const rr_txn *)g_ptr_array_index(c->rec->txns, k))->req.present)
            return true;
    return false;
}

static void close_diff(server *s, conn *c, const char *live_text, const char *note)
{
    GArray *diffs = g_array_new(FALSE, FALSE, sizeof(rr_diff));
    rr_diff d = {.field = RR_FIELD_CLOSE, .data_offset = -1};
    g_strlcpy(d.recorded, "connection open", sizeof d.recorded);
    g_strlcpy(d.live, live_text, sizeof d.live);
    g_array_append_val(diffs, d);
    result(s, c, NULL, RR_OUTCOME_DIVERGED, note, diffs, NULL);
    g_array_free(diffs, TRUE);
}

/* The recorded transaction this live request answers to, or -1. */
static int find_match(const conn *c, const rio_header *h)
{
    for (guint k = c->next; k < c->rec->txns->len; k++) {
        const rr_txn *t = g_ptr_array_index(c->rec->txns, k);
        if (!t->req.present || t->req.pdu.header_have < RIO_HEADER_SIZE)
            continue;
        const rio_header *q = &t->req.pdu.hdr;
        if (q->major == h->major && (h->major != RIO_MJ_DEVICE_CONTROL || q->ioctl == h->ioctl))
            return (int)k;
    }
    return -1;
}

static void answer(conn *c, rr_txn *t, uint32_t sequence)
{
    if (!t->resp.present || !t->resp.bytes || t->resp.bytes->len < RIO_HEADER_SIZE) {
        if (t->server_closed)
            c->closing = true; /* the recorded server closed without answering */
        return;
    }
    rr_zero_fill(&t->resp);
    GByteArray *b = t->resp.bytes;
    rio_put_le32(b->data + RIO_OFF_SEQUENCE, sequence);
    rr_peer_send(&c->peer, b->data, b->len);
    if (t->server_closed)
        c->closing = true;
}

static void compare_request(server *s, conn *c, rr_txn *t, const rio_pdu *pdu, const char *text)
{
    uint8_t hdr[RIO_HEADER_SIZE];
    rio_header_encode(&pdu->header, hdr);
    rr_pdu_view live = {hdr, pdu->data, pdu->header.data_length};
    GArray *diffs = g_array_new(FALSE, FALSE, sizeof(rr_diff));
    rr_outcome outcome = RR_OUTCOME_INCOMPLETE;
    if (rr_txn_complete(t)) {
        rr_pdu_view rec = rr_view_of_bytes(t->req.bytes->data, t->req.bytes->len);
        rr_compare_pdus(rec, live, RIO_REQUEST, s->o->ignore | (1u << RR_FIELD_SEQUENCE), diffs);
        outcome = diffs->len ? RR_OUTCOME_DIVERGED : RR_OUTCOME_MATCH;
    }
    result(s, c, t, outcome, NULL, diffs, text);
    g_array_free(diffs, TRUE);
}

/* A live request that matches no recorded one: answer it as an unknown
 * request would be, and report it. */
static void unexpected(server *s, conn *c, const rio_pdu *pdu, const char *text)
{
    result(s, c, NULL, RR_OUTCOME_DIVERGED, "live request not in the recording", NULL, text);
    rio_header h = rio_response_header(pdu->header.major, pdu->header.sequence,
                                       RIO_STATUS_INVALID_DEVICE_REQUEST, 0, 0);
    uint8_t raw[RIO_HEADER_SIZE];
    rio_header_encode(&h, raw);
    rr_peer_send(&c->peer, raw, sizeof raw);
}

typedef struct pdu_ctx {
    server *s;
    conn *c;
} pdu_ctx;

static void on_request(void *ctx, const rio_pdu *pdu)
{
    pdu_ctx *p = ctx;
    conn *c = p->c;
    if (c->closing || c->done)
        return; /* after a recorded close: discarded, like a real server */
    GString *text = g_string_new(NULL);
    rr_live_text(text, &pdu->header, RIO_REQUEST);
    int k = find_match(c, &pdu->header);
    if (k < 0) {
        unexpected(p->s, c, pdu, text->str);
    } else {
        never_came(p->s, c, (guint)k, RR_OUTCOME_DIVERGED,
                   "recorded request never came (the live client skipped it)");
        rr_txn *t = g_ptr_array_index(c->rec->txns, (guint)k);
        compare_request(p->s, c, t, pdu, text->str);
        answer(c, t, pdu->header.sequence);
        c->next = (guint)k + 1;
    }
    g_string_free(text, TRUE);
}

/* The connection is over; recorded requests left are not replayed. */
static void end_conn(server *s, conn *c, const char *why)
{
    if (c->done)
        return;
    never_came(s, c, c->rec->txns->len, RR_OUTCOME_NOT_RUN, why);
    c->done = true;
    rr_peer_close(&c->peer);
    rr_report_session_done(&s->rep, c->rec->id);
}

/* The live client closed or went away: a divergence if the recording
 * still had requests for it. */
static void client_gone(server *s, conn *c, const char *how)
{
    if (!c->closing && requests_left(c))
        close_diff(s, c, how, "the live client closed the connection early");
    end_conn(s, c, "the live client closed the connection");
}

static void readable(server *s, conn *c)
{
    pdu_ctx p = {s, c};
    rr_peer_event ev = rr_peer_read(&c->peer, on_request, &p);
    c->last_activity = s->last_activity = rr_now();
    if (ev == RR_PEER_FRAMING && !c->closing) {
        char note[128];
        snprintf(note, sizeof note, "live request breaks framing: %s",
                 rio_error_text(c->peer.framer.error));
        result(s, c, NULL, RR_OUTCOME_DIVERGED, note, NULL, NULL);
        end_conn(s, c, "the live client's stream broke framing");
    } else if (ev == RR_PEER_EOF || ev == RR_PEER_RESET) {
        client_gone(s, c, ev == RR_PEER_RESET ? "connection reset" : "connection closed");
    }
}

static void accept_one(server *s)
{
    int fd = rr_accept(s->lfd);
    if (fd < 0)
        return;
    s->last_activity = rr_now();
    if (s->accepted >= s->sessions->len) {
        close(fd); /* more connections than recorded sessions */
        rr_error("live connection %u has no recorded session: closed", s->accepted + 1);
        s->accepted++;
        return;
    }
    conn *c = g_new0(conn, 1);
    c->rec = g_ptr_array_index(s->sessions, s->accepted++);
    rr_peer_init(&c->peer, fd, RIO_REQUEST);
    c->last_activity = s->last_activity;
    g_ptr_array_add(s->conns, c);
}

static void flush_conn(server *s, conn *c)
{
    if (!rr_peer_flush(&c->peer)) {
        client_gone(s, c, "connection closed");
        return;
    }
    if (c->closing && !rr_peer_wants_write(&c->peer))
        end_conn(s, c, "the recorded server closed the connection before it");
}

static void timeouts(server *s, double now)
{
    char note[160];
    for (guint i = 0; i < s->conns->len; i++) {
        conn *c = g_ptr_array_index(s->conns, i);
        if (c->done || now - c->last_activity < s->o->timeout)
            continue;
        snprintf(note, sizeof note, "the live client sent nothing for %g s", s->o->timeout);
        if (c->next < c->rec->txns->len) {
            result(s, c, g_ptr_array_index(c->rec->txns, c->next), RR_OUTCOME_TIMEOUT, note, NULL, NULL);
            c->next++;
        }
        end_conn(s, c, "an earlier request timed out");
    }
}

static bool finished(const server *s)
{
    if (s->accepted < s->sessions->len)
        return false;
    for (guint i = 0; i < s->conns->len; i++)
        if (!((conn *)g_ptr_array_index(s->conns, i))->done)
            return false;
    return true;
}

static void poll_once(server *s)
{
    guint n = s->conns->len;
    struct pollfd *fds = g_new0(struct pollfd, n + 1);
    fds[n].fd = s->lfd;
    fds[n].events = POLLIN;
    for (guint i = 0; i < n; i++) {
        conn *c = g_ptr_array_index(s->conns, i);
        fds[i].fd = c->done ? -1 : c->peer.fd;
        fds[i].events = POLLIN | (rr_peer_wants_write(&c->peer) ? POLLOUT : 0);
    }
    poll(fds, n + 1, 200);
    for (guint i = 0; i < n; i++) {
        conn *c = g_ptr_array_index(s->conns, i);
        if (fds[i].fd < 0 || c->done)
            continue;
        if (fds[i].revents & (POLLIN | POLLHUP | POLLERR))
            readable(s, c);
        if (!c->done)
            flush_conn(s, c);
    }
    if (fds[n].revents & POLLIN)
        accept_one(s);
    g_free(fds);
}

static void conn_free(gpointer p)
{
    conn *c = p;
    rr_peer_close(&c->peer);
    g_free(c);
}

/* Sessions no live client ever connected for. */
static void unserved(server *s)
{
    char note[160];
    snprintf(note, sizeof note, "no live client connected for this session within %g s",
             s->o->timeout);
    for (guint i = s->accepted; i < s->sessions->len; i++) {
        conn c = {.rec = g_ptr_array_index(s->sessions, i)};
        result(s, &c, NULL, RR_OUTCOME_TIMEOUT, note, NULL, NULL);
        never_came(s, &c, c.rec->txns->len, RR_OUTCOME_NOT_RUN, "no live connection for it");
        rr_report_session_done(&s->rep, c.rec->id);
    }
}

/* The progress line: connections so far and results. */
static void describe(void *ctx, GString *g)
{
    const server *s = ctx;
    g_string_append_printf(g, "%u of %u sessions connected; ", MIN(s->accepted, s->sessions->len),
                           s->sessions->len);
    rr_report_progress(&s->rep, g);
}

int rr_cmd_server(const rr_options *o)
{
    bool read_error = false;
    GPtrArray *sessions = rr_load_sessions(o, &read_error);
    if (!sessions)
        return rr_console_finish(RR_EXIT_USAGE);
    char err[256];
    int lfd = sessions->len ? rr_listen(o->listen_addr, o->listen_port, err, sizeof err) : -1;
    if (lfd < 0) {
        int code = sessions->len ? RR_EXIT_NETWORK : RR_EXIT_USAGE;
        if (sessions->len)
            rr_error("%s", err);
        else if (!read_error)
            rr_error("%s: no RIO session to play", o->capture);
        g_ptr_array_free(sessions, TRUE);
        return rr_console_finish(code);
    }
    rr_error("listening on port %d for %u session(s)", o->listen_port, sessions->len);
    server s = {.o = o, .sessions = sessions, .conns = g_ptr_array_new_with_free_func(conn_free),
                .lfd = lfd, .last_activity = rr_now()};
    double start = rr_now();
    rr_report_init(&s.rep, o, "server");
    s.rep.sessions = sessions->len;
    rr_progress_source(describe, &s);
    while (!finished(&s)) {
        rr_progress_tick();
        poll_once(&s);
        double now = rr_now();
        timeouts(&s, now);
        if (s.accepted < sessions->len && now - s.last_activity >= o->timeout) {
            unserved(&s);
            break;
        }
    }
    close(lfd);
    s.rep.elapsed = rr_now() - start;
    int code = rr_report_finish(&s.rep);
    g_ptr_array_free(s.conns, TRUE);
    g_ptr_array_free(sessions, TRUE);
    return rr_console_finish(read_error ? RR_EXIT_USAGE : code);
}
