/*
 * rio_frame.c — where RIO PDUs start and end in a TCP byte stream.
 *
 * tcp_dissect_pdus() asks rio_get_pdu_len() for the length of the PDU at an
 * offset.  A sane header gives HeaderLength + DataLength.  Bytes that do not
 * start with a header are, before the first PDU of a direction (capture
 * started mid-stream), a "continuation" running up to the next sane header;
 * once framing is synchronised they are a malformed header of 24 bytes, and
 * everything after it in that direction is untrusted.  A length over the
 * 1 MiB limit never makes TCP wait for that many bytes: such a header is a
 * 24-byte PDU of its own.
 */
#include <string.h>

#include <epan/packet.h>
#include <epan/dissectors/packet-tcp.h>

#include "rio_int.h"
#include "rio_frame.h"

static const char *const check_reasons[] = {
    [RIO_HDR_OK] = NULL,
    [RIO_HDR_BAD_SIGNATURE] = "signature",
    [RIO_HDR_BAD_HEADER_LENGTH] = "header_length",
    [RIO_HDR_BAD_VERSION] = "version",
    [RIO_HDR_BAD_DATA_LENGTH] = "data_length",
    [RIO_HDR_BAD_OUTPUT_LENGTH] = "output_length",
};

const char *rio_hdr_check_reason(rio_hdr_check_t check)
{
    return check_reasons[check];
}

static gboolean signature_at(tvbuff_t *tvb, int offset, const char *sig)
{
    return tvb_memeql(tvb, offset, (const guint8 *)sig, RIO_SIGNATURE_SIZE) == 0;
}

gboolean rio_is_request(tvbuff_t *tvb, int offset)
{
    return signature_at(tvb, offset, RIO_SIGNATURE_REQUEST);
}

/* Checks in the order of docs/DESIGN.md: Signature, HeaderLength, Version,
 * data length, then OutputLength (requests only). Needs 24 captured bytes. */
rio_hdr_check_t rio_check_header(tvbuff_t *tvb, int offset)
{
    gboolean request = rio_is_request(tvb, offset);
    guint16 hl;

    if (!request && !signature_at(tvb, offset, RIO_SIGNATURE_RESPONSE))
        return RIO_HDR_BAD_SIGNATURE;
    hl = tvb_get_letohs(tvb, offset + RIO_OFF_HEADER_LENGTH);
    if (hl < RIO_HEADER_LENGTH_MIN || hl > RIO_HEADER_LENGTH_MAX)
        return RIO_HDR_BAD_HEADER_LENGTH;
    if (tvb_get_uint8(tvb, offset + RIO_OFF_VERSION) != RIO_VERSION)
        return RIO_HDR_BAD_VERSION;
    if (tvb_get_letohl(tvb, offset + RIO_OFF_DATA_LENGTH) > RIO_DATA_MAX)
        return RIO_HDR_BAD_DATA_LENGTH;
    if (request && tvb_get_letohl(tvb, offset + RIO_OFF_OUTPUT_LENGTH) > RIO_DATA_MAX)
        return RIO_HDR_BAD_OUTPUT_LENGTH;
    return RIO_HDR_OK;
}

/* A header good enough to start framing on without other evidence: valid,
 * and naming a major function this protocol knows. */
gboolean rio_header_is_sane(tvbuff_t *tvb, int offset)
{
    if (tvb_captured_length_remaining(tvb, offset) < RIO_HEADER_SIZE)
        return FALSE;
    if (rio_check_header(tvb, offset) != RIO_HDR_OK)
        return FALSE;
    return rio_major_index(tvb_get_uint8(tvb, offset + RIO_OFF_MAJOR)) < rio_major_count();
}

/* Could the bytes from offset to the end be the start of a sane header? */
static gboolean could_start_header(tvbuff_t *tvb, int offset)
{
    int avail = tvb_captured_length_remaining(tvb, offset);
    int n = MIN(avail, RIO_SIGNATURE_SIZE);

    if (avail >= RIO_HEADER_SIZE)
        return rio_header_is_sane(tvb, offset);
    return tvb_memeql(tvb, offset, (const guint8 *)RIO_SIGNATURE_REQUEST, n) == 0 ||
           tvb_memeql(tvb, offset, (const guint8 *)RIO_SIGNATURE_RESPONSE, n) == 0;
}

/* Bytes from offset up to the next place a header could start (or to the
 * end of the captured data): the length of a continuation. */
guint rio_continuation_length(tvbuff_t *tvb, int offset)
{
    int end = (int)tvb_captured_length(tvb);
    int pos = offset + 1;

    while (pos < end) {
        pos = tvb_find_uint8(tvb, pos, end - pos, RIO_SIGNATURE_REQUEST[0]);
        if (pos < 0)
            break;
        if (could_start_header(tvb, pos))
            return (guint)(pos - offset);
        pos++;
    }
    return (guint)(end - offset);
}

/* Length of a sane header's PDU: a length over the limit is not trusted,
 * the PDU is then the fixed header alone. */
static guint pdu_length(tvbuff_t *tvb, int offset)
{
    if (rio_check_header(tvb, offset) != RIO_HDR_OK)
        return RIO_HEADER_SIZE;
    return tvb_get_letohs(tvb, offset + RIO_OFF_HEADER_LENGTH) +
           tvb_get_letohl(tvb, offset + RIO_OFF_DATA_LENGTH);
}

rio_unit_t rio_classify(packet_info *pinfo, tvbuff_t *tvb, int offset, const rio_call_t *call)
{
    rio_mode_t mode = rio_mode(pinfo, call);

    if (mode == RIO_MODE_DEAD)
        return rio_resync_after_error && rio_header_is_sane(tvb, offset) ?
               RIO_UNIT_PDU : RIO_UNIT_UNFRAMED;
    if (mode == RIO_MODE_UNSYNCED)
        return rio_header_is_sane(tvb, offset) ? RIO_UNIT_PDU : RIO_UNIT_CONTINUATION;
    return rio_check_header(tvb, offset) == RIO_HDR_OK ? RIO_UNIT_PDU : RIO_UNIT_MALFORMED;
}

/* tcp_dissect_pdus() rejects a unit shorter than the 24-byte fixed part, so
 * a continuation shorter than that carries the header that follows it
 * (or asks for the 24 bytes that may hold one). */
static guint continuation_unit_length(tvbuff_t *tvb, int offset)
{
    guint skip = rio_continuation_length(tvb, offset);
    int next = offset + (int)skip;

    if (skip >= RIO_HEADER_SIZE)
        return skip;
    if (tvb_captured_length_remaining(tvb, next) < RIO_HEADER_SIZE)
        return skip + RIO_HEADER_SIZE;
    return skip + pdu_length(tvb, next);
}

guint rio_continuation_split(tvbuff_t *unit)
{
    int len = (int)tvb_captured_length(unit);
    int p;

    for (p = 1; p < RIO_HEADER_SIZE && p + RIO_HEADER_SIZE <= len; p++)
        if (rio_header_is_sane(unit, p) && p + (int)pdu_length(unit, p) == (int)tvb_reported_length(unit))
            return (guint)p;
    return (guint)len;
}

guint rio_get_pdu_len(packet_info *pinfo, tvbuff_t *tvb, int offset, void *data)
{
    const rio_call_t *call = (const rio_call_t *)data;

    switch (rio_classify(pinfo, tvb, offset, call)) {
    case RIO_UNIT_PDU:
        return pdu_length(tvb, offset);
    case RIO_UNIT_MALFORMED:
        return RIO_HEADER_SIZE;
    case RIO_UNIT_UNFRAMED:
        /* Untrusted to the end, unless told to look for the next header. */
        if (!rio_resync_after_error)
            return tvb_captured_length_remaining(tvb, offset);
        return continuation_unit_length(tvb, offset);
    case RIO_UNIT_CONTINUATION:
    default:
        return continuation_unit_length(tvb, offset);
    }
}
