/* main.c — rio-replay: turn a RIO capture into transactions and replay
 * them against a live server, or play the server for a live client. */
#include <signal.h>

#include "commands.h"

int main(int argc, char **argv)
{
    rr_options o;
    signal(SIGPIPE, SIG_IGN); /* a peer that closes is reported, not fatal */
    if (!rr_options_parse(&o, argc, argv)) {
        rr_options_free(&o);
        return RR_EXIT_USAGE;
    }
    int code;
    switch (o.command) {
    case RR_CMD_CLIENT: code = rr_cmd_client(&o); break;
    case RR_CMD_SERVER: code = rr_cmd_server(&o); break;
    default: code = rr_cmd_audit(&o); break;
    }
    rr_options_free(&o);
    return code;
}
