/*
 * parse/kvsplit.h: split a "key=value key=value" text into ordered (key, value) pairs
 * exactly as StreamAlert's kv parser does (streamalert-compat.md 2.9):
 *
 *     fields = [f for f in text.split(delimiter) if f != ""]
 *     if len(fields) != len(schema): invalid
 *     for i, f in enumerate(fields):
 *         if separator not in f: skip f (StreamAlert logs an error)
 *         key, value = f.split(separator, 1)
 *         if key in record: record[schema_keys[i]] = value
 *         else:             record[key] = value
 *     if not record: invalid
 *
 * delimiter and separator are strings of any length >= 1 (Python str.split with an
 * explicit separator: consecutive delimiters give empty fields, which are dropped).  The
 * result has Python dict-assignment semantics: a key keeps the position where it was
 * first stored, and a later assignment replaces its value.  Keys are not checked against
 * the schema here; the classifier's key check does that.
 *
 * Matching is bytewise, which equals Python's character-wise matching on valid UTF-8
 * (delimiter, separator and text should be valid UTF-8; invalid bytes are just bytes).
 *
 * Ownership: text, opts and schema_keys are borrowed.  The pairs array is allocated in
 * the arena (valid until it is reset or released).  The pair strings are not copied:
 * values and most keys are slices of text, and a key stored under a schema name (the
 * duplicate-key rule) points at that schema_keys entry's string.  So the result is valid
 * only while the arena, text and schema_keys' strings all are.  Slices are not
 * NUL-terminated.  No global state; thread-safe with one arena per thread.
 */
#ifndef VGL_PARSE_KVSPLIT_H
#define VGL_PARSE_KVSPLIT_H

#include <stddef.h>

struct vgl_arena;
struct vgl_error;

/* Schemas with more keys than this are refused (VGL_ELIMIT): duplicate-key lookup is a
 * linear scan per field. */
#define VGL_KV_MAX_KEYS 1024

struct vgl_kv_str {
    const char *s; /* not NUL-terminated */
    size_t len;
};

struct vgl_kv_opts {
    struct vgl_kv_str delimiter; /* StreamAlert default " " */
    struct vgl_kv_str separator; /* StreamAlert default "=" */
};

struct vgl_kv_pair {
    struct vgl_kv_str key;
    struct vgl_kv_str value;
};

struct vgl_kv_result {
    size_t npairs;                   /* 1..nkeys on success */
    struct vgl_kv_pair *pairs;       /* insertion order */
    size_t nskipped;                 /* fields without the separator (StreamAlert logs each) */
    struct vgl_kv_str first_skipped; /* the first of them, for a log line; {NULL, 0} if none */
};

/*
 * Splits text (len bytes, may contain NUL) against a schema of nkeys keys given in schema
 * order.  Returns 0 with at least one pair; VGL_ENOMATCH when StreamAlert would give an
 * invalid candidate, with err saying why ("expected 3 kv fields, got 2", "no kv field
 * contains separator '='"); VGL_EINVAL for an empty delimiter or separator (Python raises
 * "empty separator"); VGL_ELIMIT when nkeys > VGL_KV_MAX_KEYS.  out is always set; on
 * error it holds no pairs.
 */
int vgl_kv_split(const char *text, size_t len, const struct vgl_kv_opts *opts,
                 const struct vgl_kv_str *schema_keys, size_t nkeys, struct vgl_arena *a,
                 struct vgl_kv_result *out, struct vgl_error *err);

#endif
