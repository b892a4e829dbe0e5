/* report.c — replay results (see report.h). */
#include <stdio.h>
#include <string.h>

#include "jsonw.h"
#include "names.h"
#include "records.h"
#include "report.h"

RR_DEFINE_NAMES(rr_outcome_name, rr_outcome, RR_OUTCOME_COUNT, RR_OUTCOME_TABLE)

void rr_report_init(rr_report *r, const rr_options *o, const char *mode)
{
    memset(r, 0, sizeof *r);
    r->o = o;
    r->mode = mode;
    r->line = g_string_new(NULL);
    rr_junit_init(&r->junit);
}

static void emit(rr_report *r)
{
    fputs(r->line->str, stdout);
    fputc('\n', stdout);
    g_string_truncate(r->line, 0);
}

static void where(GString *g, const rr_result *res)
{
    g_string_append_printf(g, "session %u ", res->session->id);
    if (res->txn)
        g_string_append_printf(g, "transaction %" G_GUINT64_FORMAT, (guint64)res->txn->index);
    else
        g_string_append(g, "connection");
}

static void diffs_text(GString *g, const rr_result *res)
{
    for (guint i = 0; res->diffs && i < res->diffs->len; i++) {
        const rr_diff *d = &g_array_index(res->diffs, rr_diff, i);
        g_string_append_printf(g, "\n    %s: recorded %s, live %s", rr_field_name(d->field),
                               d->recorded, d->live);
    }
    if (res->hexdump && *res->hexdump)
        g_string_append_printf(g, "\n%s", res->hexdump);
}

static void human(rr_report *r, const rr_result *res)
{
    GString *g = r->line;
    if (res->outcome == RR_OUTCOME_MATCH ||
        (r->o->quiet && res->outcome != RR_OUTCOME_DIVERGED && res->outcome != RR_OUTCOME_TIMEOUT &&
         res->outcome != RR_OUTCOME_UNREACHABLE))
        return;
    where(g, res);
    if (res->txn) {
        g_string_append(g, " (");
        rr_record_text(g, &res->txn->req, RR_DIR_REQUEST);
        g_string_append(g, ")");
    }
    switch (res->outcome) {
    case RR_OUTCOME_DIVERGED: g_string_append(g, ": DIVERGED"); break;
    case RR_OUTCOME_INCOMPLETE: g_string_append(g, ": skipped, incomplete in the capture"); break;
    case RR_OUTCOME_TIMEOUT: g_string_append(g, ": TIMEOUT"); break;
    case RR_OUTCOME_NOT_RUN: g_string_append(g, ": not replayed"); break;
    case RR_OUTCOME_UNREACHABLE: g_string_append(g, ": UNREACHABLE"); break;
    default: break;
    }
    if (res->note)
        g_string_append_printf(g, ": %s", res->note);
    if (res->outcome == RR_OUTCOME_INCOMPLETE && res->txn) {
        g_string_append(g, " (");
        rr_incomplete_text(g, res->txn);
        g_string_append(g, ")");
    }
    diffs_text(g, res);
    if (res->live && res->outcome == RR_OUTCOME_DIVERGED)
        g_string_append_printf(g, "\n    live answer: %s", res->live);
    emit(r);
}

static void json(rr_report *r, const rr_result *res)
{
    GString *g = r->line;
    g_string_append_c(g, '{');
    json_str_ascii(g, "type", "transaction");
    json_str_ascii(g, "mode", r->mode);
    json_uint(g, "session", res->session->id);
    if (res->txn)
        json_uint(g, "transaction", res->txn->index);
    else
        json_null(g, "transaction");
    json_str_ascii(g, "outcome", rr_outcome_name(res->outcome));
    if (res->note)
        json_str_ascii(g, "note", res->note);
    json_open(g, "diffs", '[');
    for (guint i = 0; res->diffs && i < res->diffs->len; i++) {
        const rr_diff *d = &g_array_index(res->diffs, rr_diff, i);
        json_open(g, NULL, '{');
        json_str_ascii(g, "field", rr_field_name(d->field));
        json_str_ascii(g, "recorded", d->recorded);
        json_str_ascii(g, "live", d->live);
        if (d->data_offset >= 0)
            json_int(g, "offset", d->data_offset);
        json_close(g, '{');
    }
    json_close(g, '[');
    if (res->txn && res->txn->req.present)
        rr_record_json(g, "request", &res->txn->req, RR_DIR_REQUEST);
    if (res->txn && res->txn->resp.present)
        rr_record_json(g, "response", &res->txn->resp, RR_DIR_RESPONSE);
    if (res->live)
        json_str_ascii(g, "live", res->live);
    g_string_append_c(g, '}');
    emit(r);
}

static void junit(rr_report *r, const rr_result *res)
{
    static const rr_junit_result kind[] = {
        [RR_OUTCOME_MATCH] = RR_JUNIT_PASS,     [RR_OUTCOME_DIVERGED] = RR_JUNIT_FAIL,
        [RR_OUTCOME_INCOMPLETE] = RR_JUNIT_SKIP, [RR_OUTCOME_TIMEOUT] = RR_JUNIT_ERROR,
        [RR_OUTCOME_NOT_RUN] = RR_JUNIT_SKIP,   [RR_OUTCOME_UNREACHABLE] = RR_JUNIT_ERROR,
    };
    GString *name = g_string_new(NULL), *why = g_string_new(NULL);
    where(name, res);
    g_string_append(why, res->note ? res->note : rr_outcome_name(res->outcome));
    GString *details = g_string_new(why->str);
    diffs_text(details, res);
    gchar *cls = g_strdup_printf("rio-replay.%s.session%u", r->mode, res->session->id);
    rr_junit_case(&r->junit, cls, name->str, kind[res->outcome], why->str, details->str);
    g_free(cls);
    g_string_free(name, TRUE);
    g_string_free(why, TRUE);
    g_string_free(details, TRUE);
}

void rr_report_add(rr_report *r, const rr_result *res)
{
    r->count[res->outcome]++;
    if (r->o->json)
        json(r, res);
    else
        human(r, res);
    if (r->o->junit)
        junit(r, res);
}

static int exit_code(const rr_report *r)
{
    if (r->count[RR_OUTCOME_UNREACHABLE] || r->count[RR_OUTCOME_TIMEOUT])
        return RR_EXIT_NETWORK;
    if (r->count[RR_OUTCOME_DIVERGED])
        return RR_EXIT_DIVERGED;
    if (r->count[RR_OUTCOME_INCOMPLETE] || r->count[RR_OUTCOME_NOT_RUN])
        return RR_EXIT_INCOMPLETE;
    return RR_EXIT_MATCH;
}

int rr_report_finish(rr_report *r)
{
    int code = exit_code(r);
    GString *g = r->line;
    if (r->o->json) {
        g_string_append_c(g, '{');
        json_str_ascii(g, "type", "summary");
        json_str_ascii(g, "mode", r->mode);
        json_uint(g, "sessions", r->sessions);
        for (int k = 0; k < RR_OUTCOME_COUNT; k++)
            json_uint(g, rr_outcome_name((rr_outcome)k), r->count[k]);
        json_double(g, "elapsed_s", r->elapsed, 6);
        json_int(g, "exit", code);
        g_string_append_c(g, '}');
    } else {
        uint64_t total = 0;
        for (int k = 0; k < RR_OUTCOME_COUNT; k++)
            total += r->count[k];
        g_string_append_printf(g, "%s replay: %u sessions, %" G_GUINT64_FORMAT " results:", r->mode,
                               r->sessions, (guint64)total);
        for (int k = 0; k < RR_OUTCOME_COUNT; k++)
            g_string_append_printf(g, "%s %" G_GUINT64_FORMAT " %s", k ? "," : "",
                                   (guint64)r->count[k], rr_outcome_name((rr_outcome)k));
        g_string_append_printf(g, " in %.3f s -> exit %d", r->elapsed, code);
    }
    emit(r);
    char err[512];
    if (r->o->junit) {
        gchar *suite = g_strdup_printf("rio-replay %s", r->mode);
        if (!rr_junit_write(&r->junit, r->o->junit, suite, err, sizeof err)) {
            fprintf(stderr, "rio-replay: %s\n", err);
            code = RR_EXIT_USAGE;
        }
        g_free(suite);
    }
    rr_report_discard(r);
    return code;
}

void rr_report_discard(rr_report *r)
{
    rr_junit_free(&r->junit);
    g_string_free(r->line, TRUE);
}
