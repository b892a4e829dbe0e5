/* load.c — selected sessions for replay, read while the replay runs (see
 * load.h). */
#include "load.h"

#define RR_COMPACT_MIN 64 /* taken slots dropped from txns at a time, at least */

struct rr_loader {
    const rr_options *o;
    rr_reader reader;
    rr_sink sink;
    GHashTable *open;   /* rr_session * -> rr_recorded * (until its end is read) */
    void (*on_session)(void *ctx, rr_recorded *r);
    void *ctx;
    uint64_t delivered;
    guint frontier;     /* cached after each step: see rr_loader_frontier */
    int64_t frontier_ts;
    unsigned frontier_id;
};

void rr_recorded_free(gpointer p)
{
    rr_recorded *r = p;
    if (!r)
        return;
    g_ptr_array_free(r->txns, TRUE);
    g_free(r);
}

guint rr_recorded_pending(const rr_recorded *r)
{
    return r->txns->len - r->taken;
}

rr_txn *rr_recorded_peek(const rr_recorded *r, guint k)
{
    return g_ptr_array_index(r->txns, r->taken + k);
}

rr_txn *rr_recorded_take(rr_recorded *r)
{
    rr_txn *t = g_ptr_array_index(r->txns, r->taken);
    g_ptr_array_index(r->txns, r->taken) = NULL;
    r->taken++;
    /* Drop the taken slots now and then: the array stays as long as what
     * is read ahead, not as the session. */
    if (r->taken >= RR_COMPACT_MIN && r->taken * 2 >= r->txns->len) {
        g_ptr_array_remove_range(r->txns, 0, r->taken);
        r->taken = 0;
    }
    return t;
}

static void describe(rr_recorded *r, const rr_session *s)
{
    r->id = s->id;
    r->client = s->client;
    r->server = s->server;
    r->handshake = s->handshake;
    r->ts_start = s->ts_first;
}

static rr_recorded *recorded_for(rr_loader *l, rr_session *s)
{
    rr_recorded *r = g_hash_table_lookup(l->open, s);
    if (!r) {
        r = g_new0(rr_recorded, 1);
        r->txns = g_ptr_array_new_with_free_func((GDestroyNotify)rr_txn_free);
        describe(r, s);
        g_hash_table_insert(l->open, s, r);
        l->on_session(l->ctx, r);
    }
    return r;
}

static void on_txn(void *ctx, rr_session *s, rr_txn *t)
{
    rr_loader *l = ctx;
    if (!rr_session_selected(l->o, s->id)) {
        rr_txn_free(t);
        return;
    }
    rr_recorded *r = recorded_for(l, s);
    r->handshake = s->handshake;
    g_ptr_array_add(r->txns, t);
    r->delivered++;
    l->delivered++;
}

static void on_finished(void *ctx, rr_session *s)
{
    rr_loader *l = ctx;
    if (!rr_session_selected(l->o, s->id))
        return;
    rr_recorded *r = recorded_for(l, s);
    g_hash_table_remove(l->open, s);
    describe(r, s);
    r->ts_client_fin = s->ts_fin[RR_DIR_REQUEST];
    r->ts_server_fin = s->ts_fin[RR_DIR_RESPONSE];
    r->server_closed_first = r->ts_server_fin && (!r->ts_client_fin || r->ts_server_fin <= r->ts_client_fin);
    r->loaded = true;
}

/* ---- the frontier: open sessions that may still yield something ---------- */

static void frontier_visit(void *ctx, const rr_session *s)
{
    rr_loader *l = ctx;
    if (s->id && !rr_session_selected(l->o, s->id))
        return;
    unsigned id = s->id ? s->id : G_MAXUINT;
    if (!l->frontier++ || s->ts_first < l->frontier_ts ||
        (s->ts_first == l->frontier_ts && id < l->frontier_id)) {
        l->frontier_ts = s->ts_first;
        l->frontier_id = id;
    }
}

static void frontier_update(rr_loader *l)
{
    l->frontier = 0;
    if (!l->reader.done)
        rr_tracker_foreach_open(&l->reader.tracker, frontier_visit, l);
}

guint rr_loader_frontier(const rr_loader *l, int64_t *ts, unsigned *id)
{
    *ts = l->frontier_ts;
    *id = l->frontier_id;
    return l->frontier;
}

/* ---- lifecycle ------------------------------------------------------------ */

rr_loader *rr_loader_open(const rr_options *o, void (*on_session)(void *ctx, rr_recorded *r),
                          void *ctx)
{
    rr_loader *l = g_new0(rr_loader, 1);
    l->o = o;
    l->on_session = on_session;
    l->ctx = ctx;
    l->open = g_hash_table_new(NULL, NULL);
    l->sink = (rr_sink){.keep_bytes = true, .txn = on_txn, .finished = on_finished, .ctx = l};
    if (!rr_reader_open(&l->reader, o, &l->sink)) {
        rr_loader_close(l);
        return NULL;
    }
    return l;
}

bool rr_loader_step(rr_loader *l, unsigned packets)
{
    bool more = rr_reader_step(&l->reader, packets);
    frontier_update(l);
    return more;
}

bool rr_loader_done(const rr_loader *l)
{
    return l->reader.done;
}

bool rr_loader_read_error(const rr_loader *l)
{
    return l->reader.res.read_error;
}

uint64_t rr_loader_delivered(const rr_loader *l)
{
    return l->delivered;
}

const rr_capture *rr_loader_capture(const rr_loader *l)
{
    return &l->reader.cap;
}

void rr_loader_close(rr_loader *l)
{
    if (!l)
        return;
    rr_reader_close(&l->reader);
    g_hash_table_destroy(l->open);
    g_free(l);
}

/* ---- all at once ---------------------------------------------------------- */

static void collect(void *ctx, rr_recorded *r)
{
    g_ptr_array_add(ctx, r);
}

static gint by_start(gconstpointer a, gconstpointer b)
{
    const rr_recorded *x = *(rr_recorded *const *)a, *y = *(rr_recorded *const *)b;
    if (x->ts_start != y->ts_start)
        return x->ts_start < y->ts_start ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

GPtrArray *rr_load_sessions(const rr_options *o, bool *read_error)
{
    GPtrArray *all = g_ptr_array_new_with_free_func(rr_recorded_free);
    rr_loader *l = rr_loader_open(o, collect, all);
    *read_error = false;
    if (!l) {
        g_ptr_array_free(all, TRUE);
        return NULL;
    }
    while (rr_loader_step(l, 4096))
        ;
    *read_error = rr_loader_read_error(l);
    rr_loader_close(l);
    g_ptr_array_sort(all, by_start);
    return all;
}
