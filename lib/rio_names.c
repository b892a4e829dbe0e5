/* rio_names.c — names of protocol values, from the tables of rio/rio.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rio/librio.h"

/* The IOCTL codes are spelled out in rio.h for tools that cannot evaluate C;
 * here the compiler proves they match CTL_CODE. */
_Static_assert(RIO_IOCTL_TOASTER_GET_INFO ==
                   RIO_CTL_CODE(RIO_FILE_DEVICE_UNKNOWN, 0x800, RIO_METHOD_BUFFERED, RIO_FILE_ANY_ACCESS),
               "GET_INFO");
_Static_assert(RIO_IOCTL_TOASTER_GET_STATUS ==
                   RIO_CTL_CODE(RIO_FILE_DEVICE_UNKNOWN, 0x801, RIO_METHOD_BUFFERED, RIO_FILE_ANY_ACCESS),
               "GET_STATUS");
_Static_assert(RIO_IOCTL_TOASTER_SET_DARKNESS ==
                   RIO_CTL_CODE(RIO_FILE_DEVICE_UNKNOWN, 0x802, RIO_METHOD_BUFFERED, RIO_FILE_WRITE_ACCESS),
               "SET_DARKNESS");
_Static_assert(RIO_IOCTL_TOASTER_START ==
                   RIO_CTL_CODE(RIO_FILE_DEVICE_UNKNOWN, 0x803, RIO_METHOD_BUFFERED, RIO_FILE_WRITE_ACCESS),
               "START");
_Static_assert(RIO_IOCTL_TOASTER_EJECT ==
                   RIO_CTL_CODE(RIO_FILE_DEVICE_UNKNOWN, 0x804, RIO_METHOD_BUFFERED, RIO_FILE_WRITE_ACCESS),
               "EJECT");
/* The serial ones: ntddser.h's function numbers, all METHOD_BUFFERED and
 * FILE_ANY_ACCESS. */
#define SERIAL_CTL(fn) RIO_CTL_CODE(RIO_FILE_DEVICE_SERIAL_PORT, fn, RIO_METHOD_BUFFERED, RIO_FILE_ANY_ACCESS)
_Static_assert(RIO_IOCTL_SERIAL_SET_BAUD_RATE == SERIAL_CTL(1), "SET_BAUD_RATE");
_Static_assert(RIO_IOCTL_SERIAL_SET_LINE_CONTROL == SERIAL_CTL(3), "SET_LINE_CONTROL");
_Static_assert(RIO_IOCTL_SERIAL_SET_TIMEOUTS == SERIAL_CTL(7), "SET_TIMEOUTS");
_Static_assert(RIO_IOCTL_SERIAL_GET_TIMEOUTS == SERIAL_CTL(8), "GET_TIMEOUTS");
_Static_assert(RIO_IOCTL_SERIAL_SET_DTR == SERIAL_CTL(9), "SET_DTR");
_Static_assert(RIO_IOCTL_SERIAL_CLR_DTR == SERIAL_CTL(10), "CLR_DTR");
_Static_assert(RIO_IOCTL_SERIAL_GET_WAIT_MASK == SERIAL_CTL(16), "GET_WAIT_MASK");
_Static_assert(RIO_IOCTL_SERIAL_SET_WAIT_MASK == SERIAL_CTL(17), "SET_WAIT_MASK");
_Static_assert(RIO_IOCTL_SERIAL_WAIT_ON_MASK == SERIAL_CTL(18), "WAIT_ON_MASK");
_Static_assert(RIO_IOCTL_SERIAL_PURGE == SERIAL_CTL(19), "PURGE");
_Static_assert(RIO_IOCTL_SERIAL_GET_BAUD_RATE == SERIAL_CTL(20), "GET_BAUD_RATE");
_Static_assert(RIO_IOCTL_SERIAL_GET_LINE_CONTROL == SERIAL_CTL(21), "GET_LINE_CONTROL");
_Static_assert(RIO_IOCTL_SERIAL_GET_MODEMSTATUS == SERIAL_CTL(26), "GET_MODEMSTATUS");
_Static_assert(RIO_IOCTL_SERIAL_GET_COMMSTATUS == SERIAL_CTL(27), "GET_COMMSTATUS");
#undef SERIAL_CTL
_Static_assert(RIO_SIGNATURE_REQUEST_LE == ('R' | 'I' << 8 | 'O' << 16 | (uint32_t)'Q' << 24), "RIOQ");
_Static_assert(RIO_SIGNATURE_RESPONSE_LE == ('R' | 'I' << 8 | 'O' << 16 | (uint32_t)'P' << 24), "RIOP");

typedef struct name_entry {
    uint32_t value;
    const char *name;
} name_entry;

#define RIO_X_ENTRY(sym, text) {(uint32_t)(sym), text},
static const name_entry majors[] = {RIO_MAJOR_TABLE(RIO_X_ENTRY)};
static const name_entry statuses[] = {RIO_STATUS_TABLE(RIO_X_ENTRY)};
static const name_entry ioctls[] = {RIO_IOCTL_TABLE(RIO_X_ENTRY)};
static const name_entry states[] = {RIO_TOASTER_STATE_TABLE(RIO_X_ENTRY)};
#undef RIO_X_ENTRY

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *lookup(const name_entry *t, size_t n, uint32_t v)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].value == v)
            return t[i].name;
    return NULL;
}

const char *rio_major_name(uint8_t major) { return lookup(majors, COUNT(majors), major); }
const char *rio_status_name(uint32_t status) { return lookup(statuses, COUNT(statuses), status); }
const char *rio_ioctl_name(uint32_t ioctl) { return lookup(ioctls, COUNT(ioctls), ioctl); }
const char *rio_toaster_state_name(uint32_t state) { return lookup(states, COUNT(states), state); }

static bool parse_number(const char *s, uint32_t *out)
{
    char *end;
    if (!*s || *s == '-')
        return false;
    unsigned long v = strtoul(s, &end, 0);
    if (*end || v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

/* Accept the table name, or the name with `prefix` in front ("READ" and
 * "IRP_MJ_READ"), or the name without `prefix` ("SUCCESS" for
 * "STATUS_SUCCESS"), in any case, or a number. */
static bool parse_name(const name_entry *t, size_t n, const char *prefix, const char *s, uint32_t *out)
{
    size_t plen = strlen(prefix);
    for (size_t i = 0; i < n; i++) {
        const char *name = t[i].name;
        bool name_has_prefix = strncasecmp(name, prefix, plen) == 0;
        if (strcasecmp(s, name) == 0 ||
            (name_has_prefix && strcasecmp(s, name + plen) == 0) ||
            (!name_has_prefix && strncasecmp(s, prefix, plen) == 0 && strcasecmp(s + plen, name) == 0)) {
            *out = t[i].value;
            return true;
        }
    }
    return parse_number(s, out);
}

bool rio_major_parse(const char *s, uint8_t *out)
{
    uint32_t v;
    if (!parse_name(majors, COUNT(majors), RIO_MJ_PREFIX, s, &v) || v > UINT8_MAX)
        return false;
    *out = (uint8_t)v;
    return true;
}

bool rio_status_parse(const char *s, uint32_t *out)
{
    return parse_name(statuses, COUNT(statuses), "STATUS_", s, out);
}

bool rio_ioctl_parse(const char *s, uint32_t *out)
{
    return parse_name(ioctls, COUNT(ioctls), "IOCTL_", s, out);
}

static const char *format(const char *name, uint32_t v, int width, char *buf, size_t len)
{
    if (name)
        snprintf(buf, len, "%s", name);
    else
        snprintf(buf, len, "0x%0*X", width, v);
    return buf;
}

const char *rio_major_str(uint8_t major, char *buf, size_t len)
{
    return format(rio_major_name(major), major, 2, buf, len);
}

const char *rio_status_str(uint32_t status, char *buf, size_t len)
{
    return format(rio_status_name(status), status, 8, buf, len);
}

const char *rio_ioctl_str(uint32_t ioctl, char *buf, size_t len)
{
    return format(rio_ioctl_name(ioctl), ioctl, 8, buf, len);
}
