/*
 * cli/cmd_test.c: `vigil test classifier|rules`: StreamAlert test-event files.
 *
 * Walks the given paths for *.json test files (compat 9.2), validates and expands each
 * event exactly as StreamAlert's runner does (9.3), classifies its payload through the
 * same path production uses (9.4), and prints StreamAlert's console report (9.8) plus an
 * optional JSON report.  The rules mode needs the Python rules engine; until it exists
 * `vigil test rules` says so and exits with a usage error.
 */
#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "config/config.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/xmalloc.h"
#include "frame/lines.h"
#include "json/json.h"
#include "parse/classify.h"
#include "rules/rules.h"

#define GREEN "\033[0;32;1m"
#define RED "\033[0;31;1m"
#define YELLOW "\033[0;33;1m"
#define UNDERLINE "\033[4m"
#define RESET "\033[0m"

enum test_mode { MODE_CLASSIFIER, MODE_RULES };

struct opts {
    enum test_mode mode;
    const char *conf;
    const char *json_out;
    const char **paths;
    size_t npaths;
    const char **only_files;
    size_t nonly_files;
    const char **rule_dirs;      /* -d: folders imported as rule code */
    size_t nrule_dirs;
    const char **only_rules;     /* -r: run only events expecting one of these */
    size_t nonly_rules;
    bool verbose, quiet, color, profile;
    long repeat;
};

struct result {
    const char *file;
    size_t index;                 /* 1-based */
    char *description;
    char *declared;               /* log */
    const char *classified;       /* winning schema name or NULL */
    char *error;                  /* validation/config error, or NULL */
    bool classify_only;
    bool passed;
    bool suppressed;              /* -r filtered it out: neither pass nor fail */
    struct vgl_json expected;     /* trigger_rules as given (array) */
    bool rules_ran, rules_ok;
    const char **triggered;       /* sorted, unique; names owned by the rules engine */
    size_t ntriggered;
    struct vgl_pub_result *pubs;  /* in the runner's arena */
    size_t npubs, npub_failed;
    char *alerts_json;            /* [{"rule":..., "outputs":[...]}] for --json */
};

struct runner {
    struct opts o;
    struct vgl_config *cfg;
    struct vgl_arena arena;       /* per-run: results and their strings */
    struct result *results;
    size_t nresults, cap;
    size_t pass, fail;
    size_t file_errors;
    struct vgl_buf report;        /* JSON report */
    struct vgl_rules *rules;      /* rules mode */
    char **tested;                /* rules named by events that classified (untested list) */
    size_t ntested, tested_cap;
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: vigil test classifier|rules [--config DIR] [--json FILE] [-f FILE...]\n"
            "                  [-d DIR...] [-r RULE...] [-n N] [--profile] [-v|-q]\n"
            "                  [--color|--no-color] [PATH...]\n\n"
            "Runs StreamAlert test-event files: every *.json file under each PATH (default: the\n"
            "rules/ folder beside --config, which defaults to ./conf).  Each event is validated\n"
            "and classified exactly as StreamAlert's `manage.py test` does; a failing event shows\n"
            "the classified and expected log types.  --json FILE (- for stdout) writes one entry\n"
            "per event.  "
            "-f FILE runs only those test files.\n"
            "rules mode: runs the rules on every classified record and compares the rules that\n"
            "fired with trigger_rules, then runs publisher_tests.  -d DIR: folders imported as\n"
            "rule code (default: global.json's rule_locations); -r RULE: only events expecting\n"
            "that rule; -n N: repeat the run; --profile (or -s): per-rule calls, hits, errors\n"
            "and time.\n\n%s",
            VGL_EXIT_CODES_HELP);
}

static char *xsprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *xsprintf(const char *fmt, ...)
{
    struct vgl_buf b;
    vgl_buf_init(&b, 0);
    va_list ap;
    va_start(ap, fmt);
    vgl_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    return vgl_buf_detach(&b, NULL);
}

static const char *c_(const struct runner *r, const char *code)
{
    return r->o.color ? code : "";
}

/* ---- file walking (compat 9.2) ------------------------------------------------------ */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(const char *path, char ***files, size_t *n, size_t *cap)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return;
    if (S_ISREG(st.st_mode)) {
        size_t l = strlen(path);
        if (l > 5 && strcmp(path + l - 5, ".json") == 0) {
            *files = vgl_xgrow(*files, cap, *n + 1, sizeof **files);
            (*files)[(*n)++] = vgl_xstrdup(path);
        }
        return;
    }
    if (!S_ISDIR(st.st_mode))
        return;
    DIR *d = opendir(path);
    if (!d)
        return;
    char **names = NULL;
    size_t nn = 0, ncap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        names = vgl_xgrow(names, &ncap, nn + 1, sizeof *names);
        names[nn++] = xsprintf("%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", e->d_name);
    }
    closedir(d);
    if (nn)
        qsort(names, nn, sizeof *names, cmp_str);
    for (size_t i = 0; i < nn; i++) {
        walk(names[i], files, n, cap);
        free(names[i]);
    }
    free(names);
}

/* ---- event expansion (compat 9.3) --------------------------------------------------- */

static const char *const known_keys[] = {
    "description", "log", "service", "source", "data", "override_record", "trigger_rules",
    "classify_only", "publisher_tests", "skip_publishers", "test_fixtures", "compress",
    "validate_schema_only",
};

static const char *find_sub(const char *hay, size_t n, const char *needle, size_t nn)
{
    for (size_t i = 0; i + nn <= n; i++)
        if (memcmp(hay + i, needle, nn) == 0)
            return hay + i;
    return NULL;
}

/* Replaces <helper:NAME> in string values of nested objects (not inside lists). */
static int apply_helpers(struct vgl_arena *a, struct vgl_json *v, char **error)
{
    if (v->type == VGL_JSON_STRING) {
        const char *s = v->u.s;
        size_t n = v->len;
        if (!find_sub(s, n, "<helper:", 8))
            return 0;
        struct vgl_buf b;
        vgl_buf_init(&b, 0);
        size_t i = 0;
        while (i < n) {
            const char *h = find_sub(s + i, n - i, "<helper:", 8);
            if (!h) {
                vgl_buf_append(&b, s + i, n - i);
                break;
            }
            vgl_buf_append(&b, s + i, (size_t)(h - (s + i)));
            const char *end = memchr(h, '>', (size_t)(s + n - h));
            if (!end) {
                vgl_buf_append(&b, h, (size_t)(s + n - h));
                break;
            }
            const char *name = h + 8;
            size_t nl = (size_t)(end - name);
            if (nl == 9 && memcmp(name, "last_hour", 9) == 0) {
                vgl_buf_printf(&b, "%lld", (long long)time(NULL) - 60);
            } else {
                *error = xsprintf("unknown test helper '<helper:%.*s>' (known: last_hour)", (int)nl, name);
                vgl_buf_release(&b);
                return -1;
            }
            i = (size_t)(end + 1 - s);
        }
        *v = vgl_json_str(vgl_arena_strndup(a, b.data ? b.data : "", b.len), b.len);
        vgl_buf_release(&b);
        return 0;
    }
    if (v->type == VGL_JSON_OBJECT) {
        struct vgl_json_member *m = vgl_arena_memdup(a, v->u.members, v->len * sizeof *m);
        v->u.members = m;
        vgl_json_touch(v);
        for (uint32_t i = 0; i < v->len; i++)
            if (apply_helpers(a, &m[i].val, error))
                return -1;
    }
    return 0;
}

/* Defaults from envelope_keys (if any) or the schema, with override_record on top. */
static int expand_override(struct vgl_arena *a, const struct vgl_schema *sc,
                           const struct vgl_json *override, struct vgl_json *out, char **error)
{
    const struct vgl_json *tmpl = sc->envelope->len ? sc->envelope : sc->schema;
    size_t cap = tmpl->len + override->len + 1;
    struct vgl_json_member *m = vgl_arena_alloc(a, cap * sizeof *m);
    size_t n = 0;
    for (uint32_t i = 0; i < tmpl->len; i++) {
        const struct vgl_json_member *t = &tmpl->u.members[i];
        struct vgl_json dv;
        if (!vgl_schema_default(&t->val, &dv)) {
            *error = xsprintf("override_record: no default for key '%.*s' of unknown type",
                              (int)t->klen, t->key);
            return -1;
        }
        m[n++] = (struct vgl_json_member){t->key, t->klen, t->kflags, dv};
    }
    for (uint32_t i = 0; i < override->len; i++) {
        const struct vgl_json_member *o = &override->u.members[i];
        size_t k;
        for (k = 0; k < n; k++)
            if (m[k].klen == o->klen && memcmp(m[k].key, o->key, o->klen) == 0)
                break;
        m[k] = *o;
        if (k == n)
            n++;
    }
    *out = (struct vgl_json){.type = VGL_JSON_OBJECT, .len = (uint32_t)n, .u.members = m};
    return 0;
}

static bool truthy_key(const struct vgl_json *ev, const char *k)
{
    const struct vgl_json *v = vgl_json_getz(ev, k);
    return v && vgl_json_truthy(v);
}

static char *str_dup_json(const struct vgl_json *v)
{
    if (!v || v->type != VGL_JSON_STRING)
        return NULL;
    return vgl_xstrndup(v->u.s, v->len);
}

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Expected rule names that are not disabled (compat 9.5). */
static bool expected_active(const struct runner *r, const struct vgl_json *it)
{
    if (it->type != VGL_JSON_STRING)
        return false;
    char name[512];
    snprintf(name, sizeof name, "%.*s", (int)it->len, it->u.s);
    bool disabled = false;
    return !(vgl_rules_exists(r->rules, name, &disabled) && disabled);
}

static void note_tested(struct runner *r, const struct vgl_json *expected)
{
    for (uint32_t i = 0; i < expected->len; i++) {
        const struct vgl_json *it = &expected->u.items[i];
        if (it->type != VGL_JSON_STRING)
            continue;
        r->tested = vgl_xgrow(r->tested, &r->tested_cap, r->ntested + 1, sizeof *r->tested);
        r->tested[r->ntested++] = vgl_xstrndup(it->u.s, it->len);
    }
}

/* -r: run the event only if one of its expected, enabled rules is in the filter. */
static bool suppressed_by_filter(const struct runner *r, const struct vgl_json *expected)
{
    if (r->o.nonly_rules == 0)
        return false;
    for (uint32_t i = 0; i < expected->len; i++) {
        const struct vgl_json *it = &expected->u.items[i];
        if (!expected_active(r, it))
            continue;
        for (size_t k = 0; k < r->o.nonly_rules; k++)
            if (it->len == strlen(r->o.only_rules[k]) && memcmp(it->u.s, r->o.only_rules[k], it->len) == 0)
                return false;
    }
    return true;
}

/* Runs the rules on every record of the event, then its publisher tests (compat 9.4-9.6). */
static void run_rules(struct runner *r, struct result *res, const struct vgl_json *ev,
                      const struct vgl_data_source *src, const struct vgl_classified *cl,
                      const char *file)
{
    struct vgl_error err = {0};
    res->rules_ran = true;
    const struct vgl_json *fixtures = vgl_json_getz(ev, "test_fixtures");
    if (vgl_rules_set_fixtures(r->rules, fixtures, &err) != 0) {
        res->error = xsprintf("%s", err.msg);
        return;
    }
    struct vgl_alerts alerts = {0};
    char where[600];
    snprintf(where, sizeof where, "%s:%zu", file, res->index);
    for (size_t i = 0; cl->schema && i < cl->nrecords; i++) {
        struct vgl_rule_input in = {
            .record = &cl->records[i], .log_type = cl->schema->name, .parser = cl->schema->parser_name,
            .cluster = src->cluster, .service = src->service, .resource = src->resource, .where = where,
        };
        if (vgl_rules_eval(r->rules, &in, &r->arena, &alerts, &err) != 0) {
            res->error = xsprintf("%s", err.msg);
            break;
        }
    }
    /* Triggered: the set of rule names of all alerts, sorted. */
    res->triggered = vgl_xcalloc(alerts.n + 1, sizeof *res->triggered);
    for (size_t i = 0; i < alerts.n; i++) {
        bool seen = false;
        for (size_t k = 0; k < res->ntriggered && !seen; k++)
            seen = strcmp(res->triggered[k], alerts.items[i].rule_name) == 0;
        if (!seen)
            res->triggered[res->ntriggered++] = alerts.items[i].rule_name;
    }
    qsort(res->triggered, res->ntriggered, sizeof *res->triggered, cmp_cstr);
    /* Pass iff set(triggered) == set(expected - disabled). */
    bool ok = true;
    for (size_t k = 0; k < res->ntriggered && ok; k++)
        ok = vgl_json_array_has_str(&res->expected, res->triggered[k], strlen(res->triggered[k]));
    for (uint32_t i = 0; i < res->expected.len && ok; i++) {
        const struct vgl_json *it = &res->expected.u.items[i];
        if (!expected_active(r, it))
            continue;
        bool found = false;
        for (size_t k = 0; k < res->ntriggered && !found; k++)
            found = it->len == strlen(res->triggered[k]) && memcmp(it->u.s, res->triggered[k], it->len) == 0;
        ok = found;
    }
    res->rules_ok = ok;
    /* Alerts and their outputs, for the JSON report. */
    struct vgl_buf b;
    vgl_buf_init(&b, 0);
    vgl_buf_putc(&b, '[');
    for (size_t i = 0; i < alerts.n; i++) {
        vgl_buf_puts(&b, i ? ",{\"rule\":" : "{\"rule\":");
        vgl_json_write_str(&b, alerts.items[i].rule_name, strlen(alerts.items[i].rule_name));
        const struct vgl_json *outs = vgl_json_getz(&alerts.items[i].fields, "outputs");
        vgl_buf_puts(&b, ",\"outputs\":");
        if (outs)
            vgl_json_write(&b, outs);
        else
            vgl_buf_puts(&b, "[]");
        vgl_buf_putc(&b, '}');
    }
    vgl_buf_putc(&b, ']');
    res->alerts_json = vgl_buf_detach(&b, NULL);
    const struct vgl_json *pt = vgl_json_getz(ev, "publisher_tests");
    const struct vgl_json *skip = vgl_json_getz(ev, "skip_publishers");
    if (pt && pt->type == VGL_JSON_OBJECT && pt->len && alerts.n && !(skip && vgl_json_truthy(skip))) {
        if (vgl_rules_publisher_tests(r->rules, &alerts, pt, &r->arena, &res->pubs, &res->npubs, &err) != 0) {
            res->error = xsprintf("%s", err.msg);
        }
        for (size_t i = 0; i < res->npubs; i++)
            res->npub_failed += !res->pubs[i].passed;
    }
    vgl_rules_clear_fixtures(r->rules);
}

/* Validates, expands and classifies one event; fills res. */
static void run_event(struct runner *r, const char *file, size_t index, struct vgl_json ev)
{
    r->results = vgl_xgrow(r->results, &r->cap, r->nresults + 1, sizeof *r->results);
    struct result *res = &r->results[r->nresults++];
    memset(res, 0, sizeof *res);
    res->file = file;
    res->index = index;
    res->expected = (struct vgl_json){.type = VGL_JSON_ARRAY};
    struct vgl_arena *a = &r->arena;

    if (ev.type != VGL_JSON_OBJECT) {
        res->error = xsprintf("Invalid type for event: %s; should be dict", vgl_json_pytype(&ev));
        return;
    }
    res->description = str_dup_json(vgl_json_getz(&ev, "description"));
    res->declared = str_dup_json(vgl_json_getz(&ev, "log"));
    static const char *const required[] = {"description", "log", "service", "source"};
    struct vgl_buf missing;
    vgl_buf_init(&missing, 0);
    for (int i = 0; i < 4; i++)
        if (!vgl_json_getz(&ev, required[i]))
            vgl_buf_printf(&missing, "%s'%s'", missing.len ? ", " : "", required[i]);
    if (missing.len) {
        res->error = xsprintf("Missing required key(s) in test event: %s", missing.data);
        vgl_buf_release(&missing);
        return;
    }
    vgl_buf_release(&missing);
    for (uint32_t i = 0; i < ev.len; i++) {
        const struct vgl_json_member *m = &ev.u.members[i];
        bool known = false;
        for (size_t k = 0; k < sizeof known_keys / sizeof known_keys[0]; k++)
            known |= m->klen == strlen(known_keys[k]) && memcmp(m->key, known_keys[k], m->klen) == 0;
        if (!known)
            fprintf(stderr, "warning: %s: event %zu: Additional unnecessary keys in test event: '%.*s'\n",
                    file, index, (int)m->klen, m->key);
    }
    if (!truthy_key(&ev, "data") && !truthy_key(&ev, "override_record")) {
        res->error = xsprintf("Test event must contain either 'data' or 'override_record'");
        return;
    }
    bool classify_only = truthy_key(&ev, "classify_only");
    const struct vgl_json *vso = vgl_json_getz(&ev, "validate_schema_only");
    if (vso) {
        fprintf(stderr, "warning: %s: event %zu: 'validate_schema_only' is the pre-v3.1 name of "
                        "'classify_only'; treated as it\n", file, index);
        classify_only = classify_only || vgl_json_truthy(vso);
    }
    res->classify_only = classify_only;
    const struct vgl_json *trig = vgl_json_getz(&ev, "trigger_rules");
    if (!classify_only && !trig) {
        res->error = xsprintf("Test events that are not 'classify_only' should have 'trigger_rules' defined");
        return;
    }
    if (trig && trig->type == VGL_JSON_ARRAY)
        res->expected = *trig;
    const struct vgl_json *log = vgl_json_getz(&ev, "log");
    const struct vgl_schema *sc = log->type == VGL_JSON_STRING && res->declared
                                      ? vgl_config_schema(r->cfg, res->declared) : NULL;
    if (!sc) {
        res->error = xsprintf("No defined schema in config for log type: %s",
                              res->declared ? res->declared : "(not a string)");
        return;
    }
    char *service = str_dup_json(vgl_json_getz(&ev, "service"));
    char *source = str_dup_json(vgl_json_getz(&ev, "source"));
    if (!service || !vgl_config_service_known(service)) {
        res->error = xsprintf("Unsupported service: %s", service ? service : "(not a string)");
        goto out;
    }
    if (apply_helpers(a, &ev, &res->error) != 0)
        goto out;
    const struct vgl_data_source *src = source ? vgl_config_source(r->cfg, service, source) : NULL;
    if (!src) {
        /* StreamAlert aborts the whole run here (compat 9.4); vigil fails this event. */
        res->error = xsprintf("Test event's \"service\" (%s) and \"source\" (%s) are not defined "
                              "within the \"data_sources\" of any configured clusters: %s:%zu",
                              service, source ? source : "(not a string)", file, index - 1);
        goto out;
    }
    struct vgl_json data;
    const struct vgl_json *override = vgl_json_getz(&ev, "override_record");
    if (override && vgl_json_truthy(override)) {
        if (override->type != VGL_JSON_OBJECT) {
            res->error = xsprintf("Invalid data type: %s", vgl_json_pytype(override));
            goto out;
        }
        if (expand_override(a, sc, override, &data, &res->error) != 0)
            goto out;
    } else {
        data = *vgl_json_getz(&ev, "data");
        if (data.type != VGL_JSON_OBJECT && data.type != VGL_JSON_STRING) {
            res->error = xsprintf("Invalid data type: %s", vgl_json_pytype(&data));
            goto out;
        }
    }
    /* An object is sent as its JSON text; a string as it is. */
    struct vgl_payload p;
    if (data.type == VGL_JSON_STRING) {
        p = (struct vgl_payload){.data = data.u.s, .len = data.len};
    } else {
        struct vgl_buf b;
        vgl_buf_init(&b, 0);
        vgl_json_write(&b, &data);
        p = (struct vgl_payload){.data = vgl_arena_strndup(a, b.data, b.len), .len = b.len};
        vgl_buf_release(&b);
    }
    struct vgl_classify_opts co = {
        .max_depth = (size_t)r->cfg->settings.max_json_depth,
        .legacy_norm = r->cfg->settings.legacy_normalization ? r->cfg->legacy_norm : NULL,
    };
    struct vgl_classified cl;
    struct vgl_error err = {0};
    if (vgl_classify(src, &p, a, &co, &cl, &err) != 0) {
        res->error = xsprintf("classification failed: %s", err.msg);
        goto out;
    }
    res->classified = cl.schema ? cl.schema->name : NULL;
    res->passed = res->classified && strcmp(res->classified, sc->name) == 0;
    if (r->o.mode == MODE_RULES && !classify_only) {
        if (suppressed_by_filter(r, &res->expected)) {
            res->suppressed = true;
            goto out;
        }
        if (res->classified)
            note_tested(r, &res->expected);
        run_rules(r, res, &ev, src, &cl, file);
        res->passed = res->passed && res->rules_ok && res->npub_failed == 0 && !res->error;
    }
out:
    free(service);
    free(source);
}

/* ---- reporting (compat 9.8) --------------------------------------------------------- */

/* "a, b (does not exist)" sorted; names missing from the other list in red. */
static void print_names(const struct runner *r, const char **names, size_t n, const char **other,
                        size_t nother, bool mark_missing)
{
    if (n == 0) {
        printf("<None>");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        bool in_other = false;
        for (size_t k = 0; k < nother && !in_other; k++)
            in_other = strcmp(names[i], other[k]) == 0;
        bool exists = vgl_rules_exists(r->rules, names[i], NULL);
        printf("%s%s%s%s%s", i ? ", " : "", c_(r, in_other ? "" : RED), names[i],
               c_(r, in_other ? "" : RESET), mark_missing && !exists ? " (does not exist)" : "");
    }
}

/* Expected names as a sorted C array; disabled ones go to *disabled. */
static size_t expected_names(const struct runner *r, const struct vgl_json *list, const char **out,
                             const char **disabled, size_t *ndisabled)
{
    size_t n = 0;
    *ndisabled = 0;
    for (uint32_t i = 0; i < list->len; i++) {
        const struct vgl_json *it = &list->u.items[i];
        if (it->type != VGL_JSON_STRING)
            continue;
        char *name = vgl_arena_strndup((struct vgl_arena *)&r->arena, it->u.s, it->len);
        bool dis = false;
        if (vgl_rules_exists(r->rules, name, &dis) && dis)
            disabled[(*ndisabled)++] = name;
        else
            out[n++] = name;
    }
    qsort(out, n, sizeof *out, cmp_cstr);
    qsort(disabled, *ndisabled, sizeof *disabled, cmp_cstr);
    return n;
}

static void print_rules_block(const struct runner *r, const struct result *res)
{
    const char **exp = vgl_xcalloc(res->expected.len + 1, sizeof *exp);
    const char **dis = vgl_xcalloc(res->expected.len + 1, sizeof *dis);
    size_t ndis;
    size_t nexp = expected_names(r, &res->expected, exp, dis, &ndis);
    printf("\n    Rules: %s%s%s\n", c_(r, res->rules_ok ? GREEN : RED), res->rules_ok ? "Pass" : "Fail",
           c_(r, RESET));
    printf("        Triggered Rules: ");
    print_names(r, res->triggered, res->ntriggered, exp, nexp, false);
    printf("\n        Expected Rules: ");
    print_names(r, exp, nexp, res->triggered, res->ntriggered, true);
    printf("\n");
    if (ndis) {
        printf("        Disabled Rules: ");
        for (size_t i = 0; i < ndis; i++)
            printf("%s%s", i ? ", " : "", dis[i]);
        printf("\n");
    }
    free(exp);
    free(dis);
    if (res->npubs) {
        printf("\n    Publishers: %s%zu/%zu Passed%s\n", c_(r, res->npub_failed ? RED : GREEN),
               res->npubs - res->npub_failed, res->npubs, c_(r, RESET));
        if (res->npub_failed) {
            printf("        Errors:\n");
            for (size_t i = 0; i < res->npubs; i++)
                if (!res->pubs[i].passed)
                    printf("            %s: %s\n", res->pubs[i].output, res->pubs[i].message);
        }
    }
}

static void print_result(const struct runner *r, const struct result *res)
{
    bool failed = !res->passed;
    if (res->error) {
        printf("Test #%02zu: %sError - %s%s\n", res->index, c_(r, RED), res->error, c_(r, RESET));
        return;
    }
    if (!failed && !r->o.verbose) {
        printf("Test #%02zu: %sPass%s\n", res->index, c_(r, GREEN), c_(r, RESET));
        return;
    }
    printf("Test #%02zu:\n\n", res->index);
    printf("    Description: %s\n\n", res->description ? res->description : "");
    bool cls_ok = res->classified && res->declared && strcmp(res->classified, res->declared) == 0;
    printf("    Classification: %s%s%s\n", c_(r, cls_ok ? GREEN : RED), cls_ok ? "Pass" : "Fail",
           c_(r, RESET));
    printf("        Classified Type: %s%s%s\n", c_(r, cls_ok ? "" : RED),
           res->classified ? res->classified : "<None>", c_(r, cls_ok ? "" : RESET));
    printf("        Expected Type: %s\n", res->declared ? res->declared : "<None>");
    if (res->classify_only)
        printf("\n    Classify Only: True\n");
    if (r->o.mode == MODE_RULES && !res->classify_only && res->rules_ran)
        print_rules_block(r, res);
    printf("\n");
}

static void report_json(struct runner *r, const struct result *res)
{
    struct vgl_buf *b = &r->report;
    vgl_buf_puts(b, r->report.len > 2 ? ",\n  {" : "\n  {");
    vgl_buf_puts(b, "\"file\":");
    vgl_json_write_str(b, res->file, strlen(res->file));
    vgl_buf_printf(b, ",\"index\":%zu,\"description\":", res->index);
    if (res->description)
        vgl_json_write_str(b, res->description, strlen(res->description));
    else
        vgl_buf_puts(b, "null");
    vgl_buf_puts(b, ",\"declared_log_type\":");
    if (res->declared)
        vgl_json_write_str(b, res->declared, strlen(res->declared));
    else
        vgl_buf_puts(b, "null");
    vgl_buf_puts(b, ",\"classified_log_type\":");
    if (res->classified)
        vgl_json_write_str(b, res->classified, strlen(res->classified));
    else
        vgl_buf_puts(b, "null");
    vgl_buf_printf(b, ",\"classify_only\":%s,\"expected_rules\":", res->classify_only ? "true" : "false");
    vgl_json_write(b, &res->expected);
    vgl_buf_puts(b, ",\"triggered_rules\":[");
    for (size_t i = 0; i < res->ntriggered; i++) {
        if (i)
            vgl_buf_putc(b, ',');
        vgl_json_write_str(b, res->triggered[i], strlen(res->triggered[i]));
    }
    vgl_buf_puts(b, "],\"alerts\":");
    vgl_buf_puts(b, res->alerts_json ? res->alerts_json : "[]");
    if (res->npubs) {
        vgl_buf_puts(b, ",\"publisher_tests\":[");
        for (size_t i = 0; i < res->npubs; i++) {
            vgl_buf_puts(b, i ? ",{\"output\":" : "{\"output\":");
            vgl_json_write_str(b, res->pubs[i].output, strlen(res->pubs[i].output));
            vgl_buf_printf(b, ",\"passed\":%s,\"message\":", res->pubs[i].passed ? "true" : "false");
            vgl_json_write_str(b, res->pubs[i].message, strlen(res->pubs[i].message));
            vgl_buf_putc(b, '}');
        }
        vgl_buf_putc(b, ']');
    }
    vgl_buf_puts(b, ",\"passed\":");
    vgl_buf_puts(b, res->passed ? "true" : "false");
    vgl_buf_puts(b, ",\"error\":");
    if (res->error)
        vgl_json_write_str(b, res->error, strlen(res->error));
    else
        vgl_buf_puts(b, "null");
    vgl_buf_putc(b, '}');
}

static void run_file(struct runner *r, const char *path)
{
    size_t first = r->nresults;
    struct vgl_buf text;
    vgl_buf_init(&text, 64u << 20);
    struct vgl_error err = {0};
    struct vgl_json doc;
    char *file_error = NULL;
    if (vgl_read_file(path, 64u << 20, &text, &err) != 0) {
        file_error = xsprintf("cannot read test file: %s", err.msg);
    } else if (vgl_json_parse(text.data ? text.data : "", text.len, &r->arena, NULL, &doc, &err) != 0) {
        /* StreamAlert silently skips such a file (compat 9.2 QUIRK); vigil fails it. */
        file_error = xsprintf("invalid json in test file: %s", err.msg);
    } else if (doc.type != VGL_JSON_ARRAY) {
        file_error = xsprintf("Test event file is improperly formatted; events should be in a list");
    } else {
        /* Strings point into text: keep a copy in the arena for the results' lifetime. */
        for (uint32_t i = 0; i < doc.len; i++)
            run_event(r, path, i + 1, doc.u.items[i]);
    }
    bool any_fail = file_error != NULL, any_shown = file_error != NULL;
    for (size_t i = first; i < r->nresults; i++) {
        if (r->results[i].suppressed)
            continue;
        any_shown = true;
        any_fail |= !r->results[i].passed;
        if (r->results[i].passed)
            r->pass++;
        else
            r->fail++;
    }
    /* A file block is printed when some result is not suppressed; with -q only when
     * something in it failed (compat 9.8). */
    if (any_shown && (!r->o.quiet || any_fail)) {
        printf("\n%sFile: %s%s\n\n", c_(r, UNDERLINE), path, c_(r, RESET));
        if (file_error)
            printf("%sError - %s%s\n", c_(r, RED), file_error, c_(r, RESET));
        for (size_t i = first; i < r->nresults; i++)
            if (!r->results[i].suppressed && (!r->o.quiet || !r->results[i].passed))
                print_result(r, &r->results[i]);
    }
    if (file_error) {
        r->file_errors++;
        r->fail++;
    }
    if (r->o.json_out) {
        for (size_t i = first; i < r->nresults; i++)
            if (!r->results[i].suppressed)
                report_json(r, &r->results[i]);
        if (file_error) {
            struct result fe = {.file = path, .index = 0, .error = file_error,
                                .expected = {.type = VGL_JSON_ARRAY}};
            report_json(r, &fe);
        }
    }
    free(file_error);
    /* Events hold pointers into text until reported; both are done now. */
    for (size_t i = first; i < r->nresults; i++) {
        struct result *res = &r->results[i];
        free(res->description);
        free(res->declared);
        free(res->error);
        free(res->triggered);
        free(res->alerts_json);
        res->triggered = NULL;
        res->alerts_json = NULL;
        res->ntriggered = res->npubs = res->npub_failed = 0;
        res->pubs = NULL;
        res->description = res->declared = res->error = NULL;
        res->expected = (struct vgl_json){.type = VGL_JSON_ARRAY};
        res->classified = NULL;
    }
    vgl_buf_release(&text);
    vgl_arena_reset(&r->arena);
}

/* Enabled rules never named by an event that classified and was not classify_only. */
static void print_untested(const struct runner *r)
{
    size_t n = vgl_rules_count(r->rules), nun = 0;
    const char **un = vgl_xcalloc(n + 1, sizeof *un);
    for (size_t i = 0; i < n; i++) {
        bool disabled;
        const char *name = vgl_rules_name(r->rules, i, &disabled);
        bool tested = disabled;
        for (size_t k = 0; k < r->ntested && !tested; k++)
            tested = strcmp(r->tested[k], name) == 0;
        if (!tested)
            un[nun++] = name;
    }
    if (nun) {
        qsort(un, nun, sizeof *un, cmp_cstr);
        printf("\n%sNo test events configured for the following rules:\n", c_(r, YELLOW));
        for (size_t i = 0; i < nun; i++)
            printf("%s\n", un[i]);
        printf("%s", c_(r, RESET));
    }
    free(un);
}

static int cmp_stats(const void *a, const void *b)
{
    const struct vgl_rule_stats *x = a, *y = b;
    return x->ns < y->ns ? 1 : x->ns > y->ns ? -1 : strcmp(x->name, y->name);
}

/* compat 9.8 -s: name padded to longest + 4, total ms, calls, average ms; by total time.
 * vigil adds hits and errors. */
static void print_stats(const struct runner *r)
{
    size_t n;
    const struct vgl_rule_stats *st = vgl_rules_stats(r->rules, &n);
    struct vgl_rule_stats *sorted = vgl_xcalloc(n + 1, sizeof *sorted);
    memcpy(sorted, st, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_stats);
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        w = strlen(sorted[i].name) > w ? strlen(sorted[i].name) : w;
    printf("\nRule statistics:\n\n");
    for (size_t i = 0; i < n; i++) {
        double ms = (double)sorted[i].ns / 1e6;
        printf("%-*s%14.8f ms  %6llu calls  %14.8f avg  %6llu hits  %6llu errors\n", (int)(w + 4),
               sorted[i].name, ms, (unsigned long long)sorted[i].calls,
               sorted[i].calls ? ms / (double)sorted[i].calls : 0.0,
               (unsigned long long)sorted[i].hits, (unsigned long long)sorted[i].errors);
    }
    free(sorted);
}

static int parse_args(int argc, char **argv, struct opts *o)
{
    if (argc < 2 || argv[1][0] == '-') {
        if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
            usage(stdout);
            return 1;
        }
        fprintf(stderr, "vigil test: say which mode: 'classifier' or 'rules'\n");
        usage(stderr);
        return -1;
    }
    if (strcmp(argv[1], "classifier") == 0) {
        o->mode = MODE_CLASSIFIER;
    } else if (strcmp(argv[1], "rules") == 0) {
        o->mode = MODE_RULES;
    } else {
        fprintf(stderr, "vigil test: unknown mode '%s' (classifier, rules)\n", argv[1]);
        return -1;
    }
    o->conf = "conf";
    o->color = isatty(STDOUT_FILENO);
    o->paths = vgl_xcalloc((size_t)argc + 1, sizeof *o->paths);
    o->only_files = vgl_xcalloc((size_t)argc + 1, sizeof *o->only_files);
    o->rule_dirs = vgl_xcalloc((size_t)argc + 1, sizeof *o->rule_dirs);
    o->only_rules = vgl_xcalloc((size_t)argc + 1, sizeof *o->only_rules);
    o->repeat = 1;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        bool has = i + 1 < argc;
        if (strcmp(a, "--config") == 0 && has) {
            o->conf = argv[++i];
        } else if (strcmp(a, "--json") == 0 && has) {
            o->json_out = argv[++i];
        } else if ((strcmp(a, "-f") == 0 || strcmp(a, "--test-files") == 0) && has) {
            o->only_files[o->nonly_files++] = argv[++i];
        } else if ((strcmp(a, "-d") == 0 || strcmp(a, "--rules-dir") == 0) && has) {
            o->rule_dirs[o->nrule_dirs++] = argv[++i];
        } else if ((strcmp(a, "-r") == 0 || strcmp(a, "--test-rules") == 0) && has) {
            o->only_rules[o->nonly_rules++] = argv[++i];
        } else if ((strcmp(a, "-n") == 0 || strcmp(a, "--repeat") == 0) && has) {
            char *end;
            o->repeat = strtol(argv[++i], &end, 10);
            if (*end || o->repeat < 1 || o->repeat > 1000) {
                fprintf(stderr, "vigil test: --repeat takes a number from 1 to 1000, not '%s'\n", argv[i]);
                return -1;
            }
        } else if (strcmp(a, "-s") == 0 || strcmp(a, "--stats") == 0 || strcmp(a, "--profile") == 0) {
            o->profile = true;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            o->verbose = true;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            o->quiet = true;
        } else if (strcmp(a, "--color") == 0) {
            o->color = true;
        } else if (strcmp(a, "--no-color") == 0) {
            o->color = false;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 1;
        } else if (a[0] == '-') {
            fprintf(stderr, "vigil test: unknown option '%s'%s\n", a, has ? "" : " (or missing its value)");
            return -1;
        } else {
            o->paths[o->npaths++] = a;
        }
    }
    if (o->verbose && o->quiet) {
        fprintf(stderr, "vigil test: -v and -q cannot be combined\n");
        return -1;
    }
    if (o->nonly_files && o->nonly_rules) {
        fprintf(stderr, "vigil test: -f and -r cannot be combined\n");
        return -1;
    }
    if (o->mode == MODE_CLASSIFIER && (o->nonly_rules || o->profile || o->nrule_dirs)) {
        fprintf(stderr, "vigil test classifier: -r, -d and --profile belong to the rules mode\n");
        return -1;
    }
    return 0;
}

int vgl_cmd_test(int argc, char **argv)
{
    struct runner r = {0};
    int rc = parse_args(argc, argv, &r.o);
    int exit_code = rc < 0 ? VGL_EXIT_USAGE : VGL_EXIT_OK;
    char *default_path = NULL;
    char **files = NULL;
    size_t nfiles = 0, fcap = 0;
    if (rc)
        goto out;
    r.cfg = vgl_cli_load_config(r.o.conf, true);
    if (!r.cfg) {
        exit_code = VGL_EXIT_CONFIG;
        goto out;
    }
    if (r.o.mode == MODE_RULES) {
        struct vgl_diag diag;
        vgl_diag_init(&diag);
        struct vgl_rules_opts ro = {.rule_dirs = r.o.nrule_dirs ? r.o.rule_dirs : NULL,
                                    .nrule_dirs = r.o.nrule_dirs, .test_mode = true};
        r.rules = vgl_rules_load(r.cfg, &ro, &diag);
        vgl_cli_print_diag(&diag);
        if (!r.rules)
            fprintf(stderr, "vigil test rules: %zu error%s loading rules (run `vigil validate --config %s`)\n",
                    diag.nerrors, diag.nerrors == 1 ? "" : "s", r.o.conf);
        vgl_diag_release(&diag);
        if (!r.rules) {
            exit_code = VGL_EXIT_CONFIG;
            goto out;
        }
    }
    if (r.o.npaths == 0) {
        default_path = xsprintf("%s/rules", r.cfg->root);
        r.o.paths[r.o.npaths++] = default_path;
    }
    for (size_t i = 0; i < r.o.npaths; i++) {
        struct stat st;
        if (stat(r.o.paths[i], &st) != 0) {
            fprintf(stderr, "vigil test: '%s': %s\n", r.o.paths[i], strerror(errno));
            exit_code = VGL_EXIT_USAGE;
            goto out;
        }
        walk(r.o.paths[i], &files, &nfiles, &fcap);
    }
    for (size_t i = 0; i < r.o.nonly_files; i++) {
        bool seen = false;
        for (size_t k = 0; k < nfiles && !seen; k++)
            seen = strcmp(files[k], r.o.only_files[i]) == 0;
        if (!seen) {
            fprintf(stderr, "vigil test: test file '%s' is not under the given paths\n", r.o.only_files[i]);
            exit_code = VGL_EXIT_USAGE;
            goto out;
        }
    }
    vgl_arena_init(&r.arena, 1 << 20);
    vgl_buf_init(&r.report, 0);
    vgl_buf_puts(&r.report, "[");
    printf("\nRunning tests for files found in: ");
    for (size_t i = 0; i < r.o.npaths; i++)
        printf("%s%s", i ? ", " : "", r.o.paths[i]);
    printf("\n");
    for (long rep = 0; rep < r.o.repeat; rep++) {
        for (size_t i = 0; i < nfiles; i++) {
            bool selected = r.o.nonly_files == 0;
            for (size_t k = 0; k < r.o.nonly_files && !selected; k++)
                selected = strcmp(files[i], r.o.only_files[k]) == 0;
            if (selected)
                run_file(&r, files[i]);
        }
    }
    printf("\nSummary:\n\nTotal Tests: %zu\n", r.pass + r.fail);
    if (r.pass)
        printf("Pass: %s%zu%s\n", c_(&r, GREEN), r.pass, c_(&r, RESET));
    else
        printf("Pass: 0\n");
    if (r.fail)
        printf("Fail: %s%zu%s\n", c_(&r, RED), r.fail, c_(&r, RESET));
    else
        printf("Fail: 0\n");
    if (nfiles == 0)
        fprintf(stderr, "vigil test: no test files (*.json) found\n");
    if (r.rules && r.o.nonly_files == 0 && r.o.nonly_rules == 0)
        print_untested(&r);
    if (r.rules && r.o.profile)
        print_stats(&r);
    if (r.o.json_out) {
        vgl_buf_puts(&r.report, "\n]\n");
        bool to_stdout = strcmp(r.o.json_out, "-") == 0;
        FILE *f = to_stdout ? stdout : fopen(r.o.json_out, "w");
        if (!f || fwrite(r.report.data, 1, r.report.len, f) != r.report.len || fflush(f) != 0) {
            fprintf(stderr, "vigil test: cannot write '%s': %s\n", r.o.json_out, strerror(errno));
            exit_code = VGL_EXIT_RUNTIME;
        }
        if (f && !to_stdout)
            fclose(f);
    }
    if (exit_code == VGL_EXIT_OK && (r.fail || nfiles == 0))
        exit_code = VGL_EXIT_FAIL;
    vgl_buf_release(&r.report);
    vgl_arena_release(&r.arena);
out:
    for (size_t i = 0; i < nfiles; i++)
        free(files[i]);
    free(files);
    free(r.results);
    free(default_path);
    for (size_t i = 0; i < r.ntested; i++)
        free(r.tested[i]);
    free(r.tested);
    vgl_rules_free(r.rules);
    vgl_config_free(r.cfg);
    free(r.o.paths);
    free(r.o.only_files);
    free(r.o.rule_dirs);
    free(r.o.only_rules);
    return exit_code;
}
