/* load.h — the selected sessions of a capture, with every PDU's bytes, for
 * replay, read while the replay runs.
 *
 * A loader reads the capture a few packets at a time (rr_loader_step) and
 * hands each selected session to its owner when its first transaction (or
 * its end) is read; later transactions are appended to it as they become
 * final.  The owner takes them (rr_recorded_take) as it replays them and
 * frees them once reported: memory stays bounded by what has been read but
 * not replayed yet, plus packet and reassembly buffers bounded as for audit.
 *
 * Streaming order: sessions are ranked by their first packet (then id), and
 * a session still being read yields nothing recorded before its first
 * packet — so the owner can tell when an action may run (see clientplan.c). */
#ifndef RR_LOAD_H
#define RR_LOAD_H

#include <glib.h>

#include "reader.h"
#include "replayopts.h"
#include "txnstate.h"

typedef struct rr_recorded {
    unsigned id;
    rr_endpoint client, server;
    bool handshake;
    int64_t ts_start;
    int64_t ts_client_fin, ts_server_fin; /* 0: none captured */
    bool server_closed_first;
    bool loaded;                          /* its end was read: all fields above are final */
    GPtrArray *txns;                      /* rr_txn *, in order; taken ones are NULL */
    guint taken;                          /* txns[0..taken-1] were taken */
    uint64_t delivered;                   /* transactions read so far, taken or not */
} rr_recorded;

void rr_recorded_free(gpointer p);
/* Read but not yet taken. */
guint rr_recorded_pending(const rr_recorded *r);
rr_txn *rr_recorded_peek(const rr_recorded *r, guint k);
/* The next transaction, now owned by the caller. */
rr_txn *rr_recorded_take(rr_recorded *r);

typedef struct rr_loader rr_loader;

/* on_session: a newly seen selected session, now owned by ctx.  NULL if
 * the capture could not be opened (message printed). */
rr_loader *rr_loader_open(const rr_options *o, void (*on_session)(void *ctx, rr_recorded *r),
                          void *ctx);
/* Read up to `packets` more packets; false once the whole capture is read. */
bool rr_loader_step(rr_loader *l, unsigned packets);
bool rr_loader_done(const rr_loader *l);
/* The capture broke off (message printed); what came before was read. */
bool rr_loader_read_error(const rr_loader *l);
/* Transactions of selected sessions read so far, over all sessions. */
uint64_t rr_loader_delivered(const rr_loader *l);
/* Sessions still being read that may still yield something to replay, and
 * the earliest of them (first packet, then id; id 0 means "none yet" and
 * ranks last).  Returns their number. */
guint rr_loader_frontier(const rr_loader *l, int64_t *ts, unsigned *id);
void rr_loader_close(rr_loader *l);
/* The capture being read (for progress). */
const rr_capture *rr_loader_capture(const rr_loader *l);

/* All of it at once (server replay): sorted by first packet.  NULL if the
 * capture could not be read (message printed); *read_error when it broke
 * off after some packets. */
GPtrArray *rr_load_sessions(const rr_options *o, bool *read_error);

#endif
