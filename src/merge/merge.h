/*
 * merge/merge.h: StreamAlert's alert merging (compat 6.5 grouping, 6.6 construction).
 *
 * Pure functions over alerts as JSON (the fields the rules engine builds: record,
 * merge_by_keys, merge_window_mins, outputs, created, ...): no store, no clock of their own.
 * The alert process runs them on a timer over the merge-enabled alerts of each rule.
 *
 * Ownership: results are built in the caller's arena and may share values with the input
 * alerts, which must outlive them.
 */
#ifndef VGL_MERGE_MERGE_H
#define VGL_MERGE_MERGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json/json.h"

struct vgl_arena;

/* One candidate alert of one rule. */
struct vgl_merge_alert {
    const struct vgl_json *fields;   /* the alert (an object with "record", "created", ...) */
    int64_t created_us;              /* its creation time */
};

#define VGL_MERGE_MAX_GROUP 50

/* True when the alert has merging on: merge_by_keys non-empty and a non-zero window. */
bool vgl_merge_enabled(const struct vgl_json *fields);

/* compat 6.5 can_merge. */
bool vgl_merge_can_merge(const struct vgl_merge_alert *a, const struct vgl_merge_alert *b);

/*
 * compat 6.5 _merge_groups over alerts already sorted by created (oldest first).  Fills
 * group_of[i] with the group number of alert i, or -1 for alerts left for a later run
 * (the scan stops at the first alert whose window is still open and that joins no group).
 * Returns the number of groups.
 */
size_t vgl_merge_groups(const struct vgl_merge_alert *alerts, size_t n, int64_t now_us, int *group_of);

/*
 * compat 6.6: the merged alert of a group (members sorted by created, oldest first).
 * created is the new alert's timestamp text (now).  The result is a new alert object:
 * rule and context from the oldest member, outputs from the newest, no merge settings.
 */
struct vgl_json vgl_merge_build(const struct vgl_merge_alert *const *members, size_t n,
                                const char *created, struct vgl_arena *arena);

/* get_first_key (compat 5.1) on JSON: breadth-first, never into streamalert_normalization.
 * NULL when the key is nowhere. */
const struct vgl_json *vgl_json_first_key(const struct vgl_json *v, const char *key, size_t klen);

#endif
