/*
 * argbytes.h — turning command-line arguments into bytes and numbers.
 */
#ifndef RIOTOAST_ARGBYTES_H
#define RIOTOAST_ARGBYTES_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* The bytes an argument names: "@-" standard input, "@PATH" a file's
 * contents, anything else the text itself.  At most RIO_DATA_MAX bytes.
 * Returns NULL with a one-line message in *err and an RT_EXIT_* code in
 * *code (LOCAL for an unreadable file, USAGE for too much data). */
GByteArray *input_bytes(const char *arg, char **err, int *code);

/* Hex digits (spaces and colons allowed between bytes) to bytes; NULL with
 * *err on bad input. */
GByteArray *input_hex(const char *hex, char **err);

/* A u32 in decimal or 0x hex, nothing else. */
bool input_u32(const char *s, uint32_t *out);

#endif /* RIOTOAST_ARGBYTES_H */
