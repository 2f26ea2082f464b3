/*
 * Unit tests for json/pyjson.c: byte-for-byte json.dumps output, checked against what
 * CPython 3.11 prints for the same values (the expected strings were produced by python3).
 */
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "json/json.h"
#include "json/pyjson.h"
#include "test.h"

static void check_dump(const char *in, unsigned flags, int indent, const char *want)
{
    struct vgl_arena a;
    vgl_arena_init(&a, 0);
    struct vgl_json v;
    CHECK_INT_EQ(vgl_json_parse(in, strlen(in), &a, NULL, &v, NULL), 0);
    struct vgl_buf b;
    vgl_buf_init(&b, 0);
    CHECK_INT_EQ(vgl_pyjson_dumps(&b, &v, flags, indent), 0);
    vgl_buf_putc(&b, 0);
    CHECK_STR_EQ(b.data, want);
    vgl_buf_release(&b);
    vgl_arena_release(&a);
}

TEST(defaults_use_spaced_separators_and_ascii)
{
    check_dump("{\"b\":1,\"a\":[true,null,1.5,\"\xc3\xa9\xf0\x9f\x98\x80\"]}", 0, -1,
               "{\"b\": 1, \"a\": [true, null, 1.5, \"\\u00e9\\ud83d\\ude00\"]}");
}

TEST(compact_unicode_sorted)
{
    check_dump("{\"b\":1,\"a\":{\"z\":\"\xc3\xa9\",\"y\":1e16}}",
               VGL_PYJSON_COMPACT | VGL_PYJSON_UNICODE | VGL_PYJSON_SORT_KEYS, -1,
               "{\"a\":{\"y\":1e+16,\"z\":\"\xc3\xa9\"},\"b\":1}");
}

TEST(indent_two_sorted)
{
    check_dump("{\"b\":[1,{}],\"a\":{\"c\":[]},\"d\":\"x\\u0001\\n\\\"\"}", VGL_PYJSON_SORT_KEYS, 2,
               "{\n  \"a\": {\n    \"c\": []\n  },\n  \"b\": [\n    1,\n    {}\n  ],\n"
               "  \"d\": \"x\\u0001\\n\\\"\"\n}");
}

TEST(scalars_and_big_numbers)
{
    check_dump("[123456789012345678901234567890,-0.0,1E2,\"\\u007f\"]", 0, -1,
               "[123456789012345678901234567890, -0.0, 100.0, \"\\u007f\"]");
}

TEST_MAIN(T(defaults_use_spaced_separators_and_ascii), T(compact_unicode_sorted), T(indent_two_sorted),
          T(scalars_and_big_numbers))
