/*
 * rio_int.h — shared between the files of the RIO core (not for device
 * decoders: they only need packet-rio.h).
 *
 *   packet-rio.c   registration, fields, dissection of one PDU
 *   rio_frame.c    header checks, PDU length, mid-stream resynchronisation
 *   rio_conv.c     per-conversation state and request/response matching
 *   rio_stats.c    service response time table and statistics tree
 */
#ifndef RIO_INT_H
#define RIO_INT_H

#include <epan/packet.h>
#include <rio/rio.h>

#include "rio_compat.h"
#include "packet-rio.h"

/* ---- Header checks (rio_frame.c) ---------------------------------------- */

/* Result of checking a fixed header, in the order a server checks it. */
typedef enum {
    RIO_HDR_OK,
    RIO_HDR_BAD_SIGNATURE,
    RIO_HDR_BAD_HEADER_LENGTH,
    RIO_HDR_BAD_VERSION,
    RIO_HDR_BAD_DATA_LENGTH,
    RIO_HDR_BAD_OUTPUT_LENGTH
} rio_hdr_check_t;

gboolean rio_is_request(tvbuff_t *tvb, int offset);
rio_hdr_check_t rio_check_header(tvbuff_t *tvb, int offset);
gboolean rio_header_is_sane(tvbuff_t *tvb, int offset);
const char *rio_hdr_check_reason(rio_hdr_check_t check);

/* ---- Per-conversation state (rio_conv.c) -------------------------------- */

/* One request and (once seen) its response. */
typedef struct rio_trans {
    guint32 req_frame;
    guint32 rep_frame;
    nstime_t req_time;
    guint32 seq;
    guint32 ioctl;
    guint32 output_length;
    guint8 major;
    struct rio_trans *next_same_seq;  /* next outstanding request with this Sequence */
} rio_trans_t;

/* Framing state of one direction: frame numbers, written on the first pass
 * only, so that every later dissection frames the stream the same way. */
typedef struct rio_dir_state {
    guint32 first_pdu_frame;  /* first frame holding a sane PDU (0: none yet) */
    guint32 dead_frame;       /* frame holding the first malformed header */
    gboolean midstream;       /* bytes were skipped before the first PDU */
} rio_dir_state_t;

typedef struct rio_conv {
    address addr0;            /* source of the first packet: direction 0 */
    guint32 port0;
    rio_dir_state_t dir[2];
    wmem_list_t *outstanding; /* requests without a response, oldest first */
    wmem_map_t *by_seq;       /* Sequence -> its outstanding requests (rio_conv.c) */
    int request_dir;          /* direction of the requests, -1 until known */
    gboolean seen_request;
    guint32 last_request_seq;
} rio_conv_t;

/* How a direction frames bytes at the current point of the stream. */
typedef enum {
    RIO_MODE_UNSYNCED,  /* no PDU seen yet: skip to the first sane header */
    RIO_MODE_SYNCED,    /* PDU boundaries known: a bad header is an error */
    RIO_MODE_DEAD       /* after a malformed header: stream not trusted */
} rio_mode_t;

/* Analysis findings on one PDU (bit flags). */
enum {
    RIO_PF_FIRST_NOT_CREATE = 1u << 0,
    RIO_PF_SEQ_NOT_INCREMENTED = 1u << 1,
    RIO_PF_REQUEST_OUTSTANDING = 1u << 2,
    RIO_PF_UNMATCHED_RESPONSE = 1u << 3,
    RIO_PF_SEQ_MISMATCH = 1u << 4,
    RIO_PF_MAJOR_MISMATCH = 1u << 5,
    RIO_PF_RESPONSE_TOO_LONG = 1u << 6
};

typedef struct rio_pdu_info {
    rio_trans_t *trans;       /* matching transaction, NULL if none */
    guint32 flags;            /* RIO_PF_* */
} rio_pdu_info_t;

/* The fixed header, decoded. */
typedef struct rio_header {
    gboolean is_request;
    guint8 major;
    guint16 header_length;
    guint32 seq;
    guint32 word12;           /* IoControlCode or Status */
    guint32 word16;           /* OutputLength or Information */
    guint32 data_length;
} rio_header_t;

/* Context of one call of the TCP dissector, shared by get_pdu_len and the
 * PDU dissector through tcp_dissect_pdus's data pointer. */
typedef struct rio_call {
    rio_conv_t *conv;
    int dir;
} rio_call_t;

void rio_conv_init(int proto);
rio_call_t *rio_call_new(packet_info *pinfo);
rio_mode_t rio_mode(packet_info *pinfo, const rio_call_t *call);
void rio_mark_synced(packet_info *pinfo, const rio_call_t *call, gboolean is_request);
gboolean rio_is_request_direction(packet_info *pinfo, const rio_call_t *call);
void rio_mark_dead(packet_info *pinfo, const rio_call_t *call);
void rio_mark_skipped(packet_info *pinfo, const rio_call_t *call);
rio_pdu_info_t *rio_analyse_pdu(packet_info *pinfo, const rio_call_t *call, const rio_header_t *hdr);

/* Preferences (packet-rio.c). */
extern rio_pref_bool rio_resync_after_error;

/* ---- Taps (rio_stats.c) ------------------------------------------------- */

/* Queued once per PDU on the "rio" tap. */
typedef struct rio_tap {
    const rio_header_t *hdr;
    const rio_trans_t *trans;  /* matched transaction or NULL */
} rio_tap_t;

void rio_stats_register(int proto);

/* Index of a major function in RIO_MAJOR_TABLE, or rio_major_count() for
 * a code the table does not know. */
guint rio_major_index(guint32 major);
guint rio_major_count(void);
extern const value_string rio_major_vals[];
extern const value_string rio_status_vals[];

#endif /* RIO_INT_H */
