/* log.c — one line per log message, with a wall-clock timestamp. */
#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

#include "log.h"

#define LOG_LINE_MAX 512 /* longer messages are cut, never allocated */

static void emit(const char *tag, const char *message)
{
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    localtime_r(&tv.tv_sec, &tm);
    fprintf(stderr, "riotoasterd: %02d:%02d:%02d.%03ld %s%s\n", tm.tm_hour, tm.tm_min, tm.tm_sec,
            (long)tv.tv_usec / 1000, tag, message);
}

static void handler(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data)
{
    (void)domain;
    (void)data;
    emit((level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING)) ? "error: " : "", message);
}

void log_init(void)
{
    g_log_set_default_handler(handler, NULL);
}

static void vlog(const char *tag, const char *fmt, va_list ap)
{
    char line[LOG_LINE_MAX];
    vsnprintf(line, sizeof line, fmt, ap);
    emit(tag, line);
}

void log_msg(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog("", fmt, ap);
    va_end(ap);
}

void log_err(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog("error: ", fmt, ap);
    va_end(ap);
}
