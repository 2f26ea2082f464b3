/*
 * store/store.h: the alert store: alerts and one delivery row per (alert, output), in one
 * SQLite file under vigil's data directory (compat 6.1, 6.3).
 *
 * The file runs in WAL mode with synchronous=FULL unless opts say otherwise, so a
 * committed alert survives a crash.  Alert ids are deterministic (vgl_alert_id): the same
 * record position and rule give the same id, so inserting an alert again is a no-op and
 * re-processing a batch after a crash never doubles an alert.  The schema carries its
 * version in PRAGMA user_version and migrates forward on open; a file from a newer vigil is
 * refused.
 *
 * Ownership: the store owns its SQLite handle and statements (never shared across fork());
 * strings handed to callbacks are valid during the callback only.  Not thread-safe: one
 * store per process.
 */
#ifndef VGL_STORE_STORE_H
#define VGL_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json/json.h"

struct vgl_error;
struct vgl_store;

#define VGL_STORE_SCHEMA_VERSION 3

/* The archive output every alert has (compat 6.3); a merge-enabled alert goes only there. */
#define VGL_REQUIRED_OUTPUT "aws-firehose:alerts"

enum vgl_merge_state {
    VGL_MERGE_NONE,      /* merging off for this alert */
    VGL_MERGE_WAITING,   /* waiting for the merger */
    VGL_MERGE_MERGED,    /* part of a merged alert (merged_into) */
};

struct vgl_store_opts {
    bool synchronous_normal;   /* PRAGMA synchronous=NORMAL instead of FULL */
    int busy_timeout_ms;       /* 0: 5000 */
};

enum vgl_delivery_state {
    VGL_DELIVERY_PENDING,      /* not sent yet, or due for a retry */
    VGL_DELIVERY_SENT,         /* delivered: never sent again */
    VGL_DELIVERY_FAILED,       /* last attempt failed; retried after next_attempt */
    VGL_DELIVERY_ABANDONED,    /* an operator gave up on it */
};

const char *vgl_delivery_state_name(enum vgl_delivery_state st);
/* Parses a state name; -1 if unknown. */
int vgl_delivery_state_parse(const char *name);

/* Opens (creating the file and its folder if needed) and migrates the store. */
struct vgl_store *vgl_store_open(const char *path, const struct vgl_store_opts *opts,
                                 struct vgl_error *err);
void vgl_store_close(struct vgl_store *s);
int vgl_store_schema_version(struct vgl_store *s);

/* Transactions: a batch's alerts (and, later, its source checkpoint) commit together. */
int vgl_store_begin(struct vgl_store *s, struct vgl_error *err);
int vgl_store_commit(struct vgl_store *s, struct vgl_error *err);
void vgl_store_rollback(struct vgl_store *s);

/*
 * Deterministic alert id from the record's input position ("file:line", "topic/3@1234")
 * and the rule name: 32 hex digits in the 8-4-4-4-12 layout.  out holds 37 bytes.
 */
void vgl_alert_id(const char *position, const char *rule_name, char out[37]);

/* Room for an input position ("path#i<inode>:o<offset>#<record>"). */
#define VGL_ALERT_POS_MAX 600

/*
 * Stores an alert: fields is the alert as the rules engine built it (its default
 * publication plus merge_by_keys and merge_window_mins; "outputs" lists the outputs).  One
 * delivery row per output is created in state pending.  *inserted says whether it was new
 * (false when the id was already stored: nothing changes then).
 */
int vgl_store_add_alert(struct vgl_store *s, const char *id, const struct vgl_json *fields,
                        int64_t created_us, bool *inserted, struct vgl_error *err);

struct vgl_store_filter {
    const char *rule;          /* NULL: any */
    int state;                 /* a delivery state, or -1: any (an alert matches when any of
                                  its deliveries is in that state) */
    int64_t since_us, until_us;   /* 0: unbounded */
    size_t limit;              /* 0: no limit */
};

struct vgl_store_alert_row {
    const char *id;
    const char *rule_name;
    int64_t created_us;
    const char *log_source;
    const char *fields_json;   /* the stored alert */
    size_t ndeliveries, nsent, nfailed, npending, nabandoned;
};

typedef int (*vgl_store_alert_fn)(const struct vgl_store_alert_row *row, void *ud);

/* Calls fn for each matching alert, newest first; stops early when fn returns non-zero. */
int vgl_store_list(struct vgl_store *s, const struct vgl_store_filter *f, vgl_store_alert_fn fn,
                   void *ud, struct vgl_error *err);

struct vgl_store_delivery_row {
    const char *output;
    enum vgl_delivery_state state;
    int attempts;
    int64_t next_attempt_us, sent_us;
    const char *last_error;    /* NULL when none */
};

typedef int (*vgl_store_delivery_fn)(const struct vgl_store_delivery_row *row, void *ud);

/* One alert and its deliveries; VGL_ENOTFOUND for an unknown id (a unique prefix works). */
int vgl_store_show(struct vgl_store *s, const char *id, vgl_store_alert_fn alert_fn,
                   vgl_store_delivery_fn delivery_fn, void *ud, struct vgl_error *err);

/* Makes failed or abandoned deliveries of an alert (one output, or all when output is
 * NULL) due again now; never touches sent ones.  *changed counts them. */
int vgl_store_retry(struct vgl_store *s, const char *id, const char *output, size_t *changed,
                    struct vgl_error *err);

/*
 * One merger pass (compat 6.5): for each rule with waiting alerts, group them (merge/
 * merge.h) as of now_us, store one merged alert per group (a deterministic id from its
 * members, delivered to all its outputs) and mark the members merged, all in one
 * transaction.  Counts what it did.
 */
int vgl_store_merge(struct vgl_store *s, int64_t now_us, size_t *merged_alerts, size_t *members,
                    struct vgl_error *err);

/* ---- delivering (the dispatcher) ---- */

struct vgl_store_due_row {
    const char *alert_id, *output, *rule_name;
    int attempts;                /* failed attempts so far */
    void *stmt_;                 /* private: vgl_store_due_fields reads through it */
};

/* The stored alert (JSON text, NUL-terminated) of a due row, read from the store only when
 * asked: a caller that skips a row never pays for its text.  Valid during the callback. */
const char *vgl_store_due_fields(const struct vgl_store_due_row *row, size_t *len);

typedef int (*vgl_store_due_fn)(const struct vgl_store_due_row *row, void *ud);

/* Calls fn for deliveries due at now_us: failed ones whose retry time has come, then
 * pending ones, each in next_attempt order, up to limit (0: all) of each kind; stops early
 * when fn returns non-zero. */
int vgl_store_due(struct vgl_store *s, int64_t now_us, size_t limit, vgl_store_due_fn fn, void *ud,
                  struct vgl_error *err);

/*
 * Records one delivery attempt, at once and in its own transaction unless one is open:
 * state SENT (when_us = the send time; never sent again), FAILED (when_us = the next
 * attempt, error = why) or ABANDONED.  Only a pending or failed delivery changes, so a
 * sent one stays sent whatever comes later.
 */
int vgl_store_delivery_done(struct vgl_store *s, const char *alert_id, const char *output,
                            enum vgl_delivery_state state, int64_t when_us, const char *error,
                            struct vgl_error *err);

/* The earliest next_attempt_us of a pending or failed delivery; -1 when there is none. */
int vgl_store_next_due(struct vgl_store *s, int64_t *next_us, struct vgl_error *err);

/* Deliveries per state (indexed by enum vgl_delivery_state). */
int vgl_store_delivery_counts(struct vgl_store *s, size_t counts[4], struct vgl_error *err);

/* ---- source checkpoints (`vigil run`): set inside the batch's transaction ---- */

int vgl_store_checkpoint_set(struct vgl_store *s, const char *key, const char *value, int64_t now_us,
                             struct vgl_error *err);
/* Copies the checkpoint of key into out; false when none is stored. */
bool vgl_store_checkpoint_get(struct vgl_store *s, const char *key, char *out, size_t outsz);

/* ---- dead letters: payloads that failed framing or classification, rule errors ---- */

struct vgl_deadletter {
    const char *reason;          /* a short kind: "unclassified", "oversize", "no_source", ... */
    const char *detail;          /* the message: every tried schema's reason, the exception */
    const char *service, *resource, *position;
    const void *payload;         /* the payload bytes, NULL when not kept (oversize) */
    size_t payload_len;
    size_t total_len;            /* the payload's full length (kept or not) */
    const char *id_extra;        /* also identifies it (the rule of a rule error); may be NULL */
};

/* Deterministic id from (service, resource, position, reason, id_extra): storing the same
 * failure again (a re-processed batch) is a no-op. */
void vgl_deadletter_id(const struct vgl_deadletter *d, char out[37]);

int vgl_store_deadletter_add(struct vgl_store *s, const struct vgl_deadletter *d, int64_t now_us,
                             bool *inserted, struct vgl_error *err);

struct vgl_deadletter_filter {
    const char *reason;          /* NULL: any */
    const char *id;              /* an id or a prefix; NULL: any */
    int64_t since_us;            /* 0: unbounded */
    size_t limit;                /* 0: no limit */
    bool include_replayed;       /* also those replayed successfully */
    bool oldest_first;
};

struct vgl_deadletter_row {
    const char *id;
    int64_t created_us, replayed_us;
    struct vgl_deadletter d;
};

typedef int (*vgl_store_deadletter_fn)(const struct vgl_deadletter_row *row, void *ud);
int vgl_store_deadletters(struct vgl_store *s, const struct vgl_deadletter_filter *f,
                          vgl_store_deadletter_fn fn, void *ud, struct vgl_error *err);
int vgl_store_deadletter_replayed(struct vgl_store *s, const char *id, int64_t now_us, struct vgl_error *err);

/* Per reason: total and not yet replayed. */
typedef int (*vgl_store_count_fn)(const char *reason, uint64_t total, uint64_t open, void *ud);
int vgl_store_deadletter_counts(struct vgl_store *s, vgl_store_count_fn fn, void *ud, struct vgl_error *err);

#endif
