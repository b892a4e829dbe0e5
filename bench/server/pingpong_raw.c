/* pingpong_raw — the baseline for riotoasterd's one-connection benchmark: a
 * minimal blocking TCP server that answers each RIO-shaped request with the
 * same number of bytes riotoasterd would send (24-byte header +
 * OutputLength bytes), with no protocol logic at all.  Thread per
 * connection; it prints its port and serves until killed.
 *
 *   pingpong_raw PORT
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "rio/rio.h"

static uint8_t zeros[RIO_DATA_MAX];

static int recv_all(int fd, uint8_t *p, size_t n)
{
    while (n) {
        ssize_t r = recv(fd, p, n, MSG_WAITALL);
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

static void *serve(void *arg)
{
    int fd = (int)(long)arg;
    uint8_t hdr[RIO_HEADER_SIZE];
    uint8_t *data = malloc(RIO_DATA_MAX);
    for (;;) {
        if (recv_all(fd, hdr, sizeof hdr) < 0)
            break;
        uint32_t in = rio_get_le32(hdr + RIO_OFF_DATA_LENGTH);
        uint32_t out = rio_get_le32(hdr + RIO_OFF_OUTPUT_LENGTH);
        if (in > RIO_DATA_MAX || out > RIO_DATA_MAX || (in && recv_all(fd, data, in) < 0))
            break;
        /* The same bytes riotoasterd sends: a header whose data length is
         * OutputLength, then that many bytes. */
        memcpy(hdr, RIO_SIGNATURE_RESPONSE, RIO_SIGNATURE_SIZE);
        rio_put_le32(hdr + RIO_OFF_DATA_LENGTH, out);
        rio_put_le32(hdr + RIO_OFF_STATUS, 0);
        rio_put_le32(hdr + RIO_OFF_INFORMATION, out);
        struct iovec iov[2] = {{hdr, sizeof hdr}, {zeros, out}};
        if (writev(fd, iov, out ? 2 : 1) < 0)
            break;
    }
    free(data);
    close(fd);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: pingpong_raw PORT\n");
        return 2;
    }
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1])),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(ls, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(ls, 128) < 0) {
        perror("pingpong_raw: bind");
        return 2;
    }
    fprintf(stderr, "pingpong_raw: ready\n");
    for (;;) {
        int fd = accept(ls, NULL, NULL);
        if (fd < 0)
            continue;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        pthread_t t;
        pthread_create(&t, NULL, serve, (void *)(long)fd);
        pthread_detach(t);
    }
}
