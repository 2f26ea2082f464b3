/*
 * tests/unit/parse/test_kvsplit.c: parse/kvsplit.c against StreamAlert's kv algorithm.
 *
 * Expected values come from running StreamAlert's KVParser._extract_record logic
 * (text.split(delimiter), first-separator split, duplicate key -> schema key at the
 * field's position) under Python 3.11.7, rendered as the repr of the resulting dict.
 */
#include "parse/kvsplit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "test.h"

#define S(lit) lit, sizeof(lit) - 1
#define MAXK   8

struct kv_case {
    const char *text;
    size_t len;
    const char *keys[MAXK];
    size_t nkeys;
    const char *delimiter;
    const char *separator;
    int rc;
    const char *expect; /* rc 0: the dict's repr; else a substring of the message */
    size_t nskipped;    /* rc 0 only */
};

static void render_str(struct vgl_buf *b, struct vgl_kv_str s)
{
    vgl_buf_putc(b, '\'');
    for (size_t k = 0; k < s.len; k++) {
        unsigned char c = (unsigned char)s.s[k];
        if (c == '\'' || c == '\\')
            vgl_buf_printf(b, "\\%c", c);
        else if (c == '\n')
            vgl_buf_puts(b, "\\n");
        else if (c == '\r')
            vgl_buf_puts(b, "\\r");
        else if (c == '\t')
            vgl_buf_puts(b, "\\t");
        else if (c < 0x20 || c == 0x7f)
            vgl_buf_printf(b, "\\x%02x", c);
        else
            vgl_buf_putc(b, (char)c);
    }
    vgl_buf_putc(b, '\'');
}

static void render(const struct vgl_kv_result *r, struct vgl_buf *b)
{
    vgl_buf_putc(b, '{');
    for (size_t i = 0; i < r->npairs; i++) {
        if (i)
            vgl_buf_puts(b, ", ");
        render_str(b, r->pairs[i].key);
        vgl_buf_puts(b, ": ");
        render_str(b, r->pairs[i].value);
    }
    vgl_buf_putc(b, '}');
}

static void run_cases(const struct kv_case *cases, size_t n)
{
    struct vgl_arena a;
    vgl_arena_init(&a, 0);
    for (size_t i = 0; i < n; i++) {
        const struct kv_case *c = &cases[i];
        struct vgl_kv_str keys[MAXK];
        for (size_t k = 0; k < c->nkeys; k++)
            keys[k] = (struct vgl_kv_str){c->keys[k], strlen(c->keys[k])};
        struct vgl_kv_opts o = {{c->delimiter, strlen(c->delimiter)},
                                {c->separator, strlen(c->separator)}};
        struct vgl_kv_result r;
        struct vgl_error err = {0};
        int rc = vgl_kv_split(c->text, c->len, &o, keys, c->nkeys, &a, &r, &err);
        if (rc != c->rc)
            fprintf(stderr, "  case %zu: text \"%s\": %s\n", i, c->text, err.msg);
        CHECK_INT_EQ(rc, c->rc);
        if (c->rc == 0) {
            struct vgl_buf b;
            vgl_buf_init(&b, 0);
            render(&r, &b);
            CHECK_STR_EQ(b.data, c->expect);
            CHECK_INT_EQ(r.nskipped, c->nskipped);
            /* values are slices of the text, never copies */
            for (size_t k = 0; k < r.npairs; k++)
                CHECK(r.pairs[k].value.s >= c->text &&
                      r.pairs[k].value.s + r.pairs[k].value.len <= c->text + c->len);
            vgl_buf_release(&b);
        } else {
            CHECK_STR_CONTAINS(err.msg, c->expect);
            CHECK_INT_EQ(r.npairs, 0);
        }
        vgl_arena_reset(&a);
    }
    vgl_arena_release(&a);
}

static const struct kv_case good_cases[] = {
    {S("time=1 time=2 result=pass"),
     {"time", "user", "result"},
     3,
     " ",
     "=",
     0,
     "{'time': '1', 'user': '2', 'result': 'pass'}",
     0},
    {S("a=x=y b=2"), {"a", "b"}, 2, " ", "=", 0, "{'a': 'x=y', 'b': '2'}", 0},
    {S("a=1  b=2"), {"a", "b"}, 2, " ", "=", 0, "{'a': '1', 'b': '2'}", 0},
    {S(" a=1 b=2 "), {"a", "b"}, 2, " ", "=", 0, "{'a': '1', 'b': '2'}", 0},
    {S("b=2 a=1"), {"a", "b"}, 2, " ", "=", 0, "{'b': '2', 'a': '1'}", 0},
    {S("a=1 b c=3"), {"a", "b", "c"}, 3, " ", "=", 0, "{'a': '1', 'c': '3'}", 1},
    {S("a= =b"), {"a", "b"}, 2, " ", "=", 0, "{'a': '', '': 'b'}", 0},
    {S("="), {"a"}, 1, " ", "=", 0, "{'': ''}", 0},
    {S("a="), {"a"}, 1, " ", "=", 0, "{'a': ''}", 0},
    {S("a=1 a=2 b=3"), {"a", "b", "c"}, 3, " ", "=", 0, "{'a': '1', 'b': '2', 'c': '3'}", 0},
    {S("b=1 a=2 a=3"), {"a", "b", "c"}, 3, " ", "=", 0, "{'b': '1', 'a': '2', 'c': '3'}", 0},
    {S("a=1 b=2 b=3"), {"x", "y", "a"}, 3, " ", "=", 0, "{'a': '3', 'b': '2'}", 0},
    {S("x=1 x=2"), {"p", "x"}, 2, " ", "=", 0, "{'x': '2'}", 0},
    {S("a=1 a=2"), {"a", "b"}, 2, " ", "=", 0, "{'a': '1', 'b': '2'}", 0},
    {S("a=1 a=2 a=3"), {"a", "b", "c"}, 3, " ", "=", 0, "{'a': '1', 'b': '2', 'c': '3'}", 0},
    {S("a=1 a=2 a=3"), {"q", "r", "a"}, 3, " ", "=", 0, "{'a': '3', 'r': '2'}", 0},
    {S("a:1,b:2"), {"a", "b"}, 2, ",", ":", 0, "{'a': '1', 'b': '2'}", 0},
    {S("a=1::b=2"), {"a", "b"}, 2, "::", "=", 0, "{'a': '1', 'b': '2'}", 0},
    {S("a=1::::b=2::"), {"a", "b"}, 2, "::", "=", 0, "{'a': '1', 'b': '2'}", 0},
    {S("k=1aaak=2"), {"k", "ak"}, 2, "aa", "=", 0, "{'k': '1', 'ak': '2'}", 0},
    {S("a==b=c"), {"a"}, 1, " ", "==", 0, "{'a': 'b=c'}", 0},
    {S("x=1¦y=é"), {"x", "y"}, 2, "¦", "=", 0, "{'x': '1', 'y': 'é'}", 0},
    {S("clé→valeur"), {"clé"}, 1, " ", "→", 0, "{'clé': 'valeur'}", 0},
    {S("a=1\nb=2"), {"a"}, 1, " ", "=", 0, "{'a': '1\\nb=2'}", 0},
    {S("a=1\000 b=\000"), {"a", "b"}, 2, " ", "=", 0, "{'a': '1\\x00', 'b': '\\x00'}", 0},
    {S("a=1\tb=2"), {"a", "b"}, 2, "\t", "=", 0, "{'a': '1', 'b': '2'}", 0},
};

/* StreamAlert gives one invalid candidate for each of these. */
static const struct kv_case bad_cases[] = {
    {S("a=b"), {"a"}, 1, " ", "==", VGL_ENOMATCH, "no kv field contains separator", 1},
    {S("a=1 b=2"), {"a", "b", "c"}, 3, " ", "=", VGL_ENOMATCH, "expected 3 kv fields, got 2", 0},
    {S("a=1 b=2 c=3"), {"a", "b"}, 2, " ", "=", VGL_ENOMATCH, "expected 2 kv fields, got 3", 0},
    {S("a b c"), {"x", "y", "z"}, 3, " ", "=", VGL_ENOMATCH, "no kv field contains separator", 3},
    {S(""), {NULL}, 0, " ", "=", VGL_ENOMATCH, "no kv fields", 0},
    {S(""), {"a"}, 1, " ", "=", VGL_ENOMATCH, "expected 1 kv fields, got 0", 0},
    {S("   "), {"a"}, 1, " ", "=", VGL_ENOMATCH, "expected 1 kv fields, got 0", 0},
    {S("a=1"), {NULL}, 0, " ", "=", VGL_ENOMATCH, "expected 0 kv fields, got 1", 0},
    {S("a=1"), {"a", "b"}, 2, " ", "=", VGL_ENOMATCH, "expected 2 kv fields, got 1", 0},
    {S("a b"), {"a", "b"}, 2, " ", ":", VGL_ENOMATCH, "no kv field contains separator", 2},
    {S("a=1\tb=2"), {"a", "b"}, 2, " ", "=", VGL_ENOMATCH, "expected 2 kv fields, got 1", 0},
    {S("a=1,b=2"), {"a", "b"}, 2, " ", "=", VGL_ENOMATCH, "expected 2 kv fields, got 1", 0},
    {S("::"), {"a"}, 1, "::", "=", VGL_ENOMATCH, "expected 1 kv fields, got 0", 0},
    {S("a=1 b=2"), {"a", "b"}, 2, " ", "==", VGL_ENOMATCH, "no kv field contains separator", 2},
    {S("a=1"), {"a"}, 1, "", "=", VGL_EINVAL, "kv delimiter: empty separator", 0},
    {S("a=1"), {"a"}, 1, " ", "", VGL_EINVAL, "kv separator: empty separator", 0},
    {S(""), {"a"}, 1, "", "", VGL_EINVAL, "empty separator", 0},
};

TEST(streamalert_good)
{
    run_cases(good_cases, sizeof good_cases / sizeof good_cases[0]);
}

TEST(streamalert_invalid)
{
    run_cases(bad_cases, sizeof bad_cases / sizeof bad_cases[0]);
}

/* A key stored under the schema name points at the caller's schema string. */
TEST(duplicate_key_uses_schema_string)
{
    struct vgl_arena a;
    vgl_arena_init(&a, 0);
    static const char user[] = "user";
    struct vgl_kv_str keys[] = {{"time", 4}, {user, 4}, {"result", 6}};
    struct vgl_kv_opts o = {{" ", 1}, {"=", 1}};
    struct vgl_kv_result r;
    const char text[] = "time=1 time=2 result=pass";
    CHECK_INT_EQ(vgl_kv_split(text, sizeof text - 1, &o, keys, 3, &a, &r, NULL), 0);
    CHECK_INT_EQ(r.npairs, 3);
    CHECK(r.pairs[0].key.s == text);
    CHECK(r.pairs[1].key.s == user);
    CHECK(r.pairs[2].key.s == text + 14);
    CHECK(r.first_skipped.s == NULL);
    vgl_arena_release(&a);
}

TEST(skipped_fields_reported)
{
    struct vgl_arena a;
    vgl_arena_init(&a, 0);
    struct vgl_kv_str keys[] = {{"a", 1}, {"b", 1}, {"c", 1}, {"d", 1}};
    struct vgl_kv_opts o = {{" ", 1}, {"=", 1}};
    struct vgl_kv_result r;
    const char text[] = "a=1 junk c=3 more";
    CHECK_INT_EQ(vgl_kv_split(text, sizeof text - 1, &o, keys, 4, &a, &r, NULL), 0);
    CHECK_INT_EQ(r.npairs, 2);
    CHECK_INT_EQ(r.nskipped, 2);
    CHECK(r.first_skipped.s == text + 4 && r.first_skipped.len == 4);

    struct vgl_error err = {0};
    CHECK_INT_EQ(vgl_kv_split(S("x y"), &o, keys, 2, &a, &r, &err), VGL_ENOMATCH);
    CHECK_STR_EQ(err.msg, "no kv field contains separator '=' (2 fields)");
    CHECK_INT_EQ(r.nskipped, 0);
    vgl_arena_release(&a);
}

TEST(too_many_schema_keys)
{
    struct vgl_arena a;
    vgl_arena_init(&a, 0);
    struct vgl_kv_str *keys = calloc(VGL_KV_MAX_KEYS + 1, sizeof *keys);
    for (size_t i = 0; i <= VGL_KV_MAX_KEYS; i++)
        keys[i] = (struct vgl_kv_str){"k", 1};
    struct vgl_kv_opts o = {{" ", 1}, {"=", 1}};
    struct vgl_kv_result r;
    struct vgl_error err = {0};
    CHECK_INT_EQ(vgl_kv_split(S("k=1"), &o, keys, VGL_KV_MAX_KEYS + 1, &a, &r, &err), VGL_ELIMIT);
    CHECK_STR_CONTAINS(err.msg, "at most 1024");

    /* the largest schema allowed, every field a duplicate of the first key */
    struct vgl_buf text;
    vgl_buf_init(&text, 0);
    for (size_t i = 0; i < VGL_KV_MAX_KEYS; i++)
        vgl_buf_puts(&text, "k=v ");
    for (size_t i = 1; i < VGL_KV_MAX_KEYS; i++) {
        char *name = vgl_arena_alloc(&a, 16);
        snprintf(name, 16, "f%zu", i);
        keys[i] = (struct vgl_kv_str){name, strlen(name)};
    }
    CHECK_INT_EQ(vgl_kv_split(text.data, text.len, &o, keys, VGL_KV_MAX_KEYS, &a, &r, &err), 0);
    CHECK_INT_EQ(r.npairs, VGL_KV_MAX_KEYS);
    CHECK_INT_EQ(r.pairs[VGL_KV_MAX_KEYS - 1].key.len, 5);
    vgl_buf_release(&text);
    free(keys);
    vgl_arena_release(&a);
}

TEST(separator_longer_than_field)
{
    struct vgl_arena a;
    vgl_arena_init(&a, 0);
    struct vgl_kv_str keys[] = {{"a", 1}};
    struct vgl_kv_opts o = {{"::::", 4}, {"=====", 5}};
    struct vgl_kv_result r;
    CHECK_INT_EQ(vgl_kv_split(S("a="), &o, keys, 1, &a, &r, NULL), VGL_ENOMATCH);
    CHECK_INT_EQ(vgl_kv_split(S("::::a=====::"), &o, keys, 1, &a, &r, NULL), 0);
    CHECK_INT_EQ(r.pairs[0].value.len, 2);
    vgl_arena_release(&a);
}

TEST_MAIN(T(streamalert_good), T(streamalert_invalid), T(duplicate_key_uses_schema_string),
          T(skipped_fields_reported), T(too_many_schema_keys), T(separator_longer_than_field))
