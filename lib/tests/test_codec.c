/* Unit tests: header encode/decode, every field, every validation error. */
#include <string.h>

#include "check.h"
#include "rio/librio.h"

static const uint8_t create_req[RIO_HEADER_SIZE] = {
    'R', 'I', 'O', 'Q', 1, 0x0E, 24, 0, 0x78, 0x56, 0x34, 0x12,
    0x00, 0x20, 0x22, 0x00, 48, 0, 0, 0, 5, 0, 0, 0};

static void test_decode_every_field(void)
{
    rio_header h;
    CHECK_EQ(rio_header_decode(create_req, RIO_REQUEST, &h), RIO_OK);
    CHECK_EQ(h.kind, RIO_REQUEST);
    CHECK_EQ(h.version, 1);
    CHECK_EQ(h.major, RIO_MJ_DEVICE_CONTROL);
    CHECK_EQ(h.header_length, 24);
    CHECK_EQ(h.sequence, 0x12345678);
    CHECK_EQ(h.ioctl, RIO_IOCTL_TOASTER_GET_INFO);
    CHECK_EQ(h.output_length, 48);
    CHECK_EQ(h.data_length, 5);
}

static void test_roundtrip_both_kinds(void)
{
    uint8_t raw[RIO_HEADER_SIZE];
    rio_header in = rio_response_header(RIO_MJ_READ, 0xFFFFFFFF, RIO_STATUS_INVALID_DEVICE_STATE, 7, 7);
    rio_header out;
    rio_header_encode(&in, raw);
    CHECK(memcmp(raw, RIO_SIGNATURE_RESPONSE, 4) == 0);
    CHECK_EQ(rio_header_decode(raw, RIO_RESPONSE, &out), RIO_OK);
    CHECK_EQ(out.sequence, 0xFFFFFFFF);
    CHECK_EQ(out.status, RIO_STATUS_INVALID_DEVICE_STATE);
    CHECK_EQ(out.information, 7);
    CHECK_EQ(out.data_length, 7);
    CHECK_EQ(out.header_length, RIO_HEADER_SIZE);

    rio_header req = rio_request_header(RIO_MJ_WRITE, 1, 0, 0, 100);
    rio_header_encode(&req, raw);
    CHECK(memcmp(raw, RIO_SIGNATURE_REQUEST, 4) == 0);
    CHECK_EQ(rio_get_le32(raw + RIO_OFF_DATA_LENGTH), 100);
    CHECK_EQ(rio_header_decode(raw, RIO_RESPONSE, &out), RIO_ERR_SIGNATURE); /* wrong direction */
}

static rio_error decode_with(size_t off, const void *bytes, size_t n)
{
    uint8_t raw[RIO_HEADER_SIZE];
    rio_header h;
    memcpy(raw, create_req, sizeof raw);
    memcpy(raw + off, bytes, n);
    return rio_header_decode(raw, RIO_REQUEST, &h);
}

static rio_error decode_u32(size_t off, uint32_t v)
{
    uint8_t b[4];
    rio_put_le32(b, v);
    return decode_with(off, b, 4);
}

static rio_error decode_u16(size_t off, uint16_t v)
{
    uint8_t b[2];
    rio_put_le16(b, v);
    return decode_with(off, b, 2);
}

static void test_validation_errors(void)
{
    CHECK_EQ(decode_with(0, "RIOX", 4), RIO_ERR_SIGNATURE);
    CHECK_EQ(decode_with(0, "rioq", 4), RIO_ERR_SIGNATURE);
    uint8_t v = 2, v0 = 0;
    CHECK_EQ(decode_with(RIO_OFF_VERSION, &v, 1), RIO_ERR_VERSION);
    CHECK_EQ(decode_with(RIO_OFF_VERSION, &v0, 1), RIO_ERR_VERSION);
    CHECK_EQ(decode_u16(RIO_OFF_HEADER_LENGTH, 23), RIO_ERR_HEADER_LENGTH);
    CHECK_EQ(decode_u16(RIO_OFF_HEADER_LENGTH, 257), RIO_ERR_HEADER_LENGTH);
    CHECK_EQ(decode_u16(RIO_OFF_HEADER_LENGTH, 0), RIO_ERR_HEADER_LENGTH);
    CHECK_EQ(decode_u16(RIO_OFF_HEADER_LENGTH, 24), RIO_OK);
    CHECK_EQ(decode_u16(RIO_OFF_HEADER_LENGTH, 256), RIO_OK);
    CHECK_EQ(decode_u32(RIO_OFF_DATA_LENGTH, RIO_DATA_MAX), RIO_OK);
    CHECK_EQ(decode_u32(RIO_OFF_DATA_LENGTH, RIO_DATA_MAX + 1), RIO_ERR_DATA_LENGTH);
    CHECK_EQ(decode_u32(RIO_OFF_DATA_LENGTH, 0xFFFFFFFF), RIO_ERR_DATA_LENGTH);
    CHECK_EQ(decode_u32(RIO_OFF_OUTPUT_LENGTH, RIO_DATA_MAX), RIO_OK);
    CHECK_EQ(decode_u32(RIO_OFF_OUTPUT_LENGTH, RIO_DATA_MAX + 1), RIO_ERR_OUTPUT_LENGTH);
}

/* The brief's order: signature, header length, version, lengths. */
static void test_check_order(void)
{
    uint8_t raw[RIO_HEADER_SIZE];
    rio_header h;
    memcpy(raw, create_req, sizeof raw);
    raw[RIO_OFF_VERSION] = 2;
    rio_put_le32(raw + RIO_OFF_DATA_LENGTH, RIO_DATA_MAX + 1);
    CHECK_EQ(rio_header_decode(raw, RIO_REQUEST, &h), RIO_ERR_VERSION);
    rio_put_le16(raw + RIO_OFF_HEADER_LENGTH, 300);
    CHECK_EQ(rio_header_decode(raw, RIO_REQUEST, &h), RIO_ERR_HEADER_LENGTH);
    raw[0] = 'X';
    CHECK_EQ(rio_header_decode(raw, RIO_REQUEST, &h), RIO_ERR_SIGNATURE);
    /* fields are still decoded for the error answer */
    CHECK_EQ(h.sequence, 0x12345678);
    CHECK_EQ(h.major, RIO_MJ_DEVICE_CONTROL);
}

static void test_response_output_length_not_checked(void)
{
    /* offset 16 is Information in a response: any value is legal there */
    uint8_t raw[RIO_HEADER_SIZE];
    rio_header h = rio_response_header(RIO_MJ_WRITE, 1, RIO_STATUS_SUCCESS, 0xFFFFFFFF, 0), out;
    rio_header_encode(&h, raw);
    CHECK_EQ(rio_header_decode(raw, RIO_RESPONSE, &out), RIO_OK);
}

static void test_error_texts(void)
{
    CHECK(strcmp(rio_error_text(RIO_ERR_SIGNATURE), "bad signature") == 0);
    CHECK(strstr(rio_error_text(RIO_ERR_DATA_LENGTH), "1 MiB") != NULL);
    CHECK(strcmp(rio_error_field(RIO_ERR_HEADER_LENGTH), "header_length") == 0);
    CHECK(strcmp(rio_error_field(RIO_ERR_OUTPUT_LENGTH), "output_length") == 0);
    CHECK(strcmp(rio_error_field(RIO_OK), "") == 0);
}

/* The resync rule is signature + HeaderLength only: a header with an unknown
 * MajorFunction, Version 2 or an over-limit length is still a PDU start. */
static void test_resync_rule(void)
{
    uint8_t raw[RIO_HEADER_SIZE];
    rio_header h = rio_request_header(0x09, 7, 0, 0, RIO_DATA_MAX + 1);
    h.version = 2;
    rio_header_encode(&h, raw);
    CHECK(rio_resync_at(raw, sizeof raw, RIO_REQUEST));
    CHECK(!rio_resync_at(raw, sizeof raw, RIO_RESPONSE));
    for (size_t n = 0; n < sizeof raw; n++) /* every prefix may still start one */
        CHECK(rio_resync_at(raw, n, RIO_REQUEST));

    rio_put_le16(raw + RIO_OFF_HEADER_LENGTH, RIO_HEADER_LENGTH_MIN - 1);
    CHECK(!rio_resync_at(raw, sizeof raw, RIO_REQUEST));
    CHECK(rio_resync_at(raw, RIO_OFF_HEADER_LENGTH, RIO_REQUEST)); /* HL not seen yet */
    CHECK(!rio_resync_at(raw, RIO_OFF_HEADER_LENGTH + 2, RIO_REQUEST));
    rio_put_le16(raw + RIO_OFF_HEADER_LENGTH, RIO_HEADER_LENGTH_MAX + 1);
    CHECK(!rio_resync_at(raw, sizeof raw, RIO_REQUEST));
    rio_put_le16(raw + RIO_OFF_HEADER_LENGTH, RIO_HEADER_LENGTH_MAX);
    CHECK(rio_resync_at(raw, sizeof raw, RIO_REQUEST));

    rio_kind k;
    CHECK(rio_signature_kind(raw, &k) && k == RIO_REQUEST);
    CHECK(!rio_signature_kind((const uint8_t *)"RIOX", &k));
}

/* rio_resync_find skips a false "RIOQ" whose HeaderLength is out of range,
 * finds the real header after it, and reports a partial one at the end. */
static void test_resync_find(void)
{
    uint8_t buf[10 + RIO_HEADER_SIZE + RIO_HEADER_SIZE + 3];
    memset(buf, 'R', sizeof buf); /* many first-byte candidates */
    memcpy(buf + 2, RIO_SIGNATURE_REQUEST, RIO_SIGNATURE_SIZE);
    rio_put_le16(buf + 2 + RIO_OFF_HEADER_LENGTH, 0x5252); /* false: HL 21074 */
    rio_header h = rio_request_header(0x09, 1, 0, 0, 0);
    rio_header_encode(&h, buf + 10 + RIO_HEADER_SIZE);
    CHECK_EQ(rio_resync_find(buf, sizeof buf, RIO_REQUEST), 10 + RIO_HEADER_SIZE);
    CHECK_EQ(rio_resync_find(buf, sizeof buf, RIO_RESPONSE), sizeof buf - 1); /* last "R" */
    CHECK_EQ(rio_resync_find(buf, 9, RIO_REQUEST), 2);  /* "RIOQ" + half a HeaderLength */
    CHECK_EQ(rio_resync_find(buf, 10, RIO_REQUEST), 9); /* whole false HL: the next "R" */
    CHECK_EQ(rio_resync_find(buf, 0, RIO_REQUEST), 0);
    uint8_t none[5] = {'x', 'y', 'z', 'R', 'I'};
    CHECK_EQ(rio_resync_find(none, 3, RIO_REQUEST), 3);
    CHECK_EQ(rio_resync_find(none, 5, RIO_REQUEST), 3);
}

int main(void)
{
    test_decode_every_field();
    test_roundtrip_both_kinds();
    test_validation_errors();
    test_check_order();
    test_response_output_length_not_checked();
    test_error_texts();
    test_resync_rule();
    test_resync_find();
    return check_report("test_codec");
}
