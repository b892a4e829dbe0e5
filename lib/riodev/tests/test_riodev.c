/* test_riodev.c — libriodev: the shipped descriptions load and say what the
 * brief says, every bad description is refused with its one-line message,
 * encode and decode round-trip, and decoding stays inside any buffer (run
 * under ASan: the buffers are allocated at their exact length). */
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "rio/rio.h"
#include "riodev.h"

#define CHECK_STR(a, b)                                                                         \
    do {                                                                                        \
        const char *check_sa_ = (a), *check_sb_ = (b);                                          \
        check_count++;                                                                          \
        if (!check_sa_ || !check_sb_ || strcmp(check_sa_, check_sb_)) {                         \
            check_failures++;                                                                   \
            fprintf(stderr, "%s:%d: CHECK_STR failed: %s == %s (\"%s\" != \"%s\")\n", __FILE__, \
                    __LINE__, #a, #b, check_sa_ ? check_sa_ : "(null)",                         \
                    check_sb_ ? check_sb_ : "(null)");                                          \
        }                                                                                       \
    } while (0)

/* ---- The shipped descriptions -------------------------------------------- */

static riodev_set *shipped(void)
{
    GError *err = NULL;
    riodev_set *set = riodev_load_dir(RIODEV_DEVICES, &err);
    if (!set) {
        fprintf(stderr, "loading %s: %s\n", RIODEV_DEVICES, err->message);
        exit(1);
    }
    return set;
}

static void test_toaster(const riodev_set *set)
{
    const riodev_device *d = riodev_find_device(set, "toaster");
    CHECK(d != NULL);
    if (!d)
        return;
    CHECK_EQ(d->device_type, RIO_FILE_DEVICE_UNKNOWN);
    CHECK_EQ(d->read_data, RIODEV_DATA_BYTES);
    CHECK_EQ(d->ioctl_count, 5);
    const uint32_t codes[] = {RIO_IOCTL_TOASTER_GET_INFO, RIO_IOCTL_TOASTER_GET_STATUS,
                              RIO_IOCTL_TOASTER_SET_DARKNESS, RIO_IOCTL_TOASTER_START,
                              RIO_IOCTL_TOASTER_EJECT};
    for (size_t i = 0; i < 5; i++) {
        const riodev_ioctl *io = riodev_find_ioctl(set, codes[i]);
        CHECK(io && io->device == d);
    }
    const riodev_ioctl *info = riodev_find_ioctl(set, RIO_IOCTL_TOASTER_GET_INFO);
    CHECK_STR(info->name, "IOCTL_TOASTER_GET_INFO");
    CHECK_STR(info->short_name, "GET_INFO");
    CHECK_EQ(info->function, 0x800);
    CHECK_EQ(info->access, RIO_FILE_ANY_ACCESS);
    CHECK(info->input == NULL);
    CHECK_EQ(info->output->size, RIO_TOASTER_INFO_SIZE);
    CHECK(info->output_fixed && !info->input_exact && !info->may_pend);
    const riodev_field *model = &info->output->fields[4];
    CHECK_STR(model->name, "ModelName");
    CHECK_EQ(model->offset, RIO_TOASTER_INFO_OFF_MODEL);
    CHECK_EQ(model->size, RIO_TOASTER_MODEL_SIZE);
    CHECK_STR(info->output->fields[0].filter, "rio.dev.toaster.serial_number");
    CHECK_STR(info->output->fields[2].filter, "rio.dev.toaster.max_load_bytes");

    const riodev_ioctl *dark = riodev_find_ioctl(set, RIO_IOCTL_TOASTER_SET_DARKNESS);
    CHECK_EQ(dark->access, RIO_FILE_WRITE_ACCESS);
    CHECK_EQ(dark->input->size, RIO_TOASTER_DARKNESS_INPUT_SIZE);
    CHECK(dark->input_exact && !dark->output_fixed && dark->output == NULL);
    const riodev_field *fd = &dark->input->fields[0];
    CHECK(fd->has_range && fd->range_lo == RIO_TOASTER_DARKNESS_MIN &&
          fd->range_hi == RIO_TOASTER_DARKNESS_MAX);

    const riodev_struct *status = riodev_find_struct(d, "TOASTER_STATUS");
    CHECK_EQ(status->size, RIO_TOASTER_STATUS_SIZE);
    CHECK_EQ(status->fields[1].offset, RIO_TOASTER_STATUS_OFF_DARKNESS);
    /* Darkness of GET_STATUS and of SET_DARKNESS is one filter field. */
    CHECK_EQ(status->fields[1].filter_index, fd->filter_index);
    CHECK_STR(d->filters[fd->filter_index]->filter, "rio.dev.toaster.darkness");
    const riodev_names *state = status->fields[0].names;
    CHECK(state && !state->is_flags);
    CHECK_STR(riodev_names_lookup(state, RIO_TOASTER_STATE_TOASTING), "TOASTING");
    /* 5 + 6 + 1 fields, Darkness twice */
    CHECK_EQ(d->filter_count, 11);
}

static void test_serial(const riodev_set *set)
{
    const riodev_device *d = riodev_find_device(set, "serial");
    CHECK(d != NULL);
    if (!d)
        return;
    CHECK_EQ(d->device_type, 0x1B);
    CHECK_EQ(d->read_data, RIODEV_DATA_TEXT);
    CHECK_EQ(d->write_data, RIODEV_DATA_TEXT);
    CHECK_EQ(d->ioctl_count, 14);
    for (size_t i = 0; i < d->ioctl_count; i++) {
        const riodev_ioctl *io = &d->ioctls[i];
        CHECK_EQ(io->method, RIO_METHOD_BUFFERED);
        CHECK_EQ(io->access, RIO_FILE_ANY_ACCESS);
        CHECK_EQ(io->code, RIO_CTL_CODE(0x1B, io->function, 0, 0));
        /* Every output is fixed, so every one gets BUFFER_TOO_SMALL below it. */
        CHECK(io->output_fixed == (io->output != NULL));
    }
    GError *err = NULL;
    const riodev_ioctl *baud = riodev_find_ioctl_by_name(set, "SET_BAUD_RATE", &err);
    CHECK(baud && baud->code == 0x001B0004 && baud->input->size == 4);
    CHECK(riodev_find_ioctl_by_name(set, "serial.set_baud_rate", NULL) == baud);
    CHECK(riodev_find_ioctl_by_name(set, "IOCTL_SERIAL_SET_BAUD_RATE", NULL) == baud);
    CHECK(riodev_find_ioctl_by_name(set, "ioctl_set_baud_rate", NULL) == baud);
    CHECK(riodev_find_ioctl_by_name(set, "toaster.SET_BAUD_RATE", &err) == NULL);
    CHECK(err && err->code == RIODEV_ERROR_LOOKUP && strstr(err->message, "no described IOCTL"));
    g_clear_error(&err);
    const riodev_ioctl *wait = riodev_find_ioctl(set, 0x001B0048);
    CHECK_STR(wait->short_name, "WAIT_ON_MASK");
    CHECK(wait->may_pend);
    CHECK_EQ(riodev_find_struct(d, "SERIAL_LINE_CONTROL")->size, 3);
    CHECK_EQ(riodev_find_struct(d, "SERIAL_TIMEOUTS")->size, 20);
    const riodev_struct *st = riodev_find_struct(d, "SERIAL_STATUS");
    CHECK_EQ(st->size, 20);
    CHECK_EQ(st->fields[6].type, RIODEV_PAD);
    CHECK(st->fields[6].filter == NULL && st->fields[6].filter_index == -1);
    CHECK_EQ(st->fields[4].offset, 16);
    const riodev_names *err_flags = riodev_find_names(d, "SERIAL_ERROR");
    CHECK(err_flags && err_flags->is_flags);
    CHECK_STR(riodev_names_lookup(err_flags, 0x08), "QUEUEOVERRUN");
    CHECK(riodev_find_device_by_type(set, 0x1B) == d);
    CHECK(riodev_find_device_by_type(set, 0x99) == NULL);
}

/* ---- Bad descriptions ---------------------------------------------------- */

/* devices/tests/bad-cases.txt: "=== <message>" then the description's
 * lines, per case; pyrio/devdesc.py is tested on the same file. */
static void test_bad_descriptions(void)
{
    char *cases;
    gsize len;
    CHECK(g_file_get_contents(RIODEV_TESTS "/bad-cases.txt", &cases, &len, NULL));
    char **parts = g_strsplit(cases, "\n=== ", -1);
    int n = 0;
    for (char **p = parts + 1; *p; p++, n++) {
        char *nl = strchr(*p, '\n');
        char *message = g_strndup(*p, nl ? (size_t)(nl - *p) : strlen(*p));
        const char *text = nl ? nl + 1 : "";
        riodev_set *set = riodev_set_new();
        GError *err = NULL;
        /* The case ends before the next "\n===": its last line keeps its \n. */
        char *full = p[1] ? g_strconcat(text, "\n", NULL) : g_strdup(text);
        if (!*text)
            full[0] = '\0';
        bool ok = riodev_set_add_data(set, "bad.riodev", full, strlen(full), &err);
        CHECK(!ok);
        CHECK_EQ(riodev_device_count(set), 0);
        if (err) {
            char *want = g_strconcat("bad.riodev", message, NULL);
            CHECK_STR(err->message, want);
            CHECK(strchr(err->message, '\n') == NULL);
            g_free(want);
            g_error_free(err);
        }
        riodev_free(set);
        g_free(full);
        g_free(message);
    }
    CHECK(n >= 80);
    g_strfreev(parts);
    g_free(cases);
    /* Bytes the text file does not hold: a NUL, and not UTF-8. */
    static const struct {
        const char *text;
        size_t len;
        const char *message;
    } bytes[] = {
        {"[device]\nName=d\0\n", sizeof("[device]\nName=d\0\n") - 1,
         "bad.riodev: holds a NUL byte"},
        {"[device]\nName=d\xff\n", sizeof("[device]\nName=d\xff\n") - 1,
         "bad.riodev: not UTF-8 text"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bytes); i++) {
        riodev_set *set = riodev_set_new();
        GError *err = NULL;
        CHECK(!riodev_set_add_data(set, "bad.riodev", bytes[i].text, bytes[i].len, &err));
        CHECK(err && !strcmp(err->message, bytes[i].message));
        g_clear_error(&err);
        riodev_free(set);
    }
}
/* Clashes between files of one set; the set keeps the first. */
static void test_conflicts(void)
{
    static const struct {
        const char *text, *message;
    } cases[] = {
        {"[device]\nName=a\nDeviceType=0x22\n",
         "two.riodev:2: [device] Name: device a is already described by one.riodev"},
        {"[device]\nName=b\nDeviceType=0x22\n[ioctl IOCTL_B_X]\nFunction=0x800\n",
         "two.riodev:4: [ioctl IOCTL_B_X]: code 0x00222000 is also IOCTL_A_X of a (one.riodev)"},
        {"[device]\nName=b\nDeviceType=0x22\n[ioctl ioctl_a_x]\nFunction=0x801\n",
         "two.riodev:4: [ioctl ioctl_a_x]: name also used by device a (one.riodev)"},
    };
    const char *one = "[device]\nName=a\nDeviceType=0x22\n[ioctl IOCTL_A_X]\nFunction=0x800\n";
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        riodev_set *set = riodev_set_new();
        GError *err = NULL;
        CHECK(riodev_set_add_data(set, "one.riodev", one, strlen(one), NULL));
        CHECK(!riodev_set_add_data(set, "two.riodev", cases[i].text, strlen(cases[i].text), &err));
        CHECK(err && err->code == RIODEV_ERROR_CONFLICT);
        if (err)
            CHECK_STR(err->message, cases[i].message);
        g_clear_error(&err);
        CHECK_EQ(riodev_device_count(set), 1);
        riodev_free(set);
    }
    /* Same DeviceType, other codes: fine.  A short name in two devices is
     * ambiguous, the qualified one is not. */
    riodev_set *set = riodev_set_new();
    const char *two = "[device]\nName=b\nDeviceType=0x22\n[ioctl IOCTL_B_X]\nFunction=0x801\n";
    CHECK(riodev_set_add_data(set, "one.riodev", one, strlen(one), NULL));
    CHECK(riodev_set_add_data(set, "two.riodev", two, strlen(two), NULL));
    GError *err = NULL;
    CHECK(riodev_find_ioctl_by_name(set, "X", &err) == NULL);
    CHECK(err && !strcmp(err->message, "IOCTL X is ambiguous: IOCTL_A_X (a) or IOCTL_B_X (b)"));
    g_clear_error(&err);
    const riodev_ioctl *bx = riodev_find_ioctl_by_name(set, "b.X", NULL);
    CHECK(bx && bx->code == 0x00222004);
    riodev_free(set);
}

/* Files and directories: missing, not regular, too big, a folder with good
 * and bad files. */
static void test_files(void)
{
    char *dir = g_dir_make_tmp("riodev-XXXXXX", NULL);
    CHECK(dir != NULL);
    GError *err = NULL;
    char *missing = g_build_filename(dir, "missing.riodev", NULL);
    CHECK(riodev_load_file(missing, &err) == NULL);
    CHECK(err && err->code == RIODEV_ERROR_FILE &&
          g_str_has_suffix(err->message, ": No such file or directory"));
    g_clear_error(&err);
    CHECK(riodev_load_file(dir, &err) == NULL);
    CHECK(err && g_str_has_suffix(err->message, ": not a regular file"));
    g_clear_error(&err);

    char *big = g_build_filename(dir, "big.riodev", NULL);
    FILE *f = fopen(big, "w");
    CHECK(f && ftruncate(fileno(f), RIODEV_FILE_MAX + 1) == 0);
    fclose(f);
    CHECK(riodev_load_file(big, &err) == NULL);
    CHECK(err && g_str_has_suffix(err->message, ": larger than 1048576 bytes"));
    g_clear_error(&err);
    g_unlink(big);

    const char *good =
        "[device]\nName=good\nDeviceType=0x22\n[ioctl IOCTL_GOOD_X]\nFunction=0x900\n";
    const char *bad1 = "[device]\nName=bad1\n";
    const char *bad2 = "[device]\nName=bad2\nDeviceType=0x22\nWho=me\n";
    const char *names[] = {"a.riodev", "b.riodev", "c.riodev", "ignored.txt"};
    const char *texts[] = {bad1, good, bad2, bad1};
    for (int i = 0; i < 4; i++) {
        char *p = g_build_filename(dir, names[i], NULL);
        CHECK(g_file_set_contents(p, texts[i], -1, NULL));
        g_free(p);
    }
    riodev_set *set = riodev_set_new();
    CHECK(!riodev_set_add_dir(set, dir, &err));
    CHECK_EQ(riodev_device_count(set), 1);
    CHECK(riodev_find_device(set, "good") != NULL);
    if (err) {
        char **lines = g_strsplit(err->message, "\n", -1);
        CHECK_EQ(g_strv_length(lines), 2);
        CHECK(g_str_has_suffix(lines[0], "/a.riodev:1: [device]: missing key DeviceType"));
        CHECK(g_str_has_suffix(lines[1], "/c.riodev:4: [device] Who: unknown key"));
        g_strfreev(lines);
    }
    g_clear_error(&err);
    riodev_free(set);
    /* riodev_load_dir is strict. */
    CHECK(riodev_load_dir(dir, &err) == NULL);
    g_clear_error(&err);
    CHECK(riodev_load_dir(missing, &err) == NULL);
    CHECK(err && g_str_has_suffix(err->message, "missing.riodev: No such file or directory"));
    g_clear_error(&err);

    for (int i = 0; i < 4; i++) {
        char *p = g_build_filename(dir, names[i], NULL);
        g_unlink(p);
        g_free(p);
    }
    g_rmdir(dir);
    g_free(missing);
    g_free(big);
    g_free(dir);
}

static void test_default_dirs(void)
{
    const char *saved = g_getenv(RIODEV_PATH_ENV);
    char *keep = g_strdup(saved);
    g_setenv(RIODEV_PATH_ENV, "/x::/y", TRUE);
    char **dirs = riodev_default_dirs();
    CHECK(g_strv_length(dirs) == 2 && !strcmp(dirs[0], "/x") && !strcmp(dirs[1], "/y"));
    g_strfreev(dirs);
    g_unsetenv(RIODEV_PATH_ENV);
    dirs = riodev_default_dirs();
    CHECK_EQ(g_strv_length(dirs), 1);
    g_strfreev(dirs);
    g_setenv(RIODEV_PATH_ENV, RIODEV_DEVICES, TRUE);
    GError *err = NULL;
    riodev_set *set = riodev_load_default(&err);
    CHECK(set && riodev_find_device(set, "toaster") && riodev_find_device(set, "serial"));
    riodev_free(set);
    if (keep)
        g_setenv(RIODEV_PATH_ENV, keep, TRUE);
    else
        g_unsetenv(RIODEV_PATH_ENV);
    g_free(keep);
}

/* ---- Encode and decode --------------------------------------------------- */

typedef struct collected {
    int n;
    const riodev_field *fields[32];
    uint64_t u[32];
    char *text[32];
    bool in_range[32];
    size_t size[32];
} collected;

static bool collect(const riodev_value *v, void *user)
{
    collected *c = user;
    if (c->n < 32) {
        c->fields[c->n] = v->field;
        c->u[c->n] = v->u;
        c->text[c->n] = riodev_value_text(v);
        c->in_range[c->n] = v->in_range;
        c->size[c->n] = v->size;
        c->n++;
    }
    return true;
}

static void collected_free(collected *c)
{
    for (int i = 0; i < c->n; i++)
        g_free(c->text[i]);
    c->n = 0;
}

/* Encode assignments into s, check the hex, decode and check the texts. */
static void round_trip(const riodev_struct *s, const char *const *assign, unsigned flags,
                       const char *hex, const char *const *texts)
{
    GByteArray *out = g_byte_array_new();
    GError *err = NULL;
    bool ok = riodev_encode(s, assign, flags, out, &err);
    CHECK(ok);
    if (!ok) {
        fprintf(stderr, "  encode %s: %s\n", s->name, err->message);
        g_error_free(err);
        g_byte_array_unref(out);
        return;
    }
    GString *h = g_string_new(NULL);
    for (guint i = 0; i < out->len; i++)
        g_string_append_printf(h, "%02x", out->data[i]);
    CHECK_STR(h->str, hex);
    g_string_free(h, TRUE);
    collected c = {0};
    size_t used = riodev_decode(s, out->data, out->len, collect, &c);
    CHECK_EQ(used, out->len);
    CHECK_EQ(c.n, s->field_count);
    for (int i = 0; texts[i]; i++)
        CHECK_STR(i < c.n ? c.text[i] : NULL, texts[i]);
    collected_free(&c);
    g_byte_array_unref(out);
}

static void encode_fails(const riodev_struct *s, const char *const *assign, const char *message)
{
    GByteArray *out = g_byte_array_new();
    GError *err = NULL;
    CHECK(!riodev_encode(s, assign, 0, out, &err));
    CHECK_EQ(out->len, 0);
    CHECK(err && err->code == RIODEV_ERROR_ENCODE);
    if (err)
        CHECK_STR(err->message, message);
    g_clear_error(&err);
    g_byte_array_unref(out);
}

#define A(...) ((const char *const[]){__VA_ARGS__, NULL})

static void test_codec_shipped(const riodev_set *set)
{
    const riodev_device *t = riodev_find_device(set, "toaster"),
                        *s = riodev_find_device(set, "serial");
    const riodev_struct *info = riodev_find_struct(t, "TOASTER_INFO");
    round_trip(info,
               A("SerialNumber=7", "capacity=2", "max_load_bytes=4096",
                 "FirmwareVersion=0x00010000", "ModelName=RIO \"Toaster\""),
               0,
               "0700000002000000001000000000010052494f2022546f6173746572220000000000000000000000000"
               "0000000000000",
               A("7", "2", "4096", "0x00010000", "\"RIO \\\"Toaster\\\"\""));
    const riodev_struct *status = riodev_find_struct(t, "TOASTER_STATUS");
    round_trip(status, A("State=toasting", "Darkness=10", "ToastCount=0xFFFFFFFF"), 0,
               "020000000a0000000000000000000000ffffffff00000000",
               A("TOASTING (2)", "10", "0", "0", "4294967295", "0"));
    round_trip(status, A("State=TOASTER_STATE_READY", "Darkness=0"), RIODEV_ENCODE_UNCHECKED,
               "030000000000000000000000000000000000000000000000", A("READY (3)", "0"));
    round_trip(status, A("State=9", "Darkness=1"), 0,
               "090000000100000000000000000000000000000000000000", A("unknown (9)", "1"));
    const riodev_struct *dark = riodev_find_struct(t, "TOASTER_DARKNESS_INPUT");
    encode_fails(dark, A("Darkness=11"), "Darkness=11: outside 1..10");
    encode_fails(dark, A("Darkness=0"), "Darkness=0: outside 1..10");
    encode_fails(dark, A("Darkness=dark"), "Darkness=dark: 'dark' is not a number");
    encode_fails(dark, A("Darkness=0x100000000"), "Darkness=0x100000000: does not fit u32");
    encode_fails(dark, A("Darkness=-1"), "Darkness=-1: does not fit u32");
    encode_fails(dark, A("Darkness=5", "darkness=6"), "Darkness is assigned twice");
    encode_fails(dark, A("Lightness=5"),
                 "TOASTER_DARKNESS_INPUT has no field Lightness (fields: Darkness)");
    encode_fails(dark, A("Darkness"), "'Darkness' is not Field=value");
    encode_fails(status, A("State=BURNT"),
                 "State=BURNT: 'BURNT' is not a number or a value of TOASTER_STATE");
    encode_fails(info, A("ModelName=123456789012345678901234567890123"),
                 "ModelName: 33 bytes, the field holds 32");

    const riodev_struct *lc = riodev_find_struct(s, "SERIAL_LINE_CONTROL");
    round_trip(lc, A("StopBits=STOP_BITS_2", "Parity=even_parity", "WordLength=7"), 0, "020207",
               A("STOP_BITS_2 (2)", "EVEN_PARITY (2)", "7"));
    encode_fails(lc, A("WordLength=9"), "WordLength=9: outside 5..8");
    encode_fails(lc, A("WordLength=256"), "WordLength=256: does not fit u8");
    const riodev_struct *mask = riodev_find_struct(s, "SERIAL_WAIT_MASK");
    round_trip(mask, A("WaitMask=RXCHAR | serial_ev_dsr | 0x8000"), 0, "11800000",
               A("RXCHAR|DSR|0x8000 (0x00008011)"));
    round_trip(mask, A("WaitMask=0"), 0, "00000000", A("none (0x00000000)"));
    encode_fails(mask, A("WaitMask=RXCHAR|RXFULL"),
                 "WaitMask=RXCHAR|RXFULL: 'RXFULL' is not a number or a flag of SERIAL_EV");
    const riodev_struct *st = riodev_find_struct(s, "SERIAL_STATUS");
    round_trip(st, A("Errors=QUEUEOVERRUN", "AmountInInQueue=4096", "EofReceived=TRUE"), 0,
               "0800000000000000001000000000000001000000",
               A("QUEUEOVERRUN (0x00000008)", "none (0x00000000)", "4096", "0", "TRUE (1)",
                 "FALSE (0)", "0000"));
    encode_fails(st, A("Padding=0000"), "Padding is padding, always zero");
}

/* devices/tests/widget.riodev: every type, signed values, hex, variable
 * tails; a device made up for the tests. */
static riodev_set *widget(void)
{
    GError *err = NULL;
    riodev_set *set = riodev_load_file(RIODEV_TESTS "/widget.riodev", &err);
    if (!set) {
        fprintf(stderr, "widget: %s\n", err->message);
        exit(1);
    }
    return set;
}

static void test_codec_widget(void)
{
    riodev_set *set = widget();
    /* GLib's escapes in a value */
    CHECK_STR(riodev_find_device(set, "widget")->description, "Test widget \\ and\ttab\nline");
    const riodev_ioctl *put = riodev_find_ioctl_by_name(set, "PUT", NULL);
    CHECK(put && put->code ==
                     RIO_CTL_CODE(0x8001, 0x900, RIO_METHOD_IN_DIRECT, RIO_FILE_READ_WRITE_ACCESS));
    CHECK_STR(riodev_method_name(put->method), "METHOD_IN_DIRECT");
    CHECK_STR(riodev_access_name(put->access), "FILE_READ_WRITE_ACCESS");
    const riodev_struct *all = put->input;
    CHECK_EQ(all->size, 1 + 2 + 4 + 8 + 1 + 2 + 4 + 8 + 4 + 3 + 1);
    round_trip(all,
               A("A=255", "B=0xBEEF", "C=4294967295", "D=18446744073709551615", "E=-128", "F=-2",
                 "G=-5", "H=-9223372036854775808", "Name=abcd", "Raw=01:02 ff"),
               0,
               "ffefbeffffffffffffffffffffffff80feff"
               "fbffffff"
               "0000000000000080"
               "61626364"
               "0102ff"
               "00",
               A("255", "0xBEEF", "4294967295", "18446744073709551615", "-128", "0xFFFE", "-5",
                 "-9223372036854775808", "\"abcd\"", "0102ff", "00"));
    encode_fails(all, A("G=6"), "G=6: outside -5..5");
    encode_fails(all, A("E=128"), "E=128: does not fit i8");
    encode_fails(all, A("E=-129"), "E=-129: does not fit i8");
    encode_fails(all, A("Raw=0102030405"), "Raw: 5 bytes, the field holds 3");
    encode_fails(all, A("Raw=0x12"), "Raw=0x12: not hex bytes");
    encode_fails(all, A("Raw=123"), "Raw=123: not hex bytes");

    const riodev_ioctl *note = riodev_find_ioctl_by_name(set, "widget.NOTE", NULL);
    CHECK(note && note->input->variable && note->input->size == 2 && !note->output_fixed &&
          !note->input_exact);
    round_trip(note->input, A("Len=5", "Text=hi\001\\"), 0,
               "0500"
               "6869015c",
               A("5", "\"hi\\x01\\\\\""));
    round_trip(note->input, A("Len=0"), 0, "0000", A("0", "\"\""));
    round_trip(note->output, A("Blob=00ff"), 0, "00ff", A("00ff"));
    round_trip(note->output, A("Blob="), 0, "", A(""));
    collected none = {0};
    CHECK_EQ(riodev_decode(note->output, NULL, 0, collect, &none), 0);
    CHECK(none.n == 1 && none.size[0] == 0);
    collected_free(&none);
    /* A decoded value out of its range says so. */
    uint8_t buf[40] = {0};
    buf[18] = 9; /* G = 9 */
    collected c = {0};
    riodev_decode(all, buf, all->size, collect, &c);
    CHECK(c.n == 11 && !c.in_range[6] && c.in_range[5]);
    collected_free(&c);
    riodev_free(set);
}

/* ---- Bounds -------------------------------------------------------------- */

static bool stop_after_two(const riodev_value *v, void *user)
{
    (void)v;
    return ++*(int *)user < 2;
}

/* For every length 0..size+3 of an exact-size heap copy: the fields
 * reported are exactly those wholly inside it, never a byte beyond. */
static void check_bounds(const riodev_struct *s, GRand *rng)
{
    size_t max = s->size + 3;
    for (size_t len = 0; len <= max; len++) {
        uint8_t *buf = g_malloc(len ? len : 1);
        for (size_t i = 0; i < len; i++)
            buf[i] = (uint8_t)g_rand_int(rng);
        collected c = {0};
        size_t used = riodev_decode(s, buf, len, collect, &c);
        int want = 0;
        while ((size_t)want < s->field_count &&
               s->fields[want].offset + s->fields[want].size <= len)
            want++;
        CHECK_EQ(c.n, want);
        CHECK(used <= len);
        for (int i = 0; i < c.n; i++)
            CHECK(c.fields[i]->offset + c.size[i] <= len);
        collected_free(&c);
        g_free(buf);
    }
    int calls = 0;
    uint8_t *buf = g_malloc0(s->size + 1);
    riodev_decode(s, buf, s->size, stop_after_two, &calls);
    CHECK(calls <= 2);
    g_free(buf);
}

static void test_bounds(const riodev_set *set)
{
    GRand *rng = g_rand_new_with_seed(13);
    riodev_set *w = widget();
    const riodev_set *sets[] = {set, w};
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < riodev_device_count(sets[k]); i++) {
            const riodev_device *d = riodev_device_at(sets[k], i);
            for (size_t j = 0; j < d->struct_count; j++)
                for (int rep = 0; rep < 50; rep++)
                    check_bounds(&d->structs[j], rng);
        }
    CHECK(riodev_decode(&riodev_device_at(set, 0)->structs[0], NULL, 0, collect, NULL) == 0);
    riodev_free(w);
    g_rand_free(rng);
}

/* Random mutations of the shipped files: loading never crashes, and either
 * succeeds or says why in one line. */
static void test_mutations(void)
{
    char *text;
    gsize len;
    GRand *rng = g_rand_new_with_seed(7);
    const char *files[] = {RIODEV_DEVICES "/toaster.riodev", RIODEV_DEVICES "/serial.riodev",
                           RIODEV_TESTS "/widget.riodev"};
    int loaded = 0, refused = 0;
    for (size_t f = 0; f < G_N_ELEMENTS(files); f++) {
        CHECK(g_file_get_contents(files[f], &text, &len, NULL));
        for (int rep = 0; rep < 400; rep++) {
            char *m = g_memdup2(text, len);
            size_t mlen = len;
            int edits = 1 + g_rand_int_range(rng, 0, 4);
            for (int e = 0; e < edits && mlen > 0; e++) {
                size_t at = (size_t)g_rand_int_range(rng, 0, (gint32)mlen);
                static const char pool[] = "=[];:.\n#\\xX09azAZ_ \t-";
                switch (g_rand_int_range(rng, 0, 3)) {
                case 0:
                    m[at] = pool[g_rand_int_range(rng, 0, sizeof(pool) - 1)];
                    break;
                case 1:
                    m[at] = (char)g_rand_int_range(rng, 1, 256);
                    break;
                default:
                    mlen = at;
                    break; /* truncate */
                }
            }
            riodev_set *set = riodev_set_new();
            GError *err = NULL;
            if (riodev_set_add_data(set, "mutant.riodev", m, mlen, &err)) {
                loaded++;
            } else {
                refused++;
                CHECK(err && strchr(err->message, '\n') == NULL &&
                      g_str_has_prefix(err->message, "mutant.riodev"));
                g_clear_error(&err);
            }
            riodev_free(set);
            g_free(m);
        }
        g_free(text);
    }
    CHECK(loaded > 0 && refused > 0);
    g_rand_free(rng);
}

int main(void)
{
    riodev_set *set = shipped();
    CHECK_EQ(riodev_device_count(set), 2);
    test_toaster(set);
    test_serial(set);
    test_bad_descriptions();
    test_conflicts();
    test_files();
    test_default_dirs();
    test_codec_shipped(set);
    test_codec_widget();
    test_bounds(set);
    test_mutations();
    riodev_free(set);
    return check_report("test_riodev");
}
