/*
 * rio/rio.h — RIO/1 wire protocol: the one source of truth.
 *
 * Every number and name of the protocol lives here and nowhere else: the
 * server, the client, the replay tool, the Wireshark plugin and (by parsing
 * this file) the Python test suites all read it.  The normative text is
 * docs/PROTOCOL.md; requirement IDs below point into it.
 *
 * Conventions that keep this file machine-readable (pyrio/riodefs.py
 * parses it): every constant is a `#define RIO_<NAME> <integer>` on one line,
 * and every name table is an X-macro whose entries are `X(RIO_<NAME>, "text")`
 * one per line.
 *
 * This header is self-contained C11 and safe to include from C++ and from
 * Wireshark plugins (no GLib, no allocation).
 */
#ifndef RIO_RIO_H
#define RIO_RIO_H

#include <stddef.h>
#include <stdint.h>

/* ---- Framing (RIO-FRM) --------------------------------------------------- */

#define RIO_VERSION 1
#define RIO_HEADER_SIZE 24          /* fixed part of both headers */
#define RIO_HEADER_LENGTH_MIN 24    /* HeaderLength lower bound */
#define RIO_HEADER_LENGTH_MAX 256   /* HeaderLength upper bound */
#define RIO_DATA_MAX 1048576        /* RequestDataLength / OutputLength / ResponseDataLength limit: 1 MiB */

/* Signatures as they appear on the wire, and as a little-endian u32. */
#define RIO_SIGNATURE_SIZE 4
#define RIO_SIGNATURE_REQUEST "RIOQ"
#define RIO_SIGNATURE_RESPONSE "RIOP"
#define RIO_SIGNATURE_REQUEST_LE 0x514F4952   /* 'R' 'I' 'O' 'Q' */
#define RIO_SIGNATURE_RESPONSE_LE 0x504F4952  /* 'R' 'I' 'O' 'P' */

/* Field offsets in the 24-byte fixed header. Offsets 12 and 16 carry
 * IoControlCode/OutputLength in a request and Status/Information in a
 * response. */
#define RIO_OFF_SIGNATURE 0
#define RIO_OFF_VERSION 4
#define RIO_OFF_MAJOR 5
#define RIO_OFF_HEADER_LENGTH 6
#define RIO_OFF_SEQUENCE 8
#define RIO_OFF_IOCTL 12
#define RIO_OFF_STATUS 12
#define RIO_OFF_OUTPUT_LENGTH 16
#define RIO_OFF_INFORMATION 16
#define RIO_OFF_DATA_LENGTH 20

/* ---- Addressing and defaults (RIO-ADR, RIO-TMO) --------------------------- */

#define RIO_BASE_PORT 5000           /* toaster N listens on RIO_BASE_PORT + N */
#define RIO_FARM_PORT 5000           /* default farm port */
#define RIO_PORT_RANGE_LAST 5099     /* last port of the default decode range */
#define RIO_STALL_TIMEOUT_MS 10000   /* default server stall timeout */
#define RIO_FIRST_SEQUENCE 1         /* first Sequence the bundled client sends */

/* ---- Major functions (IRP_MJ_*) ------------------------------------------ */

#define RIO_MJ_CREATE 0x00
#define RIO_MJ_CLOSE 0x02
#define RIO_MJ_READ 0x03
#define RIO_MJ_WRITE 0x04
#define RIO_MJ_DEVICE_CONTROL 0x0E
#define RIO_MJ_CLEANUP 0x12

#define RIO_MAJOR_TABLE(X) \
    X(RIO_MJ_CREATE, "CREATE") \
    X(RIO_MJ_CLOSE, "CLOSE") \
    X(RIO_MJ_READ, "READ") \
    X(RIO_MJ_WRITE, "WRITE") \
    X(RIO_MJ_DEVICE_CONTROL, "DEVICE_CONTROL") \
    X(RIO_MJ_CLEANUP, "CLEANUP")
/* The IRP_MJ_ name is "IRP_MJ_" followed by the short name above. */
#define RIO_MJ_PREFIX "IRP_MJ_"

/* ---- Status codes (NTSTATUS) --------------------------------------------- */

#define RIO_STATUS_SUCCESS 0x00000000
#define RIO_STATUS_BUFFER_OVERFLOW 0x80000005
#define RIO_STATUS_DEVICE_BUSY 0x80000011
#define RIO_STATUS_INVALID_HANDLE 0xC0000008
#define RIO_STATUS_INVALID_PARAMETER 0xC000000D
#define RIO_STATUS_INVALID_DEVICE_REQUEST 0xC0000010
#define RIO_STATUS_BUFFER_TOO_SMALL 0xC0000023
#define RIO_STATUS_SHARING_VIOLATION 0xC0000043
#define RIO_STATUS_REVISION_MISMATCH 0xC0000059
#define RIO_STATUS_INSUFFICIENT_RESOURCES 0xC000009A
#define RIO_STATUS_INVALID_DEVICE_STATE 0xC0000184
#define RIO_STATUS_INVALID_BUFFER_SIZE 0xC0000206

#define RIO_STATUS_TABLE(X) \
    X(RIO_STATUS_SUCCESS, "STATUS_SUCCESS") \
    X(RIO_STATUS_BUFFER_OVERFLOW, "STATUS_BUFFER_OVERFLOW") \
    X(RIO_STATUS_DEVICE_BUSY, "STATUS_DEVICE_BUSY") \
    X(RIO_STATUS_INVALID_HANDLE, "STATUS_INVALID_HANDLE") \
    X(RIO_STATUS_INVALID_PARAMETER, "STATUS_INVALID_PARAMETER") \
    X(RIO_STATUS_INVALID_DEVICE_REQUEST, "STATUS_INVALID_DEVICE_REQUEST") \
    X(RIO_STATUS_BUFFER_TOO_SMALL, "STATUS_BUFFER_TOO_SMALL") \
    X(RIO_STATUS_SHARING_VIOLATION, "STATUS_SHARING_VIOLATION") \
    X(RIO_STATUS_REVISION_MISMATCH, "STATUS_REVISION_MISMATCH") \
    X(RIO_STATUS_INSUFFICIENT_RESOURCES, "STATUS_INSUFFICIENT_RESOURCES") \
    X(RIO_STATUS_INVALID_DEVICE_STATE, "STATUS_INVALID_DEVICE_STATE") \
    X(RIO_STATUS_INVALID_BUFFER_SIZE, "STATUS_INVALID_BUFFER_SIZE")

/* NTSTATUS severity is the top two bits: 0 success, 1 informational,
 * 2 warning, 3 error. */
#define RIO_STATUS_SEVERITY(s) ((uint32_t)(s) >> 30)
#define RIO_STATUS_IS_ERROR(s) (RIO_STATUS_SEVERITY(s) == 3)

/* ---- IOCTL codes: CTL_CODE(DeviceType, Function, Method, Access) --------- */

#define RIO_CTL_CODE(dev, fn, method, access) \
    (((uint32_t)(dev) << 16) | ((uint32_t)(access) << 14) | ((uint32_t)(fn) << 2) | (uint32_t)(method))
#define RIO_IOCTL_DEVICE_TYPE(c) (((uint32_t)(c) >> 16) & 0xFFFF)
#define RIO_IOCTL_ACCESS(c) (((uint32_t)(c) >> 14) & 0x3)
#define RIO_IOCTL_FUNCTION(c) (((uint32_t)(c) >> 2) & 0xFFF)
#define RIO_IOCTL_METHOD(c) ((uint32_t)(c) & 0x3)
#define RIO_IOCTL_DEVICE_TYPE_MASK 0xFFFF0000
#define RIO_IOCTL_ACCESS_MASK 0x0000C000
#define RIO_IOCTL_FUNCTION_MASK 0x00003FFC
#define RIO_IOCTL_METHOD_MASK 0x00000003

#define RIO_FILE_DEVICE_UNKNOWN 0x22
#define RIO_METHOD_BUFFERED 0
#define RIO_METHOD_IN_DIRECT 1
#define RIO_METHOD_OUT_DIRECT 2
#define RIO_METHOD_NEITHER 3
#define RIO_FILE_ANY_ACCESS 0
#define RIO_FILE_READ_ACCESS 1
#define RIO_FILE_WRITE_ACCESS 2
#define RIO_FILE_READ_WRITE_ACCESS 3

#define RIO_METHOD_TABLE(X) \
    X(RIO_METHOD_BUFFERED, "METHOD_BUFFERED") \
    X(RIO_METHOD_IN_DIRECT, "METHOD_IN_DIRECT") \
    X(RIO_METHOD_OUT_DIRECT, "METHOD_OUT_DIRECT") \
    X(RIO_METHOD_NEITHER, "METHOD_NEITHER")

#define RIO_ACCESS_TABLE(X) \
    X(RIO_FILE_ANY_ACCESS, "FILE_ANY_ACCESS") \
    X(RIO_FILE_READ_ACCESS, "FILE_READ_ACCESS") \
    X(RIO_FILE_WRITE_ACCESS, "FILE_WRITE_ACCESS") \
    X(RIO_FILE_READ_WRITE_ACCESS, "FILE_READ_WRITE_ACCESS")

/* The toaster's IOCTLs, spelled out so that tools which cannot evaluate C
 * can read them; lib/rio_names.c checks each against RIO_CTL_CODE. */
#define RIO_IOCTL_TOASTER_GET_INFO 0x00222000       /* fn 0x800, ANY   */
#define RIO_IOCTL_TOASTER_GET_STATUS 0x00222004     /* fn 0x801, ANY   */
#define RIO_IOCTL_TOASTER_SET_DARKNESS 0x0022A008   /* fn 0x802, WRITE */
#define RIO_IOCTL_TOASTER_START 0x0022A00C          /* fn 0x803, WRITE */
#define RIO_IOCTL_TOASTER_EJECT 0x0022A010          /* fn 0x804, WRITE */

#define RIO_IOCTL_TABLE(X) \
    X(RIO_IOCTL_TOASTER_GET_INFO, "IOCTL_TOASTER_GET_INFO") \
    X(RIO_IOCTL_TOASTER_GET_STATUS, "IOCTL_TOASTER_GET_STATUS") \
    X(RIO_IOCTL_TOASTER_SET_DARKNESS, "IOCTL_TOASTER_SET_DARKNESS") \
    X(RIO_IOCTL_TOASTER_START, "IOCTL_TOASTER_START") \
    X(RIO_IOCTL_TOASTER_EJECT, "IOCTL_TOASTER_EJECT")

/* ---- The toaster device (RIO-TST) ---------------------------------------- */

#define RIO_TOASTER_CAPACITY 2
#define RIO_TOASTER_MAX_LOAD_BYTES 4096
#define RIO_TOASTER_FIRMWARE_VERSION 0x00010000
#define RIO_TOASTER_MODEL_NAME "RIO Toaster"
#define RIO_TOASTER_DARKNESS_MIN 1
#define RIO_TOASTER_DARKNESS_MAX 10
#define RIO_TOASTER_DARKNESS_DEFAULT 5

/* TOASTER_INFO: 48 bytes, little-endian. */
#define RIO_TOASTER_INFO_SIZE 48
#define RIO_TOASTER_INFO_OFF_SERIAL 0
#define RIO_TOASTER_INFO_OFF_CAPACITY 4
#define RIO_TOASTER_INFO_OFF_MAX_LOAD 8
#define RIO_TOASTER_INFO_OFF_FIRMWARE 12
#define RIO_TOASTER_INFO_OFF_MODEL 16
#define RIO_TOASTER_MODEL_SIZE 32

/* TOASTER_STATUS: 24 bytes, six little-endian u32. */
#define RIO_TOASTER_STATUS_SIZE 24
#define RIO_TOASTER_STATUS_OFF_STATE 0
#define RIO_TOASTER_STATUS_OFF_DARKNESS 4
#define RIO_TOASTER_STATUS_OFF_LOADED 8
#define RIO_TOASTER_STATUS_OFF_READY 12
#define RIO_TOASTER_STATUS_OFF_TOAST_COUNT 16
#define RIO_TOASTER_STATUS_OFF_ERROR_COUNT 20

/* SET_DARKNESS input: one u32. */
#define RIO_TOASTER_DARKNESS_INPUT_SIZE 4

#define RIO_TOASTER_STATE_EMPTY 0
#define RIO_TOASTER_STATE_LOADED 1
#define RIO_TOASTER_STATE_TOASTING 2
#define RIO_TOASTER_STATE_READY 3

#define RIO_TOASTER_STATE_TABLE(X) \
    X(RIO_TOASTER_STATE_EMPTY, "EMPTY") \
    X(RIO_TOASTER_STATE_LOADED, "LOADED") \
    X(RIO_TOASTER_STATE_TOASTING, "TOASTING") \
    X(RIO_TOASTER_STATE_READY, "READY")

/* ---- Little-endian access (no alignment assumptions) --------------------- */

static inline uint16_t rio_get_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t rio_get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline void rio_put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void rio_put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

#endif /* RIO_RIO_H */
