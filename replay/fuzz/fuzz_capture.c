/* fuzz_capture.c — libFuzzer entry: the input is a capture file (pcap or
 * pcapng) read from memory, through decode, reassembly, framing and session
 * building, with both sinks' work done (bytes kept and data hashed) and a
 * small reorder caps (bytes and pieces) so gaps are declared often, few
 * streams so that dropping the idlest happens too, and a numbering tracker
 * (as --filter has) so that sessions take their numbers from it. */
#include <stdint.h>
#include <stdio.h>

#include "capture.h"
#include "records.h"
#include "txnstate.h"
#include "tracker.h"

#define FUZZ_REORDER_CAP 4096
#define FUZZ_REORDER_SEGMENTS 64
#define FUZZ_MAX_STREAMS 8

static void on_txn(void *ctx, rr_session *s, rr_txn *t)
{
    GString *g = ctx;
    rr_txn_json(g, s, t); /* walks every recorded field */
    rr_incomplete_text(g, t);
    g_string_truncate(g, 0);
    rr_txn_free(t);
}

static void on_finished(void *ctx, rr_session *s)
{
    GString *g = ctx;
    rr_session_text(g, s);
    g_string_truncate(g, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *fp = fmemopen((void *)data, size, "rb");
    if (!fp)
        return 0;
    char err[512];
    rr_capture cap;
    if (!rr_capture_open_stream(&cap, fp, "fuzz", err, sizeof err))
        return 0;
    GString *g = g_string_new(NULL);
    rr_sink sink = {.keep_bytes = true, .hash = true, .txn = on_txn, .finished = on_finished, .ctx = g};
    rr_tracker t;
    rr_tracker_init(&t, &sink, (rr_reasm_caps){FUZZ_REORDER_CAP, FUZZ_REORDER_SEGMENTS},
                    FUZZ_MAX_STREAMS);
    rr_tracker_keep_numbers(&t);
    rr_capture_run(&cap, &t, err, sizeof err);
    rr_tracker_finish(&t);
    rr_tracker_free(&t);
    rr_capture_close(&cap);
    g_string_free(g, TRUE);
    return 0;
}
