/*
 * store/store.c: alerts and their deliveries in SQLite.
 *
 * Sits after the rules engine: alerts come in, the merger and dispatcher read them back.
 * This is the only code that includes sqlite3.h.  Statements used per alert are prepared
 * once and reused; every write of a batch goes in the caller's transaction.
 */
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/xmalloc.h"
#include "merge/merge.h"

struct vgl_store {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *ins_alert, *ins_delivery;
    sqlite3_stmt *upd_sent, *upd_failed, *due;   /* prepared on first use */
    sqlite3_stmt *cp_set, *cp_get, *dl_add;
    bool in_tx;
    bool sync_wal;   /* fdatasync the WAL after each commit (see vgl_store_commit) */
    char *wal_path;
    int64_t busy_timeout_us, busy_waited_us;
};

/* The WAL is copied back into the database once it holds this many pages (40 MB; SQLite's
 * default is 1,000).  Alerts are written by the workers and then updated twice per output by
 * the alert process: over a longer window each page is copied back once instead of several
 * times, and the checkpoints (with their fsync) run a tenth as often.  `vigil run`, 2 workers,
 * bench/bench_run.sh's input: 2.5% and 4.4% less wall time in two paired measurements
 * (docs/store.md). */
#define WAL_AUTOCHECKPOINT_PAGES 10000

/* While another process holds the write lock: poll it every 100 us for the first 2 ms, then
 * every ms, up to the busy timeout.  SQLite's own handler sleeps 1, 2, 5, 10, 15, 20, 25,
 * 25, 25, 50, 50, 100 ms in turn: with two workers and the alert process committing through
 * one lock, commits that hold it for well under a millisecond made the others sleep ~2 s
 * each over a 10 s run (strace of `vigil run`, docs/performance.md). */
static int busy_wait(void *ud, int n)
{
    struct vgl_store *s = ud;
    if (n == 0)
        s->busy_waited_us = 0;
    if (s->busy_waited_us >= s->busy_timeout_us)
        return 0;
    long us = n < 20 ? 100 : 1000;
    struct timespec ts = {0, us * 1000};
    nanosleep(&ts, NULL);
    s->busy_waited_us += us;
    return 1;
}

static const char *const state_names[] = {"pending", "sent", "failed", "abandoned"};

const char *vgl_delivery_state_name(enum vgl_delivery_state st)
{
    return (unsigned)st < 4 ? state_names[st] : "?";
}

int vgl_delivery_state_parse(const char *name)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(name, state_names[i]) == 0)
            return i;
    return -1;
}

static int db_error(struct vgl_store *s, struct vgl_error *err, const char *what)
{
    return vgl_error_set(err, VGL_EIO, "alert store '%s': %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

static int exec(struct vgl_store *s, const char *sql, struct vgl_error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int rc = vgl_error_set(err, VGL_EIO, "alert store '%s': %s", s->path, msg ? msg : "?");
        sqlite3_free(msg);
        return rc;
    }
    return 0;
}

/* Migrations: entry i takes the schema from version i to i + 1.  Never edit an entry that
 * has shipped; add a new one. */
static const char *const migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE alerts ("
    "  id TEXT PRIMARY KEY,"
    "  rule_name TEXT NOT NULL,"
    "  created_us INTEGER NOT NULL,"
    "  log_source TEXT,"
    "  log_type TEXT,"
    "  cluster TEXT,"
    "  source_service TEXT,"
    "  source_entity TEXT,"
    "  merge_by_keys TEXT NOT NULL DEFAULT '[]',"
    "  merge_window_mins INTEGER NOT NULL DEFAULT 0,"
    "  staged INTEGER NOT NULL DEFAULT 0,"
    "  fields TEXT NOT NULL"
    ");"
    "CREATE INDEX alerts_rule_created ON alerts(rule_name, created_us);"
    "CREATE INDEX alerts_created ON alerts(created_us);"
    "CREATE TABLE deliveries ("
    "  alert_id TEXT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,"
    "  output TEXT NOT NULL,"
    "  state INTEGER NOT NULL DEFAULT 0,"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_attempt_us INTEGER NOT NULL DEFAULT 0,"
    "  sent_us INTEGER NOT NULL DEFAULT 0,"
    "  last_error TEXT,"
    "  PRIMARY KEY (alert_id, output)"
    ") WITHOUT ROWID;"
    "CREATE INDEX deliveries_due ON deliveries(state, next_attempt_us);",
    /* 1 -> 2: merging (compat 6.3, 6.5) */
    "ALTER TABLE alerts ADD COLUMN merge_state INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE alerts ADD COLUMN merged_into TEXT;"
    "CREATE INDEX alerts_merge ON alerts(merge_state, rule_name, created_us);",
    /* 2 -> 3: `vigil run`: source checkpoints and dead letters, committed with the alerts */
    "CREATE TABLE checkpoints ("
    "  key TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL,"
    "  updated_us INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE TABLE deadletters ("
    "  id TEXT PRIMARY KEY,"
    "  created_us INTEGER NOT NULL,"
    "  reason TEXT NOT NULL,"
    "  detail TEXT,"
    "  service TEXT,"
    "  resource TEXT,"
    "  position TEXT,"
    "  payload BLOB,"
    "  payload_len INTEGER NOT NULL DEFAULT 0,"
    "  replayed_us INTEGER NOT NULL DEFAULT 0"
    ");"
    "CREATE INDEX deadletters_created ON deadletters(created_us);"
    "CREATE INDEX deadletters_reason ON deadletters(reason, created_us);",
};
#define NMIGRATIONS (sizeof migrations / sizeof migrations[0])

static int user_version(struct vgl_store *s)
{
    sqlite3_stmt *st;
    int v = -1;
    if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int migrate(struct vgl_store *s, struct vgl_error *err)
{
    int v = user_version(s);
    if (v < 0)
        return db_error(s, err, "reading the schema version");
    if (v > (int)NMIGRATIONS)
        return vgl_error_set(err, VGL_ECONFIG,
                             "alert store '%s' has schema version %d; this vigil knows up to %d "
                             "(written by a newer vigil?)",
                             s->path, v, (int)NMIGRATIONS);
    for (int i = v; i < (int)NMIGRATIONS; i++) {
        char ver[64];
        snprintf(ver, sizeof ver, "PRAGMA user_version = %d;", i + 1);
        int rc;
        if ((rc = exec(s, "BEGIN IMMEDIATE;", err)) != 0)
            return rc;
        if ((rc = exec(s, migrations[i], err)) != 0 || (rc = exec(s, ver, err)) != 0) {
            exec(s, "ROLLBACK;", NULL);
            return vgl_error_prefix(err, "migrating to schema version %d", i + 1);
        }
        if ((rc = exec(s, "COMMIT;", err)) != 0)
            return rc;
    }
    return 0;
}

static void make_parent(const char *path)
{
    char *copy = vgl_xstrdup(path);
    for (char *p = copy + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(copy, 0700);
            *p = '/';
        }
    }
    free(copy);
}

static int sync_wal(struct vgl_store *s, struct vgl_error *err);

struct vgl_store *vgl_store_open(const char *path, const struct vgl_store_opts *opts,
                                 struct vgl_error *err)
{
    struct vgl_store *s = vgl_xcalloc(1, sizeof *s);
    s->path = vgl_xstrdup(path);
    make_parent(path);
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
        vgl_error_set(err, VGL_EIO, "cannot open alert store '%s': %s", path,
                      s->db ? sqlite3_errmsg(s->db) : strerror(errno));
        vgl_store_close(s);
        return NULL;
    }
    s->busy_timeout_us = (int64_t)(opts && opts->busy_timeout_ms ? opts->busy_timeout_ms : 5000) * 1000;
    sqlite3_busy_handler(s->db, busy_wait, s);
    char pragmas[256];
    snprintf(pragmas, sizeof pragmas,
             "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
             "PRAGMA wal_autocheckpoint=%d;",
             WAL_AUTOCHECKPOINT_PAGES);
    /* Durable commits without fsyncing under the write lock: SQLite runs with
     * synchronous=NORMAL (a commit writes the WAL but does not sync it) and
     * vgl_store_commit syncs the WAL itself once COMMIT has released the lock.  A commit
     * is on disk when vgl_store_commit returns, as with FULL, but the two workers and the
     * alert process no longer wait for each other's fsyncs (docs/store.md). */
    s->sync_wal = !(opts && opts->synchronous_normal);
    size_t plen = strlen(path);
    s->wal_path = vgl_xmalloc(plen + 5);
    memcpy(s->wal_path, path, plen);
    memcpy(s->wal_path + plen, "-wal", 5);
    if (exec(s, pragmas, err) != 0 || migrate(s, err) != 0 ||
        (s->sync_wal && sync_wal(s, err) != 0)) {
        vgl_store_close(s);
        return NULL;
    }
    if (sqlite3_prepare_v3(s->db,
                           "INSERT OR IGNORE INTO alerts (id, rule_name, created_us, log_source, "
                           "log_type, cluster, source_service, source_entity, merge_by_keys, "
                           "merge_window_mins, staged, fields, merge_state) "
                           "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                           -1, SQLITE_PREPARE_PERSISTENT, &s->ins_alert, NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(s->db,
                           "INSERT OR IGNORE INTO deliveries (alert_id, output) VALUES (?, ?)", -1,
                           SQLITE_PREPARE_PERSISTENT, &s->ins_delivery, NULL) != SQLITE_OK) {
        db_error(s, err, "preparing statements");
        vgl_store_close(s);
        return NULL;
    }
    return s;
}

void vgl_store_close(struct vgl_store *s)
{
    if (!s)
        return;
    sqlite3_finalize(s->ins_alert);
    sqlite3_finalize(s->ins_delivery);
    sqlite3_finalize(s->upd_sent);
    sqlite3_finalize(s->upd_failed);
    sqlite3_finalize(s->due);
    sqlite3_finalize(s->cp_set);
    sqlite3_finalize(s->cp_get);
    sqlite3_finalize(s->dl_add);
    if (s->db)
        sqlite3_close(s->db);
    free(s->wal_path);
    free(s->path);
    free(s);
}

int vgl_store_schema_version(struct vgl_store *s)
{
    return user_version(s);
}

int vgl_store_begin(struct vgl_store *s, struct vgl_error *err)
{
    int rc = exec(s, "BEGIN IMMEDIATE;", err);
    s->in_tx = rc == 0;
    return rc;
}

/* Makes the WAL durable: what this connection committed is in it (or, when a checkpoint
 * already moved it to the database file, was synced there by that checkpoint).  Opened
 * each time (microseconds, against the fsync's milliseconds): SQLite deletes the WAL when
 * its last connection closes and a later one makes a new file, which a kept descriptor
 * would miss. */
static int sync_wal(struct vgl_store *s, struct vgl_error *err)
{
    int fd = open(s->wal_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : vgl_error_set(err, VGL_EIO, "alert store: open '%s': %s",
                                                   s->wal_path, strerror(errno));
    int rc = fdatasync(fd) == 0 ? 0 : vgl_error_set(err, VGL_EIO, "alert store: fsync '%s': %s",
                                                    s->wal_path, strerror(errno));
    close(fd);
    return rc;
}

/* A write outside a transaction committed on its own: sync it as a commit. */
static int after_write(struct vgl_store *s, int rc, struct vgl_error *err)
{
    return rc == 0 && !s->in_tx && s->sync_wal ? sync_wal(s, err) : rc;
}

int vgl_store_commit(struct vgl_store *s, struct vgl_error *err)
{
    int rc = exec(s, "COMMIT;", err);
    if (rc == 0) {
        s->in_tx = false;
        if (s->sync_wal)
            rc = sync_wal(s, err);
    }
    return rc;
}

void vgl_store_rollback(struct vgl_store *s)
{
    if (s->in_tx)
        exec(s, "ROLLBACK;", NULL);
    s->in_tx = false;
}

/* ---- alert ids ---------------------------------------------------------------------- */

static uint64_t mix(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ull;
        h ^= h >> 29;
    }
    h ^= n;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 33);
}

void vgl_alert_id(const char *position, const char *rule_name, char out[37])
{
    /* Two independent 64-bit hashes of "position \0 rule": 128 bits, deterministic. */
    uint64_t a = mix(0xcbf29ce484222325ull, position, strlen(position));
    a = mix(a, "", 1);
    a = mix(a, rule_name, strlen(rule_name));
    uint64_t b = mix(0x84222325cbf29ce4ull ^ 0x9e3779b97f4a7c15ull, rule_name, strlen(rule_name));
    b = mix(b, "", 1);
    b = mix(b, position, strlen(position));
    snprintf(out, 37, "%08x-%04x-%04x-%04x-%012llx", (unsigned)(a >> 32), (unsigned)((a >> 16) & 0xffff),
             (unsigned)(a & 0xffff), (unsigned)(b >> 48), (unsigned long long)(b & 0xffffffffffffull));
}

/* ---- writes ------------------------------------------------------------------------- */

static const char *str_field(const struct vgl_json *o, const char *key, size_t *len)
{
    const struct vgl_json *v = vgl_json_getz(o, key);
    if (!v || v->type != VGL_JSON_STRING) {
        *len = 0;
        return NULL;
    }
    *len = v->len;
    return v->u.s;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s, size_t n)
{
    if (s)
        sqlite3_bind_text(st, i, s, (int)n, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

int vgl_store_add_alert(struct vgl_store *s, const char *id, const struct vgl_json *fields,
                        int64_t created_us, bool *inserted, struct vgl_error *err)
{
    *inserted = false;
    size_t n;
    const char *rule = str_field(fields, "rule_name", &n);
    if (!rule)
        return vgl_error_set(err, VGL_EINVAL, "alert %s has no rule_name", id);
    struct vgl_buf json, mbk;
    vgl_buf_init(&json, 0);
    vgl_buf_init(&mbk, 0);
    vgl_json_write(&json, fields);
    const struct vgl_json *mk = vgl_json_getz(fields, "merge_by_keys");
    if (mk)
        vgl_json_write(&mbk, mk);
    else
        vgl_buf_puts(&mbk, "[]");
    const struct vgl_json *mw = vgl_json_getz(fields, "merge_window_mins");
    const struct vgl_json *staged = vgl_json_getz(fields, "staged");
    sqlite3_stmt *st = s->ins_alert;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    bind_text(st, 2, rule, n);
    sqlite3_bind_int64(st, 3, created_us);
    const char *f;
    static const char *const cols[] = {"log_source", "log_type", "cluster", "source_service",
                                       "source_entity"};
    for (int i = 0; i < 5; i++) {
        f = str_field(fields, cols[i], &n);
        bind_text(st, 4 + i, f, n);
    }
    sqlite3_bind_text(st, 9, mbk.data, (int)mbk.len, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 10, mw && mw->type == VGL_JSON_INT ? mw->u.i
                               : mw && mw->type == VGL_JSON_FLOAT ? (int64_t)mw->u.d : 0);
    sqlite3_bind_int(st, 11, staged && vgl_json_truthy(staged));
    sqlite3_bind_text(st, 12, json.data, (int)json.len, SQLITE_TRANSIENT);
    bool merging = vgl_merge_enabled(fields);
    sqlite3_bind_int(st, 13, merging ? VGL_MERGE_WAITING : VGL_MERGE_NONE);
    int rc = 0;
    if (sqlite3_step(st) != SQLITE_DONE) {
        rc = db_error(s, err, "storing an alert");
        goto out;
    }
    if (sqlite3_changes(s->db) == 0)
        goto out;   /* already stored: the id is deterministic */
    *inserted = true;
    const struct vgl_json *outs = vgl_json_getz(fields, "outputs");
    for (uint32_t i = 0; outs && outs->type == VGL_JSON_ARRAY && i < outs->len; i++) {
        const struct vgl_json *o = &outs->u.items[i];
        if (o->type != VGL_JSON_STRING)
            continue;
        /* A merge-enabled alert is delivered only to the required archive output; its
         * other outputs receive the merged alert (compat 6.3). */
        if (merging && !(o->len == sizeof VGL_REQUIRED_OUTPUT - 1 &&
                         memcmp(o->u.s, VGL_REQUIRED_OUTPUT, o->len) == 0))
            continue;
        sqlite3_stmt *d = s->ins_delivery;
        sqlite3_reset(d);
        sqlite3_bind_text(d, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(d, 2, o->u.s, (int)o->len, SQLITE_TRANSIENT);
        if (sqlite3_step(d) != SQLITE_DONE) {
            rc = db_error(s, err, "storing a delivery");
            goto out;
        }
    }
out:
    sqlite3_reset(st);
    vgl_buf_release(&json);
    vgl_buf_release(&mbk);
    return after_write(s, rc, err);
}

/* ---- reads -------------------------------------------------------------------------- */

#define ALERT_COLUMNS                                                                           \
    "SELECT a.id, a.rule_name, a.created_us, a.log_source, a.fields, "                          \
    "(SELECT count(*) FROM deliveries d WHERE d.alert_id = a.id), "                            \
    "(SELECT count(*) FROM deliveries d WHERE d.alert_id = a.id AND d.state = 1), "            \
    "(SELECT count(*) FROM deliveries d WHERE d.alert_id = a.id AND d.state = 2), "            \
    "(SELECT count(*) FROM deliveries d WHERE d.alert_id = a.id AND d.state = 0), "            \
    "(SELECT count(*) FROM deliveries d WHERE d.alert_id = a.id AND d.state = 3) "             \
    "FROM alerts a "

static void row_from(sqlite3_stmt *st, struct vgl_store_alert_row *row)
{
    row->id = (const char *)sqlite3_column_text(st, 0);
    row->rule_name = (const char *)sqlite3_column_text(st, 1);
    row->created_us = sqlite3_column_int64(st, 2);
    row->log_source = (const char *)sqlite3_column_text(st, 3);
    row->fields_json = (const char *)sqlite3_column_text(st, 4);
    row->ndeliveries = (size_t)sqlite3_column_int64(st, 5);
    row->nsent = (size_t)sqlite3_column_int64(st, 6);
    row->nfailed = (size_t)sqlite3_column_int64(st, 7);
    row->npending = (size_t)sqlite3_column_int64(st, 8);
    row->nabandoned = (size_t)sqlite3_column_int64(st, 9);
}

int vgl_store_list(struct vgl_store *s, const struct vgl_store_filter *f, vgl_store_alert_fn fn,
                   void *ud, struct vgl_error *err)
{
    struct vgl_buf sql;
    vgl_buf_init(&sql, 0);
    vgl_buf_puts(&sql, ALERT_COLUMNS "WHERE 1");
    if (f && f->rule)
        vgl_buf_puts(&sql, " AND a.rule_name = :rule");
    if (f && f->state >= 0)
        vgl_buf_puts(&sql, " AND EXISTS (SELECT 1 FROM deliveries d WHERE d.alert_id = a.id AND "
                           "d.state = :state)");
    if (f && f->since_us)
        vgl_buf_puts(&sql, " AND a.created_us >= :since");
    if (f && f->until_us)
        vgl_buf_puts(&sql, " AND a.created_us < :until");
    vgl_buf_puts(&sql, " ORDER BY a.created_us DESC, a.id");
    if (f && f->limit)
        vgl_buf_printf(&sql, " LIMIT %zu", f->limit);
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(s->db, sql.data, -1, &st, NULL) != SQLITE_OK) {
        rc = db_error(s, err, "listing alerts");
        goto out;
    }
    if (f && f->rule)
        sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":rule"), f->rule, -1, SQLITE_STATIC);
    if (f && f->state >= 0)
        sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":state"), f->state);
    if (f && f->since_us)
        sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":since"), f->since_us);
    if (f && f->until_us)
        sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":until"), f->until_us);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        struct vgl_store_alert_row row;
        row_from(st, &row);
        if (fn(&row, ud) != 0)
            break;
    }
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        rc = db_error(s, err, "listing alerts");
out:
    sqlite3_finalize(st);
    vgl_buf_release(&sql);
    return rc;
}

/* The full id for an id or a unique prefix of one. */
static int resolve_id(struct vgl_store *s, const char *id, char *out, size_t outsz,
                      struct vgl_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT id FROM alerts WHERE id >= ?1 AND id < ?1 || x'ff' LIMIT 2",
                           -1, &st, NULL) != SQLITE_OK)
        return db_error(s, err, "looking up an alert");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int n = 0, rc = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n++ == 0)
            snprintf(out, outsz, "%s", (const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    if (n == 0)
        rc = vgl_error_set(err, VGL_ENOTFOUND, "no alert with id '%s'", id);
    else if (n > 1)
        rc = vgl_error_set(err, VGL_EINVAL, "alert id prefix '%s' is ambiguous: give more digits", id);
    return rc;
}

int vgl_store_show(struct vgl_store *s, const char *id, vgl_store_alert_fn alert_fn,
                   vgl_store_delivery_fn delivery_fn, void *ud, struct vgl_error *err)
{
    char full[128];
    int rc = resolve_id(s, id, full, sizeof full, err);
    if (rc)
        return rc;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, ALERT_COLUMNS "WHERE a.id = ?", -1, &st, NULL) != SQLITE_OK)
        return db_error(s, err, "reading an alert");
    sqlite3_bind_text(st, 1, full, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW && alert_fn) {
        struct vgl_store_alert_row row;
        row_from(st, &row);
        alert_fn(&row, ud);
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(s->db,
                           "SELECT output, state, attempts, next_attempt_us, sent_us, last_error "
                           "FROM deliveries WHERE alert_id = ? ORDER BY output",
                           -1, &st, NULL) != SQLITE_OK)
        return db_error(s, err, "reading deliveries");
    sqlite3_bind_text(st, 1, full, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW && delivery_fn) {
        struct vgl_store_delivery_row d = {
            .output = (const char *)sqlite3_column_text(st, 0),
            .state = (enum vgl_delivery_state)sqlite3_column_int(st, 1),
            .attempts = sqlite3_column_int(st, 2),
            .next_attempt_us = sqlite3_column_int64(st, 3),
            .sent_us = sqlite3_column_int64(st, 4),
            .last_error = (const char *)sqlite3_column_text(st, 5),
        };
        delivery_fn(&d, ud);
    }
    sqlite3_finalize(st);
    return 0;
}

int vgl_store_retry(struct vgl_store *s, const char *id, const char *output, size_t *changed,
                    struct vgl_error *err)
{
    *changed = 0;
    char full[128];
    int rc = resolve_id(s, id, full, sizeof full, err);
    if (rc)
        return rc;
    sqlite3_stmt *st = NULL;
    const char *sql = output ? "UPDATE deliveries SET state = 0, next_attempt_us = 0 WHERE alert_id = ? "
                               "AND output = ? AND state IN (2, 3)"
                             : "UPDATE deliveries SET state = 0, next_attempt_us = 0 WHERE alert_id = ? "
                               "AND state IN (2, 3)";
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_error(s, err, "retrying deliveries");
    sqlite3_bind_text(st, 1, full, -1, SQLITE_STATIC);
    if (output)
        sqlite3_bind_text(st, 2, output, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = db_error(s, err, "retrying deliveries");
    else
        *changed = (size_t)sqlite3_changes(s->db);
    sqlite3_finalize(st);
    return after_write(s, rc, err);
}

/* ---- merging (compat 6.5) ---------------------------------------------------------------- */

struct pending_alert {
    char *id;
    char *json;
    int64_t created_us;
    struct vgl_json fields;
};

static void iso_time(int64_t us, char out[40])
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    size_t n = strftime(out, 40, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 40 - n, ".%06lldZ", (long long)(us % 1000000));
}

/* One rule's waiting alerts, oldest first. */
static int load_waiting(struct vgl_store *s, const char *rule, struct vgl_arena *a,
                        struct pending_alert **out, size_t *n, struct vgl_error *err)
{
    sqlite3_stmt *st = NULL;
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT id, fields, created_us FROM alerts WHERE merge_state = 1 AND "
                           "rule_name = ? ORDER BY created_us, id LIMIT 5000",
                           -1, &st, NULL) != SQLITE_OK)
        return db_error(s, err, "loading alerts to merge");
    sqlite3_bind_text(st, 1, rule, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        *out = vgl_xgrow(*out, &cap, *n + 1, sizeof **out);
        struct pending_alert *p = &(*out)[*n];
        const char *json = (const char *)sqlite3_column_text(st, 1);
        p->id = vgl_arena_strndup(a, (const char *)sqlite3_column_text(st, 0),
                                  (size_t)sqlite3_column_bytes(st, 0));
        p->json = vgl_arena_strndup(a, json, (size_t)sqlite3_column_bytes(st, 1));
        p->created_us = sqlite3_column_int64(st, 2);
        if (vgl_json_parse(p->json, strlen(p->json), a, NULL, &p->fields, NULL) != 0)
            continue;   /* an unreadable row is skipped, as StreamAlert does */
        (*n)++;
    }
    sqlite3_finalize(st);
    return 0;
}

static int mark_merged(struct vgl_store *s, const char *id, const char *into, struct vgl_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "UPDATE alerts SET merge_state = 2, merged_into = ? WHERE id = ?", -1,
                           &st, NULL) != SQLITE_OK)
        return db_error(s, err, "marking a merged alert");
    sqlite3_bind_text(st, 1, into, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_error(s, err, "marking a merged alert");
    sqlite3_finalize(st);
    return rc;
}

int vgl_store_merge(struct vgl_store *s, int64_t now_us, size_t *merged_alerts, size_t *members,
                    struct vgl_error *err)
{
    *merged_alerts = *members = 0;
    sqlite3_stmt *rules = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT DISTINCT rule_name FROM alerts WHERE merge_state = 1 ORDER BY 1",
                           -1, &rules, NULL) != SQLITE_OK)
        return db_error(s, err, "listing rules to merge");
    char **names = NULL;
    size_t nnames = 0, cap = 0;
    while (sqlite3_step(rules) == SQLITE_ROW) {
        names = vgl_xgrow(names, &cap, nnames + 1, sizeof *names);
        names[nnames++] = vgl_xstrdup((const char *)sqlite3_column_text(rules, 0));
    }
    sqlite3_finalize(rules);
    int rc = vgl_store_begin(s, err);
    for (size_t r = 0; r < nnames && rc == 0; r++) {
        struct vgl_arena a;
        vgl_arena_init(&a, 1 << 16);
        struct pending_alert *p;
        size_t n;
        rc = load_waiting(s, names[r], &a, &p, &n, err);
        struct vgl_merge_alert *ma = vgl_xcalloc(n + 1, sizeof *ma);
        int *group_of = vgl_xcalloc(n + 1, sizeof *group_of);
        for (size_t i = 0; i < n; i++)
            ma[i] = (struct vgl_merge_alert){&p[i].fields, p[i].created_us};
        size_t ngroups = rc ? 0 : vgl_merge_groups(ma, n, now_us, group_of);
        const struct vgl_merge_alert **g = vgl_xcalloc(n + 1, sizeof *g);
        char created[40];
        iso_time(now_us, created);
        for (size_t gi = 0; gi < ngroups && rc == 0; gi++) {
            size_t gn = 0;
            struct vgl_buf ids;
            vgl_buf_init(&ids, 0);
            for (size_t i = 0; i < n; i++) {
                if (group_of[i] == (int)gi) {
                    g[gn++] = &ma[i];
                    vgl_buf_puts(&ids, p[i].id);
                }
            }
            struct vgl_json merged = vgl_merge_build(g, gn, created, &a);
            /* deterministic: the same members always make the same merged alert */
            char id[37];
            vgl_alert_id(ids.data, names[r], id);
            vgl_buf_release(&ids);
            bool inserted;
            rc = vgl_store_add_alert(s, id, &merged, now_us, &inserted, err);
            for (size_t i = 0; i < n && rc == 0; i++)
                if (group_of[i] == (int)gi)
                    rc = mark_merged(s, p[i].id, id, err);
            if (rc == 0) {
                (*merged_alerts)++;
                *members += gn;
            }
        }
        free(g);
        free(group_of);
        free(ma);
        free(p);
        vgl_arena_release(&a);
    }
    if (rc == 0)
        rc = vgl_store_commit(s, err);
    else
        vgl_store_rollback(s);
    for (size_t i = 0; i < nnames; i++)
        free(names[i]);
    free(names);
    return rc;
}

/* ---- delivering (the dispatcher) ---------------------------------------------------------- */

int vgl_store_due(struct vgl_store *s, int64_t now_us, size_t limit, vgl_store_due_fn fn, void *ud,
                  struct vgl_error *err)
{
    /* One indexed range per state (deliveries_due is (state, next_attempt_us)), so a turn
     * reads only the rows it returns, however many deliveries wait behind them.  The alert's
     * text is read only for the rows the caller asks it of (vgl_store_due_fields). */
    if (!s->due && sqlite3_prepare_v2(s->db,
                                      "SELECT d.alert_id, d.output, d.attempts, a.rule_name, a.fields "
                                      "FROM deliveries d JOIN alerts a ON a.id = d.alert_id "
                                      "WHERE d.state = ? AND d.next_attempt_us <= ? "
                                      "ORDER BY d.next_attempt_us LIMIT ?",
                                      -1, &s->due, NULL) != SQLITE_OK)
        return db_error(s, err, "loading due deliveries");
    sqlite3_stmt *st = s->due;
    int rc = 0;
    bool stop = false;
    /* failed deliveries whose retry time came first: they have waited longest */
    static const int states[] = {VGL_DELIVERY_FAILED, VGL_DELIVERY_PENDING};
    for (size_t k = 0; k < 2 && !stop && rc == 0; k++) {
        sqlite3_reset(st);
        sqlite3_bind_int(st, 1, states[k]);
        sqlite3_bind_int64(st, 2, now_us);
        sqlite3_bind_int64(st, 3, limit ? (sqlite3_int64)limit : -1);
        int step;
        while ((step = sqlite3_step(st)) == SQLITE_ROW) {
            struct vgl_store_due_row row = {
                .alert_id = (const char *)sqlite3_column_text(st, 0),
                .output = (const char *)sqlite3_column_text(st, 1),
                .attempts = sqlite3_column_int(st, 2),
                .rule_name = (const char *)sqlite3_column_text(st, 3),
                .stmt_ = st,
            };
            if (fn(&row, ud) != 0) {
                stop = true;
                break;
            }
        }
        if (!stop && step != SQLITE_DONE)
            rc = db_error(s, err, "loading due deliveries");
    }
    sqlite3_reset(st);   /* no read transaction is left open between turns */
    return rc;
}

const char *vgl_store_due_fields(const struct vgl_store_due_row *row, size_t *len)
{
    sqlite3_stmt *st = row->stmt_;
    const char *text = (const char *)sqlite3_column_text(st, 4);
    *len = (size_t)sqlite3_column_bytes(st, 4);
    return text ? text : "";
}

int vgl_store_delivery_done(struct vgl_store *s, const char *alert_id, const char *output,
                            enum vgl_delivery_state state, int64_t when_us, const char *error,
                            struct vgl_error *err)
{
    bool sent = state == VGL_DELIVERY_SENT;
    sqlite3_stmt **slot = sent ? &s->upd_sent : &s->upd_failed;
    const char *sql = sent ? "UPDATE deliveries SET state = 1, sent_us = ?1, attempts = attempts + 1, "
                             "last_error = NULL WHERE alert_id = ?3 AND output = ?4 AND state IN (0, 2)"
                           : "UPDATE deliveries SET state = ?5, next_attempt_us = ?1, "
                             "attempts = attempts + 1, last_error = ?2 "
                             "WHERE alert_id = ?3 AND output = ?4 AND state IN (0, 2)";
    if (!*slot && sqlite3_prepare_v2(s->db, sql, -1, slot, NULL) != SQLITE_OK)
        return db_error(s, err, "recording a delivery");
    sqlite3_stmt *st = *slot;
    sqlite3_bind_int64(st, 1, when_us);
    if (!sent) {
        sqlite3_bind_text(st, 2, error ? error : "", -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 5, (int)state);
    }
    sqlite3_bind_text(st, 3, alert_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, output, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_error(s, err, "recording a delivery");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return after_write(s, rc, err);
}

int vgl_store_next_due(struct vgl_store *s, int64_t *next_us, struct vgl_error *err)
{
    sqlite3_stmt *st = NULL;
    *next_us = -1;
    if (sqlite3_prepare_v2(s->db, "SELECT MIN(next_attempt_us) FROM deliveries WHERE state IN (0, 2)",
                           -1, &st, NULL) != SQLITE_OK)
        return db_error(s, err, "finding the next due delivery");
    int rc = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        if (sqlite3_column_type(st, 0) != SQLITE_NULL)
            *next_us = sqlite3_column_int64(st, 0);
    } else {
        rc = db_error(s, err, "finding the next due delivery");
    }
    sqlite3_finalize(st);
    return rc;
}

int vgl_store_delivery_counts(struct vgl_store *s, size_t counts[4], struct vgl_error *err)
{
    sqlite3_stmt *st = NULL;
    memset(counts, 0, 4 * sizeof counts[0]);
    if (sqlite3_prepare_v2(s->db, "SELECT state, COUNT(*) FROM deliveries GROUP BY state", -1, &st,
                           NULL) != SQLITE_OK)
        return db_error(s, err, "counting deliveries");
    while (sqlite3_step(st) == SQLITE_ROW) {
        int state = sqlite3_column_int(st, 0);
        if (state >= 0 && state < 4)
            counts[state] = (size_t)sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return 0;
}

/* ---- checkpoints and dead letters (`vigil run`) -------------------------------------------- */

static int prepare_cached(struct vgl_store *s, sqlite3_stmt **slot, const char *sql, struct vgl_error *err,
                          const char *what)
{
    if (*slot) {
        sqlite3_reset(*slot);
        sqlite3_clear_bindings(*slot);
        return 0;
    }
    if (sqlite3_prepare_v2(s->db, sql, -1, slot, NULL) != SQLITE_OK)
        return db_error(s, err, what);
    return 0;
}

int vgl_store_checkpoint_set(struct vgl_store *s, const char *key, const char *value, int64_t now_us,
                             struct vgl_error *err)
{
    int rc = prepare_cached(s, &s->cp_set,
                            "INSERT INTO checkpoints(key, value, updated_us) VALUES (?, ?, ?) "
                            "ON CONFLICT(key) DO UPDATE SET value = excluded.value, "
                            "updated_us = excluded.updated_us",
                            err, "storing a checkpoint");
    if (rc)
        return rc;
    sqlite3_bind_text(s->cp_set, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(s->cp_set, 2, value, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s->cp_set, 3, now_us);
    rc = sqlite3_step(s->cp_set) == SQLITE_DONE ? 0 : db_error(s, err, "storing a checkpoint");
    sqlite3_reset(s->cp_set);
    return after_write(s, rc, err);
}

bool vgl_store_checkpoint_get(struct vgl_store *s, const char *key, char *out, size_t outsz)
{
    if (prepare_cached(s, &s->cp_get, "SELECT value FROM checkpoints WHERE key = ?", NULL,
                       "reading a checkpoint") != 0)
        return false;
    sqlite3_bind_text(s->cp_get, 1, key, -1, SQLITE_STATIC);
    bool found = false;
    if (sqlite3_step(s->cp_get) == SQLITE_ROW) {
        snprintf(out, outsz, "%s", (const char *)sqlite3_column_text(s->cp_get, 0));
        found = true;
    }
    sqlite3_reset(s->cp_get);
    return found;
}

void vgl_deadletter_id(const struct vgl_deadletter *d, char out[37])
{
    char key[1200];
    snprintf(key, sizeof key, "%s|%s|%s|%s|%s", d->service ? d->service : "",
             d->resource ? d->resource : "", d->position ? d->position : "", d->reason,
             d->id_extra ? d->id_extra : "");
    vgl_alert_id(key, "deadletter", out);
}

int vgl_store_deadletter_add(struct vgl_store *s, const struct vgl_deadletter *d, int64_t now_us,
                             bool *inserted, struct vgl_error *err)
{
    int rc = prepare_cached(s, &s->dl_add,
                            "INSERT OR IGNORE INTO deadletters(id, created_us, reason, detail, service, "
                            "resource, position, payload, payload_len) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            err, "storing a dead letter");
    if (rc)
        return rc;
    char id[37];
    vgl_deadletter_id(d, id);
    sqlite3_stmt *st = s->dl_add;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now_us);
    sqlite3_bind_text(st, 3, d->reason, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, d->detail ? d->detail : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, d->service ? d->service : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, d->resource ? d->resource : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, d->position ? d->position : "", -1, SQLITE_STATIC);
    if (d->payload)
        sqlite3_bind_blob64(st, 8, d->payload, d->payload_len, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 8);
    sqlite3_bind_int64(st, 9, (sqlite3_int64)(d->payload ? d->payload_len : d->total_len));
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_error(s, err, "storing a dead letter");
    if (inserted)
        *inserted = rc == 0 && sqlite3_changes(s->db) > 0;
    sqlite3_reset(st);
    return after_write(s, rc, err);
}

int vgl_store_deadletters(struct vgl_store *s, const struct vgl_deadletter_filter *f,
                          vgl_store_deadletter_fn fn, void *ud, struct vgl_error *err)
{
    struct vgl_buf sql;
    vgl_buf_init(&sql, 0);
    vgl_buf_puts(&sql, "SELECT id, created_us, reason, detail, service, resource, position, payload, "
                       "payload_len, replayed_us FROM deadletters WHERE 1");
    if (f && f->reason)
        vgl_buf_puts(&sql, " AND reason = :reason");
    if (f && f->id)
        vgl_buf_puts(&sql, " AND id LIKE :id || '%'");
    if (f && f->since_us)
        vgl_buf_puts(&sql, " AND created_us >= :since");
    if (f && !f->include_replayed)
        vgl_buf_puts(&sql, " AND replayed_us = 0");
    vgl_buf_puts(&sql, f && f->oldest_first ? " ORDER BY created_us, id" : " ORDER BY created_us DESC, id");
    if (f && f->limit)
        vgl_buf_printf(&sql, " LIMIT %zu", f->limit);
    vgl_buf_putc(&sql, 0);
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(s->db, sql.data, -1, &st, NULL) != SQLITE_OK) {
        rc = db_error(s, err, "listing dead letters");
        vgl_buf_release(&sql);
        return rc;
    }
    vgl_buf_release(&sql);
    if (f && f->reason)
        sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":reason"), f->reason, -1, SQLITE_STATIC);
    if (f && f->id)
        sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":id"), f->id, -1, SQLITE_STATIC);
    if (f && f->since_us)
        sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":since"), f->since_us);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        struct vgl_deadletter_row row = {
            .id = (const char *)sqlite3_column_text(st, 0),
            .created_us = sqlite3_column_int64(st, 1),
            .replayed_us = sqlite3_column_int64(st, 9),
        };
        row.d.reason = (const char *)sqlite3_column_text(st, 2);
        row.d.detail = (const char *)sqlite3_column_text(st, 3);
        row.d.service = (const char *)sqlite3_column_text(st, 4);
        row.d.resource = (const char *)sqlite3_column_text(st, 5);
        row.d.position = (const char *)sqlite3_column_text(st, 6);
        row.d.payload = sqlite3_column_type(st, 7) == SQLITE_NULL ? NULL : sqlite3_column_blob(st, 7);
        row.d.payload_len = (size_t)sqlite3_column_bytes(st, 7);
        row.d.total_len = (size_t)sqlite3_column_int64(st, 8);
        if (fn(&row, ud) != 0)
            break;
    }
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        rc = db_error(s, err, "listing dead letters");
    sqlite3_finalize(st);
    return rc;
}

int vgl_store_deadletter_replayed(struct vgl_store *s, const char *id, int64_t now_us, struct vgl_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "UPDATE deadletters SET replayed_us = ? WHERE id = ?", -1, &st, NULL) !=
        SQLITE_OK)
        return db_error(s, err, "marking a dead letter replayed");
    sqlite3_bind_int64(st, 1, now_us);
    sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_error(s, err, "marking a dead letter replayed");
    sqlite3_finalize(st);
    return after_write(s, rc, err);
}

int vgl_store_deadletter_counts(struct vgl_store *s, vgl_store_count_fn fn, void *ud, struct vgl_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT reason, COUNT(*), SUM(replayed_us = 0) FROM deadletters GROUP BY reason "
                           "ORDER BY reason",
                           -1, &st, NULL) != SQLITE_OK)
        return db_error(s, err, "counting dead letters");
    while (sqlite3_step(st) == SQLITE_ROW)
        if (fn((const char *)sqlite3_column_text(st, 0), (uint64_t)sqlite3_column_int64(st, 1),
               (uint64_t)sqlite3_column_int64(st, 2), ud) != 0)
            break;
    sqlite3_finalize(st);
    return 0;
}
