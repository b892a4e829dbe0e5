/* output.c — text and JSON output of riotoast (see output.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "jsonw.h"
#include "output.h"

struct rt_output {
    const rt_globals *g;
    const char *command;
    GString *txns;   /* JSON array members */
    GString *result; /* JSON object members */
    char *error;     /* first error message */
    rt_tally tally;
    bool steps;      /* print step lines (text mode) */
};

rt_output *out_new(const rt_globals *g, const char *command)
{
    rt_output *o = g_new0(rt_output, 1);
    o->g = g;
    o->command = command;
    o->txns = g_string_new("[");
    o->result = g_string_new("{");
    return o;
}

bool out_is_json(const rt_output *o) { return o->g->json; }

static void print_json(const rt_output *o, int exit_code)
{
    GString *s = g_string_new("{");
    json_str(s, "command", o->command);
    json_str(s, "server", o->g->server);
    json_uint(s, "port", o->g->port);
    json_uint(s, "exit_code", (uint32_t)exit_code);
    json_bool(s, "ok", exit_code == RT_EXIT_OK);
    json_str(s, "error", o->error);
    json_key(s, "transactions");
    g_string_append_printf(s, "%s]", o->txns->str);
    json_key(s, "result");
    g_string_append_printf(s, "%s}}", o->result->str);
    puts(s->str);
    g_string_free(s, TRUE);
}

int out_finish(rt_output *o, int exit_code)
{
    if (o->g->json)
        print_json(o, exit_code);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "riotoast: cannot write the output\n");
        exit_code = rt_worst(exit_code, RT_EXIT_LOCAL);
    }
    g_string_free(o->txns, TRUE);
    g_string_free(o->result, TRUE);
    g_free(o->error);
    g_free(o);
    return exit_code;
}

const char *out_major_name(uint8_t major, char *buf, size_t len)
{
    const char *name = rio_major_name(major);
    if (name)
        snprintf(buf, len, "%s%s", RIO_MJ_PREFIX, name);
    else
        snprintf(buf, len, "0x%02X", major);
    return buf;
}

static const char *outcome_name(rt_outcome outcome)
{
    switch (outcome) {
    case RT_OUT_OK:
        return "ok";
    case RT_OUT_EXPECTED_ERROR:
        return "expected-error";
    case RT_OUT_WRONG_STATUS:
        return "wrong-status";
    case RT_OUT_NO_ANSWER:
        break;
    }
    return "no-answer";
}

const char *out_result_token(rio_client_result r)
{
    switch (r) {
    case RIO_CLIENT_OK:
        return "ok";
    case RIO_CLIENT_CLOSED:
        return "closed";
    case RIO_CLIENT_RESET:
        return "reset";
    case RIO_CLIENT_TIMEOUT:
        return "timeout";
    case RIO_CLIENT_PROTOCOL:
        return "protocol-error";
    case RIO_CLIENT_IO:
        return "io-error";
    case RIO_CLIENT_CONNECT:
        break;
    }
    return "connect-failed";
}

static void txn_json(GString *s, const rt_txn *t)
{
    char buf[32];
    const rio_header *q = &t->request, *p = &t->response;
    json_sep(s);
    g_string_append_c(s, '{');
    json_str(s, "label", t->label);
    json_uint(s, "seq", q->sequence);
    json_uint(s, "version", q->version);
    json_uint(s, "header_length", q->header_length);
    json_uint(s, "major", q->major);
    json_str(s, "major_name", out_major_name(q->major, buf, sizeof buf));
    json_uint(s, "ioctl", q->ioctl);
    json_str(s, "ioctl_name", q->major == RIO_MJ_DEVICE_CONTROL ? rio_ioctl_name(q->ioctl) : NULL);
    json_uint(s, "output_length", q->output_length);
    json_uint(s, "request_length", q->data_length);
    json_uint(s, "request_bytes_sent", t->request_bytes);
    json_uint(s, "expected_status", t->expect);
    json_str(s, "expected_status_name", rio_status_name(t->expect));
    json_str(s, "outcome", outcome_name(t->outcome));
    json_str(s, "transport", out_result_token(t->result));
    json_str(s, "transport_error", t->result == RIO_CLIENT_OK ? NULL : t->error);
    if (t->result == RIO_CLIENT_OK) {
        json_uint(s, "response_seq", p->sequence);
        json_uint(s, "status", p->status);
        json_str(s, "status_name", rio_status_name(p->status));
        json_uint(s, "information", p->information);
        json_uint(s, "response_length", p->data_length);
    }
    json_double(s, "elapsed_ms", t->elapsed_ms, 3);
    g_string_append_c(s, '}');
}

/* -v: one line per transaction on stderr. */
static void txn_text(unsigned n, const rt_txn *t)
{
    char major[32], status[32];
    const rio_header *q = &t->request;
    out_major_name(q->major, major, sizeof major);
    fprintf(stderr, "riotoast: #%u seq=%u %s", n, q->sequence, major);
    if (q->major == RIO_MJ_DEVICE_CONTROL) {
        char ioctl[32];
        fprintf(stderr, " %s", rio_ioctl_str(q->ioctl, ioctl, sizeof ioctl));
    }
    fprintf(stderr, " out=%u len=%u", q->output_length, q->data_length);
    if (t->result == RIO_CLIENT_OK)
        fprintf(stderr, " -> %s info=%u len=%u", rio_status_str(t->response.status, status, sizeof status),
                t->response.information, t->response.data_length);
    else
        fprintf(stderr, " -> %s", out_result_token(t->result));
    fprintf(stderr, " %.3f ms%s\n", t->elapsed_ms, t->outcome == RT_OUT_EXPECTED_ERROR ? " (expected)" : "");
}

/* The session's view of a transaction: what, the answer, the verdict. */
static void step_line(unsigned n, const rt_txn *t)
{
    static const char *const verdict[] = {
        [RT_OUT_OK] = "ok",
        [RT_OUT_EXPECTED_ERROR] = "expected",
        [RT_OUT_WRONG_STATUS] = "FAILED",
        [RT_OUT_NO_ANSWER] = "FAILED",
    };
    char status[32];
    const char *answer = t->result == RIO_CLIENT_OK ? rio_status_str(t->response.status, status, sizeof status)
                                                    : out_result_token(t->result);
    printf("%3u  %-44s %-30s %-8s %8.1f ms\n", n, t->label, answer, verdict[t->outcome], t->elapsed_ms);
}

void out_show_steps(rt_output *o) { o->steps = true; }

rt_tally out_tally(const rt_output *o) { return o->tally; }

void out_txn(rt_output *o, const rt_txn *t)
{
    o->tally.txns++;
    if (t->outcome == RT_OUT_EXPECTED_ERROR)
        o->tally.expected_errors++;
    if (t->outcome == RT_OUT_WRONG_STATUS || t->outcome == RT_OUT_NO_ANSWER)
        o->tally.failed++;
    if (o->g->verbose)
        txn_text(o->tally.txns, t);
    if (o->steps && !o->g->json)
        step_line(o->tally.txns, t);
    if (o->g->json)
        txn_json(o->txns, t);
}

static void text_kv(const char *key, const char *value)
{
    printf("%-18s %s\n", key, value);
}

static void number(rt_output *o, const char *key, uint32_t v, const char *text_format)
{
    if (o->g->json) {
        json_uint(o->result, key, v);
        return;
    }
    char buf[16];
    snprintf(buf, sizeof buf, text_format, v);
    text_kv(key, buf);
}

void out_u32(rt_output *o, const char *key, uint32_t v) { number(o, key, v, "%u"); }

void out_hex32(rt_output *o, const char *key, uint32_t v) { number(o, key, v, "0x%08X"); }

void out_str(rt_output *o, const char *key, const char *v)
{
    if (o->g->json)
        json_str(o->result, key, v);
    else
        text_kv(key, v);
}

static void named(rt_output *o, const char *key, uint32_t v, const char *name, bool hex)
{
    if (o->g->json) {
        json_uint(o->result, key, v);
        char *name_key = g_strconcat(key, "_name", NULL);
        json_str(o->result, name_key, name);
        g_free(name_key);
        return;
    }
    char buf[64];
    snprintf(buf, sizeof buf, hex ? "%s (0x%08X)" : "%s (%u)", name ? name : "unknown", v);
    text_kv(key, buf);
}

void out_named(rt_output *o, const char *key, uint32_t v, const char *name) { named(o, key, v, name, false); }

void out_named_hex(rt_output *o, const char *key, uint32_t v, const char *name) { named(o, key, v, name, true); }

/* Classic 16-bytes-a-line dump: offset, hex, printable ASCII. */
static void hex_dump(const uint8_t *data, size_t len)
{
    for (size_t off = 0; off < len; off += 16) {
        printf("%08zx ", off);
        for (size_t i = off; i < off + 16; i++)
            i < len ? printf(" %02x", data[i]) : printf("   ");
        printf("  |");
        for (size_t i = off; i < off + 16 && i < len; i++)
            putchar(g_ascii_isprint(data[i]) ? data[i] : '.');
        printf("|\n");
    }
}

void out_bytes(rt_output *o, const char *key, const uint8_t *data, size_t len, bool dump)
{
    if (o->g->json)
        json_bytes(o->result, key, len > 0 ? data : (const uint8_t *)"", len);
    else if (dump)
        hex_dump(data, len);
    else if (len > 0) { /* data may be NULL when empty */
        fwrite(data, 1, len, stdout);
        /* A shell prompt must not start after the toast: on a terminal
         * only, so that a pipe or a file gets exactly the bytes. */
        if (data[len - 1] != '\n' && isatty(STDOUT_FILENO))
            putchar('\n');
    }
}

GString *out_json_result(rt_output *o) { return o->g->json ? o->result : NULL; }

void out_line(rt_output *o, const char *fmt, ...)
{
    if (o->g->json)
        return;
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

void out_error(rt_output *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fflush(stdout); /* keep stdout and stderr lines in order on a terminal */
    fprintf(stderr, "riotoast: %s\n", msg);
    if (o->error)
        g_free(msg);
    else
        o->error = msg;
}
