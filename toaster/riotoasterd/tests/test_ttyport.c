/* test_ttyport.c — the serial profile on a real tty (ttyport.h), over a
 * pseudo-terminal pair: the backend opens the slave, the test plays the far
 * end on the master.  Waits are poll(2) on the real fds, bounded; the
 * profile's own time (READ timeouts) is passed explicitly. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "check.h"
#include "ttyport.h"

#define WAIT_MS  5000 /* bound of every wait on the kernel */
#define MAXDWORD RIO_SERIAL_TIMEOUT_MAXDWORD

typedef struct fixture {
    int master;
    char path[128];
    serialdev dev;
    ttyport tp;
    uint64_t now;
} fixture;

static serial_reply R;

static bool open_pair(fixture *f)
{
    memset(f, 0, sizeof *f);
    f->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (f->master < 0 || grantpt(f->master) < 0 || unlockpt(f->master) < 0 ||
        ptsname_r(f->master, f->path, sizeof f->path) != 0) {
        perror("pseudo-terminal");
        check_failures++;
        return false;
    }
    struct termios t; /* the far end reads and writes raw bytes */
    tcgetattr(f->master, &t);
    cfmakeraw(&t);
    tcsetattr(f->master, TCSANOW, &t);
    return true;
}

/* A pty pair with the backend on the slave. */
static bool setup(fixture *f)
{
    if (!open_pair(f))
        return false;
    if (ttyport_open(&f->tp, &f->dev, f->path) != 0) {
        perror(f->path);
        check_failures++;
        close(f->master);
        return false;
    }
    return true;
}

static void teardown(fixture *f)
{
    serialdev_free(&f->dev);
    ttyport_close(&f->tp);
    if (f->master >= 0)
        close(f->master);
}

static uint32_t ioctl_st(fixture *f, uint32_t code, const void *in, uint32_t in_len,
                         uint32_t out_len)
{
    R = (serial_reply){0};
    CHECK_EQ(serialdev_ioctl(&f->dev, code, in, in_len, out_len, f->now, &R), SERIAL_COMPLETED);
    return R.status;
}

static uint32_t set_u32(fixture *f, uint32_t code, uint32_t v)
{
    uint8_t in[4];
    rio_put_le32(in, v);
    return ioctl_st(f, code, in, 4, 0);
}

static uint32_t get_u32(fixture *f, uint32_t code)
{
    CHECK_EQ(ioctl_st(f, code, NULL, 0, 4), RIO_STATUS_SUCCESS);
    return R.data_length == 4 ? rio_get_le32(R.data) : 0xDEADBEEF;
}

static void set_timeouts(fixture *f, uint32_t interval, uint32_t mult, uint32_t constant)
{
    uint8_t in[RIO_SERIAL_TIMEOUTS_SIZE] = {0};
    rio_put_le32(in + RIO_SERIAL_TIMEOUTS_OFF_READ_INTERVAL, interval);
    rio_put_le32(in + RIO_SERIAL_TIMEOUTS_OFF_READ_MULTIPLIER, mult);
    rio_put_le32(in + RIO_SERIAL_TIMEOUTS_OFF_READ_CONSTANT, constant);
    CHECK_EQ(ioctl_st(f, RIO_IOCTL_SERIAL_SET_TIMEOUTS, in, sizeof in, 0), RIO_STATUS_SUCCESS);
}

static short wait_fd(int fd, short events)
{
    struct pollfd p = {.fd = fd, .events = events};
    int n;
    do
        n = poll(&p, 1, WAIT_MS);
    while (n < 0 && errno == EINTR);
    return n > 0 ? p.revents : 0;
}

/* Exactly n bytes from the far end (bounded waits). */
static size_t master_read(fixture *f, uint8_t *buf, size_t n)
{
    size_t got = 0;
    while (got < n && (wait_fd(f->master, POLLIN) & POLLIN)) {
        ssize_t k = read(f->master, buf + got, n - got);
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    return got;
}

static void master_write(fixture *f, const void *data, size_t n)
{
    CHECK_EQ(write(f->master, data, n), (ssize_t)n);
}

/* Drive a pending request with the tty's input until it completes. */
static serial_outcome drive(fixture *f, serial_reply *r)
{
    serial_outcome o;
    while ((o = serialdev_poll(&f->dev, f->now, r)) == SERIAL_PENDING)
        if (!(wait_fd(ttyport_fd(&f->tp), POLLIN) & POLLIN))
            break;
    return o;
}

/* A READ of n bytes (the caller set timeouts that wait for them): at once
 * when they are already there, else driven by the tty's input. */
static serial_outcome read_n(fixture *f, uint32_t n, serial_reply *r)
{
    serial_outcome o = serialdev_read(&f->dev, n, f->now, r);
    return o == SERIAL_PENDING ? drive(f, r) : o;
}

static struct termios slave_termios(fixture *f)
{
    struct termios t;
    memset(&t, 0, sizeof t);
    CHECK_EQ(tcgetattr(ttyport_fd(&f->tp), &t), 0);
    return t;
}

/* Open: raw 9600 8N1, CLOCAL, CREAD, the profile's initial state. */
static void test_open_sets_initial_termios(void)
{
    fixture f;
    if (!setup(&f))
        return;
    struct termios t = slave_termios(&f);
    CHECK_EQ(cfgetospeed(&t), B9600);
    CHECK_EQ(cfgetispeed(&t), B9600);
    CHECK_EQ(t.c_cflag & CSIZE, CS8);
    CHECK(!(t.c_cflag & (PARENB | CSTOPB)));
    CHECK((t.c_cflag & (CLOCAL | CREAD)) == (CLOCAL | CREAD));
    CHECK(!(t.c_lflag & (ICANON | ECHO | ISIG)));
    CHECK(!(t.c_oflag & OPOST));
    CHECK(!(t.c_iflag & (ICRNL | IXON)));
    CHECK_EQ(get_u32(&f, RIO_IOCTL_SERIAL_GET_BAUD_RATE), 9600);
    CHECK_EQ(ttyport_error(&f.tp), 0);
    teardown(&f);
}

/* A path that is not a terminal, or not there, fails cleanly. */
static void test_open_refuses_non_tty(void)
{
    serialdev d;
    ttyport tp;
    errno = 0;
    CHECK_EQ(ttyport_open(&tp, &d, "/dev/null"), -1);
    CHECK_EQ(errno, ENOTTY);
    errno = 0;
    CHECK_EQ(ttyport_open(&tp, &d, "/nonexistent/tty"), -1);
    CHECK_EQ(errno, ENOENT);
}

/* WRITE: the bytes arrive on the far end exactly (all 256 values). */
static void test_write_arrives_on_other_side(void)
{
    fixture f;
    if (!setup(&f))
        return;
    uint8_t data[256], got[256];
    for (int i = 0; i < 256; i++)
        data[i] = (uint8_t)i;
    CHECK_EQ(ioctl_st(&f, RIO_IOCTL_SERIAL_SET_DTR, NULL, 0, 0), RIO_STATUS_SUCCESS);
    CHECK_EQ(serialdev_write(&f.dev, data, sizeof data, f.now, &R), SERIAL_COMPLETED);
    CHECK_EQ(R.status, RIO_STATUS_SUCCESS);
    CHECK_EQ(R.information, sizeof data);
    CHECK_EQ(master_read(&f, got, sizeof got), sizeof got);
    CHECK(memcmp(got, data, sizeof data) == 0);
    teardown(&f);
}

/* A WRITE larger than the kernel takes at once: Information is what went,
 * and exactly those bytes arrive. */
static void test_large_write_reports_accepted(void)
{
    fixture f;
    if (!setup(&f))
        return;
    size_t n = 1 << 20;
    uint8_t *data = malloc(n), *got = malloc(n);
    CHECK(data && got);
    if (!data || !got) {
        free(data);
        free(got);
        teardown(&f);
        return;
    }
    for (size_t i = 0; i < n; i++)
        data[i] = (uint8_t)(i * 7 + (i >> 8));
    ioctl_st(&f, RIO_IOCTL_SERIAL_SET_DTR, NULL, 0, 0);
    CHECK_EQ(serialdev_write(&f.dev, data, (uint32_t)n, f.now, &R), SERIAL_COMPLETED);
    CHECK_EQ(R.status, RIO_STATUS_SUCCESS);
    CHECK(R.information > 0 && R.information < n); /* a pty buffers far less than 1 MiB */
    CHECK_EQ(master_read(&f, got, R.information), R.information);
    CHECK(memcmp(got, data, R.information) == 0);
    free(data);
    free(got);
    teardown(&f);
}

/* The profile's rule on a tty too: WRITE with DTR clear is refused and
 * nothing of it reaches the line. */
static void test_write_with_dtr_clear_refused(void)
{
    fixture f;
    if (!setup(&f))
        return;
    CHECK_EQ(serialdev_write(&f.dev, (const uint8_t *)"nope", 4, f.now, &R), SERIAL_COMPLETED);
    CHECK_EQ(R.status, RIO_STATUS_INVALID_DEVICE_STATE);
    ioctl_st(&f, RIO_IOCTL_SERIAL_SET_DTR, NULL, 0, 0);
    serialdev_write(&f.dev, (const uint8_t *)"ok", 2, f.now, &R);
    uint8_t got[8] = {0};
    CHECK_EQ(master_read(&f, got, 2), 2);
    CHECK(memcmp(got, "ok", 2) == 0);
    teardown(&f);
}

/* Bytes from the far end complete a READ that waits for them (all
 * timeouts 0: until OutputLength bytes). */
static void test_pending_read_completed_by_tty_bytes(void)
{
    fixture f;
    if (!setup(&f))
        return;
    set_timeouts(&f, 0, 0, 0);
    serial_reply r;
    CHECK_EQ(serialdev_read(&f.dev, 6, f.now, &r), SERIAL_PENDING);
    master_write(&f, "abc", 3);
    master_write(&f, "\0\xff\n", 3);
    CHECK_EQ(drive(&f, &r), SERIAL_COMPLETED);
    CHECK(r.status == RIO_STATUS_SUCCESS && r.data_length == 6 && r.information == 6);
    CHECK(r.data_length == 6 && memcmp(r.data, "abc\0\xff\n", 6) == 0);
    teardown(&f);
}

/* An immediate READ returns what the tty received; the queue keeps the rest
 * in order. */
static void test_immediate_read_returns_tty_bytes(void)
{
    fixture f;
    if (!setup(&f))
        return;
    master_write(&f, "hello", 5);
    CHECK(wait_fd(ttyport_fd(&f.tp), POLLIN) & POLLIN);
    serial_reply r;
    CHECK_EQ(serialdev_read(&f.dev, 2, f.now, &r), SERIAL_COMPLETED);
    CHECK(r.data_length == 2 && memcmp(r.data, "he", 2) == 0);
    CHECK_EQ(serialdev_read(&f.dev, 100, f.now, &r), SERIAL_COMPLETED);
    CHECK(r.data_length == 3 && memcmp(r.data, "llo", 3) == 0);
    teardown(&f);
}

/* READ timeouts are the profile's: with no bytes, the total timeout ends
 * the READ with 0 bytes at its deadline. */
static void test_read_total_timeout_on_tty(void)
{
    fixture f;
    if (!setup(&f))
        return;
    set_timeouts(&f, 0, 0, 100);
    serial_reply r;
    f.now = 1000;
    CHECK_EQ(serialdev_read(&f.dev, 4, f.now, &r), SERIAL_PENDING);
    CHECK_EQ(serialdev_deadline(&f.dev), 1100);
    CHECK_EQ(serialdev_poll(&f.dev, 1099, &r), SERIAL_PENDING);
    CHECK_EQ(serialdev_poll(&f.dev, 1100, &r), SERIAL_COMPLETED);
    CHECK(r.status == RIO_STATUS_SUCCESS && r.data_length == 0);
    teardown(&f);
}

/* SET_BAUD_RATE lands in the tty's termios, as any other fd on the same
 * tty sees it. */
static void test_baud_lands_in_termios(void)
{
    static const struct {
        uint32_t baud;
        speed_t speed;
    } rates[] = {{300, B300},     {1200, B1200},   {2400, B2400},   {4800, B4800},    {9600, B9600},
                 {19200, B19200}, {38400, B38400}, {57600, B57600}, {115200, B115200}};
    fixture f;
    if (!setup(&f))
        return;
    int other = open(f.path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    CHECK(other >= 0);
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        CHECK_EQ(set_u32(&f, RIO_IOCTL_SERIAL_SET_BAUD_RATE, rates[i].baud), RIO_STATUS_SUCCESS);
        struct termios t;
        CHECK_EQ(tcgetattr(other, &t), 0);
        CHECK_EQ(cfgetospeed(&t), rates[i].speed);
        CHECK_EQ(cfgetispeed(&t), rates[i].speed);
        CHECK_EQ(get_u32(&f, RIO_IOCTL_SERIAL_GET_BAUD_RATE), rates[i].baud);
    }
    CHECK_EQ(set_u32(&f, RIO_IOCTL_SERIAL_SET_BAUD_RATE, 110), RIO_STATUS_INVALID_PARAMETER);
    if (other >= 0)
        close(other);
    teardown(&f);
}

/* Does this kernel keep `cflag` on a pty slave?  (Linux's pty driver forces
 * CS8 and clears PARENB.) */
static bool pty_keeps(tcflag_t cflag, tcflag_t mask)
{
    fixture f;
    if (!open_pair(&f))
        return false;
    int s = open(f.path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    struct termios t;
    bool kept = false;
    if (s >= 0 && tcgetattr(s, &t) == 0) {
        t.c_cflag = (t.c_cflag & ~mask) | cflag;
        tcsetattr(s, TCSANOW, &t);
        kept = tcgetattr(s, &t) == 0 && (t.c_cflag & mask) == cflag;
    }
    if (s >= 0)
        close(s);
    close(f.master);
    return kept;
}

/* SET_LINE_CONTROL lands in termios where the tty driver supports it; a
 * value the driver refuses is STATUS_INVALID_PARAMETER and changes
 * nothing (port and termios). */
static void test_line_control_lands_in_termios(void)
{
    fixture f;
    if (!setup(&f))
        return;
    uint8_t two_stop[3] = {RIO_SERIAL_STOP_BITS_2, RIO_SERIAL_PARITY_NONE, 8};
    CHECK_EQ(ioctl_st(&f, RIO_IOCTL_SERIAL_SET_LINE_CONTROL, two_stop, 3, 0), RIO_STATUS_SUCCESS);
    struct termios t = slave_termios(&f);
    CHECK(t.c_cflag & CSTOPB);
    CHECK_EQ(t.c_cflag & CSIZE, CS8);
    CHECK(!(t.c_cflag & PARENB));

    uint8_t seven_even[3] = {RIO_SERIAL_STOP_BITS_1, RIO_SERIAL_PARITY_EVEN, 7};
    bool kept = pty_keeps(CS7 | PARENB, CSIZE | PARENB | PARODD);
    uint32_t st = ioctl_st(&f, RIO_IOCTL_SERIAL_SET_LINE_CONTROL, seven_even, 3, 0);
    t = slave_termios(&f);
    CHECK_EQ(ioctl_st(&f, RIO_IOCTL_SERIAL_GET_LINE_CONTROL, NULL, 0, 3), RIO_STATUS_SUCCESS);
    if (kept) {
        CHECK_EQ(st, RIO_STATUS_SUCCESS);
        CHECK_EQ(t.c_cflag & (CSIZE | PARENB | PARODD | CSTOPB), CS7 | PARENB);
        CHECK(R.data_length == 3 && memcmp(R.data, seven_even, 3) == 0);
    } else {
        CHECK_EQ(st, RIO_STATUS_INVALID_PARAMETER);
        CHECK(t.c_cflag & CSTOPB); /* the earlier setting stands */
        CHECK(R.data_length == 3 && memcmp(R.data, two_stop, 3) == 0);
    }
    teardown(&f);
}

/* GET_MODEMSTATUS is TIOCMGET's CTS/DSR/RI/CD; a tty without modem lines
 * (a pty) reports 0 and DTR is kept by the port alone. */
static void test_modem_status_from_tiocmget(void)
{
    fixture f;
    if (!setup(&f))
        return;
    CHECK_EQ(ioctl_st(&f, RIO_IOCTL_SERIAL_SET_DTR, NULL, 0, 0), RIO_STATUS_SUCCESS);
    int bits = 0;
    bool has_lines = ioctl(ttyport_fd(&f.tp), TIOCMGET, &bits) == 0;
    uint32_t want = 0;
    if (has_lines) {
        CHECK(bits & TIOCM_DTR);
        want = (bits & TIOCM_CTS ? RIO_SERIAL_MSR_CTS : 0) |
               (bits & TIOCM_DSR ? RIO_SERIAL_MSR_DSR : 0) |
               (bits & TIOCM_RI ? RIO_SERIAL_MSR_RI : 0) |
               (bits & TIOCM_CD ? RIO_SERIAL_MSR_DCD : 0);
    }
    CHECK_EQ(get_u32(&f, RIO_IOCTL_SERIAL_GET_MODEMSTATUS), want);
    CHECK_EQ(serialdev_write(&f.dev, (const uint8_t *)"x", 1, f.now, &R), SERIAL_COMPLETED);
    CHECK_EQ(R.status, RIO_STATUS_SUCCESS); /* DTR is set as far as the port goes */
    if (!has_lines) {                       /* no lines: a line event never comes */
        set_u32(&f, RIO_IOCTL_SERIAL_SET_WAIT_MASK,
                RIO_SERIAL_EV_DSR | RIO_SERIAL_EV_CTS | RIO_SERIAL_EV_RLSD);
        ioctl_st(&f, RIO_IOCTL_SERIAL_CLR_DTR, NULL, 0, 0);
        CHECK_EQ(serialdev_ioctl(&f.dev, RIO_IOCTL_SERIAL_WAIT_ON_MASK, NULL, 0, 4, f.now, &R),
                 SERIAL_PENDING);
        CHECK_EQ(serialdev_deadline(&f.dev), SERIAL_NO_DEADLINE);
    }
    teardown(&f);
}

/* RXCHAR: bytes from the far end complete a pending WAIT_ON_MASK. */
static void test_rxchar_event_from_tty(void)
{
    fixture f;
    if (!setup(&f))
        return;
    CHECK_EQ(set_u32(&f, RIO_IOCTL_SERIAL_SET_WAIT_MASK, RIO_SERIAL_EV_RXCHAR), RIO_STATUS_SUCCESS);
    serial_reply r;
    CHECK_EQ(serialdev_ioctl(&f.dev, RIO_IOCTL_SERIAL_WAIT_ON_MASK, NULL, 0, 4, f.now, &r),
             SERIAL_PENDING);
    master_write(&f, "!", 1);
    CHECK_EQ(drive(&f, &r), SERIAL_COMPLETED);
    CHECK(r.status == RIO_STATUS_SUCCESS && r.data_length == 4);
    CHECK(r.data_length == 4 && rio_get_le32(r.data) == RIO_SERIAL_EV_RXCHAR);
    teardown(&f);
}

/* PURGE RXCLEAR drops what the tty received (port queue and kernel); later
 * bytes still arrive. */
static void test_purge_rxclear_flushes_tty(void)
{
    fixture f;
    if (!setup(&f))
        return;
    master_write(&f, "old", 3);
    CHECK(wait_fd(ttyport_fd(&f.tp), POLLIN) & POLLIN);
    CHECK_EQ(set_u32(&f, RIO_IOCTL_SERIAL_PURGE, RIO_SERIAL_PURGE_RXCLEAR), RIO_STATUS_SUCCESS);
    CHECK_EQ(ioctl_st(&f, RIO_IOCTL_SERIAL_GET_COMMSTATUS, NULL, 0, 20), RIO_STATUS_SUCCESS);
    CHECK(R.data_length == 20 && rio_get_le32(R.data + RIO_SERIAL_STATUS_OFF_IN_QUEUE) == 0);
    master_write(&f, "new", 3);
    set_timeouts(&f, 0, 0, 0);
    serial_reply r;
    CHECK_EQ(read_n(&f, 3, &r), SERIAL_COMPLETED);
    CHECK(r.data_length == 3 && memcmp(r.data, "new", 3) == 0);
    teardown(&f);
}

/* GET_COMMSTATUS counts what the tty received and no READ took yet. */
static void test_commstatus_counts_tty_bytes(void)
{
    fixture f;
    if (!setup(&f))
        return;
    master_write(&f, "12345", 5);
    CHECK(wait_fd(ttyport_fd(&f.tp), POLLIN) & POLLIN);
    CHECK_EQ(ioctl_st(&f, RIO_IOCTL_SERIAL_GET_COMMSTATUS, NULL, 0, 20), RIO_STATUS_SUCCESS);
    CHECK(R.data_length == 20 && rio_get_le32(R.data + RIO_SERIAL_STATUS_OFF_IN_QUEUE) == 5);
    CHECK(R.data_length == 20 && rio_get_le32(R.data + RIO_SERIAL_STATUS_OFF_ERRORS) == 0);
    teardown(&f);
}

/* The far end hanging up fails the port: WRITE is refused with
 * STATUS_INVALID_DEVICE_STATE and ttyport_error says why; nothing crashes. */
static void test_hangup_fails_port(void)
{
    fixture f;
    if (!setup(&f))
        return;
    ioctl_st(&f, RIO_IOCTL_SERIAL_SET_DTR, NULL, 0, 0);
    close(f.master);
    f.master = -1;
    CHECK(wait_fd(ttyport_fd(&f.tp), POLLIN) & (POLLHUP | POLLIN | POLLERR));
    serial_reply r;
    CHECK_EQ(serialdev_poll(&f.dev, f.now, &r), SERIAL_IDLE);
    CHECK(ttyport_error(&f.tp) != 0);
    CHECK_EQ(serialdev_write(&f.dev, (const uint8_t *)"x", 1, f.now, &r), SERIAL_COMPLETED);
    CHECK_EQ(r.status, RIO_STATUS_INVALID_DEVICE_STATE);
    CHECK_EQ(r.information, 0);
    teardown(&f);
}

/* CLOSE/disconnect (serialdev_reset) brings the tty back to the profile's
 * initial settings. */
static void test_reset_restores_profile_defaults(void)
{
    fixture f;
    if (!setup(&f))
        return;
    set_u32(&f, RIO_IOCTL_SERIAL_SET_BAUD_RATE, 115200);
    uint8_t two_stop[3] = {RIO_SERIAL_STOP_BITS_2, RIO_SERIAL_PARITY_NONE, 8};
    ioctl_st(&f, RIO_IOCTL_SERIAL_SET_LINE_CONTROL, two_stop, 3, 0);
    ioctl_st(&f, RIO_IOCTL_SERIAL_SET_DTR, NULL, 0, 0);
    serialdev_reset(&f.dev);
    struct termios t = slave_termios(&f);
    CHECK_EQ(cfgetospeed(&t), B9600);
    CHECK(!(t.c_cflag & CSTOPB));
    CHECK_EQ(get_u32(&f, RIO_IOCTL_SERIAL_GET_BAUD_RATE), 9600);
    CHECK_EQ(serialdev_write(&f.dev, (const uint8_t *)"x", 1, f.now, &R), SERIAL_COMPLETED);
    CHECK_EQ(R.status, RIO_STATUS_INVALID_DEVICE_STATE); /* DTR clear again */
    teardown(&f);
}

/* Closing the backend gives the tty its own settings back. */
static void test_close_restores_termios(void)
{
    fixture f;
    if (!open_pair(&f))
        return;
    int other = open(f.path, O_RDWR | O_NOCTTY | O_CLOEXEC); /* keeps the tty's settings alive */
    struct termios before, after;
    CHECK(other >= 0 && tcgetattr(other, &before) == 0);
    CHECK_EQ(ttyport_open(&f.tp, &f.dev, f.path), 0);
    set_u32(&f, RIO_IOCTL_SERIAL_SET_BAUD_RATE, 300);
    CHECK(tcgetattr(other, &after) == 0 && cfgetospeed(&after) == B300);
    serialdev_free(&f.dev);
    ttyport_close(&f.tp);
    CHECK_EQ(ttyport_fd(&f.tp), -1);
    CHECK(tcgetattr(other, &after) == 0);
    CHECK_EQ(cfgetospeed(&after), cfgetospeed(&before));
    CHECK_EQ(after.c_lflag, before.c_lflag);
    CHECK_EQ(after.c_cflag, before.c_cflag);
    if (other >= 0)
        close(other);
    close(f.master);
}

int main(void)
{
    test_open_sets_initial_termios();
    test_open_refuses_non_tty();
    test_write_arrives_on_other_side();
    test_large_write_reports_accepted();
    test_write_with_dtr_clear_refused();
    test_pending_read_completed_by_tty_bytes();
    test_immediate_read_returns_tty_bytes();
    test_read_total_timeout_on_tty();
    test_baud_lands_in_termios();
    test_line_control_lands_in_termios();
    test_modem_status_from_tiocmget();
    test_rxchar_event_from_tty();
    test_purge_rxclear_flushes_tty();
    test_commstatus_counts_tty_bytes();
    test_hangup_fails_port();
    test_reset_restores_profile_defaults();
    test_close_restores_termios();
    return check_report("ttyport");
}
