/* report.h — results of a replay (client or server mode), as human text,
 * JSON lines and JUnit, and the exit code they add up to.
 *
 * Both modes classify alike (rio-replay.1, OUTCOMES): what the live peer
 * did differently is `diverged` once (a different answer or request, a
 * close, reset or broken framing, a recorded request it skipped); what
 * could not be replayed after that, or after a `timeout` or an
 * `unreachable` peer, is `not_replayed`; lost bytes make `incomplete`.
 *
 * Human output: each report once; identical reports (same outcome, note,
 * request kind and differences) are counted, not repeated, and listed with
 * their count at the end; at most --max-report distinct reports, then a
 * table of sessions (at most --max-report rows, the ones that did not
 * simply match first) and the summary line.  -q: the summary line only.
 * JSON and JUnit always have every result. */
#ifndef RR_REPORT_H
#define RR_REPORT_H

#include <glib.h>

#include "compare.h"
#include "junit.h"
#include "load.h"
#include "replayopts.h"

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
    /* human output */
    GHashTable *groups;     /* report key -> struct rr_group, one per report shown */
    GPtrArray *group_order; /* the same, in the order shown */
    uint64_t hidden;        /* reports over --max-report, not shown */
    GHashTable *open_rows;  /* session id -> struct rr_row, sessions still replaying */
    GPtrArray *rows;        /* finished rows kept for the table */
    uint64_t rows_left_out, rows_left_out_matched;
} rr_report;

void rr_report_init(rr_report *r, const rr_options *o, const char *mode);
void rr_report_add(rr_report *r, const rr_result *res);
/* "N results (M diverged)": the replay's progress so far. */
void rr_report_progress(const rr_report *r, GString *g);
/* The session has no more results: its row is final. */
void rr_report_session_done(rr_report *r, unsigned session);
/* JUnit file, repeated reports, the table of sessions, the summary; returns
 * the exit code (the caller ends with rr_console_finish). */
int rr_report_finish(rr_report *r);
/* Nothing to report after all (no session): free without printing. */
void rr_report_discard(rr_report *r);

#endif
