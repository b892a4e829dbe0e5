/* server.h — riotoasterd's runtime: the server, its listening sockets, and
 * the map of the daemon's files (a DAG: each header includes only those
 * above it).
 *
 *   loop.h, buf.h, log.h, listen.h, faults.h   leaves: event loop, byte FIFO,
 *                                              log lines, sockets, fault table
 *   daemonopts.h   the command line (server_config)
 *   devmodel.h     the device interface: the ops a device model supplies
 *   toasterdev.h   the toaster, a pure state machine (devmodel_toaster.c)
 *   devtable.h     the served devices and who holds which
 *   rules.h        the protocol core: one request's meaning, returned as an
 *                  outcome (answer, pend, close, frame again)
 *   conn.h         one connection: bytes, output, the lifecycle state machine
 *   server.h       setup, accept, signals, teardown (server.c)
 */
#ifndef RIOTOASTERD_SERVER_H
#define RIOTOASTERD_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "conn.h"
#include "daemonopts.h"
#include "devtable.h"
#include "loop.h"

typedef struct server server;

typedef struct listener {
    server *srv;
    int fd;
    device *dev; /* per-device mode: the device behind this port; farm: NULL */
} listener;

struct server {
    const server_config *cfg;
    loop *loop;
    devtable devices;
    conn_hub hub;            /* the connections */
    listener *listeners;
    size_t nlisteners;
    int signal_fd;
    loop_timer accept_pause; /* out of file descriptors: retry accepts later */
    bool accepts_full;       /* --max-connections reached: listeners unwatched */
    bool stopping;           /* server_free: nothing is resumed */
};

/* Set up everything and announce readiness.  Returns -1 to go on, or an
 * exit code (the reason already on stderr). */
int server_init(server *s, const server_config *cfg);
int server_run(server *s);
void server_free(server *s);

#endif
