/* buf.c — the byte FIFO of buf.h. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define BUF_KEEP 4096 /* an empty buffer up to this size is kept for reuse */

uint8_t *buf_reserve(buf *b, size_t room)
{
    if (b->head && b->head + b->len + room > b->cap) {
        memmove(b->data, b->data + b->head, b->len);
        b->head = 0;
    }
    if (b->len + room > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + room)
            cap *= 2;
        uint8_t *p = realloc(b->data, cap);
        if (!p)
            return NULL;
        b->data = p;
        b->cap = cap;
    }
    return b->data + b->head + b->len;
}

bool buf_append(buf *b, const void *p, size_t n)
{
    if (!n)
        return true;
    uint8_t *tail = buf_reserve(b, n);
    if (!tail)
        return false;
    memcpy(tail, p, n);
    b->len += n;
    return true;
}

void buf_consume(buf *b, size_t n)
{
    b->head += n;
    b->len -= n;
    if (b->len)
        return;
    b->head = 0;
    if (b->cap > BUF_KEEP)
        buf_free(b);
}

void buf_free(buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}
