/*
 * modemio.h — a serial port with a Hayes modem behind it (the serial
 * profile, ../shared/rio-protocol.md section 7) over one riotoast
 * connection: the port set up, bytes written, bytes read under the serial
 * READ timeouts, and AT command lines with their answers.
 *
 * How a wait works: port_open sets ReadIntervalTimeout to a short gap and
 * ReadTotalTimeoutConstant to the longest silence the caller will wait out,
 * so one READ comes back a gap after the bytes stop arriving, or with
 * nothing once the silence lasted that long.  The server does the waiting;
 * the client only raises its own deadline for that READ by as much.
 */
#ifndef RIOTOAST_MODEMIO_H
#define RIOTOAST_MODEMIO_H

#include <stdbool.h>
#include <stdint.h>

#include "toastconn.h"

/* The port options every modem command and terminal take. */
extern gchar *rt_opt_baud, *rt_opt_line;
/* clang-format off */
#define RT_PORT_ENTRIES \
    {"baud", 'b', 0, G_OPTION_ARG_STRING, &rt_opt_baud, \
     "SET_BAUD_RATE to N bits per second first (sent as given; the port starts at " \
     G_STRINGIFY(RIO_SERIAL_BAUD_DEFAULT) ")", "N"}, \
    {"line", 'L', 0, G_OPTION_ARG_STRING, &rt_opt_line, \
     "SET_LINE_CONTROL first: data bits, parity (N O E M S), stop bits (1 1.5 2), e.g. 7E1", "8N1"}
/* clang-format on */

/* A modem's final result codes besides rio.h's (a real modem behind the
 * tty backend may give them). */
#define RT_MODEM_BUSY        "BUSY"
#define RT_MODEM_NO_DIALTONE "NO DIALTONE"
#define RT_MODEM_NO_ANSWER   "NO ANSWER"

typedef struct rt_port_setup {
    bool set_baud, set_line;
    uint32_t baud;
    uint8_t line[RIO_SERIAL_LINE_CONTROL_SIZE];
    uint32_t interval_ms; /* ReadIntervalTimeout: a READ ends this long after the last byte */
    uint32_t total_ms;    /* ReadTotalTimeoutConstant: or this long after it began */
} rt_port_setup;

/* --baud and --line into s (the READ timeouts are the caller's); false
 * after a one-line message (a usage error). */
bool port_setup_parse(rt_output *o, const char *command, rt_port_setup *s);

/* SET_DTR (the modem is ready: DSR and CTS), the baud rate and line
 * control if asked for, SET_TIMEOUTS.  Returns an RT_EXIT_* code. */
int port_open(rt_conn *c, const rt_port_setup *s);

/* One WRITE of all the bytes (the port accepts them all). */
int port_write(rt_conn *c, const uint8_t *data, uint32_t len);

/* One READ of up to max bytes, appended to into. */
int port_read(rt_conn *c, const rt_port_setup *s, uint32_t max, GByteArray *into);

/* One AT command line and the modem's answer. */
typedef struct modem_answer {
    GPtrArray *lines;   /* the answer's lines (not the echo), the result code last */
    const char *result; /* the final result code (the last line), NULL if none came */
    bool ok;            /* the result is OK or CONNECT... */
} modem_answer;

/* Write `line` and a CR, then READ until a final result code ends the
 * answer.  Returns RT_EXIT_OK for OK or CONNECT, RT_EXIT_STATUS for another
 * result code, RT_EXIT_CONNECTION when the modem stays silent for the
 * setup's total_ms (messages printed).  a is filled as far as it got;
 * modem_answer_clear it. */
int modem_command(rt_conn *c, const rt_port_setup *s, const char *line, modem_answer *a);
void modem_answer_clear(modem_answer *a);

/* Whether `text` may go on a command line: printable ASCII, at most max
 * bytes. */
bool modem_line_ok(const char *text, size_t max);

#endif /* RIOTOAST_MODEMIO_H */
