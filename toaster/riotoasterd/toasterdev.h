/* toasterdev.h — the simulated toaster (brief section 5) as a pure state
 * machine: no sockets, no clock.  The server owns time: toaster_start tells
 * it how many darkness levels the cycle lasts, and it calls
 * toaster_finish_cycle when that time has passed (at once when the toast
 * time per level is 0). */
#ifndef RIOTOASTERD_TOASTERDEV_H
#define RIOTOASTERD_TOASTERDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rio/rio.h"

/* Faults that live in the device model (see faults.h for the full table). */
#define TOASTER_FAULT_DARKNESS_RANGE 0x1u /* darkness 0 and 11 accepted */
#define TOASTER_FAULT_IOCTL_SUCCESS 0x2u  /* unknown IOCTL answered with success */
#define TOASTER_FAULT_READ_DROP 0x4u      /* last byte of READ data dropped */
#define TOASTER_FAULT_WRITE_INFO 0x8u     /* WRITE Information off by one */

/* Memory for ready toast, shared by a server's toasters.  The brief lets
 * ready toast exceed MaxLoadBytes without a bound; a server bounds it per
 * toaster and in total.  Room is reserved when a WRITE accepts bytes, and
 * the WRITE that would cross a bound is refused with
 * STATUS_INSUFFICIENT_RESOURCES (docs/PROTOCOL.md RIO-LIM-009): START,
 * EJECT and a cycle's end then never refuse or drop a byte. */
typedef struct toaster_pool {
    size_t max_ready; /* per toaster: ready toast bytes at most */
    size_t budget;    /* all toasters: ready-toast buffer bytes at most */
    size_t used;      /* ready-toast buffer bytes allocated now */
} toaster_pool;

typedef struct toaster {
    uint32_t serial;
    toaster_pool *pool; /* NULL: no bound but malloc's */
    unsigned faults;
    uint32_t darkness;
    uint32_t toast_count;
    uint32_t cycle_darkness; /* darkness of the running cycle */
    bool toasting;
    uint32_t loaded_len;
    uint8_t loaded[RIO_TOASTER_MAX_LOAD_BYTES];
    uint8_t *ready; /* ready toast: bytes ready[ready_head..ready_len) */
    size_t ready_head, ready_len, ready_cap;
} toaster;

/* The answer to one request.  `data` points into the toaster or into the
 * caller's scratch buffer and stays valid until the next toaster call. */
typedef struct toaster_reply {
    uint32_t status;
    uint32_t information;
    const uint8_t *data;
    uint32_t data_length;
} toaster_reply;

void toaster_init(toaster *t, uint32_t serial, unsigned faults);
/* Bound ready toast by pool (shared with other toasters; NULL: unbounded). */
void toaster_set_pool(toaster *t, toaster_pool *pool);
/* Empty the toaster and restore every default (a new handle's view). */
void toaster_reset(toaster *t);
void toaster_free(toaster *t);

uint32_t toaster_state(const toaster *t);
uint32_t toaster_ready_bytes(const toaster *t);
bool toaster_toasting(const toaster *t);

toaster_reply toaster_write(toaster *t, const uint8_t *data, uint32_t len);
/* READ: up to `want` bytes of ready toast.  Call only when not toasting (the
 * server pends a READ during a cycle). */
toaster_reply toaster_read(toaster *t, uint32_t want);
/* DEVICE_CONTROL.  scratch must hold RIO_TOASTER_INFO_SIZE bytes.  When the
 * reply is a successful START, *cycle_levels is the cycle's length in
 * darkness levels (else 0). */
toaster_reply toaster_ioctl(toaster *t, uint32_t code, const uint8_t *in, uint32_t in_len,
                            uint32_t out_len, uint8_t *scratch, uint32_t *cycle_levels);
/* End the running cycle: the loaded bytes become ready toast (in the room
 * reserved by WRITE). */
void toaster_finish_cycle(toaster *t);

#endif
