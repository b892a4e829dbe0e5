/*
 * plugin.c — entry points of rio.so for Wireshark's plugin loader: the
 * RIO core and the toaster decoders are registered as two protocols.
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
void proto_register_rio_toaster(void);
void proto_reg_handoff_rio_toaster(void);

WS_DLL_PUBLIC_DEF const char plugin_version[] = RIO_PLUGIN_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);

RIO_PLUGIN_DESCRIBE(WS_PLUGIN_DESC_DISSECTOR)

void plugin_register(void)
{
    static proto_plugin core = { proto_register_rio, proto_reg_handoff_rio };
    static proto_plugin toaster = { proto_register_rio_toaster, proto_reg_handoff_rio_toaster };

    proto_register_plugin(&core);
    proto_register_plugin(&toaster);
}
