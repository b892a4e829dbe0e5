/* riotoasterd — the RIO/1 simulated-hardware toaster server.
 * Exit status: 0 clean exit, 1 runtime failure, 2 usage error or a port that
 * cannot be bound (daemonopts.h). */
#include "log.h"
#include "daemonopts.h"
#include "rio/program.h"
#include "server.h"

int main(int argc, char **argv)
{
    int rc = rio_program_start(argc, argv, "riotoasterd", 1);
    if (rc >= 0)
        return rc;
    log_init();
    server_config cfg = {0};
    rc = options_parse(argc, argv, &cfg);
    if (rc >= 0) {
        options_free(&cfg);
        return rc;
    }
    server s;
    rc = server_init(&s, &cfg);
    if (rc < 0)
        rc = server_run(&s);
    server_free(&s);
    options_free(&cfg);
    return rc;
}
