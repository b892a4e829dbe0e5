/* netaddr.c — connect and listen through getaddrinfo (see netaddr.h). */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netaddr.h"

static void tune(int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* Wait for a non-blocking connect; 0 or an errno value. */
static int finish_connect(int fd, double timeout_s)
{
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    int rc = poll(&p, 1, (int)(timeout_s * 1000));
    if (rc == 0)
        return ETIMEDOUT;
    if (rc < 0)
        return errno;
    int e = 0;
    socklen_t len = sizeof e;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len);
    return e;
}

static struct addrinfo *resolve(const char *host, int port, int flags, char *err, size_t errlen)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = flags}, *res = NULL;
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    int rc = getaddrinfo(host, service, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "%s: %s", host ? host : "*", gai_strerror(rc));
        return NULL;
    }
    return res;
}

int rr_connect(const char *host, int port, double timeout_s, char *err, size_t errlen)
{
    struct addrinfo *res = resolve(host, port, 0, err, errlen);
    int fd = -1, e = 0;
    for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            continue;
        tune(fd);
        e = connect(fd, a->ai_addr, a->ai_addrlen) == 0 ? 0 : errno;
        if (e == EINPROGRESS)
            e = finish_connect(fd, timeout_s);
        if (e) {
            close(fd);
            fd = -1;
        }
    }
    if (res && fd < 0)
        snprintf(err, errlen, "cannot connect to %s port %d: %s", host, port, strerror(e));
    freeaddrinfo(res);
    return fd;
}

int rr_listen(const char *addr, int port, char *err, size_t errlen)
{
    struct addrinfo *res = resolve(addr, port, AI_PASSIVE, err, errlen);
    int fd = -1, e = 0;
    /* Prefer IPv6 (dual-stack) when no address was given. */
    for (int pass = 0; pass < 2 && fd < 0; pass++)
        for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
            if (!addr && (pass == 0) != (a->ai_family == AF_INET6))
                continue;
            fd = socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (fd < 0)
                continue;
            int one = 1, zero = 0;
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
            if (a->ai_family == AF_INET6)
                setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, addr ? &one : &zero, sizeof one);
            if (bind(fd, a->ai_addr, a->ai_addrlen) != 0 || listen(fd, 64) != 0) {
                e = errno;
                close(fd);
                fd = -1;
            }
        }
    if (res && fd < 0)
        snprintf(err, errlen, "cannot listen on %s port %d: %s", addr ? addr : "*", port, strerror(e));
    if (fd >= 0)
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    freeaddrinfo(res);
    return fd;
}

int rr_accept(int lfd)
{
    int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (fd >= 0)
        tune(fd);
    return fd;
}
