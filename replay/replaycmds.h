/* replaycmds.h — the three commands; each returns an exit code (replayopts.h). */
#ifndef RR_REPLAYCMDS_H
#define RR_REPLAYCMDS_H

#include "replayopts.h"

int rr_cmd_audit(const rr_options *o);
int rr_cmd_client(const rr_options *o);
int rr_cmd_server(const rr_options *o);

#endif
