/*
 * riodev_codec.c — decode and encode the buffers a description lays out.
 *
 * Decoding never reads outside the buffer: a field is reported only when
 * all its bytes are there.  The text forms are pyrio/devdesc.py's, byte
 * for byte (devices/tests compares them).
 */
#include <string.h>

#include "riodev.h"

bool riodev__parse_int(const char *s, uint64_t *mag, bool *neg);
bool riodev__fit_int(riodev_type t, uint64_t mag, bool neg, uint64_t *bits);
char *riodev__snake_case(const char *name);

static bool is_int(riodev_type t)
{
    return t <= RIODEV_I64;
}
static bool is_signed(riodev_type t)
{
    return t >= RIODEV_I8 && t <= RIODEV_I64;
}

static uint64_t get_le(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;)
        v = (v << 8) | p[i];
    return v;
}

static void put_le(uint8_t *p, size_t n, uint64_t v)
{
    for (size_t i = 0; i < n; i++, v >>= 8)
        p[i] = (uint8_t)v;
}

static uint64_t sign_extend(uint64_t v, size_t n)
{
    unsigned bits = 8 * (unsigned)n;
    if (bits < 64 && (v >> (bits - 1)) & 1)
        v |= UINT64_MAX << bits;
    return v;
}

static bool in_range(const riodev_field *f, uint64_t v)
{
    if (!f->has_range)
        return true;
    if (is_signed(f->type))
        return (int64_t)v >= (int64_t)f->range_lo && (int64_t)v <= (int64_t)f->range_hi;
    return v >= f->range_lo && v <= f->range_hi;
}

size_t riodev_decode(const riodev_struct *s, const uint8_t *buf, size_t len, riodev_field_cb cb,
                     void *user)
{
    size_t done = 0;
    for (size_t i = 0; i < s->field_count; i++) {
        const riodev_field *f = &s->fields[i];
        if (f->offset > len || (!f->variable && f->size > len - f->offset))
            break; /* a short buffer: the fields that are there, then stop */
        /* buf may be NULL with len 0 (a struct of one variable-length field) */
        const uint8_t *data = buf ? buf + f->offset : NULL;
        riodev_value v = {.field = f, .offset = f->offset, .data = data, .in_range = true};
        v.size = f->variable ? len - f->offset : f->size;
        if (is_int(f->type)) {
            v.u = get_le(v.data, f->size);
            if (is_signed(f->type))
                v.u = sign_extend(v.u, f->size);
            v.in_range = in_range(f, v.u);
            if (f->names && !f->names->is_flags) {
                v.enum_name = riodev_names_lookup(f->names, v.u);
            } else if (f->names) {
                uint64_t known = 0;
                for (size_t j = 0; j < f->names->count; j++)
                    known |= f->names->items[j].value;
                v.unknown_bits = v.u & ~known;
            }
        }
        done = f->offset + v.size;
        if (!cb(&v, user))
            break;
    }
    return done;
}

/* An integer in the field's base: decimal, or 0x with two digits a byte. */
static void append_int(GString *s, const riodev_field *f, uint64_t v)
{
    if (f->base == RIODEV_HEX) {
        if (f->size < 8)
            v &= (UINT64_C(1) << (8 * f->size)) - 1;
        g_string_append_printf(s, "0x%0*" G_GINT64_MODIFIER "X", (int)(2 * f->size), v);
    } else if (is_signed(f->type)) {
        g_string_append_printf(s, "%" G_GINT64_FORMAT, (gint64)(int64_t)v);
    } else {
        g_string_append_printf(s, "%" G_GUINT64_FORMAT, (guint64)v);
    }
}

char *riodev_value_text(const riodev_value *value)
{
    const riodev_field *f = value->field;
    GString *s = g_string_new(NULL);
    if (is_int(f->type) && f->names && !f->names->is_flags) {
        g_string_append_printf(s, "%s (", value->enum_name ? value->enum_name : "unknown");
        append_int(s, f, value->u);
        g_string_append_c(s, ')');
    } else if (is_int(f->type) && f->names) {
        bool any = false;
        for (size_t j = 0; j < f->names->count; j++) {
            uint64_t bit = f->names->items[j].value;
            if ((value->u & bit) == bit) {
                g_string_append_printf(s, "%s%s", any ? "|" : "", f->names->items[j].name);
                any = true;
            }
        }
        if (value->unknown_bits) {
            g_string_append_printf(s, "%s0x%" G_GINT64_MODIFIER "X", any ? "|" : "",
                                   value->unknown_bits);
            any = true;
        }
        g_string_append_printf(s, "%s (", any ? "" : "none");
        append_int(s, f, value->u);
        g_string_append_c(s, ')');
    } else if (is_int(f->type)) {
        append_int(s, f, value->u);
    } else if (f->type == RIODEV_CHAR) {
        g_string_append_c(s, '"');
        for (size_t i = 0; i < value->size && value->data[i]; i++) {
            uint8_t c = value->data[i];
            if (c == '"' || c == '\\')
                g_string_append_printf(s, "\\%c", c);
            else if (c >= 0x20 && c < 0x7F)
                g_string_append_c(s, (char)c);
            else
                g_string_append_printf(s, "\\x%02x", c);
        }
        g_string_append_c(s, '"');
    } else {
        for (size_t i = 0; i < value->size; i++)
            g_string_append_printf(s, "%02x", value->data[i]);
    }
    return g_string_free(s, FALSE);
}

/* ---- Encoding ------------------------------------------------------------ */

static bool enc_fail(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static bool enc_fail(GError **error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error_literal(error, RIODEV_ERROR, RIODEV_ERROR_ENCODE, msg);
    g_free(msg);
    return false;
}

/* A field by its name (any case) or by its snake_case filter part. */
static const riodev_field *field_named(const riodev_struct *s, const char *name)
{
    for (size_t i = 0; i < s->field_count; i++) {
        const riodev_field *f = &s->fields[i];
        char *snake = riodev__snake_case(f->name);
        bool hit = !g_ascii_strcasecmp(f->name, name) || !strcmp(snake, name) ||
                   (f->filter && !strcmp(strrchr(f->filter, '.') + 1, name));
        g_free(snake);
        if (hit)
            return f;
    }
    return NULL;
}

/* A value name of the group: NAME, or GROUP_NAME, any case. */
static bool names_value(const riodev_names *n, const char *word, uint64_t *out)
{
    size_t gl = strlen(n->name);
    for (size_t i = 0; i < n->count; i++) {
        const char *name = n->items[i].name;
        if (!g_ascii_strcasecmp(word, name) ||
            (!g_ascii_strncasecmp(word, n->name, gl) && word[gl] == '_' &&
             !g_ascii_strcasecmp(word + gl + 1, name))) {
            *out = n->items[i].value;
            return true;
        }
    }
    return false;
}

static bool encode_int(const riodev_field *f, const char *text, unsigned flags, uint64_t *bits,
                       GError **error)
{
    const riodev_names *n = f->names;
    /* Flags: names and numbers joined by '|'; otherwise one word. */
    char **words = g_strsplit(text, "|", n && n->is_flags ? -1 : 1);
    bool ok = true;
    *bits = 0;
    for (char **w = words; ok && *w; w++) {
        g_strstrip(*w);
        uint64_t mag, b = 0;
        bool neg;
        if (n && names_value(n, *w, &b)) {
            /* a named value */
        } else if (!riodev__parse_int(*w, &mag, &neg)) {
            ok = enc_fail(error, "%s=%s: '%s' is not a number%s%s", f->name, text, *w,
                          n ? (n->is_flags ? " or a flag of " : " or a value of ") : "",
                          n ? n->name : "");
        } else if (!riodev__fit_int(f->type, mag, neg, &b)) {
            ok =
                enc_fail(error, "%s=%s: does not fit %s", f->name, text, riodev_type_name(f->type));
        }
        *bits |= b;
    }
    g_strfreev(words);
    if (ok && !(flags & RIODEV_ENCODE_UNCHECKED) && !in_range(f, *bits)) {
        GString *r = g_string_new(NULL);
        if (is_signed(f->type))
            g_string_printf(r, "%" G_GINT64_FORMAT "..%" G_GINT64_FORMAT,
                            (gint64)(int64_t)f->range_lo, (gint64)(int64_t)f->range_hi);
        else
            g_string_printf(r, "%" G_GUINT64_FORMAT "..%" G_GUINT64_FORMAT, (guint64)f->range_lo,
                            (guint64)f->range_hi);
        ok = enc_fail(error, "%s=%s: outside %s", f->name, text, r->str);
        g_string_free(r, TRUE);
    }
    return ok;
}

/* Hex bytes, ' ' or ':' allowed between them. */
static GByteArray *parse_hex(const char *text)
{
    GByteArray *b = g_byte_array_new();
    int hi = -1;
    for (const char *p = text; *p; p++) {
        if ((*p == ' ' || *p == ':') && hi < 0)
            continue;
        int d = g_ascii_xdigit_value(*p);
        if (d < 0) {
            g_byte_array_unref(b);
            return NULL;
        }
        if (hi < 0) {
            hi = d;
        } else {
            uint8_t byte = (uint8_t)(hi << 4 | d);
            g_byte_array_append(b, &byte, 1);
            hi = -1;
        }
    }
    if (hi >= 0) {
        g_byte_array_unref(b);
        return NULL;
    }
    return b;
}

bool riodev_encode(const riodev_struct *s, const char *const *assignments, unsigned flags,
                   GByteArray *out, GError **error)
{
    uint8_t *buf = g_malloc0(s->size);
    GByteArray *tail = NULL;
    const char **given = g_new0(const char *, s->field_count);
    bool ok = true;
    for (const char *const *a = assignments; ok && a && *a; a++) {
        const char *eq = strchr(*a, '=');
        if (!eq) {
            ok = enc_fail(error, "'%s' is not Field=value", *a);
            break;
        }
        char *name = g_strstrip(g_strndup(*a, eq - *a));
        const char *text = eq + 1;
        const riodev_field *f = field_named(s, name);
        if (!f) {
            GString *known = g_string_new(NULL);
            for (size_t i = 0; i < s->field_count; i++)
                if (s->fields[i].type != RIODEV_PAD)
                    g_string_append_printf(known, "%s%s", known->len ? ", " : "",
                                           s->fields[i].name);
            ok = enc_fail(error, "%s has no field %s (fields: %s)", s->name, name, known->str);
            g_string_free(known, TRUE);
        } else if (f->type == RIODEV_PAD) {
            ok = enc_fail(error, "%s is padding, always zero", f->name);
        } else if (given[f - s->fields]) {
            ok = enc_fail(error, "%s is assigned twice", f->name);
        } else if (is_int(f->type)) {
            uint64_t bits;
            ok = encode_int(f, text, flags, &bits, error);
            if (ok)
                put_le(buf + f->offset, f->size, bits);
        } else {
            GByteArray *b;
            if (f->type == RIODEV_CHAR) {
                b = g_byte_array_new();
                g_byte_array_append(b, (const guint8 *)text, (guint)strlen(text));
            } else {
                b = parse_hex(text);
            }
            if (!b)
                ok = enc_fail(error, "%s=%s: not hex bytes", f->name, text);
            else if (!f->variable && b->len > f->size)
                ok = enc_fail(error, "%s: %u bytes, the field holds %zu", f->name, b->len, f->size);
            else if (f->variable)
                tail = g_byte_array_ref(b);
            else
                memcpy(buf + f->offset, b->data, b->len);
            if (b)
                g_byte_array_unref(b);
        }
        if (f)
            given[f - s->fields] = *a;
        g_free(name);
    }
    if (ok) {
        g_byte_array_append(out, buf, (guint)s->size);
        if (tail)
            g_byte_array_append(out, tail->data, tail->len);
    }
    if (tail)
        g_byte_array_unref(tail);
    g_free(given);
    g_free(buf);
    return ok;
}
