/* json.c — append JSON members to a GString (see json.h). */
#include <string.h>

#include "json.h"

void json_string(GString *s, const char *text, size_t len)
{
    g_string_append_c(s, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch == '"' || ch == '\\')
            g_string_append_printf(s, "\\%c", ch);
        else if (ch < 0x20)
            g_string_append_printf(s, "\\u%04x", ch);
        else
            g_string_append_c(s, (char)ch);
    }
    g_string_append_c(s, '"');
}

void json_sep(GString *s)
{
    /* A list starts right after '{' or '[' or is empty. */
    if (s->len > 0 && s->str[s->len - 1] != '{' && s->str[s->len - 1] != '[')
        g_string_append_c(s, ',');
}

void json_key(GString *s, const char *key)
{
    json_sep(s);
    json_string(s, key, strlen(key));
    g_string_append_c(s, ':');
}

void json_member_u32(GString *s, const char *key, uint32_t v)
{
    json_key(s, key);
    g_string_append_printf(s, "%u", v);
}

void json_member_double(GString *s, const char *key, double v)
{
    json_key(s, key);
    g_string_append_printf(s, "%.3f", v);
}

void json_member_bool(GString *s, const char *key, gboolean v)
{
    json_key(s, key);
    g_string_append(s, v ? "true" : "false");
}

void json_member_str(GString *s, const char *key, const char *v)
{
    json_key(s, key);
    if (v)
        json_string(s, v, strlen(v));
    else
        g_string_append(s, "null");
}

void json_member_bytes(GString *s, const char *key, const uint8_t *data, size_t len)
{
    json_key(s, key);
    if (g_utf8_validate((const char *)data, (gssize)len, NULL))
        json_string(s, (const char *)data, len);
    else
        g_string_append(s, "null");

    char *hex_key = g_strconcat(key, "_hex", NULL);
    json_key(s, hex_key);
    g_free(hex_key);
    g_string_append_c(s, '"');
    for (size_t i = 0; i < len; i++)
        g_string_append_printf(s, "%02x", data[i]);
    g_string_append_c(s, '"');
}
