/* window.h — the --from/--to time window. */
#ifndef RR_WINDOW_H
#define RR_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

/* A bound of 1e9 s or more is an epoch time; smaller ones count from the
 * capture's first packet. */
#define RR_EPOCH_THRESHOLD 1e9

typedef struct rr_window {
    double from, to;          /* seconds */
    bool has_from, has_to;
} rr_window;

/* A bound in microseconds, given the capture's first timestamp. */
int64_t rr_window_bound(double v, int64_t first_ts);
/* Does the window hold a packet at ts? */
bool rr_window_contains(const rr_window *w, int64_t first_ts, int64_t ts);
/* --from lies after --to (known at once when both are relative or both are
 * epoch times; else once the first timestamp is). */
bool rr_window_inverted(const rr_window *w, int64_t first_ts);

#endif
