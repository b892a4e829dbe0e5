/* clientplan.c — ordering the client replay (see clientplan.h).
 *
 * Actions run in recorded order, and an action waits until every armed
 * expectation recorded at or before its time has been met: so sessions that
 * overlapped run concurrently, and a session never gets ahead of what the
 * others had reached at that moment (the second client's CREATE is refused
 * because the first one's CREATE was answered before it).
 *
 * Recorded order is time, then the session's rank (first packet, id), then
 * the session's own order — what one sorted list of every action gave when
 * the whole capture was read first.  Read while replaying, it is decided
 * from what has been read: the earliest known next action of any session
 * may run unless a session still being read could yet put one before it.
 * A session being read yields nothing recorded before its first packet, and
 * when it is the only one being read its own next action is its earliest.
 * So a lone session streams, and sessions that overlapped wait until the
 * overlap has been read. */
#include "clientplan.h"
#include "replayutil.h"

static int64_t request_time(const rr_txn *t, int64_t fallback)
{
    if (t->req.present)
        return t->req.pdu.ts_first;
    return t->resp.present ? t->resp.pdu.ts_first : fallback;
}

const rr_txn *rr_plan_first_request(const rr_recorded *rec)
{
    for (guint k = 0; k < rr_recorded_pending(rec); k++) {
        const rr_txn *t = rr_recorded_peek(rec, k);
        if (rr_replayable_request(t))
            return t;
    }
    return NULL;
}

/* A capture that starts mid-session has no CREATE: the live server would
 * refuse everything with INVALID_HANDLE.  Such a session gets a CREATE
 * prepended (its answer is checked, not reported). */
bool rr_plan_needs_create(const rr_recorded *rec)
{
    if (rec->handshake)
        return false;
    const rr_txn *t = rr_plan_first_request(rec);
    return t && t->req.pdu.hdr.major != RIO_MJ_CREATE;
}

/* (ts, first packet, id) of x before that of y. */
static bool ranks_before(int64_t ts, int64_t start, unsigned id, int64_t ts_y, int64_t start_y,
                         unsigned id_y)
{
    if (ts != ts_y)
        return ts < ts_y;
    if (start != start_y)
        return start < start_y;
    return id < id_y;
}

static bool action_before(const action *x, const action *y)
{
    return ranks_before(x->ts, x->ls->rec->ts_start, x->ls->rec->id, y->ts, y->ls->rec->ts_start,
                        y->ls->rec->id);
}

void rr_plan_add(client *c, rr_recorded *rec)
{
    live *ls = g_new0(live, 1);
    ls->rec = rec;
    ls->rep = &c->rep;
    rr_peer_init(&ls->peer, -1, RIO_RESPONSE);
    g_queue_init(&ls->expects);
    ls->stage = STAGE_CONNECT;
    ls->last_ts = rec->ts_start;
    guint i = c->lives->len;
    while (i > 0) {
        const rr_recorded *prev = ((live *)g_ptr_array_index(c->lives, i - 1))->rec;
        if (!ranks_before(rec->ts_start, rec->ts_start, rec->id, prev->ts_start, prev->ts_start,
                          prev->id))
            break;
        i--;
    }
    g_ptr_array_insert(c->lives, (gint)i, ls);
}

/* Past the requests and the close once the session's end says so. */
static void settle(live *ls)
{
    const rr_recorded *r = ls->rec;
    if (ls->stage == STAGE_SENDS && r->loaded && !rr_recorded_pending(r))
        ls->stage = STAGE_CLOSE;
    if (ls->stage == STAGE_CLOSE && r->loaded && !r->ts_client_fin)
        ls->stage = STAGE_DONE;
}

bool rr_plan_actions_left(live *ls)
{
    settle(ls);
    return ls->stage != STAGE_DONE;
}

/* The session's next action, if what it depends on has been read. */
static bool next_known(live *ls, action *a)
{
    const rr_recorded *r = ls->rec;
    settle(ls);
    *a = (action){.ls = ls, .ts = r->ts_start};
    switch (ls->stage) {
    case STAGE_CONNECT:
        /* Whether a CREATE is prepended depends on the first request. */
        a->kind = ACT_CONNECT;
        return r->loaded || rr_plan_first_request(r);
    case STAGE_CREATE:
        a->kind = ACT_SEND;
        return true;
    case STAGE_SENDS:
        /* Whether a request is the last one is known once the next one,
         * or the session's end, has been read. */
        if (rr_recorded_pending(r) < (r->loaded ? 1u : 2u))
            return false;
        a->kind = ACT_SEND;
        a->txn = rr_recorded_peek(r, 0);
        a->ts = request_time(a->txn, ls->last_ts);
        return true;
    case STAGE_CLOSE:
        a->kind = ACT_CLOSE;
        a->ts = r->ts_client_fin;
        return r->loaded;
    default:
        return false;
    }
}

/* Can nothing still unread come before a? */
static bool nothing_unread_before(const client *c, const action *a)
{
    int64_t ts;
    unsigned id;
    guint reading = rr_loader_frontier(c->loader, &ts, &id);
    if (!reading)
        return true;
    if (!a->ls->rec->loaded)
        return reading == 1; /* a's own session is the only one being read */
    return ranks_before(a->ts, a->ls->rec->ts_start, a->ls->rec->id, ts, ts, id);
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

/* The action runs: the session moves on; a request becomes the caller's. */
static void advance(client *c, action *a)
{
    live *ls = a->ls;
    switch (ls->stage) {
    case STAGE_CONNECT:
        ls->stage = rr_plan_needs_create(ls->rec) ? STAGE_CREATE : STAGE_SENDS;
        break;
    case STAGE_CREATE:
        ls->stage = STAGE_SENDS;
        break;
    case STAGE_SENDS:
        a->txn = rr_recorded_take(ls->rec);
        ls->last_ts = a->ts;
        c->taken++;
        break;
    default:
        ls->stage = STAGE_DONE;
    }
}

bool rr_plan_next(client *c, double now, action *out, plan_wait *why, double *wake)
{
    action best, a;
    bool have = false;
    *wake = 0;
    for (guint i = 0; i < c->lives->len; i++) {
        if (next_known(g_ptr_array_index(c->lives, i), &a) && (!have || action_before(&a, &best))) {
            best = a;
            have = true;
        }
    }
    if (!have || !nothing_unread_before(c, &best)) {
        *why = rr_loader_done(c->loader) ? WAIT_NONE : WAIT_DATA;
        return false;
    }
    if (!gate_open(c, best.ts)) {
        *why = WAIT_GATE;
        return false;
    }
    if (!c->started) {
        c->started = true;
        c->wall0 = now;
        c->ts0 = best.ts;
    }
    if (c->o->timing_original && wall_of(c, best.ts) > now) {
        *wake = wall_of(c, best.ts);
        *why = WAIT_TIME;
        return false;
    }
    advance(c, &best);
    *out = best;
    return true;
}
