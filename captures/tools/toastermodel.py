"""A correct toaster's answers, for crafted captures (docs/DESIGN.md rules,
toasting time 0: a START cycle ends at once).

Every number comes from DEFS (include/rio/rio.h).  answer() takes one
request PDU and returns the response PDU bytes (or None: no answer) and
whether the server closes the connection afterwards.
"""
import struct

from pyrio import DEFS, pack_response, unpack
from pyrio.codec import HEADER_SIZE

_KNOWN_MAJORS = set(DEFS.tables["MAJOR"])


class Toaster:
    def __init__(self, serial):
        self.serial = serial
        self.handle = False
        self.reset()

    def reset(self):
        self.darkness = DEFS.TOASTER_DARKNESS_DEFAULT
        self.loaded = b""
        self.ready = b""
        self.toast_count = 0

    # ---- one request ------------------------------------------------------

    def answer(self, raw):
        """(response bytes or None, server closes afterwards)."""
        h = unpack(raw)
        data = raw[h.header_length:] if HEADER_SIZE <= h.header_length else b""
        if h.signature != DEFS.SIGNATURE_REQUEST.encode() or not (
                DEFS.HEADER_LENGTH_MIN <= h.header_length <= DEFS.HEADER_LENGTH_MAX):
            return None, True
        if h.version != DEFS.VERSION:
            return self._reply(h, DEFS.STATUS_REVISION_MISMATCH), True
        if h.data_length > DEFS.DATA_MAX or h.output_length > DEFS.DATA_MAX:
            return self._reply(h, DEFS.STATUS_INVALID_BUFFER_SIZE), True
        status, out, info = self._operate(h, data)
        closes = h.major == DEFS.MJ_CLOSE and status == DEFS.STATUS_SUCCESS
        return self._reply(h, status, out, info), closes

    def _reply(self, h, status, out=b"", info=None):
        if status != DEFS.STATUS_SUCCESS:
            out, info = b"", 0
        return pack_response(h.major, h.seq, status, len(out) if info is None else info, out)

    def _operate(self, h, data):
        """(status, response data, Information or None for len(data))."""
        if h.major not in _KNOWN_MAJORS:
            return DEFS.STATUS_INVALID_DEVICE_REQUEST, b"", 0
        if h.major == DEFS.MJ_CREATE:
            if self.handle:
                return DEFS.STATUS_INVALID_DEVICE_STATE, b"", 0
            self.handle = True
            return DEFS.STATUS_SUCCESS, b"", 0
        if not self.handle:
            return DEFS.STATUS_INVALID_HANDLE, b"", 0
        if h.major == DEFS.MJ_CLOSE:
            self.handle = False
            self.reset()
            return DEFS.STATUS_SUCCESS, b"", 0
        if h.major == DEFS.MJ_CLEANUP:
            return DEFS.STATUS_SUCCESS, b"", 0
        if h.major == DEFS.MJ_READ:
            out, self.ready = self.ready[:h.output_length], self.ready[h.output_length:]
            return DEFS.STATUS_SUCCESS, out, None
        if h.major == DEFS.MJ_WRITE:
            room = DEFS.TOASTER_MAX_LOAD_BYTES - len(self.loaded)
            self.loaded += data[:room]
            return DEFS.STATUS_SUCCESS, b"", min(room, len(data))
        return self._ioctl(h.ioctl, h.output_length, data)

    def _ioctl(self, code, out_len, data):
        if code == DEFS.IOCTL_TOASTER_GET_INFO:
            return self._fixed(out_len, self.info())
        if code == DEFS.IOCTL_TOASTER_GET_STATUS:
            return self._fixed(out_len, self.status())
        if code == DEFS.IOCTL_TOASTER_SET_DARKNESS:
            if len(data) != DEFS.TOASTER_DARKNESS_INPUT_SIZE:
                return DEFS.STATUS_INVALID_PARAMETER, b"", 0
            level, = struct.unpack("<I", data)
            if not DEFS.TOASTER_DARKNESS_MIN <= level <= DEFS.TOASTER_DARKNESS_MAX:
                return DEFS.STATUS_INVALID_PARAMETER, b"", 0
            self.darkness = level
            return DEFS.STATUS_SUCCESS, b"", 0
        if code == DEFS.IOCTL_TOASTER_START:
            if not self.loaded:
                return DEFS.STATUS_INVALID_DEVICE_STATE, b"", 0
            self.toast_count += 1
            self.ready, self.loaded = self.ready + self.loaded, b""
            return DEFS.STATUS_SUCCESS, b"", 0
        if code == DEFS.IOCTL_TOASTER_EJECT:
            self.ready, self.loaded = self.ready + self.loaded, b""
            return DEFS.STATUS_SUCCESS, b"", 0
        return DEFS.STATUS_INVALID_DEVICE_REQUEST, b"", 0

    @staticmethod
    def _fixed(out_len, struct_bytes):
        if out_len < len(struct_bytes):
            return DEFS.STATUS_BUFFER_TOO_SMALL, b"", 0
        return DEFS.STATUS_SUCCESS, struct_bytes, None

    def info(self):
        model = DEFS.TOASTER_MODEL_NAME.encode().ljust(DEFS.TOASTER_MODEL_SIZE, b"\0")
        return struct.pack("<IIII", self.serial, DEFS.TOASTER_CAPACITY,
                           DEFS.TOASTER_MAX_LOAD_BYTES, DEFS.TOASTER_FIRMWARE_VERSION) + model

    def state(self):
        if self.ready:
            return DEFS.TOASTER_STATE_READY
        return DEFS.TOASTER_STATE_LOADED if self.loaded else DEFS.TOASTER_STATE_EMPTY

    def status(self):
        return struct.pack("<6I", self.state(), self.darkness, len(self.loaded), len(self.ready),
                           self.toast_count, 0)
