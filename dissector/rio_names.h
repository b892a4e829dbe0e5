/* rio_names.h — rio.h's value tables as Wireshark value_strings. */
#ifndef RIO_NAMES_H
#define RIO_NAMES_H

#include "rio_int.h"

extern const value_string rio_major_vals[];
extern const value_string rio_status_vals[];
extern const value_string rio_ioctl_vals[];
extern const value_string rio_method_vals[];
extern const value_string rio_access_vals[];

/* Index of a major function in RIO_MAJOR_TABLE, or rio_major_count() for
 * a code the table does not know (the statistics' "Other" row). */
guint rio_major_index(guint32 major);
guint rio_major_count(void);

#endif /* RIO_NAMES_H */
