/* toastcmds.c — the device commands: one handle, one or a few requests. */
#include <string.h>

#include "toastcmds.h"
#include "toastconn.h"
#include "ioctlshow.h"
#include "argbytes.h"

/* ---- info, status: an IOCTL with a fixed-size output structure ---------- */

typedef struct query {
    uint32_t ioctl;
    uint32_t size;
    bool (*decode)(rt_output *o, const uint8_t *data, size_t len);
} query;

static int query_body(rt_conn *c, void *ctx)
{
    const query *q = ctx;
    rt_request rq = rt_ioctl(q->ioctl, NULL, 0, q->size);
    rio_response resp;
    int code = conn_call(c, &rq, &resp);
    if (code == RT_EXIT_OK && !q->decode(c->out, resp.data, resp.header.data_length)) {
        out_error(c->out, "%s: %u bytes of output, expected %u", rio_ioctl_name(q->ioctl),
                  resp.header.data_length, q->size);
        code = RT_EXIT_CONNECTION;
    }
    return code;
}

static int run_info(const rt_globals *g, rt_output *o, char **args, int nargs)
{
    (void)args, (void)nargs;
    query q = {RIO_IOCTL_TOASTER_GET_INFO, RIO_TOASTER_INFO_SIZE, decode_toaster_info};
    return conn_run(g, o, query_body, &q);
}

static int run_status(const rt_globals *g, rt_output *o, char **args, int nargs)
{
    (void)args, (void)nargs;
    query q = {RIO_IOCTL_TOASTER_GET_STATUS, RIO_TOASTER_STATUS_SIZE, decode_toaster_status};
    return conn_run(g, o, query_body, &q);
}

/* ---- darkness, start, eject: an IOCTL without output --------------------- */

/* SET_DARKNESS with `level` encoded into `in`, which must outlive the request. */
static rt_request darkness_request(uint8_t in[RIO_TOASTER_DARKNESS_INPUT_SIZE], uint32_t level)
{
    rio_put_le32(in, level);
    return rt_ioctl(RIO_IOCTL_TOASTER_SET_DARKNESS, in, RIO_TOASTER_DARKNESS_INPUT_SIZE, 0);
}

static int simple_body(rt_conn *c, void *ctx)
{
    rt_request *rq = ctx;
    rio_response resp;
    int code = conn_call(c, rq, &resp);
    if (code == RT_EXIT_OK)
        out_str(c->out, "Status", rio_status_name(resp.header.status));
    return code;
}

static int run_darkness(const rt_globals *g, rt_output *o, char **args, int nargs)
{
    (void)nargs;
    uint32_t level;
    if (!input_u32(args[0], &level)) {
        out_error(o, "darkness: \"%s\" is not a number", args[0]);
        return RT_EXIT_USAGE;
    }
    /* Out-of-range levels are sent anyway: judging them is the device's job. */
    uint8_t in[RIO_TOASTER_DARKNESS_INPUT_SIZE];
    rt_request rq = darkness_request(in, level);
    int code = conn_run(g, o, simple_body, &rq);
    if (code == RT_EXIT_OK)
        out_u32(o, "Darkness", level);
    return code;
}

static int run_start(const rt_globals *g, rt_output *o, char **args, int nargs)
{
    (void)args, (void)nargs;
    rt_request rq = rt_ioctl(RIO_IOCTL_TOASTER_START, NULL, 0, 0);
    return conn_run(g, o, simple_body, &rq);
}

static int run_eject(const rt_globals *g, rt_output *o, char **args, int nargs)
{
    (void)args, (void)nargs;
    rt_request rq = rt_ioctl(RIO_IOCTL_TOASTER_EJECT, NULL, 0, 0);
    return conn_run(g, o, simple_body, &rq);
}

/* ---- load: one WRITE ----------------------------------------------------- */

static int load_body(rt_conn *c, void *ctx)
{
    GByteArray *bread = ctx;
    rt_request rq = rt_major(RIO_MJ_WRITE, 0, bread->data, bread->len);
    rio_response resp;
    int code = conn_call(c, &rq, &resp);
    if (code != RT_EXIT_OK)
        return code;
    out_u32(c->out, "Requested", bread->len);
    out_u32(c->out, "Accepted", resp.header.information);
    return code;
}

/* Bytes of a TEXT|@FILE argument, or NULL after reporting why. */
static GByteArray *bytes_arg(rt_output *o, const char *arg, int *code)
{
    char *err = NULL;
    GByteArray *bytes = input_bytes(arg, &err, code);
    if (!bytes) {
        out_error(o, "%s", err);
        g_free(err);
    }
    return bytes;
}

static int run_load(const rt_globals *g, rt_output *o, char **args, int nargs)
{
    (void)nargs;
    int code;
    GByteArray *bread = bytes_arg(o, args[0], &code);
    if (!bread)
        return code;
    code = conn_run(g, o, load_body, bread);
    g_byte_array_free(bread, TRUE);
    return code;
}

/* ---- read: one READ ------------------------------------------------------ */

static gboolean opt_dump;

static const GOptionEntry dump_entries[] = {
    {"dump", 'x', 0, G_OPTION_ARG_NONE, &opt_dump, "Show the toast as a hex dump instead of raw bytes", NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

static int read_body(rt_conn *c, void *ctx)
{
    uint32_t *max = ctx;
    rt_request rq = rt_major(RIO_MJ_READ, *max, NULL, 0);
    rio_response resp;
    int code = conn_call(c, &rq, &resp);
    if (code == RT_EXIT_OK) {
        out_bytes(c->out, "Toast", resp.data, resp.header.data_length, opt_dump);
        if (out_is_json(c->out))
            out_u32(c->out, "Length", resp.header.data_length);
        else if (opt_dump && resp.header.data_length == 0)
            out_line(c->out, "No toast ready (0 bytes).");
    }
    return code;
}

static int run_read(const rt_globals *g, rt_output *o, char **args, int nargs)
{
    uint32_t max = RIO_TOASTER_MAX_LOAD_BYTES;
    if (nargs > 0 && (!input_u32(args[0], &max) || max > RIO_DATA_MAX)) {
        out_error(o, "read: \"%s\" is not a length 0..%u", args[0], RIO_DATA_MAX);
        return RT_EXIT_USAGE;
    }
    return conn_run(g, o, read_body, &max);
}

/* ---- toast: WRITE, START, READ until every byte came back ---------------- */

static gchar *opt_toast_darkness;

static const GOptionEntry toast_entries[] = {
    {"darkness", 'd', 0, G_OPTION_ARG_STRING, &opt_toast_darkness, "Set the darkness first (sent as given)", "N"},
    {"dump", 'x', 0, G_OPTION_ARG_NONE, &opt_dump, "Show the toast as a hex dump instead of raw bytes", NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

typedef struct toast_job {
    bool set_darkness;
    uint32_t darkness;
    GByteArray *bread;
    GByteArray *toast;
    unsigned cycles;
} toast_job;

/* READ until `want` more bytes came back.  A READ pends on the server while
 * the toaster toasts, so normally the first READ brings everything; an empty
 * answer means nothing is toasting or ready, so more READs cannot help. */
static int collect_toast(rt_conn *c, toast_job *job, uint32_t want)
{
    while (want > 0) {
        rt_request rq = rt_major(RIO_MJ_READ, want, NULL, 0);
        rio_response resp;
        int code = conn_call(c, &rq, &resp);
        if (code != RT_EXIT_OK)
            return code;
        uint32_t got = resp.header.data_length;
        if (got == 0) {
            out_error(c->out, "toast: the toaster gave back %u bytes too few", want);
            return RT_EXIT_STATUS;
        }
        g_byte_array_append(job->toast, resp.data, got);
        want -= got;
    }
    return RT_EXIT_OK;
}

/* One cycle: load what fits (at most `chunk`), toast it, collect it. */
static int toast_cycle(rt_conn *c, toast_job *job, uint32_t *chunk)
{
    uint32_t done = job->toast->len, left = job->bread->len - done;
    rt_request write = rt_major(RIO_MJ_WRITE, 0, job->bread->data + done, MIN(left, *chunk));
    rio_response resp;
    int code = conn_call(c, &write, &resp);
    if (code != RT_EXIT_OK)
        return code;
    uint32_t accepted = resp.header.information;
    if (accepted == 0) {
        out_error(c->out, "toast: the toaster accepted no bread");
        return RT_EXIT_STATUS;
    }
    *chunk = accepted; /* later cycles send no more than fits */
    rt_request start = rt_ioctl(RIO_IOCTL_TOASTER_START, NULL, 0, 0);
    code = conn_call(c, &start, &resp);
    if (code != RT_EXIT_OK)
        return code;
    job->cycles++;
    return collect_toast(c, job, accepted);
}

static int toast_body(rt_conn *c, void *ctx)
{
    toast_job *job = ctx;
    if (job->set_darkness) {
        uint8_t in[RIO_TOASTER_DARKNESS_INPUT_SIZE];
        rt_request rq = darkness_request(in, job->darkness);
        rio_response resp;
        int code = conn_call(c, &rq, &resp);
        if (code != RT_EXIT_OK)
            return code;
    }
    uint32_t chunk = job->bread->len;
    /* Each cycle either makes progress or fails, so this ends. */
    while (job->toast->len < job->bread->len) {
        int code = toast_cycle(c, job, &chunk);
        if (code != RT_EXIT_OK)
            return code;
    }
    if (memcmp(job->toast->data, job->bread->data, job->bread->len) != 0) {
        out_error(c->out, "toast: the toast differs from the bread loaded");
        return RT_EXIT_STATUS;
    }
    return RT_EXIT_OK;
}

static int run_toast(const rt_globals *g, rt_output *o, char **args, int nargs)
{
    (void)nargs;
    int code;
    toast_job job = {.set_darkness = opt_toast_darkness != NULL};
    if (job.set_darkness && !input_u32(opt_toast_darkness, &job.darkness)) {
        out_error(o, "toast: --darkness \"%s\" is not a number", opt_toast_darkness);
        return RT_EXIT_USAGE;
    }
    job.bread = bytes_arg(o, args[0], &code);
    job.toast = g_byte_array_new();
    if (job.bread && job.bread->len == 0) {
        out_error(o, "toast: no bread given");
        g_byte_array_free(job.bread, TRUE);
        job.bread = NULL;
        code = RT_EXIT_USAGE;
    }
    if (job.bread) {
        gint64 t0 = g_get_monotonic_time();
        code = conn_run(g, o, toast_body, &job);
        if (code == RT_EXIT_OK) {
            out_bytes(o, "Toast", job.toast->data, job.toast->len, opt_dump);
            if (out_is_json(o)) {
                out_u32(o, "Length", job.toast->len);
                out_u32(o, "Cycles", job.cycles);
                out_u32(o, "ElapsedMs", (uint32_t)((g_get_monotonic_time() - t0) / 1000));
            }
        }
        g_byte_array_free(job.bread, TRUE);
    }
    g_byte_array_free(job.toast, TRUE);
    return code;
}

/* ---- the table ----------------------------------------------------------- */

const rt_command rt_device_commands[] = {
    {"info", "", "Show the toaster's TOASTER_INFO (IOCTL_TOASTER_GET_INFO)", NULL, NULL, 0, 0, run_info},
    {"status", "", "Show the toaster's TOASTER_STATUS (IOCTL_TOASTER_GET_STATUS)", NULL, NULL, 0, 0, run_status},
    {"darkness", "N", "Set the darkness (IOCTL_TOASTER_SET_DARKNESS; the device accepts 1..10)",
     "N is sent as given, so an out-of-range level shows the device's STATUS_INVALID_PARAMETER.\n"
     "The setting belongs to this invocation's handle and is reset when it closes.",
     NULL, 1, 1, run_darkness},
    {"load", "TEXT|@FILE", "Load bread (IRP_MJ_WRITE); @- reads standard input",
     "Shows the bytes requested and accepted (the toaster holds at most MaxLoadBytes).\n"
     "The bread is discarded when this invocation's handle closes.",
     NULL, 1, 1, run_load},
    {"start", "", "Start toasting (IOCTL_TOASTER_START)", NULL, NULL, 0, 0, run_start},
    {"eject", "", "Eject (IOCTL_TOASTER_EJECT): ends a cycle, loaded bread becomes toast", NULL, NULL, 0, 0,
     run_eject},
    {"read", "[N]",
     "Read up to N bytes of toast (IRP_MJ_READ, default " G_STRINGIFY(RIO_TOASTER_MAX_LOAD_BYTES)
     ") to standard output",
     "Writes the raw bytes (nothing when nothing is ready; on a terminal, a newline after them);\n"
     "--dump shows a hex dump, or says that no toast was ready.", dump_entries, 0, 1, run_read},
    {"toast", "TEXT|@FILE", "Load, start, wait and print the toast (@- reads standard input)",
     "READ pends on the server while the toaster toasts, so the toast comes back as soon as it\n"
     "is ready.  Bread larger than the toaster holds is toasted in several cycles.\n"
     "Writes exactly the bytes that came back (on a terminal, a newline after them); exit\n"
     "status 1 if they differ from the bread.",
     toast_entries, 1, 1, run_toast},
    {NULL, NULL, NULL, NULL, NULL, 0, 0, NULL},
};

/* Every command in help order: the tables, one after the other. */
static const rt_command *const single_commands[] = {&rt_session_command, &rt_raw_command, &rt_ioctl_command};

void rt_command_foreach(void (*fn)(const rt_command *cmd, void *ctx), void *ctx)
{
    for (const rt_command *cmd = rt_device_commands; cmd->name; cmd++)
        fn(cmd, ctx);
    for (size_t i = 0; i < G_N_ELEMENTS(single_commands); i++)
        fn(single_commands[i], ctx);
    for (const rt_command *cmd = rt_modem_commands; cmd->name; cmd++)
        fn(cmd, ctx);
    fn(&rt_terminal_command, ctx);
}

typedef struct lookup {
    const char *name;
    size_t group_len; /* > 0: find a command of the group name[0..group_len) */
    const rt_command *found;
} lookup;

static void match(const rt_command *cmd, void *ctx)
{
    lookup *l = ctx;
    if (l->found)
        return;
    if (l->group_len ? strncmp(cmd->name, l->name, l->group_len) == 0 && cmd->name[l->group_len] == ' '
                     : strcmp(cmd->name, l->name) == 0)
        l->found = cmd;
}

const rt_command *rt_command_find(const char *name)
{
    lookup l = {.name = name};
    rt_command_foreach(match, &l);
    return l.found;
}

bool rt_command_is_group(const char *word)
{
    lookup l = {.name = word, .group_len = strlen(word)};
    rt_command_foreach(match, &l);
    return l.found != NULL;
}
