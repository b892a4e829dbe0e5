/* pdustream.h — RIO framing of one reassembled direction.
 *
 * Like librio's framer ("receive header, then receive data") but for a
 * recorded stream: it never buffers data (bytes are passed through to the
 * consumer), it survives holes (a gap inside a PDU's data marks that PDU
 * incomplete and framing goes on at the next header, whose position is
 * known; a gap that swallows a header makes it hunt), and a stream that
 * starts mid-PDU is resynchronized by librio's one rule (rio_resync_at:
 * this direction's signature and a HeaderLength in range, whatever the
 * other fields say; a header found so that breaks a later rule is a
 * malformed PDU).  No validation of its own: librio decodes every header. */
#ifndef RR_PDUSTREAM_H
#define RR_PDUSTREAM_H

#include <stdbool.h>
#include <stdint.h>

#include "problems.h"
#include "rio/librio.h"

typedef struct rr_pdu {
    uint64_t index;        /* position in this direction's PDU list */
    uint64_t off;          /* stream offset of the header */
    uint8_t raw[RIO_HEADER_SIZE];
    uint32_t header_have;  /* fixed-header bytes captured (24 unless cut) */
    rio_header hdr;        /* valid when header_have == RIO_HEADER_SIZE */
    rio_error malformed;   /* RIO_OK, or the framing rule it broke */
    int64_t ts_first, ts_last;
    bool complete;
    uint32_t problems;     /* RR_PROBLEM_BIT()s */
    uint32_t counts[RR_PROBLEM_COUNT]; /* how many of each (one per segment/hole),
                                        * saturating at UINT32_MAX */
    uint64_t missing;      /* bytes lost to gaps/truncation */
} rr_pdu;

/* Note one more problem of this kind on pdu (the count saturates). */
static inline void rr_pdu_note(rr_pdu *pdu, rr_problem_kind kind)
{
    pdu->problems |= RR_PROBLEM_BIT(kind);
    if (pdu->counts[kind] < UINT32_MAX)
        pdu->counts[kind]++;
}

typedef struct rr_pdustream_ops {
    void (*begin)(void *ctx, rr_pdu *pdu);
    /* bytes after the fixed header: extra header bytes, then data */
    void (*body)(void *ctx, rr_pdu *pdu, const uint8_t *p, uint32_t n);
    /* n body bytes of this PDU were lost (gap or snaplen) */
    void (*hole)(void *ctx, rr_pdu *pdu, uint64_t n);
    void (*end)(void *ctx, rr_pdu *pdu);
    /* a problem touching an earlier PDU (index) or none (index < 0) */
    void (*problem)(void *ctx, int64_t index, rr_problem_kind kind, uint64_t bytes);
} rr_pdustream_ops;

typedef enum rr_pdustream_state {
    RR_PS_HUNT,   /* looking for a PDU start (rio_resync_at) */
    RR_PS_HEADER, /* collecting the fixed header */
    RR_PS_BODY,   /* extra header bytes and data */
    RR_PS_DEAD,   /* a framing error: nothing more can be trusted */
} rr_pdustream_state;

#define RR_PDUSTREAM_RECENT 16
#define RR_PDUSTREAM_PENDING 8

typedef struct rr_pdustream {
    rio_kind kind;
    const rr_pdustream_ops *ops;
    void *ctx;
    rr_pdustream_state state;
    uint64_t pos;            /* stream offset of the next byte */
    uint64_t body_left;      /* bytes left in the current PDU's body */
    rr_pdu cur;
    bool in_pdu;
    uint64_t count;          /* PDUs begun */
    bool initial_hunt;       /* hunting because the stream began mid-way */
    bool midstream;          /* this direction began without a SYN */
    uint64_t skipped;        /* bytes skipped while hunting */
    /* Header offsets of the last RR_PDUSTREAM_RECENT PDUs, PDU i in slot
     * i % RR_PDUSTREAM_RECENT (so its index needs no storing). */
    uint64_t recent[RR_PDUSTREAM_RECENT];
    /* Problems at offsets not framed yet; allocated on first use (few
     * streams ever have one). */
    struct rr_pending { uint64_t off, bytes; rr_problem_kind kind; } *pending;
    int npending;
} rr_pdustream;

/* midstream: no SYN was seen, so start by hunting. */
void rr_pdustream_init(rr_pdustream *ps, rio_kind kind, bool midstream,
                       const rr_pdustream_ops *ops, void *ctx);
void rr_pdustream_data(rr_pdustream *ps, uint64_t off, const uint8_t *p, uint32_t n,
                       int64_t ts);
void rr_pdustream_gap(rr_pdustream *ps, uint64_t off, uint64_t n, rr_problem_kind kind,
                      int64_t ts);
/* A per-segment problem (retransmission, overlap_mismatch, out_of_order)
 * at stream offset off: attached to the PDU holding that byte. */
void rr_pdustream_problem(rr_pdustream *ps, rr_problem_kind kind, uint64_t off, uint64_t n);
/* End of stream: an unfinished PDU ends incomplete. */
void rr_pdustream_finish(rr_pdustream *ps, int64_t ts);
void rr_pdustream_free(rr_pdustream *ps);

#endif
