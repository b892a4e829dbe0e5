/* capture.c — libpcap input (see capture.h). */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "console.h"

static bool check_linktype(rr_capture *c, char *err, size_t errlen)
{
    c->dlt = pcap_datalink(c->pcap);
    if (rr_linktype_supported(c->dlt))
        return true;
    const char *name = pcap_datalink_val_to_name(c->dlt);
    snprintf(err, errlen, "%s: unsupported link type %s (%d); supported: EN10MB, NULL, LOOP, RAW, "
             "IPV4, IPV6, LINUX_SLL, LINUX_SLL2", c->name, name ? name : "unknown", c->dlt);
    pcap_close(c->pcap);
    c->pcap = NULL;
    return false;
}

static bool opened(rr_capture *c, const char *name, const char *pcap_err, char *err,
                   size_t errlen)
{
    c->name = name;
    if (!c->pcap) {
        snprintf(err, errlen, "%s: cannot read capture: %s", name, pcap_err);
        return false;
    }
    return check_linktype(c, err, errlen);
}

bool rr_capture_open(rr_capture *c, const char *path, char *err, size_t errlen)
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    memset(c, 0, sizeof *c);
    struct stat st;
    if (strcmp(path, "-") != 0 && stat(path, &st) == 0) {
        c->size = st.st_size;
        if (st.st_size == 0) {
            snprintf(err, errlen, "%s: empty file, not a capture", path);
            return false;
        }
    }
    c->pcap = pcap_open_offline(path, perr);
    return opened(c, path, perr, err, errlen);
}

bool rr_capture_open_stream(rr_capture *c, FILE *fp, const char *name, char *err, size_t errlen)
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    memset(c, 0, sizeof *c);
    c->pcap = pcap_fopen_offline(fp, perr);
    if (!c->pcap)
        fclose(fp);
    return opened(c, name, perr, err, errlen);
}

bool rr_capture_set_filter(rr_capture *c, const char *expr, char *err, size_t errlen)
{
    if (pcap_compile(c->pcap, &c->filter, expr, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        snprintf(err, errlen, "bad --filter '%s': %s", expr, pcap_geterr(c->pcap));
        return false;
    }
    c->filtered = true;
    return true;
}

void rr_capture_describe(void *ctx, GString *g)
{
    const rr_capture *c = ctx;
    FILE *fp = c->pcap ? pcap_file(c->pcap) : NULL;
    long pos = fp ? ftell(fp) : -1;
    if (c->size > 0 && pos >= 0)
        g_string_append_printf(g, "%s: %3d%% (%llu packets)", c->name, (int)(100.0 * pos / c->size),
                               (unsigned long long)c->stats.packets);
    else
        g_string_append_printf(g, "%s: %llu packets", c->name, (unsigned long long)c->stats.packets);
}

static void one_packet(rr_capture *c, rr_tracker *t, const struct pcap_pkthdr *h,
                       const u_char *data)
{
    rr_segment seg;
    rr_decode_result r = rr_decode(c->dlt, h, data, &seg);
    if (!c->stats.packets)
        c->first_ts = seg.ts_us;
    c->stats.packets++;
    c->stats.bytes += h->len;
    if (seg.ts_clamped)
        c->stats.clamped_ts++;
    /* The numbering tracker sees every packet, selected or not. */
    if (r == RR_DECODE_TCP && t->numbering)
        rr_tracker_segment(t->numbering, &seg);
    if ((c->window.has_from || c->window.has_to) &&
        !rr_window_contains(&c->window, c->first_ts, seg.ts_us)) {
        c->stats.outside_window++;
        return;
    }
    if (c->filtered && !pcap_offline_filter(&c->filter, h, data)) {
        c->stats.filtered_out++;
        return;
    }
    if (r == RR_DECODE_TCP) {
        c->stats.tcp++;
        rr_tracker_segment(t, &seg);
    } else if (r == RR_DECODE_SHORT) {
        c->stats.short_headers++;
    } else {
        c->stats.other++;
    }
}

/* libpcap's words for the errors a user can meet, made plain. */
static const char *explain(const char *msg)
{
    if (strstr(msg, "different from the type of the first interface") ||
        strstr(msg, "link-layer type"))
        return "pcapng interfaces mix link types (one link type per capture is supported)";
    if (strstr(msg, "truncated"))
        return "capture file is truncated (it ends in the middle of a packet record)";
    return msg;
}

int rr_capture_step(rr_capture *c, rr_tracker *t, unsigned max, char *err, size_t errlen)
{
    struct pcap_pkthdr *h;
    const u_char *data;
    int rc = 1;
    for (unsigned n = 0; n < max && (rc = pcap_next_ex(c->pcap, &h, &data)) == 1; n++) {
        one_packet(c, t, h, data);
        if (c->stats.packets == 1 && rr_window_inverted(&c->window, c->first_ts)) {
            snprintf(err, errlen, "%s: --from is after --to (the first packet is at %.6f s)",
                     c->name, (double)c->first_ts / 1e6);
            return -1;
        }
        if ((c->stats.packets & 63) == 1) /* the clock is read every 64 packets */
            rr_progress_tick();
    }
    if (rc == 1)
        return 1;
    if (rc == PCAP_ERROR) {
        const char *msg = pcap_geterr(c->pcap);
        c->truncated = strstr(msg, "truncated") != NULL;
        snprintf(err, errlen, "%s: after %llu packets: %s", c->name,
                 (unsigned long long)c->stats.packets, explain(msg));
        return -1;
    }
    return 0;
}

bool rr_capture_run(rr_capture *c, rr_tracker *t, char *err, size_t errlen)
{
    int rc;
    while ((rc = rr_capture_step(c, t, 4096, err, errlen)) == 1)
        ;
    return rc == 0;
}

void rr_capture_close(rr_capture *c)
{
    if (c->filtered)
        pcap_freecode(&c->filter);
    c->filtered = false;
    if (c->pcap)
        pcap_close(c->pcap);
    c->pcap = NULL;
}
