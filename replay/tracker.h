/* tracker.h — from TCP segments to sessions: the connection table.
 *
 * Which side is the client: the sender of the SYN; else the receiver of the
 * SYN-ACK; else the side not on a RIO port (5000..5099); else the side whose
 * first payload carries a request signature; else the higher port.
 *
 * Memory: only open connections are tracked (a closed one is forgotten; a
 * stray packet after its close opens nothing, data opens a new mid-stream
 * session).  At most max_streams are open at once: opening one more first
 * drops the connection idle the longest, finished as it stands and marked
 * (rr_session.dropped), and counted in `dropped`.
 *
 * Numbering: sessions are numbered 1, 2, ... in the order they are first
 * seen to carry RIO.  A tracker fed only the packets the user selected
 * (--filter, --from/--to) keeps a numbering tracker fed every packet just
 * before it (rr_tracker_keep_numbers); a session then takes the number its
 * connection has there, the number it has without the selection. */
#ifndef RR_TRACKER_H
#define RR_TRACKER_H

#include <glib.h>

#include "pktdecode.h"
#include "txnstate.h"

/* Default --max-streams: about 256 MiB of open-connection state at ~2 KB
 * each (bench/replay/streams_mem.py). */
#define RR_DEFAULT_MAX_STREAMS 131072

/* Flows are keyed by their two endpoints in a canonical order. */
typedef struct rr_flow_key {
    rr_endpoint a, b;
} rr_flow_key;

#define RR_TRACKER_CLOSED_MAX 4 /* flows one packet can close (see closed[]) */

typedef struct rr_tracker rr_tracker;

struct rr_tracker {
    GHashTable *flows;        /* rr_flow_key -> rr_flow, open connections only */
    GQueue lru;               /* the same flows, least recently active first */
    const rr_sink *sink;
    rr_reasm_caps caps;
    size_t max_streams;
    uint64_t dropped;         /* connections dropped over max_streams */
    uint64_t next_order;
    unsigned next_id;
    rr_tracker *numbering;    /* owned; NULL: sessions count for themselves */
    /* In a numbering tracker: the flows the last packet closed, with their
     * numbers, for the selecting tracker that is fed that packet next. */
    struct rr_closed_flow { rr_flow_key key; unsigned id; bool taken; } closed[RR_TRACKER_CLOSED_MAX];
    int nclosed;
};

void rr_tracker_init(rr_tracker *t, const rr_sink *sink, rr_reasm_caps caps, size_t max_streams);
/* Number sessions as if every packet were selected: feed every packet to
 * t->numbering, then the selected ones to t (capture.c does). */
void rr_tracker_keep_numbers(rr_tracker *t);
void rr_tracker_segment(rr_tracker *t, const rr_segment *seg);
/* End of capture: finish every open session, in order of first packet
 * (then the numbering tracker's). */
void rr_tracker_finish(rr_tracker *t);
/* Every session still open (being read), in no particular order. */
void rr_tracker_foreach_open(const rr_tracker *t, void (*fn)(void *ctx, const rr_session *s),
                             void *ctx);
void rr_tracker_free(rr_tracker *t);

#endif
