/* tracker.c — the connection table (see tracker.h). */
#include <string.h>

#include "tracker.h"

typedef struct rr_flow {
    rr_flow_key key;
    rr_session *session;
    uint64_t order;           /* creation order, for a deterministic finish */
    GList link;               /* in rr_tracker.lru (data: this flow) */
} rr_flow;

static int endpoint_cmp(const rr_endpoint *x, const rr_endpoint *y)
{
    if (x->family != y->family)
        return x->family < y->family ? -1 : 1;
    int c = memcmp(x->addr, y->addr, sizeof x->addr);
    if (c)
        return c;
    return x->port == y->port ? 0 : x->port < y->port ? -1 : 1;
}

static void make_key(rr_flow_key *k, const rr_endpoint *x, const rr_endpoint *y)
{
    memset(k, 0, sizeof *k);
    bool swap = endpoint_cmp(x, y) > 0;
    k->a = swap ? *y : *x;
    k->b = swap ? *x : *y;
}

/* Ports and the low address bytes tell flows apart well enough; equality
 * checks the whole key.  Per packet, so kept cheap. */
static guint key_hash(gconstpointer p)
{
    const rr_flow_key *k = p;
    uint32_t a, b;
    memcpy(&a, k->a.addr + 12, sizeof a);
    memcpy(&b, k->b.addr + 12, sizeof b);
    if (k->a.family == 4) {
        memcpy(&a, k->a.addr, sizeof a);
        memcpy(&b, k->b.addr, sizeof b);
    }
    uint64_t h = ((uint64_t)k->a.port << 16 | k->b.port) ^ ((uint64_t)a << 32 | b);
    h *= 0x9E3779B97F4A7C15ull;
    return (guint)(h >> 32);
}

static gboolean key_equal(gconstpointer x, gconstpointer y)
{
    return memcmp(x, y, sizeof(rr_flow_key)) == 0;
}

static void flow_free(gpointer p)
{
    rr_flow *f = p;
    rr_session_free(f->session);
    g_free(f);
}

void rr_tracker_init(rr_tracker *t, const rr_sink *sink, rr_reasm_caps caps, size_t max_streams)
{
    memset(t, 0, sizeof *t);
    t->flows = g_hash_table_new_full(key_hash, key_equal, NULL, flow_free);
    g_queue_init(&t->lru);
    t->sink = sink;
    t->caps = caps;
    t->max_streams = max_streams;
}

static bool rio_port(uint16_t port)
{
    return port >= RIO_BASE_PORT && port <= RIO_PORT_RANGE_LAST;
}

/* Is the sender of this first-seen segment the client? */
static bool sender_is_client(const rr_segment *s)
{
    if (s->flags & RR_TCP_SYN)
        return !(s->flags & RR_TCP_ACK);
    if (rio_port(s->dst.port) != rio_port(s->src.port))
        return rio_port(s->dst.port);
    rio_kind kind;
    if (s->caplen >= RIO_SIGNATURE_SIZE && rio_signature_kind(s->payload, &kind))
        return kind == RIO_REQUEST;
    return s->src.port > s->dst.port;
}

/* The connection ended (or is dropped): finish its session and forget it. */
static void close_flow(rr_tracker *t, rr_flow *f)
{
    g_queue_unlink(&t->lru, &f->link);
    g_hash_table_steal(t->flows, &f->key);
    rr_session_finish(f->session);
    if (t->nclosed < RR_TRACKER_CLOSED_MAX)
        t->closed[t->nclosed++] = (struct rr_closed_flow){f->key, f->session->id,
                                                          f->session->id_given};
    flow_free(f);
}

/* Over --max-streams: the connection idle the longest goes, finished as it
 * stands and marked, so that every report shows it (never silently). */
static void drop_idlest(rr_tracker *t)
{
    rr_flow *f = t->lru.head->data;
    f->session->dropped = true;
    t->dropped++;
    close_flow(t, f);
}

/* ---- numbering ------------------------------------------------------------ */

/* The number numbering tracker n gives the selected session of a
 * connection (a, b) that has just been seen to carry RIO: its own session's
 * for that connection (closed by this very packet, or open), made RIO now
 * if it was not yet, once per session; else a number of its own. */
static unsigned number_in(rr_tracker *n, const rr_endpoint *a, const rr_endpoint *b)
{
    rr_flow_key key;
    make_key(&key, a, b);
    for (int i = 0; i < n->nclosed; i++)
        if (!n->closed[i].taken && key_equal(&n->closed[i].key, &key)) {
            n->closed[i].taken = true;
            return n->closed[i].id ? n->closed[i].id : ++n->next_id;
        }
    rr_flow *f = g_hash_table_lookup(n->flows, &key);
    if (!f || f->session->id_given)
        return ++n->next_id;
    if (!f->session->id)
        f->session->id = ++n->next_id;
    f->session->id_given = true;
    return f->session->id;
}

static unsigned take_id(void *ctx, rr_session *s)
{
    rr_tracker *t = ctx;
    return t->numbering ? number_in(t->numbering, &s->client, &s->server) : ++t->next_id;
}

static void numbering_txn(void *ctx, rr_session *s, rr_txn *t)
{
    (void)ctx, (void)s;
    rr_txn_free(t);
}

static void numbering_finished(void *ctx, rr_session *s)
{
    (void)ctx, (void)s;
}

/* Only counts: no bytes, no hashes, nothing reported. */
static const rr_sink numbering_sink = {.txn = numbering_txn, .finished = numbering_finished};

void rr_tracker_keep_numbers(rr_tracker *t)
{
    t->numbering = g_new(rr_tracker, 1);
    rr_tracker_init(t->numbering, &numbering_sink, t->caps, t->max_streams);
}

/* ---- the table ------------------------------------------------------------ */

static rr_session *open_session(rr_tracker *t, const rr_segment *s)
{
    bool client = sender_is_client(s);
    return rr_session_new(t->sink, take_id, t, client ? &s->src : &s->dst,
                          client ? &s->dst : &s->src, &t->caps, s->ts_us);
}

/* A new connection reusing the 4-tuple: a client SYN on a flow that is
 * closed, that already carried data, or whose SYN had another ISN. */
static bool new_connection(const rr_session *ss, const rr_segment *s)
{
    if ((s->flags & (RR_TCP_SYN | RR_TCP_ACK)) != RR_TCP_SYN)
        return false;
    if (rr_session_closed(ss))
        return true;
    int dir = endpoint_cmp(&s->src, &ss->client) == 0 ? RR_DIR_REQUEST : RR_DIR_RESPONSE;
    const rr_reasm *r = &ss->reasm[dir];
    if (!r->started)
        return false;
    uint32_t isn = r->next_seq - 1 - (uint32_t)r->next_off;
    return !ss->syn[dir] || isn != s->seq;
}

void rr_tracker_segment(rr_tracker *t, const rr_segment *s)
{
    t->nclosed = 0;
    rr_flow_key key;
    make_key(&key, &s->src, &s->dst);
    rr_flow *f = g_hash_table_lookup(t->flows, &key);
    if (f && new_connection(f->session, s)) {
        close_flow(t, f);
        f = NULL;
    }
    if (!f) {
        /* Stray ACKs and FINs (after a close) open nothing. */
        if (s->len == 0 && !(s->flags & RR_TCP_SYN))
            return;
        if (t->max_streams && t->lru.length >= t->max_streams)
            drop_idlest(t);
        f = g_new0(rr_flow, 1);
        f->key = key;
        f->order = t->next_order++;
        f->session = open_session(t, s);
        f->link.data = f;
        g_hash_table_insert(t->flows, &f->key, f);
        g_queue_push_tail_link(&t->lru, &f->link);
    } else if (t->lru.tail != &f->link) { /* now the most recently active */
        g_queue_unlink(&t->lru, &f->link);
        g_queue_push_tail_link(&t->lru, &f->link);
    }
    rr_session *ss = f->session;
    int dir = endpoint_cmp(&s->src, &ss->client) == 0 ? RR_DIR_REQUEST : RR_DIR_RESPONSE;
    rr_session_segment(ss, dir, s);
    if (rr_session_closed(ss))
        close_flow(t, f);
}

static gint by_order(gconstpointer x, gconstpointer y)
{
    const rr_flow *a = *(rr_flow *const *)x, *b = *(rr_flow *const *)y;
    return a->order < b->order ? -1 : a->order > b->order;
}

void rr_tracker_finish(rr_tracker *t)
{
    GPtrArray *open = g_ptr_array_sized_new(t->lru.length);
    for (GList *l = t->lru.head; l; l = l->next)
        g_ptr_array_add(open, l->data);
    g_ptr_array_sort(open, by_order);
    if (t->numbering)
        t->numbering->nclosed = 0; /* only open flows count now */
    for (guint i = 0; i < open->len; i++)
        close_flow(t, g_ptr_array_index(open, i));
    g_ptr_array_free(open, TRUE);
    if (t->numbering)
        rr_tracker_finish(t->numbering);
}

void rr_tracker_foreach_open(const rr_tracker *t, void (*fn)(void *ctx, const rr_session *s),
                             void *ctx)
{
    for (GList *l = t->lru.head; l; l = l->next)
        fn(ctx, ((rr_flow *)l->data)->session);
}

void rr_tracker_free(rr_tracker *t)
{
    if (t->numbering) {
        rr_tracker_free(t->numbering);
        g_free(t->numbering);
        t->numbering = NULL;
    }
    if (t->flows)
        g_hash_table_destroy(t->flows);
    t->flows = NULL;
    g_queue_init(&t->lru);
}
