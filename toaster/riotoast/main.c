/*
 * riotoast — the RIO toaster client: the networked, scriptable counterpart
 * of the DDK's toast.exe.  One invocation = one connection = one device
 * handle (CREATE first, CLOSE last).  See README.md.
 */
#include <signal.h>

#include "toastopts.h"
#include "rio/program.h"

int main(int argc, char **argv)
{
    /* "riotoast --version"; "riotoast raw --version N" is the header field. */
    int code = rio_program_start(argc, argv, "riotoast", RT_EXIT_LOCAL);
    if (code >= 0)
        return code;
    /* A server that hangs up mid-send must give a clear error, not SIGPIPE. */
    signal(SIGPIPE, SIG_IGN);
    g_set_prgname("riotoast");

    rt_invocation inv;
    code = options_parse(argc, argv, &inv);
    if (code >= 0)
        return code;
    rt_output *o = out_new(&inv.globals, inv.command->name);
    code = inv.command->run(&inv.globals, o, inv.args, inv.nargs);
    code = out_finish(o, code);
    options_free(&inv);
    return code;
}
