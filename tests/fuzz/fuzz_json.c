/*
 * Fuzz target: the JSON parser, then the writer on whatever parsed, then a re-parse of
 * the written text, which must succeed and compare equal.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "json/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vgl_arena arena;
    vgl_arena_init(&arena, 4096);
    struct vgl_json v;
    if (vgl_json_parse((const char *)data, size, &arena, NULL, &v, NULL) == 0) {
        struct vgl_buf b;
        vgl_buf_init(&b, 0);
        if (vgl_json_write(&b, &v) == 0) {
            struct vgl_json again;
            if (vgl_json_parse(b.data, b.len, &arena, NULL, &again, NULL) != 0)
                abort();
            /* NaN never equals itself, so only compare documents written without it. */
            if (!memchr(b.data, 'N', b.len) && !vgl_json_equal(&v, &again))
                abort();
        }
        vgl_buf_release(&b);
    }
    vgl_arena_release(&arena);
    return 0;
}
