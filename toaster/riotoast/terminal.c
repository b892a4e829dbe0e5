/* terminal.c — `riotoast terminal`: the keyboard to the serial port, the
 * port to the screen, like a minimal cu(1) or telnet over RIO.
 *
 * RIO allows one request at a time per handle, so the two directions take
 * turns: whatever standard input has is written (WRITE), then one READ
 * waits up to --poll ms for the modem's bytes (the serial READ timeouts
 * do the waiting, modemio.h) and they go to standard output.  Ctrl-]
 * quits at once; at the end of standard input (a pipe) the terminal
 * READs until the port stays quiet for one --poll, then quits.  On a
 * terminal, standard input is put in raw mode and restored on every way
 * out, signals included. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "modemio.h"
#include "toastcmds.h"

/* Ctrl-], as in telnet and cu. */
#define TERMINAL_ESCAPE 0x1D
/* Bytes taken from standard input per WRITE: their echo (and a modem's
 * answers) stay well inside the port's receive queue. */
#define TERMINAL_CHUNK 1024

static gint opt_poll_ms = RT_TERMINAL_POLL_MS;
static gboolean opt_binary;

/* ---- the tty ----------------------------------------------------------------- */

static struct termios saved_tty;
static volatile sig_atomic_t tty_is_raw;

static void restore_tty(void)
{
    if (tty_is_raw) {
        tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_tty);
        tty_is_raw = 0;
    }
}

/* A signal that ends riotoast must not leave the terminal raw: restore
 * it, then die of the signal as if nothing had caught it. */
static void on_fatal_signal(int sig)
{
    restore_tty();
    signal(sig, SIG_DFL);
    raise(sig);
}

static const int fatal_signals[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM};

static void raw_tty(void)
{
    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tty) != 0)
        return;
    for (size_t i = 0; i < G_N_ELEMENTS(fatal_signals); i++)
        signal(fatal_signals[i], on_fatal_signal);
    struct termios raw = saved_tty;
    cfmakeraw(&raw);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    if (tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) == 0)
        tty_is_raw = 1;
}

/* ---- the two directions -------------------------------------------------------- */

typedef struct term_job {
    const rt_globals *g;
    rt_port_setup setup;
    bool eof, quit;
    bool last_cr; /* the previous byte typed was a CR (CR LF goes as one CR) */
} term_job;

/* Unless --binary, a newline goes as the CR a modem ends its lines with
 * (CR LF as one CR).  Returns the new length. */
static size_t translate(term_job *job, uint8_t *buf, size_t n)
{
    if (opt_binary)
        return n;
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t b = buf[i];
        bool skip = b == '\n' && job->last_cr;
        job->last_cr = b == '\r';
        if (!skip)
            buf[out++] = b == '\n' ? '\r' : b;
    }
    return out;
}

/* What standard input has now (without waiting) goes to the port. */
static int keyboard(rt_conn *c, term_job *job)
{
    struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
    if (poll(&p, 1, 0) <= 0)
        return RT_EXIT_OK; /* nothing typed (EINTR: next turn) */
    uint8_t buf[TERMINAL_CHUNK];
    ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return RT_EXIT_OK;
    if (n < 0) {
        out_error(c->out, "terminal: standard input: %s", strerror(errno));
        return RT_EXIT_LOCAL;
    }
    if (n == 0) {
        job->eof = true;
        return RT_EXIT_OK;
    }
    uint8_t *escape = memchr(buf, TERMINAL_ESCAPE, (size_t)n);
    if (escape) {
        job->quit = true;
        n = escape - buf;
    }
    size_t len = translate(job, buf, (size_t)n);
    return len > 0 ? port_write(c, buf, (uint32_t)len) : RT_EXIT_OK;
}

static bool write_all(int fd, const uint8_t *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        data += n;
        len -= (size_t)n;
    }
    return true;
}

/* One READ (it waits up to --poll for a first byte) to standard output;
 * *got tells whether anything came. */
static int screen(rt_conn *c, term_job *job, bool *got)
{
    GByteArray *rx = g_byte_array_new();
    int code = port_read(c, &job->setup, RIO_SERIAL_QUEUE_SIZE, rx);
    *got = rx->len > 0;
    if (code == RT_EXIT_OK && !write_all(STDOUT_FILENO, rx->data, rx->len)) {
        out_error(c->out, "terminal: cannot write the output: %s", strerror(errno));
        code = RT_EXIT_LOCAL;
    }
    g_byte_array_free(rx, TRUE);
    return code;
}

static int terminal_body(rt_conn *c, void *ctx)
{
    term_job *job = ctx;
    int code = port_open(c, &job->setup);
    if (code != RT_EXIT_OK)
        return code;
    if (isatty(STDIN_FILENO))
        fprintf(stderr, "riotoast: connected to %s port %u; Ctrl-] quits\n", job->g->server,
                job->g->port);
    raw_tty();
    while (code == RT_EXIT_OK && !job->quit) {
        bool was_eof = job->eof, got;
        if (!job->eof)
            code = keyboard(c, job);
        if (code != RT_EXIT_OK || job->quit)
            break;
        code = screen(c, job, &got);
        /* At the end of the input, quit once the port is quiet. */
        if (was_eof && !got)
            break;
    }
    restore_tty();
    return code;
}

static int run_terminal(const rt_globals *g, rt_output *o, char **args, int nargs)
{
    (void)args, (void)nargs;
    term_job job = {.g = g};
    if (g->json) {
        out_error(o, "terminal: --json does not apply (the session is a byte stream)");
        return RT_EXIT_USAGE;
    }
    if (opt_poll_ms <= 0) {
        out_error(o, "terminal: --poll must be at least 1 ms");
        return RT_EXIT_USAGE;
    }
    if (!port_setup_parse(o, "terminal", &job.setup))
        return RT_EXIT_USAGE;
    job.setup.interval_ms = RT_MODEM_GAP_MS;
    job.setup.total_ms = (uint32_t)opt_poll_ms;
    /* Output goes straight to the descriptor, in order with the port. */
    fflush(stdout);
    return conn_run(g, o, terminal_body, &job);
}

static const GOptionEntry terminal_entries[] = {
    RT_PORT_ENTRIES,
    {"poll", 0, 0, G_OPTION_ARG_INT, &opt_poll_ms,
     "Milliseconds a READ waits for the modem before the keyboard's next turn "
     "(default " G_STRINGIFY(RT_TERMINAL_POLL_MS) ")",
     "MS"},
    {"binary", 0, 0, G_OPTION_ARG_NONE, &opt_binary,
     "Send input bytes as they are (default: a newline goes as CR, CR LF as one CR)", NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

const rt_command rt_terminal_command = {
    "terminal",
    "",
    "Interactive terminal on the serial port: keyboard to WRITE, READ to the screen",
    "Raises DTR, sets the port up, then alternates: what standard input has goes out in a\n"
    "WRITE, and a READ waits up to --poll ms for the modem's bytes, which go to standard\n"
    "output as they are.  Type AT commands (ATI, ATD123, +++ to leave a call).  Ctrl-] quits;\n"
    "so does the end of standard input (a pipe), once the port has been quiet for one --poll.\n"
    "On a terminal the input is raw while it runs and is restored however it ends.",
    terminal_entries,
    0,
    0,
    run_terminal,
};
