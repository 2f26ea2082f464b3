/*
 * Unit tests for json/json.c: parsing, errors, limits, writing, float formatting.
 */
#include <math.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "json/json.h"
#include "test.h"

static struct vgl_arena arena;

/* Parses src and writes it back; returns the text in a static buffer or the error. */
static const char *roundtrip(const char *src, size_t len)
{
    static char out[4096];
    struct vgl_json v;
    struct vgl_error err = {0};
    vgl_arena_init(&arena, 0);
    int rc = vgl_json_parse(src, len, &arena, NULL, &v, &err);
    if (rc) {
        snprintf(out, sizeof out, "ERR %s: %s", vgl_err_name(rc), err.msg);
    } else {
        struct vgl_buf b;
        vgl_buf_init(&b, 0);
        vgl_json_write(&b, &v);
        snprintf(out, sizeof out, "%s", b.data);
        vgl_buf_release(&b);
    }
    vgl_arena_release(&arena);
    return out;
}
#define RT(s) roundtrip(s, strlen(s))

TEST(parses_and_writes_values)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"null", "null"},
        {" true ", "true"},
        {"false", "false"},
        {"0", "0"},
        {"-0", "0"},
        {"123", "123"},
        {"-9223372036854775808", "-9223372036854775808"},
        {"9223372036854775807", "9223372036854775807"},
        {"9223372036854775808", "9223372036854775808"},
        {"123456789012345678901234567890", "123456789012345678901234567890"},
        {"1.0", "1.0"},
        {"1.5e3", "1500.0"},
        {"1e16", "1e+16"},
        {"1E400", "Infinity"},
        {"0.1", "0.1"},
        {"1e-5", "1e-05"},
        {"-0.0", "-0.0"},
        {"NaN", "NaN"},
        {"-Infinity", "-Infinity"},
        {"\"abc\"", "\"abc\""},
        {"\"a\\\"b\\\\c\\/d\"", "\"a\\\"b\\\\c/d\""},
        {"\"\\n\\t\\r\\b\\f\"", "\"\\n\\t\\r\\b\\f\""},
        {"\"\\u00e9\\u20ac\"", "\"\xc3\xa9\xe2\x82\xac\""},
        {"\"\\ud83d\\ude00\"", "\"\xf0\x9f\x98\x80\""},
        {"\"\\ud800x\"", "\"\xef\xbf\xbdx\""},
        {"\"\\u0000\"", "\"\\u0000\""},
        {"[]", "[]"},
        {"{}", "{}"},
        {"[1, [2, [3]], {\"a\": []}]", "[1,[2,[3]],{\"a\":[]}]"},
        {"{\"b\":1,\"a\":2}", "{\"b\":1,\"a\":2}"},
        {"{\"a\":1,\"b\":2,\"a\":3}", "{\"a\":3,\"b\":2}"},
        {"\xef\xbb\xbf{\"bom\":1}", "{\"bom\":1}"},
        {"\"caf\xc3\xa9 \xf0\x9f\x98\x80\"", "\"caf\xc3\xa9 \xf0\x9f\x98\x80\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_STR_EQ(RT(cases[i].in), cases[i].out);
}

TEST(rejects_bad_json_with_position)
{
    static const struct {
        const char *in, *err;
    } cases[] = {
        {"", "expected a value, found end of input"},
        {"   ", "at byte 3: expected a value"},
        {"{", "expected '\"' to start an object key, found end of input"},
        {"{\"a\"}", "expected ':' after object key, found '}'"},
        {"{\"a\":1,}", "at byte 7: expected '\"' to start an object key"},
        {"[1,]", "at byte 3: expected a json value, found ']'"},
        {"[1 2]", "expected ',' or ']' after array item, found '2]'"},
        {"tru", "expected a json value"},
        {"01", "expected end of input after the json value, found '1'"},
        {"1.", "expected a digit after '.'"},
        {"1e", "expected a digit in the exponent"},
        {"-", "expected a digit"},
        {"+1", "expected a json value"},
        {"\"abc", "expected '\"' to close the string"},
        {"\"a\\x\"", "expected one of"},
        {"\"\\u12g4\"", "expected 4 hex digits"},
        {"\"a\tb\"", "no control character"},
        {"{} {}", "expected end of input after the json value, found '{}'"},
        {"'a'", "expected a json value, found ''a''"},
        {"nul", "expected a json value"},
        {"[1,2", "expected ',' or ']' after array item, found end of input"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = RT(cases[i].in);
        CHECK_STR_CONTAINS(got, "ERR EPARSE");
        CHECK_STR_CONTAINS(got, cases[i].err);
    }
}

TEST(rejects_invalid_utf8)
{
    static const char *const cases[] = {
        "\"\xff\"", "\"\xc3\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"",
        "\"ab\x80\"", "\"\xe2\x82\"",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = RT(cases[i]);
        CHECK_STR_CONTAINS(got, "ERR EUTF8");
        CHECK_STR_CONTAINS(got, "invalid utf-8 at byte");
    }
    CHECK_INT_EQ(vgl_utf8_check("ab\xff", 3), 2);
    CHECK_INT_EQ(vgl_utf8_check("caf\xc3\xa9", 5), 5);
}

TEST(caps_depth_and_size)
{
    size_t n = 100000;
    char *deep = malloc(2 * n);
    memset(deep, '[', n);
    memset(deep + n, ']', n);
    const char *got = roundtrip(deep, 2 * n);
    CHECK_STR_CONTAINS(got, "ERR ELIMIT");
    CHECK_STR_CONTAINS(got, "nested deeper than 512 levels");
    free(deep);

    struct vgl_json v;
    struct vgl_error err = {0};
    vgl_arena_init(&arena, 0);
    struct vgl_json_opts opts = {.max_bytes = 4};
    CHECK_INT_EQ(vgl_json_parse("[1,2,3]", 7, &arena, &opts, &v, &err), VGL_ELIMIT);
    CHECK_STR_CONTAINS(err.msg, "over the 4-byte cap");
    opts = (struct vgl_json_opts){.max_depth = 2};
    CHECK_INT_EQ(vgl_json_parse("[[1]]", 5, &arena, &opts, &v, &err), 0);
    CHECK_INT_EQ(vgl_json_parse("[[[1]]]", 7, &arena, &opts, &v, &err), VGL_ELIMIT);
    vgl_arena_release(&arena);
}

TEST(zero_copy_strings_point_into_input)
{
    const char *src = "{\"key\":\"plain\",\"esc\":\"a\\nb\"}";
    struct vgl_json v;
    vgl_arena_init(&arena, 0);
    CHECK_INT_EQ(vgl_json_parse(src, strlen(src), &arena, NULL, &v, NULL), 0);
    const struct vgl_json *plain = vgl_json_getz(&v, "key");
    const struct vgl_json *esc = vgl_json_getz(&v, "esc");
    CHECK(plain && plain->u.s >= src && plain->u.s < src + strlen(src));
    CHECK(esc && (esc->u.s < src || esc->u.s >= src + strlen(src)));
    CHECK(esc && esc->len == 3 && memcmp(esc->u.s, "a\nb", 3) == 0);
    CHECK(vgl_json_getz(&v, "missing") == NULL);
    vgl_arena_release(&arena);
}

TEST(number_kinds_follow_python)
{
    struct vgl_json v;
    vgl_arena_init(&arena, 0);
    CHECK_INT_EQ(vgl_json_parse("12", 2, &arena, NULL, &v, NULL), 0);
    CHECK_INT_EQ(v.type, VGL_JSON_INT);
    CHECK_INT_EQ(vgl_json_parse("12.0", 4, &arena, NULL, &v, NULL), 0);
    CHECK_INT_EQ(v.type, VGL_JSON_FLOAT);
    CHECK_INT_EQ(vgl_json_parse("1e2", 3, &arena, NULL, &v, NULL), 0);
    CHECK_INT_EQ(v.type, VGL_JSON_FLOAT);
    CHECK_INT_EQ(vgl_json_parse("-99999999999999999999", 21, &arena, NULL, &v, NULL), 0);
    CHECK_INT_EQ(v.type, VGL_JSON_BIGINT);
    vgl_arena_release(&arena);
}

TEST(truthiness_and_equality)
{
    static const struct {
        const char *in;
        bool truthy;
    } cases[] = {
        {"null", false}, {"false", false}, {"0", false}, {"0.0", false}, {"\"\"", false},
        {"[]", false},   {"{}", false},    {"true", true}, {"1", true},  {"-0.5", true},
        {"\"0\"", true}, {"[0]", true},    {"{\"a\":null}", true}, {"NaN", true},
        {"100000000000000000000", true},
    };
    vgl_arena_init(&arena, 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct vgl_json v;
        CHECK_INT_EQ(vgl_json_parse(cases[i].in, strlen(cases[i].in), &arena, NULL, &v, NULL), 0);
        if (vgl_json_truthy(&v) != cases[i].truthy)
            fprintf(stderr, "  truthiness of %s\n", cases[i].in);
        CHECK(vgl_json_truthy(&v) == cases[i].truthy);
    }
    static const struct {
        const char *a, *b;
        bool eq;
    } eqs[] = {
        {"1", "1.0", true},          {"true", "1", true},           {"false", "0.0", true},
        {"{\"a\":1,\"b\":2}", "{\"b\":2,\"a\":1}", true},          {"[1,2]", "[2,1]", false},
        {"\"a\"", "\"a\"", true},    {"null", "false", false},      {"{\"a\":1}", "{\"a\":1,\"b\":1}", false},
        {"1.5", "1", false},
        {"9223372036854775808", "9223372036854775808.0", true},
        {"9223372036854775807", "9223372036854775808.0", false},
        {"123456789012345678901234567890", "1.2345678901234568e29", false},
        {"100000000000000000000", "1e20", true},
        {"1", "NaN", false},
    };
    for (size_t i = 0; i < sizeof eqs / sizeof eqs[0]; i++) {
        struct vgl_json a, b;
        vgl_json_parse(eqs[i].a, strlen(eqs[i].a), &arena, NULL, &a, NULL);
        vgl_json_parse(eqs[i].b, strlen(eqs[i].b), &arena, NULL, &b, NULL);
        CHECK(vgl_json_equal(&a, &b) == eqs[i].eq);
    }
    vgl_arena_release(&arena);
}

TEST(float_repr_matches_python)
{
    static const struct {
        double d;
        const char *repr;
    } cases[] = {
        {1.0, "1.0"},       {0.1, "0.1"},       {1e16, "1e+16"},     {1e15, "1000000000000000.0"},
        {1e-5, "1e-05"},    {0.0001, "0.0001"}, {123.456, "123.456"}, {1.5e300, "1.5e+300"},
        {-2.5, "-2.5"},     {5e-324, "5e-324"}, {0.30000000000000004, "0.30000000000000004"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},     {12345678.9, "12345678.9"},
        {1234567890123456.7, "1234567890123456.8"}, {0.0, "0.0"}, {-0.0, "-0.0"},
        {NAN, "nan"},       {INFINITY, "inf"},  {-INFINITY, "-inf"}, {100.0, "100.0"},
        {2.5e-4, "0.00025"}, {1.23e-7, "1.23e-07"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[40];
        vgl_json_fmt_double(out, cases[i].d);
        CHECK_STR_EQ(out, cases[i].repr);
    }
}

TEST(writer_escapes_and_caps)
{
    struct vgl_buf b;
    vgl_buf_init(&b, 0);
    vgl_json_write_str(&b, "a\"\\\x01\x1f\x7f\n", 7);
    CHECK_STR_EQ(b.data, "\"a\\\"\\\\\\u0001\\u001f\x7f\\n\"");
    vgl_buf_release(&b);
    vgl_buf_init(&b, 8);
    struct vgl_json s = vgl_json_str("0123456789", 10);
    CHECK_INT_EQ(vgl_json_write(&b, &s), VGL_ELIMIT);
    vgl_buf_release(&b);
}

TEST(unchanged_containers_are_written_from_source)
{
    /* Compact containers keep their source text (escapes and number spelling too);
     * anything with white space is re-serialized canonically. */
    CHECK_STR_EQ(RT("{\"a\":[1E2,\"\\u00e9\"],\"b\":{}}"), "{\"a\":[1E2,\"\\u00e9\"],\"b\":{}}");
    CHECK_STR_EQ(RT("{\"a\": [1E2, \"\\u00e9\"]}"), "{\"a\":[100.0,\"\xc3\xa9\"]}");
    CHECK_STR_EQ(RT("{\"a\":{\"x\": 1},\"b\":[2]}"), "{\"a\":{\"x\":1},\"b\":[2]}");
    CHECK_STR_EQ(RT("{\"a\":1,\"a\":2}"), "{\"a\":2}");
    /* A touched container is written from its values, not its source. */
    const char *src = "{\"a\":[1,2]}";
    struct vgl_json v;
    vgl_arena_init(&arena, 0);
    vgl_json_parse(src, strlen(src), &arena, NULL, &v, NULL);
    CHECK(v.flags & VGL_JSON_F_RAW);
    struct vgl_json *arr = &v.u.members[0].val;
    arr->u.items[1] = vgl_json_int(7);
    vgl_json_touch(arr);
    vgl_json_touch(&v);
    struct vgl_buf b;
    vgl_buf_init(&b, 0);
    vgl_json_write(&b, &v);
    CHECK_STR_EQ(b.data, "{\"a\":[1,7]}");
    vgl_buf_release(&b);
    vgl_arena_release(&arena);
}

TEST(array_has_str)
{
    struct vgl_json v;
    vgl_arena_init(&arena, 0);
    vgl_json_parse("[\"a\",1,\"\",\"bc\"]", 16, &arena, NULL, &v, NULL);
    CHECK(vgl_json_array_has_str(&v, "bc", 2));
    CHECK(vgl_json_array_has_str(&v, "", 0));
    CHECK(!vgl_json_array_has_str(&v, "b", 1));
    CHECK(!vgl_json_array_has_str(&v, "1", 1));   /* the number 1 is not the string "1" */
    struct vgl_json o = vgl_json_str("a", 1);
    CHECK(!vgl_json_array_has_str(&o, "a", 1));
    CHECK(!vgl_json_array_has_str(NULL, "a", 1));
    vgl_arena_release(&arena);
}

TEST(clone_is_deep)
{
    const char *src = "{\"a\":[1,{\"b\":2}]}";
    struct vgl_json v;
    vgl_arena_init(&arena, 0);
    vgl_json_parse(src, strlen(src), &arena, NULL, &v, NULL);
    struct vgl_json c = vgl_json_clone(&arena, &v);
    c.u.members[0].val.u.items[0] = vgl_json_int(9);
    CHECK(v.u.members[0].val.u.items[0].u.i == 1);
    CHECK(!vgl_json_equal(&v, &c));
    vgl_arena_release(&arena);
}

TEST_MAIN(T(parses_and_writes_values), T(rejects_bad_json_with_position), T(rejects_invalid_utf8),
          T(caps_depth_and_size), T(zero_copy_strings_point_into_input),
          T(number_kinds_follow_python), T(truthiness_and_equality), T(float_repr_matches_python),
          T(writer_escapes_and_caps), T(unchanged_containers_are_written_from_source), T(array_has_str),
          T(clone_is_deep))
