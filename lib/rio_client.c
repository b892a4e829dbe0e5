/* rio_client.c — librio's blocking client: connect, then one transaction at
 * a time.  Waits use poll() against a deadline: the timeout bounds a whole
 * connect or a whole answer (request sent, header and data received), so a
 * peer that drips a byte now and then cannot stretch it. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "rio/client.h"

struct rio_client {
    int fd;
    int timeout_ms;
    int64_t deadline;      /* of the answer in progress: ms on the monotonic clock, 0: none */
    bool armed;            /* send_raw started an answer's clock for the next receive */
    uint32_t next_seq;
    rio_framer framer;
    uint8_t in[65536];
    size_t in_pos, in_len; /* unread bytes are in[in_pos..in_len) */
    char error[256];
};

static rio_client_result fail(rio_client *c, rio_client_result r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->error, sizeof c->error, fmt, ap);
    va_end(ap);
    return r;
}

const char *rio_client_result_text(rio_client_result r)
{
    switch (r) {
#define RIO_X_CASE(sym, text) \
    case sym:                 \
        return text;
        RIO_CLIENT_RESULT_TABLE(RIO_X_CASE)
#undef RIO_X_CASE
    }
    return "unknown result";
}

uint16_t rio_serial_port(unsigned serial)
{
    return (uint16_t)(RIO_BASE_PORT + serial);
}

static bool parse_port(const char *s, uint16_t *port)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < 1 || v > 65535)
        return false;
    *port = (uint16_t)v;
    return true;
}

static bool copy_host(const char *s, size_t n, char *host, size_t hostlen)
{
    if (n == 0 || n >= hostlen)
        return false;
    memcpy(host, s, n);
    host[n] = '\0';
    return true;
}

bool rio_split_host_port(const char *s, char *host, size_t hostlen, uint16_t *port)
{
    *port = 0;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || !copy_host(s + 1, (size_t)(close - s - 1), host, hostlen))
            return false;
        return close[1] == '\0' || (close[1] == ':' && parse_port(close + 2, port));
    }
    const char *colon = strchr(s, ':');
    if (colon && strchr(colon + 1, ':') == NULL) /* one colon: HOST:PORT */
        return copy_host(s, (size_t)(colon - s), host, hostlen) && parse_port(colon + 1, port);
    return copy_host(s, strlen(s), host, hostlen); /* a name, or a bare IPv6 address */
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The deadline timeout_ms from now (0: none, wait forever). */
static int64_t deadline_in(int timeout_ms)
{
    return timeout_ms > 0 ? now_ms() + timeout_ms : 0;
}

/* Wait until fd is ready for `events` or the deadline passes (0: no
 * deadline); 0 ok, -1 timeout or error. */
static int wait_fd(int fd, short events, int64_t deadline)
{
    struct pollfd p = {.fd = fd, .events = events};
    int n;
    do {
        int ms = -1;
        if (deadline) {
            int64_t left = deadline - now_ms();
            ms = left > 0 ? (int)(left < INT32_MAX ? left : INT32_MAX) : 0;
        }
        n = poll(&p, 1, ms);
    } while (n < 0 && errno == EINTR);
    return n == 1 ? 0 : -1;
}

static int connect_one(const struct addrinfo *ai, int64_t deadline)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0)
        return -1;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS)
        goto bad;
    if (wait_fd(fd, POLLOUT, deadline) < 0) {
        errno = ETIMEDOUT;
        goto bad;
    }
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err) {
        errno = err;
        goto bad;
    }
    return fd;
bad:;
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
}

rio_client *rio_client_connect(const char *host, uint16_t port, int timeout_ms, char *err, size_t errlen)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res;
    char service[8];
    snprintf(service, sizeof service, "%u", port);
    int rc = getaddrinfo(host, service, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "cannot resolve %s: %s", host, gai_strerror(rc));
        return NULL;
    }
    int fd = -1;
    int64_t deadline = deadline_in(timeout_ms); /* for every address together */
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next)
        fd = connect_one(ai, deadline);
    freeaddrinfo(res);
    if (fd < 0) {
        snprintf(err, errlen, "cannot connect to %s port %u: %s", host, port, strerror(errno));
        return NULL;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

    rio_client *c = calloc(1, sizeof *c);
    if (!c) {
        close(fd);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->fd = fd;
    c->timeout_ms = timeout_ms;
    c->next_seq = RIO_FIRST_SEQUENCE;
    rio_framer_init(&c->framer, RIO_RESPONSE);
    return c;
}

void rio_client_free(rio_client *c)
{
    if (!c)
        return;
    close(c->fd);
    rio_framer_free(&c->framer);
    free(c);
}

void rio_client_set_timeout(rio_client *c, int timeout_ms) { c->timeout_ms = timeout_ms; }
void rio_client_set_sequence(rio_client *c, uint32_t next) { c->next_seq = next; }
uint32_t rio_client_sequence(const rio_client *c) { return c->next_seq; }
int rio_client_fd(const rio_client *c) { return c->fd; }
const char *rio_client_error(const rio_client *c) { return c->error; }

/* Start the clock of one answer: it runs from the request's first byte
 * sent to the response's last byte received. */
static void arm(rio_client *c)
{
    c->deadline = deadline_in(c->timeout_ms);
}

static rio_client_result send_iov(rio_client *c, struct iovec *iov, int n)
{
    while (n > 0) {
        if (wait_fd(c->fd, POLLOUT, c->deadline) < 0)
            return fail(c, RIO_CLIENT_TIMEOUT, "send timed out after %d ms", c->timeout_ms);
        /* sendmsg, not writev: MSG_NOSIGNAL turns a peer's hang-up into
         * EPIPE instead of killing the caller with SIGPIPE. */
        struct msghdr msg = {.msg_iov = iov, .msg_iovlen = (size_t)n};
        ssize_t w = sendmsg(c->fd, &msg, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EAGAIN || errno == EINTR)
                continue;
            if (errno == ECONNRESET || errno == EPIPE)
                return fail(c, RIO_CLIENT_RESET, "connection reset while sending");
            return fail(c, RIO_CLIENT_IO, "send: %s", strerror(errno));
        }
        while (n > 0 && (size_t)w >= iov->iov_len) {
            w -= (ssize_t)iov->iov_len;
            iov++;
            n--;
        }
        if (n > 0) {
            iov->iov_base = (uint8_t *)iov->iov_base + w;
            iov->iov_len -= (size_t)w;
        }
    }
    return RIO_CLIENT_OK;
}

rio_client_result rio_client_send_raw(rio_client *c, const void *bytes, size_t len)
{
    struct iovec iov = {.iov_base = (void *)bytes, .iov_len = len};
    arm(c);
    rio_client_result r = send_iov(c, &iov, 1);
    c->armed = r == RIO_CLIENT_OK; /* the answer's receive goes on with this clock */
    return r;
}

/* Read more bytes into c->in; distinguishes a clean close from a reset. */
static rio_client_result fill(rio_client *c)
{
    if (wait_fd(c->fd, POLLIN, c->deadline) < 0)
        return fail(c, RIO_CLIENT_TIMEOUT, rio_framer_mid_pdu(&c->framer)
                                               ? "answer not complete within %d ms"
                                               : "no answer within %d ms", c->timeout_ms);
    ssize_t r;
    do {
        r = recv(c->fd, c->in, sizeof c->in, 0);
    } while (r < 0 && (errno == EINTR || errno == EAGAIN));
    if (r == 0)
        return fail(c, RIO_CLIENT_CLOSED, rio_framer_mid_pdu(&c->framer)
                                              ? "server closed the connection in the middle of a response"
                                              : "server closed the connection");
    if (r < 0)
        return fail(c, errno == ECONNRESET ? RIO_CLIENT_RESET : RIO_CLIENT_IO, "receive: %s", strerror(errno));
    c->in_pos = 0;
    c->in_len = (size_t)r;
    return RIO_CLIENT_OK;
}

/* The response header is in (its data may still be on the way): a length
 * over what was asked for is a protocol error now, not after waiting for
 * bytes that should never come. */
static bool header_over_limit(rio_client *c, uint32_t max_data)
{
    const rio_framer *f = &c->framer;
    if (f->state != RIO_FRAMER_SKIP && f->state != RIO_FRAMER_DATA)
        return false;
    if (f->header.data_length <= max_data)
        return false;
    fail(c, RIO_CLIENT_PROTOCOL, "response announces %u data bytes, more than %s %u",
         f->header.data_length, max_data == RIO_DATA_MAX ? "the limit" : "OutputLength", max_data);
    return true;
}

/* One response with at most max_data data bytes, within the armed
 * deadline. */
static rio_client_result receive(rio_client *c, uint32_t max_data, rio_response *resp)
{
    for (;;) {
        if (c->in_pos == c->in_len) {
            rio_client_result r = fill(c);
            if (r != RIO_CLIENT_OK)
                return r;
        }
        size_t used;
        rio_pdu pdu;
        rio_feed_result fr = rio_framer_feed(&c->framer, c->in + c->in_pos, c->in_len - c->in_pos, &used, &pdu);
        c->in_pos += used;
        if (fr == RIO_FEED_PDU) {
            resp->header = pdu.header;
            resp->data = pdu.data;
            return RIO_CLIENT_OK;
        }
        if (fr == RIO_FEED_ERROR)
            return fail(c, RIO_CLIENT_PROTOCOL, "bad response header: %s", rio_error_text(c->framer.error));
        if (header_over_limit(c, max_data))
            return RIO_CLIENT_PROTOCOL;
    }
}

rio_client_result rio_client_receive(rio_client *c, rio_response *resp)
{
    if (!c->armed)
        arm(c);
    c->armed = false;
    return receive(c, RIO_DATA_MAX, resp);
}

/* A response must answer the request just sent (RIO-CLI rules). */
static rio_client_result check_answer(rio_client *c, const rio_header *req, const rio_response *resp)
{
    const rio_header *h = &resp->header;
    if (h->sequence != req->sequence)
        return fail(c, RIO_CLIENT_PROTOCOL, "response Sequence %u does not echo request Sequence %u",
                    h->sequence, req->sequence);
    if (h->major != req->major)
        return fail(c, RIO_CLIENT_PROTOCOL, "response MajorFunction 0x%02X does not echo request 0x%02X",
                    h->major, req->major);
    if (h->data_length > req->output_length)
        return fail(c, RIO_CLIENT_PROTOCOL, "response carries %u data bytes, more than OutputLength %u",
                    h->data_length, req->output_length);
    return RIO_CLIENT_OK;
}

rio_client_result rio_client_transact(rio_client *c, uint8_t major, uint32_t ioctl, uint32_t output_length,
                                      const void *data, uint32_t data_length, rio_response *resp)
{
    if (data_length > RIO_DATA_MAX || output_length > RIO_DATA_MAX)
        return fail(c, RIO_CLIENT_PROTOCOL, "request over the %d-byte limit", RIO_DATA_MAX);
    rio_header req = rio_request_header(major, c->next_seq, ioctl, output_length, data_length);
    uint8_t raw[RIO_HEADER_SIZE];
    rio_header_encode(&req, raw);
    struct iovec iov[2] = {{raw, sizeof raw}, {(void *)data, data_length}};
    arm(c);
    c->armed = false;
    rio_client_result r = send_iov(c, iov, data_length ? 2 : 1);
    if (r != RIO_CLIENT_OK)
        return r;
    c->next_seq++;
    r = receive(c, output_length, resp);
    return r == RIO_CLIENT_OK ? check_answer(c, &req, resp) : r;
}

rio_client_result rio_client_create(rio_client *c, rio_response *resp)
{
    return rio_client_transact(c, RIO_MJ_CREATE, 0, 0, NULL, 0, resp);
}

rio_client_result rio_client_close(rio_client *c, rio_response *resp)
{
    return rio_client_transact(c, RIO_MJ_CLOSE, 0, 0, NULL, 0, resp);
}

rio_client_result rio_client_read(rio_client *c, uint32_t max, rio_response *resp)
{
    return rio_client_transact(c, RIO_MJ_READ, 0, max, NULL, 0, resp);
}

rio_client_result rio_client_write(rio_client *c, const void *data, uint32_t len, rio_response *resp)
{
    return rio_client_transact(c, RIO_MJ_WRITE, 0, 0, data, len, resp);
}

rio_client_result rio_client_ioctl(rio_client *c, uint32_t code, const void *in, uint32_t in_len,
                                   uint32_t out_len, rio_response *resp)
{
    return rio_client_transact(c, RIO_MJ_DEVICE_CONTROL, code, out_len, in, in_len, resp);
}
