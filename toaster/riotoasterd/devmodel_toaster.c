/* devmodel_toaster.c — the toaster (toasterdev.c) behind the device
 * interface (devmodel.h).
 *
 * toasterdev.c has no clock; this model gives it one: START sets when the
 * cycle ends (darkness x --toast-ms-per-level), and every call first ends a
 * cycle whose time has come.  A READ during a cycle pends (brief section 5:
 * the asynchronous path) and waits for that deadline. */
#include <stdio.h>
#include <stdlib.h>

#include "devmodel.h"
#include "faults.h"
#include "rio/rio.h"
#include "toasterdev.h"

typedef struct toaster_model {
    toaster t;
    uint32_t ms_per_level;
    bool read_no_pend;  /* fault read-not-pending */
    uint32_t read_extra; /* fault data-over-output: 1 byte more than asked */
    uint64_t cycle_end; /* the running cycle ends then (when toasting) */
    bool reading;       /* a READ pends until the cycle ends */
    uint32_t read_want;
    uint8_t scratch[RIO_TOASTER_INFO_SIZE]; /* GET_INFO / GET_STATUS output */
} toaster_model;

static toaster_model *model(const device *d)
{
    return d->model;
}

/* The faults toasterdev.c implements itself. */
static unsigned model_faults(unsigned faults)
{
    return ((faults & FAULT_DARKNESS_RANGE) ? TOASTER_FAULT_DARKNESS_RANGE : 0) |
           ((faults & FAULT_IOCTL_SUCCESS) ? TOASTER_FAULT_IOCTL_SUCCESS : 0) |
           ((faults & FAULT_READ_DROP) ? TOASTER_FAULT_READ_DROP : 0) |
           ((faults & FAULT_WRITE_INFO) ? TOASTER_FAULT_WRITE_INFO : 0);
}

static dev_result reply(dev_reply *r, toaster_reply tr)
{
    *r = (dev_reply){tr.status, tr.information, tr.data, tr.data_length};
    return DEV_ANSWER;
}

/* End the running cycle if its time has come. */
static void catch_up(toaster_model *m, uint64_t now)
{
    if (toaster_toasting(&m->t) && now >= m->cycle_end)
        toaster_finish_cycle(&m->t);
}

static int toaster_open(device *d, const char *arg, const device_env *env, char *err, size_t errlen)
{
    (void)arg;
    toaster_model *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "out of memory for toaster %u", d->serial);
        return -1;
    }
    toaster_init(&m->t, d->serial, model_faults(env->faults));
    toaster_set_pool(&m->t, env->pool);
    m->ms_per_level = env->toast_ms_per_level;
    m->read_no_pend = env->faults & FAULT_READ_NO_PEND;
    m->read_extra = (env->faults & FAULT_DATA_OVER_OUTPUT) ? 1 : 0;
    d->model = m;
    return 0;
}

static void toaster_close(device *d)
{
    toaster_model *m = model(d);
    if (!m)
        return;
    toaster_free(&m->t);
    free(m);
    d->model = NULL;
}

static void toaster_abandon(device *d)
{
    model(d)->reading = false;
}

static void toaster_reset_model(device *d, uint64_t now)
{
    (void)now;
    toaster_model *m = model(d);
    m->reading = false;
    toaster_reset(&m->t); /* cancels the cycle */
}

static dev_result toaster_read_req(device *d, const dev_request *rq, dev_reply *r)
{
    toaster_model *m = model(d);
    catch_up(m, rq->now_ms);
    /* A second READ while one pends can only come through the sharing
     * fault: it is answered at once, as a READ without a cycle. */
    if (toaster_toasting(&m->t) && rq->out_len > 0 && !m->read_no_pend && !m->reading) {
        m->reading = true;
        m->read_want = rq->out_len + m->read_extra;
        return DEV_PEND;
    }
    return reply(r, toaster_read(&m->t, rq->out_len + m->read_extra));
}

static dev_result toaster_write_req(device *d, const dev_request *rq, dev_reply *r)
{
    toaster_model *m = model(d);
    catch_up(m, rq->now_ms);
    return reply(r, toaster_write(&m->t, rq->in, rq->in_len));
}

static dev_result toaster_control(device *d, const dev_request *rq, dev_reply *r)
{
    toaster_model *m = model(d);
    uint32_t levels;
    catch_up(m, rq->now_ms);
    toaster_reply tr = toaster_ioctl(&m->t, rq->ioctl, rq->in, rq->in_len, rq->out_len, m->scratch, &levels);
    uint64_t ms = (uint64_t)levels * m->ms_per_level;
    if (levels && ms == 0)
        toaster_finish_cycle(&m->t); /* the instant toaster */
    else if (levels)
        m->cycle_end = rq->now_ms + ms;
    return reply(r, tr);
}

/* The pending READ is answered once the cycle is over (or was ended by an
 * EJECT through the sharing fault). */
static dev_result toaster_poll(device *d, uint64_t now, dev_reply *r)
{
    toaster_model *m = model(d);
    catch_up(m, now);
    if (!m->reading || toaster_toasting(&m->t))
        return DEV_PEND;
    m->reading = false;
    return reply(r, toaster_read(&m->t, m->read_want));
}

static dev_wait toaster_wait(const device *d)
{
    const toaster_model *m = model(d);
    bool timed = m->reading && toaster_toasting(&m->t);
    return (dev_wait){.deadline_ms = timed ? m->cycle_end : DEV_NO_DEADLINE, .fd = -1};
}

static void toaster_refusal(const device *d, char *out, size_t len)
{
    const toaster_model *m = model(d);
    const toaster_pool *p = m->t.pool;
    snprintf(out, len, "ready %u + loaded %u bytes (limit %zu per toaster; %zu of %zu bytes held by all toasters)",
             toaster_ready_bytes(&m->t), m->t.loaded_len, p ? p->max_ready : 0, p ? p->used : 0,
             p ? p->budget : 0);
}

const device_ops devmodel_toaster = {
    .kind = "toaster",
    .plural = "toasters",
    .summary = "the simulated toaster (brief section 5)",
    .open = toaster_open,
    .close = toaster_close,
    .reset = toaster_reset_model,
    .abandon = toaster_abandon,
    .read = toaster_read_req,
    .write = toaster_write_req,
    .control = toaster_control,
    .poll = toaster_poll,
    .wait = toaster_wait,
    .refusal = toaster_refusal,
};
