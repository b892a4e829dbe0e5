/* netaddr.h — ordinary sockets: connect with a timeout, listen. */
#ifndef RR_NETADDR_H
#define RR_NETADDR_H

#include <stdbool.h>
#include <stddef.h>

/* A connected non-blocking TCP socket (TCP_NODELAY), or -1 with err set. */
int rr_connect(const char *host, int port, double timeout_s, char *err, size_t errlen);
/* A listening non-blocking socket on addr (NULL: all IPv4+IPv6), or -1. */
int rr_listen(const char *addr, int port, char *err, size_t errlen);
/* Accept one connection (non-blocking, TCP_NODELAY), -1 if none. */
int rr_accept(int lfd);

#endif
