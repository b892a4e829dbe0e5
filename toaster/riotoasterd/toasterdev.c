/* toasterdev.c — the simulated toaster's state machine (see toasterdev.h). */
#include <stdlib.h>
#include <string.h>

#include "toasterdev.h"

#define TOASTER_READY_MIN 256

static void shrink_ready(toaster *t);

static toaster_reply status_only(uint32_t status)
{
    return (toaster_reply){.status = status};
}

static toaster_reply with_data(const uint8_t *data, uint32_t len)
{
    return (toaster_reply){.status = RIO_STATUS_SUCCESS, .information = len, .data = data, .data_length = len};
}

void toaster_init(toaster *t, uint32_t serial, unsigned faults)
{
    memset(t, 0, sizeof *t);
    t->serial = serial;
    t->faults = faults;
    toaster_reset(t);
}

void toaster_reset(toaster *t)
{
    t->darkness = RIO_TOASTER_DARKNESS_DEFAULT;
    t->toast_count = 0;
    t->cycle_darkness = 0;
    t->toasting = false;
    t->loaded_len = 0;
    t->ready_head = t->ready_len = 0;
    shrink_ready(t);
}

void toaster_set_pool(toaster *t, toaster_pool *pool)
{
    if (t->pool)
        t->pool->used -= t->ready_cap;
    t->pool = pool;
    if (pool)
        pool->used += t->ready_cap;
}

void toaster_free(toaster *t)
{
    if (t->pool)
        t->pool->used -= t->ready_cap;
    free(t->ready);
    t->ready = NULL;
    t->ready_cap = 0;
}

uint32_t toaster_ready_bytes(const toaster *t)
{
    size_t n = t->ready_len - t->ready_head;
    return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

bool toaster_toasting(const toaster *t)
{
    return t->toasting;
}

/* Derived, never stored (brief section 5). */
uint32_t toaster_state(const toaster *t)
{
    if (t->toasting)
        return RIO_TOASTER_STATE_TOASTING;
    if (t->ready_len > t->ready_head)
        return RIO_TOASTER_STATE_READY;
    if (t->loaded_len)
        return RIO_TOASTER_STATE_LOADED;
    return RIO_TOASTER_STATE_EMPTY;
}

/* Free a big ready buffer once nothing is in it, so an idle toaster holds
 * little.  Never while bread is loaded or toasting: WRITE reserved room. */
static void shrink_ready(toaster *t)
{
    if (t->toasting || t->loaded_len || t->ready_head != t->ready_len || t->ready_cap <= RIO_TOASTER_MAX_LOAD_BYTES)
        return;
    if (t->pool)
        t->pool->used -= t->ready_cap;
    free(t->ready);
    t->ready = NULL;
    t->ready_cap = 0;
    t->ready_head = t->ready_len = 0;
}

/* The buffer size to grow to for `need` bytes: doubling (amortized appends),
 * but never past the toaster's limit, and only what is needed when doubling
 * would cross the pool's budget.  0 when even `need` does not fit. */
static size_t ready_grow_size(const toaster *t, size_t need)
{
    size_t cap = t->ready_cap ? t->ready_cap : TOASTER_READY_MIN; /* small toast, small buffer */
    while (cap < need)
        cap *= 2;
    if (!t->pool)
        return cap;
    if (cap > t->pool->max_ready)
        cap = need;
    size_t others = t->pool->used - t->ready_cap;
    if (others + cap > t->pool->budget)
        cap = need;
    return others + cap > t->pool->budget ? 0 : cap;
}

/* Make room in the ready toast for the loaded bytes plus `more`, moving
 * nothing yet.  False (nothing changed but a compaction) when the toaster's
 * limit or the pool's budget would be crossed, or malloc fails. */
static bool reserve_ready(toaster *t, size_t more)
{
    size_t live = t->ready_len - t->ready_head;
    size_t need = live + t->loaded_len + more;
    if (t->pool && need > t->pool->max_ready)
        return false;
    if (t->ready_head && t->ready_head + need > t->ready_cap) {
        memmove(t->ready, t->ready + t->ready_head, live);
        t->ready_head = 0;
        t->ready_len = live;
    }
    if (need <= t->ready_cap)
        return true;
    size_t cap = ready_grow_size(t, need);
    uint8_t *p = cap ? realloc(t->ready, cap) : NULL;
    if (!p)
        return false;
    if (t->pool)
        t->pool->used += cap - t->ready_cap;
    t->ready = p;
    t->ready_cap = cap;
    return true;
}

/* Append the loaded bytes to the ready toast, in the room WRITE reserved
 * for them (were there none, they would stay loaded: never dropped). */
static void move_loaded_to_ready(toaster *t)
{
    if (!t->loaded_len || !reserve_ready(t, 0))
        return;
    memcpy(t->ready + t->ready_len, t->loaded, t->loaded_len);
    t->ready_len += t->loaded_len;
    t->loaded_len = 0;
}

void toaster_finish_cycle(toaster *t)
{
    t->toasting = false;
    move_loaded_to_ready(t);
}

toaster_reply toaster_write(toaster *t, const uint8_t *data, uint32_t len)
{
    if (t->toasting)
        return status_only(RIO_STATUS_DEVICE_BUSY);
    uint32_t room = RIO_TOASTER_MAX_LOAD_BYTES - t->loaded_len;
    uint32_t n = len < room ? len : room;
    /* Room in the ready toast is reserved for every byte accepted, so START,
     * EJECT and a cycle's end never have to refuse or drop it: at the bound
     * the WRITE itself is refused, loading nothing. */
    if (n && !reserve_ready(t, n))
        return status_only(RIO_STATUS_INSUFFICIENT_RESOURCES);
    if (n) /* data is NULL for a WRITE without data */
        memcpy(t->loaded + t->loaded_len, data, n);
    t->loaded_len += n;
    toaster_reply r = status_only(RIO_STATUS_SUCCESS);
    r.information = (t->faults & TOASTER_FAULT_WRITE_INFO) ? n + 1 : n;
    return r;
}

toaster_reply toaster_read(toaster *t, uint32_t want)
{
    uint32_t avail = toaster_ready_bytes(t);
    uint32_t n = want < avail ? want : avail;
    const uint8_t *p = n ? t->ready + t->ready_head : NULL;
    t->ready_head += n;
    if (t->ready_head == t->ready_len) /* p stays valid: the buffer is kept */
        t->ready_head = t->ready_len = 0;
    if ((t->faults & TOASTER_FAULT_READ_DROP) && n > 0)
        n--; /* consumed but never delivered */
    return with_data(n ? p : NULL, n);
}

static void put_model_name(uint8_t *out)
{
    memset(out, 0, RIO_TOASTER_MODEL_SIZE);
    memcpy(out, RIO_TOASTER_MODEL_NAME, sizeof RIO_TOASTER_MODEL_NAME - 1);
}

static toaster_reply get_info(const toaster *t, uint32_t out_len, uint8_t *scratch)
{
    if (out_len < RIO_TOASTER_INFO_SIZE)
        return status_only(RIO_STATUS_BUFFER_TOO_SMALL);
    rio_put_le32(scratch + RIO_TOASTER_INFO_OFF_SERIAL, t->serial);
    rio_put_le32(scratch + RIO_TOASTER_INFO_OFF_CAPACITY, RIO_TOASTER_CAPACITY);
    rio_put_le32(scratch + RIO_TOASTER_INFO_OFF_MAX_LOAD, RIO_TOASTER_MAX_LOAD_BYTES);
    rio_put_le32(scratch + RIO_TOASTER_INFO_OFF_FIRMWARE, RIO_TOASTER_FIRMWARE_VERSION);
    put_model_name(scratch + RIO_TOASTER_INFO_OFF_MODEL);
    return with_data(scratch, RIO_TOASTER_INFO_SIZE);
}

static toaster_reply get_status(const toaster *t, uint32_t out_len, uint8_t *scratch)
{
    if (out_len < RIO_TOASTER_STATUS_SIZE)
        return status_only(RIO_STATUS_BUFFER_TOO_SMALL);
    rio_put_le32(scratch + RIO_TOASTER_STATUS_OFF_STATE, toaster_state(t));
    rio_put_le32(scratch + RIO_TOASTER_STATUS_OFF_DARKNESS, t->darkness);
    rio_put_le32(scratch + RIO_TOASTER_STATUS_OFF_LOADED, t->loaded_len);
    rio_put_le32(scratch + RIO_TOASTER_STATUS_OFF_READY, toaster_ready_bytes(t));
    rio_put_le32(scratch + RIO_TOASTER_STATUS_OFF_TOAST_COUNT, t->toast_count);
    rio_put_le32(scratch + RIO_TOASTER_STATUS_OFF_ERROR_COUNT, 0);
    return with_data(scratch, RIO_TOASTER_STATUS_SIZE);
}

static bool darkness_valid(const toaster *t, uint32_t level)
{
    if (t->faults & TOASTER_FAULT_DARKNESS_RANGE)
        return level + 1 >= RIO_TOASTER_DARKNESS_MIN && level <= RIO_TOASTER_DARKNESS_MAX + 1;
    return level >= RIO_TOASTER_DARKNESS_MIN && level <= RIO_TOASTER_DARKNESS_MAX;
}

/* Input is validated before the state is looked at (DESIGN.md). */
static toaster_reply set_darkness(toaster *t, const uint8_t *in, uint32_t in_len)
{
    if (in_len != RIO_TOASTER_DARKNESS_INPUT_SIZE || !darkness_valid(t, rio_get_le32(in)))
        return status_only(RIO_STATUS_INVALID_PARAMETER);
    if (t->toasting)
        return status_only(RIO_STATUS_DEVICE_BUSY);
    t->darkness = rio_get_le32(in);
    return status_only(RIO_STATUS_SUCCESS);
}

static toaster_reply start(toaster *t, uint32_t *cycle_levels)
{
    if (t->toasting)
        return status_only(RIO_STATUS_DEVICE_BUSY);
    if (!t->loaded_len)
        return status_only(RIO_STATUS_INVALID_DEVICE_STATE);
    t->toasting = true;
    t->cycle_darkness = t->darkness;
    t->toast_count++;
    *cycle_levels = t->cycle_darkness;
    return status_only(RIO_STATUS_SUCCESS);
}

/* EJECT ends a running cycle at once (its bread becomes ready toast), or
 * without a cycle moves the loaded bytes to the ready toast. */
static toaster_reply eject(toaster *t)
{
    toaster_finish_cycle(t);
    return status_only(RIO_STATUS_SUCCESS);
}

toaster_reply toaster_ioctl(toaster *t, uint32_t code, const uint8_t *in, uint32_t in_len,
                            uint32_t out_len, uint8_t *scratch, uint32_t *cycle_levels)
{
    *cycle_levels = 0;
    switch (code) {
    case RIO_IOCTL_TOASTER_GET_INFO:
        return get_info(t, out_len, scratch);
    case RIO_IOCTL_TOASTER_GET_STATUS:
        return get_status(t, out_len, scratch);
    case RIO_IOCTL_TOASTER_SET_DARKNESS:
        return set_darkness(t, in, in_len);
    case RIO_IOCTL_TOASTER_START:
        return start(t, cycle_levels);
    case RIO_IOCTL_TOASTER_EJECT:
        return eject(t);
    default:
        if (t->faults & TOASTER_FAULT_IOCTL_SUCCESS)
            return status_only(RIO_STATUS_SUCCESS);
        return status_only(RIO_STATUS_INVALID_DEVICE_REQUEST);
    }
}
