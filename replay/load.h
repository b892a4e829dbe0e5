/* load.h — the selected sessions of a capture, with every PDU's bytes, for
 * replay.
 *
 * Memory: the recorded RIO bytes (headers and data) of the selected
 * sessions' transactions are held from reading until each transaction has
 * been replayed, then freed; packet and reassembly buffers stay bounded as
 * for audit. */
#ifndef RR_LOAD_H
#define RR_LOAD_H

#include <glib.h>

#include "input.h"
#include "options.h"
#include "session.h"

typedef struct rr_recorded {
    unsigned id;
    rr_endpoint client, server;
    bool handshake;
    int64_t ts_start;
    int64_t ts_client_fin, ts_server_fin; /* 0: none captured */
    bool server_closed_first;
    GPtrArray *txns;                      /* rr_txn *, in order */
} rr_recorded;

/* Sorted by first packet.  NULL if the capture could not be read (message
 * printed); *read_error when it broke off after some packets. */
GPtrArray *rr_load_sessions(const rr_options *o, bool *read_error);
void rr_recorded_free(gpointer p);

#endif
