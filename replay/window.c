/* window.c — the --from/--to time window (see window.h). */
#include "window.h"

int64_t rr_window_bound(double v, int64_t first_ts)
{
    if (v >= RR_EPOCH_THRESHOLD)
        return (int64_t)(v * 1e6);
    return first_ts + (int64_t)(v * 1e6);
}

bool rr_window_contains(const rr_window *w, int64_t first_ts, int64_t ts)
{
    if (w->has_from && ts < rr_window_bound(w->from, first_ts))
        return false;
    if (w->has_to && ts > rr_window_bound(w->to, first_ts))
        return false;
    return true;
}

bool rr_window_inverted(const rr_window *w, int64_t first_ts)
{
    return w->has_from && w->has_to &&
           rr_window_bound(w->from, first_ts) > rr_window_bound(w->to, first_ts);
}
