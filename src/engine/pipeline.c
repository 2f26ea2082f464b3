/* engine/pipeline.c: one payload through classify, lake, rules and store (pipeline.h). */
#include "engine/pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "json/json.h"
#include "lake/lake.h"
#include "normalize/normalize.h"
#include "rules/rules.h"
#include "store/store.h"

struct vgl_pipeline_alert {
    char id[37];
    struct vgl_json fields;
    int64_t created_us;
};

struct vgl_pipeline_dead {
    struct vgl_deadletter d;
    enum vgl_dead_reason why;
    int64_t now_us;
};

/* Grows an arena array (the old copy stays in the arena until the batch ends). */
static void *arena_grow(struct vgl_arena *a, void *items, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return items;
    size_t ncap = *cap ? *cap * 2 : 64;
    void *fresh = vgl_arena_alloc(a, ncap * size);
    if (n)
        memcpy(fresh, items, n * size);
    *cap = ncap;
    return fresh;
}

const char *const vgl_dead_reason_names[5] = {"no_source", "oversize", "unclassified", "rule_error",
                                              "engine"};

void vgl_pipeline_init(struct vgl_pipeline *p, const struct vgl_config *cfg, struct vgl_rules *rules,
                       struct vgl_store *store, struct vgl_lake *lake)
{
    memset(p, 0, sizeof *p);
    p->cfg = cfg;
    p->rules = rules;
    p->store = store;
    p->lake = lake;
    p->opts.max_depth = (size_t)cfg->settings.max_json_depth;
    p->opts.explain = true;
    p->opts.legacy_norm = cfg->settings.legacy_normalization ? cfg->legacy_norm : NULL;
    vgl_arena_init(&p->arena, 1 << 16);
}

void vgl_pipeline_release(struct vgl_pipeline *p)
{
    free(p->stats.types);
    vgl_arena_release(&p->arena);
}

void vgl_pipeline_end_batch(struct vgl_pipeline *p)
{
    vgl_arena_reset(&p->arena);
    p->alerts = NULL;
    p->nalerts = p->alerts_cap = 0;
    p->dead = NULL;
    p->ndead = p->dead_cap = 0;
}

int vgl_pipeline_flush(struct vgl_pipeline *p, struct vgl_error *err)
{
    for (size_t i = 0; i < p->ndead; i++) {
        bool inserted = false;
        int rc = vgl_store_deadletter_add(p->store, &p->dead[i].d, p->dead[i].now_us, &inserted, err);
        if (rc)
            return rc;
        p->stats.dead[p->dead[i].why]++;
    }
    for (size_t i = 0; i < p->nalerts; i++) {
        bool inserted = false;
        int rc = vgl_store_add_alert(p->store, p->alerts[i].id, &p->alerts[i].fields, p->alerts[i].created_us,
                                     &inserted, err);
        if (rc)
            return rc;
        /* the alert reaches the lake through its aws-firehose:alerts delivery (the
         * dispatcher's local archive), merged alerts included, as in StreamAlert */
        if (inserted) {
            p->stats.alerts_new++;
            p->last_alert_us = p->alerts[i].created_us;
        } else {
            p->stats.alerts_dup++;
        }
    }
    p->nalerts = p->ndead = 0;
    return 0;
}

static void count_type(struct vgl_pipeline_stats *st, const char *name, uint64_t n)
{
    for (size_t i = 0; i < st->ntypes; i++) {
        if (st->types[i].log_type == name) {
            st->types[i].records += n;
            return;
        }
    }
    st->types = vgl_xgrow(st->types, &st->types_cap, st->ntypes + 1, sizeof *st->types);
    st->types[st->ntypes++] = (struct vgl_pipeline_type_count){name, n};
}

static const char *keep(struct vgl_pipeline *p, const char *s)
{
    return s ? vgl_arena_strndup(&p->arena, s, strlen(s)) : NULL;
}

static int dead_x(struct vgl_pipeline *p, enum vgl_dead_reason why, const char *detail, const char *service,
                  const char *resource, const char *position, const char *data, size_t len, uint64_t total,
                  const char *id_extra, int64_t now_us, struct vgl_error *err)
{
    (void)err;
    p->dead = arena_grow(&p->arena, p->dead, p->ndead, &p->dead_cap, sizeof *p->dead);
    struct vgl_pipeline_dead *d = &p->dead[p->ndead++];
    d->d = (struct vgl_deadletter){
        .reason = vgl_dead_reason_names[why], .detail = keep(p, detail), .service = keep(p, service),
        .resource = keep(p, resource), .position = keep(p, position), .payload = data,
        .payload_len = data ? len : 0, .total_len = (size_t)total, .id_extra = keep(p, id_extra),
    };
    d->why = why;
    d->now_us = now_us;
    return 0;
}

static int dead(struct vgl_pipeline *p, enum vgl_dead_reason why, const char *detail, const char *service,
                const char *resource, const char *position, const char *data, size_t len, uint64_t total,
                int64_t now_us, struct vgl_error *err)
{
    return dead_x(p, why, detail, service, resource, position, data, len, total, NULL, now_us, err);
}

/* Every tried schema and why it failed, as one line of text. */
static const char *explain(struct vgl_pipeline *p, const struct vgl_classified *res, const char *what)
{
    struct vgl_buf b;
    vgl_buf_init(&b, 64 * 1024);
    vgl_buf_puts(&b, what);
    for (size_t i = 0; i < res->nattempts; i++)
        vgl_buf_printf(&b, "%s%s: %s", i ? "; " : ": ", res->attempts[i].schema->name,
                       res->attempts[i].reason);
    const char *s = vgl_arena_strndup(&p->arena, b.data ? b.data : "", b.len);
    vgl_buf_release(&b);
    return s;
}

int vgl_pipeline_item(struct vgl_pipeline *p, const char *service, const char *resource,
                      const char *position, const char *data, size_t len, uint64_t oversize_len,
                      int64_t now_us, struct vgl_error *err)
{
    p->stats.payloads++;
    p->stats.bytes += data ? len : oversize_len;
    const struct vgl_data_source *src = vgl_config_source(p->cfg, service, resource);
    if (!src) {
        char msg[600];
        snprintf(msg, sizeof msg, "no data source '%s' / '%s' in conf/clusters", service, resource);
        return dead(p, VGL_DEAD_NO_SOURCE, msg, service, resource, position, data, len,
                    data ? len : oversize_len, now_us, err);
    }
    if (!data) {
        char msg[200];
        snprintf(msg, sizeof msg, "payload of %llu bytes is over max_record_bytes (%zu)",
                 (unsigned long long)oversize_len, p->cfg->settings.max_record_bytes);
        return dead(p, VGL_DEAD_OVERSIZE, msg, service, resource, position, NULL, 0, oversize_len,
                    now_us, err);
    }
    struct vgl_payload pl = {.data = data, .len = len};
    struct vgl_classified res;
    struct vgl_error cerr = {0};
    if (vgl_classify(src, &pl, &p->arena, &p->opts, &res, &cerr) != 0)
        return dead(p, VGL_DEAD_UNCLASSIFIED, cerr.msg, service, resource, position, data, len, len,
                    now_us, err);
    if (!res.schema)
        return dead(p, VGL_DEAD_UNCLASSIFIED,
                    explain(p, &res, src->ncandidates ? "no schema matched" : "no log types defined for this resource"),
                    service, resource, position, data, len, len, now_us, err);
    p->stats.records += res.nrecords;
    count_type(&p->stats, res.schema->name, res.nrecords);
    for (size_t i = 0; i < res.nrecords; i++) {
        if (p->lake && vgl_lake_append(p->lake, res.schema->name, now_us, &res.records[i], err) != 0)
            return err ? err->code : VGL_EIO;
        if (!p->rules)
            continue;
        char where[VGL_ALERT_POS_MAX];
        snprintf(where, sizeof where, "%s#%zu", position, i);
        struct vgl_alerts alerts = {0};
        struct vgl_rule_input in = {
            .record = &res.records[i], .log_type = res.schema->name, .parser = res.schema->parser_name,
            .cluster = src->cluster, .service = service, .resource = resource, .where = where,
        };
        struct vgl_error rerr = {0};
        int rrc = vgl_rules_eval(p->rules, &in, &p->arena, &alerts, &rerr);
        /* dead letters keep the payload's position, so a replay makes the same alert ids */
        if (rrc != 0) {
            int rc = dead(p, VGL_DEAD_ENGINE, rerr.msg, service, resource, position, data, len, len, now_us,
                          err);
            if (rc)
                return rc;
            continue;
        }
        for (size_t e = 0; e < alerts.nerrors; e++) {
            char extra[200];
            snprintf(extra, sizeof extra, "%zu@%s", i, alerts.errors[e].rule);
            int rc = dead_x(p, VGL_DEAD_RULE_ERROR, alerts.errors[e].message, service, resource, position,
                            data, len, len, extra, now_us, err);
            if (rc)
                return rc;
        }
        for (size_t a = 0; a < alerts.n; a++) {
            p->alerts = arena_grow(&p->arena, p->alerts, p->nalerts, &p->alerts_cap, sizeof *p->alerts);
            struct vgl_pipeline_alert *pa = &p->alerts[p->nalerts++];
            vgl_alert_id(where, alerts.items[a].rule_name, pa->id);
            pa->fields = alerts.items[a].fields;
            pa->created_us = now_us;
        }
    }
    return 0;
}
