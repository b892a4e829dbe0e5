/*
 * output.h — everything riotoast prints goes through here, so that text and
 * --json output say the same things.
 *
 * Text mode: results on stdout as "Key  value" lines (or raw toast bytes),
 * transactions (-v) and errors on stderr.  JSON mode: one object on stdout
 * at the end: command, target, exit code, error, transactions, result.
 */
#ifndef RIOTOAST_OUTPUT_H
#define RIOTOAST_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "rio/client.h"
#include "riotoast.h"

/* How a transaction ended, from the client's point of view. */
typedef enum rt_outcome {
    RT_OUT_OK,             /* answered with the expected STATUS_SUCCESS */
    RT_OUT_EXPECTED_ERROR, /* answered with the error status we asked for */
    RT_OUT_WRONG_STATUS,   /* answered, but not with the expected status */
    RT_OUT_NO_ANSWER,      /* transport failure: see result */
} rt_outcome;

/* One request and what became of it. */
typedef struct rt_txn {
    const char *label;      /* what the step was for, e.g. "SET_DARKNESS 11" */
    rio_header request;     /* as sent (possibly hand-made) */
    uint32_t request_bytes; /* data bytes actually sent (raw may lie in the header) */
    uint32_t expect;        /* status the caller expected */
    rio_client_result result;
    const char *error;      /* transport message when result != OK */
    rio_header response;    /* valid when result == OK */
    double elapsed_ms;
    rt_outcome outcome;
} rt_txn;

typedef struct rt_output rt_output;

rt_output *out_new(const rt_globals *g, const char *command);

/* Print the JSON object (JSON mode), free everything, return exit_code. */
int out_finish(rt_output *o, int exit_code);

bool out_is_json(const rt_output *o);

void out_txn(rt_output *o, const rt_txn *t);

/* Text mode: also print every transaction as a numbered step line on
 * stdout (the session tour). */
void out_show_steps(rt_output *o);

/* Transactions so far, how many ended with an expected error status, and
 * how many failed (wrong status or no answer). */
typedef struct rt_tally {
    unsigned txns, expected_errors, failed;
} rt_tally;
rt_tally out_tally(const rt_output *o);

/* Result fields: "Key  value" on stdout, or members of "result". */
void out_u32(rt_output *o, const char *key, uint32_t v);
void out_hex32(rt_output *o, const char *key, uint32_t v);
void out_str(rt_output *o, const char *key, const char *v);
/* A coded value with its name: text "NAME (v)", JSON key=v, key_name="NAME". */
void out_named(rt_output *o, const char *key, uint32_t v, const char *name);
/* The same with the value in hex in text mode: "STATUS_SUCCESS (0x00000000)". */
void out_named_hex(rt_output *o, const char *key, uint32_t v, const char *name);

/* Toast bytes.  Text: written to stdout as they are (then a newline if
 * stdout is a terminal and they do not end with one), or as a hex dump
 * when `dump`.  JSON: key (text or null) and key_hex. */
void out_bytes(rt_output *o, const char *key, const uint8_t *data, size_t len, bool dump);

/* JSON mode: the "result" object's members so far, for writers that need
 * more than the helpers above (arrays, signed or 64-bit numbers); append
 * members with lib/json's json_* functions.  NULL in text mode. */
GString *out_json_result(rt_output *o);

/* A free-form line for humans on stdout (ignored in JSON mode). */
void out_line(rt_output *o, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* A one-line error on stderr ("riotoast: ..."); the first one is also the
 * JSON "error". */
void out_error(rt_output *o, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* "closed", "reset", "timeout", ...: a transport result for scripts. */
const char *out_result_token(rio_client_result r);

/* "IRP_MJ_READ" or "0x07" (buf >= 32 bytes). */
const char *out_major_name(uint8_t major, char *buf, size_t len);

#endif /* RIOTOAST_OUTPUT_H */
