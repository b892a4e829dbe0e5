/* reader.h — read the capture named on the command line through a sink,
 * with the user's filter and time window. */
#ifndef RR_READER_H
#define RR_READER_H

#include "capture.h"
#include "console.h"
#include "replayopts.h"
#include "txnstate.h"

typedef struct rr_input_result {
    rr_capture_stats stats;
    bool opened;      /* false: nothing could be read (message printed) */
    bool read_error;  /* the file broke off (message printed); what came before was read */
    uint64_t dropped_streams; /* connections dropped over --max-streams (warning printed) */
} rr_input_result;

rr_input_result rr_read_capture(const rr_options *o, const rr_sink *sink);

/* The same, a few packets at a time (a replay reads while it runs). */
typedef struct rr_reader {
    rr_capture cap;
    rr_tracker tracker;
    rr_input_result res;
    bool done;        /* the whole file has been read and every session finished */
} rr_reader;

/* False if the capture cannot be read (message printed). */
bool rr_reader_open(rr_reader *r, const rr_options *o, const rr_sink *sink);
/* Feed up to `packets` packets; at the end of the file finish every open
 * session.  Returns !r->done. */
bool rr_reader_step(rr_reader *r, unsigned packets);
void rr_reader_close(rr_reader *r);

#endif
