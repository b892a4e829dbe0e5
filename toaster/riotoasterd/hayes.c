/* hayes.c — the AT command interpreter of the simulated modem (hayes.h). */
#include <stdio.h>
#include <string.h>

#include "hayes.h"

#define CR 0x0D
#define LF 0x0A

static uint8_t upper(uint8_t c)
{
    return c >= 'a' && c <= 'z' ? (uint8_t)(c - 'a' + 'A') : c;
}

static void emit(hayes *h, const uint8_t *data, size_t len)
{
    if (len)
        h->emit(h->ctx, data, len);
}

/* Every answer is framed "\r\n<text>\r\n" (brief section 7). */
static void answer(hayes *h, const char *text)
{
    char buf[64];
    int n = snprintf(buf, sizeof buf, "\r\n%s\r\n", text);
    if (n > 0)
        emit(h, (const uint8_t *)buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

static void answer_connect(hayes *h, uint32_t baud)
{
    char text[32];
    snprintf(text, sizeof text, "%s %u", RIO_MODEM_CONNECT, (unsigned)baud);
    answer(h, text);
}

/* The modem side of the initial state; ATZ uses it too, so it keeps the
 * time of the last byte (the ATZ line itself was one). */
static void modem_defaults(hayes *h)
{
    h->echo = true;
    h->online = false;
    h->carrier = false;
    h->line_len = 0;
    h->line_overflow = false;
    h->pluses = 0;
    h->escape_at = 0;
}

void hayes_init(hayes *h, hayes_emit_fn *emit_fn, void *ctx)
{
    memset(h, 0, sizeof *h);
    h->emit = emit_fn;
    h->ctx = ctx;
    hayes_reset(h);
}

void hayes_reset(hayes *h)
{
    modem_defaults(h);
    h->heard = false;
    h->last_byte_ms = 0;
}

static bool all_digits(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return false;
    return n > 0;
}

/* One command line (without its CR).  Exactly one command per line, letters
 * in either case; everything else is ERROR.  Returns carrier flags. */
static unsigned execute(hayes *h, uint32_t baud)
{
    const uint8_t *l = h->line;
    size_t n = h->line_len;
    bool overflow = h->line_overflow;
    h->line_len = 0;
    h->line_overflow = false;
    if (n == 0 && !overflow)
        return 0; /* an empty line is not a command: no answer */
    if (overflow || n < 2 || upper(l[0]) != 'A' || upper(l[1]) != 'T') {
        answer(h, RIO_MODEM_ERROR);
        return 0;
    }
    const uint8_t *cmd = l + 2;
    size_t len = n - 2;
    uint8_t c = len ? upper(cmd[0]) : 0;
    unsigned flags = 0;
    if (len == 0) {
        answer(h, RIO_MODEM_OK);
    } else if (c == 'Z' && len == 1) {
        if (h->carrier)
            flags |= HAYES_CARRIER_CHANGED;
        modem_defaults(h);
        answer(h, RIO_MODEM_OK);
    } else if (c == 'E' && len == 2 && (cmd[1] == '0' || cmd[1] == '1')) {
        h->echo = cmd[1] == '1';
        answer(h, RIO_MODEM_OK);
    } else if (c == 'I' && len == 1) {
        answer(h, RIO_MODEM_ID);
        answer(h, RIO_MODEM_OK);
    } else if (c == 'D' && all_digits(cmd + 1, len - 1) && !h->carrier) {
        h->carrier = h->online = true;
        h->pluses = 0;
        flags |= HAYES_CARRIER_CHANGED;
        answer_connect(h, baud);
    } else if (c == 'H' && len == 1) {
        if (h->carrier)
            flags |= HAYES_CARRIER_CHANGED;
        h->carrier = false;
        answer(h, RIO_MODEM_OK);
    } else if (c == 'O' && len == 1 && h->carrier) {
        h->online = true;
        h->pluses = 0;
        answer_connect(h, baud);
    } else {
        answer(h, RIO_MODEM_ERROR); /* includes ATD with a call up, ATO without */
    }
    return flags;
}

/* Command mode: echo, collect, execute at CR.  Stops after a command that
 * went online; returns how many bytes it consumed. */
static size_t command_bytes(hayes *h, const uint8_t *p, size_t n, uint32_t baud, unsigned *flags)
{
    size_t i = 0, echo_from = 0;
    while (i < n && !h->online) {
        uint8_t b = p[i++];
        if (b == CR) {
            if (h->echo) /* the CR's echo comes before the answer */
                emit(h, p + echo_from, i - echo_from);
            echo_from = i;
            *flags |= execute(h, baud);
        } else if (b != LF) {
            if (h->line_len < sizeof h->line)
                h->line[h->line_len++] = b;
            else
                h->line_overflow = true;
        }
    }
    if (h->echo)
        emit(h, p + echo_from, i - echo_from);
    return i;
}

/* Online: follow the escape sequence, then the remote end echoes it all.
 * A `+` counts when it comes after a guard time of silence (the first) or
 * within the guard time of the previous `+`; any other byte, or a byte
 * during the guard time after a full +++, cancels the sequence. */
static void online_bytes(hayes *h, const uint8_t *p, size_t n, uint64_t now)
{
    for (size_t i = 0; i < n; i++) {
        bool quiet = !h->heard || now - h->last_byte_ms >= RIO_MODEM_GUARD_MS;
        if (p[i] != RIO_MODEM_ESCAPE_CHAR)
            h->pluses = 0;
        else if (quiet)
            h->pluses = 1;
        else if (h->pluses > 0 && h->pluses < RIO_MODEM_ESCAPE_COUNT)
            h->pluses++;
        else
            h->pluses = 0;
        if (h->pluses == RIO_MODEM_ESCAPE_COUNT)
            h->escape_at = now + RIO_MODEM_GUARD_MS;
        h->heard = true;
        h->last_byte_ms = now;
    }
    emit(h, p, n);
}

unsigned hayes_input(hayes *h, const uint8_t *data, size_t len, uint32_t baud, uint64_t now_ms)
{
    unsigned flags = hayes_poll(h, now_ms); /* an escape that ended before these bytes */
    size_t done = 0;
    while (done < len) {
        if (h->online) {
            online_bytes(h, data + done, len - done, now_ms);
            done = len;
        } else {
            done += command_bytes(h, data + done, len - done, baud, &flags);
            h->heard = true;
            h->last_byte_ms = now_ms;
        }
    }
    return flags;
}

unsigned hayes_poll(hayes *h, uint64_t now_ms)
{
    if (h->online && h->pluses == RIO_MODEM_ESCAPE_COUNT && now_ms >= h->escape_at) {
        h->pluses = 0;
        h->online = false; /* the call stays up */
        answer(h, RIO_MODEM_OK);
    }
    return 0;
}

uint64_t hayes_deadline(const hayes *h)
{
    return h->online && h->pluses == RIO_MODEM_ESCAPE_COUNT ? h->escape_at : HAYES_NO_DEADLINE;
}

unsigned hayes_drop_dtr(hayes *h)
{
    h->pluses = 0;
    if (!h->carrier)
        return 0;
    h->carrier = false;
    if (h->online) {
        h->online = false;
        answer(h, RIO_MODEM_NO_CARRIER);
    }
    return HAYES_CARRIER_CHANGED;
}
