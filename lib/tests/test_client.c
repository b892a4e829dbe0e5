/* Unit tests: the blocking client against a scripted server on a real
 * loopback socket (one thread plays the server, one scripted reply per
 * case). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "rio/client.h"

/* HEADER_TOO_LONG: only a header announcing more than OutputLength, then
 * silence.  DRIP: the answer one byte per DRIP_US, each wait short, the
 * whole longer than the client's timeout. */
typedef enum { ANSWER, WRONG_SEQ, TOO_MUCH_DATA, EXTRA_HEADER, HANG_UP, SILENT, HEADER_TOO_LONG, DRIP } script;

#define DRIP_US 100000           /* under the client's 300 ms per byte ... */
#define HEADER_TOO_LONG_EXTRA 1000

static char last_error[256];     /* rio_client_error of the last run */

typedef struct {
    int listen_fd;
    script what;
} server_arg;

static int read_full(int fd, uint8_t *buf, size_t n)
{
    for (size_t got = 0; got < n;) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

static void *serve_one(void *p)
{
    server_arg *a = p;
    int fd = accept(a->listen_fd, NULL, NULL);
    uint8_t raw[RIO_HEADER_SIZE + 64];
    rio_header req;
    if (fd < 0 || read_full(fd, raw, RIO_HEADER_SIZE) < 0)
        goto out;
    rio_header_decode(raw, RIO_REQUEST, &req);
    if (req.data_length && read_full(fd, raw + RIO_HEADER_SIZE, req.data_length) < 0)
        goto out;
    uint32_t n = a->what == TOO_MUCH_DATA ? req.output_length + 1 : req.output_length;
    rio_header resp = rio_response_header(req.major, req.sequence + (a->what == WRONG_SEQ), 0, n, n);
    if (a->what == HEADER_TOO_LONG)
        resp.data_length = req.output_length + HEADER_TOO_LONG_EXTRA;
    if (a->what == EXTRA_HEADER)
        resp.header_length = RIO_HEADER_SIZE + 4;
    uint8_t out[RIO_HEADER_SIZE + 4 + 64] = {0};
    rio_header_encode(&resp, out);
    size_t len = RIO_HEADER_SIZE + (resp.header_length - RIO_HEADER_SIZE) + n;
    memset(out + resp.header_length, 'T', n);
    if (a->what == SILENT) {
        read_full(fd, raw, 1); /* until the client gives up and closes */
    } else if (a->what == HEADER_TOO_LONG) {
        if (write(fd, out, RIO_HEADER_SIZE) == RIO_HEADER_SIZE)
            read_full(fd, raw, 1); /* the data never comes: until the client closes */
    } else if (a->what == DRIP) {
        /* ... 29 bytes in all: ~2.9 s; stops when the client hangs up */
        for (size_t i = 0; i < len && send(fd, out + i, 1, MSG_NOSIGNAL) == 1; i++)
            usleep(DRIP_US);
    } else if (a->what != HANG_UP) {
        if (write(fd, out, len) < 0)
            goto out;
    }
out:
    if (fd >= 0)
        close(fd);
    return NULL;
}

static rio_client_result run(script what, uint32_t out_len, rio_response *resp, uint8_t *first)
{
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof sa;
    bind(lfd, (struct sockaddr *)&sa, sizeof sa);
    listen(lfd, 1);
    getsockname(lfd, (struct sockaddr *)&sa, &sl);
    server_arg arg = {lfd, what};
    pthread_t t;
    pthread_create(&t, NULL, serve_one, &arg);

    char err[128];
    rio_client *c = rio_client_connect("127.0.0.1", ntohs(sa.sin_port), 2000, err, sizeof err);
    CHECK(c != NULL);
    rio_client_set_timeout(c, 300);
    rio_client_result r = rio_client_read(c, out_len, resp);
    *first = (r == RIO_CLIENT_OK && resp->header.data_length) ? resp->data[0] : 0;
    snprintf(last_error, sizeof last_error, "%s", rio_client_error(c));
    CHECK_EQ(rio_client_sequence(c), RIO_FIRST_SEQUENCE + 1);
    rio_client_free(c);
    pthread_join(t, NULL);
    close(lfd);
    return r;
}

/* The server forms a command line accepts, and the ones it refuses. */
static void check_host_port(void)
{
    static const struct {
        const char *text, *host;
        uint16_t port;
    } good[] = {
        {"localhost", "localhost", 0},     {"127.0.0.1:5003", "127.0.0.1", 5003},
        {"[::1]", "::1", 0},               {"[::1]:5003", "::1", 5003},
        {"::1", "::1", 0},                 {"fe80::1%lo", "fe80::1%lo", 0},
        {"host.example:65535", "host.example", 65535},
    };
    static const char *const bad[] = {"", ":5003", "[]", "[::1", "[::1]5003", "[::1]:",
                                      "host:0", "host:65536", "host:x", "[::1]:-1"};
    char host[64];
    uint16_t port;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        CHECK(rio_split_host_port(good[i].text, host, sizeof host, &port));
        CHECK(strcmp(host, good[i].host) == 0);
        CHECK_EQ(port, good[i].port);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(!rio_split_host_port(bad[i], host, sizeof host, &port));
    CHECK(!rio_split_host_port("a-host-name-longer-than-the-buffer", host, 8, &port));
}

int main(void)
{
    rio_response resp;
    uint8_t first;
    CHECK_EQ(run(ANSWER, 5, &resp, &first), RIO_CLIENT_OK);
    CHECK_EQ(resp.header.data_length, 5);
    CHECK_EQ(first, 'T');
    CHECK_EQ(run(EXTRA_HEADER, 3, &resp, &first), RIO_CLIENT_OK);
    CHECK_EQ(first, 'T');
    CHECK_EQ(run(WRONG_SEQ, 0, &resp, &first), RIO_CLIENT_PROTOCOL);
    CHECK_EQ(run(TOO_MUCH_DATA, 2, &resp, &first), RIO_CLIENT_PROTOCOL);
    CHECK_EQ(run(HANG_UP, 0, &resp, &first), RIO_CLIENT_CLOSED);
    CHECK_EQ(run(SILENT, 0, &resp, &first), RIO_CLIENT_TIMEOUT);
    /* the timeout bounds the whole answer, not each wait */
    CHECK_EQ(run(DRIP, 5, &resp, &first), RIO_CLIENT_TIMEOUT);
    CHECK(strstr(last_error, "not complete within 300 ms") != NULL);
    /* an over-long answer fails at its header, before any data */
    CHECK_EQ(run(HEADER_TOO_LONG, 5, &resp, &first), RIO_CLIENT_PROTOCOL);
    CHECK(strstr(last_error, "announces 1005 data bytes, more than OutputLength 5") != NULL);

    char err[128];
    CHECK(rio_client_connect("127.0.0.1", 1, 500, err, sizeof err) == NULL);
    CHECK(strstr(err, "cannot connect") != NULL);
    CHECK(rio_client_connect("no.such.host.invalid", 1, 500, err, sizeof err) == NULL);
    CHECK(strstr(err, "cannot resolve") != NULL);
    CHECK_EQ(rio_serial_port(3), RIO_BASE_PORT + 3);
    check_host_port();
    return check_report("test_client");
}
