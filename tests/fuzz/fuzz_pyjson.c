/*
 * Fuzz target: json.dumps-style writing (json/pyjson.c) of whatever the JSON parser
 * accepts, in every mode (default, compact, sorted, unicode, indented); each text must parse
 * back to an equal value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "json/json.h"
#include "json/pyjson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned modes[] = {0, VGL_PYJSON_COMPACT, VGL_PYJSON_SORT_KEYS | VGL_PYJSON_UNICODE,
                                     VGL_PYJSON_COMPACT | VGL_PYJSON_UNICODE};
    struct vgl_arena arena;
    vgl_arena_init(&arena, 4096);
    struct vgl_json v;
    if (vgl_json_parse((const char *)data, size, &arena, NULL, &v, NULL) == 0) {
        for (size_t m = 0; m < sizeof modes / sizeof modes[0] * 2; m++) {
            struct vgl_buf b;
            vgl_buf_init(&b, 0);
            if (vgl_pyjson_dumps(&b, &v, modes[m / 2], m % 2 ? 2 : -1) == 0) {
                struct vgl_json again;
                if (vgl_json_parse(b.data ? b.data : "", b.len, &arena, NULL, &again, NULL) != 0)
                    abort();
                /* NaN never equals itself; sorted keys reorder objects */
                if (!(modes[m / 2] & VGL_PYJSON_SORT_KEYS) && !memchr(b.data, 'N', b.len) &&
                    !vgl_json_equal(&v, &again))
                    abort();
            }
            vgl_buf_release(&b);
        }
    }
    vgl_arena_release(&arena);
    return 0;
}
