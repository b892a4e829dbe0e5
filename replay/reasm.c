/* reasm.c — one direction of TCP reassembly (see reasm.h for the model). */
#include <stdlib.h>
#include <string.h>

#include "reasm.h"

/* A queued out-of-order piece: len bytes on the wire at off, of which the
 * first caplen were captured (the rest was cut by snaplen). */
struct rr_reasm_seg {
    rr_reasm_seg *next;
    uint64_t off;
    uint32_t len, caplen;
    int64_t ts;
    uint8_t data[];
};

void rr_reasm_init(rr_reasm *r, size_t cap, const rr_reasm_ops *ops, void *ctx)
{
    memset(r, 0, sizeof *r);
    r->cap = cap;
    r->ops = ops;
    r->ctx = ctx;
}

void rr_reasm_syn(rr_reasm *r, uint32_t isn)
{
    if (r->started)
        return; /* a retransmitted SYN */
    r->started = true;
    r->next_seq = isn + 1;
}

void rr_reasm_free(rr_reasm *r)
{
    while (r->queue) {
        rr_reasm_seg *s = r->queue;
        r->queue = s->next;
        free(s);
    }
    free(r->ring);
    r->ring = NULL;
}

/* ---- retransmission check against recently delivered bytes -------------- */

/* Index of the first byte that differs from the ring, or n. */
static uint32_t ring_differs(const rr_reasm *r, uint64_t off, const uint8_t *p, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (r->ring[(off + i) % RR_REASM_RING] != p[i])
            return i;
    return n;
}

/* Bytes [off, off+n) were delivered already; p holds `cap` captured ones. */
static void old_bytes(rr_reasm *r, uint64_t off, const uint8_t *p, uint32_t n, uint32_t cap,
                      int64_t ts)
{
    uint64_t lo = off > r->ring_from ? off : r->ring_from;
    uint64_t hi = off + cap;
    if (r->ring && hi > lo) {
        uint32_t d = ring_differs(r, lo, p + (lo - off), (uint32_t)(hi - lo));
        if (d < hi - lo) {
            r->ops->event(r->ctx, RR_PROBLEM_OVERLAP_MISMATCH, lo + d, n, ts);
            return;
        }
    }
    r->ops->event(r->ctx, RR_PROBLEM_RETRANSMISSION, off, n, ts);
}

static void remember(rr_reasm *r, uint64_t off, const uint8_t *p, uint32_t n)
{
    if (!r->ring)
        r->ring = malloc(RR_REASM_RING);
    if (!r->ring) {
        r->ring_from = off + n; /* no memory: nothing to compare against */
        return;
    }
    if (n > RR_REASM_RING) {
        p += n - RR_REASM_RING;
        off += n - RR_REASM_RING;
        n = RR_REASM_RING;
    }
    uint32_t at = (uint32_t)(off % RR_REASM_RING);
    uint32_t first = n < RR_REASM_RING - at ? n : RR_REASM_RING - at;
    memcpy(r->ring + at, p, first);
    memcpy(r->ring, p + first, n - first);
}

/* ---- in-order delivery --------------------------------------------------- */

static void deliver(rr_reasm *r, uint64_t off, const uint8_t *p, uint32_t len, uint32_t cap,
                    int64_t ts)
{
    if (cap) {
        remember(r, off, p, cap);
        r->ops->data(r->ctx, off, p, cap, ts);
    }
    if (cap < len) {
        r->ops->gap(r->ctx, off + cap, len - cap, RR_PROBLEM_TRUNCATED, ts);
        r->ring_from = off + len;
    }
    r->next_off = off + len;
    r->next_seq += len;
}

/* Deliver the part of a piece at or after next_off; report the rest as a
 * retransmission of bytes already delivered. */
static void deliver_trimmed(rr_reasm *r, uint64_t off, const uint8_t *p, uint32_t len,
                            uint32_t cap, int64_t ts)
{
    if (off < r->next_off) {
        uint64_t d64 = r->next_off - off;
        uint32_t d = d64 < len ? (uint32_t)d64 : len;
        old_bytes(r, off, p, d, d < cap ? d : cap, ts);
        uint32_t dc = d < cap ? d : cap;
        p += dc;
        cap -= dc;
        len -= d;
        off += d;
    }
    if (len)
        deliver(r, off, p, len, cap, ts);
}

static void drain(rr_reasm *r)
{
    while (r->queue && r->queue->off <= r->next_off) {
        rr_reasm_seg *s = r->queue;
        r->queue = s->next;
        r->queued -= s->len;
        deliver_trimmed(r, s->off, s->data, s->len, s->caplen, s->ts);
        free(s);
    }
}

static void declare_gap(rr_reasm *r, uint64_t upto, int64_t ts)
{
    uint64_t n = upto - r->next_off;
    r->ops->gap(r->ctx, r->next_off, n, RR_PROBLEM_GAP, ts);
    r->next_seq += (uint32_t)n;
    r->next_off = upto;
    r->ring_from = upto;
}

/* ---- the out-of-order queue ---------------------------------------------- */

static void queue_piece(rr_reasm *r, rr_reasm_seg **link, uint64_t off, const uint8_t *p,
                        uint32_t len, uint32_t cap, int64_t ts)
{
    rr_reasm_seg *s = malloc(sizeof *s + cap);
    if (!s)
        return; /* out of memory: the hole becomes a gap later */
    s->off = off;
    s->len = len;
    s->caplen = cap;
    s->ts = ts;
    memcpy(s->data, p, cap);
    s->next = *link;
    *link = s;
    r->queued += len;
}

/* Where [off,end) of the new segment (captured up to p_capend) first
 * differs from queued piece e, or UINT64_MAX. */
static uint64_t queued_mismatch(const rr_reasm_seg *e, uint64_t off, uint64_t end,
                                const uint8_t *p, uint64_t p_capend)
{
    uint64_t cmp_end = end < e->off + e->caplen ? end : e->off + e->caplen;
    if (cmp_end > p_capend)
        cmp_end = p_capend;
    for (uint64_t i = off; i < cmp_end; i++)
        if (e->data[i - e->off] != p[i - off])
            return i;
    return UINT64_MAX;
}

/* Insert [off, off+len) into the sorted queue, keeping only the parts no
 * queued piece covers yet (first data wins).  One retransmission event for
 * the segment if it overlapped queued data. */
static void enqueue(rr_reasm *r, uint64_t off, const uint8_t *p, uint32_t len, uint32_t cap,
                    int64_t ts)
{
    const uint8_t *base = p;
    uint64_t start = off, end = off + len, capend = off + cap;
    uint64_t mismatch = UINT64_MAX;
    bool overlapped = false;
    rr_reasm_seg **link = &r->queue;
    while (off < end) {
        while (*link && (*link)->off + (*link)->len <= off)
            link = &(*link)->next;
        rr_reasm_seg *e = *link;
        uint64_t stop = e && e->off < end ? e->off : end;
        if (off < stop) {
            uint64_t c = capend > off ? (capend < stop ? capend : stop) - off : 0;
            queue_piece(r, link, off, base + (off - start), (uint32_t)(stop - off), (uint32_t)c, ts);
            link = &(*link)->next;
            off = stop;
            continue;
        }
        uint64_t over = end < e->off + e->len ? end : e->off + e->len;
        uint64_t m = queued_mismatch(e, off, over, base + (off - start), capend);
        if (m < mismatch)
            mismatch = m;
        overlapped = true;
        off = over;
    }
    if (mismatch != UINT64_MAX)
        r->ops->event(r->ctx, RR_PROBLEM_OVERLAP_MISMATCH, mismatch, len, ts);
    else if (overlapped)
        r->ops->event(r->ctx, RR_PROBLEM_RETRANSMISSION, start, len, ts);
}

/* Data that follows this segment was captured before it. */
static bool arrived_late(const rr_reasm *r, uint64_t off)
{
    const rr_reasm_seg *s = r->queue;
    while (s && s->next)
        s = s->next;
    return s && s->off + s->len > off && s->off > off;
}

/* ---- a segment ----------------------------------------------------------- */

void rr_reasm_segment(rr_reasm *r, const rr_segment *s)
{
    uint32_t seq = s->seq;
    if (s->flags & RR_TCP_SYN)
        seq++; /* data in a SYN starts after it */
    if (!r->started) {
        if (s->len == 0)
            return;
        r->started = true;
        r->next_seq = seq;
    }
    r->last_ts = s->ts_us;
    int64_t rel = (int32_t)(seq - r->next_seq);
    if ((int64_t)r->next_off + rel < 0)
        return; /* before the first byte we track (mid-stream start) */
    uint64_t off = (uint64_t)((int64_t)r->next_off + rel);
    if (s->flags & RR_TCP_FIN) {
        r->fin_seen = true;
        r->fin_off = off + s->len;
    }
    if (s->len == 0 || (s->flags & RR_TCP_RST))
        return;
    if (arrived_late(r, off) && off + s->len > r->next_off)
        r->ops->event(r->ctx, RR_PROBLEM_OUT_OF_ORDER, off > r->next_off ? off : r->next_off,
                      s->len, s->ts_us);
    if (off <= r->next_off) {
        deliver_trimmed(r, off, s->payload, s->len, s->caplen, s->ts_us);
        drain(r);
        return;
    }
    enqueue(r, off, s->payload, s->len, s->caplen, s->ts_us);
    while (r->queued > r->cap && r->queue) {
        declare_gap(r, r->queue->off, s->ts_us);
        drain(r);
    }
}

void rr_reasm_finish(rr_reasm *r)
{
    /* Holes before captured data are gaps; bytes lost at the very end are
     * not (the last PDU is simply incomplete). */
    while (r->queue) {
        declare_gap(r, r->queue->off, r->queue->ts);
        drain(r);
    }
}
