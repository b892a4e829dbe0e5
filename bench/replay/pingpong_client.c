/* pingpong_client — the baseline for rio-replay's replay rate: sends the
 * recorded request stream PDU by PDU over one blocking TCP connection and
 * reads each answer (24-byte header, then its data length), with no
 * comparison and no protocol logic.  Against bench/server's pingpong_raw the
 * answers have the same sizes riotoasterd sends.
 *
 *   pingpong_client PORT REQUESTS_FILE
 * prints "<transactions> <seconds>".
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "rio/rio.h"

static int io_all(int fd, uint8_t *p, size_t n, int sending)
{
    while (n) {
        ssize_t r = sending ? send(fd, p, n, MSG_NOSIGNAL) : recv(fd, p, n, MSG_WAITALL);
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    rewind(fp);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    if (!buf || fread(buf, 1, (size_t)n, fp) != (size_t)n) {
        fclose(fp);
        free(buf);
        return NULL;
    }
    fclose(fp);
    *len = (size_t)n;
    return buf;
}

static int connect_local(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
        return -1;
    return fd;
}

int main(int argc, char **argv)
{
    size_t len = 0;
    uint8_t *reqs = argc == 3 ? slurp(argv[2], &len) : NULL;
    int fd = reqs ? connect_local(atoi(argv[1])) : -1;
    if (fd < 0) {
        fprintf(stderr, "usage: pingpong_client PORT REQUESTS_FILE (file readable, port listening)\n");
        return 2;
    }
    uint8_t *answer = malloc(RIO_DATA_MAX + RIO_HEADER_LENGTH_MAX);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    size_t off = 0, count = 0;
    while (off + RIO_HEADER_SIZE <= len) {
        size_t pdu = rio_get_le16(reqs + off + RIO_OFF_HEADER_LENGTH) +
                     (size_t)rio_get_le32(reqs + off + RIO_OFF_DATA_LENGTH);
        if (off + pdu > len || io_all(fd, reqs + off, pdu, 1) ||
            io_all(fd, answer, RIO_HEADER_SIZE, 0))
            break;
        size_t data = rio_get_le32(answer + RIO_OFF_DATA_LENGTH);
        if (data > RIO_DATA_MAX || io_all(fd, answer + RIO_HEADER_SIZE, data, 0))
            break;
        off += pdu;
        count++;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("%zu %.6f\n", count, (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
    close(fd);
    return 0;
}
