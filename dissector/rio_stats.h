/* rio_stats.h — statistics from the "rio" tap (-z rio,srt and -z rio,tree). */
#ifndef RIO_STATS_H
#define RIO_STATS_H

#include "rio_conv.h"

/* Queued once per PDU on the "rio" tap. */
typedef struct rio_tap {
    const rio_header *hdr;
    const rio_trans_t *trans;  /* matched transaction or NULL */
} rio_tap_t;

void rio_stats_register(int proto);

#endif /* RIO_STATS_H */
