/*
 * rio/client.h — librio's small blocking client: one connection to one RIO
 * device, one request at a time (serialized I/O), as the protocol demands.
 */
#ifndef RIO_CLIENT_H
#define RIO_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "rio/librio.h"

typedef struct rio_client rio_client;

/* Transport outcome of a call; the device's answer is in the response's
 * NTSTATUS (header.status). */
#define RIO_CLIENT_RESULT_TABLE(X) \
    X(RIO_CLIENT_OK, "ok") \
    X(RIO_CLIENT_CLOSED, "server closed the connection") \
    X(RIO_CLIENT_RESET, "connection reset by the server") \
    X(RIO_CLIENT_TIMEOUT, "no answer before the timeout") \
    X(RIO_CLIENT_PROTOCOL, "server broke the protocol") \
    X(RIO_CLIENT_IO, "socket error") \
    X(RIO_CLIENT_CONNECT, "could not connect")

typedef enum rio_client_result {
#define RIO_X_ENUM(sym, text) sym,
    RIO_CLIENT_RESULT_TABLE(RIO_X_ENUM)
#undef RIO_X_ENUM
} rio_client_result;

/* A decoded response.  `data` belongs to the client and stays valid until
 * the next call on it. */
typedef struct rio_response {
    rio_header header;
    const uint8_t *data;
} rio_response;

/* Connect to host:port (name or address, IPv4 or IPv6).  timeout_ms bounds
 * the whole connect (every address tried) and, later, each answer as a
 * whole: from the request's first byte sent to the response's last byte
 * received, however the peer spreads them out (0 = wait forever).
 * Returns NULL and a one-line message in err on failure. */
rio_client *rio_client_connect(const char *host, uint16_t port, int timeout_ms,
                               char *err, size_t errlen);
void rio_client_free(rio_client *c); /* closes the socket without CLOSE */

uint16_t rio_serial_port(unsigned serial); /* RIO_BASE_PORT + serial */

/* A server on the command line: "HOST", "HOST:PORT", "[V6]", "[V6]:PORT",
 * or a bare IPv6 address ("::1": more than one colon, so no port).  host
 * gets the name or address without brackets, *port the port or 0 when none
 * is given.  False for anything else (an empty host, a port not in
 * 1..65535, a "[" without "]", text after "]" other than ":PORT"). */
bool rio_split_host_port(const char *s, char *host, size_t hostlen, uint16_t *port);

void rio_client_set_timeout(rio_client *c, int timeout_ms);
void rio_client_set_sequence(rio_client *c, uint32_t next);
uint32_t rio_client_sequence(const rio_client *c); /* the next Sequence */
int rio_client_fd(const rio_client *c);
const char *rio_client_error(const rio_client *c); /* last failure, one line */
const char *rio_client_result_text(rio_client_result r);

/* One transaction: send a request with the next Sequence, wait for its
 * response, check that it answers this request (signature, Sequence and
 * MajorFunction echoed, data not longer than output_length: a header that
 * announces more fails at once, RIO_CLIENT_PROTOCOL, without waiting for
 * the data). */
rio_client_result rio_client_transact(rio_client *c, uint8_t major, uint32_t ioctl,
                                      uint32_t output_length, const void *data,
                                      uint32_t data_length, rio_response *resp);

/* The operations of the brief. */
rio_client_result rio_client_create(rio_client *c, rio_response *resp);
rio_client_result rio_client_close(rio_client *c, rio_response *resp);
rio_client_result rio_client_read(rio_client *c, uint32_t max, rio_response *resp);
rio_client_result rio_client_write(rio_client *c, const void *data, uint32_t len,
                                   rio_response *resp);
rio_client_result rio_client_ioctl(rio_client *c, uint32_t code, const void *in,
                                   uint32_t in_len, uint32_t out_len, rio_response *resp);

/* For hand-made requests (riotoast raw, tests): send bytes as they are, then
 * receive the next response, checking only that it is a well-formed RIO/1
 * response.  The timeout of an answer starts at send_raw and covers the
 * receive that follows it; a receive without a send before it (a second
 * pipelined answer) starts its own. */
rio_client_result rio_client_send_raw(rio_client *c, const void *bytes, size_t len);
rio_client_result rio_client_receive(rio_client *c, rio_response *resp);

#endif /* RIO_CLIENT_H */
