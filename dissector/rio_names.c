/* rio_names.c — value_strings built from rio.h's X-macro tables. */
#include "rio_names.h"

#define RIO_VS_ENTRY(value, text) { (guint32)(value), text },
const value_string rio_major_vals[] = { RIO_MAJOR_TABLE(RIO_VS_ENTRY) { 0, NULL } };
const value_string rio_status_vals[] = { RIO_STATUS_TABLE(RIO_VS_ENTRY) { 0, NULL } };
const value_string rio_ioctl_vals[] = { RIO_IOCTL_TABLE(RIO_VS_ENTRY) { 0, NULL } };
const value_string rio_method_vals[] = { RIO_METHOD_TABLE(RIO_VS_ENTRY) { 0, NULL } };
const value_string rio_access_vals[] = { RIO_ACCESS_TABLE(RIO_VS_ENTRY) { 0, NULL } };

guint rio_major_count(void)
{
    return (guint)(sizeof rio_major_vals / sizeof rio_major_vals[0]) - 1;  /* without the terminator */
}

guint rio_major_index(guint32 major)
{
    guint i;

    for (i = 0; i < rio_major_count(); i++)
        if (rio_major_vals[i].value == major)
            return i;
    return i;
}
