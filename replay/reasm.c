/* reasm.c — one direction of TCP reassembly (see reasm.h for the model). */
#include <stdlib.h>
#include <string.h>

#include "reasm.h"

/* A queued out-of-order piece: len bytes on the wire at off, of which the
 * first caplen were captured (the rest was cut by snaplen).  Its off is
 * also its key in the queue. */
typedef struct rr_reasm_seg {
    uint64_t off;
    uint32_t len, caplen;
    int64_t ts;
    uint8_t data[];
} rr_reasm_seg;

static gint off_cmp(gconstpointer a, gconstpointer b, gpointer unused)
{
    (void)unused;
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static rr_reasm_seg *seg_of(GTreeNode *n)
{
    return n ? g_tree_node_value(n) : NULL;
}

void rr_reasm_init(rr_reasm *r, const rr_reasm_caps *caps, const rr_reasm_ops *ops, void *ctx)
{
    memset(r, 0, sizeof *r);
    r->caps = caps;
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

bool rr_reasm_pending(const rr_reasm *r)
{
    return r->pieces != 0;
}

void rr_reasm_free(rr_reasm *r)
{
    if (r->queue)
        g_tree_destroy(r->queue); /* frees the pieces too */
    r->queue = NULL;
    r->queued = r->pieces = 0;
    free(r->ring);
    r->ring = NULL;
    r->ring_size = 0;
}

/* ---- retransmission check against recently delivered bytes -------------- */

/* Index of the first byte that differs from the ring, or n. */
static uint32_t ring_differs(const rr_reasm *r, uint64_t off, const uint8_t *p, uint32_t n)
{
    uint32_t mask = r->ring_size - 1;
    for (uint32_t i = 0; i < n; i++)
        if (r->ring[(off + i) & mask] != p[i])
            return i;
    return n;
}

/* Bytes [off, off+n) were delivered already; p holds `cap` captured ones. */
static void old_bytes(rr_reasm *r, uint64_t off, const uint8_t *p, uint32_t n, uint32_t cap,
                      int64_t ts)
{
    /* Only bytes still in the ring can be compared. */
    uint64_t lo = off > r->ring_from ? off : r->ring_from;
    if (r->next_off > r->ring_size && lo < r->next_off - r->ring_size)
        lo = r->next_off - r->ring_size;
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

static void ring_put(uint8_t *ring, uint32_t size, uint64_t off, const uint8_t *p, uint32_t n)
{
    uint32_t at = (uint32_t)(off & (size - 1));
    uint32_t first = n < size - at ? n : size - at;
    memcpy(ring + at, p, first);
    memcpy(ring, p + first, n - first);
}

/* Grow the ring to hold `want` bytes (a power of two), keeping what it
 * holds: an idle connection never pays for the full window. */
static bool ring_grow(rr_reasm *r, uint32_t want)
{
    uint8_t *ring = malloc(want);
    if (!ring)
        return false;
    if (r->ring) {
        uint64_t lo = r->next_off > r->ring_size ? r->next_off - r->ring_size : 0;
        if (lo < r->ring_from)
            lo = r->ring_from;
        for (uint64_t o = lo; o < r->next_off; o++) /* at most 8 KiB, once per doubling */
            ring[o & (want - 1)] = r->ring[o & (r->ring_size - 1)];
        free(r->ring);
    }
    r->ring = ring;
    r->ring_size = want;
    return true;
}

/* Keep delivered bytes [off, off+n) for later retransmission checks. */
static void remember(rr_reasm *r, uint64_t off, const uint8_t *p, uint32_t n)
{
    if (r->ring_size < RR_REASM_RING) {
        /* As large as the stream so far, within the bounds. */
        uint64_t need = off + n - r->ring_from;
        uint32_t want = r->ring_size ? r->ring_size : RR_REASM_RING_MIN;
        while (want < need && want < RR_REASM_RING)
            want *= 2;
        if (want != r->ring_size && !ring_grow(r, want) && !r->ring) {
            r->ring_from = off + n; /* no memory: nothing to compare against */
            return;
        }
    }
    if (n > r->ring_size) {
        p += n - r->ring_size;
        off += n - r->ring_size;
        n = r->ring_size;
    }
    ring_put(r->ring, r->ring_size, off, p, n);
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
        uint32_t dc = d < cap ? d : cap;
        old_bytes(r, off, p, d, dc, ts);
        p += dc;
        cap -= dc;
        len -= d;
        off += d;
    }
    if (len)
        deliver(r, off, p, len, cap, ts);
}

static rr_reasm_seg *first_piece(const rr_reasm *r)
{
    return r->pieces ? seg_of(g_tree_node_first(r->queue)) : NULL;
}

/* Take a piece out of the queue; the caller frees it. */
static void unqueue(rr_reasm *r, rr_reasm_seg *s)
{
    g_tree_steal(r->queue, &s->off);
    r->queued -= s->len;
    r->pieces--;
}

/* Deliver queued pieces that are now in order. */
static void drain(rr_reasm *r)
{
    rr_reasm_seg *s;
    while ((s = first_piece(r)) && s->off <= r->next_off) {
        unqueue(r, s);
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

static void queue_piece(rr_reasm *r, uint64_t off, const uint8_t *p, uint32_t len,
                        uint32_t cap, int64_t ts)
{
    rr_reasm_seg *s = malloc(sizeof *s + cap);
    if (!s)
        return; /* out of memory: the hole becomes a gap later */
    s->off = off;
    s->len = len;
    s->caplen = cap;
    s->ts = ts;
    memcpy(s->data, p, cap);
    if (!r->queue)
        r->queue = g_tree_new_full(off_cmp, NULL, NULL, free);
    g_tree_insert(r->queue, &s->off, s);
    r->queued += len;
    r->pieces++;
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

/* The queued piece holding offset off, or else the first one after it. */
static GTreeNode *piece_at_or_after(const rr_reasm *r, uint64_t off)
{
    if (!r->pieces)
        return NULL;
    GTreeNode *after = g_tree_upper_bound(r->queue, &off); /* first key > off */
    GTreeNode *before = after ? g_tree_node_previous(after) : g_tree_node_last(r->queue);
    const rr_reasm_seg *b = seg_of(before);
    return b && b->off + b->len > off ? before : after;
}

/* Insert [off, off+len) into the queue, keeping only the parts no queued
 * piece covers yet (first data wins).  One retransmission event for the
 * segment if it overlapped queued data.  Pieces are disjoint and at least a
 * byte long, so the walk visits at most len+1 of them: the cost is the
 * segment's bytes plus O(log n) per piece inserted. */
static void enqueue(rr_reasm *r, uint64_t off, const uint8_t *p, uint32_t len, uint32_t cap,
                    int64_t ts)
{
    const uint8_t *base = p;
    uint64_t start = off, end = off + len, capend = off + cap;
    uint64_t mismatch = UINT64_MAX;
    bool overlapped = false;
    GTreeNode *n = piece_at_or_after(r, off);
    while (off < end) {
        rr_reasm_seg *e = seg_of(n);
        uint64_t stop = e && e->off < end ? e->off : end;
        if (off < stop) { /* a hole in the queue: this segment fills it */
            uint64_t c = capend > off ? (capend < stop ? capend : stop) - off : 0;
            queue_piece(r, off, base + (off - start), (uint32_t)(stop - off), (uint32_t)c, ts);
            off = stop;
            continue;
        }
        uint64_t over = end < e->off + e->len ? end : e->off + e->len;
        uint64_t m = queued_mismatch(e, off, over, base + (off - start), capend);
        if (m < mismatch)
            mismatch = m;
        overlapped = true;
        off = over;
        n = g_tree_node_next(n);
    }
    if (mismatch != UINT64_MAX)
        r->ops->event(r->ctx, RR_PROBLEM_OVERLAP_MISMATCH, mismatch, len, ts);
    else if (overlapped)
        r->ops->event(r->ctx, RR_PROBLEM_RETRANSMISSION, start, len, ts);
}

/* Data that follows this segment was captured before it. */
static bool arrived_late(const rr_reasm *r, uint64_t off)
{
    const rr_reasm_seg *s = r->pieces ? seg_of(g_tree_node_last(r->queue)) : NULL;
    return s && s->off + s->len > off && s->off > off;
}

static bool over_caps(const rr_reasm *r)
{
    return r->queued > r->caps->bytes || r->pieces > r->caps->segments;
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
    int64_t rel = (int32_t)(seq - r->next_seq);
    if ((int64_t)r->next_off + rel < 0)
        return; /* before the first byte we track (mid-stream start) */
    uint64_t off = (uint64_t)((int64_t)r->next_off + rel);
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
    if (over_caps(r))
        r->overflows++; /* counted once per segment that overflowed */
    while (over_caps(r)) {
        declare_gap(r, first_piece(r)->off, s->ts_us);
        drain(r);
    }
}

void rr_reasm_finish(rr_reasm *r)
{
    /* Holes before captured data are gaps; bytes lost at the very end are
     * not (the last PDU is simply incomplete). */
    rr_reasm_seg *s;
    while ((s = first_piece(r))) {
        declare_gap(r, s->off, s->ts);
        drain(r);
    }
}
