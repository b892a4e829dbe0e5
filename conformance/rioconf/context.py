"""A case's view of one server endpoint: the connections it opened (for the
transcript), the timeouts scaled for slow machines, and the liveness probe.
"""
import time

import pytest

from pyrio.riodefs import DEFS

from . import ids
from .link import Link
from .transcript import render
from .verdict import Violation, Reply

RELEASE_WINDOW = 2.0  # s: how long a server may take to notice our disconnect


class Context:
    def __init__(self, endpoint, options, record, soft=None):
        self.endpoint, self.options = endpoint, options
        self.links = []
        self.soft = soft if soft is not None else []
        record.append(self)   # the test's list of contexts, for the report

    @property
    def profile(self):
        """The device profile of this endpoint (devices.Profile)."""
        return self.endpoint.profile

    def should(self, cond, rid, expected, actual, detail=""):
        """A SHOULD (or MAY) check that does not stop the case: the case
        goes on, and ends with a warning naming every such rule it saw
        broken (plugin.pytest_runtest_call)."""
        if not cond:
            self.soft.append(Violation(rid, expected, actual, detail))

    @property
    def reply_timeout(self):
        return self.scaled(self.options.reply_timeout)

    def scaled(self, seconds):
        return seconds * self.options.timeout_scale

    def connect(self, label=None, port=None):
        port = port or self.endpoint.port
        label = label or "connection %d to port %d" % (len(self.links) + 1, port)
        return Link(self, self.endpoint.host, port, label)

    def open(self, label=None, rid=ids.CREATE_OK):
        """A connection holding the device: CREATE answered with success.

        A previous connection of this suite may still hold the device for a
        moment after we dropped it (the server notices a close
        asynchronously), so a SHARING_VIOLATION or farm DEVICE_BUSY is
        retried on a fresh connection within RELEASE_WINDOW, with a note in
        the transcript."""
        deadline = time.monotonic() + self.scaled(RELEASE_WINDOW)
        busy = (DEFS.STATUS_SHARING_VIOLATION, DEFS.STATUS_DEVICE_BUSY)
        while True:
            link = self.connect(label)
            link.send(DEFS.MJ_CREATE)
            out = link.expect(rid, Reply(DEFS.STATUS_SUCCESS), Reply(busy))
            if out.pdu.status == DEFS.STATUS_SUCCESS:
                return link
            link.close()
            if time.monotonic() > deadline:
                raise Violation(rid, "CREATE succeeds once the suite's earlier connections are closed",
                                "still %s after %.1f s" % (out.pdu.describe(), self.scaled(RELEASE_WINDOW)))
            link.note("device still held by an earlier connection: retrying")
            time.sleep(0.02)

    def require_idle_timeout(self):
        """The idle timeout of the server under test, or skip the case."""
        args = self.endpoint.server_args
        if "--idle-timeout" in args:
            return float(args[args.index("--idle-timeout") + 1])
        if self.options.idle_timeout and not self.options.embedded:
            return self.options.idle_timeout
        pytest.skip("the server under test has no idle timeout (--rio-idle-timeout)")

    def neighbour(self):
        """Port of another toaster of the same server, or skip the case."""
        if self.endpoint.base_port is None:
            pytest.skip("needs a second toaster of the same server (embedded server only)")
        return self.endpoint.base_port + 2

    def close_all(self):
        for link in self.links:
            link.close()

    def assert_alive(self):
        """Liveness probe after a negative case: with every connection of the
        case closed, a fresh connection gets a whole session served."""
        self.close_all()
        self.open("liveness probe", rid=ids.LIVENESS).close_handle()

    def render(self):
        return "\n".join(render("%s (>> to the server, << from it)" % link.label, link.transcript())
                         for link in self.links)
