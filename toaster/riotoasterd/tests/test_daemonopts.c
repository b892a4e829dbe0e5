/* Unit tests of the command-line value parsers. */
#include <glib.h>

#include "check.h"
#include "daemonopts.h"

static void check_list(const char *text, const uint32_t *want, size_t n)
{
    uint32_t *got;
    size_t count;
    char err[160];
    CHECK(parse_serial_list(text, &got, &count, err, sizeof err));
    CHECK_EQ(count, n);
    for (size_t i = 0; i < n && i < count; i++)
        CHECK_EQ(got[i], want[i]);
    g_free(got);
}

static void check_bad(const char *text)
{
    uint32_t *got = NULL;
    size_t count;
    char err[160] = "";
    CHECK(!parse_serial_list(text, &got, &count, err, sizeof err));
    CHECK(err[0] != '\0');
}

int main(void)
{
    check_list("1-8", (uint32_t[]){1, 2, 3, 4, 5, 6, 7, 8}, 8);
    check_list("1,3,5-7", (uint32_t[]){1, 3, 5, 6, 7}, 5);
    check_list("9,2", (uint32_t[]){2, 9}, 2);
    check_list("65535", (uint32_t[]){65535}, 1);
    const char *bad[] = {"", "0", "1-", "-3", "3-1", "1,,2", "1,1", "1-3,2", "x", "65536", "1 - 2", "+1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        check_bad(bad[i]);
    uint64_t ms;
    CHECK(parse_seconds("0.5", &ms) && ms == 500);
    CHECK(parse_seconds("10", &ms) && ms == 10000);
    CHECK(parse_seconds("0", &ms) && ms == 0);
    CHECK(!parse_seconds("-1", &ms));
    CHECK(!parse_seconds("abc", &ms));
    CHECK(!parse_seconds("", &ms));
    CHECK(!parse_seconds("nan", &ms));
    return check_report("test_daemonopts");
}
