"""A correct toaster in a few lines of Python, for the scripted server that
client cases talk to.  Toasting is instant (START moves the loaded bytes to
the ready toast), so a client never waits on it."""
import struct

from pyrio.riodefs import DEFS

S = DEFS


class Toaster:
    def __init__(self, serial=1):
        self.serial = serial
        self.open = False
        self.reset()

    def reset(self):
        self.darkness = S.TOASTER_DARKNESS_DEFAULT
        self.loaded = b""
        self.ready = b""
        self.toast_count = 0

    def handle(self, h, data):
        """(status, information, response data) for one request."""
        if h.major not in S.tables["MAJOR"]:
            return S.STATUS_INVALID_DEVICE_REQUEST, 0, b""
        if h.major == S.MJ_CREATE:
            if self.open:
                return S.STATUS_INVALID_DEVICE_STATE, 0, b""
            self.open = True
            return S.STATUS_SUCCESS, 0, b""
        if not self.open:
            return S.STATUS_INVALID_HANDLE, 0, b""
        if h.major == S.MJ_CLOSE:
            self.open = False
            self.reset()
            return S.STATUS_SUCCESS, 0, b""
        if h.major == S.MJ_CLEANUP:
            return S.STATUS_SUCCESS, 0, b""
        if h.major == S.MJ_WRITE:
            take = data[:S.TOASTER_MAX_LOAD_BYTES - len(self.loaded)]
            self.loaded += take
            return S.STATUS_SUCCESS, len(take), b""
        if h.major == S.MJ_READ:
            out, self.ready = self.ready[:h.output_length], self.ready[h.output_length:]
            return S.STATUS_SUCCESS, len(out), out
        return self.ioctl(h, data)

    def ioctl(self, h, data):
        code = h.ioctl
        if code == S.IOCTL_TOASTER_GET_INFO:
            model = S.TOASTER_MODEL_NAME.encode().ljust(S.TOASTER_MODEL_SIZE, b"\0")
            out = struct.pack("<IIII", self.serial, S.TOASTER_CAPACITY, S.TOASTER_MAX_LOAD_BYTES,
                              S.TOASTER_FIRMWARE_VERSION) + model
            return self.fixed_output(h, out)
        if code == S.IOCTL_TOASTER_GET_STATUS:
            return self.fixed_output(h, struct.pack("<6I", self.state(), self.darkness, len(self.loaded),
                                                    len(self.ready), self.toast_count, 0))
        if code == S.IOCTL_TOASTER_SET_DARKNESS:
            if len(data) != S.TOASTER_DARKNESS_INPUT_SIZE:
                return S.STATUS_INVALID_PARAMETER, 0, b""
            level = struct.unpack("<I", data)[0]
            if not S.TOASTER_DARKNESS_MIN <= level <= S.TOASTER_DARKNESS_MAX:
                return S.STATUS_INVALID_PARAMETER, 0, b""
            self.darkness = level
            return S.STATUS_SUCCESS, 0, b""
        if code == S.IOCTL_TOASTER_START:
            if not self.loaded:
                return S.STATUS_INVALID_DEVICE_STATE, 0, b""
            self.toast_count += 1
            self.ready, self.loaded = self.ready + self.loaded, b""
            return S.STATUS_SUCCESS, 0, b""
        if code == S.IOCTL_TOASTER_EJECT:
            self.ready, self.loaded = self.ready + self.loaded, b""
            return S.STATUS_SUCCESS, 0, b""
        return S.STATUS_INVALID_DEVICE_REQUEST, 0, b""

    @staticmethod
    def fixed_output(h, out):
        if h.output_length < len(out):
            return S.STATUS_BUFFER_TOO_SMALL, 0, b""
        return S.STATUS_SUCCESS, len(out), out

    def state(self):
        if self.ready:
            return S.TOASTER_STATE_READY
        return S.TOASTER_STATE_LOADED if self.loaded else S.TOASTER_STATE_EMPTY
