/* faults.h — fault injection: `--fault NAME` makes riotoasterd break exactly
 * one rule of docs/PROTOCOL.md, to test the testers (conformance suite).
 * The core (rules.c) and each device model read the bits they implement. */
#ifndef RIOTOASTERD_FAULTS_H
#define RIOTOASTERD_FAULTS_H

#include <stdbool.h>
#include <stdio.h>

/* The protocol core (rules.c). */
#define FAULT_SEQUENCE_ECHO 0x1u
#define FAULT_SHARING 0x2u
#define FAULT_STATE_KEPT 0x8u
#define FAULT_OPEN_AFTER_CLOSE 0x10u
#define FAULT_VERSION_2 0x20u
/* The toaster (devmodel_toaster.c). */
#define FAULT_DARKNESS_RANGE 0x100u
#define FAULT_IOCTL_SUCCESS 0x200u
#define FAULT_READ_DROP 0x400u
#define FAULT_WRITE_INFO 0x800u
#define FAULT_READ_NO_PEND 0x1000u
#define FAULT_DATA_OVER_OUTPUT 0x2000u
/* The serial port (devmodel_serial.c). */
#define FAULT_SERIAL_WAIT_AT_ONCE 0x10000u
#define FAULT_SERIAL_READ_AT_ONCE 0x20000u
#define FAULT_SERIAL_PURGE_KEEPS 0x40000u
#define FAULT_SERIAL_OVERRUN_HIDDEN 0x80000u
#define FAULT_SERIAL_WRITE_NO_DTR 0x100000u
#define FAULT_SERIAL_ANY_BAUD 0x200000u

/* Look a fault up by name; false if unknown. */
bool fault_parse(const char *name, unsigned *bit);
/* Print the table, one fault a line: NAME<TAB>IDS<TAB>DESCRIPTION, or as a
 * JSON array of {"name","ids":[...],"description"}. */
void fault_list(FILE *out, bool json);
/* The name of a single fault bit ("?" if none). */
const char *fault_name(unsigned bit);

#endif
