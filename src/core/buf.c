/*
 * core/buf.c: capped growable buffer.
 */
#include "core/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/xmalloc.h"
#include "core/utf8.h"

void vgl_buf_init(struct vgl_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max ? max : SIZE_MAX - 1;
}

void vgl_buf_release(struct vgl_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void vgl_buf_reset(struct vgl_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

int vgl_buf_reserve(struct vgl_buf *b, size_t n)
{
    if (n > b->max - b->len)
        return VGL_ELIMIT;
    size_t need = b->len + n + 1;
    if (need > b->cap) {
        size_t c = b->cap ? b->cap : 64;
        while (c < need)
            c = c > SIZE_MAX / 2 ? need : c * 2;
        b->data = vgl_xrealloc(b->data, c);
        b->cap = c;
    }
    return 0;
}

int vgl_buf_append(struct vgl_buf *b, const void *p, size_t n)
{
    int rc = vgl_buf_reserve(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int vgl_buf_putc_slow(struct vgl_buf *b, char c)
{
    return vgl_buf_append(b, &c, 1);
}

int vgl_buf_puts(struct vgl_buf *b, const char *s)
{
    return vgl_buf_append(b, s, strlen(s));
}

int vgl_buf_vprintf(struct vgl_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return VGL_EINVAL;
    if ((size_t)n < sizeof small)
        return vgl_buf_append(b, small, (size_t)n);
    int rc = vgl_buf_reserve(b, (size_t)n);
    if (rc)
        return rc;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int vgl_buf_printf(struct vgl_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vgl_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

char *vgl_buf_detach(struct vgl_buf *b, size_t *len)
{
    char *p = b->data ? b->data : vgl_xstrdup("");
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

/* Length of the valid UTF-8 sequence at p (1-4), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    uint32_t cp;
    return vgl_utf8_decode(p, n, &cp);
}

int vgl_buf_append_quoted(struct vgl_buf *b, const char *p, size_t n, size_t max)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t lim = n < max ? n : max;
    size_t i = 0;
    int rc = 0;
    while (i < lim && !rc) {
        unsigned c = s[i];
        if (c == '"' || c == '\\') {
            char e[3] = {'\\', (char)c, 0};
            rc = vgl_buf_append(b, e, 2);
            i++;
        } else if (c == '\n') {
            rc = vgl_buf_append(b, "\\n", 2);
            i++;
        } else if (c == '\t') {
            rc = vgl_buf_append(b, "\\t", 2);
            i++;
        } else if (c == '\r') {
            rc = vgl_buf_append(b, "\\r", 2);
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            rc = vgl_buf_printf(b, "\\x%02x", c);
            i++;
        } else if (c < 0x80) {
            rc = vgl_buf_putc(b, (char)c);
            i++;
        } else {
            size_t l = utf8_seq(s + i, n - i);
            if (l == 0) {
                rc = vgl_buf_printf(b, "\\x%02x", c);
                i++;
            } else {
                rc = vgl_buf_append(b, s + i, l);
                i += l;
            }
        }
    }
    if (!rc && n > lim)
        rc = vgl_buf_append(b, "...", 3);
    return rc;
}

char *vgl_quote(char *out, size_t outsz, const char *p, size_t n)
{
    struct vgl_buf b;
    vgl_buf_init(&b, 0);
    size_t max = outsz > 16 ? (outsz - 8) / 4 : 1;
    vgl_buf_append_quoted(&b, p, n, max);
    snprintf(out, outsz, "%s", b.data ? b.data : "");
    vgl_buf_release(&b);
    return out;
}
