/*
 * parse/kvsplit.c: key-value text -> ordered (key, value) pairs, reproducing StreamAlert's
 * kv parser (KVParser._extract_record) including its duplicate-key rule.  It sits under
 * the kv parser in src/parse/, which key-checks and type-converts the pairs against the
 * schema.
 *
 * Two passes over the text: the first only counts the non-empty fields (a count that
 * differs from the schema's ends it there, with nothing allocated); the second splits
 * each field at its first separator and assigns it.  Nothing is copied; the pair array
 * (at most nkeys entries) is the only allocation.
 */
#include "parse/kvsplit.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"

#define NOT_FOUND SIZE_MAX

/* Offset of the first occurrence of needle (m >= 1 bytes) in h, or NOT_FOUND. */
static size_t find(const char *h, size_t n, const char *needle, size_t m)
{
    if (m > n)
        return NOT_FOUND;
    if (m == 1) {
        const char *q = memchr(h, (unsigned char)needle[0], n);
        return q ? (size_t)(q - h) : NOT_FOUND;
    }
    const char *p = h;
    const char *last = h + (n - m); /* the last place a match can start */
    while (p <= last) {
        p = memchr(p, (unsigned char)needle[0], (size_t)(last - p) + 1);
        if (!p)
            return NOT_FOUND;
        if (memcmp(p + 1, needle + 1, m - 1) == 0)
            return (size_t)(p - h);
        p++;
    }
    return NOT_FOUND;
}

/* Python str.split(sep) with an explicit sep, one piece at a time. */
struct splitter {
    const char *p;
    size_t rem;
    struct vgl_kv_str sep;
    bool done;
};

static bool next_piece(struct splitter *it, struct vgl_kv_str *piece)
{
    if (it->done)
        return false;
    size_t pos = find(it->p, it->rem, it->sep.s, it->sep.len);
    if (pos == NOT_FOUND) {
        *piece = (struct vgl_kv_str){it->p, it->rem};
        it->done = true;
        return true;
    }
    *piece = (struct vgl_kv_str){it->p, pos};
    it->p += pos + it->sep.len;
    it->rem -= pos + it->sep.len;
    return true;
}

static bool str_eq(struct vgl_kv_str a, struct vgl_kv_str b)
{
    return a.len == b.len && (a.len == 0 || (a.s[0] == b.s[0] && memcmp(a.s, b.s, a.len) == 0));
}

static struct vgl_kv_pair *lookup(struct vgl_kv_result *out, struct vgl_kv_str key)
{
    for (size_t i = 0; i < out->npairs; i++) {
        if (str_eq(out->pairs[i].key, key))
            return &out->pairs[i];
    }
    return NULL;
}

/* record[key] = value with dict semantics: an existing key keeps its place. */
static void assign(struct vgl_kv_result *out, struct vgl_kv_str key, struct vgl_kv_str value)
{
    struct vgl_kv_pair *p = lookup(out, key);
    if (p) {
        p->value = value;
        return;
    }
    out->pairs[out->npairs].key = key;
    out->pairs[out->npairs].value = value;
    out->npairs++;
}

int vgl_kv_split(const char *text, size_t len, const struct vgl_kv_opts *opts,
                 const struct vgl_kv_str *schema_keys, size_t nkeys, struct vgl_arena *a,
                 struct vgl_kv_result *out, struct vgl_error *err)
{
    *out = (struct vgl_kv_result){0};
    if (opts->delimiter.len == 0)
        return vgl_error_set(err, VGL_EINVAL, "kv delimiter: empty separator");
    if (opts->separator.len == 0)
        return vgl_error_set(err, VGL_EINVAL, "kv separator: empty separator");
    if (nkeys > VGL_KV_MAX_KEYS)
        return vgl_error_set(err, VGL_ELIMIT, "kv schema has %zu keys, at most %d supported", nkeys,
                             VGL_KV_MAX_KEYS);

    struct splitter it = {text, len, opts->delimiter, false};
    struct vgl_kv_str f;
    size_t nfields = 0;
    while (next_piece(&it, &f))
        nfields += f.len != 0;
    if (nfields != nkeys)
        return vgl_error_set(err, VGL_ENOMATCH, "expected %zu kv fields, got %zu", nkeys, nfields);
    if (nkeys == 0)
        return vgl_error_set(err, VGL_ENOMATCH, "no kv fields");

    out->pairs = vgl_arena_alloc(a, nkeys * sizeof *out->pairs);
    it = (struct splitter){text, len, opts->delimiter, false};
    size_t i = 0;
    while (next_piece(&it, &f)) {
        if (f.len == 0)
            continue;
        size_t pos = find(f.s, f.len, opts->separator.s, opts->separator.len);
        if (pos == NOT_FOUND) {
            if (out->nskipped++ == 0)
                out->first_skipped = f;
            i++;
            continue;
        }
        struct vgl_kv_str key = {f.s, pos};
        struct vgl_kv_str value = {f.s + pos + opts->separator.len,
                                   f.len - pos - opts->separator.len};
        /* StreamAlert's duplicate rule: a key seen before in this line is stored under
         * the schema key at this field's position instead. */
        if (lookup(out, key))
            key = schema_keys[i];
        assign(out, key, value);
        i++;
    }
    if (out->npairs == 0) {
        size_t nskipped = out->nskipped;
        *out = (struct vgl_kv_result){0};
        if (!err)
            return VGL_ENOMATCH;
        char sep[64];
        vgl_quote(sep, sizeof sep, opts->separator.s, opts->separator.len);
        return vgl_error_set(err, VGL_ENOMATCH, "no kv field contains separator '%s' (%zu fields)",
                             sep, nskipped);
    }
    return 0;
}
