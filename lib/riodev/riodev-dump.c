/*
 * riodev-dump — load device descriptions with libriodev and print them.
 *
 *   riodev-dump check PATH...                 load; one line per error
 *   riodev-dump each FILE...                  load each alone: a line of its JSON
 *                                             dump, or its error
 *   riodev-dump dump PATH...                  the canonical JSON of the set
 *   riodev-dump decode PATH DEV.STRUCT HEX... each buffer's fields, a JSON line each
 *   riodev-dump encode [--unchecked] PATH DEV.STRUCT FIELD=VALUE...
 *                                             the bytes as hex
 *
 * PATH is a description file or a directory of them.  The JSON is what
 * pyrio/devdesc.py's dump_set()/decode_json() produce, so the tests can
 * hold the C library and the Python parser to one reading of every file.
 *
 * Exit status: 0 done, 1 a description is bad, 2 usage, 3 a bad value to
 * decode or encode.
 */
#include <stdio.h>
#include <string.h>

#include "jsonw.h"
#include "riodev.h"

enum { EXIT_BAD_DESCRIPTION = 1, EXIT_USAGE = 2, EXIT_BAD_VALUE = 3 };

static int usage(void)
{
    fputs("usage: riodev-dump check|dump PATH...\n"
          "       riodev-dump each FILE...\n"
          "       riodev-dump decode PATH DEVICE.STRUCT HEX...\n"
          "       riodev-dump encode [--unchecked] PATH DEVICE.STRUCT FIELD=VALUE...\n",
          stderr);
    return EXIT_USAGE;
}

static riodev_set *load(char **paths, int n)
{
    riodev_set *set = riodev_set_new();
    bool ok = true;
    for (int i = 0; i < n; i++) {
        GError *err = NULL;
        bool dir = g_file_test(paths[i], G_FILE_TEST_IS_DIR);
        if (!(dir ? riodev_set_add_dir(set, paths[i], &err)
                  : riodev_set_add_file(set, paths[i], &err))) {
            fprintf(stderr, "%s\n", err->message);
            g_error_free(err);
            ok = false;
        }
    }
    if (!ok) {
        riodev_free(set);
        return NULL;
    }
    return set;
}

static void dump_names(GString *g, const riodev_names *n)
{
    json_open(g, NULL, '{');
    json_str(g, "name", n->name);
    json_str(g, "kind", n->is_flags ? "flags" : "enum");
    json_open(g, "values", '[');
    for (size_t i = 0; i < n->count; i++) {
        json_open(g, NULL, '[');
        json_str(g, NULL, n->items[i].name);
        json_uint(g, NULL, n->items[i].value);
        json_close(g, '[');
    }
    json_close(g, '[');
    json_close(g, '{');
}

static void dump_field(GString *g, const riodev_field *f)
{
    json_open(g, NULL, '{');
    json_str(g, "name", f->name);
    json_str(g, "filter", f->filter);
    json_str(g, "type", riodev_type_name(f->type));
    json_uint(g, "offset", f->offset);
    json_uint(g, "size", f->size);
    json_bool(g, "variable", f->variable);
    json_str(g, "base", f->base == RIODEV_HEX ? "hex" : "dec");
    json_str(g, "names", f->names ? f->names->name : NULL);
    if (f->has_range) {
        json_open(g, "range", '[');
        bool sgn = f->type >= RIODEV_I8 && f->type <= RIODEV_I64;
        for (int i = 0; i < 2; i++) {
            uint64_t v = i ? f->range_hi : f->range_lo;
            if (sgn)
                json_int(g, NULL, (int64_t)v);
            else
                json_uint(g, NULL, v);
        }
        json_close(g, '[');
    } else {
        json_null(g, "range");
    }
    json_close(g, '{');
}

static void dump_device(GString *g, const riodev_device *d)
{
    json_open(g, NULL, '{');
    json_str(g, "name", d->name);
    json_uint(g, "device_type", d->device_type);
    json_str(g, "description", d->description);
    json_str(g, "read_data", d->read_data == RIODEV_DATA_TEXT ? "text" : "bytes");
    json_str(g, "write_data", d->write_data == RIODEV_DATA_TEXT ? "text" : "bytes");
    json_open(g, "ioctls", '[');
    for (size_t i = 0; i < d->ioctl_count; i++) {
        const riodev_ioctl *io = &d->ioctls[i];
        json_open(g, NULL, '{');
        json_str(g, "name", io->name);
        json_str(g, "short_name", io->short_name);
        json_str(g, "description", io->description);
        json_uint(g, "code", io->code);
        json_uint(g, "function", io->function);
        json_str(g, "method", riodev_method_name(io->method));
        json_str(g, "access", riodev_access_name(io->access));
        json_str(g, "input", io->input ? io->input->name : NULL);
        json_str(g, "output", io->output ? io->output->name : NULL);
        json_bool(g, "output_fixed", io->output_fixed);
        json_bool(g, "input_exact", io->input_exact);
        json_bool(g, "may_pend", io->may_pend);
        json_close(g, '{');
    }
    json_close(g, '[');
    json_open(g, "structs", '[');
    for (size_t i = 0; i < d->struct_count; i++) {
        const riodev_struct *s = &d->structs[i];
        json_open(g, NULL, '{');
        json_str(g, "name", s->name);
        json_str(g, "description", s->description);
        json_uint(g, "size", s->size);
        json_bool(g, "variable", s->variable);
        json_open(g, "fields", '[');
        for (size_t j = 0; j < s->field_count; j++)
            dump_field(g, &s->fields[j]);
        json_close(g, '[');
        json_close(g, '{');
    }
    json_close(g, '[');
    json_open(g, "names", '[');
    for (size_t i = 0; i < d->names_count; i++)
        dump_names(g, &d->names[i]);
    json_close(g, '[');
    json_open(g, "filters", '[');
    for (size_t i = 0; i < d->filter_count; i++)
        json_str(g, NULL, d->filters[i]->filter);
    json_close(g, '[');
    json_close(g, '{');
}

static const riodev_struct *struct_arg(const riodev_set *set, const char *arg)
{
    const char *dot = strchr(arg, '.');
    char *dev_name = dot ? g_strndup(arg, dot - arg) : NULL;
    const riodev_device *d = dev_name ? riodev_find_device(set, dev_name) : NULL;
    const riodev_struct *s = d ? riodev_find_struct(d, dot + 1) : NULL;
    if (!s)
        fprintf(stderr, "riodev-dump: no struct %s (DEVICE.STRUCT)\n", arg);
    g_free(dev_name);
    return s;
}

static bool decode_one(const riodev_value *v, void *user)
{
    GString *g = user;
    json_open(g, NULL, '{');
    json_str(g, "name", v->field->name);
    json_uint(g, "offset", v->offset);
    json_uint(g, "size", v->size);
    char *text = riodev_value_text(v);
    json_str(g, "text", text);
    g_free(text);
    json_bool(g, "in_range", v->in_range);
    json_close(g, '{');
    return true;
}

static int decode_hex(const riodev_struct *s, const char *hex)
{
    size_t n = strlen(hex);
    if (n % 2) {
        fprintf(stderr, "riodev-dump: odd number of hex digits\n");
        return EXIT_BAD_VALUE;
    }
    /* Exactly n / 2 bytes (not one more), so ASan sees any overread. */
    uint8_t *buf = g_malloc(n / 2 ? n / 2 : 1);
    for (size_t i = 0; i < n / 2; i++) {
        int hi = g_ascii_xdigit_value(hex[2 * i]), lo = g_ascii_xdigit_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            fprintf(stderr, "riodev-dump: '%s' is not hex\n", hex);
            g_free(buf);
            return EXIT_BAD_VALUE;
        }
        buf[i] = (uint8_t)(hi << 4 | lo);
    }
    GString *g = g_string_new("{");
    json_open(g, "fields", '[');
    size_t used = riodev_decode(s, buf, n / 2, decode_one, g);
    json_close(g, '[');
    json_uint(g, "used", used);
    g_string_append_c(g, '}');
    puts(g->str);
    g_string_free(g, TRUE);
    g_free(buf);
    return 0;
}

static int cmd_decode(const riodev_set *set, const char *sname, char **hex, int n)
{
    const riodev_struct *s = struct_arg(set, sname);
    int rc = s ? 0 : EXIT_BAD_VALUE;
    for (int i = 0; i < n && !rc; i++)
        rc = decode_hex(s, hex[i]);
    return rc;
}

static void dump_set(const riodev_set *set)
{
    GString *g = g_string_new("{");
    json_open(g, "devices", '[');
    for (size_t i = 0; i < riodev_device_count(set); i++)
        dump_device(g, riodev_device_at(set, i));
    json_close(g, '[');
    g_string_append_c(g, '}');
    puts(g->str);
    g_string_free(g, TRUE);
}

/* Each file in a set of its own: one line per file, its dump or its error. */
static int cmd_each(char **paths, int n)
{
    for (int i = 0; i < n; i++) {
        riodev_set *set = riodev_set_new();
        GError *err = NULL;
        if (riodev_set_add_file(set, paths[i], &err)) {
            dump_set(set);
        } else {
            printf("%s\n", err->message);
            g_error_free(err);
        }
        riodev_free(set);
    }
    return 0;
}

static int cmd_encode(const riodev_set *set, const char *sname, char **assign, unsigned flags)
{
    const riodev_struct *s = struct_arg(set, sname);
    if (!s)
        return EXIT_BAD_VALUE;
    GByteArray *out = g_byte_array_new();
    GError *err = NULL;
    int rc = 0;
    if (riodev_encode(s, (const char *const *)assign, flags, out, &err)) {
        for (guint i = 0; i < out->len; i++)
            printf("%02x", out->data[i]);
        putchar('\n');
    } else {
        fprintf(stderr, "riodev-dump: %s\n", err->message);
        g_error_free(err);
        rc = EXIT_BAD_VALUE;
    }
    g_byte_array_unref(out);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return usage();
    const char *cmd = argv[1];
    unsigned flags = 0;
    int first = 2;
    if (!strcmp(cmd, "encode") && !strcmp(argv[2], "--unchecked")) {
        flags = RIODEV_ENCODE_UNCHECKED;
        first = 3;
    }
    if (!strcmp(cmd, "each"))
        return cmd_each(argv + 2, argc - 2);
    bool many = !strcmp(cmd, "check") || !strcmp(cmd, "dump");
    if (!many && strcmp(cmd, "decode") && strcmp(cmd, "encode"))
        return usage();
    if ((!strcmp(cmd, "decode") && argc < 5) || (!strcmp(cmd, "encode") && argc < first + 2))
        return usage();
    riodev_set *set = load(argv + first, many ? argc - first : 1);
    if (!set)
        return EXIT_BAD_DESCRIPTION;
    int rc = 0;
    if (!strcmp(cmd, "check")) {
        size_t ioctls = 0;
        for (size_t i = 0; i < riodev_device_count(set); i++)
            ioctls += riodev_device_at(set, i)->ioctl_count;
        printf("%zu devices, %zu IOCTLs: ok\n", riodev_device_count(set), ioctls);
    } else if (!strcmp(cmd, "dump")) {
        dump_set(set);
    } else if (!strcmp(cmd, "decode")) {
        rc = cmd_decode(set, argv[3], argv + 4, argc - 4);
    } else {
        rc = cmd_encode(set, argv[first + 1], argv + first + 2, flags);
    }
    riodev_free(set);
    return rc;
}
