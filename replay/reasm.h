/* reasm.h — TCP reassembly of one direction, streaming and bounded.
 *
 * Sequence numbers are mapped to 64-bit stream offsets (offset 0 is the
 * first byte after the SYN, or the first byte seen when the capture starts
 * mid-stream), which makes sequence wraparound a non-event.  In-order data is
 * handed to the consumer at once and never stored, except for a small ring
 * of recently delivered bytes used to check retransmissions (it starts
 * small and grows with the stream, so an idle connection costs little);
 * out-of-order data is queued up to caps->bytes bytes and caps->segments
 * pieces, then the hole before it is declared a gap and the overflow
 * counted (never silent).  The queue is a balanced tree of disjoint pieces
 * keyed by stream offset: a segment costs O(log n) plus its own bytes, so a
 * million one-byte segments out of order stay linear.  Overlaps: the first
 * data captured wins; a retransmission whose bytes differ is reported
 * (overlap_mismatch). */
#ifndef RR_REASM_H
#define RR_REASM_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pktdecode.h"
#include "problems.h"

#define RR_REASM_RING 16384            /* retransmission check window, at most */
#define RR_REASM_RING_MIN 64           /* ... and at first */
#define RR_REASM_DEFAULT_CAP 1048576   /* out-of-order bytes per direction */
/* Out-of-order pieces per direction: a queued piece costs about 80 bytes
 * besides its data, so a queue of one-byte segments is bounded by this
 * rather than by the byte cap. */
#define RR_REASM_DEFAULT_SEGMENTS 65536

typedef struct rr_reasm_caps {
    size_t bytes, segments;
} rr_reasm_caps;

typedef struct rr_reasm_ops {
    /* In-order bytes at stream offset off. */
    void (*data)(void *ctx, uint64_t off, const uint8_t *p, uint32_t n, int64_t ts);
    /* n bytes at off are missing: kind RR_PROBLEM_GAP or RR_PROBLEM_TRUNCATED. */
    void (*gap)(void *ctx, uint64_t off, uint64_t n, rr_problem_kind kind, int64_t ts);
    /* One per segment: RR_PROBLEM_RETRANSMISSION (off: its first byte),
     * RR_PROBLEM_OVERLAP_MISMATCH (off: the first differing byte),
     * RR_PROBLEM_OUT_OF_ORDER (it arrived after data that follows it). */
    void (*event)(void *ctx, rr_problem_kind kind, uint64_t off, uint64_t n, int64_t ts);
} rr_reasm_ops;

typedef struct rr_reasm {
    const rr_reasm_ops *ops;
    void *ctx;
    const rr_reasm_caps *caps; /* shared by every stream of a capture */
    bool started;
    uint32_t next_seq;     /* sequence number of next_off */
    uint64_t next_off;     /* next in-order stream offset */
    GTree *queue;          /* offset -> out-of-order piece, disjoint; NULL if never used */
    size_t queued;         /* bytes in queue */
    size_t pieces;         /* pieces in queue */
    uint64_t overflows;    /* times a cap forced a hole to be declared a gap */
    uint8_t *ring;         /* last ring_size delivered bytes, by offset */
    uint32_t ring_size;    /* 0 until the first delivery; a power of two */
    uint64_t ring_from;    /* ring holds real bytes for [ring_from, next_off) */
} rr_reasm;

void rr_reasm_init(rr_reasm *r, const rr_reasm_caps *caps, const rr_reasm_ops *ops, void *ctx);
/* The SYN (or SYN-ACK) of this direction fixes offset 0 at isn+1. */
void rr_reasm_syn(rr_reasm *r, uint32_t isn);
void rr_reasm_segment(rr_reasm *r, const rr_segment *s);
/* Out-of-order data still waits in the queue. */
bool rr_reasm_pending(const rr_reasm *r);
/* End of capture or of connection: declare remaining holes as gaps. */
void rr_reasm_finish(rr_reasm *r);
void rr_reasm_free(rr_reasm *r);

#endif
