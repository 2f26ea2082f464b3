/*
 * source/util.h: small helpers the file, directory and stdin sources share.
 */
#ifndef VGL_SOURCE_UTIL_H
#define VGL_SOURCE_UTIL_H

#include <stdbool.h>
#include <stdint.h>

struct vgl_line;

/* Monotonic milliseconds. */
uint64_t vgl_source_now_ms(void);
/* Sleeps ms milliseconds; -1 when a signal cut it short (the caller returns). */
int vgl_source_sleep_ms(uint64_t ms);
/* 64- and 32-bit FNV-1a of a NUL-terminated string (positions, shard hashes). */
uint64_t vgl_source_fnv1a64(const char *s);
uint32_t vgl_source_fnv1a32(const char *s);
/* An absolute, lexically cleaned copy of path ("." and "//" dropped, ".." folded), malloc'd;
 * NULL when the working directory cannot be found. */
char *vgl_source_absolute_path(const char *path);
/* A line of only spaces, tabs and "\r" (never an oversize one): skipped, not delivered. */
bool vgl_source_line_blank(const struct vgl_line *line);

#endif
