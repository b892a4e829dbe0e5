/* commands.h — the three commands; each returns an exit code (options.h). */
#ifndef RR_COMMANDS_H
#define RR_COMMANDS_H

#include "options.h"

int rr_cmd_audit(const rr_options *o);
int rr_cmd_client(const rr_options *o);
int rr_cmd_server(const rr_options *o);

#endif
