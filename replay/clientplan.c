/* clientplan.c — ordering the client replay (see clientplan.h).
 *
 * Actions run in recorded order, and an action waits until every armed
 * expectation recorded at or before its time has been met: so sessions that
 * overlapped run concurrently, and a session never gets ahead of what the
 * others had reached at that moment (the second client's CREATE is refused
 * because the first one's CREATE was answered before it). */
#include "clientplan.h"
#include "replayutil.h"

static void add_action(client *c, live *ls, act_kind kind, int64_t ts, rr_txn *t)
{
    action a = {.ts = ts, .order = c->actions->len, .kind = kind, .ls = ls, .txn = t};
    g_array_append_val(c->actions, a);
    ls->actions_left++;
}

static int64_t request_time(const rr_txn *t, int64_t fallback)
{
    if (t->req.present)
        return t->req.pdu.ts_first;
    return t->resp.present ? t->resp.pdu.ts_first : fallback;
}

/* A capture that starts mid-session has no CREATE: the live server would
 * refuse everything with INVALID_HANDLE.  Such a session gets a CREATE
 * prepended (its answer is checked, not reported). */
bool rr_plan_needs_create(const rr_recorded *rec)
{
    if (rec->handshake)
        return false;
    for (guint k = 0; k < rec->txns->len; k++) {
        const rr_txn *t = g_ptr_array_index(rec->txns, k);
        if (rr_replayable_request(t))
            return t->req.pdu.hdr.major != RIO_MJ_CREATE;
    }
    return false;
}

static gint by_time(gconstpointer x, gconstpointer y)
{
    const action *a = x, *b = y;
    if (a->ts != b->ts)
        return a->ts < b->ts ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

void rr_plan_build(client *c, GPtrArray *sessions)
{
    for (guint i = 0; i < sessions->len; i++) {
        live *ls = g_new0(live, 1);
        ls->rec = g_ptr_array_index(sessions, i);
        rr_peer_init(&ls->peer, -1, RIO_RESPONSE);
        g_queue_init(&ls->expects);
        g_ptr_array_add(c->lives, ls);
        int64_t ts = ls->rec->ts_start;
        add_action(c, ls, ACT_CONNECT, ts, NULL);
        if (rr_plan_needs_create(ls->rec))
            add_action(c, ls, ACT_SEND, ts, NULL);
        for (guint k = 0; k < ls->rec->txns->len; k++) {
            rr_txn *t = g_ptr_array_index(ls->rec->txns, k);
            ts = request_time(t, ts);
            add_action(c, ls, ACT_SEND, ts, t);
        }
        if (ls->rec->ts_client_fin)
            add_action(c, ls, ACT_CLOSE, ls->rec->ts_client_fin, NULL);
    }
    g_array_sort(c->actions, by_time);
    c->ts0 = c->actions->len ? g_array_index(c->actions, action, 0).ts : 0;
}

/* May an action recorded at ts run?  Not while an armed expectation recorded
 * at or before ts is unmet. */
static bool gate_open(const client *c, int64_t ts)
{
    for (guint i = 0; i < c->lives->len; i++) {
        const live *ls = g_ptr_array_index(c->lives, i);
        const expect *e = g_queue_peek_head((GQueue *)&ls->expects);
        if (e && e->ts <= ts)
            return false;
    }
    return true;
}

static double wall_of(const client *c, int64_t ts)
{
    return c->wall0 + (double)(ts - c->ts0) / 1e6 / c->o->speed;
}

action *rr_plan_next(client *c, double now, double *wake)
{
    *wake = 0;
    if (c->next >= c->actions->len)
        return NULL;
    action *a = &g_array_index(c->actions, action, c->next);
    if (!gate_open(c, a->ts))
        return NULL;
    if (c->o->timing_original && wall_of(c, a->ts) > now) {
        *wake = wall_of(c, a->ts);
        return NULL;
    }
    c->next++;
    return a;
}

