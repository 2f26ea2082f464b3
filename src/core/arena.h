/*
 * core/arena.h: a bump allocator whose memory is freed all at once.
 *
 * A batch's records, fields and decoded strings live in one arena and die together
 * (vgl_arena_reset() keeps the first block for reuse; vgl_arena_release() frees all).
 * Allocations are 16-byte aligned.  Not thread-safe: one arena per batch.
 */
#ifndef VGL_CORE_ARENA_H
#define VGL_CORE_ARENA_H

#include <stddef.h>

struct vgl_arena_block;

struct vgl_arena {
    struct vgl_arena_block *head;   /* newest block first */
    size_t block_size;              /* default size of new blocks */
    size_t used;                    /* bytes handed out since init/reset */
};

/* Allocates nothing; the first block comes with the first allocation. */
void vgl_arena_init(struct vgl_arena *a, size_t block_size);
void vgl_arena_release(struct vgl_arena *a);
/* Frees everything allocated so far, keeping one block for reuse. */
void vgl_arena_reset(struct vgl_arena *a);

/* Never returns NULL (aborts on exhaustion); the memory is uninitialised. */
void *vgl_arena_alloc(struct vgl_arena *a, size_t n);
void *vgl_arena_zalloc(struct vgl_arena *a, size_t n);
/* Copies n bytes and appends a NUL. */
char *vgl_arena_strndup(struct vgl_arena *a, const char *s, size_t n);
void *vgl_arena_memdup(struct vgl_arena *a, const void *p, size_t n);

#endif
