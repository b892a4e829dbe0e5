/* loop.h — a small epoll event loop: file events and timers (Redis ae.c style).
 *
 * File events are indexed by fd (like ae.c), so a callback that closes
 * another fd in the same batch simply makes that fd's pending event a no-op.
 * Timers are caller-owned structs in a binary min-heap: arming, re-arming
 * and cancelling cost O(log n) and never allocate per timer. */
#ifndef RIOTOASTERD_LOOP_H
#define RIOTOASTERD_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOOP_READABLE 1u
#define LOOP_WRITABLE 2u

typedef struct loop loop;
typedef void loop_file_proc(loop *l, int fd, void *data, unsigned mask);
typedef void loop_timer_proc(loop *l, void *data);
/* Runs once per loop turn, after the turn's events and timers; returns true
 * while it has work left, so the next wait polls instead of sleeping. */
typedef bool loop_turn_proc(loop *l, void *data);

typedef struct loop_timer {
    uint64_t when_ms;       /* monotonic deadline */
    size_t heap_index;      /* position in the heap; SIZE_MAX when disarmed */
    loop_timer_proc *proc;
    void *data;
} loop_timer;

loop *loop_new(void);
void loop_free(loop *l);

/* Watch fd for `mask` events (replaces any earlier registration of fd).
 * Returns 0, or -1 with errno set. */
int loop_watch(loop *l, int fd, unsigned mask, loop_file_proc *proc, void *data);
/* Change the events of a watched fd (no syscall if unchanged). */
int loop_set_mask(loop *l, int fd, unsigned mask);
unsigned loop_mask(const loop *l, int fd);
/* Stop watching fd (call before closing it). */
void loop_unwatch(loop *l, int fd);

void loop_timer_init(loop_timer *t, loop_timer_proc *proc, void *data);
/* Make room for ntimers armed at once, so that arming never allocates.
 * Returns 0, or -1 when out of memory. */
int loop_timer_reserve(loop *l, size_t ntimers);
/* Arm (or re-arm) t to fire once at monotonic time when_ms. */
void loop_timer_arm(loop *l, loop_timer *t, uint64_t when_ms);
void loop_timer_disarm(loop *l, loop_timer *t);
bool loop_timer_armed(const loop_timer *t);

/* Monotonic milliseconds, refreshed once per loop iteration. */
uint64_t loop_now(const loop *l);
uint64_t loop_clock_ms(void);

void loop_set_turn_proc(loop *l, loop_turn_proc *proc, void *data);

/* Run until loop_stop; returns 0, or -1 if epoll_wait failed. */
int loop_run(loop *l);
void loop_stop(loop *l);

#endif
