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
    bool verbose, quiet, color;
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
    struct vgl_json expected;     /* trigger_rules as given (array) */
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
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: vigil test classifier|rules [--config DIR] [--json FILE] [-f FILE...]\n"
            "                  [-v|-q] [--color|--no-color] [PATH...]\n\n"
            "Runs StreamAlert test-event files: every *.json file under each PATH (default: the\n"
            "rules/ folder beside --config, which defaults to ./conf).  Each event is validated\n"
            "and classified exactly as StreamAlert's `manage.py test` does; a failing event shows\n"
            "the classified and expected log types.  --json FILE (- for stdout) writes one entry\n"
            "per event.  "
            "-f FILE runs only those test files.\n\n%s",
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

static bool default_value(const struct vgl_json *type, struct vgl_json *out)
{
    if (type->type == VGL_JSON_STRING) {
        static const char *const names[] = {"string", "integer", "float", "boolean"};
        for (int i = 0; i < 4; i++) {
            if (type->len == strlen(names[i]) && memcmp(type->u.s, names[i], type->len) == 0) {
                static const struct vgl_json defs[4] = {
                    {.type = VGL_JSON_STRING, .len = 0, .u.s = ""},
                    {.type = VGL_JSON_INT},
                    {.type = VGL_JSON_FLOAT},
                    {.type = VGL_JSON_BOOL},
                };
                *out = defs[i];
                return true;
            }
        }
        return false;
    }
    if (type->type == VGL_JSON_OBJECT)
        *out = (struct vgl_json){.type = VGL_JSON_OBJECT};
    else if (type->type == VGL_JSON_ARRAY)
        *out = (struct vgl_json){.type = VGL_JSON_ARRAY};
    else if (type->type == VGL_JSON_FLOAT)
        *out = vgl_json_float(0.0);
    else if (type->type == VGL_JSON_BOOL)
        *out = vgl_json_bool(false);
    else if (type->type == VGL_JSON_NULL)
        *out = vgl_json_null();
    else
        *out = vgl_json_int(0);
    return true;
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
        if (!default_value(&t->val, &dv)) {
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
out:
    free(service);
    free(source);
}

/* ---- reporting (compat 9.8) --------------------------------------------------------- */

static void print_rules_list(const struct runner *r, const struct vgl_json *list)
{
    if (!list || list->len == 0) {
        printf("<None>");
        return;
    }
    for (uint32_t i = 0; i < list->len; i++) {
        const struct vgl_json *it = &list->u.items[i];
        if (it->type == VGL_JSON_STRING)
            printf("%s%.*s", i ? ", " : "", (int)it->len, it->u.s);
    }
    (void)r;
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
    if (r->o.mode == MODE_RULES && !res->classify_only) {
        printf("\n    Rules: %s\n        Triggered Rules: <None>\n        Expected Rules: ",
               res->expected.len ? "Fail" : "Pass");
        print_rules_list(r, &res->expected);
        printf("\n");
    }
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
    vgl_buf_puts(b, ",\"triggered_rules\":[],\"passed\":");
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
    bool any_fail = file_error != NULL;
    for (size_t i = first; i < r->nresults; i++) {
        any_fail |= !r->results[i].passed;
        if (r->results[i].passed)
            r->pass++;
        else
            r->fail++;
    }
    if (!r->o.quiet || any_fail) {
        printf("\n%sFile: %s%s\n\n", c_(r, UNDERLINE), path, c_(r, RESET));
        if (file_error)
            printf("%sError - %s%s\n", c_(r, RED), file_error, c_(r, RESET));
        for (size_t i = first; i < r->nresults; i++)
            if (!r->o.quiet || !r->results[i].passed)
                print_result(r, &r->results[i]);
    }
    if (file_error) {
        r->file_errors++;
        r->fail++;
    }
    if (r->o.json_out) {
        for (size_t i = first; i < r->nresults; i++)
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
        res->description = res->declared = res->error = NULL;
        res->expected = (struct vgl_json){.type = VGL_JSON_ARRAY};
        res->classified = NULL;
    }
    vgl_buf_release(&text);
    vgl_arena_reset(&r->arena);
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
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        bool has = i + 1 < argc;
        if (strcmp(a, "--config") == 0 && has) {
            o->conf = argv[++i];
        } else if (strcmp(a, "--json") == 0 && has) {
            o->json_out = argv[++i];
        } else if ((strcmp(a, "-f") == 0 || strcmp(a, "--test-files") == 0) && has) {
            o->only_files[o->nonly_files++] = argv[++i];
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
    if (r.o.mode == MODE_RULES) {
        fprintf(stderr, "vigil test rules: the rules mode needs the Python rules engine, which this "
                        "build does not have yet; use 'vigil test classifier'\n");
        exit_code = VGL_EXIT_USAGE;
        goto out;
    }
    r.cfg = vgl_cli_load_config(r.o.conf, true);
    if (!r.cfg) {
        exit_code = VGL_EXIT_CONFIG;
        goto out;
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
    for (size_t i = 0; i < nfiles; i++) {
        bool selected = r.o.nonly_files == 0;
        for (size_t k = 0; k < r.o.nonly_files && !selected; k++)
            selected = strcmp(files[i], r.o.only_files[k]) == 0;
        if (selected)
            run_file(&r, files[i]);
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
    vgl_config_free(r.cfg);
    free(r.o.paths);
    free(r.o.only_files);
    return exit_code;
}
