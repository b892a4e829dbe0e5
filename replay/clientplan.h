/* clientplan.h — the client replay's plan: what the recording did, as
 * actions (connect, send request k, close) and expectations (response k,
 * the server's close), each at its recorded time, and the rule that orders
 * them across sessions (see clientplan.c).  Sessions arrive from the
 * loader while the replay runs; each one's next action is worked out when
 * what it depends on has been read. */
#ifndef RR_CLIENTPLAN_H
#define RR_CLIENTPLAN_H

#include <glib.h>
#include <poll.h>

#include "livepeer.h"
#include "load.h"
#include "report.h"

typedef enum { ACT_CONNECT, ACT_SEND, ACT_CLOSE } act_kind;
typedef enum { EXP_RESPONSE, EXP_CLOSE } exp_kind;
/* What a session does next: connect, maybe a prepended CREATE, its
 * requests, its close, nothing. */
typedef enum { STAGE_CONNECT, STAGE_CREATE, STAGE_SENDS, STAGE_CLOSE, STAGE_DONE } live_stage;
/* Why no action may run now. */
typedef enum { WAIT_NONE, WAIT_DATA, WAIT_GATE, WAIT_TIME } plan_wait;

typedef struct live live;

typedef struct action {
    int64_t ts;
    act_kind kind;
    live *ls;
    rr_txn *txn;     /* ACT_SEND: owned by the caller once fired; NULL: the CREATE */
} action;

typedef struct expect {
    exp_kind kind;
    rr_txn *txn;     /* EXP_RESPONSE, owned (NULL: the prepended CREATE) */
    int64_t ts;      /* recorded time: gates later actions */
    bool lenient;    /* incomplete in the capture: consume, do not compare */
    double deadline; /* 0 until it is the session's head */
} expect;

struct live {
    rr_recorded *rec;
    rr_peer peer;
    GQueue expects;
    live_stage stage;
    int64_t last_ts;  /* recorded time of its last request (one without a time inherits it) */
    bool aborted, finished;
    char note[160];   /* why it was aborted */
    rr_report *rep;   /* told when the session is forgotten */
};

typedef struct client {
    const rr_options *o;
    rr_report rep;
    rr_loader *loader;
    GPtrArray *lives;    /* sorted by first packet, then id */
    uint64_t taken;      /* transactions taken from the loader */
    bool started;        /* the first action ran: wall0/ts0 are set */
    double wall0;
    int64_t ts0;
    struct pollfd *fds;  /* one per session, reused by every poll */
    guint nfds;
    GArray *diffs;       /* scratch, reused per transaction */
    GString *hex, *text;
    GHashTable *unreachable; /* live port -> why it could not be reached */
} client;

/* A session the loader just found: joins the plan. */
void rr_plan_add(client *c, rr_recorded *rec);
/* The next action that may run now (taken out of the plan), or false with
 * *why; *wake is then the wall time it waits for (WAIT_TIME), else 0. */
bool rr_plan_next(client *c, double now, action *a, plan_wait *why, double *wake);
/* Has the session actions still to run (some perhaps not read yet)? */
bool rr_plan_actions_left(live *ls);
/* The first request that can be replayed among those read, or NULL. */
const rr_txn *rr_plan_first_request(const rr_recorded *rec);
/* A capture without its start whose first request is not CREATE. */
bool rr_plan_needs_create(const rr_recorded *rec);

#endif
