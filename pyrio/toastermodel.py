"""A correct toaster in Python (docs/PROTOCOL.md), with instant toasting:
toast time 0, so a START cycle ends at once and State TOASTING never shows.

The crafted captures (captures/tools) take its answers as what a correct
server sends; the conformance suite's scripted server (conformance/rioconf)
plays it for client cases.  Every number comes from DEFS (include/rio/rio.h).

Two entry points:
  handle(h, data) -> (status, information, response data)
      one request whose header passed the framing checks (section 7.2 on);
  answer(raw) -> (response PDU bytes or None, whether the server closes)
      the bytes of one request PDU, framing errors (section 7.1) included.
"""
import struct

from .codec import pack_response, unpack
from .riodefs import DEFS

_KNOWN_MAJORS = set(DEFS.tables["MAJOR"])


class Toaster:
    def __init__(self, serial=1):
        self.serial = serial
        self.open = False           # this connection holds the handle
        self.reset()

    def reset(self):
        """The state every new handle starts from (RIO-SES-022)."""
        self.darkness = DEFS.TOASTER_DARKNESS_DEFAULT
        self.loaded = b""
        self.ready = b""
        self.toast_count = 0

    # ---- one PDU's bytes ---------------------------------------------------

    def answer(self, raw):
        """(response bytes or None: no answer, server closes afterwards)."""
        h = unpack(raw)
        if h.signature != DEFS.SIGNATURE_REQUEST.encode() or not (
                DEFS.HEADER_LENGTH_MIN <= h.header_length <= DEFS.HEADER_LENGTH_MAX):
            return None, True
        if h.version != DEFS.VERSION:
            return self._refusal(h, DEFS.STATUS_REVISION_MISMATCH), True
        if h.data_length > DEFS.DATA_MAX or h.output_length > DEFS.DATA_MAX:
            return self._refusal(h, DEFS.STATUS_INVALID_BUFFER_SIZE), True
        status, info, out = self.handle(h, raw[h.header_length:])
        closes = h.major == DEFS.MJ_CLOSE and status == DEFS.STATUS_SUCCESS
        return pack_response(h.major, h.seq, status, info, out), closes

    @staticmethod
    def _refusal(h, status):
        return pack_response(h.major, h.seq, status, 0, b"")

    # ---- one parsed request ------------------------------------------------

    def handle(self, h, data):
        """(status, information, response data) for one request."""
        if h.major not in _KNOWN_MAJORS:
            return DEFS.STATUS_INVALID_DEVICE_REQUEST, 0, b""
        if h.major == DEFS.MJ_CREATE:
            if self.open:
                return DEFS.STATUS_INVALID_DEVICE_STATE, 0, b""
            self.open = True
            return DEFS.STATUS_SUCCESS, 0, b""
        if not self.open:
            return DEFS.STATUS_INVALID_HANDLE, 0, b""
        if h.major == DEFS.MJ_CLOSE:
            self.open = False
            self.reset()
            return DEFS.STATUS_SUCCESS, 0, b""
        if h.major == DEFS.MJ_CLEANUP:
            return DEFS.STATUS_SUCCESS, 0, b""
        if h.major == DEFS.MJ_WRITE:
            take = data[:DEFS.TOASTER_MAX_LOAD_BYTES - len(self.loaded)]
            self.loaded += take
            return DEFS.STATUS_SUCCESS, len(take), b""
        if h.major == DEFS.MJ_READ:
            out, self.ready = self.ready[:h.output_length], self.ready[h.output_length:]
            return DEFS.STATUS_SUCCESS, len(out), out
        return self._ioctl(h, data)

    def _ioctl(self, h, data):
        code = h.ioctl
        if code == DEFS.IOCTL_TOASTER_GET_INFO:
            return self._fixed_output(h, self.info())
        if code == DEFS.IOCTL_TOASTER_GET_STATUS:
            return self._fixed_output(h, self.status())
        if code == DEFS.IOCTL_TOASTER_SET_DARKNESS:
            if len(data) != DEFS.TOASTER_DARKNESS_INPUT_SIZE:
                return DEFS.STATUS_INVALID_PARAMETER, 0, b""
            level, = struct.unpack("<I", data)
            if not DEFS.TOASTER_DARKNESS_MIN <= level <= DEFS.TOASTER_DARKNESS_MAX:
                return DEFS.STATUS_INVALID_PARAMETER, 0, b""
            self.darkness = level
            return DEFS.STATUS_SUCCESS, 0, b""
        if code == DEFS.IOCTL_TOASTER_START:
            if not self.loaded:
                return DEFS.STATUS_INVALID_DEVICE_STATE, 0, b""
            self.toast_count += 1
            self._toast()
            return DEFS.STATUS_SUCCESS, 0, b""
        if code == DEFS.IOCTL_TOASTER_EJECT:
            self._toast()
            return DEFS.STATUS_SUCCESS, 0, b""
        return DEFS.STATUS_INVALID_DEVICE_REQUEST, 0, b""

    def _toast(self):
        """The loaded bread becomes ready toast, in order (instantly)."""
        self.ready, self.loaded = self.ready + self.loaded, b""

    @staticmethod
    def _fixed_output(h, out):
        if h.output_length < len(out):
            return DEFS.STATUS_BUFFER_TOO_SMALL, 0, b""
        return DEFS.STATUS_SUCCESS, len(out), out

    # ---- the IOCTL output structures ---------------------------------------

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
