/* daemonopts.c — command-line parsing with GOptionContext. */
#include <errno.h>
#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemonopts.h"
#include "devmodel.h"
#include "faults.h"
#include "rio/rio.h"

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

/* ---- the devices: --serials, --modem, --device, --toasters, --modems ----- */

/* The devices collected so far, each serial once. */
typedef struct spec_list {
    device_spec *v;
    size_t n;
    uint8_t seen[(SERIAL_MAX + 1) / 8];
} spec_list;

static bool add_spec(spec_list *l, const device_ops *ops, uint32_t serial, const char *arg, char *err,
                     size_t errlen)
{
    if (serial < 1 || serial > SERIAL_MAX) {
        snprintf(err, errlen, "serial %u out of range 1..%u", serial, SERIAL_MAX);
        return false;
    }
    if (l->seen[serial / 8] & (1u << (serial % 8))) {
        snprintf(err, errlen, "serial %u given twice", serial);
        return false;
    }
    l->seen[serial / 8] |= (uint8_t)(1u << (serial % 8));
    l->v = g_renew(device_spec, l->v, l->n + 1);
    l->v[l->n++] = (device_spec){.ops = ops, .serial = serial, .arg = g_strdup(arg)};
    return true;
}

/* LIST of kind ops (with the kind's argument, if any). */
static bool add_list(spec_list *l, const device_ops *ops, const char *list, const char *arg, char *err,
                     size_t errlen)
{
    uint32_t *serials;
    size_t n;
    if (!parse_serial_list(list, &serials, &n, err, errlen))
        return false;
    bool ok = true;
    if (arg && n != 1) {
        snprintf(err, errlen, "%s:%s:%s: one serial per %s", ops->kind, list, arg, ops->arg);
        ok = false;
    }
    for (size_t i = 0; ok && i < n; i++)
        ok = add_spec(l, ops, serials[i], arg, err, errlen);
    g_free(serials);
    return ok;
}

/* The kinds for messages and --help: "toaster, modem, tty". */
static void kind_names(char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < devmodel_nkinds && used < len; i++)
        used += (size_t)snprintf(out + used, len - used, "%s%s", i ? ", " : "", devmodel_kinds[i]->kind);
}

bool parse_device_spec(const char *text, const device_ops **ops, char **list, char **arg, char *err,
                       size_t errlen)
{
    char kinds[80];
    const char *colon = strchr(text, ':');
    *list = *arg = NULL;
    *ops = NULL;
    if (colon) {
        char *kind = g_strndup(text, (size_t)(colon - text));
        *ops = devmodel_find(kind);
        g_free(kind);
    }
    kind_names(kinds, sizeof kinds);
    if (!*ops) {
        snprintf(err, errlen, "'%s': want KIND:SERIALS[:ARG], KIND one of %s", text, kinds);
        return false;
    }
    const char *rest = colon + 1, *second = strchr(rest, ':');
    *list = second ? g_strndup(rest, (size_t)(second - rest)) : g_strdup(rest);
    *arg = second ? g_strdup(second + 1) : NULL;
    if ((*ops)->arg && (!*arg || !**arg)) {
        snprintf(err, errlen, "'%s': a %s needs :%s (%s:SERIAL:%s)", text, (*ops)->kind, (*ops)->arg, (*ops)->kind,
                 (*ops)->arg);
        return false;
    }
    if (!(*ops)->arg && *arg) {
        snprintf(err, errlen, "'%s': a %s takes no argument after its serials", text, (*ops)->kind);
        return false;
    }
    return true;
}

/* Every --device KIND:SERIALS[:ARG] (either mode). */
static bool add_device_options(gchar **specs, spec_list *l, char *err, size_t errlen)
{
    bool ok = true;
    for (gchar **d = specs; ok && d && *d; d++) {
        const device_ops *ops;
        char *list, *arg;
        ok = parse_device_spec(*d, &ops, &list, &arg, err, errlen) && add_list(l, ops, list, arg, err, errlen);
        g_free(list);
        g_free(arg);
    }
    return ok;
}

/* Farm members of one kind, numbered from *next on. */
static bool add_count(spec_list *l, const device_ops *ops, gint64 count, uint32_t *next, char *err, size_t errlen)
{
    for (gint64 i = 0; i < count; i++)
        if (!add_spec(l, ops, (*next)++, NULL, err, errlen))
            return false;
    return true;
}

static int by_serial(const void *a, const void *b)
{
    uint32_t x = ((const device_spec *)a)->serial, y = ((const device_spec *)b)->serial;
    return (x > y) - (x < y);
}

size_t config_count(const server_config *cfg, const struct device_ops *ops)
{
    size_t n = 0;
    for (size_t i = 0; i < cfg->ndevices; i++)
        n += cfg->devices[i].ops == ops;
    return n;
}

/* ---- GOptionContext glue --------------------------------------------------- */

typedef struct raw_options {
    gchar *serials, *stall, *idle, *write;
    gchar *max_ready, *memory_budget, *request_budget, *max_output;
    gint64 farm_port, base_port, toasters, modems, toast_ms, ready_fd, max_connections;
    gchar **listen, **faults, **modem, **device;
    gboolean trace, json;
} raw_options;

static bool usage_error(const char *fmt, const char *arg)
{
    fputs("riotoasterd: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs(" (see --help)\n", stderr);
    return false;
}

/* lo <= value <= hi, else the usage error "OPT: want LO..HI". */
static bool check_range(gint64 value, gint64 lo, gint64 hi, const char *opt)
{
    if (value >= lo && value <= hi)
        return true;
    char msg[80];
    snprintf(msg, sizeof msg, "%%s: want %lld..%lld", (long long)lo, (long long)hi);
    return usage_error(msg, opt);
}

static bool check_port(gint64 port, const char *opt)
{
    return check_range(port, 1, PORT_MAX, opt);
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
    if (!check_range(r->toast_ms, 0, TOAST_MS_MAX, "--toast-ms-per-level"))
        return false;
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
    if (!check_range(r->max_connections, 1, MAX_CONNECTIONS_LIMIT, "--max-connections"))
        return false;
    cfg->max_connections = (uint32_t)r->max_connections;
    return true;
}

/* Farm mode: --toasters N and --modems N number their devices 1.. in that
 * order; --device adds devices with serials of their own. */
static bool collect_farm(const raw_options *r, spec_list *l, char *err, size_t errlen)
{
    if ((r->toasters != -1 && !check_range(r->toasters, 0, SERIAL_MAX, "--toasters")) ||
        (r->modems != -1 && !check_range(r->modems, 0, SERIAL_MAX, "--modems")))
        return false;
    gint64 toasters = r->toasters;
    if (toasters < 0) /* not given: the default pool unless other devices are */
        toasters = r->modems < 0 && !r->device ? DEFAULT_FARM_TOASTERS : 0;
    uint32_t next = 1;
    if (!add_count(l, &devmodel_toaster, toasters, &next, err, errlen) ||
        !add_count(l, &devmodel_modem, r->modems < 0 ? 0 : r->modems, &next, err, errlen))
        return usage_error("farm: %s", err);
    if (!add_device_options(r->device, l, err, errlen))
        return usage_error("--device %s", err);
    if (!l->n)
        return usage_error("%s: the farm has no devices", "--farm");
    return true;
}

/* Per-device mode: --serials (toasters), --modem and --device, each serial
 * on its own port BASE+serial. */
static bool collect_per_device(const raw_options *r, spec_list *l, char *err, size_t errlen)
{
    if (r->toasters >= 0 || r->modems >= 0)
        return usage_error("%s: farm mode only (--farm PORT)", r->toasters >= 0 ? "--toasters" : "--modems");
    bool any = r->serials || r->modem || r->device;
    const char *serials = r->serials ? r->serials : any ? NULL : DEFAULT_SERIALS;
    if (serials && !add_list(l, &devmodel_toaster, serials, NULL, err, errlen))
        return usage_error("--serials: %s", err);
    for (gchar **m = r->modem; m && *m; m++)
        if (!add_list(l, &devmodel_modem, *m, NULL, err, errlen))
            return usage_error("--modem: %s", err);
    if (!add_device_options(r->device, l, err, errlen))
        return usage_error("--device %s", err);
    return true;
}

static bool convert_mode(const raw_options *r, server_config *cfg)
{
    if (r->farm_port >= 0 && (r->serials || r->modem))
        return usage_error("%s: choose one mode", r->serials ? "--farm and --serials" : "--farm and --modem");
    spec_list l = {0};
    char err[200];
    cfg->farm = r->farm_port >= 0;
    bool ok = cfg->farm ? check_port(r->farm_port, "--farm") && collect_farm(r, &l, err, sizeof err)
                        : collect_per_device(r, &l, err, sizeof err);
    cfg->devices = l.v; /* options_free frees them, whatever happened */
    cfg->ndevices = l.n;
    if (!ok)
        return false;
    qsort(cfg->devices, cfg->ndevices, sizeof *cfg->devices, by_serial);
    cfg->farm_port = (uint16_t)r->farm_port;
    if (cfg->farm)
        return true;
    if (!check_range(r->base_port, 0, PORT_MAX - cfg->devices[cfg->ndevices - 1].serial,
                     "--base-port (plus the highest serial, a port)"))
        return false;
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

/* ---- --help ------------------------------------------------------------------ */

/* The texts that carry defaults are built from the constants. */
typedef struct help_texts {
    char summary[1200], description[2400];
    char serials[120], base_port[100], toasters[120], listen[100], stall[120], write[140];
    char ready[120], budget[120], request[140], output[140], conns[120], toast[100], device[120];
} help_texts;

static void build_help(help_texts *h)
{
    char kinds[600] = "";
    size_t used = 0;
    for (size_t i = 0; i < devmodel_nkinds && used < sizeof kinds; i++) {
        const device_ops *k = devmodel_kinds[i];
        char form[40];
        snprintf(form, sizeof form, "%s:SERIALS%s%s", k->kind, k->arg ? ":" : "", k->arg ? k->arg : "");
        used += (size_t)snprintf(kinds + used, sizeof kinds - used, "  %-18s %s\n", form, k->summary);
    }
    snprintf(h->summary, sizeof h->summary,
             "The RIO/1 simulated-hardware server (docs/PROTOCOL.md): toasters, modems and\n"
             "real serial ports behind one protocol core.\n\n"
             "Per-device mode (default: --serials %s): device N listens on BASE+N; --serials,\n"
             "--modem and --device may be combined, e.g. --serials 1-2 --modem 3.\n"
             "Farm mode (--farm PORT): one port fronts every device; CREATE takes the\n"
             "lowest-numbered free one, or gets STATUS_DEVICE_BUSY and the connection closes.\n"
             "--toasters N and --modems N number their devices 1.. in that order (without\n"
             "any device option: %u toasters); --device adds devices with their own serials.\n\n"
             "Device kinds (--device KIND:SERIALS[:ARG]):\n%s\n"
             "Readiness: once every socket listens, one line per socket \"riotoasterd: listening\n"
             "on ADDR:PORT (serial N)\" and then \"riotoasterd: ready\" go to stderr and, with\n"
             "--ready-fd N, \"ready\\n\" is written to fd N, which is closed.",
             DEFAULT_SERIALS, DEFAULT_FARM_TOASTERS, kinds);
    snprintf(h->description, sizeof h->description,
             "Faults: --fault list prints NAME<TAB>IDS<TAB>DESCRIPTION per line (with --json: a\n"
             "JSON array); --fault NAME (repeatable) breaks exactly that rule.\n\n"
             "Limits (toaster/riotoasterd/README.md): BYTES takes a K, M or G suffix, at least %u.\n"
             "  A WRITE past --max-ready-bytes or --memory-budget (or that malloc cannot serve) gets\n"
             "  STATUS_INSUFFICIENT_RESOURCES and loads nothing; logged once per spell as\n"
             "  \"insufficient resources PEER serial N: WRITE refused with ...\".\n"
             "  Closed at once, logged \"close PEER: REASON\" after a detail line:\n"
             "    request budget exhausted  \"request budget PEER: a request of N data bytes would exceed ...\"\n"
             "    output buffer limit       \"output limit PEER: N bytes of answers unsent exceed M\"\n"
             "    write timeout             \"timeout PEER: no write progress for S s (N bytes of answers unsent)\"\n"
             "  --max-connections: \"accepts paused: N connections open (--max-connections N)\", then\n"
             "  \"accepts resumed: N connections open\" when one closes.\n\n"
             "Signals: SIGINT and SIGTERM stop the server cleanly (exit %d).\n\n"
             "Exit status:\n"
             "  %d  clean exit (signal, --help, --fault list)\n"
             "  %d  runtime failure (out of memory, event loop failure)\n"
             "  %d  usage error\n"
             "  %d  a port that cannot be bound, or a tty that cannot be opened\n",
             MIN_BYTES_LIMIT, EXIT_CLEAN, EXIT_CLEAN, EXIT_RUNTIME, EXIT_USAGE, EXIT_UNAVAILABLE);
    snprintf(h->serials, sizeof h->serials, "Per-device mode: serve these toasters, e.g. 1-8 or 1,3,5-7 (default %s)",
             DEFAULT_SERIALS);
    snprintf(h->base_port, sizeof h->base_port, "Per-device mode: device N listens on BASE+N (default %u)",
             RIO_BASE_PORT);
    snprintf(h->toasters, sizeof h->toasters, "Farm mode: N toasters (default %u without other devices)",
             DEFAULT_FARM_TOASTERS);
    snprintf(h->listen, sizeof h->listen, "Bind this address (repeatable; default %s and %s)", DEFAULT_LISTEN_V4,
             DEFAULT_LISTEN_V6);
    snprintf(h->stall, sizeof h->stall,
             "Close a connection whose PDU does not complete within SEC (default %g; fractions allowed)",
             RIO_STALL_TIMEOUT_MS / 1000.0);
    snprintf(h->write, sizeof h->write,
             "Close a connection whose pending answers make no progress for SEC (default %g)",
             RIO_STALL_TIMEOUT_MS / 1000.0);
    snprintf(h->ready, sizeof h->ready, "Ready toast one toaster may hold (default %u)", DEFAULT_MAX_READY_BYTES);
    snprintf(h->budget, sizeof h->budget, "Ready toast all toasters together may hold (default %u)",
             DEFAULT_MEMORY_BUDGET);
    snprintf(h->request, sizeof h->request,
             "Partially received request data, all connections together (default %u)", DEFAULT_REQUEST_BUDGET);
    snprintf(h->output, sizeof h->output, "Close a connection whose unsent answers exceed BYTES (default %u)",
             DEFAULT_MAX_OUTPUT_BYTES);
    snprintf(h->conns, sizeof h->conns, "Pause accepting while N connections are open (default %u)",
             DEFAULT_MAX_CONNECTIONS);
    snprintf(h->toast, sizeof h->toast, "Simulated toasting time per darkness level, up to %u (default 0 = instant)",
             TOAST_MS_MAX);
    kind_names(kinds, sizeof kinds);
    snprintf(h->device, sizeof h->device, "Serve devices of KIND (%s) with these serials (repeatable)", kinds);
}

int options_parse(int argc, char **argv, server_config *cfg)
{
    raw_options r = {.farm_port = -1, .base_port = RIO_BASE_PORT, .toasters = -1, .modems = -1, .ready_fd = -1,
                     .max_connections = DEFAULT_MAX_CONNECTIONS};
    help_texts h;
    build_help(&h);
    GOptionEntry entries[] = {
        {"serials", 's', 0, G_OPTION_ARG_STRING, &r.serials, h.serials, "LIST"},
        {"modem", 'm', 0, G_OPTION_ARG_STRING_ARRAY, &r.modem,
         "Per-device mode: serve simulated modems with these serials (repeatable)", "LIST"},
        {"device", 'd', 0, G_OPTION_ARG_STRING_ARRAY, &r.device, h.device, "KIND:SERIALS[:ARG]"},
        {"base-port", 'b', 0, G_OPTION_ARG_INT64, &r.base_port, h.base_port, "BASE"},
        {"farm", 'f', 0, G_OPTION_ARG_INT64, &r.farm_port, "Farm mode: one port fronting every device", "PORT"},
        {"toasters", 'n', 0, G_OPTION_ARG_INT64, &r.toasters, h.toasters, "N"},
        {"modems", 0, 0, G_OPTION_ARG_INT64, &r.modems, "Farm mode: N simulated modems, numbered after the toasters",
         "N"},
        {"listen", 'l', 0, G_OPTION_ARG_STRING_ARRAY, &r.listen, h.listen, "ADDR"},
        {"stall-timeout", 0, 0, G_OPTION_ARG_STRING, &r.stall, h.stall, "SEC"},
        {"idle-timeout", 0, 0, G_OPTION_ARG_STRING, &r.idle,
         "Close a connection idle between requests for SEC (default 0 = off)", "SEC"},
        {"write-timeout", 0, 0, G_OPTION_ARG_STRING, &r.write, h.write, "SEC"},
        {"max-ready-bytes", 0, 0, G_OPTION_ARG_STRING, &r.max_ready, h.ready, "BYTES"},
        {"memory-budget", 0, 0, G_OPTION_ARG_STRING, &r.memory_budget, h.budget, "BYTES"},
        {"request-budget", 0, 0, G_OPTION_ARG_STRING, &r.request_budget, h.request, "BYTES"},
        {"max-output-bytes", 0, 0, G_OPTION_ARG_STRING, &r.max_output, h.output, "BYTES"},
        {"max-connections", 0, 0, G_OPTION_ARG_INT64, &r.max_connections, h.conns, "N"},
        {"toast-ms-per-level", 't', 0, G_OPTION_ARG_INT64, &r.toast_ms, h.toast, "MS"},
        {"trace", 0, 0, G_OPTION_ARG_NONE, &r.trace, "Log one line per transaction on stderr", NULL},
        {"ready-fd", 0, 0, G_OPTION_ARG_INT64, &r.ready_fd,
         "Write \"ready\\n\" to fd N once every socket listens, then close it", "N"},
        {"fault", 0, 0, G_OPTION_ARG_STRING_ARRAY, &r.faults,
         "Break one rule on purpose (repeatable); 'list' prints the faults", "NAME"},
        {"json", 0, 0, G_OPTION_ARG_NONE, &r.json, "With --fault list: print JSON", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *ctx = g_option_context_new(NULL);
    g_option_context_set_summary(ctx, h.summary);
    g_option_context_set_description(ctx, h.description);
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
    g_strfreev(r.modem);
    g_strfreev(r.device);
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
    for (size_t i = 0; i < cfg->ndevices; i++)
        g_free(cfg->devices[i].arg);
    g_free(cfg->devices);
    g_strfreev(cfg->listen);
    memset(cfg, 0, sizeof *cfg);
}
