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

/* The serial port's IOCTLs: the real NT ones (ntddser.h), all
 * FILE_DEVICE_SERIAL_PORT, METHOD_BUFFERED, FILE_ANY_ACCESS (brief section 7,
 * docs/PROTOCOL.md RIO-SER); lib/rio_names.c checks each against RIO_CTL_CODE. */
#define RIO_FILE_DEVICE_SERIAL_PORT 0x1B
#define RIO_IOCTL_SERIAL_SET_BAUD_RATE 0x001B0004    /* fn 1, BUFFERED, ANY */
#define RIO_IOCTL_SERIAL_SET_LINE_CONTROL 0x001B000C /* fn 3, BUFFERED, ANY */
#define RIO_IOCTL_SERIAL_SET_TIMEOUTS 0x001B001C     /* fn 7, BUFFERED, ANY */
#define RIO_IOCTL_SERIAL_GET_TIMEOUTS 0x001B0020     /* fn 8, BUFFERED, ANY */
#define RIO_IOCTL_SERIAL_SET_DTR 0x001B0024          /* fn 9, BUFFERED, ANY */
#define RIO_IOCTL_SERIAL_CLR_DTR 0x001B0028          /* fn 10, BUFFERED, ANY */
#define RIO_IOCTL_SERIAL_GET_WAIT_MASK 0x001B0040    /* fn 16, BUFFERED, ANY */
#define RIO_IOCTL_SERIAL_SET_WAIT_MASK 0x001B0044    /* fn 17, BUFFERED, ANY */
#define RIO_IOCTL_SERIAL_WAIT_ON_MASK 0x001B0048     /* fn 18, BUFFERED, ANY */
#define RIO_IOCTL_SERIAL_PURGE 0x001B004C            /* fn 19, BUFFERED, ANY */
#define RIO_IOCTL_SERIAL_GET_BAUD_RATE 0x001B0050    /* fn 20, BUFFERED, ANY */
#define RIO_IOCTL_SERIAL_GET_LINE_CONTROL 0x001B0054 /* fn 21, BUFFERED, ANY */
#define RIO_IOCTL_SERIAL_GET_MODEMSTATUS 0x001B0068  /* fn 26, BUFFERED, ANY */
#define RIO_IOCTL_SERIAL_GET_COMMSTATUS 0x001B006C   /* fn 27, BUFFERED, ANY */

#define RIO_IOCTL_TABLE(X) \
    X(RIO_IOCTL_TOASTER_GET_INFO, "IOCTL_TOASTER_GET_INFO") \
    X(RIO_IOCTL_TOASTER_GET_STATUS, "IOCTL_TOASTER_GET_STATUS") \
    X(RIO_IOCTL_TOASTER_SET_DARKNESS, "IOCTL_TOASTER_SET_DARKNESS") \
    X(RIO_IOCTL_TOASTER_START, "IOCTL_TOASTER_START") \
    X(RIO_IOCTL_TOASTER_EJECT, "IOCTL_TOASTER_EJECT") \
    X(RIO_IOCTL_SERIAL_SET_BAUD_RATE, "IOCTL_SERIAL_SET_BAUD_RATE") \
    X(RIO_IOCTL_SERIAL_SET_LINE_CONTROL, "IOCTL_SERIAL_SET_LINE_CONTROL") \
    X(RIO_IOCTL_SERIAL_SET_TIMEOUTS, "IOCTL_SERIAL_SET_TIMEOUTS") \
    X(RIO_IOCTL_SERIAL_GET_TIMEOUTS, "IOCTL_SERIAL_GET_TIMEOUTS") \
    X(RIO_IOCTL_SERIAL_SET_DTR, "IOCTL_SERIAL_SET_DTR") \
    X(RIO_IOCTL_SERIAL_CLR_DTR, "IOCTL_SERIAL_CLR_DTR") \
    X(RIO_IOCTL_SERIAL_GET_WAIT_MASK, "IOCTL_SERIAL_GET_WAIT_MASK") \
    X(RIO_IOCTL_SERIAL_SET_WAIT_MASK, "IOCTL_SERIAL_SET_WAIT_MASK") \
    X(RIO_IOCTL_SERIAL_WAIT_ON_MASK, "IOCTL_SERIAL_WAIT_ON_MASK") \
    X(RIO_IOCTL_SERIAL_PURGE, "IOCTL_SERIAL_PURGE") \
    X(RIO_IOCTL_SERIAL_GET_BAUD_RATE, "IOCTL_SERIAL_GET_BAUD_RATE") \
    X(RIO_IOCTL_SERIAL_GET_LINE_CONTROL, "IOCTL_SERIAL_GET_LINE_CONTROL") \
    X(RIO_IOCTL_SERIAL_GET_MODEMSTATUS, "IOCTL_SERIAL_GET_MODEMSTATUS") \
    X(RIO_IOCTL_SERIAL_GET_COMMSTATUS, "IOCTL_SERIAL_GET_COMMSTATUS")

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

/* ---- The serial port and its simulated Hayes modem (RIO-SER) ----------- */

#define RIO_SERIAL_QUEUE_SIZE 4096     /* receive queue; newer bytes beyond it are dropped */
#define RIO_SERIAL_U32_SIZE 4          /* BaudRate, wait mask, events, modem status, purge bits */

/* SET_BAUD_RATE accepts exactly these; 9600 after CREATE. */
#define RIO_SERIAL_BAUD_DEFAULT 9600
#define RIO_SERIAL_BAUD_300 300
#define RIO_SERIAL_BAUD_1200 1200
#define RIO_SERIAL_BAUD_2400 2400
#define RIO_SERIAL_BAUD_4800 4800
#define RIO_SERIAL_BAUD_9600 9600
#define RIO_SERIAL_BAUD_19200 19200
#define RIO_SERIAL_BAUD_38400 38400
#define RIO_SERIAL_BAUD_57600 57600
#define RIO_SERIAL_BAUD_115200 115200

#define RIO_SERIAL_BAUD_TABLE(X) \
    X(RIO_SERIAL_BAUD_300, "300") \
    X(RIO_SERIAL_BAUD_1200, "1200") \
    X(RIO_SERIAL_BAUD_2400, "2400") \
    X(RIO_SERIAL_BAUD_4800, "4800") \
    X(RIO_SERIAL_BAUD_9600, "9600") \
    X(RIO_SERIAL_BAUD_19200, "19200") \
    X(RIO_SERIAL_BAUD_38400, "38400") \
    X(RIO_SERIAL_BAUD_57600, "57600") \
    X(RIO_SERIAL_BAUD_115200, "115200")

/* SERIAL_LINE_CONTROL: three u8 (SET_/GET_LINE_CONTROL); 8N1 after CREATE. */
#define RIO_SERIAL_LINE_CONTROL_SIZE 3
#define RIO_SERIAL_LINE_CONTROL_OFF_STOP_BITS 0
#define RIO_SERIAL_LINE_CONTROL_OFF_PARITY 1
#define RIO_SERIAL_LINE_CONTROL_OFF_WORD_LENGTH 2
#define RIO_SERIAL_WORD_LENGTH_MIN 5
#define RIO_SERIAL_WORD_LENGTH_MAX 8
#define RIO_SERIAL_WORD_LENGTH_DEFAULT 8

#define RIO_SERIAL_STOP_BITS_1 0
#define RIO_SERIAL_STOP_BITS_1_5 1
#define RIO_SERIAL_STOP_BITS_2 2

#define RIO_SERIAL_STOP_BITS_TABLE(X) \
    X(RIO_SERIAL_STOP_BITS_1, "1") \
    X(RIO_SERIAL_STOP_BITS_1_5, "1.5") \
    X(RIO_SERIAL_STOP_BITS_2, "2")

#define RIO_SERIAL_PARITY_NONE 0
#define RIO_SERIAL_PARITY_ODD 1
#define RIO_SERIAL_PARITY_EVEN 2
#define RIO_SERIAL_PARITY_MARK 3
#define RIO_SERIAL_PARITY_SPACE 4

#define RIO_SERIAL_PARITY_TABLE(X) \
    X(RIO_SERIAL_PARITY_NONE, "NONE") \
    X(RIO_SERIAL_PARITY_ODD, "ODD") \
    X(RIO_SERIAL_PARITY_EVEN, "EVEN") \
    X(RIO_SERIAL_PARITY_MARK, "MARK") \
    X(RIO_SERIAL_PARITY_SPACE, "SPACE")

/* SERIAL_TIMEOUTS: five u32 in ms (SET_/GET_TIMEOUTS).  After CREATE the
 * read interval is MAXDWORD and the rest 0: a READ returns at once. */
#define RIO_SERIAL_TIMEOUTS_SIZE 20
#define RIO_SERIAL_TIMEOUTS_OFF_READ_INTERVAL 0
#define RIO_SERIAL_TIMEOUTS_OFF_READ_MULTIPLIER 4
#define RIO_SERIAL_TIMEOUTS_OFF_READ_CONSTANT 8
#define RIO_SERIAL_TIMEOUTS_OFF_WRITE_MULTIPLIER 12
#define RIO_SERIAL_TIMEOUTS_OFF_WRITE_CONSTANT 16
#define RIO_SERIAL_TIMEOUT_MAXDWORD 0xFFFFFFFF

/* SERIAL_STATUS (GET_COMMSTATUS output): 20 bytes. */
#define RIO_SERIAL_STATUS_SIZE 20
#define RIO_SERIAL_STATUS_OFF_ERRORS 0
#define RIO_SERIAL_STATUS_OFF_HOLD_REASONS 4
#define RIO_SERIAL_STATUS_OFF_IN_QUEUE 8
#define RIO_SERIAL_STATUS_OFF_OUT_QUEUE 12
#define RIO_SERIAL_STATUS_OFF_EOF_RECEIVED 16
#define RIO_SERIAL_STATUS_OFF_WAIT_FOR_IMMEDIATE 17

/* SERIAL_STATUS Errors bits; the simulated port sets only QUEUEOVERRUN. */
#define RIO_SERIAL_ERROR_BREAK 0x01
#define RIO_SERIAL_ERROR_FRAMING 0x02
#define RIO_SERIAL_ERROR_OVERRUN 0x04
#define RIO_SERIAL_ERROR_QUEUEOVERRUN 0x08
#define RIO_SERIAL_ERROR_PARITY 0x10

#define RIO_SERIAL_ERROR_TABLE(X) \
    X(RIO_SERIAL_ERROR_BREAK, "BREAK") \
    X(RIO_SERIAL_ERROR_FRAMING, "FRAMING") \
    X(RIO_SERIAL_ERROR_OVERRUN, "OVERRUN") \
    X(RIO_SERIAL_ERROR_QUEUEOVERRUN, "QUEUEOVERRUN") \
    X(RIO_SERIAL_ERROR_PARITY, "PARITY")

/* GET_MODEMSTATUS bits. */
#define RIO_SERIAL_MSR_CTS 0x10
#define RIO_SERIAL_MSR_DSR 0x20
#define RIO_SERIAL_MSR_RI 0x40
#define RIO_SERIAL_MSR_DCD 0x80

#define RIO_SERIAL_MSR_TABLE(X) \
    X(RIO_SERIAL_MSR_CTS, "CTS") \
    X(RIO_SERIAL_MSR_DSR, "DSR") \
    X(RIO_SERIAL_MSR_RI, "RI") \
    X(RIO_SERIAL_MSR_DCD, "DCD")

/* Wait-mask events (SET_/GET_WAIT_MASK, WAIT_ON_MASK); other bits are
 * undefined and refused. */
#define RIO_SERIAL_EV_RXCHAR 0x0001
#define RIO_SERIAL_EV_RXFLAG 0x0002
#define RIO_SERIAL_EV_TXEMPTY 0x0004
#define RIO_SERIAL_EV_CTS 0x0008
#define RIO_SERIAL_EV_DSR 0x0010
#define RIO_SERIAL_EV_RLSD 0x0020
#define RIO_SERIAL_EV_BREAK 0x0040
#define RIO_SERIAL_EV_ERR 0x0080
#define RIO_SERIAL_EV_RING 0x0100
#define RIO_SERIAL_EV_ALL 0x01FF

#define RIO_SERIAL_EV_TABLE(X) \
    X(RIO_SERIAL_EV_RXCHAR, "RXCHAR") \
    X(RIO_SERIAL_EV_RXFLAG, "RXFLAG") \
    X(RIO_SERIAL_EV_TXEMPTY, "TXEMPTY") \
    X(RIO_SERIAL_EV_CTS, "CTS") \
    X(RIO_SERIAL_EV_DSR, "DSR") \
    X(RIO_SERIAL_EV_RLSD, "RLSD") \
    X(RIO_SERIAL_EV_BREAK, "BREAK") \
    X(RIO_SERIAL_EV_ERR, "ERR") \
    X(RIO_SERIAL_EV_RING, "RING")

/* PURGE bits; at least one, no others. */
#define RIO_SERIAL_PURGE_TXABORT 0x1
#define RIO_SERIAL_PURGE_RXABORT 0x2
#define RIO_SERIAL_PURGE_TXCLEAR 0x4
#define RIO_SERIAL_PURGE_RXCLEAR 0x8
#define RIO_SERIAL_PURGE_ALL 0xF

#define RIO_SERIAL_PURGE_TABLE(X) \
    X(RIO_SERIAL_PURGE_TXABORT, "TXABORT") \
    X(RIO_SERIAL_PURGE_RXABORT, "RXABORT") \
    X(RIO_SERIAL_PURGE_TXCLEAR, "TXCLEAR") \
    X(RIO_SERIAL_PURGE_RXCLEAR, "RXCLEAR")

/* The Hayes modem behind the simulated port.  Every answer is framed
 * "\r\n<text>\r\n"; CONNECT is followed by " <baud>". */
#define RIO_MODEM_ID "RIO Modem 1.0"            /* ATI's line */
#define RIO_MODEM_OK "OK"
#define RIO_MODEM_ERROR "ERROR"
#define RIO_MODEM_CONNECT "CONNECT"
#define RIO_MODEM_NO_CARRIER "NO CARRIER"
#define RIO_MODEM_ESCAPE_CHAR 0x2B              /* '+', three of them escape */
#define RIO_MODEM_ESCAPE_COUNT 3
#define RIO_MODEM_GUARD_MS 1000                 /* silence before and after +++ */
#define RIO_MODEM_LINE_MAX 255                  /* command line bytes before CR; longer: ERROR */

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
