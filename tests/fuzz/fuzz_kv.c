/*
 * tests/fuzz/fuzz_kv.c: libFuzzer target for parse/kvsplit.c.
 *
 * Input: byte 0 picks the delimiter, byte 1 the separator, byte 2 the number of schema
 * keys (0..8, named from a fixed list); the rest is the text.  Checks that every value
 * is a slice of the text and that there are never more pairs than schema keys.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/error.h"
#include "parse/kvsplit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const delims[] = {" ", ",", "  ", "::", "\xc2\xa6", "\t", "ab", "="};
static const char *const seps[] = {"=", ":", "==", "\xe2\x86\x92", " ", "a", "=:"};
static const char *const names[] = {"time", "user", "result", "a", "b", "", "k=v", "\xc3\xa9"};

#define COUNT(t) (sizeof(t) / sizeof((t)[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    const char *dl = delims[data[0] % COUNT(delims)];
    const char *sp = seps[data[1] % COUNT(seps)];
    size_t nkeys = data[2] % (COUNT(names) + 1);
    struct vgl_kv_str keys[COUNT(names)];
    for (size_t i = 0; i < nkeys; i++)
        keys[i] = (struct vgl_kv_str){names[(i + data[2] / 9) % COUNT(names)], 0};
    for (size_t i = 0; i < nkeys; i++)
        keys[i].len = strlen(keys[i].s);
    struct vgl_kv_opts o = {{dl, strlen(dl)}, {sp, strlen(sp)}};
    const char *text = (const char *)data + 3;
    size_t len = size - 3;

    struct vgl_arena a;
    vgl_arena_init(&a, 0);
    struct vgl_kv_result r;
    struct vgl_error err;
    int rc = vgl_kv_split(text, len, &o, keys, nkeys, &a, &r, &err);
    if (rc == 0) {
        if (r.npairs == 0 || r.npairs > nkeys || r.nskipped > nkeys)
            abort();
        for (size_t i = 0; i < r.npairs; i++) {
            const struct vgl_kv_pair *p = &r.pairs[i];
            if (p->value.s < text || p->value.s + p->value.len > text + len)
                abort();
            for (size_t j = 0; j < i; j++) {
                if (r.pairs[j].key.len == p->key.len &&
                    memcmp(r.pairs[j].key.s, p->key.s, p->key.len) == 0)
                    abort(); /* dict keys are unique */
            }
        }
    } else if (rc != VGL_ENOMATCH || r.npairs != 0) {
        abort();
    }
    vgl_arena_release(&a);
    return 0;
}
