/*
 * json/json.h: vigil's JSON values, parser and writer.
 *
 * Values are plain structs in a per-batch arena (core/arena.h): nothing is freed one by
 * one, everything dies with the arena.  A parsed string points straight into the input
 * buffer when it had no escapes (zero-copy), otherwise at its decoded copy in the arena,
 * so the input buffer must outlive the values.  Strings are NOT NUL-terminated in general:
 * always use the length.  Strings are valid UTF-8 (the parser checks raw bytes and
 * decodes escapes; a lone surrogate escape becomes U+FFFD).
 *
 * Numbers keep Python's distinction, because StreamAlert's type conversion depends on it:
 * a literal with '.', 'e' or 'E' is a float (VGL_JSON_FLOAT), otherwise an integer
 * (VGL_JSON_INT when it fits int64, else VGL_JSON_BIGINT holding its decimal text).
 * NaN, Infinity and -Infinity are accepted as Python's json module accepts them.
 *
 * Objects keep member order.  A duplicate key keeps its first position and takes the
 * last value, as Python's dict does.
 *
 * Thread-safety: none needed; values are immutable once built unless the builder says so.
 */
#ifndef VGL_JSON_JSON_H
#define VGL_JSON_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vgl_arena;
struct vgl_buf;
struct vgl_error;

enum vgl_json_type {
    VGL_JSON_NULL = 0,
    VGL_JSON_BOOL,
    VGL_JSON_INT,
    VGL_JSON_BIGINT,   /* u.s/len: canonical decimal text, optional leading '-' */
    VGL_JSON_FLOAT,
    VGL_JSON_STRING,   /* u.s/len */
    VGL_JSON_ARRAY,    /* u.items/len */
    VGL_JSON_OBJECT,   /* u.members/len */
};

struct vgl_json_member;

/* flags: the string's bytes need no JSON escaping (no '"', '\\' or control characters);
 * set by the parser on zero-copy strings so the writer can copy them whole. */
#define VGL_JSON_F_PLAIN 0x01
/* flags: an array or object unchanged since parsing whose source text (compact: no white
 * space, no duplicate keys) sits in front of its items; the writer copies that text whole.  Code
 * that changes a container's items or members must clear it (vgl_json_touch). */
#define VGL_JSON_F_RAW 0x02
/* flags: the string's bytes are all ASCII (set by the parser; lets the rules bridge build
 * Python strs with a plain copy). */
#define VGL_JSON_F_ASCII 0x04

struct vgl_json {
    uint8_t type;      /* enum vgl_json_type */
    uint8_t flags;     /* VGL_JSON_F_*; 0 is always safe */
    uint32_t len;      /* string bytes, array items or object members */
    union {
        bool b;
        int64_t i;
        double d;
        const char *s;
        struct vgl_json *items;
        struct vgl_json_member *members;
    } u;
};

struct vgl_json_member {
    const char *key;   /* UTF-8, klen bytes, not NUL-terminated in general */
    uint32_t klen;
    uint8_t kflags;    /* VGL_JSON_F_PLAIN for the key; 0 is always safe */
    struct vgl_json val;
};

struct vgl_json_opts {
    size_t max_depth;   /* nesting cap; 0 means VGL_JSON_DEFAULT_DEPTH */
    size_t max_bytes;   /* input cap; 0 means no cap beyond what the caller framed */
};

#define VGL_JSON_DEFAULT_DEPTH 512
#define VGL_JSON_MAX_LEN UINT32_MAX

/*
 * Parses exactly one JSON value from buf[0..len) (surrounding white space allowed).
 * On success fills *out and returns 0.  On failure returns VGL_EPARSE, VGL_EUTF8 or
 * VGL_ELIMIT with err saying where (byte offset), what was expected and what was found.
 * opts may be NULL.  See the header comment for lifetimes.
 */
int vgl_json_parse(const char *buf, size_t len, struct vgl_arena *arena,
                   const struct vgl_json_opts *opts, struct vgl_json *out,
                   struct vgl_error *err);

/* Constructors: the results point at the given bytes (not copied). */
static inline struct vgl_json vgl_json_null(void)
{
    struct vgl_json v = {.type = VGL_JSON_NULL};
    return v;
}
static inline struct vgl_json vgl_json_bool(bool b)
{
    struct vgl_json v = {.type = VGL_JSON_BOOL, .u.b = b};
    return v;
}
static inline struct vgl_json vgl_json_int(int64_t i)
{
    struct vgl_json v = {.type = VGL_JSON_INT, .u.i = i};
    return v;
}
static inline struct vgl_json vgl_json_float(double d)
{
    struct vgl_json v = {.type = VGL_JSON_FLOAT, .u.d = d};
    return v;
}
static inline struct vgl_json vgl_json_str(const char *s, size_t len)
{
    struct vgl_json v = {.type = VGL_JSON_STRING, .len = (uint32_t)len, .u.s = s};
    return v;
}

/* Marks a container as modified: its source text no longer describes it. */
static inline void vgl_json_touch(struct vgl_json *v)
{
    v->flags &= (uint8_t)~VGL_JSON_F_RAW;
}

/* Member lookup by key (linear; objects are small).  NULL when absent or not an object. */
const struct vgl_json *vgl_json_get(const struct vgl_json *obj, const char *key, size_t klen);
/* Same with a NUL-terminated key. */
const struct vgl_json *vgl_json_getz(const struct vgl_json *obj, const char *key);

/* True when arr is an array holding the string s (len bytes) among its items. */
bool vgl_json_array_has_str(const struct vgl_json *arr, const char *s, size_t len);

/* Python truthiness: null, false, 0, 0.0, "", [] and {} are false. */
bool vgl_json_truthy(const struct vgl_json *v);

/* Deep equality (Python ==: 1 == 1.0, True == 1, object key order ignored). */
bool vgl_json_equal(const struct vgl_json *a, const struct vgl_json *b);

/* Deep copy of arrays and objects into the arena (strings are shared, not copied). */
struct vgl_json vgl_json_clone(struct vgl_arena *arena, const struct vgl_json *v);

/* Builds an object from n members copied into the arena. */
struct vgl_json vgl_json_object(struct vgl_arena *arena, const struct vgl_json_member *m, size_t n);
struct vgl_json vgl_json_array(struct vgl_arena *arena, const struct vgl_json *items, size_t n);

/* Type name as Python would say it for a decoded value: "str", "int", "dict", ... */
const char *vgl_json_pytype(const struct vgl_json *v);
/* JSON type name: "string", "number", "object", ... */
const char *vgl_json_type_name(const struct vgl_json *v);

/*
 * Writer.  Compact JSON (no spaces), UTF-8 kept as is, control characters escaped.
 * Floats are written as Python's repr writes them (1.0, 1e+16, 0.1); NaN and infinities
 * as Python's json.dumps does (NaN, Infinity, -Infinity).  Returns 0 or VGL_ELIMIT when
 * the buffer's cap is reached.
 */
int vgl_json_write(struct vgl_buf *b, const struct vgl_json *v);
/* Writes s as a JSON string literal with quotes. */
int vgl_json_write_str(struct vgl_buf *b, const char *s, size_t len);

/*
 * Formats a double exactly as Python's repr(float) does: shortest round-trip digits,
 * scientific notation when the exponent is < -4 or >= 16 ("1e+16", "1e-05"), otherwise
 * positional with at least one decimal ("1.0", "0.0001"); "nan", "inf", "-inf".
 * out must hold at least 32 bytes; returns the length.
 */
size_t vgl_json_fmt_double(char *out, double d);

/* Validates UTF-8; returns the offset of the first bad byte or len when all valid. */
size_t vgl_utf8_check(const char *s, size_t len);

#endif
