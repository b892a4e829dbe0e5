/* jsonw.c — JSON members appended to a GString (see jsonw.h). */
#include <string.h>

#include "jsonw.h"

/* ascii_only: escape DEL and every byte >= 0x80 too (see jsonw.h). */
static void escaped(GString *g, const char *s, size_t len, gboolean ascii_only)
{
    g_string_append_c(g, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            g_string_append_printf(g, "\\%c", c);
        else if (c < 0x20 || (ascii_only && c >= 0x7F))
            g_string_append_printf(g, "\\u%04x", c);
        else
            g_string_append_c(g, (char)c);
    }
    g_string_append_c(g, '"');
}

void json_string(GString *g, const char *s, size_t len)
{
    escaped(g, s, len, FALSE);
}

void json_string_ascii(GString *g, const char *s, size_t len)
{
    escaped(g, s, len, TRUE);
}

void json_sep(GString *g)
{
    /* A list starts right after '{' or '[' or in an empty buffer. */
    if (g->len > 0 && g->str[g->len - 1] != '{' && g->str[g->len - 1] != '[')
        g_string_append_c(g, ',');
}

void json_key(GString *g, const char *key)
{
    json_sep(g);
    if (key) {
        json_string(g, key, strlen(key));
        g_string_append_c(g, ':');
    }
}

void json_int(GString *g, const char *key, int64_t v)
{
    json_key(g, key);
    g_string_append_printf(g, "%" G_GINT64_FORMAT, (gint64)v);
}

void json_uint(GString *g, const char *key, uint64_t v)
{
    json_key(g, key);
    g_string_append_printf(g, "%" G_GUINT64_FORMAT, (guint64)v);
}

void json_double(GString *g, const char *key, double v, int decimals)
{
    json_key(g, key);
    g_string_append_printf(g, "%.*f", decimals, v);
}

void json_bool(GString *g, const char *key, gboolean v)
{
    json_key(g, key);
    g_string_append(g, v ? "true" : "false");
}

void json_null(GString *g, const char *key)
{
    json_key(g, key);
    g_string_append(g, "null");
}

static void str_member(GString *g, const char *key, const char *s, gboolean ascii_only)
{
    if (!s) {
        json_null(g, key);
        return;
    }
    json_key(g, key);
    escaped(g, s, strlen(s), ascii_only);
}

void json_str(GString *g, const char *key, const char *s)
{
    str_member(g, key, s, FALSE);
}

void json_str_ascii(GString *g, const char *key, const char *s)
{
    str_member(g, key, s, TRUE);
}

void json_bytes(GString *g, const char *key, const uint8_t *data, size_t len)
{
    if (g_utf8_validate((const char *)data, (gssize)len, NULL)) {
        json_key(g, key);
        json_string(g, (const char *)data, len);
    } else {
        json_null(g, key);
    }

    char *hex_key = g_strconcat(key, "_hex", NULL);
    json_key(g, hex_key);
    g_free(hex_key);
    g_string_append_c(g, '"');
    for (size_t i = 0; i < len; i++)
        g_string_append_printf(g, "%02x", data[i]);
    g_string_append_c(g, '"');
}

void json_open(GString *g, const char *key, char bracket)
{
    json_key(g, key);
    g_string_append_c(g, bracket);
}

void json_close(GString *g, char bracket)
{
    g_string_append_c(g, bracket == '{' ? '}' : ']');
}
