/* replayutil.c — helpers shared by the replay modes (see replayutil.h). */
#include <string.h>

#include "replayutil.h"

double rr_now(void)
{
    return (double)g_get_monotonic_time() / 1e6;
}

bool rr_replayable_request(const rr_txn *t)
{
    const rr_record *r = &t->req;
    return r->present && r->ended && r->bytes && r->pdu.header_have == RIO_HEADER_SIZE;
}

void rr_zero_fill(rr_record *r)
{
    uint64_t want = (uint64_t)r->pdu.hdr.header_length + r->pdu.hdr.data_length;
    if (r->bytes->len < want) {
        guint old = r->bytes->len;
        g_byte_array_set_size(r->bytes, (guint)want);
        memset(r->bytes->data + old, 0, want - old);
    }
}

void rr_fill_request(rr_txn *t)
{
    if (t->req.pdu.malformed == RIO_OK)
        rr_zero_fill(&t->req);
}

void rr_live_text(GString *g, const rio_header *h, rio_kind kind)
{
    char a[32], b[32];
    g_string_append_printf(g, "%s%s seq=%u", RIO_MJ_PREFIX, rio_major_str(h->major, a, sizeof a),
                           h->sequence);
    if (kind == RIO_RESPONSE)
        g_string_append_printf(g, " %s info=%u len=%u", rio_status_str(h->status, b, sizeof b),
                               h->information, h->data_length);
    else
        g_string_append_printf(g, " ioctl=%s out=%u len=%u", rio_ioctl_str(h->ioctl, b, sizeof b),
                               h->output_length, h->data_length);
}
