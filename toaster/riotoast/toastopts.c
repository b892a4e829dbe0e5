/* toastopts.c — command-line parsing for riotoast (see toastopts.h). */
#include <stdio.h>
#include <string.h>

#include "toastopts.h"
#include "rio/client.h"

static gchar *opt_server;
static gint opt_serial = -1, opt_port = -1;
static gdouble opt_timeout = RT_DEFAULT_TIMEOUT_S;
static gboolean opt_json, opt_verbose;
static gchar *opt_misbehave;

static const GOptionEntry global_entries[] = {
    {"server", 's', 0, G_OPTION_ARG_STRING, &opt_server,
     "Server host name or address, [IPv6], with :PORT if wanted (default " RT_DEFAULT_SERVER ")",
     "HOST[:PORT]"},
    {"serial", 'n', 0, G_OPTION_ARG_INT, &opt_serial,
     "Device serial number N: port " G_STRINGIFY(RIO_BASE_PORT) "+N (default " G_STRINGIFY(RT_DEFAULT_SERIAL) ")",
     "N"},
    {"port", 'p', 0, G_OPTION_ARG_INT, &opt_port, "TCP port (instead of --serial; a farm's port)", "PORT"},
    {"timeout", 't', 0, G_OPTION_ARG_DOUBLE, &opt_timeout,
     "Seconds for the connection, and for each answer as a whole (default " G_STRINGIFY(RT_DEFAULT_TIMEOUT_S)
     ", 0 = forever)", "SEC"},
    {"json", 'j', 0, G_OPTION_ARG_NONE, &opt_json, "Print one JSON object with every transaction and the result",
     NULL},
    {"verbose", 'v', 0, G_OPTION_ARG_NONE, &opt_verbose,
     "Print each transaction on stderr (seq, major, status, lengths, time)", NULL},
    /* A test aid, documented in README.md, kept out of --help. */
    {"misbehave", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &opt_misbehave, "Break the protocol on purpose",
     "NAME"},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

/* --help is ours rather than GLib's, so that help goes through fputs like
 * the main help (GLib's own would re-encode it for the locale). */
static gboolean opt_help;

static const GOptionEntry help_entries[] = {
    {"help", 'h', 0, G_OPTION_ARG_NONE, &opt_help, "Show this help", NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

static const char exit_codes_help[] =
    "Exit status:"
#define RT_X_HELP(sym, code, text) "\n  " #code "  " text
    RT_EXIT_TABLE(RT_X_HELP)
#undef RT_X_HELP
    ;

static void append_help_row(GString *to, const char *left, const char *summary)
{
    g_string_append_printf(to, "\n  %-22s %s", left, summary);
}

/* The main help's list: a command per row, a group of commands in one row
 * ("modem COMMAND [ARG...]  The modem: dial, send, ..."). */
typedef struct command_list {
    GString *text;
    char *group; /* the group of the last row, or NULL */
} command_list;

static void append_command_line(const rt_command *cmd, void *ctx)
{
    command_list *l = ctx;
    const char *space = strchr(cmd->name, ' ');
    if (!space) {
        char *left = g_strdup_printf("%s %s", cmd->name, cmd->params);
        append_help_row(l->text, left, cmd->summary);
        g_free(left);
        g_clear_pointer(&l->group, g_free);
        return;
    }
    if (l->group && strlen(l->group) == (size_t)(space - cmd->name) &&
        strncmp(l->group, cmd->name, space - cmd->name) == 0) {
        g_string_append_printf(l->text, ", %s", space + 1);
        return;
    }
    g_free(l->group);
    l->group = g_strndup(cmd->name, space - cmd->name);
    char *left = g_strdup_printf("%s COMMAND [ARG...]", l->group);
    char *summary = g_strdup_printf("The %s's commands (riotoast %s --help): %s", l->group, l->group, space + 1);
    append_help_row(l->text, left, summary);
    g_free(summary);
    g_free(left);
}

/* A help that lists commands: the list, the global options, the text. */
static void print_listing(FILE *to, const char *summary, const char *description)
{
    GOptionContext *ctx = g_option_context_new("COMMAND [ARG...]");
    g_option_context_set_summary(ctx, summary);
    g_option_context_set_description(ctx, description);
    g_option_context_add_main_entries(ctx, global_entries, NULL);
    char *help = g_option_context_get_help(ctx, TRUE, NULL);
    fputs(help, to);
    g_free(help);
    g_option_context_free(ctx);
}

static void print_main_help(FILE *to)
{
    command_list list = {g_string_new("RIO client of the toaster, the serial port and modem, and any described device:\n"
                                      "one connection, one device handle per invocation.\n\nCommands:"),
                         NULL};
    rt_command_foreach(append_command_line, &list);
    g_free(list.group);
    char *description = g_strdup_printf(
        "Every command sends CREATE first and CLOSE last.  A device is reset when its handle\n"
        "closes (the toaster emptied, the modem hung up), so a full cycle needs one invocation:\n"
        "use toast or session, and the modem commands each do all their steps.\n"
        "Options may come before or after the command.  riotoast COMMAND --help shows a\n"
        "command's own options.\n\n%s",
        exit_codes_help);
    print_listing(to, list.text->str, description);
    g_free(description);
    g_string_free(list.text, TRUE);
}

/* "riotoast modem --help": the commands of a group, then the global
 * options. */
typedef struct group_list {
    const char *group;
    GString *text;
} group_list;

static void append_group_line(const rt_command *cmd, void *ctx)
{
    group_list *l = ctx;
    size_t n = strlen(l->group);
    if (strncmp(cmd->name, l->group, n) != 0 || cmd->name[n] != ' ')
        return;
    char *left = g_strdup_printf("%s %s", cmd->name + n + 1, cmd->params);
    append_help_row(l->text, left, cmd->summary);
    g_free(left);
}

static void print_group_help(const char *group, FILE *to)
{
    char *prgname = g_strdup_printf("riotoast %s", group);
    g_set_prgname(prgname);
    g_free(prgname);
    group_list l = {group, g_string_new(NULL)};
    g_string_printf(l.text, "The %s commands.\n\nCommands:", group);
    rt_command_foreach(append_group_line, &l);
    char *description = g_strdup_printf("riotoast %s COMMAND --help shows a command's own options.\n\n%s", group,
                                        exit_codes_help);
    print_listing(to, l.text->str, description);
    g_free(description);
    g_string_free(l.text, TRUE);
}

/* Does this argv word name a global option that takes the next word as its
 * value?  ("--port 5001", "-p 5001", but not "--port=5001" or "-p5001".) */
static bool takes_next_word(const char *word)
{
    for (const GOptionEntry *e = global_entries; e->long_name; e++) {
        if (e->arg == G_OPTION_ARG_NONE)
            continue;
        if (word[1] == '-' && strcmp(word + 2, e->long_name) == 0)
            return true;
        if (word[1] == e->short_name && word[2] == '\0')
            return true;
    }
    return false;
}

/* Index of the first command word in argv from `from` on, or 0 if there
 * is none. */
static int find_command(int argc, char **argv, int from)
{
    for (int i = from; i < argc; i++) {
        const char *w = argv[i];
        if (strcmp(w, "--") == 0)
            return i + 1 < argc ? i + 1 : 0;
        if (w[0] != '-' || w[1] == '\0')
            return i;
        if (takes_next_word(w))
            i++;
    }
    return 0;
}

static bool wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strncmp(argv[i], "--help", 6) == 0 || strcmp(argv[i], "-?") == 0)
            return true;
    return false;
}

static int usage_error(const char *fmt, const char *arg)
{
    fputs("riotoast: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs(" (riotoast --help lists commands and options)\n", stderr);
    return RT_EXIT_USAGE;
}

static const struct {
    const char *name, *ids, *help;
} misbehaviours[] = {
#define RT_X_ROW(sym, text, ids, help) [sym] = {text, ids, help},
    RT_MISBEHAVE_TABLE(RT_X_ROW)
#undef RT_X_ROW
};

static bool parse_misbehave(const char *name, rt_misbehave *out)
{
    for (size_t i = 0; i < G_N_ELEMENTS(misbehaviours); i++)
        if (strcmp(name, misbehaviours[i].name) == 0) {
            *out = (rt_misbehave)i;
            return true;
        }
    return false;
}

static void list_misbehaviours(void)
{
    for (size_t i = RT_MB_NONE + 1; i < G_N_ELEMENTS(misbehaviours); i++)
        printf("%s\t%s\t%s\n", misbehaviours[i].name, misbehaviours[i].ids, misbehaviours[i].help);
}

/* --server's host, without brackets or port. */
static char server_host[256];

/* Turn the parsed global options into rt_globals; false after a message. */
static bool resolve_globals(rt_globals *g)
{
    uint16_t server_port = 0;
    if (opt_server && !rio_split_host_port(opt_server, server_host, sizeof server_host, &server_port))
        return usage_error("--server wants HOST, HOST:PORT, [IPv6] or [IPv6]:PORT, not \"%s\"",
                           opt_server) == 0;
    g->server = opt_server ? server_host : RT_DEFAULT_SERVER;
    g->json = opt_json;
    g->verbose = opt_verbose;
    if (server_port && (opt_serial >= 0 || opt_port >= 0))
        return usage_error("%s", "give the port once: in --server, --port or --serial") == 0;
    if (server_port)
        opt_port = server_port;
    if (opt_serial >= 0 && opt_port >= 0)
        return usage_error("%s", "give --serial or --port, not both") == 0;
    if (opt_port == 0 || opt_port > UINT16_MAX)
        return usage_error("%s", "--port must be 1..65535") == 0;
    if (opt_serial >= 0 && opt_serial > UINT16_MAX - RIO_BASE_PORT)
        return usage_error("%s", "--serial is too large for a port") == 0;
    g->port = opt_port > 0 ? (uint16_t)opt_port
                           : rio_serial_port(opt_serial >= 0 ? (unsigned)opt_serial : RT_DEFAULT_SERIAL);
    if (!(opt_timeout >= 0.0 && opt_timeout <= 86400.0))
        return usage_error("%s", "--timeout must be 0..86400 seconds") == 0;
    g->timeout_ms = (int)(opt_timeout * 1000.0 + 0.5);
    if (opt_timeout > 0.0 && g->timeout_ms == 0)
        g->timeout_ms = 1;
    g->misbehave = RT_MB_NONE;
    if (opt_misbehave && !parse_misbehave(opt_misbehave, &g->misbehave))
        return usage_error("unknown --misbehave \"%s\"", opt_misbehave) == 0;
    return true;
}

/* The GOptionContext of one command: its options, then the global ones. */
static GOptionContext *command_context(const rt_command *cmd)
{
    char *prgname = g_strdup_printf("riotoast %s", cmd->name);
    g_set_prgname(prgname); /* the "Usage:" line names the command */
    g_free(prgname);

    GOptionContext *ctx = g_option_context_new(cmd->params);
    g_option_context_set_summary(ctx, cmd->summary);
    char *description = g_strdup_printf("%s%s%s", cmd->details ? cmd->details : "", cmd->details ? "\n\n" : "",
                                        exit_codes_help);
    g_option_context_set_description(ctx, description);
    g_free(description);
    g_option_context_set_help_enabled(ctx, FALSE);
    g_option_context_add_main_entries(ctx, help_entries, NULL);
    if (cmd->entries)
        g_option_context_add_main_entries(ctx, cmd->entries, NULL);
    g_option_context_add_main_entries(ctx, global_entries, NULL);
    return ctx;
}

/* After a successful parse: help, argument count, global options. */
static int check_parsed(GOptionContext *ctx, int nargs, rt_invocation *inv)
{
    const rt_command *cmd = inv->command;
    if (opt_help) {
        char *help = g_option_context_get_help(ctx, TRUE, NULL);
        fputs(help, stdout);
        g_free(help);
        return RT_EXIT_OK;
    }
    if (nargs < cmd->min_args || nargs > cmd->max_args) {
        fprintf(stderr, "riotoast %s: usage: riotoast %s %s (riotoast %s --help for more)\n", cmd->name,
                cmd->name, cmd->params, cmd->name);
        return RT_EXIT_USAGE;
    }
    return resolve_globals(&inv->globals) ? -1 : RT_EXIT_USAGE;
}

/* Parse argv minus the command words (at, and at2 for a command of a
 * group, else -1) with the command's context. */
static int parse_command(int argc, char **argv, int at, int at2, rt_invocation *inv)
{
    GOptionContext *ctx = command_context(inv->command);
    /* GOption removes what it parses from `words` without freeing it, so
     * the strings are owned by `owned` and `words` only points at them. */
    char **owned = g_new0(char *, argc + 1), **words = g_new0(char *, argc + 1);
    int n = 0;
    for (int i = 0; i < argc; i++)
        if (i != at && i != at2) {
            owned[n] = g_strdup(argv[i]);
            words[n] = owned[n];
            n++;
        }
    GError *err = NULL;
    int code;
    if (g_option_context_parse(ctx, &n, &words, &err)) {
        code = check_parsed(ctx, n - 1, inv);
        if (code < 0) {
            inv->args = g_strdupv(words + 1);
            inv->nargs = n - 1;
        }
    } else {
        code = usage_error("%s", err->message);
        g_error_free(err);
    }
    g_free(words);
    g_strfreev(owned);
    g_option_context_free(ctx);
    return code;
}

/* "riotoast help [GROUP] [COMMAND]": the same as COMMAND --help. */
static int help_command(int argc, char **argv, int at, rt_invocation *inv)
{
    const char *first = at + 1 < argc ? argv[at + 1] : NULL;
    if (first && rt_command_is_group(first)) {
        if (at + 2 < argc) {
            char *words[] = {argv[0], argv[at + 1], argv[at + 2], "--help", NULL};
            return options_parse(4, words, inv);
        }
        print_group_help(first, stdout);
        return RT_EXIT_OK;
    }
    if (first && rt_command_find(first)) {
        char *words[] = {argv[0], argv[at + 1], "--help", NULL};
        return options_parse(3, words, inv);
    }
    print_main_help(stdout);
    return RT_EXIT_OK;
}

/* A command of a group: its name is the group's word and the next command
 * word ("modem dial"). */
static int parse_group_command(int argc, char **argv, int at, rt_invocation *inv)
{
    const char *group = argv[at];
    int at2 = find_command(argc, argv, at + 1);
    if (!at2) {
        if (wants_help(argc, argv)) {
            print_group_help(group, stdout);
            return RT_EXIT_OK;
        }
        char *msg = g_strdup_printf("%s: no command given (riotoast %s --help lists them)", group, group);
        fprintf(stderr, "riotoast: %s\n", msg);
        g_free(msg);
        return RT_EXIT_USAGE;
    }
    char *name = g_strdup_printf("%s %s", group, argv[at2]);
    inv->command = rt_command_find(name);
    g_free(name);
    if (!inv->command) {
        fprintf(stderr, "riotoast: unknown %s command \"%s\" (riotoast %s --help lists them)\n", group,
                argv[at2], group);
        return RT_EXIT_USAGE;
    }
    return parse_command(argc, argv, at, at2, inv);
}

int options_parse(int argc, char **argv, rt_invocation *inv)
{
    *inv = (rt_invocation){0};
    int at = find_command(argc, argv, 1);
    const char *name = at ? argv[at] : NULL;
    if (name && strcmp(name, "help") == 0)
        return help_command(argc, argv, at, inv);
    if (!name) {
        if (argc == 3 && strcmp(argv[1], "--misbehave") == 0 && strcmp(argv[2], "list") == 0) {
            list_misbehaviours();
            return RT_EXIT_OK;
        }
        if (wants_help(argc, argv)) {
            print_main_help(stdout);
            return RT_EXIT_OK;
        }
        return usage_error("%s", "no command given");
    }
    if (rt_command_is_group(name))
        return parse_group_command(argc, argv, at, inv);
    inv->command = rt_command_find(name);
    if (!inv->command)
        return usage_error("unknown command \"%s\"", name);
    return parse_command(argc, argv, at, -1, inv);
}

void options_free(rt_invocation *inv)
{
    g_strfreev(inv->args);
    inv->args = NULL;
}
