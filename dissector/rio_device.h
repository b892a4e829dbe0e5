/*
 * rio_device.h — device descriptions in the dissector: every IOCTL that a
 * description (devices/README.md, lib/riodev) names is decoded into the
 * fields rio.dev.<device>.<field>, with no device-specific C.
 *
 * The descriptions of riodev's default path (RIO_DEVICE_PATH, else the
 * installed ones, else the source tree's) are loaded when the plugin
 * registers, so their fields are known to `tshark -G fields`; those of the
 * folder named by the rio.devices_dir preference are loaded, and their
 * fields registered, whenever the preference is applied (as Wireshark's
 * HTTP custom header fields are).
 */
#ifndef RIO_DEVICE_H
#define RIO_DEVICE_H

#include <riodev.h>

#include "rio_int.h"

/* Protocol "rio.dev", its experts, and the fields of the default path's
 * descriptions. */
void rio_device_register(void);

/* Load the descriptions of a folder ("" or NULL: none) in place of the
 * previous folder's, unregistering their fields and registering the new
 * ones.  A description that cannot be loaded, or that names a device or
 * an IOCTL code the default path already has, is reported and skipped. */
void rio_device_set_folder(const char *dir);

/* The name of a described IOCTL, or NULL. */
const char *rio_device_ioctl_name(guint32 code);

/* The device that describes an IOCTL (a name that lives as long as the
 * plugin), or NULL. */
const char *rio_device_of_ioctl(guint32 code);

/* Does a device show READ (is_write FALSE) or WRITE data as text? */
gboolean rio_device_data_is_text(const char *device, gboolean is_write);

/* Decode an IOCTL buffer (request input or response output) into a
 * subtree by its description; FALSE if the IOCTL is not described or the
 * direction carries no structure. */
gboolean rio_device_dissect_ioctl(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                  guint32 ioctl, gboolean is_response);

#endif /* RIO_DEVICE_H */
