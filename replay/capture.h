/* capture.h — reading a capture file (pcap or pcapng, a path or "-"),
 * selecting packets (BPF filter, time window) and feeding the tracker.
 *
 * The filter and the window select what the tracker sees; a tracker with a
 * numbering tracker (tracker.h) also gets every packet fed to that one
 * first, so that sessions keep the numbers they have without them. */
#ifndef RR_CAPTURE_H
#define RR_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <pcap/pcap.h>

#include "tracker.h"
#include "window.h"

typedef struct rr_capture_stats {
    uint64_t packets, tcp, other, short_headers, outside_window, filtered_out;
    uint64_t bytes;
    uint64_t clamped_ts;      /* packets whose timestamp was out of range */
} rr_capture_stats;

typedef struct rr_capture {
    pcap_t *pcap;
    const char *name;
    int dlt;
    rr_window window;
    struct bpf_program filter;
    bool filtered;            /* filter holds a compiled --filter */
    int64_t first_ts;
    long long size;           /* file size for progress, 0 if unknown */
    rr_capture_stats stats;
    bool truncated;           /* the file ended in the middle of a record */
} rr_capture;

/* Open path ("-" = standard input).  On failure returns false with a
 * one-line message in err. */
bool rr_capture_open(rr_capture *c, const char *path, char *err, size_t errlen);
/* Same on an open stream (the fuzzer's fmemopen); takes ownership of fp. */
bool rr_capture_open_stream(rr_capture *c, FILE *fp, const char *name, char *err, size_t errlen);
/* Compile a BPF filter (applied per packet: see above). */
bool rr_capture_set_filter(rr_capture *c, const char *expr, char *err, size_t errlen);
/* Read every packet into the tracker.  False on a read error (err says
 * which); what was read before it has been fed. */
bool rr_capture_run(rr_capture *c, rr_tracker *t, char *err, size_t errlen);
/* Read up to max packets into the tracker: 1 if there may be more, 0 at
 * the end of the file, -1 on a read error (err says which). */
int rr_capture_step(rr_capture *c, rr_tracker *t, unsigned max, char *err, size_t errlen);
void rr_capture_close(rr_capture *c);
/* "NAME: 42% (1234 packets)": progress so far (an rr_progress_fn). */
void rr_capture_describe(void *ctx, GString *g);

#endif
