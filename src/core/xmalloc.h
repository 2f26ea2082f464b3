/*
 * core/xmalloc.h: allocation that never returns NULL.
 *
 * Out of memory is not an input error: hostile input cannot get here because all growth
 * is capped.  These abort with a message instead of returning NULL.
 */
#ifndef VGL_CORE_XMALLOC_H
#define VGL_CORE_XMALLOC_H

#include <stddef.h>

void *vgl_xmalloc(size_t n);
void *vgl_xcalloc(size_t nmemb, size_t size);
void *vgl_xrealloc(void *p, size_t n);
/* Grows an array of elem-sized items to at least need items; updates *cap. */
void *vgl_xgrow(void *p, size_t *cap, size_t need, size_t elem);
char *vgl_xstrdup(const char *s);
char *vgl_xstrndup(const char *s, size_t n);

#endif
