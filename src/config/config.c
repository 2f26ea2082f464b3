/*
 * config/config.c: loads a StreamAlert conf/ directory (compat section 1).
 *
 * Order of work: read and parse every file (a JSON error is reported and the file
 * skipped, so later checks still run), merge the schemas and sort them by priority,
 * compile each schema, load clusters and their data_sources, run StreamAlert's
 * validation (compat 1.13) plus vigil's stricter checks, read vigil.json.  Every problem
 * goes to the diag list; any error means no config is returned.
 */
#include "config/config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "frame/lines.h"
#include "normalize/normalize.h"
#include "parse/csvread.h"
#include "parse/jmespath.h"

#define CONFIG_FILE_MAX (64u << 20)

/* ---- diagnostics -------------------------------------------------------------------- */

void vgl_diag_init(struct vgl_diag *d)
{
    memset(d, 0, sizeof *d);
}

void vgl_diag_release(struct vgl_diag *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->msgs[i]);
    free(d->msgs);
    free(d->is_error);
    memset(d, 0, sizeof *d);
}

void vgl_diag_add(struct vgl_diag *d, bool is_error, const char *fmt, ...)
{
    if (!d)
        return;
    struct vgl_buf b;
    vgl_buf_init(&b, 0);
    va_list ap;
    va_start(ap, fmt);
    vgl_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    size_t cap = d->cap;
    d->msgs = vgl_xgrow(d->msgs, &cap, d->n + 1, sizeof *d->msgs);
    d->is_error = vgl_xgrow(d->is_error, &d->cap, d->n + 1, sizeof *d->is_error);
    d->msgs[d->n] = vgl_buf_detach(&b, NULL);
    d->is_error[d->n] = is_error;
    d->n++;
    if (is_error)
        d->nerrors++;
}

/* ---- loader state ------------------------------------------------------------------- */

struct loader {
    struct vgl_config *cfg;
    struct vgl_diag *diag;
    struct vgl_buf *texts;   /* file contents: parsed strings point into them */
    size_t ntexts, texts_cap;
    /* compiled JMESPath expressions, shared by equal text */
    struct vgl_jmespath **paths;
    const struct vgl_json **path_texts;
    size_t npaths, paths_cap, path_texts_cap;
};

static void err_at(struct loader *ld, const char *file, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void err_at(struct loader *ld, const char *file, const char *path, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (path && *path)
        vgl_diag_add(ld->diag, true, "%s: %s: %s", file, path, msg);
    else
        vgl_diag_add(ld->diag, true, "%s: %s", file, msg);
}

static void warn_at(struct loader *ld, const char *file, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void warn_at(struct loader *ld, const char *file, const char *path, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    vgl_diag_add(ld->diag, false, "%s: %s%s%s", file, path ? path : "", path && *path ? ": " : "",
                 msg);
}

/* A short rendering of a value for "found ..." in messages. */
static const char *found(const struct vgl_json *v, char *out, size_t outsz)
{
    if (!v) {
        snprintf(out, outsz, "nothing");
        return out;
    }
    struct vgl_buf b;
    vgl_buf_init(&b, 200);
    /* The JSON text itself: already escaped, so control characters stay visible. */
    if (vgl_json_write(&b, v) != 0 || b.len > 60)
        snprintf(out, outsz, "%s", vgl_json_type_name(v));
    else
        snprintf(out, outsz, "%s %s", vgl_json_type_name(v), b.data);
    vgl_buf_release(&b);
    return out;
}

/* JSON-path segment for a key: .key when it is an identifier, else ["key"]. */
static void path_key(char *out, size_t outsz, const char *base, const char *key, size_t klen)
{
    bool ident = klen > 0;
    for (size_t i = 0; i < klen && ident; i++) {
        char c = key[i];
        ident = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                (i > 0 && ((c >= '0' && c <= '9') || c == '-'));
    }
    if (ident)
        snprintf(out, outsz, "%s.%.*s", base, (int)klen, key);
    else
        snprintf(out, outsz, "%s[\"%.*s\"]", base, (int)klen, key);
}

static char *arena_str(struct vgl_config *cfg, const char *s, size_t n)
{
    return vgl_arena_strndup(&cfg->arena, s, n);
}

static char *path_join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *p = vgl_xmalloc(la + lb + 2);
    memcpy(p, a, la);
    size_t n = la;
    if (n && p[n - 1] != '/')
        p[n++] = '/';
    memcpy(p + n, b, lb + 1);
    return p;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the *.json files in dir; NULL (and *n = 0) when dir is missing. */
static char **list_json(const char *dir, size_t *n, bool *missing)
{
    *n = 0;
    *missing = false;
    DIR *d = opendir(dir);
    if (!d) {
        *missing = true;
        return NULL;
    }
    char **names = NULL;
    size_t cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l <= 5 || strcmp(e->d_name + l - 5, ".json") != 0)
            continue;
        char *full = path_join(dir, e->d_name);
        struct stat st;
        bool reg = stat(full, &st) == 0 && S_ISREG(st.st_mode);
        free(full);
        if (!reg)
            continue;
        names = vgl_xgrow(names, &cap, *n + 1, sizeof *names);
        names[(*n)++] = vgl_xstrdup(e->d_name);
    }
    closedir(d);
    if (*n)
        qsort(names, *n, sizeof *names, cmp_str);
    return names;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Reads and parses one file; reports and returns -1 on failure. */
static int parse_file(struct loader *ld, const char *path, struct vgl_json *out)
{
    ld->texts = vgl_xgrow(ld->texts, &ld->texts_cap, ld->ntexts + 1, sizeof *ld->texts);
    struct vgl_buf *b = &ld->texts[ld->ntexts];
    vgl_buf_init(b, CONFIG_FILE_MAX);
    struct vgl_error err = {0};
    if (vgl_read_file(path, CONFIG_FILE_MAX, b, &err) != 0) {
        vgl_buf_release(b);
        err_at(ld, path, NULL, "cannot read: %s", err.msg);
        return -1;
    }
    ld->ntexts++;
    if (vgl_json_parse(b->data ? b->data : "", b->len, &ld->cfg->arena, NULL, out, &err) != 0) {
        /* StreamAlert says "Invalid JSON format for <path>"; we add where and why. */
        err_at(ld, path, NULL, "invalid json format: %s", err.msg);
        return -1;
    }
    return 0;
}

/* ---- small typed getters that report ----------------------------------------------- */

static const struct vgl_json *want_type(struct loader *ld, const char *file, const char *path,
                                        const struct vgl_json *v, enum vgl_json_type t,
                                        const char *what)
{
    if (!v)
        return NULL;
    bool ok = v->type == t || (t == VGL_JSON_INT && v->type == VGL_JSON_BIGINT);
    if (!ok) {
        char f[256];
        err_at(ld, file, path, "expected %s, found %s", what, found(v, f, sizeof f));
        return NULL;
    }
    return v;
}

static bool is_string_array(const struct vgl_json *v)
{
    if (v->type != VGL_JSON_ARRAY)
        return false;
    for (uint32_t i = 0; i < v->len; i++)
        if (v->u.items[i].type != VGL_JSON_STRING)
            return false;
    return true;
}

/* ---- type language checks (vigil's own, warnings) ------------------------------------ */

static bool known_type(const struct vgl_json *t)
{
    if (t->type == VGL_JSON_OBJECT || t->type == VGL_JSON_ARRAY)
        return true;
    if (t->type != VGL_JSON_STRING)
        return false;
    static const char *const names[] = {"string", "integer", "float", "boolean"};
    for (size_t i = 0; i < 4; i++)
        if (t->len == strlen(names[i]) && memcmp(t->u.s, names[i], t->len) == 0)
            return true;
    return false;
}

static void check_types(struct loader *ld, const char *file, const char *path,
                        const struct vgl_json *schema)
{
    for (uint32_t i = 0; i < schema->len; i++) {
        const struct vgl_json_member *m = &schema->u.members[i];
        char p[512];
        path_key(p, sizeof p, path, m->key, m->klen);
        if (!known_type(&m->val)) {
            char f[256];
            /* StreamAlert accepts these and then rejects every truthy value (compat 2.5). */
            warn_at(ld, file, p,
                    "unknown type %s: expected \"string\", \"integer\", \"float\", \"boolean\", "
                    "an object or a list; only empty values will match",
                    found(&m->val, f, sizeof f));
        } else if (m->val.type == VGL_JSON_OBJECT && m->val.len) {
            check_types(ld, file, p, &m->val);
        }
    }
}

/* ---- schemas ------------------------------------------------------------------------ */

static const struct vgl_jmespath *intern_path(struct loader *ld, const char *file,
                                              const char *path, const struct vgl_json *expr)
{
    for (size_t i = 0; i < ld->npaths; i++) {
        const struct vgl_json *t = ld->path_texts[i];
        if (t->len == expr->len && memcmp(t->u.s, expr->u.s, expr->len) == 0)
            return ld->paths[i];
    }
    struct vgl_error err = {0};
    struct vgl_jmespath *p = vgl_jmespath_compile(expr->u.s, expr->len, &err);
    if (!p) {
        err_at(ld, file, path, "invalid jmespath expression: %s", err.msg);
        return NULL;
    }
    ld->paths = vgl_xgrow(ld->paths, &ld->paths_cap, ld->npaths + 1, sizeof *ld->paths);
    ld->path_texts = vgl_xgrow(ld->path_texts, &ld->path_texts_cap, ld->npaths + 1,
                               sizeof *ld->path_texts);
    ld->path_texts[ld->npaths] = expr;
    ld->paths[ld->npaths++] = p;
    return p;
}

/* A one-character csv dialect option, checked as Python's csv module checks it. */
static void csv_opt(struct loader *ld, const char *file, const char *path,
                    struct vgl_csv_dialect *d, const char *name, const struct vgl_json *v)
{
    if (!v)
        return;
    struct vgl_error err = {0};
    int rc;
    if (v->type == VGL_JSON_STRING) {
        rc = vgl_csv_dialect_set(d, name, v->u.s, v->len, &err);
    } else if (v->type == VGL_JSON_NULL) {
        rc = vgl_csv_dialect_set(d, name, NULL, 0, &err);
    } else {
        char f[256];
        err_at(ld, file, path, "expected a 1-character string, found %s", found(v, f, sizeof f));
        return;
    }
    if (rc)
        err_at(ld, file, path, "%s", err.msg);
}

static const char *text_opt(struct loader *ld, const char *file, const char *path,
                            const struct vgl_json *v, const char *dflt)
{
    if (!v)
        return dflt;
    if (v->type != VGL_JSON_STRING || v->len == 0) {
        char f[256];
        err_at(ld, file, path, "expected a non-empty string, found %s", found(v, f, sizeof f));
        return dflt;
    }
    return arena_str(ld->cfg, v->u.s, v->len);
}

static const struct vgl_json empty_object = {.type = VGL_JSON_OBJECT};
static const struct vgl_json empty_array = {.type = VGL_JSON_ARRAY};

static const char *const known_options[] = {
    "priority",      "optional_top_level_keys", "envelope_keys", "optional_envelope_keys",
    "log_patterns",  "json_path",               "embedded_json", "json_regex_key",
    "delimiter",     "quotechar",               "escapechar",    "separator",
    "normalization",
};

/* Compiles one schema entry; returns false when it has an error. */
static bool compile_schema(struct loader *ld, struct vgl_schema *s, const char *file,
                           const struct vgl_json_member *entry)
{
    struct vgl_config *cfg = ld->cfg;
    char base[512], p[600];
    path_key(base, sizeof base, "$", entry->key, entry->klen);
    size_t before = ld->diag->nerrors;
    memset(s, 0, sizeof *s);
    s->name = arena_str(cfg, entry->key, entry->klen);
    const char *colon = memchr(entry->key, ':', entry->klen);
    s->source = s->name;
    s->source_len = colon ? (size_t)(colon - entry->key) : entry->klen;
    s->file = arena_str(cfg, file, strlen(file));
    s->priority = -1;
    s->schema = &empty_object;
    s->envelope = &empty_object;
    s->optional_keys = &empty_array;
    s->optional_envelope_keys = &empty_array;
    s->valid = true;
    s->csv = (struct vgl_csv_dialect)VGL_CSV_DIALECT_DEFAULT;
    s->kv_delimiter = " ";
    s->kv_separator = "=";

    const struct vgl_json *e = &entry->val;
    if (e->type != VGL_JSON_OBJECT) {
        char f[256];
        err_at(ld, file, base, "expected a schema object, found %s", found(e, f, sizeof f));
        return false;
    }
    /* StreamAlert's own two checks, with its wording (compat 1.13). */
    const struct vgl_json *schema = vgl_json_getz(e, "schema");
    const struct vgl_json *parser = vgl_json_getz(e, "parser");
    if (!schema)
        err_at(ld, file, base, "The 'schema' is missing for %s", s->name);
    if (!parser)
        err_at(ld, file, base, "The 'parser' is missing for %s", s->name);
    snprintf(p, sizeof p, "%s.schema", base);
    if (schema && want_type(ld, file, p, schema, VGL_JSON_OBJECT, "an object of key: type")) {
        s->schema = schema;
        check_types(ld, file, p, schema);
    }
    snprintf(p, sizeof p, "%s.parser", base);
    if (parser && want_type(ld, file, p, parser, VGL_JSON_STRING, "a parser name")) {
        static const char *const names[] = {"json", "csv", "kv", "syslog"};
        bool ok = false;
        for (int i = 0; i < 4; i++) {
            if (parser->len == strlen(names[i]) && memcmp(parser->u.s, names[i], parser->len) == 0) {
                s->parser = (enum vgl_parser_kind)i;
                s->parser_name = names[i];
                ok = true;
            }
        }
        if (!ok) {
            char f[256];
            err_at(ld, file, p, "expected one of \"json\", \"csv\", \"kv\", \"syslog\", found %s",
                   found(parser, f, sizeof f));
        }
    }
    for (uint32_t i = 0; i < e->len; i++) {
        const struct vgl_json_member *m = &e->u.members[i];
        if ((m->klen == 6 && memcmp(m->key, "schema", 6) == 0) ||
            (m->klen == 6 && memcmp(m->key, "parser", 6) == 0) ||
            (m->klen == 13 && memcmp(m->key, "configuration", 13) == 0))
            continue;
        path_key(p, sizeof p, base, m->key, m->klen);
        warn_at(ld, file, p, "unknown key ignored (schema entries have schema, parser, configuration)");
    }

    const struct vgl_json *conf = vgl_json_getz(e, "configuration");
    snprintf(p, sizeof p, "%s.configuration", base);
    if (conf && !want_type(ld, file, p, conf, VGL_JSON_OBJECT, "an object"))
        conf = NULL;
    for (uint32_t i = 0; conf && i < conf->len; i++) {
        const struct vgl_json_member *m = &conf->u.members[i];
        bool known = false;
        for (size_t k = 0; k < sizeof known_options / sizeof known_options[0]; k++)
            known |= m->klen == strlen(known_options[k]) &&
                     memcmp(m->key, known_options[k], m->klen) == 0;
        if (!known) {
            char q[600];
            path_key(q, sizeof q, p, m->key, m->klen);
            warn_at(ld, file, q, "unknown configuration option ignored");
        }
    }
    const char *cbase = p;
    char cpath[700];
#define OPT(name) (conf ? vgl_json_getz(conf, name) : NULL)
#define CPATH(name) (snprintf(cpath, sizeof cpath, "%s.%s", cbase, name), cpath)

    const struct vgl_json *v;
    if ((v = OPT("priority"))) {
        /* int() of a number or numeric string (compat 1.3) */
        long pr = -2;
        if (v->type == VGL_JSON_INT) {
            pr = (long)v->u.i;
        } else if (v->type == VGL_JSON_FLOAT) {
            pr = (long)v->u.d;
        } else if (v->type == VGL_JSON_STRING && v->len && v->len < 32) {
            char tmp[32], *end;
            memcpy(tmp, v->u.s, v->len);
            tmp[v->len] = '\0';
            errno = 0;
            long x = strtol(tmp, &end, 10);
            while (*end == ' ' || *end == '\t')
                end++;
            if (!errno && *end == '\0' && end != tmp)
                pr = x;
        }
        if (pr < -1 || pr > INT_MAX) {
            char f[256];
            err_at(ld, file, CPATH("priority"), "expected an integer >= 0, found %s",
                   found(v, f, sizeof f));
        } else {
            s->priority = (int)pr;
        }
    }
    if ((v = OPT("optional_top_level_keys"))) {
        if (!is_string_array(v)) {
            char f[256];
            err_at(ld, file, CPATH("optional_top_level_keys"), "expected a list of key names, found %s",
                   found(v, f, sizeof f));
        } else {
            s->optional_keys = v;
        }
    }
    if ((v = OPT("envelope_keys"))) {
        if (want_type(ld, file, CPATH("envelope_keys"), v, VGL_JSON_OBJECT, "an object of key: type")) {
            s->envelope = v;
            check_types(ld, file, cpath, v);
        }
    }
    if ((v = OPT("optional_envelope_keys"))) {
        if (!is_string_array(v)) {
            char f[256];
            err_at(ld, file, CPATH("optional_envelope_keys"), "expected a list of key names, found %s",
                   found(v, f, sizeof f));
        } else {
            s->optional_envelope_keys = v;
        }
    }
    /* compat 2.4 step 0: StreamAlert treats such a schema as never matching. */
    for (uint32_t i = 0; i < s->optional_keys->len; i++) {
        const struct vgl_json *k = &s->optional_keys->u.items[i];
        if (!vgl_json_get(s->schema, k->u.s, k->len)) {
            s->valid = false;
            warn_at(ld, file, CPATH("optional_top_level_keys"),
                    "'%.*s' is not a key of the schema: StreamAlert treats this schema as invalid, "
                    "so it never matches",
                    (int)k->len, k->u.s);
        }
    }
    for (uint32_t i = 0; i < s->optional_envelope_keys->len; i++) {
        const struct vgl_json *k = &s->optional_envelope_keys->u.items[i];
        if (!vgl_json_get(s->envelope, k->u.s, k->len)) {
            s->valid = false;
            warn_at(ld, file, CPATH("optional_envelope_keys"),
                    "'%.*s' is not an envelope key: StreamAlert treats this schema as invalid, so "
                    "it never matches",
                    (int)k->len, k->u.s);
        }
    }
    if ((v = OPT("log_patterns")) &&
        want_type(ld, file, CPATH("log_patterns"), v, VGL_JSON_OBJECT, "an object of field: pattern"))
        s->log_patterns = v;
    if ((v = OPT("json_path")) &&
        want_type(ld, file, CPATH("json_path"), v, VGL_JSON_STRING, "a jmespath expression")) {
        s->json_path_text = arena_str(cfg, v->u.s, v->len);
        s->json_path = intern_path(ld, file, cpath, v);
        if (s->parser != VGL_PARSER_JSON && s->parser != VGL_PARSER_CSV)
            warn_at(ld, file, cpath, "json_path is only used by the json and csv parsers");
    }
    if ((v = OPT("embedded_json"))) {
        if (v->type == VGL_JSON_BOOL)
            s->embedded_json = v->u.b;
        else
            s->embedded_json = vgl_json_truthy(v);
    }
    if ((v = OPT("json_regex_key")) &&
        want_type(ld, file, CPATH("json_regex_key"), v, VGL_JSON_STRING, "a key name")) {
        s->json_regex_key = arena_str(cfg, v->u.s, v->len);
        s->json_regex_key_len = v->len;
    }
    if (s->parser == VGL_PARSER_CSV) {
        csv_opt(ld, file, CPATH("delimiter"), &s->csv, "delimiter", OPT("delimiter"));
        csv_opt(ld, file, CPATH("quotechar"), &s->csv, "quotechar", OPT("quotechar"));
        csv_opt(ld, file, CPATH("escapechar"), &s->csv, "escapechar", OPT("escapechar"));
    } else if (s->parser == VGL_PARSER_KV) {
        s->kv_delimiter = text_opt(ld, file, CPATH("delimiter"), OPT("delimiter"), " ");
        s->kv_separator = text_opt(ld, file, CPATH("separator"), OPT("separator"), "=");
    }
    if ((v = OPT("normalization"))) {
        struct vgl_error err = {0};
        if (want_type(ld, file, CPATH("normalization"), v, VGL_JSON_OBJECT,
                      "an object of normalized type: params")) {
            s->normalization = vgl_norm_compile(v, &cfg->arena, &err);
            if (!s->normalization)
                err_at(ld, file, cpath, "%s", err.msg);
        }
    }
#undef OPT
#undef CPATH
    return ld->diag->nerrors == before;
}

/* compat 1.3: stable sort with the running-max key. */
static int cmp_schema(const void *a, const void *b)
{
    const struct vgl_schema *x = a, *y = b;
    if (x->sort_key != y->sort_key)
        return x->sort_key < y->sort_key ? -1 : 1;
    return 0;
}

struct schema_src {
    const struct vgl_json_member *m;
    const char *file;
};

static void load_schemas(struct loader *ld)
{
    struct vgl_config *cfg = ld->cfg;
    struct schema_src *src = NULL;
    size_t n = 0, cap = 0;
    char *logs_path = path_join(cfg->dir, "logs.json");
    struct stat st;
    if (stat(logs_path, &st) == 0) {
        /* logs.json is the whole logs config; schemas/ is ignored and order is file order. */
        cfg->schemas_from_logs_json = true;
        const struct vgl_json *logs = vgl_config_file(cfg, "logs");
        if (logs && want_type(ld, logs_path, "$", logs, VGL_JSON_OBJECT, "an object of log schemas")) {
            for (uint32_t i = 0; i < logs->len; i++) {
                src = vgl_xgrow(src, &cap, n + 1, sizeof *src);
                src[n++] = (struct schema_src){&logs->u.members[i], arena_str(cfg, logs_path, strlen(logs_path))};
            }
        }
    } else {
        char *dir = path_join(cfg->dir, "schemas");
        size_t nnames;
        bool missing;
        char **names = list_json(dir, &nnames, &missing);
        for (size_t f = 0; f < nnames; f++) {
            char *path = path_join(dir, names[f]);
            struct vgl_json doc;
            if (parse_file(ld, path, &doc) == 0 &&
                want_type(ld, path, "$", &doc, VGL_JSON_OBJECT, "an object of log schemas")) {
                struct vgl_json *keep = vgl_arena_memdup(&cfg->arena, &doc, sizeof doc);
                const char *fname = arena_str(cfg, path, strlen(path));
                for (uint32_t i = 0; i < keep->len; i++) {
                    const struct vgl_json_member *m = &keep->u.members[i];
                    size_t j;
                    for (j = 0; j < n; j++)
                        if (src[j].m->klen == m->klen && memcmp(src[j].m->key, m->key, m->klen) == 0)
                            break;
                    if (j < n) {
                        /* StreamAlert: warning, later definition wins, first position kept. */
                        warn_at(ld, path, NULL,
                                "Duplicate schema detected '%.*s' (also in %s); the definition "
                                "here replaces it, which may result in undefined behavior",
                                (int)m->klen, m->key, src[j].file);
                        src[j] = (struct schema_src){m, fname};
                    } else {
                        src = vgl_xgrow(src, &cap, n + 1, sizeof *src);
                        src[n++] = (struct schema_src){m, fname};
                    }
                }
            }
            free(path);
        }
        free_names(names, nnames);
        free(dir);
    }
    cfg->schemas = vgl_xcalloc(n ? n : 1, sizeof *cfg->schemas);
    long running_max = -1;
    for (size_t i = 0; i < n; i++) {
        struct vgl_schema *s = &cfg->schemas[cfg->nschemas];
        compile_schema(ld, s, src[i].file, src[i].m);
        if (s->priority >= 0 && s->priority > running_max)
            running_max = s->priority;
        s->sort_key = s->priority >= 0 ? s->priority : running_max;
        cfg->nschemas++;
    }
    free(src);
    free(logs_path);
    /* qsort is not stable: sort by (key, load index) through a permutation. */
    if (!cfg->schemas_from_logs_json && cfg->nschemas > 1) {
        for (size_t i = 1; i < cfg->nschemas; i++) {
            struct vgl_schema tmp = cfg->schemas[i];
            size_t j = i;
            while (j > 0 && cmp_schema(&cfg->schemas[j - 1], &tmp) > 0) {
                cfg->schemas[j] = cfg->schemas[j - 1];
                j--;
            }
            cfg->schemas[j] = tmp;
        }
    }
}

/* ---- clusters and data sources ------------------------------------------------------ */

static const char *const sa_services[] = {"kinesis", "s3", "sns", "streamalert_app"};
static const char *const vgl_services[] = {"file", "syslog", "http", "kafka", "stdin"};

bool vgl_config_service_known(const char *service)
{
    for (size_t i = 0; i < 4; i++)
        if (strcmp(service, sa_services[i]) == 0)
            return true;
    for (size_t i = 0; i < 5; i++)
        if (strcmp(service, vgl_services[i]) == 0)
            return true;
    return false;
}

static bool schema_selected(const struct vgl_schema *s, const struct vgl_data_source *ds)
{
    /* compat 1.6: an entry matches schemas whose name, cut at the first ':', equals it. */
    for (size_t i = 0; i < ds->nentries; i++)
        if (strlen(ds->entries[i]) == s->source_len &&
            memcmp(ds->entries[i], s->source, s->source_len) == 0)
            return true;
    return false;
}

static void load_cluster(struct loader *ld, struct vgl_cluster *c, const char *path,
                         const struct vgl_json *doc, size_t *sources_cap)
{
    struct vgl_config *cfg = ld->cfg;
    if (!want_type(ld, path, "$", doc, VGL_JSON_OBJECT, "a cluster object"))
        return;
    const struct vgl_json *ti = vgl_json_getz(doc, "enable_threat_intel");
    if (ti && ti->type != VGL_JSON_BOOL) {
        char f[256];
        err_at(ld, path, "$.enable_threat_intel", "expected true or false, found %s",
               found(ti, f, sizeof f));
    }
    c->enable_threat_intel = ti && vgl_json_truthy(ti);
    const struct vgl_json *ds = vgl_json_getz(doc, "data_sources");
    if (!ds || !vgl_json_truthy(ds)) {
        err_at(ld, path, "$", "'data_sources' missing for cluster %s", c->name);
    } else if (want_type(ld, path, "$.data_sources", ds, VGL_JSON_OBJECT,
                         "an object of service: {resource: [log types]}")) {
        /* StreamAlert names all invalid services in one message. */
        struct vgl_buf bad;
        vgl_buf_init(&bad, 0);
        for (uint32_t i = 0; i < ds->len; i++) {
            const struct vgl_json_member *svc = &ds->u.members[i];
            char *sname = arena_str(cfg, svc->key, svc->klen);
            if (!vgl_config_service_known(sname)) {
                vgl_buf_printf(&bad, "%s'%s'", bad.len ? ", " : "", sname);
                continue;
            }
            char spath[512];
            path_key(spath, sizeof spath, "$.data_sources", svc->key, svc->klen);
            if (!want_type(ld, path, spath, &svc->val, VGL_JSON_OBJECT,
                           "an object of resource: [log types]"))
                continue;
            for (uint32_t r = 0; r < svc->val.len; r++) {
                const struct vgl_json_member *res = &svc->val.u.members[r];
                char rpath[700];
                path_key(rpath, sizeof rpath, spath, res->key, res->klen);
                char *rname = arena_str(cfg, res->key, res->klen);
                if (!vgl_json_truthy(&res->val)) {
                    err_at(ld, path, rpath, "List of logs is empty for source: %s", rname);
                    continue;
                }
                if (!is_string_array(&res->val)) {
                    char f[256];
                    err_at(ld, path, rpath, "expected a list of log types, found %s",
                           found(&res->val, f, sizeof f));
                    continue;
                }
                bool dup = false;
                for (size_t k = 0; k < cfg->nsources && !dup; k++)
                    dup = strcmp(cfg->sources[k].resource, rname) == 0;
                if (dup) {
                    err_at(ld, path, rpath,
                           "Duplicate data_source in cluster configuration %s for cluster %s", rname,
                           c->name);
                    continue;
                }
                cfg->sources = vgl_xgrow(cfg->sources, sources_cap, cfg->nsources + 1,
                                         sizeof *cfg->sources);
                struct vgl_data_source *src = &cfg->sources[cfg->nsources++];
                memset(src, 0, sizeof *src);
                src->cluster = c->name;
                src->file = arena_str(cfg, path, strlen(path));
                src->service = sname;
                src->resource = rname;
                src->nentries = res->val.len;
                src->entries = vgl_arena_alloc(&cfg->arena, src->nentries * sizeof *src->entries);
                for (uint32_t k = 0; k < res->val.len; k++) {
                    const struct vgl_json *it = &res->val.u.items[k];
                    src->entries[k] = arena_str(cfg, it->u.s, it->len);
                    if (memchr(it->u.s, ':', it->len))
                        warn_at(ld, path, rpath,
                                "entry '%s' contains ':': StreamAlert compares entries with the "
                                "part of a log type before the first ':', so it selects no schema",
                                src->entries[k]);
                }
            }
        }
        if (bad.len)
            err_at(ld, path, "$.data_sources",
                   "The data sources for cluster %s contain invalid source entries: %s. The "
                   "following sources are supported: kinesis, s3, sns, streamalert_app (and "
                   "vigil's file, syslog, http, kafka, stdin)",
                   c->name, bad.data);
        vgl_buf_release(&bad);
    }
    if (!vgl_json_getz(doc, "classifier_config")) {
        const struct vgl_json *mods = vgl_json_getz(doc, "modules");
        bool old = mods && (vgl_json_getz(mods, "streamalert") || vgl_json_getz(mods, "stream_alert"));
        err_at(ld, path, "$", "'classifier_config' is missing in the '%s' cluster%s", c->name,
               old ? "; the 'modules.streamalert' location is deprecated, move it to "
                     "'classifier_config'"
                   : "");
    }
}

static void load_clusters(struct loader *ld)
{
    struct vgl_config *cfg = ld->cfg;
    char *dir = path_join(cfg->dir, "clusters");
    size_t n;
    bool missing;
    char **names = list_json(dir, &n, &missing);
    if (missing) {
        err_at(ld, dir, NULL, "clusters directory not found: a conf/ needs clusters/<name>.json");
        free(dir);
        return;
    }
    cfg->clusters = vgl_xcalloc(n ? n : 1, sizeof *cfg->clusters);
    size_t sources_cap = 0;
    for (size_t i = 0; i < n; i++) {
        char *path = path_join(dir, names[i]);
        struct vgl_cluster *c = &cfg->clusters[cfg->nclusters];
        c->name = arena_str(cfg, names[i], strlen(names[i]) - 5);
        struct vgl_json doc;
        if (parse_file(ld, path, &doc) == 0) {
            struct vgl_json *keep = vgl_arena_memdup(&cfg->arena, &doc, sizeof doc);
            c->json = keep;
            load_cluster(ld, c, path, keep, &sources_cap);
            cfg->nclusters++;
        }
        free(path);
    }
    if (n == 0)
        warn_at(ld, dir, NULL, "no cluster files: no data source can be classified");
    free_names(names, n);
    free(dir);
    /* Candidate schemas per source, in global schema order. */
    for (size_t i = 0; i < cfg->nsources; i++) {
        struct vgl_data_source *src = &cfg->sources[i];
        src->candidates = vgl_arena_alloc(&cfg->arena, (cfg->nschemas + 1) * sizeof *src->candidates);
        for (size_t k = 0; k < cfg->nschemas; k++)
            if (schema_selected(&cfg->schemas[k], src))
                src->candidates[src->ncandidates++] = &cfg->schemas[k];
        if (src->ncandidates == 0)
            warn_at(ld, src->file, NULL,
                    "No log types defined for resource [%s] of service [%s] in cluster %s: its "
                    "input will be dropped",
                    src->resource, src->service, src->cluster);
    }
}

/* ---- threat intel vs normalized types (compat 1.13 item 3) ------------------------- */

static void check_threat_intel(struct loader *ld)
{
    struct vgl_config *cfg = ld->cfg;
    const struct vgl_json *ti = vgl_config_file(cfg, "threat_intel");
    if (!ti)
        return;
    char *path = path_join(cfg->dir, "threat_intel.json");
    const struct vgl_json *nt = vgl_config_file(cfg, "normalized_types");
    if (!nt) {
        err_at(ld, path, NULL, "Normalized types must also be loaded with IOC types");
        free(path);
        return;
    }
    const struct vgl_json *ioc = vgl_json_getz(ti, "normalized_ioc_types");
    if (!ioc) {
        err_at(ld, path, "$", "Normalized IOC types must be defined for threat intelligence");
        free(path);
        return;
    }
    if (want_type(ld, path, "$.normalized_ioc_types", ioc, VGL_JSON_OBJECT,
                  "an object of ioc type: [normalized types]")) {
        for (uint32_t i = 0; i < ioc->len; i++) {
            const struct vgl_json_member *m = &ioc->u.members[i];
            char p[512];
            path_key(p, sizeof p, "$.normalized_ioc_types", m->key, m->klen);
            if (!is_string_array(&m->val)) {
                char f[256];
                err_at(ld, path, p, "expected a list of normalized type names, found %s",
                       found(&m->val, f, sizeof f));
                continue;
            }
            for (uint32_t k = 0; k < m->val.len; k++) {
                const struct vgl_json *name = &m->val.u.items[k];
                if (!cfg->legacy_norm || !vgl_legacy_norm_declares(cfg->legacy_norm, name->u.s, name->len))
                    err_at(ld, path, p,
                           "IOC key '%.*s' within IOC type '%.*s' must be defined for at least one "
                           "log type in normalized types",
                           (int)name->len, name->u.s, (int)m->klen, m->key);
            }
        }
    }
    free(path);
}

/* ---- vigil.json settings ------------------------------------------------------------ */

enum opt_type { OPT_STRING, OPT_SIZE, OPT_INT, OPT_BOOL };

struct setting {
    const char *name;
    enum opt_type type;
    size_t offset;
    const char *dflt;
    long long min, max;
    const char *help;
};

static const struct setting settings_table[] = {
    {"data_dir", OPT_STRING, offsetof(struct vgl_settings, data_dir), "data", 0, 0,
     "where vigil keeps its state (relative paths: from the project root, the parent of conf/)"},
    {"max_record_bytes", OPT_SIZE, offsetof(struct vgl_settings, max_record_bytes), "16777216", 1024,
     1LL << 30, "a payload record longer than this is dead-lettered, never buffered whole"},
    {"max_json_depth", OPT_INT, offsetof(struct vgl_settings, max_json_depth), "512", 8, 100000,
     "JSON payloads nested deeper than this are dead-lettered"},
    {"log_level", OPT_STRING, offsetof(struct vgl_settings, log_level), "warn", 0, 0,
     "error, warn, info, debug or trace"},
    {"legacy_normalization", OPT_BOOL, offsetof(struct vgl_settings, legacy_normalization), "false",
     0, 0, "also apply conf/normalized_types.json the StreamAlert v3.0-3.2 way (streamalert:normalization)"},
    {"default_service", OPT_STRING, offsetof(struct vgl_settings, default_service), "file", 0, 0,
     "service `vigil classify` assumes when given --resource without --service"},
    {"pagerduty_events_url", OPT_STRING, offsetof(struct vgl_settings, pagerduty_events_url),
     "https://events.pagerduty.com", 0, 0, "PagerDuty Events API base URL (fixed in StreamAlert)"},
    {"pagerduty_api_url", OPT_STRING, offsetof(struct vgl_settings, pagerduty_api_url),
     "https://api.pagerduty.com", 0, 0, "PagerDuty REST API base URL (fixed in StreamAlert)"},
    {"github_api_url", OPT_STRING, offsetof(struct vgl_settings, github_api_url),
     "https://api.github.com", 0, 0, "GitHub API base URL (GitHub Enterprise: https://HOST/api/v3)"},
    {"aws_endpoint_url", OPT_STRING, offsetof(struct vgl_settings, aws_endpoint_url), "", 0, 0,
     "one S3/SNS/SQS/...-compatible endpoint for every AWS output (\"\": the real AWS)"},
    {"aws_region", OPT_STRING, offsetof(struct vgl_settings, aws_region), "us-east-1", 0, 0,
     "AWS region the AWS outputs sign for"},
    {"aws_account_id", OPT_STRING, offsetof(struct vgl_settings, aws_account_id), "000000000000", 0,
     0, "account id for ARNs and queue URLs built from names"},
    {"alerts_archive", OPT_STRING, offsetof(struct vgl_settings, alerts_archive), "local", 0, 0,
     "aws-firehose:alerts goes to the local archive (local) or to Firehose (firehose)"},
    {"delivery_parallel", OPT_INT, offsetof(struct vgl_settings, delivery_parallel), "16", 1, 1024,
     "deliveries in flight at once"},
    {"delivery_retry_base_ms", OPT_INT, offsetof(struct vgl_settings, delivery_retry_base_ms),
     "1000", 1, 3600000, "delay before the first retry of a failed delivery; doubles per failure"},
    {"delivery_retry_max_ms", OPT_INT, offsetof(struct vgl_settings, delivery_retry_max_ms),
     "900000", 1, 86400000, "longest delay between retries (jitter: half to all of it)"},
    {"delivery_max_attempts", OPT_INT, offsetof(struct vgl_settings, delivery_max_attempts), "0", 0,
     1000000, "give a delivery up after this many failures (0: never, as StreamAlert)"},
    {"merge_interval_s", OPT_INT, offsetof(struct vgl_settings, merge_interval_s), "60", 1, 86400,
     "how often the alert process runs the merger"},
    {"workers", OPT_INT, offsetof(struct vgl_settings, workers), "0", 0, 256,
     "vigil run: worker processes (0: one per core)"},
    {"http_listen", OPT_STRING, offsetof(struct vgl_settings, http_listen), "127.0.0.1:8080", 0, 0,
     "vigil run: HTTP ingest address, for the http, kinesis, s3, sns, streamalert_app sources (\"\": off)"},
    {"http_max_body_bytes", OPT_SIZE, offsetof(struct vgl_settings, http_max_body_bytes), "16777216",
     1024, 1LL << 32, "vigil run: HTTP ingest answers 413 to a larger request body"},
    {"http_max_pending_bytes", OPT_SIZE, offsetof(struct vgl_settings, http_max_pending_bytes),
     "67108864", 4096, 1LL << 34, "vigil run: HTTP ingest answers 429 while this much is unprocessed"},
    {"metrics_listen", OPT_STRING, offsetof(struct vgl_settings, metrics_listen), "127.0.0.1:9464", 0,
     0, "vigil run: Prometheus /metrics address (\"\": off)"},
    {"lake", OPT_BOOL, offsetof(struct vgl_settings, lake), "true", 0, 0,
     "vigil run: append every classified record to <data_dir>/lake"},
    {"lake_roll_s", OPT_INT, offsetof(struct vgl_settings, lake_roll_s), "60", 1, 86400,
     "vigil run: publish lake files at least this often"},
    {"lake_gzip_level", OPT_INT, offsetof(struct vgl_settings, lake_gzip_level), "1", 1, 9,
     "vigil run: gzip level of the lake files (1: fastest, about 3x the speed of 6)"},
    {"dir_piece_bytes", OPT_SIZE, offsetof(struct vgl_settings, dir_piece_bytes), "8388608", 4096,
     1LL << 40, "vigil run: directory sources read plain files in pieces of this size, shared by the workers"},
    {"batch_max_payloads", OPT_INT, offsetof(struct vgl_settings, batch_max_payloads), "2048", 1, 100000,
     "vigil run: payloads per batch (alerts, dead letters and checkpoint commit together)"},
};
#define NSETTINGS (sizeof settings_table / sizeof settings_table[0])

void vgl_settings_describe(FILE *out)
{
    static const char *const tnames[] = {"string", "size", "integer", "boolean"};
    for (size_t i = 0; i < NSETTINGS; i++) {
        const struct setting *s = &settings_table[i];
        fprintf(out, "%-22s %-8s default %-10s %s\n", s->name, tnames[s->type], s->dflt, s->help);
    }
}

static size_t edit_distance(const char *a, size_t la, const char *b)
{
    size_t lb = strlen(b), prev[64], cur[64];
    if (la >= 63 || lb >= 63)
        return 99;
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, cur, (lb + 1) * sizeof *prev);
    }
    return prev[lb];
}

static void set_setting(struct loader *ld, const struct setting *s, const char *file,
                        const struct vgl_json *v)
{
    struct vgl_settings *st = &ld->cfg->settings;
    char *field = (char *)st + s->offset;
    char p[256], f[256];
    snprintf(p, sizeof p, "$.%s", s->name);
    switch (s->type) {
    case OPT_STRING:
        if (!v || want_type(ld, file, p, v, VGL_JSON_STRING, "a string"))
            *(char **)field = v ? arena_str(ld->cfg, v->u.s, v->len)
                                : arena_str(ld->cfg, s->dflt, strlen(s->dflt));
        break;
    case OPT_BOOL:
        if (!v)
            *(bool *)field = strcmp(s->dflt, "true") == 0;
        else if (want_type(ld, file, p, v, VGL_JSON_BOOL, "true or false"))
            *(bool *)field = v->u.b;
        break;
    case OPT_SIZE:
    case OPT_INT: {
        long long x = strtoll(s->dflt, NULL, 10);
        if (v) {
            if (v->type != VGL_JSON_INT || v->u.i < s->min || v->u.i > s->max) {
                err_at(ld, file, p, "expected an integer from %lld to %lld, found %s", s->min, s->max,
                       found(v, f, sizeof f));
                break;
            }
            x = v->u.i;
        }
        if (s->type == OPT_SIZE)
            *(size_t *)field = (size_t)x;
        else
            *(long *)field = (long)x;
        break;
    }
    }
}

static void load_settings(struct loader *ld)
{
    struct vgl_config *cfg = ld->cfg;
    const struct vgl_json *doc = vgl_config_file(cfg, "vigil");
    char *path = path_join(cfg->dir, "vigil.json");
    if (doc && !want_type(ld, path, "$", doc, VGL_JSON_OBJECT, "an object of settings"))
        doc = NULL;
    for (size_t i = 0; i < NSETTINGS; i++)
        set_setting(ld, &settings_table[i], path, doc ? vgl_json_getz(doc, settings_table[i].name) : NULL);
    for (uint32_t i = 0; doc && i < doc->len; i++) {
        const struct vgl_json_member *m = &doc->u.members[i];
        bool known = false;
        const char *best = NULL;
        size_t bestd = 99;
        for (size_t k = 0; k < NSETTINGS; k++) {
            if (m->klen == strlen(settings_table[k].name) &&
                memcmp(m->key, settings_table[k].name, m->klen) == 0)
                known = true;
            size_t d = edit_distance(m->key, m->klen, settings_table[k].name);
            if (d < bestd) {
                bestd = d;
                best = settings_table[k].name;
            }
        }
        if (!known) {
            char p[300];
            path_key(p, sizeof p, "$", m->key, m->klen);
            if (best && bestd <= 3)
                err_at(ld, path, p, "unknown setting; did you mean '%s'?", best);
            else
                err_at(ld, path, p, "unknown setting (see `vigil validate --settings`)");
        }
    }
    if (cfg->settings.alerts_archive && strcmp(cfg->settings.alerts_archive, "local") != 0 &&
        strcmp(cfg->settings.alerts_archive, "firehose") != 0)
        err_at(ld, path, "$.alerts_archive", "expected 'local' or 'firehose', found '%s'",
               cfg->settings.alerts_archive);
    if (cfg->settings.log_level && vgl_log_level_parse(cfg->settings.log_level) < 0)
        err_at(ld, path, "$.log_level", "expected one of error, warn, info, debug, trace, found '%s'",
               cfg->settings.log_level);
    free(path);
}

/* ---- top level ---------------------------------------------------------------------- */

const struct vgl_json *vgl_config_file(const struct vgl_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->nfiles; i++)
        if (strcmp(cfg->files[i].name, name) == 0)
            return &cfg->files[i].json;
    return NULL;
}

const struct vgl_schema *vgl_config_schema(const struct vgl_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->nschemas; i++)
        if (strcmp(cfg->schemas[i].name, name) == 0)
            return &cfg->schemas[i];
    return NULL;
}

const struct vgl_data_source *vgl_config_source(const struct vgl_config *cfg, const char *service,
                                                const char *resource)
{
    for (size_t i = 0; i < cfg->nsources; i++)
        if (strcmp(cfg->sources[i].service, service) == 0 &&
            strcmp(cfg->sources[i].resource, resource) == 0)
            return &cfg->sources[i];
    return NULL;
}

static char *parent_dir(const char *dir)
{
    char *copy = vgl_xstrdup(dir);
    size_t n = strlen(copy);
    while (n > 1 && copy[n - 1] == '/')
        copy[--n] = '\0';
    char *slash = strrchr(copy, '/');
    if (!slash) {
        free(copy);
        return vgl_xstrdup(".");
    }
    if (slash == copy)
        slash[1] = '\0';
    else
        *slash = '\0';
    return copy;
}

struct vgl_config *vgl_config_load(const char *conf_dir, struct vgl_diag *diag)
{
    struct vgl_config *cfg = vgl_xcalloc(1, sizeof *cfg);
    struct loader ld = {.cfg = cfg, .diag = diag};
    size_t errors_before = diag->nerrors;
    cfg->dir = vgl_xstrdup(conf_dir);
    cfg->root = parent_dir(conf_dir);
    vgl_arena_init(&cfg->arena, 256 * 1024);

    struct stat st;
    if (stat(conf_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        err_at(&ld, conf_dir, NULL, "config directory not found (give --config DIR, the conf/ of a "
                                    "StreamAlert-layout project)");
        goto out;
    }
    size_t nnames;
    bool missing;
    char **names = list_json(conf_dir, &nnames, &missing);
    char *schemas_dir = path_join(conf_dir, "schemas");
    bool have_schemas_dir = stat(schemas_dir, &st) == 0 && S_ISDIR(st.st_mode);
    free(schemas_dir);
    if (nnames == 0 && !have_schemas_dir) {
        err_at(&ld, conf_dir, NULL, "no config files to load: the directory may be wrong");
        free_names(names, nnames);
        goto out;
    }
    size_t files_cap = 0;
    for (size_t i = 0; i < nnames; i++) {
        char *path = path_join(conf_dir, names[i]);
        struct vgl_json doc;
        if (parse_file(&ld, path, &doc) == 0) {
            cfg->files = vgl_xgrow(cfg->files, &files_cap, cfg->nfiles + 1, sizeof *cfg->files);
            struct vgl_config_file *f = &cfg->files[cfg->nfiles++];
            f->name = arena_str(cfg, names[i], strlen(names[i]) - 5);
            f->path = arena_str(cfg, path, strlen(path));
            f->json = doc;
        }
        free(path);
    }
    free_names(names, nnames);

    const struct vgl_json *global = vgl_config_file(cfg, "global");
    char *gpath = path_join(conf_dir, "global.json");
    if (!global) {
        if (stat(gpath, &st) != 0)
            err_at(&ld, gpath, NULL, "not found: every conf/ needs global.json (account, general)");
    } else if (want_type(&ld, gpath, "$", global, VGL_JSON_OBJECT, "an object")) {
        const struct vgl_json *gen = vgl_json_getz(global, "general");
        static const char *const locs[] = {"rule_locations", "matcher_locations",
                                           "publisher_locations", "scheduled_query_locations"};
        for (size_t i = 0; gen && i < 4; i++) {
            const struct vgl_json *v = vgl_json_getz(gen, locs[i]);
            char p[128];
            snprintf(p, sizeof p, "$.general.%s", locs[i]);
            if (v && !is_string_array(v)) {
                char f[256];
                err_at(&ld, gpath, p, "expected a list of folder names, found %s", found(v, f, sizeof f));
            }
        }
    }
    free(gpath);

    const struct vgl_json *nt = vgl_config_file(cfg, "normalized_types");
    if (nt) {
        struct vgl_error err = {0};
        cfg->legacy_norm = vgl_legacy_norm_compile(nt, &cfg->arena, &err);
        if (!cfg->legacy_norm) {
            char *p = path_join(conf_dir, "normalized_types.json");
            err_at(&ld, p, NULL, "%s", err.msg);
            free(p);
        }
    }
    load_schemas(&ld);
    load_clusters(&ld);
    check_threat_intel(&ld);
    load_settings(&ld);
    if (cfg->settings.legacy_normalization && !cfg->legacy_norm)
        warn_at(&ld, conf_dir, NULL,
                "legacy_normalization is on but there is no normalized_types.json");
out:
    /* Parsed strings point into the file texts: the config keeps them, and the
     * compiled expressions its schemas share. */
    cfg->texts = ld.texts;
    cfg->ntexts = ld.ntexts;
    cfg->paths = ld.paths;
    cfg->npaths = ld.npaths;
    free(ld.path_texts);
    if (diag->nerrors != errors_before) {
        vgl_config_free(cfg);
        return NULL;
    }
    return cfg;
}

void vgl_config_free(struct vgl_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->ntexts; i++)
        vgl_buf_release(&cfg->texts[i]);
    free(cfg->texts);
    for (size_t i = 0; i < cfg->npaths; i++)
        vgl_jmespath_free(cfg->paths[i]);
    free(cfg->paths);
    free(cfg->files);
    free(cfg->schemas);
    free(cfg->clusters);
    free(cfg->sources);
    vgl_arena_release(&cfg->arena);
    free(cfg->dir);
    free(cfg->root);
    free(cfg);
}
