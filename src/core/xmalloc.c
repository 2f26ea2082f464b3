/*
 * core/xmalloc.c: allocation wrappers that abort on exhaustion.
 */
#include "core/xmalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Noreturn void oom(size_t n)
{
    fprintf(stderr, "vigil: out of memory allocating %zu bytes\n", n);
    abort();
}

void *vgl_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *vgl_xcalloc(size_t nmemb, size_t size)
{
    void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
    if (!p)
        oom(nmemb * size);
    return p;
}

void *vgl_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

void *vgl_xgrow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    size_t c = *cap ? *cap : 8;
    while (c < need) {
        if (c > SIZE_MAX / 2 / elem)
            oom(SIZE_MAX);
        c *= 2;
    }
    p = vgl_xrealloc(p, c * elem);
    *cap = c;
    return p;
}

char *vgl_xstrdup(const char *s)
{
    return vgl_xstrndup(s, strlen(s));
}

char *vgl_xstrndup(const char *s, size_t n)
{
    char *p = vgl_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}
