/* faults.c — the fault table: each entry breaks exactly one rule.  The IDS
 * column names the docs/PROTOCOL.md requirements a conformant peer must
 * find violated. */
#include <string.h>

#include "faults.h"

typedef struct fault_entry {
    const char *name;
    unsigned bit;
    const char *ids; /* comma-separated docs/PROTOCOL.md requirement IDs */
    const char *description;
} fault_entry;

static const fault_entry FAULTS[] = {
    {"wrong-sequence", FAULT_SEQUENCE_ECHO, "RIO-FRM-019",
     "every response echoes the request's Sequence plus 1"},
    {"sharing-allowed", FAULT_SHARING, "RIO-SES-007,RIO-ADR-009,RIO-DEV-002",
     "a CREATE while another connection holds the device succeeds (no SHARING_VIOLATION), whatever its kind"},
    {"data-over-output", FAULT_DATA_OVER_OUTPUT, "RIO-FRM-020,RIO-TST-028",
     "READ returns up to OutputLength+1 bytes of ready toast (response data longer than OutputLength)"},
    {"wrong-write-information", FAULT_WRITE_INFO, "RIO-STS-008,RIO-TST-018,RIO-TST-020",
     "WRITE answers Information = bytes accepted + 1 (the bytes are loaded correctly)"},
    {"unknown-ioctl-success", FAULT_IOCTL_SUCCESS, "RIO-ERR-016,RIO-TST-001,RIO-DEV-001,RIO-DEV-003",
     "an unknown IoControlCode gets STATUS_SUCCESS (no data) instead of INVALID_DEVICE_REQUEST"},
    {"read-drops-last-byte", FAULT_READ_DROP, "RIO-TST-028,RIO-TST-029,RIO-TST-030",
     "a READ that returns n > 0 bytes consumes n but sends only the first n-1 (one byte lost)"},
    {"state-kept-after-close", FAULT_STATE_KEPT,
     "RIO-SES-017,RIO-SES-022,RIO-SES-023,RIO-SES-024,RIO-SES-025,RIO-ADR-012,RIO-DEV-007,RIO-DEV-009,RIO-SER-008",
     "CLOSE and disconnect do not reset the device: the next handle sees the old toaster contents and darkness, "
     "or the old port settings"},
    {"open-after-close", FAULT_OPEN_AFTER_CLOSE, "RIO-SES-013,RIO-SES-014",
     "after answering CLOSE the connection stays open (device released; later requests get INVALID_HANDLE)"},
    {"version-2-accepted", FAULT_VERSION_2, "RIO-ERR-005,RIO-ERR-013",
     "a request with Version 2 is served like Version 1 instead of REVISION_MISMATCH and close"},
    {"darkness-out-of-range", FAULT_DARKNESS_RANGE, "RIO-TST-042,RIO-TST-043",
     "SET_DARKNESS accepts 0 and 11 (1..10 only is correct)"},
    {"read-not-pending", FAULT_READ_NO_PEND, "RIO-TST-032",
     "a READ while toasting is answered at once with the ready bytes (0 if none) instead of pending"},
    /* The serial-port profile (modem and tty devices). */
    {"serial-wait-not-pending", FAULT_SERIAL_WAIT_AT_ONCE, "RIO-SER-062",
     "serial: WAIT_ON_MASK with no event collected is answered at once with events 0 instead of pending"},
    {"serial-read-ignores-timeouts", FAULT_SERIAL_READ_AT_ONCE, "RIO-SER-054,RIO-SER-056,RIO-SER-058",
     "serial: every READ is answered at once with what is queued, whatever the read timeouts"},
    {"serial-purge-keeps-queue", FAULT_SERIAL_PURGE_KEEPS, "RIO-SER-070",
     "serial: PURGE with RXCLEAR succeeds but leaves the receive queue as it was"},
    {"serial-overrun-unreported", FAULT_SERIAL_OVERRUN_HIDDEN, "RIO-SER-050,RIO-SER-051",
     "serial: bytes past the full receive queue are dropped but GET_COMMSTATUS never reports QUEUEOVERRUN"},
    {"serial-write-without-dtr", FAULT_SERIAL_WRITE_NO_DTR, "RIO-SER-022",
     "serial: a WRITE with DTR clear is accepted and reaches the modem instead of INVALID_DEVICE_STATE"},
    {"serial-any-baud-rate", FAULT_SERIAL_ANY_BAUD, "RIO-SER-010",
     "serial: SET_BAUD_RATE accepts any value (GET_BAUD_RATE returns it) instead of INVALID_PARAMETER"},
};

#define NFAULTS (sizeof FAULTS / sizeof FAULTS[0])

bool fault_parse(const char *name, unsigned *bit)
{
    for (size_t i = 0; i < NFAULTS; i++) {
        if (strcmp(FAULTS[i].name, name) == 0) {
            *bit = FAULTS[i].bit;
            return true;
        }
    }
    return false;
}

const char *fault_name(unsigned bit)
{
    for (size_t i = 0; i < NFAULTS; i++)
        if (FAULTS[i].bit == bit)
            return FAULTS[i].name;
    return "?";
}

/* The IDs as a JSON array body: "A","B". */
static void print_json_ids(FILE *out, const char *ids)
{
    const char *p = ids;
    while (*p) {
        size_t n = strcspn(p, ",");
        fprintf(out, "%s\"%.*s\"", p == ids ? "" : ",", (int)n, p);
        p += n + (p[n] == ',');
    }
}

void fault_list(FILE *out, bool json)
{
    if (json)
        fputs("[\n", out);
    for (size_t i = 0; i < NFAULTS; i++) {
        const fault_entry *f = &FAULTS[i];
        if (!json) {
            fprintf(out, "%s\t%s\t%s\n", f->name, f->ids, f->description);
            continue;
        }
        fprintf(out, "  {\"name\": \"%s\", \"ids\": [", f->name);
        print_json_ids(out, f->ids);
        fprintf(out, "], \"description\": \"%s\"}%s\n", f->description, i + 1 < NFAULTS ? "," : "");
    }
    if (json)
        fputs("]\n", out);
}
