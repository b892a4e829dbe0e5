/* test_hayes.c — the AT command interpreter (hayes.h), one test per rule
 * of the brief's modem (docs/PROTOCOL.md RIO-SER, draft IDs in comments).
 * Time is passed explicitly: no sleeps, no clock. */
#include <string.h>

#include "check.h"
#include "hayes.h"

#define BAUD  9600
#define GUARD RIO_MODEM_GUARD_MS

typedef struct capture {
    uint8_t buf[8192];
    size_t len;
    size_t calls;
} capture;

static void capture_emit(void *ctx, const uint8_t *data, size_t len)
{
    capture *c = ctx;
    CHECK(len > 0);
    if (c->len + len > sizeof c->buf)
        len = sizeof c->buf - c->len;
    memcpy(c->buf + c->len, data, len);
    c->len += len;
    c->calls++;
}

/* What the modem sent since the last look equals `want` (then forgotten). */
static void expect_out(capture *c, const char *want, size_t want_len, int line)
{
    if (c->len != want_len || memcmp(c->buf, want, want_len) != 0) {
        fprintf(stderr, "%s:%d: modem sent %zu bytes \"%.*s\", expected %zu \"%.*s\"\n", __FILE__,
                line, c->len, (int)c->len, (const char *)c->buf, want_len, (int)want_len, want);
        check_failures++;
    }
    c->len = 0;
}
#define EXPECT_OUT(c, lit) expect_out((c), (lit), sizeof(lit) - 1, __LINE__)

static unsigned put(hayes *h, const char *s, uint64_t now)
{
    return hayes_input(h, (const uint8_t *)s, strlen(s), BAUD, now);
}

static void setup(hayes *h, capture *c)
{
    memset(c, 0, sizeof *c);
    hayes_init(h, capture_emit, c);
}

/* Dial at t=0 and forget the dialogue: online, call up. */
static void connected(hayes *h, capture *c)
{
    setup(h, c);
    CHECK_EQ(put(h, "ATD5551234\r", 0), HAYES_CARRIER_CHANGED);
    c->len = 0;
}

/* connected(), then escaped with +++ (command mode, call up) at 2*GUARD. */
#define ESCAPED_AT (2 * GUARD)
static void escaped(hayes *h, capture *c)
{
    connected(h, c);
    put(h, "+++", GUARD);
    hayes_poll(h, ESCAPED_AT);
    CHECK(!h->online);
    CHECK(h->carrier);
    c->len = 0;
}

/* SER-AT: `AT` -> OK. */
static void test_at_answers_ok(void)
{
    hayes h;
    capture c;
    setup(&h, &c);
    CHECK_EQ(put(&h, "AT\r", 0), 0);
    EXPECT_OUT(&c, "AT\r\r\nOK\r\n");
}

/* SER-ECHO: the echo is byte for byte, the CR too, and comes before the
 * answer; several lines in one WRITE interleave echo and answers. */
static void test_echo_byte_for_byte_before_answer(void)
{
    hayes h;
    capture c;
    setup(&h, &c);
    put(&h, "AT\rATI\r", 0);
    EXPECT_OUT(&c, "AT\r\r\nOK\r\nATI\r\r\nRIO Modem 1.0\r\n\r\nOK\r\n");
    put(&h, "at\r\n", 1); /* LF is echoed too (byte for byte) but not interpreted */
    EXPECT_OUT(&c, "at\r\r\nOK\r\n\n");
}

/* SER-FRAME: every answer is "\r\n<text>\r\n". */
static void test_answers_framed_crlf(void)
{
    hayes h;
    capture c;
    setup(&h, &c);
    put(&h, "ATE0\r", 0);
    c.len = 0;
    const char *cmds[] = {"AT\r", "ATX\r", "ATI\r", "ATD1\r"};
    const char *answers[] = {"\r\nOK\r\n", "\r\nERROR\r\n", "\r\nRIO Modem 1.0\r\n\r\nOK\r\n",
                             "\r\nCONNECT 9600\r\n"};
    for (size_t i = 0; i < 4; i++) {
        put(&h, cmds[i], 0);
        expect_out(&c, answers[i], strlen(answers[i]), __LINE__);
    }
}

/* SER-ATZ: reset to the initial modem state (echo on, command mode, no
 * call), OK. */
static void test_atz_resets_modem_side(void)
{
    hayes h;
    capture c;
    escaped(&h, &c);
    put(&h, "ATE0\r", ESCAPED_AT);
    c.len = 0;
    CHECK_EQ(put(&h, "ATZ\r", ESCAPED_AT + 1), HAYES_CARRIER_CHANGED); /* the call goes */
    EXPECT_OUT(&c, "\r\nOK\r\n"); /* echo was off for the ATZ line */
    CHECK(!h.carrier);
    CHECK(!h.online);
    CHECK(h.echo);
    CHECK_EQ(put(&h, "ATZ\r", ESCAPED_AT + 2), 0); /* no call: no carrier change */
    EXPECT_OUT(&c, "ATZ\r\r\nOK\r\n");
}

/* SER-ATE: ATE0 / ATE1 switch the echo off / on, OK; the ATE0 line itself
 * is still echoed (echo was on when it arrived). */
static void test_ate0_ate1_switch_echo(void)
{
    hayes h;
    capture c;
    setup(&h, &c);
    put(&h, "ATE0\r", 0);
    EXPECT_OUT(&c, "ATE0\r\r\nOK\r\n");
    put(&h, "AT\r", 1);
    EXPECT_OUT(&c, "\r\nOK\r\n");
    put(&h, "ATE1\r", 2);
    EXPECT_OUT(&c, "\r\nOK\r\n");
    put(&h, "AT\r", 3);
    EXPECT_OUT(&c, "AT\r\r\nOK\r\n");
}

/* SER-ATI: the line `RIO Modem 1.0`, then OK. */
static void test_ati_identifies(void)
{
    hayes h;
    capture c;
    setup(&h, &c);
    put(&h, "ATI\r", 0);
    EXPECT_OUT(&c, "ATI\r\r\n" RIO_MODEM_ID "\r\n\r\nOK\r\n");
}

/* SER-ATD: CONNECT <baud>, carrier up, online; bytes after the command in
 * the same WRITE are already data for the remote end. */
static void test_atd_connects_online(void)
{
    hayes h;
    capture c;
    setup(&h, &c);
    CHECK_EQ(hayes_input(&h, (const uint8_t *)"ATD0123456789\rhi", 16, 115200, 0),
             HAYES_CARRIER_CHANGED);
    EXPECT_OUT(&c, "ATD0123456789\r\r\nCONNECT 115200\r\nhi");
    CHECK(h.carrier);
    CHECK(h.online);
}

/* SER-ATD-BUSY (decision): ATD while a call is up is ERROR. */
static void test_atd_with_call_up_is_error(void)
{
    hayes h;
    capture c;
    escaped(&h, &c);
    CHECK_EQ(put(&h, "ATD1\r", ESCAPED_AT), 0);
    EXPECT_OUT(&c, "ATD1\r\r\nERROR\r\n");
    CHECK(h.carrier);
    CHECK(!h.online);
}

/* SER-ATH: carrier down, OK (also with no call: OK, no change). */
static void test_ath_drops_carrier(void)
{
    hayes h;
    capture c;
    escaped(&h, &c);
    CHECK_EQ(put(&h, "ATH\r", ESCAPED_AT), HAYES_CARRIER_CHANGED);
    EXPECT_OUT(&c, "ATH\r\r\nOK\r\n");
    CHECK(!h.carrier);
    CHECK_EQ(put(&h, "ATH\r", ESCAPED_AT + 1), 0);
    EXPECT_OUT(&c, "ATH\r\r\nOK\r\n");
}

/* SER-ATO: back online with CONNECT <baud> if a call is up, else ERROR. */
static void test_ato_online_or_error(void)
{
    hayes h;
    capture c;
    setup(&h, &c);
    put(&h, "ATO\r", 0);
    EXPECT_OUT(&c, "ATO\r\r\nERROR\r\n");
    CHECK(!h.online);
    escaped(&h, &c);
    CHECK_EQ(put(&h, "ATO\r", ESCAPED_AT), 0); /* no carrier change */
    EXPECT_OUT(&c, "ATO\r\r\nCONNECT 9600\r\n");
    CHECK(h.online);
    put(&h, "x", ESCAPED_AT + 1);
    EXPECT_OUT(&c, "x"); /* the remote end again */
}

/* SER-ERROR: anything else is ERROR (one command per line, ATD needs
 * digits only, ATE needs 0 or 1). */
static void test_anything_else_is_error(void)
{
    const char *lines[] = {"ATX\r",    "HELLO\r", "A\r",     "ATD\r",  "ATDT5551234\r",
                           "ATD12a\r", "ATE\r",   "ATE2\r",  "ATH0\r", "ATZ0\r",
                           "ATI0\r",   "ATEOI\r", "ATE0I\r", " AT\r"};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        hayes h;
        capture c;
        setup(&h, &c);
        put(&h, "ATE0\r", 0);
        c.len = 0;
        CHECK_EQ(put(&h, lines[i], 1), 0);
        EXPECT_OUT(&c, "\r\nERROR\r\n");
        CHECK(!h.online);
        CHECK(!h.carrier);
        CHECK(!h.echo);
    }
}

/* SER-CASE (decision): command letters in either case. */
static void test_commands_case_insensitive(void)
{
    hayes h;
    capture c;
    setup(&h, &c);
    put(&h, "ate0\r", 0);
    put(&h, "aT\r", 1);
    put(&h, "Ati\r", 2);
    EXPECT_OUT(&c, "ate0\r\r\nOK\r\n\r\nOK\r\n\r\nRIO Modem 1.0\r\n\r\nOK\r\n");
    CHECK_EQ(put(&h, "atd1\r", 3), HAYES_CARRIER_CHANGED);
}

/* SER-LINE: a command line may arrive over several WRITEs; LF is ignored. */
static void test_line_over_several_writes_lf_ignored(void)
{
    hayes h;
    capture c;
    setup(&h, &c);
    put(&h, "A", 0);
    put(&h, "\nT", 1);
    EXPECT_OUT(&c, "A\nT"); /* no answer before the CR */
    put(&h, "I\n", 2);
    put(&h, "\r", 3);
    EXPECT_OUT(&c, "I\n\r\r\n" RIO_MODEM_ID "\r\n\r\nOK\r\n");
}

/* SER-EMPTY (decision): an empty line (a lone CR) gets no answer. */
static void test_empty_line_no_answer(void)
{
    hayes h;
    capture c;
    setup(&h, &c);
    put(&h, "\r\n\r", 0);
    EXPECT_OUT(&c, "\r\n\r");
    put(&h, "AT\r", 1);
    EXPECT_OUT(&c, "AT\r\r\nOK\r\n");
}

/* SER-LINEMAX (decision): RIO_MODEM_LINE_MAX bytes before the CR are a
 * line; one more makes the line ERROR. */
static void test_line_too_long_is_error(void)
{
    char line[RIO_MODEM_LINE_MAX + 3];
    hayes h;
    capture c;
    setup(&h, &c);
    put(&h, "ATE0\r", 0);
    c.len = 0;
    memcpy(line, "ATD", 3);
    memset(line + 3, '5', RIO_MODEM_LINE_MAX - 3);
    line[RIO_MODEM_LINE_MAX] = '\r';
    line[RIO_MODEM_LINE_MAX + 1] = 0;
    CHECK_EQ(put(&h, line, 1), HAYES_CARRIER_CHANGED); /* exactly the limit: a line */
    EXPECT_OUT(&c, "\r\nCONNECT 9600\r\n");
    setup(&h, &c);
    put(&h, "ATE0\r", 0);
    c.len = 0;
    memset(line + 3, '5', RIO_MODEM_LINE_MAX - 2);
    line[RIO_MODEM_LINE_MAX + 1] = '\r';
    line[RIO_MODEM_LINE_MAX + 2] = 0;
    CHECK_EQ(put(&h, line, 1), 0);
    EXPECT_OUT(&c, "\r\nERROR\r\n");
    put(&h, "AT\r", 2); /* the next line is fresh */
    EXPECT_OUT(&c, "\r\nOK\r\n");
}

/* SER-REMOTE: online, the remote end echoes what is written (no local echo,
 * no command interpretation, CR and LF are data). */
static void test_online_remote_echo(void)
{
    hayes h;
    capture c;
    connected(&h, &c);
    CHECK_EQ(put(&h, "ATH\r\nhello", 10), 0);
    EXPECT_OUT(&c, "ATH\r\nhello");
    CHECK(h.carrier);
    CHECK(h.online);
}

/* SER-ESCAPE: `+++` with 1 s of silence before and after returns to command
 * mode (OK) with the call up; the `+` bytes are echoed by the remote end
 * like any data (decision). */
static void test_escape_guard_before_and_after(void)
{
    hayes h;
    capture c;
    connected(&h, &c);
    put(&h, "+++", GUARD);
    EXPECT_OUT(&c, "+++");
    CHECK_EQ(hayes_deadline(&h), 2 * GUARD);
    hayes_poll(&h, 2 * GUARD - 1);
    EXPECT_OUT(&c, "");
    CHECK(h.online);
    hayes_poll(&h, 2 * GUARD);
    EXPECT_OUT(&c, "\r\nOK\r\n");
    CHECK(!h.online);
    CHECK(h.carrier);
    CHECK_EQ(hayes_deadline(&h), HAYES_NO_DEADLINE);
    put(&h, "AT\r", 2 * GUARD + 1); /* command mode: local echo */
    EXPECT_OUT(&c, "AT\r\r\nOK\r\n");
}

/* SER-ESCAPE: less than the guard time of silence before the first `+`
 * (the ATD line counts) is no escape. */
static void test_escape_needs_silence_before(void)
{
    hayes h;
    capture c;
    connected(&h, &c);
    put(&h, "+++", GUARD - 1); /* the ATD line was at 0 */
    CHECK_EQ(hayes_deadline(&h), HAYES_NO_DEADLINE);
    put(&h, "a", 5 * GUARD);
    put(&h, "+++", 5 * GUARD + GUARD - 1);
    hayes_poll(&h, 100 * GUARD);
    EXPECT_OUT(&c, "+++a+++");
    CHECK(h.online);
}

/* SER-ESCAPE: a byte within the guard time after `+++` cancels it. */
static void test_escape_cancelled_by_byte_after(void)
{
    hayes h;
    capture c;
    connected(&h, &c);
    put(&h, "+++", GUARD);
    put(&h, "x", 2 * GUARD - 1);
    CHECK_EQ(hayes_deadline(&h), HAYES_NO_DEADLINE);
    hayes_poll(&h, 100 * GUARD);
    EXPECT_OUT(&c, "+++x");
    CHECK(h.online);
    put(&h, "++++", 200 * GUARD); /* a fourth `+` cancels too */
    hayes_poll(&h, 300 * GUARD);
    EXPECT_OUT(&c, "++++");
    CHECK(h.online);
}

/* SER-ESCAPE: a byte exactly at the end of the guard time after comes after
 * the escape (command mode: echoed locally, not by the remote end). */
static void test_escape_completes_before_byte_at_guard_end(void)
{
    hayes h;
    capture c;
    connected(&h, &c);
    put(&h, "+++", GUARD);
    put(&h, "A", 2 * GUARD);
    EXPECT_OUT(&c, "+++\r\nOK\r\nA");
    CHECK(!h.online);
}

/* SER-ESCAPE-SPLIT (decision): the three `+` may come in separate WRITEs,
 * each within the guard time of the previous; a longer gap starts over. */
static void test_escape_pluses_over_writes(void)
{
    hayes h;
    capture c;
    connected(&h, &c);
    put(&h, "+", 1000);
    put(&h, "+", 2500); /* gap of 1.5 s: this `+` starts a new sequence */
    put(&h, "+", 3000);
    CHECK_EQ(hayes_deadline(&h), HAYES_NO_DEADLINE);
    put(&h, "+", 3999);
    CHECK_EQ(hayes_deadline(&h), 3999 + GUARD);
    hayes_poll(&h, 3999 + GUARD);
    EXPECT_OUT(&c, "++++\r\nOK\r\n");
    CHECK(!h.online);
}

/* SER-NOCARRIER: dropping DTR online hangs up with NO CARRIER. */
static void test_drop_dtr_online_no_carrier(void)
{
    hayes h;
    capture c;
    connected(&h, &c);
    CHECK_EQ(hayes_drop_dtr(&h), HAYES_CARRIER_CHANGED);
    EXPECT_OUT(&c, "\r\nNO CARRIER\r\n");
    CHECK(!h.carrier);
    CHECK(!h.online);
}

/* SER-HANGUP-CMD (decision): dropping DTR in command mode with a call up
 * hangs up silently; with no call it changes nothing. */
static void test_drop_dtr_command_mode(void)
{
    hayes h;
    capture c;
    escaped(&h, &c);
    CHECK_EQ(hayes_drop_dtr(&h), HAYES_CARRIER_CHANGED);
    EXPECT_OUT(&c, "");
    CHECK(!h.carrier);
    CHECK_EQ(hayes_drop_dtr(&h), 0);
    EXPECT_OUT(&c, "");
    /* A pending escape dies with the call. */
    connected(&h, &c);
    put(&h, "+++", GUARD);
    hayes_drop_dtr(&h);
    CHECK_EQ(hayes_deadline(&h), HAYES_NO_DEADLINE);
}

/* Echo of a large WRITE is delivered in runs, not byte by byte. */
static void test_echo_in_runs(void)
{
    hayes h;
    capture c;
    setup(&h, &c);
    uint8_t big[1000];
    memset(big, 'x', sizeof big);
    hayes_input(&h, big, sizeof big, BAUD, 0);
    CHECK_EQ(c.len, sizeof big);
    CHECK_EQ(c.calls, 1);
}

int main(void)
{
    test_at_answers_ok();
    test_echo_byte_for_byte_before_answer();
    test_answers_framed_crlf();
    test_atz_resets_modem_side();
    test_ate0_ate1_switch_echo();
    test_ati_identifies();
    test_atd_connects_online();
    test_atd_with_call_up_is_error();
    test_ath_drops_carrier();
    test_ato_online_or_error();
    test_anything_else_is_error();
    test_commands_case_insensitive();
    test_line_over_several_writes_lf_ignored();
    test_empty_line_no_answer();
    test_line_too_long_is_error();
    test_online_remote_echo();
    test_escape_guard_before_and_after();
    test_escape_needs_silence_before();
    test_escape_cancelled_by_byte_after();
    test_escape_completes_before_byte_at_guard_end();
    test_escape_pluses_over_writes();
    test_drop_dtr_online_no_carrier();
    test_drop_dtr_command_mode();
    test_echo_in_runs();
    return check_report("hayes");
}
