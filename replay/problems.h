/* problems.h — capture problems, named as in captures/EXPECTATIONS.md. */
#ifndef RR_PROBLEMS_H
#define RR_PROBLEMS_H

#define RR_PROBLEM_TABLE(X) \
    X(RR_PROBLEM_GAP, "gap") \
    X(RR_PROBLEM_TRUNCATED, "truncated") \
    X(RR_PROBLEM_RETRANSMISSION, "retransmission") \
    X(RR_PROBLEM_OVERLAP_MISMATCH, "overlap_mismatch") \
    X(RR_PROBLEM_OUT_OF_ORDER, "out_of_order") \
    X(RR_PROBLEM_MIDSTREAM, "midstream") \
    X(RR_PROBLEM_MALFORMED, "malformed")

typedef enum rr_problem_kind {
#define RR_X(sym, text) sym,
    RR_PROBLEM_TABLE(RR_X)
#undef RR_X
    RR_PROBLEM_COUNT
} rr_problem_kind;

#define RR_PROBLEM_BIT(k) (1u << (k))
/* Problems that make a PDU unusable: it is skipped, never a divergence. */
#define RR_PROBLEM_LOSS (RR_PROBLEM_BIT(RR_PROBLEM_GAP) | RR_PROBLEM_BIT(RR_PROBLEM_TRUNCATED))

const char *rr_problem_name(rr_problem_kind k);

#endif
