/* load.c — collect whole sessions for replay (see load.h). */
#include "load.h"

typedef struct loader {
    const rr_options *o;
    GHashTable *open;   /* rr_session * -> rr_recorded * (while reading) */
    GPtrArray *done;
} loader;

void rr_recorded_free(gpointer p)
{
    rr_recorded *r = p;
    if (!r)
        return;
    g_ptr_array_free(r->txns, TRUE);
    g_free(r);
}

static rr_recorded *recorded_for(loader *l, rr_session *s)
{
    rr_recorded *r = g_hash_table_lookup(l->open, s);
    if (!r) {
        r = g_new0(rr_recorded, 1);
        r->txns = g_ptr_array_new_with_free_func((GDestroyNotify)rr_txn_free);
        g_hash_table_insert(l->open, s, r);
    }
    return r;
}

static void on_txn(void *ctx, rr_session *s, rr_txn *t)
{
    loader *l = ctx;
    if (!rr_session_selected(l->o, s->id)) {
        rr_txn_free(t);
        return;
    }
    g_ptr_array_add(recorded_for(l, s)->txns, t);
}

static void on_finished(void *ctx, rr_session *s)
{
    loader *l = ctx;
    if (!rr_session_selected(l->o, s->id))
        return;
    rr_recorded *r = recorded_for(l, s);
    g_hash_table_steal(l->open, s);
    r->id = s->id;
    r->client = s->client;
    r->server = s->server;
    r->handshake = s->handshake;
    r->ts_start = s->ts_first;
    r->ts_client_fin = s->ts_fin[RR_DIR_REQUEST];
    r->ts_server_fin = s->ts_fin[RR_DIR_RESPONSE];
    r->server_closed_first = r->ts_server_fin && (!r->ts_client_fin || r->ts_server_fin <= r->ts_client_fin);
    g_ptr_array_add(l->done, r);
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
    loader l = {.o = o, .open = g_hash_table_new(NULL, NULL),
                .done = g_ptr_array_new_with_free_func(rr_recorded_free)};
    rr_sink sink = {.keep_bytes = true, .txn = on_txn, .finished = on_finished, .ctx = &l};
    rr_input_result in = rr_read_capture(o, &sink);
    g_hash_table_destroy(l.open);
    *read_error = in.read_error;
    if (!in.opened) {
        g_ptr_array_free(l.done, TRUE);
        return NULL;
    }
    g_ptr_array_sort(l.done, by_start);
    return l.done;
}
