/* source/util.c: helpers the file, directory and stdin sources share (util.h). */
#include "source/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/xmalloc.h"
#include "frame/lines.h"
#include "source/source.h"

uint64_t vgl_source_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int vgl_source_sleep_ms(uint64_t ms)
{
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
    return nanosleep(&ts, NULL) == 0 ? 0 : -1;
}

bool vgl_source_poll_wait(uint64_t deadline_ms, uint64_t poll_ms)
{
    uint64_t now = vgl_source_now_ms();
    if (now >= deadline_ms)
        return false;
    return vgl_source_sleep_ms(deadline_ms - now < poll_ms ? deadline_ms - now : poll_ms) == 0;
}

uint64_t vgl_source_fnv1a64(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

uint32_t vgl_source_fnv1a32(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h;
}

char *vgl_source_absolute_path(const char *path)
{
    char *full;
    if (path[0] == '/') {
        full = vgl_xstrdup(path);
    } else {
        char cwd[4096];
        if (!getcwd(cwd, sizeof cwd))
            return NULL;
        size_t n = strlen(cwd) + strlen(path) + 2;
        full = vgl_xmalloc(n);
        snprintf(full, n, "%s/%s", cwd, path);
    }
    char *out = vgl_xmalloc(strlen(full) + 2);
    size_t len = 0;
    for (const char *p = full; *p;) {
        while (*p == '/')
            p++;
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 0 || (n == 1 && p[0] == '.')) {
            /* nothing */
        } else if (n == 2 && p[0] == '.' && p[1] == '.') {
            while (len > 0 && out[len - 1] != '/')
                len--;
            if (len > 0)
                len--;
        } else {
            out[len++] = '/';
            memcpy(out + len, p, n);
            len += n;
        }
        p += n;
    }
    if (len == 0)
        out[len++] = '/';
    out[len] = '\0';
    free(full);
    return out;
}

bool vgl_source_line_blank(const struct vgl_line *line)
{
    if (line->oversize)
        return false;
    for (size_t i = 0; i < line->len; i++) {
        char c = line->data[i];
        if (c != ' ' && c != '\t' && c != '\r')
            return false;
    }
    return true;
}

/* A byte buffer bigger than this is freed when the batch is emptied. */
#define KEEP_BUF_BYTES ((size_t)1 << 20)

struct vgl_source_item *vgl_line_batch_add(struct vgl_line_batch *lb, const struct vgl_line *line,
                                           const char *service, const char *resource)
{
    if (lb->n == lb->items_cap) {
        size_t cap = lb->items_cap;
        lb->items = vgl_xgrow(lb->items, &cap, lb->n + 1, sizeof *lb->items);
        lb->item_at = vgl_xgrow(lb->item_at, &lb->items_cap, lb->n + 1, sizeof *lb->item_at);
    }
    struct vgl_source_item *it = &lb->items[lb->n];
    memset(it, 0, sizeof *it);
    it->service = service;
    it->resource = resource;
    it->oversize = line->oversize;
    it->oversize_len = line->oversize_len;
    it->len = line->len;
    lb->item_at[lb->n] = lb->nbytes;
    if (!line->oversize) {
        lb->bytes = vgl_xgrow(lb->bytes, &lb->bytes_cap, lb->nbytes + line->len + 1, 1);
        memcpy(lb->bytes + lb->nbytes, line->data, line->len);
        lb->bytes[lb->nbytes + line->len] = '\0';
        lb->nbytes += line->len + 1;
    }
    lb->n++;
    return it;
}

bool vgl_line_batch_full(const struct vgl_line_batch *lb, size_t max_items, size_t max_bytes)
{
    return lb->n >= max_items || (max_bytes && lb->nbytes >= max_bytes);
}

void vgl_line_batch_finish(struct vgl_line_batch *lb, struct vgl_source_batch *b)
{
    for (size_t i = 0; i < lb->n; i++)
        lb->items[i].data = lb->items[i].oversize ? NULL : lb->bytes + lb->item_at[i];
    b->items = lb->items;
    b->n = lb->n;
}

void vgl_line_batch_reset(struct vgl_line_batch *lb)
{
    lb->n = lb->nbytes = 0;
    if (lb->bytes_cap > KEEP_BUF_BYTES) {
        free(lb->bytes);
        lb->bytes = NULL;
        lb->bytes_cap = 0;
    }
}

void vgl_line_batch_release(struct vgl_line_batch *lb)
{
    free(lb->items);
    free(lb->item_at);
    free(lb->bytes);
    memset(lb, 0, sizeof *lb);
}
