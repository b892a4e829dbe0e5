"""Decode the toaster's IOCTL payloads (layouts from rio.h)."""
import struct

from .riodefs import DEFS


def info(data):
    serial, capacity, max_load, firmware = struct.unpack_from("<IIII", data, DEFS.TOASTER_INFO_OFF_SERIAL)
    model = data[DEFS.TOASTER_INFO_OFF_MODEL:DEFS.TOASTER_INFO_OFF_MODEL + DEFS.TOASTER_MODEL_SIZE]
    return {"serial": serial, "capacity": capacity, "max_load_bytes": max_load,
            "firmware_version": firmware, "model": model.rstrip(b"\0").decode("ascii", "replace")}


def status(data):
    keys = ("state", "darkness", "loaded_bytes", "ready_bytes", "toast_count", "error_count")
    return dict(zip(keys, struct.unpack_from("<6I", data, DEFS.TOASTER_STATUS_OFF_STATE)))


def darkness_input(level):
    return struct.pack("<I", level & 0xFFFFFFFF)
