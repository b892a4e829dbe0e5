/* records.c — describing recorded PDUs (see records.h). */
#include "records.h"
#include "jsonw.h"

const char *rr_violation_name_int(int v)
{
    return rr_violation_name((rr_violation)v);
}

void rr_mask_json(GString *g, const char *key, uint32_t mask, const char *(*name)(int))
{
    json_open(g, key, '[');
    for (int k = 0; k < 32; k++)
        if (mask & (1u << k))
            json_str_ascii(g, NULL, name(k));
    json_close(g, '[');
}

/* A header field is present if all its bytes were captured. */
static void field(GString *g, const rr_pdu *p, const char *key, unsigned off, unsigned size)
{
    if (p->header_have < off + size)
        return;
    uint32_t v = size == 1 ? p->raw[off] : size == 2 ? rio_get_le16(p->raw + off)
                                                      : rio_get_le32(p->raw + off);
    json_uint(g, key, v);
}

void rr_record_json(GString *g, const char *key, const rr_record *r, int dir)
{
    const rr_pdu *p = &r->pdu;
    bool req = dir == RR_DIR_REQUEST;
    json_open(g, key, '{');
    if (p->header_have >= RIO_SIGNATURE_SIZE) {
        json_key(g, "signature");
        json_string_ascii(g, (const char *)p->raw, RIO_SIGNATURE_SIZE);
    }
    field(g, p, "version", RIO_OFF_VERSION, 1);
    field(g, p, "major", RIO_OFF_MAJOR, 1);
    field(g, p, "header_length", RIO_OFF_HEADER_LENGTH, 2);
    field(g, p, "seq", RIO_OFF_SEQUENCE, 4);
    field(g, p, req ? "ioctl" : "status", RIO_OFF_IOCTL, 4);
    field(g, p, req ? "output_length" : "information", RIO_OFF_OUTPUT_LENGTH, 4);
    field(g, p, req ? "request_length" : "response_length", RIO_OFF_DATA_LENGTH, 4);
    if (r->sha256)
        json_str_ascii(g, "data_sha256", r->sha256);
    json_bool(g, "complete", p->complete);
    if (p->malformed != RIO_OK)
        json_str_ascii(g, "malformed", rio_error_field(p->malformed));
    if (p->missing)
        json_uint(g, "missing_bytes", p->missing);
    json_int(g, "time_us", p->ts_first);
    json_open(g, "problems", '[');
    for (int k = 0; k < RR_PROBLEM_COUNT; k++)
        for (unsigned i = 0; i < p->counts[k]; i++)
            json_str_ascii(g, NULL, rr_problem_name((rr_problem_kind)k));
    json_close(g, '[');
    json_close(g, '{');
}

void rr_txn_json(GString *g, const rr_session *s, const rr_txn *t)
{
    g_string_append_c(g, '{');
    json_str_ascii(g, "type", "transaction");
    json_uint(g, "session", s->id);
    json_uint(g, "transaction", t->index);
    json_bool(g, "complete", rr_txn_complete(t));
    if (t->req.present)
        rr_record_json(g, "request", &t->req, RR_DIR_REQUEST);
    if (t->resp.present)
        rr_record_json(g, "response", &t->resp, RR_DIR_RESPONSE);
    rr_mask_json(g, "violations", t->violations, rr_violation_name_int);
    json_bool(g, "server_closed", t->server_closed);
    g_string_append_c(g, '}');
}

void rr_record_text(GString *g, const rr_record *r, int dir)
{
    char a[32], b[32];
    const rr_pdu *p = &r->pdu;
    if (!r->present) {
        g_string_append(g, dir == RR_DIR_REQUEST ? "no request" : "no response");
        return;
    }
    if (p->header_have < RIO_HEADER_SIZE) {
        g_string_append_printf(g, "%u header bytes only", p->header_have);
        return;
    }
    const rio_header *h = &p->hdr;
    g_string_append_printf(g, "%s%s seq=%u", RIO_MJ_PREFIX, rio_major_str(h->major, a, sizeof a),
                           h->sequence);
    if (dir == RR_DIR_REQUEST) {
        if (h->major == RIO_MJ_DEVICE_CONTROL)
            g_string_append_printf(g, " %s", rio_ioctl_str(h->ioctl, b, sizeof b));
        g_string_append_printf(g, " out=%u len=%u", h->output_length, h->data_length);
    } else {
        g_string_append_printf(g, " %s info=%u len=%u", rio_status_str(h->status, b, sizeof b),
                               h->information, h->data_length);
    }
    if (p->malformed != RIO_OK)
        g_string_append_printf(g, " (malformed: %s)", rio_error_text(p->malformed));
}

static void record_problems_text(GString *g, const char *what, const rr_record *r)
{
    if (!r->present || r->pdu.complete)
        return;
    g_string_append_printf(g, "%s%s:", g->len ? "; " : "", what);
    for (int k = 0; k < RR_PROBLEM_COUNT; k++)
        if (r->pdu.problems & RR_PROBLEM_BIT(k))
            g_string_append_printf(g, " %s", rr_problem_name((rr_problem_kind)k));
    if (r->pdu.missing)
        g_string_append_printf(g, " (%" G_GUINT64_FORMAT " bytes missing)", (guint64)r->pdu.missing);
    else
        g_string_append(g, " capture ends inside it");
}

void rr_incomplete_text(GString *g, const rr_txn *t)
{
    gsize start = g->len;
    GString *tmp = g_string_new(NULL);
    if (!t->req.present)
        g_string_append(tmp, "request not captured");
    record_problems_text(tmp, "request", &t->req);
    record_problems_text(tmp, "response", &t->resp);
    if (!t->resp.present && !t->server_closed)
        g_string_append_printf(tmp, "%sresponse not captured", tmp->len ? "; " : "");
    g_string_append(g, tmp->str);
    g_string_free(tmp, TRUE);
    (void)start;
}

void rr_session_text(GString *g, const rr_session *s)
{
    char a[64], b[64];
    g_string_append_printf(g, "%s -> %s", rr_endpoint_str(&s->client, a, sizeof a),
                           rr_endpoint_str(&s->server, b, sizeof b));
}
