/* serialdev.h — the serial-port device profile (brief sections 6-7,
 * docs/PROTOCOL.md RIO-DEV and RIO-SER) as a pure state machine: port
 * settings, DTR, the wait mask and its events, the 4,096-byte receive queue,
 * READ timeouts, PURGE and GET_COMMSTATUS.  No sockets, no timers, no clock:
 * every call carries the time in ms (any monotonic origin), so the server
 * and the unit tests drive time the same way.
 *
 * What is behind the port is a "line" (serial_line_ops): the simulated
 * Hayes modem (serialdev_init_modem, hayes.h) or a real tty (ttyport.h).
 * The line delivers received bytes with serialdev_receive and reports
 * modem-line changes with serialdev_lines_changed.
 *
 * Requests: serialdev_ioctl, serialdev_write and serialdev_read answer
 * SERIAL_COMPLETED with a reply, or SERIAL_PENDING (WAIT_ON_MASK with
 * nothing collected, a READ waiting per the timeouts).  While one pends the
 * caller sends the device no other request (the session serializes them):
 * it arms a timer for serialdev_deadline and calls serialdev_poll when the
 * timer fires (and, for a tty line, when its fd is readable); serialdev_poll
 * says when the pending request completed.  serialdev_reset abandons a
 * pending request (CLOSE, disconnect). */
#ifndef RIOTOASTERD_SERIALDEV_H
#define RIOTOASTERD_SERIALDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hayes.h"
#include "rio/rio.h"

#define SERIAL_NO_DEADLINE UINT64_MAX

typedef enum serial_outcome {
    SERIAL_IDLE,      /* serialdev_poll: no request was pending */
    SERIAL_COMPLETED, /* the reply is filled in */
    SERIAL_PENDING,   /* answered later by serialdev_poll */
} serial_outcome;

/* The answer to one request, shaped like toaster_reply.  `data` points into
 * the device and stays valid until the next serialdev call. */
typedef struct serial_reply {
    uint32_t status;
    uint32_t information;
    const uint8_t *data;
    uint32_t data_length;
} serial_reply;

/* What is behind the port.  Every function gets the line's own pointer.
 * Setters return an NTSTATUS; on failure the port keeps its old value. */
typedef struct serial_line_ops {
    uint32_t (*set_baud)(void *line, uint32_t baud);
    uint32_t (*set_line_control)(void *line, uint8_t stop_bits, uint8_t parity,
                                 uint8_t word_length);
    void (*set_dtr)(void *line, bool on);
    uint32_t (*modem_status)(void *line); /* RIO_SERIAL_MSR_* bits */
    /* Bytes written through the port (DTR is set); *accepted = how many. */
    uint32_t (*write)(void *line, const uint8_t *data, uint32_t len, uint64_t now_ms,
                      uint32_t *accepted);
    void (*purge)(void *line, uint32_t bits);
    /* Time is now_ms (or input may be waiting): deliver what happened. */
    void (*poll)(void *line, uint64_t now_ms);
    uint64_t (*deadline)(void *line);  /* next poll the line needs, or SERIAL_NO_DEADLINE */
    uint32_t (*in_queue)(void *line);  /* received bytes held below the port (NULL: none) */
    uint32_t (*out_queue)(void *line); /* bytes not yet sent (NULL: none) */
    /* Back to the initial state: 9600 8N1, DTR clear, nothing queued.
     * Reports no line changes. */
    void (*reset)(void *line);
} serial_line_ops;

enum serial_request { SERIAL_REQ_NONE, SERIAL_REQ_READ, SERIAL_REQ_WAIT };

typedef struct serialdev {
    const serial_line_ops *ops;
    void *line;
    hayes modem;  /* the line of serialdev_init_modem */
    uint64_t now; /* time of the current call; never goes back */

    uint32_t baud;
    uint8_t stop_bits, parity, word_length;
    uint32_t timeouts[RIO_SERIAL_TIMEOUTS_SIZE / 4]; /* in SERIAL_TIMEOUTS order */
    bool dtr;
    uint32_t wait_mask;
    uint32_t events; /* collected since SET_WAIT_MASK or the last WAIT_ON_MASK answer */
    uint32_t errors; /* SERIAL_STATUS Errors not yet reported */

    uint8_t rxq[RIO_SERIAL_QUEUE_SIZE]; /* ring: rxq[rx_head..] rx_len bytes */
    size_t rx_head, rx_len;

    /* The pending request (or the one that completed, until polled). */
    enum serial_request req;
    bool req_done;
    serial_reply done_reply;
    uint32_t read_want, read_got;
    uint64_t read_total_deadline; /* SERIAL_NO_DEADLINE: none */
    bool read_heard;              /* the READ has bytes: the interval timer runs */
    uint64_t read_last_byte;
    uint8_t *read_buf; /* the READ's bytes */
    size_t read_cap;

    uint8_t scratch[RIO_SERIAL_STATUS_SIZE]; /* fixed-size IOCTL outputs */
} serialdev;

/* A port with the simulated Hayes modem behind it, in the initial state. */
void serialdev_init_modem(serialdev *d);
/* A port with another line behind it (ttyport_open does this). */
void serialdev_init_line(serialdev *d, const serial_line_ops *ops, void *line);
/* The initial state (after CREATE, CLOSE or disconnect); abandons a pending
 * request without answering it. */
void serialdev_reset(serialdev *d);
/* Drop the pending request without answering it, changing nothing else
 * (its handle ended but the device keeps its state: the server's
 * state-kept-after-close fault). */
void serialdev_abandon(serialdev *d);
void serialdev_free(serialdev *d);

serial_outcome serialdev_ioctl(serialdev *d, uint32_t code, const uint8_t *in, uint32_t in_len,
                               uint32_t out_len, uint64_t now_ms, serial_reply *r);
serial_outcome serialdev_write(serialdev *d, const uint8_t *data, uint32_t len, uint64_t now_ms,
                               serial_reply *r);
serial_outcome serialdev_read(serialdev *d, uint32_t want, uint64_t now_ms, serial_reply *r);
/* Let time pass / take the line's input.  SERIAL_COMPLETED: the pending
 * request is answered by *r; SERIAL_PENDING: still waiting; SERIAL_IDLE:
 * nothing was pending. */
serial_outcome serialdev_poll(serialdev *d, uint64_t now_ms, serial_reply *r);
/* When serialdev_poll must be called next (a READ timeout, the modem's +++
 * guard time, a tty's line check), or SERIAL_NO_DEADLINE. */
uint64_t serialdev_deadline(const serialdev *d);
bool serialdev_pending(const serialdev *d);

/* For lines: received bytes (to the pending READ, else the queue), at the
 * time of the current call. */
void serialdev_receive(serialdev *d, const uint8_t *data, size_t len);
/* For lines: modem-status bits (RIO_SERIAL_MSR_*) that changed. */
void serialdev_lines_changed(serialdev *d, uint32_t msr_bits);
/* Bytes the port can take now without dropping any. */
size_t serialdev_rx_room(const serialdev *d);
/* One of the rates SET_BAUD_RATE accepts (RIO_SERIAL_BAUD_TABLE). */
bool serialdev_baud_valid(uint32_t baud);
uint32_t serialdev_wait_mask(const serialdev *d);

#endif
