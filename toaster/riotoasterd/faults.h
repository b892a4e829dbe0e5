/* faults.h — fault injection: `--fault NAME` makes riotoasterd break exactly
 * one rule of docs/PROTOCOL.md, to test the testers (conformance suite). */
#ifndef RIOTOASTERD_FAULTS_H
#define RIOTOASTERD_FAULTS_H

#include <stdbool.h>
#include <stdio.h>

#include "toasterdev.h"

/* Model faults share bits with toasterdev.h; the rest live in the server. */
#define FAULT_DARKNESS_RANGE TOASTER_FAULT_DARKNESS_RANGE
#define FAULT_IOCTL_SUCCESS TOASTER_FAULT_IOCTL_SUCCESS
#define FAULT_READ_DROP TOASTER_FAULT_READ_DROP
#define FAULT_WRITE_INFO TOASTER_FAULT_WRITE_INFO
#define FAULT_SEQUENCE_ECHO 0x10u
#define FAULT_SHARING 0x20u
#define FAULT_DATA_OVER_OUTPUT 0x40u
#define FAULT_STATE_KEPT 0x80u
#define FAULT_OPEN_AFTER_CLOSE 0x100u
#define FAULT_VERSION_2 0x200u
#define FAULT_READ_NO_PEND 0x400u

/* The bits the toaster model implements itself. */
#define FAULT_MODEL_MASK (FAULT_DARKNESS_RANGE | FAULT_IOCTL_SUCCESS | FAULT_READ_DROP | FAULT_WRITE_INFO)

/* Look a fault up by name; false if unknown. */
bool fault_parse(const char *name, unsigned *bit);
/* Print the table, one fault a line: NAME<TAB>IDS<TAB>DESCRIPTION, or as a
 * JSON array of {"name","ids":[...],"description"}. */
void fault_list(FILE *out, bool json);
/* The name of a single fault bit ("?" if none). */
const char *fault_name(unsigned bit);

#endif
