/*
 * normalize/normalize.c: normalized types for classified records (compat section 3).
 *
 * Runs right after classification, once per valid record: it reads values at the
 * configured paths and attaches them under `streamalert_normalization`, so rules can
 * ask for "every source IP" whatever the log type.  The legacy v1 form walks the record
 * for keys by name and attaches `streamalert:normalization`.
 */
#include "normalize/normalize.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/xmalloc.h"
#include "parse/pyconv.h"

struct norm_param {
    const struct vgl_json *path;        /* array of keys */
    const struct vgl_json *function;    /* NULL when absent or falsy */
    const struct vgl_json *condition;   /* NULL when absent or falsy */
    bool no_artifacts;                  /* send_to_artifacts explicitly falsy */
};

struct norm_type {
    const char *name;
    uint32_t nlen;
    struct norm_param *params;
    size_t nparams;
};

struct vgl_norm_spec {
    struct norm_type *types;
    size_t ntypes;
};

static const char *const param_keys[] = {"path", "function", "condition", "send_to_artifacts"};

static bool all_type(const struct vgl_json *list, enum vgl_json_type t)
{
    for (uint32_t i = 0; i < list->len; i++)
        if (list->u.items[i].type != t)
            return false;
    return true;
}

static bool known_param_keys(const struct vgl_json *obj, const struct vgl_json_member **bad)
{
    for (uint32_t i = 0; i < obj->len; i++) {
        const struct vgl_json_member *m = &obj->u.members[i];
        bool ok = false;
        for (size_t k = 0; k < 4; k++)
            ok |= m->klen == strlen(param_keys[k]) && memcmp(m->key, param_keys[k], m->klen) == 0;
        if (!ok) {
            *bad = m;
            return false;
        }
    }
    return true;
}

struct vgl_norm_spec *vgl_norm_compile(const struct vgl_json *normalization,
                                       struct vgl_arena *arena, struct vgl_error *err)
{
    struct vgl_norm_spec *spec = vgl_arena_zalloc(arena, sizeof *spec);
    spec->ntypes = normalization->len;
    spec->types = vgl_arena_zalloc(arena, (spec->ntypes + 1) * sizeof *spec->types);
    for (uint32_t i = 0; i < normalization->len; i++) {
        const struct vgl_json_member *m = &normalization->u.members[i];
        struct norm_type *t = &spec->types[i];
        t->name = m->key;
        t->nlen = m->klen;
        const struct vgl_json *params = &m->val;
        if (params->type != VGL_JSON_ARRAY) {
            vgl_error_set(err, VGL_ECONFIG,
                          ".%.*s: Unsupported params for normalized type '%.*s': expected a list "
                          "(a path of keys, or objects with path/function/condition/"
                          "send_to_artifacts), found %s; convert params to a list",
                          (int)m->klen, m->key, (int)m->klen, m->key, vgl_json_type_name(params));
            return NULL;
        }
        if (all_type(params, VGL_JSON_STRING)) {
            /* A list of strings is one path (shorthand). */
            t->nparams = 1;
            t->params = vgl_arena_zalloc(arena, sizeof *t->params);
            t->params[0].path = params;
            continue;
        }
        const struct vgl_json_member *bad = NULL;
        bool ok = all_type(params, VGL_JSON_OBJECT);
        for (uint32_t k = 0; ok && k < params->len; k++)
            ok = known_param_keys(&params->u.items[k], &bad);
        if (!ok) {
            if (bad)
                vgl_error_set(err, VGL_ECONFIG,
                              ".%.*s: Unsupported type(s) in normalized type params: unknown key "
                              "'%.*s'; valid keys are path, function, condition, send_to_artifacts",
                              (int)m->klen, m->key, (int)bad->klen, bad->key);
            else
                vgl_error_set(err, VGL_ECONFIG,
                              ".%.*s: Unsupported type(s) in normalized type params: expected "
                              "either a list of strings (one path) or a list of objects, found a mix",
                              (int)m->klen, m->key);
            return NULL;
        }
        t->nparams = params->len;
        t->params = vgl_arena_zalloc(arena, (t->nparams + 1) * sizeof *t->params);
        for (uint32_t k = 0; k < params->len; k++) {
            const struct vgl_json *p = &params->u.items[k];
            struct norm_param *np = &t->params[k];
            np->path = vgl_json_getz(p, "path");
            if (np->path && np->path->type != VGL_JSON_ARRAY) {
                vgl_error_set(err, VGL_ECONFIG, ".%.*s[%u].path: expected a list of keys, found %s",
                              (int)m->klen, m->key, k, vgl_json_type_name(np->path));
                return NULL;
            }
            const struct vgl_json *f = vgl_json_getz(p, "function");
            np->function = f && vgl_json_truthy(f) ? f : NULL;
            const struct vgl_json *c = vgl_json_getz(p, "condition");
            np->condition = c && vgl_json_truthy(c) ? c : NULL;
            const struct vgl_json *sa = vgl_json_getz(p, "send_to_artifacts");
            np->no_artifacts = sa && !vgl_json_truthy(sa);
        }
    }
    return spec;
}

/* Walks path from root: NULL when any step is missing, falsy, or not an object. */
static const struct vgl_json *lookup_path(const struct vgl_json *root, const struct vgl_json *path)
{
    if (!path || path->len == 0)
        return NULL;
    const struct vgl_json *v = root;
    for (uint32_t i = 0; i < path->len; i++) {
        const struct vgl_json *k = &path->u.items[i];
        if (v->type != VGL_JSON_OBJECT || k->type != VGL_JSON_STRING)
            return NULL;
        v = vgl_json_get(v, k->u.s, k->len);
        if (!v || !vgl_json_truthy(v))
            return NULL;
    }
    return v;
}

/* Python str(value).lower(), ASCII letters only (docs/normalize.md). */
static int lower_str(struct vgl_buf *b, const struct vgl_json *v)
{
    vgl_buf_reset(b);
    int rc = vgl_py_str(b, v);
    if (rc)
        return rc;
    for (size_t i = 0; i < b->len; i++)
        if (b->data[i] >= 'A' && b->data[i] <= 'Z')
            b->data[i] = (char)(b->data[i] + 32);
    return 0;
}

static bool str_eq(const struct vgl_json *x, const char *s, size_t n)
{
    return x->type == VGL_JSON_STRING && x->len == n && memcmp(x->u.s, s, n) == 0;
}

static bool contains_sub(const char *hay, size_t hn, const char *needle, size_t nn)
{
    if (nn == 0)
        return true;
    for (size_t i = 0; i + nn <= hn; i++)
        if (memcmp(hay + i, needle, nn) == 0)
            return true;
    return false;
}

/* Python `v in x` for a str v: substring when x is a str, membership when a list. */
static bool py_in(const char *v, size_t n, const struct vgl_json *x)
{
    if (x->type == VGL_JSON_STRING)
        return contains_sub(x->u.s, x->len, v, n);
    if (x->type == VGL_JSON_ARRAY)
        return vgl_json_array_has_str(x, v, n);
    if (x->type == VGL_JSON_OBJECT)
        return vgl_json_get(x, v, n) != NULL;
    return false;   /* StreamAlert raises a TypeError here; treated as false */
}

static bool condition_matches(const struct vgl_json *record, const struct vgl_json *cond,
                              struct vgl_buf *tmp)
{
    if (cond->type != VGL_JSON_OBJECT)
        return false;
    const struct vgl_json *path = vgl_json_getz(cond, "path");
    if (!path)
        return false;
    const struct vgl_json *value = lookup_path(record, path);
    if (!value || lower_str(tmp, value) != 0)
        return false;
    const char *v = tmp->data;
    size_t n = tmp->len;
    static const char *const ops[] = {"is", "is_not", "in", "not_in", "contains", "not_contains"};
    for (int i = 0; i < 6; i++) {
        const struct vgl_json *x = vgl_json_getz(cond, ops[i]);
        if (!x || !vgl_json_truthy(x))
            continue;
        switch (i) {
        case 0:
            return str_eq(x, v, n);
        case 1:
            return !str_eq(x, v, n);
        case 2:
            return py_in(v, n, x);
        case 3:
            return !py_in(v, n, x);
        case 4:
            return x->type == VGL_JSON_STRING && contains_sub(v, n, x->u.s, x->len);
        case 5:
            return x->type == VGL_JSON_STRING && !contains_sub(v, n, x->u.s, x->len);
        }
    }
    return false;
}

/* Replaces or appends key in an object, copying the member array into the arena. */
static void object_set(struct vgl_arena *arena, struct vgl_json *obj, const char *key, size_t klen,
                       struct vgl_json val)
{
    for (uint32_t i = 0; i < obj->len; i++) {
        struct vgl_json_member *m = &obj->u.members[i];
        if (m->klen == klen && memcmp(m->key, key, klen) == 0) {
            struct vgl_json_member *copy = vgl_arena_memdup(arena, obj->u.members, obj->len * sizeof *copy);
            copy[i].val = val;
            obj->u.members = copy;
            vgl_json_touch(obj);
            return;
        }
    }
    struct vgl_json_member *copy = vgl_arena_alloc(arena, (obj->len + 1) * sizeof *copy);
    if (obj->len)
        memcpy(copy, obj->u.members, obj->len * sizeof *copy);
    copy[obj->len] = (struct vgl_json_member){.key = key, .klen = (uint32_t)klen, .val = val};
    obj->u.members = copy;
    obj->len++;
    vgl_json_touch(obj);
}

int vgl_normalize(const struct vgl_norm_spec *spec, struct vgl_json *record,
                  struct vgl_arena *arena, struct vgl_error *err)
{
    if (record->type != VGL_JSON_OBJECT)
        return 0;
    /* Scratch for conditions' lowercased text, reused by every record of this thread. */
    static _Thread_local struct vgl_buf tmp = {.max = 1 << 20};
    struct vgl_json_member *out = vgl_arena_alloc(arena, (spec->ntypes + 1) * sizeof *out);
    size_t nout = 0;
    for (size_t t = 0; t < spec->ntypes; t++) {
        const struct norm_type *nt = &spec->types[t];
        struct vgl_json *entries = vgl_arena_alloc(arena, (nt->nparams + 1) * sizeof *entries);
        size_t nentries = 0;
        for (size_t p = 0; p < nt->nparams; p++) {
            const struct norm_param *np = &nt->params[p];
            if (np->condition && !condition_matches(record, np->condition, &tmp))
                continue;
            const struct vgl_json *value = lookup_path(record, np->path);
            if (!value)
                continue;
            struct vgl_json values;
            if (value->type == VGL_JSON_ARRAY) {
                values = *value;
            } else {
                /* [str(value)]: a string is its own str(), shared, not copied. */
                struct vgl_json s = *value;
                int rc;
                if (value->type != VGL_JSON_STRING && (rc = vgl_py_str_json(value, arena, &s, err))) {
                    vgl_error_prefix(err, "normalization '%.*s'", (int)nt->nlen, nt->name);
                    return rc;
                }
                values = vgl_json_array(arena, &s, 1);
            }
            struct vgl_json_member em[3];
            size_t nem = 0;
            em[nem++] = (struct vgl_json_member){"function", 8, VGL_JSON_F_PLAIN,
                                                 np->function ? *np->function : vgl_json_null()};
            em[nem++] = (struct vgl_json_member){"values", 6, VGL_JSON_F_PLAIN, values};
            if (np->no_artifacts)
                em[nem++] = (struct vgl_json_member){"send_to_artifacts", 17, VGL_JSON_F_PLAIN,
                                                     vgl_json_bool(false)};
            entries[nentries++] = vgl_json_object(arena, em, nem);
        }
        if (nentries)
            out[nout++] = (struct vgl_json_member){nt->name, nt->nlen, 0,
                                                   vgl_json_array(arena, entries, nentries)};
    }
    if (nout) {
        char *id = vgl_arena_alloc(arena, 37);
        vgl_uuid4(id);
        struct vgl_json idv = vgl_json_str(id, 36);
        idv.flags = VGL_JSON_F_PLAIN;
        out[nout++] = (struct vgl_json_member){VGL_RECORD_ID_KEY, sizeof VGL_RECORD_ID_KEY - 1,
                                               VGL_JSON_F_PLAIN, idv};
    }
    object_set(arena, record, VGL_NORMALIZATION_KEY, sizeof VGL_NORMALIZATION_KEY - 1,
               vgl_json_object(arena, out, nout));
    return 0;
}

/* ---- legacy v1 (normalized_types.json) ---------------------------------------------- */

struct vgl_legacy_norm {
    const struct vgl_json *map;   /* {log_source: {type: [key names]}} */
};

struct vgl_legacy_norm *vgl_legacy_norm_compile(const struct vgl_json *nt, struct vgl_arena *arena,
                                                struct vgl_error *err)
{
    if (nt->type != VGL_JSON_OBJECT) {
        vgl_error_set(err, VGL_ECONFIG, "$: expected an object of log source: {type: [keys]}, found %s",
                      vgl_json_type_name(nt));
        return NULL;
    }
    for (uint32_t i = 0; i < nt->len; i++) {
        const struct vgl_json_member *src = &nt->u.members[i];
        if (src->val.type != VGL_JSON_OBJECT) {
            vgl_error_set(err, VGL_ECONFIG, "$.%.*s: expected an object of type: [keys], found %s",
                          (int)src->klen, src->key, vgl_json_type_name(&src->val));
            return NULL;
        }
        for (uint32_t k = 0; k < src->val.len; k++) {
            const struct vgl_json_member *t = &src->val.u.members[k];
            if (t->val.type != VGL_JSON_ARRAY || !all_type(&t->val, VGL_JSON_STRING)) {
                vgl_error_set(err, VGL_ECONFIG, "$.%.*s.%.*s: expected a list of key names, found %s",
                              (int)src->klen, src->key, (int)t->klen, t->key,
                              vgl_json_type_name(&t->val));
                return NULL;
            }
        }
    }
    struct vgl_legacy_norm *ln = vgl_arena_zalloc(arena, sizeof *ln);
    ln->map = nt;
    return ln;
}

bool vgl_legacy_norm_has(const struct vgl_legacy_norm *ln, const char *source, size_t len)
{
    return ln && vgl_json_get(ln->map, source, len) != NULL;
}

bool vgl_legacy_norm_declares(const struct vgl_legacy_norm *ln, const char *type, size_t len)
{
    for (uint32_t i = 0; ln && i < ln->map->len; i++)
        if (vgl_json_get(&ln->map->u.members[i].val, type, len))
            return true;
    return false;
}

struct collect {
    struct vgl_json *vals;
    size_t n, cap;
};

static void collect_add(struct collect *c, const struct vgl_json *v)
{
    if (v->type == VGL_JSON_NULL || (v->type == VGL_JSON_STRING && v->len == 0))
        return;
    for (size_t i = 0; i < c->n; i++)
        if (vgl_json_equal(&c->vals[i], v))
            return;
    c->vals = vgl_xgrow(c->vals, &c->cap, c->n + 1, sizeof *c->vals);
    c->vals[c->n++] = *v;
}

/* Nested objects are searched, lists of objects are not (as v1 did). */
static void collect_keys(const struct vgl_json *obj, const struct vgl_json *names, struct collect *c,
                         int depth)
{
    if (depth > 64)
        return;
    for (uint32_t i = 0; i < obj->len; i++) {
        const struct vgl_json_member *m = &obj->u.members[i];
        bool wanted = false;
        for (uint32_t k = 0; k < names->len && !wanted; k++)
            wanted = str_eq(&names->u.items[k], m->key, m->klen);
        if (wanted) {
            if (m->val.type == VGL_JSON_ARRAY)
                for (uint32_t k = 0; k < m->val.len; k++)
                    collect_add(c, &m->val.u.items[k]);
            else
                collect_add(c, &m->val);
        }
        if (m->val.type == VGL_JSON_OBJECT)
            collect_keys(&m->val, names, c, depth + 1);
    }
}

struct keyed {
    struct vgl_json v;
    char *text;
};

static int cmp_keyed(const void *a, const void *b)
{
    return strcmp(((const struct keyed *)a)->text, ((const struct keyed *)b)->text);
}

int vgl_legacy_normalize(const struct vgl_legacy_norm *ln, const char *source, size_t source_len,
                         struct vgl_json *record, struct vgl_arena *arena, struct vgl_error *err)
{
    const struct vgl_json *types = ln ? vgl_json_get(ln->map, source, source_len) : NULL;
    if (!types || record->type != VGL_JSON_OBJECT)
        return 0;
    struct vgl_json_member *out = vgl_arena_alloc(arena, (types->len + 1) * sizeof *out);
    size_t nout = 0;
    for (uint32_t t = 0; t < types->len; t++) {
        const struct vgl_json_member *tm = &types->u.members[t];
        struct collect c = {0};
        collect_keys(record, &tm->val, &c, 0);
        if (c.n) {
            /* Sorted by their string form, as v1 did. */
            struct keyed *k = vgl_xcalloc(c.n, sizeof *k);
            for (size_t i = 0; i < c.n; i++) {
                struct vgl_buf b;
                vgl_buf_init(&b, 0);
                vgl_py_str(&b, &c.vals[i]);
                k[i].v = c.vals[i];
                k[i].text = vgl_buf_detach(&b, NULL);
            }
            qsort(k, c.n, sizeof *k, cmp_keyed);
            struct vgl_json *items = vgl_arena_alloc(arena, c.n * sizeof *items);
            for (size_t i = 0; i < c.n; i++) {
                items[i] = k[i].v;
                free(k[i].text);
            }
            free(k);
            out[nout++] = (struct vgl_json_member){tm->key, tm->klen, 0, vgl_json_array(arena, items, c.n)};
        }
        free(c.vals);
    }
    (void)err;
    object_set(arena, record, VGL_NORMALIZATION_KEY_V1, sizeof VGL_NORMALIZATION_KEY_V1 - 1,
               vgl_json_object(arena, out, nout));
    return 0;
}

/* ---- record ids --------------------------------------------------------------------- */

static uint64_t rng_state[2];
static bool rng_seeded;

static uint64_t rng_next(void)
{
    /* xorshift128+: ids need uniqueness, not secrecy. */
    uint64_t s1 = rng_state[0];
    const uint64_t s0 = rng_state[1];
    rng_state[0] = s0;
    s1 ^= s1 << 23;
    rng_state[1] = s1 ^ s0 ^ (s1 >> 17) ^ (s0 >> 26);
    return rng_state[1] + s0;
}

static void rng_seed(void)
{
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, rng_state, sizeof rng_state) != (ssize_t)sizeof rng_state) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        rng_state[0] = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid();
        rng_state[1] = (uint64_t)ts.tv_sec * 0xbf58476d1ce4e5b9ull + 1;
    }
    if (fd >= 0)
        close(fd);
    if (!rng_state[0] && !rng_state[1])
        rng_state[1] = 1;
    rng_seeded = true;
}

void vgl_uuid4(char out[37])
{
    if (!rng_seeded)
        rng_seed();
    uint64_t hi = rng_next(), lo = rng_next();
    unsigned char b[16];
    for (int i = 0; i < 8; i++) {
        b[i] = (unsigned char)(hi >> (56 - 8 * i));
        b[8 + i] = (unsigned char)(lo >> (56 - 8 * i));
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[n++] = '-';
        out[n++] = hex[b[i] >> 4];
        out[n++] = hex[b[i] & 15];
    }
    out[n] = '\0';
}
