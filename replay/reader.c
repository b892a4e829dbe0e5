/* reader.c — capture + tracker for one command (see reader.h). */
#include <string.h>

#include "console.h"
#include "reader.h"
#include "tracker.h"

bool rr_reader_open(rr_reader *r, const rr_options *o, const rr_sink *sink)
{
    char err[512];
    memset(r, 0, sizeof *r);
    if (!rr_capture_open(&r->cap, o->capture, err, sizeof err) ||
        (o->filter && !rr_capture_set_filter(&r->cap, o->filter, err, sizeof err))) {
        rr_error("%s", err);
        rr_capture_close(&r->cap);
        return false;
    }
    r->res.opened = true;
    r->cap.window = o->window;
    rr_progress_source(rr_capture_describe, &r->cap);
    rr_tracker_init(&r->tracker, sink,
                    (rr_reasm_caps){(size_t)o->reorder_cap, (size_t)o->reorder_segments},
                    (size_t)o->max_streams);
    /* A selection must not renumber the sessions (see tracker.h). */
    if (o->filter || o->window.has_from || o->window.has_to)
        rr_tracker_keep_numbers(&r->tracker);
    return true;
}

bool rr_reader_step(rr_reader *r, unsigned packets)
{
    if (r->done)
        return false;
    char err[512];
    int rc = rr_capture_step(&r->cap, &r->tracker, packets, err, sizeof err);
    if (rc == 1)
        return true;
    if (rc < 0) {
        rr_error("%s", err);
        r->res.read_error = true;
    }
    rr_tracker_finish(&r->tracker);
    r->res.stats = r->cap.stats;
    r->res.dropped_streams = r->tracker.dropped;
    if (r->tracker.dropped)
        rr_error("warning: %s: more than %zu connections open at once: the %llu idle the longest "
                 "were dropped unfinished (raise --max-streams)", r->cap.name,
                 r->tracker.max_streams, (unsigned long long)r->tracker.dropped);
    if (r->cap.stats.clamped_ts)
        rr_error("warning: %s: %llu packets have a timestamp outside years 0..9999 (clamped to "
                 "the nearest bound)", r->cap.name, (unsigned long long)r->cap.stats.clamped_ts);
    r->done = true;
    return false;
}

void rr_reader_close(rr_reader *r)
{
    rr_progress_source(NULL, NULL);
    if (r->res.opened)
        rr_tracker_free(&r->tracker);
    rr_capture_close(&r->cap);
}

rr_input_result rr_read_capture(const rr_options *o, const rr_sink *sink)
{
    rr_reader r;
    if (rr_reader_open(&r, o, sink))
        while (rr_reader_step(&r, 4096))
            ;
    rr_input_result res = r.res;
    rr_reader_close(&r);
    return res;
}
