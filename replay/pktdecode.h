/* pktdecode.h — from a captured frame to one TCP segment.
 *
 * Link layers: Ethernet (with stacked 802.1Q/802.1ad/QinQ tags), BSD NULL and
 * LOOP, RAW/IPv4/IPv6, Linux cooked v1 and v2.  IPv4 with options, IPv6 with
 * extension headers.  Checksums are never validated (offloading makes them
 * meaningless in captures).  An IP total length of 0 (TSO/LSO capture) means
 * "as many bytes as were captured". */
#ifndef RR_PKTDECODE_H
#define RR_PKTDECODE_H

#include <stdbool.h>
#include <stdint.h>

#include <pcap/pcap.h>

#define RR_TCP_FIN 0x01
#define RR_TCP_SYN 0x02
#define RR_TCP_RST 0x04
#define RR_TCP_ACK 0x10

typedef struct rr_endpoint {
    uint8_t family; /* 4 or 6 */
    uint8_t addr[16];
    uint16_t port;
} rr_endpoint;

/* Capture timestamps are kept in microseconds since the epoch, within
 * [RR_TS_MIN, RR_TS_MAX] (years 1 BC..9999): a pcapng timestamp can count
 * to 2^64 ticks, which does not fit, and the tools add and subtract
 * timestamps, so the bound leaves room for that too.  Out-of-range ones are
 * clamped (and counted: see rr_segment.ts_clamped). */
#define RR_TS_MAX_SEC 253402300799LL /* 9999-12-31T23:59:59Z */
#define RR_TS_MAX (RR_TS_MAX_SEC * 1000000 + 999999)
#define RR_TS_MIN (-RR_TS_MAX)

typedef struct rr_segment {
    int64_t ts_us;          /* capture timestamp, microseconds since epoch */
    bool ts_clamped;        /* the recorded timestamp was out of range */
    rr_endpoint src, dst;
    uint32_t seq, ack;
    uint8_t flags;
    const uint8_t *payload; /* captured payload bytes */
    uint32_t caplen;        /* payload bytes captured */
    uint32_t len;           /* payload bytes on the wire (>= caplen) */
} rr_segment;

typedef enum rr_decode_result {
    RR_DECODE_TCP,       /* *out is a TCP segment */
    RR_DECODE_OTHER,     /* not TCP over IP (ARP, UDP, fragments): ignored */
    RR_DECODE_SHORT,     /* headers cut off by snaplen: nothing usable */
} rr_decode_result;

/* A pcap timestamp in microseconds, clamped to [RR_TS_MIN, RR_TS_MAX];
 * *clamped tells whether it had to be. */
int64_t rr_timestamp_us(const struct timeval *tv, bool *clamped);

/* True if this libpcap link type is one decode understands. */
bool rr_linktype_supported(int dlt);

rr_decode_result rr_decode(int dlt, const struct pcap_pkthdr *h, const uint8_t *frame,
                           rr_segment *out);

/* "1.2.3.4:5001" or "[::1]:5001" into buf. */
const char *rr_endpoint_str(const rr_endpoint *e, char *buf, size_t len);

#endif
