/*
 * core/buf.h: a growable byte buffer with a hard maximum size.
 *
 * Invariants: data is NUL-terminated after len bytes whenever data is not NULL; len <= max.
 * A write that would pass max fails with VGL_ELIMIT and leaves the buffer unchanged, so
 * hostile input cannot grow it without bound.  max == 0 means SIZE_MAX.
 */
#ifndef VGL_CORE_BUF_H
#define VGL_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct vgl_buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max;
};

/* Allocates nothing. */
void vgl_buf_init(struct vgl_buf *b, size_t max);
void vgl_buf_release(struct vgl_buf *b);
void vgl_buf_reset(struct vgl_buf *b);   /* len = 0, memory kept */

int vgl_buf_append(struct vgl_buf *b, const void *p, size_t n);
int vgl_buf_putc_slow(struct vgl_buf *b, char c);
static inline int vgl_buf_putc(struct vgl_buf *b, char c)
{
    if (b->len + 2 <= b->cap && b->len < b->max) {
        b->data[b->len++] = c;
        b->data[b->len] = '\0';
        return 0;
    }
    return vgl_buf_putc_slow(b, c);
}
int vgl_buf_puts(struct vgl_buf *b, const char *s);
int vgl_buf_printf(struct vgl_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int vgl_buf_vprintf(struct vgl_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Makes room for n more bytes; returns 0 or VGL_ELIMIT. */
int vgl_buf_reserve(struct vgl_buf *b, size_t n);
/* Takes the data out (caller frees); the buffer is left empty. */
char *vgl_buf_detach(struct vgl_buf *b, size_t *len);

/*
 * Appends a short, printable rendering of untrusted bytes for error messages: at most
 * max bytes of input, control and non-UTF-8 bytes escaped as \xNN, quotes escaped,
 * "..." appended when cut.
 */
int vgl_buf_append_quoted(struct vgl_buf *b, const char *p, size_t n, size_t max);

/* Same rendering into a fixed buffer (always NUL-terminated); returns out. */
char *vgl_quote(char *out, size_t outsz, const char *p, size_t n);

#endif
