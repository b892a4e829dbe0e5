/* rioload — an epoll load generator for RIO servers.
 *
 * N connections each send CREATE, then run transactions back to back
 * (one outstanding request per connection, as the protocol demands) for a
 * measured window after a warm-up.  Prints one JSON line: transactions,
 * transactions/s, latency p50/p99 (microseconds), errors.
 *
 *   rioload --port P [--host 127.0.0.1] [--conns 1] [--seconds 2]
 *           [--warmup 0.5] [--size 64] [--op cycle|status]
 *
 * --op cycle: WRITE(size bytes), EJECT, READ(size) — the toast round trip;
 * --op status: GET_STATUS.  Each request/response pair is one transaction.
 * The byte counts are fixed by the requests, so the same run against
 * pingpong_raw (which answers header + OutputLength bytes) is the baseline.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "rio/librio.h"

#define MAX_SIZE 8192

typedef struct client {
    int fd;
    bool created;
    int step;
    uint32_t seq;
    uint8_t out[RIO_HEADER_SIZE + MAX_SIZE];
    size_t out_len, out_off;
    uint8_t in[RIO_HEADER_SIZE + MAX_SIZE];
    size_t in_have;
    uint64_t sent_ns;
} client;

static struct {
    const char *host;
    int port, conns, size;
    double seconds, warmup;
    bool status_op;
} opt = {"127.0.0.1", 0, 1, 64, 2.0, 0.5, false};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint32_t *lat;
static size_t nlat, caplat;
static uint64_t errors, created;
static uint64_t window_start, window_end;

static void record(uint64_t t_done, uint64_t ns)
{
    if (t_done < window_start || t_done > window_end)
        return;
    if (nlat == caplat) {
        caplat = caplat ? 2 * caplat : 1 << 20;
        lat = realloc(lat, caplat * sizeof *lat);
        if (!lat)
            exit(1);
    }
    lat[nlat++] = ns > UINT32_MAX ? UINT32_MAX : (uint32_t)ns;
}

static void build(client *c, uint8_t major, uint32_t ioctl, uint32_t out_len, uint32_t data_len)
{
    rio_header h = rio_request_header(major, c->seq++, ioctl, out_len, data_len);
    rio_header_encode(&h, c->out);
    memset(c->out + RIO_HEADER_SIZE, 'b', data_len);
    c->out_len = RIO_HEADER_SIZE + data_len;
    c->out_off = 0;
}

static void next_request(client *c)
{
    if (!c->created) {
        build(c, RIO_MJ_CREATE, 0, 0, 0);
    } else if (opt.status_op) {
        build(c, RIO_MJ_DEVICE_CONTROL, RIO_IOCTL_TOASTER_GET_STATUS, RIO_TOASTER_STATUS_SIZE, 0);
    } else {
        switch (c->step) {
        case 0:
            build(c, RIO_MJ_WRITE, 0, 0, (uint32_t)opt.size);
            break;
        case 1:
            build(c, RIO_MJ_DEVICE_CONTROL, RIO_IOCTL_TOASTER_EJECT, 0, 0);
            break;
        default:
            build(c, RIO_MJ_READ, 0, (uint32_t)opt.size, 0);
            break;
        }
        c->step = (c->step + 1) % 3;
    }
    c->sent_ns = now_ns();
}

static int flush(client *c)
{
    while (c->out_off < c->out_len) {
        ssize_t w = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
        if (w < 0)
            return errno == EAGAIN ? 0 : -1;
        c->out_off += (size_t)w;
    }
    return 0;
}

/* Read what is there; returns 1 when a whole response is in, -1 on error. */
static int receive(client *c)
{
    ssize_t r = read(c->fd, c->in + c->in_have, sizeof c->in - c->in_have);
    if (r <= 0)
        return r == 0 || errno != EAGAIN ? -1 : 0;
    c->in_have += (size_t)r;
    if (c->in_have < RIO_HEADER_SIZE)
        return 0;
    rio_header h;
    if (rio_header_decode(c->in, RIO_RESPONSE, &h) != RIO_OK || h.data_length > MAX_SIZE)
        return -1;
    size_t whole = h.header_length + (size_t)h.data_length;
    if (c->in_have < whole)
        return 0;
    if (c->in_have > whole || h.status != RIO_STATUS_SUCCESS)
        errors++;
    c->in_have = 0;
    return 1;
}

static int open_client(client *c, int ep)
{
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)opt.port)};
    inet_pton(AF_INET, opt.host, &sa.sin_addr);
    if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS)
        return -1;
    next_request(c);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
    return epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
}

static void on_event(client *c, uint32_t events, int ep)
{
    if (events & EPOLLOUT) {
        if (flush(c) < 0)
            goto fail;
        if (c->out_off == c->out_len) {
            struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
            epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
        }
    }
    if (!(events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
        return;
    int r = receive(c);
    if (r < 0)
        goto fail;
    if (r == 0)
        return;
    uint64_t t = now_ns();
    if (c->created)
        record(t, t - c->sent_ns);
    else
        created++;
    c->created = true;
    next_request(c);
    if (flush(c) < 0)
        goto fail;
    if (c->out_off < c->out_len) {
        struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
        epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
    }
    return;
fail:
    fprintf(stderr, "rioload: connection failed: %s\n", strerror(errno));
    exit(1);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void parse(int argc, char **argv)
{
    static const struct option longs[] = {
        {"host", 1, 0, 'h'}, {"port", 1, 0, 'p'}, {"conns", 1, 0, 'c'}, {"seconds", 1, 0, 's'},
        {"warmup", 1, 0, 'w'}, {"size", 1, 0, 'z'}, {"op", 1, 0, 'o'}, {0, 0, 0, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        switch (ch) {
        case 'h': opt.host = optarg; break;
        case 'p': opt.port = atoi(optarg); break;
        case 'c': opt.conns = atoi(optarg); break;
        case 's': opt.seconds = atof(optarg); break;
        case 'w': opt.warmup = atof(optarg); break;
        case 'z': opt.size = atoi(optarg); break;
        case 'o': opt.status_op = strcmp(optarg, "status") == 0; break;
        default: exit(2);
        }
    }
    if (opt.port <= 0 || opt.conns <= 0 || opt.size < 0 || opt.size > MAX_SIZE) {
        fprintf(stderr, "usage: rioload --port P [--conns N] [--seconds S] [--warmup S] [--size B] [--op cycle|status]\n");
        exit(2);
    }
}

int main(int argc, char **argv)
{
    parse(argc, argv);
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    int ep = epoll_create1(0);
    client *cl = calloc((size_t)opt.conns, sizeof *cl);
    for (int i = 0; i < opt.conns; i++)
        if (open_client(&cl[i], ep) < 0) {
            perror("rioload: connect");
            return 1;
        }
    window_start = window_end = UINT64_MAX;
    struct epoll_event evs[256];
    uint64_t end = 0;
    for (;;) {
        int n = epoll_wait(ep, evs, 256, 100);
        for (int i = 0; i < n; i++)
            on_event(evs[i].data.ptr, evs[i].events, ep);
        uint64_t t = now_ns();
        if (!end && created == (uint64_t)opt.conns) { /* all connected: start the clock */
            window_start = t + (uint64_t)(opt.warmup * 1e9);
            window_end = window_start + (uint64_t)(opt.seconds * 1e9);
            end = window_end;
        }
        if (end && t > end)
            break;
    }
    qsort(lat, nlat, sizeof *lat, cmp_u32);
    double p50 = nlat ? lat[nlat / 2] / 1000.0 : 0, p99 = nlat ? lat[nlat * 99 / 100] / 1000.0 : 0;
    printf("{\"conns\": %d, \"transactions\": %zu, \"seconds\": %.3f, \"tps\": %.1f, \"p50_us\": %.1f, "
           "\"p99_us\": %.1f, \"errors\": %llu}\n",
           opt.conns, nlat, opt.seconds, nlat / opt.seconds, p50, p99, (unsigned long long)errors);
    for (int i = 0; i < opt.conns; i++)
        close(cl[i].fd);
    free(cl);
    free(lat);
    close(ep);
    return errors ? 1 : 0;
}
