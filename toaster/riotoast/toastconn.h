/*
 * toastconn.h — one riotoast connection: the device handle of one invocation.
 *
 * conn_open connects and sends CREATE, conn_close sends CLOSE and hangs up;
 * every request in between goes through conn_call, which records the
 * transaction (for -v and --json) and judges its status.  --misbehave faults
 * are applied here, so the commands never know about them.
 */
#ifndef RIOTOAST_TOASTCONN_H
#define RIOTOAST_TOASTCONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "output.h"
#include "riotoast.h"

typedef struct rt_request {
    const char *label;      /* NULL: named after the major function / IOCTL */
    uint8_t major;
    uint32_t ioctl;
    uint32_t output_length;
    const void *data;
    uint32_t data_length;
    uint32_t expect;        /* the status that counts as success */
} rt_request;

typedef struct rt_conn {
    rio_client *client;
    rt_output *out;
    rt_misbehave misbehave;
    unsigned sent;     /* requests sent so far */
    uint32_t last_seq; /* Sequence of the last request sent */
    bool broken;       /* transport failed: no more requests, no CLOSE */
    rio_client_result last_result; /* transport outcome of the last request */
    int timeout_ms;
} rt_conn;

/* Connect and CREATE.  Returns an RT_EXIT_* code; on RT_EXIT_CONNECTION the
 * connection is unusable (conn_close still must be called). */
int conn_open(rt_conn *c, const rt_globals *g, rt_output *out);

/* Send CLOSE (unless broken or told to misbehave) and free.  Returns the
 * worse of `so_far` and CLOSE's outcome. */
int conn_close(rt_conn *c, int so_far);

/* One transaction.  Returns RT_EXIT_OK when the status is rq->expect,
 * RT_EXIT_STATUS for another status, RT_EXIT_CONNECTION when no answer came
 * (the message is printed; resp is then not valid). */
int conn_call(rt_conn *c, const rt_request *rq, rio_response *resp);

/* conn_call for a request the device may hold for up to pend_ms before it
 * answers (a READ under serial READ timeouts): the answer's deadline is
 * --timeout plus pend_ms, so that the wait the client asked the device
 * for is not taken for a dead server. */
int conn_call_pending(rt_conn *c, const rt_request *rq, rio_response *resp, uint32_t pend_ms);

/* Send hand-made bytes, then receive whatever response comes (no echo
 * checks).  The caller fills t's label, request (the header as it decodes),
 * request_bytes and expect; the rest is filled here.  Returns like
 * conn_call. */
int conn_call_raw(rt_conn *c, const uint8_t *bytes, size_t len, rt_txn *t, rio_response *resp);

/* Wait (up to the timeout) for the server to hang up, as it must after
 * some answers.  RIO_CLIENT_CLOSED or RIO_CLIENT_RESET: it did, and the
 * connection is marked broken; RIO_CLIENT_TIMEOUT: it did not; RIO_CLIENT_OK:
 * it sent more bytes instead. */
rio_client_result conn_await_close(rt_conn *c);

/* The usual shape of a command: open, run body if CREATE succeeded, close.
 * Returns the worst exit code of the three. */
typedef int (*rt_body)(rt_conn *c, void *ctx);
int conn_run(const rt_globals *g, rt_output *out, rt_body body, void *ctx);

/* Request builders for the toaster's operations. */
rt_request rt_ioctl(uint32_t code, const void *in, uint32_t in_len, uint32_t out_len);
rt_request rt_major(uint8_t major, uint32_t output_length, const void *data, uint32_t data_length);

#endif /* RIOTOAST_TOASTCONN_H */
