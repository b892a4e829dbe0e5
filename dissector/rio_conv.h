/*
 * rio_conv.h — per-conversation state: how each direction is framed at
 * this point of the stream, and request/response matching.
 */
#ifndef RIO_CONV_H
#define RIO_CONV_H

#include "rio_int.h"

/* One request and (once seen) its response. */
typedef struct rio_trans {
    guint32 req_frame;
    guint32 rep_frame;
    nstime_t req_time;
    guint32 seq;
    guint32 ioctl;
    guint32 output_length;
    guint8 major;
    struct rio_trans *next_same_seq;  /* next outstanding request with this Sequence */
} rio_trans_t;

/* Framing state of one direction: frame numbers, written on the first pass
 * only, so that every later dissection frames the stream the same way. */
typedef struct rio_dir_state {
    guint32 first_pdu_frame;  /* first frame holding a PDU (0: none yet) */
    guint32 dead_frame;       /* frame holding the first malformed header */
    gboolean midstream;       /* bytes were skipped before the first PDU */
} rio_dir_state_t;

typedef struct rio_conv {
    address addr0;            /* source of the first packet: direction 0 */
    address addr1;            /* its destination: direction 1 */
    guint32 port0, port1;
    rio_dir_state_t dir[2];
    guint32 next_tcp_seq[2];  /* where each direction's last segment ended (rio_call_init's cache) */
    gboolean tcp_seq_known[2];
    wmem_list_t *outstanding; /* requests without a response, oldest first */
    wmem_map_t *by_seq;       /* Sequence -> its outstanding requests */
    int request_dir;          /* direction of the requests, -1 until known */
    gboolean start_captured;  /* the capture holds the SYN: byte 0 of each direction */
    gboolean seen_request;
    guint32 last_request_seq;
    const char *device;       /* device of the described IOCTLs seen so far, or NULL */
} rio_conv_t;

/* How a direction frames bytes at the current point of the stream. */
typedef enum {
    RIO_MODE_UNSYNCED,  /* no PDU seen yet, mid-stream: look for a PDU start */
    RIO_MODE_SYNCED,    /* PDU boundaries known: a bad header is an error */
    RIO_MODE_DEAD       /* after a malformed header: stream not trusted */
} rio_mode_t;

/* Analysis findings on one PDU (bit flags). */
enum {
    RIO_PF_FIRST_NOT_CREATE = 1u << 0,
    RIO_PF_SEQ_NOT_INCREMENTED = 1u << 1,
    RIO_PF_REQUEST_OUTSTANDING = 1u << 2,
    RIO_PF_UNMATCHED_RESPONSE = 1u << 3,
    RIO_PF_SEQ_MISMATCH = 1u << 4,
    RIO_PF_MAJOR_MISMATCH = 1u << 5,
    RIO_PF_RESPONSE_TOO_LONG = 1u << 6
};

/* What the first pass found about one PDU; later passes read it back. */
typedef struct rio_pdu_info {
    rio_trans_t *trans;       /* matching transaction, NULL if none */
    guint32 flags;            /* RIO_PF_* */
    const char *device;       /* the connection's device at this PDU, or NULL */
} rio_pdu_info_t;

struct rio_packet_state;

/* Context of one call of the TCP dissector, shared by get_pdu_len and the
 * PDU dissector through tcp_dissect_pdus's data pointer. */
typedef struct rio_call {
    rio_conv_t *conv;
    int dir;
    struct rio_packet_state *packet;  /* this frame's framing facts */
} rio_call_t;

struct tcpinfo;

void rio_conv_init(int proto);
/* The context of one call of the TCP dissector: the conversation and
 * direction of this segment.  tcp: what TCP passes its subdissectors
 * (NULL if not TCP's); a segment that continues a direction exactly where
 * its previous one ended skips the conversation lookup. */
void rio_call_init(rio_call_t *call, packet_info *pinfo, const struct tcpinfo *tcp);
/* After the call: remember where this segment ended. */
void rio_call_done(const rio_call_t *call, packet_info *pinfo, const struct tcpinfo *tcp);
rio_mode_t rio_mode(packet_info *pinfo, const rio_call_t *call);

/* The kind of PDU this direction carries: TRUE and *kind once a PDU of
 * either direction has been seen. */
gboolean rio_direction_kind(const rio_call_t *call, rio_kind *kind);
/* Does this direction carry requests?  Known from the first PDU; before
 * that, a guess from the ports. */
gboolean rio_is_request_direction(packet_info *pinfo, const rio_call_t *call);

void rio_mark_synced(packet_info *pinfo, const rio_call_t *call, rio_kind kind);
void rio_mark_dead(packet_info *pinfo, const rio_call_t *call);
void rio_mark_skipped(packet_info *pinfo, const rio_call_t *call);
rio_pdu_info_t *rio_analyse_pdu(packet_info *pinfo, const rio_call_t *call, const rio_header *hdr);

#endif /* RIO_CONV_H */
