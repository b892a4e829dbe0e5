/*
 * rio_compat.h — every Wireshark API difference between the supported
 * versions (4.0, 4.4, 4.6), kept in one place so that the dissector is
 * written once, against the newest API, and reads the same on all.
 *
 * The sources call the 4.6 names; on older versions they are mapped here
 * to what that version has:
 *   4.2  bool preferences and heuristics, tvb_get_uint8, plugin_describe()
 *   4.4  tvb_find_uint8 (tvb_find_guint8 deprecated)
 *   4.6  val_to_str takes an allocator (4.0/4.4: val_to_str_wmem),
 *        dissector_try_uint_with_data (dissector_try_uint_new deprecated)
 * Include it after the Wireshark headers whose names it maps.
 */
#ifndef RIO_COMPAT_H
#define RIO_COMPAT_H

#include <stdbool.h>
#include <ws_version.h>
#include <epan/packet.h>

#define RIO_WS_AT_LEAST(major, minor) \
    (WIRESHARK_VERSION_MAJOR > (major) || \
     (WIRESHARK_VERSION_MAJOR == (major) && WIRESHARK_VERSION_MINOR >= (minor)))

#if RIO_WS_AT_LEAST(4, 2)
#include <wsutil/plugins.h>
typedef bool rio_pref_bool;     /* prefs_register_bool_preference() */
typedef bool rio_heur_result;   /* heur_dissector_t return type */
#else
typedef gboolean rio_pref_bool;
typedef gboolean rio_heur_result;
#define tvb_get_uint8 tvb_get_guint8
#endif

#if !RIO_WS_AT_LEAST(4, 4)
#define tvb_find_uint8 tvb_find_guint8
#endif

#if !RIO_WS_AT_LEAST(4, 6)
#define val_to_str(scope, val, vs, fmt) val_to_str_wmem((scope), (val), (vs), (fmt))
#define dissector_try_uint_with_data dissector_try_uint_new
#endif

/* The plugin's self-description (4.2 and later: the plugin loader asks
 * what kind of plugin this is; earlier versions do not). */
#if RIO_WS_AT_LEAST(4, 2)
#define RIO_PLUGIN_DESCRIBE(what) \
    WS_DLL_PUBLIC uint32_t plugin_describe(void); \
    uint32_t plugin_describe(void) { return (what); }
#else
#define RIO_PLUGIN_DESCRIBE(what)
#endif

#endif /* RIO_COMPAT_H */
