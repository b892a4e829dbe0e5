/* server.h — riotoasterd's runtime objects: the server, its toasters
 * (devices), its listening sockets and its connections.
 *
 *   server.c   setup, accept, signals, teardown
 *   conn.c     one connection's bytes: framing, output queue, close, timers
 *   rules.c    one request's meaning: session rules, toaster calls, trace
 *   devtable.c device ownership and the simulated toasting clock
 */
#ifndef RIOTOASTERD_SERVER_H
#define RIOTOASTERD_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "log.h"
#include "loop.h"
#include "daemonopts.h"
#include "rio/librio.h"
#include "toasterdev.h"

typedef struct server server;
typedef struct conn conn;

typedef struct device {
    server *srv;
    toaster model;
    conn *holder;         /* connection holding the open handle, or NULL */
    conn *pending_reader; /* holder whose READ waits for the cycle */
    bool refusing;        /* INSUFFICIENT_RESOURCES logged; quiet until a success */
    loop_timer cycle;     /* end of the running toast cycle */
} device;

typedef struct listener {
    server *srv;
    int fd;
    device *dev; /* per-device mode: the toaster behind this port; farm: NULL */
} listener;

struct conn {
    server *srv;
    int fd;
    device *fixed_dev;   /* per-device mode: the toaster of the port */
    device *dev;         /* the device this connection's handle holds */
    rio_framer framer;
    buf backlog;         /* received bytes not yet framed */
    buf out;             /* response bytes the socket did not take yet */
    rio_header pending;  /* the READ waiting for a toast cycle */
    bool pending_read;
    bool in_pdu;         /* a PDU has started to arrive */
    bool closing;        /* answer what is queued, then shut down */
    bool lingering;      /* shut down for writing; discarding input until EOF */
    bool peer_eof;       /* the peer sent FIN: answer what is whole, then close */
    bool dead;           /* to be destroyed by conn_settle */
    const char *reason;  /* why the connection is closing */
    uint64_t pdu_start;  /* loop time of a PDU's first byte (stall timer) */
    uint64_t last_active;/* loop time of the last answer (idle timer) */
    uint64_t close_start;
    uint64_t req_us;     /* --trace: when the current request was framed */
    uint64_t out_progress; /* loop time output last moved (write-stall timer) */
    size_t charged;      /* request data this connection holds against the budget */
    unsigned slice;      /* PDUs it may still frame in this loop turn */
    uint64_t work_turn;  /* loop turn in which it joined the work list */
    bool on_work;        /* on the server's work list: input framed, not handled */
    bool corked;         /* answering a slice: small answers gather in out */
    conn *work_prev, *work_next;
    loop_timer timer;    /* stall, idle, flush and linger deadlines */
    char peer[64];
    conn *prev, *next;
};

struct server {
    const server_config *cfg;
    loop *loop;
    device *devices;
    size_t ndevices;
    listener *listeners;
    size_t nlisteners;
    conn *conns;
    size_t nconns;
    int signal_fd;
    loop_timer accept_pause; /* out of file descriptors: retry accepts later */
    bool accepts_full;       /* --max-connections reached: listeners unwatched */
    bool stopping;           /* server_free: nothing is resumed */
    toaster_pool pool;       /* ready toast: --max-ready-bytes, --memory-budget */
    size_t request_held;     /* partial request data held, all connections */
    conn *work_head, *work_tail; /* connections with buffered requests (fairness) */
    uint64_t turn;           /* loop turns run, to give each a slice per turn */
    uint8_t *scratch;        /* read buffer shared by all connections */
    uint8_t info_scratch[RIO_TOASTER_INFO_SIZE];
};

#define SCRATCH_SIZE 65536
#define SLICE_PDUS 32 /* requests framed for one connection per loop turn (fairness) */
#define CORK_MAX 4096 /* answers up to this data length are gathered within a slice */
#define BACKLOG_MAX SCRATCH_SIZE /* stop reading while this much waits unframed */
#define OUT_MAX SCRATCH_SIZE     /* stop framing while this much waits to be sent */

/* server.c */
int server_init(server *s, const server_config *cfg);
int server_run(server *s);
void server_free(server *s);

/* conn.c */
conn *conn_new(server *s, int fd, device *fixed_dev);
/* Queue one response (header + data, one writev when the queue is empty). */
void conn_send(conn *c, const uint8_t hdr[RIO_HEADER_SIZE], const uint8_t *data, uint32_t len);
/* Answer what is queued, then shut down and close (reason is logged). */
void conn_finish(conn *c, const char *reason);
/* Frame and handle bytes; returns bytes consumed (stops when the connection
 * cannot take another request now). */
size_t conn_consume(conn *c, const uint8_t *data, size_t len);
/* Handle what waits in the backlog (after a pending READ or a full queue). */
void conn_resume(conn *c);
/* After any event: destroy a dead connection, or update its interest and
 * deadline. */
void conn_settle(conn *c);
void conn_destroy(conn *c);
bool conn_can_frame(const conn *c);
/* Once per loop turn: give each connection with buffered requests a slice. */
void conn_run_work(server *s);
/* A connection closed: accepts may resume (server.c). */
void server_conn_gone(server *s);

/* rules.c */
void session_handle(conn *c, const rio_pdu *pdu);
void session_framing_error(conn *c);
void session_complete_read(conn *c);

/* devtable.c */
void device_init(device *d, server *s, uint32_t serial);
void device_free(device *d);
/* CREATE: the device for c (per-device: its port's; farm: lowest free), or
 * NULL with *status set to the refusal. */
device *device_acquire(conn *c, uint32_t *status);
/* CLOSE, disconnect: give the handle back and reset the toaster. */
void device_release(conn *c);
/* A START was accepted: run the cycle for `levels` darkness levels. */
void device_start_cycle(device *d, uint32_t levels);

#endif
