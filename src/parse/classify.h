/*
 * parse/classify.h: payload record -> classified records (compat sections 2 and 3).
 *
 * vgl_classify() tries a data source's candidate schemas in global schema order; the
 * first schema that yields at least one valid record wins (compat 2.12).  The payload is
 * decoded once and each parser kind's split (JMESPath result, CSV rows, syslog match) is
 * computed once and shared by every candidate schema that needs it.  Valid records are
 * then normalized.
 *
 * A payload that matches no schema is data, not an error: the result has no schema, and
 * with opts.explain each tried schema's reason.  The function only fails (negative code)
 * for caps on the input, e.g. a payload over max_record_bytes.
 *
 * Ownership: everything in the result lives in the arena (the caller's batch arena) and
 * may point into the payload bytes, which must outlive it.  The config is borrowed and
 * never modified.  No global state; one arena per thread.
 */
#ifndef VGL_PARSE_CLASSIFY_H
#define VGL_PARSE_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "json/json.h"

struct vgl_arena;
struct vgl_error;
struct vgl_schema;
struct vgl_data_source;
struct vgl_legacy_norm;

struct vgl_payload {
    const char *data;                /* raw text (need not be NUL-terminated) */
    size_t len;
    const struct vgl_json *decoded;  /* an already-decoded value (app logs), or NULL */
};

struct vgl_classify_opts {
    size_t max_depth;                /* JSON nesting cap; 0 = default */
    bool explain;                    /* fill attempts[] with a reason per failed schema */
    const struct vgl_legacy_norm *legacy_norm;   /* apply v1 normalization when set */
};

#define VGL_REASON_MAX 320

struct vgl_attempt {
    const struct vgl_schema *schema;
    char reason[VGL_REASON_MAX];
};

struct vgl_classified {
    const struct vgl_schema *schema;    /* the winner, or NULL when nothing matched */
    struct vgl_json *records;           /* valid records of the winner, normalized */
    size_t nrecords;
    size_t ninvalid;                    /* the winner's invalid sub-records (dropped) */
    char invalid_reason[VGL_REASON_MAX];   /* why the first of them failed (explain only) */
    struct vgl_attempt *attempts;       /* explain only: one per schema tried, in order */
    size_t nattempts;
};

/* Classifies one payload against src's candidates. */
int vgl_classify(const struct vgl_data_source *src, const struct vgl_payload *payload,
                 struct vgl_arena *arena, const struct vgl_classify_opts *opts,
                 struct vgl_classified *out, struct vgl_error *err);

/*
 * Tries one schema alone (no normalization).  Returns the number of valid records (0 when
 * the schema does not match; reason then says why when not NULL).
 */
size_t vgl_classify_one(const struct vgl_schema *schema, const struct vgl_payload *payload,
                        struct vgl_arena *arena, const struct vgl_classify_opts *opts,
                        struct vgl_json **records, char *reason, size_t reason_len);

/*
 * The value StreamAlert gives an absent optional key of this schema type (compat 2.2):
 * "", 0, 0.0, false, {} for any object type, [] for any list; a non-string type value gives
 * the empty value of its JSON type.  false for an unknown type name (StreamAlert crashes).
 */
bool vgl_schema_default(const struct vgl_json *type, struct vgl_json *out);

/* Python fnmatch.fnmatchcase on UTF-8 text: *, ?, [seq], [!seq]. */
bool vgl_fnmatch(const char *pat, size_t plen, const char *s, size_t slen);

#endif
