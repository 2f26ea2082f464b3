/*
 * source/util.h: small helpers the file, directory and stdin sources share.
 */
#ifndef VGL_SOURCE_UTIL_H
#define VGL_SOURCE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vgl_line;
struct vgl_source_batch;
struct vgl_source_item;

/* Monotonic milliseconds. */
uint64_t vgl_source_now_ms(void);
/* Sleeps ms milliseconds; -1 when a signal cut it short (the caller returns). */
int vgl_source_sleep_ms(uint64_t ms);
/* Waits for the next poll of a source that has nothing yet: poll_ms, never past deadline_ms
 * (vgl_source_now_ms time).  False when the deadline has passed or a signal cut the sleep
 * short: stop waiting. */
bool vgl_source_poll_wait(uint64_t deadline_ms, uint64_t poll_ms);
/* 64- and 32-bit FNV-1a of a NUL-terminated string (positions, shard hashes). */
uint64_t vgl_source_fnv1a64(const char *s);
uint32_t vgl_source_fnv1a32(const char *s);
/* An absolute, lexically cleaned copy of path ("." and "//" dropped, ".." folded), malloc'd;
 * NULL when the working directory cannot be found. */
char *vgl_source_absolute_path(const char *path);
/* A line of only spaces, tabs and "\r" (never an oversize one): skipped, not delivered. */
bool vgl_source_line_blank(const struct vgl_line *line);

/*
 * The batch a line source is building: its items and a copy of their bytes (a line from
 * frame/lines.h stays valid only until the next read).  Zero-initialised is empty.
 */
struct vgl_line_batch {
    struct vgl_source_item *items;
    size_t *item_at;            /* each item's offset in bytes */
    size_t n, items_cap;
    char *bytes;
    size_t nbytes, bytes_cap;
};

/* Appends a copy of line (an oversize one keeps only its length) as an item of service /
 * resource; returns it for the caller to write its position. */
struct vgl_source_item *vgl_line_batch_add(struct vgl_line_batch *lb, const struct vgl_line *line,
                                           const char *service, const char *resource);
/* True when the batch holds max_items items or about max_bytes bytes (0: no byte limit). */
bool vgl_line_batch_full(const struct vgl_line_batch *lb, size_t max_items, size_t max_bytes);
/* Hands the items to b (data pointers set; valid until the next reset). */
void vgl_line_batch_finish(struct vgl_line_batch *lb, struct vgl_source_batch *b);
/* Empties the batch, keeping its memory unless the byte buffer grew past 1 MiB. */
void vgl_line_batch_reset(struct vgl_line_batch *lb);
void vgl_line_batch_release(struct vgl_line_batch *lb);

#endif
