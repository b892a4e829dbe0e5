/* conn.h — one client connection: its bytes (framing, backlog, output
 * queue) and its lifecycle, one explicit state (conn_state) whose
 * transitions are written in one table in conn.c.
 *
 *   SERVING ---request pends---> PENDING ---device answered---> SERVING
 *      |  \                        |  \
 *      |   peer FIN -> DRAINING    |   peer FIN, abort -> DEAD
 *      |   (whole requests are     |
 *      |    still answered)        finish (close after the answers)
 *      |        |                  |
 *      +--------+---- finish ------+--> CLOSING --answers sent--> LINGERING --peer FIN or 2 s--> DEAD
 *   any state: abort (socket error, limit, write timeout) --> DEAD
 *
 * What a request means is rules.c's business: it returns a rules_outcome
 * and the connection carries it out (send, pend, close, frame again).  A
 * pending request's deadline and device fd are armed here from what
 * rules_wait returns, and rules_poll is asked when one of them fires. */
#ifndef RIOTOASTERD_CONN_H
#define RIOTOASTERD_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "daemonopts.h"
#include "devtable.h"
#include "loop.h"
#include "rio/librio.h"
#include "rules.h"

#define SCRATCH_SIZE 65536
#define SLICE_PDUS 32            /* requests framed for one connection per loop turn (fairness) */
#define CORK_MAX 4096            /* answers up to this data length are gathered within a slice */
#define BACKLOG_MAX SCRATCH_SIZE /* stop reading while this much waits unframed */
#define OUT_MAX SCRATCH_SIZE     /* stop framing while this much waits to be sent */

typedef struct conn conn;

/* What all connections of a server share. */
typedef struct conn_hub {
    loop *loop;
    const server_config *cfg;
    devtable *devices;
    conn *conns;                 /* every open connection */
    size_t nconns;
    conn *work_head, *work_tail; /* connections with buffered requests (fairness) */
    uint64_t turn;               /* loop turns run, to give each a slice per turn */
    size_t request_held;         /* partial request data held, all connections */
    uint8_t *scratch;            /* read buffer shared by all connections */
} conn_hub;

typedef enum conn_state {
    CONN_SERVING,   /* framing and answering requests in order */
    CONN_PENDING,   /* a request waits on the device; later ones wait framed-later */
    CONN_DRAINING,  /* the peer sent FIN: requests received whole are still answered */
    CONN_CLOSING,   /* no more requests: the queued answers go out, then FIN */
    CONN_LINGERING, /* FIN sent; input discarded until the peer's FIN or LINGER_MS */
    CONN_DEAD,      /* to be destroyed by conn_settle */
} conn_state;

struct conn {
    conn_hub *hub;
    int fd;
    conn_state state;
    const char *reason;    /* why the connection is closing */
    session session;       /* the protocol side: handle, device, pending request */
    rio_framer framer;
    buf backlog;           /* received bytes not yet framed */
    buf out;               /* response bytes the socket did not take yet */
    uint64_t pdu_start;    /* loop time of the current PDU's first byte; 0: between PDUs */
    uint64_t last_active;  /* loop time of the last answer (idle timer) */
    uint64_t close_start;  /* loop time CLOSING or LINGERING began */
    uint64_t out_progress; /* loop time output last moved (write-stall timer) */
    size_t charged;        /* request data this connection holds against the budget */
    unsigned slice;        /* PDUs it may still frame in this loop turn */
    uint64_t work_turn;    /* loop turn in which it joined the work list */
    bool on_work;          /* on the hub's work list: input buffered, not framed */
    bool corked;           /* answering a slice: small answers gather in out */
    int watched_fd;        /* the device fd watched for the pending request, or -1 */
    conn *work_prev, *work_next;
    loop_timer timer;      /* stall, idle, write, linger and pending-request deadlines */
    char peer[64];
    conn *prev, *next;
};

/* A new connection on fd (its peer name is taken here); `fixed` is the
 * device of the port (NULL in farm mode).  NULL when out of memory. */
conn *conn_new(conn_hub *h, int fd, device *fixed);
/* Close at once (server stop): logged, device released, freed. */
void conn_destroy(conn *c, const char *reason);
/* Once per loop turn: each connection with buffered requests frames one
 * more slice.  True while some still have requests left. */
bool conn_run_work(conn_hub *h);

#endif
