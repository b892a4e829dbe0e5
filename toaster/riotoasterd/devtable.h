/* devtable.h — the devices a server serves, and who holds which.
 *
 * Per-device mode: each device has its own port (BASE + serial) and a
 * CREATE there asks for that device.  Farm mode: one port fronts them all
 * and a CREATE gets the lowest-numbered free one (brief section 4). */
#ifndef RIOTOASTERD_DEVTABLE_H
#define RIOTOASTERD_DEVTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemonopts.h"
#include "devmodel.h"

typedef struct devtable {
    device *devices; /* ascending serials */
    size_t n;
    bool farm;
    device_env env;
} devtable;

/* Open every device of the configuration.  Returns 0, or an exit code
 * (EXIT_USAGE: a device cannot be opened as given; EXIT_RUNTIME: out of
 * memory) with a one-line reason in err; then nothing stays open. */
int devtable_open(devtable *t, const server_config *cfg, char *err, size_t errlen);
void devtable_close(devtable *t);

/* CREATE: `fixed` (per-device mode) or the lowest-numbered free device
 * (farm), now held by `holder`; or NULL with *status set to the refusal
 * (SHARING_VIOLATION, or DEVICE_BUSY for a full farm).  With `sharing`
 * (the sharing-allowed fault) a held device is handed out again. */
device *devtable_acquire(devtable *t, device *fixed, const struct session *holder, bool sharing,
                         uint32_t *status);

#endif
