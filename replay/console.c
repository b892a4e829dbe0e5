/* console.c — standard output, messages and progress (see console.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "console.h"
#include "replayopts.h"

static struct {
    int tty;            /* -1: not asked yet */
    bool shown;         /* a progress line is on the terminal */
    gint64 last;        /* when it was last drawn (0: never) */
    int out_errno;      /* first failed write of standard output, 0 if none */
    rr_progress_fn fn;
    void *ctx;
    GString *text;
} con = {.tty = -1};

void rr_progress_clear(void)
{
    if (!con.shown)
        return;
    fputs("\r\033[K", stderr);
    con.shown = false;
}

void rr_error(const char *fmt, ...)
{
    va_list ap;
    rr_progress_clear();
    va_start(ap, fmt);
    fputs("rio-replay: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void rr_emit(GString *line)
{
    rr_progress_clear();
    g_string_append_c(line, '\n');
    if (fwrite(line->str, 1, line->len, stdout) != line->len && !con.out_errno)
        con.out_errno = errno ? errno : EIO;
    g_string_truncate(line, 0);
}

void rr_progress_source(rr_progress_fn fn, void *ctx)
{
    con.fn = fn;
    con.ctx = ctx;
}

void rr_progress_tick(void)
{
    if (!con.fn)
        return;
    if (con.tty < 0)
        con.tty = isatty(STDERR_FILENO);
    if (!con.tty)
        return;
    gint64 now = g_get_monotonic_time();
    if (con.last && now - con.last < RR_PROGRESS_INTERVAL_US)
        return;
    con.last = now;
    if (!con.text)
        con.text = g_string_new(NULL);
    g_string_assign(con.text, "\r");
    con.fn(con.ctx, con.text);
    g_string_append(con.text, "\033[K");
    fputs(con.text->str, stderr);
    con.shown = true;
}

int rr_console_finish(int code)
{
    rr_progress_clear();
    rr_progress_source(NULL, NULL);
    if (con.text)
        g_string_free(con.text, TRUE);
    con.text = NULL;
    if ((fflush(stdout) != 0 || ferror(stdout)) && !con.out_errno)
        con.out_errno = errno ? errno : EIO;
    if (!con.out_errno)
        return code;
    rr_error("cannot write the output: %s", strerror(con.out_errno));
    return RR_EXIT_USAGE;
}
