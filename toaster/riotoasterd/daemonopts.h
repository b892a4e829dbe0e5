/* daemonopts.h — riotoasterd's command line (GOptionContext). */
#ifndef RIOTOASTERD_DAEMONOPTS_H
#define RIOTOASTERD_DAEMONOPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rio/rio.h"

/* Exit codes (also in --help and README.md). */
#define EXIT_CLEAN 0
#define EXIT_RUNTIME 1
#define EXIT_USAGE 2
#define EXIT_UNAVAILABLE 3 /* a port cannot be bound, a tty cannot be opened: as in riotoast and rio-replay */

#define DEFAULT_SERIALS "1" /* per-device mode without any device option: toaster 1 */
#define DEFAULT_FARM_TOASTERS 4 /* a farm without any device option */
#define DEFAULT_LISTEN_V4 "127.0.0.1"
#define DEFAULT_LISTEN_V6 "::1"
#define SERIAL_MAX 65535u
#define PORT_MAX 65535u

/* Resource limits (README.md "Limits"; docs/PROTOCOL.md section 8). */
#define DEFAULT_MAX_READY_BYTES RIO_DATA_MAX       /* one READ can take all of it */
#define DEFAULT_MEMORY_BUDGET (64u << 20)          /* ready toast, all toasters */
#define DEFAULT_REQUEST_BUDGET (64u << 20)         /* partial requests, all connections */
#define DEFAULT_MAX_OUTPUT_BYTES (2u << 20)        /* unsent answers, one connection */
#define DEFAULT_MAX_CONNECTIONS 4096
#define MAX_CONNECTIONS_LIMIT (1u << 20)
#define MIN_BYTES_LIMIT RIO_TOASTER_MAX_LOAD_BYTES /* smallest value of a byte limit */
#define TOAST_MS_MAX 3600000u                      /* --toast-ms-per-level: an hour */

struct device_ops;

/* One served device: its kind, serial and the kind's argument (a tty's
 * path). */
typedef struct device_spec {
    const struct device_ops *ops;
    uint32_t serial;
    char *arg; /* NULL when the kind takes none */
} device_spec;

typedef struct server_config {
    bool farm;             /* one port fronting every device; else BASE+serial each */
    uint16_t farm_port;
    device_spec *devices;  /* ascending serials, unique */
    size_t ndevices;
    uint32_t base_port;
    char **listen;         /* addresses to bind (NULL-terminated) */
    bool listen_default;   /* ::1 may be missing without failing */
    uint64_t stall_ms;
    uint64_t idle_ms;      /* 0: off */
    uint64_t write_ms;     /* output pending without progress this long: close */
    size_t max_ready;      /* ready toast per toaster */
    size_t memory_budget;  /* ready toast, all toasters */
    size_t request_budget; /* partially received request data, all connections */
    size_t max_output;     /* unsent answers per connection */
    uint32_t max_connections;
    uint32_t toast_ms_per_level;
    bool trace;
    int ready_fd;          /* -1: none */
    unsigned faults;
    bool list_faults, json;
} server_config;

/* Parse argv.  Returns -1 to go on, or an exit code (after --help, --fault
 * list, or a usage error already reported on stderr). */
int options_parse(int argc, char **argv, server_config *cfg);
void options_free(server_config *cfg);

/* How many devices of kind `ops` cfg serves. */
size_t config_count(const server_config *cfg, const struct device_ops *ops);

/* "1-8", "1,3,5-7": ascending unique serials 1..65535.  Returns false with
 * a message in err (size errlen) on bad input.  Exposed for unit tests. */
bool parse_serial_list(const char *text, uint32_t **out, size_t *count, char *err, size_t errlen);
/* "KIND:SERIALS[:ARG]" (--device): the kind's model, the serial list and
 * the argument (NULL when absent; a kind with `arg` needs one, the others
 * take none).  The strings are g_malloc'd.  Exposed for unit tests. */
bool parse_device_spec(const char *text, const struct device_ops **ops, char **list, char **arg, char *err,
                       size_t errlen);
/* Seconds, fractional allowed ("0.5"), into milliseconds. */
bool parse_seconds(const char *text, uint64_t *ms);
/* A byte count: digits with an optional K, M or G suffix (KiB, MiB, GiB). */
bool parse_bytes(const char *text, size_t *bytes);

#endif
