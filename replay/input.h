/* input.h — read the capture named on the command line through a sink,
 * with the user's filter and time window. */
#ifndef RR_INPUT_H
#define RR_INPUT_H

#include "capture.h"
#include "options.h"
#include "session.h"

typedef struct rr_input_result {
    rr_capture_stats stats;
    bool opened;      /* false: nothing could be read (message printed) */
    bool read_error;  /* the file broke off (message printed); what came before was read */
} rr_input_result;

rr_input_result rr_read_capture(const rr_options *o, const rr_sink *sink);

/* "rio-replay: ..." on stderr, one line. */
void rr_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

#endif
