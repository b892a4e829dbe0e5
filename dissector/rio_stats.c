/*
 * rio_stats.c — statistics from the "rio" tap:
 *   tshark -z rio,srt    service response time per major function
 *   tshark -z rio,tree   requests by operation, responses by status
 */
#include <epan/packet.h>
#include <epan/tap.h>
#include <epan/srt_table.h>
#include <epan/stats_tree.h>

#include "rio_stats.h"
#include "rio_names.h"

/* ---- Service response time ---------------------------------------------- */

static void srt_init(struct register_srt *srt _U_, GArray *srt_array)
{
    srt_stat_table *table;
    guint i, n = rio_major_count();

    /* One row per major function of rio.h, and one for unknown codes. */
    table = init_srt_table("RIO Major Functions", NULL, srt_array, n + 1, "Major function", "rio.major", NULL);
    for (i = 0; i < n; i++)
        init_srt_table_row(table, i, rio_major_vals[i].strptr);
    init_srt_table_row(table, n, "Other");
}

static tap_packet_status srt_packet(void *pss, packet_info *pinfo, epan_dissect_t *edt _U_,
                                    const void *prv, tap_flags_t flags _U_)
{
    srt_data_t *data = (srt_data_t *)pss;
    const rio_tap_t *tap = (const rio_tap_t *)prv;
    srt_stat_table *table;

    /* A response matched to its request is one sample. */
    if (tap->hdr->kind == RIO_REQUEST || !tap->trans)
        return TAP_PACKET_DONT_REDRAW;
    table = g_array_index(data->srt_array, srt_stat_table *, 0);
    add_srt_table_data(table, rio_major_index(tap->trans->major), &tap->trans->req_time, pinfo);
    return TAP_PACKET_REDRAW;
}

/* ---- Statistics tree ---------------------------------------------------- */

static const char st_requests[] = "Requests by operation";
static const char st_responses[] = "Responses by status";
static int st_node_requests = -1;
static int st_node_responses = -1;

static void tree_init(stats_tree *st)
{
    st_node_requests = stats_tree_create_node(st, st_requests, 0, STAT_DT_INT, TRUE);
    st_node_responses = stats_tree_create_node(st, st_responses, 0, STAT_DT_INT, TRUE);
}

static tap_packet_status tree_packet(stats_tree *st, packet_info *pinfo _U_, epan_dissect_t *edt _U_,
                                     const void *prv, tap_flags_t flags _U_)
{
    const rio_tap_t *tap = (const rio_tap_t *)prv;
    const rio_header *h = tap->hdr;

    if (h->kind == RIO_REQUEST) {
        tick_stat_node(st, st_requests, 0, FALSE);
        tick_stat_node(st, val_to_str_const(h->major, rio_major_vals, "Other"), st_node_requests, FALSE);
    } else {
        tick_stat_node(st, st_responses, 0, FALSE);
        tick_stat_node(st, val_to_str_const(h->status, rio_status_vals, "Other"), st_node_responses, FALSE);
    }
    return TAP_PACKET_REDRAW;
}

void rio_stats_register(int proto)
{
    register_srt_table(proto, NULL, 1, srt_packet, srt_init, NULL);
    stats_tree_register_plugin("rio", "rio", "RIO/Operations and statuses", 0, tree_packet, tree_init, NULL);
}
