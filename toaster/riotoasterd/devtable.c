/* devtable.c — the served devices and their ownership (devtable.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devtable.h"
#include "rio/rio.h"
#include "toasterdev.h"

static int open_one(devtable *t, uint32_t serial, const device_ops *ops, const char *arg, char *err, size_t errlen)
{
    device *d = &t->devices[t->n];
    *d = (device){.ops = ops, .serial = serial};
    errno = 0;
    if (ops->open(d, arg, &t->env, err, errlen) < 0)
        return errno == ENOMEM ? EXIT_RUNTIME : EXIT_UNAVAILABLE;
    t->n++;
    return 0;
}

int devtable_open(devtable *t, const server_config *cfg, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    t->farm = cfg->farm;
    t->env = (device_env){.faults = cfg->faults, .toast_ms_per_level = cfg->toast_ms_per_level};
    t->env.pool = calloc(1, sizeof *t->env.pool);
    t->devices = calloc(cfg->ndevices ? cfg->ndevices : 1, sizeof *t->devices);
    if (!t->env.pool || !t->devices) {
        snprintf(err, errlen, "out of memory for %zu devices", cfg->ndevices);
        devtable_close(t);
        return EXIT_RUNTIME;
    }
    *t->env.pool = (toaster_pool){.max_ready = cfg->max_ready, .budget = cfg->memory_budget};
    for (size_t i = 0; i < cfg->ndevices; i++) {
        const device_spec *spec = &cfg->devices[i];
        int rc = open_one(t, spec->serial, spec->ops, spec->arg, err, errlen);
        if (rc != 0) {
            devtable_close(t);
            return rc;
        }
    }
    return 0;
}

void devtable_close(devtable *t)
{
    for (size_t i = 0; i < t->n; i++)
        t->devices[i].ops->close(&t->devices[i]);
    free(t->devices);
    free(t->env.pool);
    memset(t, 0, sizeof *t);
}

/* Farm mode: the lowest-numbered free device. */
static device *farm_pick(devtable *t)
{
    for (size_t i = 0; i < t->n; i++)
        if (!t->devices[i].holder)
            return &t->devices[i];
    return NULL;
}

device *devtable_acquire(devtable *t, device *fixed, const struct session *holder, bool sharing,
                         uint32_t *status)
{
    device *d = fixed ? fixed : farm_pick(t);
    if (!d) {
        if (!sharing) {
            *status = RIO_STATUS_DEVICE_BUSY;
            return NULL;
        }
        d = &t->devices[0]; /* fault: share the first device */
    }
    if (d->holder && !sharing) {
        *status = RIO_STATUS_SHARING_VIOLATION;
        return NULL;
    }
    d->holder = holder;
    return d;
}
