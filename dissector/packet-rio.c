/*
 * packet-rio.c — Wireshark dissector for RIO/1, the Remote I/O protocol
 * (IRPs of a WDM driver carried over one TCP connection).
 *
 * Every constant and name comes from rio/rio.h, every framing rule from
 * librio (rio/librio.h).  Framing lives in rio_frame.c, conversation
 * state in rio_conv.c, statistics in rio_stats.c, device payloads in the
 * device descriptions (rio_device.c) or in decoders registered in the
 * "rio.ioctl" table, which take precedence (packet-rio.h).
 */
#include <epan/packet.h>
#include <epan/expert.h>
#include <epan/prefs.h>
#include <epan/tap.h>
#include <epan/conversation.h>
#include <epan/dissectors/packet-tcp.h>

#include "rio_frame.h"
#include "rio_names.h"
#include "rio_stats.h"
#include "rio_device.h"
#include "packet-rio.h"

#define RIO_STR_(x) #x
#define RIO_STR(x) RIO_STR_(x)
#define RIO_DEFAULT_PORTS RIO_STR(RIO_BASE_PORT) "-" RIO_STR(RIO_PORT_RANGE_LAST)

static int proto_rio = -1;
static int rio_tap = -1;

static int hf_rio_signature = -1;
static int hf_rio_version = -1;
static int hf_rio_major = -1;
static int hf_rio_header_length = -1;
static int hf_rio_seq = -1;
static int hf_rio_ioctl = -1;
static int hf_rio_ioctl_device_type = -1;
static int hf_rio_ioctl_function = -1;
static int hf_rio_ioctl_method = -1;
static int hf_rio_ioctl_access = -1;
static int hf_rio_output_length = -1;
static int hf_rio_request_length = -1;
static int hf_rio_status = -1;
static int hf_rio_information = -1;
static int hf_rio_response_length = -1;
static int hf_rio_header_extra = -1;
static int hf_rio_data = -1;
static int hf_rio_data_text = -1;
static int hf_rio_response_in = -1;
static int hf_rio_response_to = -1;
static int hf_rio_time = -1;
static int hf_rio_continuation = -1;
static int hf_rio_unframed = -1;

static gint ett_rio = -1;
static gint ett_rio_ioctl = -1;

static expert_field ei_rio_bad_signature = EI_INIT;
static expert_field ei_rio_bad_version = EI_INIT;
static expert_field ei_rio_bad_header_length = EI_INIT;
static expert_field ei_rio_length_over_limit = EI_INIT;
static expert_field ei_rio_response_too_long = EI_INIT;
static expert_field ei_rio_unmatched_response = EI_INIT;
static expert_field ei_rio_seq_mismatch = EI_INIT;
static expert_field ei_rio_major_mismatch = EI_INIT;
static expert_field ei_rio_request_outstanding = EI_INIT;
static expert_field ei_rio_seq_not_incremented = EI_INIT;
static expert_field ei_rio_first_not_create = EI_INIT;
static expert_field ei_rio_error_status = EI_INIT;
static expert_field ei_rio_warning_status = EI_INIT;
static expert_field ei_rio_continuation = EI_INIT;
static expert_field ei_rio_unframed = EI_INIT;

static dissector_handle_t rio_handle;
static dissector_table_t rio_ioctl_table;

static rio_pref_bool rio_desegment = TRUE;
static const char *rio_devices_dir = "";

static int *const ioctl_bits[] = {
    &hf_rio_ioctl_device_type, &hf_rio_ioctl_access, &hf_rio_ioctl_function, &hf_rio_ioctl_method, NULL
};

/* ---- Info column -------------------------------------------------------- */

/* A PDU's one-line description, written without printf: it is built for
 * every PDU, tree or not, and is most of what a summary costs. */
typedef struct {
    char text[128];
    size_t len;
} line_t;

static void line_str(line_t *l, const char *s)
{
    while (*s && l->len < sizeof l->text - 1)
        l->text[l->len++] = *s++;
    l->text[l->len] = '\0';
}

static void line_u32(line_t *l, guint32 v, guint base, guint min_digits)
{
    char digits[12];
    guint n = 0;

    do {
        digits[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v || n < min_digits);
    while (n && l->len < sizeof l->text - 1)
        l->text[l->len++] = digits[--n];
    l->text[l->len] = '\0';
}

static void line_name(line_t *l, const char *name, const char *prefix, guint32 value)
{
    if (name) {
        line_str(l, name);
        return;
    }
    line_str(l, prefix);
    line_u32(l, value, 16, 8);
}

static const char *ioctl_name(guint32 code)
{
    const char *name = try_val_to_str(code, rio_ioctl_vals);

    return name ? name : rio_device_ioctl_name(code);
}

static void describe_pdu(line_t *l, const rio_header *h)
{
    const char *major = try_val_to_str(h->major, rio_major_vals);

    l->len = 0;
    if (h->kind == RIO_REQUEST) {
        line_str(l, "Request ");
        line_str(l, major ? major : "UNKNOWN_MAJOR");
        if (h->major == RIO_MJ_DEVICE_CONTROL) {
            line_str(l, " ");
            line_name(l, ioctl_name(h->ioctl), "IOCTL_0x", h->ioctl);
        }
        line_str(l, " seq=");
        line_u32(l, h->sequence, 10, 1);
        return;
    }
    line_str(l, "Response seq=");
    line_u32(l, h->sequence, 10, 1);
    line_str(l, " ");
    line_name(l, try_val_to_str(h->status, rio_status_vals), "0x", h->status);
    line_str(l, " ");
    line_u32(l, h->data_length, 10, 1);
    line_str(l, " bytes");
}

static void info_append(packet_info *pinfo, const char *text)
{
    col_append_sep_str(pinfo->cinfo, COL_INFO, ", ", text);
    col_set_fence(pinfo->cinfo, COL_INFO);
}

/* ---- Header ------------------------------------------------------------- */

static void add_header_fields(tvbuff_t *tvb, proto_tree *tree, const rio_header *h)
{
    proto_tree_add_item(tree, hf_rio_signature, tvb, RIO_OFF_SIGNATURE, RIO_SIGNATURE_SIZE, ENC_ASCII);
    proto_tree_add_item(tree, hf_rio_version, tvb, RIO_OFF_VERSION, 1, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(tree, hf_rio_major, tvb, RIO_OFF_MAJOR, 1, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(tree, hf_rio_header_length, tvb, RIO_OFF_HEADER_LENGTH, 2, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(tree, hf_rio_seq, tvb, RIO_OFF_SEQUENCE, 4, ENC_LITTLE_ENDIAN);
    if (h->kind == RIO_REQUEST) {
        proto_tree_add_bitmask(tree, tvb, RIO_OFF_IOCTL, hf_rio_ioctl, ett_rio_ioctl, ioctl_bits, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(tree, hf_rio_output_length, tvb, RIO_OFF_OUTPUT_LENGTH, 4, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(tree, hf_rio_request_length, tvb, RIO_OFF_DATA_LENGTH, 4, ENC_LITTLE_ENDIAN);
    } else {
        proto_tree_add_item(tree, hf_rio_status, tvb, RIO_OFF_STATUS, 4, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(tree, hf_rio_information, tvb, RIO_OFF_INFORMATION, 4, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(tree, hf_rio_response_length, tvb, RIO_OFF_DATA_LENGTH, 4, ENC_LITTLE_ENDIAN);
    }
}

/* Expert item for a header that breaks a rule, naming the rule's field. */
static void flag_malformed(packet_info *pinfo, proto_item *item, rio_error error)
{
    static expert_field *const by_error[] = {
        [RIO_OK] = NULL,
        [RIO_ERR_SIGNATURE] = &ei_rio_bad_signature,
        [RIO_ERR_HEADER_LENGTH] = &ei_rio_bad_header_length,
        [RIO_ERR_VERSION] = &ei_rio_bad_version,
        [RIO_ERR_DATA_LENGTH] = &ei_rio_length_over_limit,
        [RIO_ERR_OUTPUT_LENGTH] = &ei_rio_length_over_limit,
    };
    expert_add_info_format(pinfo, item, by_error[error], "Malformed RIO header: bad %s (%s)",
                           rio_error_field(error), rio_error_text(error));
}

/* ---- Analysis results --------------------------------------------------- */

static void add_matching_fields(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                const rio_header *h, const rio_trans_t *t)
{
    proto_item *it;
    nstime_t delta;

    if (!t)
        return;
    if (h->kind == RIO_REQUEST) {
        if (t->rep_frame) {
            it = proto_tree_add_uint(tree, hf_rio_response_in, tvb, 0, 0, t->rep_frame);
            proto_item_set_generated(it);
        }
        return;
    }
    it = proto_tree_add_uint(tree, hf_rio_response_to, tvb, 0, 0, t->req_frame);
    proto_item_set_generated(it);
    nstime_delta(&delta, &pinfo->abs_ts, &t->req_time);
    it = proto_tree_add_time(tree, hf_rio_time, tvb, 0, 0, &delta);
    proto_item_set_generated(it);
}

/* A response's NTSTATUS by its severity bits: an error is a note (a usual
 * answer, as Wireshark rates error response codes), a warning (such as
 * STATUS_DEVICE_BUSY) a warning; success and informational say nothing. */
static void flag_status(packet_info *pinfo, proto_item *item, guint32 status)
{
    if (RIO_STATUS_IS_ERROR(status))
        expert_add_info_format(pinfo, item, &ei_rio_error_status, "Error status: %s",
                               val_to_str(pinfo->pool, status, rio_status_vals, "0x%08x"));
    else if (RIO_STATUS_SEVERITY(status) == RIO_STATUS_SEVERITY(RIO_STATUS_BUFFER_OVERFLOW))
        expert_add_info_format(pinfo, item, &ei_rio_warning_status, "Warning status: %s",
                               val_to_str(pinfo->pool, status, rio_status_vals, "0x%08x"));
}

static void add_analysis_experts(packet_info *pinfo, proto_item *item, const rio_header *h,
                                 const rio_pdu_info_t *info)
{
    static const struct { guint32 flag; expert_field *ei; } table[] = {
        { RIO_PF_FIRST_NOT_CREATE, &ei_rio_first_not_create },
        { RIO_PF_SEQ_NOT_INCREMENTED, &ei_rio_seq_not_incremented },
        { RIO_PF_REQUEST_OUTSTANDING, &ei_rio_request_outstanding },
        { RIO_PF_UNMATCHED_RESPONSE, &ei_rio_unmatched_response },
        { RIO_PF_SEQ_MISMATCH, &ei_rio_seq_mismatch },
        { RIO_PF_MAJOR_MISMATCH, &ei_rio_major_mismatch },
        { RIO_PF_RESPONSE_TOO_LONG, &ei_rio_response_too_long },
    };
    guint i;

    for (i = 0; info->flags && i < G_N_ELEMENTS(table); i++)
        if (info->flags & table[i].flag)
            expert_add_info(pinfo, item, table[i].ei);
    if (h->kind == RIO_RESPONSE && h->status != RIO_STATUS_SUCCESS)
        flag_status(pinfo, item, h->status);
}

/* The device a PDU's data belongs to: the device of the last described
 * IOCTL the connection sent (first pass; later passes read it back). */
static void note_device(packet_info *pinfo, const rio_call_t *call, const rio_header *h, rio_pdu_info_t *info)
{
    const char *device;

    if (PINFO_FD_VISITED(pinfo))
        return;
    if (h->kind == RIO_REQUEST && h->major == RIO_MJ_DEVICE_CONTROL &&
        (device = rio_device_of_ioctl(h->ioctl)) != NULL)
        call->conv->device = device;
    info->device = call->conv->device;
}

/* ---- Data --------------------------------------------------------------- */

/* Offer an IOCTL buffer to a decoder of the rio.ioctl table (a Lua or C
 * decoder takes precedence), then to the device descriptions. */
static void dissect_ioctl_buffer(tvbuff_t *pdu, int offset, packet_info *pinfo, proto_tree *tree,
                                 const rio_header *h, const rio_trans_t *t)
{
    rio_ioctl_data_t data;
    int saved_dir = pinfo->p2p_dir;
    int done = 0;
    tvbuff_t *tvb;

    data.is_response = h->kind == RIO_RESPONSE;
    data.ioctl = data.is_response ? t->ioctl : h->ioctl;
    /* Described fields exist for the tree (and filters): a summary skips
     * them, unless a decoder of the table wants the buffer. */
    if (!tree && !dissector_get_uint_handle(rio_ioctl_table, data.ioctl))
        return;
    data.output_length = data.is_response ? t->output_length : h->output_length;
    data.status = data.is_response ? h->status : 0;
    tvb = tvb_new_subset_length(pdu, offset, h->data_length);
    pinfo->p2p_dir = data.is_response ? P2P_DIR_RECV : P2P_DIR_SENT;
    done = dissector_try_uint_with_data(rio_ioctl_table, data.ioctl, tvb, pinfo, tree, FALSE, &data);
    pinfo->p2p_dir = saved_dir;
    if (!done && tree)
        rio_device_dissect_ioctl(tvb, pinfo, tree, data.ioctl, data.is_response);
}

static void dissect_data(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                         const rio_header *h, const rio_pdu_info_t *info)
{
    int offset = h->header_length;
    gboolean is_write = h->major == RIO_MJ_WRITE && h->kind == RIO_REQUEST;
    gboolean is_read = h->major == RIO_MJ_READ && h->kind == RIO_RESPONSE;

    if (h->header_length > RIO_HEADER_SIZE)
        proto_tree_add_item(tree, hf_rio_header_extra, tvb, RIO_HEADER_SIZE,
                            h->header_length - RIO_HEADER_SIZE, ENC_NA);
    if (h->data_length == 0)
        return;
    /* The raw bytes stay visible; a decoder adds its own subtree. */
    if (tree)
        proto_tree_add_item(tree, hf_rio_data, tvb, offset, h->data_length, ENC_NA);
    if (h->major == RIO_MJ_DEVICE_CONTROL && (h->kind == RIO_REQUEST || info->trans))
        dissect_ioctl_buffer(tvb, offset, pinfo, tree, h, info->trans);
    else if (tree && (is_write || is_read) && rio_device_data_is_text(info->device, is_write))
        proto_tree_add_item(tree, hf_rio_data_text, tvb, offset, h->data_length, ENC_ASCII);
}

/* ---- One unit of the stream --------------------------------------------- */

static proto_tree *rio_subtree(tvbuff_t *tvb, proto_tree *tree, proto_item **item, const char *text)
{
    *item = proto_tree_add_item(tree, proto_rio, tvb, 0, -1, ENC_NA);
    proto_item_append_text(*item, ", %s", text);
    return proto_item_add_subtree(*item, ett_rio);
}

static void dissect_good_pdu(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const rio_call_t *call,
                             const rio_header *h)
{
    rio_pdu_info_t *info;
    proto_tree *rt;
    proto_item *ri;
    line_t line;

    rio_mark_synced(pinfo, call, h->kind);
    info = rio_analyse_pdu(pinfo, call, h);
    note_device(pinfo, call, h, info);
    describe_pdu(&line, h);
    info_append(pinfo, line.text);
    /* Without a tree (a summary) only the Info column and the analysis
     * count: nothing is added that would be thrown away. */
    rt = NULL;
    ri = NULL;
    if (tree) {
        rt = rio_subtree(tvb, tree, &ri, line.text);
        add_header_fields(tvb, rt, h);
        add_matching_fields(tvb, pinfo, rt, h, info->trans);
    }
    add_analysis_experts(pinfo, ri, h, info);

    /* Before the data: a snaplen-cut PDU throws there, yet still counts. */
    if (have_tap_listener(rio_tap)) {
        rio_tap_t *tap = wmem_new(pinfo->pool, rio_tap_t);

        tap->hdr = (const rio_header *)wmem_memdup(pinfo->pool, h, sizeof *h);
        tap->trans = info->trans;
        tap_queue_packet(rio_tap, pinfo, tap);
    }
    dissect_data(tvb, pinfo, rt, h, info);
}

static void dissect_malformed(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const rio_call_t *call,
                              const rio_header *h, rio_error error)
{
    proto_tree *rt;
    proto_item *ri;
    const char *text;

    rio_mark_dead(pinfo, call);
    text = wmem_strdup_printf(pinfo->pool, "Malformed header (bad %s)", rio_error_field(error));
    info_append(pinfo, text);
    rt = rio_subtree(tvb, tree, &ri, text);
    add_header_fields(tvb, rt, h);
    flag_malformed(pinfo, ri, error);
}

static void dissect_opaque(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, int hf,
                           expert_field *ei, const char *what)
{
    const char *text = wmem_strdup_printf(pinfo->pool, "%s (%u bytes)", what, tvb_reported_length(tvb));
    proto_tree *rt;
    proto_item *ri;

    info_append(pinfo, text);
    rt = rio_subtree(tvb, tree, &ri, text);
    proto_tree_add_item(rt, hf, tvb, 0, -1, ENC_NA);
    expert_add_info(pinfo, ri, ei);
}

static int dissect_rio_unit(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data);

/* Bytes up to the next PDU start; a short run carries that PDU. */
static void dissect_skipped(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data,
                            int hf, expert_field *ei, const char *what)
{
    const rio_call_t *call = (const rio_call_t *)data;
    guint split = rio_continuation_split(tvb, call);

    rio_mark_skipped(pinfo, call);
    dissect_opaque(tvb_new_subset_length(tvb, 0, split), pinfo, tree, hf, ei, what);
    if (split < tvb_captured_length(tvb))
        dissect_rio_unit(tvb_new_subset_remaining(tvb, split), pinfo, tree, data);
}

static int dissect_rio_unit(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    const rio_call_t *call = (const rio_call_t *)data;
    rio_header h;
    rio_error error;

    switch (rio_classify(pinfo, tvb, 0, call, &h, &error)) {
    case RIO_UNIT_PDU:
        dissect_good_pdu(tvb, pinfo, tree, call, &h);
        break;
    case RIO_UNIT_MALFORMED:
        dissect_malformed(tvb, pinfo, tree, call, &h, error);
        break;
    case RIO_UNIT_CONTINUATION:
        dissect_skipped(tvb, pinfo, tree, data, hf_rio_continuation, &ei_rio_continuation, "Continuation");
        break;
    case RIO_UNIT_UNFRAMED:
    default:
        dissect_skipped(tvb, pinfo, tree, data, hf_rio_unframed, &ei_rio_unframed, "Unframed data after a malformed header");
        break;
    }
    return tvb_captured_length(tvb);
}

static int dissect_rio_tcp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    const struct tcpinfo *tcp = pinfo->ptype == PT_TCP ? (const struct tcpinfo *)data : NULL;
    rio_call_t call;

    rio_call_init(&call, pinfo, tcp);
    col_set_str(pinfo->cinfo, COL_PROTOCOL, "RIO");
    col_clear(pinfo->cinfo, COL_INFO);
    tcp_dissect_pdus(tvb, pinfo, tree, rio_desegment, RIO_HEADER_SIZE, rio_get_pdu_len, dissect_rio_unit, &call);
    rio_call_done(&call, pinfo, tcp);
    return tvb_captured_length(tvb);
}

/* A segment that starts like RIO claims the whole conversation (a stricter
 * test than the resync rule: rio_claims_conversation). */
static rio_heur_result dissect_rio_heur_tcp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    if (!rio_claims_conversation(tvb))
        return FALSE;
    conversation_set_dissector(find_or_create_conversation(pinfo), rio_handle);
    dissect_rio_tcp(tvb, pinfo, tree, data);
    return TRUE;
}

/* ---- Registration ------------------------------------------------------- */

static void register_fields(void)
{
    static hf_register_info hf[] = {
        { &hf_rio_signature,
          { "Signature", "rio.signature",
            FT_STRING, BASE_NONE, NULL, 0x0,
            NULL, HFILL }},
        { &hf_rio_version,
          { "Version", "rio.version",
            FT_UINT8, BASE_DEC, NULL, 0x0,
            NULL, HFILL }},
        { &hf_rio_major,
          { "Major function", "rio.major",
            FT_UINT8, BASE_HEX, VALS(rio_major_vals), 0x0,
            NULL, HFILL }},
        { &hf_rio_header_length,
          { "Header length", "rio.header_length",
            FT_UINT16, BASE_DEC, NULL, 0x0,
            NULL, HFILL }},
        { &hf_rio_seq,
          { "Sequence", "rio.seq",
            FT_UINT32, BASE_DEC, NULL, 0x0,
            NULL, HFILL }},
        { &hf_rio_ioctl,
          { "IoControlCode", "rio.ioctl",
            FT_UINT32, BASE_HEX, VALS(rio_ioctl_vals), 0x0,
            NULL, HFILL }},
        { &hf_rio_ioctl_device_type,
          { "Device type", "rio.ioctl.device_type",
            FT_UINT32, BASE_HEX, NULL, RIO_IOCTL_DEVICE_TYPE_MASK,
            NULL, HFILL }},
        { &hf_rio_ioctl_function,
          { "Function", "rio.ioctl.function",
            FT_UINT32, BASE_HEX, NULL, RIO_IOCTL_FUNCTION_MASK,
            NULL, HFILL }},
        { &hf_rio_ioctl_method,
          { "Method", "rio.ioctl.method",
            FT_UINT32, BASE_DEC, VALS(rio_method_vals), RIO_IOCTL_METHOD_MASK,
            NULL, HFILL }},
        { &hf_rio_ioctl_access,
          { "Access", "rio.ioctl.access",
            FT_UINT32, BASE_DEC, VALS(rio_access_vals), RIO_IOCTL_ACCESS_MASK,
            NULL, HFILL }},
        { &hf_rio_output_length,
          { "Output length", "rio.output_length",
            FT_UINT32, BASE_DEC, NULL, 0x0,
            NULL, HFILL }},
        { &hf_rio_request_length,
          { "Request data length", "rio.request_length",
            FT_UINT32, BASE_DEC, NULL, 0x0,
            NULL, HFILL }},
        { &hf_rio_status,
          { "Status", "rio.status",
            FT_UINT32, BASE_HEX, VALS(rio_status_vals), 0x0,
            NULL, HFILL }},
        { &hf_rio_information,
          { "Information", "rio.information",
            FT_UINT32, BASE_DEC, NULL, 0x0,
            NULL, HFILL }},
        { &hf_rio_response_length,
          { "Response data length", "rio.response_length",
            FT_UINT32, BASE_DEC, NULL, 0x0,
            NULL, HFILL }},
        { &hf_rio_header_extra,
          { "Header extension", "rio.header_extra",
            FT_BYTES, BASE_NONE, NULL, 0x0,
            "Header bytes 24..HeaderLength-1, skipped", HFILL }},
        { &hf_rio_data,
          { "Data", "rio.data",
            FT_BYTES, BASE_NONE, NULL, 0x0,
            NULL, HFILL }},
        { &hf_rio_data_text,
          { "Data as text", "rio.data.text",
            FT_STRING, BASE_NONE, NULL, 0x0,
            "READ or WRITE data of a device whose description shows it as text", HFILL }},
        { &hf_rio_response_in,
          { "Response in", "rio.response_in",
            FT_FRAMENUM, BASE_NONE, FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0x0,
            NULL, HFILL }},
        { &hf_rio_response_to,
          { "Response to", "rio.response_to",
            FT_FRAMENUM, BASE_NONE, FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0x0,
            NULL, HFILL }},
        { &hf_rio_time,
          { "Response time", "rio.time",
            FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
            "Time from the request to this response", HFILL }},
        { &hf_rio_continuation,
          { "Continuation data", "rio.continuation",
            FT_BYTES, BASE_NONE, NULL, 0x0,
            "Bytes before the first PDU start seen (capture started mid-stream)", HFILL }},
        { &hf_rio_unframed,
          { "Unframed data", "rio.unframed",
            FT_BYTES, BASE_NONE, NULL, 0x0,
            "Bytes after a malformed header", HFILL }},
    };
    static gint *ett[] = { &ett_rio, &ett_rio_ioctl };

    proto_register_field_array(proto_rio, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
}

static void register_experts(void)
{
    static ei_register_info ei[] = {
        { &ei_rio_bad_signature,
          { "rio.bad_signature", PI_MALFORMED, PI_ERROR,
            "Bad signature", EXPFILL }},
        { &ei_rio_bad_version,
          { "rio.bad_version", PI_MALFORMED, PI_ERROR,
            "Bad version", EXPFILL }},
        { &ei_rio_bad_header_length,
          { "rio.bad_header_length", PI_MALFORMED, PI_ERROR,
            "HeaderLength out of range", EXPFILL }},
        { &ei_rio_length_over_limit,
          { "rio.length_over_limit", PI_MALFORMED, PI_ERROR,
            "Length over the 1 MiB limit", EXPFILL }},
        { &ei_rio_response_too_long,
          { "rio.response_too_long", PI_PROTOCOL, PI_WARN,
            "Response data longer than the request's OutputLength", EXPFILL }},
        { &ei_rio_unmatched_response,
          { "rio.unmatched_response", PI_SEQUENCE, PI_WARN,
            "Response without a matching request", EXPFILL }},
        { &ei_rio_seq_mismatch,
          { "rio.seq_mismatch", PI_SEQUENCE, PI_WARN,
            "Response Sequence does not match the outstanding request", EXPFILL }},
        { &ei_rio_major_mismatch,
          { "rio.major_mismatch", PI_PROTOCOL, PI_WARN,
            "Response MajorFunction differs from its request's", EXPFILL }},
        { &ei_rio_request_outstanding,
          { "rio.request_outstanding", PI_SEQUENCE, PI_WARN,
            "Request sent while another is outstanding (serialized I/O broken)", EXPFILL }},
        { &ei_rio_seq_not_incremented,
          { "rio.seq_not_incremented", PI_SEQUENCE, PI_WARN,
            "Sequence not incremented by 1", EXPFILL }},
        { &ei_rio_first_not_create,
          { "rio.first_not_create", PI_SEQUENCE, PI_WARN,
            "First request of the connection is not CREATE", EXPFILL }},
        { &ei_rio_error_status,
          { "rio.error_status", PI_RESPONSE_CODE, PI_NOTE,
            "Error status (NTSTATUS severity error)", EXPFILL }},
        { &ei_rio_warning_status,
          { "rio.warning_status", PI_RESPONSE_CODE, PI_WARN,
            "Warning status (NTSTATUS severity warning)", EXPFILL }},
        { &ei_rio_continuation,
          { "rio.continuation.expert", PI_SEQUENCE, PI_NOTE,
            "Bytes before the first PDU start seen (capture started mid-stream)", EXPFILL }},
        { &ei_rio_unframed,
          { "rio.unframed.expert", PI_MALFORMED, PI_WARN,
            "Bytes after a malformed header are not framed", EXPFILL }},
    };
    expert_module_t *expert = expert_register_protocol(proto_rio);

    expert_register_field_array(expert, ei, array_length(ei));
}

/* The device folder last applied (rio.devices_dir). */
static char *rio_devices_dir_applied;

/* The device folder may have changed: its fields are registered again. */
static void apply_preferences(void)
{
    if (g_strcmp0(rio_devices_dir_applied, rio_devices_dir) == 0)
        return;
    g_free(rio_devices_dir_applied);
    rio_devices_dir_applied = g_strdup(rio_devices_dir);
    rio_device_set_folder(rio_devices_dir);
}

static void forget_preferences(void)
{
    g_free(rio_devices_dir_applied);
    rio_devices_dir_applied = NULL;
}

static void register_preferences(void)
{
    module_t *m = prefs_register_protocol(proto_rio, apply_preferences);

    prefs_register_bool_preference(m, "desegment", "Reassemble RIO PDUs spanning multiple TCP segments",
        "Whether the RIO dissector should reassemble PDUs spanning multiple TCP segments "
        "(needs TCP's \"Allow subdissectors to reassemble TCP streams\").", &rio_desegment);
    prefs_register_bool_preference(m, "resync_after_error", "Resynchronise after a malformed header",
        "Look for the next PDU start (signature and HeaderLength) after a malformed header, instead "
        "of leaving the rest of that direction unframed as a RIO server would.",
        &rio_frame_resync_after_error);
    prefs_register_directory_preference(m, "devices_dir", "Device descriptions folder",
        "A folder of device descriptions (*" RIODEV_SUFFIX " files, devices/README.md) decoded besides "
        "the installed ones; their fields are rio.dev.<device>.<field>.", &rio_devices_dir);
}

void proto_register_rio(void);
void proto_reg_handoff_rio(void);

void proto_register_rio(void)
{
    proto_rio = proto_register_protocol("Remote I/O Protocol", "RIO", "rio");
    register_fields();
    register_experts();
    register_preferences();
    rio_conv_init(proto_rio);
    rio_handle = register_dissector("rio", dissect_rio_tcp, proto_rio);
    rio_ioctl_table = register_dissector_table(RIO_IOCTL_TABLE_NAME, "RIO IoControlCode", proto_rio,
                                               FT_UINT32, BASE_HEX);
    rio_tap = register_tap("rio");
    rio_stats_register(proto_rio);
    rio_device_register();
    register_shutdown_routine(forget_preferences);
}

void proto_reg_handoff_rio(void)
{
    dissector_add_uint_range_with_preference("tcp.port", RIO_DEFAULT_PORTS, rio_handle);
    heur_dissector_add("tcp", dissect_rio_heur_tcp, "RIO over TCP", "rio_tcp", proto_rio, HEURISTIC_ENABLE);
}
