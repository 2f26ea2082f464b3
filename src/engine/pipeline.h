/*
 * engine/pipeline.h: one payload through the stages a worker runs (ARCHITECTURE.md 1):
 * classify (against the candidate schemas of its data source), normalize, append every
 * record to the lake, run the rules, collect the alerts; whatever fails becomes a dead
 * letter with its reason.  Alerts and dead letters wait in the pipeline until
 * vgl_pipeline_flush(), which the caller runs inside the batch's store transaction, with
 * the source checkpoint: the write lock is held for the writes only, never while rules run,
 * so workers do not wait on each other.
 *
 * Dead-letter reasons: "no_source" (no data source for the payload's service/resource),
 * "oversize" (longer than max_record_bytes; length kept, bytes not), "unclassified" (no
 * schema matched; detail lists each tried schema's reason), "rule_error" (a rule or matcher
 * raised on a record; the record still went through the other rules), "engine" (the rules
 * engine or the store failed on the record).
 *
 * Ownership: borrows the config, rules, store and lake; owns an arena reset per batch.
 */
#ifndef VGL_ENGINE_PIPELINE_H
#define VGL_ENGINE_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "parse/classify.h"

struct vgl_config;
struct vgl_error;
struct vgl_lake;
struct vgl_rules;
struct vgl_store;

struct vgl_pipeline_type_count {
    const char *log_type;            /* the schema name (config storage) */
    uint64_t records;
};

struct vgl_pipeline_stats {
    uint64_t payloads, bytes, records, alerts_new, alerts_dup;
    uint64_t dead[5];                /* by enum vgl_dead_reason */
    struct vgl_pipeline_type_count *types;
    size_t ntypes, types_cap;
};

enum vgl_dead_reason {
    VGL_DEAD_NO_SOURCE,
    VGL_DEAD_OVERSIZE,
    VGL_DEAD_UNCLASSIFIED,
    VGL_DEAD_RULE_ERROR,
    VGL_DEAD_ENGINE,
};

extern const char *const vgl_dead_reason_names[5];

struct vgl_pipeline_alert;
struct vgl_pipeline_dead;

struct vgl_pipeline {
    const struct vgl_config *cfg;
    struct vgl_rules *rules;         /* NULL: classify only */
    struct vgl_store *store;
    struct vgl_lake *lake;           /* NULL: no lake */
    struct vgl_classify_opts opts;
    struct vgl_arena arena;
    struct vgl_pipeline_stats stats;
    int64_t last_alert_us;           /* created time of the newest alert stored */
    /* waiting for vgl_pipeline_flush(), in the arena */
    struct vgl_pipeline_alert *alerts;
    size_t nalerts, alerts_cap;
    struct vgl_pipeline_dead *dead;
    size_t ndead, dead_cap;
};

void vgl_pipeline_init(struct vgl_pipeline *p, const struct vgl_config *cfg, struct vgl_rules *rules,
                       struct vgl_store *store, struct vgl_lake *lake);
void vgl_pipeline_release(struct vgl_pipeline *p);

/*
 * One payload (data NULL with oversize_len: too long, never buffered).  service/resource
 * select the data source; position is the payload's stable input position (alert ids and
 * dead-letter ids derive from it).  now_us: arrival time (lake partition, alert created).
 * data must stay valid until the flush.  Returns 0, or a negative code when the lake
 * failed (the batch must be dropped and read again).
 */
int vgl_pipeline_item(struct vgl_pipeline *p, const char *service, const char *resource,
                      const char *position, const char *data, size_t len, uint64_t oversize_len,
                      int64_t now_us, struct vgl_error *err);

/* Writes the waiting alerts and dead letters to the store (inside the caller's
 * transaction); counts new and repeated alerts.  Returns 0 or the store's error. */
int vgl_pipeline_flush(struct vgl_pipeline *p, struct vgl_error *err);

/* Frees the per-batch memory (call after the batch's transaction ended). */
void vgl_pipeline_end_batch(struct vgl_pipeline *p);

#endif
