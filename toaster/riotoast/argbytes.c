/* argbytes.c — arguments to bytes and numbers (see argbytes.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argbytes.h"
#include "rio/rio.h"
#include "riotoast.h"

/* Read a stream to its end, refusing more than RIO_DATA_MAX bytes. */
static GByteArray *read_stream(FILE *f, const char *name, char **err, int *code)
{
    GByteArray *buf = g_byte_array_new();
    uint8_t chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (buf->len + n > RIO_DATA_MAX) {
            *err = g_strdup_printf("%s: more than %u bytes", name, RIO_DATA_MAX);
            *code = RT_EXIT_USAGE;
            g_byte_array_free(buf, TRUE);
            return NULL;
        }
        g_byte_array_append(buf, chunk, (guint)n);
    }
    if (ferror(f)) {
        *err = g_strdup_printf("%s: %s", name, strerror(errno));
        *code = RT_EXIT_LOCAL;
        g_byte_array_free(buf, TRUE);
        return NULL;
    }
    return buf;
}

GByteArray *input_bytes(const char *arg, char **err, int *code)
{
    if (arg[0] != '@') {
        size_t len = strlen(arg);
        if (len > RIO_DATA_MAX) {
            *err = g_strdup_printf("text longer than %u bytes", RIO_DATA_MAX);
            *code = RT_EXIT_USAGE;
            return NULL;
        }
        return g_byte_array_append(g_byte_array_new(), (const guint8 *)arg, (guint)len);
    }
    const char *path = arg + 1;
    if (strcmp(path, "-") == 0)
        return read_stream(stdin, "standard input", err, code);
    FILE *f = fopen(path, "rb");
    if (!f) {
        *err = g_strdup_printf("cannot open %s: %s", path, strerror(errno));
        *code = RT_EXIT_LOCAL;
        return NULL;
    }
    GByteArray *buf = read_stream(f, path, err, code);
    fclose(f);
    return buf;
}

GByteArray *input_hex(const char *hex, char **err)
{
    GByteArray *buf = g_byte_array_new();
    const char *p = hex;
    while (*p) {
        if (*p == ' ' || *p == ':') {
            p++;
            continue;
        }
        int hi = g_ascii_xdigit_value(p[0]);
        int lo = p[1] ? g_ascii_xdigit_value(p[1]) : -1;
        if (hi < 0 || lo < 0) {
            *err = g_strdup_printf("bad hex at \"%.8s\"", p);
            g_byte_array_free(buf, TRUE);
            return NULL;
        }
        guint8 byte = (guint8)(hi << 4 | lo);
        g_byte_array_append(buf, &byte, 1);
        p += 2;
    }
    return buf;
}

bool input_u32(const char *s, uint32_t *out)
{
    if (!s || !*s || *s == '-' || *s == '+' || g_ascii_isspace(*s))
        return false;
    /* Base 10 or 0x: a leading zero is not octal here. */
    int base = (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ? 16 : 10;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, base);
    if (*end || errno || v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}
