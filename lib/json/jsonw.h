/*
 * jsonw.h — just enough JSON writing into a GString, shared by riotoast and
 * rio-replay.  The caller writes the outer braces; these helpers append
 * `"key":value` members (or bare array elements) with the commas between.
 * No reading, no DOM.
 */
#ifndef RIO_JSONW_H
#define RIO_JSONW_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

/* String values.  json_string is for UTF-8 text: it passes through and
 * only '"', '\\' and control characters are escaped.  json_string_ascii is
 * for bytes of unknown encoding (a captured signature, a peer's text):
 * every byte outside printable ASCII becomes \u00XX, so the output is
 * always valid, pure-ASCII JSON and each byte maps back to one code point. */
void json_string(GString *g, const char *s, size_t len);
void json_string_ascii(GString *g, const char *s, size_t len);

/* The comma before a member or array element, unless it is the first. */
void json_sep(GString *g);

/* `,"key":` before a value; a NULL key writes only the comma (an array
 * element). */
void json_key(GString *g, const char *key);

/* Members (key NULL: an array element). */
void json_int(GString *g, const char *key, int64_t v);
void json_uint(GString *g, const char *key, uint64_t v);
void json_double(GString *g, const char *key, double v, int decimals);
void json_bool(GString *g, const char *key, gboolean v);
void json_null(GString *g, const char *key);
void json_str(GString *g, const char *key, const char *s);       /* NULL -> null */
void json_str_ascii(GString *g, const char *key, const char *s); /* NULL -> null */

/* key: the bytes as text when they are valid UTF-8 (else null), and
 * key_hex: always, lower-case hex. */
void json_bytes(GString *g, const char *key, const uint8_t *data, size_t len);

/* A nested object ('{') or array ('['), key NULL inside an array. */
void json_open(GString *g, const char *key, char bracket);
void json_close(GString *g, char bracket);

#endif /* RIO_JSONW_H */
