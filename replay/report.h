/* report.h — results of a replay (client or server mode), as human text,
 * JSON lines and JUnit, and the exit code they add up to. */
#ifndef RR_REPORT_H
#define RR_REPORT_H

#include <glib.h>

#include "compare.h"
#include "junit.h"
#include "load.h"
#include "options.h"

#define RR_OUTCOME_TABLE(X) \
    X(RR_OUTCOME_MATCH, "match") \
    X(RR_OUTCOME_DIVERGED, "diverged") \
    X(RR_OUTCOME_INCOMPLETE, "incomplete") \
    X(RR_OUTCOME_TIMEOUT, "timeout") \
    X(RR_OUTCOME_NOT_RUN, "not_replayed") \
    X(RR_OUTCOME_UNREACHABLE, "unreachable")

typedef enum rr_outcome {
#define RR_X(sym, text) sym,
    RR_OUTCOME_TABLE(RR_X)
#undef RR_X
    RR_OUTCOME_COUNT
} rr_outcome;

const char *rr_outcome_name(rr_outcome o);

/* One transaction's result (txn NULL: about the whole session, e.g. its
 * connection close or an unexpected PDU). */
typedef struct rr_result {
    const rr_recorded *session;
    const rr_txn *txn;
    rr_outcome outcome;
    GArray *diffs;          /* rr_diff, may be NULL */
    const char *note;       /* why: "no answer within 10 s (hang)", ... */
    const char *hexdump;    /* data divergence context, may be NULL */
    const char *live;       /* the live PDU in words, may be NULL */
} rr_result;

typedef struct rr_report {
    const rr_options *o;
    const char *mode;       /* "client" or "server" */
    uint64_t count[RR_OUTCOME_COUNT];
    unsigned sessions;
    double elapsed;         /* seconds of replay (client: reading overlaps it, so included) */
    rr_junit junit;
    GString *line;
} rr_report;

void rr_report_init(rr_report *r, const rr_options *o, const char *mode);
void rr_report_add(rr_report *r, const rr_result *res);
/* Summary, JUnit file; returns the exit code. */
int rr_report_finish(rr_report *r);
/* Nothing to report after all (no session): free without printing. */
void rr_report_discard(rr_report *r);

#endif
