/*
 * tests/unit/parse/test_csvread.c: parse/csvread.c against Python 3.11's csv.reader.
 *
 * Every expected value in the tables was produced by running
 *     list(csv.reader(io.StringIO(text), delimiter=D, quotechar=Q, escapechar=E))
 * under Python 3.11.7 (rows yielded before a csv.Error are kept, as StreamAlert keeps
 * them), rendered like Python's repr with single-quoted strings.
 */
#include "parse/csvread.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "test.h"

#define S(lit) lit, sizeof(lit) - 1
#define NONE   VGL_CSV_NONE

struct csv_case {
    const char *text;
    size_t len;
    struct vgl_csv_dialect d;
    int rc;
    const char *rows; /* Python repr of the rows read (before the error, if any) */
    const char *msg;  /* substring of the error message, or NULL */
};

/* Renders rows as Python's repr would (single quotes, \n \r \t \\ \' and \xNN escapes;
 * other UTF-8 as is). */
static void render(const struct vgl_csv_rows *rows, struct vgl_buf *b)
{
    vgl_buf_putc(b, '[');
    for (size_t i = 0; i < rows->nrows; i++) {
        const struct vgl_csv_row *r = &rows->rows[i];
        vgl_buf_puts(b, i ? ", [" : "[");
        for (size_t j = 0; j < r->nfields; j++) {
            const struct vgl_csv_field *f = &r->fields[j];
            vgl_buf_puts(b, j ? ", '" : "'");
            for (size_t k = 0; k < f->len; k++) {
                unsigned char c = (unsigned char)f->s[k];
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
        vgl_buf_putc(b, ']');
    }
    vgl_buf_putc(b, ']');
}

/* Checks the invariants every result must keep: NUL after each field, fields copied. */
static void check_fields(const struct vgl_csv_rows *rows, const char *text, size_t len)
{
    for (size_t i = 0; i < rows->nrows; i++) {
        for (size_t j = 0; j < rows->rows[i].nfields; j++) {
            const struct vgl_csv_field *f = &rows->rows[i].fields[j];
            CHECK(f->s != NULL);
            CHECK(f->s[f->len] == '\0');
            CHECK(f->s + f->len < text || f->s >= text + len);
        }
    }
}

static void run_cases(const struct csv_case *cases, size_t n)
{
    struct vgl_arena a;
    vgl_arena_init(&a, 0);
    for (size_t i = 0; i < n; i++) {
        const struct csv_case *c = &cases[i];
        struct vgl_csv_rows rows;
        struct vgl_error err = {0};
        struct vgl_buf b;
        vgl_buf_init(&b, 0);
        int rc = vgl_csv_read(c->text, c->len, &c->d, &a, &rows, &err);
        render(&rows, &b);
        if (rc != c->rc || strcmp(b.data, c->rows) != 0)
            fprintf(stderr, "  case %zu: text \"%s\"\n", i, c->text);
        CHECK_INT_EQ(rc, c->rc);
        CHECK_STR_EQ(b.data, c->rows);
        if (c->msg)
            CHECK_STR_CONTAINS(err.msg, c->msg);
        check_fields(&rows, c->text, c->len);
        vgl_buf_release(&b);
        vgl_arena_reset(&a);
    }
    vgl_arena_release(&a);
}

static const struct csv_case good_cases[] = {
    {S("a,b,c"), {',', '"', NONE}, 0, "[['a', 'b', 'c']]", NULL},
    {S(""), {',', '"', NONE}, 0, "[]", NULL},
    {S("\n"), {',', '"', NONE}, 0, "[[]]", NULL},
    {S("\r\n"), {',', '"', NONE}, 0, "[[]]", NULL},
    {S("\n\n"), {',', '"', NONE}, 0, "[[], []]", NULL},
    {S("a,b\n"), {',', '"', NONE}, 0, "[['a', 'b']]", NULL},
    {S("a,b\r\n"), {',', '"', NONE}, 0, "[['a', 'b']]", NULL},
    {S("a,b\r"), {',', '"', NONE}, 0, "[['a', 'b']]", NULL},
    {S("a\n\nb"), {',', '"', NONE}, 0, "[['a'], [], ['b']]", NULL},
    {S("a,\n,b"), {',', '"', NONE}, 0, "[['a', ''], ['', 'b']]", NULL},
    {S(","), {',', '"', NONE}, 0, "[['', '']]", NULL},
    {S("a,b,"), {',', '"', NONE}, 0, "[['a', 'b', '']]", NULL},
    {S(",,"), {',', '"', NONE}, 0, "[['', '', '']]", NULL},
    {S(" a , b "), {',', '"', NONE}, 0, "[[' a ', ' b ']]", NULL},
    {S("\"a,b\",c"), {',', '"', NONE}, 0, "[['a,b', 'c']]", NULL},
    {S("\"a\"\"b\""), {',', '"', NONE}, 0, "[['a\"b']]", NULL},
    {S("\"\""), {',', '"', NONE}, 0, "[['']]", NULL},
    {S("\"\",\"\""), {',', '"', NONE}, 0, "[['', '']]", NULL},
    {S("\"\"\"\""), {',', '"', NONE}, 0, "[['\"']]", NULL},
    {S("\"a\nb\",c"), {',', '"', NONE}, 0, "[['a\\nb', 'c']]", NULL},
    {S("\"a\r\nb\""), {',', '"', NONE}, 0, "[['a\\r\\nb']]", NULL},
    {S("\"a\rb\""), {',', '"', NONE}, 0, "[['a\\rb']]", NULL},
    {S("a\"b,c"), {',', '"', NONE}, 0, "[['a\"b', 'c']]", NULL},
    {S("a\"\"b"), {',', '"', NONE}, 0, "[['a\"\"b']]", NULL},
    {S("\"a\"b,c"), {',', '"', NONE}, 0, "[['ab', 'c']]", NULL},
    {S("\"a\" ,b"), {',', '"', NONE}, 0, "[['a ', 'b']]", NULL},
    {S("\"abc"), {',', '"', NONE}, 0, "[['abc']]", NULL},
    {S("x,\""), {',', '"', NONE}, 0, "[['x', '']]", NULL},
    {S("x,\"a\n"), {',', '"', NONE}, 0, "[['x', 'a\\n']]", NULL},
    {S("\"a\"\r\n\"b\""), {',', '"', NONE}, 0, "[['a'], ['b']]", NULL},
    {S("a,b\r\r\n\r\nc"), {',', '"', NONE}, 0, "[['a', 'b'], [], ['c']]", NULL},
    {S("a,\r\r\nb"), {',', '"', NONE}, 0, "[['a', ''], ['b']]", NULL},
    {S("a\000b,c"), {',', '"', NONE}, 0, "[['a\\x00b', 'c']]", NULL},
    {S("\000"), {',', '"', NONE}, 0, "[['\\x00']]", NULL},
    {S("a\342\200\250b\302\205c\013d\014e"),
     {',', '"', NONE},
     0,
     "[['a\342\200\250b\302\205c\\x0bd\\x0ce']]",
     NULL},
    {S("é,€,😀"), {',', '"', NONE}, 0, "[['é', '€', '😀']]", NULL},
    {S("a\\,b"), {',', '"', '\\'}, 0, "[['a,b']]", NULL},
    {S("\"a\\\"b\""), {',', '"', '\\'}, 0, "[['a\"b']]", NULL},
    {S("a\\"), {',', '"', '\\'}, 0, "[['a\\n']]", NULL},
    {S("a\\\nb"), {',', '"', '\\'}, 0, "[['a\\nb']]", NULL},
    {S("a\\\n"), {',', '"', '\\'}, 0, "[['a\\n']]", NULL},
    {S("a\\\r\nb"), {',', '"', '\\'}, 0, "[['a\\r'], ['b']]", NULL},
    {S("\"abc\\"), {',', '"', '\\'}, 0, "[['abc\\n']]", NULL},
    {S("\"abc\"\\"), {',', '"', '\\'}, 0, "[['abc\\\\']]", NULL},
    {S("\\"), {',', '"', '\\'}, 0, "[['\\n']]", NULL},
    {S("\\\\,\\\""), {',', '"', '\\'}, 0, "[['\\\\', '\"']]", NULL},
    {S("\"a\\\nb\""), {',', '"', '\\'}, 0, "[['a\\nb']]", NULL},
    {S("a¦b¦\"c¦d\""), {0xa6, '"', NONE}, 0, "[['a', 'b', 'c¦d']]", NULL},
    {S("a\tb\t\"c\td\""), {'\t', '"', NONE}, 0, "[['a', 'b', 'c\\td']]", NULL},
    {S("a b  c"), {' ', '"', NONE}, 0, "[['a', 'b', '', 'c']]", NULL},
    {S("a;b,c"), {';', '"', NONE}, 0, "[['a', 'b,c']]", NULL},
    {S("'a,b',c"), {',', '\'', NONE}, 0, "[['a,b', 'c']]", NULL},
    {S("\"a,b\",c"), {',', NONE, NONE}, 0, "[['\"a', 'b\"', 'c']]", NULL},
    {S("a,b"), {',', ',', NONE}, 0, "[['a', 'b']]", NULL},
    {S(",a,b"), {',', ',', NONE}, 0, "[['ab']]", NULL},
    {S("a\"b"), {'"', '"', NONE}, 0, "[['a', 'b']]", NULL},
    {S("\"a\"b\""), {'"', '"', NONE}, 0, "[['ab', '']]", NULL},
    {S("a\000b"), {'\0', '"', NONE}, 0, "[['a', 'b']]", NULL},
    {S("a,b"), {',', '"', ','}, 0, "[['ab']]", NULL},
    {S("\"a,b\""), {',', '"', '"'}, 0, "[['a,b\\n']]", NULL},
    {S("«a,b»,c"), {',', 0xab, NONE}, 0, "[['a,b»,c']]", NULL},
    {S("a€,b"), {',', '"', 0x20ac}, 0, "[['a,b']]", NULL},
    {S("a\nb"), {'\n', '"', NONE}, 0, "[['a'], ['b']]", NULL},
    {S("a\\\rb"), {',', '"', '\\'}, 0, "[['a\\rb']]", NULL},
};

/* Python raises csv.Error: "new-line character seen in unquoted field". */
static const struct csv_case bad_cases[] = {
    {S("a\rb"), {'\r', '"', NONE}, VGL_EPARSE, "[]", "new-line character"},
    {S("\"a\rb\""), {',', '\r', NONE}, VGL_EPARSE, "[]", "new-line character"},
    {S("a\rb"), {',', '"', NONE}, VGL_EPARSE, "[]", "new-line character"},
    {S("x\ny\rz"), {',', '"', NONE}, VGL_EPARSE, "[['x']]", "new-line character"},
    {S("\"a\"\rb"), {',', '"', NONE}, VGL_EPARSE, "[]", "new-line character"},
    {S("a,\rb"), {',', '"', NONE}, VGL_EPARSE, "[]", "new-line character"},
    {S("\rb"), {',', '"', NONE}, VGL_EPARSE, "[]", "new-line character"},
    {S("a,b\r\rc"), {',', '"', NONE}, VGL_EPARSE, "[]", "new-line character"},
    {S("a\r\"b\""), {',', '"', NONE}, VGL_EPARSE, "[]", "new-line character"},
    {S("x\r\ny,z\n1\r2"),
     {',', '"', NONE},
     VGL_EPARSE,
     "[['x'], ['y', 'z']]",
     "new-line character"},
    {S("a\r,b"), {',', '"', NONE}, VGL_EPARSE, "[]", "new-line character"},
    {S("a\r\000"), {',', '"', NONE}, VGL_EPARSE, "[]", "new-line character"},
    {S("a\r\""), {',', '"', NONE}, VGL_EPARSE, "[]", "new-line character"},
    {S("a\r\\"), {',', '"', '\\'}, VGL_EPARSE, "[]", "new-line character"},
    {S("a\r€"), {',', '"', NONE}, VGL_EPARSE, "[]", "new-line character"},
    {S("a\r "), {',', '"', NONE}, VGL_EPARSE, "[]", "new-line character"},
    {S("a\r\tb"), {',', '"', NONE}, VGL_EPARSE, "[]", "new-line character"},
    {S("\"x\"\r\r\ry"), {',', '"', NONE}, VGL_EPARSE, "[]", "new-line character"},
    {S("a,b\nc,d\re,f\n"), {',', '"', NONE}, VGL_EPARSE, "[['a', 'b']]", "new-line character"},
    {S("\"multi\nline\",x\ry"), {',', '"', NONE}, VGL_EPARSE, "[]", "new-line character"},
    {S("a;b\rc"), {';', '"', NONE}, VGL_EPARSE, "[]", "new-line character"},
    {S("a¦b\r¦"), {0xa6, '"', NONE}, VGL_EPARSE, "[]", "new-line character"},
    {S("a\r\302\205"), {',', '"', NONE}, VGL_EPARSE, "[]", "new-line character"},
    {S("a\r\342\200\250"), {',', '"', NONE}, VGL_EPARSE, "[]", "new-line character"},
    {S("\r\r\rx"), {',', '"', NONE}, VGL_EPARSE, "[]", "new-line character"},
    {S("ok\n\n\r\nbad\rx"), {',', '"', NONE}, VGL_EPARSE, "[['ok'], [], []]", "new-line character"},
    {S("'q'\rz"), {',', '\'', NONE}, VGL_EPARSE, "[]", "new-line character"},
    {S("a\\\n\rb"), {',', '"', '\\'}, VGL_EPARSE, "[]", "new-line character"},
    {S("\"a\"\r\n\rb"), {',', '"', NONE}, VGL_EPARSE, "[['a']]", "new-line character"},
    {S("x,y\r,z"), {',', '"', NONE}, VGL_EPARSE, "[]", "new-line character"},
    {S("x\r\r\n\ry"), {',', '"', NONE}, VGL_EPARSE, "[['x']]", "new-line character"},
    {S("a\rb\nc"), {',', '"', NONE}, VGL_EPARSE, "[]", "new-line character"},
    {S("\t\r\t"), {'\t', '"', NONE}, VGL_EPARSE, "[]", "new-line character"},
    {S("a b\rc d"), {' ', '"', NONE}, VGL_EPARSE, "[]", "new-line character"},
    {S("😀\r😀"), {',', '"', NONE}, VGL_EPARSE, "[]", "new-line character"},
};

TEST(python_good)
{
    run_cases(good_cases, sizeof good_cases / sizeof good_cases[0]);
}

TEST(python_errors)
{
    run_cases(bad_cases, sizeof bad_cases / sizeof bad_cases[0]);
}

TEST(error_message_names_line_and_found)
{
    struct vgl_arena a;
    vgl_arena_init(&a, 0);
    struct vgl_csv_dialect d = VGL_CSV_DIALECT_DEFAULT;
    struct vgl_csv_rows rows;
    struct vgl_error err = {0};
    CHECK_INT_EQ(vgl_csv_read(S("x\ny,z\n1\r2,3"), &d, &a, &rows, &err), VGL_EPARSE);
    CHECK_INT_EQ(err.code, VGL_EPARSE);
    CHECK_STR_EQ(err.msg, "csv line 3: new-line character seen in unquoted field: "
                          "found \"2,3\" after \"\\r\"");
    CHECK_INT_EQ(rows.nrows, 2);
    vgl_arena_release(&a);
}

/* A text of n copies of unit, then tail. */
static char *repeat(const char *head, const char *unit, size_t n, const char *tail, size_t *len)
{
    size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
    *len = hl + ul * n + tl;
    char *p = malloc(*len + 1);
    memcpy(p, head, hl);
    for (size_t i = 0; i < n; i++)
        memcpy(p + hl + i * ul, unit, ul);
    memcpy(p + hl + ul * n, tail, tl + 1);
    return p;
}

struct limit_case {
    const char *head, *unit;
    size_t n;
    const char *tail;
    struct vgl_csv_dialect d;
    int rc;
    size_t nrows;    /* rows returned */
    size_t last_len; /* bytes of the last row's last field, if nrows > 0 */
};

/* Python's csv.field_size_limit() default of 131072 characters; all checked with python3. */
static const struct limit_case limit_cases[] = {
    {"", "a", 131072, "", {',', '"', NONE}, 0, 1, 131072},
    {"", "a", 131073, "", {',', '"', NONE}, VGL_EPARSE, 0, 0},
    {"h\n", "a", 131073, "", {',', '"', NONE}, VGL_EPARSE, 1, 1},
    {"\"", "a", 131072, "\"", {',', '"', NONE}, 0, 1, 131072},
    {"\"", "a", 131073, "", {',', '"', NONE}, VGL_EPARSE, 0, 0},
    {"", "\xc3\xa9", 131072, "", {',', '"', NONE}, 0, 1, 262144}, /* characters, not bytes */
    {"", "\xc3\xa9", 131073, "", {',', '"', NONE}, VGL_EPARSE, 0, 0},
    {"", "\xf0\x9f\x98\x80", 131072, ",b", {',', '"', NONE}, 0, 1, 1},
    {"", "a", 131071, "\\", {',', '"', '\\'}, 0, 1, 131072}, /* final escape is "\n" */
    {"", "a", 131072, "\\", {',', '"', '\\'}, VGL_EPARSE, 0, 0},
    {"", "\\\\", 131072, "", {',', '"', '\\'}, 0, 1, 131072},
    {"b,", "\\\\", 131073, "\n", {',', '"', '\\'}, VGL_EPARSE, 0, 0},
    {"", "\"\"", 131072, "", {',', '"', NONE}, 0, 1, 131071}, /* "" "" ... */
};

TEST(field_size_limit)
{
    struct vgl_arena a;
    vgl_arena_init(&a, 0);
    for (size_t i = 0; i < sizeof limit_cases / sizeof limit_cases[0]; i++) {
        const struct limit_case *c = &limit_cases[i];
        size_t len;
        char *text = repeat(c->head, c->unit, c->n, c->tail, &len);
        struct vgl_csv_rows rows;
        struct vgl_error err = {0};
        int rc = vgl_csv_read(text, len, &c->d, &a, &rows, &err);
        if (rc != c->rc)
            fprintf(stderr, "  limit case %zu\n", i);
        CHECK_INT_EQ(rc, c->rc);
        CHECK_INT_EQ(rows.nrows, c->nrows);
        if (rc == VGL_EPARSE)
            CHECK_STR_CONTAINS(err.msg, "field larger than field limit (131072)");
        if (rows.nrows == c->nrows && c->nrows > 0) {
            const struct vgl_csv_row *r = &rows.rows[rows.nrows - 1];
            CHECK_INT_EQ(r->fields[r->nfields - 1].len, c->last_len);
        }
        free(text);
        vgl_arena_reset(&a);
    }
    vgl_arena_release(&a);
}

TEST(fields_per_row_cap)
{
    struct vgl_arena a;
    vgl_arena_init(&a, 0);
    struct vgl_csv_dialect d = VGL_CSV_DIALECT_DEFAULT;
    struct vgl_csv_rows rows;
    struct vgl_error err = {0};
    size_t len;

    char *text = repeat("x\n", ",", VGL_CSV_MAX_FIELDS - 1, "", &len);
    CHECK_INT_EQ(vgl_csv_read(text, len, &d, &a, &rows, &err), 0);
    CHECK_INT_EQ(rows.nrows, 2);
    CHECK_INT_EQ(rows.rows[1].nfields, VGL_CSV_MAX_FIELDS);
    free(text);

    text = repeat("x\n", ",", VGL_CSV_MAX_FIELDS, "\n", &len);
    CHECK_INT_EQ(vgl_csv_read(text, len, &d, &a, &rows, &err), VGL_ELIMIT);
    CHECK_STR_CONTAINS(err.msg, "csv line 2: more than 100000 fields in a row");
    CHECK_INT_EQ(rows.nrows, 1); /* the row before the limit is kept */
    free(text);
    vgl_arena_release(&a);
}

TEST(rows_cap)
{
    struct vgl_arena a;
    vgl_arena_init(&a, 0);
    struct vgl_csv_dialect d = VGL_CSV_DIALECT_DEFAULT;
    struct vgl_csv_rows rows;
    struct vgl_error err = {0};
    size_t len;

    char *text = repeat("", "\n", VGL_CSV_MAX_ROWS, "", &len);
    CHECK_INT_EQ(vgl_csv_read(text, len, &d, &a, &rows, &err), 0);
    CHECK_INT_EQ(rows.nrows, VGL_CSV_MAX_ROWS);
    CHECK_INT_EQ(rows.rows[VGL_CSV_MAX_ROWS - 1].nfields, 0);
    free(text);

    text = repeat("", "a\n", VGL_CSV_MAX_ROWS, "b", &len);
    CHECK_INT_EQ(vgl_csv_read(text, len, &d, &a, &rows, &err), VGL_ELIMIT);
    CHECK_STR_CONTAINS(err.msg, "more than 1000000 rows");
    CHECK_INT_EQ(rows.nrows, VGL_CSV_MAX_ROWS);
    free(text);
    vgl_arena_release(&a);
}

/* Not valid UTF-8 breaks the contract, but must stay memory-safe and predictable: each
 * bad byte is an ordinary character that matches no dialect character. */
TEST(invalid_utf8_is_ordinary)
{
    struct vgl_arena a;
    vgl_arena_init(&a, 0);
    struct vgl_csv_rows rows;
    struct vgl_error err = {0};
    struct vgl_csv_dialect d = {0xa6, '"', NONE}; /* U+00A6 is C2 A6 */
    CHECK_INT_EQ(vgl_csv_read(S("a\xa6"
                                "b\xc2\xa6"
                                "c\xc2"),
                              &d, &a, &rows, &err),
                 0);
    CHECK_INT_EQ(rows.nrows, 1);
    CHECK_INT_EQ(rows.rows[0].nfields, 2);
    CHECK_INT_EQ(rows.rows[0].fields[0].len, 3);
    CHECK(memcmp(rows.rows[0].fields[0].s,
                 "a\xa6"
                 "b",
                 3) == 0);
    CHECK_INT_EQ(rows.rows[0].fields[1].len, 2);

    struct vgl_csv_dialect d2 = VGL_CSV_DIALECT_DEFAULT;
    CHECK_INT_EQ(vgl_csv_read(S("\xff,\xed\xa0\x80,\xf4\x90\x80\x80"), &d2, &a, &rows, &err), 0);
    CHECK_INT_EQ(rows.rows[0].nfields, 3);
    CHECK_INT_EQ(rows.rows[0].fields[2].len, 4);
    vgl_arena_release(&a);
}

TEST(nul_bytes_and_empty_text)
{
    struct vgl_arena a;
    vgl_arena_init(&a, 0);
    struct vgl_csv_rows rows;
    struct vgl_csv_dialect d = VGL_CSV_DIALECT_DEFAULT;
    CHECK_INT_EQ(vgl_csv_read(S("\0,\0\0"), &d, &a, &rows, NULL), 0);
    CHECK_INT_EQ(rows.rows[0].nfields, 2);
    CHECK_INT_EQ(rows.rows[0].fields[1].len, 2);
    CHECK_INT_EQ(vgl_csv_read(NULL, 0, &d, &a, &rows, NULL), 0);
    CHECK_INT_EQ(rows.nrows, 0);
    vgl_arena_release(&a);
}

struct dialect_set_case {
    const char *name;
    const char *s; /* NULL: Python None */
    size_t len;
    int rc;
    uint32_t value;
    const char *msg;
};

/* Python 3.11: csv.reader(io.StringIO(""), **{name: s}). */
static const struct dialect_set_case set_cases[] = {
    {"delimiter", S(","), 0, ',', NULL},
    {"delimiter", S("\t"), 0, '\t', NULL},
    {"delimiter", S("\xc2\xa6"), 0, 0xa6, NULL},
    {"delimiter", S("\xf0\x9f\x98\x80"), 0, 0x1f600, NULL},
    {"delimiter", S("\0"), 0, 0, NULL},
    {"quotechar", S("'"), 0, '\'', NULL},
    {"quotechar", NULL, 0, 0, NONE, NULL},
    {"escapechar", S("\\"), 0, '\\', NULL},
    {"escapechar", NULL, 0, 0, NONE, NULL},
    {"delimiter", S(""), VGL_EINVAL, 0, "\"delimiter\" must be a 1-character string"},
    {"delimiter", S("ab"), VGL_EINVAL, 0, "\"delimiter\" must be a 1-character string"},
    {"delimiter", S(",,"), VGL_EINVAL, 0, "\"delimiter\" must be a 1-character string"},
    {"delimiter", S("\xc2\xa6,"), VGL_EINVAL, 0, "\"delimiter\" must be a 1-character string"},
    {"delimiter", NULL, 0, VGL_EINVAL, 0, "\"delimiter\" must be string, not NoneType"},
    {"delimiter", S("\xff"), VGL_EINVAL, 0, "\"delimiter\" must be a 1-character string"},
    {"delimiter", S("\xc2"), VGL_EINVAL, 0, "\"delimiter\" must be a 1-character string"},
    {"quotechar", S(""), VGL_EINVAL, 0, "\"quotechar\" must be a 1-character string"},
    {"quotechar", S("''"), VGL_EINVAL, 0, "\"quotechar\" must be a 1-character string"},
    {"escapechar", S("None"), VGL_EINVAL, 0, "\"escapechar\" must be a 1-character string"},
    {"escapechar", S(""), VGL_EINVAL, 0, "\"escapechar\" must be a 1-character string"},
    {"lineterminator", S("\n"), VGL_EINVAL, 0, "unknown csv dialect option 'lineterminator'"},
};

TEST(dialect_set)
{
    for (size_t i = 0; i < sizeof set_cases / sizeof set_cases[0]; i++) {
        const struct dialect_set_case *c = &set_cases[i];
        struct vgl_csv_dialect d = {'x', 'y', 'z'};
        struct vgl_error err = {0};
        int rc = vgl_csv_dialect_set(&d, c->name, c->s, c->len, &err);
        if (rc != c->rc)
            fprintf(stderr, "  set case %zu\n", i);
        CHECK_INT_EQ(rc, c->rc);
        uint32_t got = strcmp(c->name, "delimiter") == 0    ? d.delimiter
                       : strcmp(c->name, "quotechar") == 0  ? d.quotechar
                       : strcmp(c->name, "escapechar") == 0 ? d.escapechar
                                                            : 0;
        if (c->rc == 0)
            CHECK_INT_EQ(got, c->value);
        else
            CHECK(d.delimiter == 'x' && d.quotechar == 'y' && d.escapechar == 'z');
        if (c->msg)
            CHECK_STR_EQ(err.msg, c->msg);
    }
}

TEST(dialect_check)
{
    struct vgl_error err = {0};
    struct vgl_csv_dialect ok = VGL_CSV_DIALECT_DEFAULT;
    CHECK_INT_EQ(vgl_csv_dialect_check(&ok, &err), 0);
    struct vgl_csv_dialect noquote = {',', NONE, NONE};
    CHECK_INT_EQ(vgl_csv_dialect_check(&noquote, &err), 0);
    struct vgl_csv_dialect nodelim = {NONE, '"', NONE};
    CHECK_INT_EQ(vgl_csv_dialect_check(&nodelim, &err), VGL_EINVAL);
    CHECK_STR_EQ(err.msg, "\"delimiter\" must be a 1-character string");
    struct vgl_csv_dialect bigdelim = {0x110000, '"', NONE};
    CHECK_INT_EQ(vgl_csv_dialect_check(&bigdelim, &err), VGL_EINVAL);
    struct vgl_csv_dialect bigquote = {',', 0xFFFFFFFE, NONE};
    CHECK_INT_EQ(vgl_csv_dialect_check(&bigquote, &err), VGL_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "\"quotechar\"");
    struct vgl_csv_dialect bigesc = {',', '"', 0x7fffffff};
    CHECK_INT_EQ(vgl_csv_dialect_check(&bigesc, &err), VGL_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "\"escapechar\"");

    struct vgl_arena a;
    vgl_arena_init(&a, 0);
    struct vgl_csv_rows rows = {5, NULL};
    CHECK_INT_EQ(vgl_csv_read(S("a,b"), &nodelim, &a, &rows, &err), VGL_EINVAL);
    CHECK_INT_EQ(rows.nrows, 0);
    vgl_arena_release(&a);
}

TEST_MAIN(T(python_good), T(python_errors), T(error_message_names_line_and_found),
          T(field_size_limit), T(fields_per_row_cap), T(rows_cap), T(invalid_utf8_is_ordinary),
          T(nul_bytes_and_empty_text), T(dialect_set), T(dialect_check))
