/* test_serialdev.c — the serial-port profile with the simulated modem behind
 * it (serialdev.h): one test per rule of brief sections 6-7 (docs/PROTOCOL.md
 * RIO-DEV / RIO-SER, draft IDs in comments).  Time is passed explicitly:
 * no sleeps, no clock. */
#include <string.h>

#include "check.h"
#include "rio/librio.h"
#include "serialdev.h"

#define MAXDWORD RIO_SERIAL_TIMEOUT_MAXDWORD
#define GUARD    RIO_MODEM_GUARD_MS
#define BIG_OUT  4096

static serial_reply R; /* the last reply */

static serial_outcome ioctl_in(serialdev *d, uint32_t code, const void *in, uint32_t in_len,
                               uint32_t out_len, uint64_t now)
{
    R = (serial_reply){0};
    return serialdev_ioctl(d, code, in, in_len, out_len, now, &R);
}

/* A completed IOCTL's status (SERIAL_PENDING counts as a failure here). */
static uint32_t ioctl_status(serialdev *d, uint32_t code, const void *in, uint32_t in_len,
                             uint32_t out_len, uint64_t now)
{
    serial_outcome o = ioctl_in(d, code, in, in_len, out_len, now);
    CHECK_EQ(o, SERIAL_COMPLETED);
    if (R.status != RIO_STATUS_SUCCESS) {
        CHECK_EQ(R.information, 0);
        CHECK_EQ(R.data_length, 0);
    }
    return R.status;
}

static uint32_t get_u32(serialdev *d, uint32_t code, uint64_t now)
{
    CHECK_EQ(ioctl_status(d, code, NULL, 0, BIG_OUT, now), RIO_STATUS_SUCCESS);
    CHECK_EQ(R.data_length, 4);
    CHECK_EQ(R.information, 4);
    return R.data_length == 4 ? rio_get_le32(R.data) : 0xDEADBEEF;
}

static uint32_t set_u32(serialdev *d, uint32_t code, uint32_t v, uint64_t now)
{
    uint8_t in[4];
    rio_put_le32(in, v);
    return ioctl_status(d, code, in, sizeof in, 0, now);
}

static void set_timeouts(serialdev *d, uint32_t interval, uint32_t mult, uint32_t constant,
                         uint64_t now)
{
    uint8_t in[RIO_SERIAL_TIMEOUTS_SIZE] = {0};
    rio_put_le32(in + RIO_SERIAL_TIMEOUTS_OFF_READ_INTERVAL, interval);
    rio_put_le32(in + RIO_SERIAL_TIMEOUTS_OFF_READ_MULTIPLIER, mult);
    rio_put_le32(in + RIO_SERIAL_TIMEOUTS_OFF_READ_CONSTANT, constant);
    CHECK_EQ(ioctl_status(d, RIO_IOCTL_SERIAL_SET_TIMEOUTS, in, sizeof in, 0, now),
             RIO_STATUS_SUCCESS);
}

static uint32_t put(serialdev *d, const char *s, uint64_t now)
{
    R = (serial_reply){0};
    CHECK_EQ(serialdev_write(d, (const uint8_t *)s, (uint32_t)strlen(s), now, &R),
             SERIAL_COMPLETED);
    if (R.status == RIO_STATUS_SUCCESS)
        CHECK_EQ(R.information, strlen(s));
    return R.status;
}

static void expect_bytes(const serial_reply *r, const char *want, size_t want_len, int line)
{
    if (r->status != RIO_STATUS_SUCCESS || r->data_length != want_len ||
        r->information != want_len || (want_len && memcmp(r->data, want, want_len) != 0)) {
        fprintf(stderr, "%s:%d: READ got status 0x%08X, %u bytes \"%.*s\", expected %zu \"%.*s\"\n",
                __FILE__, line, r->status, r->data_length, (int)r->data_length,
                r->data ? (const char *)r->data : "", want_len, (int)want_len, want);
        check_failures++;
    }
}
#define EXPECT_BYTES(r, lit) expect_bytes((r), (lit), sizeof(lit) - 1, __LINE__)

/* A READ that completes at once (default timeouts) returns `lit`. */
#define EXPECT_READ(d, now, lit)                                             \
    do {                                                                     \
        R = (serial_reply){0};                                               \
        CHECK_EQ(serialdev_read((d), BIG_OUT, (now), &R), SERIAL_COMPLETED); \
        EXPECT_BYTES(&R, lit);                                               \
    } while (0)

static void expect_pending(serialdev *d, uint64_t now, int line)
{
    serial_reply r;
    if (serialdev_poll(d, now, &r) != SERIAL_PENDING) {
        fprintf(stderr, "%s:%d: request no longer pending at %llu\n", __FILE__, line,
                (unsigned long long)now);
        check_failures++;
    }
}
#define EXPECT_PENDING(d, now) expect_pending((d), (now), __LINE__)

static serial_reply poll_done(serialdev *d, uint64_t now)
{
    serial_reply r = {0};
    CHECK_EQ(serialdev_poll(d, now, &r), SERIAL_COMPLETED);
    CHECK(!serialdev_pending(d));
    return r;
}

/* A fresh port, DTR set, echo off, nothing queued. */
static void ready(serialdev *d)
{
    serialdev_init_modem(d);
    CHECK_EQ(ioctl_status(d, RIO_IOCTL_SERIAL_SET_DTR, NULL, 0, 0, 0), RIO_STATUS_SUCCESS);
    put(d, "ATE0\r", 0);
    EXPECT_READ(d, 0, "ATE0\r\r\nOK\r\n");
}

/* ready(), then dialled at t=0 (online, call up). */
static void online(serialdev *d)
{
    ready(d);
    put(d, "ATD5551234\r", 0);
    EXPECT_READ(d, 0, "\r\nCONNECT 9600\r\n");
}

static uint32_t commstatus(serialdev *d, uint32_t off, uint64_t now)
{
    CHECK_EQ(ioctl_status(d, RIO_IOCTL_SERIAL_GET_COMMSTATUS, NULL, 0, RIO_SERIAL_STATUS_SIZE, now),
             RIO_STATUS_SUCCESS);
    CHECK_EQ(R.data_length, RIO_SERIAL_STATUS_SIZE);
    return R.data_length == RIO_SERIAL_STATUS_SIZE ? rio_get_le32(R.data + off) : 0xDEADBEEF;
}

static const uint32_t all_codes[] = {
    RIO_IOCTL_SERIAL_SET_BAUD_RATE,
    RIO_IOCTL_SERIAL_GET_BAUD_RATE,
    RIO_IOCTL_SERIAL_SET_LINE_CONTROL,
    RIO_IOCTL_SERIAL_GET_LINE_CONTROL,
    RIO_IOCTL_SERIAL_SET_TIMEOUTS,
    RIO_IOCTL_SERIAL_GET_TIMEOUTS,
    RIO_IOCTL_SERIAL_SET_DTR,
    RIO_IOCTL_SERIAL_CLR_DTR,
    RIO_IOCTL_SERIAL_GET_MODEMSTATUS,
    RIO_IOCTL_SERIAL_SET_WAIT_MASK,
    RIO_IOCTL_SERIAL_GET_WAIT_MASK,
    RIO_IOCTL_SERIAL_WAIT_ON_MASK,
    RIO_IOCTL_SERIAL_PURGE,
    RIO_IOCTL_SERIAL_GET_COMMSTATUS,
};
#define NCODES (sizeof all_codes / sizeof all_codes[0])

/* ---- Section 6: every device profile ------------------------------------ */

/* DEV-001: the DeviceType names the profile; SER-001: the codes are
 * ntddser.h's, named by every tool (librio's table). */
static void test_serial_codes_are_ntddser_and_named(void)
{
    char name[64];
    for (size_t i = 0; i < NCODES; i++) {
        CHECK_EQ(RIO_IOCTL_DEVICE_TYPE(all_codes[i]), RIO_FILE_DEVICE_SERIAL_PORT);
        CHECK_EQ(RIO_IOCTL_METHOD(all_codes[i]), RIO_METHOD_BUFFERED);
        CHECK_EQ(RIO_IOCTL_ACCESS(all_codes[i]), RIO_FILE_ANY_ACCESS);
        const char *n = rio_ioctl_name(all_codes[i]);
        CHECK(n && strncmp(n, "IOCTL_SERIAL_", 13) == 0);
        uint32_t back = 0;
        CHECK(n && rio_ioctl_parse(n, &back) && back == all_codes[i]);
        snprintf(name, sizeof name, "%s", n ? n + 6 : "");
        CHECK(rio_ioctl_parse(name, &back) && back == all_codes[i]); /* without IOCTL_ */
    }
    CHECK_EQ(RIO_IOCTL_SERIAL_GET_COMMSTATUS, 0x001B006C);
    CHECK_EQ(RIO_IOCTL_SERIAL_SET_BAUD_RATE, 0x001B0004);
}

/* DEV-002 / SER-001: an unknown IoControlCode (another device type, method
 * or access, an ntddser IOCTL the profile does not have) is
 * STATUS_INVALID_DEVICE_REQUEST, and the port is unchanged. */
static void test_unknown_ioctl_invalid_device_request(void)
{
    serialdev d;
    serialdev_init_modem(&d);
    uint32_t unknown[] = {
        RIO_IOCTL_TOASTER_GET_INFO,
        RIO_IOCTL_SERIAL_GET_BAUD_RATE | RIO_METHOD_NEITHER,
        RIO_IOCTL_SERIAL_GET_BAUD_RATE | (RIO_FILE_READ_ACCESS << 14),
        (RIO_IOCTL_SERIAL_GET_BAUD_RATE & 0xFFFF) | (RIO_FILE_DEVICE_UNKNOWN << 16),
        RIO_CTL_CODE(RIO_FILE_DEVICE_SERIAL_PORT, 12, 0, 0), /* IOCTL_SERIAL_SET_RTS */
        RIO_CTL_CODE(RIO_FILE_DEVICE_SERIAL_PORT, 2, 0, 0),
        0,
    };
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        CHECK_EQ(ioctl_status(&d, unknown[i], "abcd", 4, BIG_OUT, 0),
                 RIO_STATUS_INVALID_DEVICE_REQUEST);
    CHECK_EQ(get_u32(&d, RIO_IOCTL_SERIAL_GET_BAUD_RATE, 0), RIO_SERIAL_BAUD_DEFAULT);
    serialdev_free(&d);
}

/* DEV-003: input is validated before the device state is looked at
 * (WAIT_ON_MASK: the output size before the wait mask; PURGE's bits before
 * the queue). */
static void test_input_validated_before_state(void)
{
    serialdev d;
    serialdev_init_modem(&d);
    CHECK_EQ(ioctl_status(&d, RIO_IOCTL_SERIAL_WAIT_ON_MASK, NULL, 0, 3, 0),
             RIO_STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(ioctl_status(&d, RIO_IOCTL_SERIAL_WAIT_ON_MASK, NULL, 0, 4, 0),
             RIO_STATUS_INVALID_PARAMETER);
    CHECK_EQ(set_u32(&d, RIO_IOCTL_SERIAL_PURGE, 0x10, 0), RIO_STATUS_INVALID_PARAMETER);
    serialdev_free(&d);
}

/* DEV-004 / SER-FIXED: a fixed-size output with OutputLength below its size
 * gets STATUS_BUFFER_TOO_SMALL and no data; a larger OutputLength gets
 * exactly the structure. */
static void test_fixed_outputs_buffer_too_small(void)
{
    static const struct {
        uint32_t code, size;
    } outs[] = {
        {RIO_IOCTL_SERIAL_GET_BAUD_RATE, 4}, {RIO_IOCTL_SERIAL_GET_LINE_CONTROL, 3},
        {RIO_IOCTL_SERIAL_GET_TIMEOUTS, 20}, {RIO_IOCTL_SERIAL_GET_MODEMSTATUS, 4},
        {RIO_IOCTL_SERIAL_GET_WAIT_MASK, 4}, {RIO_IOCTL_SERIAL_GET_COMMSTATUS, 20},
        {RIO_IOCTL_SERIAL_WAIT_ON_MASK, 4},
    };
    serialdev d;
    serialdev_init_modem(&d);
    set_u32(&d, RIO_IOCTL_SERIAL_SET_WAIT_MASK, RIO_SERIAL_EV_DSR, 0);
    for (size_t i = 0; i < sizeof outs / sizeof outs[0]; i++) {
        for (uint32_t out = 0; out < outs[i].size; out++)
            CHECK_EQ(ioctl_status(&d, outs[i].code, NULL, 0, out, 0), RIO_STATUS_BUFFER_TOO_SMALL);
        if (outs[i].code == RIO_IOCTL_SERIAL_WAIT_ON_MASK)
            CHECK_EQ(ioctl_status(&d, RIO_IOCTL_SERIAL_SET_DTR, NULL, 0, 0, 0), RIO_STATUS_SUCCESS);
        CHECK_EQ(ioctl_status(&d, outs[i].code, NULL, 0, 1000, 0), RIO_STATUS_SUCCESS);
        CHECK_EQ(R.data_length, outs[i].size);
        CHECK_EQ(R.information, outs[i].size);
    }
    serialdev_free(&d);
}

/* DEV-005 / SER-INIT: CLOSE or disconnect resets the device to its initial
 * state: 9600 8N1, immediate READs, DTR clear, wait mask 0, queues empty,
 * modem in command mode with echo on and no carrier. */
static void test_reset_restores_initial_state(void)
{
    serialdev d;
    online(&d);
    set_u32(&d, RIO_IOCTL_SERIAL_SET_BAUD_RATE, 300, 1);
    uint8_t lc[3] = {RIO_SERIAL_STOP_BITS_2, RIO_SERIAL_PARITY_EVEN, 7};
    ioctl_status(&d, RIO_IOCTL_SERIAL_SET_LINE_CONTROL, lc, 3, 0, 1);
    set_timeouts(&d, 5, 6, 7, 1);
    set_u32(&d, RIO_IOCTL_SERIAL_SET_WAIT_MASK, RIO_SERIAL_EV_ALL, 1);
    put(&d, "queued", 1);
    serialdev_reset(&d);

    CHECK_EQ(get_u32(&d, RIO_IOCTL_SERIAL_GET_BAUD_RATE, 2), 9600);
    CHECK_EQ(ioctl_status(&d, RIO_IOCTL_SERIAL_GET_LINE_CONTROL, NULL, 0, 3, 2),
             RIO_STATUS_SUCCESS);
    CHECK(R.data_length == 3 && R.data[0] == RIO_SERIAL_STOP_BITS_1 &&
          R.data[1] == RIO_SERIAL_PARITY_NONE && R.data[2] == 8);
    CHECK_EQ(ioctl_status(&d, RIO_IOCTL_SERIAL_GET_TIMEOUTS, NULL, 0, 20, 2), RIO_STATUS_SUCCESS);
    CHECK(R.data_length == 20 && rio_get_le32(R.data) == MAXDWORD);
    for (uint32_t off = 4; R.data_length == 20 && off < 20; off += 4)
        CHECK_EQ(rio_get_le32(R.data + off), 0);
    CHECK_EQ(get_u32(&d, RIO_IOCTL_SERIAL_GET_MODEMSTATUS, 2), 0); /* DTR clear, no carrier */
    CHECK_EQ(get_u32(&d, RIO_IOCTL_SERIAL_GET_WAIT_MASK, 2), 0);
    CHECK_EQ(commstatus(&d, RIO_SERIAL_STATUS_OFF_IN_QUEUE, 2), 0);
    CHECK_EQ(put(&d, "AT\r", 2), RIO_STATUS_INVALID_DEVICE_STATE); /* DTR clear */
    EXPECT_READ(&d, 2, "");
    ioctl_status(&d, RIO_IOCTL_SERIAL_SET_DTR, NULL, 0, 0, 2);
    put(&d, "AT\r", 2); /* command mode, echo on */
    EXPECT_READ(&d, 2, "AT\r\r\nOK\r\n");
    serialdev_free(&d);
}

/* DEV-006: a request may pend and is completed by a device event or a
 * timeout; nothing else is taken meanwhile (a request sent anyway is
 * refused and the pending one stays). */
static void test_request_pends_until_event_or_timeout(void)
{
    serialdev d;
    ready(&d);
    set_timeouts(&d, 0, 0, 500, 0);
    serial_reply r;
    CHECK_EQ(serialdev_read(&d, 10, 100, &r), SERIAL_PENDING);
    CHECK(serialdev_pending(&d));
    CHECK_EQ(serialdev_deadline(&d), 600);
    CHECK_EQ(ioctl_status(&d, RIO_IOCTL_SERIAL_GET_BAUD_RATE, NULL, 0, 4, 200),
             RIO_STATUS_DEVICE_BUSY);
    CHECK(serialdev_pending(&d));
    r = poll_done(&d, 600);
    EXPECT_BYTES(&r, "");
    CHECK_EQ(serialdev_poll(&d, 700, &r), SERIAL_IDLE);
    CHECK_EQ(serialdev_deadline(&d), SERIAL_NO_DEADLINE);
    serialdev_free(&d);
}

/* DEV-007: a disconnect while a request pends abandons it (no answer) and
 * resets the device. */
static void test_disconnect_while_pending_abandons_and_resets(void)
{
    serialdev d;
    ready(&d);
    set_u32(&d, RIO_IOCTL_SERIAL_SET_WAIT_MASK, RIO_SERIAL_EV_RLSD, 0);
    CHECK_EQ(ioctl_in(&d, RIO_IOCTL_SERIAL_WAIT_ON_MASK, NULL, 0, 4, 0), SERIAL_PENDING);
    serialdev_reset(&d);
    serial_reply r;
    CHECK(!serialdev_pending(&d));
    CHECK_EQ(serialdev_poll(&d, 10, &r), SERIAL_IDLE);
    CHECK_EQ(get_u32(&d, RIO_IOCTL_SERIAL_GET_WAIT_MASK, 10), 0);
    /* A pending READ the same way, and the next handle's READ is fresh. */
    ready(&d);
    set_timeouts(&d, 0, 0, 0, 0);
    CHECK_EQ(serialdev_read(&d, 100, 0, &r), SERIAL_PENDING);
    serialdev_reset(&d);
    CHECK_EQ(serialdev_deadline(&d), SERIAL_NO_DEADLINE);
    EXPECT_READ(&d, 20, "");
    serialdev_free(&d);
}

/* ---- Section 7: the serial port ---------------------------------------------- */

/* SER-BAUD: SET_BAUD_RATE accepts exactly the listed rates (GET_BAUD_RATE
 * and CONNECT report the rate); any other is STATUS_INVALID_PARAMETER and
 * changes nothing. */
static void test_set_baud_rate_listed_rates_only(void)
{
    static const uint32_t good[] = {300, 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200};
    static const uint32_t bad[] = {0, 110, 600, 9601, 14400, 230400, 0xFFFFFFFF};
    serialdev d;
    ready(&d);
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        CHECK_EQ(set_u32(&d, RIO_IOCTL_SERIAL_SET_BAUD_RATE, good[i], 0), RIO_STATUS_SUCCESS);
        CHECK_EQ(get_u32(&d, RIO_IOCTL_SERIAL_GET_BAUD_RATE, 0), good[i]);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_EQ(set_u32(&d, RIO_IOCTL_SERIAL_SET_BAUD_RATE, bad[i], 0),
                 RIO_STATUS_INVALID_PARAMETER);
        CHECK_EQ(get_u32(&d, RIO_IOCTL_SERIAL_GET_BAUD_RATE, 0), 115200);
    }
    set_u32(&d, RIO_IOCTL_SERIAL_SET_BAUD_RATE, 2400, 0);
    put(&d, "ATD1\r", 0);
    EXPECT_READ(&d, 0, "\r\nCONNECT 2400\r\n");
    serialdev_free(&d);
}

/* SER-LINECTL: StopBits 0..2, Parity 0..4, WordLength 5..8 round-trip
 * through GET_LINE_CONTROL; a value outside is STATUS_INVALID_PARAMETER and
 * changes nothing. */
static void test_line_control_ranges(void)
{
    serialdev d;
    serialdev_init_modem(&d);
    for (uint8_t stop = 0; stop <= 2; stop++)
        for (uint8_t parity = 0; parity <= 4; parity++)
            for (uint8_t word = 5; word <= 8; word++) {
                uint8_t lc[3] = {stop, parity, word};
                CHECK_EQ(ioctl_status(&d, RIO_IOCTL_SERIAL_SET_LINE_CONTROL, lc, 3, 0, 0),
                         RIO_STATUS_SUCCESS);
                CHECK_EQ(ioctl_status(&d, RIO_IOCTL_SERIAL_GET_LINE_CONTROL, NULL, 0, 3, 0),
                         RIO_STATUS_SUCCESS);
                CHECK(R.data_length == 3 && memcmp(R.data, lc, 3) == 0);
            }
    static const uint8_t bad[][3] = {{3, 0, 8}, {0, 5, 8},       {0, 0, 4},
                                     {0, 0, 9}, {255, 255, 255}, {0, 0, 0}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_EQ(ioctl_status(&d, RIO_IOCTL_SERIAL_SET_LINE_CONTROL, bad[i], 3, 0, 0),
                 RIO_STATUS_INVALID_PARAMETER);
    CHECK_EQ(ioctl_status(&d, RIO_IOCTL_SERIAL_GET_LINE_CONTROL, NULL, 0, 3, 0),
             RIO_STATUS_SUCCESS);
    CHECK(R.data_length == 3 && R.data[0] == 2 && R.data[1] == 4 && R.data[2] == 8);
    serialdev_free(&d);
}

/* SER-TIMEOUTS: SET_TIMEOUTS stores the five values (any value, decision)
 * and GET_TIMEOUTS returns the same 20 bytes. */
static void test_timeouts_round_trip(void)
{
    serialdev d;
    serialdev_init_modem(&d);
    uint8_t in[20];
    for (size_t i = 0; i < sizeof in; i++)
        in[i] = (uint8_t)(0x11 * (i + 1));
    CHECK_EQ(ioctl_status(&d, RIO_IOCTL_SERIAL_SET_TIMEOUTS, in, 20, 0, 0), RIO_STATUS_SUCCESS);
    CHECK_EQ(ioctl_status(&d, RIO_IOCTL_SERIAL_GET_TIMEOUTS, NULL, 0, 20, 0), RIO_STATUS_SUCCESS);
    CHECK(R.data_length == 20 && memcmp(R.data, in, 20) == 0);
    memset(in, 0xFF, sizeof in);
    CHECK_EQ(ioctl_status(&d, RIO_IOCTL_SERIAL_SET_TIMEOUTS, in, 20, 0, 0), RIO_STATUS_SUCCESS);
    serialdev_free(&d);
}

/* SER-INSIZE: input of the wrong size is STATUS_INVALID_PARAMETER for every
 * IOCTL that takes input; the setting is unchanged. */
static void test_wrong_input_size_invalid_parameter(void)
{
    static const struct {
        uint32_t code, size;
    } ins[] = {
        {RIO_IOCTL_SERIAL_SET_BAUD_RATE, 4}, {RIO_IOCTL_SERIAL_SET_LINE_CONTROL, 3},
        {RIO_IOCTL_SERIAL_SET_TIMEOUTS, 20}, {RIO_IOCTL_SERIAL_SET_WAIT_MASK, 4},
        {RIO_IOCTL_SERIAL_PURGE, 4},
    };
    uint8_t buf[64];
    memset(buf, 0, sizeof buf);
    rio_put_le32(buf, 1200); /* valid as baud, line control 0/0/?, mask, purge... */
    serialdev d;
    serialdev_init_modem(&d);
    for (size_t i = 0; i < sizeof ins / sizeof ins[0]; i++) {
        uint32_t sizes[] = {0, ins[i].size - 1, ins[i].size + 1, sizeof buf};
        for (size_t j = 0; j < 4; j++)
            CHECK_EQ(ioctl_status(&d, ins[i].code, buf, sizes[j], 0, 0),
                     RIO_STATUS_INVALID_PARAMETER);
    }
    CHECK_EQ(get_u32(&d, RIO_IOCTL_SERIAL_GET_BAUD_RATE, 0), 9600);
    serialdev_free(&d);
}

/* SER-NOINPUT (decision): IOCTLs without input ignore input bytes; SER-NOOUT:
 * IOCTLs without output return no data whatever the OutputLength. */
static void test_no_input_ignored_no_output_empty(void)
{
    serialdev d;
    serialdev_init_modem(&d);
    uint8_t junk[7] = {1, 2, 3, 4, 5, 6, 7};
    CHECK_EQ(ioctl_status(&d, RIO_IOCTL_SERIAL_GET_BAUD_RATE, junk, 7, 4, 0), RIO_STATUS_SUCCESS);
    CHECK_EQ(R.data_length, 4);
    CHECK_EQ(ioctl_status(&d, RIO_IOCTL_SERIAL_SET_DTR, junk, 7, BIG_OUT, 0), RIO_STATUS_SUCCESS);
    CHECK_EQ(R.data_length, 0);
    CHECK_EQ(R.information, 0);
    uint8_t baud[4];
    rio_put_le32(baud, 1200);
    CHECK_EQ(ioctl_status(&d, RIO_IOCTL_SERIAL_SET_BAUD_RATE, baud, 4, BIG_OUT, 0),
             RIO_STATUS_SUCCESS);
    CHECK_EQ(R.data_length, 0);
    CHECK_EQ(ioctl_status(&d, RIO_IOCTL_SERIAL_CLR_DTR, junk, 7, BIG_OUT, 0), RIO_STATUS_SUCCESS);
    CHECK_EQ(R.data_length, 0);
    serialdev_free(&d);
}

/* SER-DTR: SET_DTR raises DSR and CTS; CLR_DTR drops them. */
static void test_dtr_drives_dsr_cts(void)
{
    serialdev d;
    serialdev_init_modem(&d);
    CHECK_EQ(get_u32(&d, RIO_IOCTL_SERIAL_GET_MODEMSTATUS, 0), 0);
    ioctl_status(&d, RIO_IOCTL_SERIAL_SET_DTR, NULL, 0, 0, 0);
    CHECK_EQ(get_u32(&d, RIO_IOCTL_SERIAL_GET_MODEMSTATUS, 0),
             RIO_SERIAL_MSR_CTS | RIO_SERIAL_MSR_DSR);
    ioctl_status(&d, RIO_IOCTL_SERIAL_CLR_DTR, NULL, 0, 0, 0);
    CHECK_EQ(get_u32(&d, RIO_IOCTL_SERIAL_GET_MODEMSTATUS, 0), 0);
    serialdev_free(&d);
}

/* SER-MODEMSTATUS: DCD while a call is up; RI never (decision). */
static void test_modem_status_dcd_with_call(void)
{
    serialdev d;
    online(&d);
    CHECK_EQ(get_u32(&d, RIO_IOCTL_SERIAL_GET_MODEMSTATUS, 0),
             RIO_SERIAL_MSR_CTS | RIO_SERIAL_MSR_DSR | RIO_SERIAL_MSR_DCD);
    put(&d, "+++", GUARD);
    CHECK_EQ(get_u32(&d, RIO_IOCTL_SERIAL_GET_MODEMSTATUS, 2 * GUARD), /* escaped: call still up */
             RIO_SERIAL_MSR_CTS | RIO_SERIAL_MSR_DSR | RIO_SERIAL_MSR_DCD);
    put(&d, "ATH\r", 2 * GUARD);
    CHECK_EQ(get_u32(&d, RIO_IOCTL_SERIAL_GET_MODEMSTATUS, 2 * GUARD),
             RIO_SERIAL_MSR_CTS | RIO_SERIAL_MSR_DSR);
    serialdev_free(&d);
}

/* SER-CLRDTR-HANGUP / SER-NOCARRIER: CLR_DTR hangs up a connected call;
 * from online mode the modem answers NO CARRIER. */
static void test_clr_dtr_hangs_up_no_carrier(void)
{
    serialdev d;
    online(&d);
    put(&d, "data", 10);
    ioctl_status(&d, RIO_IOCTL_SERIAL_CLR_DTR, NULL, 0, 0, 20);
    EXPECT_READ(&d, 20, "data\r\nNO CARRIER\r\n");
    CHECK_EQ(get_u32(&d, RIO_IOCTL_SERIAL_GET_MODEMSTATUS, 20), 0);
    ioctl_status(&d, RIO_IOCTL_SERIAL_SET_DTR, NULL, 0, 0, 30);
    put(&d, "ATO\r", 30); /* no call to go back to */
    EXPECT_READ(&d, 30, "\r\nERROR\r\n");
    serialdev_free(&d);
}

/* SER-WRITE: Information is every byte written, even when their echo
 * overflows the receive queue. */
static void test_write_accepts_every_byte(void)
{
    static uint8_t big[RIO_SERIAL_QUEUE_SIZE * 3];
    memset(big, 'z', sizeof big);
    serialdev d;
    online(&d);
    serial_reply r;
    CHECK_EQ(serialdev_write(&d, big, sizeof big, 10, &r), SERIAL_COMPLETED);
    CHECK_EQ(r.status, RIO_STATUS_SUCCESS);
    CHECK_EQ(r.information, sizeof big);
    CHECK_EQ(r.data_length, 0);
    CHECK_EQ(serialdev_write(&d, big, 0, 11, &r), SERIAL_COMPLETED);
    CHECK_EQ(r.status, RIO_STATUS_SUCCESS);
    CHECK_EQ(r.information, 0);
    serialdev_free(&d);
}

/* SER-WRITE-DTR: a WRITE with DTR clear is STATUS_INVALID_DEVICE_STATE and
 * reaches nothing. */
static void test_write_with_dtr_clear_invalid_device_state(void)
{
    serialdev d;
    serialdev_init_modem(&d);
    CHECK_EQ(put(&d, "AT\r", 0), RIO_STATUS_INVALID_DEVICE_STATE);
    CHECK_EQ(R.information, 0);
    EXPECT_READ(&d, 0, "");
    ioctl_status(&d, RIO_IOCTL_SERIAL_SET_DTR, NULL, 0, 0, 0);
    CHECK_EQ(put(&d, "AT\r", 0), RIO_STATUS_SUCCESS);
    EXPECT_READ(&d, 0, "AT\r\r\nOK\r\n"); /* no part of the refused line was kept */
    serialdev_free(&d);
}

/* SER-DIALOGUE: a whole modem session through the port: echo and answers,
 * dial, remote echo online, escape, hang-up. */
static void test_modem_dialogue_through_port(void)
{
    serialdev d;
    serialdev_init_modem(&d);
    ioctl_status(&d, RIO_IOCTL_SERIAL_SET_DTR, NULL, 0, 0, 0);
    put(&d, "ATZ\r", 0);
    put(&d, "ATI\r", 0);
    EXPECT_READ(&d, 0, "ATZ\r\r\nOK\r\nATI\r\r\nRIO Modem 1.0\r\n\r\nOK\r\n");
    put(&d, "ATD555\r", 10);
    put(&d, "hello, world\r\n", 20);
    EXPECT_READ(&d, 30, "ATD555\r\r\nCONNECT 9600\r\nhello, world\r\n");
    put(&d, "+++", 20 + GUARD);
    EXPECT_READ(&d, 20 + 2 * GUARD, "+++\r\nOK\r\n");
    put(&d, "ATH\r", 20 + 2 * GUARD);
    EXPECT_READ(&d, 20 + 2 * GUARD, "ATH\r\r\nOK\r\n");
    serialdev_free(&d);
}

/* SER-ATZ-PORT: ATZ resets the modem side and keeps the port settings and
 * DTR (and the queue, the wait mask). */
static void test_atz_keeps_port_settings_and_dtr(void)
{
    serialdev d;
    ready(&d);
    set_u32(&d, RIO_IOCTL_SERIAL_SET_BAUD_RATE, 57600, 0);
    set_u32(&d, RIO_IOCTL_SERIAL_SET_WAIT_MASK, RIO_SERIAL_EV_RING, 0);
    set_timeouts(&d, MAXDWORD, 0, 0, 0);
    put(&d, "ATD1\r", 0);
    put(&d, "+++", GUARD);
    put(&d, "ATZ\r", 2 * GUARD);
    CHECK_EQ(get_u32(&d, RIO_IOCTL_SERIAL_GET_BAUD_RATE, 2 * GUARD), 57600);
    CHECK_EQ(get_u32(&d, RIO_IOCTL_SERIAL_GET_WAIT_MASK, 2 * GUARD), RIO_SERIAL_EV_RING);
    CHECK_EQ(get_u32(&d, RIO_IOCTL_SERIAL_GET_MODEMSTATUS, 2 * GUARD),
             RIO_SERIAL_MSR_CTS | RIO_SERIAL_MSR_DSR);
    EXPECT_READ(&d, 2 * GUARD,
                "\r\nCONNECT 57600\r\n+++\r\nOK\r\n\r\nOK\r\n"); /* echo was off; ATZ turns it on */
    put(&d, "AT\r", 2 * GUARD);
    EXPECT_READ(&d, 2 * GUARD, "AT\r\r\nOK\r\n");
    serialdev_free(&d);
}

/* SER-QUEUE: the receive queue holds 4,096 bytes; the newest bytes beyond
 * it are dropped and QUEUEOVERRUN is set until a GET_COMMSTATUS reports it
 * (one that fails with BUFFER_TOO_SMALL does not). */
static void test_queue_overrun_drops_newest_until_reported(void)
{
    static char fill[RIO_SERIAL_QUEUE_SIZE - 6 + 1];
    memset(fill, 'a', sizeof fill - 1);
    serialdev d;
    online(&d);
    put(&d, fill, 1);
    CHECK_EQ(commstatus(&d, RIO_SERIAL_STATUS_OFF_ERRORS, 1), 0);
    put(&d, "XYZ0123456", 2); /* 6 fit, "3456" do not */
    CHECK_EQ(ioctl_status(&d, RIO_IOCTL_SERIAL_GET_COMMSTATUS, NULL, 0, 19, 2),
             RIO_STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(commstatus(&d, RIO_SERIAL_STATUS_OFF_ERRORS, 2), RIO_SERIAL_ERROR_QUEUEOVERRUN);
    CHECK(R.data_length == 20 &&
          rio_get_le32(R.data + RIO_SERIAL_STATUS_OFF_IN_QUEUE) == RIO_SERIAL_QUEUE_SIZE);
    CHECK_EQ(commstatus(&d, RIO_SERIAL_STATUS_OFF_ERRORS, 2), 0); /* reported once */
    serial_reply r;
    CHECK_EQ(serialdev_read(&d, RIO_SERIAL_QUEUE_SIZE + 100, 3, &r), SERIAL_COMPLETED);
    CHECK_EQ(r.data_length, RIO_SERIAL_QUEUE_SIZE);
    CHECK(r.data_length == RIO_SERIAL_QUEUE_SIZE && r.data[0] == 'a' &&
          memcmp(r.data + RIO_SERIAL_QUEUE_SIZE - 6, "XYZ012", 6) == 0);
    put(&d, "b", 4); /* room again: no new error */
    CHECK_EQ(commstatus(&d, RIO_SERIAL_STATUS_OFF_ERRORS, 4), 0);
    EXPECT_READ(&d, 4, "b");
    serialdev_free(&d);
}

/* SER-READ-FIFO: READ returns up to OutputLength bytes, first in first out,
 * over many READs and around the ring's end. */
static void test_read_fifo_up_to_output_length(void)
{
    serialdev d;
    online(&d);
    char expect[RIO_SERIAL_QUEUE_SIZE + 1];
    uint32_t next = 0, seen = 0;
    for (int round = 0; round < 5; round++) {
        char chunk[1500];
        for (size_t i = 0; i < sizeof chunk - 1; i++)
            chunk[i] = (char)('!' + (next++ % 90));
        chunk[sizeof chunk - 1] = 0;
        put(&d, chunk, 10 + round);
        for (int k = 0; k < 3; k++) {
            serial_reply r;
            CHECK_EQ(serialdev_read(&d, 700, 10 + round, &r), SERIAL_COMPLETED);
            for (uint32_t i = 0; i < r.data_length; i++)
                expect[i] = (char)('!' + (seen++ % 90));
            CHECK(r.data_length <= 700);
            CHECK(memcmp(r.data, expect, r.data_length) == 0);
        }
    }
    CHECK_EQ(seen, next);
    serialdev_free(&d);
}

/* SER-READ-NOW: with ReadIntervalTimeout MAXDWORD and both totals 0 a READ
 * returns at once (0 bytes if empty); so does a READ of 0 bytes. */
static void test_read_returns_at_once_by_default(void)
{
    serialdev d;
    ready(&d);
    EXPECT_READ(&d, 0, "");
    put(&d, "AT\r", 0);
    EXPECT_READ(&d, 0, "\r\nOK\r\n");
    set_timeouts(&d, 0, 0, 0, 0);
    serial_reply r;
    CHECK_EQ(serialdev_read(&d, 0, 0, &r), SERIAL_COMPLETED);
    EXPECT_BYTES(&r, "");
    serialdev_free(&d);
}

/* SER-READ-TOTAL: the total timeout (multiplier x OutputLength + constant)
 * runs from the start of the READ; then STATUS_SUCCESS with what arrived. */
static void test_read_total_timeout_from_start(void)
{
    serialdev d;
    online(&d);
    put(&d, "ab", 100);
    set_timeouts(&d, 0, 10, 100, 100);
    serial_reply r;
    CHECK_EQ(serialdev_read(&d, 5, 1000, &r), SERIAL_PENDING);
    CHECK_EQ(serialdev_deadline(&d), 1000 + 10 * 5 + 100);
    EXPECT_PENDING(&d, 1149);
    r = poll_done(&d, 1150);
    EXPECT_BYTES(&r, "ab");
    /* Multiplier alone, and 32-bit overflow is not wrap-around. */
    set_timeouts(&d, 0, MAXDWORD, 0, 2000);
    CHECK_EQ(serialdev_read(&d, 3, 2000, &r), SERIAL_PENDING);
    CHECK_EQ(serialdev_deadline(&d), 2000 + 3ull * MAXDWORD);
    serialdev_reset(&d);
    serialdev_free(&d);
}

/* SER-READ-INTERVAL: the interval timeout runs from each byte the READ
 * received; before the first byte it does not run. */
static void test_read_interval_timeout_from_each_byte(void)
{
    serialdev d;
    online(&d);
    put(&d, "+++", GUARD); /* the OK comes at 2*GUARD, while the READ pends */
    EXPECT_READ(&d, GUARD, "+++");
    set_timeouts(&d, 200, 0, 0, GUARD);
    serial_reply r;
    CHECK_EQ(serialdev_read(&d, 10, GUARD + 1, &r), SERIAL_PENDING);
    CHECK_EQ(serialdev_deadline(&d), 2 * GUARD); /* the modem's guard time, not the interval */
    EXPECT_PENDING(&d, 2 * GUARD);               /* 6 bytes of OK arrived: the interval starts */
    CHECK_EQ(serialdev_deadline(&d), 2 * GUARD + 200);
    EXPECT_PENDING(&d, 2 * GUARD + 199);
    r = poll_done(&d, 2 * GUARD + 200);
    EXPECT_BYTES(&r, "\r\nOK\r\n");
    serialdev_free(&d);
}

/* SER-READ-INTERVAL-QUEUED: when the READ took queued bytes the interval
 * timeout runs from its start. */
static void test_read_interval_from_start_when_bytes_queued(void)
{
    serialdev d;
    online(&d);
    put(&d, "xyz", 10);
    set_timeouts(&d, 300, 0, 0, 10);
    serial_reply r;
    CHECK_EQ(serialdev_read(&d, 10, 500, &r), SERIAL_PENDING);
    CHECK_EQ(serialdev_deadline(&d), 800);
    EXPECT_PENDING(&d, 799);
    r = poll_done(&d, 800);
    EXPECT_BYTES(&r, "xyz");
    serialdev_free(&d);
}

/* SER-READ-ALL: with every timeout 0 a READ pends until OutputLength bytes
 * arrived, however long that takes. */
static void test_read_all_timeouts_zero_waits_for_all(void)
{
    serialdev d;
    online(&d);
    put(&d, "+++", GUARD);
    set_timeouts(&d, 0, 0, 0, GUARD);
    serial_reply r;
    CHECK_EQ(serialdev_read(&d, 9, GUARD, &r), SERIAL_PENDING); /* "+++" now, "\r\nOK\r\n" later */
    CHECK_EQ(serialdev_deadline(&d), 2 * GUARD);
    EXPECT_PENDING(&d, 2 * GUARD - 1);
    r = poll_done(&d, 2 * GUARD);
    EXPECT_BYTES(&r, "+++\r\nOK\r\n");
    CHECK_EQ(serialdev_read(&d, 1, 2 * GUARD, &r), SERIAL_PENDING);
    CHECK_EQ(serialdev_deadline(&d), SERIAL_NO_DEADLINE);
    EXPECT_PENDING(&d, 1000000 * (uint64_t)GUARD);
    serialdev_reset(&d);
    serialdev_free(&d);
}

/* SER-READ-STRAIGHT: bytes arriving while a READ pends go straight to it
 * (not through the queue); what it does not want stays queued. */
static void test_bytes_arriving_during_read_go_to_it(void)
{
    serialdev d;
    online(&d);
    put(&d, "+++", GUARD);
    EXPECT_READ(&d, GUARD, "+++");
    set_timeouts(&d, 0, 0, 0, GUARD);
    serial_reply r;
    CHECK_EQ(serialdev_read(&d, 4, GUARD, &r), SERIAL_PENDING);
    r = poll_done(&d, 3 * GUARD); /* a late poll changes nothing */
    EXPECT_BYTES(&r, "\r\nOK");
    CHECK_EQ(commstatus(&d, RIO_SERIAL_STATUS_OFF_IN_QUEUE, 3 * GUARD), 2);
    set_timeouts(&d, MAXDWORD, 0, 0, 3 * GUARD);
    EXPECT_READ(&d, 3 * GUARD, "\r\n");
    serialdev_free(&d);
}

/* Deadlines are handled in time order even when the poll comes late: a
 * READ whose timeout ended before the modem's OK gets nothing of it. */
static void test_late_poll_keeps_time_order(void)
{
    serialdev d;
    online(&d);
    put(&d, "+++", GUARD);
    EXPECT_READ(&d, GUARD, "+++");
    set_timeouts(&d, 0, 0, 500, GUARD);
    serial_reply r;
    CHECK_EQ(serialdev_read(&d, 10, GUARD + 100, &r), SERIAL_PENDING);
    r = poll_done(&d, 10 * GUARD); /* timeout at GUARD+600, OK at 2*GUARD */
    EXPECT_BYTES(&r, "");
    set_timeouts(&d, MAXDWORD, 0, 0, 10 * GUARD);
    EXPECT_READ(&d, 10 * GUARD, "\r\nOK\r\n");
    /* Equal times: the bytes count (the line's event first). */
    serialdev_free(&d);
    online(&d);
    put(&d, "+++", GUARD);
    EXPECT_READ(&d, GUARD, "+++");
    set_timeouts(&d, 0, 0, GUARD, GUARD);
    CHECK_EQ(serialdev_read(&d, 10, GUARD, &r), SERIAL_PENDING);
    r = poll_done(&d, 5 * GUARD);
    EXPECT_BYTES(&r, "\r\nOK\r\n");
    serialdev_free(&d);
}

/* SER-WAITMASK: SET_WAIT_MASK refuses undefined bits; GET_WAIT_MASK returns
 * the mask. */
static void test_wait_mask_defined_bits_only(void)
{
    serialdev d;
    serialdev_init_modem(&d);
    CHECK_EQ(set_u32(&d, RIO_IOCTL_SERIAL_SET_WAIT_MASK, RIO_SERIAL_EV_ALL, 0), RIO_STATUS_SUCCESS);
    CHECK_EQ(get_u32(&d, RIO_IOCTL_SERIAL_GET_WAIT_MASK, 0), 0x1FF);
    uint32_t bad[] = {0x200, 0x1000, 0x80000000, 0xFFFFFFFF, RIO_SERIAL_EV_RXCHAR | 0x400};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_EQ(set_u32(&d, RIO_IOCTL_SERIAL_SET_WAIT_MASK, bad[i], 0),
                 RIO_STATUS_INVALID_PARAMETER);
    CHECK_EQ(get_u32(&d, RIO_IOCTL_SERIAL_GET_WAIT_MASK, 0), 0x1FF);
    CHECK_EQ(set_u32(&d, RIO_IOCTL_SERIAL_SET_WAIT_MASK, 0, 0), RIO_STATUS_SUCCESS);
    CHECK_EQ(get_u32(&d, RIO_IOCTL_SERIAL_GET_WAIT_MASK, 0), 0);
    serialdev_free(&d);
}

/* SER-WAIT-CHECKS: WAIT_ON_MASK with OutputLength < 4 is
 * STATUS_BUFFER_TOO_SMALL; with mask 0 STATUS_INVALID_PARAMETER. */
static void test_wait_on_mask_checks(void)
{
    serialdev d;
    ready(&d);
    for (uint32_t out = 0; out < 4; out++)
        CHECK_EQ(ioctl_status(&d, RIO_IOCTL_SERIAL_WAIT_ON_MASK, NULL, 0, out, 0),
                 RIO_STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(ioctl_status(&d, RIO_IOCTL_SERIAL_WAIT_ON_MASK, NULL, 0, 4, 0),
             RIO_STATUS_INVALID_PARAMETER);
    serialdev_free(&d);
}

/* SER-EVENTS: events are collected from SET_WAIT_MASK on, only those in the
 * mask (RXCHAR, RLSD, DSR, CTS); WAIT_ON_MASK answers at once with them and
 * clears the collection; SET_WAIT_MASK starts a fresh one. */
static void test_events_collected_from_set_wait_mask(void)
{
    serialdev d;
    serialdev_init_modem(&d);
    ioctl_status(&d, RIO_IOCTL_SERIAL_SET_DTR, NULL, 0, 0, 0); /* before any mask: not collected */
    set_u32(&d, RIO_IOCTL_SERIAL_SET_WAIT_MASK, RIO_SERIAL_EV_ALL, 1);
    CHECK_EQ(ioctl_in(&d, RIO_IOCTL_SERIAL_WAIT_ON_MASK, NULL, 0, 4, 1), SERIAL_PENDING);
    serialdev_reset(&d);

    set_u32(&d, RIO_IOCTL_SERIAL_SET_WAIT_MASK, RIO_SERIAL_EV_DSR | RIO_SERIAL_EV_RXCHAR, 0);
    ioctl_status(&d, RIO_IOCTL_SERIAL_SET_DTR, NULL, 0, 0,
                 0); /* DSR and CTS change; CTS not in mask */
    CHECK_EQ(get_u32(&d, RIO_IOCTL_SERIAL_WAIT_ON_MASK, 0), RIO_SERIAL_EV_DSR);
    put(&d, "AT\r", 1);
    ioctl_status(&d, RIO_IOCTL_SERIAL_CLR_DTR, NULL, 0, 0, 1);
    CHECK_EQ(get_u32(&d, RIO_IOCTL_SERIAL_WAIT_ON_MASK, 1),
             RIO_SERIAL_EV_DSR | RIO_SERIAL_EV_RXCHAR);
    ioctl_status(&d, RIO_IOCTL_SERIAL_SET_DTR, NULL, 0, 0, 2);
    set_u32(&d, RIO_IOCTL_SERIAL_SET_WAIT_MASK, RIO_SERIAL_EV_CTS, 2); /* forgets the DSR */
    CHECK_EQ(ioctl_in(&d, RIO_IOCTL_SERIAL_WAIT_ON_MASK, NULL, 0, 4, 2), SERIAL_PENDING);
    serialdev_reset(&d);
    /* DTR set twice is one change; CTS with DTR. */
    set_u32(&d, RIO_IOCTL_SERIAL_SET_WAIT_MASK, RIO_SERIAL_EV_CTS | RIO_SERIAL_EV_DSR, 3);
    ioctl_status(&d, RIO_IOCTL_SERIAL_SET_DTR, NULL, 0, 0, 3);
    CHECK_EQ(get_u32(&d, RIO_IOCTL_SERIAL_WAIT_ON_MASK, 3), RIO_SERIAL_EV_CTS | RIO_SERIAL_EV_DSR);
    ioctl_status(&d, RIO_IOCTL_SERIAL_SET_DTR, NULL, 0, 0, 3);
    CHECK_EQ(ioctl_in(&d, RIO_IOCTL_SERIAL_WAIT_ON_MASK, NULL, 0, 4, 3), SERIAL_PENDING);
    serialdev_reset(&d);
    serialdev_free(&d);
}

/* SER-WAIT-PEND: with nothing collected WAIT_ON_MASK pends until an event in
 * the mask occurs (here RXCHAR: the modem's OK after +++). */
static void test_wait_on_mask_pends_until_event(void)
{
    serialdev d;
    online(&d);
    put(&d, "+++", GUARD);
    set_u32(&d, RIO_IOCTL_SERIAL_SET_WAIT_MASK, RIO_SERIAL_EV_RXCHAR, GUARD);
    CHECK_EQ(ioctl_in(&d, RIO_IOCTL_SERIAL_WAIT_ON_MASK, NULL, 0, 4, GUARD), SERIAL_PENDING);
    CHECK_EQ(serialdev_deadline(&d), 2 * GUARD);
    EXPECT_PENDING(&d, 2 * GUARD - 1);
    serial_reply r = poll_done(&d, 2 * GUARD);
    CHECK(r.status == RIO_STATUS_SUCCESS && r.data_length == 4 && r.information == 4);
    CHECK_EQ(rio_get_le32(r.data), RIO_SERIAL_EV_RXCHAR);
    CHECK_EQ(ioctl_in(&d, RIO_IOCTL_SERIAL_WAIT_ON_MASK, NULL, 0, 4, 2 * GUARD),
             SERIAL_PENDING); /* cleared */
    serialdev_reset(&d);
    serialdev_free(&d);
}

/* SER-RXCHAR (decision): RXCHAR also for bytes that go straight to a
 * pending READ; not for bytes dropped on overrun. */
static void test_rxchar_for_kept_bytes_only(void)
{
    static char fill[RIO_SERIAL_QUEUE_SIZE + 1];
    memset(fill, 'q', sizeof fill - 1);
    serialdev d;
    online(&d);
    put(&d, fill, 1);
    set_u32(&d, RIO_IOCTL_SERIAL_SET_WAIT_MASK, RIO_SERIAL_EV_RXCHAR, 2);
    put(&d, "dropped", 2);
    CHECK_EQ(ioctl_in(&d, RIO_IOCTL_SERIAL_WAIT_ON_MASK, NULL, 0, 4, 2), SERIAL_PENDING);
    serialdev_reset(&d);

    online(&d);
    put(&d, "+++", GUARD);
    EXPECT_READ(&d, GUARD, "+++");
    set_u32(&d, RIO_IOCTL_SERIAL_SET_WAIT_MASK, RIO_SERIAL_EV_RXCHAR, GUARD);
    set_timeouts(&d, 0, 0, 0, GUARD);
    serial_reply r;
    CHECK_EQ(serialdev_read(&d, 6, GUARD, &r), SERIAL_PENDING);
    r = poll_done(&d, 2 * GUARD);
    EXPECT_BYTES(&r, "\r\nOK\r\n");
    CHECK_EQ(get_u32(&d, RIO_IOCTL_SERIAL_WAIT_ON_MASK, 2 * GUARD), RIO_SERIAL_EV_RXCHAR);
    serialdev_free(&d);
}

/* SER-RLSD: RLSD on a carrier change, raised only by the client's own ATD,
 * ATH, CLR_DTR (and ATZ with a call up): not by data, +++ or ATO. */
static void test_rlsd_only_by_client_commands(void)
{
    serialdev d;
    ready(&d);
    set_u32(&d, RIO_IOCTL_SERIAL_SET_WAIT_MASK, RIO_SERIAL_EV_RLSD, 0);
    put(&d, "ATD1\r", 0);
    CHECK_EQ(get_u32(&d, RIO_IOCTL_SERIAL_WAIT_ON_MASK, 0), RIO_SERIAL_EV_RLSD);
    put(&d, "data", 10);
    put(&d, "+++", 10 + GUARD);
    CHECK_EQ(ioctl_in(&d, RIO_IOCTL_SERIAL_WAIT_ON_MASK, NULL, 0, 4, 10 + GUARD), SERIAL_PENDING);
    EXPECT_PENDING(&d, 100 * GUARD); /* the escape's OK is no carrier change */
    serialdev_reset(&d);

    ready(&d);
    put(&d, "ATD1\r", 0);
    put(&d, "+++", GUARD);
    set_u32(&d, RIO_IOCTL_SERIAL_SET_WAIT_MASK, RIO_SERIAL_EV_RLSD, 2 * GUARD);
    put(&d, "ATO\r", 2 * GUARD);
    put(&d, "+++", 3 * GUARD);
    put(&d, "ATH\r", 4 * GUARD);
    CHECK_EQ(get_u32(&d, RIO_IOCTL_SERIAL_WAIT_ON_MASK, 4 * GUARD), RIO_SERIAL_EV_RLSD);
    put(&d, "ATD2\r", 4 * GUARD);
    CHECK_EQ(get_u32(&d, RIO_IOCTL_SERIAL_WAIT_ON_MASK, 4 * GUARD), RIO_SERIAL_EV_RLSD);
    ioctl_status(&d, RIO_IOCTL_SERIAL_CLR_DTR, NULL, 0, 0, 4 * GUARD);
    CHECK_EQ(get_u32(&d, RIO_IOCTL_SERIAL_WAIT_ON_MASK, 4 * GUARD), RIO_SERIAL_EV_RLSD);
    ioctl_status(&d, RIO_IOCTL_SERIAL_SET_DTR, NULL, 0, 0, 4 * GUARD);
    put(&d, "ATD3\r", 4 * GUARD);
    put(&d, "+++", 5 * GUARD);
    put(&d, "ATZ\r", 6 * GUARD);
    CHECK_EQ(get_u32(&d, RIO_IOCTL_SERIAL_WAIT_ON_MASK, 6 * GUARD), RIO_SERIAL_EV_RLSD);
    serialdev_free(&d);
}

/* SER-PURGE: RXCLEAR empties the receive queue; TXCLEAR, TXABORT and
 * RXABORT are accepted and change nothing else. */
static void test_purge_rxclear_empties_queue(void)
{
    serialdev d;
    online(&d);
    put(&d, "keep", 1);
    CHECK_EQ(set_u32(&d, RIO_IOCTL_SERIAL_PURGE,
                     RIO_SERIAL_PURGE_TXABORT | RIO_SERIAL_PURGE_RXABORT | RIO_SERIAL_PURGE_TXCLEAR,
                     1),
             RIO_STATUS_SUCCESS);
    CHECK_EQ(commstatus(&d, RIO_SERIAL_STATUS_OFF_IN_QUEUE, 1), 4);
    CHECK_EQ(get_u32(&d, RIO_IOCTL_SERIAL_GET_MODEMSTATUS, 1),
             RIO_SERIAL_MSR_CTS | RIO_SERIAL_MSR_DSR | RIO_SERIAL_MSR_DCD);
    CHECK_EQ(set_u32(&d, RIO_IOCTL_SERIAL_PURGE, RIO_SERIAL_PURGE_RXCLEAR, 1), RIO_STATUS_SUCCESS);
    CHECK_EQ(commstatus(&d, RIO_SERIAL_STATUS_OFF_IN_QUEUE, 1), 0);
    EXPECT_READ(&d, 1, "");
    put(&d, "more", 2); /* the call and the queue still work */
    EXPECT_READ(&d, 2, "more");
    serialdev_free(&d);
}

/* SER-PURGE-BITS: PURGE with no bits or undefined bits is
 * STATUS_INVALID_PARAMETER and purges nothing. */
static void test_purge_bad_bits_invalid_parameter(void)
{
    serialdev d;
    online(&d);
    put(&d, "keep", 1);
    uint32_t bad[] = {0, 0x10, RIO_SERIAL_PURGE_RXCLEAR | 0x10, 0xFFFFFFFF};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_EQ(set_u32(&d, RIO_IOCTL_SERIAL_PURGE, bad[i], 1), RIO_STATUS_INVALID_PARAMETER);
    EXPECT_READ(&d, 1, "keep");
    serialdev_free(&d);
}

/* SER-COMMSTATUS: SERIAL_STATUS is Errors, HoldReasons 0, AmountInInQueue,
 * AmountInOutQueue 0, EofReceived 0, WaitForImmediate 0, padding 0. */
static void test_commstatus_layout(void)
{
    serialdev d;
    online(&d);
    put(&d, "12345", 1);
    CHECK_EQ(ioctl_status(&d, RIO_IOCTL_SERIAL_GET_COMMSTATUS, NULL, 0, 64, 1), RIO_STATUS_SUCCESS);
    CHECK_EQ(R.data_length, 20);
    uint8_t want[20] = {0};
    rio_put_le32(want + RIO_SERIAL_STATUS_OFF_IN_QUEUE, 5);
    CHECK(R.data_length == 20 && memcmp(R.data, want, 20) == 0);
    serialdev_free(&d);
}

int main(void)
{
    test_serial_codes_are_ntddser_and_named();
    test_unknown_ioctl_invalid_device_request();
    test_input_validated_before_state();
    test_fixed_outputs_buffer_too_small();
    test_reset_restores_initial_state();
    test_request_pends_until_event_or_timeout();
    test_disconnect_while_pending_abandons_and_resets();
    test_set_baud_rate_listed_rates_only();
    test_line_control_ranges();
    test_timeouts_round_trip();
    test_wrong_input_size_invalid_parameter();
    test_no_input_ignored_no_output_empty();
    test_dtr_drives_dsr_cts();
    test_modem_status_dcd_with_call();
    test_clr_dtr_hangs_up_no_carrier();
    test_write_accepts_every_byte();
    test_write_with_dtr_clear_invalid_device_state();
    test_modem_dialogue_through_port();
    test_atz_keeps_port_settings_and_dtr();
    test_queue_overrun_drops_newest_until_reported();
    test_read_fifo_up_to_output_length();
    test_read_returns_at_once_by_default();
    test_read_total_timeout_from_start();
    test_read_interval_timeout_from_each_byte();
    test_read_interval_from_start_when_bytes_queued();
    test_read_all_timeouts_zero_waits_for_all();
    test_bytes_arriving_during_read_go_to_it();
    test_late_poll_keeps_time_order();
    test_wait_mask_defined_bits_only();
    test_wait_on_mask_checks();
    test_events_collected_from_set_wait_mask();
    test_wait_on_mask_pends_until_event();
    test_rxchar_for_kept_bytes_only();
    test_rlsd_only_by_client_commands();
    test_purge_rxclear_empties_queue();
    test_purge_bad_bits_invalid_parameter();
    test_commstatus_layout();
    return check_report("serialdev");
}
