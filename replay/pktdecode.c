/* pktdecode.c — link layer, IP and TCP headers of one captured frame.
 *
 * Every length read from the frame is checked against the captured length
 * before use: the input is hostile (the fuzzer feeds it directly). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "pktdecode.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86DD
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88A8
#define ETHERTYPE_QINQ_OLD 0x9100
#define ETH_HEADER 14
#define VLAN_TAG 4
#define SLL_HEADER 16
#define SLL2_HEADER 20
#define NULL_HEADER 4
#define IPPROTO_TCP_NUM 6
#define TCP_HEADER_MIN 20
#define IPV4_HEADER_MIN 20
#define IPV6_HEADER 40

/* A bounded view of the captured bytes. */
typedef struct view {
    const uint8_t *p;
    uint32_t len;
} view;

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool skip(view *v, uint32_t n)
{
    if (v->len < n)
        return false;
    v->p += n;
    v->len -= n;
    return true;
}

int64_t rr_timestamp_us(const struct timeval *tv, bool *clamped)
{
    /* Seconds first, so the multiplication cannot overflow; tv_usec is
     * whatever the file said (a broken writer may exceed 999999). */
    int64_t sec = (int64_t)tv->tv_sec, usec = (int64_t)tv->tv_usec;
    *clamped = sec > RR_TS_MAX_SEC || sec < -RR_TS_MAX_SEC || usec > 999999999 || usec < -999999999;
    if (*clamped)
        return sec < 0 || (sec == 0 && usec < 0) ? RR_TS_MIN : RR_TS_MAX;
    int64_t us = sec * 1000000 + usec;
    if (us > RR_TS_MAX || us < RR_TS_MIN) {
        *clamped = true;
        return us < 0 ? RR_TS_MIN : RR_TS_MAX;
    }
    return us;
}

bool rr_linktype_supported(int dlt)
{
    switch (dlt) {
    case DLT_EN10MB: case DLT_NULL: case DLT_LOOP: case DLT_RAW:
    case DLT_IPV4: case DLT_IPV6: case DLT_LINUX_SLL: case DLT_LINUX_SLL2:
        return true;
    default:
        return false;
    }
}

/* Ethernet: peel any number of stacked VLAN tags (bounded by the frame). */
static bool ethernet(view *v, uint16_t *ethertype)
{
    if (v->len < ETH_HEADER)
        return false;
    uint16_t type = be16(v->p + 12);
    skip(v, ETH_HEADER);
    while (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_OLD) {
        if (v->len < VLAN_TAG)
            return false;
        type = be16(v->p + 2);
        skip(v, VLAN_TAG);
    }
    *ethertype = type;
    return true;
}

/* NULL/LOOP: a 4-byte address family, host order of the capturing machine
 * for NULL (so either byte order), network order for LOOP.  BSDs disagree on
 * AF_INET6 (24, 28, 30), Linux uses 10; IPv4 is 2 everywhere. */
static bool bsd_family(view *v, uint16_t *ethertype)
{
    if (v->len < NULL_HEADER)
        return false;
    uint32_t fam = be32(v->p);
    if (fam > 0xFFFF)
        fam = __builtin_bswap32(fam);
    skip(v, NULL_HEADER);
    if (fam == 2)
        *ethertype = ETHERTYPE_IPV4;
    else if (fam == 10 || fam == 24 || fam == 28 || fam == 30)
        *ethertype = ETHERTYPE_IPV6;
    else
        return false;
    return true;
}

/* RAW, IPV4, IPV6: the IP version nibble says which. */
static bool raw_ip(view *v, uint16_t *ethertype)
{
    if (v->len < 1)
        return false;
    uint8_t version = v->p[0] >> 4;
    *ethertype = version == 4 ? ETHERTYPE_IPV4 : version == 6 ? ETHERTYPE_IPV6 : 0;
    return *ethertype != 0;
}

static bool link_layer(int dlt, view *v, uint16_t *ethertype)
{
    switch (dlt) {
    case DLT_EN10MB:
        return ethernet(v, ethertype);
    case DLT_NULL:
    case DLT_LOOP:
        return bsd_family(v, ethertype);
    case DLT_LINUX_SLL:
        if (v->len < SLL_HEADER)
            return false;
        *ethertype = be16(v->p + 14);
        return skip(v, SLL_HEADER);
    case DLT_LINUX_SLL2:
        if (v->len < SLL2_HEADER)
            return false;
        *ethertype = be16(v->p);
        return skip(v, SLL2_HEADER);
    default:
        return raw_ip(v, ethertype);
    }
}

/* IPv4: returns the TCP bytes on the wire in *wire (0 total length: TSO,
 * take what was captured).  Fragments are not reassembled: RIO over loopback
 * or a LAN never fragments, and a later fragment has no TCP header. */
static rr_decode_result ipv4(view *v, rr_segment *s, uint32_t *wire)
{
    if (v->len < IPV4_HEADER_MIN)
        return RR_DECODE_SHORT;
    const uint8_t *ip = v->p;
    uint32_t ihl = (uint32_t)(ip[0] & 0x0F) * 4;
    uint32_t total = be16(ip + 2);
    if ((ip[0] >> 4) != 4 || ihl < IPV4_HEADER_MIN)
        return RR_DECODE_OTHER;
    if (ip[9] != IPPROTO_TCP_NUM || (be16(ip + 6) & 0x3FFF) != 0)
        return RR_DECODE_OTHER;
    if (v->len < ihl)
        return RR_DECODE_SHORT;
    if (total == 0)
        total = v->len;
    if (total < ihl)
        return RR_DECODE_OTHER;
    s->src.family = s->dst.family = 4;
    memcpy(s->src.addr, ip + 12, 4);
    memcpy(s->dst.addr, ip + 16, 4);
    *wire = total - ihl;
    skip(v, ihl);
    return RR_DECODE_TCP;
}

static bool ipv6_extension(uint8_t next)
{
    return next == 0 || next == 43 || next == 60 || next == 51 || next == 135 || next == 139 ||
           next == 140;
}

/* IPv6: walk the extension-header chain to TCP.  A fragment header (44)
 * means a fragment: not reassembled, ignored like IPv4 fragments. */
static rr_decode_result ipv6(view *v, rr_segment *s, uint32_t *wire)
{
    if (v->len < IPV6_HEADER)
        return RR_DECODE_SHORT;
    const uint8_t *ip = v->p;
    if ((ip[0] >> 4) != 6)
        return RR_DECODE_OTHER;
    uint32_t payload = be16(ip + 4);
    uint8_t next = ip[6];
    s->src.family = s->dst.family = 6;
    memcpy(s->src.addr, ip + 8, 16);
    memcpy(s->dst.addr, ip + 24, 16);
    skip(v, IPV6_HEADER);
    if (payload == 0)
        payload = v->len; /* jumbogram or TSO: what was captured */
    while (ipv6_extension(next)) {
        if (v->len < 8)
            return RR_DECODE_SHORT;
        uint32_t ext = next == 51 ? ((uint32_t)v->p[1] + 2) * 4 : ((uint32_t)v->p[1] + 1) * 8;
        next = v->p[0];
        if (payload < ext || !skip(v, ext))
            return RR_DECODE_SHORT;
        payload -= ext;
    }
    if (next != IPPROTO_TCP_NUM)
        return RR_DECODE_OTHER;
    *wire = payload;
    return RR_DECODE_TCP;
}

static rr_decode_result tcp(view *v, uint32_t wire, rr_segment *s)
{
    if (v->len < TCP_HEADER_MIN)
        return RR_DECODE_SHORT;
    const uint8_t *t = v->p;
    uint32_t off = (uint32_t)(t[12] >> 4) * 4;
    if (off < TCP_HEADER_MIN || wire < off)
        return RR_DECODE_OTHER;
    if (v->len < off)
        return RR_DECODE_SHORT;
    s->src.port = be16(t);
    s->dst.port = be16(t + 2);
    s->seq = be32(t + 4);
    s->ack = be32(t + 8);
    s->flags = t[13];
    skip(v, off);
    s->len = wire - off;
    s->caplen = v->len < s->len ? v->len : s->len; /* ignore Ethernet padding */
    s->payload = v->p;
    return RR_DECODE_TCP;
}

rr_decode_result rr_decode(int dlt, const struct pcap_pkthdr *h, const uint8_t *frame,
                           rr_segment *out)
{
    /* caplen larger than len is a broken writer: trust the smaller. */
    uint32_t caplen = h->caplen > h->len ? h->len : h->caplen;
    view v = {frame, caplen};
    uint16_t ethertype = 0;
    uint32_t wire = 0;
    memset(out, 0, sizeof *out);
    out->ts_us = rr_timestamp_us(&h->ts, &out->ts_clamped);
    if (!link_layer(dlt, &v, &ethertype))
        return RR_DECODE_SHORT;
    rr_decode_result r;
    if (ethertype == ETHERTYPE_IPV4)
        r = ipv4(&v, out, &wire);
    else if (ethertype == ETHERTYPE_IPV6)
        r = ipv6(&v, out, &wire);
    else
        return RR_DECODE_OTHER;
    return r == RR_DECODE_TCP ? tcp(&v, wire, out) : r;
}

const char *rr_endpoint_str(const rr_endpoint *e, char *buf, size_t len)
{
    char ip[INET6_ADDRSTRLEN];
    inet_ntop(e->family == 6 ? AF_INET6 : AF_INET, e->addr, ip, sizeof ip);
    snprintf(buf, len, e->family == 6 ? "[%s]:%u" : "%s:%u", ip, e->port);
    return buf;
}
