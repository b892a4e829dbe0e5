/* pdustream.c — RIO framing of one reassembled direction (see pdustream.h). */
#include <glib.h>
#include <string.h>

#include "pdustream.h"

void rr_pdustream_init(rr_pdustream *ps, rio_kind kind, bool midstream,
                       const rr_pdustream_ops *ops, void *ctx)
{
    memset(ps, 0, sizeof *ps);
    ps->kind = kind;
    ps->ops = ops;
    ps->ctx = ctx;
    ps->state = midstream ? RR_PS_HUNT : RR_PS_HEADER;
    ps->initial_hunt = midstream;
    ps->midstream = midstream;
}

static void start_pdu(rr_pdustream *ps, uint64_t off, int64_t ts)
{
    memset(&ps->cur, 0, sizeof ps->cur);
    ps->cur.index = ps->count++;
    ps->cur.off = off;
    ps->cur.ts_first = ps->cur.ts_last = ts;
    ps->cur.complete = true;
    ps->in_pdu = true;
    ps->recent[ps->cur.index % RR_PDUSTREAM_RECENT] = off;
}

static void end_pdu(rr_pdustream *ps)
{
    ps->in_pdu = false;
    ps->ops->end(ps->ctx, &ps->cur);
}

static void mark(rr_pdu *pdu, rr_problem_kind kind, uint64_t missing)
{
    rr_pdu_note(pdu, kind);
    if (kind == RR_PROBLEM_GAP || kind == RR_PROBLEM_TRUNCATED) {
        pdu->missing += missing;
        pdu->complete = false;
    }
}

/* The fixed header is whole: validate, announce, pick the next state.  A
 * malformed header ends framing of this direction for good, as it ends the
 * connection on a real server. */
static void header_done(rr_pdustream *ps)
{
    rr_pdu *pdu = &ps->cur;
    pdu->header_have = RIO_HEADER_SIZE;
    pdu->malformed = rio_header_decode(pdu->raw, ps->kind, &pdu->hdr);
    if (pdu->malformed != RIO_OK) {
        mark(pdu, RR_PROBLEM_MALFORMED, 0);
        pdu->complete = false; /* its data is never read */
    }
    ps->ops->begin(ps->ctx, pdu);
    if (pdu->malformed != RIO_OK) {
        end_pdu(ps);
        ps->state = RR_PS_DEAD;
        return;
    }
    ps->body_left = (uint64_t)(pdu->hdr.header_length - RIO_HEADER_SIZE) + pdu->hdr.data_length;
    ps->state = RR_PS_BODY;
    if (ps->body_left == 0) {
        end_pdu(ps);
        ps->state = RR_PS_HEADER;
    }
}

/* ---- hunting for a PDU start --------------------------------------------- */

/* Look for a PDU start in p[0..n) by librio's one resync rule (signature
 * and HeaderLength; see rio_resync_at): cur.raw is the sliding window.  A
 * header found this way that breaks a later rule (Version, a length) is a
 * malformed PDU, as anywhere else.  Returns the bytes consumed; switches to
 * RR_PS_BODY/HEADER/DEAD when a header is found. */
static uint32_t hunt(rr_pdustream *ps, const uint8_t *p, uint32_t n, int64_t ts)
{
    uint32_t used = 0;
    uint32_t *have = &ps->cur.header_have;
    while (used < n) {
        if (*have == 0) {
            uint32_t skip = (uint32_t)rio_resync_find(p + used, n - used, ps->kind);
            ps->skipped += skip;
            used += skip;
            if (used == n)
                break;
        }
        uint32_t take = RIO_HEADER_SIZE - *have;
        if (take > n - used)
            take = n - used;
        memcpy(ps->cur.raw + *have, p + used, take);
        *have += take;
        used += take;
        if (rio_resync_at(ps->cur.raw, *have, ps->kind)) {
            if (*have < RIO_HEADER_SIZE)
                break; /* a possible start: wait for the rest of it */
            uint8_t raw[RIO_HEADER_SIZE];
            memcpy(raw, ps->cur.raw, sizeof raw);
            start_pdu(ps, ps->pos + used - RIO_HEADER_SIZE, ts);
            memcpy(ps->cur.raw, raw, sizeof raw);
            ps->initial_hunt = false;
            header_done(ps);
            return used;
        }
        /* Not a start: slide to the next possible one inside the window. */
        uint32_t drop = 1 + (uint32_t)rio_resync_find(ps->cur.raw + 1, *have - 1, ps->kind);
        memmove(ps->cur.raw, ps->cur.raw + drop, *have - drop);
        *have -= drop;
        ps->skipped += drop;
    }
    return used;
}

/* ---- problems at stream offsets ------------------------------------------ */

static void attach_pending(rr_pdustream *ps, uint64_t from, uint64_t to)
{
    for (int i = 0; i < ps->npending;) {
        if (ps->pending[i].off >= from && ps->pending[i].off < to) {
            mark(&ps->cur, ps->pending[i].kind, 0);
            ps->pending[i] = ps->pending[--ps->npending];
        } else {
            i++;
        }
    }
}

/* The index of the PDU holding stream offset off among the recent ones
 * (the last one starting at or before it), or -1. */
static int64_t index_at(const rr_pdustream *ps, uint64_t off)
{
    uint64_t n = ps->count < RR_PDUSTREAM_RECENT ? ps->count : RR_PDUSTREAM_RECENT;
    for (uint64_t i = ps->count; i-- > ps->count - n;)
        if (ps->recent[i % RR_PDUSTREAM_RECENT] <= off)
            return (int64_t)i;
    return -1;
}

void rr_pdustream_problem(rr_pdustream *ps, rr_problem_kind kind, uint64_t off, uint64_t n)
{
    bool in_cur = ps->in_pdu && off >= ps->cur.off &&
                  (off < ps->pos || (ps->state == RR_PS_BODY && off < ps->pos + ps->body_left));
    if (in_cur) {
        mark(&ps->cur, kind, 0);
    } else if (off >= ps->pos && ps->npending < RR_PDUSTREAM_PENDING &&
               (ps->pending || (ps->pending = g_try_new(struct rr_pending, RR_PDUSTREAM_PENDING)))) {
        ps->pending[ps->npending].off = off;
        ps->pending[ps->npending].bytes = n;
        ps->pending[ps->npending++].kind = kind;
    } else {
        ps->ops->problem(ps->ctx, off < ps->pos ? index_at(ps, off) : -1, kind, n);
    }
}

/* ---- data and gaps ------------------------------------------------------- */

/* Bytes [pos, pos+k) belong to the current PDU: note what touched them. */
static void touch(rr_pdustream *ps, uint32_t k, int64_t ts)
{
    ps->cur.ts_last = ts;
    if (ps->npending)
        attach_pending(ps, ps->pos, ps->pos + k);
}

static uint32_t consume(rr_pdustream *ps, const uint8_t *p, uint32_t n, int64_t ts)
{
    uint32_t k;
    switch (ps->state) {
    case RR_PS_DEAD:
        /* Not framed, but kept with the malformed PDU: a replay sends the
         * bytes exactly as the recorded client did. */
        ps->ops->body(ps->ctx, &ps->cur, p, n);
        return n;
    case RR_PS_HUNT:
        return hunt(ps, p, n, ts);
    case RR_PS_HEADER:
        if (!ps->in_pdu)
            start_pdu(ps, ps->pos, ts);
        k = RIO_HEADER_SIZE - ps->cur.header_have;
        k = k < n ? k : n;
        memcpy(ps->cur.raw + ps->cur.header_have, p, k);
        ps->cur.header_have += k;
        touch(ps, k, ts);
        if (ps->cur.header_have == RIO_HEADER_SIZE)
            header_done(ps);
        return k;
    case RR_PS_BODY:
        k = ps->body_left < n ? (uint32_t)ps->body_left : n;
        touch(ps, k, ts);
        ps->ops->body(ps->ctx, &ps->cur, p, k);
        ps->body_left -= k;
        if (ps->body_left == 0) {
            end_pdu(ps);
            ps->state = RR_PS_HEADER;
        }
        return k;
    }
    return n;
}

void rr_pdustream_data(rr_pdustream *ps, uint64_t off, const uint8_t *p, uint32_t n,
                       int64_t ts)
{
    (void)off; /* == ps->pos: reassembly delivers in order */
    while (n) {
        uint32_t k = consume(ps, p, n, ts);
        ps->pos += k;
        p += k;
        n -= k;
    }
}

/* Drop pending problems that fell into a hole: nothing left to attach to. */
static void flush_pending(rr_pdustream *ps, uint64_t upto)
{
    for (int i = 0; i < ps->npending;) {
        if (ps->pending[i].off < upto) {
            ps->ops->problem(ps->ctx, -1, ps->pending[i].kind, ps->pending[i].bytes);
            ps->pending[i] = ps->pending[--ps->npending];
        } else {
            i++;
        }
    }
}

void rr_pdustream_gap(rr_pdustream *ps, uint64_t off, uint64_t n, rr_problem_kind kind,
                      int64_t ts)
{
    (void)off;
    ps->pos += n;
    flush_pending(ps, ps->pos);
    switch (ps->state) {
    case RR_PS_DEAD:
        ps->ops->problem(ps->ctx, -1, kind, n);
        return;
    case RR_PS_HUNT:
        ps->ops->problem(ps->ctx, -1, kind, n);
        ps->cur.header_have = 0;
        return;
    case RR_PS_HEADER:
        if (!ps->in_pdu) { /* the next header itself is lost */
            ps->ops->problem(ps->ctx, -1, kind, n);
        } else {         /* a header cut in two: its fields cannot be trusted */
            mark(&ps->cur, kind, n);
            ps->cur.ts_last = ts;
            ps->ops->begin(ps->ctx, &ps->cur);
            end_pdu(ps);
        }
        ps->cur.header_have = 0;
        ps->state = RR_PS_HUNT;
        return;
    case RR_PS_BODY:
        if (n < ps->body_left) {
            mark(&ps->cur, kind, n);
            ps->ops->hole(ps->ctx, &ps->cur, n);
            ps->body_left -= n;
            return;
        }
        mark(&ps->cur, kind, ps->body_left);
        ps->ops->hole(ps->ctx, &ps->cur, ps->body_left);
        n -= ps->body_left;
        ps->body_left = 0;
        end_pdu(ps);
        ps->cur.header_have = 0;
        /* The hole ended exactly at the next header: framing is intact.
         * Otherwise it swallowed a header: hunt (one hole, one problem). */
        ps->state = n == 0 ? RR_PS_HEADER : RR_PS_HUNT;
        return;
    }
}

void rr_pdustream_free(rr_pdustream *ps)
{
    g_free(ps->pending);
    ps->pending = NULL;
    ps->npending = 0;
}

void rr_pdustream_finish(rr_pdustream *ps, int64_t ts)
{
    flush_pending(ps, UINT64_MAX);
    if (!ps->in_pdu)
        return;
    (void)ts;
    ps->cur.complete = false;
    if (ps->cur.header_have < RIO_HEADER_SIZE)
        ps->ops->begin(ps->ctx, &ps->cur);
    end_pdu(ps);
}
