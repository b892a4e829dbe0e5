/* listen.h — listening sockets (Redis anet.c style). */
#ifndef RIOTOASTERD_LISTEN_H
#define RIOTOASTERD_LISTEN_H

#include <stddef.h>
#include <stdint.h>

/* A non-blocking TCP socket listening on addr:port (numeric address; IPv6
 * sockets are IPV6_V6ONLY).  Returns the fd, or -1 with errno set and a
 * one-line reason in err. */
int listen_tcp(const char *addr, uint16_t port, char *err, size_t errlen);

/* "127.0.0.1:5001" or "[::1]:5001" of a connected socket's peer. */
void peer_name(int fd, char *out, size_t len);
/* The same for the socket's own address (a listener's). */
void local_name(int fd, char *out, size_t len);

#endif
