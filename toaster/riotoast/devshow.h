/*
 * devshow.h — device descriptions (devices/NAME.riodev, lib/riodev) in
 * riotoast: loading the set, building an IOCTL's input from Field=value
 * words, and showing an output buffer field by field.  Whatever riotoast
 * knows of a device's buffers beyond the toaster's own commands comes from
 * here, so a device described in a file needs no C.
 */
#ifndef RIOTOAST_DEVSHOW_H
#define RIOTOAST_DEVSHOW_H

#include <stddef.h>
#include <stdint.h>

#include "output.h"
#include "riodev.h"

/* The default descriptions (riodev_default_dirs: $RIO_DEVICE_PATH, the
 * installed ones or the source tree's) plus each of `extra` (NULL-
 * terminated, may be NULL): a file, or a directory whose *.riodev are all
 * loaded.  NULL after printing why (one line per bad file). */
riodev_set *devshow_load(rt_output *o, char *const *extra);

/* Show buf as the fields of s.  Text: "Field  value" lines worded as
 * riodev_value_text does (pad fields left out).  JSON: integers as numbers,
 * an enum or flags field with a Field_name member ("NO_PARITY", "CTS|DSR",
 * "none"; null for an unnamed enum value), char as a string, bytes as hex.
 * Bytes beyond the structure are shown as "Extra"; a buffer shorter than
 * the structure shows the fields it holds and says how short it is. */
void devshow_struct(rt_output *o, const riodev_struct *s, const uint8_t *buf, size_t len);

/* An IOCTL's output: decoded by the description of `code` when the set
 * has one with an output structure, else (when not empty) a hex dump. */
void devshow_output(rt_output *o, const riodev_set *set, uint32_t code, const uint8_t *buf,
                    size_t len);

#endif /* RIOTOAST_DEVSHOW_H */
