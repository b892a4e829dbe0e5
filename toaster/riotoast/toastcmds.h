/*
 * toastcmds.h — the subcommands: name, arguments, options, and what runs.
 */
#ifndef RIOTOAST_TOASTCMDS_H
#define RIOTOAST_TOASTCMDS_H

#include <glib.h>

#include "output.h"
#include "riotoast.h"

typedef struct rt_command {
    const char *name;
    const char *params;  /* positional arguments, for help: "N", "[N]", ... */
    const char *summary; /* one line */
    const char *details; /* help text after the options, or NULL */
    const GOptionEntry *entries; /* command options (NULL-terminated) or NULL */
    int min_args, max_args;
    /* Run with the positional arguments; returns an RT_EXIT_* code.  May
     * return RT_EXIT_USAGE after printing why. */
    int (*run)(const rt_globals *g, rt_output *o, char **args, int nargs);
} rt_command;

/* Device commands (toastcmds.c), session (tour.c), raw (raw.c), ioctl
 * (ioctlcmd.c), the modem commands (modemcmds.c) and terminal
 * (terminal.c).  A command of a group is named by two words, the group's
 * and its own ("modem dial"). */
extern const rt_command rt_device_commands[]; /* terminated by name == NULL */
extern const rt_command rt_session_command;
extern const rt_command rt_raw_command;
extern const rt_command rt_ioctl_command;
extern const rt_command rt_modem_commands[]; /* terminated by name == NULL */
extern const rt_command rt_terminal_command;

/* Look a command up by name ("info", "modem dial"); NULL if unknown. */
const rt_command *rt_command_find(const char *name);

/* Whether `word` names a group of commands ("modem"). */
bool rt_command_is_group(const char *word);

/* Call fn for every command, in help order. */
void rt_command_foreach(void (*fn)(const rt_command *cmd, void *ctx), void *ctx);

#endif /* RIOTOAST_TOASTCMDS_H */
