/*
 * json/json.c: the JSON parser and writer every stage uses.
 *
 * Bytes in, arena values out: one recursive-descent pass with a depth cap.  Strings
 * without escapes point into the input (zero-copy); escaped ones are decoded into the
 * arena.  Array items and object members are collected on a scratch stack and copied
 * into the arena once their container closes, so every container is one contiguous
 * array.  Raw bytes are UTF-8 validated as the strings are scanned.
 *
 * The writer turns values back into compact JSON, formatting floats the way Python's
 * repr does so that records written by vigil read as StreamAlert's would.
 */
#include "json/json.h"

#include <inttypes.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/utf8.h"
#include "core/xmalloc.h"

/* Scratch stacks shared by all parses of this thread; they only ever grow. */
static _Thread_local struct vgl_json *item_stack;
static _Thread_local size_t item_cap;
static _Thread_local struct vgl_json_member *member_stack;
static _Thread_local size_t member_cap;

/* Source text of a container, stored just in front of its items (VGL_JSON_F_RAW). */
struct rawspan {
    const char *start;
    size_t len;
};

struct parser {
    const char *buf;
    size_t ws;         /* white-space bytes skipped so far */
    const char *p;
    const char *end;
    struct vgl_arena *arena;
    size_t max_depth;
    size_t nitems;     /* used part of item_stack */
    size_t nmembers;   /* used part of member_stack */
    struct vgl_error *err;
};

static const char *describe(const struct parser *ps, char *out, size_t outsz)
{
    if (ps->p >= ps->end)
        return "end of input";
    size_t n = (size_t)(ps->end - ps->p);
    char q[64];
    vgl_quote(q, sizeof q, ps->p, n < 12 ? n : 12);
    snprintf(out, outsz, "'%s'", q);
    return out;
}

static int fail(struct parser *ps, const char *expected)
{
    char what[80];
    return vgl_error_set(ps->err, VGL_EPARSE, "invalid json at byte %zu: expected %s, found %s",
                         (size_t)(ps->p - ps->buf), expected, describe(ps, what, sizeof what));
}

static inline void skip_ws(struct parser *ps)
{
    /* Compact JSON has no white space: one test for the common case. */
    if (ps->p < ps->end && (unsigned char)*ps->p > ' ')
        return;
    const char *p = ps->p;
    while (p < ps->end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    ps->ws += (size_t)(p - ps->p);
    ps->p = p;
}

/* Copies n items of size elem into the arena; with raw set, behind their source span. */
static void *store_items(struct parser *ps, const void *items, size_t n, size_t elem, bool raw,
                         const char *start, struct vgl_json *out)
{
    if (!n)
        return NULL;
    if (!raw)
        return vgl_arena_memdup(ps->arena, items, n * elem);
    struct rawspan *hdr = vgl_arena_alloc(ps->arena, sizeof *hdr + n * elem);
    hdr->start = start;
    hdr->len = (size_t)(ps->p - start);
    memcpy(hdr + 1, items, n * elem);
    out->flags |= VGL_JSON_F_RAW;
    return hdr + 1;
}

/* Length of the valid UTF-8 sequence at s (2-4 bytes for non-ASCII), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s, const unsigned char *end)
{
    uint32_t cp;
    return vgl_utf8_decode(s, (size_t)(end - s), &cp);
}

size_t vgl_utf8_check(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        if (*p < 0x80) {
            p++;
            continue;
        }
        size_t l = utf8_len(p, end);
        if (!l)
            return (size_t)(p - (const unsigned char *)s);
        p += l;
    }
    return len;
}

static size_t put_utf8(char *out, unsigned cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

static int hex4(const char *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

/* Decodes an escaped string body [start, close) into the arena. */
static int decode_escapes(struct parser *ps, const char *start, const char *close,
                          struct vgl_json *out)
{
    /* Decoded text is never longer than the escaped text. */
    char *dst = vgl_arena_alloc(ps->arena, (size_t)(close - start) + 1);
    size_t n = 0;
    const char *p = start;
    while (p < close) {
        if (*p != '\\') {
            dst[n++] = *p++;
            continue;
        }
        p++;
        char c = *p++;
        switch (c) {
        case '"': dst[n++] = '"'; break;
        case '\\': dst[n++] = '\\'; break;
        case '/': dst[n++] = '/'; break;
        case 'b': dst[n++] = '\b'; break;
        case 'f': dst[n++] = '\f'; break;
        case 'n': dst[n++] = '\n'; break;
        case 'r': dst[n++] = '\r'; break;
        case 't': dst[n++] = '\t'; break;
        case 'u': {
            unsigned cp = 0;
            hex4(p, &cp);   /* validated by the scanner */
            p += 4;
            if (cp >= 0xd800 && cp <= 0xdbff && close - p >= 6 && p[0] == '\\' && p[1] == 'u') {
                unsigned lo;
                if (hex4(p + 2, &lo) == 0 && lo >= 0xdc00 && lo <= 0xdfff) {
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    p += 6;
                }
            }
            if (cp >= 0xd800 && cp <= 0xdfff)
                cp = 0xfffd;   /* a lone surrogate has no UTF-8 form */
            n += put_utf8(dst + n, cp);
            break;
        }
        default:
            VGL_BUG("escape not validated by the scanner");
        }
    }
    dst[n] = '\0';
    *out = vgl_json_str(dst, n);
    return 0;
}

static int parse_string(struct parser *ps, struct vgl_json *out)
{
    /* ps->p is just past the opening quote. */
    const unsigned char *p = (const unsigned char *)ps->p;
    const unsigned char *end = (const unsigned char *)ps->end;
    const char *start = ps->p;
    bool escaped = false, ascii = true;
    for (;;) {
        /* Fast path over plain ASCII: find the first quote, backslash, control character
         * or non-ASCII byte sixteen (SSE2) or eight (SWAR) bytes at a time. */
#ifdef __SSE2__
        while (end - p >= 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
            /* signed compare: bytes >= 0x80 are negative, so "< 0x20" flags them too */
            __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                                    _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
                                       _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
            unsigned mask = (unsigned)_mm_movemask_epi8(hit);
            if (mask) {
                p += __builtin_ctz(mask);
                goto scanned;
            }
            p += 16;
        }
#endif
        while (end - p >= 8) {
            /* The lowest flagged byte of a word is exact (borrows only over-flag bytes
             * above a real hit). */
            uint64_t w;
            memcpy(&w, p, 8);
            const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
            uint64_t q = w ^ (ones * '"'), bs = w ^ (ones * '\\');
            uint64_t special =
                (((q - ones) & ~q) | ((bs - ones) & ~bs) | ((w - ones * 0x20) & ~w) | w) & high;
            if (special) {
                p += (unsigned)__builtin_ctzll(special) >> 3;
                goto scanned;
            }
            p += 8;
        }
        while (p < end && *p >= 0x20 && *p != '"' && *p != '\\' && *p < 0x80)
            p++;
    scanned:
        if (p >= end) {
            ps->p = (const char *)p;
            return fail(ps, "'\"' to close the string");
        }
        unsigned c = *p;
        if (c == '"')
            break;
        if (c == '\\') {
            escaped = true;
            if (end - p < 2) {
                ps->p = (const char *)p + 1;
                return fail(ps, "an escape character");
            }
            unsigned e = p[1];
            if (e == 'u') {
                unsigned cp;
                if (end - p < 6 || hex4((const char *)p + 2, &cp) != 0) {
                    ps->p = (const char *)p + 2;
                    return fail(ps, "4 hex digits after '\\u'");
                }
                p += 6;
            } else if (strchr("\"\\/bfnrt", (int)e) && e) {
                p += 2;
            } else {
                ps->p = (const char *)p + 1;
                return fail(ps, "one of '\"\\/bfnrtu' after '\\'");
            }
            continue;
        }
        if (c < 0x20) {
            ps->p = (const char *)p;
            return fail(ps, "no control character inside a string (escape it)");
        }
        size_t l = utf8_len(p, end);
        ascii = false;
        if (!l) {
            return vgl_error_set(ps->err, VGL_EUTF8,
                                 "invalid utf-8 at byte %zu: byte 0x%02x does not start a valid "
                                 "sequence",
                                 (size_t)((const char *)p - ps->buf), c);
        }
        p += l;
    }
    size_t len = (size_t)((const char *)p - start);
    ps->p = (const char *)p + 1;
    if (len > VGL_JSON_MAX_LEN)
        return vgl_error_set(ps->err, VGL_ELIMIT, "string at byte %zu is too long",
                             (size_t)(start - ps->buf));
    if (escaped)
        return decode_escapes(ps, start, (const char *)p, out);
    *out = vgl_json_str(start, len);
    out->flags = VGL_JSON_F_PLAIN | (ascii ? VGL_JSON_F_ASCII : 0);
    return 0;
}

static int parse_number(struct parser *ps, struct vgl_json *out)
{
    const char *s = ps->p, *p = s, *end = ps->end;
    bool neg = false, is_float = false;
    if (p < end && *p == '-') {
        neg = true;
        p++;
    }
    if (p < end && *p == 'I' && end - p >= 8 && memcmp(p, "Infinity", 8) == 0) {
        ps->p = p + 8;
        *out = vgl_json_float(neg ? -INFINITY : INFINITY);
        return 0;
    }
    const char *digits = p;
    if (p >= end || *p < '0' || *p > '9') {
        ps->p = p;
        return fail(ps, "a digit");
    }
    if (*p == '0') {
        p++;
    } else {
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    size_t ndigits = (size_t)(p - digits);
    if (p < end && *p == '.') {
        is_float = true;
        p++;
        if (p >= end || *p < '0' || *p > '9') {
            ps->p = p;
            return fail(ps, "a digit after '.'");
        }
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        is_float = true;
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p >= end || *p < '0' || *p > '9') {
            ps->p = p;
            return fail(ps, "a digit in the exponent");
        }
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    ps->p = p;
    size_t n = (size_t)(p - s);
    if (is_float) {
        char small[64];
        char *tmp = n < sizeof small ? small : vgl_arena_alloc(ps->arena, n + 1);
        memcpy(tmp, s, n);
        tmp[n] = '\0';
        *out = vgl_json_float(strtod(tmp, NULL));
        return 0;
    }
    if (ndigits <= 18) {
        int64_t v = 0;
        for (const char *q = digits; q < digits + ndigits; q++)
            v = v * 10 + (*q - '0');
        *out = vgl_json_int(neg ? -v : v);
        return 0;
    }
    /* 19+ digits: int64 if it fits, else keep the (canonical) text as a big integer. */
    uint64_t v = 0;
    bool overflow = ndigits > 20;
    for (const char *q = digits; q < digits + ndigits && !overflow; q++) {
        unsigned d = (unsigned)(*q - '0');
        if (v > (UINT64_MAX - d) / 10)
            overflow = true;
        else
            v = v * 10 + d;
    }
    if (!overflow && !neg && v <= (uint64_t)INT64_MAX) {
        *out = vgl_json_int((int64_t)v);
        return 0;
    }
    if (!overflow && neg && v <= (uint64_t)INT64_MAX + 1) {
        *out = vgl_json_int(v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v);
        return 0;
    }
    out->type = VGL_JSON_BIGINT;
    out->len = (uint32_t)n;
    out->u.s = s;
    return 0;
}

static int parse_value(struct parser *ps, struct vgl_json *out, size_t depth);

/* Python dict semantics for duplicate keys: first position, last value. */
static size_t dedupe_members(struct vgl_json_member *m, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j;
        for (j = 0; j < w; j++) {
            if (m[j].klen == m[i].klen && memcmp(m[j].key, m[i].key, m[i].klen) == 0)
                break;
        }
        if (j < w)
            m[j].val = m[i].val;
        else
            m[w++] = m[i];
    }
    return w;
}

static unsigned key_hash(const struct vgl_json_member *m)
{
    unsigned h = m->klen * 0x9e37u;
    if (m->klen) {
        h ^= (unsigned char)m->key[0] * 0x85ebu;
        h ^= (unsigned char)m->key[m->klen - 1] * 0xc2b2u;
        h ^= (unsigned char)m->key[m->klen / 2] * 0x27d4u;
    }
    return (h ^ (h >> 8)) & 255;
}

/* Linear in practice: a 256-bit filter of cheap key hashes; only members whose hash was
 * seen before are compared in full. */
static bool has_duplicates(const struct vgl_json_member *m, size_t n)
{
    uint64_t seen[4] = {0, 0, 0, 0};
    unsigned char small[64];
    unsigned char *hs = n <= sizeof small ? small : NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned h = key_hash(&m[i]);
        if (seen[h >> 6] & (1ull << (h & 63))) {
            for (size_t j = 0; j < i; j++) {
                if ((hs && hs[j] != h) || m[j].klen != m[i].klen)
                    continue;
                if (memcmp(m[j].key, m[i].key, m[i].klen) == 0)
                    return true;
            }
        }
        seen[h >> 6] |= 1ull << (h & 63);
        if (hs)
            hs[i] = (unsigned char)h;
    }
    return false;
}

static int parse_object(struct parser *ps, struct vgl_json *out, size_t depth)
{
    size_t base = ps->nmembers;
    const char *start = ps->p - 1;
    size_t ws0 = ps->ws;
    int rc;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == '}') {
        ps->p++;
        goto close;
    }
    for (;;) {
        skip_ws(ps);
        if (ps->p >= ps->end || *ps->p != '"') {
            rc = fail(ps, "'\"' to start an object key");
            goto out;
        }
        ps->p++;
        struct vgl_json key;
        rc = parse_string(ps, &key);
        if (rc)
            goto out;
        skip_ws(ps);
        if (ps->p >= ps->end || *ps->p != ':') {
            rc = fail(ps, "':' after object key");
            goto out;
        }
        ps->p++;
        struct vgl_json val;
        rc = parse_value(ps, &val, depth + 1);
        if (rc)
            goto out;
        if (ps->nmembers == member_cap)
            member_stack = vgl_xgrow(member_stack, &member_cap, ps->nmembers + 1, sizeof *member_stack);
        struct vgl_json_member *m = &member_stack[ps->nmembers++];
        m->key = key.u.s;
        m->klen = key.len;
        m->kflags = key.flags;
        m->val = val;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == '}') {
            ps->p++;
            break;
        }
        rc = fail(ps, "',' or '}' after object member");
        goto out;
    }
close: {
    size_t n = ps->nmembers - base;
    bool raw = ps->ws == ws0;
    if (n > 1 && has_duplicates(member_stack + base, n)) {
        n = dedupe_members(member_stack + base, n);
        raw = false;   /* the text still holds the duplicates */
    }
    out->type = VGL_JSON_OBJECT;
    out->flags = 0;
    out->len = (uint32_t)n;
    out->u.members = n ? store_items(ps, member_stack + base, n, sizeof *member_stack, raw, start, out)
                       : NULL;
    rc = 0;
}
out:
    ps->nmembers = base;
    return rc;
}

static int parse_array(struct parser *ps, struct vgl_json *out, size_t depth)
{
    size_t base = ps->nitems;
    const char *start = ps->p - 1;
    size_t ws0 = ps->ws;
    int rc;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ']') {
        ps->p++;
        goto close;
    }
    for (;;) {
        struct vgl_json val;
        rc = parse_value(ps, &val, depth + 1);
        if (rc)
            goto out;
        if (ps->nitems == item_cap)
            item_stack = vgl_xgrow(item_stack, &item_cap, ps->nitems + 1, sizeof *item_stack);
        item_stack[ps->nitems++] = val;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == ']') {
            ps->p++;
            break;
        }
        rc = fail(ps, "',' or ']' after array item");
        goto out;
    }
close: {
    size_t n = ps->nitems - base;
    out->type = VGL_JSON_ARRAY;
    out->flags = 0;
    out->len = (uint32_t)n;
    out->u.items = n ? store_items(ps, item_stack + base, n, sizeof *item_stack, ps->ws == ws0,
                                   start, out)
                     : NULL;
    rc = 0;
}
out:
    ps->nitems = base;
    return rc;
}

static bool match_word(struct parser *ps, const char *w, size_t n)
{
    if ((size_t)(ps->end - ps->p) >= n && memcmp(ps->p, w, n) == 0) {
        ps->p += n;
        return true;
    }
    return false;
}

static int parse_value(struct parser *ps, struct vgl_json *out, size_t depth)
{
    skip_ws(ps);
    if (ps->p >= ps->end)
        return fail(ps, "a value");
    /* depth counts the containers around this value. */
    if ((*ps->p == '{' || *ps->p == '[') && depth >= ps->max_depth)
        return vgl_error_set(ps->err, VGL_ELIMIT,
                             "json nested deeper than %zu levels at byte %zu", ps->max_depth,
                             (size_t)(ps->p - ps->buf));
    switch (*ps->p) {
    case '{':
        ps->p++;
        return parse_object(ps, out, depth);
    case '[':
        ps->p++;
        return parse_array(ps, out, depth);
    case '"':
        ps->p++;
        return parse_string(ps, out);
    case 't':
        if (match_word(ps, "true", 4)) {
            *out = vgl_json_bool(true);
            return 0;
        }
        break;
    case 'f':
        if (match_word(ps, "false", 5)) {
            *out = vgl_json_bool(false);
            return 0;
        }
        break;
    case 'n':
        if (match_word(ps, "null", 4)) {
            *out = vgl_json_null();
            return 0;
        }
        break;
    case 'N':
        if (match_word(ps, "NaN", 3)) {
            *out = vgl_json_float(NAN);
            return 0;
        }
        break;
    case 'I':
    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
        return parse_number(ps, out);
    default:
        break;
    }
    return fail(ps, "a json value");
}

int vgl_json_parse(const char *buf, size_t len, struct vgl_arena *arena,
                   const struct vgl_json_opts *opts, struct vgl_json *out, struct vgl_error *err)
{
    size_t max_depth = opts && opts->max_depth ? opts->max_depth : VGL_JSON_DEFAULT_DEPTH;
    if (opts && opts->max_bytes && len > opts->max_bytes)
        return vgl_error_set(err, VGL_ELIMIT, "json document of %zu bytes is over the %zu-byte cap",
                             len, opts->max_bytes);
    struct parser ps = {
        .buf = buf, .p = buf, .end = buf + len, .arena = arena, .max_depth = max_depth,
        .err = err,
    };
    /* A UTF-8 byte order mark is skipped, as Python does when decoding bytes. */
    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
        ps.p += 3;
    int rc = parse_value(&ps, out, 0);
    if (rc)
        return rc;
    skip_ws(&ps);
    if (ps.p != ps.end)
        return fail(&ps, "end of input after the json value");
    return 0;
}

/* ---- value helpers ------------------------------------------------------------------ */

const struct vgl_json *vgl_json_get(const struct vgl_json *obj, const char *key, size_t klen)
{
    if (!obj || obj->type != VGL_JSON_OBJECT)
        return NULL;
    for (uint32_t i = 0; i < obj->len; i++) {
        const struct vgl_json_member *m = &obj->u.members[i];
        if (m->klen == klen && (klen == 0 || memcmp(m->key, key, klen) == 0))
            return &m->val;
    }
    return NULL;
}

const struct vgl_json *vgl_json_getz(const struct vgl_json *obj, const char *key)
{
    return vgl_json_get(obj, key, strlen(key));
}

bool vgl_json_array_has_str(const struct vgl_json *arr, const char *s, size_t len)
{
    if (!arr || arr->type != VGL_JSON_ARRAY)
        return false;
    for (uint32_t i = 0; i < arr->len; i++) {
        const struct vgl_json *it = &arr->u.items[i];
        if (it->type == VGL_JSON_STRING && it->len == len && (len == 0 || memcmp(it->u.s, s, len) == 0))
            return true;
    }
    return false;
}

bool vgl_json_truthy(const struct vgl_json *v)
{
    switch (v->type) {
    case VGL_JSON_NULL:
        return false;
    case VGL_JSON_BOOL:
        return v->u.b;
    case VGL_JSON_INT:
        return v->u.i != 0;
    case VGL_JSON_BIGINT:
        return true;   /* canonical big integers are never zero */
    case VGL_JSON_FLOAT:
        return v->u.d != 0.0;   /* NaN is truthy in Python */
    default:
        return v->len != 0;
    }
}

/* Numeric view for Python's cross-type equality. */
static bool as_number(const struct vgl_json *v, double *d, int64_t *i, bool *is_int)
{
    switch (v->type) {
    case VGL_JSON_BOOL:
        *i = v->u.b;
        *is_int = true;
        return true;
    case VGL_JSON_INT:
        *i = v->u.i;
        *is_int = true;
        return true;
    case VGL_JSON_FLOAT:
        *d = v->u.d;
        *is_int = false;
        return true;
    default:
        return false;
    }
}

/* Python's int == float: exact, never a rounding cast. */
static bool int_eq_float(int64_t i, double d)
{
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
        return false;   /* NaN, infinities and values outside int64 */
    return (double)(int64_t)d == d && (int64_t)d == i;
}

/* A big integer (decimal text) against a float: equal when the float is integral and its
 * exact decimal expansion is the same text. */
static bool bigint_eq_float(const struct vgl_json *big, double d)
{
    if (!isfinite(d) || d != floor(d))
        return false;
    char tmp[400];
    int n = snprintf(tmp, sizeof tmp, "%.0f", d);
    return n > 0 && (size_t)n == big->len && memcmp(tmp, big->u.s, big->len) == 0;
}

bool vgl_json_equal(const struct vgl_json *a, const struct vgl_json *b)
{
    double da = 0, db = 0;
    int64_t ia = 0, ib = 0;
    bool inta, intb;
    if (as_number(a, &da, &ia, &inta) && as_number(b, &db, &ib, &intb)) {
        if (inta && intb)
            return ia == ib;
        if (inta)
            return int_eq_float(ia, db);
        if (intb)
            return int_eq_float(ib, da);
        return da == db;
    }
    if (a->type == VGL_JSON_BIGINT && b->type == VGL_JSON_FLOAT)
        return bigint_eq_float(a, b->u.d);
    if (b->type == VGL_JSON_BIGINT && a->type == VGL_JSON_FLOAT)
        return bigint_eq_float(b, a->u.d);
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case VGL_JSON_NULL:
        return true;
    case VGL_JSON_BIGINT:
    case VGL_JSON_STRING:
        return a->len == b->len && (a->len == 0 || memcmp(a->u.s, b->u.s, a->len) == 0);
    case VGL_JSON_ARRAY:
        if (a->len != b->len)
            return false;
        for (uint32_t i = 0; i < a->len; i++)
            if (!vgl_json_equal(&a->u.items[i], &b->u.items[i]))
                return false;
        return true;
    case VGL_JSON_OBJECT:
        if (a->len != b->len)
            return false;
        for (uint32_t i = 0; i < a->len; i++) {
            const struct vgl_json_member *m = &a->u.members[i];
            const struct vgl_json *o = vgl_json_get(b, m->key, m->klen);
            if (!o || !vgl_json_equal(&m->val, o))
                return false;
        }
        return true;
    default:
        return false;
    }
}

struct vgl_json vgl_json_clone(struct vgl_arena *arena, const struct vgl_json *v)
{
    struct vgl_json r = *v;
    vgl_json_touch(&r);
    if (v->type == VGL_JSON_ARRAY && v->len) {
        r.u.items = vgl_arena_alloc(arena, v->len * sizeof *r.u.items);
        for (uint32_t i = 0; i < v->len; i++)
            r.u.items[i] = vgl_json_clone(arena, &v->u.items[i]);
    } else if (v->type == VGL_JSON_OBJECT && v->len) {
        r.u.members = vgl_arena_alloc(arena, v->len * sizeof *r.u.members);
        for (uint32_t i = 0; i < v->len; i++) {
            r.u.members[i] = v->u.members[i];
            r.u.members[i].val = vgl_json_clone(arena, &v->u.members[i].val);
        }
    }
    return r;
}

struct vgl_json vgl_json_object(struct vgl_arena *arena, const struct vgl_json_member *m, size_t n)
{
    struct vgl_json r = {.type = VGL_JSON_OBJECT, .len = (uint32_t)n};
    r.u.members = n ? vgl_arena_memdup(arena, m, n * sizeof *m) : NULL;
    return r;
}

struct vgl_json vgl_json_array(struct vgl_arena *arena, const struct vgl_json *items, size_t n)
{
    struct vgl_json r = {.type = VGL_JSON_ARRAY, .len = (uint32_t)n};
    r.u.items = n ? vgl_arena_memdup(arena, items, n * sizeof *items) : NULL;
    return r;
}

const char *vgl_json_pytype(const struct vgl_json *v)
{
    static const char *const names[] = {"NoneType", "bool", "int", "int",
                                        "float", "str", "list", "dict"};
    return v->type <= VGL_JSON_OBJECT ? names[v->type] : "?";
}

const char *vgl_json_type_name(const struct vgl_json *v)
{
    static const char *const names[] = {"null", "boolean", "number", "number",
                                        "number", "string", "array", "object"};
    return v->type <= VGL_JSON_OBJECT ? names[v->type] : "?";
}

/* ---- writer ------------------------------------------------------------------------- */

size_t vgl_json_fmt_double(char *out, double d)
{
    if (isnan(d))
        return (size_t)sprintf(out, "nan");
    if (isinf(d))
        return (size_t)sprintf(out, d < 0 ? "-inf" : "inf");
    if (d == 0)
        return (size_t)sprintf(out, signbit(d) ? "-0.0" : "0.0");
    /* Shortest digit string that reads back as d: the correctly rounded %.Ne for the
     * smallest N that round-trips is what Python's repr (dtoa mode 0) produces. */
    char tmp[40];
    int prec;
    for (prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    /* tmp is "[-]d[.ddd]e[+-]XX": pull out the digits and the exponent. */
    char digits[24];
    size_t nd = 0;
    const char *p = tmp;
    bool neg = false;
    if (*p == '-') {
        neg = true;
        p++;
    }
    for (; *p && *p != 'e'; p++)
        if (*p != '.')
            digits[nd++] = *p;
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    int exp10 = atoi(p + 1);
    int decpt = exp10 + 1;   /* value = 0.DIGITS * 10^decpt */
    size_t n = 0;
    if (neg)
        out[n++] = '-';
    if (decpt <= -4 || decpt > 16) {
        out[n++] = digits[0];
        if (nd > 1) {
            out[n++] = '.';
            memcpy(out + n, digits + 1, nd - 1);
            n += nd - 1;
        }
        n += (size_t)sprintf(out + n, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
    } else if (decpt <= 0) {
        out[n++] = '0';
        out[n++] = '.';
        for (int i = 0; i < -decpt; i++)
            out[n++] = '0';
        memcpy(out + n, digits, nd);
        n += nd;
    } else if ((size_t)decpt >= nd) {
        memcpy(out + n, digits, nd);
        n += nd;
        for (size_t i = nd; i < (size_t)decpt; i++)
            out[n++] = '0';
        out[n++] = '.';
        out[n++] = '0';
    } else {
        memcpy(out + n, digits, (size_t)decpt);
        n += (size_t)decpt;
        out[n++] = '.';
        memcpy(out + n, digits + decpt, nd - (size_t)decpt);
        n += nd - (size_t)decpt;
    }
    out[n] = '\0';
    return n;
}

static int write_plain(struct vgl_buf *b, const char *s, size_t len)
{
    int rc = vgl_buf_reserve(b, len + 2);
    if (rc)
        return rc;
    char *d = b->data + b->len;
    d[0] = '"';
    memcpy(d + 1, s, len);
    d[len + 1] = '"';
    b->len += len + 2;
    b->data[b->len] = '\0';
    return 0;
}

/* Index of the first byte needing an escape ('"', '\\', < 0x20) at or after i, or len. */
static size_t next_special(const char *s, size_t i, size_t len)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    while (len - i >= 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        uint64_t q = w ^ (ones * '"'), bs = w ^ (ones * '\\');
        /* (w - 0x20..) & ~w flags bytes < 0x20 exactly only among ASCII bytes; bytes
         * >= 0x80 are cleared by ~w, so no false hit comes from UTF-8 text. */
        uint64_t special = (((q - ones) & ~q) | ((bs - ones) & ~bs) | ((w - ones * 0x20) & ~w)) & high;
        if (special) {
            size_t k = i + ((unsigned)__builtin_ctzll(special) >> 3);
            /* A borrow can only over-flag; confirm and continue past a false hit. */
            unsigned char c = (unsigned char)s[k];
            if (c == '"' || c == '\\' || c < 0x20)
                return k;
            i = k + 1;
            continue;
        }
        i += 8;
    }
    for (; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\' || c < 0x20)
            return i;
    }
    return len;
}

int vgl_json_write_str(struct vgl_buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    int rc = vgl_buf_reserve(b, len + 2);
    if (rc)
        return rc;
    b->data[b->len++] = '"';
    size_t i = 0;
    for (;;) {
        size_t k = next_special(s, i, len);
        if ((rc = vgl_buf_append(b, s + i, k - i)))
            return rc;
        if (k == len)
            break;
        unsigned char c = (unsigned char)s[k];
        char esc[7] = {'\\', 0};
        size_t n = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            n = 6;
        }
        if ((rc = vgl_buf_append(b, esc, n)))
            return rc;
        i = k + 1;
    }
    return vgl_buf_putc(b, '"');
}

int vgl_json_write(struct vgl_buf *b, const struct vgl_json *v)
{
    char num[40];
    int rc;
    switch (v->type) {
    case VGL_JSON_NULL:
        return vgl_buf_append(b, "null", 4);
    case VGL_JSON_BOOL:
        return v->u.b ? vgl_buf_append(b, "true", 4) : vgl_buf_append(b, "false", 5);
    case VGL_JSON_INT: {
        int n = snprintf(num, sizeof num, "%" PRId64, v->u.i);
        return vgl_buf_append(b, num, (size_t)n);
    }
    case VGL_JSON_BIGINT:
        return vgl_buf_append(b, v->u.s, v->len);
    case VGL_JSON_FLOAT:
        if (isnan(v->u.d))
            return vgl_buf_append(b, "NaN", 3);
        if (isinf(v->u.d))
            return vgl_buf_puts(b, v->u.d < 0 ? "-Infinity" : "Infinity");
        return vgl_buf_append(b, num, vgl_json_fmt_double(num, v->u.d));
    case VGL_JSON_STRING:
        if (v->flags & VGL_JSON_F_PLAIN)
            return write_plain(b, v->u.s, v->len);
        return vgl_json_write_str(b, v->u.s, v->len);
    case VGL_JSON_ARRAY:
        if (v->flags & VGL_JSON_F_RAW) {
            const struct rawspan *hdr = (const struct rawspan *)v->u.items - 1;
            return vgl_buf_append(b, hdr->start, hdr->len);
        }
        if ((rc = vgl_buf_putc(b, '[')))
            return rc;
        for (uint32_t i = 0; i < v->len; i++) {
            if (i && (rc = vgl_buf_putc(b, ',')))
                return rc;
            if ((rc = vgl_json_write(b, &v->u.items[i])))
                return rc;
        }
        return vgl_buf_putc(b, ']');
    case VGL_JSON_OBJECT:
        if (v->flags & VGL_JSON_F_RAW) {
            const struct rawspan *hdr = (const struct rawspan *)v->u.members - 1;
            return vgl_buf_append(b, hdr->start, hdr->len);
        }
        if ((rc = vgl_buf_putc(b, '{')))
            return rc;
        for (uint32_t i = 0; i < v->len; i++) {
            const struct vgl_json_member *m = &v->u.members[i];
            if (m->kflags & VGL_JSON_F_PLAIN) {
                /* ',' '"' key '"' ':' in one reservation */
                if ((rc = vgl_buf_reserve(b, (size_t)m->klen + 4)))
                    return rc;
                char *d = b->data + b->len;
                size_t n = 0;
                if (i)
                    d[n++] = ',';
                d[n++] = '"';
                memcpy(d + n, m->key, m->klen);
                n += m->klen;
                d[n++] = '"';
                d[n++] = ':';
                b->len += n;
                b->data[b->len] = '\0';
            } else {
                if (i && (rc = vgl_buf_putc(b, ',')))
                    return rc;
                if ((rc = vgl_json_write_str(b, m->key, m->klen)))
                    return rc;
                if ((rc = vgl_buf_putc(b, ':')))
                    return rc;
            }
            if ((rc = vgl_json_write(b, &m->val)))
                return rc;
        }
        return vgl_buf_putc(b, '}');
    default:
        VGL_BUG("unknown json type");
    }
}
