/* jsonw.c — JSON members into a GString (see jsonw.h). */
#include <stdio.h>
#include <string.h>

#include "jsonw.h"

void rr_json_str_value(GString *g, const char *s, size_t len)
{
    g_string_append_c(g, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            g_string_append_printf(g, "\\%c", c);
        else if (c < 0x20 || c >= 0x7F)
            g_string_append_printf(g, "\\u%04x", c);
        else
            g_string_append_c(g, (char)c);
    }
    g_string_append_c(g, '"');
}

void rr_json_key(GString *g, const char *key)
{
    char last = g->len ? g->str[g->len - 1] : '{';
    if (last != '{' && last != '[')
        g_string_append_c(g, ',');
    if (key) {
        rr_json_str_value(g, key, strlen(key));
        g_string_append_c(g, ':');
    }
}

void rr_json_int(GString *g, const char *key, int64_t v)
{
    rr_json_key(g, key);
    g_string_append_printf(g, "%" G_GINT64_FORMAT, (gint64)v);
}

void rr_json_uint(GString *g, const char *key, uint64_t v)
{
    rr_json_key(g, key);
    g_string_append_printf(g, "%" G_GUINT64_FORMAT, (guint64)v);
}

void rr_json_bool(GString *g, const char *key, gboolean v)
{
    rr_json_key(g, key);
    g_string_append(g, v ? "true" : "false");
}

void rr_json_str(GString *g, const char *key, const char *s)
{
    rr_json_key(g, key);
    rr_json_str_value(g, s, strlen(s));
}

void rr_json_open(GString *g, const char *key, char bracket)
{
    rr_json_key(g, key);
    g_string_append_c(g, bracket);
}

void rr_json_close(GString *g, char bracket)
{
    g_string_append_c(g, bracket == '{' ? '}' : ']');
}
