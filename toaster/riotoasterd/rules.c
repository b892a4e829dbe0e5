/* rules.c — the protocol core (rules.h): check order, handles, exclusive
 * access, the device calls, the answer and its --trace line. */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "faults.h"
#include "log.h"
#include "rules.h"

void session_init(session *s, const server_config *cfg, devtable *devices, device *fixed, const char *peer)
{
    *s = (session){.cfg = cfg, .devices = devices, .fixed = fixed, .peer = peer};
}

static bool fault(const session *s, unsigned bit)
{
    return s->cfg->faults & bit;
}

static void trace(const session *s, const rio_header *req, uint32_t status, uint32_t len)
{
    char major[16], ioctl[40], st[40];
    uint64_t us = (uint64_t)g_get_monotonic_time() - s->req_us;
    log_msg("trace %s serial=%ld seq=%u %s ioctl=%s status=%s out=%u in=%u resp=%u time=%lluus", s->peer,
            s->dev ? (long)s->dev->serial : -1L, req->sequence, rio_major_str(req->major, major, sizeof major),
            req->major == RIO_MJ_DEVICE_CONTROL ? rio_ioctl_str(req->ioctl, ioctl, sizeof ioctl) : "-",
            rio_status_str(status, st, sizeof st), req->output_length, req->data_length, len,
            (unsigned long long)us);
}

/* The answer to req.  Information is 0 and there is no data on every
 * non-success status (enforced here, once). */
static rules_outcome answer(const session *s, const rio_header *req, uint32_t status, uint32_t info,
                            const uint8_t *data, uint32_t len)
{
    rules_outcome o = {.next = RULES_NEXT, .answer = true};
    if (status != RIO_STATUS_SUCCESS)
        info = len = 0;
    uint32_t seq = req->sequence + (fault(s, FAULT_SEQUENCE_ECHO) ? 1u : 0u);
    rio_header h = rio_response_header(req->major, seq, status, info, len);
    rio_header_encode(&h, o.header);
    o.data = len ? data : NULL;
    o.data_length = len;
    if (s->cfg->trace)
        trace(s, req, status, len);
    return o;
}

static rules_outcome status_only(const session *s, const rio_header *req, uint32_t status)
{
    return answer(s, req, status, 0, NULL, 0);
}

static rules_outcome then_close(rules_outcome o, const char *reason)
{
    o.next = RULES_CLOSE;
    o.reason = reason;
    return o;
}

static rules_outcome handle_create(session *s, const rio_header *req)
{
    if (s->dev) /* second CREATE on one connection (DESIGN.md) */
        return status_only(s, req, RIO_STATUS_INVALID_DEVICE_STATE);
    uint32_t status;
    device *d = devtable_acquire(s->devices, s->fixed, s, fault(s, FAULT_SHARING), &status);
    char name[40];
    if (!d) {
        log_msg("CREATE refused %s: %s", s->peer, rio_status_str(status, name, sizeof name));
        return then_close(status_only(s, req, status),
                          status == RIO_STATUS_DEVICE_BUSY ? "no free device" : "sharing violation");
    }
    s->dev = d;
    log_msg("CREATE granted %s: serial %u (%s)", s->peer, d->serial, d->ops->kind);
    return status_only(s, req, RIO_STATUS_SUCCESS);
}

void rules_release(session *s, uint64_t now_ms)
{
    device *d = s->dev;
    if (!d)
        return;
    s->dev = NULL;
    if (s->waiting)
        d->ops->abandon(d);
    s->waiting = false;
    if (d->holder != s)
        return; /* sharing fault: another connection holds it now */
    d->holder = NULL;
    d->refusing = false;
    if (!fault(s, FAULT_STATE_KEPT)) /* every new handle starts from the same state */
        d->ops->reset(d, now_ms);
}

static rules_outcome handle_close(session *s, const rio_header *req, uint64_t now_ms)
{
    rules_outcome o = status_only(s, req, RIO_STATUS_SUCCESS);
    rules_release(s, now_ms);
    return fault(s, FAULT_OPEN_AFTER_CLOSE) ? o : then_close(o, "CLOSE");
}

/* A WRITE refused for want of room: logged once until the device accepts
 * one again (a client looping on it must not flood the log). */
static void note_resources(session *s, uint32_t status)
{
    device *d = s->dev;
    if (status != RIO_STATUS_INSUFFICIENT_RESOURCES) {
        if (status == RIO_STATUS_SUCCESS)
            d->refusing = false;
        return;
    }
    if (d->refusing)
        return;
    d->refusing = true;
    char detail[200] = "no room";
    if (d->ops->refusal)
        d->ops->refusal(d, detail, sizeof detail);
    log_msg("insufficient resources %s serial %u: WRITE refused with %s", s->peer, d->serial, detail);
}

/* READ, WRITE, DEVICE_CONTROL: the device answers, or the request pends. */
static rules_outcome handle_device(session *s, const rio_pdu *pdu, uint64_t now_ms)
{
    const rio_header *req = &pdu->header;
    device *d = s->dev;
    dev_request rq = {.now_ms = now_ms, .ioctl = req->ioctl, .in = pdu->data, .in_len = req->data_length,
                      .out_len = req->output_length};
    dev_reply r;
    dev_result res;
    if (req->major == RIO_MJ_READ) {
        res = d->ops->read(d, &rq, &r);
    } else if (req->major == RIO_MJ_WRITE) {
        res = d->ops->write(d, &rq, &r);
        if (res == DEV_ANSWER)
            note_resources(s, r.status);
    } else {
        res = d->ops->control(d, &rq, &r);
    }
    if (res == DEV_PEND) {
        s->pending = *req;
        s->waiting = true;
        return (rules_outcome){.next = RULES_PEND};
    }
    return answer(s, req, r.status, r.information, r.data, r.data_length);
}

rules_outcome rules_request(session *s, const rio_pdu *pdu, uint64_t now_ms)
{
    const rio_header *req = &pdu->header;
    if (s->cfg->trace)
        s->req_us = (uint64_t)g_get_monotonic_time();
    if (!rio_major_name(req->major)) /* not in rio.h's table */
        return status_only(s, req, RIO_STATUS_INVALID_DEVICE_REQUEST);
    if (req->major == RIO_MJ_CREATE)
        return handle_create(s, req);
    if (!s->dev)
        return status_only(s, req, RIO_STATUS_INVALID_HANDLE);
    switch (req->major) {
    case RIO_MJ_CLOSE:
        return handle_close(s, req, now_ms);
    case RIO_MJ_READ:
    case RIO_MJ_WRITE:
    case RIO_MJ_DEVICE_CONTROL:
        return handle_device(s, pdu, now_ms);
    default: /* CLEANUP: nothing to cancel in a serialized protocol */
        return status_only(s, req, RIO_STATUS_SUCCESS);
    }
}

dev_wait rules_wait(const session *s)
{
    if (!s->waiting || !s->dev)
        return (dev_wait){.deadline_ms = DEV_NO_DEADLINE, .fd = -1};
    return s->dev->ops->wait(s->dev);
}

rules_outcome rules_poll(session *s, uint64_t now_ms)
{
    dev_reply r;
    if (!s->waiting || s->dev->ops->poll(s->dev, now_ms, &r) == DEV_PEND)
        return (rules_outcome){.next = RULES_PEND};
    s->waiting = false;
    return answer(s, &s->pending, r.status, r.information, r.data, r.data_length);
}

rules_outcome rules_framing_error(session *s, const rio_framer *f)
{
    const rio_header *req = &f->header;
    rio_error e = f->error;
    if (s->cfg->trace)
        s->req_us = (uint64_t)g_get_monotonic_time();
    if (e == RIO_ERR_VERSION && req->version == 2 && fault(s, FAULT_VERSION_2)) {
        rules_outcome o = {.next = RULES_REFEED};
        memcpy(o.header, f->raw, RIO_HEADER_SIZE);
        o.header[RIO_OFF_VERSION] = RIO_VERSION;
        return o;
    }
    log_msg("framing error %s: %s (version %u, header length %u, data length %u, output length %u)", s->peer,
            rio_error_text(e), req->version, req->header_length, req->data_length, req->output_length);
    rules_outcome o = {.next = RULES_NEXT};
    if (e == RIO_ERR_VERSION)
        o = status_only(s, req, RIO_STATUS_REVISION_MISMATCH);
    else if (e == RIO_ERR_DATA_LENGTH || e == RIO_ERR_OUTPUT_LENGTH)
        o = status_only(s, req, RIO_STATUS_INVALID_BUFFER_SIZE);
    return then_close(o, rio_error_text(e));
}
