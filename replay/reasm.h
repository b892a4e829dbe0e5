/* reasm.h — TCP reassembly of one direction, streaming and bounded.
 *
 * Sequence numbers are mapped to 64-bit stream offsets (offset 0 is the
 * first byte after the SYN, or the first byte seen when the capture starts
 * mid-stream), which makes sequence wraparound a non-event.  In-order data is
 * handed to the consumer at once and never stored, except for a small ring
 * of recently delivered bytes used to check retransmissions; out-of-order
 * data is queued up to `cap` bytes, then the hole before it is declared a
 * gap.  Overlaps: the first data captured wins; a retransmission whose bytes
 * differ is reported (overlap_mismatch). */
#ifndef RR_REASM_H
#define RR_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "problems.h"

#define RR_REASM_RING 16384            /* retransmission check window */
#define RR_REASM_DEFAULT_CAP (1u << 20) /* out-of-order bytes per direction */

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

typedef struct rr_reasm_seg rr_reasm_seg;

typedef struct rr_reasm {
    const rr_reasm_ops *ops;
    void *ctx;
    bool started;
    uint32_t next_seq;     /* sequence number of next_off */
    uint64_t next_off;     /* next in-order stream offset */
    rr_reasm_seg *queue;   /* out-of-order pieces, sorted, disjoint */
    size_t queued;         /* bytes in queue */
    size_t cap;
    uint8_t *ring;         /* last RR_REASM_RING delivered bytes, by offset */
    uint64_t ring_from;    /* ring holds real bytes for [ring_from, next_off) */
    bool fin_seen;
    uint64_t fin_off;
    int64_t last_ts;
} rr_reasm;

void rr_reasm_init(rr_reasm *r, size_t cap, const rr_reasm_ops *ops, void *ctx);
/* The SYN (or SYN-ACK) of this direction fixes offset 0 at isn+1. */
void rr_reasm_syn(rr_reasm *r, uint32_t isn);
void rr_reasm_segment(rr_reasm *r, const rr_segment *s);
/* End of capture or of connection: declare remaining holes as gaps. */
void rr_reasm_finish(rr_reasm *r);
void rr_reasm_free(rr_reasm *r);

#endif
