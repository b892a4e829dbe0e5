/*
 * json.h — the little JSON writing riotoast needs: members appended to a
 * GString, the caller adds the braces.  No reading, no DOM.
 */
#ifndef RIOTOAST_JSON_H
#define RIOTOAST_JSON_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

/* A JSON string literal for valid UTF-8 text of len bytes. */
void json_string(GString *s, const char *text, size_t len);

/* The comma before a member or array element, when one came before. */
void json_sep(GString *s);

/* ,"key": before a value. */
void json_key(GString *s, const char *key);

void json_member_u32(GString *s, const char *key, uint32_t v);
void json_member_double(GString *s, const char *key, double v);
void json_member_bool(GString *s, const char *key, gboolean v);
void json_member_str(GString *s, const char *key, const char *v); /* NULL -> null */

/* key: the bytes as text when they are valid UTF-8 (else null), and
 * key_hex: always, lower-case hex. */
void json_member_bytes(GString *s, const char *key, const uint8_t *data, size_t len);

#endif /* RIOTOAST_JSON_H */
