/*
 * rio_conv.c — per-conversation state: framing mode of each direction and
 * request/response matching.
 *
 * Everything stored in the conversation is written on the first pass only
 * (!PINFO_FD_VISITED).  The analysis of each PDU is kept per frame, keyed by
 * the PDU's ordinal within the frame, so that later passes (tshark -2, the
 * GUI) show exactly what the first pass found.
 */
#include <string.h>

#include <epan/packet.h>
#include <epan/conversation.h>
#include <epan/proto_data.h>
#include <epan/dissectors/packet-tcp.h>

#include "rio_conv.h"

static int proto_rio_conv = -1;

/* Packet-scope proto data keys (live for one dissection of a frame). */
enum { KEY_PACKET_STATE = 0 };
/* File-scope keys: KEY_PDU_BASE + ordinal of the PDU in its frame. */
#define KEY_PDU_BASE 16

/* Framing facts learnt while dissecting the current frame, so that the
 * PDUs after the first (or after a malformed one) in the same frame see
 * them on every pass. */
typedef struct rio_packet_state {
    gboolean synced[2];
    gboolean dead[2];
    guint32 pdu_count;
} rio_packet_state_t;

static void conv_cache_clear(void);

void rio_conv_init(int proto)
{
    proto_rio_conv = proto;
    register_cleanup_routine(conv_cache_clear);
}

static rio_packet_state_t *packet_state(packet_info *pinfo)
{
    rio_packet_state_t *st = (rio_packet_state_t *)p_get_proto_data(pinfo->pool, pinfo, proto_rio_conv, KEY_PACKET_STATE);

    if (!st) {
        st = wmem_new0(pinfo->pool, rio_packet_state_t);
        p_add_proto_data(pinfo->pool, pinfo, proto_rio_conv, KEY_PACKET_STATE, st);
    }
    return st;
}

/* Bit 0 of TCP's conversation completeness (the tcp.completeness field):
 * the SYN was captured.  A Wireshark value, not a RIO one. */
#define TCP_COMPLETENESS_SYN_SEEN 0x01

/* Did the capture see this connection open?  Then both directions are
 * framed from their first byte, as a server frames them. */
static gboolean syn_captured(packet_info *pinfo, conversation_t *conv)
{
    struct tcp_analysis *tcpd = get_tcp_conversation_data(conv, pinfo);

    return tcpd && (tcpd->conversation_completeness & TCP_COMPLETENESS_SYN_SEEN);
}

static rio_conv_t *conv_data(packet_info *pinfo)
{
    conversation_t *conv = find_or_create_conversation(pinfo);
    rio_conv_t *rc = (rio_conv_t *)conversation_get_proto_data(conv, proto_rio_conv);

    if (!rc) {
        rc = wmem_new0(wmem_file_scope(), rio_conv_t);
        copy_address_wmem(wmem_file_scope(), &rc->addr0, &pinfo->src);
        copy_address_wmem(wmem_file_scope(), &rc->addr1, &pinfo->dst);
        rc->port0 = pinfo->srcport;
        rc->port1 = pinfo->destport;
        rc->outstanding = wmem_list_new(wmem_file_scope());
        rc->by_seq = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
        rc->request_dir = -1;
        rc->start_captured = syn_captured(pinfo, conv);
        conversation_add_proto_data(conv, proto_rio_conv, rc);
    }
    return rc;
}

/* ---- Finding the conversation ------------------------------------------
 *
 * Looking the conversation up costs as much as dissecting a PDU.  Most
 * segments continue their direction exactly where its previous segment
 * ended, so a small cache (by ports) of recent conversations answers
 * them: a hit needs the same endpoints and a TCP sequence number equal to
 * the end of that direction's last segment, which a new connection on the
 * same ports does not have.  Anything else (a retransmission, another
 * pass in random order) is looked up.
 */
#define CONV_CACHE_SIZE 64
static rio_conv_t *conv_cache[CONV_CACHE_SIZE];

static void conv_cache_clear(void)
{
    memset(conv_cache, 0, sizeof conv_cache);
}

static rio_conv_t **cache_slot(packet_info *pinfo)
{
    return &conv_cache[(pinfo->srcport ^ pinfo->destport) % CONV_CACHE_SIZE];
}

static int direction_of(packet_info *pinfo, const rio_conv_t *rc)
{
    if (pinfo->srcport == rc->port0 && pinfo->destport == rc->port1 &&
        addresses_equal(&pinfo->src, &rc->addr0) && addresses_equal(&pinfo->dst, &rc->addr1))
        return 0;
    if (pinfo->srcport == rc->port1 && pinfo->destport == rc->port0 &&
        addresses_equal(&pinfo->src, &rc->addr1) && addresses_equal(&pinfo->dst, &rc->addr0))
        return 1;
    return -1;
}

void rio_call_init(rio_call_t *call, packet_info *pinfo, const struct tcpinfo *tcp)
{
    rio_conv_t *rc = *cache_slot(pinfo);
    int dir = rc ? direction_of(pinfo, rc) : -1;

    if (!tcp || dir < 0 || !rc->tcp_seq_known[dir] || rc->next_tcp_seq[dir] != tcp->seq) {
        rc = conv_data(pinfo);
        dir = (addresses_equal(&pinfo->src, &rc->addr0) && pinfo->srcport == rc->port0) ? 0 : 1;
    }
    call->conv = rc;
    call->dir = dir;
    call->packet = packet_state(pinfo);
}

void rio_call_done(const rio_call_t *call, packet_info *pinfo, const struct tcpinfo *tcp)
{
    if (!tcp)
        return;
    call->conv->next_tcp_seq[call->dir] = tcp->nxtseq;
    call->conv->tcp_seq_known[call->dir] = TRUE;
    *cache_slot(pinfo) = call->conv;
}

rio_mode_t rio_mode(packet_info *pinfo, const rio_call_t *call)
{
    const rio_packet_state_t *st = call->packet;
    const rio_dir_state_t *d = &call->conv->dir[call->dir];

    if (st->dead[call->dir] || (d->dead_frame && pinfo->num > d->dead_frame))
        return RIO_MODE_DEAD;
    if (st->synced[call->dir] || (d->first_pdu_frame && pinfo->num > d->first_pdu_frame) ||
        call->conv->start_captured)
        return RIO_MODE_SYNCED;
    return RIO_MODE_UNSYNCED;
}

gboolean rio_direction_kind(const rio_call_t *call, rio_kind *kind)
{
    if (call->conv->request_dir < 0)
        return FALSE;
    *kind = call->conv->request_dir == call->dir ? RIO_REQUEST : RIO_RESPONSE;
    return TRUE;
}

static gboolean rio_port(guint32 port)
{
    return port >= RIO_BASE_PORT && port <= RIO_PORT_RANGE_LAST;
}

/* Before the first PDU the server is the end on a RIO port, or else the
 * one with the lower port (as rio-replay guesses). */
gboolean rio_is_request_direction(packet_info *pinfo, const rio_call_t *call)
{
    rio_kind kind;

    if (rio_direction_kind(call, &kind))
        return kind == RIO_REQUEST;
    if (rio_port(pinfo->destport) != rio_port(pinfo->srcport))
        return rio_port(pinfo->destport);
    return pinfo->destport < pinfo->srcport;
}

void rio_mark_synced(packet_info *pinfo, const rio_call_t *call, rio_kind kind)
{
    rio_dir_state_t *d = &call->conv->dir[call->dir];

    call->packet->synced[call->dir] = TRUE;
    if (PINFO_FD_VISITED(pinfo))
        return;
    if (!d->first_pdu_frame)
        d->first_pdu_frame = pinfo->num;
    if (call->conv->request_dir < 0)
        call->conv->request_dir = kind == RIO_REQUEST ? call->dir : 1 - call->dir;
}

void rio_mark_dead(packet_info *pinfo, const rio_call_t *call)
{
    rio_dir_state_t *d = &call->conv->dir[call->dir];

    call->packet->dead[call->dir] = TRUE;
    if (!PINFO_FD_VISITED(pinfo) && !d->dead_frame)
        d->dead_frame = pinfo->num;
}

void rio_mark_skipped(packet_info *pinfo, const rio_call_t *call)
{
    if (!PINFO_FD_VISITED(pinfo) && rio_mode(pinfo, call) == RIO_MODE_UNSYNCED)
        call->conv->dir[call->dir].midstream = TRUE;
}

static rio_trans_t *new_transaction(packet_info *pinfo, const rio_header *hdr)
{
    rio_trans_t *t = wmem_new0(wmem_file_scope(), rio_trans_t);

    t->req_frame = pinfo->num;
    t->req_time = pinfo->abs_ts;
    t->seq = hdr->sequence;
    t->major = hdr->major;
    t->ioctl = hdr->major == RIO_MJ_DEVICE_CONTROL ? hdr->ioctl : 0;
    t->output_length = hdr->output_length;
    return t;
}

/* Did the capture see this connection open?  If not, its first request
 * may well have been sent before the capture started. */
static gboolean connection_start_captured(const rio_call_t *call)
{
    return call->conv->start_captured && !call->conv->dir[call->dir].midstream;
}

/* ---- Outstanding requests ----------------------------------------------
 *
 * Requests without a response are kept oldest first (answers come in FIFO
 * order) and indexed by Sequence, so that matching a response costs the
 * same whether or not its Sequence is outstanding: a capture of pipelined
 * requests answered with unknown Sequences stays linear.  Requests that
 * share a Sequence are chained oldest first behind one map entry.
 */

/* The outstanding requests of one Sequence, oldest first. */
typedef struct {
    rio_trans_t *head;
    rio_trans_t *tail;
} seq_chain_t;

static void outstanding_push(rio_conv_t *rc, rio_trans_t *t)
{
    seq_chain_t *c = (seq_chain_t *)wmem_map_lookup(rc->by_seq, GUINT_TO_POINTER(t->seq));

    wmem_list_append(rc->outstanding, t);
    if (c) {
        c->tail->next_same_seq = t;
        c->tail = t;
        return;
    }
    c = wmem_new(wmem_file_scope(), seq_chain_t);
    c->head = c->tail = t;
    wmem_map_insert(rc->by_seq, GUINT_TO_POINTER(t->seq), c);
}

static rio_trans_t *outstanding_oldest(rio_conv_t *rc)
{
    wmem_list_frame_t *f = wmem_list_head(rc->outstanding);

    return f ? (rio_trans_t *)wmem_list_frame_data(f) : NULL;
}

/* The oldest outstanding request with this Sequence, or NULL. */
static rio_trans_t *outstanding_find(rio_conv_t *rc, guint32 seq)
{
    seq_chain_t *c = (seq_chain_t *)wmem_map_lookup(rc->by_seq, GUINT_TO_POINTER(seq));

    return c ? c->head : NULL;
}

/* Drop the oldest outstanding request (there is one) and return it.  The
 * oldest of all is also the oldest of its Sequence: the head of its chain. */
static rio_trans_t *outstanding_pop(rio_conv_t *rc)
{
    rio_trans_t *t = outstanding_oldest(rc);
    seq_chain_t *c = (seq_chain_t *)wmem_map_lookup(rc->by_seq, GUINT_TO_POINTER(t->seq));

    wmem_list_remove_frame(rc->outstanding, wmem_list_head(rc->outstanding));
    c->head = t->next_same_seq;
    t->next_same_seq = NULL;
    if (!c->head) {
        wmem_map_remove(rc->by_seq, GUINT_TO_POINTER(t->seq));
        wmem_free(wmem_file_scope(), c);
    }
    return t;
}

/* ---- Analysis of one PDU ------------------------------------------------ */

/* Serialized I/O: one request at a time, Sequence +1 each, CREATE first. */
static void analyse_request(packet_info *pinfo, const rio_call_t *call, const rio_header *hdr, rio_pdu_info_t *info)
{
    rio_conv_t *rc = call->conv;

    if (!rc->seen_request && hdr->major != RIO_MJ_CREATE && connection_start_captured(call))
        info->flags |= RIO_PF_FIRST_NOT_CREATE;
    if (rc->seen_request && hdr->sequence != (guint32)(rc->last_request_seq + 1))
        info->flags |= RIO_PF_SEQ_NOT_INCREMENTED;
    if (wmem_list_count(rc->outstanding) > 0)
        info->flags |= RIO_PF_REQUEST_OUTSTANDING;
    rc->seen_request = TRUE;
    rc->last_request_seq = hdr->sequence;
    info->trans = new_transaction(pinfo, hdr);
    outstanding_push(rc, info->trans);
}

/* A response answers the oldest outstanding request with its Sequence; the
 * requests before that one are taken as answered out of sight (FIFO).  A
 * response whose Sequence is not outstanding uses up the oldest request. */
static void analyse_response(packet_info *pinfo, rio_conv_t *rc, const rio_header *hdr, rio_pdu_info_t *info)
{
    rio_trans_t *oldest = outstanding_oldest(rc);
    rio_trans_t *t;

    if (!oldest) {
        info->flags |= RIO_PF_UNMATCHED_RESPONSE;
        return;
    }
    t = outstanding_find(rc, hdr->sequence);
    if (t != oldest)
        info->flags |= RIO_PF_SEQ_MISMATCH;
    if (!t) {
        outstanding_pop(rc);
        return;
    }
    while (outstanding_pop(rc) != t)
        ;
    t->rep_frame = pinfo->num;
    info->trans = t;
    if (t->major != hdr->major)
        info->flags |= RIO_PF_MAJOR_MISMATCH;
    if (hdr->data_length > t->output_length)
        info->flags |= RIO_PF_RESPONSE_TOO_LONG;
}

rio_pdu_info_t *rio_analyse_pdu(packet_info *pinfo, const rio_call_t *call, const rio_header *hdr)
{
    guint32 key = KEY_PDU_BASE + call->packet->pdu_count++;
    rio_pdu_info_t *info;

    if (PINFO_FD_VISITED(pinfo)) {
        info = (rio_pdu_info_t *)p_get_proto_data(wmem_file_scope(), pinfo, proto_rio_conv, key);
        if (info)
            return info;
        /* Not seen on the first pass (e.g. reassembly differed): analyse
         * nothing, show the PDU as it is. */
        return wmem_new0(pinfo->pool, rio_pdu_info_t);
    }
    info = wmem_new0(wmem_file_scope(), rio_pdu_info_t);
    if (hdr->kind == RIO_REQUEST)
        analyse_request(pinfo, call, hdr, info);
    else
        analyse_response(pinfo, call->conv, hdr, info);
    p_add_proto_data(wmem_file_scope(), pinfo, proto_rio_conv, key, info);
    return info;
}
