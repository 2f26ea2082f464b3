/*
 * normalize/normalize.h: StreamAlert normalization (compat section 3).
 *
 * Two forms.  The current one is per schema (`configuration.normalization`): compiled
 * by vgl_norm_compile() at config load, applied by vgl_normalize() to every record of
 * that log type, which adds `streamalert_normalization` (underscore) at the record's top
 * level.  The legacy v1 form (`conf/normalized_types.json`, keyed by log source) is an
 * opt-in migration aid (vigil.json "legacy_normalization": true): vgl_legacy_normalize()
 * adds `streamalert:normalization` (colon) as StreamAlert v3.0-3.2 did.
 *
 * Ownership: compiled specs live in the arena given to the compiler (the config's) and
 * are immutable.  vgl_normalize() and vgl_legacy_normalize() allocate the new record
 * members in the batch arena passed to them and replace *record with the grown object.
 */
#ifndef VGL_NORMALIZE_NORMALIZE_H
#define VGL_NORMALIZE_NORMALIZE_H

#include <stdbool.h>
#include <stddef.h>

#include "json/json.h"

struct vgl_arena;
struct vgl_error;
struct vgl_norm_spec;
struct vgl_legacy_norm;

#define VGL_NORMALIZATION_KEY "streamalert_normalization"
#define VGL_NORMALIZATION_KEY_V1 "streamalert:normalization"
#define VGL_RECORD_ID_KEY "streamalert_record_id"

/*
 * Compiles a schema's `configuration.normalization` object.  On a bad shape returns NULL
 * and fills err with StreamAlert's complaint and the JSON path below `normalization`.
 */
struct vgl_norm_spec *vgl_norm_compile(const struct vgl_json *normalization,
                                       struct vgl_arena *arena, struct vgl_error *err);

/* Adds `streamalert_normalization` to the record object (compat 3.1). */
int vgl_normalize(const struct vgl_norm_spec *spec, struct vgl_json *record,
                  struct vgl_arena *arena, struct vgl_error *err);

/* Compiles normalized_types.json ({log_source: {type: [key, ...]}}); NULL + err if malformed. */
struct vgl_legacy_norm *vgl_legacy_norm_compile(const struct vgl_json *normalized_types,
                                                struct vgl_arena *arena, struct vgl_error *err);

/* True when the legacy map has an entry for this log source. */
bool vgl_legacy_norm_has(const struct vgl_legacy_norm *ln, const char *source, size_t len);

/* Adds `streamalert:normalization` for the record's log source (compat 3.3, v1). */
int vgl_legacy_normalize(const struct vgl_legacy_norm *ln, const char *source, size_t source_len,
                         struct vgl_json *record, struct vgl_arena *arena, struct vgl_error *err);

/* Normalized type names the legacy map declares for any source (for threat-intel checks). */
bool vgl_legacy_norm_declares(const struct vgl_legacy_norm *ln, const char *type, size_t len);

/* Fills out with 32 hex digits formatted as a uuid4 (8-4-4-4-12), NUL-terminated. */
void vgl_uuid4(char out[37]);

#endif
