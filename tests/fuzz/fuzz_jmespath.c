/*
 * Fuzz target: the JMESPath compiler and evaluator.  The input is an expression, then a
 * NUL or newline, then a JSON document (null when it does not parse).  A compiled
 * expression is evaluated and its result written out, which must parse back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "json/json.h"
#include "parse/jmespath.h"
#include "parse/pyconv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    size_t split = 0;
    while (split < size && s[split] != '\0' && s[split] != '\n')
        split++;
    struct vgl_error err = {0};
    struct vgl_jmespath *p = vgl_jmespath_compile(s, split, &err);
    if (!p) {
        if (err.code == 0 || err.msg[0] == '\0')
            abort(); /* a failed compile must say why */
        return 0;
    }
    struct vgl_arena arena;
    vgl_arena_init(&arena, 4096);
    struct vgl_json doc = vgl_json_null();
    if (split < size)
        vgl_json_parse(s + split + 1, size - split - 1, &arena, NULL, &doc, NULL);
    struct vgl_json out;
    if (vgl_jmespath_eval(p, &doc, &arena, &out, &err) == 0) {
        struct vgl_buf b;
        vgl_buf_init(&b, 1 << 24);
        struct vgl_json again;
        if (vgl_json_write(&b, &out) == 0 &&
            vgl_json_parse(b.data, b.len, &arena, NULL, &again, NULL) != 0)
            abort(); /* whatever evaluation builds must serialise to valid JSON */
        vgl_buf_reset(&b);
        vgl_py_str(&b, &out);
        vgl_buf_release(&b);
    } else if (err.msg[0] == '\0') {
        abort();
    }
    vgl_arena_release(&arena);
    vgl_jmespath_free(p);
    return 0;
}
