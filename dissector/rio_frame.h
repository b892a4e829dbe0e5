/*
 * rio_frame.h — where RIO PDUs start and end in a TCP byte stream: librio's
 * header checks and resync rule applied to a direction, given its framing
 * state (rio_conv.h).
 */
#ifndef RIO_FRAME_H
#define RIO_FRAME_H

#include "rio_conv.h"

/* What the bytes at an offset are, given the direction's framing state. */
typedef enum {
    RIO_UNIT_PDU,           /* a header (and its data) to decode */
    RIO_UNIT_MALFORMED,     /* a 24-byte header that breaks a rule */
    RIO_UNIT_CONTINUATION,  /* mid-stream bytes before the first PDU */
    RIO_UNIT_UNFRAMED       /* bytes after a malformed header */
} rio_unit_t;

/* Preference rio.resync_after_error: look for the next PDU start after a
 * malformed header instead of leaving the rest of the direction unframed. */
extern rio_pref_bool rio_frame_resync_after_error;

/* The unit at offset.  For RIO_UNIT_PDU and RIO_UNIT_MALFORMED, *hdr holds
 * the decoded header (every field, even after the broken one) and *error
 * the first rule it breaks (RIO_OK for a PDU).  Needs the 24 bytes of a
 * header where one is expected (throws like any tvb access otherwise). */
rio_unit_t rio_classify(packet_info *pinfo, tvbuff_t *tvb, int offset, const rio_call_t *call,
                        rio_header *hdr, rio_error *error);

/* tcp_dissect_pdus's get_pdu_len: the length of the unit at offset. */
guint rio_get_pdu_len(packet_info *pinfo, tvbuff_t *tvb, int offset, void *data);

/* Where a continuation unit's own bytes end and a PDU it carries starts
 * (the unit's length if it carries none). */
guint rio_continuation_split(tvbuff_t *unit, const rio_call_t *call);

/* The heuristic's test, stricter than resync: does a segment starting
 * with these bytes look enough like RIO to claim the whole conversation?
 * A valid header of either direction naming a known MajorFunction. */
gboolean rio_claims_conversation(tvbuff_t *tvb);

#endif /* RIO_FRAME_H */
