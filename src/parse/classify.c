/*
 * parse/classify.c: the classifier: a payload record against candidate schemas.
 *
 * Sits between framing and rules.  For each payload: decode once (JSON if it parses,
 * else the text), then for each candidate schema in order: envelope check and
 * extraction, the parser's candidate extraction (shared per parser kind through a small
 * cache), the exact key check, Python-style type conversion, log_patterns, then
 * envelope and optional-key defaults (compat 2.4).  The first schema with a valid record
 * wins; its records are normalized (compat 3).
 */
#include "parse/classify.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "config/schema.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "normalize/normalize.h"
#include "parse/csvread.h"
#include "parse/jmespath.h"
#include "parse/kvsplit.h"
#include "parse/pyconv.h"
#include "parse/syslogmatch.h"

#define ENVELOPE_KEY "streamalert:envelope_keys"
#define ENVELOPE_KEY_LEN (sizeof ENVELOPE_KEY - 1)
#define MAX_CACHED 8

/* One candidate record from a parser: valid so far, or already known invalid. */
struct cand {
    struct vgl_json v;
    bool ok;
    const char *why;   /* static text for an invalid candidate (explain) */
};

struct cands {
    struct cand *items;
    size_t n, cap;
};

/* Per-payload state shared by all candidate schemas. */
struct ctx {
    const struct vgl_payload *payload;
    struct vgl_arena *arena;
    const struct vgl_classify_opts *opts;
    bool explain;

    int decoded_state;            /* 0 untried, 1 JSON value, 2 not JSON */
    struct vgl_json decoded;      /* the JSON value, or the text as a string */
    char decode_err[160];
    bool utf8_checked, utf8_ok;
    size_t utf8_bad_at;

    struct {
        const struct vgl_jmespath *path;
        struct vgl_json result;
        int rc;
    } jp[MAX_CACHED];
    size_t njp;

    struct {
        struct vgl_csv_dialect d;
        const char *text;
        struct vgl_csv_rows rows;
        int rc;
    } csv[MAX_CACHED];
    size_t ncsv;

    int syslog_state;             /* 0 untried, 1 matched, 2 no match */
    struct vgl_syslog_fields syslog;

    char *reason;                 /* the current attempt's reason buffer (explain) */
    size_t reason_len;
};

static void why(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void why(struct ctx *c, const char *fmt, ...)
{
    if (!c->explain || !c->reason || c->reason[0])
        return;   /* keep the first reason: the one that decided */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->reason, c->reason_len, fmt, ap);
    va_end(ap);
}

static void cands_push(struct cands *cs, struct vgl_arena *a, struct vgl_json v, bool ok,
                       const char *w)
{
    if (cs->n == cs->cap) {
        size_t cap = cs->cap ? cs->cap * 2 : 4;
        struct cand *items = vgl_arena_alloc(a, cap * sizeof *items);
        if (cs->n)
            memcpy(items, cs->items, cs->n * sizeof *items);
        cs->items = items;
        cs->cap = cap;
    }
    cs->items[cs->n++] = (struct cand){v, ok, w};
}

/* ---- decoding (compat 2.4 step 1) -------------------------------------------------- */

static bool text_utf8_ok(struct ctx *c)
{
    if (!c->utf8_checked) {
        c->utf8_bad_at = vgl_utf8_check(c->payload->data, c->payload->len);
        c->utf8_ok = c->utf8_bad_at == c->payload->len;
        c->utf8_checked = true;
    }
    return c->utf8_ok;
}

static void decode(struct ctx *c)
{
    if (c->decoded_state)
        return;
    if (c->payload->decoded) {
        c->decoded = *c->payload->decoded;
        c->decoded_state = 1;
        return;
    }
    struct vgl_error err;
    err.code = 0;
    struct vgl_json_opts jo = {.max_depth = c->opts ? c->opts->max_depth : 0};
    if (vgl_json_parse(c->payload->data, c->payload->len, c->arena, &jo, &c->decoded, &err) == 0) {
        c->decoded_state = 1;
        return;
    }
    snprintf(c->decode_err, sizeof c->decode_err, "%.150s", err.msg);
    c->decoded = vgl_json_str(c->payload->data, c->payload->len);
    c->decoded_state = 2;
}

/*
 * The text a csv/kv/syslog parser sees: the decoded string when the payload was a JSON
 * string (StreamAlert's unquoting quirk), the raw text when it was not JSON.  A JSON
 * payload of another type crashes those parsers in StreamAlert; here it is a non-match.
 */
static bool parser_text(struct ctx *c, const char **s, size_t *n)
{
    decode(c);
    if (c->decoded.type != VGL_JSON_STRING) {
        why(c, "payload is json %s, not text", vgl_json_type_name(&c->decoded));
        return false;
    }
    if (c->decoded_state == 2 && !text_utf8_ok(c)) {
        why(c, "payload is not valid utf-8 (byte %zu)", c->utf8_bad_at);
        return false;
    }
    *s = c->decoded.u.s;
    *n = c->decoded.len;
    return true;
}

static int jmespath_cached(struct ctx *c, const struct vgl_jmespath *p, const struct vgl_json *in,
                           struct vgl_json *out)
{
    for (size_t i = 0; i < c->njp; i++) {
        if (c->jp[i].path == p) {
            *out = c->jp[i].result;
            return c->jp[i].rc;
        }
    }
    struct vgl_error err;
    err.code = 0;
    int rc = vgl_jmespath_eval(p, in, c->arena, out, &err);
    if (rc)
        *out = vgl_json_null();
    if (c->njp < MAX_CACHED) {
        c->jp[c->njp].path = p;
        c->jp[c->njp].result = *out;
        c->jp[c->njp].rc = rc;
        c->njp++;
    }
    return rc;
}

static int csv_cached(struct ctx *c, const struct vgl_csv_dialect *d, const char *text, size_t len,
                      struct vgl_csv_rows *rows)
{
    for (size_t i = 0; i < c->ncsv; i++) {
        if (c->csv[i].text == text && memcmp(&c->csv[i].d, d, sizeof *d) == 0) {
            *rows = c->csv[i].rows;
            return c->csv[i].rc;
        }
    }
    struct vgl_error err;
    err.code = 0;
    int rc = vgl_csv_read(text, len, d, c->arena, rows, &err);
    if (c->ncsv < MAX_CACHED) {
        c->csv[c->ncsv].d = *d;
        c->csv[c->ncsv].text = text;
        c->csv[c->ncsv].rows = *rows;
        c->csv[c->ncsv].rc = rc;
        c->ncsv++;
    }
    return rc;
}

/* ---- key check (compat 2.4 step 5a) ------------------------------------------------ */

/* Schema member for a key, trying the same position first (records mostly keep order). */
static const struct vgl_json_member *schema_member(const struct vgl_json *schema, uint32_t hint,
                                                   const char *key, size_t klen)
{
    if (hint < schema->len) {
        const struct vgl_json_member *m = &schema->u.members[hint];
        if (m->klen == klen && memcmp(m->key, key, klen) == 0)
            return m;
    }
    for (uint32_t i = 0; i < schema->len; i++) {
        const struct vgl_json_member *m = &schema->u.members[i];
        if (m->klen == klen && memcmp(m->key, key, klen) == 0)
            return m;
    }
    return NULL;
}

static bool is_nested(const struct vgl_json *type)
{
    return type->type == VGL_JSON_OBJECT && type->len > 0;
}

static bool key_check(struct ctx *c, const struct vgl_json *rec, const struct vgl_json *schema,
                      const struct vgl_json *optional, const char *where, int depth)
{
    if (schema->len == 0)
        return true;   /* {} accepts anything, even a non-object */
    if (rec->type != VGL_JSON_OBJECT) {
        why(c, "%s: expected an object, found %s", where, vgl_json_type_name(rec));
        return false;
    }
    if (depth > 64) {
        why(c, "%s: schema nested too deep", where);
        return false;
    }
    size_t present = 0;
    for (uint32_t i = 0; i < rec->len; i++) {
        const struct vgl_json_member *m = &rec->u.members[i];
        if (!schema_member(schema, i, m->key, m->klen)) {
            why(c, "%s: key '%.*s' is not in the schema", where, (int)(m->klen > 60 ? 60 : m->klen),
                m->key);
            return false;
        }
        present++;
    }
    if (present != schema->len) {
        for (uint32_t i = 0; i < schema->len; i++) {
            const struct vgl_json_member *m = &schema->u.members[i];
            if (!vgl_json_get(rec, m->key, m->klen) && !(optional && vgl_json_array_has_str(optional, m->key, m->klen))) {
                why(c, "%s: required key '%.*s' is missing", where, (int)m->klen, m->key);
                return false;
            }
        }
    }
    /* Non-empty object types: the value, or {} when absent, must match exactly. */
    for (uint32_t i = 0; i < schema->len; i++) {
        const struct vgl_json_member *m = &schema->u.members[i];
        if (!is_nested(&m->val))
            continue;
        static const struct vgl_json empty = {.type = VGL_JSON_OBJECT};
        const struct vgl_json *v = vgl_json_get(rec, m->key, m->klen);
        char sub[160];
        snprintf(sub, sizeof sub, "%s.%.*s", where, (int)(m->klen > 40 ? 40 : m->klen), m->key);
        if (!key_check(c, v ? v : &empty, &m->val, NULL, sub, depth + 1))
            return false;
    }
    return true;
}

/* ---- type conversion (compat 2.5) -------------------------------------------------- */

static bool type_is(const struct vgl_json *t, const char *name, size_t n)
{
    return t->type == VGL_JSON_STRING && t->len == n && memcmp(t->u.s, name, n) == 0;
}

static bool convert_value(struct ctx *c, const struct vgl_json *type, const struct vgl_json *v,
                          struct vgl_json *out, const char *where, const char *key, size_t klen,
                          int depth);

/* True when a conversion left the value as it was (field by field: padding and unused
 * union bytes are not compared). */
static bool same_value(const struct vgl_json *a, const struct vgl_json *b)
{
    if (a->type != b->type || a->flags != b->flags || a->len != b->len)
        return false;
    switch (a->type) {
    case VGL_JSON_NULL:
        return true;
    case VGL_JSON_BOOL:
        return a->u.b == b->u.b;
    case VGL_JSON_INT:
        return a->u.i == b->u.i;
    case VGL_JSON_FLOAT:
        return memcmp(&a->u.d, &b->u.d, sizeof a->u.d) == 0;
    default:
        return a->u.s == b->u.s;   /* same string, items or members pointer */
    }
}

/* Converts an object against schema; writes the new object to out. */
static bool convert_object(struct ctx *c, const struct vgl_json *schema, const struct vgl_json *rec,
                           struct vgl_json *out, const char *where, int depth)
{
    *out = *rec;
    if (schema->len == 0 || rec->type != VGL_JSON_OBJECT)
        return true;
    struct vgl_json_member *members = NULL;
    for (uint32_t i = 0; i < rec->len; i++) {
        const struct vgl_json_member *m = &rec->u.members[i];
        const struct vgl_json_member *sm = schema_member(schema, i, m->key, m->klen);
        if (!sm || !vgl_json_truthy(&m->val))
            continue;   /* falsy values are never converted or checked */
        struct vgl_json nv;
        if (!convert_value(c, &sm->val, &m->val, &nv, where, m->key, m->klen, depth))
            return false;
        if (!same_value(&nv, &m->val)) {
            if (!members) {
                members = vgl_arena_memdup(c->arena, rec->u.members, rec->len * sizeof *members);
                out->u.members = members;
                vgl_json_touch(out);
            }
            members[i].val = nv;
        }
    }
    return true;
}

static bool convert_value(struct ctx *c, const struct vgl_json *type, const struct vgl_json *v,
                          struct vgl_json *out, const char *where, const char *key, size_t klen,
                          int depth)
{
    struct vgl_error err;   /* set by the conversions on failure; not cleared per value */
    int kl = (int)(klen > 60 ? 60 : klen);
    *out = *v;
    if (type->type == VGL_JSON_STRING) {
        int rc = 0;
        if (type_is(type, "string", 6)) {
            if (v->type != VGL_JSON_STRING)
                rc = vgl_py_str_json(v, c->arena, out, &err);
        } else if (type_is(type, "integer", 7)) {
            if (v->type != VGL_JSON_INT && v->type != VGL_JSON_BIGINT)
                rc = vgl_py_int(v, c->arena, out, &err);
        } else if (type_is(type, "float", 5)) {
            if (v->type != VGL_JSON_FLOAT)
                rc = vgl_py_float(v, c->arena, out, &err);
        } else if (type_is(type, "boolean", 7)) {
            *out = vgl_json_bool(vgl_py_bool_of(v));
        } else {
            why(c, "%s.%.*s: unsupported type '%.*s' for a non-empty value", where, kl, key,
                (int)(type->len > 40 ? 40 : type->len), type->u.s);
            return false;
        }
        if (rc) {
            why(c, "%s.%.*s: %s", where, kl, key, err.msg);
            return false;
        }
        return true;
    }
    if (type->type == VGL_JSON_OBJECT) {
        if (type->len == 0)
            return true;
        char sub[160];
        snprintf(sub, sizeof sub, "%s.%.*s", where, kl > 40 ? 40 : kl, key);
        if (depth > 64)
            return false;
        return convert_object(c, type, v, out, sub, depth + 1);
    }
    if (type->type == VGL_JSON_ARRAY) {
        if (v->type != VGL_JSON_ARRAY) {
            why(c, "%s.%.*s: expected a list, found %s", where, kl, key, vgl_json_type_name(v));
            return false;
        }
        return true;
    }
    why(c, "%s.%.*s: unsupported schema type for a non-empty value", where, kl, key);
    return false;
}

/* ---- defaults (compat 2.2) --------------------------------------------------------- */

bool vgl_schema_default(const struct vgl_json *type, struct vgl_json *out)
{
    switch (type->type) {
    case VGL_JSON_STRING:
        if (type_is(type, "string", 6))
            *out = vgl_json_str("", 0);
        else if (type_is(type, "integer", 7))
            *out = vgl_json_int(0);
        else if (type_is(type, "float", 5))
            *out = vgl_json_float(0.0);
        else if (type_is(type, "boolean", 7))
            *out = vgl_json_bool(false);
        else
            return false;   /* StreamAlert crashes on an unknown type name here */
        return true;
    case VGL_JSON_OBJECT:
        *out = (struct vgl_json){.type = VGL_JSON_OBJECT};
        return true;
    case VGL_JSON_ARRAY:
        *out = (struct vgl_json){.type = VGL_JSON_ARRAY};
        return true;
    case VGL_JSON_INT:
    case VGL_JSON_BIGINT:
        *out = vgl_json_int(0);
        return true;
    case VGL_JSON_FLOAT:
        *out = vgl_json_float(0.0);
        return true;
    case VGL_JSON_BOOL:
        *out = vgl_json_bool(false);
        return true;
    default:
        *out = vgl_json_null();
        return true;
    }
}

/* ---- log_patterns (compat 2.6) ----------------------------------------------------- */

static size_t utf8_next(const unsigned char *s, size_t n, size_t i, uint32_t *cp)
{
    unsigned c0 = s[i];
    size_t l = c0 < 0x80 ? 1 : c0 < 0xe0 ? 2 : c0 < 0xf0 ? 3 : 4;
    if (i + l > n)
        l = 1;
    uint32_t v = l == 1 ? c0 : (c0 & (0x7f >> l));
    for (size_t k = 1; k < l; k++)
        v = (v << 6) | (s[i + k] & 0x3f);
    *cp = v;
    return i + l;
}

/* Parses a [...] set at pat[i] (just after '['); returns the index after ']' or 0. */
static size_t set_match(const unsigned char *p, size_t pn, size_t i, uint32_t ch, bool *hit)
{
    size_t j = i;
    bool neg = false;
    if (j < pn && p[j] == '!') {
        neg = true;
        j++;
    }
    size_t first = j;
    if (j < pn && p[j] == ']')
        j++;
    while (j < pn && p[j] != ']')
        j++;
    if (j >= pn)
        return 0;   /* no closing ']': the '[' is literal */
    bool in = false;
    size_t k = first;
    while (k < j) {
        uint32_t lo, hi;
        k = utf8_next(p, j, k, &lo);
        hi = lo;
        if (k + 1 < j && p[k] == '-') {
            k = utf8_next(p, j, k + 1, &hi);
        }
        if (ch >= lo && ch <= hi)
            in = true;
    }
    *hit = in != neg;
    return j + 1;
}

bool vgl_fnmatch(const char *pat, size_t plen, const char *str, size_t slen)
{
    const unsigned char *p = (const unsigned char *)pat, *s = (const unsigned char *)str;
    size_t pi = 0, si = 0, star_p = (size_t)-1, star_s = 0;
    while (si < slen) {
        if (pi < plen && p[pi] == '*') {
            while (pi < plen && p[pi] == '*')
                pi++;
            star_p = pi;
            star_s = si;
            continue;
        }
        if (pi < plen) {
            uint32_t ch;
            size_t snext = utf8_next(s, slen, si, &ch);
            if (p[pi] == '?') {
                pi++;
                si = snext;
                continue;
            }
            if (p[pi] == '[') {
                bool hit = false;
                size_t after = set_match(p, plen, pi + 1, ch, &hit);
                if (after) {
                    if (hit) {
                        pi = after;
                        si = snext;
                        continue;
                    }
                    goto backtrack;
                }
            }
            uint32_t pc;
            size_t pnext = utf8_next(p, plen, pi, &pc);
            if (pc == ch) {
                pi = pnext;
                si = snext;
                continue;
            }
        }
    backtrack:
        if (star_p == (size_t)-1)
            return false;
        uint32_t ch;
        star_s = utf8_next(s, slen, star_s, &ch);
        si = star_s;
        pi = star_p;
    }
    while (pi < plen && p[pi] == '*')
        pi++;
    return pi == plen;
}

static bool patterns_match(struct ctx *c, const struct vgl_json *pats, const struct vgl_json *rec,
                           const struct vgl_json *env, int depth)
{
    if (pats->type != VGL_JSON_OBJECT || depth > 32)
        return false;
    bool result = true;
    for (uint32_t i = 0; i < pats->len; i++) {
        const struct vgl_json_member *m = &pats->u.members[i];
        if (m->klen == ENVELOPE_KEY_LEN && memcmp(m->key, ENVELOPE_KEY, m->klen) == 0)
            return patterns_match(c, &m->val, env, env, depth + 1);
        const struct vgl_json *v = rec->type == VGL_JSON_OBJECT ? vgl_json_get(rec, m->key, m->klen)
                                                                : NULL;
        if (m->val.type == VGL_JSON_OBJECT) {
            /* A missing field aborts StreamAlert's batch; a non-match here. */
            if (!v)
                return false;
            return patterns_match(c, &m->val, v, env, depth + 1);
        }
        if (!v)
            return false;
        if (v->type != VGL_JSON_STRING)
            return false;   /* StreamAlert raises a TypeError; a non-match here */
        bool any = false;
        if (m->val.type == VGL_JSON_STRING) {
            any = vgl_fnmatch(m->val.u.s, m->val.len, v->u.s, v->len);
        } else if (m->val.type == VGL_JSON_ARRAY) {
            for (uint32_t k = 0; k < m->val.len && !any; k++) {
                const struct vgl_json *pt = &m->val.u.items[k];
                if (pt->type != VGL_JSON_STRING)
                    return false;
                any = vgl_fnmatch(pt->u.s, pt->len, v->u.s, v->len);
            }
        }
        result = result && any;
    }
    return result;
}

/* ---- per-parser candidate extraction (compat 2.7-2.10) ----------------------------- */

/* compat 2.7 json_regex_key: `{.+[:,].+}` or `\[.+[,:].+\]`, leftmost, greedy, one line. */
static bool find_json_blob(const char *s, size_t n, size_t *start, size_t *len)
{
    for (size_t i = 0; i < n; i++) {
        char open = s[i];
        if (open != '{' && open != '[')
            continue;
        char close = open == '{' ? '}' : ']';
        size_t eol = i + 1;
        while (eol < n && s[eol] != '\n')
            eol++;
        size_t last = (size_t)-1;
        for (size_t k = i + 1; k < eol; k++)
            if (s[k] == close)
                last = k;
        if (last == (size_t)-1 || last < i + 4)
            continue;
        for (size_t k = i + 2; k + 2 <= last; k++) {
            if (s[k] == ':' || s[k] == ',') {
                *start = i;
                *len = last - i + 1;
                return true;
            }
        }
    }
    return false;
}

static void json_candidates(struct ctx *c, const struct vgl_schema *sc, struct cands *cs)
{
    decode(c);
    const struct vgl_json *d = &c->decoded;
    if (sc->json_path) {
        struct vgl_json r;
        if (c->decoded_state != 1) {
            why(c, "not json: %s", c->decode_err);
            cands_push(cs, c->arena, *d, false, NULL);
            return;
        }
        if (jmespath_cached(c, sc->json_path, d, &r) != 0 || !vgl_json_truthy(&r)) {
            cands_push(cs, c->arena, *d, false, "json_path selected nothing");
            return;
        }
        size_t n = r.type == VGL_JSON_ARRAY ? r.len : 1;
        for (size_t i = 0; i < n; i++) {
            const struct vgl_json *e = r.type == VGL_JSON_ARRAY ? &r.u.items[i] : &r;
            if (!sc->embedded_json) {
                cands_push(cs, c->arena, *e, true, NULL);
                continue;
            }
            struct vgl_json inner;
            struct vgl_json_opts jo = {.max_depth = c->opts ? c->opts->max_depth : 0};
            if (e->type != VGL_JSON_STRING) {
                cands_push(cs, c->arena, *e, false, "embedded_json: element is not a string");
            } else if (vgl_json_parse(e->u.s, e->len, c->arena, &jo, &inner, NULL) != 0) {
                cands_push(cs, c->arena, *e, false, "embedded_json: element is not json");
            } else if (inner.type != VGL_JSON_OBJECT) {
                cands_push(cs, c->arena, inner, false, "embedded_json: element is not a json object");
            } else {
                cands_push(cs, c->arena, inner, true, NULL);
            }
        }
        return;
    }
    if (sc->json_regex_key) {
        const struct vgl_json *v = d->type == VGL_JSON_OBJECT
                                       ? vgl_json_get(d, sc->json_regex_key, sc->json_regex_key_len)
                                       : NULL;
        if (!v || !vgl_json_truthy(v)) {
            cands_push(cs, c->arena, *d, false, "json_regex_key: key missing or empty");
            return;
        }
        struct vgl_json text = *v;
        if (v->type != VGL_JSON_STRING && vgl_py_str_json(v, c->arena, &text, NULL) != 0) {
            cands_push(cs, c->arena, *d, false, "json_regex_key: value too large");
            return;
        }
        size_t start, len;
        struct vgl_json inner;
        struct vgl_json_opts jo = {.max_depth = c->opts ? c->opts->max_depth : 0};
        if (!find_json_blob(text.u.s, text.len, &start, &len) ||
            vgl_json_parse(text.u.s + start, len, c->arena, &jo, &inner, NULL) != 0 ||
            inner.type != VGL_JSON_OBJECT) {
            cands_push(cs, c->arena, *d, false, "json_regex_key: no embedded json object");
            return;
        }
        cands_push(cs, c->arena, inner, true, NULL);
        return;
    }
    if (c->decoded_state != 1) {
        /* StreamAlert keeps the undecoded text as the candidate, which an empty schema
         * accepts like anything else (compat 2.4 step 1, 2.7). */
        if (sc->schema->len == 0 && text_utf8_ok(c)) {
            cands_push(cs, c->arena, *d, true, NULL);
            return;
        }
        cands_push(cs, c->arena, *d, false, NULL);
        why(c, "not json: %s", c->decode_err);
        return;
    }
    cands_push(cs, c->arena, *d, true, NULL);
}

/* One CSV row against a schema (positional), with nested CSV columns. */
static bool csv_row_record(struct ctx *c, const struct vgl_schema *sc, const struct vgl_json *schema,
                           const struct vgl_csv_row *row, struct vgl_json *out, int depth)
{
    if (row->nfields != schema->len) {
        why(c, "expected %u csv fields, got %zu", schema->len, row->nfields);
        return false;
    }
    struct vgl_json_member *m = vgl_arena_alloc(c->arena, (schema->len + 1) * sizeof *m);
    for (uint32_t i = 0; i < schema->len; i++) {
        const struct vgl_json_member *sm = &schema->u.members[i];
        m[i].key = sm->key;
        m[i].klen = sm->klen;
        m[i].kflags = sm->kflags;
        m[i].val = vgl_json_str(row->fields[i].s, row->fields[i].len);
        if (sm->val.type == VGL_JSON_OBJECT) {
            /* Nested CSV: the column is re-read with the same dialect; first row only. */
            struct vgl_csv_rows sub;
            if (sm->val.len == 0 || depth > 8) {
                why(c, "csv column '%.*s': {} type makes the row invalid", (int)sm->klen, sm->key);
                return false;
            }
            /* The first row counts even when the reader failed after it. */
            int src = vgl_csv_read(row->fields[i].s, row->fields[i].len, &sc->csv, c->arena, &sub, NULL);
            if (src == VGL_EINVAL || sub.nrows == 0 ||
                !csv_row_record(c, sc, &sm->val, &sub.rows[0], &m[i].val, depth + 1)) {
                why(c, "csv column '%.*s': nested csv does not match", (int)sm->klen, sm->key);
                return false;
            }
        }
    }
    *out = (struct vgl_json){.type = VGL_JSON_OBJECT, .len = schema->len, .u.members = m};
    return true;
}

static void csv_from_text(struct ctx *c, const struct vgl_schema *sc, const char *text, size_t len,
                          struct cands *cs)
{
    struct vgl_csv_rows rows;
    int rc = csv_cached(c, &sc->csv, text, len, &rows);
    if (rc == VGL_EINVAL) {
        cands_push(cs, c->arena, vgl_json_str(text, len), false, "csv dialect error");
        return;
    }
    if (rows.nrows == 0 && rc == 0)
        why(c, "csv text has no rows");
    for (size_t i = 0; i < rows.nrows; i++) {
        struct vgl_json rec;
        if (csv_row_record(c, sc, sc->schema, &rows.rows[i], &rec, 0))
            cands_push(cs, c->arena, rec, true, NULL);
        else
            cands_push(cs, c->arena, vgl_json_str(text, len), false, NULL);
    }
    /* A reader error after some rows: StreamAlert keeps those rows and adds the text
     * as one invalid candidate. */
    if (rc != 0)
        cands_push(cs, c->arena, vgl_json_str(text, len), false, "csv reader error");
}

static void csv_candidates(struct ctx *c, const struct vgl_schema *sc, struct cands *cs)
{
    if (sc->json_path) {
        decode(c);
        struct vgl_json r;
        if (c->decoded_state != 1) {
            why(c, "not json: %s", c->decode_err);
            cands_push(cs, c->arena, c->decoded, false, NULL);
            return;
        }
        if (jmespath_cached(c, sc->json_path, &c->decoded, &r) != 0 || !vgl_json_truthy(&r)) {
            cands_push(cs, c->arena, c->decoded, false, "json_path selected nothing");
            return;
        }
        size_t n = r.type == VGL_JSON_ARRAY ? r.len : 1;
        for (size_t i = 0; i < n; i++) {
            const struct vgl_json *e = r.type == VGL_JSON_ARRAY ? &r.u.items[i] : &r;
            if (e->type != VGL_JSON_STRING)
                cands_push(cs, c->arena, *e, false, "json_path element is not a csv string");
            else
                csv_from_text(c, sc, e->u.s, e->len, cs);
        }
        return;
    }
    const char *text;
    size_t len;
    if (parser_text(c, &text, &len))
        csv_from_text(c, sc, text, len, cs);
}

static void kv_candidates(struct ctx *c, const struct vgl_schema *sc, struct cands *cs)
{
    const char *text;
    size_t len;
    if (!parser_text(c, &text, &len))
        return;
    struct vgl_kv_str keys_small[64], *keys = keys_small;
    if (sc->schema->len > 64)
        keys = vgl_arena_alloc(c->arena, sc->schema->len * sizeof *keys);
    for (uint32_t i = 0; i < sc->schema->len; i++)
        keys[i] = (struct vgl_kv_str){sc->schema->u.members[i].key, sc->schema->u.members[i].klen};
    struct vgl_kv_opts o = {{sc->kv_delimiter, strlen(sc->kv_delimiter)},
                            {sc->kv_separator, strlen(sc->kv_separator)}};
    struct vgl_kv_result res;
    struct vgl_error err;
    err.code = 0;
    if (vgl_kv_split(text, len, &o, keys, sc->schema->len, c->arena, &res, &err) != 0) {
        why(c, "kv: %s", err.msg);
        cands_push(cs, c->arena, vgl_json_str(text, len), false, NULL);
        return;
    }
    struct vgl_json_member *m = vgl_arena_alloc(c->arena, res.npairs * sizeof *m);
    for (size_t i = 0; i < res.npairs; i++) {
        m[i].key = res.pairs[i].key.s;
        m[i].klen = (uint32_t)res.pairs[i].key.len;
        m[i].kflags = 0;
        m[i].val = vgl_json_str(res.pairs[i].value.s, res.pairs[i].value.len);
    }
    struct vgl_json rec = {.type = VGL_JSON_OBJECT, .len = (uint32_t)res.npairs, .u.members = m};
    cands_push(cs, c->arena, rec, true, NULL);
}

static void syslog_candidates(struct ctx *c, const struct vgl_schema *sc, struct cands *cs)
{
    (void)sc;
    const char *text;
    size_t len;
    if (!parser_text(c, &text, &len))
        return;
    if (!c->syslog_state)
        c->syslog_state = vgl_syslog_match(text, len, &c->syslog, NULL) == 0 ? 1 : 2;
    if (c->syslog_state != 1) {
        why(c, "not a syslog line (expected 'Mmm dd hh:mm:ss host app[pid]: message')");
        cands_push(cs, c->arena, vgl_json_str(text, len), false, NULL);
        return;
    }
    struct vgl_json_member m[4] = {
        {"timestamp", 9, VGL_JSON_F_PLAIN, vgl_json_str(c->syslog.timestamp.s, c->syslog.timestamp.len)},
        {"host", 4, VGL_JSON_F_PLAIN, vgl_json_str(c->syslog.host.s, c->syslog.host.len)},
        {"application", 11, VGL_JSON_F_PLAIN, vgl_json_str(c->syslog.application.s, c->syslog.application.len)},
        {"message", 7, VGL_JSON_F_PLAIN, vgl_json_str(c->syslog.message.s, c->syslog.message.len)},
    };
    cands_push(cs, c->arena, vgl_json_object(c->arena, m, 4), true, NULL);
}

/* ---- one schema (compat 2.4) ------------------------------------------------------- */

static bool envelope(struct ctx *c, const struct vgl_schema *sc, struct vgl_json *env)
{
    *env = (struct vgl_json){.type = VGL_JSON_OBJECT};
    if (sc->envelope->len == 0)
        return true;
    decode(c);
    const struct vgl_json *d = &c->decoded;
    if (d->type != VGL_JSON_OBJECT) {
        why(c, "envelope_keys need a json object payload, found %s",
            c->decoded_state == 1 ? vgl_json_type_name(d) : "text");
        return false;
    }
    const struct vgl_json *es = sc->envelope;
    struct vgl_json_member *m = vgl_arena_alloc(c->arena, (es->len + 1) * sizeof *m);
    size_t n = 0;
    for (uint32_t i = 0; i < es->len; i++) {
        const struct vgl_json_member *em = &es->u.members[i];
        const struct vgl_json *v = vgl_json_get(d, em->key, em->klen);
        bool optional = vgl_json_array_has_str(sc->optional_envelope_keys, em->key, em->klen);
        if (!v && !optional) {
            why(c, "envelope key '%.*s' is missing", (int)em->klen, em->key);
            return false;
        }
        if (is_nested(&em->val)) {
            static const struct vgl_json empty = {.type = VGL_JSON_OBJECT};
            if (!key_check(c, v ? v : &empty, &em->val, NULL, "envelope", 1))
                return false;
        }
        if (v)
            m[n++] = (struct vgl_json_member){em->key, em->klen, em->kflags, *v};
    }
    struct vgl_json raw = {.type = VGL_JSON_OBJECT, .len = (uint32_t)n, .u.members = m};
    if (!convert_object(c, es, &raw, env, "envelope", 0))
        return false;
    /* Defaults for absent optional envelope keys. */
    for (uint32_t i = 0; i < es->len; i++) {
        const struct vgl_json_member *em = &es->u.members[i];
        if (vgl_json_get(env, em->key, em->klen))
            continue;
        struct vgl_json dv;
        if (!vgl_schema_default(&em->val, &dv)) {
            why(c, "envelope key '%.*s': no default for an unknown type", (int)em->klen, em->key);
            return false;
        }
        struct vgl_json_member *grown = vgl_arena_alloc(c->arena, (env->len + 1) * sizeof *grown);
        if (env->len)
            memcpy(grown, env->u.members, env->len * sizeof *grown);
        grown[env->len] = (struct vgl_json_member){em->key, em->klen, em->kflags, dv};
        env->u.members = grown;
        env->len++;
        vgl_json_touch(env);
    }
    return true;
}

/* Appends the envelope and optional-key defaults (compat 2.4 step 5d). */
static bool finish_record(struct ctx *c, const struct vgl_schema *sc, struct vgl_json *rec,
                          const struct vgl_json *env)
{
    if (rec->type != VGL_JSON_OBJECT)
        return true;
    size_t extra = (env->len ? 1 : 0) + sc->optional_keys->len;
    if (!extra)
        return true;
    struct vgl_json_member *m = vgl_arena_alloc(c->arena, (rec->len + extra) * sizeof *m);
    if (rec->len)
        memcpy(m, rec->u.members, rec->len * sizeof *m);
    size_t n = rec->len;
    if (env->len) {
        size_t i;
        for (i = 0; i < n; i++)
            if (m[i].klen == ENVELOPE_KEY_LEN && memcmp(m[i].key, ENVELOPE_KEY, ENVELOPE_KEY_LEN) == 0)
                break;
        m[i] = (struct vgl_json_member){ENVELOPE_KEY, ENVELOPE_KEY_LEN, VGL_JSON_F_PLAIN, *env};
        if (i == n)
            n++;
    }
    for (uint32_t k = 0; k < sc->optional_keys->len; k++) {
        const struct vgl_json *key = &sc->optional_keys->u.items[k];
        bool have = false;
        for (size_t i = 0; i < n && !have; i++)
            have = m[i].klen == key->len && memcmp(m[i].key, key->u.s, key->len) == 0;
        if (have)
            continue;
        const struct vgl_json *type = vgl_json_get(sc->schema, key->u.s, key->len);
        struct vgl_json dv;
        if (!type || !vgl_schema_default(type, &dv)) {
            why(c, "optional key '%.*s': no default for an unknown type", (int)key->len, key->u.s);
            return false;
        }
        m[n++] = (struct vgl_json_member){key->u.s, key->len, 0, dv};
    }
    rec->u.members = m;
    rec->len = (uint32_t)n;
    vgl_json_touch(rec);
    return true;
}

/* Runs one schema; returns the number of valid records appended to *valid. */
static size_t try_schema(struct ctx *c, const struct vgl_schema *sc, struct cands *valid,
                         size_t *ninvalid)
{
    *ninvalid = 0;
    if (!sc->valid) {
        why(c, "schema definition is not valid (optional keys that are not schema keys)");
        return 0;
    }
    struct vgl_json env;
    if (!envelope(c, sc, &env))
        return 0;
    struct cands cs = {0};
    switch (sc->parser) {
    case VGL_PARSER_JSON:
        json_candidates(c, sc, &cs);
        break;
    case VGL_PARSER_CSV:
        csv_candidates(c, sc, &cs);
        break;
    case VGL_PARSER_KV:
        kv_candidates(c, sc, &cs);
        break;
    case VGL_PARSER_SYSLOG:
        syslog_candidates(c, sc, &cs);
        break;
    }
    size_t nvalid = 0;
    for (size_t i = 0; i < cs.n; i++) {
        struct cand *cd = &cs.items[i];
        struct vgl_json rec;
        bool ok = cd->ok;
        if (!ok && cd->why)
            why(c, "%s", cd->why);
        ok = ok && key_check(c, &cd->v, sc->schema, sc->optional_keys, "$", 0);
        ok = ok && convert_object(c, sc->schema, &cd->v, &rec, "$", 0);
        if (ok && sc->log_patterns && !patterns_match(c, sc->log_patterns, &rec, &env, 0)) {
            why(c, "log_patterns did not match");
            ok = false;
        }
        ok = ok && finish_record(c, sc, &rec, &env);
        if (ok) {
            cands_push(valid, c->arena, rec, true, NULL);
            nvalid++;
        } else {
            (*ninvalid)++;
        }
    }
    if (cs.n == 0)
        why(c, "the parser produced no records");
    return nvalid;
}

size_t vgl_classify_one(const struct vgl_schema *schema, const struct vgl_payload *payload,
                        struct vgl_arena *arena, const struct vgl_classify_opts *opts,
                        struct vgl_json **records, char *reason, size_t reason_len)
{
    struct ctx c = {.payload = payload, .arena = arena, .opts = opts, .explain = reason != NULL,
                    .reason = reason, .reason_len = reason_len};
    if (reason && reason_len)
        reason[0] = '\0';
    struct cands valid = {0};
    size_t ninvalid;
    size_t n = try_schema(&c, schema, &valid, &ninvalid);
    *records = vgl_arena_alloc(arena, (n + 1) * sizeof **records);
    for (size_t i = 0; i < n; i++)
        (*records)[i] = valid.items[i].v;
    return n;
}

static int classify_pass(const struct vgl_data_source *src, struct ctx *c,
                         struct vgl_classified *out, struct vgl_error *err)
{
    for (size_t i = 0; i < src->ncandidates; i++) {
        const struct vgl_schema *sc = src->candidates[i];
        char reason[VGL_REASON_MAX] = "";
        c->reason = reason;
        c->reason_len = sizeof reason;
        struct cands valid = {0};
        size_t ninvalid;
        size_t n = try_schema(c, sc, &valid, &ninvalid);
        if (n == 0) {
            if (c->explain) {
                struct vgl_attempt *a = &out->attempts[out->nattempts++];
                a->schema = sc;
                memcpy(a->reason, reason[0] ? reason : "no valid record", VGL_REASON_MAX);
                a->reason[VGL_REASON_MAX - 1] = '\0';
            }
            continue;
        }
        out->schema = sc;
        out->nrecords = n;
        out->ninvalid = ninvalid;
        if (c->explain && ninvalid)
            snprintf(out->invalid_reason, sizeof out->invalid_reason, "%s", reason);
        out->records = vgl_arena_alloc(c->arena, n * sizeof *out->records);
        for (size_t k = 0; k < n; k++) {
            struct vgl_json *rec = &out->records[k];
            *rec = valid.items[k].v;
            int rc;
            if (sc->normalization && (rc = vgl_normalize(sc->normalization, rec, c->arena, err)))
                return rc;
            if (c->opts && c->opts->legacy_norm &&
                (rc = vgl_legacy_normalize(c->opts->legacy_norm, sc->source, sc->source_len, rec,
                                           c->arena, err)))
                return rc;
        }
        return 0;
    }
    return 0;
}

int vgl_classify(const struct vgl_data_source *src, const struct vgl_payload *payload,
                 struct vgl_arena *arena, const struct vgl_classify_opts *opts,
                 struct vgl_classified *out, struct vgl_error *err)
{
    memset(out, 0, sizeof *out);
    struct ctx c = {.payload = payload, .arena = arena, .opts = opts};
    int rc = classify_pass(src, &c, out, err);
    if (rc || out->schema || !(opts && opts->explain))
        return rc;
    /* Nothing matched: run again, keeping every schema's reason (the slow path is only
     * paid by records that end up dead-lettered). */
    memset(out, 0, sizeof *out);
    out->attempts = vgl_arena_alloc(arena, (src->ncandidates + 1) * sizeof *out->attempts);
    struct ctx c2 = {.payload = payload, .arena = arena, .opts = opts, .explain = true};
    return classify_pass(src, &c2, out, err);
}
