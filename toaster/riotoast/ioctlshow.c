/* ioctlshow.c — TOASTER_INFO and TOASTER_STATUS, field by field. */
#include <string.h>

#include "ioctlshow.h"

bool decode_toaster_info(rt_output *o, const uint8_t *data, size_t len)
{
    if (len != RIO_TOASTER_INFO_SIZE)
        return false;
    char model[RIO_TOASTER_MODEL_SIZE + 1];
    memcpy(model, data + RIO_TOASTER_INFO_OFF_MODEL, RIO_TOASTER_MODEL_SIZE);
    model[RIO_TOASTER_MODEL_SIZE] = '\0'; /* NUL-padded, maybe not terminated */
    for (char *p = model; *p; p++)
        if (!g_ascii_isprint(*p))
            *p = '?'; /* keep text and JSON output clean */
    out_u32(o, "SerialNumber", rio_get_le32(data + RIO_TOASTER_INFO_OFF_SERIAL));
    out_u32(o, "Capacity", rio_get_le32(data + RIO_TOASTER_INFO_OFF_CAPACITY));
    out_u32(o, "MaxLoadBytes", rio_get_le32(data + RIO_TOASTER_INFO_OFF_MAX_LOAD));
    out_hex32(o, "FirmwareVersion", rio_get_le32(data + RIO_TOASTER_INFO_OFF_FIRMWARE));
    out_str(o, "ModelName", model);
    return true;
}

bool decode_toaster_status(rt_output *o, const uint8_t *data, size_t len)
{
    if (len != RIO_TOASTER_STATUS_SIZE)
        return false;
    uint32_t state = rio_get_le32(data + RIO_TOASTER_STATUS_OFF_STATE);
    out_named(o, "State", state, rio_toaster_state_name(state));
    out_u32(o, "Darkness", rio_get_le32(data + RIO_TOASTER_STATUS_OFF_DARKNESS));
    out_u32(o, "LoadedBytes", rio_get_le32(data + RIO_TOASTER_STATUS_OFF_LOADED));
    out_u32(o, "ReadyBytes", rio_get_le32(data + RIO_TOASTER_STATUS_OFF_READY));
    out_u32(o, "ToastCount", rio_get_le32(data + RIO_TOASTER_STATUS_OFF_TOAST_COUNT));
    out_u32(o, "ErrorCount", rio_get_le32(data + RIO_TOASTER_STATUS_OFF_ERROR_COUNT));
    return true;
}

void decode_ioctl_output(rt_output *o, uint32_t ioctl, const uint8_t *data, size_t len)
{
    if (ioctl == RIO_IOCTL_TOASTER_GET_INFO && decode_toaster_info(o, data, len))
        return;
    if (ioctl == RIO_IOCTL_TOASTER_GET_STATUS && decode_toaster_status(o, data, len))
        return;
    if (len > 0)
        out_bytes(o, "Data", data, len, true);
}
