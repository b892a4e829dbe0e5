/*
 * riotoast.h — what every part of the riotoast CLI shares: exit codes and
 * the global options.
 *
 *   main.c       --version and locale, parse, run the command, finish output
 *   toastopts.c  the command line: global options anywhere, one command
 *   toastcmds.c  the device commands (info ... toast) and the command table
 *   tour.c       `session`: the scripted tour of every operation
 *   raw.c        `raw`: one hand-made request
 *   toastconn.c  one connection = one device handle: CREATE, calls, CLOSE,
 *                --misbehave faults
 *   ioctlshow.c  TOASTER_INFO / TOASTER_STATUS shown field by field
 *   argbytes.c   arguments to bytes and numbers (TEXT, @FILE, hex)
 *   output.c     all printing: text, --json, -v, errors
 *   ioctlcmd.c   `ioctl`: any described IOCTL, fields by name
 *   devshow.c    device descriptions (lib/riodev): load, decode to output
 *   modemio.c    the serial port and its modem: setup, WRITE, READ, AT lines
 *   modemcmds.c  `modem dial|send|at|status`
 *   terminal.c   `terminal`: keyboard to WRITE, READ to the screen
 */
#ifndef RIOTOAST_H
#define RIOTOAST_H

#include <stdbool.h>
#include <stdint.h>

/* Exit codes: the symbol, its number and the line --help prints (the
 * table of riotoast.1 begins each entry with it; a test compares them).
 * When several things go wrong, the highest code wins (a broken connection
 * outranks a bad status). */
#define RT_EXIT_TABLE(X) \
    X(RT_EXIT_OK, 0, "success: every request got the status it should") \
    X(RT_EXIT_STATUS, 1, "the device answered with a failed status (or gave back wrong toast or echo, " \
      "or the modem answered ERROR, NO CARRIER, ...)") \
    X(RT_EXIT_LOCAL, 2, "local error: an @FILE unreadable, a device description unreadable or invalid, " \
      "standard output unwritable") \
    X(RT_EXIT_CONNECTION, 3, "cannot connect, connection closed or reset, timeout (a silent modem too), " \
      "or the server broke the protocol") \
    X(RT_EXIT_USAGE, 4, "usage error")

enum {
#define RT_X_EXIT(sym, code, text) sym = code,
    RT_EXIT_TABLE(RT_X_EXIT)
#undef RT_X_EXIT
};

/* Defaults of the global options (--help shows them from here). */
#define RT_DEFAULT_SERVER "127.0.0.1"
#define RT_DEFAULT_SERIAL 1
#define RT_DEFAULT_TIMEOUT_S 10

/* `ioctl`: OutputLength for an output structure with a variable tail. */
#define RT_DEFAULT_VARIABLE_OUTPUT 4096

/* The modem commands (modemio.h): the longest silence a READ waits out
 * (--wait), its bound, the gap after the last byte that ends a READ, and
 * the number `modem send` dials. */
#define RT_MODEM_WAIT_S 10
#define RT_MODEM_WAIT_MAX_S 86400
#define RT_MODEM_GAP_MS 50
#define RT_MODEM_DEFAULT_NUMBER "1"

/* `terminal`: how long a READ waits for the first byte before the
 * keyboard gets its turn (--poll). */
#define RT_TERMINAL_POLL_MS 100

static inline int rt_worst(int a, int b) { return a > b ? a : b; }

/* Deliberate client faults for the conformance suite (--misbehave). */
/* Each deliberate fault names the docs/PROTOCOL.md requirements it breaks;
 * `--misbehave list` prints NAME<TAB>IDS<TAB>description, the one source the
 * conformance self-tests read. */
#define RT_MISBEHAVE_TABLE(X) \
    X(RT_MB_NONE, "none", "", "behave") \
    X(RT_MB_NO_CREATE, "no-create", "RIO-CLI-001", "skip the CREATE") \
    X(RT_MB_SEQ_SKIP, "seq-skip", "RIO-FRM-009", "Sequence jumps by 2 between requests") \
    X(RT_MB_PIPELINE, "pipeline", "RIO-CLI-002", "send CREATE and GET_STATUS before reading an answer") \
    X(RT_MB_NO_CLOSE, "no-close", "RIO-CLI-004", "disconnect without CLOSE") \
    X(RT_MB_SEQ_START_ZERO_REPEAT, "seq-start-zero-repeat", "RIO-FRM-009", \
      "Sequence starts at 0 and the second request repeats it")

typedef enum rt_misbehave {
#define RT_X_ENUM(sym, name, ids, help) sym,
    RT_MISBEHAVE_TABLE(RT_X_ENUM)
#undef RT_X_ENUM
} rt_misbehave;

/* Options every subcommand accepts. */
typedef struct rt_globals {
    const char *server;   /* host name or address */
    uint16_t port;        /* resolved from --port or --serial */
    int timeout_ms;       /* 0 = wait forever */
    bool json;
    bool verbose;
    rt_misbehave misbehave;
} rt_globals;

#endif /* RIOTOAST_H */
