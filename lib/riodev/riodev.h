/*
 * riodev.h — declarative device descriptions (devices/README.md).
 *
 * A description file (*.riodev, GLib key-file syntax) names a device's
 * DeviceType, its IOCTLs and the layout of their input and output buffers;
 * this library loads a set of them, checks them, and decodes and encodes
 * the buffers they describe.  Everything that knows a device's IOCTLs —
 * the dissector, riotoast, the conformance suite — reads them from here (or
 * from pyrio/devdesc.py, which parses the same files the same way).
 *
 * Loaded objects are read-only and live as long as their set.  Nothing here
 * reads outside a buffer it is given: riodev_decode() reports the fields a
 * short buffer holds and stops.
 */
#ifndef RIODEV_H
#define RIODEV_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* File name ending of a description; riodev_set_add_dir() loads these. */
#define RIODEV_SUFFIX ".riodev"
/* Environment variable: directories (':'-separated) that replace the
 * default search path. */
#define RIODEV_PATH_ENV "RIO_DEVICE_PATH"
/* Bounds that keep a hostile file from costing much. */
#define RIODEV_FILE_MAX (1024 * 1024) /* bytes per description file */
#define RIODEV_NAME_MAX 64            /* characters per name */

#define RIODEV_ERROR (riodev_error_quark())
GQuark riodev_error_quark(void);
typedef enum riodev_error_code {
    RIODEV_ERROR_FILE,     /* cannot read the file or directory */
    RIODEV_ERROR_SYNTAX,   /* not a key file of the described shape */
    RIODEV_ERROR_INVALID,  /* a value or a reference is wrong */
    RIODEV_ERROR_CONFLICT, /* clashes with a description already loaded */
    RIODEV_ERROR_LOOKUP,   /* riodev_find_*: no such name, or ambiguous */
    RIODEV_ERROR_ENCODE,   /* riodev_encode: a bad assignment */
} riodev_error_code;

typedef enum riodev_type {
    RIODEV_U8,
    RIODEV_U16,
    RIODEV_U32,
    RIODEV_U64,
    RIODEV_I8,
    RIODEV_I16,
    RIODEV_I32,
    RIODEV_I64,
    RIODEV_CHAR,  /* char[N]: NUL-padded text; char[]: the rest, as text */
    RIODEV_BYTES, /* bytes[N] / bytes[]: opaque bytes */
    RIODEV_PAD,   /* pad[N]: padding, zero when encoded, no filter field */
} riodev_type;

typedef enum riodev_base { RIODEV_DEC, RIODEV_HEX } riodev_base;
typedef enum riodev_data_hint { RIODEV_DATA_BYTES, RIODEV_DATA_TEXT } riodev_data_hint;

typedef struct riodev_set riodev_set;
typedef struct riodev_device riodev_device;
typedef struct riodev_struct riodev_struct;

/* One named value of an enum or flags group. */
typedef struct riodev_name_value {
    const char *name;
    uint64_t value;
} riodev_name_value;

/* [enum NAME] or [flags NAME]: values in file order. */
typedef struct riodev_names {
    const char *name;
    bool is_flags;
    size_t count;
    const riodev_name_value *items;
    uint64_t max; /* the largest value */
    const riodev_device *device;
} riodev_names;

/* One field of a struct.  Integers are little-endian. */
typedef struct riodev_field {
    const char *name; /* as written: SerialNumber */
    /* Full display-filter name, rio.dev.<device>.<name in snake_case>
     * (or the filter= option); NULL for pad.  Fields of one device with
     * one filter name have one type, base and enum/flags group. */
    const char *filter;
    int filter_index; /* index into device->filters, -1 for pad */
    riodev_type type;
    size_t offset;
    size_t size;   /* bytes; for a variable tail (variable) 0 */
    bool variable; /* char[] / bytes[]: the rest of the buffer */
    riodev_base base;
    const riodev_names *names; /* enum= or flags= group, or NULL */
    /* range=LO..HI: for signed types the bounds are sign-extended into 64
     * bits (compare them as int64_t). */
    bool has_range;
    uint64_t range_lo, range_hi;
    const riodev_struct *parent;
} riodev_field;

struct riodev_struct {
    const char *name;
    const char *description; /* "" when none */
    size_t size;             /* fixed size; with a variable tail the fixed part */
    bool variable;           /* the last field is char[] or bytes[] */
    size_t field_count;
    const riodev_field *fields;
    const riodev_device *device;
};

typedef struct riodev_ioctl {
    const char *name;       /* IOCTL_SERIAL_SET_BAUD_RATE */
    const char *short_name; /* SET_BAUD_RATE: without IOCTL_ and IOCTL_<DEVICE>_ */
    const char *description;
    uint32_t code;
    unsigned function, method, access;
    const riodev_struct *input;  /* NULL: none */
    const riodev_struct *output; /* NULL: none */
    /* OutputFixed: an OutputLength below output->size gets
     * STATUS_BUFFER_TOO_SMALL (default: true for a fixed-size output). */
    bool output_fixed;
    /* InputExact: input of any other size than input->size gets
     * STATUS_INVALID_PARAMETER (default: true for a fixed-size input). */
    bool input_exact;
    bool may_pend; /* MayPend: the answer may wait for a device event */
    const riodev_device *device;
} riodev_ioctl;

struct riodev_device {
    const char *name; /* toaster, serial: [a-z][a-z0-9_]* */
    const char *description;
    const char *path; /* the file it came from */
    uint16_t device_type;
    riodev_data_hint read_data, write_data;
    size_t ioctl_count;
    const riodev_ioctl *ioctls;
    size_t struct_count;
    const riodev_struct *structs;
    size_t names_count;
    const riodev_names *names;
    /* One representative field per distinct filter name, in first-use
     * order: what a dissector registers (field->filter_index points here). */
    size_t filter_count;
    const riodev_field *const *filters;
};

/* ---- Loading ------------------------------------------------------------- */

riodev_set *riodev_set_new(void);
void riodev_free(riodev_set *set);

/* Add one file, or description text (name is used in messages).  Either the
 * whole description is added or, on error, nothing.  Errors are one line:
 * "<file>:<line>: [<group>] <key>: <what>". */
bool riodev_set_add_file(riodev_set *set, const char *path, GError **error);
bool riodev_set_add_data(riodev_set *set, const char *name, const char *data, size_t len,
                         GError **error);

/* Add every *.riodev of a directory in name order.  A bad file does not
 * stop the others: the valid ones are added, and the error message holds
 * one line per bad file. */
bool riodev_set_add_dir(riodev_set *set, const char *dir, GError **error);

/* The directories searched by riodev_load_default(), NULL-terminated
 * (g_strfreev it): $RIO_DEVICE_PATH if set, else the installed directory
 * (RIODEV_INSTALL_DIR) if it exists, else the source tree's devices/. */
char **riodev_default_dirs(void);

/* New set from a file, a directory (strict: any bad file fails) or the
 * default directories.  NULL and *error on failure. */
riodev_set *riodev_load_file(const char *path, GError **error);
riodev_set *riodev_load_dir(const char *dir, GError **error);
riodev_set *riodev_load_default(GError **error);

/* ---- Looking up ---------------------------------------------------------- */

size_t riodev_device_count(const riodev_set *set);
const riodev_device *riodev_device_at(const riodev_set *set, size_t i);
const riodev_device *riodev_find_device(const riodev_set *set, const char *name);
/* The first device loaded with this DeviceType, or NULL. */
const riodev_device *riodev_find_device_by_type(const riodev_set *set, uint16_t device_type);

const riodev_ioctl *riodev_find_ioctl(const riodev_set *set, uint32_t code);
/* By full name (IOCTL_SERIAL_SET_BAUD_RATE), short name (SET_BAUD_RATE) or
 * device-qualified short name (serial.SET_BAUD_RATE), case-insensitively.
 * NULL and *error (RIODEV_ERROR_LOOKUP) when unknown or ambiguous. */
const riodev_ioctl *riodev_find_ioctl_by_name(const riodev_set *set, const char *name,
                                              GError **error);

const riodev_struct *riodev_find_struct(const riodev_device *dev, const char *name);
const riodev_names *riodev_find_names(const riodev_device *dev, const char *name);
const char *riodev_names_lookup(const riodev_names *names, uint64_t value);

const char *riodev_type_name(riodev_type type);  /* "u32", "char", "pad" ... */
const char *riodev_method_name(unsigned method); /* rio.h's METHOD_* names */
const char *riodev_access_name(unsigned access); /* rio.h's FILE_*_ACCESS names */

/* ---- Decoding ------------------------------------------------------------ */

typedef struct riodev_value {
    const riodev_field *field;
    size_t offset, size; /* where in the buffer (size is the whole field) */
    const uint8_t *data; /* the field's bytes inside the buffer */
    /* Integers: the value, zero-extended (unsigned) or sign-extended
     * (signed; read it as int64_t). */
    uint64_t u;
    const char *enum_name; /* enum field: the value's name, NULL if unnamed */
    uint64_t unknown_bits; /* flags field: bits no flag names */
    bool in_range;         /* false only for a range= field outside it */
} riodev_value;

/* Return false to stop decoding. */
typedef bool (*riodev_field_cb)(const riodev_value *value, void *user);

/* Call cb for each field wholly inside buf[0..len), in order, and stop at
 * the first that is not (a short buffer).  Returns the bytes the reported
 * fields cover; bytes after them are not the struct's. */
size_t riodev_decode(const riodev_struct *s, const uint8_t *buf, size_t len, riodev_field_cb cb,
                     void *user);

/* The value as text, the same as pyrio/devdesc.py's (g_free it):
 * integers in the field's base (hex: 0x and two digits per byte), enum
 * "NAME (n)" or "unknown (n)", flags "A|B|0x40 (n)" or "none (n)",
 * char "\"text\"" (up to the first NUL, C escapes for the rest), bytes and
 * pad lower-case hex. */
char *riodev_value_text(const riodev_value *value);

/* ---- Encoding ------------------------------------------------------------ */

/* Skip range= checks (to send a value the device must refuse). */
#define RIODEV_ENCODE_UNCHECKED 1u

/* Append struct s to out, built from assignments "Field=value" (NULL-
 * terminated; Field is the field's name, any case, or its snake_case
 * filter part).  Values: integers (decimal, 0x hex, '-' for signed types),
 * enum names, flags as names and numbers joined by '|', char text (at most
 * N bytes, NUL-padded), bytes as hex (' ' and ':' between bytes allowed,
 * at most N bytes, zero-padded).  Fields not assigned are zero.  On error
 * nothing is appended. */
bool riodev_encode(const riodev_struct *s, const char *const *assignments, unsigned flags,
                   GByteArray *out, GError **error);

#endif /* RIODEV_H */
