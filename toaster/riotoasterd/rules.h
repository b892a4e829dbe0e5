/* rules.h — the protocol core: what one request means (docs/PROTOCOL.md
 * sections 3-10), whatever the device.
 *
 * Check order (brief section 4): framing errors, an unknown MajorFunction,
 * no handle, then the operation.  CREATE takes a device (exclusive access,
 * farm choice), CLOSE and disconnect give it back and reset it, READ,
 * WRITE and DEVICE_CONTROL go to the device model (devmodel.h), which may
 * pend the request.
 *
 * Every call RETURNS what the connection does next (a rules_outcome): send
 * an answer, and go on, wait for the device, close after the answers, or
 * frame a header again.  rules.c never touches the connection, its socket
 * or its timers. */
#ifndef RIOTOASTERD_RULES_H
#define RIOTOASTERD_RULES_H

#include <stdbool.h>
#include <stdint.h>

#include "daemonopts.h"
#include "devmodel.h"
#include "devtable.h"
#include "rio/librio.h"

/* One connection's side of the protocol. */
typedef struct session {
    const server_config *cfg;
    devtable *devices;
    device *fixed;       /* per-device mode: the port's device; farm: NULL */
    device *dev;         /* the device this connection's handle holds, or NULL */
    bool waiting;        /* `pending` waits on the device */
    rio_header pending;  /* the request the device has not answered yet */
    uint64_t req_us;     /* --trace: when the current request was framed */
    const char *peer;    /* for log lines */
} session;

typedef enum rules_next {
    RULES_NEXT,   /* go on with the next request */
    RULES_PEND,   /* no answer yet: the device completes it (rules_wait, rules_poll) */
    RULES_CLOSE,  /* close once the answers went out (`reason`) */
    RULES_REFEED, /* frame `header` again (fault version-2-accepted) */
} rules_next;

typedef struct rules_outcome {
    rules_next next;
    bool answer;                      /* header + data are to be sent */
    uint8_t header[RIO_HEADER_SIZE];  /* the response header (RULES_REFEED: the request's) */
    const uint8_t *data;              /* valid until the next call into the device */
    uint32_t data_length;
    const char *reason;               /* RULES_CLOSE: why, for the log */
} rules_outcome;

void session_init(session *s, const server_config *cfg, devtable *devices, device *fixed, const char *peer);

/* A whole request, framed at now_ms. */
rules_outcome rules_request(session *s, const rio_pdu *pdu, uint64_t now_ms);
/* The framer failed (f->error, f->header). */
rules_outcome rules_framing_error(session *s, const rio_framer *f);
/* What the pending request waits for. */
dev_wait rules_wait(const session *s);
/* Time passed or the device's fd is readable: RULES_PEND while the request
 * still waits, else its answer. */
rules_outcome rules_poll(session *s, uint64_t now_ms);
/* The handle ends (CLOSE answered, the connection closes): a pending
 * request is abandoned unanswered and the device is reset and freed. */
void rules_release(session *s, uint64_t now_ms);

#endif
