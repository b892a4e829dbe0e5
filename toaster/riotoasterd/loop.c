/* loop.c — the epoll event loop declared in loop.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"

#define LOOP_BATCH 256 /* events taken per epoll_wait */

typedef struct file_event {
    unsigned mask; /* 0: not watched */
    loop_file_proc *proc;
    void *data;
} file_event;

struct loop {
    int epfd;
    bool stop;
    uint64_t now;
    file_event *files; /* indexed by fd */
    size_t nfiles;
    loop_timer **heap;
    size_t heap_len, heap_cap;
    loop_turn_proc *turn_proc;
    void *turn_data;
    bool busy; /* the turn proc has work left: do not sleep */
    struct epoll_event fired[LOOP_BATCH];
};

uint64_t loop_clock_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

loop *loop_new(void)
{
    loop *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (l->epfd < 0) {
        free(l);
        return NULL;
    }
    l->now = loop_clock_ms();
    return l;
}

void loop_free(loop *l)
{
    if (!l)
        return;
    close(l->epfd);
    free(l->files);
    free(l->heap);
    free(l);
}

uint64_t loop_now(const loop *l)
{
    return l->now;
}

void loop_stop(loop *l)
{
    l->stop = true;
}

/* ---- file events --------------------------------------------------------- */

static bool grow_files(loop *l, int fd)
{
    if ((size_t)fd < l->nfiles)
        return true;
    size_t n = l->nfiles ? l->nfiles : 64;
    while (n <= (size_t)fd)
        n *= 2;
    file_event *f = realloc(l->files, n * sizeof *f);
    if (!f)
        return false;
    memset(f + l->nfiles, 0, (n - l->nfiles) * sizeof *f);
    l->files = f;
    l->nfiles = n;
    return true;
}

static uint32_t epoll_bits(unsigned mask)
{
    return ((mask & LOOP_READABLE) ? EPOLLIN : 0u) | ((mask & LOOP_WRITABLE) ? EPOLLOUT : 0u);
}

static int ctl(loop *l, int op, int fd, unsigned mask)
{
    struct epoll_event ev = {.events = epoll_bits(mask), .data.fd = fd};
    return epoll_ctl(l->epfd, op, fd, &ev);
}

int loop_watch(loop *l, int fd, unsigned mask, loop_file_proc *proc, void *data)
{
    if (fd < 0 || !grow_files(l, fd)) {
        errno = fd < 0 ? EBADF : ENOMEM;
        return -1;
    }
    file_event *f = &l->files[fd];
    /* A watched fd is always registered with epoll, even with mask 0, so
     * loop_set_mask only ever needs EPOLL_CTL_MOD. */
    int op = f->proc ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (ctl(l, op, fd, mask) < 0)
        return -1;
    f->mask = mask;
    f->proc = proc;
    f->data = data;
    return 0;
}

int loop_set_mask(loop *l, int fd, unsigned mask)
{
    file_event *f = &l->files[fd];
    if (f->mask == mask)
        return 0;
    if (ctl(l, EPOLL_CTL_MOD, fd, mask) < 0)
        return -1;
    f->mask = mask;
    return 0;
}

unsigned loop_mask(const loop *l, int fd)
{
    return (size_t)fd < l->nfiles ? l->files[fd].mask : 0;
}

void loop_unwatch(loop *l, int fd)
{
    if (fd < 0 || (size_t)fd >= l->nfiles || !l->files[fd].proc)
        return;
    epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
    memset(&l->files[fd], 0, sizeof l->files[fd]);
}

/* ---- timers: a binary min-heap of caller-owned loop_timer ---------------- */

void loop_timer_init(loop_timer *t, loop_timer_proc *proc, void *data)
{
    t->when_ms = 0;
    t->heap_index = SIZE_MAX;
    t->proc = proc;
    t->data = data;
}

bool loop_timer_armed(const loop_timer *t)
{
    return t->heap_index != SIZE_MAX;
}

static void heap_place(loop *l, size_t i, loop_timer *t)
{
    l->heap[i] = t;
    t->heap_index = i;
}

static void sift_up(loop *l, size_t i)
{
    loop_timer *t = l->heap[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (l->heap[parent]->when_ms <= t->when_ms)
            break;
        heap_place(l, i, l->heap[parent]);
        i = parent;
    }
    heap_place(l, i, t);
}

static void sift_down(loop *l, size_t i)
{
    loop_timer *t = l->heap[i];
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= l->heap_len)
            break;
        if (child + 1 < l->heap_len && l->heap[child + 1]->when_ms < l->heap[child]->when_ms)
            child++;
        if (t->when_ms <= l->heap[child]->when_ms)
            break;
        heap_place(l, i, l->heap[child]);
        i = child;
    }
    heap_place(l, i, t);
}

void loop_timer_disarm(loop *l, loop_timer *t)
{
    if (!loop_timer_armed(t))
        return;
    size_t i = t->heap_index;
    t->heap_index = SIZE_MAX;
    loop_timer *last = l->heap[--l->heap_len];
    if (last == t)
        return;
    heap_place(l, i, last);
    sift_up(l, i);
    sift_down(l, last->heap_index);
}

int loop_timer_reserve(loop *l, size_t ntimers)
{
    if (ntimers <= l->heap_cap)
        return 0;
    size_t cap = l->heap_cap ? 2 * l->heap_cap : 64;
    while (cap < ntimers)
        cap *= 2;
    loop_timer **h = realloc(l->heap, cap * sizeof *h);
    if (!h)
        return -1;
    l->heap = h;
    l->heap_cap = cap;
    return 0;
}

void loop_timer_arm(loop *l, loop_timer *t, uint64_t when_ms)
{
    if (loop_timer_armed(t)) {
        uint64_t old = t->when_ms;
        t->when_ms = when_ms;
        if (when_ms < old)
            sift_up(l, t->heap_index);
        else
            sift_down(l, t->heap_index);
        return;
    }
    if (l->heap_len == l->heap_cap && loop_timer_reserve(l, l->heap_len + 1) < 0)
        return; /* owners reserve first (loop_timer_reserve); else it stays disarmed */
    t->when_ms = when_ms;
    heap_place(l, l->heap_len++, t);
    sift_up(l, t->heap_index);
}

static void run_due_timers(loop *l)
{
    while (l->heap_len && l->heap[0]->when_ms <= l->now) {
        loop_timer *t = l->heap[0];
        loop_timer_disarm(l, t);
        t->proc(l, t->data); /* may re-arm t or free its owner */
    }
}

static int wait_ms(const loop *l)
{
    if (l->busy)
        return 0;
    if (!l->heap_len)
        return -1;
    uint64_t when = l->heap[0]->when_ms;
    if (when <= l->now)
        return 0;
    uint64_t d = when - l->now;
    return d > 60000 ? 60000 : (int)d;
}

/* ---- the loop ------------------------------------------------------------ */

static void dispatch(loop *l, const struct epoll_event *ev)
{
    int fd = ev->data.fd;
    unsigned got = ((ev->events & (EPOLLIN | EPOLLERR | EPOLLHUP)) ? LOOP_READABLE : 0u) |
                   ((ev->events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) ? LOOP_WRITABLE : 0u);
    /* Re-read the registration: an earlier callback of this batch may have
     * unwatched or changed fd. */
    if ((size_t)fd >= l->nfiles)
        return;
    file_event *f = &l->files[fd];
    /* An error or hang-up is delivered even to an fd that asked for nothing
     * right now (backpressure), or level-triggered epoll would spin. */
    unsigned mask = (ev->events & (EPOLLERR | EPOLLHUP)) && f->proc ? got : got & f->mask;
    if (mask)
        f->proc(l, fd, f->data, mask);
}

int loop_run(loop *l)
{
    l->stop = false;
    while (!l->stop) {
        l->now = loop_clock_ms(); /* the batch just handled took time too */
        int n = epoll_wait(l->epfd, l->fired, LOOP_BATCH, wait_ms(l));
        if (n < 0 && errno != EINTR)
            return -1;
        l->now = loop_clock_ms();
        for (int i = 0; i < n && !l->stop; i++)
            dispatch(l, &l->fired[i]);
        run_due_timers(l);
        l->busy = l->turn_proc && !l->stop && l->turn_proc(l, l->turn_data);
    }
    return 0;
}

void loop_set_turn_proc(loop *l, loop_turn_proc *proc, void *data)
{
    l->turn_proc = proc;
    l->turn_data = data;
}
