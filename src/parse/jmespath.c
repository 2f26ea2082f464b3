/*
 * parse/jmespath.c: JMESPath compiler and evaluator, following the Python jmespath
 * package 0.10.0 that StreamAlert uses for "json_path" (compat 2.7, 2.8).
 *
 * The JSON parser (json/json.c) decodes a payload record, then the classifier runs
 * the schema's compiled json_path here to pick out the records (or CSV strings) inside
 * it.  Compiling happens once per config load: a lexer turns the text into a token
 * array, and a Pratt parser with jmespath.py's binding powers builds a tree in the
 * expression's own arena.  Evaluation walks the tree over borrowed input: a field or
 * index selects in place, and only projections, multi-selects and functions build new
 * values, in the caller's arena, so `logEvents[*].message` costs one array.
 */
#include "parse/jmespath.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/xmalloc.h"
#include "json/json.h"
#include "parse/pyconv.h"

/* ---- tokens ------------------------------------------------------------------------- */

enum tok {
    T_EOF,
    T_UNQUOTED,
    T_QUOTED,
    T_LITERAL,
    T_NUMBER,
    T_DOT,
    T_STAR,
    T_RBRACKET,
    T_COMMA,
    T_COLON,
    T_CURRENT,
    T_LPAREN,
    T_RPAREN,
    T_LBRACE,
    T_RBRACE,
    T_LBRACKET,
    T_FLATTEN,
    T_FILTER,
    T_OR,
    T_PIPE,
    T_AND,
    T_EXPREF,
    T_LT,
    T_LTE,
    T_GT,
    T_GTE,
    T_EQ,
    T_NE,
    T_NOT,
};

/* jmespath.py's binding powers; tokens below PROJECTION_STOP end a projection. */
static const uint8_t bp[] = {
    [T_EOF] = 0,      [T_UNQUOTED] = 0, [T_QUOTED] = 0,    [T_LITERAL] = 0, [T_NUMBER] = 0,
    [T_RBRACKET] = 0, [T_COMMA] = 0,    [T_COLON] = 0,     [T_CURRENT] = 0, [T_RPAREN] = 0,
    [T_RBRACE] = 0,   [T_EXPREF] = 0,   [T_PIPE] = 1,      [T_OR] = 2,      [T_AND] = 3,
    [T_EQ] = 5,       [T_NE] = 5,       [T_LT] = 5,        [T_LTE] = 5,     [T_GT] = 5,
    [T_GTE] = 5,      [T_FLATTEN] = 9,  [T_STAR] = 20,     [T_FILTER] = 21, [T_DOT] = 40,
    [T_NOT] = 45,     [T_LBRACE] = 50,  [T_LBRACKET] = 55, [T_LPAREN] = 60,
};
#define PROJECTION_STOP 10

struct token {
    uint8_t type;
    uint32_t pos; /* byte offset of the token in the source */
    uint32_t end; /* byte offset just past it */
    union {
        struct {
            const char *s;
            uint32_t len;
        } str;       /* identifiers */
        int64_t num; /* T_NUMBER, saturated to +-INT64_MAX */
        struct vgl_json lit;
    } u;
};

/* ---- tree ----------------------------------------------------------------------------- */

enum ntype {
    N_IDENTITY, /* @, and the implicit left/right side of projections */
    N_FIELD,
    N_SUBEXPR,    /* kids applied in turn: a.b.c */
    N_INDEX_EXPR, /* kids applied in turn: a[0][1] */
    N_PIPE,       /* kids[0] | kids[1] */
    N_INDEX,
    N_SLICE,
    N_PROJECTION,  /* list projection: kids[0] base, kids[1] applied per element */
    N_VPROJECTION, /* object value projection */
    N_FILTER,      /* kids[0] base, kids[1] per element, kids[2] condition */
    N_FLATTEN,
    N_LITERAL,
    N_MLIST,
    N_MHASH,
    N_OR,
    N_AND,
    N_NOT,
    N_CMP,
    N_FUNC,
    N_EXPREF,
};

struct node {
    uint8_t type;
    uint8_t op;     /* N_CMP: comparator token; N_FUNC: index in fns[] */
    uint16_t depth; /* height of the subtree */
    uint32_t pos;   /* source offset, for messages */
    uint32_t nkids;
    uint32_t capkids;
    struct node **kids;
    union {
        struct {
            const char *s;
            uint32_t len;
        } name;        /* N_FIELD */
        int64_t index; /* N_INDEX */
        struct {
            int64_t v[3]; /* start, stop, step */
            bool has[3];
        } slice;
        struct vgl_json lit;
        struct {
            struct vgl_json_member *keys; /* one per kid, val unused */
            uint32_t *slot;               /* output member of each kid */
            uint32_t nslots;              /* distinct keys */
        } hash;
    } u;
};

struct vgl_jmespath {
    struct vgl_arena arena; /* nodes, names, literals */
    struct node *root;
    char *src;
};

/* ---- functions table (implementations further down) --------------------------------- */

struct ev;
struct arg {
    struct vgl_json v;
    const struct node *ref; /* an expression reference (&expr) instead of a value */
};
typedef int (*fn_impl)(struct ev *e, const struct arg *args, size_t n, struct vgl_json *out);

/* Argument types: jmespath type names, as bits. */
enum {
    A_NUM = 1 << 0,
    A_STR = 1 << 1,
    A_BOOL = 1 << 2,
    A_NULL = 1 << 3,
    A_ARR = 1 << 4,
    A_OBJ = 1 << 5,
    A_REF = 1 << 6,
    A_ARR_NUM = 1 << 7, /* array of numbers */
    A_ARR_STR = 1 << 8, /* array of strings */
    A_ANY = 0,          /* not checked */
    A_VALUE = A_NUM | A_STR | A_BOOL | A_NULL | A_ARR | A_OBJ,
};

struct fn {
    const char *name;
    uint8_t nparams;
    bool variadic; /* the last parameter repeats, at least once */
    uint16_t types[2];
    fn_impl impl;
};

#define FN_DECL(n)                                                                                 \
    static int fn_##n(struct ev *e, const struct arg *args, size_t n_, struct vgl_json *out);
FN_DECL(abs)
FN_DECL(avg)
FN_DECL(ceil)
FN_DECL(contains)
FN_DECL(ends_with)
FN_DECL(floor)
FN_DECL(join)
FN_DECL(keys)
FN_DECL(length)
FN_DECL(map)
FN_DECL(max)
FN_DECL(max_by)
FN_DECL(merge)
FN_DECL(min)
FN_DECL(min_by)
FN_DECL(not_null)
FN_DECL(reverse)
FN_DECL(sort)
FN_DECL(sort_by)
FN_DECL(starts_with)
FN_DECL(sum)
FN_DECL(to_array)
FN_DECL(to_number)
FN_DECL(to_string)
FN_DECL(type)
FN_DECL(values)
#undef FN_DECL

/* jmespath 0.10.0's built-in functions and their signatures. */
static const struct fn fns[] = {
    {"abs", 1, false, {A_NUM}, fn_abs},
    {"avg", 1, false, {A_ARR_NUM}, fn_avg},
    {"ceil", 1, false, {A_NUM}, fn_ceil},
    {"contains", 2, false, {A_ARR | A_STR, A_ANY}, fn_contains},
    {"ends_with", 2, false, {A_STR, A_STR}, fn_ends_with},
    {"floor", 1, false, {A_NUM}, fn_floor},
    {"join", 2, false, {A_STR, A_ARR_STR}, fn_join},
    {"keys", 1, false, {A_OBJ}, fn_keys},
    {"length", 1, false, {A_STR | A_ARR | A_OBJ}, fn_length},
    {"map", 2, false, {A_REF, A_ARR}, fn_map},
    {"max", 1, false, {A_ARR_NUM | A_ARR_STR}, fn_max},
    {"max_by", 2, false, {A_ARR, A_REF}, fn_max_by},
    {"merge", 1, true, {A_OBJ}, fn_merge},
    {"min", 1, false, {A_ARR_NUM | A_ARR_STR}, fn_min},
    {"min_by", 2, false, {A_ARR, A_REF}, fn_min_by},
    {"not_null", 1, true, {A_ANY}, fn_not_null},
    {"reverse", 1, false, {A_ARR | A_STR}, fn_reverse},
    {"sort", 1, false, {A_ARR_NUM | A_ARR_STR}, fn_sort},
    {"sort_by", 2, false, {A_ARR, A_REF}, fn_sort_by},
    {"starts_with", 2, false, {A_STR, A_STR}, fn_starts_with},
    {"sum", 1, false, {A_ARR_NUM}, fn_sum},
    {"to_array", 1, false, {A_ANY}, fn_to_array},
    {"to_number", 1, false, {A_ANY}, fn_to_number},
    {"to_string", 1, false, {A_ANY}, fn_to_string},
    {"type", 1, false, {A_ANY}, fn_type},
    {"values", 1, false, {A_OBJ}, fn_values},
};

/* ---- lexer ---------------------------------------------------------------------------- */

struct lexer {
    const char *src;
    size_t len;
    struct vgl_arena *arena; /* the program's */
    struct vgl_error *err;
    struct token *toks;
    size_t ntok, cap;
};

/* A short quoted rendering of source bytes for messages. */
static const char *quote_src(char *out, size_t outsz, const char *s, size_t n)
{
    char q[96];
    vgl_quote(q, sizeof q, s, n);
    snprintf(out, outsz, "'%s'", q);
    return out;
}

static int lex_error(struct lexer *lx, size_t pos, const char *what)
{
    return vgl_error_set(lx->err, VGL_EPARSE, "column %zu: %s", pos + 1, what);
}

static struct token *push_tok(struct lexer *lx, uint8_t type, size_t pos, size_t end)
{
    if (lx->ntok == lx->cap)
        lx->toks = vgl_xgrow(lx->toks, &lx->cap, lx->ntok + 1, sizeof *lx->toks);
    struct token *t = &lx->toks[lx->ntok++];
    memset(t, 0, sizeof *t);
    t->type = type;
    t->pos = (uint32_t)pos;
    t->end = (uint32_t)end;
    return t;
}

/*
 * Finds the delimiter closing the token that starts at pos, skipping backslash pairs as
 * jmespath.py's _consume_until does.  Returns its offset, or len when unclosed.
 */
static size_t find_close(const struct lexer *lx, size_t pos, char delim)
{
    size_t j = pos + 1;
    while (j < lx->len && lx->src[j] != delim) {
        if (lx->src[j] == '\\')
            j++;
        j++;
    }
    return j < lx->len ? j : lx->len;
}

/* Copies s[0..n) with every backslash-delim pair replaced by delim (str.replace). */
static char *unescape_delim(struct vgl_arena *a, const char *s, size_t n, char delim,
                            size_t *outlen)
{
    char *o = vgl_arena_alloc(a, n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n && s[i + 1] == delim) {
            o[k++] = delim;
            i++;
        } else {
            o[k++] = s[i];
        }
    }
    o[k] = '\0';
    *outlen = k;
    return o;
}

static int lex_quoted(struct lexer *lx, size_t pos, size_t *next)
{
    size_t close = find_close(lx, pos, '"');
    if (close >= lx->len)
        return lex_error(lx, pos, "unclosed '\"' delimiter");
    struct vgl_json v;
    struct vgl_error jerr = {0};
    /* json.loads of the quoted text; the name points into the program's source copy. */
    if (vgl_json_parse(lx->src + pos, close + 1 - pos, lx->arena, NULL, &v, &jerr) != 0 ||
        v.type != VGL_JSON_STRING) {
        return vgl_error_set(lx->err, VGL_EPARSE, "column %zu: invalid quoted identifier: %s",
                             pos + 1, jerr.msg);
    }
    struct token *t = push_tok(lx, T_QUOTED, pos, close + 1);
    t->u.str.s = v.u.s;
    t->u.str.len = v.len;
    *next = close + 1;
    return 0;
}

static int lex_raw_string(struct lexer *lx, size_t pos, size_t *next)
{
    size_t close = find_close(lx, pos, '\'');
    if (close >= lx->len)
        return lex_error(lx, pos, "unclosed \"'\" delimiter");
    size_t n;
    char *s = unescape_delim(lx->arena, lx->src + pos + 1, close - pos - 1, '\'', &n);
    struct token *t = push_tok(lx, T_LITERAL, pos, close + 1);
    t->u.lit = vgl_json_str(s, n);
    *next = close + 1;
    return 0;
}

/* Python's str.lstrip(): leading characters for which str.isspace() holds. */
static size_t lstrip_len(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = (unsigned char)s[i];
        uint32_t cp = c;
        size_t l = 1;
        if (c >= 0xc2 && c <= 0xdf && i + 1 < n) {
            cp = ((c & 0x1fu) << 6) | ((unsigned char)s[i + 1] & 0x3fu);
            l = 2;
        } else if (c >= 0xe0 && c <= 0xef && i + 2 < n) {
            cp = ((c & 0x0fu) << 12) | (((unsigned char)s[i + 1] & 0x3fu) << 6) |
                 ((unsigned char)s[i + 2] & 0x3fu);
            l = 3;
        }
        if (!vgl_py_isspace(cp))
            break;
        i += l;
    }
    return i;
}

/*
 * `json`: the text between backticks (with \` unescaped) as JSON.  Text that is not JSON
 * is read as the body of a JSON string, as jmespath.py still does (deprecated JEP-12
 * syntax): `foo` is "foo".
 */
static int lex_literal(struct lexer *lx, size_t pos, size_t *next)
{
    size_t close = find_close(lx, pos, '`');
    if (close >= lx->len)
        return lex_error(lx, pos, "unclosed '`' delimiter");
    size_t n;
    char *s = unescape_delim(lx->arena, lx->src + pos + 1, close - pos - 1, '`', &n);
    struct vgl_json v;
    struct vgl_error jerr;
    if (vgl_json_parse(s, n, lx->arena, NULL, &v, &jerr) != 0) {
        size_t skip = lstrip_len(s, n);
        char *q = vgl_arena_alloc(lx->arena, n - skip + 3);
        q[0] = '"';
        memcpy(q + 1, s + skip, n - skip);
        q[n - skip + 1] = '"';
        q[n - skip + 2] = '\0';
        if (vgl_json_parse(q, n - skip + 2, lx->arena, NULL, &v, &jerr) != 0) {
            char msg[VGL_ERROR_MSG_MAX], quoted[128];
            snprintf(msg, sizeof msg, "invalid JSON literal %s",
                     quote_src(quoted, sizeof quoted, lx->src + pos, close + 1 - pos));
            return lex_error(lx, pos, msg);
        }
    }
    struct token *t = push_tok(lx, T_LITERAL, pos, close + 1);
    t->u.lit = v;
    *next = close + 1;
    return 0;
}

static bool is_ident_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident_char(unsigned char c)
{
    return is_ident_start(c) || (c >= '0' && c <= '9');
}

static size_t lex_number(struct lexer *lx, size_t pos)
{
    size_t j = pos;
    bool neg = lx->src[j] == '-';
    if (neg)
        j++;
    int64_t v = 0;
    for (; j < lx->len && lx->src[j] >= '0' && lx->src[j] <= '9'; j++) {
        int d = lx->src[j] - '0';
        v = v > (INT64_MAX - d) / 10 ? INT64_MAX : v * 10 + d;
    }
    struct token *t = push_tok(lx, T_NUMBER, pos, j);
    t->u.num = neg ? -v : v;
    return j;
}

/* One or two characters: 'c' alone, or 'c' followed by second. */
static size_t lex_pair(struct lexer *lx, size_t pos, char second, uint8_t two, uint8_t one)
{
    if (pos + 1 < lx->len && lx->src[pos + 1] == second) {
        push_tok(lx, two, pos, pos + 2);
        return pos + 2;
    }
    push_tok(lx, one, pos, pos + 1);
    return pos + 1;
}

/* Single-character tokens (T_EOF: not one). */
static const uint8_t simple_tokens[128] = {
    ['.'] = T_DOT,     ['*'] = T_STAR,   [']'] = T_RBRACKET, [','] = T_COMMA,  [':'] = T_COLON,
    ['@'] = T_CURRENT, ['('] = T_LPAREN, [')'] = T_RPAREN,   ['{'] = T_LBRACE, ['}'] = T_RBRACE,
};

static int lex(struct lexer *lx)
{
    size_t i = 0;
    while (i < lx->len) {
        unsigned char c = (unsigned char)lx->src[i];
        uint8_t simple = c < 0x80 ? simple_tokens[c] : T_EOF;
        if (simple != T_EOF) {
            push_tok(lx, simple, i, i + 1);
            i++;
            continue;
        }
        if (is_ident_start(c)) {
            size_t j = i + 1;
            while (j < lx->len && is_ident_char((unsigned char)lx->src[j]))
                j++;
            struct token *t = push_tok(lx, T_UNQUOTED, i, j);
            t->u.str.s = lx->src + i; /* the program's copy of the source */
            t->u.str.len = (uint32_t)(j - i);
            i = j;
            continue;
        }
        int rc = 0;
        switch (c) {
        case ' ':
        case '\t':
        case '\n':
        case '\r':
            i++;
            break;
        case '[':
            if (i + 1 < lx->len && lx->src[i + 1] == ']') {
                push_tok(lx, T_FLATTEN, i, i + 2);
                i += 2;
            } else if (i + 1 < lx->len && lx->src[i + 1] == '?') {
                push_tok(lx, T_FILTER, i, i + 2);
                i += 2;
            } else {
                push_tok(lx, T_LBRACKET, i, i + 1);
                i++;
            }
            break;
        case '\'':
            rc = lex_raw_string(lx, i, &i);
            break;
        case '`':
            rc = lex_literal(lx, i, &i);
            break;
        case '"':
            rc = lex_quoted(lx, i, &i);
            break;
        case '|':
            i = lex_pair(lx, i, '|', T_OR, T_PIPE);
            break;
        case '&':
            i = lex_pair(lx, i, '&', T_AND, T_EXPREF);
            break;
        case '<':
            i = lex_pair(lx, i, '=', T_LTE, T_LT);
            break;
        case '>':
            i = lex_pair(lx, i, '=', T_GTE, T_GT);
            break;
        case '!':
            i = lex_pair(lx, i, '=', T_NE, T_NOT);
            break;
        case '=':
            if (i + 1 < lx->len && lx->src[i + 1] == '=') {
                push_tok(lx, T_EQ, i, i + 2);
                i += 2;
            } else {
                rc = lex_error(lx, i, "unknown token '=' (did you mean '=='?)");
            }
            break;
        case '-':
            if (i + 1 >= lx->len || lx->src[i + 1] < '0' || lx->src[i + 1] > '9') {
                rc = lex_error(lx, i, "unknown token '-': expected digits after it");
                break;
            }
            i = lex_number(lx, i);
            break;
        default:
            if (c >= '0' && c <= '9') {
                i = lex_number(lx, i);
            } else {
                char msg[160], q[128];
                size_t l = 1;
                while (c >= 0xc0 && i + l < lx->len &&
                       ((unsigned char)lx->src[i + l] & 0xc0) == 0x80)
                    l++;
                snprintf(msg, sizeof msg, "unknown token %s",
                         quote_src(q, sizeof q, lx->src + i, l));
                rc = lex_error(lx, i, msg);
            }
            break;
        }
        if (rc)
            return rc;
    }
    push_tok(lx, T_EOF, lx->len, lx->len);
    return 0;
}

/* ---- parser ----------------------------------------------------------------------------- */

struct parser {
    const char *src;
    size_t len;
    const struct token *toks;
    size_t i; /* current token; never moves past T_EOF */
    struct vgl_arena *arena;
    struct vgl_error *err;
    unsigned depth;
    bool failed;
};

static uint8_t cur(const struct parser *p)
{
    return p->toks[p->i].type;
}

static uint8_t peek(const struct parser *p, size_t k)
{
    size_t j = p->i;
    while (k-- && p->toks[j].type != T_EOF)
        j++;
    return p->toks[j].type;
}

static void advance(struct parser *p)
{
    if (p->toks[p->i].type != T_EOF)
        p->i++;
}

static const char *describe(const struct parser *p, const struct token *t, char *out, size_t outsz)
{
    if (t->type == T_EOF) {
        snprintf(out, outsz, "end of expression");
        return out;
    }
    return quote_src(out, outsz, p->src + t->pos, t->end - t->pos);
}

/* Fails at token t: "column N: <what>, found <token>". */
static struct node *fail_at(struct parser *p, const struct token *t, const char *what)
{
    if (!p->failed) {
        char d[128];
        vgl_error_set(p->err, VGL_EPARSE, "column %u: %s, found %s", (unsigned)t->pos + 1, what,
                      describe(p, t, d, sizeof d));
        p->failed = true;
    }
    return NULL;
}

/* Fails with a message of its own: "column N: <msg>". */
static struct node *fail_msg(struct parser *p, uint32_t pos, const char *msg)
{
    if (!p->failed) {
        vgl_error_set(p->err, VGL_EPARSE, "column %u: %s", (unsigned)pos + 1, msg);
        p->failed = true;
    }
    return NULL;
}

static struct node *fail_here(struct parser *p, const char *what)
{
    return fail_at(p, &p->toks[p->i], what);
}

static bool match(struct parser *p, uint8_t type, const char *what)
{
    if (cur(p) != type) {
        fail_here(p, what);
        return false;
    }
    advance(p);
    return true;
}

static struct node *new_node(struct parser *p, uint8_t type, uint32_t pos)
{
    struct node *n = vgl_arena_zalloc(p->arena, sizeof *n);
    n->type = type;
    n->pos = pos;
    n->depth = 1;
    return n;
}

static bool add_kid(struct parser *p, struct node *n, struct node *kid)
{
    if (n->nkids == n->capkids) {
        uint32_t cap = n->capkids ? n->capkids * 2 : 2;
        struct node **k = vgl_arena_alloc(p->arena, cap * sizeof *k);
        if (n->nkids)
            memcpy(k, n->kids, n->nkids * sizeof *k);
        n->kids = k;
        n->capkids = cap;
    }
    n->kids[n->nkids++] = kid;
    if (kid->depth + 1u > n->depth)
        n->depth = (uint16_t)(kid->depth + 1u);
    if (n->depth > VGL_JMESPATH_MAX_DEPTH) {
        if (!p->failed)
            vgl_error_set(p->err, VGL_ELIMIT, "column %u: expression nested deeper than %d levels",
                          (unsigned)kid->pos + 1, VGL_JMESPATH_MAX_DEPTH);
        p->failed = true;
        return false;
    }
    return true;
}

static struct node *node2(struct parser *p, uint8_t type, uint32_t pos, struct node *a,
                          struct node *b)
{
    if (!a || !b)
        return NULL;
    struct node *n = new_node(p, type, pos);
    if (!add_kid(p, n, a) || !add_kid(p, n, b))
        return NULL;
    return n;
}

static struct node *identity(struct parser *p)
{
    return new_node(p, N_IDENTITY, p->toks[p->i].pos);
}

static struct node *expr(struct parser *p, int rbp);

static struct node *parse_projection_rhs(struct parser *p, int rbp);
static struct node *parse_dot_rhs(struct parser *p, int rbp);
static struct node *parse_mlist(struct parser *p, uint32_t pos);
static struct node *parse_mhash(struct parser *p, uint32_t pos);

/* [start:stop:step], the current token being the first after '['. */
static struct node *parse_slice(struct parser *p, uint32_t pos)
{
    struct node *n = new_node(p, N_SLICE, pos);
    int part = 0;
    while (cur(p) != T_RBRACKET && part < 3) {
        if (cur(p) == T_COLON) {
            if (++part == 3)
                return fail_here(p, "expected ']' after a slice's step");
            advance(p);
        } else if (cur(p) == T_NUMBER) {
            n->u.slice.v[part] = p->toks[p->i].u.num;
            n->u.slice.has[part] = true;
            advance(p);
        } else {
            return fail_here(p, "expected a number, ':' or ']' in a slice");
        }
    }
    if (!match(p, T_RBRACKET, "expected ']' to close a slice"))
        return NULL;
    if (n->u.slice.has[2] && n->u.slice.v[2] == 0)
        return fail_msg(p, pos, "slice step cannot be 0");
    return n;
}

/* [number] or a slice, the current token being the first after '['. */
static struct node *parse_index(struct parser *p, uint32_t pos)
{
    if (peek(p, 0) == T_COLON || peek(p, 1) == T_COLON)
        return parse_slice(p, pos);
    struct node *n = new_node(p, N_INDEX, pos);
    n->u.index = p->toks[p->i].u.num;
    advance(p);
    if (!match(p, T_RBRACKET, "expected ']' after an index"))
        return NULL;
    return n;
}

static struct node *project_if_slice(struct parser *p, struct node *left, struct node *right)
{
    struct node *ie = node2(p, N_INDEX_EXPR, left->pos, left, right);
    if (!ie || right->type != N_SLICE)
        return ie;
    return node2(p, N_PROJECTION, ie->pos, ie, parse_projection_rhs(p, bp[T_STAR]));
}

static struct node *parse_filter(struct parser *p, struct node *left, uint32_t pos)
{
    struct node *cond = expr(p, 0);
    if (!cond || !match(p, T_RBRACKET, "expected ']' to close a filter"))
        return NULL;
    struct node *right = cur(p) == T_FLATTEN ? identity(p) : parse_projection_rhs(p, bp[T_FILTER]);
    struct node *n = node2(p, N_FILTER, pos, left, right);
    if (!n || !add_kid(p, n, cond))
        return NULL;
    return n;
}

static int find_fn(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
        if (strlen(fns[i].name) == len && memcmp(fns[i].name, name, len) == 0)
            return (int)i;
    return -1;
}

/* name(args...), the current token being the first after '('. */
static struct node *parse_call(struct parser *p, struct node *left, const struct token *lparen)
{
    if (left->type != N_FIELD)
        return fail_at(p, lparen, "expected a function name before '('");
    int f = find_fn(left->u.name.s, left->u.name.len);
    if (f < 0) {
        char msg[160], q[128];
        snprintf(msg, sizeof msg, "unknown function %s",
                 quote_src(q, sizeof q, left->u.name.s, left->u.name.len));
        return fail_msg(p, left->pos, msg);
    }
    struct node *n = new_node(p, N_FUNC, left->pos);
    n->op = (uint8_t)f;
    /* As jmespath.py: the comma between arguments may be left out. */
    while (cur(p) != T_RPAREN) {
        struct node *a = expr(p, 0);
        if (!a)
            return NULL;
        if (cur(p) == T_COMMA)
            advance(p);
        if (!add_kid(p, n, a))
            return NULL;
    }
    advance(p);
    const struct fn *fd = &fns[f];
    if (fd->variadic ? n->nkids < fd->nparams : n->nkids != fd->nparams) {
        char msg[160];
        snprintf(msg, sizeof msg, "function %s() takes %s%u argument%s, got %u", fd->name,
                 fd->variadic ? "at least " : "", (unsigned)fd->nparams,
                 fd->nparams == 1 ? "" : "s", (unsigned)n->nkids);
        return fail_msg(p, n->pos, msg);
    }
    return n;
}

static struct node *nud(struct parser *p, const struct token *t)
{
    struct node *n;
    switch (t->type) {
    case T_LITERAL:
        n = new_node(p, N_LITERAL, t->pos);
        n->u.lit = t->u.lit;
        return n;
    case T_UNQUOTED:
    case T_QUOTED:
        if (t->type == T_QUOTED && cur(p) == T_LPAREN)
            return fail_here(p, "a quoted identifier cannot name a function");
        n = new_node(p, N_FIELD, t->pos);
        n->u.name.s = t->u.str.s;
        n->u.name.len = t->u.str.len;
        return n;
    case T_STAR: {
        struct node *left = new_node(p, N_IDENTITY, t->pos);
        struct node *right =
            cur(p) == T_RBRACKET ? identity(p) : parse_projection_rhs(p, bp[T_STAR]);
        return node2(p, N_VPROJECTION, t->pos, left, right);
    }
    case T_FILTER:
        return parse_filter(p, new_node(p, N_IDENTITY, t->pos), t->pos);
    case T_LBRACE:
        return parse_mhash(p, t->pos);
    case T_LPAREN:
        n = expr(p, 0);
        if (!n || !match(p, T_RPAREN, "expected ')'"))
            return NULL;
        return n;
    case T_FLATTEN: {
        struct node *flat = new_node(p, N_FLATTEN, t->pos);
        if (!add_kid(p, flat, new_node(p, N_IDENTITY, t->pos)))
            return NULL;
        return node2(p, N_PROJECTION, t->pos, flat, parse_projection_rhs(p, bp[T_FLATTEN]));
    }
    case T_NOT: {
        struct node *e = expr(p, bp[T_NOT]);
        if (!e)
            return NULL;
        n = new_node(p, N_NOT, t->pos);
        return add_kid(p, n, e) ? n : NULL;
    }
    case T_LBRACKET:
        if (cur(p) == T_NUMBER || cur(p) == T_COLON) {
            struct node *right = parse_index(p, t->pos);
            if (!right)
                return NULL;
            return project_if_slice(p, new_node(p, N_IDENTITY, t->pos), right);
        }
        if (cur(p) == T_STAR && peek(p, 1) == T_RBRACKET) {
            advance(p);
            advance(p);
            return node2(p, N_PROJECTION, t->pos, new_node(p, N_IDENTITY, t->pos),
                         parse_projection_rhs(p, bp[T_STAR]));
        }
        return parse_mlist(p, t->pos);
    case T_CURRENT:
        return new_node(p, N_IDENTITY, t->pos);
    case T_EXPREF: {
        struct node *e = expr(p, bp[T_EXPREF]);
        if (!e)
            return NULL;
        n = new_node(p, N_EXPREF, t->pos);
        return add_kid(p, n, e) ? n : NULL;
    }
    default:
        return fail_at(p, t, "expected an expression");
    }
}

static struct node *led(struct parser *p, const struct token *t, struct node *left)
{
    switch (t->type) {
    case T_DOT:
        if (cur(p) != T_STAR) {
            struct node *right = parse_dot_rhs(p, bp[T_DOT]);
            if (!right)
                return NULL;
            if (left->type == N_SUBEXPR)
                return add_kid(p, left, right) ? left : NULL;
            return node2(p, N_SUBEXPR, left->pos, left, right);
        }
        advance(p);
        return node2(p, N_VPROJECTION, left->pos, left, parse_projection_rhs(p, bp[T_DOT]));
    case T_PIPE:
        return node2(p, N_PIPE, left->pos, left, expr(p, bp[T_PIPE]));
    case T_OR:
        return node2(p, N_OR, left->pos, left, expr(p, bp[T_OR]));
    case T_AND:
        return node2(p, N_AND, left->pos, left, expr(p, bp[T_AND]));
    case T_LPAREN:
        return parse_call(p, left, t);
    case T_FILTER:
        return parse_filter(p, left, t->pos);
    case T_EQ:
    case T_NE:
    case T_LT:
    case T_LTE:
    case T_GT:
    case T_GTE: {
        struct node *n = node2(p, N_CMP, t->pos, left, expr(p, bp[t->type]));
        if (n)
            n->op = t->type;
        return n;
    }
    case T_FLATTEN: {
        struct node *flat = new_node(p, N_FLATTEN, t->pos);
        if (!add_kid(p, flat, left))
            return NULL;
        return node2(p, N_PROJECTION, left->pos, flat, parse_projection_rhs(p, bp[T_FLATTEN]));
    }
    case T_LBRACKET:
        if (cur(p) == T_NUMBER || cur(p) == T_COLON) {
            struct node *right = parse_index(p, t->pos);
            if (!right)
                return NULL;
            /* As jmespath.py: a[0][1:2] appends the slice to the index chain, so unlike
             * a[1:2] it does not start a projection. */
            if (left->type == N_INDEX_EXPR)
                return add_kid(p, left, right) ? left : NULL;
            return project_if_slice(p, left, right);
        }
        if (!match(p, T_STAR, "expected a number, ':' or '*' after '['") ||
            !match(p, T_RBRACKET, "expected ']' after '[*'"))
            return NULL;
        return node2(p, N_PROJECTION, left->pos, left, parse_projection_rhs(p, bp[T_STAR]));
    default:
        return fail_at(p, t, "expected an operator, '.', '[' or end of expression");
    }
}

static struct node *expr(struct parser *p, int rbp)
{
    if (p->failed)
        return NULL;
    if (++p->depth > VGL_JMESPATH_MAX_DEPTH) {
        vgl_error_set(p->err, VGL_ELIMIT, "column %u: expression nested deeper than %d levels",
                      (unsigned)p->toks[p->i].pos + 1, VGL_JMESPATH_MAX_DEPTH);
        p->failed = true;
        return NULL;
    }
    const struct token *t = &p->toks[p->i];
    advance(p);
    struct node *left = nud(p, t);
    while (left && rbp < bp[cur(p)]) {
        t = &p->toks[p->i];
        advance(p);
        left = led(p, t, left);
    }
    p->depth--;
    return left;
}

static struct node *parse_projection_rhs(struct parser *p, int rbp)
{
    if (p->failed)
        return NULL;
    uint8_t c = cur(p);
    if (bp[c] < PROJECTION_STOP)
        return identity(p);
    if (c == T_LBRACKET || c == T_FILTER)
        return expr(p, rbp);
    if (c == T_DOT) {
        advance(p);
        return parse_dot_rhs(p, rbp);
    }
    return fail_here(p, "expected '.', '[' or '[?' after a projection");
}

static struct node *parse_dot_rhs(struct parser *p, int rbp)
{
    if (p->failed)
        return NULL;
    uint8_t c = cur(p);
    uint32_t pos = p->toks[p->i].pos;
    if (c == T_UNQUOTED || c == T_QUOTED || c == T_STAR)
        return expr(p, rbp);
    if (c == T_LBRACKET) {
        advance(p);
        return parse_mlist(p, pos);
    }
    if (c == T_LBRACE) {
        advance(p);
        return parse_mhash(p, pos);
    }
    return fail_here(p, "expected an identifier, '*', '[' or '{' after '.'");
}

static struct node *parse_mlist(struct parser *p, uint32_t pos)
{
    struct node *n = new_node(p, N_MLIST, pos);
    for (;;) {
        struct node *e = expr(p, 0);
        if (!e || !add_kid(p, n, e))
            return NULL;
        if (cur(p) == T_RBRACKET)
            break;
        if (!match(p, T_COMMA, "expected ',' or ']' in a multi-select list"))
            return NULL;
    }
    advance(p);
    return n;
}

static struct node *parse_mhash(struct parser *p, uint32_t pos)
{
    struct node *n = new_node(p, N_MHASH, pos);
    struct vgl_json_member *keys = NULL;
    uint32_t cap = 0;
    for (;;) {
        const struct token *key = &p->toks[p->i];
        if (key->type != T_UNQUOTED && key->type != T_QUOTED)
            return fail_here(p, "expected an identifier as a multi-select hash key");
        advance(p);
        if (!match(p, T_COLON, "expected ':' after a multi-select hash key"))
            return NULL;
        struct node *e = expr(p, 0);
        if (!e || !add_kid(p, n, e))
            return NULL;
        if (n->nkids > cap) {
            cap = cap ? cap * 2 : 4;
            struct vgl_json_member *k = vgl_arena_zalloc(p->arena, cap * sizeof *k);
            if (n->nkids > 1)
                memcpy(k, keys, (n->nkids - 1) * sizeof *k);
            keys = k;
        }
        keys[n->nkids - 1].key = key->u.str.s;
        keys[n->nkids - 1].klen = key->u.str.len;
        /* As jmespath.py: the comma between pairs may be left out. */
        if (cur(p) == T_COMMA) {
            advance(p);
        } else if (cur(p) == T_RBRACE) {
            advance(p);
            break;
        }
    }
    /* A repeated key keeps its first position and takes the last value (dict). */
    n->u.hash.keys = keys;
    n->u.hash.slot = vgl_arena_alloc(p->arena, n->nkids * sizeof *n->u.hash.slot);
    uint32_t nslots = 0;
    for (uint32_t i = 0; i < n->nkids; i++) {
        uint32_t s = nslots;
        for (uint32_t j = 0; j < i; j++) {
            if (keys[j].klen == keys[i].klen &&
                memcmp(keys[j].key, keys[i].key, keys[i].klen) == 0) {
                s = n->u.hash.slot[j];
                break;
            }
        }
        n->u.hash.slot[i] = s;
        if (s == nslots)
            nslots++;
    }
    n->u.hash.nslots = nslots;
    return n;
}

struct vgl_jmespath *vgl_jmespath_compile(const char *expr_text, size_t len, struct vgl_error *err)
{
    if (len == 0) {
        vgl_error_set(err, VGL_EPARSE, "empty expression");
        return NULL;
    }
    if (len > VGL_JMESPATH_MAX_LEN) {
        vgl_error_set(err, VGL_ELIMIT, "expression is %zu bytes, over the limit of %d", len,
                      VGL_JMESPATH_MAX_LEN);
        return NULL;
    }
    /* Python text is Unicode: bytes that are not UTF-8 never reach jmespath.py. */
    size_t bad = vgl_utf8_check(expr_text, len);
    if (bad != len) {
        vgl_error_set(err, VGL_EUTF8, "column %zu: invalid UTF-8 byte 0x%02x", bad + 1,
                      (unsigned char)expr_text[bad]);
        return NULL;
    }
    struct vgl_jmespath *prog = vgl_xcalloc(1, sizeof *prog);
    vgl_arena_init(&prog->arena, 4096);
    prog->src = vgl_arena_strndup(&prog->arena, expr_text, len);
    struct lexer lx = {.src = prog->src, .len = len, .arena = &prog->arena, .err = err};
    if (lex(&lx) != 0)
        goto fail;
    struct parser p = {
        .src = prog->src,
        .len = len,
        .toks = lx.toks,
        .arena = &prog->arena,
        .err = err,
    };
    prog->root = expr(&p, 0);
    if (prog->root && cur(&p) != T_EOF)
        prog->root = fail_here(&p, "expected end of expression");
    if (!prog->root)
        goto fail;
    free(lx.toks);
    return prog;
fail:
    free(lx.toks);
    vgl_jmespath_free(prog);
    return NULL;
}

void vgl_jmespath_free(struct vgl_jmespath *p)
{
    if (!p)
        return;
    vgl_arena_release(&p->arena);
    free(p);
}

const char *vgl_jmespath_source(const struct vgl_jmespath *p)
{
    return p->src;
}

/* ---- evaluation --------------------------------------------------------------------------- */

struct ev {
    struct vgl_arena *a;
    struct vgl_error *err;
    size_t bytes;   /* allocated so far */
    uint64_t steps; /* nodes visited so far */
};

static int eval(struct ev *e, const struct node *n, const struct vgl_json *in,
                struct vgl_json *out);

/* Allocates n bytes in the arena against the evaluation's budget; NULL past it. */
static void *ev_alloc(struct ev *e, size_t n)
{
    if (n > VGL_JMESPATH_MAX_EVAL_BYTES - e->bytes) {
        vgl_error_set(e->err, VGL_ELIMIT, "evaluation would allocate more than %zu bytes",
                      (size_t)VGL_JMESPATH_MAX_EVAL_BYTES);
        return NULL;
    }
    e->bytes += n;
    return n ? vgl_arena_alloc(e->a, n) : NULL;
}

static struct vgl_json *ev_items(struct ev *e, size_t n)
{
    return ev_alloc(e, n * sizeof(struct vgl_json));
}

static struct vgl_json make_array(struct vgl_json *items, size_t n)
{
    struct vgl_json v = {.type = VGL_JSON_ARRAY, .len = (uint32_t)n};
    v.u.items = n ? items : NULL;
    return v;
}

static struct vgl_json make_object(struct vgl_json_member *m, size_t n)
{
    struct vgl_json v = {.type = VGL_JSON_OBJECT, .len = (uint32_t)n};
    v.u.members = n ? m : NULL;
    return v;
}

static bool is_num(const struct vgl_json *v)
{
    return v->type == VGL_JSON_INT || v->type == VGL_JSON_BIGINT || v->type == VGL_JSON_FLOAT;
}

/* jmespath's falsiness: null, false, "", [] and {} (0 is true). */
static bool jfalse(const struct vgl_json *v)
{
    switch (v->type) {
    case VGL_JSON_NULL:
        return true;
    case VGL_JSON_BOOL:
        return !v->u.b;
    case VGL_JSON_STRING:
    case VGL_JSON_ARRAY:
    case VGL_JSON_OBJECT:
        return v->len == 0;
    default:
        return false;
    }
}

static const char *jtype(const struct vgl_json *v)
{
    return vgl_json_type_name(v);
}

/* A short JSON rendering of v for messages. */
static const char *render(char *out, size_t outsz, const struct vgl_json *v)
{
    struct vgl_buf b;
    vgl_buf_init(&b, 4096);
    if (vgl_json_write(&b, v) != 0 && b.len == 0)
        vgl_buf_append(&b, "...", 3);
    vgl_quote(out, outsz, b.data ? b.data : "", b.len);
    vgl_buf_release(&b);
    return out;
}

static void field(const struct node *n, const struct vgl_json *in, struct vgl_json *out)
{
    *out = vgl_json_null();
    if (in->type != VGL_JSON_OBJECT)
        return;
    const struct vgl_json *v = vgl_json_get(in, n->u.name.s, n->u.name.len);
    if (v)
        *out = *v;
}

static void index_of(const struct node *n, const struct vgl_json *in, struct vgl_json *out)
{
    *out = vgl_json_null();
    if (in->type != VGL_JSON_ARRAY)
        return;
    int64_t i = n->u.index, len = in->len;
    if (i < 0)
        i += len;
    if (i >= 0 && i < len)
        *out = in->u.items[i];
}

static int64_t slice_bound(int64_t x, int64_t len, int64_t lower, int64_t upper)
{
    if (x < 0) {
        x += len;
        return x < lower ? lower : x;
    }
    return x > upper ? upper : x;
}

/* Python's list[start:stop:step]; a step of 1 shares the input's items. */
static int slice(struct ev *e, const struct node *n, const struct vgl_json *in,
                 struct vgl_json *out)
{
    *out = vgl_json_null();
    if (in->type != VGL_JSON_ARRAY)
        return 0;
    int64_t len = in->len;
    int64_t step = n->u.slice.has[2] ? n->u.slice.v[2] : 1;
    int64_t lower = step > 0 ? 0 : -1, upper = step > 0 ? len : len - 1;
    int64_t start = n->u.slice.has[0] ? slice_bound(n->u.slice.v[0], len, lower, upper)
                                      : (step < 0 ? upper : lower);
    int64_t stop = n->u.slice.has[1] ? slice_bound(n->u.slice.v[1], len, lower, upper)
                                     : (step < 0 ? lower : upper);
    int64_t count;
    if (step > 0)
        count = start < stop ? (stop - start - 1) / step + 1 : 0;
    else
        count = stop < start ? (start - stop - 1) / -step + 1 : 0;
    if (step == 1) {
        *out = make_array(count ? in->u.items + start : NULL, (size_t)count);
        return 0;
    }
    struct vgl_json *items = ev_items(e, (size_t)count);
    if (count && !items)
        return VGL_ELIMIT;
    for (int64_t k = 0; k < count; k++)
        items[k] = in->u.items[start + k * step];
    *out = make_array(items, (size_t)count);
    return 0;
}

/* Applies right to each element (array) or member value (object), dropping nulls. */
static int project(struct ev *e, const struct node *right, const struct vgl_json *base,
                   struct vgl_json *out)
{
    bool obj = base->type == VGL_JSON_OBJECT;
    size_t n = base->len;
    /* Identity over an array without nulls is the array itself: no copy. */
    if (right->type == N_IDENTITY && !obj) {
        size_t i = 0;
        while (i < n && base->u.items[i].type != VGL_JSON_NULL)
            i++;
        if (i == n) {
            *out = *base;
            return 0;
        }
    }
    struct vgl_json *items = ev_items(e, n);
    if (n && !items)
        return VGL_ELIMIT;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const struct vgl_json *el = obj ? &base->u.members[i].val : &base->u.items[i];
        struct vgl_json r;
        int rc = eval(e, right, el, &r);
        if (rc)
            return rc;
        if (r.type != VGL_JSON_NULL)
            items[k++] = r;
    }
    *out = make_array(items, k);
    return 0;
}

static int filter(struct ev *e, const struct node *n, const struct vgl_json *in,
                  struct vgl_json *out)
{
    struct vgl_json base;
    int rc = eval(e, n->kids[0], in, &base);
    if (rc)
        return rc;
    *out = vgl_json_null();
    if (base.type != VGL_JSON_ARRAY)
        return 0;
    struct vgl_json *items = ev_items(e, base.len);
    if (base.len && !items)
        return VGL_ELIMIT;
    size_t k = 0;
    for (uint32_t i = 0; i < base.len; i++) {
        struct vgl_json c, r;
        if ((rc = eval(e, n->kids[2], &base.u.items[i], &c)))
            return rc;
        if (jfalse(&c))
            continue;
        if ((rc = eval(e, n->kids[1], &base.u.items[i], &r)))
            return rc;
        if (r.type != VGL_JSON_NULL)
            items[k++] = r;
    }
    *out = make_array(items, k);
    return 0;
}

static int flatten(struct ev *e, const struct node *n, const struct vgl_json *in,
                   struct vgl_json *out)
{
    struct vgl_json base;
    int rc = eval(e, n->kids[0], in, &base);
    if (rc)
        return rc;
    *out = vgl_json_null();
    if (base.type != VGL_JSON_ARRAY)
        return 0;
    size_t total = 0;
    for (uint32_t i = 0; i < base.len; i++)
        total += base.u.items[i].type == VGL_JSON_ARRAY ? base.u.items[i].len : 1;
    if (total > VGL_JSON_MAX_LEN)
        return vgl_error_set(e->err, VGL_ELIMIT, "flattened array has too many items");
    struct vgl_json *items = ev_items(e, total);
    if (total && !items)
        return VGL_ELIMIT;
    size_t k = 0;
    for (uint32_t i = 0; i < base.len; i++) {
        const struct vgl_json *el = &base.u.items[i];
        if (el->type == VGL_JSON_ARRAY) {
            if (el->len)
                memcpy(items + k, el->u.items, el->len * sizeof *items);
            k += el->len;
        } else {
            items[k++] = *el;
        }
    }
    *out = make_array(items, k);
    return 0;
}

static int mlist(struct ev *e, const struct node *n, const struct vgl_json *in,
                 struct vgl_json *out)
{
    if (in->type == VGL_JSON_NULL) {
        *out = vgl_json_null();
        return 0;
    }
    struct vgl_json *items = ev_items(e, n->nkids);
    if (!items)
        return VGL_ELIMIT;
    for (uint32_t i = 0; i < n->nkids; i++) {
        int rc = eval(e, n->kids[i], in, &items[i]);
        if (rc)
            return rc;
    }
    *out = make_array(items, n->nkids);
    return 0;
}

static int mhash(struct ev *e, const struct node *n, const struct vgl_json *in,
                 struct vgl_json *out)
{
    if (in->type == VGL_JSON_NULL) {
        *out = vgl_json_null();
        return 0;
    }
    struct vgl_json_member *m = ev_alloc(e, n->u.hash.nslots * sizeof *m);
    if (!m)
        return VGL_ELIMIT;
    for (uint32_t i = 0; i < n->nkids; i++) {
        struct vgl_json_member *dst = &m[n->u.hash.slot[i]];
        *dst = n->u.hash.keys[i]; /* key and key flags; the value follows */
        int rc = eval(e, n->kids[i], in, &dst->val);
        if (rc)
            return rc;
    }
    *out = make_object(m, n->u.hash.nslots);
    return 0;
}

/* type(v) is int and v in (0, 1): a float or bool does not count. */
static bool zero_or_one(const struct vgl_json *v)
{
    return v->type == VGL_JSON_INT && (v->u.i == 0 || v->u.i == 1);
}

/* jmespath.py's _equals: Python ==, except that 0 and 1 never equal a boolean. */
static bool jequal(const struct vgl_json *x, const struct vgl_json *y)
{
    if (zero_or_one(x)) {
        if (y->type == VGL_JSON_BOOL)
            return false;
    } else if (zero_or_one(y) && x->type == VGL_JSON_BOOL) {
        return false;
    }
    /* Numbers compare exactly across int, big int and float, as Python does. */
    if (is_num(x) && is_num(y))
        return vgl_py_numcmp(x, y) == 0;
    return vgl_json_equal(x, y);
}

static const char *cmp_text(uint8_t op)
{
    switch (op) {
    case T_LT:
        return "<";
    case T_LTE:
        return "<=";
    case T_GT:
        return ">";
    default:
        return ">=";
    }
}

static int compare(struct ev *e, const struct node *n, const struct vgl_json *in,
                   struct vgl_json *out)
{
    struct vgl_json x, y;
    int rc = eval(e, n->kids[0], in, &x);
    if (rc || (rc = eval(e, n->kids[1], in, &y)))
        return rc;
    if (n->op == T_EQ || n->op == T_NE) {
        bool eq = jequal(&x, &y);
        *out = vgl_json_bool(n->op == T_EQ ? eq : !eq);
        return 0;
    }
    bool xs = x.type == VGL_JSON_STRING, ys = y.type == VGL_JSON_STRING;
    if (!(is_num(&x) || xs) || !(is_num(&y) || ys)) {
        *out = vgl_json_null();
        return 0;
    }
    int c;
    if (xs && ys) {
        size_t m = x.len < y.len ? x.len : y.len;
        c = m ? memcmp(x.u.s, y.u.s, m) : 0;
        c = c ? (c > 0) - (c < 0) : (x.len > y.len) - (x.len < y.len);
    } else if (xs || ys) {
        /* Python raises TypeError here; so does jmespath.py. */
        return vgl_error_set(e->err, VGL_ETYPE,
                             "'%s' not supported between instances of '%s' and '%s'",
                             cmp_text(n->op), vgl_json_pytype(&x), vgl_json_pytype(&y));
    } else {
        c = vgl_py_numcmp(&x, &y);
    }
    bool r;
    switch (n->op) {
    case T_LT:
        r = c == -1;
        break;
    case T_LTE:
        r = c == -1 || c == 0;
        break;
    case T_GT:
        r = c == 1;
        break;
    default:
        r = c == 1 || c == 0;
        break;
    }
    *out = vgl_json_bool(r);
    return 0;
}

/* ---- function calls ------------------------------------------------------------------ */

static uint16_t type_bit(const struct vgl_json *v)
{
    switch (v->type) {
    case VGL_JSON_NULL:
        return A_NULL;
    case VGL_JSON_BOOL:
        return A_BOOL;
    case VGL_JSON_STRING:
        return A_STR;
    case VGL_JSON_ARRAY:
        return A_ARR;
    case VGL_JSON_OBJECT:
        return A_OBJ;
    default:
        return A_NUM;
    }
}

static void type_names(char *out, size_t outsz, uint16_t mask)
{
    static const char *const names[] = {"number", "string", "boolean",      "null",        "array",
                                        "object", "expref", "array-number", "array-string"};
    size_t n = 0;
    out[0] = '\0';
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (mask & (1u << i))
            n += (size_t)snprintf(out + n, n < outsz ? outsz - n : 0, "%s%s", n ? ", " : "",
                                  names[i]);
        if (n >= outsz)
            break;
    }
}

static int type_error(struct ev *e, const struct fn *f, size_t argno, uint16_t mask,
                      const struct vgl_json *found, const char *found_type)
{
    char want[128], val[64];
    type_names(want, sizeof want, mask);
    if (!found)
        return vgl_error_set(e->err, VGL_ETYPE,
                             "function %s(): argument %zu: expected %s, got expref", f->name,
                             argno + 1, want);
    return vgl_error_set(e->err, VGL_ETYPE,
                         "function %s(): argument %zu: expected %s, got %s \"%s\"", f->name,
                         argno + 1, want, found_type, render(val, sizeof val, found));
}

/* jmespath.py's _type_check_single, including the per-element check of array-X types. */
static int check_arg(struct ev *e, const struct fn *f, size_t argno, const struct arg *a)
{
    uint16_t mask = f->types[argno < f->nparams ? argno : f->nparams - 1u];
    if (a->ref)
        return mask & A_REF ? 0 : type_error(e, f, argno, mask ? mask : A_VALUE, NULL, NULL);
    if (mask == A_ANY)
        return 0;
    uint16_t t = type_bit(&a->v);
    if (t == A_ARR && !(mask & A_ARR) && (mask & (A_ARR_NUM | A_ARR_STR))) {
        uint16_t want = mask & (A_ARR_NUM | A_ARR_STR);
        if (want == (A_ARR_NUM | A_ARR_STR)) {
            /* Either kind: the first element decides which. */
            if (a->v.len == 0)
                return 0;
            uint16_t first = type_bit(&a->v.u.items[0]);
            if (first != A_NUM && first != A_STR)
                return type_error(e, f, argno, mask, &a->v.u.items[0], jtype(&a->v.u.items[0]));
            want = first == A_NUM ? A_ARR_NUM : A_ARR_STR;
        }
        uint16_t elem = want == A_ARR_NUM ? A_NUM : A_STR;
        for (uint32_t i = 0; i < a->v.len; i++)
            if (type_bit(&a->v.u.items[i]) != elem)
                return type_error(e, f, argno, mask, &a->v.u.items[i], jtype(&a->v.u.items[i]));
        return 0;
    }
    if (!(mask & t))
        return type_error(e, f, argno, mask, &a->v, jtype(&a->v));
    return 0;
}

static int call(struct ev *e, const struct node *n, const struct vgl_json *in, struct vgl_json *out)
{
    const struct fn *f = &fns[n->op];
    struct arg small[4];
    struct arg *args = small;
    if (n->nkids > 4 && !(args = ev_alloc(e, n->nkids * sizeof *args)))
        return VGL_ELIMIT;
    for (uint32_t i = 0; i < n->nkids; i++) {
        const struct node *k = n->kids[i];
        args[i].ref = NULL;
        if (k->type == N_EXPREF) {
            args[i].ref = k->kids[0];
            args[i].v = vgl_json_null();
        } else {
            int rc = eval(e, k, in, &args[i].v);
            if (rc)
                return rc;
        }
    }
    for (uint32_t i = 0; i < n->nkids; i++) {
        int rc = check_arg(e, f, i, &args[i]);
        if (rc)
            return rc;
    }
    return f->impl(e, args, n->nkids, out);
}

static int eval(struct ev *e, const struct node *n, const struct vgl_json *in, struct vgl_json *out)
{
    if (++e->steps > VGL_JMESPATH_MAX_STEPS)
        return vgl_error_set(e->err, VGL_ELIMIT, "evaluation took more than %d steps",
                             VGL_JMESPATH_MAX_STEPS);
    int rc;
    struct vgl_json a, b;
    switch (n->type) {
    case N_IDENTITY:
        *out = *in;
        return 0;
    case N_FIELD:
        field(n, in, out);
        return 0;
    case N_SUBEXPR:
    case N_INDEX_EXPR:
    case N_PIPE:
        a = *in;
        for (uint32_t i = 0; i < n->nkids; i++) {
            if ((rc = eval(e, n->kids[i], &a, &b)))
                return rc;
            a = b;
        }
        *out = a;
        return 0;
    case N_INDEX:
        index_of(n, in, out);
        return 0;
    case N_SLICE:
        return slice(e, n, in, out);
    case N_PROJECTION:
        if ((rc = eval(e, n->kids[0], in, &a)))
            return rc;
        if (a.type != VGL_JSON_ARRAY) {
            *out = vgl_json_null();
            return 0;
        }
        return project(e, n->kids[1], &a, out);
    case N_VPROJECTION:
        if ((rc = eval(e, n->kids[0], in, &a)))
            return rc;
        if (a.type != VGL_JSON_OBJECT) {
            *out = vgl_json_null();
            return 0;
        }
        return project(e, n->kids[1], &a, out);
    case N_FILTER:
        return filter(e, n, in, out);
    case N_FLATTEN:
        return flatten(e, n, in, out);
    case N_LITERAL:
        *out = n->u.lit;
        return 0;
    case N_MLIST:
        return mlist(e, n, in, out);
    case N_MHASH:
        return mhash(e, n, in, out);
    case N_OR:
    case N_AND:
        if ((rc = eval(e, n->kids[0], in, &a)))
            return rc;
        if (jfalse(&a) == (n->type == N_OR))
            return eval(e, n->kids[1], in, out);
        *out = a;
        return 0;
    case N_NOT:
        if ((rc = eval(e, n->kids[0], in, &a)))
            return rc;
        /* Python's `not x`, except that jmespath.py makes !0 false (the integer only:
         * !`0.0` is true). */
        *out = vgl_json_bool(!(a.type == VGL_JSON_INT && a.u.i == 0) && !vgl_json_truthy(&a));
        return 0;
    case N_CMP:
        return compare(e, n, in, out);
    case N_FUNC:
        return call(e, n, in, out);
    case N_EXPREF:
        return vgl_error_set(e->err, VGL_ETYPE,
                             "column %u: an expression reference ('&') is only valid as a "
                             "function argument",
                             (unsigned)n->pos + 1);
    default:
        VGL_BUG("unknown jmespath node");
    }
}

int vgl_jmespath_eval(const struct vgl_jmespath *p, const struct vgl_json *in, struct vgl_arena *a,
                      struct vgl_json *out, struct vgl_error *err)
{
    struct ev e = {.a = a, .err = err};
    struct vgl_json r;
    int rc = eval(&e, p->root, in, &r);
    if (rc)
        return rc;
    *out = r;
    return 0;
}

/* ---- built-in functions ---------------------------------------------------------------- */

static const char int64_min_abs[] = "9223372036854775808";

static int fn_abs(struct ev *e, const struct arg *args, size_t n_, struct vgl_json *out)
{
    const struct vgl_json *v = &args[0].v;
    if (v->type == VGL_JSON_INT && v->u.i == INT64_MIN) {
        *out = (struct vgl_json){
            .type = VGL_JSON_BIGINT, .len = sizeof int64_min_abs - 1, .u.s = int64_min_abs};
    } else if (v->type == VGL_JSON_INT) {
        *out = vgl_json_int(v->u.i < 0 ? -v->u.i : v->u.i);
    } else if (v->type == VGL_JSON_BIGINT && v->u.s[0] == '-') {
        *out = (struct vgl_json){.type = VGL_JSON_BIGINT, .len = v->len - 1, .u.s = v->u.s + 1};
    } else if (v->type == VGL_JSON_FLOAT) {
        *out = vgl_json_float(fabs(v->u.d));
    } else {
        *out = *v;
    }
    return 0;
}

/* Canonical decimal text of an INT or BIGINT (buf holds 24 bytes for an INT). */
static const char *int_text(const struct vgl_json *v, char *buf, size_t *len)
{
    if (v->type == VGL_JSON_BIGINT) {
        *len = v->len;
        return v->u.s;
    }
    *len = (size_t)snprintf(buf, 24, "%" PRId64, v->u.i);
    return buf;
}

/* x + y for exact integers (INT or BIGINT), in decimal when int64 overflows. */
static int int_add(struct ev *e, const struct vgl_json *x, const struct vgl_json *y,
                   struct vgl_json *out)
{
    int64_t s;
    if (x->type == VGL_JSON_INT && y->type == VGL_JSON_INT &&
        !__builtin_add_overflow(x->u.i, y->u.i, &s)) {
        *out = vgl_json_int(s);
        return 0;
    }
    char xb[24], yb[24];
    size_t xl, yl;
    const char *xs = int_text(x, xb, &xl), *ys = int_text(y, yb, &yl);
    bool xn = xs[0] == '-', yn = ys[0] == '-';
    const char *xm = xs + xn, *ym = ys + yn;
    size_t xml = xl - xn, yml = yl - yn;
    size_t cap = (xml > yml ? xml : yml) + 2;
    char *r = ev_alloc(e, cap + 1);
    if (!r)
        return VGL_ELIMIT;
    /* Digits are produced right to left into r[1..cap). */
    size_t k = cap;
    bool neg;
    if (xn == yn) {
        int carry = 0;
        for (size_t i = 0; i < xml || i < yml || carry; i++) {
            int d = carry + (i < xml ? xm[xml - 1 - i] - '0' : 0) +
                    (i < yml ? ym[yml - 1 - i] - '0' : 0);
            r[--k] = (char)('0' + d % 10);
            carry = d / 10;
        }
        neg = xn;
    } else {
        /* Subtract the smaller magnitude from the larger. */
        int c = xml != yml ? (xml > yml ? 1 : -1) : memcmp(xm, ym, xml);
        if (c == 0) {
            *out = vgl_json_int(0);
            return 0;
        }
        const char *big = c > 0 ? xm : ym, *small = c > 0 ? ym : xm;
        size_t bl = c > 0 ? xml : yml, sl = c > 0 ? yml : xml;
        int borrow = 0;
        for (size_t i = 0; i < bl; i++) {
            int d = (big[bl - 1 - i] - '0') - borrow - (i < sl ? small[sl - 1 - i] - '0' : 0);
            borrow = d < 0;
            r[--k] = (char)('0' + (d + 10) % 10);
        }
        neg = c > 0 ? xn : yn;
    }
    while (k < cap - 1 && r[k] == '0')
        k++;
    if (neg)
        r[--k] = '-';
    struct vgl_json text = vgl_json_str(r + k, cap - k);
    return vgl_py_int(&text, e->a, out, e->err);
}

/* float(x) for an exact integer. */
static int int_to_double(struct ev *e, const struct vgl_json *x, double *d)
{
    struct vgl_json f;
    int rc = vgl_py_float(x, e->a, &f, e->err);
    if (rc)
        return rc;
    *d = f.u.d;
    return 0;
}

/* Python's sum(): exact integers until the first float, then float additions. */
static int py_sum(struct ev *e, const struct vgl_json *arr, struct vgl_json *out)
{
    struct vgl_json acc = vgl_json_int(0);
    double d = 0;
    bool fl = false;
    for (uint32_t i = 0; i < arr->len; i++) {
        const struct vgl_json *x = &arr->u.items[i];
        int rc;
        if (!fl && x->type != VGL_JSON_FLOAT) {
            if ((rc = int_add(e, &acc, x, &acc)))
                return rc;
            continue;
        }
        if (!fl) {
            if ((rc = int_to_double(e, &acc, &d)))
                return rc;
            fl = true;
        }
        double xd = x->u.d;
        if (x->type != VGL_JSON_FLOAT && (rc = int_to_double(e, x, &xd)))
            return rc;
        d += xd;
    }
    *out = fl ? vgl_json_float(d) : acc;
    return 0;
}

static int fn_sum(struct ev *e, const struct arg *args, size_t n_, struct vgl_json *out)
{
    return py_sum(e, &args[0].v, out);
}

static int fn_avg(struct ev *e, const struct arg *args, size_t n_, struct vgl_json *out)
{
    const struct vgl_json *arr = &args[0].v;
    if (arr->len == 0) {
        *out = vgl_json_null();
        return 0;
    }
    struct vgl_json s;
    double d;
    int rc = py_sum(e, arr, &s);
    if (rc)
        return rc;
    if (s.type == VGL_JSON_FLOAT)
        d = s.u.d;
    else if ((rc = int_to_double(e, &s, &d)))
        return rc;
    *out = vgl_json_float(d / (double)arr->len);
    return 0;
}

/* math.ceil()/math.floor(): an int, exact however large. */
static int round_fn(struct ev *e, const char *fname, const struct vgl_json *v, double (*fn)(double),
                    struct vgl_json *out)
{
    if (v->type != VGL_JSON_FLOAT) {
        *out = *v;
        return 0;
    }
    if (!isfinite(v->u.d))
        return vgl_error_set(e->err, VGL_EINVAL,
                             "function %s(): cannot convert float %s to integer", fname,
                             isnan(v->u.d) ? "NaN" : "infinity");
    struct vgl_json r = vgl_json_float(fn(v->u.d));
    return vgl_py_int(&r, e->a, out, e->err);
}

static int fn_ceil(struct ev *e, const struct arg *args, size_t n_, struct vgl_json *out)
{
    return round_fn(e, "ceil", &args[0].v, ceil, out);
}

static int fn_floor(struct ev *e, const struct arg *args, size_t n_, struct vgl_json *out)
{
    return round_fn(e, "floor", &args[0].v, floor, out);
}

/* Linear-time substring test (Knuth-Morris-Pratt), so hostile text cannot go quadratic. */
static int find_sub(struct ev *e, const char *h, size_t hn, const char *nd, size_t nn, bool *found)
{
    *found = true;
    if (nn == 0)
        return 0;
    *found = false;
    if (nn > hn)
        return 0;
    uint32_t *fail = ev_alloc(e, nn * sizeof *fail);
    if (!fail)
        return VGL_ELIMIT;
    fail[0] = 0;
    for (size_t i = 1, k = 0; i < nn; i++) {
        while (k && nd[i] != nd[k])
            k = fail[k - 1];
        if (nd[i] == nd[k])
            k++;
        fail[i] = (uint32_t)k;
    }
    for (size_t i = 0, k = 0; i < hn; i++) {
        while (k && h[i] != nd[k])
            k = fail[k - 1];
        if (h[i] == nd[k] && ++k == nn) {
            *found = true;
            return 0;
        }
    }
    return 0;
}

static int fn_contains(struct ev *e, const struct arg *args, size_t n_, struct vgl_json *out)
{
    const struct vgl_json *subject = &args[0].v, *search = &args[1].v;
    if (subject->type == VGL_JSON_STRING) {
        if (search->type != VGL_JSON_STRING)
            return vgl_error_set(e->err, VGL_ETYPE,
                                 "function contains(): 'in <string>' requires string as left "
                                 "operand, not %s",
                                 vgl_json_pytype(search));
        bool found;
        int rc = find_sub(e, subject->u.s, subject->len, search->u.s, search->len, &found);
        if (rc)
            return rc;
        *out = vgl_json_bool(found);
        return 0;
    }
    /* Python's `in` on a list: plain ==, so 1 is found in [true]. */
    for (uint32_t i = 0; i < subject->len; i++) {
        if (vgl_json_equal(&subject->u.items[i], search)) {
            *out = vgl_json_bool(true);
            return 0;
        }
    }
    *out = vgl_json_bool(false);
    return 0;
}

static int fn_ends_with(struct ev *e, const struct arg *args, size_t n_, struct vgl_json *out)
{
    const struct vgl_json *s = &args[0].v, *x = &args[1].v;
    *out = vgl_json_bool(x->len <= s->len &&
                         (x->len == 0 || memcmp(s->u.s + s->len - x->len, x->u.s, x->len) == 0));
    return 0;
}

static int fn_starts_with(struct ev *e, const struct arg *args, size_t n_, struct vgl_json *out)
{
    const struct vgl_json *s = &args[0].v, *x = &args[1].v;
    *out = vgl_json_bool(x->len <= s->len && (x->len == 0 || memcmp(s->u.s, x->u.s, x->len) == 0));
    return 0;
}

static int fn_join(struct ev *e, const struct arg *args, size_t n_, struct vgl_json *out)
{
    const struct vgl_json *sep = &args[0].v, *arr = &args[1].v;
    size_t total = 0;
    for (uint32_t i = 0; i < arr->len; i++)
        total += arr->u.items[i].len + (i ? sep->len : 0);
    if (total > VGL_JSON_MAX_LEN)
        return vgl_error_set(e->err, VGL_ELIMIT, "function join(): result too long");
    char *r = ev_alloc(e, total);
    if (total && !r)
        return VGL_ELIMIT;
    size_t k = 0;
    for (uint32_t i = 0; i < arr->len; i++) {
        if (i && sep->len) {
            memcpy(r + k, sep->u.s, sep->len);
            k += sep->len;
        }
        if (arr->u.items[i].len)
            memcpy(r + k, arr->u.items[i].u.s, arr->u.items[i].len);
        k += arr->u.items[i].len;
    }
    *out = vgl_json_str(total ? r : "", total);
    return 0;
}

static int keys_or_values(struct ev *e, const struct vgl_json *obj, bool keys, struct vgl_json *out)
{
    struct vgl_json *items = ev_items(e, obj->len);
    if (obj->len && !items)
        return VGL_ELIMIT;
    for (uint32_t i = 0; i < obj->len; i++) {
        const struct vgl_json_member *m = &obj->u.members[i];
        items[i] = keys ? vgl_json_str(m->key, m->klen) : m->val;
    }
    *out = make_array(items, obj->len);
    return 0;
}

static int fn_keys(struct ev *e, const struct arg *args, size_t n_, struct vgl_json *out)
{
    return keys_or_values(e, &args[0].v, true, out);
}

static int fn_values(struct ev *e, const struct arg *args, size_t n_, struct vgl_json *out)
{
    return keys_or_values(e, &args[0].v, false, out);
}

static int fn_length(struct ev *e, const struct arg *args, size_t n_, struct vgl_json *out)
{
    const struct vgl_json *v = &args[0].v;
    int64_t n = v->len;
    if (v->type == VGL_JSON_STRING) {
        /* Python counts code points: every byte that does not continue a sequence. */
        n = 0;
        for (uint32_t i = 0; i < v->len; i++)
            n += ((unsigned char)v->u.s[i] & 0xc0) != 0x80;
    }
    *out = vgl_json_int(n);
    return 0;
}

static int fn_map(struct ev *e, const struct arg *args, size_t n_, struct vgl_json *out)
{
    const struct vgl_json *arr = &args[1].v;
    struct vgl_json *items = ev_items(e, arr->len);
    if (arr->len && !items)
        return VGL_ELIMIT;
    for (uint32_t i = 0; i < arr->len; i++) {
        int rc = eval(e, args[0].ref, &arr->u.items[i], &items[i]);
        if (rc)
            return rc;
    }
    *out = make_array(items, arr->len);
    return 0;
}

/* Python's a < b for two numbers or two strings (already type-checked). */
static bool py_lt(const struct vgl_json *a, const struct vgl_json *b)
{
    if (a->type == VGL_JSON_STRING) {
        size_t m = a->len < b->len ? a->len : b->len;
        int c = m ? memcmp(a->u.s, b->u.s, m) : 0;
        return c < 0 || (c == 0 && a->len < b->len);
    }
    return vgl_py_numcmp(a, b) == -1;
}

/* Python's max()/min(): the first item wins ties; NaN never replaces or is replaced. */
static int fn_max_min(const struct arg *args, bool max, struct vgl_json *out)
{
    const struct vgl_json *arr = &args[0].v;
    if (arr->len == 0) {
        *out = vgl_json_null();
        return 0;
    }
    const struct vgl_json *best = &arr->u.items[0];
    for (uint32_t i = 1; i < arr->len; i++) {
        const struct vgl_json *x = &arr->u.items[i];
        if (max ? py_lt(best, x) : py_lt(x, best))
            best = x;
    }
    *out = *best;
    return 0;
}

static int fn_max(struct ev *e, const struct arg *args, size_t n_, struct vgl_json *out)
{
    return fn_max_min(args, true, out);
}

static int fn_min(struct ev *e, const struct arg *args, size_t n_, struct vgl_json *out)
{
    return fn_max_min(args, false, out);
}

/* A key computed by an expref for *_by: must be a number or a string. */
static int key_of(struct ev *e, const char *fname, const struct node *ref,
                  const struct vgl_json *el, uint16_t allowed, struct vgl_json *key)
{
    int rc = eval(e, ref, el, key);
    if (rc)
        return rc;
    uint16_t t = type_bit(key);
    if (!(t & allowed)) {
        char want[64], val[64];
        type_names(want, sizeof want, allowed);
        return vgl_error_set(e->err, VGL_ETYPE,
                             "function %s(): expression must give %s, got %s \"%s\"", fname, want,
                             jtype(key), render(val, sizeof val, key));
    }
    return 0;
}

static int mixed_keys(struct ev *e, const char *fname, const struct vgl_json *a,
                      const struct vgl_json *b)
{
    return vgl_error_set(e->err, VGL_ETYPE, "function %s(): cannot compare %s with %s", fname,
                         vgl_json_pytype(a), vgl_json_pytype(b));
}

static int by_max_min(struct ev *e, const struct arg *args, bool max, const char *fname,
                      struct vgl_json *out)
{
    const struct vgl_json *arr = &args[0].v;
    *out = vgl_json_null();
    if (arr->len == 0)
        return 0;
    struct vgl_json bestkey, key;
    int rc = key_of(e, fname, args[1].ref, &arr->u.items[0], A_NUM | A_STR, &bestkey);
    if (rc)
        return rc;
    uint32_t best = 0;
    for (uint32_t i = 1; i < arr->len; i++) {
        if ((rc = key_of(e, fname, args[1].ref, &arr->u.items[i], A_NUM | A_STR, &key)))
            return rc;
        if (type_bit(&key) != type_bit(&bestkey))
            return mixed_keys(e, fname, &key, &bestkey);
        if (max ? py_lt(&bestkey, &key) : py_lt(&key, &bestkey)) {
            best = i;
            bestkey = key;
        }
    }
    *out = arr->u.items[best];
    return 0;
}

static int fn_max_by(struct ev *e, const struct arg *args, size_t n_, struct vgl_json *out)
{
    return by_max_min(e, args, true, "max_by", out);
}

static int fn_min_by(struct ev *e, const struct arg *args, size_t n_, struct vgl_json *out)
{
    return by_max_min(e, args, false, "min_by", out);
}

static uint64_t key_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

/* dict.update() over the arguments in order: first position, last value. */
static int fn_merge(struct ev *e, const struct arg *args, size_t n, struct vgl_json *out)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += args[i].v.len;
    if (total > VGL_JSON_MAX_LEN)
        return vgl_error_set(e->err, VGL_ELIMIT, "function merge(): too many members");
    size_t tsize = 16;
    while (tsize < total * 2)
        tsize *= 2;
    struct vgl_json_member *m = ev_alloc(e, total * sizeof *m);
    uint32_t *table = ev_alloc(e, tsize * sizeof *table);
    if ((total && !m) || !table)
        return VGL_ELIMIT;
    memset(table, 0, tsize * sizeof *table);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const struct vgl_json *obj = &args[i].v;
        for (uint32_t j = 0; j < obj->len; j++) {
            const struct vgl_json_member *src = &obj->u.members[j];
            size_t h = (size_t)key_hash(src->key, src->klen) & (tsize - 1);
            while (table[h]) {
                struct vgl_json_member *have = &m[table[h] - 1];
                if (have->klen == src->klen && memcmp(have->key, src->key, src->klen) == 0)
                    break;
                h = (h + 1) & (tsize - 1);
            }
            if (table[h]) {
                m[table[h] - 1].val = src->val;
            } else {
                m[k] = *src;
                table[h] = (uint32_t)++k;
            }
        }
    }
    *out = make_object(m, k);
    return 0;
}

static int fn_not_null(struct ev *e, const struct arg *args, size_t n, struct vgl_json *out)
{
    *out = vgl_json_null();
    for (size_t i = 0; i < n; i++) {
        if (args[i].v.type != VGL_JSON_NULL) {
            *out = args[i].v;
            break;
        }
    }
    return 0;
}

static int fn_reverse(struct ev *e, const struct arg *args, size_t n_, struct vgl_json *out)
{
    const struct vgl_json *v = &args[0].v;
    if (v->type == VGL_JSON_ARRAY) {
        struct vgl_json *items = ev_items(e, v->len);
        if (v->len && !items)
            return VGL_ELIMIT;
        for (uint32_t i = 0; i < v->len; i++)
            items[i] = v->u.items[v->len - 1 - i];
        *out = make_array(items, v->len);
        return 0;
    }
    /* A string reverses by code point: each UTF-8 sequence keeps its byte order. */
    char *r = ev_alloc(e, v->len);
    if (v->len && !r)
        return VGL_ELIMIT;
    size_t i = 0;
    while (i < v->len) {
        size_t l = 1;
        while (i + l < v->len && ((unsigned char)v->u.s[i + l] & 0xc0) == 0x80)
            l++;
        memcpy(r + v->len - i - l, v->u.s + i, l);
        i += l;
    }
    *out = vgl_json_str(v->len ? r : "", v->len);
    return 0;
}

/* Stable merge sort of items by Python's < on keys[] (keys parallel to items). */
struct sort_item {
    struct vgl_json key;
    struct vgl_json val;
};

static void merge_sort(struct sort_item *a, struct sort_item *tmp, size_t n)
{
    if (n < 2)
        return;
    size_t mid = n / 2;
    merge_sort(a, tmp, mid);
    merge_sort(a + mid, tmp, n - mid);
    size_t i = 0, j = mid, k = 0;
    while (i < mid && j < n) {
        /* Take from the right only when strictly less: equal keys keep their order. */
        if (py_lt(&a[j].key, &a[i].key))
            tmp[k++] = a[j++];
        else
            tmp[k++] = a[i++];
    }
    while (i < mid)
        tmp[k++] = a[i++];
    while (j < n)
        tmp[k++] = a[j++];
    memcpy(a, tmp, n * sizeof *a);
}

static int sort_items(struct ev *e, struct sort_item *items, size_t n, struct vgl_json *out)
{
    struct sort_item *tmp = ev_alloc(e, n * sizeof *tmp);
    struct vgl_json *res = ev_items(e, n);
    if (n && (!tmp || !res))
        return VGL_ELIMIT;
    merge_sort(items, tmp, n);
    for (size_t i = 0; i < n; i++)
        res[i] = items[i].val;
    *out = make_array(res, n);
    return 0;
}

static int fn_sort(struct ev *e, const struct arg *args, size_t n_, struct vgl_json *out)
{
    const struct vgl_json *arr = &args[0].v;
    struct sort_item *items = ev_alloc(e, arr->len * sizeof *items);
    if (arr->len && !items)
        return VGL_ELIMIT;
    for (uint32_t i = 0; i < arr->len; i++)
        items[i].key = items[i].val = arr->u.items[i];
    return sort_items(e, items, arr->len, out);
}

static int fn_sort_by(struct ev *e, const struct arg *args, size_t n_, struct vgl_json *out)
{
    const struct vgl_json *arr = &args[0].v;
    if (arr->len == 0) {
        *out = *arr;
        return 0;
    }
    struct sort_item *items = ev_alloc(e, arr->len * sizeof *items);
    if (!items)
        return VGL_ELIMIT;
    /* The first element's key type is the one every key must have. */
    struct vgl_json first;
    int rc = key_of(e, "sort_by", args[1].ref, &arr->u.items[0], A_NUM | A_STR, &first);
    if (rc)
        return rc;
    uint16_t want = type_bit(&first);
    for (uint32_t i = 0; i < arr->len; i++) {
        if ((rc = key_of(e, "sort_by", args[1].ref, &arr->u.items[i], want, &items[i].key)))
            return rc;
        items[i].val = arr->u.items[i];
    }
    return sort_items(e, items, arr->len, out);
}

static int fn_to_array(struct ev *e, const struct arg *args, size_t n_, struct vgl_json *out)
{
    if (args[0].v.type == VGL_JSON_ARRAY) {
        *out = args[0].v;
        return 0;
    }
    struct vgl_json *item = ev_items(e, 1);
    if (!item)
        return VGL_ELIMIT;
    *item = args[0].v;
    *out = make_array(item, 1);
    return 0;
}

static int fn_to_number(struct ev *e, const struct arg *args, size_t n_, struct vgl_json *out)
{
    const struct vgl_json *v = &args[0].v;
    *out = vgl_json_null();
    if (is_num(v)) {
        *out = *v;
    } else if (v->type == VGL_JSON_STRING) {
        /* int(s), else float(s), else null. */
        if (vgl_py_int(v, e->a, out, NULL) != 0 && vgl_py_float(v, e->a, out, NULL) != 0)
            *out = vgl_json_null();
    }
    return 0;
}

/* json.dumps(v, separators=(',', ':')) with its default ensure_ascii=True. */
struct dump {
    char *p; /* NULL: count only */
    size_t n;
};

static void dput(struct dump *d, const char *s, size_t n)
{
    if (d->p)
        memcpy(d->p + d->n, s, n);
    d->n += n;
}

static void dump_str(struct dump *d, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    dput(d, "\"", 1);
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            size_t j = i + 1;
            while (j < n && (unsigned char)s[j] >= 0x20 && (unsigned char)s[j] < 0x7f &&
                   s[j] != '"' && s[j] != '\\')
                j++;
            dput(d, s + i, j - i);
            i = j;
            continue;
        }
        char esc[2] = {'\\', 0};
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        default:
            break;
        }
        if (esc[1]) {
            dput(d, esc, 2);
            i++;
            continue;
        }
        /* \uXXXX for controls, DEL and everything non-ASCII (surrogate pairs above BMP). */
        uint32_t cp = c;
        size_t l = 1;
        if (c >= 0xc0) {
            l = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
            if (i + l > n)
                l = 1;
            else {
                cp = c & (0x7fu >> l);
                for (size_t k = 1; k < l; k++)
                    cp = (cp << 6) | ((unsigned char)s[i + k] & 0x3f);
            }
        }
        uint32_t units[2] = {cp, 0};
        int nu = 1;
        if (cp >= 0x10000) {
            units[0] = 0xd800 + ((cp - 0x10000) >> 10);
            units[1] = 0xdc00 + ((cp - 0x10000) & 0x3ff);
            nu = 2;
        }
        for (int u = 0; u < nu; u++) {
            char x[6] = {'\\',
                         'u',
                         hex[(units[u] >> 12) & 15],
                         hex[(units[u] >> 8) & 15],
                         hex[(units[u] >> 4) & 15],
                         hex[units[u] & 15]};
            dput(d, x, 6);
        }
        i += l;
    }
    dput(d, "\"", 1);
}

static int dump_val(struct dump *d, const struct vgl_json *v, unsigned depth)
{
    char num[40];
    switch (v->type) {
    case VGL_JSON_NULL:
        dput(d, "null", 4);
        return 0;
    case VGL_JSON_BOOL:
        if (v->u.b)
            dput(d, "true", 4);
        else
            dput(d, "false", 5);
        return 0;
    case VGL_JSON_INT:
        dput(d, num, (size_t)snprintf(num, sizeof num, "%" PRId64, v->u.i));
        return 0;
    case VGL_JSON_BIGINT:
        dput(d, v->u.s, v->len);
        return 0;
    case VGL_JSON_FLOAT:
        if (isnan(v->u.d))
            dput(d, "NaN", 3);
        else if (isinf(v->u.d))
            dput(d, v->u.d < 0 ? "-Infinity" : "Infinity", v->u.d < 0 ? 9 : 8);
        else
            dput(d, num, vgl_json_fmt_double(num, v->u.d));
        return 0;
    case VGL_JSON_STRING:
        dump_str(d, v->u.s, v->len);
        return 0;
    default:
        break;
    }
    if (depth >= VGL_PY_MAX_DEPTH)
        return VGL_ELIMIT;
    bool obj = v->type == VGL_JSON_OBJECT;
    dput(d, obj ? "{" : "[", 1);
    for (uint32_t i = 0; i < v->len; i++) {
        if (i)
            dput(d, ",", 1);
        int rc;
        if (obj) {
            dump_str(d, v->u.members[i].key, v->u.members[i].klen);
            dput(d, ":", 1);
            rc = dump_val(d, &v->u.members[i].val, depth + 1);
        } else {
            rc = dump_val(d, &v->u.items[i], depth + 1);
        }
        if (rc)
            return rc;
    }
    dput(d, obj ? "}" : "]", 1);
    return 0;
}

static int fn_to_string(struct ev *e, const struct arg *args, size_t n_, struct vgl_json *out)
{
    const struct vgl_json *v = &args[0].v;
    if (v->type == VGL_JSON_STRING) {
        *out = *v;
        return 0;
    }
    struct dump count = {0};
    if (dump_val(&count, v, 0))
        return vgl_error_set(e->err, VGL_ELIMIT,
                             "function to_string(): value nested deeper "
                             "than %d levels",
                             VGL_PY_MAX_DEPTH);
    if (count.n > VGL_JSON_MAX_LEN)
        return vgl_error_set(e->err, VGL_ELIMIT, "function to_string(): result too long");
    struct dump w = {.p = ev_alloc(e, count.n)};
    if (!w.p)
        return VGL_ELIMIT;
    dump_val(&w, v, 0);
    *out = vgl_json_str(w.p, w.n);
    return 0;
}

static int fn_type(struct ev *e, const struct arg *args, size_t n_, struct vgl_json *out)
{
    const char *t = jtype(&args[0].v);
    *out = vgl_json_str(t, strlen(t));
    return 0;
}
