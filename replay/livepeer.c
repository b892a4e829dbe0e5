/* livepeer.c — a live connection (see livepeer.h). */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "livepeer.h"

#define RR_READ_CHUNK 65536

void rr_peer_init(rr_peer *p, int fd, rio_kind incoming)
{
    p->fd = fd;
    rio_framer_init(&p->framer, incoming);
    p->out = g_byte_array_new();
    p->out_off = 0;
    p->shut_pending = p->shut_done = false;
}

void rr_peer_send(rr_peer *p, const uint8_t *data, size_t len)
{
    g_byte_array_append(p->out, data, (guint)len);
}

bool rr_peer_wants_write(const rr_peer *p)
{
    return p->fd >= 0 && (p->out_off < p->out->len || (p->shut_pending && !p->shut_done));
}

bool rr_peer_flush(rr_peer *p)
{
    while (p->fd >= 0 && p->out_off < p->out->len) {
        ssize_t n = send(p->fd, p->out->data + p->out_off, p->out->len - p->out_off, MSG_NOSIGNAL);
        if (n < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
        p->out_off += (size_t)n;
    }
    if (p->fd >= 0 && p->out_off == p->out->len) {
        g_byte_array_set_size(p->out, 0);
        p->out_off = 0;
        if (p->shut_pending && !p->shut_done) {
            shutdown(p->fd, SHUT_WR);
            p->shut_done = true;
        }
    }
    return true;
}

rr_peer_event rr_peer_read(rr_peer *p, rr_peer_pdu_fn fn, void *ctx)
{
    uint8_t buf[RR_READ_CHUNK];
    ssize_t n = recv(p->fd, buf, sizeof buf, 0);
    if (n == 0)
        return RR_PEER_EOF;
    if (n < 0)
        return errno == ECONNRESET ? RR_PEER_RESET
               : (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? RR_PEER_OK
                                                                             : RR_PEER_RESET;
    size_t off = 0;
    while (off < (size_t)n) {
        size_t used = 0;
        rio_pdu pdu;
        rio_feed_result r = rio_framer_feed(&p->framer, buf + off, (size_t)n - off, &used, &pdu);
        off += used;
        if (r == RIO_FEED_ERROR)
            return RR_PEER_FRAMING;
        if (r == RIO_FEED_PDU)
            fn(ctx, &pdu);
        else if (used == 0)
            break;
    }
    return RR_PEER_OK;
}

void rr_peer_close(rr_peer *p)
{
    if (p->fd >= 0)
        close(p->fd);
    p->fd = -1;
    rio_framer_free(&p->framer);
    if (p->out)
        g_byte_array_free(p->out, TRUE);
    p->out = NULL;
}
