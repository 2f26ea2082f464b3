/*
 * Unit tests for store/store.c on a real SQLite file: schema creation and version,
 * deterministic ids, inserting the same alert twice is a no-op, one delivery row per
 * output, list filters (rule, state, time, limit), show by id prefix, retry never
 * touching sent deliveries, a newer schema refused, and data surviving a reopen.
 */
#include <sqlite3.h>

#include "core/arena.h"
#include "core/error.h"
#include "json/json.h"
#include "store/store.h"
#include "test.h"
#include "testutil.h"

static struct vgl_arena arena;

static struct vgl_json J(const char *text)
{
    struct vgl_json v;
    if (vgl_json_parse(text, strlen(text), &arena, NULL, &v, NULL) != 0)
        abort();
    return v;
}

static const char *ALERT =
    "{\"rule_name\":\"r1\",\"log_source\":\"cloudwatch:events\",\"log_type\":\"json\",\"cluster\":\"c\","
    "\"source_service\":\"kinesis\",\"source_entity\":\"s\",\"outputs\":[\"aws-firehose:alerts\",\"slack:x\"],"
    "\"merge_by_keys\":[],\"merge_window_mins\":0,\"staged\":false,\"record\":{\"k\":1}}";

/* A merge-enabled alert of rule rm with key value v, created at the given text. */
static const char *merging_alert(char *buf, size_t n, const char *v, const char *created)
{
    snprintf(buf, n,
             "{\"rule_name\":\"rm\",\"created\":\"%s\",\"outputs\":[\"aws-firehose:alerts\",\"slack:x\"],"
             "\"merge_by_keys\":[\"user\"],\"merge_window_mins\":5,\"record\":{\"user\":\"%s\",\"n\":1},"
             "\"cluster\":\"c\",\"context\":{}}",
             created, v);
    return buf;
}

struct collect {
    char ids[16][40];
    size_t n;
    size_t sent, failed, pending;
    char outputs[8][64];
    int states[8];
    size_t nout;
};

static int on_alert(const struct vgl_store_alert_row *row, void *ud)
{
    struct collect *c = ud;
    if (c->n < 16)
        snprintf(c->ids[c->n++], 40, "%s", row->id);
    c->sent += row->nsent;
    c->failed += row->nfailed;
    c->pending += row->npending;
    return 0;
}

static int on_delivery(const struct vgl_store_delivery_row *d, void *ud)
{
    struct collect *c = ud;
    if (c->nout < 8) {
        snprintf(c->outputs[c->nout], 64, "%s", d->output);
        c->states[c->nout++] = (int)d->state;
    }
    return 0;
}

TEST(ids_are_deterministic)
{
    char a[37], b[37], c[37], d[37];
    vgl_alert_id("file.log:12", "rule_a", a);
    vgl_alert_id("file.log:12", "rule_a", b);
    vgl_alert_id("file.log:13", "rule_a", c);
    vgl_alert_id("file.log:12", "rule_b", d);
    CHECK_STR_EQ(a, b);
    CHECK(strcmp(a, c) != 0 && strcmp(a, d) != 0 && strcmp(c, d) != 0);
    CHECK_INT_EQ(strlen(a), 36);
    CHECK(a[8] == '-' && a[13] == '-' && a[18] == '-' && a[23] == '-');
    /* the separator keeps ("ab", "c") apart from ("a", "bc") */
    vgl_alert_id("ab", "c", a);
    vgl_alert_id("a", "bc", b);
    CHECK(strcmp(a, b) != 0);
}

TEST(insert_is_idempotent_with_deliveries)
{
    const char *dir = tu_tmpdir();
    char path[400];
    snprintf(path, sizeof path, "%s/data/alerts.sqlite3", dir);
    struct vgl_error err = {0};
    vgl_arena_init(&arena, 0);
    struct vgl_store *s = vgl_store_open(path, NULL, &err);
    CHECK(s != NULL);
    if (!s) {
        fprintf(stderr, "  %s\n", err.msg);
        return;
    }
    CHECK_INT_EQ(vgl_store_schema_version(s), VGL_STORE_SCHEMA_VERSION);
    struct vgl_json al = J(ALERT);
    char id[37];
    vgl_alert_id("f:1", "r1", id);
    bool inserted = false;
    CHECK_INT_EQ(vgl_store_begin(s, &err), 0);
    CHECK_INT_EQ(vgl_store_add_alert(s, id, &al, 1000, &inserted, &err), 0);
    CHECK(inserted);
    CHECK_INT_EQ(vgl_store_add_alert(s, id, &al, 2000, &inserted, &err), 0);
    CHECK(!inserted);
    CHECK_INT_EQ(vgl_store_commit(s, &err), 0);
    struct collect c = {0};
    CHECK_INT_EQ(vgl_store_show(s, id, on_alert, on_delivery, &c, &err), 0);
    CHECK_INT_EQ(c.n, 1);
    CHECK_INT_EQ(c.nout, 2);
    CHECK_STR_EQ(c.outputs[0], "aws-firehose:alerts");
    CHECK_STR_EQ(c.outputs[1], "slack:x");
    CHECK_INT_EQ(c.pending, 2);
    /* a rolled-back batch leaves nothing */
    char id2[37];
    vgl_alert_id("f:2", "r1", id2);
    vgl_store_begin(s, &err);
    vgl_store_add_alert(s, id2, &al, 3000, &inserted, &err);
    vgl_store_rollback(s);
    struct collect c2 = {0};
    CHECK_INT_EQ(vgl_store_show(s, id2, on_alert, on_delivery, &c2, &err), VGL_ENOTFOUND);
    CHECK_STR_CONTAINS(err.msg, "no alert with id");
    vgl_store_close(s);
    /* survives a reopen */
    s = vgl_store_open(path, NULL, &err);
    struct collect c3 = {0};
    CHECK(s && vgl_store_show(s, id, on_alert, on_delivery, &c3, &err) == 0 && c3.n == 1);
    vgl_store_close(s);
    vgl_arena_release(&arena);
    tu_rmrf(dir);
}

TEST(list_filters_show_prefix_and_retry)
{
    const char *dir = tu_tmpdir();
    char path[400];
    snprintf(path, sizeof path, "%s/alerts.sqlite3", dir);
    struct vgl_error err = {0};
    vgl_arena_init(&arena, 0);
    struct vgl_store *s = vgl_store_open(path, &(struct vgl_store_opts){.synchronous_normal = true}, &err);
    CHECK(s != NULL);
    if (!s)
        return;
    struct vgl_json a1 = J(ALERT);
    struct vgl_json a2 = J("{\"rule_name\":\"r2\",\"outputs\":[\"slack:y\"]}");
    char id1[37], id2[37], id3[37];
    vgl_alert_id("p:1", "r1", id1);
    vgl_alert_id("p:2", "r2", id2);
    vgl_alert_id("p:3", "r1", id3);
    bool ins;
    vgl_store_begin(s, &err);
    vgl_store_add_alert(s, id1, &a1, 100, &ins, &err);
    vgl_store_add_alert(s, id2, &a2, 200, &ins, &err);
    vgl_store_add_alert(s, id3, &a1, 300, &ins, &err);
    vgl_store_commit(s, &err);
    struct collect c = {0};
    CHECK_INT_EQ(vgl_store_list(s, NULL, on_alert, &c, &err), 0);
    CHECK_INT_EQ(c.n, 3);
    CHECK_STR_EQ(c.ids[0], id3);   /* newest first */
    memset(&c, 0, sizeof c);
    vgl_store_list(s, &(struct vgl_store_filter){.rule = "r1", .state = -1}, on_alert, &c, &err);
    CHECK_INT_EQ(c.n, 2);
    memset(&c, 0, sizeof c);
    vgl_store_list(s, &(struct vgl_store_filter){.state = -1, .since_us = 150, .until_us = 300}, on_alert,
                   &c, &err);
    CHECK_INT_EQ(c.n, 1);
    CHECK_STR_EQ(c.ids[0], id2);
    memset(&c, 0, sizeof c);
    vgl_store_list(s, &(struct vgl_store_filter){.state = -1, .limit = 1}, on_alert, &c, &err);
    CHECK_INT_EQ(c.n, 1);
    /* mark deliveries by hand as the dispatcher will: one sent, one failed */
    sqlite3 *db;
    sqlite3_open(path, &db);
    char sql[512];
    snprintf(sql, sizeof sql,
             "UPDATE deliveries SET state = 1 WHERE alert_id = '%s' AND output = 'slack:x';"
             "UPDATE deliveries SET state = 2, attempts = 3, last_error = 'HTTP 500' WHERE alert_id = '%s' "
             "AND output = 'aws-firehose:alerts';", id1, id1);
    CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
    memset(&c, 0, sizeof c);
    vgl_store_list(s, &(struct vgl_store_filter){.state = VGL_DELIVERY_FAILED}, on_alert, &c, &err);
    CHECK_INT_EQ(c.n, 1);
    CHECK_STR_EQ(c.ids[0], id1);
    /* show by a unique prefix; retry resets only the failed one */
    char prefix[12];
    snprintf(prefix, sizeof prefix, "%.8s", id1);
    size_t changed = 0;
    CHECK_INT_EQ(vgl_store_retry(s, prefix, NULL, &changed, &err), 0);
    CHECK_INT_EQ(changed, 1);
    memset(&c, 0, sizeof c);
    CHECK_INT_EQ(vgl_store_show(s, prefix, on_alert, on_delivery, &c, &err), 0);
    CHECK_INT_EQ(c.sent, 1);
    CHECK_INT_EQ(c.pending, 1);
    CHECK_INT_EQ(vgl_store_retry(s, id1, "slack:x", &changed, &err), 0);
    CHECK_INT_EQ(changed, 0);   /* a sent delivery is never re-sent */
    CHECK_INT_EQ(vgl_store_show(s, "", on_alert, on_delivery, &c, &err), VGL_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "is ambiguous");
    vgl_store_close(s);
    vgl_arena_release(&arena);
    tu_rmrf(dir);
}

TEST(merge_pass)
{
    const char *dir = tu_tmpdir();
    char path[400];
    snprintf(path, sizeof path, "%s/alerts.sqlite3", dir);
    struct vgl_error err = {0};
    vgl_arena_init(&arena, 0);
    struct vgl_store *s = vgl_store_open(path, NULL, &err);
    CHECK(s != NULL);
    if (!s)
        return;
    const int64_t MIN = 60000000;
    char text[3][600];
    struct vgl_json a[3] = {J(merging_alert(text[0], 600, "bob", "T0")),
                            J(merging_alert(text[1], 600, "bob", "T1")),
                            J(merging_alert(text[2], 600, "eve", "T2"))};
    char ids[3][37];
    bool ins;
    vgl_store_begin(s, &err);
    for (int i = 0; i < 3; i++) {
        char pos[16];
        snprintf(pos, sizeof pos, "m:%d", i);
        vgl_alert_id(pos, "rm", ids[i]);
        vgl_store_add_alert(s, ids[i], &a[i], (int64_t)i * MIN, &ins, &err);
    }
    vgl_store_commit(s, &err);
    /* each member is delivered only to the archive output */
    struct collect c = {0};
    vgl_store_show(s, ids[0], on_alert, on_delivery, &c, &err);
    CHECK_INT_EQ(c.nout, 1);
    CHECK_STR_EQ(c.outputs[0], "aws-firehose:alerts");
    /* before the windows elapse: nothing merges */
    size_t merged, members;
    CHECK_INT_EQ(vgl_store_merge(s, 2 * MIN, &merged, &members, &err), 0);
    CHECK_INT_EQ(merged, 0);
    /* after: bob's two merge, eve's alone becomes its own merged alert */
    CHECK_INT_EQ(vgl_store_merge(s, 20 * MIN, &merged, &members, &err), 0);
    CHECK_INT_EQ(merged, 2);
    CHECK_INT_EQ(members, 3);
    memset(&c, 0, sizeof c);
    vgl_store_list(s, &(struct vgl_store_filter){.rule = "rm", .state = -1, .since_us = 20 * MIN}, on_alert, &c,
                   &err);
    CHECK_INT_EQ(c.n, 2);
    /* a merged alert is delivered to all its outputs */
    struct collect d = {0};
    vgl_store_show(s, c.ids[0], NULL, on_delivery, &d, &err);
    CHECK_INT_EQ(d.nout, 2);
    /* a second pass finds nothing left */
    CHECK_INT_EQ(vgl_store_merge(s, 30 * MIN, &merged, &members, &err), 0);
    CHECK_INT_EQ(merged, 0);
    vgl_store_close(s);
    vgl_arena_release(&arena);
    tu_rmrf(dir);
}

TEST(migrates_a_version_1_store)
{
    const char *dir = tu_tmpdir();
    char path[400];
    snprintf(path, sizeof path, "%s/alerts.sqlite3", dir);
    sqlite3 *db;
    sqlite3_open(path, &db);
    CHECK(sqlite3_exec(db,
                       "CREATE TABLE alerts (id TEXT PRIMARY KEY, rule_name TEXT NOT NULL, created_us INTEGER "
                       "NOT NULL, log_source TEXT, log_type TEXT, cluster TEXT, source_service TEXT, "
                       "source_entity TEXT, merge_by_keys TEXT NOT NULL DEFAULT '[]', merge_window_mins "
                       "INTEGER NOT NULL DEFAULT 0, staged INTEGER NOT NULL DEFAULT 0, fields TEXT NOT NULL);"
                       "CREATE TABLE deliveries (alert_id TEXT NOT NULL, output TEXT NOT NULL, state INTEGER "
                       "NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_us INTEGER NOT "
                       "NULL DEFAULT 0, sent_us INTEGER NOT NULL DEFAULT 0, last_error TEXT, PRIMARY KEY "
                       "(alert_id, output)) WITHOUT ROWID;"
                       "INSERT INTO alerts (id, rule_name, created_us, fields) VALUES ('old', 'r', 1, '{}');"
                       "PRAGMA user_version = 1;",
                       NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
    struct vgl_error err = {0};
    struct vgl_store *s = vgl_store_open(path, NULL, &err);
    CHECK(s != NULL);
    if (s) {
        CHECK_INT_EQ(vgl_store_schema_version(s), VGL_STORE_SCHEMA_VERSION);
        struct collect c = {0};
        CHECK_INT_EQ(vgl_store_show(s, "old", on_alert, NULL, &c, &err), 0);
        CHECK_INT_EQ(c.n, 1);
    }
    vgl_store_close(s);
    tu_rmrf(dir);
}

TEST(newer_schema_is_refused)
{
    const char *dir = tu_tmpdir();
    char path[400];
    snprintf(path, sizeof path, "%s/alerts.sqlite3", dir);
    sqlite3 *db;
    sqlite3_open(path, &db);
    sqlite3_exec(db, "PRAGMA user_version = 99;", NULL, NULL, NULL);
    sqlite3_close(db);
    struct vgl_error err = {0};
    CHECK(vgl_store_open(path, NULL, &err) == NULL);
    CHECK_STR_CONTAINS(err.msg, "has schema version 99");
    tu_rmrf(dir);
}

TEST(state_names)
{
    CHECK_STR_EQ(vgl_delivery_state_name(VGL_DELIVERY_ABANDONED), "abandoned");
    CHECK_INT_EQ(vgl_delivery_state_parse("failed"), VGL_DELIVERY_FAILED);
    CHECK_INT_EQ(vgl_delivery_state_parse("nope"), -1);
}

struct dl_seen {
    size_t n;
    char reason[64], payload[64];
    size_t payload_len, total_len;
};

static int on_dl(const struct vgl_deadletter_row *row, void *ud)
{
    struct dl_seen *c = ud;
    c->n++;
    snprintf(c->reason, sizeof c->reason, "%s", row->d.reason);
    c->payload_len = row->d.payload_len;
    c->total_len = row->d.total_len;
    if (row->d.payload && row->d.payload_len < sizeof c->payload) {
        memcpy(c->payload, row->d.payload, row->d.payload_len);
        c->payload[row->d.payload_len] = 0;
    }
    return 0;
}

TEST(checkpoints_and_dead_letters_commit_with_the_batch)
{
    const char *dir = tu_tmpdir();
    char path[400];
    snprintf(path, sizeof path, "%s/alerts.sqlite3", dir);
    struct vgl_error err = {0};
    struct vgl_store *s = vgl_store_open(path, NULL, &err);
    CHECK(s != NULL);
    if (!s)
        return;
    char v[64];
    CHECK(!vgl_store_checkpoint_get(s, "file:/x", v, sizeof v));
    /* a rolled-back batch leaves neither its checkpoint nor its dead letters */
    CHECK_INT_EQ(vgl_store_begin(s, &err), 0);
    CHECK_INT_EQ(vgl_store_checkpoint_set(s, "file:/x", "i1:o100", 1, &err), 0);
    struct vgl_deadletter d = {.reason = "unclassified", .detail = "no schema matched", .service = "file",
                               .resource = "logs", .position = "/x#o50", .payload = "ab\0c", .payload_len = 4,
                               .total_len = 4};
    bool inserted = false;
    CHECK_INT_EQ(vgl_store_deadletter_add(s, &d, 1, &inserted, &err), 0);
    CHECK(inserted);
    vgl_store_rollback(s);
    CHECK(!vgl_store_checkpoint_get(s, "file:/x", v, sizeof v));
    struct dl_seen c = {0};
    CHECK_INT_EQ(vgl_store_deadletters(s, NULL, on_dl, &c, &err), 0);
    CHECK_INT_EQ(c.n, 0);
    /* committed: both there; the same failure again is a no-op */
    CHECK_INT_EQ(vgl_store_begin(s, &err), 0);
    CHECK_INT_EQ(vgl_store_checkpoint_set(s, "file:/x", "i1:o100", 1, &err), 0);
    CHECK_INT_EQ(vgl_store_deadletter_add(s, &d, 1, &inserted, &err), 0);
    CHECK_INT_EQ(vgl_store_deadletter_add(s, &d, 2, &inserted, &err), 0);
    CHECK(!inserted);
    CHECK_INT_EQ(vgl_store_commit(s, &err), 0);
    CHECK(vgl_store_checkpoint_get(s, "file:/x", v, sizeof v));
    CHECK_STR_EQ(v, "i1:o100");
    CHECK_INT_EQ(vgl_store_checkpoint_set(s, "file:/x", "i1:o200", 3, &err), 0);
    CHECK(vgl_store_checkpoint_get(s, "file:/x", v, sizeof v));
    CHECK_STR_EQ(v, "i1:o200");
    memset(&c, 0, sizeof c);
    CHECK_INT_EQ(vgl_store_deadletters(s, NULL, on_dl, &c, &err), 0);
    CHECK_INT_EQ(c.n, 1);
    CHECK_STR_EQ(c.reason, "unclassified");
    CHECK_INT_EQ(c.payload_len, 4);
    CHECK(memcmp(c.payload, "ab\0c", 4) == 0);
    /* an oversize payload is not kept, its length is */
    struct vgl_deadletter big = {.reason = "oversize", .position = "/x#o999", .total_len = 100000000};
    CHECK_INT_EQ(vgl_store_deadletter_add(s, &big, 4, &inserted, &err), 0);
    struct vgl_deadletter_filter f = {.reason = "oversize"};
    memset(&c, 0, sizeof c);
    CHECK_INT_EQ(vgl_store_deadletters(s, &f, on_dl, &c, &err), 0);
    CHECK_INT_EQ(c.n, 1);
    CHECK_INT_EQ(c.payload_len, 0);
    CHECK_INT_EQ(c.total_len, 100000000);
    /* replayed ones drop out of the default listing */
    char id[37];
    vgl_deadletter_id(&big, id);
    CHECK_INT_EQ(vgl_store_deadletter_replayed(s, id, 5, &err), 0);
    memset(&c, 0, sizeof c);
    CHECK_INT_EQ(vgl_store_deadletters(s, &f, on_dl, &c, &err), 0);
    CHECK_INT_EQ(c.n, 0);
    f.include_replayed = true;
    CHECK_INT_EQ(vgl_store_deadletters(s, &f, on_dl, &c, &err), 0);
    CHECK_INT_EQ(c.n, 1);
    vgl_store_close(s);
    tu_rmrf(dir);
}

struct due_seen {
    char alert[8][40], output[8][64], fields[8][256];
    int attempts[8];
    size_t n, take_fields_every, stop_after;
};

static int on_due(const struct vgl_store_due_row *row, void *ud)
{
    struct due_seen *d = ud;
    if (d->n >= 8)
        return 1;
    snprintf(d->alert[d->n], 40, "%s", row->alert_id);
    snprintf(d->output[d->n], 64, "%s", row->output);
    d->attempts[d->n] = row->attempts;
    d->fields[d->n][0] = 0;
    if (d->take_fields_every && d->n % d->take_fields_every == 0) {
        size_t len = 0;
        const char *t = vgl_store_due_fields(row, &len);
        snprintf(d->fields[d->n], 256, "%.*s", (int)len, t);
        CHECK_INT_EQ(strlen(t), len);
    }
    d->n++;
    return d->stop_after && d->n >= d->stop_after;
}

TEST(due_rows_failed_first_fields_on_request)
{
    const char *dir = tu_tmpdir();
    char path[400];
    snprintf(path, sizeof path, "%s/alerts.sqlite3", dir);
    struct vgl_error err = {0};
    vgl_arena_init(&arena, 0);
    struct vgl_store *s = vgl_store_open(path, &(struct vgl_store_opts){.synchronous_normal = true}, &err);
    CHECK(s != NULL);
    if (!s)
        return;
    struct vgl_json a1 = J("{\"rule_name\":\"r1\",\"outputs\":[\"slack:a\",\"slack:b\"],\"record\":{\"n\":1}}");
    struct vgl_json a2 = J("{\"rule_name\":\"r2\",\"outputs\":[\"slack:c\"],\"record\":{\"n\":2}}");
    char id1[37], id2[37];
    vgl_alert_id("p:1", "r1", id1);
    vgl_alert_id("p:2", "r2", id2);
    bool ins;
    CHECK_INT_EQ(vgl_store_add_alert(s, id1, &a1, 100, &ins, &err), 0);
    CHECK_INT_EQ(vgl_store_add_alert(s, id2, &a2, 200, &ins, &err), 0);
    /* id2's delivery failed once and is due again before the pending ones */
    CHECK_INT_EQ(vgl_store_delivery_done(s, id2, "slack:c", VGL_DELIVERY_FAILED, 50, "HTTP 500", &err), 0);
    struct due_seen d = {.take_fields_every = 1};
    CHECK_INT_EQ(vgl_store_due(s, 1000000, 0, on_due, &d, &err), 0);
    CHECK_INT_EQ(d.n, 3);
    CHECK_STR_EQ(d.alert[0], id2);
    CHECK_STR_EQ(d.output[0], "slack:c");
    CHECK_INT_EQ(d.attempts[0], 1);
    CHECK_STR_CONTAINS(d.fields[0], "\"record\":{\"n\":2}");
    CHECK_STR_EQ(d.alert[1], id1);
    CHECK_STR_EQ(d.alert[2], id1);
    CHECK_STR_CONTAINS(d.fields[1], "\"record\":{\"n\":1}");
    CHECK_STR_CONTAINS(d.fields[2], "\"rule_name\":\"r1\"");
    /* fields only for some rows: the others' are never read, and the ones asked are right */
    memset(&d, 0, sizeof d);
    d.take_fields_every = 2;
    CHECK_INT_EQ(vgl_store_due(s, 1000000, 0, on_due, &d, &err), 0);
    CHECK_INT_EQ(d.n, 3);
    CHECK_STR_CONTAINS(d.fields[0], "\"n\":2");
    CHECK_STR_EQ(d.fields[1], "");
    CHECK_STR_CONTAINS(d.fields[2], "\"n\":1");
    /* nothing due before the retry time of the failed one; the pending ones still are */
    memset(&d, 0, sizeof d);
    CHECK_INT_EQ(vgl_store_due(s, 40, 0, on_due, &d, &err), 0);
    CHECK_INT_EQ(d.n, 2);
    CHECK_STR_EQ(d.alert[0], id1);
    /* a limit per state, and a caller that stops early */
    memset(&d, 0, sizeof d);
    CHECK_INT_EQ(vgl_store_due(s, 1000000, 1, on_due, &d, &err), 0);
    CHECK_INT_EQ(d.n, 2);
    memset(&d, 0, sizeof d);
    d.stop_after = 1;
    CHECK_INT_EQ(vgl_store_due(s, 1000000, 0, on_due, &d, &err), 0);
    CHECK_INT_EQ(d.n, 1);
    /* the statement is kept between calls, and writes in between are seen */
    CHECK_INT_EQ(vgl_store_delivery_done(s, id1, "slack:a", VGL_DELIVERY_SENT, 60, NULL, &err), 0);
    memset(&d, 0, sizeof d);
    CHECK_INT_EQ(vgl_store_due(s, 1000000, 0, on_due, &d, &err), 0);
    CHECK_INT_EQ(d.n, 2);
    CHECK_STR_EQ(d.output[1], "slack:b");
    vgl_store_close(s);
    vgl_arena_release(&arena);
    tu_rmrf(dir);
}

TEST_MAIN(T(ids_are_deterministic), T(insert_is_idempotent_with_deliveries),
          T(list_filters_show_prefix_and_retry), T(merge_pass), T(migrates_a_version_1_store),
          T(newer_schema_is_refused), T(state_names), T(checkpoints_and_dead_letters_commit_with_the_batch),
          T(due_rows_failed_first_fields_on_request))
