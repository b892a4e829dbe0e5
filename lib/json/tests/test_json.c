/* Unit tests: the shared JSON writer, member by member. */
#include <string.h>

#include "check.h"
#include "jsonw.h"

/* Runs `body` on an empty GString and checks what it wrote. */
#define WRITES(expected, body)                                   \
    do {                                                         \
        GString *g = g_string_new(NULL);                         \
        body;                                                    \
        if (strcmp(g->str, (expected)) != 0)                     \
            fprintf(stderr, "  wrote: %s\n", g->str);            \
        CHECK(strcmp(g->str, (expected)) == 0);                  \
        g_string_free(g, TRUE);                                  \
    } while (0)

static void members(void)
{
    WRITES("{\"a\":-1,\"b\":18446744073709551615,\"c\":true,\"d\":null,\"e\":1.500}", {
        g_string_append_c(g, '{');
        json_int(g, "a", -1);
        json_uint(g, "b", UINT64_MAX);
        json_bool(g, "c", TRUE);
        json_null(g, "d");
        json_double(g, "e", 1.5, 3);
        g_string_append_c(g, '}');
    });
    WRITES("\"s\":\"x\",\"n\":null,\"m\":null", {
        json_str(g, "s", "x");
        json_str(g, "n", NULL);
        json_str_ascii(g, "m", NULL);
    });
}

static void nesting(void)
{
    WRITES("{\"l\":[1,\"two\",{}],\"o\":{\"k\":0}}", {
        g_string_append_c(g, '{');
        json_open(g, "l", '[');
        json_uint(g, NULL, 1);
        json_str(g, NULL, "two");
        json_open(g, NULL, '{');
        json_close(g, '{');
        json_close(g, '[');
        json_open(g, "o", '{');
        json_uint(g, "k", 0);
        json_close(g, '{');
        g_string_append_c(g, '}');
    });
    WRITES("1,2", { json_sep(g); g_string_append(g, "1"); json_sep(g); g_string_append(g, "2"); });
}

/* Text keeps UTF-8; ascii turns every non-ASCII byte (and DEL) into \u00XX. */
static void escaping(void)
{
    const char text[] = "q\"b\\\n\x7f\xc3\xa9";
    WRITES("\"q\\\"b\\\\\\u000a\x7f\xc3\xa9\"", json_string(g, text, strlen(text)));
    WRITES("\"q\\\"b\\\\\\u000a\\u007f\\u00c3\\u00a9\"", json_string_ascii(g, text, strlen(text)));
    WRITES("\"a\\u0000b\"", json_string(g, "a\0b", 3));
}

static void bytes(void)
{
    WRITES("\"d\":\"ok\",\"d_hex\":\"6f6b\"", json_bytes(g, "d", (const uint8_t *)"ok", 2));
    WRITES("\"d\":null,\"d_hex\":\"ff00\"", json_bytes(g, "d", (const uint8_t *)"\xff\x00", 2));
}

int main(void)
{
    members();
    nesting();
    escaping();
    bytes();
    return check_report("test_json");
}
