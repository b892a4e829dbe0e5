/* Unit tests of the epoll loop: timer order, re-arm, disarm, file events.
 * Every loop_run is bounded: a guard timer stops the loop and fails the
 * test when the awaited event never fires (no test can hang). */
#include <unistd.h>

#include "check.h"
#include "loop.h"

#define GUARD_MS 5000 /* far beyond any event awaited here */

static bool guard_fired;

static void guard(loop *l, void *data)
{
    (void)data;
    guard_fired = true;
    loop_stop(l);
}

/* Run l until a callback stops it; false (and a failed check) when the
 * guard had to stop it instead. */
static bool run_bounded(loop *l)
{
    loop_timer g;
    loop_timer_init(&g, guard, NULL);
    loop_timer_arm(l, &g, loop_now(l) + GUARD_MS);
    guard_fired = false;
    CHECK_EQ(loop_run(l), 0);
    loop_timer_disarm(l, &g);
    if (guard_fired)
        fprintf(stderr, "test_loop: the awaited event did not fire within %d ms\n", GUARD_MS);
    CHECK(!guard_fired);
    return !guard_fired;
}

static int fired[16];
static int nfired;

static void note(loop *l, void *data)
{
    (void)l;
    fired[nfired++] = (int)(long)data;
}

static void stop_after(loop *l, void *data)
{
    note(l, data);
    loop_stop(l);
}

static void test_timer_order(void)
{
    loop *l = loop_new();
    loop_timer t[6];
    uint64_t now = loop_now(l);
    int order[6] = {5, 1, 4, 2, 3, 6};
    for (int i = 0; i < 6; i++)
        loop_timer_init(&t[i], order[i] == 6 ? stop_after : note, (void *)(long)order[i]);
    for (int i = 0; i < 6; i++)
        loop_timer_arm(l, &t[i], now + 5 * (uint64_t)order[i]);
    loop_timer_arm(l, &t[0], now + 1); /* re-arm earlier: "5" fires first */
    loop_timer_disarm(l, &t[2]);       /* "4" never fires */
    CHECK(!loop_timer_armed(&t[2]));
    nfired = 0;
    run_bounded(l);
    int want[] = {5, 1, 2, 3, 6};
    CHECK_EQ(nfired, 5);
    for (int i = 0; i < 5 && i < nfired; i++)
        CHECK_EQ(fired[i], want[i]);
    loop_free(l);
}

static int reads;

static void on_read(loop *l, int fd, void *data, unsigned mask)
{
    (void)data;
    char c;
    CHECK(mask & LOOP_READABLE);
    CHECK_EQ(read(fd, &c, 1), 1);
    reads++;
    loop_unwatch(l, fd);
    loop_stop(l);
}

static void test_file_event(void)
{
    loop *l = loop_new();
    int p[2];
    CHECK_EQ(pipe(p), 0);
    CHECK_EQ(loop_watch(l, p[0], LOOP_READABLE, on_read, NULL), 0);
    CHECK_EQ(write(p[1], "x", 1), 1);
    reads = 0;
    run_bounded(l);
    CHECK_EQ(reads, 1);
    CHECK_EQ(loop_mask(l, p[0]), 0);
    close(p[0]);
    close(p[1]);
    loop_free(l);
}

/* The guard itself: a loop waiting for an event that never comes ends with
 * a failure report instead of hanging (checked without counting it as a
 * failure of this test). */
static void test_guard_stops_a_silent_loop(void)
{
    loop *l = loop_new();
    int p[2];
    CHECK_EQ(pipe(p), 0);
    CHECK_EQ(loop_watch(l, p[0], LOOP_READABLE, on_read, NULL), 0); /* nothing is ever written */
    loop_timer g;
    loop_timer_init(&g, guard, NULL);
    loop_timer_arm(l, &g, loop_now(l) + 20);
    guard_fired = false;
    CHECK_EQ(loop_run(l), 0);
    CHECK(guard_fired);
    loop_unwatch(l, p[0]);
    close(p[0]);
    close(p[1]);
    loop_free(l);
}

int main(void)
{
    test_timer_order();
    test_file_event();
    test_guard_stops_a_silent_loop();
    return check_report("test_loop");
}
