/* livepeer.h — one live TCP connection: an output queue and librio's
 * framer on the input. */
#ifndef RR_LIVEPEER_H
#define RR_LIVEPEER_H

#include <glib.h>
#include <stdbool.h>

#include "rio/librio.h"

typedef enum rr_peer_event {
    RR_PEER_OK,        /* read what there was */
    RR_PEER_EOF,       /* the peer closed (FIN) */
    RR_PEER_RESET,     /* the peer reset the connection */
    RR_PEER_FRAMING,   /* the peer sent a header that breaks a framing rule */
} rr_peer_event;

typedef struct rr_peer {
    int fd;
    rio_framer framer;
    GByteArray *out;
    size_t out_off;
    bool shut_pending;  /* shutdown(SHUT_WR) once the queue is written */
    bool shut_done;
} rr_peer;

/* fd < 0 allowed (not connected). */
void rr_peer_init(rr_peer *p, int fd, rio_kind incoming);
void rr_peer_send(rr_peer *p, const uint8_t *data, size_t len);
/* Write queued bytes; false on a write error (peer gone). */
bool rr_peer_flush(rr_peer *p);
bool rr_peer_wants_write(const rr_peer *p);
/* A whole PDU: header (24 bytes as re-encoded) and data. */
typedef void (*rr_peer_pdu_fn)(void *ctx, const rio_pdu *pdu);
/* Read what is available and hand out every whole PDU. */
rr_peer_event rr_peer_read(rr_peer *p, rr_peer_pdu_fn fn, void *ctx);
void rr_peer_close(rr_peer *p);

#endif
