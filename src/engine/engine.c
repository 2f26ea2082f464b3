/* engine/engine.c: `vigil run`: supervisor, workers and the alert process (engine.h). */
#define _GNU_SOURCE
#include "engine/engine.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "config/config.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "dispatch/dispatch.h"
#include "engine/pipeline.h"
#include "lake/lake.h"
#include "metrics/metrics.h"
#include "rules/rules.h"
#include "source/net.h"
#include "source/source.h"
#include "source/util.h"
#include "store/store.h"

#define MAX_WORKERS 256
#define MAX_SOURCES 256
#define BATCH_BYTES (4u << 20)

/* ---- metrics: series registered in the supervisor before fork ------------------------- */

struct series {
    int records_in, bytes_in, alerts, batches, restarts, queue_depth;
    int dead[5];
    int sent, failed, abandoned, retries;
};

struct engine {
    const struct vgl_engine_opts *opts;
    struct vgl_config *cfg;
    struct vgl_rules *rules;
    char data_dir[4096], store_path[4200];
    int nworkers;
    struct vgl_metrics *metrics;
    struct series ids;
    pid_t workers[MAX_WORKERS];
    bool worker_done[MAX_WORKERS];
    pid_t alert_pid;
};

static volatile sig_atomic_t got_term, got_hup, got_usr1;

static void on_signal(int sig)
{
    if (sig == SIGTERM || sig == SIGINT)
        got_term = 1;
    else if (sig == SIGHUP)
        got_hup = 1;
    else if (sig == SIGUSR1)
        got_usr1 = 1;
    /* SIGCHLD: nothing; its handler (no SA_RESTART) only cuts the supervisor's sleep short */
}

static void install_signals(void)
{
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGCHLD, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int reg(struct engine *e, const char *name, const char *help, int gauge, const char *labels)
{
    int id = vgl_metrics_register(e->metrics, name, help, gauge ? VGL_METRIC_GAUGE : VGL_METRIC_COUNTER,
                                  labels);
    return id < 0 ? -1 : id;
}

static int reg1(struct vgl_metrics *m, const char *name, const char *help, enum vgl_metric_type type,
                const char *key, const char *value)
{
    int id = vgl_metrics_register_label(m, name, help, type, key, value);
    return id < 0 ? -1 : id;
}

static void register_series(struct engine *e)
{
    struct series *s = &e->ids;
    s->records_in = reg(e, "vigil_records_in_total", "Payloads read from the sources", 0, NULL);
    s->bytes_in = reg(e, "vigil_bytes_in_total", "Payload bytes read from the sources", 0, NULL);
    s->alerts = reg(e, "vigil_alerts_total", "Alerts stored (new)", 0, NULL);
    s->batches = reg(e, "vigil_batches_total", "Batches committed by the workers", 0, NULL);
    s->restarts = reg(e, "vigil_worker_restarts_total", "Worker and alert processes restarted", 0, NULL);
    s->queue_depth = reg(e, "vigil_delivery_queue_depth", "Deliveries pending or failed (due later)", 1,
                         NULL);
    for (int i = 0; i < 5; i++)
        s->dead[i] = reg1(e->metrics, "vigil_dead_letters_total", "Payloads and records dead-lettered, by reason",
                          VGL_METRIC_COUNTER, "reason", vgl_dead_reason_names[i]);
    s->sent = reg(e, "vigil_deliveries_total", "Delivery attempts by result", 0, "result=\"sent\"");
    s->failed = reg(e, "vigil_deliveries_total", "Delivery attempts by result", 0, "result=\"failed\"");
    s->abandoned = reg(e, "vigil_deliveries_total", "Delivery attempts by result", 0, "result=\"abandoned\"");
    s->retries = reg(e, "vigil_delivery_retries_total", "Failed deliveries scheduled for a retry", 0, NULL);
    for (size_t i = 0; i < e->cfg->nschemas; i++)
        reg1(e->metrics, "vigil_records_classified_total", "Records classified, by log type",
             VGL_METRIC_COUNTER, "log_type", e->cfg->schemas[i].name);
    size_t n = 0;
    const struct vgl_rule_stats *st = e->rules ? vgl_rules_stats(e->rules, &n) : NULL;
    for (size_t i = 0; i < n; i++) {
        reg1(e->metrics, "vigil_rule_calls_total", "Rule calls", VGL_METRIC_COUNTER, "rule", st[i].name);
        reg1(e->metrics, "vigil_rule_hits_total", "Rule calls that returned true", VGL_METRIC_COUNTER,
             "rule", st[i].name);
        reg1(e->metrics, "vigil_rule_errors_total", "Rule calls that raised", VGL_METRIC_COUNTER, "rule",
             st[i].name);
        reg1(e->metrics, "vigil_rule_seconds_total", "Time in each rule (a sampled estimate)",
             VGL_METRIC_SECONDS, "rule", st[i].name);
    }
}

/* ---- the worker --------------------------------------------------------------------------- */

/* --once: how long every source must stay quiet (1.5 s; VIGIL_ONCE_IDLE_MS for scripts and
 * benchmarks that know their input is complete). */
static int64_t once_idle_us(void)
{
    const char *v = getenv("VIGIL_ONCE_IDLE_MS");
    long ms = v ? strtol(v, NULL, 10) : 0;
    return (ms > 0 ? ms : 1500) * 1000LL;
}

struct worker {
    struct engine *e;
    int idx;
    size_t slot;
    struct vgl_store *store;
    struct vgl_lake *lake;
    struct vgl_pipeline pipe;
    struct vgl_source *sources[MAX_SOURCES];
    size_t nsources;
    struct vgl_pipeline_stats published;
    struct vgl_rule_stats *rule_published;
    size_t nrules;
};

static bool cp_get(void *ud, const char *key, char *out, size_t outsz)
{
    return vgl_store_checkpoint_get(ud, key, out, outsz);
}

static bool source_known(void *ud, const char *service, const char *resource)
{
    return vgl_config_source(ud, service, resource) != NULL;
}

static bool is_http_service(const char *svc)
{
    return strcmp(svc, "http") == 0 || strcmp(svc, "kinesis") == 0 || strcmp(svc, "s3") == 0 ||
           strcmp(svc, "sns") == 0 || strcmp(svc, "streamalert_app") == 0;
}


static void add_source(struct worker *w, struct vgl_source *s, bool finite, const char *what,
                       const struct vgl_error *err)
{
    if (!s) {
        vgl_error("run", "worker %d: cannot open %s: %s", w->idx, what, err->msg);
        return;
    }
    if (w->nsources == MAX_SOURCES) {
        vgl_error("run", "worker %d: more than %d sources; %s left out", w->idx, MAX_SOURCES, what);
        vgl_source_free(s);
        return;
    }
    (void)finite;
    w->sources[w->nsources++] = s;
}

/* The sources of this worker's shard (docs/run.md "Sources"). */
static void open_sources(struct worker *w)
{
    const struct vgl_config *cfg = w->e->cfg;
    /* directories: every worker lists them, and each piece of a file is read by the worker
     * that claims it in this lock file (a dead worker's claims go with it) */
    char claims[4200];
    snprintf(claims, sizeof claims, "%s/dir-claims.lock", w->e->data_dir);
    struct vgl_source_opts so = {
        .max_record_bytes = cfg->settings.max_record_bytes,
        .checkpoint_get = cp_get, .checkpoint_ud = w->store,
        .worker = w->idx, .nworkers = w->e->nworkers,
        .claims_path = claims,
        .piece_bytes = cfg->settings.dir_piece_bytes,
    };
    bool http = false;
    for (size_t i = 0; i < cfg->nsources; i++) {
        const struct vgl_data_source *ds = &cfg->sources[i];
        bool seen = false;   /* the same (service, resource) in several clusters: once */
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(cfg->sources[j].service, ds->service) == 0 &&
                   strcmp(cfg->sources[j].resource, ds->resource) == 0;
        if (seen)
            continue;
        struct vgl_error err = {0};
        char what[700];
        snprintf(what, sizeof what, "%s '%s'", ds->service, ds->resource);
        if (strcmp(ds->service, "file") == 0) {
            char path[4200];
            if (ds->resource[0] == '/')
                snprintf(path, sizeof path, "%s", ds->resource);
            else
                snprintf(path, sizeof path, "%s/%s", cfg->root, ds->resource);
            struct stat st;
            if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
                add_source(w, vgl_source_dir_new(path, ds->service, ds->resource, &so, &err), true, what, &err);
                continue;
            }
            glob_t g;
            if (strpbrk(path, "*?[") && glob(path, 0, NULL, &g) == 0) {
                for (size_t k = 0; k < g.gl_pathc; k++) {
                    if (vgl_source_fnv1a32(g.gl_pathv[k]) % (unsigned)w->e->nworkers != (unsigned)w->idx)
                        continue;
                    add_source(w, vgl_source_file_new(g.gl_pathv[k], ds->service, ds->resource, &so, &err),
                               false, g.gl_pathv[k], &err);
                }
                globfree(&g);
            } else if (vgl_source_fnv1a32(path) % (unsigned)w->e->nworkers == (unsigned)w->idx) {
                add_source(w, vgl_source_file_new(path, ds->service, ds->resource, &so, &err), false, what,
                           &err);
            }
        } else if (strcmp(ds->service, "stdin") == 0) {
            if (w->idx == 0)
                add_source(w, vgl_source_stdin_new(ds->service, ds->resource, &so, &err), true, what, &err);
        } else if (strcmp(ds->service, "syslog") == 0) {
            add_source(w, vgl_source_syslog_new(ds->resource, ds->service, ds->resource, &so, &err), false,
                       what, &err);
        } else if (is_http_service(ds->service)) {
            http = true;
        } else if (w->idx == 0) {
            vgl_warn("run", "data source %s: vigil run has no '%s' source yet; it is not read", what,
                     ds->service);
        }
    }
    if (http && cfg->settings.http_listen && cfg->settings.http_listen[0]) {
        struct vgl_error err = {0};
        const char *token = getenv("VIGIL_INGEST_TOKEN");
        struct vgl_http_ingest_opts ho = {
            .listen = cfg->settings.http_listen, .token = token,
            .max_body_bytes = cfg->settings.http_max_body_bytes,
            .max_pending_bytes = cfg->settings.http_max_pending_bytes,
            .known = source_known, .ud = (void *)cfg,
        };
        add_source(w, vgl_source_http_new(&ho, &so, &err), false, "HTTP ingest", &err);
    }
}

static void publish_stats(struct worker *w)
{
    struct vgl_metrics *m = w->e->metrics;
    if (!m)
        return;
    const struct series *ids = &w->e->ids;
    struct vgl_pipeline_stats *now = &w->pipe.stats, *was = &w->published;
    vgl_metrics_add(m, w->slot, ids->records_in, now->payloads - was->payloads);
    vgl_metrics_add(m, w->slot, ids->bytes_in, now->bytes - was->bytes);
    vgl_metrics_add(m, w->slot, ids->alerts, now->alerts_new - was->alerts_new);
    for (int i = 0; i < 5; i++)
        vgl_metrics_add(m, w->slot, ids->dead[i], now->dead[i] - was->dead[i]);
    for (size_t i = 0; i < now->ntypes; i++) {
        uint64_t before = 0;
        for (size_t j = 0; j < was->ntypes; j++)
            if (was->types[j].log_type == now->types[i].log_type)
                before = was->types[j].records;
        if (now->types[i].records == before)
            continue;
        int id = reg1(m, "vigil_records_classified_total", "Records classified, by log type",
                      VGL_METRIC_COUNTER, "log_type", now->types[i].log_type);
        vgl_metrics_add(m, w->slot, id, now->types[i].records - before);
    }
    free(was->types);
    *was = *now;
    was->types = NULL;
    if (now->ntypes) {
        was->types = vgl_xmalloc(now->ntypes * sizeof *now->types);
        memcpy(was->types, now->types, now->ntypes * sizeof *now->types);
    }
    was->types_cap = now->ntypes;
    size_t n = 0;
    const struct vgl_rule_stats *st = w->e->rules ? vgl_rules_stats(w->e->rules, &n) : NULL;
    if (n && !w->rule_published) {
        w->rule_published = vgl_xcalloc(n, sizeof *w->rule_published);
        w->nrules = n;
    }
    for (size_t i = 0; i < n && i < w->nrules; i++) {
        struct vgl_rule_stats *p = &w->rule_published[i];
        if (st[i].calls == p->calls)
            continue;
        static const char *const names[4] = {"vigil_rule_calls_total", "vigil_rule_hits_total",
                                             "vigil_rule_errors_total", "vigil_rule_seconds_total"};
        uint64_t d[4] = {st[i].calls - p->calls, st[i].hits - p->hits, st[i].errors - p->errors,
                         st[i].ns - p->ns};
        for (int k = 0; k < 4; k++)
            vgl_metrics_add(m, w->slot,
                            reg1(m, names[k], NULL, k == 3 ? VGL_METRIC_SECONDS : VGL_METRIC_COUNTER, "rule",
                                 st[i].name),
                            d[k]);
        *p = st[i];
    }
}

/* One batch from one source: process, commit with its checkpoints, ack.  Returns the
 * number of payloads (0: the source had nothing), or -1 when the source ended/failed. */
static long one_batch(struct worker *w, struct vgl_source *src, int timeout_ms, bool *eof)
{
    struct vgl_source_batch b;
    memset(&b, 0, sizeof b);
    struct vgl_error err = {0};
    size_t max_items = (size_t)w->e->cfg->settings.batch_max_payloads;
    if (src->ops->next(src, &b, max_items, BATCH_BYTES, timeout_ms, &err) != 0) {
        vgl_error("run", "worker %d: %s: %s", w->idx, src->name, err.msg);
        return -1;
    }
    *eof = b.eof;
    if (b.n == 0 && b.ncps == 0)
        return 0;
    int64_t t = now_us();
    int rc = 0;
    /* the work first, outside any transaction: the write lock is taken for the writes only */
    for (size_t i = 0; i < b.n && rc == 0; i++) {
        const struct vgl_source_item *it = &b.items[i];
        rc = vgl_pipeline_item(&w->pipe, it->service, it->resource, it->position, it->data, it->len,
                               it->oversize_len, t, &err);
    }
    if (rc == 0 && w->lake)
        rc = vgl_lake_sync(w->lake, &err);
    if (rc == 0)
        rc = vgl_store_begin(w->store, &err);
    if (rc == 0)
        rc = vgl_pipeline_flush(&w->pipe, &err);
    for (size_t i = 0; i < b.ncps && rc == 0; i++)
        rc = vgl_store_checkpoint_set(w->store, b.cps[i].key, b.cps[i].value, t, &err);
    if (rc == 0)
        rc = vgl_store_commit(w->store, &err);
    if (rc == 0) {
        src->ops->committed(src, &b);
        if (w->e->metrics)
            vgl_metrics_add(w->e->metrics, w->slot, w->e->ids.batches, 1);
    } else {
        vgl_error("run", "worker %d: batch from %s not committed (it will be read again): %s", w->idx,
                  src->name, err.msg);
        vgl_store_rollback(w->store);
        src->ops->failed(src, &b);
    }
    vgl_pipeline_end_batch(&w->pipe);
    publish_stats(w);
    return rc == 0 ? (long)b.n : -1;
}

/* True when every source is done: ended (stdin), or found drained before a batch. */
static bool all_done(const bool *done, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!done[i])
            return false;
    return true;
}

static int worker_main(struct engine *e, int idx)
{
    struct worker w = {.e = e, .idx = idx, .slot = (size_t)idx + 2};
    struct vgl_error err = {0};
    w.store = vgl_store_open(e->store_path, NULL, &err);
    if (!w.store) {
        vgl_error("run", "worker %d: %s", idx, err.msg);
        return 4;
    }
    if (e->cfg->settings.lake) {
        char writer[32];
        snprintf(writer, sizeof writer, "w%d", idx);
        struct vgl_lake_opts lo = {.roll_interval_us = e->cfg->settings.lake_roll_s * 1000000LL,
                                   .level = (int)e->cfg->settings.lake_gzip_level};
        w.lake = vgl_lake_open(e->data_dir, writer, &lo, &err);
        if (!w.lake)
            vgl_error("run", "worker %d: lake: %s (records are not archived)", idx, err.msg);
    }
    vgl_pipeline_init(&w.pipe, e->cfg, e->rules, w.store, w.lake);
    open_sources(&w);
    vgl_info("run", "worker %d: %zu source%s", idx, w.nsources, w.nsources == 1 ? "" : "s");
    bool done[MAX_SOURCES] = {0};
    int64_t idle_since = 0;
    while (!got_term) {
        long total = 0;
        for (size_t i = 0; i < w.nsources && !got_term; i++) {
            if (done[i])
                continue;
            /* --once: a source that has delivered everything is not waited on */
            const struct vgl_source *src = w.sources[i];
            if (e->opts->once && src->ops->drained && src->ops->drained(w.sources[i])) {
                done[i] = true;
                continue;
            }
            bool eof = false;
            long n = one_batch(&w, w.sources[i], w.nsources == 1 ? 200 : 10, &eof);
            if (n > 0)
                total += n;
            if (eof)
                done[i] = true;
        }
        if (w.lake)
            vgl_lake_tick(w.lake, now_us(), NULL);
        if (total == 0) {
            /* --once: every source has delivered all there is (no quiet spell to wait for;
             * sources that cannot tell use the idle timer below) */
            if (e->opts->once && all_done(done, w.nsources))
                break;
            if (!idle_since)
                idle_since = now_us();
            /* --once: nothing came from any source for 1.5 s (directories are read to
             * their end, tailed files are at their end, listeners are quiet) */
            if (e->opts->once && now_us() - idle_since > once_idle_us())
                break;
            if (w.nsources == 0)
                sleep_ms(200);
        } else {
            idle_since = 0;
        }
    }
    for (size_t i = 0; i < w.nsources; i++)
        vgl_source_free(w.sources[i]);
    if (w.lake && vgl_lake_close(w.lake, &err) != 0)
        vgl_error("run", "worker %d: lake: %s", idx, err.msg);
    publish_stats(&w);
    vgl_pipeline_release(&w.pipe);
    free(w.published.types);
    free(w.rule_published);
    vgl_store_close(w.store);
    return 0;
}

/* ---- the alert process -------------------------------------------------------------------- */

static int alert_main(struct engine *e)
{
    size_t slot = 1;
    /* deliveries are not the hot path: on a busy machine the workers come first */
    if (setpriority(PRIO_PROCESS, 0, 5) != 0)
        vgl_debug("run", "alert process: setpriority: %s", strerror(errno));
    struct vgl_error err = {0};
    struct vgl_store *s = vgl_store_open(e->store_path, NULL, &err);
    if (!s) {
        vgl_error("run", "alert process: %s", err.msg);
        return 4;
    }
    struct vgl_dispatcher *d = vgl_dispatcher_new(e->cfg, s, e->rules, e->data_dir, stdout, &err);
    if (!d) {
        vgl_error("run", "alert process: %s", err.msg);
        vgl_store_close(s);
        return 4;
    }
    int64_t merge_every = e->cfg->settings.merge_interval_s * 1000000LL, next_merge = 0, next_gauge = 0;
    struct vgl_dispatch_stats was = {0};
    bool draining = false;
    int64_t drain_start = 0;
    while (!got_term) {
        int64_t t = now_us();
        if (t >= next_merge) {
            size_t merged = 0, members = 0;
            if (vgl_store_merge(s, t, &merged, &members, &err) != 0)
                vgl_error("run", "merger: %s", err.msg);
            else if (merged)
                vgl_info("run", "merged %zu alerts into %zu", members, merged);
            next_merge = t + merge_every;
        }
        if (vgl_dispatch_poll(d, 200, &err) != 0)
            vgl_error("run", "dispatcher: %s", err.msg);
        const struct vgl_dispatch_stats *st = vgl_dispatch_stats(d);
        if (e->metrics) {
            vgl_metrics_add(e->metrics, slot, e->ids.sent, st->sent - was.sent);
            vgl_metrics_add(e->metrics, slot, e->ids.failed, st->failed - was.failed);
            vgl_metrics_add(e->metrics, slot, e->ids.retries, st->failed - was.failed);
            vgl_metrics_add(e->metrics, slot, e->ids.abandoned, st->abandoned - was.abandoned);
        }
        was = *st;
        if (t >= next_gauge) {
            size_t counts[4];
            if (vgl_store_delivery_counts(s, counts, NULL) == 0 && e->metrics)
                vgl_metrics_set(e->metrics, slot, e->ids.queue_depth,
                                (int64_t)(counts[VGL_DELIVERY_PENDING] + counts[VGL_DELIVERY_FAILED]));
            next_gauge = t + 1000000;
        }
        if (got_usr1 && !draining) {
            draining = true;   /* --once: the workers are done */
            drain_start = now_us();
        }
        if (draining && vgl_dispatch_inflight(d) == 0) {
            /* done when every delivery due before the drain began was attempted (failures
             * are due again later, after their backoff: not waited for) */
            int64_t next;
            if (vgl_store_next_due(s, &next, NULL) != 0 || next < 0 || next > drain_start) {
                /* a merge pass first: alerts whose window closed are due now */
                size_t merged = 0, members = 0;
                if (vgl_store_merge(s, now_us(), &merged, &members, NULL) == 0 && merged == 0)
                    break;
            }
        }
    }
    vgl_dispatcher_free(d);
    vgl_store_close(s);
    return 0;
}

/* ---- the supervisor ----------------------------------------------------------------------- */

static pid_t spawn(struct engine *e, int idx)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        vgl_error("run", "fork: %s", strerror(errno));
        return -1;
    }
    if (pid > 0)
        return pid;
    /* the child: dies with the supervisor (kill -9 of vigil run takes everything down) */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() == 1)
        _exit(0);
    signal(SIGCHLD, SIG_DFL);
    vgl_rules_after_fork();
    got_hup = got_usr1 = 0;
    int rc = idx < 0 ? alert_main(e) : worker_main(e, idx);
    fflush(stdout);
    _exit(rc);
}

static void stop_children(struct engine *e, int timeout_s)
{
    for (int i = 0; i < e->nworkers; i++)
        if (e->workers[i] > 0)
            kill(e->workers[i], SIGTERM);
    if (e->alert_pid > 0)
        kill(e->alert_pid, SIGTERM);
    int64_t deadline = now_us() + (int64_t)timeout_s * 1000000;
    for (;;) {
        bool any = false;
        for (int i = 0; i < e->nworkers; i++) {
            if (e->workers[i] > 0 && waitpid(e->workers[i], NULL, WNOHANG) == e->workers[i])
                e->workers[i] = 0;
            any |= e->workers[i] > 0;
        }
        if (e->alert_pid > 0 && waitpid(e->alert_pid, NULL, WNOHANG) == e->alert_pid)
            e->alert_pid = 0;
        any |= e->alert_pid > 0;
        if (!any)
            return;
        if (now_us() > deadline) {
            vgl_warn("run", "children did not stop within %d s: killing them", timeout_s);
            for (int i = 0; i < e->nworkers; i++)
                if (e->workers[i] > 0)
                    kill(e->workers[i], SIGKILL);
            if (e->alert_pid > 0)
                kill(e->alert_pid, SIGKILL);
            deadline = now_us() + 5000000;
        }
        sleep_ms(20);
    }
}

/* SIGHUP: is the new config good?  Checked by `vigil validate` in its own process. */
static bool config_is_good(const struct engine *e)
{
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", 1);
        if (devnull >= 0)
            dup2(devnull, 1);
        execl("/proc/self/exe", "vigil", "validate", "--config", e->opts->conf_dir, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    pid_t got;
    while ((got = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
        ;   /* another child's SIGCHLD */
    if (pid < 0 || got != pid)
        return false;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int vgl_engine_run(const struct vgl_engine_opts *opts)
{
    struct engine e = {.opts = opts};
    install_signals();
    e.cfg = vgl_cli_load_config(opts->conf_dir, false);
    if (!e.cfg)
        return VGL_EXIT_CONFIG;
    vgl_log_set_level(vgl_log_level_parse(e.cfg->settings.log_level) >= 0
                          ? (enum vgl_log_level)vgl_log_level_parse(e.cfg->settings.log_level)
                          : VGL_LOG_WARN);
    struct vgl_diag diag;
    vgl_diag_init(&diag);
    e.rules = vgl_rules_load(e.cfg, NULL, &diag);
    vgl_cli_print_diag(&diag);
    vgl_diag_release(&diag);
    if (!e.rules) {
        fprintf(stderr, "vigil run: the rules did not load\n");
        vgl_config_free(e.cfg);
        return VGL_EXIT_CONFIG;
    }
    vgl_cli_data_dir(e.cfg, e.data_dir, sizeof e.data_dir);
    vgl_cli_store_path(e.cfg, e.store_path, sizeof e.store_path);
    {
        /* create and migrate the store once, before the children open it */
        struct vgl_error err = {0};
        struct vgl_store *s = vgl_store_open(e.store_path, NULL, &err);
        if (!s) {
            fprintf(stderr, "vigil run: %s\n", err.msg);
            return VGL_EXIT_RUNTIME;
        }
        vgl_store_close(s);
    }
    long n = opts->workers > 0 ? opts->workers : e.cfg->settings.workers;
    if (n <= 0)
        n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n <= 0)
        n = 1;
    if (n > MAX_WORKERS)
        n = MAX_WORKERS;
    e.nworkers = (int)n;
    struct vgl_error err = {0};
    struct vgl_metrics_server *ms = NULL;
    e.metrics = vgl_metrics_new(4096, (size_t)e.nworkers + 2, &err);
    if (!e.metrics)
        vgl_warn("run", "metrics: %s (no /metrics)", err.msg);
    if (e.metrics) {
        register_series(&e);
        const char *listen = e.cfg->settings.metrics_listen;
        if (listen && listen[0]) {
            ms = vgl_metrics_server_new(e.metrics, listen, &err);
            if (!ms)
                vgl_warn("run", "metrics: %s (no /metrics)", err.msg);
            else if (strncmp(listen, "127.", 4) != 0 && strncmp(listen, "localhost", 9) != 0 &&
                     strncmp(listen, "[::1]", 5) != 0)
                vgl_warn("run", "metrics listen on %s, beyond loopback", listen);
        }
    }
    fprintf(stderr, "vigil run: %d worker%s, data in %s%s%s\n", e.nworkers, e.nworkers == 1 ? "" : "s",
            e.data_dir, ms ? ", metrics on " : "", ms ? e.cfg->settings.metrics_listen : "");
    for (int i = 0; i < e.nworkers; i++)
        e.workers[i] = spawn(&e, i);
    e.alert_pid = spawn(&e, -1);
    int exit_code = VGL_EXIT_OK;
    bool reexec = false;
    int64_t backoff_until[MAX_WORKERS + 1] = {0};
    while (!got_term) {
        if (ms)
            vgl_metrics_server_poll(ms, 100);
        else
            sleep_ms(100);
        if (got_hup) {
            got_hup = 0;
            if (config_is_good(&e)) {
                vgl_warn("run", "SIGHUP: the new config and rules are valid: restarting with them");
                reexec = true;
                break;
            }
            vgl_error("run", "SIGHUP: the new config or rules are invalid (see `vigil validate`); "
                             "the running ones stay");
        }
        int status;
        pid_t pid;
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
            bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
            if (pid == e.alert_pid) {
                e.alert_pid = 0;
                if (opts->once && clean)
                    goto finished;
                vgl_error("run", "the alert process died (%s %d): restarting it",
                          WIFSIGNALED(status) ? "signal" : "exit",
                          WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
                backoff_until[MAX_WORKERS] = now_us() + 1000000;
                continue;
            }
            for (int i = 0; i < e.nworkers; i++) {
                if (e.workers[i] != pid)
                    continue;
                e.workers[i] = 0;
                if (opts->once && clean) {
                    e.worker_done[i] = true;
                    break;
                }
                vgl_error("run", "worker %d died (%s %d): restarting it from its checkpoints", i,
                          WIFSIGNALED(status) ? "signal" : "exit",
                          WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
                backoff_until[i] = now_us() + 500000;
            }
        }
        bool all_done = opts->once;
        for (int i = 0; i < e.nworkers; i++) {
            if (!e.workers[i] && !e.worker_done[i] && now_us() >= backoff_until[i]) {
                e.workers[i] = spawn(&e, i);
                if (e.metrics)
                    vgl_metrics_add(e.metrics, 0, e.ids.restarts, 1);
            }
            all_done &= e.worker_done[i];
        }
        if (!e.alert_pid && now_us() >= backoff_until[MAX_WORKERS]) {
            e.alert_pid = spawn(&e, -1);
            if (e.metrics)
                vgl_metrics_add(e.metrics, 0, e.ids.restarts, 1);
        }
        if (all_done && e.alert_pid > 0)
            kill(e.alert_pid, SIGUSR1);   /* the inputs are drained: deliver what is due, then stop */
    }
finished:
    stop_children(&e, 30);
    vgl_metrics_server_free(ms);
    vgl_metrics_free(e.metrics);
    vgl_rules_free(e.rules);
    vgl_config_free(e.cfg);
    if (reexec) {
        fflush(NULL);
        execv("/proc/self/exe", opts->argv);
        fprintf(stderr, "vigil run: cannot re-execute for the new config: %s\n", strerror(errno));
        return VGL_EXIT_RUNTIME;
    }
    fprintf(stderr, "vigil run: stopped\n");
    return exit_code;
}
