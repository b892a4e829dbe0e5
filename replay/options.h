/* options.h — the command line of rio-replay. */
#ifndef RR_OPTIONS_H
#define RR_OPTIONS_H

#include <glib.h>
#include <stdbool.h>

#include "capture.h"

/* Exit codes (also in --help and rio-replay.1). */
#define RR_EXIT_MATCH 0       /* everything matched / capture clean */
#define RR_EXIT_DIVERGED 1    /* divergences (audit: protocol-rule violations) */
#define RR_EXIT_INCOMPLETE 2  /* nothing diverged, but some transactions were incomplete */
#define RR_EXIT_NETWORK 3     /* could not connect, or a peer timed out */
#define RR_EXIT_USAGE 4       /* usage or input error */

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
    gboolean quiet;
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

/* Parse argv; on a usage error print one line and return false. */
bool rr_options_parse(rr_options *o, int argc, char **argv);
void rr_options_free(rr_options *o);
bool rr_session_selected(const rr_options *o, unsigned id);
/* The live port for a recorded server port. */
int rr_live_port(const rr_options *o, int recorded);

#endif
