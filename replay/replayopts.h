/* replayopts.h — the command line of rio-replay. */
#ifndef RR_REPLAYOPTS_H
#define RR_REPLAYOPTS_H

#include <glib.h>
#include <stdbool.h>

#include <stdio.h>

#include "window.h"

/* Exit codes: the symbol, its number and the line --help prints (the
 * table of rio-replay.1 says the same; a test compares them).  3 wins over
 * 1 and 2 (the comparison was not complete), 1 over 2. */
#define RR_EXIT_TABLE(X) \
    X(RR_EXIT_MATCH, 0, "everything matched (audit: no rule violation, nothing incomplete)") \
    X(RR_EXIT_DIVERGED, 1, "divergences (audit: protocol-rule violations or malformed PDUs)") \
    X(RR_EXIT_INCOMPLETE, 2, "nothing diverged, but some transactions were not compared") \
    X(RR_EXIT_NETWORK, 3, "a port not bound, a peer not reached or timed out (wins over 1, 2)") \
    X(RR_EXIT_USAGE, 4, "usage error, or a capture, output or --junit file not read/written")

enum {
#define RR_X_EXIT(sym, code, text) sym = code,
    RR_EXIT_TABLE(RR_X_EXIT)
#undef RR_X_EXIT
};

#define RR_DEFAULT_TIMEOUT 10.0   /* seconds: --timeout */
#define RR_DEFAULT_MAX_REPORT 20  /* --max-report */

typedef enum rr_command { RR_CMD_AUDIT, RR_CMD_CLIENT, RR_CMD_SERVER } rr_command;

typedef struct rr_port_map {
    guint16 recorded, live;
} rr_port_map;

typedef struct rr_options {
    rr_command command;
    const char *capture;
    GArray *sessions;         /* guint session ids; empty = all */
    char *filter;
    rr_window window;
    gboolean json;
    char *junit;
    gint64 reorder_cap;
    gint64 reorder_segments;
    gint64 max_streams;
    gint64 max_report;        /* human reports shown (0: all) */
    gboolean quiet;           /* human output: the summary line only */
    FILE *junit_fp;           /* --junit, opened before anything runs */
    /* client */
    char *target_host;
    int target_port;          /* 0: the recorded port (or --port-map) */
    GArray *port_map;         /* rr_port_map */
    guint32 ignore;           /* 1 << rr_field */
    gboolean timing_original;
    double speed;
    double timeout;           /* seconds */
    /* server */
    char *listen_addr;
    int listen_port;
} rr_options;

/* Parse argv; on a usage error print one line and return false.  Opens
 * (creates) the --junit file, so that a path that cannot be written is a
 * usage error before anything is read or sent. */
bool rr_options_parse(rr_options *o, int argc, char **argv);
void rr_options_free(rr_options *o);
bool rr_session_selected(const rr_options *o, unsigned id);
/* The live port for a recorded server port. */
int rr_live_port(const rr_options *o, int recorded);

#endif
