/* txnstate.h — what a capture holds: sessions of transactions.
 *
 * A session is one TCP connection that carries RIO.  Transaction k pairs the
 * k-th request with the k-th response (the server answers in FIFO order).
 * Every capture problem is attached to the PDU it touches; a transaction
 * with a PDU that lost bytes is incomplete: never replayed as a comparison,
 * never counted as a divergence.
 *
 * Memory: a session holds only a window of transactions that are not final
 * yet; final ones go to the sink, which owns them from then on (audit counts
 * and frees them at once; replay keeps them until the session is replayed). */
#ifndef RR_TXNSTATE_H
#define RR_TXNSTATE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "pktdecode.h"
#include "pdustream.h"
#include "reasm.h"

#define RR_VIOLATION_TABLE(X) \
    X(RR_VIOLATION_PIPELINING, "pipelining") \
    X(RR_VIOLATION_MISSING_CREATE, "missing_create") \
    X(RR_VIOLATION_SEQUENCE_JUMP, "sequence_jump") \
    X(RR_VIOLATION_RESPONSE_MISMATCH, "response_mismatch")

typedef enum rr_violation {
#define RR_X(sym, text) sym,
    RR_VIOLATION_TABLE(RR_X)
#undef RR_X
    RR_VIOLATION_COUNT
} rr_violation;

const char *rr_violation_name(rr_violation v);

enum { RR_DIR_REQUEST = 0, RR_DIR_RESPONSE = 1 };

/* One PDU as recorded. */
typedef struct rr_record {
    bool present;
    bool ended;
    rr_pdu pdu;           /* header, timestamps, problems, completeness */
    uint64_t body_seen;   /* body bytes passed so far */
    GByteArray *bytes;    /* whole PDU (header..data) when the sink keeps bytes */
    GChecksum *sum;       /* SHA-256 of the data while hashing */
    char *sha256;         /* hex digest of a complete PDU's data, or NULL */
} rr_record;

typedef struct rr_txn {
    uint64_t index;       /* 0-based position in the session */
    rr_record req, resp;
    uint32_t violations;  /* 1 << rr_violation */
    bool server_closed;   /* the recorded server closed right after this answer */
} rr_txn;

/* Whether a transaction can be replayed and compared. */
bool rr_txn_complete(const rr_txn *t);
void rr_txn_free(rr_txn *t);

typedef struct rr_session_stats {
    uint64_t transactions, incomplete;
    uint64_t problems[RR_PROBLEM_COUNT];
    uint64_t violations[RR_VIOLATION_COUNT];
    uint64_t missing_bytes, skipped_bytes, orphan_responses;
    uint64_t skipped[2];       /* per direction, for midstream problems */
    uint64_t reorder_overflows; /* segments that overflowed the out-of-order queue */
} rr_session_stats;

typedef struct rr_session rr_session;

/* The number a session takes when it is first seen to carry RIO. */
typedef unsigned (*rr_id_fn)(void *ctx, rr_session *s);

/* Where final transactions and finished sessions go. */
typedef struct rr_sink {
    bool keep_bytes;  /* keep every PDU's bytes (replay) */
    bool hash;        /* SHA-256 of each PDU's data (audit --json) */
    void (*txn)(void *ctx, rr_session *s, rr_txn *t);      /* takes ownership of t */
    void (*finished)(void *ctx, rr_session *s);            /* then the session is freed */
    void *ctx;
} rr_sink;

struct rr_session {
    unsigned id;              /* 1-based, 0 until it is known to carry RIO */
    rr_endpoint client, server;
    bool handshake;           /* the client's SYN was seen */
    int64_t ts_first, ts_last;
    int64_t ts_fin[2];        /* FIN or RST per direction, 0 if none */
    bool reset[2];
    bool rio;                 /* a sane PDU was seen */
    bool dropped;             /* finished early: too many streams open (--max-streams) */
    bool id_given;            /* (numbering tracker) its id went to a selected session */
    const rr_sink *sink;
    rr_id_fn take_id;
    void *id_ctx;
    GPtrArray *window;        /* rr_txn * not final yet */
    uint64_t window_base;     /* index of window[0] */
    uint64_t orphans;         /* responses before the first request of a mid-stream
                               * capture: transactions 0..orphans-1 have no request */
    uint64_t requests_begun;
    struct {                  /* what the rules need of the last final transaction */
        bool have, req, resp; /* it exists; its request, response were present */
        uint32_t req_sequence;
        int64_t resp_ts_last;
    } prev;
    rr_session_stats stats;
    rr_reasm reasm[2];
    rr_pdustream stream[2];
    bool syn[2];
};

/* take_id(id_ctx, s) gives the session its number when it is first seen
 * to carry RIO (the tracker's counter, or the numbering tracker's). */
rr_session *rr_session_new(const rr_sink *sink, rr_id_fn take_id, void *id_ctx,
                           const rr_endpoint *client, const rr_endpoint *server,
                           const rr_reasm_caps *caps, int64_t ts);
/* Feed one segment of this session; dir is RR_DIR_REQUEST or RR_DIR_RESPONSE. */
void rr_session_segment(rr_session *s, int dir, const rr_segment *seg);
bool rr_session_closed(const rr_session *s);
/* End: flush reassembly and framing, hand the rest to the sink. */
void rr_session_finish(rr_session *s);
void rr_session_free(rr_session *s);

#endif
