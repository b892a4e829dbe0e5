/* modemcmds.c — `riotoast modem dial|send|at|status`: the serial port and
 * its Hayes modem (brief section 7), one handle per invocation like every
 * command: the port is reset when it closes, so `send` dials first. */
#include <string.h>

#include "argbytes.h"
#include "devshow.h"
#include "jsonw.h"
#include "modemio.h"
#include "toastcmds.h"

static gdouble opt_wait = RT_MODEM_WAIT_S;
static gchar *opt_number, *opt_file, *opt_dial;
static gboolean opt_dtr, opt_dump;

/* clang-format off */
#define WAIT_ENTRY \
    {"wait", 'w', 0, G_OPTION_ARG_DOUBLE, &opt_wait, \
     "Seconds of silence after which the modem's answer is given up (the READ total timeout; default " \
     G_STRINGIFY(RT_MODEM_WAIT_S) ")", "SEC"}
#define END_ENTRY {NULL, 0, 0, 0, NULL, NULL, NULL}
/* clang-format on */

/* --wait and the port options into s; false after a message. */
static bool modem_setup(rt_output *o, const char *command, rt_port_setup *s)
{
    if (!(opt_wait > 0.0 && opt_wait <= RT_MODEM_WAIT_MAX_S)) {
        out_error(o, "%s: --wait must be more than 0 and at most %d seconds", command,
                  RT_MODEM_WAIT_MAX_S);
        return false;
    }
    s->interval_ms = RT_MODEM_GAP_MS;
    s->total_ms = (uint32_t)(opt_wait * 1000.0 + 0.5);
    if (s->total_ms == 0)
        s->total_ms = 1;
    return port_setup_parse(o, command, s);
}

/* "ATD<number>" after checking the number; NULL after a message. */
static char *dial_line(rt_output *o, const char *command, const char *number)
{
    char *line = g_strconcat("ATD", number, NULL);
    if (!modem_line_ok(line, RIO_MODEM_LINE_MAX)) {
        out_error(o, "%s: the number must be printable ASCII, 1..%d characters", command,
                  RIO_MODEM_LINE_MAX - 3);
        g_free(line);
        return NULL;
    }
    return line;
}

/* The lines of an answer: one per line of text, or a JSON array. */
static void show_answer(rt_output *o, const char *command, const modem_answer *a)
{
    GString *j = out_json_result(o);
    if (!j) {
        for (guint i = 0; i < a->lines->len; i++)
            out_line(o, "%s", (const char *)g_ptr_array_index(a->lines, i));
        return;
    }
    json_open(j, NULL, '{');
    json_str_ascii(j, "Command", command);
    json_open(j, "Lines", '[');
    for (guint i = 0; i < a->lines->len; i++)
        json_str_ascii(j, NULL, g_ptr_array_index(a->lines, i));
    json_close(j, '[');
    json_str_ascii(j, "Result", a->result);
    json_close(j, '{');
}

/* ---- dial ------------------------------------------------------------------ */

typedef struct modem_job {
    rt_port_setup setup;
    char *line;      /* dial: ATD...; at: unused */
    char **commands; /* at */
    int ncommands;
    GByteArray *data;         /* send */
    GByteArray *echo;         /* send */
    const riodev_set *set;    /* status */
    bool result_in_json_only; /* send: stdout holds only the echo */
} modem_job;

/* Set the port up and dial; the answer's result is shown as Result. */
static int dial(rt_conn *c, modem_job *job)
{
    int code = port_open(c, &job->setup);
    if (code != RT_EXIT_OK)
        return code;
    modem_answer a;
    code = modem_command(c, &job->setup, job->line, &a);
    if (a.result && (out_is_json(c->out) || !job->result_in_json_only))
        out_str(c->out, "Result", a.result);
    modem_answer_clear(&a);
    return code;
}

static int dial_body(rt_conn *c, void *ctx)
{
    return dial(c, ctx);
}

static int run_dial(const rt_globals *g, rt_output *o, char **args, int nargs)
{
    (void)nargs;
    modem_job job = {0};
    if (!modem_setup(o, "modem dial", &job.setup) ||
        !(job.line = dial_line(o, "modem dial", args[0])))
        return RT_EXIT_USAGE;
    int code = conn_run(g, o, dial_body, &job);
    g_free(job.line);
    return code;
}

/* ---- send ------------------------------------------------------------------ */

/* Write the data a receive queue's worth at a time, reading each piece's
 * echo back before the next, so that the queue never overflows. */
static int send_body(rt_conn *c, void *ctx)
{
    modem_job *job = ctx;
    int code = dial(c, job);
    for (guint done = 0; code == RT_EXIT_OK && done < job->data->len;) {
        uint32_t piece = MIN(job->data->len - done, RIO_SERIAL_QUEUE_SIZE);
        code = port_write(c, job->data->data + done, piece);
        done += piece;
        while (code == RT_EXIT_OK && job->echo->len < done) {
            guint before = job->echo->len;
            code = port_read(c, &job->setup, done - before, job->echo);
            if (code == RT_EXIT_OK && job->echo->len == before) {
                out_error(c->out, "modem send: %u of %u bytes came back within %.1f s (--wait)",
                          before, job->data->len, job->setup.total_ms / 1000.0);
                return RT_EXIT_STATUS;
            }
        }
    }
    return code;
}

static int run_send(const rt_globals *g, rt_output *o, char **args, int nargs)
{
    modem_job job = {.result_in_json_only = true};
    if ((nargs == 1) == (opt_file != NULL)) {
        out_error(o, "modem send: give TEXT or --file FILE");
        return RT_EXIT_USAGE;
    }
    if (!modem_setup(o, "modem send", &job.setup) ||
        !(job.line = dial_line(o, "modem send", opt_number ? opt_number : RT_MODEM_DEFAULT_NUMBER)))
        return RT_EXIT_USAGE;
    int code;
    char *err = NULL;
    char *arg = opt_file ? g_strconcat("@", opt_file, NULL) : g_strdup(args[0]);
    job.data = input_bytes(arg, &err, &code);
    g_free(arg);
    if (job.data && job.data->len == 0) {
        g_byte_array_free(job.data, TRUE);
        job.data = NULL;
        err = g_strdup("nothing to send");
        code = RT_EXIT_USAGE;
    }
    if (!job.data) {
        out_error(o, "modem send: %s", err);
        g_free(err);
    } else {
        job.echo = g_byte_array_new();
        code = conn_run(g, o, send_body, &job);
        if (code == RT_EXIT_OK && memcmp(job.echo->data, job.data->data, job.data->len) != 0) {
            out_error(o, "modem send: what came back differs from the data sent");
            code = RT_EXIT_STATUS;
        }
        if (job.echo->len > 0 || out_is_json(o))
            out_bytes(o, "Echo", job.echo->data, job.echo->len, opt_dump);
        if (out_is_json(o))
            out_u32(o, "Length", job.echo->len);
        g_byte_array_free(job.echo, TRUE);
        g_byte_array_free(job.data, TRUE);
    }
    g_free(job.line);
    return code;
}

/* ---- at -------------------------------------------------------------------- */

static int at_body(rt_conn *c, void *ctx)
{
    modem_job *job = ctx;
    int code = port_open(c, &job->setup);
    GString *j = out_json_result(c->out);
    if (j)
        json_open(j, "Answers", '[');
    for (int i = 0; code == RT_EXIT_OK && i < job->ncommands; i++) {
        modem_answer a;
        code = modem_command(c, &job->setup, job->commands[i], &a);
        show_answer(c->out, job->commands[i], &a);
        modem_answer_clear(&a);
    }
    if (j)
        json_close(j, '[');
    return code;
}

static int run_at(const rt_globals *g, rt_output *o, char **args, int nargs)
{
    modem_job job = {.ncommands = nargs};
    if (!modem_setup(o, "modem at", &job.setup))
        return RT_EXIT_USAGE;
    job.commands = g_new0(char *, nargs + 1);
    int code = RT_EXIT_OK;
    for (int i = 0; i < nargs && code == RT_EXIT_OK; i++) {
        bool has_at = g_ascii_strncasecmp(args[i], "AT", 2) == 0;
        job.commands[i] = has_at ? g_strdup(args[i]) : g_strconcat("AT", args[i], NULL);
        if (!modem_line_ok(job.commands[i], RIO_MODEM_LINE_MAX)) {
            out_error(o, "modem at: a command is printable ASCII, at most %d characters: \"%s\"",
                      RIO_MODEM_LINE_MAX, args[i]);
            code = RT_EXIT_USAGE;
        }
    }
    if (code == RT_EXIT_OK)
        code = conn_run(g, o, at_body, &job);
    g_strfreev(job.commands);
    return code;
}

/* ---- status ---------------------------------------------------------------- */

static int status_body(rt_conn *c, void *ctx)
{
    static const uint32_t queries[][2] = {
        {RIO_IOCTL_SERIAL_GET_MODEMSTATUS, RIO_SERIAL_U32_SIZE},
        {RIO_IOCTL_SERIAL_GET_COMMSTATUS, RIO_SERIAL_STATUS_SIZE},
        {RIO_IOCTL_SERIAL_GET_BAUD_RATE, RIO_SERIAL_U32_SIZE},
        {RIO_IOCTL_SERIAL_GET_LINE_CONTROL, RIO_SERIAL_LINE_CONTROL_SIZE},
    };
    modem_job *job = ctx;
    int code = RT_EXIT_OK;
    if (job->line)
        code = dial(c, job);
    else if (opt_dtr)
        code = port_open(c, &job->setup);
    for (size_t i = 0; code == RT_EXIT_OK && i < G_N_ELEMENTS(queries); i++) {
        rt_request rq = rt_ioctl(queries[i][0], NULL, 0, queries[i][1]);
        rio_response resp;
        code = conn_call(c, &rq, &resp);
        if (code == RT_EXIT_OK)
            devshow_output(c->out, job->set, rq.ioctl, resp.data, resp.header.data_length);
    }
    return code;
}

static int run_status(const rt_globals *g, rt_output *o, char **args, int nargs)
{
    (void)args, (void)nargs;
    modem_job job = {0};
    if (!modem_setup(o, "modem status", &job.setup) ||
        (opt_dial && !(job.line = dial_line(o, "modem status", opt_dial))))
        return RT_EXIT_USAGE;
    riodev_set *set = devshow_load(o, NULL);
    if (!set) {
        g_free(job.line);
        return RT_EXIT_LOCAL;
    }
    job.set = set;
    int code = conn_run(g, o, status_body, &job);
    riodev_free(set);
    g_free(job.line);
    return code;
}

/* ---- the table ------------------------------------------------------------- */

/* dial, at: the port, --wait. */
static const GOptionEntry port_entries[] = {RT_PORT_ENTRIES, WAIT_ENTRY, END_ENTRY};

static const GOptionEntry send_entries[] = {
    {"file", 'f', 0, G_OPTION_ARG_FILENAME, &opt_file,
     "Send this file's bytes (- for standard input)", "FILE"},
    {"number", 'N', 0, G_OPTION_ARG_STRING, &opt_number,
     "The number to dial first (default " RT_MODEM_DEFAULT_NUMBER ")", "NUMBER"},
    {"dump", 'x', 0, G_OPTION_ARG_NONE, &opt_dump, "Show what came back as a hex dump", NULL},
    RT_PORT_ENTRIES,
    WAIT_ENTRY,
    END_ENTRY,
};

static const GOptionEntry status_entries[] = {
    {"dtr", 0, 0, G_OPTION_ARG_NONE, &opt_dtr, "SET_DTR first (the modem raises DSR and CTS)",
     NULL},
    {"dial", 'd', 0, G_OPTION_ARG_STRING, &opt_dial,
     "SET_DTR and dial NUMBER first (a call raises DCD)", "NUMBER"},
    WAIT_ENTRY,
    END_ENTRY,
};

const rt_command rt_modem_commands[] = {
    {"modem dial", "NUMBER", "Raise DTR, dial (ATD) and show the modem's result, e.g. CONNECT 9600",
     "SET_DTR, SET_BAUD_RATE and SET_LINE_CONTROL when asked, SET_TIMEOUTS, then ATD<NUMBER>\n"
     "and READs until the modem's result code.  Exit status 1 unless it is CONNECT; the call\n"
     "ends when the handle closes.",
     port_entries, 1, 1, run_dial},
    {"modem send", "[TEXT]",
     "Dial, send TEXT (or --file) online and show what the far end sends back",
     "Dials --number, then WRITEs the data (a receive queue's worth at a time) and READs the\n"
     "simulated far end's echo back: the bytes go to standard output as they came (--json:\n"
     "Echo).  Exit status 1 if they differ from the data sent.",
     send_entries, 0, 1, run_send},
    {"modem at", "COMMAND...", "Send AT command lines (ATI, E0, ...) and print the modem's answers",
     "Each COMMAND (AT is added when missing) goes to the modem with a CR after it; the answer\n"
     "lines are printed without the echo, the result code (OK, ERROR, ...) last.  All the\n"
     "commands use one handle, in order.  Exit status 1 when one is not answered OK (or\n"
     "CONNECT); the commands after it are not sent.",
     port_entries, 1, G_MAXINT, run_at},
    {"modem status", "", "Show GET_MODEMSTATUS, GET_COMMSTATUS, the baud rate and line control",
     "The values are decoded with the serial port's description (devices/serial" RIODEV_SUFFIX
     "):\nflag and enum names.  A new handle starts with DTR clear: --dtr or --dial show more.",
     status_entries, 0, 0, run_status},
    {NULL, NULL, NULL, NULL, NULL, 0, 0, NULL},
};
