/* listen.c — listening sockets and peer names. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "listen.h"

#define LISTEN_BACKLOG 4096 /* the kernel caps it at net.core.somaxconn */

static int fail(int fd, int err, char *msg, size_t len, const char *what, const char *addr, uint16_t port)
{
    snprintf(msg, len, "cannot %s %s port %u: %s", what, addr, port, strerror(err));
    if (fd >= 0)
        close(fd);
    errno = err;
    return -1;
}

int listen_tcp(const char *addr, uint16_t port, char *err, size_t errlen)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICHOST | AI_PASSIVE};
    struct addrinfo *ai;
    char service[8];
    snprintf(service, sizeof service, "%u", port);
    int rc = getaddrinfo(addr, service, &hints, &ai);
    if (rc != 0) {
        snprintf(err, errlen, "bad listen address '%s': %s", addr, gai_strerror(rc));
        errno = EINVAL;
        return -1;
    }
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        freeaddrinfo(ai);
        return fail(-1, errno, err, errlen, "open a socket for", addr, port);
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (ai->ai_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
        freeaddrinfo(ai);
        return fail(fd, errno, err, errlen, "bind", addr, port);
    }
    freeaddrinfo(ai);
    if (listen(fd, LISTEN_BACKLOG) < 0)
        return fail(fd, errno, err, errlen, "listen on", addr, port);
    return fd;
}

/* "host:port" or "[v6]:port" of a socket address. */
static void format_addr(const struct sockaddr_storage *ss, char *out, size_t len)
{
    char host[INET6_ADDRSTRLEN] = "?";
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
        inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof host);
        snprintf(out, len, "[%s]:%u", host, ntohs(s6->sin6_port));
        return;
    }
    const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
    unsigned port = 0;
    if (ss->ss_family == AF_INET) {
        inet_ntop(AF_INET, &s4->sin_addr, host, sizeof host);
        port = ntohs(s4->sin_port);
    }
    snprintf(out, len, "%s:%u", host, port);
}

/* The peer's (getpeername) or the socket's own (getsockname) address. */
static void sock_name(int fd, int (*get)(int, struct sockaddr *, socklen_t *), char *out, size_t len)
{
    struct sockaddr_storage ss = {0};
    socklen_t sl = sizeof ss;
    if (get(fd, (struct sockaddr *)&ss, &sl) != 0)
        ss.ss_family = AF_UNSPEC;
    format_addr(&ss, out, len);
}

void peer_name(int fd, char *out, size_t len)
{
    sock_name(fd, getpeername, out, len);
}

void local_name(int fd, char *out, size_t len)
{
    sock_name(fd, getsockname, out, len);
}
