/* raw.c — `riotoast raw`: one hand-made request, every header field under
 * the caller's control, for testing servers.  Shows the decoded response or
 * what became of the connection. */
#include <string.h>

#include "toastcmds.h"
#include "toastconn.h"
#include "ioctlshow.h"
#include "argbytes.h"

static gchar *opt_signature, *opt_version, *opt_major, *opt_header_length, *opt_seq, *opt_ioctl;
static gchar *opt_output_length, *opt_data, *opt_hex, *opt_data_length;
static gboolean opt_no_create;

static const GOptionEntry raw_entries[] = {
    {"signature", 0, 0, G_OPTION_ARG_STRING, &opt_signature,
     "Signature, 4 characters (default " RIO_SIGNATURE_REQUEST ")", "SIG"},
    {"version", 0, 0, G_OPTION_ARG_STRING, &opt_version, "Version (default " G_STRINGIFY(RIO_VERSION) ")", "N"},
    {"major", 'm', 0, G_OPTION_ARG_STRING, &opt_major,
     "MajorFunction: READ, IRP_MJ_READ or a number (default DEVICE_CONTROL with --ioctl)", "NAME|N"},
    {"header-length", 0, 0, G_OPTION_ARG_STRING, &opt_header_length,
     "HeaderLength (default " G_STRINGIFY(RIO_HEADER_SIZE) "); zeros fill the header up to it, up to "
     G_STRINGIFY(RIO_HEADER_LENGTH_MAX) " bytes", "N"},
    {"seq", 0, 0, G_OPTION_ARG_STRING, &opt_seq, "Sequence (default: the next one)", "N"},
    {"ioctl", 'i', 0, G_OPTION_ARG_STRING, &opt_ioctl,
     "IoControlCode: GET_INFO, IOCTL_TOASTER_GET_INFO or a number (default 0)", "NAME|N"},
    {"output-length", 'o', 0, G_OPTION_ARG_STRING, &opt_output_length, "OutputLength (default 0)", "N"},
    {"data", 'd', 0, G_OPTION_ARG_FILENAME, &opt_data, "Request data: text, @FILE or @- (standard input)",
     "TEXT|@FILE"},
    {"hex", 0, 0, G_OPTION_ARG_STRING, &opt_hex, "Request data as hex digits (\"01 02\" or \"0102\")", "HEX"},
    {"data-length", 'l', 0, G_OPTION_ARG_STRING, &opt_data_length,
     "RequestDataLength to declare (default: the data's real length)", "N"},
    {"no-create", 0, 0, G_OPTION_ARG_NONE, &opt_no_create, "Send the request without a CREATE first", NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

/* A numeric option: NULL keeps *out; false (after a message) if bad. */
static bool number_opt(rt_output *o, const char *name, const char *text, uint32_t max, uint32_t *out)
{
    if (!text)
        return true;
    if (input_u32(text, out) && *out <= max)
        return true;
    out_error(o, "raw: --%s: \"%s\" is not a number 0..%u", name, text, max);
    return false;
}

/* "GET_INFO" is short for IOCTL_TOASTER_GET_INFO on a command line. */
static bool parse_ioctl(const char *s, uint32_t *out)
{
    if (rio_ioctl_parse(s, out))
        return true;
    char *full = g_strconcat("IOCTL_TOASTER_", s, NULL);
    bool ok = rio_ioctl_parse(full, out);
    g_free(full);
    return ok;
}

/* The request header from the options; false after a message. */
static bool build_header(rt_output *o, uint32_t next_seq, rio_header *h)
{
    uint32_t version = RIO_VERSION, header_length = RIO_HEADER_SIZE;
    *h = rio_request_header(RIO_MJ_DEVICE_CONTROL, next_seq, 0, 0, 0);
    if (opt_ioctl && !parse_ioctl(opt_ioctl, &h->ioctl)) {
        out_error(o, "raw: --ioctl: unknown IOCTL \"%s\"", opt_ioctl);
        return false;
    }
    if (opt_major && !rio_major_parse(opt_major, &h->major)) {
        out_error(o, "raw: --major: unknown major function \"%s\"", opt_major);
        return false;
    }
    if (!opt_major && !opt_ioctl) {
        out_error(o, "raw: give --major (or --ioctl for a DEVICE_CONTROL)");
        return false;
    }
    if (opt_signature && strlen(opt_signature) != RIO_SIGNATURE_SIZE) {
        out_error(o, "raw: --signature must be exactly %d characters", RIO_SIGNATURE_SIZE);
        return false;
    }
    if (!number_opt(o, "version", opt_version, UINT8_MAX, &version) ||
        !number_opt(o, "header-length", opt_header_length, UINT16_MAX, &header_length) ||
        !number_opt(o, "seq", opt_seq, UINT32_MAX, &h->sequence) ||
        !number_opt(o, "output-length", opt_output_length, UINT32_MAX, &h->output_length))
        return false;
    h->version = (uint8_t)version;
    h->header_length = (uint16_t)header_length;
    return true;
}

/* The request data from --data or --hex; NULL after a message. */
static GByteArray *build_data(rt_output *o, int *code)
{
    char *err = NULL;
    GByteArray *data = NULL;
    *code = RT_EXIT_USAGE;
    if (opt_data && opt_hex)
        err = g_strdup("raw: give --data or --hex, not both");
    else if (opt_hex)
        data = input_hex(opt_hex, &err);
    else
        data = opt_data ? input_bytes(opt_data, &err, code) : g_byte_array_new();
    if (err) {
        out_error(o, "%s", err);
        g_free(err);
        return NULL;
    }
    return data;
}

/* Header, HeaderLength-24 zero bytes (bounded), data: the bytes to send. */
static GByteArray *wire_bytes(const rio_header *h, const GByteArray *data)
{
    uint8_t fixed[RIO_HEADER_SIZE];
    rio_header_encode(h, fixed);
    if (opt_signature)
        memcpy(fixed + RIO_OFF_SIGNATURE, opt_signature, RIO_SIGNATURE_SIZE);
    GByteArray *wire = g_byte_array_append(g_byte_array_new(), fixed, sizeof fixed);
    uint32_t pad = MIN(h->header_length, RIO_HEADER_LENGTH_MAX);
    pad = pad > RIO_HEADER_SIZE ? pad - RIO_HEADER_SIZE : 0;
    g_byte_array_set_size(wire, wire->len + pad);
    memset(wire->data + RIO_HEADER_SIZE, 0, pad);
    return g_byte_array_append(wire, data->data, data->len);
}

static void show_response(rt_output *o, const rio_response *resp, uint32_t ioctl)
{
    const rio_header *h = &resp->header;
    char major[32];
    out_u32(o, "Version", h->version);
    out_named(o, "MajorFunction", h->major, out_major_name(h->major, major, sizeof major));
    out_u32(o, "HeaderLength", h->header_length);
    out_u32(o, "Sequence", h->sequence);
    out_named_hex(o, "Status", h->status, rio_status_name(h->status));
    out_u32(o, "Information", h->information);
    out_u32(o, "ResponseDataLength", h->data_length);
    if (h->major == RIO_MJ_DEVICE_CONTROL)
        decode_ioctl_output(o, ioctl, resp->data, h->data_length);
    else if (h->data_length > 0)
        out_bytes(o, "Data", resp->data, h->data_length, true);
}

/* The answers after which the server hangs up (docs/PROTOCOL.md). */
static bool answer_closes(const rio_header *request, uint32_t status)
{
    return status == RIO_STATUS_REVISION_MISMATCH || status == RIO_STATUS_INVALID_BUFFER_SIZE ||
           (request->major == RIO_MJ_CREATE &&
            (status == RIO_STATUS_SHARING_VIOLATION || status == RIO_STATUS_DEVICE_BUSY));
}

typedef struct raw_job {
    rt_output *o;
    rio_header header;
    GByteArray *data;
} raw_job;

static int raw_body(rt_conn *c, void *ctx)
{
    raw_job *job = ctx;
    rt_txn t = {.label = "raw request", .expect = RIO_STATUS_SUCCESS, .request_bytes = job->data->len,
                .request = job->header};
    if (!opt_seq)
        t.request.sequence = rio_client_sequence(c->client);
    GByteArray *wire = wire_bytes(&t.request, job->data);
    rio_response resp;
    int code = conn_call_raw(c, wire->data, wire->len, &t, &resp);
    g_byte_array_free(wire, TRUE);
    out_str(job->o, "Outcome", t.result == RIO_CLIENT_OK ? "answered" : out_result_token(t.result));
    if (t.result != RIO_CLIENT_OK)
        return code;
    show_response(job->o, &resp, t.request.ioctl);
    /* An answer the server must hang up after: see that it does, rather
     * than learn it from a failing CLOSE. */
    if (answer_closes(&t.request, resp.header.status) && conn_await_close(c) == RIO_CLIENT_TIMEOUT)
        out_error(job->o, "raw: the server kept the connection open after %s",
                  rio_status_name(resp.header.status));
    return code;
}

static int run_raw(const rt_globals *g, rt_output *o, char **args, int nargs)
{
    (void)args, (void)nargs;
    raw_job job = {.o = o};
    int code;
    /* Everything is checked before connecting: a usage error sends nothing. */
    if (!build_header(o, 0, &job.header))
        return RT_EXIT_USAGE;
    job.data = build_data(o, &code);
    if (!job.data)
        return code;
    job.header.data_length = job.data->len;
    if (!number_opt(o, "data-length", opt_data_length, UINT32_MAX, &job.header.data_length)) {
        g_byte_array_free(job.data, TRUE);
        return RT_EXIT_USAGE;
    }
    rt_globals local = *g;
    if (opt_no_create)
        local.misbehave = RT_MB_NO_CREATE;
    rt_conn c;
    code = conn_open(&c, &local, o);
    if (code == RT_EXIT_OK) {
        code = conn_close(&c, raw_body(&c, &job));
        /* How the connection ended: "ok" when nothing broke it. */
        out_str(o, "Connection", c.broken ? out_result_token(c.last_result) : "ok");
    } else {
        code = conn_close(&c, code);
    }
    g_byte_array_free(job.data, TRUE);
    return code;
}

const rt_command rt_raw_command = {
    "raw", "", "Send one hand-made request (for testing servers)",
    "After CREATE (unless --no-create), sends the request exactly as described, even when it\n"
    "breaks the protocol, then shows the decoded response (Outcome: answered) or what the\n"
    "server did instead (Outcome: closed, reset, timeout, protocol-error).  After an answer\n"
    "the server must hang up after (STATUS_REVISION_MISMATCH, STATUS_INVALID_BUFFER_SIZE, a\n"
    "refused CREATE) it waits for that close; otherwise it sends CLOSE.  Connection: ok, or\n"
    "how the connection ended (closed, reset, ...).  Exit status 1 for a failed status, 3\n"
    "when the connection broke unexpectedly.  A --data-length larger than the data leaves\n"
    "the server waiting for the rest: expect Outcome: timeout.",
    raw_entries, 0, 0, run_raw,
};
