/*
 * rio_frame.c — where RIO PDUs start and end in a TCP byte stream.
 *
 * tcp_dissect_pdus() asks rio_get_pdu_len() for the length of the unit at
 * an offset.  Every rule comes from librio: rio_header_decode() validates
 * a header in the brief's order, and rio_resync_at()/rio_resync_find()
 * (the direction's signature and a HeaderLength in 24..256, whatever the
 * other fields say: docs/PROTOCOL.md RIO-FRM-021) decide where a PDU can
 * start in bytes that cannot be framed otherwise.
 *
 * A direction is framed from its first byte when the capture holds the
 * connection's SYN.  Otherwise (capture started mid-stream) the bytes
 * before the first PDU start are a "continuation".  Once framed, a header
 * that breaks a rule is a malformed PDU of 24 bytes, and everything after
 * it in that direction is untrusted ("unframed"), as a server would drop
 * the connection; preference rio.resync_after_error looks for the next PDU
 * start instead.  A length over the 1 MiB limit never makes TCP wait for
 * that many bytes: such a header is malformed, a 24-byte unit of its own.
 */
#include <epan/packet.h>
#include <epan/dissectors/packet-tcp.h>

#include "rio_frame.h"
#include "rio_names.h"

rio_pref_bool rio_frame_resync_after_error = FALSE;

/* ---- The resync rule, for the kinds a direction may carry --------------- */

/* A direction carries one kind of PDU; until either direction has shown a
 * PDU, a start of either kind will do. */
static gboolean resync_at(const guint8 *p, guint len, const rio_call_t *call, rio_kind *kind)
{
    if (rio_direction_kind(call, kind))
        return rio_resync_at(p, len, *kind);
    *kind = RIO_REQUEST;
    if (rio_resync_at(p, len, RIO_REQUEST))
        return TRUE;
    *kind = RIO_RESPONSE;
    return rio_resync_at(p, len, RIO_RESPONSE);
}

static guint resync_find(const guint8 *p, guint len, const rio_call_t *call)
{
    rio_kind kind;
    guint req, rsp;

    if (rio_direction_kind(call, &kind))
        return (guint)rio_resync_find(p, len, kind);
    req = (guint)rio_resync_find(p, len, RIO_REQUEST);
    rsp = (guint)rio_resync_find(p, len, RIO_RESPONSE);
    return MIN(req, rsp);
}

/* The kind a framed direction's next header must have: known from the
 * first PDU of the connection; for the very first one, its signature, or
 * (a bad signature does not say) the direction's guess. */
static rio_kind framed_kind(packet_info *pinfo, const rio_call_t *call, const guint8 *p)
{
    rio_kind kind;

    if (rio_direction_kind(call, &kind) || rio_signature_kind(p, &kind))
        return kind;
    return rio_is_request_direction(pinfo, call) ? RIO_REQUEST : RIO_RESPONSE;
}

/* Length of a unit that starts with a header: a header that breaks a rule
 * is not trusted for a length, its unit is the fixed header alone. */
static guint pdu_length(const rio_header *h, rio_error error)
{
    if (error != RIO_OK)
        return RIO_HEADER_SIZE;
    return (guint)h->header_length + h->data_length;
}

/* ---- Classifying a unit ------------------------------------------------- */

static rio_unit_t decoded(const guint8 *p, rio_kind kind, rio_header *hdr, rio_error *error)
{
    *error = rio_header_decode(p, kind, hdr);
    return *error == RIO_OK ? RIO_UNIT_PDU : RIO_UNIT_MALFORMED;
}

rio_unit_t rio_classify(packet_info *pinfo, tvbuff_t *tvb, int offset, const rio_call_t *call,
                        rio_header *hdr, rio_error *error)
{
    rio_mode_t mode = rio_mode(pinfo, call);
    const guint8 *p;
    rio_kind kind;

    if (mode == RIO_MODE_SYNCED) {
        p = tvb_get_ptr(tvb, offset, RIO_HEADER_SIZE);
        return decoded(p, framed_kind(pinfo, call, p), hdr, error);
    }
    if (mode == RIO_MODE_DEAD && !rio_frame_resync_after_error)
        return RIO_UNIT_UNFRAMED;
    /* Hunting: a PDU starts here if the resync rule holds. */
    if (tvb_captured_length_remaining(tvb, offset) >= RIO_HEADER_SIZE) {
        p = tvb_get_ptr(tvb, offset, RIO_HEADER_SIZE);
        if (resync_at(p, RIO_HEADER_SIZE, call, &kind))
            return decoded(p, kind, hdr, error);
    }
    return mode == RIO_MODE_DEAD ? RIO_UNIT_UNFRAMED : RIO_UNIT_CONTINUATION;
}

/* ---- Units without a header --------------------------------------------- */

/* The length of a unit of skipped bytes at offset: up to the next place a
 * PDU can start.  tcp_dissect_pdus() rejects a unit shorter than the
 * 24-byte fixed part, so a shorter run of skipped bytes carries the PDU
 * that follows it (or asks for the 24 bytes that may hold its header). */
static guint skipped_unit_length(tvbuff_t *tvb, int offset, const rio_call_t *call)
{
    guint avail = (guint)tvb_captured_length_remaining(tvb, offset);
    const guint8 *p = tvb_get_ptr(tvb, offset, (gint)avail);
    guint skip = avail > 1 ? 1 + resync_find(p + 1, avail - 1, call) : avail;
    rio_header h;
    rio_error error;
    rio_kind kind;

    if (skip >= RIO_HEADER_SIZE)
        return skip;
    if (avail - skip < RIO_HEADER_SIZE)
        return skip + RIO_HEADER_SIZE;
    resync_at(p + skip, RIO_HEADER_SIZE, call, &kind);
    error = rio_header_decode(p + skip, kind, &h);
    return skip + pdu_length(&h, error);
}

guint rio_continuation_split(tvbuff_t *unit, const rio_call_t *call)
{
    guint len = tvb_captured_length(unit);
    guint p;
    rio_header h;
    rio_error error;
    rio_kind kind;

    for (p = 1; p < RIO_HEADER_SIZE && p + RIO_HEADER_SIZE <= len; p++) {
        const guint8 *q = tvb_get_ptr(unit, (gint)p, RIO_HEADER_SIZE);

        if (!resync_at(q, RIO_HEADER_SIZE, call, &kind))
            continue;
        error = rio_header_decode(q, kind, &h);
        if (p + pdu_length(&h, error) == tvb_reported_length(unit))
            return p;
    }
    return len;
}

guint rio_get_pdu_len(packet_info *pinfo, tvbuff_t *tvb, int offset, void *data)
{
    const rio_call_t *call = (const rio_call_t *)data;
    rio_header h;
    rio_error error;

    switch (rio_classify(pinfo, tvb, offset, call, &h, &error)) {
    case RIO_UNIT_PDU:
    case RIO_UNIT_MALFORMED:
        return pdu_length(&h, error);
    case RIO_UNIT_UNFRAMED:
        /* Untrusted to the end, unless told to look for the next header. */
        if (!rio_frame_resync_after_error)
            return (guint)tvb_captured_length_remaining(tvb, offset);
        return skipped_unit_length(tvb, offset, call);
    case RIO_UNIT_CONTINUATION:
    default:
        return skipped_unit_length(tvb, offset, call);
    }
}

/* ---- The heuristic ------------------------------------------------------ */

gboolean rio_claims_conversation(tvbuff_t *tvb)
{
    const guint8 *p;
    rio_header h;
    rio_kind kind;

    if (tvb_captured_length(tvb) < RIO_HEADER_SIZE)
        return FALSE;
    p = tvb_get_ptr(tvb, 0, RIO_HEADER_SIZE);
    return rio_signature_kind(p, &kind) && rio_header_decode(p, kind, &h) == RIO_OK &&
           rio_major_index(h.major) < rio_major_count();
}
