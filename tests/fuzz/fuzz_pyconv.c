/*
 * Fuzz target: Python's str()/repr()/int()/float()/boolean conversions (parse/pyconv.c)
 * on a parsed JSON document, its top-level items, and the raw input as a string (which
 * may be invalid UTF-8).  Checks that the buffer and arena forms of str() agree, that
 * integers come out canonical, and that number ordering is antisymmetric.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "json/json.h"
#include "parse/pyconv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_int(const struct vgl_json *v)
{
    if (v->type != VGL_JSON_BIGINT)
        return;
    const char *s = v->u.s;
    size_t n = v->len, i = s[0] == '-';
    /* Canonical: digits only, no leading zero, and really outside int64. */
    if (n - i < 19 || s[i] == '0')
        abort();
    for (; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            abort();
}

static void convert(const struct vgl_json *v, struct vgl_arena *a)
{
    struct vgl_buf b;
    vgl_buf_init(&b, 1 << 24);
    struct vgl_error err;
    struct vgl_json out;
    int rc = vgl_py_str(&b, v);
    if (vgl_py_str_json(v, a, &out, &err) == 0) {
        if (rc != 0 || out.type != VGL_JSON_STRING || out.len != b.len ||
            (b.len && memcmp(out.u.s, b.data, b.len) != 0))
            abort();
    }
    vgl_buf_reset(&b);
    vgl_py_repr(&b, v);
    vgl_buf_release(&b);
    if (vgl_py_int(v, a, &out, &err) == 0)
        check_int(&out);
    else if (err.msg[0] == '\0')
        abort();
    if (vgl_py_float(v, a, &out, &err) == 0 && out.type != VGL_JSON_FLOAT)
        abort();
    (void)vgl_py_bool_of(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vgl_arena arena;
    vgl_arena_init(&arena, 4096);
    struct vgl_json raw = vgl_json_str((const char *)data, size);
    convert(&raw, &arena);
    struct vgl_json v;
    if (vgl_json_parse((const char *)data, size, &arena, NULL, &v, NULL) == 0) {
        convert(&v, &arena);
        if (v.type == VGL_JSON_ARRAY) {
            for (uint32_t i = 0; i < v.len; i++) {
                convert(&v.u.items[i], &arena);
                int c1 = vgl_py_numcmp(&v.u.items[0], &v.u.items[i]);
                int c2 = vgl_py_numcmp(&v.u.items[i], &v.u.items[0]);
                if (c1 == 2 ? c2 != 2 : c1 != -c2)
                    abort();
            }
        } else if (v.type == VGL_JSON_OBJECT) {
            for (uint32_t i = 0; i < v.len; i++) {
                struct vgl_json key = vgl_json_str(v.u.members[i].key, v.u.members[i].klen);
                convert(&key, &arena);
                convert(&v.u.members[i].val, &arena);
            }
        }
    }
    vgl_arena_release(&arena);
    return 0;
}
