/* devmodel.h — the device interface: what a device model supplies behind
 * the protocol core (brief section 6, docs/PROTOCOL.md RIO-DEV).
 *
 * The core (rules.c, conn.c) keeps every session rule: framing, handles,
 * exclusive access, the one-request-at-a-time FIFO, CREATE and CLOSE,
 * timeouts, limits.  A model answers READ, WRITE and DEVICE_CONTROL, and is
 * reset when a handle ends.  It never sees a socket, a timer or the event
 * loop: every call carries the time (monotonic ms), and a request that
 * cannot be answered yet returns DEV_PEND.  The core then asks `wait` what
 * the request waits for (a deadline, a file descriptor to become readable),
 * arms exactly that, and calls `poll` when it happens; `poll` answers the
 * request or says it still pends.  Nothing calls back into the core.
 *
 * Between requests a model needs no timer: it catches up with the time at
 * its next call (the toaster ends its cycle, the modem completes a +++
 * escape), so a late call changes no outcome.
 *
 * Models: devmodel_toaster.c (the toaster, toasterdev.c) and
 * devmodel_serial.c (the serial port, serialdev.c, with the simulated
 * modem of hayes.c or a real tty of ttyport.c behind it). */
#ifndef RIOTOASTERD_DEVMODEL_H
#define RIOTOASTERD_DEVMODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DEV_NO_DEADLINE UINT64_MAX

struct session;
struct toaster_pool;

typedef enum dev_result {
    DEV_ANSWER, /* the reply is filled in */
    DEV_PEND,   /* no answer yet: `wait` says what for, `poll` answers it */
} dev_result;

/* One request as the model sees it (the core checked framing, the handle
 * and the MajorFunction). */
typedef struct dev_request {
    uint64_t now_ms;
    uint32_t ioctl;         /* DEVICE_CONTROL: the IoControlCode */
    const uint8_t *in;      /* WRITE data or IOCTL input, valid during the call only
                               (NULL when in_len is 0) */
    uint32_t in_len;
    uint32_t out_len;       /* OutputLength (READ: bytes wanted) */
} dev_request;

/* The answer.  `data` points into the model and stays valid until its next
 * call.  The core sends Information 0 and no data on a non-success status. */
typedef struct dev_reply {
    uint32_t status;
    uint32_t information;
    const uint8_t *data;
    uint32_t data_length;
} dev_reply;

/* What a pending request waits for: the core arms a timer at deadline_ms
 * and watches fd for input (either may be absent). */
typedef struct dev_wait {
    uint64_t deadline_ms; /* DEV_NO_DEADLINE: none */
    int fd;               /* -1: none */
} dev_wait;

/* What the server shares with its models. */
typedef struct device_env {
    unsigned faults;              /* FAULT_* bits (faults.h) */
    uint32_t toast_ms_per_level;  /* the toaster's cycle time per darkness level */
    struct toaster_pool *pool;    /* ready toast of all toasters (--max-ready-bytes, --memory-budget) */
} device_env;

typedef struct device device;

typedef struct device_ops {
    const char *kind;    /* its name on the command line: "toaster", "modem", "tty" */
    const char *plural;  /* in log lines: "toasters" */
    const char *arg;     /* what KIND:SERIAL:ARG names (NULL: takes no argument) */
    const char *summary; /* one line for --help */
    /* Server start: the device in its initial state.  0, or -1 with a
     * one-line reason in err and errno set (ENOMEM: out of memory; anything
     * else: the device cannot be used as given). */
    int (*open)(device *d, const char *arg, const device_env *env, char *err, size_t errlen);
    void (*close)(device *d); /* server stop */
    /* A handle ended (CLOSE, disconnect): back to the initial state. */
    void (*reset)(device *d, uint64_t now_ms);
    /* Drop the pending request without answering it (its handle ended). */
    void (*abandon)(device *d);
    dev_result (*read)(device *d, const dev_request *rq, dev_reply *r);
    dev_result (*write)(device *d, const dev_request *rq, dev_reply *r);
    dev_result (*control)(device *d, const dev_request *rq, dev_reply *r);
    /* The pending request: answered now (DEV_ANSWER), or DEV_PEND. */
    dev_result (*poll)(device *d, uint64_t now_ms, dev_reply *r);
    dev_wait (*wait)(const device *d);
    /* Optional: why a WRITE got STATUS_INSUFFICIENT_RESOURCES, for the log. */
    void (*refusal)(const device *d, char *out, size_t len);
} device_ops;

/* One served device. */
struct device {
    const device_ops *ops;
    void *model;                 /* the model's own state (ops->open) */
    uint32_t serial;
    const struct session *holder; /* the session holding its handle, or NULL */
    bool refusing;               /* INSUFFICIENT_RESOURCES logged; quiet until a success */
};

/* The models (devmodel_*.c), and the table of them by kind (devmodel.c). */
extern const device_ops devmodel_toaster, devmodel_modem, devmodel_tty;
extern const device_ops *const devmodel_kinds[];
extern const size_t devmodel_nkinds;
/* The model named `kind` ("toaster", "modem", "tty"), or NULL. */
const device_ops *devmodel_find(const char *kind);

#endif
