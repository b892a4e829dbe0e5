/* names.h — name lookups generated from X-macro tables (one pattern for
 * problems, violations, fields and outcomes). */
#ifndef RR_NAMES_H
#define RR_NAMES_H

#define RR_NAME_ENTRY(sym, text) [sym] = text,

/* Defines `const char *fn(type v)` returning the table's text, "?" if out of range. */
#define RR_DEFINE_NAMES(fn, type, count, TABLE)                             \
    static const char *const fn##_table[] = {TABLE(RR_NAME_ENTRY)};         \
    const char *fn(type v)                                                  \
    {                                                                       \
        return (unsigned)v < (unsigned)(count) ? fn##_table[v] : "?";       \
    }

#endif
