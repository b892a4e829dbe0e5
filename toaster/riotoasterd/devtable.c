/* devtable.c — who holds which toaster, and the simulated toasting clock. */
#include <glib.h>

#include "faults.h"
#include "server.h"

static void cycle_done(loop *l, void *data)
{
    (void)l;
    device *d = data;
    toaster_finish_cycle(&d->model);
    conn *reader = d->pending_reader;
    if (!reader)
        return;
    d->pending_reader = NULL;
    session_complete_read(reader);
    conn_resume(reader);
    conn_settle(reader);
}

void device_init(device *d, server *s, uint32_t serial)
{
    d->srv = s;
    d->holder = d->pending_reader = NULL;
    toaster_init(&d->model, serial, s->cfg->faults & FAULT_MODEL_MASK);
    toaster_set_pool(&d->model, &s->pool);
    loop_timer_init(&d->cycle, cycle_done, d);
}

void device_free(device *d)
{
    loop_timer_disarm(d->srv->loop, &d->cycle);
    toaster_free(&d->model);
}

void device_start_cycle(device *d, uint32_t levels)
{
    uint64_t ms = (uint64_t)levels * d->srv->cfg->toast_ms_per_level;
    if (ms == 0) {
        toaster_finish_cycle(&d->model); /* instant toaster */
        return;
    }
    loop_timer_arm(d->srv->loop, &d->cycle, loop_now(d->srv->loop) + ms);
}

/* Farm mode: the lowest-numbered free toaster. */
static device *farm_pick(server *s)
{
    for (size_t i = 0; i < s->ndevices; i++)
        if (!s->devices[i].holder)
            return &s->devices[i];
    return NULL;
}

device *device_acquire(conn *c, uint32_t *status)
{
    server *s = c->srv;
    bool sharing = s->cfg->faults & FAULT_SHARING;
    device *d = c->fixed_dev ? c->fixed_dev : farm_pick(s);
    if (!c->fixed_dev && !d) {
        if (!sharing) {
            *status = RIO_STATUS_DEVICE_BUSY;
            return NULL;
        }
        d = &s->devices[0]; /* fault: share the first toaster */
    }
    if (d->holder && !sharing) {
        *status = RIO_STATUS_SHARING_VIOLATION;
        return NULL;
    }
    d->holder = c;
    c->dev = d;
    return d;
}

/* Every new handle starts from the same state (DESIGN.md): the cycle is
 * cancelled and the toaster emptied, unless the state-kept fault is on (then
 * a running cycle is left to finish so the toaster does not stay TOASTING). */
void device_release(conn *c)
{
    device *d = c->dev;
    if (!d)
        return;
    c->dev = NULL;
    if (d->pending_reader == c)
        d->pending_reader = NULL;
    c->pending_read = false;
    if (d->holder != c)
        return; /* sharing fault: another connection holds it now */
    d->holder = NULL;
    d->refusing = false;
    if (c->srv->cfg->faults & FAULT_STATE_KEPT)
        return;
    loop_timer_disarm(c->srv->loop, &d->cycle);
    toaster_reset(&d->model);
}
