/* junit.c — JUnit XML writer (see junit.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "junit.h"

void rr_junit_init(rr_junit *j)
{
    memset(j, 0, sizeof *j);
    j->cases = g_string_new(NULL);
}

static void escaped(GString *g, const char *s)
{
    gchar *e = g_markup_escape_text(s ? s : "", -1);
    g_string_append(g, e);
    g_free(e);
}

void rr_junit_case(rr_junit *j, const char *classname, const char *name, rr_junit_result r,
                   const char *message, const char *details)
{
    static const char *const tag[] = {NULL, "failure", "skipped", "error"};
    GString *g = j->cases;
    j->tests++;
    g_string_append(g, "    <testcase classname=\"");
    escaped(g, classname);
    g_string_append(g, "\" name=\"");
    escaped(g, name);
    g_string_append(g, "\"");
    if (r == RR_JUNIT_PASS) {
        g_string_append(g, "/>\n");
        return;
    }
    j->failures += r == RR_JUNIT_FAIL;
    j->skipped += r == RR_JUNIT_SKIP;
    j->errors += r == RR_JUNIT_ERROR;
    g_string_append_printf(g, ">\n      <%s message=\"", tag[r]);
    escaped(g, message);
    g_string_append(g, "\">");
    escaped(g, details);
    g_string_append_printf(g, "</%s>\n    </testcase>\n", tag[r]);
}

bool rr_junit_write(rr_junit *j, FILE *fp, const char *path, const char *suite, char *err,
                    size_t errlen)
{
    gchar *name = g_markup_escape_text(suite, -1);
    fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
            "  <testsuite name=\"%s\" tests=\"%u\" failures=\"%u\" errors=\"%u\" skipped=\"%u\">\n%s"
            "  </testsuite>\n</testsuites>\n", name, j->tests, j->failures, j->errors, j->skipped,
            j->cases->str);
    g_free(name);
    if (fflush(fp) != 0 || ferror(fp)) {
        snprintf(err, errlen, "--junit %s: %s", path, strerror(errno));
        return false;
    }
    return true;
}

void rr_junit_free(rr_junit *j)
{
    if (j->cases)
        g_string_free(j->cases, TRUE);
    j->cases = NULL;
}
