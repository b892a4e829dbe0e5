/* daemonopts.c — command-line parsing with GOptionContext. */
#include <errno.h>
#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faults.h"
#include "daemonopts.h"
#include "rio/rio.h"

#define SERIAL_MAX 65535u
#define PORT_MAX 65535u

static bool parse_uint(const char *s, uint64_t max, uint64_t *out)
{
    if (!*s || *s == '-' || *s == '+')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > max)
        return false;
    *out = v;
    return true;
}

bool parse_seconds(const char *text, uint64_t *ms)
{
    char *end;
    errno = 0;
    double s = strtod(text, &end);
    if (!*text || errno || *end || !isfinite(s) || s < 0 || s > 86400.0 * 365)
        return false;
    *ms = (uint64_t)llround(s * 1000.0);
    if (s > 0 && *ms == 0)
        *ms = 1; /* "0.0001" still means "on" */
    return true;
}

bool parse_bytes(const char *text, size_t *bytes)
{
    static const char units[] = "KMG";
    char digits[32];
    size_t n = strlen(text);
    if (n == 0 || n >= sizeof digits)
        return false;
    memcpy(digits, text, n + 1);
    const char *u = strchr(units, g_ascii_toupper(digits[n - 1]));
    unsigned shift = 0;
    if (u && *u) {
        shift = 10u * (unsigned)(u - units + 1);
        digits[n - 1] = '\0';
    }
    uint64_t v;
    if (!parse_uint(digits, (uint64_t)SIZE_MAX >> shift, &v))
        return false;
    *bytes = (size_t)(v << shift);
    return true;
}

/* One "A" or "A-B" item of a serial list into the bitmap. */
static bool mark_range(const char *item, uint8_t *seen, char *err, size_t errlen)
{
    uint64_t lo, hi;
    const char *dash = strchr(item, '-');
    if (dash) {
        char first[16];
        size_t n = (size_t)(dash - item);
        if (n == 0 || n >= sizeof first)
            goto bad;
        memcpy(first, item, n);
        first[n] = '\0';
        if (!parse_uint(first, SERIAL_MAX, &lo) || !parse_uint(dash + 1, SERIAL_MAX, &hi))
            goto bad;
    } else {
        if (!parse_uint(item, SERIAL_MAX, &lo))
            goto bad;
        hi = lo;
    }
    if (lo < 1 || hi < lo)
        goto bad;
    for (uint64_t s = lo; s <= hi; s++) {
        if (seen[s / 8] & (1u << (s % 8))) {
            snprintf(err, errlen, "serial %llu given twice", (unsigned long long)s);
            return false;
        }
        seen[s / 8] |= (uint8_t)(1u << (s % 8));
    }
    return true;
bad:
    snprintf(err, errlen, "bad serial range '%s' (want N or A-B with 1 <= A <= B <= %u)", item, SERIAL_MAX);
    return false;
}

bool parse_serial_list(const char *text, uint32_t **out, size_t *count, char *err, size_t errlen)
{
    uint8_t seen[(SERIAL_MAX + 1) / 8] = {0};
    gchar **items = g_strsplit(text, ",", -1);
    bool ok = items[0] != NULL;
    if (!ok)
        snprintf(err, errlen, "empty serial list");
    for (gchar **it = items; ok && *it; it++)
        ok = mark_range(*it, seen, err, errlen);
    g_strfreev(items);
    if (!ok)
        return false;
    size_t n = 0;
    for (uint32_t s = 1; s <= SERIAL_MAX; s++)
        n += (seen[s / 8] >> (s % 8)) & 1u;
    uint32_t *list = g_new(uint32_t, n);
    size_t i = 0;
    for (uint32_t s = 1; s <= SERIAL_MAX; s++)
        if ((seen[s / 8] >> (s % 8)) & 1u)
            list[i++] = s;
    *out = list;
    *count = n;
    return true;
}

/* ---- GOptionContext glue --------------------------------------------------- */

typedef struct raw_options {
    gchar *serials, *stall, *idle, *write;
    gchar *max_ready, *memory_budget, *request_budget, *max_output;
    gint64 farm_port, base_port, toasters, toast_ms, ready_fd, max_connections;
    gchar **listen, **faults;
    gboolean trace, json;
} raw_options;

static const char SUMMARY[] =
    "The RIO/1 simulated-hardware toaster server (docs/PROTOCOL.md).\n\n"
    "Per-device mode (default, --serials 1): toaster N listens on BASE+N.\n"
    "Farm mode (--farm PORT): one port fronts toasters 1..N; CREATE takes the\n"
    "lowest-numbered free one, or gets STATUS_DEVICE_BUSY and the connection closes.\n\n"
    "Readiness: once every socket listens, one line per socket \"riotoasterd: listening\n"
    "on ADDR:PORT (serial N)\" and then \"riotoasterd: ready\" go to stderr and, with\n"
    "--ready-fd N, \"ready\\n\" is written to fd N, which is closed.";

static const char DESCRIPTION[] =
    "Faults: --fault list prints NAME<TAB>IDS<TAB>DESCRIPTION per line (with --json: a\n"
    "JSON array); --fault NAME (repeatable) breaks exactly that rule.\n\n"
    "Limits (toaster/riotoasterd/README.md): BYTES takes a K, M or G suffix, at least 4096.\n"
    "  A WRITE past --max-ready-bytes or --memory-budget (or that malloc cannot serve) gets\n"
    "  STATUS_INSUFFICIENT_RESOURCES and loads nothing; logged once per spell as\n"
    "  \"insufficient resources PEER serial N: WRITE refused with ...\".\n"
    "  Closed at once, logged \"close PEER: REASON\" after a detail line:\n"
    "    request budget exhausted  \"request budget PEER: a request of N data bytes would exceed ...\"\n"
    "    output buffer limit       \"output limit PEER: N bytes of answers unsent exceed M\"\n"
    "    write timeout             \"timeout PEER: no write progress for S s (N bytes of answers unsent)\"\n"
    "  --max-connections: \"accepts paused: N connections open (--max-connections N)\", then\n"
    "  \"accepts resumed: N connections open\" when one closes.\n\n"
    "Signals: SIGINT and SIGTERM stop the server cleanly (exit 0).\n\n"
    "Exit status:\n"
    "  0  clean exit (signal, --help, --fault list)\n"
    "  1  runtime failure (out of memory, event loop failure)\n"
    "  2  usage error, or a port that cannot be bound\n";

static bool usage_error(const char *fmt, const char *arg)
{
    fputs("riotoasterd: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs(" (see --help)\n", stderr);
    return false;
}

static bool check_port(gint64 port, const char *opt)
{
    if (port < 1 || port > PORT_MAX)
        return usage_error("%s: port must be 1..65535", opt);
    return true;
}

static bool convert_timeouts(const raw_options *r, server_config *cfg)
{
    cfg->stall_ms = RIO_STALL_TIMEOUT_MS;
    if (r->stall && (!parse_seconds(r->stall, &cfg->stall_ms) || cfg->stall_ms == 0))
        return usage_error("--stall-timeout '%s': want seconds > 0 (fractions allowed)", r->stall);
    if (r->idle && !parse_seconds(r->idle, &cfg->idle_ms))
        return usage_error("--idle-timeout '%s': want seconds >= 0 (0 = off)", r->idle);
    cfg->write_ms = RIO_STALL_TIMEOUT_MS;
    if (r->write && (!parse_seconds(r->write, &cfg->write_ms) || cfg->write_ms == 0))
        return usage_error("--write-timeout '%s': want seconds > 0 (fractions allowed)", r->write);
    if (r->toast_ms < 0 || r->toast_ms > 3600000)
        return usage_error("%s: want 0..3600000", "--toast-ms-per-level");
    cfg->toast_ms_per_level = (uint32_t)r->toast_ms;
    return true;
}

static bool convert_bytes(const char *text, const char *opt, size_t dflt, size_t *out)
{
    *out = dflt;
    if (!text)
        return true;
    if (parse_bytes(text, out) && *out >= MIN_BYTES_LIMIT)
        return true;
    char msg[120];
    snprintf(msg, sizeof msg, "%s '%%s': want bytes >= %u (K, M, G suffixes allowed)", opt, MIN_BYTES_LIMIT);
    return usage_error(msg, text);
}

static bool convert_limits(const raw_options *r, server_config *cfg)
{
    if (!convert_bytes(r->max_ready, "--max-ready-bytes", DEFAULT_MAX_READY_BYTES, &cfg->max_ready) ||
        !convert_bytes(r->memory_budget, "--memory-budget", DEFAULT_MEMORY_BUDGET, &cfg->memory_budget) ||
        !convert_bytes(r->request_budget, "--request-budget", DEFAULT_REQUEST_BUDGET, &cfg->request_budget) ||
        !convert_bytes(r->max_output, "--max-output-bytes", DEFAULT_MAX_OUTPUT_BYTES, &cfg->max_output))
        return false;
    if (r->max_connections < 1 || r->max_connections > 1 << 20)
        return usage_error("%s: want 1..1048576", "--max-connections");
    cfg->max_connections = (uint32_t)r->max_connections;
    return true;
}

static bool convert_mode(const raw_options *r, server_config *cfg)
{
    if (r->farm_port >= 0 && r->serials)
        return usage_error("%s: choose one mode", "--farm and --serials");
    if (r->farm_port >= 0) {
        cfg->farm = true;
        cfg->farm_port = (uint16_t)r->farm_port;
        if (r->toasters < 1 || r->toasters > 65535)
            return usage_error("%s: want 1..65535", "--toasters");
        cfg->toasters = (uint32_t)r->toasters;
        return check_port(r->farm_port, "--farm");
    }
    char err[160];
    if (!parse_serial_list(r->serials ? r->serials : "1", &cfg->serials, &cfg->nserials, err, sizeof err))
        return usage_error("--serials: %s", err);
    if (r->base_port < 0 || r->base_port + cfg->serials[cfg->nserials - 1] > PORT_MAX)
        return usage_error("%s: base port + highest serial must be a port <= 65535", "--base-port");
    cfg->base_port = (uint32_t)r->base_port;
    return true;
}

static bool convert_faults(const raw_options *r, server_config *cfg)
{
    for (gchar **f = r->faults; f && *f; f++) {
        unsigned bit;
        if (strcmp(*f, "list") == 0)
            cfg->list_faults = true;
        else if (fault_parse(*f, &bit))
            cfg->faults |= bit;
        else
            return usage_error("--fault '%s': unknown fault (try --fault list)", *f);
    }
    return true;
}

static bool convert(raw_options *r, server_config *cfg)
{
    cfg->trace = r->trace;
    cfg->json = r->json;
    cfg->ready_fd = (int)r->ready_fd;
    if (r->ready_fd < -1 || r->ready_fd > 1 << 20)
        return usage_error("%s: want a file descriptor number", "--ready-fd");
    if (!convert_faults(r, cfg))
        return false;
    if (cfg->json && !cfg->list_faults)
        return usage_error("%s: only with --fault list", "--json");
    if (cfg->list_faults)
        return true;
    if (!convert_mode(r, cfg) || !convert_timeouts(r, cfg) || !convert_limits(r, cfg))
        return false;
    cfg->listen_default = r->listen == NULL;
    if (r->listen) {
        cfg->listen = r->listen;
        r->listen = NULL;
    } else {
        cfg->listen = g_new0(char *, 3);
        cfg->listen[0] = g_strdup(DEFAULT_LISTEN_V4);
        cfg->listen[1] = g_strdup(DEFAULT_LISTEN_V6);
    }
    return true;
}

int options_parse(int argc, char **argv, server_config *cfg)
{
    raw_options r = {.farm_port = -1, .base_port = RIO_BASE_PORT, .toasters = DEFAULT_FARM_TOASTERS,
                     .ready_fd = -1, .max_connections = DEFAULT_MAX_CONNECTIONS};
    char help_ready[120], help_budget[120], help_request[140], help_output[140], help_write[140], help_conns[120];
    snprintf(help_ready, sizeof help_ready, "Ready toast one toaster may hold (default %u)", DEFAULT_MAX_READY_BYTES);
    snprintf(help_budget, sizeof help_budget, "Ready toast all toasters together may hold (default %u)",
             DEFAULT_MEMORY_BUDGET);
    snprintf(help_request, sizeof help_request,
             "Partially received request data, all connections together (default %u)", DEFAULT_REQUEST_BUDGET);
    snprintf(help_output, sizeof help_output, "Close a connection whose unsent answers exceed BYTES (default %u)",
             DEFAULT_MAX_OUTPUT_BYTES);
    snprintf(help_write, sizeof help_write,
             "Close a connection whose pending answers make no progress for SEC (default %g)",
             RIO_STALL_TIMEOUT_MS / 1000.0);
    snprintf(help_conns, sizeof help_conns, "Pause accepting while N connections are open (default %u)",
             DEFAULT_MAX_CONNECTIONS);
    GOptionEntry entries[] = {
        {"serials", 's', 0, G_OPTION_ARG_STRING, &r.serials,
         "Per-device mode: serve these toasters, e.g. 1-8 or 1,3,5-7 (default 1)", "LIST"},
        {"base-port", 'b', 0, G_OPTION_ARG_INT64, &r.base_port,
         "Per-device mode: toaster N listens on BASE+N (default 5000)", "BASE"},
        {"farm", 'f', 0, G_OPTION_ARG_INT64, &r.farm_port,
         "Farm mode: one port fronting a pool of toasters", "PORT"},
        {"toasters", 'n', 0, G_OPTION_ARG_INT64, &r.toasters,
         "Farm mode: pool size, serials 1..N (default 4)", "N"},
        {"listen", 'l', 0, G_OPTION_ARG_STRING_ARRAY, &r.listen,
         "Bind this address (repeatable; default 127.0.0.1 and ::1)", "ADDR"},
        {"stall-timeout", 0, 0, G_OPTION_ARG_STRING, &r.stall,
         "Close a connection whose PDU does not complete within SEC (default 10; fractions allowed)", "SEC"},
        {"idle-timeout", 0, 0, G_OPTION_ARG_STRING, &r.idle,
         "Close a connection idle between requests for SEC (default 0 = off)", "SEC"},
        {"write-timeout", 0, 0, G_OPTION_ARG_STRING, &r.write, help_write, "SEC"},
        {"max-ready-bytes", 0, 0, G_OPTION_ARG_STRING, &r.max_ready, help_ready, "BYTES"},
        {"memory-budget", 0, 0, G_OPTION_ARG_STRING, &r.memory_budget, help_budget, "BYTES"},
        {"request-budget", 0, 0, G_OPTION_ARG_STRING, &r.request_budget, help_request, "BYTES"},
        {"max-output-bytes", 0, 0, G_OPTION_ARG_STRING, &r.max_output, help_output, "BYTES"},
        {"max-connections", 0, 0, G_OPTION_ARG_INT64, &r.max_connections, help_conns, "N"},
        {"toast-ms-per-level", 't', 0, G_OPTION_ARG_INT64, &r.toast_ms,
         "Simulated toasting time per darkness level (default 0 = instant)", "MS"},
        {"trace", 0, 0, G_OPTION_ARG_NONE, &r.trace, "Log one line per transaction on stderr", NULL},
        {"ready-fd", 0, 0, G_OPTION_ARG_INT64, &r.ready_fd,
         "Write \"ready\\n\" to fd N once every socket listens, then close it", "N"},
        {"fault", 0, 0, G_OPTION_ARG_STRING_ARRAY, &r.faults,
         "Break one rule on purpose (repeatable); 'list' prints the faults", "NAME"},
        {"json", 0, 0, G_OPTION_ARG_NONE, &r.json, "With --fault list: print JSON", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *ctx = g_option_context_new(NULL);
    g_option_context_set_summary(ctx, SUMMARY);
    g_option_context_set_description(ctx, DESCRIPTION);
    g_option_context_add_main_entries(ctx, entries, NULL);
    GError *err = NULL;
    bool ok = g_option_context_parse(ctx, &argc, &argv, &err);
    if (!ok) {
        fprintf(stderr, "riotoasterd: %s (see --help)\n", err->message);
        g_error_free(err);
    } else if (argc > 1) {
        ok = usage_error("unexpected argument '%s'", argv[1]);
    }
    ok = ok && convert(&r, cfg);
    g_option_context_free(ctx);
    g_free(r.serials);
    g_free(r.stall);
    g_free(r.idle);
    g_free(r.write);
    g_free(r.max_ready);
    g_free(r.memory_budget);
    g_free(r.request_budget);
    g_free(r.max_output);
    g_strfreev(r.listen);
    g_strfreev(r.faults);
    if (!ok)
        return EXIT_USAGE;
    if (cfg->list_faults) {
        fault_list(stdout, cfg->json);
        return EXIT_CLEAN;
    }
    return -1;
}

void options_free(server_config *cfg)
{
    g_free(cfg->serials);
    g_strfreev(cfg->listen);
    memset(cfg, 0, sizeof *cfg);
}
