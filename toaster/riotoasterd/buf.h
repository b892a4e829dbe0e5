/* buf.h — a byte FIFO for a connection's unframed input and unsent output. */
#ifndef RIOTOASTERD_BUF_H
#define RIOTOASTERD_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct buf {
    uint8_t *data; /* bytes data[head..head+len) */
    size_t head, len, cap;
} buf;

static inline const uint8_t *buf_begin(const buf *b)
{
    return b->data + b->head;
}

/* Make room for `room` more bytes at the tail; returns the tail or NULL. */
uint8_t *buf_reserve(buf *b, size_t room);
bool buf_append(buf *b, const void *p, size_t n);
/* Drop n bytes from the head; an emptied buffer above a small size is freed
 * so that idle connections hold no memory. */
void buf_consume(buf *b, size_t n);
void buf_free(buf *b);

#endif
