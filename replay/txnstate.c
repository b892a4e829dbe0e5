/* txnstate.c — turn the PDUs of both directions into transactions. */
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "txnstate.h"

#define RR_WINDOW_MIN 4      /* final transactions wait this many behind */
#define RR_WINDOW_MAX 1024   /* forced out even if the answer never came */
#define RR_PRESIZE_MAX 65536 /* largest buffer reserved before the bytes arrive */

RR_DEFINE_NAMES(rr_violation_name, rr_violation, RR_VIOLATION_COUNT, RR_VIOLATION_TABLE)
RR_DEFINE_NAMES(rr_problem_name, rr_problem_kind, RR_PROBLEM_COUNT, RR_PROBLEM_TABLE)

static void record_free(rr_record *r)
{
    if (r->bytes)
        g_byte_array_free(r->bytes, TRUE);
    if (r->sum)
        g_checksum_free(r->sum);
    g_free(r->sha256);
}

void rr_txn_free(rr_txn *t)
{
    if (!t)
        return;
    record_free(&t->req);
    record_free(&t->resp);
    g_free(t);
}

/* Usable for replay: whole, or a malformed header (sent as recorded, to
 * see the live peer react to it). */
static bool record_usable(const rr_record *r)
{
    return r->present && r->ended && r->pdu.header_have == RIO_HEADER_SIZE &&
           (r->pdu.complete || r->pdu.malformed != RIO_OK);
}

bool rr_txn_complete(const rr_txn *t)
{
    /* A request the server never answered because it closed is complete
     * too: the close itself is what gets compared. */
    if (!record_usable(&t->req))
        return false;
    return t->resp.present ? record_usable(&t->resp) : t->server_closed;
}

/* ---- the transaction window ---------------------------------------------- */

static rr_txn *txn_at(rr_session *s, uint64_t index)
{
    if (index < s->window_base)
        return NULL; /* already final */
    while (s->window_base + s->window->len <= index) {
        rr_txn *t = g_new0(rr_txn, 1);
        t->index = s->window_base + s->window->len;
        g_ptr_array_add(s->window, t);
    }
    return g_ptr_array_index(s->window, index - s->window_base);
}

static void count_problems(rr_session *s, const rr_record *r)
{
    for (int k = 0; k < RR_PROBLEM_COUNT; k++)
        s->stats.problems[k] += r->pdu.counts[k];
    s->stats.missing_bytes += r->pdu.missing;
}

/* Protocol rules that need the previous transaction. */
static void check_rules(rr_session *s, rr_txn *t)
{
    const rio_header *q = &t->req.pdu.hdr;
    bool req_ok = t->req.present && t->req.pdu.header_have == RIO_HEADER_SIZE;
    if (req_ok && t->index == 0 && s->handshake && q->major != RIO_MJ_CREATE)
        t->violations |= 1u << RR_VIOLATION_MISSING_CREATE;
    if (req_ok && s->prev.have && s->prev.req && q->sequence != s->prev.req_sequence + 1)
        t->violations |= 1u << RR_VIOLATION_SEQUENCE_JUMP;
    if (req_ok && s->prev.have && s->prev.resp && t->req.pdu.ts_first < s->prev.resp_ts_last)
        t->violations |= 1u << RR_VIOLATION_PIPELINING;
    if (req_ok && t->resp.present && t->resp.pdu.header_have == RIO_HEADER_SIZE &&
        t->resp.pdu.malformed == RIO_OK &&
        (t->resp.pdu.hdr.sequence != q->sequence || t->resp.pdu.hdr.major != q->major))
        t->violations |= 1u << RR_VIOLATION_RESPONSE_MISMATCH;
    for (int v = 0; v < RR_VIOLATION_COUNT; v++)
        if (t->violations & (1u << v))
            s->stats.violations[v]++;
}

static void finalize(rr_session *s, rr_txn *t)
{
    check_rules(s, t);
    s->stats.transactions++;
    if (!rr_txn_complete(t))
        s->stats.incomplete++;
    count_problems(s, &t->req);
    count_problems(s, &t->resp);
    s->prev.have = true;
    s->prev.req = t->req.present;
    s->prev.resp = t->resp.present;
    s->prev.req_sequence = t->req.pdu.hdr.sequence;
    s->prev.resp_ts_last = t->resp.pdu.ts_last;
    s->sink->txn(s->sink->ctx, s, t);
}

static bool txn_final(const rr_txn *t)
{
    return t->req.ended && t->resp.ended;
}

/* Hand over the head of the window once enough later ones exist (late
 * retransmissions can still find it meanwhile); `all` at the end. */
static void flush_window(rr_session *s, bool all)
{
    if (!s->id && !all)
        return;
    guint n = 0;
    while (n < s->window->len) {
        rr_txn *t = g_ptr_array_index(s->window, n);
        guint behind = s->window->len - n;
        if (!all && !(behind > RR_WINDOW_MAX || (behind > RR_WINDOW_MIN && txn_final(t))))
            break;
        if (s->id)
            finalize(s, t);
        else
            rr_txn_free(t);
        n++;
    }
    if (n) {
        g_ptr_array_remove_range(s->window, 0, n);
        s->window_base += n;
    }
}

/* ---- PDU events from the two streams ------------------------------------- */

typedef struct rr_dir_ctx {
    rr_session *s;
    int dir;
} rr_dir_ctx;

static rr_dir_ctx *dir_ctx(rr_session *s, int dir)
{
    /* The two contexts live right after the session allocation. */
    return (rr_dir_ctx *)(s + 1) + dir;
}

static rr_record *record_for(rr_session *s, int dir, uint64_t pdu_index)
{
    rr_txn *t = txn_at(s, dir == RR_DIR_REQUEST ? pdu_index + s->orphans : pdu_index);
    return t ? (dir == RR_DIR_REQUEST ? &t->req : &t->resp) : NULL;
}

static void became_rio(rr_session *s)
{
    if (!s->id)
        s->id = s->take_id(s->id_ctx, s);
}

static bool rio_port(uint16_t port)
{
    return port >= RIO_BASE_PORT && port <= RIO_PORT_RANGE_LAST;
}

static void on_begin(void *ctx, rr_pdu *pdu)
{
    rr_dir_ctx *c = ctx;
    rr_session *s = c->s;
    /* A response before any request of a mid-stream capture answers a
     * request that was not captured: its transaction has no request. */
    if (c->dir == RR_DIR_RESPONSE && s->requests_begun == 0 && s->stream[c->dir].midstream) {
        s->orphans++;
        s->stats.orphan_responses++;
    }
    if (c->dir == RR_DIR_REQUEST)
        s->requests_begun++;
    if (pdu->header_have == RIO_HEADER_SIZE && pdu->malformed == RIO_OK)
        s->rio = true;
    if (s->rio || rio_port(s->server.port))
        became_rio(s);
    rr_record *r = record_for(s, c->dir, pdu->index);
    if (!r)
        return;
    r->present = true;
    r->pdu = *pdu;
    if (s->sink->keep_bytes) {
        /* Sized for the whole PDU up to a bound: a header that only claims
         * a large length must not reserve memory it never fills. */
        uint64_t want = pdu->header_have == RIO_HEADER_SIZE && pdu->malformed == RIO_OK
                            ? (uint64_t)pdu->hdr.header_length + pdu->hdr.data_length
                            : pdu->header_have;
        r->bytes = g_byte_array_sized_new((guint)MIN(want, RR_PRESIZE_MAX));
        g_byte_array_append(r->bytes, pdu->raw, pdu->header_have);
    }
    if (s->sink->hash)
        r->sum = g_checksum_new(G_CHECKSUM_SHA256);
}

static void on_body(void *ctx, rr_pdu *pdu, const uint8_t *p, uint32_t n)
{
    rr_dir_ctx *c = ctx;
    rr_record *r = record_for(c->s, c->dir, pdu->index);
    if (!r || !r->present)
        return;
    /* Bytes after a malformed header are kept for replay, up to what one
     * PDU could hold: a non-RIO stream on a RIO port cannot grow memory. */
    if (r->bytes && r->bytes->len + (uint64_t)n <= RIO_HEADER_LENGTH_MAX + (uint64_t)RIO_DATA_MAX)
        g_byte_array_append(r->bytes, p, n);
    if (r->sum) {
        /* Extra header bytes (24..HeaderLength-1) are not data. */
        uint64_t extra = pdu->hdr.header_length - RIO_HEADER_SIZE;
        uint64_t skip = r->body_seen < extra ? extra - r->body_seen : 0;
        if (skip < n)
            g_checksum_update(r->sum, p + skip, n - skip);
    }
    r->body_seen += n;
}

/* Lost body bytes: keep their place (zeros) so a replay can still send a
 * request of the recorded length and keep the live server in step. */
static void on_hole(void *ctx, rr_pdu *pdu, uint64_t n)
{
    rr_dir_ctx *c = ctx;
    rr_record *r = record_for(c->s, c->dir, pdu->index);
    if (!r || !r->present || !r->bytes)
        return;
    if (r->sum) { /* the hash of an incomplete PDU is never shown */
        g_checksum_free(r->sum);
        r->sum = NULL;
    }
    g_byte_array_set_size(r->bytes, r->bytes->len + (guint)n);
    memset(r->bytes->data + r->bytes->len - n, 0, n);
    r->body_seen += n;
}

static void on_end(void *ctx, rr_pdu *pdu)
{
    rr_dir_ctx *c = ctx;
    rr_record *r = record_for(c->s, c->dir, pdu->index);
    if (r && r->present) {
        r->pdu = *pdu;
        r->ended = true;
        if (r->sum) {
            if (pdu->complete && pdu->malformed == RIO_OK)
                r->sha256 = g_strdup(g_checksum_get_string(r->sum));
            g_checksum_free(r->sum);
            r->sum = NULL;
        }
    }
    flush_window(c->s, false);
}

static void on_problem(void *ctx, int64_t index, rr_problem_kind kind, uint64_t bytes)
{
    rr_dir_ctx *c = ctx;
    rr_record *r = index >= 0 ? record_for(c->s, c->dir, (uint64_t)index) : NULL;
    if (r && r->present) {
        rr_pdu_note(&r->pdu, kind);
        return;
    }
    c->s->stats.problems[kind]++; /* touches no PDU we still hold */
    if (kind == RR_PROBLEM_GAP || kind == RR_PROBLEM_TRUNCATED)
        c->s->stats.missing_bytes += bytes;
}

static const rr_pdustream_ops stream_ops = {on_begin, on_body, on_hole, on_end, on_problem};

/* ---- reassembly events --------------------------------------------------- */

static void on_data(void *ctx, uint64_t off, const uint8_t *p, uint32_t n, int64_t ts)
{
    rr_dir_ctx *c = ctx;
    rr_pdustream_data(&c->s->stream[c->dir], off, p, n, ts);
}

static void on_gap(void *ctx, uint64_t off, uint64_t n, rr_problem_kind kind, int64_t ts)
{
    rr_dir_ctx *c = ctx;
    rr_pdustream_gap(&c->s->stream[c->dir], off, n, kind, ts);
}

static void on_event(void *ctx, rr_problem_kind kind, uint64_t off, uint64_t n, int64_t ts)
{
    (void)ts;
    rr_dir_ctx *c = ctx;
    rr_pdustream_problem(&c->s->stream[c->dir], kind, off, n);
}

static const rr_reasm_ops reasm_ops = {on_data, on_gap, on_event};

/* ---- lifecycle ----------------------------------------------------------- */

rr_session *rr_session_new(const rr_sink *sink, rr_id_fn take_id, void *id_ctx,
                           const rr_endpoint *client, const rr_endpoint *server,
                           const rr_reasm_caps *caps, int64_t ts)
{
    rr_session *s = g_malloc0(sizeof *s + 2 * sizeof(rr_dir_ctx));
    s->sink = sink;
    s->take_id = take_id;
    s->id_ctx = id_ctx;
    s->client = *client;
    s->server = *server;
    s->ts_first = s->ts_last = ts;
    s->window = g_ptr_array_new();
    for (int d = 0; d < 2; d++) {
        rr_dir_ctx *c = dir_ctx(s, d);
        c->s = s;
        c->dir = d;
        rr_reasm_init(&s->reasm[d], caps, &reasm_ops, c);
        rr_pdustream_init(&s->stream[d], d == RR_DIR_REQUEST ? RIO_REQUEST : RIO_RESPONSE,
                          true, &stream_ops, c);
    }
    return s;
}

void rr_session_segment(rr_session *s, int dir, const rr_segment *seg)
{
    s->ts_last = seg->ts_us;
    if (seg->flags & RR_TCP_SYN) {
        /* A SYN before any data: this direction starts at a header. */
        if (!s->reasm[dir].started) {
            rr_pdustream_free(&s->stream[dir]);
            rr_pdustream_init(&s->stream[dir], s->stream[dir].kind, false, &stream_ops,
                              dir_ctx(s, dir));
        }
        rr_reasm_syn(&s->reasm[dir], seg->seq);
        s->syn[dir] = true;
        if (dir == RR_DIR_REQUEST && !(seg->flags & RR_TCP_ACK))
            s->handshake = true;
    }
    rr_reasm_segment(&s->reasm[dir], seg);
    if ((seg->flags & (RR_TCP_FIN | RR_TCP_RST)) && !s->ts_fin[dir])
        s->ts_fin[dir] = seg->ts_us;
    if (seg->flags & RR_TCP_RST)
        s->reset[dir] = true;
}

bool rr_session_closed(const rr_session *s)
{
    if (s->reset[0] || s->reset[1])
        return true;
    return s->ts_fin[0] && s->ts_fin[1] && !rr_reasm_pending(&s->reasm[0]) &&
           !rr_reasm_pending(&s->reasm[1]);
}

/* The server closed first: its FIN/RST came before the client's (or alone).
 * Then the live server must close after the same answer. */
static void note_server_close(rr_session *s)
{
    int64_t srv = s->ts_fin[RR_DIR_RESPONSE], cli = s->ts_fin[RR_DIR_REQUEST];
    if (!srv || (cli && cli < srv) || !s->window->len)
        return;
    for (guint i = s->window->len; i-- > 0;) {
        rr_txn *t = g_ptr_array_index(s->window, i);
        if (t->resp.present || i == 0) {
            t->server_closed = true;
            return;
        }
        /* a request the server never answered before closing */
        if (t->req.present && t->req.pdu.ts_first < srv) {
            t->server_closed = true;
            return;
        }
    }
}

void rr_session_finish(rr_session *s)
{
    for (int d = 0; d < 2; d++) {
        rr_reasm_finish(&s->reasm[d]);
        rr_pdustream_finish(&s->stream[d], s->ts_last);
    }
    for (guint i = 0; i < s->window->len; i++) {
        rr_txn *t = g_ptr_array_index(s->window, i);
        t->req.ended = t->resp.ended = true;
    }
    note_server_close(s);
    for (int d = 0; d < 2; d++) {
        /* One midstream problem per direction that began without a SYN and
         * carried payload. */
        if (s->stream[d].midstream && s->stream[d].pos > 0) {
            s->stats.problems[RR_PROBLEM_MIDSTREAM]++;
            s->stats.skipped[d] = s->stream[d].skipped;
        }
    }
    s->stats.skipped_bytes = s->stream[0].skipped + s->stream[1].skipped;
    s->stats.reorder_overflows = s->reasm[0].overflows + s->reasm[1].overflows;
    flush_window(s, true);
    if (s->id)
        s->sink->finished(s->sink->ctx, s);
}

void rr_session_free(rr_session *s)
{
    if (!s)
        return;
    for (guint i = 0; i < s->window->len; i++)
        rr_txn_free(g_ptr_array_index(s->window, i));
    g_ptr_array_free(s->window, TRUE);
    for (int d = 0; d < 2; d++) {
        rr_reasm_free(&s->reasm[d]);
        rr_pdustream_free(&s->stream[d]);
    }
    g_free(s);
}
