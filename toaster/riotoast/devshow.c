/* devshow.c — device descriptions in riotoast (see devshow.h). */
#include <string.h>

#include "devshow.h"
#include "jsonw.h"

/* Each line of a (possibly multi-line) riodev message as its own error. */
static void report(rt_output *o, const GError *err)
{
    char **lines = g_strsplit(err->message, "\n", -1);
    for (char **l = lines; *l; l++)
        if (**l)
            out_error(o, "%s", *l);
    g_strfreev(lines);
}

riodev_set *devshow_load(rt_output *o, char *const *extra)
{
    GError *err = NULL;
    riodev_set *set = riodev_load_default(&err);
    for (char *const *p = extra; set && p && *p; p++) {
        bool ok = g_file_test(*p, G_FILE_TEST_IS_DIR) ? riodev_set_add_dir(set, *p, &err)
                                                      : riodev_set_add_file(set, *p, &err);
        if (!ok) {
            riodev_free(set);
            set = NULL;
        }
    }
    if (!set) {
        report(o, err);
        g_error_free(err);
    }
    return set;
}

static bool is_signed(riodev_type t)
{
    return t == RIODEV_I8 || t == RIODEV_I16 || t == RIODEV_I32 || t == RIODEV_I64;
}

static bool is_integer(riodev_type t)
{
    return t <= RIODEV_I64;
}

/* The name part of an enum or flags value: riodev_value_text's wording
 * ("CTS|DSR (0x30)", "none (0)") without the number. */
static void json_value_name(GString *j, const char *key, const riodev_value *v)
{
    char *name_key = g_strconcat(key, "_name", NULL);
    if (!v->field->names->is_flags) {
        json_str(j, name_key, v->enum_name);
    } else {
        char *text = riodev_value_text(v);
        char *paren = g_strrstr(text, " (");
        if (paren)
            *paren = '\0';
        json_str_ascii(j, name_key, text);
        g_free(text);
    }
    g_free(name_key);
}

static void json_field(GString *j, const riodev_value *v)
{
    const riodev_field *f = v->field;
    if (is_integer(f->type)) {
        if (is_signed(f->type))
            json_int(j, f->name, (int64_t)v->u);
        else
            json_uint(j, f->name, v->u);
        if (f->names)
            json_value_name(j, f->name, v);
    } else if (f->type == RIODEV_CHAR) {
        /* NUL-padded text: up to the first NUL, any byte kept as \u00XX. */
        const char *text = (const char *)v->data;
        json_key(j, f->name);
        json_string_ascii(j, text, strnlen(text, v->size));
    } else {
        char *hex = riodev_value_text(v);
        json_str(j, f->name, hex);
        g_free(hex);
    }
}

static bool show_field(const riodev_value *v, void *user)
{
    rt_output *o = user;
    if (v->field->type == RIODEV_PAD)
        return true;
    GString *j = out_json_result(o);
    if (j) {
        json_field(j, v);
    } else {
        char *text = riodev_value_text(v);
        out_str(o, v->field->name, text);
        g_free(text);
    }
    return true;
}

void devshow_struct(rt_output *o, const riodev_struct *s, const uint8_t *buf, size_t len)
{
    size_t covered = riodev_decode(s, buf, len, show_field, o);
    if (covered < len && out_is_json(o)) {
        out_bytes(o, "Extra", buf + covered, len - covered, false);
    } else if (covered < len) {
        GString *hex = g_string_new(NULL);
        for (size_t i = covered; i < len; i++)
            g_string_append_printf(hex, "%02x", buf[i]);
        out_str(o, "Extra", hex->str);
        g_string_free(hex, TRUE);
    }
    if (len < s->size)
        out_line(o, "(%zu bytes: %s has %zu%s)", len, s->name, s->size,
                 s->variable ? " or more" : "");
}

void devshow_output(rt_output *o, const riodev_set *set, uint32_t code, const uint8_t *buf,
                    size_t len)
{
    const riodev_ioctl *io = set ? riodev_find_ioctl(set, code) : NULL;
    if (io && io->output)
        devshow_struct(o, io->output, buf, len);
    else if (len > 0)
        out_bytes(o, "Data", buf, len, true);
}
