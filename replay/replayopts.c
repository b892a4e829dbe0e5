/* replayopts.c — command line parsing with GOptionContext. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "console.h"
#include "replayopts.h"
#include "reasm.h"
#include "rio/client.h"
#include "tracker.h"

/* The commands and the exit status table, for --help (from RR_EXIT_TABLE). */
static char *help_text(void)
{
    GString *g = g_string_new(
        "Commands:\n"
        "  audit CAPTURE                     list sessions, transactions and capture problems\n"
        "  client CAPTURE --target HOST[:PORT]  replay the recorded clients against a live server\n"
        "  server CAPTURE --listen [ADDR:]PORT  play the recorded server for a live client\n"
        "\n"
        "CAPTURE is a pcap or pcapng file, or - for standard input.\n"
        "\n"
        "Exit status:\n");
#define RR_X_HELP(sym, code, text) g_string_append_printf(g, "  %d  %s\n", code, text);
    RR_EXIT_TABLE(RR_X_HELP)
#undef RR_X_HELP
    return g_string_free(g, FALSE);
}

static rr_options *parsing; /* GOption callbacks have no user pointer per entry */

static bool parse_port(const char *s, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < 1 || v > 65535)
        return false;
    *out = (int)v;
    return true;
}

static gboolean fail(GError **error, const char *fmt, const char *value)
{
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, fmt, value);
    return FALSE;
}

static gboolean opt_session(const char *name, const char *value, gpointer data, GError **error)
{
    (void)name; (void)data;
    char *end;
    unsigned long v = strtoul(value, &end, 10);
    if (!*value || *end || v == 0 || v > G_MAXUINT)
        return fail(error, "--session wants a session number from 'audit' (1, 2, ...), not '%s'", value);
    guint id = (guint)v;
    g_array_append_val(parsing->sessions, id);
    return TRUE;
}

static gboolean opt_time(const char *name, const char *value, gpointer data, GError **error)
{
    (void)data;
    char *end;
    double v = strtod(value, &end);
    if (!*value || *end || !(v >= 0 && v <= RR_TS_MAX_SEC))
        return fail(error, "--from/--to want seconds (relative, or epoch), not '%s'", value);
    bool from = strcmp(name, "--from") == 0;
    *(from ? &parsing->window.from : &parsing->window.to) = v;
    *(from ? &parsing->window.has_from : &parsing->window.has_to) = true;
    return TRUE;
}

/* HOST[:PORT], [V6][:PORT] or a bare V6 address (librio's rule, as
 * riotoast's --server). */
static bool split_host_port(const char *s, char **host, int *port)
{
    char buf[256];
    uint16_t p;
    if (!rio_split_host_port(s, buf, sizeof buf, &p))
        return false;
    *host = g_strdup(buf);
    *port = p;
    return true;
}

static gboolean opt_target(const char *name, const char *value, gpointer data, GError **error)
{
    (void)name; (void)data;
    int port;
    g_free(parsing->target_host);
    parsing->target_host = NULL;
    if (!split_host_port(value, &parsing->target_host, &port))
        return fail(error, "--target wants HOST[:PORT], not '%s'", value);
    if (port)
        parsing->target_port = port;
    return TRUE;
}

static gboolean opt_listen(const char *name, const char *value, gpointer data, GError **error)
{
    (void)name; (void)data;
    int port;
    g_free(parsing->listen_addr);
    parsing->listen_addr = NULL;
    if (parse_port(value, &port)) {
        parsing->listen_port = port;
        return TRUE;
    }
    if (!split_host_port(value, &parsing->listen_addr, &port) || !port)
        return fail(error, "--listen wants [ADDR:]PORT, not '%s'", value);
    parsing->listen_port = port;
    return TRUE;
}

static gboolean opt_target_port(const char *name, const char *value, gpointer data, GError **error)
{
    (void)name; (void)data;
    if (!parse_port(value, &parsing->target_port))
        return fail(error, "--target-port wants a port number, not '%s'", value);
    return TRUE;
}

static gboolean opt_port_map(const char *name, const char *value, gpointer data, GError **error)
{
    (void)name; (void)data;
    gchar **items = g_strsplit(value, ",", -1);
    gboolean ok = TRUE;
    for (gchar **it = items; *it && ok; it++) {
        gchar **pair = g_strsplit(*it, "=", 2);
        int rec, live;
        ok = pair[0] && pair[1] && parse_port(pair[0], &rec) && parse_port(pair[1], &live);
        if (ok) {
            rr_port_map m = {(guint16)rec, (guint16)live};
            g_array_append_val(parsing->port_map, m);
        }
        g_strfreev(pair);
    }
    g_strfreev(items);
    return ok ? TRUE : fail(error, "--port-map wants REC=LIVE[,REC=LIVE...], not '%s'", value);
}

static gboolean opt_ignore(const char *name, const char *value, gpointer data, GError **error)
{
    (void)name; (void)data;
    gchar **items = g_strsplit(value, ",", -1);
    gboolean ok = TRUE;
    for (gchar **it = items; *it && ok; it++) {
        rr_field f;
        ok = rr_field_parse(*it, &f);
        if (ok)
            parsing->ignore |= 1u << f;
    }
    g_strfreev(items);
    return ok ? TRUE : fail(error, "--ignore: unknown field '%s' (see rio-replay(1))", value);
}

static gboolean opt_timing(const char *name, const char *value, gpointer data, GError **error)
{
    (void)name; (void)data;
    if (strcmp(value, "original") == 0)
        parsing->timing_original = TRUE;
    else if (strcmp(value, "fast") == 0)
        parsing->timing_original = FALSE;
    else
        return fail(error, "--timing wants 'fast' or 'original', not '%s'", value);
    return TRUE;
}

static const GOptionEntry common_entries[] = {
    {"session", 's', 0, G_OPTION_ARG_CALLBACK, opt_session, "Only session N (repeatable)", "N"},
    {"filter", 'f', 0, G_OPTION_ARG_STRING, NULL, "Only packets matching this BPF filter", "EXPR"},
    {"from", 0, 0, G_OPTION_ARG_CALLBACK, opt_time, "Skip packets before SEC (relative or epoch)", "SEC"},
    {"to", 0, 0, G_OPTION_ARG_CALLBACK, opt_time, "Skip packets after SEC (relative or epoch)", "SEC"},
    {"json", 'j', 0, G_OPTION_ARG_NONE, NULL, "One JSON object per transaction, then a summary", NULL},
    {"junit", 0, 0, G_OPTION_ARG_FILENAME, NULL, "Also write a JUnit XML report to FILE", "FILE"},
    /* Descriptions with a default are formatted in bind_entries. */
    {"reorder-cap", 0, 0, G_OPTION_ARG_INT64, NULL, NULL, "BYTES"},
    {"reorder-segments", 0, 0, G_OPTION_ARG_INT64, NULL, NULL, "N"},
    {"max-streams", 0, 0, G_OPTION_ARG_INT64, NULL, NULL, "N"},
    {"max-report", 0, 0, G_OPTION_ARG_INT64, NULL, NULL, "N"},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, NULL, "Human output: the summary line only", NULL},
    G_OPTION_ENTRY_NULL};

static const GOptionEntry client_entries[] = {
    {"target", 't', 0, G_OPTION_ARG_CALLBACK, opt_target, "Live server host (and port for all sessions)", "HOST[:PORT]"},
    {"target-port", 0, 0, G_OPTION_ARG_CALLBACK, opt_target_port, "Send every session to this port", "PORT"},
    {"port-map", 0, 0, G_OPTION_ARG_CALLBACK, opt_port_map, "Recorded port REC goes to live port LIVE", "REC=LIVE[,..]"},
    {"ignore", 'i', 0, G_OPTION_ARG_CALLBACK, opt_ignore, "Do not compare FIELD (repeatable)", "FIELD"},
    {"timing", 0, 0, G_OPTION_ARG_CALLBACK, opt_timing, "fast (default) or original", "MODE"},
    {"speed", 0, 0, G_OPTION_ARG_DOUBLE, NULL, "With original timing: X times faster", "X"},
    {"timeout", 'T', 0, G_OPTION_ARG_DOUBLE, NULL, NULL, "SEC"},
    G_OPTION_ENTRY_NULL};

static const GOptionEntry server_entries[] = {
    {"listen", 'l', 0, G_OPTION_ARG_CALLBACK, opt_listen, "Listen here for the live client", "[ADDR:]PORT"},
    {"ignore", 'i', 0, G_OPTION_ARG_CALLBACK, opt_ignore, "Do not compare FIELD (repeatable)", "FIELD"},
    {"timeout", 'T', 0, G_OPTION_ARG_DOUBLE, NULL, NULL, "SEC"},
    G_OPTION_ENTRY_NULL};

/* Help texts that show a default, formatted from its constant; kept
 * until the parse is over. */
static const char *described(GPtrArray *keep, const char *long_name, rr_command cmd)
{
    char *d = NULL;
    if (!strcmp(long_name, "reorder-cap"))
        d = g_strdup_printf("Out-of-order bytes buffered per direction (default %d)",
                            RR_REASM_DEFAULT_CAP);
    else if (!strcmp(long_name, "reorder-segments"))
        d = g_strdup_printf("Out-of-order segments buffered per direction (default %d)",
                            RR_REASM_DEFAULT_SEGMENTS);
    else if (!strcmp(long_name, "max-streams"))
        d = g_strdup_printf("Connections tracked at once; beyond, the idlest is dropped and "
                            "reported (default %d)", RR_DEFAULT_MAX_STREAMS);
    else if (!strcmp(long_name, "max-report"))
        d = g_strdup_printf("Human output: at most N reports and N session rows, identical "
                            "ones grouped (default %d, 0 = all)", RR_DEFAULT_MAX_REPORT);
    else if (!strcmp(long_name, "timeout"))
        d = g_strdup_printf(cmd == RR_CMD_SERVER
                                ? "Give up after SEC without client activity (default %g)"
                                : "Per-transaction timeout (default %g)", RR_DEFAULT_TIMEOUT);
    if (d)
        g_ptr_array_add(keep, d);
    return d;
}

/* GOptionEntry arg_data must point at this run's fields: copy and patch. */
static GOptionEntry *bind_entries(const GOptionEntry *src, rr_options *o, GPtrArray *keep)
{
    size_t n = 0;
    while (src[n].long_name)
        n++;
    GOptionEntry *e = g_new0(GOptionEntry, n + 1);
    memcpy(e, src, n * sizeof *e);
    for (size_t i = 0; i < n; i++) {
        const char *l = e[i].long_name;
        if (!e[i].description)
            e[i].description = described(keep, l, o->command);
        if (!strcmp(l, "filter")) e[i].arg_data = &o->filter;
        else if (!strcmp(l, "json")) e[i].arg_data = &o->json;
        else if (!strcmp(l, "junit")) e[i].arg_data = &o->junit;
        else if (!strcmp(l, "reorder-cap")) e[i].arg_data = &o->reorder_cap;
        else if (!strcmp(l, "reorder-segments")) e[i].arg_data = &o->reorder_segments;
        else if (!strcmp(l, "max-streams")) e[i].arg_data = &o->max_streams;
        else if (!strcmp(l, "max-report")) e[i].arg_data = &o->max_report;
        else if (!strcmp(l, "quiet")) e[i].arg_data = &o->quiet;
        else if (!strcmp(l, "speed")) e[i].arg_data = &o->speed;
        else if (!strcmp(l, "timeout")) e[i].arg_data = &o->timeout;
    }
    return e;
}

static bool command_of(const char *s, rr_command *c)
{
    if (!strcmp(s, "audit")) *c = RR_CMD_AUDIT;
    else if (!strcmp(s, "client")) *c = RR_CMD_CLIENT;
    else if (!strcmp(s, "server")) *c = RR_CMD_SERVER;
    else return false;
    return true;
}

static bool usage_error(const char *msg)
{
    fprintf(stderr, "rio-replay: %s (try 'rio-replay --help')\n", msg);
    return false;
}

static void print_help(void)
{
    char *text = help_text();
    printf("Usage: rio-replay COMMAND CAPTURE [OPTION...]\n\n%s\n"
           "'rio-replay COMMAND --help' lists the options of a command.\n", text);
    g_free(text);
}

/* --from after --to: known now when both are relative or both epoch times
 * (else the capture's first packet tells: capture.c). */
static bool window_ok(const rr_window *w)
{
    if (!w->has_from || !w->has_to)
        return true;
    if ((w->from >= RR_EPOCH_THRESHOLD) != (w->to >= RR_EPOCH_THRESHOLD))
        return true;
    return !rr_window_inverted(w, 0);
}

static bool check(const rr_options *o)
{
    if (o->command == RR_CMD_CLIENT && !o->target_host)
        return usage_error("client: --target HOST[:PORT] is required");
    if (o->command == RR_CMD_SERVER && !o->listen_port)
        return usage_error("server: --listen [ADDR:]PORT is required");
    if (o->speed <= 0 || o->timeout <= 0)
        return usage_error("--speed and --timeout must be positive");
    if (o->reorder_cap < 0 || o->reorder_segments < 0)
        return usage_error("--reorder-cap and --reorder-segments must not be negative");
    if (o->max_streams < 1)
        return usage_error("--max-streams must be at least 1");
    if (o->max_report < 0)
        return usage_error("--max-report must not be negative");
    if (!window_ok(&o->window))
        return usage_error("--from is after --to");
    return true;
}

/* The --junit file is created now: a path that cannot be written stops the
 * run before anything is read or sent. */
static bool open_junit(rr_options *o)
{
    if (!o->junit)
        return true;
    o->junit_fp = fopen(o->junit, "w");
    if (o->junit_fp)
        return true;
    rr_error("--junit %s: %s", o->junit, strerror(errno));
    return false;
}

bool rr_options_parse(rr_options *o, int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    o->sessions = g_array_new(FALSE, FALSE, sizeof(guint));
    o->port_map = g_array_new(FALSE, FALSE, sizeof(rr_port_map));
    o->speed = 1.0;
    o->timeout = RR_DEFAULT_TIMEOUT;
    o->reorder_cap = RR_REASM_DEFAULT_CAP;
    o->reorder_segments = RR_REASM_DEFAULT_SEGMENTS;
    o->max_streams = RR_DEFAULT_MAX_STREAMS;
    o->max_report = RR_DEFAULT_MAX_REPORT;
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        print_help();
        if (argc < 2)
            return usage_error("a command is required: audit, client or server");
        exit(RR_EXIT_MATCH);
    }
    if (!command_of(argv[1], &o->command))
        return usage_error("unknown command (audit, client, server)");
    parsing = o;
    g_set_prgname("rio-replay");
    gchar *param = g_strdup_printf("%s CAPTURE", argv[1]);
    GOptionContext *ctx = g_option_context_new(param);
    g_free(param);
    g_option_context_set_summary(ctx, "Replay RIO/1 captures against live servers and clients.");
    char *text = help_text();
    g_option_context_set_description(ctx, text);
    g_free(text);
    GPtrArray *keep = g_ptr_array_new_with_free_func(g_free);
    GOptionEntry *common = bind_entries(common_entries, o, keep);
    GOptionEntry *extra = o->command == RR_CMD_CLIENT ? bind_entries(client_entries, o, keep)
                          : o->command == RR_CMD_SERVER ? bind_entries(server_entries, o, keep) : NULL;
    g_option_context_add_main_entries(ctx, common, NULL);
    if (extra)
        g_option_context_add_main_entries(ctx, extra, NULL);
    GError *error = NULL;
    int n = argc - 1;
    char **args = argv + 1;
    bool ok = g_option_context_parse(ctx, &n, &args, &error);
    if (!ok) {
        usage_error(error->message);
        g_error_free(error);
    } else if (n != 2) {
        ok = usage_error(n < 2 ? "a CAPTURE file (or -) is required" : "only one CAPTURE is allowed");
    } else {
        o->capture = args[1];
        ok = check(o) && open_junit(o);
    }
    g_option_context_free(ctx);
    g_free(common);
    g_free(extra);
    g_ptr_array_free(keep, TRUE);
    return ok;
}

void rr_options_free(rr_options *o)
{
    g_array_free(o->sessions, TRUE);
    g_array_free(o->port_map, TRUE);
    g_free(o->filter);
    if (o->junit_fp)
        fclose(o->junit_fp);
    g_free(o->junit);
    g_free(o->target_host);
    g_free(o->listen_addr);
}

bool rr_session_selected(const rr_options *o, unsigned id)
{
    if (!o->sessions->len)
        return true;
    for (guint i = 0; i < o->sessions->len; i++)
        if (g_array_index(o->sessions, guint, i) == id)
            return true;
    return false;
}

int rr_live_port(const rr_options *o, int recorded)
{
    for (guint i = 0; i < o->port_map->len; i++)
        if (g_array_index(o->port_map, rr_port_map, i).recorded == recorded)
            return g_array_index(o->port_map, rr_port_map, i).live;
    return o->target_port ? o->target_port : recorded;
}
