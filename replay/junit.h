/* junit.h — a JUnit XML report (one test case per session or transaction). */
#ifndef RR_JUNIT_H
#define RR_JUNIT_H

#include <glib.h>
#include <stdbool.h>
#include <stdio.h>

typedef enum rr_junit_result { RR_JUNIT_PASS, RR_JUNIT_FAIL, RR_JUNIT_SKIP, RR_JUNIT_ERROR } rr_junit_result;

typedef struct rr_junit {
    GString *cases;
    unsigned tests, failures, skipped, errors;
} rr_junit;

void rr_junit_init(rr_junit *j);
void rr_junit_case(rr_junit *j, const char *classname, const char *name, rr_junit_result r,
                   const char *message, const char *details);
/* Write <testsuites> to fp (already open: --junit is created before the
 * run) and flush it; false with a message naming path in err on failure. */
bool rr_junit_write(rr_junit *j, FILE *fp, const char *path, const char *suite, char *err,
                    size_t errlen);
void rr_junit_free(rr_junit *j);

#endif
