/* jsonw.h — just enough JSON writing into a GString.  The caller writes
 * the braces; these helpers add `"key": value` members with commas. */
#ifndef RR_JSONW_H
#define RR_JSONW_H

#include <glib.h>
#include <stdint.h>

void rr_json_str_value(GString *g, const char *s, size_t len);
void rr_json_key(GString *g, const char *key);           /* `,"key":` (comma unless first) */
void rr_json_int(GString *g, const char *key, int64_t v);
void rr_json_uint(GString *g, const char *key, uint64_t v);
void rr_json_bool(GString *g, const char *key, gboolean v);
void rr_json_str(GString *g, const char *key, const char *s);
void rr_json_open(GString *g, const char *key, char bracket); /* key may be NULL */
void rr_json_close(GString *g, char bracket);

#endif
