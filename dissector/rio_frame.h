/* rio_frame.h — framing decisions shared by rio_frame.c and packet-rio.c. */
#ifndef RIO_FRAME_H
#define RIO_FRAME_H

#include "rio_int.h"

/* What the bytes at an offset are, given the direction's framing state. */
typedef enum {
    RIO_UNIT_PDU,           /* a header (and its data) to decode */
    RIO_UNIT_MALFORMED,     /* a 24-byte header that fails a check */
    RIO_UNIT_CONTINUATION,  /* mid-stream bytes before the first header */
    RIO_UNIT_UNFRAMED       /* bytes after a malformed header */
} rio_unit_t;

rio_unit_t rio_classify(packet_info *pinfo, tvbuff_t *tvb, int offset, const rio_call_t *call);
guint rio_continuation_length(tvbuff_t *tvb, int offset);
/* Where a continuation unit's bytes end and a carried PDU starts (the unit
 * length if it carries none). */
guint rio_continuation_split(tvbuff_t *unit);
guint rio_get_pdu_len(packet_info *pinfo, tvbuff_t *tvb, int offset, void *data);

#endif /* RIO_FRAME_H */
