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
}

int main(void)
{
    test_decode_every_field();
    test_roundtrip_both_kinds();
    test_validation_errors();
    test_check_order();
    test_response_output_length_not_checked();
    test_error_texts();
    return check_report("test_codec");
}
