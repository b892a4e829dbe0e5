/* loopbench — which event loop should riotoasterd use?  The same tiny
 * ping-pong echo server written on riotoasterd's epoll loop (loop.c) and on
 * GLib's main loop (g_unix_fd_add), plus a client measuring round trips/s
 * over C concurrent connections.  bench/server/run.py runs them
 * interleaved and prints the ratio.
 *
 *   loopbench server epoll|glib PORT
 *   loopbench client PORT SECONDS SIZE CONNS
 */
#include <arpa/inet.h>
#include <errno.h>
#include <glib-unix.h>
#include <glib.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"

static uint8_t echo_buf[65536];

/* Echo what arrived; 0 to keep going, -1 when the peer is gone.  Messages
 * are small and strictly ping-pong, so a write never blocks. */
static int echo_once(int fd)
{
    ssize_t n = read(fd, echo_buf, sizeof echo_buf);
    if (n < 0 && errno == EAGAIN)
        return 0;
    if (n <= 0 || write(fd, echo_buf, (size_t)n) != n)
        return -1;
    return 0;
}

static int listen_on(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 1024) < 0) {
        perror("loopbench: bind");
        exit(2);
    }
    return fd;
}

static int accept_nb(int lfd)
{
    int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK), one = 1;
    if (fd >= 0)
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* ---- riotoasterd's epoll loop ---- */

static void epoll_conn(loop *l, int fd, void *data, unsigned mask)
{
    (void)data;
    (void)mask;
    if (echo_once(fd) < 0) {
        loop_unwatch(l, fd);
        close(fd);
    }
}

static void epoll_accept(loop *l, int lfd, void *data, unsigned mask)
{
    (void)data;
    (void)mask;
    int fd = accept_nb(lfd);
    if (fd >= 0)
        loop_watch(l, fd, LOOP_READABLE, epoll_conn, NULL);
}

static int run_epoll(int port)
{
    loop *l = loop_new();
    loop_watch(l, listen_on(port), LOOP_READABLE, epoll_accept, NULL);
    return loop_run(l);
}

/* ---- GLib's main loop ---- */

static gboolean glib_conn(gint fd, GIOCondition cond, gpointer data)
{
    (void)cond;
    (void)data;
    if (echo_once(fd) < 0) {
        close(fd);
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static gboolean glib_accept(gint lfd, GIOCondition cond, gpointer data)
{
    (void)cond;
    (void)data;
    int fd = accept_nb(lfd);
    if (fd >= 0)
        g_unix_fd_add(fd, G_IO_IN | G_IO_HUP | G_IO_ERR, glib_conn, NULL);
    return G_SOURCE_CONTINUE;
}

static int run_glib(int port)
{
    GMainLoop *ml = g_main_loop_new(NULL, FALSE);
    g_unix_fd_add(listen_on(port), G_IO_IN, glib_accept, NULL);
    g_main_loop_run(ml);
    return 0;
}

/* ---- client: CONNS blocking threads, each a ping-pong ---- */

static struct {
    int port, size;
    double seconds;
    uint64_t total;
    pthread_mutex_t lock;
} cl = {.lock = PTHREAD_MUTEX_INITIALIZER};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *client_thread(void *arg)
{
    (void)arg;
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)cl.port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        perror("loopbench: connect");
        exit(1);
    }
    char *buf = calloc(1, (size_t)cl.size);
    uint64_t n = 0;
    double end = now_s() + cl.seconds;
    while (now_s() < end) {
        if (write(fd, buf, (size_t)cl.size) != cl.size || recv(fd, buf, (size_t)cl.size, MSG_WAITALL) != cl.size)
            exit(1);
        n++;
    }
    close(fd);
    free(buf);
    pthread_mutex_lock(&cl.lock);
    cl.total += n;
    pthread_mutex_unlock(&cl.lock);
    return NULL;
}

static int run_client(int conns)
{
    pthread_t t[256];
    for (int i = 0; i < conns; i++)
        pthread_create(&t[i], NULL, client_thread, NULL);
    for (int i = 0; i < conns; i++)
        pthread_join(t[i], NULL);
    printf("{\"round_trips_per_s\": %.1f}\n", cl.total / cl.seconds);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "server") == 0)
        return strcmp(argv[2], "glib") == 0 ? run_glib(atoi(argv[3])) : run_epoll(atoi(argv[3]));
    if (argc == 6 && strcmp(argv[1], "client") == 0) {
        cl.port = atoi(argv[2]);
        cl.seconds = atof(argv[3]);
        cl.size = atoi(argv[4]);
        int conns = atoi(argv[5]);
        return run_client(conns < 1 ? 1 : conns > 256 ? 256 : conns);
    }
    fprintf(stderr, "usage: loopbench server epoll|glib PORT | client PORT SECONDS SIZE CONNS\n");
    return 2;
}
