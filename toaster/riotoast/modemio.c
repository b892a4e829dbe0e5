/* modemio.c — the serial port and its modem over one connection (see
 * modemio.h). */
#include <string.h>

#include "argbytes.h"
#include "modemio.h"

gchar *rt_opt_baud, *rt_opt_line;

/* An answer that never ends with a result code must not grow without
 * bound: this many bytes without one is the modem's failure. */
#define MODEM_ANSWER_MAX (4 * RIO_SERIAL_QUEUE_SIZE)

/* ---- --baud, --line ------------------------------------------------------ */

/* clang-format off */
static const char *const parity_names[] = {
#define RT_X_NAME(sym, name) [sym] = name,
    RIO_SERIAL_PARITY_TABLE(RT_X_NAME)
};
static const char *const stop_bits_names[] = {
    RIO_SERIAL_STOP_BITS_TABLE(RT_X_NAME)
#undef RT_X_NAME
};
/* clang-format on */

/* "8N1", "7E1.5": one digit, the parity's initial, the stop bits. */
static bool parse_line_control(const char *text, uint8_t line[RIO_SERIAL_LINE_CONTROL_SIZE])
{
    if (!g_ascii_isdigit(text[0]) || !text[1])
        return false;
    line[RIO_SERIAL_LINE_CONTROL_OFF_WORD_LENGTH] = (uint8_t)(text[0] - '0');
    bool parity = false, stop = false;
    for (size_t i = 0; i < G_N_ELEMENTS(parity_names); i++)
        if (g_ascii_toupper(text[1]) == parity_names[i][0]) {
            line[RIO_SERIAL_LINE_CONTROL_OFF_PARITY] = (uint8_t)i;
            parity = true;
        }
    for (size_t i = 0; i < G_N_ELEMENTS(stop_bits_names); i++)
        if (strcmp(text + 2, stop_bits_names[i]) == 0) {
            line[RIO_SERIAL_LINE_CONTROL_OFF_STOP_BITS] = (uint8_t)i;
            stop = true;
        }
    return parity && stop;
}

bool port_setup_parse(rt_output *o, const char *command, rt_port_setup *s)
{
    s->set_baud = rt_opt_baud != NULL;
    if (s->set_baud && !input_u32(rt_opt_baud, &s->baud)) {
        out_error(o, "%s: --baud: \"%s\" is not a number", command, rt_opt_baud);
        return false;
    }
    s->set_line = rt_opt_line != NULL;
    if (s->set_line && !parse_line_control(rt_opt_line, s->line)) {
        out_error(o,
                  "%s: --line: \"%s\" is not data bits, parity (N O E M S) and stop bits (1 1.5 "
                  "2), like 8N1",
                  command, rt_opt_line);
        return false;
    }
    return true;
}

/* ---- the port ------------------------------------------------------------ */

static int call(rt_conn *c, uint32_t code, const void *in, uint32_t in_len)
{
    rt_request rq = rt_ioctl(code, in, in_len, 0);
    rio_response resp;
    return conn_call(c, &rq, &resp);
}

int port_open(rt_conn *c, const rt_port_setup *s)
{
    int code = call(c, RIO_IOCTL_SERIAL_SET_DTR, NULL, 0);
    if (code == RT_EXIT_OK && s->set_baud) {
        uint8_t in[RIO_SERIAL_U32_SIZE];
        rio_put_le32(in, s->baud);
        code = call(c, RIO_IOCTL_SERIAL_SET_BAUD_RATE, in, sizeof in);
    }
    if (code == RT_EXIT_OK && s->set_line)
        code = call(c, RIO_IOCTL_SERIAL_SET_LINE_CONTROL, s->line, RIO_SERIAL_LINE_CONTROL_SIZE);
    if (code == RT_EXIT_OK) {
        uint8_t in[RIO_SERIAL_TIMEOUTS_SIZE] = {0};
        rio_put_le32(in + RIO_SERIAL_TIMEOUTS_OFF_READ_INTERVAL, s->interval_ms);
        rio_put_le32(in + RIO_SERIAL_TIMEOUTS_OFF_READ_CONSTANT, s->total_ms);
        code = call(c, RIO_IOCTL_SERIAL_SET_TIMEOUTS, in, sizeof in);
    }
    return code;
}

int port_write(rt_conn *c, const uint8_t *data, uint32_t len)
{
    rt_request rq = rt_major(RIO_MJ_WRITE, 0, data, len);
    rio_response resp;
    int code = conn_call(c, &rq, &resp);
    if (code == RT_EXIT_OK && resp.header.information != len) {
        out_error(c->out, "IRP_MJ_WRITE: the port accepted %u of %u bytes", resp.header.information,
                  len);
        code = RT_EXIT_STATUS;
    }
    return code;
}

int port_read(rt_conn *c, const rt_port_setup *s, uint32_t max, GByteArray *into)
{
    rt_request rq = rt_major(RIO_MJ_READ, max, NULL, 0);
    rio_response resp;
    int code = conn_call_pending(c, &rq, &resp, s->total_ms);
    if (code == RT_EXIT_OK && resp.header.data_length > 0)
        g_byte_array_append(into, resp.data, resp.header.data_length);
    return code;
}

/* ---- AT commands --------------------------------------------------------- */

bool modem_line_ok(const char *text, size_t max)
{
    size_t n = strlen(text);
    for (size_t i = 0; i < n; i++)
        if (!g_ascii_isprint(text[i]))
            return false;
    return n > 0 && n <= max;
}

/* A final result code, and whether it is a success. */
static bool is_final(const char *line, bool *ok)
{
    static const char *const failures[] = {RIO_MODEM_ERROR, RIO_MODEM_NO_CARRIER, RT_MODEM_BUSY,
                                           RT_MODEM_NO_DIALTONE, RT_MODEM_NO_ANSWER};
    size_t connect = strlen(RIO_MODEM_CONNECT);
    *ok = strcmp(line, RIO_MODEM_OK) == 0 || (strncmp(line, RIO_MODEM_CONNECT, connect) == 0 &&
                                              (line[connect] == '\0' || line[connect] == ' '));
    for (size_t i = 0; !*ok && i < G_N_ELEMENTS(failures); i++)
        if (strcmp(line, failures[i]) == 0)
            return true;
    return *ok;
}

/* Take the complete lines (ended by CR or LF) of rx from *pos on into a;
 * true once a final result code came.  The first line, when it repeats
 * the command, is the modem's echo and is left out. */
static bool take_lines(const GByteArray *rx, size_t *pos, const char *command, bool *echo_seen,
                       modem_answer *a)
{
    const char *text = (const char *)rx->data;
    for (size_t i = *pos; i < rx->len; i++) {
        if (text[i] != '\r' && text[i] != '\n')
            continue;
        char *line = g_strndup(text + *pos, i - *pos);
        *pos = i + 1;
        if (!*line) {
            g_free(line);
            continue;
        }
        bool echo = !*echo_seen && a->lines->len == 0 && g_ascii_strcasecmp(line, command) == 0;
        *echo_seen = true;
        if (echo) {
            g_free(line);
            continue;
        }
        g_ptr_array_add(a->lines, line);
        if (is_final(line, &a->ok)) {
            a->result = line;
            return true;
        }
    }
    return false;
}

int modem_command(rt_conn *c, const rt_port_setup *s, const char *line, modem_answer *a)
{
    *a = (modem_answer){.lines = g_ptr_array_new_with_free_func(g_free)};
    char *wire = g_strconcat(line, "\r", NULL);
    int code = port_write(c, (const uint8_t *)wire, (uint32_t)strlen(wire));
    g_free(wire);
    GByteArray *rx = g_byte_array_new();
    size_t pos = 0;
    bool echo_seen = false;
    while (code == RT_EXIT_OK && !take_lines(rx, &pos, line, &echo_seen, a)) {
        guint before = rx->len;
        if (before > MODEM_ANSWER_MAX) {
            out_error(c->out, "modem: %s: %u bytes and no result code", line, before);
            code = RT_EXIT_CONNECTION;
            break;
        }
        code = port_read(c, s, RIO_SERIAL_QUEUE_SIZE, rx);
        if (code == RT_EXIT_OK && rx->len == before) {
            out_error(c->out, "modem: no answer to %s within %.1f s (--wait)", line,
                      s->total_ms / 1000.0);
            code = RT_EXIT_CONNECTION;
        }
    }
    g_byte_array_free(rx, TRUE);
    if (code == RT_EXIT_OK && !a->ok) {
        out_error(c->out, "modem: %s answered %s", line, a->result);
        code = RT_EXIT_STATUS;
    }
    return code;
}

void modem_answer_clear(modem_answer *a)
{
    if (a->lines)
        g_ptr_array_free(a->lines, TRUE);
    *a = (modem_answer){0};
}
