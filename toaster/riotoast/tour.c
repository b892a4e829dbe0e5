/* tour.c — the scripted tour: every operation of the protocol once, a
 * READ that pends while the toaster toasts, and deliberate errors whose
 * expected statuses count as passes. */
#include <string.h>

#include "toastcmds.h"
#include "toastconn.h"
#include "argbytes.h"

#define RT_SESSION_BREAD "riotoast session"

static gint opt_darkness = RIO_TOASTER_DARKNESS_MAX; /* longest cycle: the READ surely pends */
static gchar *opt_bread;

static const GOptionEntry session_entries[] = {
    {"darkness", 'd', 0, G_OPTION_ARG_INT, &opt_darkness,
     "Darkness for the toast cycles (default " G_STRINGIFY(RIO_TOASTER_DARKNESS_MAX) ")", "N"},
    {"bread", 'b', 0, G_OPTION_ARG_STRING, &opt_bread, "Bread to toast (default \"" RT_SESSION_BREAD "\")", "TEXT"},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

typedef struct tour {
    rt_conn *c;
    const char *bread;
    unsigned check_failures; /* answers with the right status but wrong content */
} tour;

/* A request with a label and the status it must get. */
static int step(tour *t, rt_request rq, const char *label, uint32_t expect, rio_response *resp)
{
    rq.label = label;
    rq.expect = expect;
    return conn_call(t->c, &rq, resp);
}

static void check(tour *t, bool ok, const char *what)
{
    if (ok)
        return;
    t->check_failures++;
    out_error(t->c->out, "session: %s", what);
}

/* The lowest IoControlCode of the toaster's device type and method that the
 * toaster does not know, and the lowest unknown MajorFunction. */
static uint32_t unknown_ioctl(void)
{
    uint32_t fn = RIO_IOCTL_FUNCTION(RIO_IOCTL_TOASTER_GET_INFO);
    while (rio_ioctl_name(RIO_CTL_CODE(RIO_FILE_DEVICE_UNKNOWN, fn, RIO_METHOD_BUFFERED, RIO_FILE_ANY_ACCESS)))
        fn++;
    return RIO_CTL_CODE(RIO_FILE_DEVICE_UNKNOWN, fn, RIO_METHOD_BUFFERED, RIO_FILE_ANY_ACCESS);
}

static uint8_t unknown_major(void)
{
    uint8_t major = 0;
    while (rio_major_name(major))
        major++;
    return major;
}

static int set_darkness(tour *t, uint32_t level, const char *label, uint32_t expect)
{
    uint8_t in[RIO_TOASTER_DARKNESS_INPUT_SIZE];
    rio_put_le32(in, level);
    rio_response resp;
    return step(t, rt_ioctl(RIO_IOCTL_TOASTER_SET_DARKNESS, in, sizeof in, 0), label, expect, &resp);
}

/* GET_STATUS, and the State and ToastCount it must show. */
static int expect_status(tour *t, const char *label, uint32_t state, uint32_t toast_count)
{
    rio_response resp;
    int code = step(t, rt_ioctl(RIO_IOCTL_TOASTER_GET_STATUS, NULL, 0, RIO_TOASTER_STATUS_SIZE), label,
                    RIO_STATUS_SUCCESS, &resp);
    if (code != RT_EXIT_OK)
        return code;
    bool sized = resp.header.data_length == RIO_TOASTER_STATUS_SIZE;
    check(t, sized, "GET_STATUS: output is not a TOASTER_STATUS");
    if (!sized)
        return RT_EXIT_OK;
    uint32_t got_state = rio_get_le32(resp.data + RIO_TOASTER_STATUS_OFF_STATE);
    uint32_t got_count = rio_get_le32(resp.data + RIO_TOASTER_STATUS_OFF_TOAST_COUNT);
    out_line(t->c->out, "     State %s, Darkness %u, LoadedBytes %u, ReadyBytes %u, ToastCount %u",
             rio_toaster_state_name(got_state) ? rio_toaster_state_name(got_state) : "?",
             rio_get_le32(resp.data + RIO_TOASTER_STATUS_OFF_DARKNESS),
             rio_get_le32(resp.data + RIO_TOASTER_STATUS_OFF_LOADED),
             rio_get_le32(resp.data + RIO_TOASTER_STATUS_OFF_READY), got_count);
    check(t, got_state == state, "GET_STATUS: unexpected State");
    check(t, got_count == toast_count, "GET_STATUS: unexpected ToastCount");
    return RT_EXIT_OK;
}

/* WRITE the bread and START: the toaster is toasting afterwards. */
static int load_and_start(tour *t)
{
    rio_response resp;
    uint32_t len = (uint32_t)strlen(t->bread);
    int code = step(t, rt_major(RIO_MJ_WRITE, 0, t->bread, len), "IRP_MJ_WRITE (load bread)",
                    RIO_STATUS_SUCCESS, &resp);
    if (code != RT_EXIT_OK)
        return code;
    check(t, resp.header.information == len, "WRITE: the toaster did not accept all the bread");
    return step(t, rt_ioctl(RIO_IOCTL_TOASTER_START, NULL, 0, 0), "IOCTL_TOASTER_START", RIO_STATUS_SUCCESS,
                &resp);
}

/* READ and check that the toast is the bread. */
static int read_toast(tour *t, const char *label)
{
    rio_response resp;
    uint32_t len = (uint32_t)strlen(t->bread);
    gint64 t0 = g_get_monotonic_time();
    int code = step(t, rt_major(RIO_MJ_READ, len, NULL, 0), label, RIO_STATUS_SUCCESS, &resp);
    if (code != RT_EXIT_OK)
        return code;
    out_line(t->c->out, "     %u bytes of toast after %.1f ms", resp.header.data_length,
             (double)(g_get_monotonic_time() - t0) / 1000.0);
    check(t, resp.header.data_length == len && memcmp(resp.data, t->bread, len) == 0,
          "READ: the toast is not the bread loaded");
    return RT_EXIT_OK;
}

static int show_info(tour *t)
{
    rio_response resp;
    int code = step(t, rt_ioctl(RIO_IOCTL_TOASTER_GET_INFO, NULL, 0, RIO_TOASTER_INFO_SIZE),
                    "IOCTL_TOASTER_GET_INFO", RIO_STATUS_SUCCESS, &resp);
    if (code == RT_EXIT_OK && resp.header.data_length == RIO_TOASTER_INFO_SIZE)
        out_line(t->c->out, "     SerialNumber %u, Capacity %u, MaxLoadBytes %u, FirmwareVersion 0x%08X",
                 rio_get_le32(resp.data + RIO_TOASTER_INFO_OFF_SERIAL),
                 rio_get_le32(resp.data + RIO_TOASTER_INFO_OFF_CAPACITY),
                 rio_get_le32(resp.data + RIO_TOASTER_INFO_OFF_MAX_LOAD),
                 rio_get_le32(resp.data + RIO_TOASTER_INFO_OFF_FIRMWARE));
    else if (code == RT_EXIT_OK)
        check(t, false, "GET_INFO: output is not a TOASTER_INFO");
    return code;
}

/* The deliberate errors: each must get exactly its status. */
static int provoke_errors(tour *t)
{
    rio_response resp;
    int code = step(t, rt_ioctl(RIO_IOCTL_TOASTER_GET_INFO, NULL, 0, RIO_TOASTER_INFO_SIZE / 2),
                    "IOCTL_TOASTER_GET_INFO, buffer too small", RIO_STATUS_BUFFER_TOO_SMALL, &resp);
    code = rt_worst(code, step(t, rt_ioctl(RIO_IOCTL_TOASTER_START, NULL, 0, 0), "IOCTL_TOASTER_START, no bread",
                               RIO_STATUS_INVALID_DEVICE_STATE, &resp));
    code = rt_worst(code, set_darkness(t, RIO_TOASTER_DARKNESS_MAX + 1, "IOCTL_TOASTER_SET_DARKNESS, too dark",
                                       RIO_STATUS_INVALID_PARAMETER));
    code = rt_worst(code, step(t, rt_ioctl(unknown_ioctl(), NULL, 0, 0), "unknown IoControlCode",
                               RIO_STATUS_INVALID_DEVICE_REQUEST, &resp));
    code = rt_worst(code, step(t, rt_major(unknown_major(), 0, NULL, 0), "unknown MajorFunction",
                               RIO_STATUS_INVALID_DEVICE_REQUEST, &resp));
    return code;
}

static int tour_body(rt_conn *c, void *ctx)
{
    tour *t = ctx;
    t->c = c;
    rio_response resp;
    int code = show_info(t);
    code = rt_worst(code, expect_status(t, "IOCTL_TOASTER_GET_STATUS (empty)", RIO_TOASTER_STATE_EMPTY, 0));
    code = rt_worst(code, provoke_errors(t));
    code = rt_worst(code, set_darkness(t, (uint32_t)opt_darkness, "IOCTL_TOASTER_SET_DARKNESS", RIO_STATUS_SUCCESS));
    /* Cycle 1: the READ pends until the toast is ready. */
    code = rt_worst(code, load_and_start(t));
    code = rt_worst(code, read_toast(t, "IRP_MJ_READ (pends while toasting)"));
    /* Cycle 2: EJECT ends it at once; the bread comes back as toast. */
    code = rt_worst(code, load_and_start(t));
    code = rt_worst(code, step(t, rt_ioctl(RIO_IOCTL_TOASTER_EJECT, NULL, 0, 0), "IOCTL_TOASTER_EJECT",
                               RIO_STATUS_SUCCESS, &resp));
    code = rt_worst(code, read_toast(t, "IRP_MJ_READ (after EJECT)"));
    code = rt_worst(code, expect_status(t, "IOCTL_TOASTER_GET_STATUS (emptied)", RIO_TOASTER_STATE_EMPTY, 2));
    code = rt_worst(code, step(t, rt_major(RIO_MJ_CLEANUP, 0, NULL, 0), "IRP_MJ_CLEANUP", RIO_STATUS_SUCCESS,
                               &resp));
    return code;
}

static int run_session(const rt_globals *g, rt_output *o, char **args, int nargs)
{
    (void)args, (void)nargs;
    tour t = {.bread = opt_bread ? opt_bread : RT_SESSION_BREAD};
    if (strlen(t.bread) == 0 || strlen(t.bread) > RIO_TOASTER_MAX_LOAD_BYTES) {
        out_error(o, "session: --bread must be 1..%u bytes", RIO_TOASTER_MAX_LOAD_BYTES);
        return RT_EXIT_USAGE;
    }
    if (opt_darkness < RIO_TOASTER_DARKNESS_MIN || opt_darkness > RIO_TOASTER_DARKNESS_MAX) {
        out_error(o, "session: --darkness must be %d..%d", RIO_TOASTER_DARKNESS_MIN, RIO_TOASTER_DARKNESS_MAX);
        return RT_EXIT_USAGE;
    }
    out_show_steps(o);
    int code = conn_run(g, o, tour_body, &t);
    rt_tally n = out_tally(o);
    unsigned failures = n.failed + t.check_failures;
    if (failures > 0)
        code = rt_worst(code, RT_EXIT_STATUS);
    out_line(o, "session: %u transactions, %u expected errors, %u failures", n.txns, n.expected_errors, failures);
    if (out_is_json(o)) {
        out_u32(o, "Transactions", n.txns);
        out_u32(o, "ExpectedErrors", n.expected_errors);
        out_u32(o, "Failures", failures);
    }
    return code;
}

const rt_command rt_session_command = {
    "session", "", "Scripted tour: every operation, a pending READ, and deliberate errors",
    "Runs CREATE, GET_INFO, GET_STATUS, SET_DARKNESS, WRITE, START, READ (which pends while\n"
    "the toaster toasts), EJECT, READ, CLEANUP and CLOSE, plus errors the device must\n"
    "report: GET_INFO into a too-small buffer (STATUS_BUFFER_TOO_SMALL), START with nothing\n"
    "loaded (STATUS_INVALID_DEVICE_STATE), darkness 11 (STATUS_INVALID_PARAMETER), an unknown\n"
    "IoControlCode and an unknown MajorFunction (STATUS_INVALID_DEVICE_REQUEST).  Each step\n"
    "prints one line; an expected error counts as a pass.  Exit status 1 if any step got\n"
    "another status or wrong data.",
    session_entries, 0, 0, run_session,
};
