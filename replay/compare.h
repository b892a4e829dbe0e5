/* compare.h — a recorded response against a live one, field by field. */
#ifndef RR_COMPARE_H
#define RR_COMPARE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "rio/librio.h"

/* Fields a divergence can name, and --ignore accepts. */
#define RR_FIELD_TABLE(X) \
    X(RR_FIELD_SIGNATURE, "signature") \
    X(RR_FIELD_VERSION, "version") \
    X(RR_FIELD_MAJOR, "major") \
    X(RR_FIELD_HEADER_LENGTH, "header_length") \
    X(RR_FIELD_SEQUENCE, "seq") \
    X(RR_FIELD_IOCTL, "ioctl") \
    X(RR_FIELD_OUTPUT_LENGTH, "output_length") \
    X(RR_FIELD_STATUS, "status") \
    X(RR_FIELD_INFORMATION, "information") \
    X(RR_FIELD_LENGTH, "length") \
    X(RR_FIELD_DATA, "data") \
    X(RR_FIELD_CLOSE, "close") \
    X(RR_FIELD_RESPONSE, "response") \
    X(RR_FIELD_REQUEST, "request")

typedef enum rr_field {
#define RR_X(sym, text) sym,
    RR_FIELD_TABLE(RR_X)
#undef RR_X
    RR_FIELD_COUNT
} rr_field;

const char *rr_field_name(rr_field f);
/* Accepts the names above, Wireshark-style aliases (sequence, data_length,
 * response_length, request_length, ...) and an optional "rio." prefix. */
bool rr_field_parse(const char *s, rr_field *out);

/* One difference. */
typedef struct rr_diff {
    rr_field field;
    char recorded[64], live[64];
    int64_t data_offset;      /* first differing data byte, -1 if n/a */
} rr_diff;

/* A PDU to compare: its 24-byte fixed header and its data. */
typedef struct rr_pdu_view {
    const uint8_t *header;
    const uint8_t *data;
    size_t data_len;
} rr_pdu_view;

/* A whole recorded PDU (header, extra header bytes, data) as a view. */
rr_pdu_view rr_view_of_bytes(const uint8_t *p, size_t len);

/* Compare field by field.  kind tells which names the words at offsets 12
 * and 16 carry.  Ignored fields are skipped.  Appends rr_diff to diffs;
 * returns the number added. */
unsigned rr_compare_pdus(rr_pdu_view rec, rr_pdu_view live, rio_kind kind, uint32_t ignore,
                         GArray *diffs);
/* A hexdump of both data parts around a differing offset, into g. */
void rr_hexdump_diff(GString *g, rr_pdu_view rec, rr_pdu_view live, size_t offset);

#endif
