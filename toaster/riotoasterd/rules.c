/* rules.c — what one request means: the session rules of docs/PROTOCOL.md
 * (check order: MajorFunction known, handle open, then the operation), the
 * toaster calls, the answer and its --trace line. */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "faults.h"
#include "server.h"

static bool fault(const conn *c, unsigned bit)
{
    return c->srv->cfg->faults & bit;
}

static void trace(const conn *c, const rio_header *req, uint32_t status, uint32_t len)
{
    char major[16], ioctl[40], st[40];
    uint64_t us = (uint64_t)g_get_monotonic_time() - c->req_us;
    log_msg("trace %s serial=%ld seq=%u %s ioctl=%s status=%s out=%u in=%u resp=%u time=%lluus", c->peer,
              c->dev ? (long)c->dev->model.serial : -1L, req->sequence, rio_major_str(req->major, major, sizeof major),
              req->major == RIO_MJ_DEVICE_CONTROL ? rio_ioctl_str(req->ioctl, ioctl, sizeof ioctl) : "-",
              rio_status_str(status, st, sizeof st), req->output_length, req->data_length, len,
              (unsigned long long)us);
}

/* Answer req.  Information is 0 and there is no data on every non-success
 * status (enforced here, once). */
static void reply(conn *c, const rio_header *req, uint32_t status, uint32_t info, const uint8_t *data,
                  uint32_t len)
{
    if (status != RIO_STATUS_SUCCESS)
        info = len = 0;
    uint32_t seq = req->sequence + (fault(c, FAULT_SEQUENCE_ECHO) ? 1u : 0u);
    rio_header h = rio_response_header(req->major, seq, status, info, len);
    uint8_t raw[RIO_HEADER_SIZE];
    rio_header_encode(&h, raw);
    if (c->srv->cfg->trace)
        trace(c, req, status, len);
    conn_send(c, raw, data, len);
}

static void reply_toaster(conn *c, const rio_header *req, toaster_reply r)
{
    reply(c, req, r.status, r.information, r.data, r.data_length);
}

static void handle_create(conn *c, const rio_header *req)
{
    if (c->dev) { /* second CREATE on one connection (DESIGN.md) */
        reply(c, req, RIO_STATUS_INVALID_DEVICE_STATE, 0, NULL, 0);
        return;
    }
    uint32_t status;
    device *d = device_acquire(c, &status);
    char name[40];
    if (!d) {
        log_msg("CREATE refused %s: %s", c->peer, rio_status_str(status, name, sizeof name));
        reply(c, req, status, 0, NULL, 0);
        conn_finish(c, status == RIO_STATUS_DEVICE_BUSY ? "no free toaster" : "sharing violation");
        return;
    }
    log_msg("CREATE granted %s: serial %u", c->peer, d->model.serial);
    reply(c, req, RIO_STATUS_SUCCESS, 0, NULL, 0);
}

static void handle_close(conn *c, const rio_header *req)
{
    reply(c, req, RIO_STATUS_SUCCESS, 0, NULL, 0);
    device_release(c);
    if (!fault(c, FAULT_OPEN_AFTER_CLOSE))
        conn_finish(c, "CLOSE");
}

static void handle_read(conn *c, const rio_header *req)
{
    toaster *t = &c->dev->model;
    bool pend = toaster_toasting(t) && req->output_length > 0 && !fault(c, FAULT_READ_NO_PEND) &&
                !c->dev->pending_reader;
    if (pend) { /* answered by session_complete_read when the cycle ends */
        c->pending = *req;
        c->pending_read = true;
        c->dev->pending_reader = c;
        return;
    }
    uint32_t want = req->output_length + (fault(c, FAULT_DATA_OVER_OUTPUT) ? 1u : 0u);
    reply_toaster(c, req, toaster_read(t, want));
}

void session_complete_read(conn *c)
{
    c->pending_read = false;
    handle_read(c, &c->pending);
}

/* A WRITE refused for want of room in the ready toast: logged once until
 * the toaster accepts one again (a client looping on it must not flood the
 * log). */
static void note_resources(conn *c, uint32_t status)
{
    device *d = c->dev;
    if (status != RIO_STATUS_INSUFFICIENT_RESOURCES) {
        if (status == RIO_STATUS_SUCCESS)
            d->refusing = false;
        return;
    }
    if (d->refusing)
        return;
    d->refusing = true;
    const toaster_pool *p = &c->srv->pool;
    log_msg("insufficient resources %s serial %u: WRITE refused with ready %u + loaded %u bytes (limit %zu per "
            "toaster; %zu of %zu bytes held by all toasters)",
            c->peer, d->model.serial, toaster_ready_bytes(&d->model), d->model.loaded_len, p->max_ready, p->used,
            p->budget);
}

static void handle_write(conn *c, const rio_pdu *pdu)
{
    toaster_reply r = toaster_write(&c->dev->model, pdu->data, pdu->header.data_length);
    note_resources(c, r.status);
    reply_toaster(c, &pdu->header, r);
}

static void handle_ioctl(conn *c, const rio_pdu *pdu)
{
    uint32_t levels;
    const rio_header *req = &pdu->header;
    toaster_reply r = toaster_ioctl(&c->dev->model, req->ioctl, pdu->data, req->data_length,
                                    req->output_length, c->srv->info_scratch, &levels);
    reply_toaster(c, req, r);
    if (levels)
        device_start_cycle(c->dev, levels);
}

void session_handle(conn *c, const rio_pdu *pdu)
{
    const rio_header *req = &pdu->header;
    if (!rio_major_name(req->major)) { /* not in rio.h's table */
        reply(c, req, RIO_STATUS_INVALID_DEVICE_REQUEST, 0, NULL, 0);
        return;
    }
    if (req->major == RIO_MJ_CREATE) {
        handle_create(c, req);
        return;
    }
    if (!c->dev) {
        reply(c, req, RIO_STATUS_INVALID_HANDLE, 0, NULL, 0);
        return;
    }
    switch (req->major) {
    case RIO_MJ_CLOSE:
        handle_close(c, req);
        break;
    case RIO_MJ_READ:
        handle_read(c, req);
        break;
    case RIO_MJ_WRITE:
        handle_write(c, pdu);
        break;
    case RIO_MJ_DEVICE_CONTROL:
        handle_ioctl(c, pdu);
        break;
    default: /* CLEANUP: nothing to cancel in a serialized protocol */
        reply(c, req, RIO_STATUS_SUCCESS, 0, NULL, 0);
        break;
    }
}

/* Fault version-2-accepted: feed the header again as Version 1. */
static void accept_version_2(conn *c)
{
    uint8_t raw[RIO_HEADER_SIZE];
    memcpy(raw, c->framer.raw, sizeof raw);
    raw[RIO_OFF_VERSION] = RIO_VERSION;
    rio_framer_reset(&c->framer);
    conn_consume(c, raw, sizeof raw);
}

void session_framing_error(conn *c)
{
    const rio_header *req = &c->framer.header;
    rio_error e = c->framer.error;
    if (e == RIO_ERR_VERSION && req->version == 2 && fault(c, FAULT_VERSION_2)) {
        accept_version_2(c);
        return;
    }
    log_msg("framing error %s: %s (version %u, header length %u, data length %u, output length %u)", c->peer,
              rio_error_text(e), req->version, req->header_length, req->data_length, req->output_length);
    if (e == RIO_ERR_VERSION)
        reply(c, req, RIO_STATUS_REVISION_MISMATCH, 0, NULL, 0);
    else if (e == RIO_ERR_DATA_LENGTH || e == RIO_ERR_OUTPUT_LENGTH)
        reply(c, req, RIO_STATUS_INVALID_BUFFER_SIZE, 0, NULL, 0);
    conn_finish(c, rio_error_text(e));
}
