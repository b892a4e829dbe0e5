/* clientplan.h — the client replay's plan: what the recording did, as
 * actions (connect, send request k, close) and expectations (response k,
 * the server's close), each at its recorded time, and the rule that orders
 * them across sessions (see clientplan.c). */
#ifndef RR_CLIENTPLAN_H
#define RR_CLIENTPLAN_H

#include <glib.h>
#include <poll.h>

#include "livepeer.h"
#include "load.h"
#include "report.h"

typedef enum { ACT_CONNECT, ACT_SEND, ACT_CLOSE } act_kind;
typedef enum { EXP_RESPONSE, EXP_CLOSE } exp_kind;

typedef struct live live;

typedef struct action {
    int64_t ts;
    guint order;     /* tie-break: construction order */
    act_kind kind;
    live *ls;
    rr_txn *txn;
} action;

typedef struct expect {
    exp_kind kind;
    rr_txn *txn;     /* EXP_RESPONSE */
    int64_t ts;      /* recorded time: gates later actions */
    bool lenient;    /* incomplete in the capture: consume, do not compare */
    double deadline; /* 0 until it is the session's head */
} expect;

struct live {
    rr_recorded *rec;
    rr_peer peer;
    GQueue expects;
    guint actions_left;
    bool aborted, finished;
    char note[160];   /* why it was aborted */
};

typedef struct client {
    const rr_options *o;
    rr_report rep;
    GPtrArray *lives;
    GArray *actions;
    guint next;
    double wall0;
    int64_t ts0;
    struct pollfd *fds;  /* one per session, reused by every poll */
    GArray *diffs;       /* scratch, reused per transaction */
    GString *hex, *text;
} client;

/* Build every session's state and the time-ordered action list. */
void rr_plan_build(client *c, GPtrArray *sessions);
/* The next action that may run now, or NULL; *wake is then the wall time
 * it waits for (original timing), or 0 if it waits for an expectation. */
action *rr_plan_next(client *c, double now, double *wake);
/* A capture without its start whose first request is not CREATE. */
bool rr_plan_needs_create(const rr_recorded *rec);

#endif
