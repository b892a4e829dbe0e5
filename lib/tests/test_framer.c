/* Unit tests: the incremental framer under every chunking. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rio/librio.h"

/* Append one request PDU (header + optional extra header bytes + data). */
static size_t put_request(uint8_t *out, uint8_t major, uint32_t seq, uint32_t data_len, uint16_t extra)
{
    rio_header h = rio_request_header(major, seq, 0, 0, data_len);
    h.header_length = (uint16_t)(RIO_HEADER_SIZE + extra);
    rio_header_encode(&h, out);
    memset(out + RIO_HEADER_SIZE, 0xEE, extra);
    for (uint32_t i = 0; i < data_len; i++)
        out[RIO_HEADER_SIZE + extra + i] = (uint8_t)(seq + i);
    return RIO_HEADER_SIZE + extra + data_len;
}

/* Feed buf in chunks of `chunk` bytes; record the sequence numbers and data
 * checks of the PDUs that come out. */
static int feed_all(const uint8_t *buf, size_t len, size_t chunk, uint32_t *seqs, int max, int *data_ok)
{
    rio_framer f;
    rio_framer_init(&f, RIO_REQUEST);
    int n = 0;
    *data_ok = 1;
    for (size_t off = 0; off < len;) {
        size_t part = len - off < chunk ? len - off : chunk, pos = 0;
        while (pos < part) {
            size_t used;
            rio_pdu pdu;
            rio_feed_result r = rio_framer_feed(&f, buf + off + pos, part - pos, &used, &pdu);
            pos += used;
            if (r == RIO_FEED_PDU && n < max) {
                seqs[n++] = pdu.header.sequence;
                for (uint32_t i = 0; i < pdu.header.data_length; i++)
                    if (pdu.data[i] != (uint8_t)(pdu.header.sequence + i))
                        *data_ok = 0;
            } else if (r == RIO_FEED_ERROR) {
                rio_framer_free(&f);
                return -1;
            }
        }
        off += part;
    }
    CHECK(!rio_framer_mid_pdu(&f));
    rio_framer_free(&f);
    return n;
}

static void test_chunkings(void)
{
    static uint8_t buf[4096];
    size_t len = 0;
    len += put_request(buf + len, RIO_MJ_CREATE, 1, 0, 0);
    len += put_request(buf + len, RIO_MJ_WRITE, 2, 100, 0);
    len += put_request(buf + len, RIO_MJ_WRITE, 3, 1, 8);    /* extra header bytes skipped */
    len += put_request(buf + len, RIO_MJ_READ, 4, 0, 232);   /* HeaderLength 256 */
    len += put_request(buf + len, RIO_MJ_CLOSE, 5, 0, 0);
    size_t chunks[] = {1, 2, 3, 7, 23, 24, 25, 100, len};
    for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        uint32_t seqs[8];
        int ok;
        int n = feed_all(buf, len, chunks[i], seqs, 8, &ok);
        CHECK_EQ(n, 5);
        CHECK(ok);
        for (int k = 0; k < n; k++)
            CHECK_EQ(seqs[k], (uint32_t)k + 1);
    }
}

static void test_sequence_wraparound(void)
{
    uint8_t buf[256];
    size_t len = put_request(buf, RIO_MJ_CREATE, 0xFFFFFFFF, 0, 0);
    len += put_request(buf + len, RIO_MJ_CLOSE, 0, 0, 0);
    uint32_t seqs[2];
    int ok;
    CHECK_EQ(feed_all(buf, len, 5, seqs, 2, &ok), 2);
    CHECK_EQ(seqs[0], 0xFFFFFFFF);
    CHECK_EQ(seqs[1], 0);
}

static void test_mib_boundary(void)
{
    size_t len = RIO_HEADER_SIZE + RIO_DATA_MAX;
    uint8_t *buf = malloc(len);
    put_request(buf, RIO_MJ_WRITE, 9, RIO_DATA_MAX, 0);
    uint32_t seq;
    int ok;
    CHECK_EQ(feed_all(buf, len, 65536, &seq, 1, &ok), 1);
    CHECK(ok);

    rio_put_le32(buf + RIO_OFF_DATA_LENGTH, RIO_DATA_MAX + 1);
    rio_framer f;
    rio_framer_init(&f, RIO_REQUEST);
    size_t used;
    rio_pdu pdu;
    CHECK_EQ(rio_framer_feed(&f, buf, len, &used, &pdu), RIO_FEED_ERROR);
    CHECK_EQ(used, RIO_HEADER_SIZE); /* the data is not read */
    CHECK_EQ(f.error, RIO_ERR_DATA_LENGTH);
    CHECK_EQ(f.header.sequence, 9);
    /* stays failed until reset */
    CHECK_EQ(rio_framer_feed(&f, buf, len, &used, &pdu), RIO_FEED_ERROR);
    CHECK_EQ(used, 0);
    rio_framer_reset(&f);
    CHECK_EQ(f.state, RIO_FRAMER_HEADER);
    rio_framer_free(&f);
    free(buf);
}

static void test_errors_reported_per_rule(void)
{
    struct {
        size_t off;
        uint8_t byte;
        rio_error want;
    } cases[] = {
        {0, 'X', RIO_ERR_SIGNATURE},
        {RIO_OFF_VERSION, 2, RIO_ERR_VERSION},
        {RIO_OFF_HEADER_LENGTH, 23, RIO_ERR_HEADER_LENGTH},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t buf[64];
        put_request(buf, RIO_MJ_CREATE, 1, 0, 0);
        buf[cases[i].off] = cases[i].byte;
        rio_framer f;
        rio_framer_init(&f, RIO_REQUEST);
        size_t used, total = 0;
        rio_pdu pdu;
        rio_feed_result r = RIO_FEED_MORE;
        while (r == RIO_FEED_MORE && total < RIO_HEADER_SIZE) { /* byte at a time */
            r = rio_framer_feed(&f, buf + total, 1, &used, &pdu);
            total += used;
        }
        CHECK_EQ(r, RIO_FEED_ERROR);
        CHECK_EQ(f.error, cases[i].want);
        CHECK_EQ(total, RIO_HEADER_SIZE);
        rio_framer_free(&f);
    }
}

static void test_mid_pdu(void)
{
    uint8_t buf[64];
    put_request(buf, RIO_MJ_WRITE, 1, 10, 0);
    rio_framer f;
    rio_framer_init(&f, RIO_REQUEST);
    size_t used;
    rio_pdu pdu;
    CHECK(!rio_framer_mid_pdu(&f));
    CHECK_EQ(rio_framer_feed(&f, buf, 1, &used, &pdu), RIO_FEED_MORE);
    CHECK(rio_framer_mid_pdu(&f));
    CHECK_EQ(rio_framer_feed(&f, buf + 1, 30, &used, &pdu), RIO_FEED_MORE);
    CHECK(rio_framer_mid_pdu(&f));
    CHECK_EQ(rio_framer_feed(&f, buf + 31, 3, &used, &pdu), RIO_FEED_PDU);
    CHECK(!rio_framer_mid_pdu(&f));
    CHECK_EQ(rio_framer_feed(&f, buf, 0, &used, &pdu), RIO_FEED_MORE);
    rio_framer_free(&f);
}

int main(void)
{
    test_chunkings();
    test_sequence_wraparound();
    test_mib_boundary();
    test_errors_reported_per_rule();
    test_mid_pdu();
    return check_report("test_framer");
}
