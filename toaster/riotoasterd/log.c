/* log.c — one line per GLib log message, with a wall-clock timestamp. */
#include <glib.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

#include "log.h"

static void handler(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data)
{
    (void)domain;
    (void)data;
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    localtime_r(&tv.tv_sec, &tm);
    const char *tag = (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING)) ? "error: " : "";
    fprintf(stderr, "riotoasterd: %02d:%02d:%02d.%03ld %s%s\n", tm.tm_hour, tm.tm_min, tm.tm_sec,
            (long)tv.tv_usec / 1000, tag, message);
}

void log_init(void)
{
    g_log_set_default_handler(handler, NULL);
}
