/* program.h — what every RIO program does first in main(): take the
 * terminal's character set, and answer --version.
 *
 * Only LC_CTYPE follows the environment: GLib then prints its help in the
 * terminal's character set ("[OPTION…]" under a UTF-8 locale instead of
 * "[OPTION?]"), while LC_NUMERIC stays "C" so strtod() keeps reading "0.5"
 * whatever the user's language. */
#ifndef RIO_PROGRAM_H
#define RIO_PROGRAM_H

#include <locale.h>
#include <stdio.h>
#include <string.h>

#ifndef RIO_TOOLKIT_VERSION
#error "RIO_TOOLKIT_VERSION comes from the top-level CMakeLists.txt (project VERSION)"
#endif

/* -1: go on.  Otherwise argv was just "--version": "PROG VERSION" has been
 * printed and this is the exit status (0, or write_failed when stdout could
 * not take it). */
static inline int rio_program_start(int argc, char **argv, const char *prog, int write_failed)
{
    setlocale(LC_CTYPE, "");
    if (argc != 2 || strcmp(argv[1], "--version") != 0)
        return -1;
    printf("%s %s\n", prog, RIO_TOOLKIT_VERSION);
    return fflush(stdout) == 0 && !ferror(stdout) ? 0 : write_failed;
}

#endif
