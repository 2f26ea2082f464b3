/* json/pyjson.c: Python's json.dumps() output (see pyjson.h). */
#include "json/pyjson.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "json/json.h"
#include "parse/pyconv.h"

static int put_u16(struct vgl_buf *b, unsigned u)
{
    static const char hex[] = "0123456789abcdef";
    char e[6] = {'\\', 'u', hex[(u >> 12) & 15], hex[(u >> 8) & 15], hex[(u >> 4) & 15], hex[u & 15]};
    return vgl_buf_append(b, e, 6);
}

/* Decodes one UTF-8 sequence at s[i] (input is validated UTF-8; a stray byte is taken as
 * U+FFFD so the writer never loops).  Returns the code point; *n gets its length. */
static unsigned decode(const unsigned char *s, size_t i, size_t len, size_t *n)
{
    unsigned c = s[i];
    size_t need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    if (need == 1 || i + need > len) {
        *n = 1;
        return c < 0x80 ? c : 0xfffd;
    }
    unsigned cp = c & (0x7f >> need);
    for (size_t k = 1; k < need; k++)
        cp = (cp << 6) | (s[i + k] & 0x3f);
    *n = need;
    return cp;
}

static int write_str(struct vgl_buf *b, const char *str, size_t len, unsigned flags)
{
    const unsigned char *s = (const unsigned char *)str;
    int rc = vgl_buf_putc(b, '"');
    size_t i = 0;
    while (rc == 0 && i < len) {
        size_t run = i;
        while (run < len && s[run] >= 0x20 && s[run] != '"' && s[run] != '\\' &&
               (s[run] < 0x7f || (flags & VGL_PYJSON_UNICODE)))
            run++;
        if (run > i) {
            rc = vgl_buf_append(b, s + i, run - i);
            i = run;
            continue;
        }
        unsigned char c = s[i];
        const char *esc = NULL;
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        default: break;
        }
        if (esc) {
            rc = vgl_buf_append(b, esc, 2);
            i++;
        } else if (c < 0x80) {   /* controls, and DEL when ASCII-only */
            rc = put_u16(b, c);
            i++;
        } else {
            size_t n;
            unsigned cp = decode(s, i, len, &n);
            i += n;
            if (cp >= 0x10000) {
                cp -= 0x10000;
                rc = put_u16(b, 0xd800 | (cp >> 10));
                if (rc == 0)
                    rc = put_u16(b, 0xdc00 | (cp & 0x3ff));
            } else {
                rc = put_u16(b, cp);
            }
        }
    }
    return rc ? rc : vgl_buf_putc(b, '"');
}

static int newline(struct vgl_buf *b, int indent, int depth)
{
    int rc = vgl_buf_putc(b, '\n');
    for (int k = 0; rc == 0 && k < indent * depth; k++)
        rc = vgl_buf_putc(b, ' ');
    return rc;
}

static int cmp_member(const void *a, const void *b)
{
    const struct vgl_json_member *x = *(const struct vgl_json_member *const *)a;
    const struct vgl_json_member *y = *(const struct vgl_json_member *const *)b;
    size_t n = x->klen < y->klen ? x->klen : y->klen;
    int c = memcmp(x->key, y->key, n);
    return c ? c : (x->klen > y->klen) - (x->klen < y->klen);
}

static int dump(struct vgl_buf *b, const struct vgl_json *v, unsigned flags, int indent, int depth)
{
    if (depth > VGL_PY_MAX_DEPTH)
        return VGL_ELIMIT;
    const char *item_sep = (flags & VGL_PYJSON_COMPACT) || indent >= 0 ? "," : ", ";
    const char *key_sep = (flags & VGL_PYJSON_COMPACT) ? ":" : ": ";
    int rc = 0;
    switch (v->type) {
    case VGL_JSON_NULL:
    case VGL_JSON_BOOL:
    case VGL_JSON_INT:
    case VGL_JSON_BIGINT:
    case VGL_JSON_FLOAT:
        /* scalars: json.dumps and the compact writer agree (repr floats, NaN, Infinity) */
        return vgl_json_write(b, v);
    case VGL_JSON_STRING:
        return write_str(b, v->u.s, v->len, flags);
    case VGL_JSON_ARRAY:
        if (v->len == 0)
            return vgl_buf_append(b, "[]", 2);
        rc = vgl_buf_putc(b, '[');
        for (uint32_t i = 0; rc == 0 && i < v->len; i++) {
            if (i)
                rc = vgl_buf_puts(b, item_sep);
            if (rc == 0 && indent >= 0)
                rc = newline(b, indent, depth + 1);
            if (rc == 0)
                rc = dump(b, &v->u.items[i], flags, indent, depth + 1);
        }
        if (rc == 0 && indent >= 0)
            rc = newline(b, indent, depth);
        return rc ? rc : vgl_buf_putc(b, ']');
    case VGL_JSON_OBJECT: {
        if (v->len == 0)
            return vgl_buf_append(b, "{}", 2);
        const struct vgl_json_member **order = malloc(v->len * sizeof *order);
        if (!order)
            return VGL_ENOMEM;
        for (uint32_t i = 0; i < v->len; i++)
            order[i] = &v->u.members[i];
        if (flags & VGL_PYJSON_SORT_KEYS)
            qsort(order, v->len, sizeof *order, cmp_member);
        rc = vgl_buf_putc(b, '{');
        for (uint32_t i = 0; rc == 0 && i < v->len; i++) {
            if (i)
                rc = vgl_buf_puts(b, item_sep);
            if (rc == 0 && indent >= 0)
                rc = newline(b, indent, depth + 1);
            if (rc == 0)
                rc = write_str(b, order[i]->key, order[i]->klen, flags);
            if (rc == 0)
                rc = vgl_buf_puts(b, key_sep);
            if (rc == 0)
                rc = dump(b, &order[i]->val, flags, indent, depth + 1);
        }
        free(order);
        if (rc == 0 && indent >= 0)
            rc = newline(b, indent, depth);
        return rc ? rc : vgl_buf_putc(b, '}');
    }
    }
    return 0;
}

int vgl_pyjson_dumps(struct vgl_buf *out, const struct vgl_json *v, unsigned flags, int indent)
{
    size_t mark = out->len;
    int rc = dump(out, v, flags, indent, 0);
    if (rc)
        out->len = mark;
    return rc;
}
