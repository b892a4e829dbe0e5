/*
 * rio/librio.h — librio: header codec, incremental framer, name lookup.
 *
 * The blocking client API is in rio/client.h.  Constants come from rio/rio.h.
 */
#ifndef RIO_LIBRIO_H
#define RIO_LIBRIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rio/rio.h"

/* ---- Headers ------------------------------------------------------------- */

typedef enum rio_kind {
    RIO_REQUEST,   /* client -> server, signature RIOQ */
    RIO_RESPONSE,  /* server -> client, signature RIOP */
} rio_kind;

/* A decoded fixed header.  Bytes 12 and 16 mean different things in the two
 * directions; the unions name both. */
typedef struct rio_header {
    rio_kind kind;
    uint8_t version;
    uint8_t major;
    uint16_t header_length;
    uint32_t sequence;
    union {
        uint32_t ioctl;  /* request */
        uint32_t status; /* response */
    };
    union {
        uint32_t output_length; /* request */
        uint32_t information;   /* response */
    };
    uint32_t data_length; /* RequestDataLength or ResponseDataLength */
} rio_header;

/* Validation results, in the order rio_header_decode checks them (the order
 * of docs/PROTOCOL.md's framing-error rules).  One row per result: the enum
 * symbol, the field that broke the rule (the reason name the dissector,
 * rio-replay's JSON and the capture expectations use) and a text for people.
 * This table is the only list of framing errors in the toolkit. */
#define RIO_ERROR_TABLE(X) \
    X(RIO_OK, "", "ok") \
    X(RIO_ERR_SIGNATURE, "signature", "bad signature") \
    X(RIO_ERR_HEADER_LENGTH, "header_length", "header length out of range 24..256") \
    X(RIO_ERR_VERSION, "version", "unsupported version") \
    X(RIO_ERR_DATA_LENGTH, "data_length", "data length over the 1 MiB limit") \
    X(RIO_ERR_OUTPUT_LENGTH, "output_length", "output length over the 1 MiB limit")

typedef enum rio_error {
#define RIO_X_ENUM(sym, field, text) sym,
    RIO_ERROR_TABLE(RIO_X_ENUM)
#undef RIO_X_ENUM
} rio_error;

/* Decode the 24-byte fixed header at buf (which must hold RIO_HEADER_SIZE
 * bytes) expecting direction `kind`.  All fields are filled even on error, so
 * a server can echo Sequence and MajorFunction in its error answer.  Returns
 * the first rule broken, or RIO_OK.  OutputLength is checked on requests
 * only; a response's ResponseDataLength is checked against RIO_DATA_MAX. */
rio_error rio_header_decode(const uint8_t *buf, rio_kind kind, rio_header *out);

/* Encode the 24-byte fixed header.  Writes h->header_length as given (pass
 * RIO_HEADER_SIZE for a plain header); never writes the extra bytes. */
void rio_header_encode(const rio_header *h, uint8_t out[RIO_HEADER_SIZE]);

/* Convenience initialisers: version 1, header length 24. */
rio_header rio_request_header(uint8_t major, uint32_t sequence, uint32_t ioctl,
                              uint32_t output_length, uint32_t data_length);
rio_header rio_response_header(uint8_t major, uint32_t sequence, uint32_t status,
                               uint32_t information, uint32_t data_length);

const char *rio_error_text(rio_error e);
/* The field a framing error names ("signature", "header_length", ...; ""
 * for RIO_OK). */
const char *rio_error_field(rio_error e);

/* ---- Resynchronisation: where a PDU can start ---------------------------- */

/* The one rule every decoder uses to find a PDU start in bytes it cannot
 * frame (a capture that starts mid-stream, resync after an error): the
 * signature of direction `kind` and a HeaderLength in 24..256, whatever the
 * other fields say.  Those are the two checks whose failure makes the brief
 * distrust the stream (close without an answer); a header that passes them
 * is a PDU, even one that breaks a later rule (Version, a length limit) or
 * names an unknown MajorFunction.  A decoder's heuristic that claims a whole
 * conversation may ask for more; that is its own rule, not this one.
 *
 * rio_resync_at: could buf[0..len) be the start of such a header?  With len
 * >= RIO_HEADER_SIZE the rule is applied; with fewer bytes, true when the
 * bytes present do not already break it (so a caller can wait for more). */
bool rio_resync_at(const uint8_t *buf, size_t len, rio_kind kind);

/* The first offset in buf[0..len) where rio_resync_at holds (a partial
 * header at the end counts), or len if none. */
size_t rio_resync_find(const uint8_t *buf, size_t len, rio_kind kind);

/* The direction whose signature buf[0..4) carries; false for neither. */
bool rio_signature_kind(const uint8_t *buf, rio_kind *kind);

/* ---- Incremental framer: "receive header, then receive data" ------------- */

typedef enum rio_framer_state {
    RIO_FRAMER_HEADER, /* collecting the 24-byte fixed header */
    RIO_FRAMER_SKIP,   /* skipping header bytes 24..HeaderLength-1 */
    RIO_FRAMER_DATA,   /* collecting DataLength data bytes */
    RIO_FRAMER_FAILED, /* a header broke a framing rule; see rio_framer.error */
} rio_framer_state;

typedef struct rio_framer {
    rio_kind kind;
    rio_framer_state state;
    rio_error error;             /* valid in RIO_FRAMER_FAILED */
    rio_header header;           /* the PDU being received (or failed) */
    uint8_t raw[RIO_HEADER_SIZE];
    size_t have;                 /* bytes of raw[] or of data received */
    uint32_t skip_left;
    uint8_t *data;               /* owned; capacity data_cap */
    size_t data_cap;
} rio_framer;

/* One whole PDU.  `data` belongs to the framer and stays valid until the next
 * rio_framer_feed/reset/free call. */
typedef struct rio_pdu {
    rio_header header;
    const uint8_t *data;
} rio_pdu;

typedef enum rio_feed_result {
    RIO_FEED_MORE,  /* all input consumed, no PDU complete yet */
    RIO_FEED_PDU,   /* *pdu holds a whole PDU; more input may remain */
    RIO_FEED_ERROR, /* framing error: f->error, f->header hold the details */
} rio_feed_result;

void rio_framer_init(rio_framer *f, rio_kind kind);
void rio_framer_reset(rio_framer *f); /* back to RIO_FRAMER_HEADER, keeps buffer */
void rio_framer_free(rio_framer *f);

/* Consume bytes from buf[0..len) until one PDU is complete, a framing error
 * is found, or the input runs out.  *used is set to the bytes consumed; call
 * again with the rest.  After RIO_FEED_ERROR the framer stays FAILED (the
 * stream can no longer be trusted) until rio_framer_reset. */
rio_feed_result rio_framer_feed(rio_framer *f, const uint8_t *buf, size_t len,
                                size_t *used, rio_pdu *pdu);

/* True while a PDU has started to arrive but is not complete (stall timer). */
bool rio_framer_mid_pdu(const rio_framer *f);

/* ---- Names (from the X-macro tables of rio/rio.h) ------------------------ */

/* Each returns NULL for an unknown value. */
const char *rio_major_name(uint8_t major);        /* "CREATE", ... */
const char *rio_status_name(uint32_t status);     /* "STATUS_SUCCESS", ... */
const char *rio_ioctl_name(uint32_t ioctl);       /* "IOCTL_TOASTER_GET_INFO", ... */
const char *rio_toaster_state_name(uint32_t state);

/* Reverse lookups for command lines: accept the full or short name, any
 * case, or a number (decimal or 0x hex).  Return false if unknown. */
bool rio_major_parse(const char *s, uint8_t *out);
bool rio_status_parse(const char *s, uint32_t *out);
bool rio_ioctl_parse(const char *s, uint32_t *out);

/* Format "NAME" or "0x%08X" into buf (always NUL-terminated). */
const char *rio_major_str(uint8_t major, char *buf, size_t len);
const char *rio_status_str(uint32_t status, char *buf, size_t len);
const char *rio_ioctl_str(uint32_t ioctl, char *buf, size_t len);

#endif /* RIO_LIBRIO_H */
