/* records.h — recorded PDUs and transactions as JSON and as text. */
#ifndef RR_RECORDS_H
#define RR_RECORDS_H

#include <glib.h>

#include "txnstate.h"

/* `"key": {fields as in captures/EXPECTATIONS.md}`; only the header fields
 * that were captured are present. */
void rr_record_json(GString *g, const char *key, const rr_record *r, int dir);
/* `"key": ["gap", ...]` */
void rr_mask_json(GString *g, const char *key, uint32_t mask, const char *(*name)(int));
const char *rr_violation_name_int(int v);
/* One object for a transaction of session s (no trailing newline). */
void rr_txn_json(GString *g, const rr_session *s, const rr_txn *t);
/* "IRP_MJ_READ seq=7 out=4096 len=0" style one-liner of a recorded PDU. */
void rr_record_text(GString *g, const rr_record *r, int dir);
/* Why a transaction is incomplete, e.g. "request: gap (1448 bytes missing)". */
void rr_incomplete_text(GString *g, const rr_txn *t);
/* Endpoints of a session "127.0.0.1:41234 -> 127.0.0.1:5001". */
void rr_session_text(GString *g, const rr_session *s);

#endif
