/* compare.c — field-by-field comparison of two PDUs (see compare.h). */
#include <stdio.h>
#include <string.h>

#include "compare.h"
#include "names.h"

RR_DEFINE_NAMES(rr_field_name, rr_field, RR_FIELD_COUNT, RR_FIELD_TABLE)

static const struct { const char *alias; rr_field field; } aliases[] = {
    {"sequence", RR_FIELD_SEQUENCE},       {"majorfunction", RR_FIELD_MAJOR},
    {"data_length", RR_FIELD_LENGTH},      {"response_length", RR_FIELD_LENGTH},
    {"request_length", RR_FIELD_LENGTH},   {"lengths", RR_FIELD_LENGTH},
    {"iocontrolcode", RR_FIELD_IOCTL},     {"outputlength", RR_FIELD_OUTPUT_LENGTH},
    {"headerlength", RR_FIELD_HEADER_LENGTH}, {"data_sha256", RR_FIELD_DATA},
};

bool rr_field_parse(const char *s, rr_field *out)
{
    if (g_str_has_prefix(s, "rio."))
        s += 4;
    for (int f = 0; f < RR_FIELD_COUNT; f++)
        if (g_ascii_strcasecmp(s, rr_field_name((rr_field)f)) == 0) {
            *out = (rr_field)f;
            return true;
        }
    for (size_t i = 0; i < G_N_ELEMENTS(aliases); i++)
        if (g_ascii_strcasecmp(s, aliases[i].alias) == 0) {
            *out = aliases[i].field;
            return true;
        }
    return false;
}

typedef struct word {
    rr_field field;
    unsigned off, size;
} word;

/* Header words in the order they are reported. */
static const word request_words[] = {
    {RR_FIELD_VERSION, RIO_OFF_VERSION, 1},  {RR_FIELD_MAJOR, RIO_OFF_MAJOR, 1},
    {RR_FIELD_HEADER_LENGTH, RIO_OFF_HEADER_LENGTH, 2}, {RR_FIELD_SEQUENCE, RIO_OFF_SEQUENCE, 4},
    {RR_FIELD_IOCTL, RIO_OFF_IOCTL, 4}, {RR_FIELD_OUTPUT_LENGTH, RIO_OFF_OUTPUT_LENGTH, 4},
    {RR_FIELD_LENGTH, RIO_OFF_DATA_LENGTH, 4},
};
static const word response_words[] = {
    {RR_FIELD_VERSION, RIO_OFF_VERSION, 1},  {RR_FIELD_MAJOR, RIO_OFF_MAJOR, 1},
    {RR_FIELD_HEADER_LENGTH, RIO_OFF_HEADER_LENGTH, 2}, {RR_FIELD_SEQUENCE, RIO_OFF_SEQUENCE, 4},
    {RR_FIELD_STATUS, RIO_OFF_STATUS, 4}, {RR_FIELD_INFORMATION, RIO_OFF_INFORMATION, 4},
    {RR_FIELD_LENGTH, RIO_OFF_DATA_LENGTH, 4},
};

static uint32_t get(const uint8_t *p, const word *w)
{
    return w->size == 1 ? p[w->off] : w->size == 2 ? rio_get_le16(p + w->off) : rio_get_le32(p + w->off);
}

static void value_text(rr_field f, uint32_t v, char *buf, size_t len)
{
    switch (f) {
    case RR_FIELD_MAJOR: rio_major_str((uint8_t)v, buf, len); break;
    case RR_FIELD_STATUS: rio_status_str(v, buf, len); break;
    case RR_FIELD_IOCTL: rio_ioctl_str(v, buf, len); break;
    default: snprintf(buf, len, "%u", v); break;
    }
}

static void add(GArray *diffs, rr_field f, const char *rec, const char *live, int64_t off)
{
    rr_diff d = {.field = f, .data_offset = off};
    g_strlcpy(d.recorded, rec, sizeof d.recorded);
    g_strlcpy(d.live, live, sizeof d.live);
    g_array_append_val(diffs, d);
}

rr_pdu_view rr_view_of_bytes(const uint8_t *p, size_t len)
{
    rr_pdu_view v = {p, p + len, 0};
    if (len < RIO_HEADER_SIZE)
        return v;
    size_t hl = rio_get_le16(p + RIO_OFF_HEADER_LENGTH);
    if (hl < RIO_HEADER_SIZE || hl > len)
        hl = hl < RIO_HEADER_SIZE ? RIO_HEADER_SIZE : len;
    v.data = p + hl;
    v.data_len = len - hl;
    return v;
}

static void compare_data(rr_pdu_view rec, rr_pdu_view live, GArray *diffs)
{
    size_t n = rec.data_len < live.data_len ? rec.data_len : live.data_len;
    size_t i = 0;
    while (i < n && rec.data[i] == live.data[i])
        i++;
    if (i == n && rec.data_len == live.data_len)
        return;
    char a[64], b[64];
    if (i < n) {
        snprintf(a, sizeof a, "0x%02x at byte %zu", rec.data[i], i);
        snprintf(b, sizeof b, "0x%02x at byte %zu", live.data[i], i);
    } else {
        snprintf(a, sizeof a, "%zu bytes", rec.data_len);
        snprintf(b, sizeof b, "%zu bytes", live.data_len);
    }
    add(diffs, RR_FIELD_DATA, a, b, (int64_t)i);
}

unsigned rr_compare_pdus(rr_pdu_view rec, rr_pdu_view live, rio_kind kind, uint32_t ignore,
                         GArray *diffs)
{
    guint before = diffs->len;
    if (!(ignore & (1u << RR_FIELD_SIGNATURE)) &&
        memcmp(rec.header, live.header, RIO_SIGNATURE_SIZE) != 0) {
        char a[8] = "", b[8] = "";
        memcpy(a, rec.header, RIO_SIGNATURE_SIZE);
        memcpy(b, live.header, RIO_SIGNATURE_SIZE);
        add(diffs, RR_FIELD_SIGNATURE, a, b, -1);
    }
    const word *words = kind == RIO_REQUEST ? request_words : response_words;
    size_t nwords = kind == RIO_REQUEST ? G_N_ELEMENTS(request_words) : G_N_ELEMENTS(response_words);
    for (size_t i = 0; i < nwords; i++) {
        uint32_t r = get(rec.header, &words[i]), l = get(live.header, &words[i]);
        if (r == l || (ignore & (1u << words[i].field)))
            continue;
        char a[48], b[48];
        value_text(words[i].field, r, a, sizeof a);
        value_text(words[i].field, l, b, sizeof b);
        add(diffs, words[i].field, a, b, -1);
    }
    if (!(ignore & (1u << RR_FIELD_DATA)))
        compare_data(rec, live, diffs);
    return diffs->len - before;
}

/* ---- hexdump around the first difference --------------------------------- */

#define RR_HEX_ROW 16
#define RR_HEX_CONTEXT_ROWS 2

static void hex_rows(GString *g, const char *label, const uint8_t *p, size_t n, size_t from,
                     size_t to, size_t mark)
{
    for (size_t row = from; row < to && row < n; row += RR_HEX_ROW) {
        g_string_append_printf(g, "    %-8s %08zx ", label, row);
        for (size_t i = row; i < row + RR_HEX_ROW; i++) {
            if (i < n)
                g_string_append_printf(g, i == mark ? "[%02x]" : " %02x ", p[i]);
            else
                g_string_append(g, "    ");
        }
        g_string_append(g, " |");
        for (size_t i = row; i < row + RR_HEX_ROW && i < n; i++)
            g_string_append_c(g, p[i] >= 0x20 && p[i] < 0x7F ? (char)p[i] : '.');
        g_string_append(g, "|\n");
        label = "";
    }
}

void rr_hexdump_diff(GString *g, rr_pdu_view rec, rr_pdu_view live, size_t offset)
{
    size_t row = offset / RR_HEX_ROW * RR_HEX_ROW;
    size_t from = row > RR_HEX_CONTEXT_ROWS * RR_HEX_ROW ? row - RR_HEX_CONTEXT_ROWS * RR_HEX_ROW : 0;
    size_t to = row + (RR_HEX_CONTEXT_ROWS + 1) * RR_HEX_ROW;
    hex_rows(g, "recorded", rec.data, rec.data_len, from, to, offset);
    hex_rows(g, "live", live.data, live.data_len, from, to, offset);
}
