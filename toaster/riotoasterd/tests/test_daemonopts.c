/* Unit tests of the command-line value parsers. */
#include <glib.h>
#include <string.h>

#include "check.h"
#include "daemonopts.h"
#include "devmodel.h"

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

/* --device KIND:SERIALS[:ARG]: the kind, the list and the argument; a
 * tty's path may hold colons. */
static void check_device(const char *text, const device_ops *want, const char *list, const char *arg)
{
    const device_ops *ops;
    char *l, *a, err[200] = "";
    bool ok = parse_device_spec(text, &ops, &l, &a, err, sizeof err);
    CHECK(ok == (want != NULL));
    if (ok && want) {
        CHECK(ops == want);
        CHECK(l && strcmp(l, list) == 0);
        CHECK(arg ? a && strcmp(a, arg) == 0 : a == NULL);
    }
    if (!ok)
        CHECK(err[0] != '\0');
    g_free(l);
    g_free(a);
}

static void test_device_specs(void)
{
    check_device("toaster:1-2", &devmodel_toaster, "1-2", NULL);
    check_device("modem:3", &devmodel_modem, "3", NULL);
    check_device("tty:4:/dev/ttyUSB0", &devmodel_tty, "4", "/dev/ttyUSB0");
    check_device("tty:5:/dev/serial/by-path/pci-0000:00:14.0", &devmodel_tty, "5",
                 "/dev/serial/by-path/pci-0000:00:14.0");
    check_device("tty:4", NULL, NULL, NULL);     /* a tty needs its path */
    check_device("tty:4:", NULL, NULL, NULL);
    check_device("modem:3:x", NULL, NULL, NULL); /* a modem takes none */
    check_device("fax:1", NULL, NULL, NULL);
    check_device("modem", NULL, NULL, NULL);
    check_device(":1", NULL, NULL, NULL);
    CHECK(devmodel_find("tty") == &devmodel_tty);
    CHECK(devmodel_find("Toaster") == NULL);
}

int main(void)
{
    test_device_specs();
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
