/*
 * toastopts.h — the command line: global options (anywhere), one command,
 * the command's own options and arguments.  GLib's GOptionContext does the
 * parsing and the per-command --help.
 */
#ifndef RIOTOAST_TOASTOPTS_H
#define RIOTOAST_TOASTOPTS_H

#include "toastcmds.h"
#include "riotoast.h"

typedef struct rt_invocation {
    rt_globals globals;
    const rt_command *command;
    char **args; /* positional arguments of the command (owned) */
    int nargs;
} rt_invocation;

/* Returns -1 when the command should run, or the exit code to leave with
 * (0 after --help, RT_EXIT_USAGE after a one-line message).  argv is not
 * modified. */
int options_parse(int argc, char **argv, rt_invocation *inv);

void options_free(rt_invocation *inv);

#endif /* RIOTOAST_TOASTOPTS_H */
