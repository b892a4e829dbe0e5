/* log.h — riotoasterd's log lines on stderr: "riotoasterd: HH:MM:SS.mmm text".
 * log_msg and log_err format into a stack buffer: GLib's g_message formats
 * with g_malloc, which aborts when memory runs out, and the daemon must keep
 * serving (and logging) then.  log_init routes GLib's own messages to the
 * same format. */
#ifndef RIOTOASTERD_LOG_H
#define RIOTOASTERD_LOG_H

void log_init(void);
void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
