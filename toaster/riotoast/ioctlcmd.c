/* ioctlcmd.c — `riotoast ioctl NAME [Field=value ...]`: any IOCTL a device
 * description names, its input built from named field values and its
 * output decoded into named fields, all from the description (devshow.h). */
#include <string.h>

#include "argbytes.h"
#include "devshow.h"
#include "jsonw.h"
#include "toastcmds.h"
#include "toastconn.h"

static gchar **opt_devices;
static gchar *opt_output_length, *opt_hex, *opt_expect;
static gboolean opt_unchecked, opt_list;

static const GOptionEntry ioctl_entries[] = {
    {"devices", 'D', 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_devices,
     "Also load this description, or every *" RIODEV_SUFFIX " of this directory (repeatable)",
     "FILE|DIR"},
    {"output-length", 'o', 0, G_OPTION_ARG_STRING, &opt_output_length,
     "OutputLength (default: the size of the output structure, 0 without one)", "N"},
    {"hex", 0, 0, G_OPTION_ARG_STRING, &opt_hex,
     "The input as hex digits instead of Field=value (any length: a wrong size too)", "HEX"},
    {"unchecked", 0, 0, G_OPTION_ARG_NONE, &opt_unchecked,
     "Send values outside a field's range= as given (to see the device refuse them)", NULL},
    {"expect", 'e', 0, G_OPTION_ARG_STRING, &opt_expect,
     "The status that counts as success, e.g. STATUS_INVALID_PARAMETER (default STATUS_SUCCESS)",
     "STATUS"},
    {"list", 'l', 0, G_OPTION_ARG_NONE, &opt_list,
     "List the described IOCTLs and exit (nothing is sent)", NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

/* ---- --list ---------------------------------------------------------------- */

/* "BaudRate:u32, ..." or "none". */
static char *struct_summary(const riodev_struct *s)
{
    if (!s)
        return g_strdup("none");
    GString *g = g_string_new(s->name);
    g_string_append(g, " (");
    for (size_t i = 0; i < s->field_count; i++) {
        const riodev_field *f = &s->fields[i];
        g_string_append_printf(g, "%s%s:%s", i ? " " : "", f->name, riodev_type_name(f->type));
        if (f->type == RIODEV_CHAR || f->type == RIODEV_BYTES || f->type == RIODEV_PAD) {
            if (f->variable)
                g_string_append(g, "[]");
            else
                g_string_append_printf(g, "[%zu]", f->size);
        }
    }
    g_string_append_c(g, ')');
    return g_string_free(g, FALSE);
}

static void list_ioctls(rt_output *o, const riodev_set *set)
{
    GString *j = out_json_result(o);
    if (j)
        json_open(j, "ioctls", '[');
    for (size_t d = 0; d < riodev_device_count(set); d++) {
        const riodev_device *dev = riodev_device_at(set, d);
        for (size_t i = 0; i < dev->ioctl_count; i++) {
            const riodev_ioctl *io = &dev->ioctls[i];
            char *in = struct_summary(io->input), *out = struct_summary(io->output);
            if (j) {
                json_open(j, NULL, '{');
                json_str(j, "device", dev->name);
                json_str(j, "name", io->name);
                json_str(j, "short_name", io->short_name);
                json_uint(j, "code", io->code);
                json_str(j, "input", io->input ? io->input->name : NULL);
                json_str(j, "output", io->output ? io->output->name : NULL);
                json_close(j, '{');
            } else {
                out_line(o, "%s.%s  0x%08X  %s\n    in: %s\n    out: %s", dev->name, io->short_name,
                         io->code, io->name, in, out);
            }
            g_free(in);
            g_free(out);
        }
    }
    if (j)
        json_close(j, '[');
}

/* ---- one IOCTL ------------------------------------------------------------- */

typedef struct ioctl_job {
    const riodev_set *set;
    rt_request rq;
    const char *name;
    char label[64]; /* the name of an undescribed code */
} ioctl_job;

static int ioctl_body(rt_conn *c, void *ctx)
{
    ioctl_job *job = ctx;
    rio_response resp;
    int code = conn_call(c, &job->rq, &resp);
    if (code == RT_EXIT_CONNECTION)
        return code;
    out_str(c->out, "Status",
            rio_status_name(resp.header.status) ? rio_status_name(resp.header.status) : "unknown");
    if (out_is_json(c->out)) {
        out_u32(c->out, "Information", resp.header.information);
        out_u32(c->out, "OutputBytes", resp.header.data_length);
    }
    /* A failed status without data has no output to show. */
    if (resp.header.status == RIO_STATUS_SUCCESS || resp.header.data_length > 0)
        devshow_output(c->out, job->set, job->rq.ioctl, resp.data, resp.header.data_length);
    return code;
}

/* The IOCTL named on the command line: a description's name, or a number
 * (described or not: *io may then be NULL).  False after a message. */
static bool find_ioctl(rt_output *o, const riodev_set *set, const char *name,
                       const riodev_ioctl **io, uint32_t *code)
{
    if (input_u32(name, code)) {
        *io = riodev_find_ioctl(set, *code);
        return true;
    }
    GError *err = NULL;
    *io = riodev_find_ioctl_by_name(set, name, &err);
    if (!*io) {
        out_error(o, "ioctl: %s (riotoast ioctl --list shows the described ones)", err->message);
        g_error_free(err);
        return false;
    }
    *code = (*io)->code;
    return true;
}

/* The input bytes: --hex, or the Field=value words encoded by the input
 * structure.  NULL after a message (a usage error). */
static GByteArray *build_input(rt_output *o, const riodev_ioctl *io, const char *label,
                               char **words, int n)
{
    char *err = NULL;
    if (opt_hex && n > 0) {
        out_error(o, "ioctl: give --hex or Field=value, not both");
        return NULL;
    }
    if (opt_hex) {
        GByteArray *bytes = input_hex(opt_hex, &err);
        if (!bytes) {
            out_error(o, "ioctl: --hex: %s", err);
            g_free(err);
        }
        return bytes;
    }
    GByteArray *bytes = g_byte_array_new();
    if (!io || !io->input) {
        if (n == 0)
            return bytes;
        out_error(o, "ioctl: %s takes no input (\"%s\" given; --hex sends bytes anyway)", label,
                  words[0]);
        g_byte_array_free(bytes, TRUE);
        return NULL;
    }
    GError *gerr = NULL;
    if (!riodev_encode(io->input, (const char *const *)words,
                       opt_unchecked ? RIODEV_ENCODE_UNCHECKED : 0, bytes, &gerr)) {
        out_error(o, "ioctl: %s: %s", label, gerr->message);
        g_error_free(gerr);
        g_byte_array_free(bytes, TRUE);
        return NULL;
    }
    return bytes;
}

/* Everything but the connection: false after a usage message. */
static bool build_request(rt_output *o, const riodev_ioctl *io, char **args, int nargs,
                          ioctl_job *job, GByteArray **input)
{
    job->name = io ? io->name : rio_ioctl_str(job->rq.ioctl, job->label, sizeof job->label);
    uint32_t out_len = 0;
    if (io && io->output)
        out_len = io->output->variable ? RT_DEFAULT_VARIABLE_OUTPUT : (uint32_t)io->output->size;
    if (opt_output_length && !input_u32(opt_output_length, &out_len)) {
        out_error(o, "ioctl: --output-length: \"%s\" is not a number 0..%u", opt_output_length,
                  UINT32_MAX);
        return false;
    }
    uint32_t expect = RIO_STATUS_SUCCESS;
    if (opt_expect && !rio_status_parse(opt_expect, &expect)) {
        out_error(o, "ioctl: --expect: unknown status \"%s\"", opt_expect);
        return false;
    }
    *input = build_input(o, io, job->name, args + 1, nargs - 1);
    if (!*input)
        return false;
    job->rq = rt_ioctl(job->rq.ioctl, (*input)->data, (*input)->len, out_len);
    job->rq.expect = expect;
    job->rq.label = io ? io->name : NULL;
    return true;
}

static int run_ioctl(const rt_globals *g, rt_output *o, char **args, int nargs)
{
    if (!opt_list && nargs == 0) {
        out_error(o, "ioctl: give an IOCTL name (riotoast ioctl --list shows them)");
        return RT_EXIT_USAGE;
    }
    riodev_set *set = devshow_load(o, opt_devices);
    if (!set)
        return RT_EXIT_LOCAL;
    int code = RT_EXIT_USAGE;
    ioctl_job job = {.set = set};
    const riodev_ioctl *io = NULL;
    GByteArray *input = NULL;
    if (opt_list) {
        list_ioctls(o, set);
        code = RT_EXIT_OK;
    } else if (find_ioctl(o, set, args[0], &io, &job.rq.ioctl) &&
               build_request(o, io, args, nargs, &job, &input)) {
        code = conn_run(g, o, ioctl_body, &job);
    }
    if (input)
        g_byte_array_free(input, TRUE);
    riodev_free(set);
    return code;
}

const rt_command rt_ioctl_command = {
    "ioctl",
    "NAME [F=V...]",
    "Send any described IOCTL, fields by name, and decode its answer",
    "F=V is Field=value.  NAME is an IOCTL of a device description (devices/*" RIODEV_SUFFIX
    ", $" RIODEV_PATH_ENV ", --devices):\n"
    "its full name (IOCTL_SERIAL_SET_BAUD_RATE), short name (SET_BAUD_RATE) or DEVICE.SHORT\n"
    "(serial.SET_BAUD_RATE), in any case; or a number, described or not.  Each Field=value\n"
    "sets a field of the input structure (unset fields are zero): a number, an enum name, flag\n"
    "names joined by |, text, or hex bytes.  The answer's output buffer is shown field by\n"
    "field, with enum and flag names; an undescribed one as a hex dump.\n"
    "A bad field name or value is a usage error (exit 4) and sends nothing.",
    ioctl_entries,
    0,
    G_MAXINT,
    run_ioctl,
};
