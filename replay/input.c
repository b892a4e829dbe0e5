/* input.c — capture + tracker for one command (see input.h). */
#include <stdarg.h>
#include <stdio.h>

#include "input.h"
#include "tracker.h"

void rr_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("rio-replay: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

rr_input_result rr_read_capture(const rr_options *o, const rr_sink *sink)
{
    rr_input_result res = {0};
    char err[512];
    rr_capture cap;
    if (!rr_capture_open(&cap, o->capture, err, sizeof err) ||
        (o->filter && !rr_capture_set_filter(&cap, o->filter, err, sizeof err))) {
        rr_error("%s", err);
        rr_capture_close(&cap);
        return res;
    }
    res.opened = true;
    cap.window = o->window;
    rr_tracker tracker;
    rr_tracker_init(&tracker, sink, (size_t)o->reorder_cap);
    if (!rr_capture_run(&cap, &tracker, err, sizeof err)) {
        rr_error("%s", err);
        res.read_error = true;
    }
    rr_tracker_finish(&tracker);
    rr_tracker_free(&tracker);
    res.stats = cap.stats;
    rr_capture_close(&cap);
    return res;
}
