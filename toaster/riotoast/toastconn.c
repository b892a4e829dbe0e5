/* toastconn.c — one connection = one device handle (see toastconn.h). */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "toastconn.h"

rt_request rt_ioctl(uint32_t code, const void *in, uint32_t in_len, uint32_t out_len)
{
    return (rt_request){.major = RIO_MJ_DEVICE_CONTROL, .ioctl = code, .output_length = out_len,
                        .data = in, .data_length = in_len, .expect = RIO_STATUS_SUCCESS};
}

rt_request rt_major(uint8_t major, uint32_t output_length, const void *data, uint32_t data_length)
{
    return (rt_request){.major = major, .output_length = output_length, .data = data,
                        .data_length = data_length, .expect = RIO_STATUS_SUCCESS};
}

/* What a failed status means for a toaster user, in a few words. */
static const char *status_hint(uint32_t status)
{
    switch (status) {
    case RIO_STATUS_SHARING_VIOLATION:
        return " (another client holds the toaster)";
    case RIO_STATUS_DEVICE_BUSY:
        return " (the toaster is busy)";
    case RIO_STATUS_INVALID_HANDLE:
        return " (no CREATE on this connection)";
    case RIO_STATUS_INVALID_DEVICE_STATE:
        return " (the toaster cannot do that in its present state)";
    case RIO_STATUS_INVALID_PARAMETER:
        return " (the device rejected the parameter)";
    default:
        return "";
    }
}

/* The Sequence for the next request: +1 each time, unless misbehaving. */
static uint32_t take_sequence(rt_conn *c)
{
    uint32_t next = rio_client_sequence(c->client);
    if (c->misbehave == RT_MB_SEQ_SKIP && c->sent > 0)
        next++;
    if (c->misbehave == RT_MB_SEQ_START_ZERO_REPEAT && c->sent < 2)
        next = c->sent == 0 ? 0 : c->last_seq;
    rio_client_set_sequence(c->client, next);
    c->sent++;
    c->last_seq = next;
    return next;
}

static rt_txn txn_for(const rt_request *rq, uint32_t seq, char *label, size_t label_len)
{
    if (rq->label)
        snprintf(label, label_len, "%s", rq->label);
    else if (rq->major == RIO_MJ_DEVICE_CONTROL)
        rio_ioctl_str(rq->ioctl, label, label_len);
    else
        out_major_name(rq->major, label, label_len);
    return (rt_txn){
        .label = label,
        .request = rio_request_header(rq->major, seq, rq->ioctl, rq->output_length, rq->data_length),
        .request_bytes = rq->data_length,
        .expect = rq->expect,
    };
}

/* Fill in how t ended, record it, and turn it into an exit code. */
static int judge(rt_conn *c, rt_txn *t, rio_client_result result, const rio_response *resp, gint64 t0)
{
    char got[32], want[32];
    t->elapsed_ms = (double)(g_get_monotonic_time() - t0) / 1000.0;
    t->result = result;
    c->last_result = result;
    if (result != RIO_CLIENT_OK) {
        t->error = rio_client_error(c->client);
        t->outcome = RT_OUT_NO_ANSWER;
        c->broken = true;
        out_txn(c->out, t);
        out_error(c->out, "%s: %s", t->label, t->error);
        return RT_EXIT_CONNECTION;
    }
    t->response = resp->header;
    uint32_t status = resp->header.status;
    if (status == t->expect) {
        t->outcome = status == RIO_STATUS_SUCCESS ? RT_OUT_OK : RT_OUT_EXPECTED_ERROR;
        out_txn(c->out, t);
        return RT_EXIT_OK;
    }
    t->outcome = RT_OUT_WRONG_STATUS;
    out_txn(c->out, t);
    rio_status_str(status, got, sizeof got);
    if (t->expect == RIO_STATUS_SUCCESS)
        out_error(c->out, "%s: %s%s", t->label, got, status_hint(status));
    else
        out_error(c->out, "%s: %s, expected %s", t->label, got, rio_status_str(t->expect, want, sizeof want));
    return RT_EXIT_STATUS;
}

int conn_call(rt_conn *c, const rt_request *rq, rio_response *resp)
{
    if (c->broken)
        return RT_EXIT_CONNECTION;
    char label[64];
    rt_txn t = txn_for(rq, take_sequence(c), label, sizeof label);
    gint64 t0 = g_get_monotonic_time();
    rio_client_result r = rio_client_transact(c->client, rq->major, rq->ioctl, rq->output_length, rq->data,
                                              rq->data_length, resp);
    return judge(c, &t, r, resp, t0);
}

int conn_call_pending(rt_conn *c, const rt_request *rq, rio_response *resp, uint32_t pend_ms)
{
    if (c->timeout_ms <= 0 || !c->client)
        return conn_call(c, rq, resp);
    int64_t longer = (int64_t)c->timeout_ms + pend_ms;
    rio_client_set_timeout(c->client, (int)MIN(longer, (int64_t)INT_MAX));
    int code = conn_call(c, rq, resp);
    if (c->client)
        rio_client_set_timeout(c->client, c->timeout_ms);
    return code;
}

int conn_call_raw(rt_conn *c, const uint8_t *bytes, size_t len, rt_txn *t, rio_response *resp)
{
    if (c->broken)
        return RT_EXIT_CONNECTION;
    c->sent++;
    c->last_seq = t->request.sequence;
    rio_client_set_sequence(c->client, t->request.sequence + 1);
    gint64 t0 = g_get_monotonic_time();
    rio_client_result r = rio_client_send_raw(c->client, bytes, len);
    if (r == RIO_CLIENT_OK)
        r = rio_client_receive(c->client, resp);
    return judge(c, t, r, resp, t0);
}

/* --misbehave pipeline: CREATE and GET_STATUS leave in one write, before
 * either answer is read; then both answers are read in order. */
static int open_pipelined(rt_conn *c)
{
    rt_request rq[2] = {
        rt_major(RIO_MJ_CREATE, 0, NULL, 0),
        rt_ioctl(RIO_IOCTL_TOASTER_GET_STATUS, NULL, 0, RIO_TOASTER_STATUS_SIZE),
    };
    char labels[2][64];
    rt_txn t[2];
    uint8_t bytes[2 * RIO_HEADER_SIZE];
    for (int i = 0; i < 2; i++) {
        t[i] = txn_for(&rq[i], take_sequence(c), labels[i], sizeof labels[i]);
        rio_header_encode(&t[i].request, bytes + i * RIO_HEADER_SIZE);
        rio_client_set_sequence(c->client, t[i].request.sequence + 1);
    }
    gint64 t0 = g_get_monotonic_time();
    rio_client_result r = rio_client_send_raw(c->client, bytes, sizeof bytes);
    int code = RT_EXIT_OK;
    for (int i = 0; i < 2 && !c->broken; i++) {
        rio_response resp;
        if (r == RIO_CLIENT_OK)
            r = rio_client_receive(c->client, &resp);
        code = rt_worst(code, judge(c, &t[i], r, &resp, t0));
    }
    return code;
}

rio_client_result conn_await_close(rt_conn *c)
{
    int timeout_ms = c->timeout_ms;
    struct pollfd p = {.fd = rio_client_fd(c->client), .events = POLLIN};
    int n;
    do {
        n = poll(&p, 1, timeout_ms > 0 ? timeout_ms : -1);
    } while (n < 0 && errno == EINTR);
    if (n <= 0)
        return RIO_CLIENT_TIMEOUT;
    uint8_t byte;
    ssize_t r = recv(p.fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (r > 0)
        return RIO_CLIENT_OK;
    c->broken = true;
    c->last_result = r == 0 ? RIO_CLIENT_CLOSED : RIO_CLIENT_RESET;
    return c->last_result;
}

int conn_open(rt_conn *c, const rt_globals *g, rt_output *out)
{
    char err[256];
    *c = (rt_conn){.out = out, .misbehave = g->misbehave, .timeout_ms = g->timeout_ms};
    c->client = rio_client_connect(g->server, g->port, g->timeout_ms, err, sizeof err);
    if (!c->client) {
        c->broken = true;
        out_error(out, "%s", err);
        return RT_EXIT_CONNECTION;
    }
    if (g->misbehave == RT_MB_NO_CREATE)
        return RT_EXIT_OK;
    if (g->misbehave == RT_MB_PIPELINE)
        return open_pipelined(c);
    rio_response resp;
    rt_request create = rt_major(RIO_MJ_CREATE, 0, NULL, 0);
    int code = conn_call(c, &create, &resp);
    /* A refused CREATE leaves no handle, and the server hangs up. */
    if (code != RT_EXIT_OK)
        c->broken = true;
    return code;
}

int conn_close(rt_conn *c, int so_far)
{
    if (c->client && !c->broken && c->misbehave != RT_MB_NO_CLOSE) {
        rio_response resp;
        rt_request close_rq = rt_major(RIO_MJ_CLOSE, 0, NULL, 0);
        so_far = rt_worst(so_far, conn_call(c, &close_rq, &resp));
    }
    rio_client_free(c->client);
    c->client = NULL;
    return so_far;
}

int conn_run(const rt_globals *g, rt_output *out, rt_body body, void *ctx)
{
    rt_conn c;
    int code = conn_open(&c, g, out);
    if (code == RT_EXIT_OK)
        code = body(&c, ctx);
    return conn_close(&c, code);
}
