/* replayutil.h — small helpers shared by the client and server modes. */
#ifndef RR_REPLAYUTIL_H
#define RR_REPLAYUTIL_H

#include <glib.h>
#include <stdbool.h>

#include "rio/librio.h"
#include "txnstate.h"

/* Monotonic seconds. */
double rr_now(void);
/* The recorded request can be sent: its fixed header was captured.  A
 * malformed header is sent alone (to see the live peer react to it); a
 * request that lost body bytes is sent with them zero-filled (its answer is
 * not compared, but the live server stays in step). */
bool rr_replayable_request(const rr_txn *t);
/* Zero-fill a record's bytes (lost in the capture) to the length its
 * header gives. */
void rr_zero_fill(rr_record *r);
/* rr_zero_fill a replayable request unless its header is malformed (then
 * it is sent as captured). */
void rr_fill_request(rr_txn *t);
/* "IRP_MJ_READ seq=7 STATUS_SUCCESS info=5 len=5" for a live header. */
void rr_live_text(GString *g, const rio_header *h, rio_kind kind);

#endif
