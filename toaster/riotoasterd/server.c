/* server.c — setup (devices, listening sockets, signals), accepting
 * connections, and teardown. */
#include <errno.h>
#include <glib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "listen.h"
#include "log.h"
#include "server.h"

#define ACCEPTS_PER_EVENT 64
#define ACCEPT_PAUSE_MS 100 /* out of file descriptors: wait before retrying */

/* Many connections need many descriptors: take the hard limit. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static void watch_listeners(server *s, unsigned mask)
{
    for (size_t i = 0; i < s->nlisteners; i++)
        loop_set_mask(s->loop, s->listeners[i].fd, mask);
}

/* Accepts run while fewer than --max-connections are open and no
 * out-of-descriptors pause is on; beyond the limit the listeners are not
 * polled, so new clients wait in the kernel's listen queue. */
static void update_accepts(server *s)
{
    if (s->stopping)
        return;
    size_t open = s->hub.nconns;
    bool full = open >= s->cfg->max_connections;
    if (full != s->accepts_full) {
        s->accepts_full = full;
        if (full)
            log_msg("accepts paused: %zu connections open (--max-connections %u)", open, s->cfg->max_connections);
        else
            log_msg("accepts resumed: %zu connections open", open);
    }
    bool on = !full && !loop_timer_armed(&s->accept_pause);
    watch_listeners(s, on ? LOOP_READABLE : 0);
}

static void accept_resume(loop *l, void *data)
{
    (void)l;
    update_accepts(data);
}

static void accept_one(listener *li, int fd)
{
    server *s = li->srv;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* one writev per answer: never delay it */
    conn *c = conn_new(&s->hub, fd, li->dev);
    if (!c) {
        log_err("cannot register a new connection: %s", strerror(errno));
        close(fd);
        return;
    }
    if (li->dev)
        log_msg("accept %s (serial %u, %s)", c->peer, li->dev->serial, li->dev->ops->kind);
    else
        log_msg("accept %s (farm)", c->peer);
}

static void on_accept(loop *l, int lfd, void *data, unsigned mask)
{
    (void)l;
    (void)mask;
    listener *li = data;
    for (int i = 0; i < ACCEPTS_PER_EVENT && !li->srv->accepts_full; i++) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            accept_one(li, fd);
            update_accepts(li->srv);
            continue;
        }
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
            log_err("accept: %s; pausing accepts for %d ms", strerror(errno), ACCEPT_PAUSE_MS);
            loop_timer_arm(li->srv->loop, &li->srv->accept_pause, loop_now(li->srv->loop) + ACCEPT_PAUSE_MS);
            update_accepts(li->srv);
        }
        if (errno != ECONNABORTED && errno != EINTR)
            return;
    }
}

static void on_signal(loop *l, int fd, void *data, unsigned mask)
{
    (void)data;
    (void)mask;
    struct signalfd_siginfo si;
    if (read(fd, &si, sizeof si) == (ssize_t)sizeof si)
        log_msg("signal %s: stopping", strsignal((int)si.ssi_signo));
    loop_stop(l);
}

static bool open_signals(server *s)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN); /* a peer that vanished is an EPIPE, not a death */
    s->signal_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    return s->signal_fd >= 0 && loop_watch(s->loop, s->signal_fd, LOOP_READABLE, on_signal, s) == 0;
}

/* Once per loop turn: the connections' next slices, and accepts resume
 * if connections closed during the turn. */
static bool run_work(loop *l, void *data)
{
    (void)l;
    server *s = data;
    bool more = conn_run_work(&s->hub);
    update_accepts(s);
    return more;
}

static bool is_default_v6(const server *s, const char *addr)
{
    return s->cfg->listen_default && strcmp(addr, DEFAULT_LISTEN_V6) == 0;
}

/* Bind one port on every listen address.  Returns an exit code, or -1. */
static int listen_port(server *s, uint16_t port, device *dev)
{
    for (char **a = s->cfg->listen; *a; a++) {
        char err[200];
        int fd = listen_tcp(*a, port, err, sizeof err);
        if (fd < 0 && is_default_v6(s, *a) && (errno == EADDRNOTAVAIL || errno == EAFNOSUPPORT)) {
            log_msg("%s; serving IPv4 only", err);
            continue;
        }
        if (fd < 0) {
            int why = errno; /* EINVAL: the address itself is bad, a usage error */
            fprintf(stderr, "riotoasterd: %s\n", err);
            return why == EINVAL ? EXIT_USAGE : EXIT_UNAVAILABLE;
        }
        listener *li = &s->listeners[s->nlisteners++];
        *li = (listener){.srv = s, .fd = fd, .dev = dev};
        if (loop_watch(s->loop, fd, LOOP_READABLE, on_accept, li) < 0)
            return EXIT_RUNTIME;
    }
    return -1;
}

static int open_listeners(server *s)
{
    const server_config *cfg = s->cfg;
    size_t naddr = g_strv_length(cfg->listen);
    size_t nports = cfg->farm ? 1 : s->devices.n;
    s->listeners = calloc(naddr * nports, sizeof *s->listeners);
    if (!s->listeners) {
        fprintf(stderr, "riotoasterd: out of memory\n");
        return EXIT_RUNTIME;
    }
    if (cfg->farm)
        return listen_port(s, cfg->farm_port, NULL);
    for (size_t i = 0; i < s->devices.n; i++) {
        device *d = &s->devices.devices[i];
        int rc = listen_port(s, (uint16_t)(cfg->base_port + d->serial), d);
        if (rc >= 0)
            return rc;
    }
    return -1;
}

/* "serial 3" (a toaster), "serial 3, modem"; a farm: "farm, 2 toasters,
 * 1 modem" (its kinds in the order of devmodel_kinds). */
static void describe(const server *s, const listener *li, char *out, size_t len)
{
    if (li->dev) {
        const device_ops *ops = li->dev->ops;
        snprintf(out, len, ops == &devmodel_toaster ? "serial %u" : "serial %u, %s", li->dev->serial, ops->kind);
        return;
    }
    size_t used = (size_t)snprintf(out, len, "farm");
    for (size_t k = 0; k < devmodel_nkinds && used < len; k++) {
        const device_ops *ops = devmodel_kinds[k];
        size_t n = config_count(s->cfg, ops);
        if (n)
            used += (size_t)snprintf(out + used, len - used, ", %zu %s", n, n == 1 ? ops->kind : ops->plural);
    }
}

/* One line per listening socket, then the ready line. */
static void announce_ready(const server *s)
{
    for (size_t i = 0; i < s->nlisteners; i++) {
        char name[80], what[120];
        const listener *li = &s->listeners[i];
        local_name(li->fd, name, sizeof name);
        describe(s, li, what, sizeof what);
        fprintf(stderr, "riotoasterd: listening on %s (%s)\n", name, what);
    }
    fprintf(stderr, "riotoasterd: ready\n");
    int fd = s->cfg->ready_fd;
    if (fd < 0)
        return;
    if (write(fd, "ready\n", 6) != 6)
        log_err("--ready-fd %d: %s", fd, strerror(errno));
    close(fd);
}

int server_init(server *s, const server_config *cfg)
{
    memset(s, 0, sizeof *s);
    s->cfg = cfg;
    s->signal_fd = -1;
    raise_fd_limit();
    s->loop = loop_new();
    s->hub.scratch = malloc(SCRATCH_SIZE);
    if (!s->loop || !s->hub.scratch || !open_signals(s)) {
        fprintf(stderr, "riotoasterd: cannot set up the event loop: %s\n", strerror(errno));
        return EXIT_RUNTIME;
    }
    loop_timer_init(&s->accept_pause, accept_resume, s);
    loop_set_turn_proc(s->loop, run_work, s);
    char err[200];
    int rc = devtable_open(&s->devices, cfg, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "riotoasterd: %s\n", err);
        return rc;
    }
    s->hub.loop = s->loop;
    s->hub.cfg = cfg;
    s->hub.devices = &s->devices;
    rc = open_listeners(s);
    if (rc >= 0)
        return rc;
    announce_ready(s);
    return -1;
}

int server_run(server *s)
{
    if (loop_run(s->loop) < 0) {
        log_err("event loop failed: %s", strerror(errno));
        return EXIT_RUNTIME;
    }
    return EXIT_CLEAN;
}

void server_free(server *s)
{
    s->stopping = true; /* closing connections resume nothing */
    while (s->hub.conns)
        conn_destroy(s->hub.conns, "server stopping");
    for (size_t i = 0; i < s->nlisteners; i++)
        close(s->listeners[i].fd);
    free(s->listeners);
    if (s->loop)
        loop_timer_disarm(s->loop, &s->accept_pause);
    devtable_close(&s->devices);
    if (s->signal_fd >= 0)
        close(s->signal_fd);
    loop_free(s->loop);
    free(s->hub.scratch);
}
