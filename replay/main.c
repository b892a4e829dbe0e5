/* main.c — rio-replay: turn a RIO capture into transactions and replay
 * them against a live server, or play the server for a live client. */
#include <signal.h>

#include "replaycmds.h"
#include "rio/program.h"

int main(int argc, char **argv)
{
    int code = rio_program_start(argc, argv, "rio-replay", RR_EXIT_USAGE);
    if (code >= 0)
        return code;
    rr_options o;
    signal(SIGPIPE, SIG_IGN); /* a peer that closes is reported, not fatal */
    if (!rr_options_parse(&o, argc, argv)) {
        rr_options_free(&o);
        return RR_EXIT_USAGE;
    }
    switch (o.command) {
    case RR_CMD_CLIENT: code = rr_cmd_client(&o); break;
    case RR_CMD_SERVER: code = rr_cmd_server(&o); break;
    default: code = rr_cmd_audit(&o); break;
    }
    rr_options_free(&o);
    return code;
}
