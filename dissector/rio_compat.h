/*
 * rio_compat.h — the few Wireshark API differences between 4.0, 4.2 and
 * 4.4, kept in one place so the dissector sources read the same on all.
 *
 * 4.2 moved preferences and heuristic dissectors from gboolean to bool,
 * renamed tvb_get_guint8 to tvb_get_uint8 and asks plugins to describe
 * themselves with plugin_describe().
 */
#ifndef RIO_COMPAT_H
#define RIO_COMPAT_H

#include <stdbool.h>
#include <ws_version.h>

#define RIO_WS_AT_LEAST(major, minor) \
    (WIRESHARK_VERSION_MAJOR > (major) || \
     (WIRESHARK_VERSION_MAJOR == (major) && WIRESHARK_VERSION_MINOR >= (minor)))

#if RIO_WS_AT_LEAST(4, 2)
typedef bool rio_pref_bool;     /* prefs_register_bool_preference() */
typedef bool rio_heur_result;   /* heur_dissector_t return type */
#define RIO_HAS_PLUGIN_DESCRIBE 1
#else
typedef gboolean rio_pref_bool;
typedef gboolean rio_heur_result;
#define tvb_get_uint8 tvb_get_guint8
#define RIO_HAS_PLUGIN_DESCRIBE 0
#endif

#endif /* RIO_COMPAT_H */
