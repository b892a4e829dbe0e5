/* log.h — riotoasterd's log lines on stderr: "riotoasterd: HH:MM:SS.mmm text".
 * Code logs through GLib (g_message, g_warning); this installs the format. */
#ifndef RIOTOASTERD_LOG_H
#define RIOTOASTERD_LOG_H

void log_init(void);

#endif
