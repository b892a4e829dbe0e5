"""The requirement IDs (docs/PROTOCOL.md) that the suite's shared checks
enforce on every exchange.  Each case's marker names what the case is
about; these rules are checked wherever a response or a connection is
seen, so a server that breaks one fails it by its own ID everywhere."""

# Every response: the envelope rules.
RESP_SIGNATURE = "RIO-FRM-015"
RESP_VERSION = "RIO-FRM-016"
RESP_MAJOR_ECHO = "RIO-FRM-017"
RESP_HEADER_LENGTH = "RIO-FRM-018"
RESP_SEQUENCE_ECHO = "RIO-FRM-019"
RESP_DATA_LIMIT = "RIO-FRM-020"
RESP_STATUS_KNOWN = "RIO-STS-001"
RESP_NO_BUFFER_OVERFLOW = "RIO-STS-002"
RESP_ERROR_INFORMATION = "RIO-STS-003"
RESP_ERROR_NO_DATA = "RIO-STS-004"
RESP_PLAIN_SUCCESS = "RIO-STS-005"     # CREATE, CLOSE, CLEANUP
RESP_READ_INFORMATION = "RIO-STS-006"
RESP_IOCTL_INFORMATION = "RIO-STS-007"
RESP_WRITE_NO_DATA = "RIO-MJ-003"
# An IOCTL without output (toaster: SET_DARKNESS, START, EJECT) returns no
# data: the profile's own rule (rioconf.devices, NO_OUTPUT).

# What a READ returns: the bytes written and toasted, in order; no more
# than min(OutputLength, ReadyBytes).  A READ returning other bytes than a
# case expects breaks READ_CONTENT, whatever the case is about.
READ_CONTENT = "RIO-TST-029"
READ_COUNT = "RIO-TST-028"

# A fresh connection's CREATE on a free device succeeds (also the liveness
# probe after a negative case: a server that died or stopped serving fails it).
CREATE_OK = "RIO-MJ-001"
LIVENESS = "RIO-MJ-001"
# CLOSE: STATUS_SUCCESS, then the server closes the connection.
CLOSE_OK = "RIO-MJ-002"
CLOSE_ENDS = "RIO-SES-013"
