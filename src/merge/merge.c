/*
 * merge/merge.c: merge groups and merged alerts, exactly as StreamAlert's alert merger.
 *
 * Between the store and the dispatcher: merge-enabled alerts of a rule are grouped by
 * their merge keys' values within the oldest member's window (at most 50 per group), and
 * each group becomes one alert whose record lists what the members share and how they
 * differ.
 */
#include "merge/merge.h"

#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/xmalloc.h"

#define NORMALIZATION_KEY "streamalert_normalization"
#define MAX_DEPTH 64

static const struct vgl_json null_value = {.type = VGL_JSON_NULL};

const struct vgl_json *vgl_json_first_key(const struct vgl_json *v, const char *key, size_t klen)
{
    size_t cap = 64, head = 0, tail = 0;
    const struct vgl_json **queue = vgl_xmalloc(cap * sizeof *queue);
    const struct vgl_json *found = NULL;
    queue[tail++] = v;
    while (head < tail && !found) {
        const struct vgl_json *o = queue[head++];
        if (o->type == VGL_JSON_OBJECT) {
            found = vgl_json_get(o, key, klen);
            if (found)
                break;
        }
        if (o->type != VGL_JSON_OBJECT && o->type != VGL_JSON_ARRAY)
            continue;
        for (uint32_t i = 0; i < o->len; i++) {
            const struct vgl_json *child;
            if (o->type == VGL_JSON_OBJECT) {
                const struct vgl_json_member *m = &o->u.members[i];
                if (m->klen == sizeof NORMALIZATION_KEY - 1 &&
                    memcmp(m->key, NORMALIZATION_KEY, m->klen) == 0)
                    continue;
                child = &m->val;
            } else {
                child = &o->u.items[i];
            }
            /* truthy dicts and lists only, in insertion order */
            if ((child->type == VGL_JSON_OBJECT || child->type == VGL_JSON_ARRAY) && child->len) {
                queue = vgl_xgrow(queue, &cap, tail + 1, sizeof *queue);
                queue[tail++] = child;
            }
        }
    }
    free(queue);
    return found;
}

static const struct vgl_json *field(const struct vgl_json *fields, const char *name)
{
    return vgl_json_getz(fields, name);
}

static int64_t window_us(const struct vgl_json *fields)
{
    const struct vgl_json *w = field(fields, "merge_window_mins");
    double mins = !w ? 0 : w->type == VGL_JSON_INT ? (double)w->u.i : w->type == VGL_JSON_FLOAT ? w->u.d : 0;
    return (int64_t)(mins * 60e6);
}

bool vgl_merge_enabled(const struct vgl_json *fields)
{
    const struct vgl_json *k = field(fields, "merge_by_keys");
    return k && vgl_json_truthy(k) && window_us(fields) != 0;
}

static bool key_sets_equal(const struct vgl_json *a, const struct vgl_json *b)
{
    if (!a || !b || a->type != VGL_JSON_ARRAY || b->type != VGL_JSON_ARRAY)
        return false;
    for (int pass = 0; pass < 2; pass++) {
        const struct vgl_json *x = pass ? b : a, *y = pass ? a : b;
        for (uint32_t i = 0; i < x->len; i++) {
            bool in = false;
            for (uint32_t j = 0; j < y->len && !in; j++)
                in = vgl_json_equal(&x->u.items[i], &y->u.items[j]);
            if (!in)
                return false;
        }
    }
    return true;
}

/* get_first_key with Python's None for "missing". */
static const struct vgl_json *first_or_none(const struct vgl_json *rec, const struct vgl_json *key)
{
    if (!rec || key->type != VGL_JSON_STRING)
        return &null_value;
    const struct vgl_json *v = vgl_json_first_key(rec, key->u.s, key->len);
    return v ? v : &null_value;
}

bool vgl_merge_can_merge(const struct vgl_merge_alert *a, const struct vgl_merge_alert *b)
{
    if (!vgl_merge_enabled(a->fields) || !vgl_merge_enabled(b->fields))
        return false;
    const struct vgl_merge_alert *older = a->created_us <= b->created_us ? a : b;
    const struct vgl_merge_alert *newer = older == a ? b : a;
    if (newer->created_us > older->created_us + window_us(older->fields))
        return false;
    const struct vgl_json *ka = field(a->fields, "merge_by_keys"), *kb = field(b->fields, "merge_by_keys");
    if (!key_sets_equal(ka, kb))
        return false;
    const struct vgl_json *ra = field(a->fields, "record"), *rb = field(b->fields, "record");
    for (uint32_t i = 0; i < ka->len; i++)
        if (!vgl_json_equal(first_or_none(ra, &ka->u.items[i]), first_or_none(rb, &ka->u.items[i])))
            return false;
    return true;
}

size_t vgl_merge_groups(const struct vgl_merge_alert *alerts, size_t n, int64_t now_us, int *group_of)
{
    size_t ngroups = 0;
    size_t *first = vgl_xcalloc(n + 1, sizeof *first), *size = vgl_xcalloc(n + 1, sizeof *size);
    for (size_t i = 0; i < n; i++)
        group_of[i] = -1;
    for (size_t i = 0; i < n; i++) {
        bool placed = false;
        for (size_t g = 0; g < ngroups && !placed; g++) {
            /* compared with the group's oldest alert only */
            if (size[g] < VGL_MERGE_MAX_GROUP && vgl_merge_can_merge(&alerts[i], &alerts[first[g]])) {
                group_of[i] = (int)g;
                size[g]++;
                placed = true;
            }
        }
        if (placed)
            continue;
        if (now_us < alerts[i].created_us + window_us(alerts[i].fields))
            break;   /* this window is still open: it and every later alert wait */
        first[ngroups] = i;
        size[ngroups] = 1;
        group_of[i] = (int)ngroups++;
    }
    free(first);
    free(size);
    return ngroups;
}

/* ---- merged record (compat 6.6) ------------------------------------------------------- */

/* A copy without the merge keys at every object level (lists are not entered). */
static struct vgl_json clean(const struct vgl_json *v, const struct vgl_json *keys,
                             struct vgl_arena *a, int depth)
{
    if (v->type != VGL_JSON_OBJECT || depth > MAX_DEPTH)
        return *v;
    struct vgl_json_member *m = vgl_arena_alloc(a, (v->len + 1) * sizeof *m);
    size_t n = 0;
    for (uint32_t i = 0; i < v->len; i++) {
        const struct vgl_json_member *src = &v->u.members[i];
        if (vgl_json_array_has_str(keys, src->key, src->klen))
            continue;
        m[n] = *src;
        m[n].val = clean(&src->val, keys, a, depth + 1);
        n++;
    }
    return (struct vgl_json){.type = VGL_JSON_OBJECT, .len = (uint32_t)n, .u.members = m};
}

/* The greatest common part of n objects. */
static struct vgl_json common_of(const struct vgl_json *const *recs, size_t n, struct vgl_arena *a,
                                 int depth)
{
    const struct vgl_json *first = recs[0];
    if (n == 1)
        return *first;
    struct vgl_json_member *m = vgl_arena_alloc(a, (first->len + 1) * sizeof *m);
    size_t out = 0;
    const struct vgl_json **vals = vgl_arena_alloc(a, n * sizeof *vals);
    for (uint32_t i = 0; i < first->len; i++) {
        const struct vgl_json_member *fm = &first->u.members[i];
        bool everywhere = true, equal = true, objects = true;
        for (size_t r = 0; r < n && everywhere; r++) {
            vals[r] = recs[r]->type == VGL_JSON_OBJECT ? vgl_json_get(recs[r], fm->key, fm->klen) : NULL;
            everywhere = vals[r] != NULL;
        }
        if (!everywhere)
            continue;
        for (size_t r = 0; r < n; r++) {
            equal = equal && vgl_json_equal(vals[0], vals[r]);
            objects = objects && vals[r]->type == VGL_JSON_OBJECT;
        }
        if (equal) {
            m[out] = *fm;
            m[out++].val = *vals[0];
        } else if (objects && depth < MAX_DEPTH) {
            struct vgl_json sub = common_of(vals, n, a, depth + 1);
            if (sub.len) {
                m[out] = *fm;
                m[out++].val = sub;
            }
        }
    }
    return (struct vgl_json){.type = VGL_JSON_OBJECT, .len = (uint32_t)out, .u.members = m};
}

static struct vgl_json diff_of(const struct vgl_json *rec, const struct vgl_json *common,
                               struct vgl_arena *a, int depth)
{
    if (common->len == 0 || rec->type != VGL_JSON_OBJECT)
        return *rec;
    struct vgl_json_member *m = vgl_arena_alloc(a, (rec->len + 1) * sizeof *m);
    size_t out = 0;
    for (uint32_t i = 0; i < rec->len; i++) {
        const struct vgl_json_member *rm = &rec->u.members[i];
        const struct vgl_json *cv = vgl_json_get(common, rm->key, rm->klen);
        if (!cv) {
            m[out++] = *rm;
        } else if (vgl_json_equal(cv, &rm->val)) {
            continue;
        } else if (cv->type == VGL_JSON_OBJECT && rm->val.type == VGL_JSON_OBJECT && depth < MAX_DEPTH) {
            struct vgl_json sub = diff_of(&rm->val, cv, a, depth + 1);
            if (sub.len) {
                m[out] = *rm;
                m[out++].val = sub;
            }
        } else {
            m[out++] = *rm;
        }
    }
    return (struct vgl_json){.type = VGL_JSON_OBJECT, .len = (uint32_t)out, .u.members = m};
}

static struct vgl_json str_value(const char *s)
{
    return vgl_json_str(s, strlen(s));
}

struct vgl_json vgl_merge_build(const struct vgl_merge_alert *const *members, size_t n,
                                const char *created, struct vgl_arena *arena)
{
    const struct vgl_json *oldest = members[0]->fields, *newest = members[n - 1]->fields;
    static const struct vgl_json empty_list = {.type = VGL_JSON_ARRAY};
    static const struct vgl_json empty_object = {.type = VGL_JSON_OBJECT};
    const struct vgl_json *keys = field(oldest, "merge_by_keys");
    if (!keys || keys->type != VGL_JSON_ARRAY)
        keys = &empty_list;
    const struct vgl_json **cleaned = vgl_arena_alloc(arena, n * sizeof *cleaned);
    for (size_t i = 0; i < n; i++) {
        const struct vgl_json *rec = field(members[i]->fields, "record");
        struct vgl_json *c = vgl_arena_alloc(arena, sizeof *c);
        *c = clean(rec ? rec : &empty_object, keys, arena, 0);
        cleaned[i] = c;
    }
    struct vgl_json common = common_of(cleaned, n, arena, 0);
    /* MergedBy: the first alert's original record, "(n/a)" when the key is nowhere */
    struct vgl_json_member *mb = vgl_arena_alloc(arena, (keys->len + 1) * sizeof *mb);
    size_t nmb = 0;
    const struct vgl_json *rec0 = field(oldest, "record");
    for (uint32_t i = 0; i < keys->len; i++) {
        const struct vgl_json *k = &keys->u.items[i];
        if (k->type != VGL_JSON_STRING)
            continue;
        const struct vgl_json *v = rec0 ? vgl_json_first_key(rec0, k->u.s, k->len) : NULL;
        mb[nmb++] = (struct vgl_json_member){k->u.s, k->len, 0, v ? *v : str_value("(n/a)")};
    }
    /* ValueDiffs keyed by created: equal timestamps keep the first position, last value */
    struct vgl_json_member *vd = vgl_arena_alloc(arena, (n + 1) * sizeof *vd);
    size_t nvd = 0;
    for (size_t i = 0; i < n; i++) {
        const struct vgl_json *c = field(members[i]->fields, "created");
        struct vgl_json key = c && c->type == VGL_JSON_STRING ? *c : str_value("");
        struct vgl_json d = diff_of(cleaned[i], &common, arena, 0);
        size_t j;
        for (j = 0; j < nvd; j++)
            if (vd[j].klen == key.len && memcmp(vd[j].key, key.u.s, key.len) == 0)
                break;
        vd[j] = (struct vgl_json_member){key.u.s, key.len, 0, d};
        if (j == nvd)
            nvd++;
    }
    const struct vgl_json *first_c = field(oldest, "created"), *last_c = field(newest, "created");
    struct vgl_json_member rec[6] = {
        {"AlertCount", 10, VGL_JSON_F_PLAIN, vgl_json_int((int64_t)n)},
        {"AlertTimeFirst", 14, VGL_JSON_F_PLAIN, first_c ? *first_c : null_value},
        {"AlertTimeLast", 13, VGL_JSON_F_PLAIN, last_c ? *last_c : null_value},
        {"MergedBy", 8, VGL_JSON_F_PLAIN, vgl_json_object(arena, mb, nmb)},
        {"OtherCommonKeys", 15, VGL_JSON_F_PLAIN, common},
        {"ValueDiffs", 10, VGL_JSON_F_PLAIN, vgl_json_object(arena, vd, nvd)},
    };
    /* The new alert: the oldest member's identity, the newest's outputs, no merging. */
    static const char *const from_oldest[] = {"rule_name", "cluster", "context", "log_source",
                                              "log_type", "publishers", "rule_description",
                                              "source_entity", "source_service"};
    struct vgl_json_member *al = vgl_arena_alloc(arena, 16 * sizeof *al);
    size_t na = 0;
    bool staged = false;
    for (size_t i = 0; i < n; i++) {
        const struct vgl_json *s = field(members[i]->fields, "staged");
        staged = staged || (s && vgl_json_truthy(s));
    }
    al[na++] = (struct vgl_json_member){"created", 7, VGL_JSON_F_PLAIN, str_value(created)};
    for (size_t i = 0; i < sizeof from_oldest / sizeof from_oldest[0]; i++) {
        const struct vgl_json *v = field(oldest, from_oldest[i]);
        al[na++] = (struct vgl_json_member){from_oldest[i], (uint32_t)strlen(from_oldest[i]),
                                            VGL_JSON_F_PLAIN, v ? *v : null_value};
    }
    const struct vgl_json *outs = field(newest, "outputs");
    al[na++] = (struct vgl_json_member){"outputs", 7, VGL_JSON_F_PLAIN, outs ? *outs : empty_list};
    al[na++] = (struct vgl_json_member){"record", 6, VGL_JSON_F_PLAIN, vgl_json_object(arena, rec, 6)};
    al[na++] = (struct vgl_json_member){"staged", 6, VGL_JSON_F_PLAIN, vgl_json_bool(staged)};
    al[na++] = (struct vgl_json_member){"merge_by_keys", 13, VGL_JSON_F_PLAIN, empty_list};
    al[na++] = (struct vgl_json_member){"merge_window_mins", 17, VGL_JSON_F_PLAIN, vgl_json_int(0)};
    return vgl_json_object(arena, al, na);
}
