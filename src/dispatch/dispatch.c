/* dispatch/dispatch.c: delivering stored alerts to their outputs (see dispatch.h). */
#include "dispatch/dispatch.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "json/json.h"
#include "lake/lake.h"
#include "output/credentials.h"
#include "output/http.h"
#include "output/output.h"
#include "rules/rules.h"
#include "store/store.h"

/* A turn that found fewer deliveries than this and has nothing left in flight waits
 * GATHER_MS before the next: with alerts trickling in, every turn syncs the local outputs
 * and the archive and commits (3 fsyncs); 100 turns a second of one or two alerts each cost
 * the alert process 17% of a core in `vigil run` (docs/performance.md).  Deliveries wait
 * at most that much longer. */
#define GATHER_BELOW 64
#define GATHER_MS 20
#define LOAD_BATCH 256   /* due rows read per turn beyond those in flight */

struct delivery {
    struct vgl_dispatcher *d;
    char *alert_id, *output;
    int attempts;                   /* failed attempts before this one */
    struct vgl_arena arena;         /* the alert, publication, credentials, service state */
    const struct vgl_output_ops *ops;
    struct vgl_output_ctx ctx;
    struct vgl_http_request req;    /* the request waiting for its delay */
    int64_t wake_us;                /* when a delayed request goes out; 0: not waiting */
    char *cred_text;                /* the decrypted credentials (in arena), wiped at the end */
    size_t cred_len;
    struct delivery *next;          /* the in-flight list */
};

struct vgl_dispatcher {
    const struct vgl_config *cfg;
    struct vgl_store *store;
    struct vgl_rules *rules;
    char *data_dir;
    struct vgl_output_env env;
    struct vgl_http_multi *http;
    struct vgl_credentials *creds;  /* NULL when no key: creds_error says why */
    struct vgl_error creds_error;
    bool creds_tried;
    const struct vgl_json *outputs; /* conf/outputs.json, or NULL */
    struct delivery *inflight;
    size_t ninflight;
    size_t parallel;
    int64_t retry_base_us, retry_max_us;
    long max_attempts;
    bool local_archive;
    bool poll_error;
    /* Results of this turn, written to the store in one short transaction by
     * commit_results() once the local outputs and the archive are synced: the store's
     * write lock is never held while deliveries run or files sync (the workers commit
     * their batches through the same lock). */
    struct result *results;
    size_t nresults, results_cap;
    struct vgl_lake *lake;          /* the local alerts archive (lake writer "alerts") */
    struct vgl_error lake_error;
    struct vgl_dispatch_stats stats;
    struct vgl_arena turn;          /* alerts parsed once for this turn's local deliveries */
};

struct result {
    char *alert_id, *output, *error;
    enum vgl_delivery_state state;
    int64_t when_us;
};

static int commit_results(struct vgl_dispatcher *d, struct vgl_error *err);

static void results_clear(struct vgl_dispatcher *d)
{
    for (size_t i = 0; i < d->nresults; i++) {
        free(d->results[i].alert_id);
        free(d->results[i].output);
        free(d->results[i].error);
    }
    d->nresults = 0;
}

int64_t vgl_dispatch_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

struct vgl_dispatcher *vgl_dispatcher_new(const struct vgl_config *cfg, struct vgl_store *store,
                                          struct vgl_rules *rules, const char *data_dir, FILE *out,
                                          struct vgl_error *err)
{
    if (sodium_init() < 0) {
        vgl_error_set(err, VGL_EIO, "cannot initialise libsodium");
        return NULL;
    }
    struct vgl_dispatcher *d = vgl_xcalloc(1, sizeof *d);
    d->cfg = cfg;
    d->store = store;
    d->rules = rules;
    d->data_dir = vgl_xstrdup(data_dir);
    const struct vgl_settings *st = &cfg->settings;
    vgl_output_env_defaults(&d->env);
    if (st->pagerduty_events_url)
        d->env.pagerduty_events_url = st->pagerduty_events_url;
    if (st->pagerduty_api_url)
        d->env.pagerduty_api_url = st->pagerduty_api_url;
    if (st->github_api_url)
        d->env.github_api_url = st->github_api_url;
    if (st->aws_endpoint_url)
        d->env.aws_endpoint_url = st->aws_endpoint_url;
    if (st->aws_region)
        d->env.aws_region = st->aws_region;
    if (st->aws_account_id)
        d->env.aws_account_id = st->aws_account_id;
    d->env.data_dir = d->data_dir;
    d->env.stdout_stream = out;
    const struct vgl_json *global = vgl_config_file(cfg, "global");
    const struct vgl_json *account = global ? vgl_json_getz(global, "account") : NULL;
    const struct vgl_json *prefix = account ? vgl_json_getz(account, "prefix") : NULL;
    if (prefix && prefix->type == VGL_JSON_STRING)
        d->env.prefix = prefix->u.s;   /* parsed strings are NUL-terminated in the config */
    d->outputs = vgl_config_file(cfg, "outputs");
    d->parallel = st->delivery_parallel > 0 ? (size_t)st->delivery_parallel : 16;
    d->retry_base_us = (st->delivery_retry_base_ms > 0 ? st->delivery_retry_base_ms : 1000) * 1000LL;
    d->retry_max_us = (st->delivery_retry_max_ms > 0 ? st->delivery_retry_max_ms : 900000) * 1000LL;
    d->max_attempts = st->delivery_max_attempts;
    d->local_archive = !st->alerts_archive || strcmp(st->alerts_archive, "firehose") != 0;
    if (d->local_archive) {
        d->lake = vgl_lake_open(d->data_dir, "alerts", NULL, &d->lake_error);
        if (!d->lake)
            vgl_error("dispatch", "alerts archive: %s", d->lake_error.msg);
    }
    vgl_arena_init(&d->turn, 1 << 16);
    d->http = vgl_http_multi_new(d->parallel, err);
    if (!d->http) {
        vgl_dispatcher_free(d);
        return NULL;
    }
    return d;
}

static void delivery_free(struct delivery *dl)
{
    if (dl->cred_text)
        sodium_memzero(dl->cred_text, dl->cred_len);
    free(dl->alert_id);
    free(dl->output);
    vgl_arena_release(&dl->arena);
    free(dl);
}

void vgl_dispatcher_free(struct vgl_dispatcher *d)
{
    if (!d)
        return;
    vgl_http_multi_free(d->http);   /* drops running requests: their deliveries stay due */
    while (d->inflight) {
        struct delivery *dl = d->inflight;
        d->inflight = dl->next;
        delivery_free(dl);
    }
    struct vgl_error lerr = {0};
    commit_results(d, &lerr);   /* what already finished is recorded, not sent again */
    free(d->results);
    vgl_credentials_free(d->creds);
    memset(&lerr, 0, sizeof lerr);
    if (d->lake && vgl_lake_close(d->lake, &lerr) != 0)
        vgl_error("dispatch", "alerts archive: %s", lerr.msg);
    vgl_arena_release(&d->turn);
    free(d->data_dir);
    free(d);
}

size_t vgl_dispatch_inflight(const struct vgl_dispatcher *d)
{
    return d->ninflight;
}

const struct vgl_dispatch_stats *vgl_dispatch_stats(const struct vgl_dispatcher *d)
{
    return &d->stats;
}

static bool is_inflight(const struct vgl_dispatcher *d, const char *id, const char *output)
{
    for (const struct delivery *dl = d->inflight; dl; dl = dl->next)
        if (strcmp(dl->alert_id, id) == 0 && strcmp(dl->output, output) == 0)
            return true;
    return false;
}

static void unlink_delivery(struct vgl_dispatcher *d, struct delivery *dl)
{
    for (struct delivery **p = &d->inflight; *p; p = &(*p)->next) {
        if (*p == dl) {
            *p = dl->next;
            d->ninflight--;
            return;
        }
    }
}

/* Exponential backoff with jitter: half to all of min(max, base * 2^(failures-1)). */
static int64_t backoff_us(const struct vgl_dispatcher *d, int failures)
{
    int64_t delay = d->retry_base_us;
    for (int i = 1; i < failures && delay < d->retry_max_us; i++)
        delay *= 2;
    if (delay > d->retry_max_us)
        delay = d->retry_max_us;
    int64_t half = delay / 2;
    uint32_t span = half > 0 && half < UINT32_MAX ? (uint32_t)half : UINT32_MAX;
    return delay - half + (int64_t)randombytes_uniform(span ? span : 1);
}

/* Records the end of an attempt (0: delivered, else failed with err) and drops it. */
static void finish(struct vgl_dispatcher *d, struct delivery *dl, int rc, const struct vgl_error *why)
{
    int64_t now = vgl_dispatch_now_us();
    d->stats.attempts++;
    d->results = vgl_xgrow(d->results, &d->results_cap, d->nresults + 1, sizeof *d->results);
    struct result *res = &d->results[d->nresults++];
    *res = (struct result){.alert_id = vgl_xstrdup(dl->alert_id), .output = vgl_xstrdup(dl->output)};
    if (rc == 0) {
        res->state = VGL_DELIVERY_SENT;
        res->when_us = now;
        d->stats.sent++;
        vgl_info("dispatch", "alert %.8s (%s): delivered to '%s'", dl->alert_id,
                 vgl_output_alert_str(&dl->ctx, "rule_name"), dl->output);
    } else {
        int failures = dl->attempts + 1;
        bool give_up = d->max_attempts > 0 && failures >= d->max_attempts;
        const char *msg = why && why->msg[0] ? why->msg : vgl_strerror(rc);
        res->state = give_up ? VGL_DELIVERY_ABANDONED : VGL_DELIVERY_FAILED;
        res->when_us = give_up ? 0 : now + backoff_us(d, failures);
        res->error = vgl_xstrdup(msg);
        if (give_up) {
            d->stats.abandoned++;
            vgl_error("dispatch", "alert %.8s: delivery to '%s' given up after %d attempts: %s",
                      dl->alert_id, dl->output, failures, msg);
        } else {
            d->stats.failed++;
            /* the 1st, 2nd, 4th, 8th, ... failure at warn, the others at debug: a delivery
             * that keeps failing stays visible without flooding the log */
            enum vgl_log_level lvl = (failures & (failures - 1)) == 0 ? VGL_LOG_WARN : VGL_LOG_DEBUG;
            if (vgl_log_enabled(lvl))
                vgl_log(lvl, "dispatch", "alert %.8s: delivery to '%s' failed (attempt %d, retried later): %s",
                        dl->alert_id, dl->output, failures, msg);
        }
    }
    unlink_delivery(d, dl);
    delivery_free(dl);
}

static void on_response(void *ud, struct vgl_http_response *resp, void *cbud);

/* Acts on what a step() returned. */
static void advance(struct vgl_dispatcher *d, struct delivery *dl, int rc, struct vgl_error *err)
{
    if (rc != VGL_OUTPUT_SEND) {
        finish(d, dl, rc, err);
        return;
    }
    if (dl->ctx.delay_ms > 0) {
        dl->wake_us = vgl_dispatch_now_us() + dl->ctx.delay_ms * 1000LL;
        dl->ctx.delay_ms = 0;
        return;
    }
    dl->wake_us = 0;
    struct vgl_error e = {0};
    d->stats.requests++;
    if (vgl_http_multi_add(d->http, &dl->req, dl, &e) != 0)
        finish(d, dl, e.code, &e);
}

static void on_response(void *ud, struct vgl_http_response *resp, void *cbud)
{
    struct delivery *dl = ud;
    struct vgl_dispatcher *d = cbud;
    struct vgl_error err = {0};
    memset(&dl->req, 0, sizeof dl->req);
    int rc = dl->ops->step(&dl->ctx, resp, &dl->req, &err);
    vgl_http_response_release(resp);
    advance(d, dl, rc, &err);
}

/* Is service:descriptor in conf/outputs.json (compat 1.7)?  *resource gets an object
 * form's value. */
static bool configured(const struct vgl_dispatcher *d, const char *service, const char *descriptor,
                       const char **resource, struct vgl_arena *a)
{
    *resource = NULL;
    const struct vgl_json *svc = d->outputs ? vgl_json_getz(d->outputs, service) : NULL;
    if (!svc)
        return false;
    if (svc->type == VGL_JSON_ARRAY)
        return vgl_json_array_has_str(svc, descriptor, strlen(descriptor));
    if (svc->type == VGL_JSON_OBJECT) {
        const struct vgl_json *v = vgl_json_getz(svc, descriptor);
        if (v && v->type == VGL_JSON_STRING)
            *resource = vgl_arena_strndup(a, v->u.s, v->len);
        return v != NULL;
    }
    return false;
}

/* The alert with its record's top-level streamalert_normalization removed (compat 6.7). */
static struct vgl_json strip_normalization(struct vgl_arena *a, const struct vgl_json *alert)
{
    static const char key[] = "streamalert_normalization";
    const struct vgl_json *rec = vgl_json_getz(alert, "record");
    if (!rec || rec->type != VGL_JSON_OBJECT || !vgl_json_get(rec, key, sizeof key - 1))
        return *alert;
    struct vgl_json out = vgl_json_clone(a, alert);
    for (uint32_t i = 0; i < out.len; i++) {
        struct vgl_json_member *m = &out.u.members[i];
        if (m->klen != 6 || memcmp(m->key, "record", 6) != 0 || m->val.type != VGL_JSON_OBJECT)
            continue;
        uint32_t k = 0;
        for (uint32_t j = 0; j < m->val.len; j++) {
            const struct vgl_json_member *rm = &m->val.u.members[j];
            if (rm->klen == sizeof key - 1 && memcmp(rm->key, key, rm->klen) == 0)
                continue;
            m->val.u.members[k++] = *rm;
        }
        m->val.len = k;
        vgl_json_touch(&m->val);
    }
    vgl_json_touch(&out);
    return out;
}

/* A due delivery taken this turn: the row's strings are copies (malloc'd); deliveries of
 * one alert that come in a row share its text, parsed once for the local ones. */
struct due_item {
    struct vgl_store_due_row row;
    char *fields;        /* the stored alert; NULL when it is the previous item's */
    size_t fields_len;
    bool local;
};

struct due_list {
    struct vgl_dispatcher *d;
    struct due_item *items;
    size_t n, cap, room;              /* room: for deliveries that go over the network */
    size_t nremote, nlocal;
};

/* Local outputs (services marked local, and the local alerts archive) finish within
 * start(), so delivery_parallel does not bound them: a turn takes up to LOAD_BATCH of them
 * besides `room` network ones. */
static bool is_local_output(const struct vgl_dispatcher *d, const char *output)
{
    if (strcmp(output, VGL_REQUIRED_OUTPUT) == 0)
        return d->local_archive;
    const char *colon = strchr(output, ':');
    char service[64];
    if (!colon || (size_t)(colon - output) >= sizeof service)
        return false;
    memcpy(service, output, (size_t)(colon - output));
    service[colon - output] = '\0';
    const struct vgl_output_ops *ops = vgl_output_find(service);
    return ops && ops->local;
}

static int collect(const struct vgl_store_due_row *row, void *ud)
{
    struct due_list *l = ud;
    if (l->nremote >= l->room && l->nlocal >= LOAD_BATCH)
        return 1;
    if (is_inflight(l->d, row->alert_id, row->output))
        return 0;
    bool local = is_local_output(l->d, row->output);
    if (local ? l->nlocal >= LOAD_BATCH : l->nremote >= l->room)
        return 0;
    if (local)
        l->nlocal++;
    else
        l->nremote++;
    l->items = vgl_xgrow(l->items, &l->cap, l->n + 1, sizeof *l->items);
    struct due_item *it = &l->items[l->n++];
    *it = (struct due_item){.row = *row, .local = local};
    it->row.alert_id = vgl_xstrdup(row->alert_id);
    it->row.output = vgl_xstrdup(row->output);
    it->row.rule_name = vgl_xstrdup(row->rule_name);
    it->row.stmt_ = NULL;
    const struct due_item *prev = l->n > 1 ? &l->items[l->n - 2] : NULL;
    if (!prev || strcmp(prev->row.alert_id, row->alert_id) != 0) {
        size_t len;
        const char *text = vgl_store_due_fields(row, &len);
        it->fields = vgl_xmalloc(len + 1);
        memcpy(it->fields, text, len);
        it->fields[len] = 0;
        it->fields_len = len;
    }
    return 0;
}

/*
 * True when compose_alert would use the DefaultPublisher for this output (compat 7.4): the
 * alert names no publishers, or (dict form) none under the service or the full output.
 */
static bool default_publication(const struct vgl_json *alert, const char *service, const char *output)
{
    const struct vgl_json *p = vgl_json_getz(alert, "publishers");
    if (!p || p->type == VGL_JSON_NULL)
        return true;
    if (p->type == VGL_JSON_ARRAY || p->type == VGL_JSON_STRING)
        return p->len == 0;
    if (p->type != VGL_JSON_OBJECT)
        return false;
    const struct vgl_json *a = vgl_json_getz(p, service), *b = vgl_json_getz(p, output);
    bool a_empty = !a || ((a->type == VGL_JSON_ARRAY || a->type == VGL_JSON_STRING) && a->len == 0);
    bool b_empty = !b || ((b->type == VGL_JSON_ARRAY || b->type == VGL_JSON_STRING) && b->len == 0);
    return a_empty && b_empty;
}

/* The default publication (Alert.output_dict()): the stored alert without the two fields
 * the store adds (merge_by_keys, merge_window_mins), in the stored key order. */
static struct vgl_json output_dict(struct vgl_arena *a, const struct vgl_json *alert)
{
    struct vgl_json out = *alert;
    out.u.members = vgl_arena_alloc(a, (alert->len + 1) * sizeof *out.u.members);
    out.len = 0;
    for (uint32_t i = 0; i < alert->len; i++) {
        const struct vgl_json_member *m = &alert->u.members[i];
        if ((m->klen == 13 && memcmp(m->key, "merge_by_keys", 13) == 0) ||
            (m->klen == 17 && memcmp(m->key, "merge_window_mins", 17) == 0))
            continue;
        out.u.members[out.len++] = *m;
    }
    vgl_json_touch(&out);
    return out;
}

/* Parses a stored alert (text[0..len), which must outlive the result unless copy) into a,
 * without its record's streamalert_normalization. */
static int parse_alert(struct vgl_arena *a, const char *text, size_t len, bool copy,
                       const struct vgl_json **out, struct vgl_error *err)
{
    if (copy)
        text = vgl_arena_strndup(a, text, len);
    struct vgl_json *alert = vgl_arena_zalloc(a, sizeof *alert);
    if (vgl_json_parse(text, len, a, NULL, alert, err) != 0 || alert->type != VGL_JSON_OBJECT) {
        if (err && !err->code)
            vgl_error_set(err, VGL_EPARSE, "not a JSON object");
        vgl_error_prefix(err, "stored alert is unreadable");
        return VGL_EPARSE;
    }
    *alert = strip_normalization(a, alert);
    *out = alert;
    return 0;
}

/* Prepares one due delivery and takes its first step.  parsed: the alert already parsed
 * for this turn (a local output, which finishes here), or NULL to parse fields into the
 * delivery's own arena. */
static void start(struct vgl_dispatcher *d, const struct vgl_store_due_row *row, const char *fields,
                  size_t fields_len, const struct vgl_json *parsed)
{
    struct delivery *dl = vgl_xcalloc(1, sizeof *dl);
    dl->d = d;
    dl->alert_id = vgl_xstrdup(row->alert_id);
    dl->output = vgl_xstrdup(row->output);
    dl->attempts = row->attempts;
    vgl_arena_init(&dl->arena, 1 << 14);
    dl->next = d->inflight;
    d->inflight = dl;
    d->ninflight++;

    struct vgl_arena *a = &dl->arena;
    struct vgl_output_ctx *ctx = &dl->ctx;
    ctx->env = &d->env;
    ctx->arena = a;
    ctx->now_us = vgl_dispatch_now_us();
    struct vgl_error err = {0};

    /* the alert */
    const struct vgl_json *alert = parsed;
    if (!alert && parse_alert(a, fields, fields_len, true, &alert, &err) != 0) {
        finish(d, dl, VGL_EPARSE, &err);
        return;
    }
    ctx->alert = alert;

    /* service:descriptor, configured (compat 6.7 step 4) */
    const char *colon = strchr(row->output, ':');
    if (!colon || colon == row->output || !colon[1] || strchr(colon + 1, ':')) {
        vgl_error_set(&err, VGL_ECONFIG, "invalid output '%s': expected SERVICE:DESCRIPTOR", row->output);
        finish(d, dl, VGL_ECONFIG, &err);
        return;
    }
    ctx->service = vgl_arena_strndup(a, row->output, (size_t)(colon - row->output));
    ctx->descriptor = vgl_arena_strndup(a, colon + 1, strlen(colon + 1));
    bool required = strcmp(row->output, VGL_REQUIRED_OUTPUT) == 0;
    bool is_configured = configured(d, ctx->service, ctx->descriptor, &ctx->resource, a);
    bool archive = required && d->local_archive;
    if (archive) {
        dl->ops = NULL;   /* the lake's alerts table, below */
    } else {
        if (!is_configured && !required) {
            vgl_error_set(&err, VGL_ECONFIG, "output '%s' is not configured in conf/outputs.json",
                          row->output);
            finish(d, dl, VGL_ECONFIG, &err);
            return;
        }
        dl->ops = vgl_output_find(ctx->service);
    }
    if (!dl->ops && !archive) {
        vgl_error_set(&err, VGL_ENOTFOUND, "output '%s': unknown output service '%s'", row->output,
                      ctx->service);
        finish(d, dl, VGL_ENOTFOUND, &err);
        return;
    }

    /* the publication (compat 7.4); the default one needs no Python */
    if (default_publication(alert, ctx->service, row->output)) {
        struct vgl_json *pub = vgl_arena_zalloc(a, sizeof *pub);
        *pub = output_dict(a, alert);
        ctx->pub = pub;
    } else if (d->rules) {
        struct vgl_alert va = {.rule_name = row->rule_name, .fields = *alert};
        struct vgl_json *pub = vgl_arena_zalloc(a, sizeof *pub);
        if (vgl_rules_publication(d->rules, &va, row->output, a, pub, &err) != 0) {
            finish(d, dl, err.code ? err.code : VGL_EAGAIN, &err);
            return;
        }
        ctx->pub = pub;
    } else {
        ctx->pub = alert;
    }

    /* credentials (compat 7.2) */
    if (archive) {
        /* the local alerts archive: the lake's alerts table (compat 10), made durable
         * before the turn's results commit */
        int rc = d->lake ? vgl_lake_append_alert(d->lake, ctx->now_us, ctx->pub, &err)
                         : vgl_error_set(&err, VGL_EIO, "the local alerts archive is unavailable: %s",
                                         d->lake_error.msg);
        finish(d, dl, rc, &err);
        return;
    }
    if (vgl_output_cred_fields(ctx->service)) {
        if (!d->creds_tried) {
            d->creds_tried = true;
            d->creds = vgl_credentials_open(d->data_dir, false, &d->creds_error);
        }
        if (!d->creds) {
            vgl_error_set(&err, d->creds_error.code ? d->creds_error.code : VGL_ENOTFOUND,
                          "output '%s': %s", row->output, d->creds_error.msg);
            finish(d, dl, err.code, &err);
            return;
        }
        struct vgl_buf cb;
        vgl_buf_init(&cb, 0);
        int rc = vgl_credentials_get(d->creds, ctx->service, ctx->descriptor, &cb, &err);
        char *ctext = NULL;
        if (rc == 0) {
            struct vgl_json *cj = vgl_arena_zalloc(a, sizeof *cj);
            /* strings without escapes point into the text: it is wiped with the delivery */
            ctext = vgl_arena_strndup(a, cb.data, cb.len);
            if (vgl_json_parse(ctext, cb.len, a, NULL, cj, NULL) == 0 && cj->type == VGL_JSON_OBJECT)
                ctx->creds = cj;
        }
        if (rc == 0) {
            dl->cred_text = ctext;
            dl->cred_len = cb.len;
        }
        vgl_credentials_buf_wipe(&cb);
        if (rc != 0 && rc != VGL_ENOTFOUND) {
            finish(d, dl, rc, &err);
            return;
        }
        memset(&err, 0, sizeof err);
    }

    memset(&dl->req, 0, sizeof dl->req);
    int rc = dl->ops->step(ctx, NULL, &dl->req, &err);
    advance(d, dl, rc, &err);
}

/* Writes the results recorded so far in this turn, in one transaction taken only now. */
static int commit_results(struct vgl_dispatcher *d, struct vgl_error *err)
{
    if (d->nresults == 0)
        return 0;
    /* what the local outputs wrote is on disk before it is recorded as sent */
    int rc = vgl_output_sync_all(err);
    if (rc == 0 && d->lake)
        rc = vgl_lake_sync(d->lake, err);
    if (rc == 0)
        rc = vgl_store_begin(d->store, err);
    for (size_t i = 0; i < d->nresults && rc == 0; i++) {
        const struct result *r = &d->results[i];
        rc = vgl_store_delivery_done(d->store, r->alert_id, r->output, r->state, r->when_us,
                                     r->error, err);
    }
    if (rc == 0)
        rc = vgl_store_commit(d->store, err);
    if (rc) {
        /* those deliveries stay due: sent again, never lost */
        vgl_store_rollback(d->store);
        d->poll_error = true;
        vgl_error("dispatch", "recording %zu delivery results: %s", d->nresults,
                  err && err->msg[0] ? err->msg : vgl_strerror(rc));
    }
    results_clear(d);
    return rc;
}

int vgl_dispatch_poll(struct vgl_dispatcher *d, int wait_ms, struct vgl_error *err)
{
    size_t started = 0;
    bool took_all = true;   /* this turn started every delivery that was due */
    d->poll_error = false;
    int64_t now = vgl_dispatch_now_us();
    if (d->lake && vgl_lake_tick(d->lake, now, err) != 0)
        vgl_error("dispatch", "alerts archive: %s", err ? err->msg : "");
    int rc = 0;
    /* delayed requests whose time has come */
    for (struct delivery *dl = d->inflight, *next; dl; dl = next) {
        next = dl->next;
        if (dl->wake_us && dl->wake_us <= now)
            advance(d, dl, VGL_OUTPUT_SEND, NULL);
    }
    if (d->ninflight < d->parallel) {
        struct due_list l = {.d = d, .room = d->parallel - d->ninflight};
        rc = vgl_store_due(d->store, now, d->ninflight + l.room + LOAD_BATCH, collect, &l, err);
        started = l.n;
        took_all = l.nremote < l.room && l.nlocal < LOAD_BATCH;
        /* deliveries of one alert to local outputs share one parse of it, in the turn arena */
        const char *fields = NULL;
        size_t fields_len = 0;
        const struct vgl_json *parsed = NULL;
        bool tried = false;
        for (size_t i = 0; i < l.n && rc == 0; i++) {
            struct due_item *it = &l.items[i];
            if (it->fields) {
                fields = it->fields;
                fields_len = it->fields_len;
                parsed = NULL;
                tried = false;
            }
            if (it->local && !tried) {
                tried = true;
                if (parse_alert(&d->turn, fields, fields_len, false, &parsed, NULL) != 0)
                    parsed = NULL;   /* start() parses it again and records why it failed */
            }
            start(d, &it->row, fields, fields_len, it->local ? parsed : NULL);
        }
        for (size_t i = 0; i < l.n; i++) {
            free((char *)l.items[i].row.alert_id);
            free((char *)l.items[i].row.output);
            free((char *)l.items[i].row.rule_name);
            free(l.items[i].fields);
        }
        free(l.items);
        vgl_arena_reset(&d->turn);
    }
    /* what finished so far is committed before any waiting */
    int crc = commit_results(d, rc ? NULL : err);
    if (rc || crc)
        return rc ? rc : crc;
    if (vgl_http_multi_running(d->http) == 0) {
        /* only delayed requests (or nothing) in flight: sleep until the first wakes */
        int64_t first = 0;
        for (struct delivery *dl = d->inflight; dl; dl = dl->next)
            if (dl->wake_us && (!first || dl->wake_us < first))
                first = dl->wake_us;
        if (wait_ms > 0 && (first || (d->ninflight == 0 && started == 0))) {
            /* nothing in flight: wait for the first delayed request, or idle a while (the
             * store is read again next turn) instead of spinning on it */
            int64_t ms = first ? (first - vgl_dispatch_now_us()) / 1000 : wait_ms;
            if (ms > wait_ms)
                ms = wait_ms;
            if (ms > 0) {
                struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
                nanosleep(&ts, NULL);
            }
        } else if (wait_ms > 0 && d->ninflight == 0 && took_all && started < GATHER_BELOW) {
            /* a trickle (alerts arriving while workers run): let a few more gather rather
             * than pay a turn's syncs and commit for each one or two */
            int ms = wait_ms < GATHER_MS ? wait_ms : GATHER_MS;
            struct timespec ts = {0, (long)ms * 1000000L};
            nanosleep(&ts, NULL);
        }
    } else {
        rc = vgl_http_multi_run(d->http, wait_ms, on_response, d, err);
        crc = commit_results(d, rc ? NULL : err);
        if (rc == 0 && crc)
            rc = crc;
    }
    if (rc == 0 && d->poll_error)
        rc = vgl_error_set(err, VGL_EIO, "recording a delivery result failed (see the log)");
    return rc;
}

int vgl_dispatch_drain(struct vgl_dispatcher *d, int64_t deadline_us, struct vgl_error *err)
{
    for (;;) {
        int rc = vgl_dispatch_poll(d, d->ninflight ? 100 : 0, err);
        if (rc)
            return rc;
        if (d->ninflight == 0) {
            int64_t next;
            if ((rc = vgl_store_next_due(d->store, &next, err)) != 0)
                return rc;
            if (next < 0 || next > vgl_dispatch_now_us())
                return 0;
        }
        if (deadline_us && vgl_dispatch_now_us() >= deadline_us)
            return 0;
    }
}
