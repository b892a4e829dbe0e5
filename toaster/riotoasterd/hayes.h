/* hayes.h — the Hayes modem behind the simulated serial port (brief
 * section 7, docs/PROTOCOL.md RIO-SER) as a pure state machine: no I/O, no
 * clock.  The caller passes the time of every call in ms (any monotonic
 * origin) and receives what the modem sends towards the computer (echo,
 * answers, the remote end's data) through an emit callback, in order.
 *
 * Command mode: every byte is echoed (unless ATE0) before it is looked at;
 * CR ends a line, LF is ignored, any other byte is part of the line.
 * Online: the simulated remote end echoes every byte written; `+++` with
 * RIO_MODEM_GUARD_MS of silence before and after returns to command mode
 * with the call still up.  The `+` bytes are data like any other until the
 * guard time after them has passed, so the remote end echoes them too. */
#ifndef RIOTOASTERD_HAYES_H
#define RIOTOASTERD_HAYES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rio/rio.h"

#define HAYES_NO_DEADLINE UINT64_MAX

/* Flags returned by the calls that can change the carrier. */
#define HAYES_CARRIER_CHANGED 0x1u

/* Bytes the modem sends to the computer (they enter the port's receive
 * path).  Called during hayes_input, hayes_poll and hayes_drop_dtr. */
typedef void hayes_emit_fn(void *ctx, const uint8_t *data, size_t len);

typedef struct hayes {
    hayes_emit_fn *emit;
    void *ctx;
    bool echo;    /* command-mode echo (ATE1) */
    bool online;  /* data mode: bytes go to the remote end */
    bool carrier; /* a call is up (DCD) */
    uint8_t line[RIO_MODEM_LINE_MAX];
    size_t line_len;
    bool line_overflow;    /* more than RIO_MODEM_LINE_MAX bytes before CR */
    bool heard;            /* a byte was written since the last hayes_reset */
    uint64_t last_byte_ms; /* when the last byte was written (guard time before +++) */
    unsigned pluses;       /* escape characters seen in a row, 0..RIO_MODEM_ESCAPE_COUNT */
    uint64_t escape_at;    /* with a full +++: when its guard time after ends */
} hayes;

void hayes_init(hayes *h, hayes_emit_fn *emit, void *ctx);
/* The initial state: command mode, echo on, no call, empty line. */
void hayes_reset(hayes *h);

/* Bytes written by the computer at now_ms; `baud` is the port's rate (the
 * CONNECT answer names it).  Returns HAYES_CARRIER_CHANGED when a command
 * (ATD, ATH, ATZ) raised or dropped the carrier. */
unsigned hayes_input(hayes *h, const uint8_t *data, size_t len, uint32_t baud, uint64_t now_ms);
/* Time passes: completes a +++ escape whose guard time has ended. */
unsigned hayes_poll(hayes *h, uint64_t now_ms);
/* When hayes_poll next has something to do, or HAYES_NO_DEADLINE. */
uint64_t hayes_deadline(const hayes *h);
/* DTR dropped: a call is hung up (NO CARRIER when it was online). */
unsigned hayes_drop_dtr(hayes *h);

#endif
