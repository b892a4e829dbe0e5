/*
 * plugin.c — entry points of rio.so for Wireshark's plugin loader.  The
 * RIO core registers the device descriptions' protocol (rio.dev) itself.
 */
#include <epan/packet.h>
#include <epan/proto.h>
#include <ws_version.h>

#include "rio_compat.h"

#ifndef RIO_PLUGIN_VERSION
#define RIO_PLUGIN_VERSION "0.0.0"
#endif

void proto_register_rio(void);
void proto_reg_handoff_rio(void);

WS_DLL_PUBLIC_DEF const char plugin_version[] = RIO_PLUGIN_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);

RIO_PLUGIN_DESCRIBE(WS_PLUGIN_DESC_DISSECTOR)

void plugin_register(void)
{
    static proto_plugin core = { proto_register_rio, proto_reg_handoff_rio };

    proto_register_plugin(&core);
}
