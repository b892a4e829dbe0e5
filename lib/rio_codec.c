/* rio_codec.c — encode and validate the 24-byte RIO/1 headers. */
#include <string.h>

#include "rio/librio.h"

static const char *signature_for(rio_kind kind)
{
    return kind == RIO_REQUEST ? RIO_SIGNATURE_REQUEST : RIO_SIGNATURE_RESPONSE;
}

/* Fields are decoded before any check so that a server can still echo
 * Sequence and MajorFunction when it answers a broken header. */
rio_error rio_header_decode(const uint8_t *buf, rio_kind kind, rio_header *out)
{
    out->kind = kind;
    out->version = buf[RIO_OFF_VERSION];
    out->major = buf[RIO_OFF_MAJOR];
    out->header_length = rio_get_le16(buf + RIO_OFF_HEADER_LENGTH);
    out->sequence = rio_get_le32(buf + RIO_OFF_SEQUENCE);
    out->ioctl = rio_get_le32(buf + RIO_OFF_IOCTL);
    out->output_length = rio_get_le32(buf + RIO_OFF_OUTPUT_LENGTH);
    out->data_length = rio_get_le32(buf + RIO_OFF_DATA_LENGTH);

    if (memcmp(buf + RIO_OFF_SIGNATURE, signature_for(kind), RIO_SIGNATURE_SIZE) != 0)
        return RIO_ERR_SIGNATURE;
    if (out->header_length < RIO_HEADER_LENGTH_MIN || out->header_length > RIO_HEADER_LENGTH_MAX)
        return RIO_ERR_HEADER_LENGTH;
    if (out->version != RIO_VERSION)
        return RIO_ERR_VERSION;
    if (out->data_length > RIO_DATA_MAX)
        return RIO_ERR_DATA_LENGTH;
    if (kind == RIO_REQUEST && out->output_length > RIO_DATA_MAX)
        return RIO_ERR_OUTPUT_LENGTH;
    return RIO_OK;
}

void rio_header_encode(const rio_header *h, uint8_t out[RIO_HEADER_SIZE])
{
    memcpy(out + RIO_OFF_SIGNATURE, signature_for(h->kind), RIO_SIGNATURE_SIZE);
    out[RIO_OFF_VERSION] = h->version;
    out[RIO_OFF_MAJOR] = h->major;
    rio_put_le16(out + RIO_OFF_HEADER_LENGTH, h->header_length);
    rio_put_le32(out + RIO_OFF_SEQUENCE, h->sequence);
    rio_put_le32(out + RIO_OFF_IOCTL, h->ioctl);
    rio_put_le32(out + RIO_OFF_OUTPUT_LENGTH, h->output_length);
    rio_put_le32(out + RIO_OFF_DATA_LENGTH, h->data_length);
}

static rio_header plain_header(rio_kind kind, uint8_t major, uint32_t sequence,
                               uint32_t word12, uint32_t word16, uint32_t data_length)
{
    rio_header h = {
        .kind = kind,
        .version = RIO_VERSION,
        .major = major,
        .header_length = RIO_HEADER_SIZE,
        .sequence = sequence,
        .data_length = data_length,
    };
    h.ioctl = word12;
    h.output_length = word16;
    return h;
}

rio_header rio_request_header(uint8_t major, uint32_t sequence, uint32_t ioctl,
                              uint32_t output_length, uint32_t data_length)
{
    return plain_header(RIO_REQUEST, major, sequence, ioctl, output_length, data_length);
}

rio_header rio_response_header(uint8_t major, uint32_t sequence, uint32_t status,
                               uint32_t information, uint32_t data_length)
{
    return plain_header(RIO_RESPONSE, major, sequence, status, information, data_length);
}

/* RIO_ERROR_TABLE as rows indexed by rio_error: one lookup for both columns. */
static const struct error_row {
    const char *field, *text;
} error_rows[] = {
#define RIO_X_ROW(sym, field, text) [sym] = {field, text},
    RIO_ERROR_TABLE(RIO_X_ROW)
#undef RIO_X_ROW
};

static const struct error_row *error_row(rio_error e)
{
    static const struct error_row unknown = {"unknown", "unknown error"};
    return (unsigned)e < sizeof error_rows / sizeof error_rows[0] ? &error_rows[e] : &unknown;
}

const char *rio_error_text(rio_error e)
{
    return error_row(e)->text;
}

const char *rio_error_field(rio_error e)
{
    return error_row(e)->field;
}

/* ---- resynchronisation ---------------------------------------------------- */

bool rio_signature_kind(const uint8_t *buf, rio_kind *kind)
{
    if (memcmp(buf, RIO_SIGNATURE_REQUEST, RIO_SIGNATURE_SIZE) == 0)
        *kind = RIO_REQUEST;
    else if (memcmp(buf, RIO_SIGNATURE_RESPONSE, RIO_SIGNATURE_SIZE) == 0)
        *kind = RIO_RESPONSE;
    else
        return false;
    return true;
}

bool rio_resync_at(const uint8_t *buf, size_t len, rio_kind kind)
{
    const char *sig = signature_for(kind);
    size_t n = len < RIO_SIGNATURE_SIZE ? len : RIO_SIGNATURE_SIZE;

    if (memcmp(buf, sig, n) != 0)
        return false;
    if (len < RIO_OFF_HEADER_LENGTH + 2)
        return true; /* HeaderLength not here yet */
    uint16_t hl = rio_get_le16(buf + RIO_OFF_HEADER_LENGTH);
    return hl >= RIO_HEADER_LENGTH_MIN && hl <= RIO_HEADER_LENGTH_MAX;
}

size_t rio_resync_find(const uint8_t *buf, size_t len, rio_kind kind)
{
    const uint8_t first = (uint8_t)signature_for(kind)[0];
    size_t pos = 0;

    while (pos < len) {
        const uint8_t *p = memchr(buf + pos, first, len - pos);
        if (!p)
            return len;
        pos = (size_t)(p - buf);
        if (rio_resync_at(p, len - pos, kind))
            return pos;
        pos++;
    }
    return len;
}
