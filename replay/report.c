/* report.c — replay results (see report.h). */
#include <stdio.h>
#include <string.h>

#include "console.h"
#include "jsonw.h"
#include "names.h"
#include "records.h"
#include "report.h"

RR_DEFINE_NAMES(rr_outcome_name, rr_outcome, RR_OUTCOME_COUNT, RR_OUTCOME_TABLE)

/* Identical reports: the first one shown, and how many there were. */
struct rr_group {
    char *key;
    char *first;        /* "session 3 transaction 7" */
    char *outcome;      /* "DIVERGED: status" */
    uint64_t count;
};

/* One session's line of the table. */
struct rr_row {
    unsigned id;
    char endpoints[112];
    uint64_t count[RR_OUTCOME_COUNT];
};

static void group_free(gpointer p)
{
    struct rr_group *g = p;
    g_free(g->key);
    g_free(g->first);
    g_free(g->outcome);
    g_free(g);
}

void rr_report_init(rr_report *r, const rr_options *o, const char *mode)
{
    memset(r, 0, sizeof *r);
    r->o = o;
    r->mode = mode;
    r->line = g_string_new(NULL);
    rr_junit_init(&r->junit);
    r->groups = g_hash_table_new(g_str_hash, g_str_equal);
    r->group_order = g_ptr_array_new_with_free_func(group_free);
    r->open_rows = g_hash_table_new_full(NULL, NULL, NULL, g_free);
    r->rows = g_ptr_array_new_with_free_func(g_free);
}

static void emit(rr_report *r)
{
    rr_emit(r->line);
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

static const char *const outcome_word[] = {
    [RR_OUTCOME_MATCH] = "match",
    [RR_OUTCOME_DIVERGED] = "DIVERGED",
    [RR_OUTCOME_INCOMPLETE] = "skipped, incomplete in the capture",
    [RR_OUTCOME_TIMEOUT] = "TIMEOUT",
    [RR_OUTCOME_NOT_RUN] = "not replayed",
    [RR_OUTCOME_UNREACHABLE] = "UNREACHABLE",
};

/* What makes two reports identical: all they say but where. */
static char *report_key(const rr_result *res)
{
    GString *k = g_string_new(rr_outcome_name(res->outcome));
    g_string_append_printf(k, "\n%s", res->note ? res->note : "");
    if (res->txn && res->txn->req.present && res->txn->req.pdu.header_have == RIO_HEADER_SIZE) {
        const rio_header *h = &res->txn->req.pdu.hdr;
        g_string_append_printf(k, "\n%u %u %d", h->major,
                               h->major == RIO_MJ_DEVICE_CONTROL ? h->ioctl : 0, res->txn->req.pdu.malformed);
    }
    if (res->outcome == RR_OUTCOME_INCOMPLETE && res->txn) {
        g_string_append_c(k, '\n');
        rr_incomplete_text(k, res->txn);
    }
    for (guint i = 0; res->diffs && i < res->diffs->len; i++) {
        const rr_diff *d = &g_array_index(res->diffs, rr_diff, i);
        g_string_append_printf(k, "\n%s\t%s\t%s", rr_field_name(d->field), d->recorded, d->live);
    }
    return g_string_free(k, FALSE); /* res->live is left out: it has the Sequence */
}

/* A new report is shown (true), or counted with an identical one shown
 * before, or left out over --max-report. */
static bool first_of_its_kind(rr_report *r, const rr_result *res)
{
    char *key = report_key(res);
    struct rr_group *grp = g_hash_table_lookup(r->groups, key);
    if (grp) {
        grp->count++;
        g_free(key);
        return false;
    }
    if (r->o->max_report && r->group_order->len >= (guint64)r->o->max_report) {
        r->hidden++;
        g_free(key);
        return false;
    }
    grp = g_new0(struct rr_group, 1);
    grp->key = key;
    grp->count = 1;
    GString *g = g_string_new(NULL);
    where(g, res);
    grp->first = g_string_free(g, FALSE);
    const char *field = res->diffs && res->diffs->len
                            ? rr_field_name(g_array_index(res->diffs, rr_diff, 0).field) : NULL;
    grp->outcome = g_strdup_printf("%s%s%s", outcome_word[res->outcome], field ? ": " : "",
                                   field ? field : "");
    g_hash_table_insert(r->groups, grp->key, grp);
    g_ptr_array_add(r->group_order, grp);
    return true;
}

static void human(rr_report *r, const rr_result *res)
{
    GString *g = r->line;
    if (res->outcome == RR_OUTCOME_MATCH || r->o->quiet || !first_of_its_kind(r, res))
        return;
    where(g, res);
    if (res->txn) {
        g_string_append(g, " (");
        rr_record_text(g, &res->txn->req, RR_DIR_REQUEST);
        g_string_append(g, ")");
    }
    g_string_append_printf(g, ": %s", outcome_word[res->outcome]);
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

/* ---- the table of sessions ------------------------------------------------ */

static bool row_matched(const struct rr_row *row)
{
    for (int k = 0; k < RR_OUTCOME_COUNT; k++)
        if (k != RR_OUTCOME_MATCH && row->count[k])
            return false;
    return true;
}

static void count_in_row(rr_report *r, const rr_result *res)
{
    unsigned id = res->session->id;
    struct rr_row *row = g_hash_table_lookup(r->open_rows, GUINT_TO_POINTER(id));
    if (!row) {
        char a[64], b[64];
        row = g_new0(struct rr_row, 1);
        row->id = id;
        snprintf(row->endpoints, sizeof row->endpoints, "%s -> %s",
                 rr_endpoint_str(&res->session->client, a, sizeof a),
                 rr_endpoint_str(&res->session->server, b, sizeof b));
        g_hash_table_insert(r->open_rows, GUINT_TO_POINTER(id), row);
    }
    row->count[res->outcome]++;
}

/* A finished row: kept while there is room (--max-report rows); a row
 * that did not simply match takes the place of one that did. */
static void keep_row(rr_report *r, struct rr_row *row)
{
    guint cap = r->o->max_report ? (guint)r->o->max_report : G_MAXUINT;
    struct rr_row *out = row;
    if (r->rows->len < cap) {
        g_ptr_array_add(r->rows, row);
        return;
    }
    if (!row_matched(row)) {
        for (guint i = 0; i < r->rows->len; i++) {
            struct rr_row *old = g_ptr_array_index(r->rows, i);
            if (row_matched(old)) {
                r->rows->pdata[i] = row;
                out = old;
                break;
            }
        }
    }
    r->rows_left_out++;
    r->rows_left_out_matched += row_matched(out);
    g_free(out);
}

void rr_report_session_done(rr_report *r, unsigned session)
{
    struct rr_row *row = g_hash_table_lookup(r->open_rows, GUINT_TO_POINTER(session));
    if (!row)
        return;
    g_hash_table_steal(r->open_rows, GUINT_TO_POINTER(session));
    keep_row(r, row);
}

static gint by_id(gconstpointer a, gconstpointer b)
{
    const struct rr_row *x = *(struct rr_row *const *)a, *y = *(struct rr_row *const *)b;
    return x->id < y->id ? -1 : x->id > y->id;
}

static void table(rr_report *r)
{
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, r->open_rows);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        g_hash_table_iter_steal(&it);
        keep_row(r, value);
    }
    if (!r->rows->len)
        return;
    g_ptr_array_sort(r->rows, by_id);
    GString *g = r->line;
    g_string_append(g, "session");
    for (int k = 0; k < RR_OUTCOME_COUNT; k++)
        g_string_append_printf(g, "  %s", rr_outcome_name((rr_outcome)k));
    g_string_append(g, "  client -> server");
    emit(r);
    for (guint i = 0; i < r->rows->len; i++) {
        const struct rr_row *row = g_ptr_array_index(r->rows, i);
        g_string_append_printf(g, "%7u", row->id);
        for (int k = 0; k < RR_OUTCOME_COUNT; k++)
            g_string_append_printf(g, "  %*" G_GUINT64_FORMAT, (int)strlen(rr_outcome_name((rr_outcome)k)),
                                   (guint64)row->count[k]);
        g_string_append_printf(g, "  %s", row->endpoints);
        emit(r);
    }
    if (r->rows_left_out) {
        g_string_append_printf(g, "(%" G_GUINT64_FORMAT " more sessions not shown, %" G_GUINT64_FORMAT
                               " of them all matched; --max-report 0 shows all)",
                               (guint64)r->rows_left_out, (guint64)r->rows_left_out_matched);
        emit(r);
    }
}

/* Identical reports counted, and reports left out. */
static void repeats(rr_report *r)
{
    for (guint i = 0; i < r->group_order->len; i++) {
        const struct rr_group *grp = g_ptr_array_index(r->group_order, i);
        if (grp->count < 2)
            continue;
        g_string_append_printf(r->line, "%" G_GUINT64_FORMAT " more like %s (%s)",
                               (guint64)grp->count - 1, grp->first, grp->outcome);
        emit(r);
    }
    if (r->hidden) {
        g_string_append_printf(r->line, "(%" G_GUINT64_FORMAT " more reports not shown: --max-report %"
                               G_GINT64_FORMAT " limits them, 0 shows all)", (guint64)r->hidden,
                               (gint64)r->o->max_report);
        emit(r);
    }
}

void rr_report_progress(const rr_report *r, GString *g)
{
    uint64_t total = 0;
    for (int k = 0; k < RR_OUTCOME_COUNT; k++)
        total += r->count[k];
    g_string_append_printf(g, "%s replay: %" G_GUINT64_FORMAT " results", r->mode, (guint64)total);
    for (int k = RR_OUTCOME_MATCH + 1; k < RR_OUTCOME_COUNT; k++)
        if (r->count[k])
            g_string_append_printf(g, ", %" G_GUINT64_FORMAT " %s", (guint64)r->count[k],
                                   rr_outcome_name((rr_outcome)k));
}

void rr_report_add(rr_report *r, const rr_result *res)
{
    r->count[res->outcome]++;
    if (!r->o->json && !r->o->quiet)
        count_in_row(r, res);
    if (r->o->json)
        json(r, res);
    else
        human(r, res);
    if (r->o->junit_fp)
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
    /* The JUnit file first, so that the summary shows the final status. */
    char err[512];
    if (r->o->junit_fp) {
        gchar *suite = g_strdup_printf("rio-replay %s", r->mode);
        if (!rr_junit_write(&r->junit, r->o->junit_fp, r->o->junit, suite, err, sizeof err)) {
            rr_error("%s", err);
            code = RR_EXIT_USAGE;
        }
        g_free(suite);
    }
    if (!r->o->json && !r->o->quiet) {
        repeats(r);
        table(r);
    }
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
    rr_report_discard(r);
    return code;
}

void rr_report_discard(rr_report *r)
{
    rr_junit_free(&r->junit);
    g_string_free(r->line, TRUE);
    g_hash_table_destroy(r->groups);
    g_ptr_array_free(r->group_order, TRUE);
    g_hash_table_destroy(r->open_rows);
    g_ptr_array_free(r->rows, TRUE);
}
