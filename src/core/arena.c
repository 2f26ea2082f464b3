/*
 * core/arena.c: bump allocator for per-batch data.
 */
#include "core/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"

struct vgl_arena_block {
    struct vgl_arena_block *next;
    size_t size;   /* usable bytes after the header */
    size_t off;    /* bytes used */
    _Alignas(16) unsigned char data[];
};

void vgl_arena_init(struct vgl_arena *a, size_t block_size)
{
    a->head = NULL;
    a->block_size = block_size ? block_size : 64 * 1024;
    a->used = 0;
}

void vgl_arena_release(struct vgl_arena *a)
{
    struct vgl_arena_block *b = a->head;
    while (b) {
        struct vgl_arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->used = 0;
}

void vgl_arena_reset(struct vgl_arena *a)
{
    if (!a->head)
        return;
    /* Keep the last (oldest) block if it has the default size, free the rest. */
    struct vgl_arena_block *b = a->head, *keep = NULL;
    while (b) {
        struct vgl_arena_block *next = b->next;
        if (!keep && b->size == a->block_size) {
            keep = b;
        } else {
            free(b);
        }
        b = next;
    }
    if (keep) {
        keep->next = NULL;
        keep->off = 0;
    }
    a->head = keep;
    a->used = 0;
}

static struct vgl_arena_block *new_block(struct vgl_arena *a, size_t need)
{
    size_t size = a->block_size;
    if (need > size)
        size = need;
    struct vgl_arena_block *b = vgl_xmalloc(sizeof *b + size);
    b->size = size;
    b->off = 0;
    b->next = a->head;
    a->head = b;
    return b;
}

void *vgl_arena_alloc(struct vgl_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (n == 0)
        n = 16;
    struct vgl_arena_block *b = a->head;
    if (!b || b->size - b->off < n) {
        /* A large request gets its own block behind the current one, so the rest of
         * the current block stays usable. */
        if (b && n > a->block_size / 4) {
            struct vgl_arena_block *big = vgl_xmalloc(sizeof *big + n);
            big->size = n;
            big->off = n;
            big->next = b->next;
            b->next = big;
            a->used += n;
            return big->data;
        }
        b = new_block(a, n);
    }
    void *p = b->data + b->off;
    b->off += n;
    a->used += n;
    return p;
}

void *vgl_arena_zalloc(struct vgl_arena *a, size_t n)
{
    void *p = vgl_arena_alloc(a, n);
    memset(p, 0, n);
    return p;
}

char *vgl_arena_strndup(struct vgl_arena *a, const char *s, size_t n)
{
    char *p = vgl_arena_alloc(a, n + 1);
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void *vgl_arena_memdup(struct vgl_arena *a, const void *p, size_t n)
{
    void *q = vgl_arena_alloc(a, n);
    if (n)
        memcpy(q, p, n);
    return q;
}
