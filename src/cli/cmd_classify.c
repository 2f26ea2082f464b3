/*
 * cli/cmd_classify.c: `vigil classify`: payloads in, classified records out.
 *
 * Reads newline-delimited payloads (or whole documents) from files, .gz files or stdin,
 * classifies each against the candidate schemas of one data source (or one log type)
 * and writes one JSON line per record to stdout.  Payloads that match nothing go to the
 * dead-letter stream with every tried schema's reason; a summary goes to stderr.
 */
#include <errno.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "config/config.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/xmalloc.h"
#include "frame/lines.h"
#include "json/json.h"
#include "normalize/normalize.h"
#include "parse/classify.h"
#include "rules/rules.h"
#include "store/store.h"

#define OUT_FLUSH (1u << 20)
#define BATCH_PAYLOADS 512

struct type_count {
    const char *name;
    uint64_t n;
};

struct run {
    const struct vgl_config *cfg;
    const struct vgl_data_source *src;   /* NULL with --log-type */
    const struct vgl_schema *only;       /* --log-type */
    struct vgl_classify_opts opts;
    bool document;                       /* --format document */
    struct vgl_rules *rules;             /* --rules: alerts instead of records */
    uint64_t alerts;
    struct vgl_store *store;             /* --store: alerts also go to the alert store */
    uint64_t stored;
    FILE *dead;
    const char *dead_name;

    struct vgl_buf out;
    struct vgl_buf dl;
    struct vgl_arena arena;
    size_t in_batch;

    uint64_t payloads, records, unmatched, invalid_sub, blank, oversize, bytes;
    struct type_count *counts;
    size_t ncounts, counts_cap;
    int io_error;
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: vigil classify [--config DIR] [--service S] [--resource R | --log-type T]\n"
            "                      [--format lines|document] [--dead-letters FILE] [--no-progress]\n"
            "                      [FILE...|-]\n\n"
            "Classifies payloads against the schemas of one data source (--service/--resource,\n"
            "as declared in conf/clusters) or one log type, and prints one JSON line per record:\n"
            "  {\"log_type\", \"data_type\", \"cluster\", \"service\", \"resource\", \"source\": {\"file\",\n"
            "   \"line\"}, \"record\"}\n"
            "Input: files (plain or gzip) or - for stdin, one payload per line (--format lines,\n"
            "the default; blank lines are skipped) or one per file (--format document).\n"
            "Payloads that match no schema are written as JSON lines to the dead-letter stream\n"
            "(--dead-letters FILE, default stderr) with each tried schema's reason.\n"
            "--resource alone picks the data source with that resource in any service; with\n"
            "neither, the config's only data source is used.\n"
            "--rules runs the rules of global.json's rule_locations on every record and prints\n"
            "one JSON line per alert ({\"rule\", \"alert\"}) instead of the records; --profile adds\n"
            "per-rule statistics to the summary; --store also stores the alerts in the alert store\n"
            "(see `vigil alerts`), each once however often the same input is run.\n\n%s",
            VGL_EXIT_CODES_HELP);
}

static void count_type(struct run *r, const char *name, uint64_t n)
{
    for (size_t i = 0; i < r->ncounts; i++) {
        if (r->counts[i].name == name) {
            r->counts[i].n += n;
            return;
        }
    }
    r->counts = vgl_xgrow(r->counts, &r->counts_cap, r->ncounts + 1, sizeof *r->counts);
    r->counts[r->ncounts++] = (struct type_count){name, n};
}

static void flush_out(struct run *r, bool force)
{
    if (r->out.len && (force || r->out.len >= OUT_FLUSH)) {
        if (fwrite(r->out.data, 1, r->out.len, stdout) != r->out.len && !r->io_error) {
            fprintf(stderr, "vigil classify: writing stdout: %s\n", strerror(errno));
            r->io_error = 1;
        }
        vgl_buf_reset(&r->out);
    }
    if (r->dl.len && (force || r->dl.len >= OUT_FLUSH)) {
        if (fwrite(r->dl.data, 1, r->dl.len, r->dead) != r->dl.len && !r->io_error) {
            fprintf(stderr, "vigil classify: writing %s: %s\n", r->dead_name, strerror(errno));
            r->io_error = 1;
        }
        vgl_buf_reset(&r->dl);
        fflush(r->dead);
    }
}

static void put_u64(struct vgl_buf *b, uint64_t v)
{
    char tmp[24];
    size_t n = sizeof tmp;
    do {
        tmp[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    vgl_buf_append(b, tmp + n, sizeof tmp - n);
}

static void write_source(struct vgl_buf *b, const char *file, uint64_t line)
{
    vgl_buf_puts(b, "\"source\":{\"file\":");
    vgl_json_write_str(b, file, strlen(file));
    if (line) {
        vgl_buf_puts(b, ",\"line\":");
        put_u64(b, line);
    }
    vgl_buf_putc(b, '}');
}

static void write_record(struct run *r, const struct vgl_schema *sc, const struct vgl_json *rec,
                         const char *file, uint64_t line)
{
    struct vgl_buf *b = &r->out;
    vgl_buf_puts(b, "{\"log_type\":");
    vgl_json_write_str(b, sc->name, strlen(sc->name));
    vgl_buf_puts(b, ",\"data_type\":\"");
    vgl_buf_puts(b, sc->parser_name);
    vgl_buf_putc(b, '"');
    if (r->src) {
        vgl_buf_puts(b, ",\"cluster\":");
        vgl_json_write_str(b, r->src->cluster, strlen(r->src->cluster));
        vgl_buf_puts(b, ",\"service\":");
        vgl_json_write_str(b, r->src->service, strlen(r->src->service));
        vgl_buf_puts(b, ",\"resource\":");
        vgl_json_write_str(b, r->src->resource, strlen(r->src->resource));
    }
    vgl_buf_putc(b, ',');
    write_source(b, file, line);
    vgl_buf_puts(b, ",\"record\":");
    vgl_json_write(b, rec);
    vgl_buf_puts(b, "}\n");
}

/* One dead-letter line: reason, position, the payload itself and what was tried. */
static void dead_letter(struct run *r, const char *reason, const char *file, uint64_t line,
                        const char *data, size_t len, size_t total_len,
                        const struct vgl_classified *res)
{
    struct vgl_buf *b = &r->dl;
    vgl_buf_puts(b, "{\"reason\":");
    vgl_json_write_str(b, reason, strlen(reason));
    vgl_buf_putc(b, ',');
    write_source(b, file, line);
    vgl_buf_printf(b, ",\"bytes\":%zu", total_len);
    if (data) {
        vgl_buf_puts(b, ",\"payload\":");
        if (vgl_utf8_check(data, len) == len) {
            vgl_json_write_str(b, data, len);
        } else {
            /* Not text: keep every byte, escaped, so a replay can restore it. */
            struct vgl_buf q;
            vgl_buf_init(&q, 0);
            vgl_buf_append_quoted(&q, data, len, len);
            vgl_json_write_str(b, q.data ? q.data : "", q.len);
            vgl_buf_release(&q);
            vgl_buf_puts(b, ",\"payload_encoding\":\"escaped\"");
        }
    }
    if (res && res->nattempts) {
        vgl_buf_puts(b, ",\"tried\":[");
        for (size_t i = 0; i < res->nattempts; i++) {
            const struct vgl_attempt *a = &res->attempts[i];
            vgl_buf_puts(b, i ? ",{\"log_type\":" : "{\"log_type\":");
            vgl_json_write_str(b, a->schema->name, strlen(a->schema->name));
            vgl_buf_puts(b, ",\"why\":");
            vgl_json_write_str(b, a->reason, strlen(a->reason));
            vgl_buf_putc(b, '}');
        }
        vgl_buf_putc(b, ']');
    }
    vgl_buf_puts(b, "}\n");
}

/* --rules: every record through the rules engine; one line per alert. */
static void run_rules(struct run *r, const struct vgl_classified *res, const char *file, uint64_t line)
{
    char where[600];
    snprintf(where, sizeof where, "%s:%llu", file, (unsigned long long)line);
    for (size_t i = 0; i < res->nrecords; i++) {
        struct vgl_alerts alerts = {0};
        struct vgl_error err;
        vgl_error_clear(&err);
        struct vgl_rule_input in = {
            .record = &res->records[i], .log_type = res->schema->name,
            .parser = res->schema->parser_name, .cluster = r->src ? r->src->cluster : "",
            .service = r->src ? r->src->service : "", .resource = r->src ? r->src->resource : "",
            .where = where,
        };
        if (vgl_rules_eval(r->rules, &in, &r->arena, &alerts, &err) != 0) {
            dead_letter(r, err.msg, file, line, NULL, 0, 0, NULL);
            continue;
        }
        for (size_t a = 0; a < alerts.n; a++) {
            if (r->store) {
                /* id from the record's position: re-running the same input stores nothing twice */
                char pos[700], id[37];
                snprintf(pos, sizeof pos, "%s#%zu", where, i);
                vgl_alert_id(pos, alerts.items[a].rule_name, id);
                bool inserted = false;
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                if (vgl_store_add_alert(r->store, id, &alerts.items[a].fields,
                                        (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000, &inserted,
                                        &err) != 0)
                    dead_letter(r, err.msg, file, line, NULL, 0, 0, NULL);
                r->stored += inserted;
            }
            vgl_buf_puts(&r->out, "{\"rule\":");
            vgl_json_write_str(&r->out, alerts.items[a].rule_name, strlen(alerts.items[a].rule_name));
            vgl_buf_putc(&r->out, ',');
            write_source(&r->out, file, line);
            vgl_buf_puts(&r->out, ",\"alert\":");
            vgl_json_write(&r->out, &alerts.items[a].fields);
            vgl_buf_puts(&r->out, "}\n");
        }
        r->alerts += alerts.n;
    }
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

static void classify_payload(struct run *r, const char *file, uint64_t line, const char *data,
                             size_t len)
{
    r->payloads++;
    struct vgl_payload p = {.data = data, .len = len};
    struct vgl_classified res;
    struct vgl_error err;
    vgl_error_clear(&err);
    if (r->only) {
        memset(&res, 0, sizeof res);
        char reason[VGL_REASON_MAX];
        struct vgl_json *recs;
        size_t n = vgl_classify_one(r->only, &p, &r->arena, &r->opts, &recs, reason, sizeof reason);
        if (n) {
            res.schema = r->only;
            res.records = recs;
            res.nrecords = n;
            for (size_t i = 0; i < n && r->only->normalization; i++)
                vgl_normalize(r->only->normalization, &recs[i], &r->arena, &err);
        } else {
            res.attempts = vgl_arena_alloc(&r->arena, sizeof *res.attempts);
            res.attempts[0].schema = r->only;
            snprintf(res.attempts[0].reason, sizeof res.attempts[0].reason, "%s", reason);
            res.nattempts = 1;
        }
    } else if (vgl_classify(r->src, &p, &r->arena, &r->opts, &res, &err) != 0) {
        r->unmatched++;
        dead_letter(r, err.msg, file, line, data, len, len, NULL);
        return;
    }
    if (!res.schema) {
        r->unmatched++;
        dead_letter(r, r->src && r->src->ncandidates == 0 ? "no log types defined for this resource"
                                                           : "no schema matched",
                    file, line, data, len, len, &res);
        return;
    }
    r->invalid_sub += res.ninvalid;
    if (r->rules) {
        run_rules(r, &res, file, line);
    } else {
        for (size_t i = 0; i < res.nrecords; i++)
            write_record(r, res.schema, &res.records[i], file, line);
    }
    r->records += res.nrecords;
    count_type(r, res.schema->name, res.nrecords);
}

static void end_batch_if_full(struct run *r, bool force)
{
    if (++r->in_batch >= BATCH_PAYLOADS || force) {
        if (r->store) {
            /* a batch's alerts commit together */
            struct vgl_error err;
            vgl_error_clear(&err);
            if (vgl_store_commit(r->store, &err) != 0 || vgl_store_begin(r->store, &err) != 0) {
                fprintf(stderr, "vigil classify: %s\n", err.msg);
                r->io_error = 1;
            }
        }
        flush_out(r, false);
        vgl_arena_reset(&r->arena);
        r->in_batch = 0;
    }
}

static int run_lines(struct run *r, const char *path, struct vgl_progress *prog)
{
    struct vgl_error err = {0};
    struct vgl_lines *lr = vgl_lines_open(path, r->cfg->settings.max_record_bytes, &err);
    if (!lr) {
        fprintf(stderr, "vigil classify: %s\n", err.msg);
        return -1;
    }
    const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    struct vgl_line ln;
    int rc;
    while ((rc = vgl_lines_next(lr, &ln, &err)) > 0) {
        r->bytes += ln.oversize ? ln.oversize_len : ln.len + 1;
        if (ln.oversize) {
            r->oversize++;
            r->payloads++;
            r->unmatched++;
            char reason[200];
            snprintf(reason, sizeof reason,
                     "payload of %zu bytes is over max_record_bytes (%zu); not classified",
                     ln.oversize_len, r->cfg->settings.max_record_bytes);
            dead_letter(r, reason, name, ln.lineno, NULL, 0, ln.oversize_len, NULL);
        } else if (blank(ln.data, ln.len)) {
            r->blank++;
        } else {
            classify_payload(r, name, ln.lineno, ln.data, ln.len);
        }
        end_batch_if_full(r, false);
        if ((r->payloads & 1023) == 0)
            vgl_progress_update(prog, vgl_lines_bytes_read(lr), vgl_lines_total_bytes(lr), r->records);
    }
    if (rc < 0)
        fprintf(stderr, "vigil classify: %s\n", err.msg);
    vgl_lines_free(lr);
    return rc < 0 ? -1 : 0;
}

static int run_document(struct run *r, const char *path)
{
    struct vgl_buf doc;
    vgl_buf_init(&doc, r->cfg->settings.max_record_bytes);
    struct vgl_error err = {0};
    const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    int rc = vgl_read_file(path, r->cfg->settings.max_record_bytes, &doc, &err);
    if (rc == VGL_ELIMIT) {
        r->payloads++;
        r->unmatched++;
        dead_letter(r, err.msg, name, 0, NULL, 0, 0, NULL);
        rc = 0;
    } else if (rc) {
        fprintf(stderr, "vigil classify: %s\n", err.msg);
    } else {
        r->bytes += doc.len;
        classify_payload(r, name, 0, doc.data ? doc.data : "", doc.len);
        end_batch_if_full(r, true);
    }
    flush_out(r, true);
    vgl_buf_release(&doc);
    return rc ? -1 : 0;
}

static const struct vgl_data_source *pick_source(const struct vgl_config *cfg, const char *service,
                                                 const char *resource)
{
    const struct vgl_data_source *found = NULL;
    if (service && resource)
        return vgl_config_source(cfg, service, resource);
    for (size_t i = 0; i < cfg->nsources; i++) {
        const struct vgl_data_source *s = &cfg->sources[i];
        if ((resource && strcmp(s->resource, resource) != 0) || (service && strcmp(s->service, service) != 0))
            continue;
        if (found)
            return NULL;
        found = s;
    }
    return found;
}

static void list_sources(const struct vgl_config *cfg)
{
    fprintf(stderr, "data sources in %s:\n", cfg->dir);
    for (size_t i = 0; i < cfg->nsources; i++)
        fprintf(stderr, "  --service %s --resource %s   (cluster %s, %zu schemas)\n",
                cfg->sources[i].service, cfg->sources[i].resource, cfg->sources[i].cluster,
                cfg->sources[i].ncandidates);
}

int vgl_cmd_classify(int argc, char **argv)
{
    const char *conf = "conf", *service = NULL, *resource = NULL, *log_type = NULL;
    const char *dead_path = NULL, *format = "lines";
    bool progress = true, with_rules = false, profile = false, with_store = false;
    const char **files = vgl_xcalloc((size_t)argc + 1, sizeof *files);
    size_t nfiles = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has = i + 1 < argc;
        if (strcmp(a, "--config") == 0 && has)
            conf = argv[++i];
        else if (strcmp(a, "--service") == 0 && has)
            service = argv[++i];
        else if (strcmp(a, "--resource") == 0 && has)
            resource = argv[++i];
        else if (strcmp(a, "--log-type") == 0 && has)
            log_type = argv[++i];
        else if (strcmp(a, "--dead-letters") == 0 && has)
            dead_path = argv[++i];
        else if (strcmp(a, "--format") == 0 && has)
            format = argv[++i];
        else if (strcmp(a, "--no-progress") == 0)
            progress = false;
        else if (strcmp(a, "--rules") == 0)
            with_rules = true;
        else if (strcmp(a, "--profile") == 0)
            profile = true;
        else if (strcmp(a, "--store") == 0)
            with_store = true;
        else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            free(files);
            return VGL_EXIT_OK;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "vigil classify: unknown option '%s'%s\n", a,
                    has ? "" : " (or missing its value)");
            usage(stderr);
            free(files);
            return VGL_EXIT_USAGE;
        } else {
            files[nfiles++] = a;
        }
    }
    if (strcmp(format, "lines") != 0 && strcmp(format, "document") != 0) {
        fprintf(stderr, "vigil classify: --format must be 'lines' or 'document', not '%s'\n", format);
        free(files);
        return VGL_EXIT_USAGE;
    }
    if (log_type && (service || resource)) {
        fprintf(stderr, "vigil classify: give --log-type or --service/--resource, not both\n");
        free(files);
        return VGL_EXIT_USAGE;
    }
    if (nfiles == 0)
        files[nfiles++] = "-";

    struct vgl_config *cfg = vgl_cli_load_config(conf, true);
    if (!cfg) {
        free(files);
        return VGL_EXIT_CONFIG;
    }
    struct run r = {.cfg = cfg, .document = strcmp(format, "document") == 0};
    int exit_code = VGL_EXIT_OK;
    if (log_type) {
        r.only = vgl_config_schema(cfg, log_type);
        if (!r.only) {
            fprintf(stderr, "vigil classify: no schema named '%s' in %s\n", log_type, conf);
            exit_code = VGL_EXIT_USAGE;
            goto out;
        }
    } else {
        r.src = pick_source(cfg, service, resource);
        if (!r.src) {
            if (service || resource)
                fprintf(stderr, "vigil classify: no data source for service '%s' resource '%s'\n",
                        service ? service : "*", resource ? resource : "*");
            else
                fprintf(stderr, "vigil classify: the config has %zu data sources: pick one with "
                                "--service and --resource, or give --log-type\n", cfg->nsources);
            list_sources(cfg);
            exit_code = VGL_EXIT_USAGE;
            goto out;
        }
    }
    if (with_rules) {
        struct vgl_diag diag;
        vgl_diag_init(&diag);
        r.rules = vgl_rules_load(cfg, NULL, &diag);
        vgl_cli_print_diag(&diag);
        vgl_diag_release(&diag);
        if (!r.rules) {
            fprintf(stderr, "vigil classify: the rules did not load (run `vigil validate --config %s`)\n",
                    conf);
            exit_code = VGL_EXIT_CONFIG;
            goto out;
        }
    }
    if (with_store) {
        if (!with_rules) {
            fprintf(stderr, "vigil classify: --store stores alerts, so it needs --rules\n");
            exit_code = VGL_EXIT_USAGE;
            goto out;
        }
        char path[4200];
        struct vgl_error err = {0};
        r.store = vgl_cli_open_store(cfg, "classify", path, sizeof path);
        if (!r.store) {
            exit_code = VGL_EXIT_RUNTIME;
            goto out;
        }
        if (vgl_store_begin(r.store, &err) != 0) {
            fprintf(stderr, "vigil classify: %s\n", err.msg);
            exit_code = VGL_EXIT_RUNTIME;
            goto out;
        }
    }
    r.opts.max_depth = (size_t)cfg->settings.max_json_depth;
    r.opts.explain = true;
    r.opts.legacy_norm = cfg->settings.legacy_normalization ? cfg->legacy_norm : NULL;
    r.dead = stderr;
    r.dead_name = "stderr";
    if (dead_path && strcmp(dead_path, "-") != 0) {
        r.dead = fopen(dead_path, "w");
        r.dead_name = dead_path;
        if (!r.dead) {
            fprintf(stderr, "vigil classify: cannot open dead-letter file '%s': %s\n", dead_path,
                    strerror(errno));
            exit_code = VGL_EXIT_RUNTIME;
            goto out;
        }
    }
    vgl_buf_init(&r.out, 0);
    vgl_buf_init(&r.dl, 0);
    vgl_arena_init(&r.arena, 1 << 20);
    struct vgl_progress prog;
    vgl_progress_init(&prog, progress);
    double t0 = vgl_cli_now();
    int failures = 0;
    for (size_t i = 0; i < nfiles; i++)
        failures += (r.document ? run_document(&r, files[i]) : run_lines(&r, files[i], &prog)) != 0;
    flush_out(&r, true);
    fflush(stdout);
    vgl_progress_done(&prog);
    double el = vgl_cli_now() - t0;

    fprintf(stderr, "classified %llu records from %llu payloads in %.2fs (%.0f records/s, %.1f MB/s)\n",
            (unsigned long long)r.records, (unsigned long long)r.payloads, el,
            el > 0 ? (double)r.records / el : 0.0, el > 0 ? (double)r.bytes / el / 1e6 : 0.0);
    for (size_t i = 0; i < r.ncounts; i++)
        fprintf(stderr, "  %-40s %llu\n", r.counts[i].name, (unsigned long long)r.counts[i].n);
    if (r.unmatched)
        fprintf(stderr, "  %-40s %llu (dead letters: %s)\n", "unmatched", (unsigned long long)r.unmatched,
                r.dead_name);
    if (r.oversize)
        fprintf(stderr, "  %-40s %llu\n", "over max_record_bytes", (unsigned long long)r.oversize);
    if (r.invalid_sub)
        fprintf(stderr, "  %-40s %llu\n", "invalid sub-records dropped", (unsigned long long)r.invalid_sub);
    if (r.blank)
        fprintf(stderr, "  %-40s %llu\n", "blank lines skipped", (unsigned long long)r.blank);
    if (r.store) {
        struct vgl_error err = {0};
        if (vgl_store_commit(r.store, &err) != 0) {
            fprintf(stderr, "vigil classify: %s\n", err.msg);
            r.io_error = 1;
        }
        char path[4200];
        vgl_cli_store_path(cfg, path, sizeof path);
        fprintf(stderr, "  %-40s %llu (in %s)\n", "alerts stored (new)", (unsigned long long)r.stored, path);
    }
    if (r.rules) {
        fprintf(stderr, "  %-40s %llu\n", "alerts", (unsigned long long)r.alerts);
        size_t n;
        const struct vgl_rule_stats *st = vgl_rules_stats(r.rules, &n);
        for (size_t i = 0; profile && i < n; i++)
            fprintf(stderr, "  rule %-35s %8llu calls %6llu hits %6llu errors %10.3f ms\n", st[i].name,
                    (unsigned long long)st[i].calls, (unsigned long long)st[i].hits,
                    (unsigned long long)st[i].errors, (double)st[i].ns / 1e6);
    }
    if (failures || r.io_error)
        exit_code = VGL_EXIT_RUNTIME;
    else if (r.unmatched)
        exit_code = VGL_EXIT_FAIL;
    if (r.dead != stderr)
        fclose(r.dead);
    vgl_buf_release(&r.out);
    vgl_buf_release(&r.dl);
    vgl_arena_release(&r.arena);
    free(r.counts);
out:
    vgl_store_close(r.store);
    vgl_rules_free(r.rules);
    vgl_config_free(cfg);
    free(files);
    return exit_code;
}
