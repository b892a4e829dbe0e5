/* rio_framer.c — the "receive header, then receive data" state machine.
 *
 * The whole receive logic of RIO is the switch in rio_framer_feed: collect
 * the fixed header, validate it, skip any extra header bytes, collect the
 * data, hand out the PDU.  Input may arrive in any chunking, from one byte at
 * a time to many PDUs per call. */
#include <stdlib.h>
#include <string.h>

#include "rio/librio.h"

void rio_framer_init(rio_framer *f, rio_kind kind)
{
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->state = RIO_FRAMER_HEADER;
}

void rio_framer_reset(rio_framer *f)
{
    f->state = RIO_FRAMER_HEADER;
    f->error = RIO_OK;
    f->have = 0;
    f->skip_left = 0;
}

void rio_framer_free(rio_framer *f)
{
    free(f->data);
    f->data = NULL;
    f->data_cap = 0;
}

bool rio_framer_mid_pdu(const rio_framer *f)
{
    return f->state == RIO_FRAMER_SKIP || f->state == RIO_FRAMER_DATA ||
           (f->state == RIO_FRAMER_HEADER && f->have > 0);
}

/* Grow the data buffer to hold n bytes.  n is at most RIO_DATA_MAX because
 * the header was validated first, so a hostile length cannot make us
 * allocate more than 1 MiB. */
static bool reserve_data(rio_framer *f, size_t n)
{
    if (n <= f->data_cap)
        return true;
    uint8_t *p = realloc(f->data, n);
    if (!p)
        return false;
    f->data = p;
    f->data_cap = n;
    return true;
}

static size_t take(size_t want, size_t avail)
{
    return want < avail ? want : avail;
}

/* After the header is whole: validate it and pick the next state. */
static rio_feed_result header_complete(rio_framer *f)
{
    rio_error e = rio_header_decode(f->raw, f->kind, &f->header);
    if (e != RIO_OK) {
        f->error = e;
        f->state = RIO_FRAMER_FAILED;
        return RIO_FEED_ERROR;
    }
    if (!reserve_data(f, f->header.data_length)) {
        f->error = RIO_ERR_DATA_LENGTH;
        f->state = RIO_FRAMER_FAILED;
        return RIO_FEED_ERROR;
    }
    f->skip_left = f->header.header_length - RIO_HEADER_SIZE;
    f->state = f->skip_left ? RIO_FRAMER_SKIP : RIO_FRAMER_DATA;
    f->have = 0;
    return RIO_FEED_MORE;
}

static void emit(rio_framer *f, rio_pdu *pdu)
{
    pdu->header = f->header;
    pdu->data = f->data;
    f->state = RIO_FRAMER_HEADER;
    f->have = 0;
}

rio_feed_result rio_framer_feed(rio_framer *f, const uint8_t *buf, size_t len,
                                size_t *used, rio_pdu *pdu)
{
    size_t pos = 0;
    rio_feed_result r = RIO_FEED_MORE;

    while (r == RIO_FEED_MORE) {
        size_t n;
        switch (f->state) {
        case RIO_FRAMER_HEADER:
            if (pos == len)
                goto out;
            n = take(RIO_HEADER_SIZE - f->have, len - pos);
            memcpy(f->raw + f->have, buf + pos, n);
            f->have += n;
            pos += n;
            if (f->have == RIO_HEADER_SIZE)
                r = header_complete(f);
            break;
        case RIO_FRAMER_SKIP:
            if (pos == len)
                goto out;
            n = take(f->skip_left, len - pos);
            f->skip_left -= (uint32_t)n;
            pos += n;
            if (f->skip_left == 0)
                f->state = RIO_FRAMER_DATA;
            break;
        case RIO_FRAMER_DATA:
            /* Checked before the end of input: a PDU without data is whole
             * as soon as its header is. */
            n = take(f->header.data_length - f->have, len - pos);
            if (n)
                memcpy(f->data + f->have, buf + pos, n);
            f->have += n;
            pos += n;
            if (f->have == f->header.data_length) {
                emit(f, pdu);
                r = RIO_FEED_PDU;
            } else if (pos == len) {
                goto out;
            }
            break;
        case RIO_FRAMER_FAILED:
            r = RIO_FEED_ERROR;
            break;
        }
    }
out:
    *used = pos;
    return r;
}
