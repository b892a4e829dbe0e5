/* fairness — how long one client waits while others pipeline (issue 10).
 *
 * N "pipeliner" connections (a thread, one epoll) each CREATE a farm
 * toaster, then keep up to DEPTH GET_STATUS requests in flight, written in
 * 64 KiB batches, answers read and discarded.  Meanwhile the main thread
 * runs probe sessions back to back — connect, CREATE, GET_INFO, CLOSE,
 * wait for the server's close — and records each session's time.  Prints
 * one JSON line: probe sessions, median and p90 in microseconds, and the
 * pipelined answers/s.
 *
 *   fairness --port P [--pipeliners 20] [--probes 200] [--depth 8192]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "rio/librio.h"

#define BATCH_BYTES 65536
#define MAX_PIPELINERS 1000

static struct {
    int port, pipeliners, probes;
    long depth;
} opt = {0, 20, 200, 8192};

static atomic_bool stop;
static atomic_long answered;

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void die(const char *what)
{
    fprintf(stderr, "fairness: %s: %s\n", what, strerror(errno));
    exit(1);
}

static int dial(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)opt.port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
        die("connect");
    return fd;
}

static void put_request(uint8_t *p, uint8_t major, uint32_t seq, uint32_t ioctl, uint32_t out_len)
{
    rio_header h = rio_request_header(major, seq, ioctl, out_len, 0);
    rio_header_encode(&h, p);
}

/* Blocking: send one request, read its answer (header + data); the status. */
static uint32_t transact(int fd, uint8_t major, uint32_t seq, uint32_t ioctl, uint32_t out_len)
{
    uint8_t req[RIO_HEADER_SIZE], in[RIO_HEADER_SIZE + 256];
    put_request(req, major, seq, ioctl, out_len);
    if (write(fd, req, sizeof req) != (ssize_t)sizeof req)
        die("write");
    size_t have = 0, want = RIO_HEADER_SIZE;
    while (have < want) {
        ssize_t n = read(fd, in + have, want - have);
        if (n <= 0)
            die("read");
        have += (size_t)n;
        if (have == RIO_HEADER_SIZE)
            want += rio_get_le32(in + RIO_OFF_DATA_LENGTH);
    }
    return rio_get_le32(in + RIO_OFF_STATUS);
}

typedef struct pipeliner {
    int fd;
    long in_flight;
    size_t partial; /* bytes of the answer being read */
} pipeliner;

static uint8_t batch[BATCH_BYTES];
static size_t batch_len;
static long batch_count;

static void *pipeline(void *arg)
{
    pipeliner *p = arg;
    int ep = epoll_create1(0);
    for (int i = 0; i < opt.pipeliners; i++) {
        struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = &p[i]};
        epoll_ctl(ep, EPOLL_CTL_ADD, p[i].fd, &ev);
    }
    static uint8_t sink[1 << 16];
    const size_t answer = RIO_HEADER_SIZE + RIO_TOASTER_STATUS_SIZE;
    while (!atomic_load(&stop)) {
        struct epoll_event evs[64];
        int n = epoll_wait(ep, evs, 64, 100);
        for (int i = 0; i < n; i++) {
            pipeliner *c = evs[i].data.ptr;
            if (evs[i].events & EPOLLIN) {
                ssize_t r = read(c->fd, sink, sizeof sink);
                if (r <= 0)
                    die("pipeliner read");
                size_t got = c->partial + (size_t)r;
                c->in_flight -= (long)(got / answer);
                atomic_fetch_add(&answered, (long)(got / answer));
                c->partial = got % answer;
            }
            if ((evs[i].events & EPOLLOUT) && c->in_flight + batch_count <= opt.depth) {
                /* whole batches keep the answer accounting simple */
                if (write(c->fd, batch, batch_len) != (ssize_t)batch_len)
                    die("pipeliner write (short)");
                c->in_flight += batch_count;
            }
        }
    }
    close(ep);
    return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static uint64_t probe_session(uint32_t *seq)
{
    uint64_t t0 = now_us();
    int fd = dial();
    if (transact(fd, RIO_MJ_CREATE, (*seq)++, 0, 0) != RIO_STATUS_SUCCESS)
        die("probe CREATE refused");
    if (transact(fd, RIO_MJ_DEVICE_CONTROL, (*seq)++, RIO_IOCTL_TOASTER_GET_INFO, RIO_TOASTER_INFO_SIZE) !=
        RIO_STATUS_SUCCESS)
        die("probe GET_INFO failed");
    transact(fd, RIO_MJ_CLOSE, (*seq)++, 0, 0);
    uint64_t t = now_us() - t0;
    close(fd);
    return t;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {{"port", 1, NULL, 'p'}, {"pipeliners", 1, NULL, 'n'},
                                             {"probes", 1, NULL, 'r'}, {"depth", 1, NULL, 'd'},
                                             {NULL, 0, NULL, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (ch == 'p')
            opt.port = atoi(optarg);
        else if (ch == 'n')
            opt.pipeliners = atoi(optarg);
        else if (ch == 'r')
            opt.probes = atoi(optarg);
        else if (ch == 'd')
            opt.depth = atol(optarg);
        else
            return 2;
    }
    if (opt.port <= 0 || opt.pipeliners < 0 || opt.pipeliners > MAX_PIPELINERS || opt.probes < 1) {
        fprintf(stderr, "usage: fairness --port P [--pipeliners N<=1000] [--probes N] [--depth N]\n");
        return 2;
    }
    batch_count = BATCH_BYTES / RIO_HEADER_SIZE;
    batch_len = (size_t)batch_count * RIO_HEADER_SIZE;
    for (long i = 0; i < batch_count; i++)
        put_request(batch + i * RIO_HEADER_SIZE, RIO_MJ_DEVICE_CONTROL, (uint32_t)i, RIO_IOCTL_TOASTER_GET_STATUS,
                    RIO_TOASTER_STATUS_SIZE);
    pipeliner *p = calloc((size_t)opt.pipeliners + 1, sizeof *p);
    for (int i = 0; i < opt.pipeliners; i++) {
        p[i].fd = dial();
        if (transact(p[i].fd, RIO_MJ_CREATE, 0, 0, 0) != RIO_STATUS_SUCCESS)
            die("pipeliner CREATE refused");
    }
    pthread_t th;
    if (opt.pipeliners)
        pthread_create(&th, NULL, pipeline, p);
    uint64_t t0 = now_us();
    uint64_t *lat = calloc((size_t)opt.probes, sizeof *lat);
    uint32_t seq = 1;
    for (int i = 0; i < opt.probes; i++)
        lat[i] = probe_session(&seq);
    double secs = (double)(now_us() - t0) / 1e6;
    atomic_store(&stop, true);
    if (opt.pipeliners)
        pthread_join(th, NULL);
    qsort(lat, (size_t)opt.probes, sizeof *lat, cmp_u64);
    printf("{\"probes\": %d, \"median_us\": %llu, \"p90_us\": %llu, \"pipelined_per_s\": %.0f}\n", opt.probes,
           (unsigned long long)lat[opt.probes / 2], (unsigned long long)lat[opt.probes * 9 / 10],
           (double)atomic_load(&answered) / secs);
    for (int i = 0; i < opt.pipeliners; i++)
        close(p[i].fd);
    free(p);
    free(lat);
    return 0;
}
