"""pyrio — the project's shared Python side of RIO/1.

Every number and name comes from include/rio/rio.h (parsed by riodefs), so
the Python suites never spell a protocol constant of their own.
"""
from .riodefs import DEFS, name_of  # noqa: F401
from .codec import Header, pack_request, pack_response, unpack, HEADER_SIZE  # noqa: F401
