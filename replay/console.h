/* console.h — everything rio-replay prints goes through here: result lines
 * on standard output, one-line messages and the progress line on standard
 * error.
 *
 * Progress is shown only when standard error is a terminal: one line,
 * redrawn a few times a second (RR_PROGRESS_INTERVAL_US), erased ("\r" and
 * erase-to-end-of-line) before any other output, so it never runs into a
 * result or a message.  A failed write of standard output (a full disk, a
 * closed pipe) is remembered and turns the exit status into RR_EXIT_USAGE
 * with one line saying why (rr_console_finish). */
#ifndef RR_CONSOLE_H
#define RR_CONSOLE_H

#include <glib.h>
#include <stdbool.h>

#define RR_PROGRESS_INTERVAL_US 250000 /* progress redraws at most this often */

/* "rio-replay: ..." on standard error, one line. */
void rr_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* line and a newline on standard output; line is emptied. */
void rr_emit(GString *line);

/* What the progress line says: fn appends it to line.  The part of the
 * program running now sets it (reading: the capture; replaying: the
 * replay); NULL: no progress. */
typedef void (*rr_progress_fn)(void *ctx, GString *line);
void rr_progress_source(rr_progress_fn fn, void *ctx);
/* Redraw the progress line if it is time (never when standard error is not
 * a terminal; the first call is always due).  Cheap enough for every
 * turn of a loop. */
void rr_progress_tick(void);
/* Erase the progress line if one is shown. */
void rr_progress_clear(void);

/* Flush standard output: code, or RR_EXIT_USAGE after one line on
 * standard error if any output could not be written. */
int rr_console_finish(int code);

#endif
