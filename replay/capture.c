/* capture.c — libpcap input (see capture.h). */
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"

#define RR_EPOCH_THRESHOLD 1e9 /* larger --from/--to values are absolute */

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
    c->progress = isatty(STDERR_FILENO);
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
    struct bpf_program prog;
    if (pcap_compile(c->pcap, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        snprintf(err, errlen, "bad --filter '%s': %s", expr, pcap_geterr(c->pcap));
        return false;
    }
    int rc = pcap_setfilter(c->pcap, &prog);
    pcap_freecode(&prog);
    if (rc != 0) {
        snprintf(err, errlen, "--filter: %s", pcap_geterr(c->pcap));
        return false;
    }
    return true;
}

static int64_t window_bound(const rr_capture *c, double v)
{
    if (v >= RR_EPOCH_THRESHOLD)
        return (int64_t)(v * 1e6);
    return c->first_ts + (int64_t)(v * 1e6);
}

static bool in_window(rr_capture *c, int64_t ts)
{
    if (!c->stats.packets)
        c->first_ts = ts;
    if (c->window.has_from && ts < window_bound(c, c->window.from))
        return false;
    if (c->window.has_to && ts > window_bound(c, c->window.to))
        return false;
    return true;
}

static void show_progress(rr_capture *c, bool last)
{
    static time_t shown;
    time_t now = time(NULL);
    if (!c->progress || (!last && now == shown))
        return;
    shown = now;
    FILE *fp = pcap_file(c->pcap);
    long pos = fp ? ftell(fp) : -1;
    if (c->size > 0 && pos >= 0)
        fprintf(stderr, "\r%s: %3d%% (%llu packets)", c->name, (int)(100.0 * pos / c->size),
                (unsigned long long)c->stats.packets);
    else
        fprintf(stderr, "\r%s: %llu packets", c->name, (unsigned long long)c->stats.packets);
    if (last)
        fputc('\n', stderr);
}

static void one_packet(rr_capture *c, rr_tracker *t, const struct pcap_pkthdr *h,
                       const u_char *data)
{
    rr_segment seg;
    rr_decode_result r = rr_decode(c->dlt, h, data, &seg);
    bool inside = in_window(c, seg.ts_us);
    c->stats.packets++;
    c->stats.bytes += h->len;
    if (seg.ts_clamped)
        c->stats.clamped_ts++;
    if (!inside) {
        c->stats.outside_window++;
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
        if (c->progress && (c->stats.packets & 0x3FFF) == 0)
            show_progress(c, false);
    }
    if (rc == 1)
        return 1;
    if (c->progress && c->stats.packets > 0x3FFF)
        show_progress(c, true);
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
    if (c->pcap)
        pcap_close(c->pcap);
    c->pcap = NULL;
}
