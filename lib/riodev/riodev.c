/*
 * riodev.c — loading and checking device descriptions (devices/README.md).
 *
 * A file is read twice: a line scan that mirrors GKeyFile's syntax gives
 * every group and key its line number (GKeyFile keeps none, and silently
 * merges repeated groups and keys, which a description must not have), and
 * GKeyFile itself is the parser of record for the values.  The checks and
 * their messages are the same as pyrio/devdesc.py's, which
 * devices/tests/test_devdesc.py holds it to.
 */
#include "riodev.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "rio/rio.h"

#ifndef RIODEV_INSTALL_DIR
#define RIODEV_INSTALL_DIR "/usr/local/share/rio/devices"
#endif
#ifndef RIODEV_SOURCE_DIR
#define RIODEV_SOURCE_DIR ""
#endif

G_DEFINE_QUARK(riodev - error - quark, riodev_error)

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

typedef struct name_entry {
    unsigned value;
    const char *name;
} name_entry;
#define X_ENTRY(sym, text) {(unsigned)(sym), text},
static const name_entry methods[] = {RIO_METHOD_TABLE(X_ENTRY)};
static const name_entry accesses[] = {RIO_ACCESS_TABLE(X_ENTRY)};
#undef X_ENTRY

static const char *const type_names[] = {
    [RIODEV_U8] = "u8",     [RIODEV_U16] = "u16",     [RIODEV_U32] = "u32", [RIODEV_U64] = "u64",
    [RIODEV_I8] = "i8",     [RIODEV_I16] = "i16",     [RIODEV_I32] = "i32", [RIODEV_I64] = "i64",
    [RIODEV_CHAR] = "char", [RIODEV_BYTES] = "bytes", [RIODEV_PAD] = "pad",
};

const char *riodev_type_name(riodev_type type)
{
    return (unsigned)type < COUNT(type_names) ? type_names[type] : "?";
}

static const char *table_name(const name_entry *t, size_t n, unsigned v)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].value == v)
            return t[i].name;
    return NULL;
}

const char *riodev_method_name(unsigned method)
{
    return table_name(methods, COUNT(methods), method);
}
const char *riodev_access_name(unsigned access)
{
    return table_name(accesses, COUNT(accesses), access);
}

/* ---- The set ------------------------------------------------------------- */

/* A loaded device and everything it owns. */
typedef struct dev_impl {
    riodev_device pub; /* first: a riodev_device * is a dev_impl * */
    GStringChunk *strings;
    GPtrArray *allocs; /* g_free'd with the device */
} dev_impl;

struct riodev_set {
    GPtrArray *devices; /* dev_impl * */
};

static void dev_free(gpointer p)
{
    dev_impl *d = p;
    g_string_chunk_free(d->strings);
    g_ptr_array_unref(d->allocs);
    g_free(d);
}

riodev_set *riodev_set_new(void)
{
    riodev_set *set = g_new0(riodev_set, 1);
    set->devices = g_ptr_array_new_with_free_func(dev_free);
    return set;
}

void riodev_free(riodev_set *set)
{
    if (!set)
        return;
    g_ptr_array_unref(set->devices);
    g_free(set);
}

size_t riodev_device_count(const riodev_set *set)
{
    return set->devices->len;
}

const riodev_device *riodev_device_at(const riodev_set *set, size_t i)
{
    return i < set->devices->len ? g_ptr_array_index(set->devices, i) : NULL;
}

/* ---- The line scan ------------------------------------------------------- */

typedef struct scan_key {
    char *key;
    int line;
} scan_key;

typedef struct scan_group {
    char *name;
    int line;
    GArray *keys; /* scan_key */
} scan_group;

typedef struct loader {
    const char *path;
    GPtrArray *groups; /* scan_group * in file order */
    GKeyFile *kf;
    GError **error;
    dev_impl *dev;
    const riodev_set *set;
    /* Lookups while loading, so a big file costs linear time. */
    GHashTable *names_by_name;   /* name -> riodev_names * */
    GHashTable *structs_by_name; /* name -> riodev_struct * */
    GHashTable *ioctl_codes;     /* code -> riodev_ioctl * */
} loader;

static void scan_group_free(gpointer p)
{
    scan_group *g = p;
    for (guint i = 0; i < g->keys->len; i++)
        g_free(g_array_index(g->keys, scan_key, i).key);
    g_array_unref(g->keys);
    g_free(g->name);
    g_free(g);
}

static bool fail(loader *ld, int code, int line, const char *group, const char *key,
                 const char *fmt, ...) G_GNUC_PRINTF(6, 7);

/* "<file>:<line>: [<group>] <key>: <what>", the parts that are known. */
static bool fail(loader *ld, int code, int line, const char *group, const char *key,
                 const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *what = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    GString *s = g_string_new(ld->path);
    if (line > 0)
        g_string_append_printf(s, ":%d", line);
    g_string_append(s, ": ");
    if (group)
        g_string_append_printf(s, "[%s]%s", group, key ? " " : ": ");
    if (key)
        g_string_append_printf(s, "%s: ", key);
    g_string_append(s, what);
    /* One line, whatever a value held: control characters as \xHH. */
    for (gsize i = 0; i < s->len; i++) {
        unsigned char c = (unsigned char)s->str[i];
        if (c < 0x20 || c == 0x7F) {
            char hex[5];
            g_snprintf(hex, sizeof hex, "\\x%02x", c);
            g_string_erase(s, (gssize)i, 1);
            g_string_insert(s, (gssize)i, hex);
            i += 3;
        }
    }
    g_set_error_literal(ld->error, RIODEV_ERROR, code, s->str);
    g_string_free(s, TRUE);
    g_free(what);
    return false;
}

static bool is_ident(const char *s);
typedef enum group_kind { G_DEVICE, G_IOCTL, G_STRUCT, G_ENUM, G_FLAGS } group_kind;
static bool group_kind_of(const char *name, group_kind *kind, const char **ident);

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* Lines as GKeyFile reads them: a comment or blank, "[group]" (spaces and
 * tabs may follow), or "key=value" (key not empty, whitespace around it
 * dropped).  Repeated groups and keys are errors here. */
static bool scan(loader *ld, const char *data, size_t len)
{
    scan_group *cur = NULL;
    GHashTable *seen_groups = g_hash_table_new(g_str_hash, g_str_equal);
    GHashTable *seen_keys = NULL;
    bool ok = true;
    int lineno = 0;
    size_t pos = 0;
    while (ok && pos < len) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - data) : len;
        char *line = g_strndup(data + pos, end - pos);
        pos = end + 1;
        lineno++;
        size_t n = strlen(line);
        if (n && line[n - 1] == '\r')
            line[--n] = '\0';
        const char *p = line;
        while (is_space(*p))
            p++;
        if (*p == '\0' || *p == '#') {
            g_free(line);
            continue;
        }
        if (*p == '[') {
            const char *close = strchr(p, ']');
            const char *q = close ? close + 1 : NULL;
            while (q && (*q == ' ' || *q == '\t'))
                q++;
            if (!close || *q) {
                ok = fail(ld, RIODEV_ERROR_SYNTAX, lineno, NULL, NULL, "not a [group] line");
            } else {
                char *name = g_strndup(p + 1, close - p - 1);
                group_kind kind;
                const char *ident;
                if (!group_kind_of(name, &kind, &ident)) {
                    ok = fail(
                        ld, RIODEV_ERROR_SYNTAX, lineno, name, NULL,
                        "unknown group (device, ioctl NAME, struct NAME, enum NAME, flags NAME)");
                    g_free(name);
                } else if (g_hash_table_contains(seen_groups, name)) {
                    ok = fail(ld, RIODEV_ERROR_SYNTAX, lineno, name, NULL,
                              "group repeated (first at line %d)",
                              GPOINTER_TO_INT(g_hash_table_lookup(seen_groups, name)));
                    g_free(name);
                } else {
                    cur = g_new0(scan_group, 1);
                    cur->name = name;
                    cur->line = lineno;
                    cur->keys = g_array_new(FALSE, FALSE, sizeof(scan_key));
                    g_ptr_array_add(ld->groups, cur);
                    g_hash_table_insert(seen_groups, cur->name, GINT_TO_POINTER(lineno));
                    if (seen_keys)
                        g_hash_table_unref(seen_keys);
                    seen_keys = g_hash_table_new(g_str_hash, g_str_equal);
                }
            }
        } else {
            const char *eq = strchr(p, '=');
            if (!eq || eq == p) {
                ok = fail(ld, RIODEV_ERROR_SYNTAX, lineno, NULL, NULL,
                          "not a key=value, [group] or # comment line");
            } else if (!cur) {
                ok = fail(ld, RIODEV_ERROR_SYNTAX, lineno, NULL, NULL,
                          "key=value before the first [group]");
            } else {
                const char *ke = eq;
                while (ke > p && is_space(ke[-1]))
                    ke--;
                scan_key k = {g_strndup(p, ke - p), lineno};
                if (!is_ident(k.key)) {
                    ok = fail(ld, RIODEV_ERROR_SYNTAX, lineno, cur->name, NULL,
                              "'%s' is not a key name ([A-Za-z_][A-Za-z0-9_]*, at most %d)", k.key,
                              RIODEV_NAME_MAX);
                    g_free(k.key);
                } else if (g_hash_table_contains(seen_keys, k.key)) {
                    ok = fail(ld, RIODEV_ERROR_SYNTAX, lineno, cur->name, k.key,
                              "key repeated (first at line %d)",
                              GPOINTER_TO_INT(g_hash_table_lookup(seen_keys, k.key)));
                    g_free(k.key);
                } else {
                    g_array_append_val(cur->keys, k);
                    g_hash_table_insert(seen_keys, k.key, GINT_TO_POINTER(lineno));
                }
            }
        }
        g_free(line);
    }
    g_hash_table_unref(seen_groups);
    if (seen_keys)
        g_hash_table_unref(seen_keys);
    return ok;
}

/* ---- Values -------------------------------------------------------------- */

/* GKeyFile's string escapes: \s \n \t \r \\; anything else is an error. */
static char *unescape(const char *raw, char *bad)
{
    GString *s = g_string_new(NULL);
    for (const char *p = raw; *p; p++) {
        if (*p != '\\') {
            g_string_append_c(s, *p);
            continue;
        }
        static const char escaped[] = "sntr\\", meant[] = " \n\t\r\\";
        const char *e = *++p ? strchr(escaped, *p) : NULL;
        if (!e) {
            *bad = *p; /* 0: the value ends in a backslash */
            g_string_free(s, TRUE);
            return NULL;
        }
        g_string_append_c(s, meant[e - escaped]);
    }
    return g_string_free(s, FALSE);
}

/* The value of group/key, unescaped and stripped, or NULL (with the error
 * set when it is there but bad). */
static char *value_of(loader *ld, const scan_group *g, const scan_key *k)
{
    char *raw = g_key_file_get_value(ld->kf, g->name, k->key, NULL);
    if (!raw) {
        fail(ld, RIODEV_ERROR_SYNTAX, k->line, g->name, k->key, "GKeyFile does not see this key");
        return NULL;
    }
    char bad = 1;
    char *v = unescape(raw, &bad);
    g_free(raw);
    if (!v) {
        if (bad == '\0')
            fail(ld, RIODEV_ERROR_SYNTAX, k->line, g->name, k->key, "'\\' at the end of the value");
        else
            fail(ld, RIODEV_ERROR_SYNTAX, k->line, g->name, k->key, "invalid escape '\\%c'", bad);
        return NULL;
    }
    return g_strstrip(v);
}

static bool is_ident(const char *s)
{
    if (!(g_ascii_isalpha(*s) || *s == '_'))
        return false;
    size_t n = 0;
    for (; *s; s++, n++)
        if (!(g_ascii_isalnum(*s) || *s == '_'))
            return false;
    return n <= RIODEV_NAME_MAX;
}

static bool is_device_name(const char *s)
{
    if (!g_ascii_islower(*s))
        return false;
    size_t n = 0;
    for (; *s; s++, n++)
        if (!(g_ascii_islower(*s) || g_ascii_isdigit(*s) || *s == '_'))
            return false;
    return n <= RIODEV_NAME_MAX;
}

/* Numbers: decimal or 0x hex, nothing else (no octal, no '+', no '_'). */
static bool parse_u64(const char *s, uint64_t *out)
{
    unsigned base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!*s)
        return false;
    uint64_t v = 0;
    for (; *s; s++) {
        int d = g_ascii_xdigit_value(*s);
        if (d < 0 || (unsigned)d >= base)
            return false;
        if (v > (UINT64_MAX - (unsigned)d) / base)
            return false;
        v = v * base + (unsigned)d;
    }
    *out = v;
    return true;
}

/* A signed or unsigned literal: -? then parse_u64; *neg tells which. */
static bool parse_int(const char *s, uint64_t *mag, bool *neg)
{
    *neg = *s == '-';
    return parse_u64(s + *neg, mag);
}

static bool type_is_int(riodev_type t)
{
    return t <= RIODEV_I64;
}
static bool type_is_signed(riodev_type t)
{
    return t >= RIODEV_I8 && t <= RIODEV_I64;
}
static size_t int_size(riodev_type t)
{
    return (size_t)1 << (t & 3);
}

/* Does an integer literal fit type t?  *bits gets its raw value (signed:
 * sign-extended two's complement). */
static bool fit_int(riodev_type t, uint64_t mag, bool neg, uint64_t *bits)
{
    unsigned width = 8 * (unsigned)int_size(t);
    if (type_is_signed(t)) {
        uint64_t maxpos = (width == 64 ? UINT64_MAX : (UINT64_C(1) << width) - 1) >> 1;
        if (neg ? mag > maxpos + 1 : mag > maxpos)
            return false;
        *bits = neg ? (uint64_t)0 - mag : mag;
        return true;
    }
    if (neg && mag != 0)
        return false;
    if (width < 64 && mag >> width)
        return false;
    *bits = mag;
    return true;
}

static bool parse_bool(const char *s, bool *out)
{
    if (!strcmp(s, "true"))
        *out = true;
    else if (!strcmp(s, "false"))
        *out = false;
    else
        return false;
    return true;
}

/* SerialNumber -> serial_number, DTRState -> dtr_state, ReadIntervalTimeout ->
 * read_interval_timeout: '_' before an upper-case letter that follows a
 * lower-case letter or digit, or that starts a word after capitals. */
static char *snake_case(const char *name)
{
    GString *s = g_string_new(NULL);
    for (size_t i = 0; name[i]; i++) {
        char c = name[i];
        if (g_ascii_isupper(c) && i > 0) {
            char prev = name[i - 1], next = name[i + 1];
            bool boundary = g_ascii_islower(prev) || g_ascii_isdigit(prev) ||
                            (g_ascii_isupper(prev) && g_ascii_islower(next));
            if (boundary && s->len && s->str[s->len - 1] != '_')
                g_string_append_c(s, '_');
        }
        g_string_append_c(s, g_ascii_tolower(c));
    }
    return g_string_free(s, FALSE);
}

/* ---- Groups -------------------------------------------------------------- */

static const char *intern(loader *ld, const char *s)
{
    return g_string_chunk_insert_const(ld->dev->strings, s);
}

static gpointer own(loader *ld, gpointer p)
{
    g_ptr_array_add(ld->dev->allocs, p);
    return p;
}

static const char *const kind_words[] = {"device", "ioctl", "struct", "enum", "flags"};

/* "device", or "<kind> <IDENT>". */
static bool group_kind_of(const char *name, group_kind *kind, const char **ident)
{
    if (!strcmp(name, "device")) {
        *kind = G_DEVICE;
        *ident = NULL;
        return true;
    }
    for (int k = G_IOCTL; k <= G_FLAGS; k++) {
        size_t n = strlen(kind_words[k]);
        if (!strncmp(name, kind_words[k], n) && name[n] == ' ' && is_ident(name + n + 1)) {
            *kind = (group_kind)k;
            *ident = name + n + 1;
            return true;
        }
    }
    return false;
}

static const scan_key *find_key(const scan_group *g, const char *key)
{
    for (guint i = 0; i < g->keys->len; i++) {
        const scan_key *k = &g_array_index(g->keys, scan_key, i);
        if (!strcmp(k->key, key))
            return k;
    }
    return NULL;
}

/* Every key of g must be one of allowed (NULL-terminated). */
static bool known_keys(loader *ld, const scan_group *g, const char *const *allowed)
{
    for (guint i = 0; i < g->keys->len; i++) {
        const scan_key *k = &g_array_index(g->keys, scan_key, i);
        if (!g_strv_contains(allowed, k->key))
            return fail(ld, RIODEV_ERROR_SYNTAX, k->line, g->name, k->key, "unknown key");
    }
    return true;
}

/* Optional key: *out NULL when absent; false on a bad value. */
static bool get_opt(loader *ld, const scan_group *g, const char *key, char **out,
                    const scan_key **where)
{
    const scan_key *k = find_key(g, key);
    *out = NULL;
    if (where)
        *where = k;
    if (!k)
        return true;
    *out = value_of(ld, g, k);
    return *out != NULL;
}

static bool get_req(loader *ld, const scan_group *g, const char *key, char **out,
                    const scan_key **where)
{
    if (!get_opt(ld, g, key, out, where))
        return false;
    if (!*out)
        return fail(ld, RIODEV_ERROR_SYNTAX, g->line, g->name, NULL, "missing key %s", key);
    return true;
}

static bool get_bool(loader *ld, const scan_group *g, const char *key, bool *out, bool *given)
{
    char *v;
    const scan_key *k = NULL;
    if (!get_opt(ld, g, key, &v, &k))
        return false;
    *given = v != NULL;
    bool ok = !v || parse_bool(v, out);
    if (!ok)
        fail(ld, RIODEV_ERROR_INVALID, k->line, g->name, key, "'%s' is not true or false", v);
    g_free(v);
    return ok;
}

static bool load_device_group(loader *ld, const scan_group *g)
{
    static const char *const keys[] = {"Name",     "DeviceType", "Description",
                                       "ReadData", "WriteData",  NULL};
    riodev_device *d = &ld->dev->pub;
    if (!known_keys(ld, g, keys))
        return false;
    char *name = NULL, *type = NULL, *desc = NULL, *rd = NULL, *wr = NULL;
    const scan_key *kname = NULL, *ktype = NULL, *krd = NULL, *kwr = NULL;
    uint64_t v;
    bool ok = get_req(ld, g, "Name", &name, &kname) &&
              get_req(ld, g, "DeviceType", &type, &ktype) &&
              get_opt(ld, g, "Description", &desc, NULL) && get_opt(ld, g, "ReadData", &rd, &krd) &&
              get_opt(ld, g, "WriteData", &wr, &kwr);
    if (ok && !is_device_name(name))
        ok = fail(ld, RIODEV_ERROR_INVALID, kname->line, g->name, "Name",
                  "'%s' is not a device name ([a-z][a-z0-9_]*, at most %d)", name, RIODEV_NAME_MAX);
    if (ok && (!parse_u64(type, &v) || v > 0xFFFF))
        ok = fail(ld, RIODEV_ERROR_INVALID, ktype->line, g->name, "DeviceType",
                  "'%s' is not a number 0..0xFFFF", type);
    if (ok) {
        d->name = intern(ld, name);
        d->device_type = (uint16_t)v;
        d->description = intern(ld, desc ? desc : "");
    }
    const char *hints[] = {rd, wr};
    const scan_key *hk[] = {krd, kwr};
    riodev_data_hint *dst[] = {&d->read_data, &d->write_data};
    for (int i = 0; ok && i < 2; i++) {
        if (!hints[i] || !strcmp(hints[i], "bytes"))
            *dst[i] = RIODEV_DATA_BYTES;
        else if (!strcmp(hints[i], "text"))
            *dst[i] = RIODEV_DATA_TEXT;
        else
            ok = fail(ld, RIODEV_ERROR_INVALID, hk[i]->line, g->name, hk[i]->key,
                      "'%s' is not bytes or text", hints[i]);
    }
    g_free(name);
    g_free(type);
    g_free(desc);
    g_free(rd);
    g_free(wr);
    return ok;
}

static bool load_names_group(loader *ld, const scan_group *g, riodev_names *n, bool is_flags)
{
    n->is_flags = is_flags;
    n->device = &ld->dev->pub;
    if (g->keys->len == 0)
        return fail(ld, RIODEV_ERROR_INVALID, g->line, g->name, NULL, "no values");
    riodev_name_value *items = own(ld, g_new0(riodev_name_value, g->keys->len));
    GHashTable *seen = g_hash_table_new(g_int64_hash, g_int64_equal); /* value -> item */
    bool ok = true;
    for (guint i = 0; ok && i < g->keys->len; i++) {
        const scan_key *k = &g_array_index(g->keys, scan_key, i);
        char *v = value_of(ld, g, k);
        if (!v) {
            ok = false;
            break;
        }
        uint64_t num;
        ok = parse_u64(v, &num);
        if (!ok)
            fail(ld, RIODEV_ERROR_INVALID, k->line, g->name, k->key, "'%s' is not a number", v);
        g_free(v);
        if (ok && is_flags && num == 0)
            ok = fail(ld, RIODEV_ERROR_INVALID, k->line, g->name, k->key,
                      "a flag must have a bit set");
        const riodev_name_value *other = ok ? g_hash_table_lookup(seen, &num) : NULL;
        if (other)
            ok = fail(ld, RIODEV_ERROR_INVALID, k->line, g->name, k->key,
                      "value 0x%" G_GINT64_MODIFIER "X is also %s", num, other->name);
        items[i].name = intern(ld, k->key);
        items[i].value = num;
        n->max = MAX(n->max, num);
        if (ok)
            g_hash_table_insert(seen, &items[i].value, &items[i]);
    }
    g_hash_table_unref(seen);
    if (!ok)
        return false;
    n->items = items;
    n->count = g->keys->len;
    return true;
}

static const riodev_names *find_names_in(const riodev_device *d, const char *name)
{
    for (size_t i = 0; i < d->names_count; i++)
        if (!strcmp(d->names[i].name, name))
            return &d->names[i];
    return NULL;
}

/* One "Name:type[:option...]" entry of Fields=. */
static bool parse_field(loader *ld, const scan_group *g, const scan_key *k, const char *spec,
                        riodev_field *f)
{
    char **parts = g_strsplit(spec, ":", -1);
    bool ok = true;
    guint n = g_strv_length(parts);
    for (guint i = 0; i < n; i++)
        g_strstrip(parts[i]);
#define FIELD_FAIL(...) \
    (ok = fail(ld, RIODEV_ERROR_INVALID, k->line, g->name, "Fields", __VA_ARGS__))
    if (n < 2) {
        FIELD_FAIL("'%s' is not Name:type[:option...]", spec);
        goto out;
    }
    if (!is_ident(parts[0])) {
        FIELD_FAIL("'%s' is not a field name ([A-Za-z_][A-Za-z0-9_]*, at most %d)", parts[0],
                   RIODEV_NAME_MAX);
        goto out;
    }
    f->name = intern(ld, parts[0]);
    const char *t = parts[1];
    bool typed = false;
    for (int i = RIODEV_U8; i <= RIODEV_I64; i++)
        if (!strcmp(t, type_names[i])) {
            f->type = (riodev_type)i;
            f->size = int_size(f->type);
            typed = true;
        }
    for (int i = RIODEV_CHAR; !typed && i <= RIODEV_PAD; i++) {
        size_t wl = strlen(type_names[i]);
        if (strncmp(t, type_names[i], wl) || t[wl] != '[' || t[strlen(t) - 1] != ']')
            continue;
        char *num = g_strndup(t + wl + 1, strlen(t) - wl - 2);
        uint64_t len;
        typed = true;
        f->type = (riodev_type)i;
        if (!*num && i != RIODEV_PAD) {
            f->variable = true;
        } else if (!parse_u64(num, &len) || len == 0 || len > RIO_DATA_MAX) {
            FIELD_FAIL("field %s: '%s': the length must be 1..%d", f->name, t, RIO_DATA_MAX);
        } else {
            f->size = (size_t)len;
        }
        g_free(num);
    }
    if (!typed && ok)
        FIELD_FAIL("field %s: unknown type '%s' (u8..u64, i8..i64, char[N], bytes[N], pad[N], "
                   "char[], bytes[])",
                   f->name, t);
    const char *filter = NULL;
    bool based = false;
    for (guint i = 2; ok && i < n; i++) {
        const char *o = parts[i];
        const char *eq = strchr(o, '=');
        char *oname = eq ? g_strndup(o, eq - o) : g_strdup(o);
        const char *oval = eq ? eq + 1 : NULL;
        bool is_int = type_is_int(f->type);
        if ((!strcmp(oname, "hex") || !strcmp(oname, "dec")) && !eq) {
            if (!is_int)
                FIELD_FAIL("field %s: %s is for integer fields", f->name, oname);
            else if (based)
                FIELD_FAIL("field %s: more than one of hex, dec", f->name);
            f->base = oname[0] == 'h' ? RIODEV_HEX : RIODEV_DEC;
            based = true;
        } else if ((!strcmp(oname, "enum") || !strcmp(oname, "flags")) && eq) {
            bool want_flags = oname[0] == 'f';
            const riodev_names *nm = g_hash_table_lookup(ld->names_by_name, oval);
            if (!is_int)
                FIELD_FAIL("field %s: %s= is for integer fields", f->name, oname);
            else if (f->names)
                FIELD_FAIL("field %s: more than one enum= or flags=", f->name);
            else if (!nm)
                FIELD_FAIL("field %s: no [%s %s] in this file", f->name, oname, oval);
            else if (nm->is_flags != want_flags)
                FIELD_FAIL("field %s: %s is a%s group, not %s", f->name, oval,
                           nm->is_flags ? " flags" : "n enum", want_flags ? "flags" : "an enum");
            /* Only when the largest value does not fit: the first that does not. */
            uint64_t bits;
            bool all_fit = !ok || fit_int(f->type, nm->max, false, &bits);
            for (size_t j = 0; !all_fit && ok && j < nm->count; j++)
                if (!fit_int(f->type, nm->items[j].value, false, &bits))
                    FIELD_FAIL("field %s: %s %s=0x%" G_GINT64_MODIFIER "X does not fit %s", f->name,
                               oval, nm->items[j].name, nm->items[j].value, type_names[f->type]);
            f->names = nm;
        } else if (!strcmp(oname, "range") && eq) {
            const char *dots = strstr(oval, "..");
            uint64_t lo, hi;
            bool nlo, nhi;
            char *slo = dots ? g_strndup(oval, dots - oval) : NULL;
            if (!is_int)
                FIELD_FAIL("field %s: range= is for integer fields", f->name);
            else if (f->has_range)
                FIELD_FAIL("field %s: more than one range=", f->name);
            else if (!dots || !parse_int(slo, &lo, &nlo) || !parse_int(dots + 2, &hi, &nhi) ||
                     !fit_int(f->type, lo, nlo, &f->range_lo) ||
                     !fit_int(f->type, hi, nhi, &f->range_hi))
                FIELD_FAIL("field %s: range '%s' is not LO..HI within %s", f->name, oval,
                           type_names[f->type]);
            else if (type_is_signed(f->type) ? (int64_t)f->range_lo > (int64_t)f->range_hi
                                             : f->range_lo > f->range_hi)
                FIELD_FAIL("field %s: range '%s' is empty", f->name, oval);
            f->has_range = true;
            g_free(slo);
        } else if (!strcmp(oname, "filter") && eq) {
            if (f->type == RIODEV_PAD)
                FIELD_FAIL("field %s: a pad field has no filter name", f->name);
            else if (filter)
                FIELD_FAIL("field %s: more than one filter=", f->name);
            else if (!is_device_name(oval))
                FIELD_FAIL("field %s: filter '%s' is not [a-z][a-z0-9_]*", f->name, oval);
            filter = oval;
        } else {
            FIELD_FAIL("field %s: unknown option '%s' (hex, dec, enum=, flags=, range=, filter=)",
                       f->name, o);
        }
        g_free(oname);
    }
    if (ok && f->type == RIODEV_PAD) {
        f->filter = NULL;
        f->filter_index = -1;
    } else if (ok) {
        char *part = filter ? g_strdup(filter) : snake_case(f->name);
        char *full = g_strdup_printf("rio.dev.%s.%s", ld->dev->pub.name, part);
        f->filter = intern(ld, full);
        g_free(full);
        g_free(part);
    }
#undef FIELD_FAIL
out:
    g_strfreev(parts);
    return ok;
}

static bool load_struct_group(loader *ld, const scan_group *g, riodev_struct *s)
{
    static const char *const keys[] = {"Fields", "Size", "Description", NULL};
    if (!known_keys(ld, g, keys))
        return false;
    char *fields = NULL, *size = NULL, *desc = NULL;
    const scan_key *kf = NULL, *ks = NULL;
    bool ok = get_req(ld, g, "Fields", &fields, &kf) && get_opt(ld, g, "Size", &size, &ks) &&
              get_opt(ld, g, "Description", &desc, NULL);
    s->device = &ld->dev->pub;
    s->description = intern(ld, desc ? desc : "");
    char **specs = ok ? g_strsplit(fields, ";", -1) : NULL;
    GArray *fa = g_array_new(FALSE, TRUE, sizeof(riodev_field));
    GHashTable *names = g_hash_table_new(g_str_hash, g_str_equal); /* interned */
    uint64_t off = 0;
    for (guint i = 0; ok && specs[i]; i++) {
        g_strstrip(specs[i]);
        if (!*specs[i])
            continue; /* a trailing ';', or ";;" */
        riodev_field f = {0};
        if (!parse_field(ld, g, kf, specs[i], &f)) {
            ok = false;
            break;
        }
        if (g_hash_table_contains(names, f.name))
            ok = fail(ld, RIODEV_ERROR_INVALID, kf->line, g->name, "Fields",
                      "field %s appears twice", f.name);
        g_hash_table_add(names, (gpointer)f.name);
        if (ok && fa->len && g_array_index(fa, riodev_field, fa->len - 1).variable)
            ok = fail(ld, RIODEV_ERROR_INVALID, kf->line, g->name, "Fields",
                      "field %s follows the variable-length field %s", f.name,
                      g_array_index(fa, riodev_field, fa->len - 1).name);
        f.offset = (size_t)off;
        off += f.size;
        if (ok && off > RIO_DATA_MAX)
            ok = fail(ld, RIODEV_ERROR_INVALID, kf->line, g->name, "Fields",
                      "field %s ends at byte %" G_GUINT64_FORMAT ", over the %d-byte data limit",
                      f.name, off, RIO_DATA_MAX);
        if (ok)
            g_array_append_val(fa, f);
    }
    if (ok && fa->len == 0)
        ok = fail(ld, RIODEV_ERROR_INVALID, kf->line, g->name, "Fields", "no fields");
    if (ok) {
        s->field_count = fa->len;
        s->fields = own(ld, g_array_steal(fa, NULL));
        s->size = (size_t)off;
        s->variable = s->fields[s->field_count - 1].variable;
        for (size_t i = 0; i < s->field_count; i++)
            ((riodev_field *)s->fields)[i].parent = s;
    }
    uint64_t want;
    if (ok && size && (!parse_u64(size, &want) || want != off || s->variable))
        ok = fail(ld, RIODEV_ERROR_INVALID, ks->line, g->name, "Size",
                  "'%s' but the fields make %s%" G_GUINT64_FORMAT " bytes", size,
                  s->variable ? "at least " : "", off);
    g_hash_table_unref(names);
    g_array_unref(fa);
    g_strfreev(specs);
    g_free(fields);
    g_free(size);
    g_free(desc);
    return ok;
}

static const riodev_struct *find_struct_in(const riodev_device *d, const char *name)
{
    for (size_t i = 0; i < d->struct_count; i++)
        if (!strcmp(d->structs[i].name, name))
            return &d->structs[i];
    return NULL;
}

/* A method or access value: a name of rio.h's table or a number; Access
 * may also join them with '|' (FILE_READ_ACCESS|FILE_WRITE_ACCESS). */
static bool parse_part(const char *v, const name_entry *t, size_t n, bool may_join, unsigned *out)
{
    char **words = g_strsplit(v, "|", may_join ? -1 : 1);
    bool ok = true;
    *out = 0;
    for (char **w = words; ok && *w; w++) {
        uint64_t num;
        const char *word = g_strstrip(*w);
        bool named = false;
        for (size_t i = 0; i < n && !named; i++)
            if (!strcmp(word, t[i].name)) {
                *out |= t[i].value;
                named = true;
            }
        if (!named && (ok = parse_u64(word, &num) && num <= 3))
            *out |= (unsigned)num;
    }
    g_strfreev(words);
    return ok;
}

static bool get_struct_ref(loader *ld, const scan_group *g, const char *key,
                           const riodev_struct **out)
{
    char *v;
    const scan_key *k = NULL;
    *out = NULL;
    if (!get_opt(ld, g, key, &v, &k))
        return false;
    bool ok = true;
    if (v && strcmp(v, "none")) {
        *out = g_hash_table_lookup(ld->structs_by_name, v);
        if (!*out)
            ok = fail(ld, RIODEV_ERROR_INVALID, k->line, g->name, key,
                      "no [struct %s] in this file", v);
    }
    g_free(v);
    return ok;
}

static char *short_name_of(const char *device, const char *name)
{
    const char *s = name;
    if (g_str_has_prefix(s, "IOCTL_"))
        s += 6;
    char *up = g_ascii_strup(device, -1);
    size_t n = strlen(up);
    if (!g_ascii_strncasecmp(s, up, n) && s[n] == '_' && s[n + 1])
        s += n + 1;
    g_free(up);
    return g_strdup(s);
}

static bool load_ioctl_group(loader *ld, const scan_group *g, const char *ident, riodev_ioctl *io)
{
    static const char *const keys[] = {"Code",    "Function",    "Method",      "Access",
                                       "Input",   "Output",      "OutputFixed", "InputExact",
                                       "MayPend", "Description", NULL};
    const riodev_device *d = &ld->dev->pub;
    if (!known_keys(ld, g, keys))
        return false;
    char *code = NULL, *fn = NULL, *method = NULL, *access = NULL, *desc = NULL;
    const scan_key *kc = NULL, *kfn = NULL, *km = NULL, *ka = NULL;
    bool ok = get_opt(ld, g, "Code", &code, &kc) && get_opt(ld, g, "Function", &fn, &kfn) &&
              get_opt(ld, g, "Method", &method, &km) && get_opt(ld, g, "Access", &access, &ka) &&
              get_opt(ld, g, "Description", &desc, NULL);
    io->device = d;
    io->name = intern(ld, ident);
    char *sn = short_name_of(d->name, ident);
    io->short_name = intern(ld, sn);
    g_free(sn);
    io->description = intern(ld, desc ? desc : "");
    uint64_t c = 0, f = 0;
    unsigned m = RIO_METHOD_BUFFERED, a = RIO_FILE_ANY_ACCESS;
    if (ok && !code && !fn)
        ok = fail(ld, RIODEV_ERROR_INVALID, g->line, g->name, NULL, "needs Code or Function");
    if (ok && code && (!parse_u64(code, &c) || c > UINT32_MAX))
        ok = fail(ld, RIODEV_ERROR_INVALID, kc->line, g->name, "Code",
                  "'%s' is not a 32-bit number", code);
    if (ok && code && RIO_IOCTL_DEVICE_TYPE(c) != d->device_type)
        ok = fail(ld, RIODEV_ERROR_INVALID, kc->line, g->name, "Code",
                  "0x%08" G_GINT64_MODIFIER "X has DeviceType 0x%X, the device's is 0x%X", c,
                  (unsigned)RIO_IOCTL_DEVICE_TYPE(c), d->device_type);
    if (ok && fn && (!parse_u64(fn, &f) || f > 0xFFF))
        ok = fail(ld, RIODEV_ERROR_INVALID, kfn->line, g->name, "Function",
                  "'%s' is not a number 0..0xFFF", fn);
    if (ok && method && !parse_part(method, methods, COUNT(methods), false, &m))
        ok = fail(ld, RIODEV_ERROR_INVALID, km->line, g->name, "Method",
                  "'%s' is not METHOD_* or 0..3", method);
    if (ok && access && !parse_part(access, accesses, COUNT(accesses), true, &a))
        ok = fail(ld, RIODEV_ERROR_INVALID, ka->line, g->name, "Access",
                  "'%s' is not FILE_*_ACCESS or 0..3", access);
    if (ok && code) {
        /* Parts given beside Code must be Code's. */
        const struct {
            const char *key, *given;
            unsigned have, want;
        } parts[] = {
            {"Function", fn, (unsigned)f, RIO_IOCTL_FUNCTION(c)},
            {"Method", method, m, RIO_IOCTL_METHOD(c)},
            {"Access", access, a, RIO_IOCTL_ACCESS(c)},
        };
        for (size_t i = 0; ok && i < COUNT(parts); i++)
            if (parts[i].given && parts[i].have != parts[i].want)
                ok = fail(ld, RIODEV_ERROR_INVALID, kc->line, g->name, "Code",
                          "0x%08" G_GINT64_MODIFIER "X has %s 0x%X, but %s=%s", c, parts[i].key,
                          parts[i].want, parts[i].key, parts[i].given);
        io->code = (uint32_t)c;
    } else if (ok) {
        io->code = RIO_CTL_CODE(d->device_type, f, m, a);
    }
    io->function = RIO_IOCTL_FUNCTION(io->code);
    io->method = RIO_IOCTL_METHOD(io->code);
    io->access = RIO_IOCTL_ACCESS(io->code);
    const riodev_ioctl *same =
        ok ? g_hash_table_lookup(ld->ioctl_codes, GUINT_TO_POINTER(io->code)) : NULL;
    if (same)
        ok = fail(ld, RIODEV_ERROR_INVALID, kc ? kc->line : kfn->line, g->name,
                  kc ? "Code" : "Function", "code 0x%08X is also %s", io->code, same->name);
    else if (ok)
        g_hash_table_insert(ld->ioctl_codes, GUINT_TO_POINTER(io->code), io);
    ok = ok && get_struct_ref(ld, g, "Input", &io->input) &&
         get_struct_ref(ld, g, "Output", &io->output);
    bool of = io->output && !io->output->variable, ie = io->input && !io->input->variable,
         mp = false;
    bool of_given = false, ie_given = false, mp_given;
    ok = ok && get_bool(ld, g, "OutputFixed", &of, &of_given) &&
         get_bool(ld, g, "InputExact", &ie, &ie_given) &&
         get_bool(ld, g, "MayPend", &mp, &mp_given);
    if (ok && of_given && of && (!io->output || io->output->variable))
        ok = fail(ld, RIODEV_ERROR_INVALID, find_key(g, "OutputFixed")->line, g->name,
                  "OutputFixed", "needs a fixed-size Output");
    if (ok && ie_given && ie && (!io->input || io->input->variable))
        ok = fail(ld, RIODEV_ERROR_INVALID, find_key(g, "InputExact")->line, g->name, "InputExact",
                  "needs a fixed-size Input");
    io->output_fixed = of;
    io->input_exact = ie;
    io->may_pend = mp;
    g_free(code);
    g_free(fn);
    g_free(method);
    g_free(access);
    g_free(desc);
    return ok;
}

/* Fields of one device that share a filter name must be one Wireshark
 * field: same type (and integer width), base and enum/flags group. */
static bool same_filter_field(const riodev_field *a, const riodev_field *b)
{
    return a->type == b->type && a->base == b->base && a->names == b->names;
}

static bool index_filters(loader *ld, const scan_group *const *struct_groups)
{
    riodev_device *d = &ld->dev->pub;
    GPtrArray *reps = g_ptr_array_new();
    GHashTable *by_filter = g_hash_table_new(g_str_hash, g_str_equal);
    bool ok = true;
    for (size_t i = 0; ok && i < d->struct_count; i++) {
        const riodev_struct *s = &d->structs[i];
        for (size_t j = 0; ok && j < s->field_count; j++) {
            riodev_field *f = (riodev_field *)&s->fields[j];
            if (!f->filter)
                continue;
            gpointer idx;
            if (g_hash_table_lookup_extended(by_filter, f->filter, NULL, &idx)) {
                const riodev_field *rep = g_ptr_array_index(reps, GPOINTER_TO_INT(idx));
                if (!same_filter_field(rep, f))
                    ok = fail(ld, RIODEV_ERROR_INVALID, find_key(struct_groups[i], "Fields")->line,
                              struct_groups[i]->name, "Fields",
                              "field %s: filter name %s is also %s.%s, of another type, base or "
                              "enum/flags "
                              "(rename one or give it filter=)",
                              f->name, f->filter, rep->parent->name, rep->name);
                f->filter_index = GPOINTER_TO_INT(idx);
            } else {
                f->filter_index = (int)reps->len;
                g_hash_table_insert(by_filter, (gpointer)f->filter, GINT_TO_POINTER(reps->len));
                g_ptr_array_add(reps, f);
            }
        }
    }
    d->filter_count = reps->len;
    d->filters = own(ld, g_ptr_array_free(reps, FALSE));
    g_hash_table_unref(by_filter);
    return ok;
}

/* Clashes with descriptions already in the set. */
static bool check_against_set(loader *ld, const scan_group *dev_group,
                              const scan_group *const *ioctl_groups)
{
    const riodev_device *d = &ld->dev->pub;
    bool ok = true;
    for (guint i = 0; ok && i < ld->set->devices->len; i++) {
        const riodev_device *o = g_ptr_array_index(ld->set->devices, i);
        if (!strcmp(o->name, d->name))
            return fail(ld, RIODEV_ERROR_CONFLICT, find_key(dev_group, "Name")->line,
                        dev_group->name, "Name", "device %s is already described by %s", d->name,
                        o->path);
        /* o's codes and names (case-folded), so that this is linear */
        GHashTable *codes = g_hash_table_new(NULL, NULL);
        GHashTable *names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        for (size_t k = 0; k < o->ioctl_count; k++) {
            g_hash_table_insert(codes, GUINT_TO_POINTER(o->ioctls[k].code),
                                (gpointer)&o->ioctls[k]);
            g_hash_table_insert(names, g_ascii_strdown(o->ioctls[k].name, -1),
                                (gpointer)&o->ioctls[k]);
        }
        for (size_t j = 0; ok && j < d->ioctl_count; j++) {
            const riodev_ioctl *a = &d->ioctls[j], *b;
            char *folded = g_ascii_strdown(a->name, -1);
            if ((b = g_hash_table_lookup(codes, GUINT_TO_POINTER(a->code))))
                ok = fail(ld, RIODEV_ERROR_CONFLICT, ioctl_groups[j]->line, ioctl_groups[j]->name,
                          NULL, "code 0x%08X is also %s of %s (%s)", a->code, b->name, o->name,
                          o->path);
            else if (g_hash_table_contains(names, folded))
                ok = fail(ld, RIODEV_ERROR_CONFLICT, ioctl_groups[j]->line, ioctl_groups[j]->name,
                          NULL, "name also used by device %s (%s)", o->name, o->path);
            g_free(folded);
        }
        g_hash_table_unref(codes);
        g_hash_table_unref(names);
    }
    return ok;
}

/* Build ld->dev from the scanned groups, in an order that resolves every
 * reference: device, enum/flags, structs, ioctls. */
static bool build(loader *ld)
{
    riodev_device *d = &ld->dev->pub;
    const scan_group *dev_group = NULL;
    size_t counts[5] = {0};
    for (guint i = 0; i < ld->groups->len; i++) {
        const scan_group *g = g_ptr_array_index(ld->groups, i);
        group_kind kind;
        const char *ident;
        group_kind_of(g->name, &kind, &ident); /* the scan checked it */
        if (kind == G_DEVICE)
            dev_group = g;
        counts[kind]++;
    }
    if (!dev_group)
        return fail(ld, RIODEV_ERROR_SYNTAX, 0, NULL, NULL, "no [device] group");
    if (!load_device_group(ld, dev_group))
        return false;

    riodev_names *names = own(ld, g_new0(riodev_names, counts[G_ENUM] + counts[G_FLAGS]));
    riodev_struct *structs = own(ld, g_new0(riodev_struct, counts[G_STRUCT]));
    riodev_ioctl *ioctls = own(ld, g_new0(riodev_ioctl, counts[G_IOCTL]));
    const scan_group **struct_groups = g_new0(const scan_group *, counts[G_STRUCT] + 1);
    const scan_group **ioctl_groups = g_new0(const scan_group *, counts[G_IOCTL] + 1);
    d->names = names;
    d->structs = structs;
    d->ioctls = ioctls;
    bool ok = true;
    /* Pass 1: enum and flags; pass 2: structs; pass 3: ioctls.  Each pass
     * keeps file order, and counts grow as groups load, so the duplicate
     * checks below see only the earlier ones. */
    for (int pass = 1; ok && pass <= 3; pass++) {
        for (guint i = 0; ok && i < ld->groups->len; i++) {
            const scan_group *g = g_ptr_array_index(ld->groups, i);
            group_kind kind;
            const char *ident;
            group_kind_of(g->name, &kind, &ident);
            if (pass == 1 && (kind == G_ENUM || kind == G_FLAGS)) {
                if (g_hash_table_contains(ld->names_by_name, ident))
                    ok = fail(ld, RIODEV_ERROR_INVALID, g->line, g->name, NULL,
                              "%s is already an enum or flags group", ident);
                riodev_names *n = &names[d->names_count];
                n->name = intern(ld, ident);
                ok = ok && load_names_group(ld, g, n, kind == G_FLAGS);
                if (ok)
                    g_hash_table_insert(ld->names_by_name, (gpointer)n->name, n);
                d->names_count += ok;
            } else if (pass == 2 && kind == G_STRUCT) {
                riodev_struct *s = &structs[d->struct_count];
                s->name = intern(ld, ident);
                struct_groups[d->struct_count] = g;
                ok = load_struct_group(ld, g, s);
                if (ok)
                    g_hash_table_insert(ld->structs_by_name, (gpointer)s->name, s);
                d->struct_count += ok;
            } else if (pass == 3 && kind == G_IOCTL) {
                riodev_ioctl *io = &ioctls[d->ioctl_count];
                ioctl_groups[d->ioctl_count] = g;
                ok = load_ioctl_group(ld, g, ident, io);
                d->ioctl_count += ok;
            }
        }
    }
    ok = ok && index_filters(ld, struct_groups) && check_against_set(ld, dev_group, ioctl_groups);
    g_free(struct_groups);
    g_free(ioctl_groups);
    return ok;
}

bool riodev_set_add_data(riodev_set *set, const char *name, const char *data, size_t len,
                         GError **error)
{
    loader ld = {.path = name, .error = error, .set = set};
    if (len > RIODEV_FILE_MAX)
        return fail(&ld, RIODEV_ERROR_FILE, 0, NULL, NULL, "larger than %d bytes", RIODEV_FILE_MAX);
    if (memchr(data, '\0', len))
        return fail(&ld, RIODEV_ERROR_SYNTAX, 0, NULL, NULL, "holds a NUL byte");
    if (!g_utf8_validate(data, (gssize)len, NULL))
        return fail(&ld, RIODEV_ERROR_SYNTAX, 0, NULL, NULL, "not UTF-8 text");
    ld.groups = g_ptr_array_new_with_free_func(scan_group_free);
    ld.names_by_name = g_hash_table_new(g_str_hash, g_str_equal);
    ld.structs_by_name = g_hash_table_new(g_str_hash, g_str_equal);
    ld.ioctl_codes = g_hash_table_new(NULL, NULL);
    ld.kf = g_key_file_new();
    ld.dev = g_new0(dev_impl, 1);
    ld.dev->strings = g_string_chunk_new(1024);
    ld.dev->allocs = g_ptr_array_new_with_free_func(g_free);
    bool ok = scan(&ld, data, len);
    GError *kerr = NULL;
    if (ok && !g_key_file_load_from_data(ld.kf, data, len, G_KEY_FILE_NONE, &kerr)) {
        ok = fail(&ld, RIODEV_ERROR_SYNTAX, 0, NULL, NULL, "%s", kerr->message);
        g_error_free(kerr);
    }
    if (ok)
        ok = build(&ld);
    if (ok) {
        ld.dev->pub.path = intern(&ld, name);
        g_ptr_array_add(set->devices, ld.dev);
    } else {
        dev_free(ld.dev);
    }
    g_key_file_unref(ld.kf);
    g_ptr_array_unref(ld.groups);
    g_hash_table_unref(ld.names_by_name);
    g_hash_table_unref(ld.structs_by_name);
    g_hash_table_unref(ld.ioctl_codes);
    return ok;
}

bool riodev_set_add_file(riodev_set *set, const char *path, GError **error)
{
    loader ld = {.path = path, .error = error};
    struct stat st;
    if (stat(path, &st) != 0)
        return fail(&ld, RIODEV_ERROR_FILE, 0, NULL, NULL, "%s", g_strerror(errno));
    if (!S_ISREG(st.st_mode))
        return fail(&ld, RIODEV_ERROR_FILE, 0, NULL, NULL, "not a regular file");
    if (st.st_size > RIODEV_FILE_MAX)
        return fail(&ld, RIODEV_ERROR_FILE, 0, NULL, NULL, "larger than %d bytes", RIODEV_FILE_MAX);
    char *data;
    gsize len;
    GError *ferr = NULL;
    if (!g_file_get_contents(path, &data, &len, &ferr)) {
        fail(&ld, RIODEV_ERROR_FILE, 0, NULL, NULL, "%s", ferr->message);
        g_error_free(ferr);
        return false;
    }
    bool ok = riodev_set_add_data(set, path, data, len, error);
    g_free(data);
    return ok;
}

static int cmp_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

bool riodev_set_add_dir(riodev_set *set, const char *dir, GError **error)
{
    DIR *dp = opendir(dir);
    if (!dp) {
        g_set_error(error, RIODEV_ERROR, RIODEV_ERROR_FILE, "%s: %s", dir, g_strerror(errno));
        return false;
    }
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const struct dirent *de;
    while ((de = readdir(dp)))
        if (g_str_has_suffix(de->d_name, RIODEV_SUFFIX) && de->d_name[0] != '.')
            g_ptr_array_add(names, g_strdup(de->d_name));
    closedir(dp);
    g_ptr_array_sort(names, cmp_str);
    GString *errors = g_string_new(NULL);
    int code = 0;
    for (guint i = 0; i < names->len; i++) {
        char *path = g_build_filename(dir, g_ptr_array_index(names, i), NULL);
        GError *ferr = NULL;
        if (!riodev_set_add_file(set, path, &ferr)) {
            if (errors->len)
                g_string_append_c(errors, '\n');
            g_string_append(errors, ferr->message);
            code = errors->len == strlen(ferr->message) ? ferr->code : code;
            g_error_free(ferr);
        }
        g_free(path);
    }
    g_ptr_array_unref(names);
    bool ok = errors->len == 0;
    if (!ok)
        g_set_error_literal(error, RIODEV_ERROR, code, errors->str);
    g_string_free(errors, TRUE);
    return ok;
}

char **riodev_default_dirs(void)
{
    const char *env = g_getenv(RIODEV_PATH_ENV);
    GPtrArray *dirs = g_ptr_array_new();
    if (env) {
        char **parts = g_strsplit(env, G_SEARCHPATH_SEPARATOR_S, -1);
        for (char **p = parts; *p; p++)
            if (**p)
                g_ptr_array_add(dirs, g_strdup(*p));
        g_strfreev(parts);
    } else if (g_file_test(RIODEV_INSTALL_DIR, G_FILE_TEST_IS_DIR) || !*RIODEV_SOURCE_DIR) {
        g_ptr_array_add(dirs, g_strdup(RIODEV_INSTALL_DIR));
    } else {
        g_ptr_array_add(dirs, g_strdup(RIODEV_SOURCE_DIR));
    }
    g_ptr_array_add(dirs, NULL);
    return (char **)g_ptr_array_free(dirs, FALSE);
}

riodev_set *riodev_load_file(const char *path, GError **error)
{
    riodev_set *set = riodev_set_new();
    if (!riodev_set_add_file(set, path, error)) {
        riodev_free(set);
        return NULL;
    }
    return set;
}

riodev_set *riodev_load_dir(const char *dir, GError **error)
{
    riodev_set *set = riodev_set_new();
    if (!riodev_set_add_dir(set, dir, error)) {
        riodev_free(set);
        return NULL;
    }
    return set;
}

riodev_set *riodev_load_default(GError **error)
{
    char **dirs = riodev_default_dirs();
    riodev_set *set = riodev_set_new();
    for (char **d = dirs; *d; d++)
        if (!riodev_set_add_dir(set, *d, error)) {
            riodev_free(set);
            set = NULL;
            break;
        }
    g_strfreev(dirs);
    return set;
}

/* ---- Lookups ------------------------------------------------------------- */

const riodev_device *riodev_find_device(const riodev_set *set, const char *name)
{
    for (guint i = 0; i < set->devices->len; i++) {
        const riodev_device *d = g_ptr_array_index(set->devices, i);
        if (!strcmp(d->name, name))
            return d;
    }
    return NULL;
}

const riodev_device *riodev_find_device_by_type(const riodev_set *set, uint16_t device_type)
{
    for (guint i = 0; i < set->devices->len; i++) {
        const riodev_device *d = g_ptr_array_index(set->devices, i);
        if (d->device_type == device_type)
            return d;
    }
    return NULL;
}

const riodev_ioctl *riodev_find_ioctl(const riodev_set *set, uint32_t code)
{
    for (guint i = 0; i < set->devices->len; i++) {
        const riodev_device *d = g_ptr_array_index(set->devices, i);
        for (size_t j = 0; j < d->ioctl_count; j++)
            if (d->ioctls[j].code == code)
                return &d->ioctls[j];
    }
    return NULL;
}

const riodev_ioctl *riodev_find_ioctl_by_name(const riodev_set *set, const char *name,
                                              GError **error)
{
    const char *dot = strchr(name, '.');
    char *dev_name = dot ? g_strndup(name, dot - name) : NULL;
    const char *want = dot ? dot + 1 : name;
    const riodev_ioctl *found = NULL, *other = NULL;
    for (guint i = 0; i < set->devices->len; i++) {
        const riodev_device *d = g_ptr_array_index(set->devices, i);
        if (dev_name && strcmp(d->name, dev_name))
            continue;
        for (size_t j = 0; j < d->ioctl_count; j++) {
            const riodev_ioctl *io = &d->ioctls[j];
            if (!g_ascii_strcasecmp(io->name, want)) {
                g_free(dev_name);
                return io; /* a full name is unique in a set */
            }
            if (!g_ascii_strcasecmp(io->short_name, want) ||
                (g_ascii_strncasecmp(want, "IOCTL_", 6) == 0 &&
                 !g_ascii_strcasecmp(io->short_name, want + 6))) {
                if (found)
                    other = io;
                else
                    found = io;
            }
        }
    }
    g_free(dev_name);
    if (other) {
        g_set_error(error, RIODEV_ERROR, RIODEV_ERROR_LOOKUP,
                    "IOCTL %s is ambiguous: %s (%s) or %s (%s)", name, found->name,
                    found->device->name, other->name, other->device->name);
        return NULL;
    }
    if (!found)
        g_set_error(error, RIODEV_ERROR, RIODEV_ERROR_LOOKUP, "no described IOCTL is named %s",
                    name);
    return found;
}

const riodev_struct *riodev_find_struct(const riodev_device *dev, const char *name)
{
    return find_struct_in(dev, name);
}

const riodev_names *riodev_find_names(const riodev_device *dev, const char *name)
{
    return find_names_in(dev, name);
}

const char *riodev_names_lookup(const riodev_names *names, uint64_t value)
{
    for (size_t i = 0; i < names->count; i++)
        if (names->items[i].value == value)
            return names->items[i].name;
    return NULL;
}

/* Shared with riodev_codec.c. */
bool riodev__parse_int(const char *s, uint64_t *mag, bool *neg)
{
    return parse_int(s, mag, neg);
}
bool riodev__fit_int(riodev_type t, uint64_t mag, bool neg, uint64_t *bits)
{
    return fit_int(t, mag, neg, bits);
}
char *riodev__snake_case(const char *name)
{
    return snake_case(name);
}
