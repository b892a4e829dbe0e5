/* audit.c — `rio-replay audit`: what the capture holds, nothing sent. */
#include <stdio.h>

#include "replaycmds.h"
#include "reader.h"
#include "jsonw.h"
#include "junit.h"
#include "records.h"

typedef struct audit {
    const rr_options *o;
    rr_session_stats total;
    unsigned sessions;
    uint64_t txn_lines, session_lines;  /* human lines shown ... */
    uint64_t txn_hidden, session_hidden; /* ... and left out (--max-report) */
    rr_junit junit;
    GString *line;
} audit;

static void emit(audit *a)
{
    rr_emit(a->line);
}

/* One more human line of a kind: shown unless --max-report is reached. */
static bool room(const audit *a, uint64_t *shown, uint64_t *hidden)
{
    if (a->o->max_report && *shown >= (uint64_t)a->o->max_report) {
        ++*hidden;
        return false;
    }
    ++*shown;
    return true;
}

static bool noteworthy(const rr_txn *t)
{
    return !rr_txn_complete(t) || t->violations || t->req.pdu.problems || t->resp.pdu.problems;
}

static void txn_text(audit *a, const rr_session *s, const rr_txn *t)
{
    GString *g = a->line;
    g_string_append_printf(g, "session %u transaction %" G_GUINT64_FORMAT ": ", s->id, (guint64)t->index);
    rr_record_text(g, &t->req, RR_DIR_REQUEST);
    g_string_append(g, " -> ");
    rr_record_text(g, &t->resp, RR_DIR_RESPONSE);
    if (!rr_txn_complete(t)) {
        g_string_append(g, "\n    incomplete: ");
        rr_incomplete_text(g, t);
    }
    for (int v = 0; v < RR_VIOLATION_COUNT; v++)
        if (t->violations & (1u << v))
            g_string_append_printf(g, "\n    violation: %s", rr_violation_name((rr_violation)v));
    uint32_t p = (t->req.pdu.problems | t->resp.pdu.problems) & ~RR_PROBLEM_LOSS;
    for (int k = 0; k < RR_PROBLEM_COUNT; k++)
        if (p & RR_PROBLEM_BIT(k))
            g_string_append_printf(g, "\n    problem: %s", rr_problem_name((rr_problem_kind)k));
    emit(a);
}

static void on_txn(void *ctx, rr_session *s, rr_txn *t)
{
    audit *a = ctx;
    if (rr_session_selected(a->o, s->id)) {
        if (a->o->json) {
            rr_txn_json(a->line, s, t);
            emit(a);
        } else if (!a->o->quiet && noteworthy(t) && room(a, &a->txn_lines, &a->txn_hidden)) {
            txn_text(a, s, t);
        }
    }
    rr_txn_free(t);
}

static void add_stats(rr_session_stats *to, const rr_session_stats *from)
{
    to->transactions += from->transactions;
    to->incomplete += from->incomplete;
    for (int k = 0; k < RR_PROBLEM_COUNT; k++)
        to->problems[k] += from->problems[k];
    for (int v = 0; v < RR_VIOLATION_COUNT; v++)
        to->violations[v] += from->violations[v];
    to->missing_bytes += from->missing_bytes;
    to->skipped_bytes += from->skipped_bytes;
    to->orphan_responses += from->orphan_responses;
    to->reorder_overflows += from->reorder_overflows;
}

static void stats_json(GString *g, const rr_session_stats *st)
{
    json_uint(g, "transactions", st->transactions);
    json_uint(g, "incomplete", st->incomplete);
    json_open(g, "problems", '{');
    for (int k = 0; k < RR_PROBLEM_COUNT; k++)
        json_uint(g, rr_problem_name((rr_problem_kind)k), st->problems[k]);
    json_close(g, '{');
    json_open(g, "violations", '{');
    for (int v = 0; v < RR_VIOLATION_COUNT; v++)
        json_uint(g, rr_violation_name((rr_violation)v), st->violations[v]);
    json_close(g, '{');
    json_uint(g, "missing_bytes", st->missing_bytes);
    json_uint(g, "skipped_bytes", st->skipped_bytes);
    json_uint(g, "orphan_responses", st->orphan_responses);
    json_uint(g, "reorder_overflows", st->reorder_overflows);
    json_open(g, "skipped", '[');
    json_uint(g, NULL, st->skipped[0]);
    json_uint(g, NULL, st->skipped[1]);
    json_close(g, '[');
}

static void stats_text(GString *g, const rr_session_stats *st)
{
    g_string_append_printf(g, "%" G_GUINT64_FORMAT " transactions (%" G_GUINT64_FORMAT " incomplete)",
                           (guint64)st->transactions, (guint64)st->incomplete);
    const char *sep = "; problems:";
    for (int k = 0; k < RR_PROBLEM_COUNT; k++)
        if (st->problems[k]) {
            g_string_append_printf(g, "%s %s %" G_GUINT64_FORMAT, sep,
                                   rr_problem_name((rr_problem_kind)k), (guint64)st->problems[k]);
            sep = ",";
        }
    sep = "; violations:";
    for (int v = 0; v < RR_VIOLATION_COUNT; v++)
        if (st->violations[v]) {
            g_string_append_printf(g, "%s %s %" G_GUINT64_FORMAT, sep,
                                   rr_violation_name((rr_violation)v), (guint64)st->violations[v]);
            sep = ",";
        }
    if (st->missing_bytes)
        g_string_append_printf(g, "; %" G_GUINT64_FORMAT " bytes missing", (guint64)st->missing_bytes);
    if (st->reorder_overflows)
        g_string_append_printf(g, "; warning: out-of-order queue full %" G_GUINT64_FORMAT
                               " times, holes declared gaps early (--reorder-cap, --reorder-segments)",
                               (guint64)st->reorder_overflows);
}

static bool session_clean(const rr_session_stats *st)
{
    for (int v = 0; v < RR_VIOLATION_COUNT; v++)
        if (st->violations[v])
            return false;
    return !st->incomplete && !st->problems[RR_PROBLEM_MALFORMED];
}

static void on_finished(void *ctx, rr_session *s)
{
    audit *a = ctx;
    if (!rr_session_selected(a->o, s->id))
        return;
    a->sessions++;
    add_stats(&a->total, &s->stats);
    char cli[64], srv[64];
    rr_endpoint_str(&s->client, cli, sizeof cli);
    rr_endpoint_str(&s->server, srv, sizeof srv);
    GString *g = a->line;
    if (a->o->json) {
        g_string_append_c(g, '{');
        json_str_ascii(g, "type", "session");
        json_uint(g, "session", s->id);
        json_str_ascii(g, "client", cli);
        json_str_ascii(g, "server", srv);
        json_bool(g, "handshake", s->handshake);
        json_int(g, "start_us", s->ts_first);
        json_bool(g, "dropped", s->dropped);
        stats_json(g, &s->stats);
        g_string_append_c(g, '}');
        emit(a);
    } else if (!a->o->quiet && room(a, &a->session_lines, &a->session_hidden)) {
        g_string_append_printf(g, "session %u: %s -> %s%s, ", s->id, cli, srv,
                               s->handshake ? "" : " (started mid-stream)");
        stats_text(g, &s->stats);
        if (s->dropped)
            g_string_append(g, "; warning: dropped unfinished, too many connections open "
                               "(--max-streams)");
        emit(a);
    }
    if (a->o->junit) {
        gchar *name = g_strdup_printf("session %u %s -> %s", s->id, cli, srv);
        GString *why = g_string_new(NULL);
        stats_text(why, &s->stats);
        rr_junit_case(&a->junit, "rio-replay.audit", name,
                      session_clean(&s->stats) ? RR_JUNIT_PASS : RR_JUNIT_FAIL, why->str, why->str);
        g_string_free(why, TRUE);
        g_free(name);
    }
}

static int exit_code(const audit *a)
{
    for (int v = 0; v < RR_VIOLATION_COUNT; v++)
        if (a->total.violations[v])
            return RR_EXIT_DIVERGED;
    if (a->total.problems[RR_PROBLEM_MALFORMED])
        return RR_EXIT_DIVERGED;
    return a->total.incomplete ? RR_EXIT_INCOMPLETE : RR_EXIT_MATCH;
}

/* What --max-report left out, in one line. */
static void hidden_text(audit *a)
{
    if (a->o->json || a->o->quiet || (!a->txn_hidden && !a->session_hidden))
        return;
    g_string_append_printf(a->line, "(not shown: %" G_GUINT64_FORMAT " transaction reports, %"
                           G_GUINT64_FORMAT " session lines; --max-report %" G_GINT64_FORMAT
                           " limits them, 0 shows all)", (guint64)a->txn_hidden,
                           (guint64)a->session_hidden, (gint64)a->o->max_report);
    emit(a);
}

static void summary(audit *a, const rr_input_result *in, int code)
{
    GString *g = a->line;
    if (a->o->json) {
        g_string_append_c(g, '{');
        json_str_ascii(g, "type", "summary");
        json_uint(g, "packets", in->stats.packets);
        json_uint(g, "tcp_packets", in->stats.tcp);
        json_uint(g, "clamped_timestamps", in->stats.clamped_ts);
        json_uint(g, "dropped_streams", in->dropped_streams);
        json_uint(g, "sessions", a->sessions);
        stats_json(g, &a->total);
        json_int(g, "exit", code);
        g_string_append_c(g, '}');
    } else {
        hidden_text(a);
        g_string_append_printf(g, "total: %u sessions, ", a->sessions);
        stats_text(g, &a->total);
        g_string_append_printf(g, "; %" G_GUINT64_FORMAT " packets", (guint64)in->stats.packets);
        if (in->dropped_streams)
            g_string_append_printf(g, "; %" G_GUINT64_FORMAT " connections dropped (--max-streams)",
                                   (guint64)in->dropped_streams);
    }
    emit(a);
}

int rr_cmd_audit(const rr_options *o)
{
    audit a = {.o = o, .line = g_string_new(NULL)};
    rr_junit_init(&a.junit);
    rr_sink sink = {.hash = o->json, .txn = on_txn, .finished = on_finished, .ctx = &a};
    rr_input_result in = rr_read_capture(o, &sink);
    int code = RR_EXIT_USAGE;
    if (in.opened) {
        code = in.read_error ? RR_EXIT_USAGE : exit_code(&a);
        if (!a.sessions && !in.read_error)
            rr_error(o->sessions->len ? "%s: no RIO session matches --session"
                                      : "%s: no RIO traffic found in the capture", o->capture);
        if (!a.sessions)
            code = RR_EXIT_USAGE;
        /* The JUnit file first, so that the summary shows the final status. */
        char err[512];
        if (o->junit_fp &&
            !rr_junit_write(&a.junit, o->junit_fp, o->junit, "rio-replay audit", err, sizeof err)) {
            rr_error("%s", err);
            code = RR_EXIT_USAGE;
        }
        summary(&a, &in, code);
    }
    rr_junit_free(&a.junit);
    g_string_free(a.line, TRUE);
    return rr_console_finish(code);
}
