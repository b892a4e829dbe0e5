/* tracker.h — from TCP segments to sessions: the connection table.
 *
 * Which side is the client: the sender of the SYN; else the receiver of the
 * SYN-ACK; else the side not on a RIO port (5000..5099); else the side whose
 * first payload carries a request signature; else the higher port. */
#ifndef RR_TRACKER_H
#define RR_TRACKER_H

#include <glib.h>

#include "decode.h"
#include "session.h"

typedef struct rr_tracker {
    GHashTable *flows;        /* rr_flow_key -> rr_flow */
    GHashTable *open;         /* set of rr_session * still open */
    const rr_sink *sink;
    rr_reasm_caps caps;
    unsigned next_id;
} rr_tracker;

void rr_tracker_init(rr_tracker *t, const rr_sink *sink, rr_reasm_caps caps);
void rr_tracker_segment(rr_tracker *t, const rr_segment *seg);
/* End of capture: finish every open session, in order of first packet. */
void rr_tracker_finish(rr_tracker *t);
/* Every session still open (being read), in no particular order. */
void rr_tracker_foreach_open(const rr_tracker *t, void (*fn)(void *ctx, const rr_session *s),
                             void *ctx);
void rr_tracker_free(rr_tracker *t);

#endif
