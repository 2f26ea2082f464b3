/*
 * parse/csvread.c: CSV text -> rows of fields, emulating Python 3.11's csv.reader over an
 * io.StringIO (the reader StreamAlert's csv parser uses).  It sits under the csv parser
 * in src/parse/: the parser hands it one payload text (or one JSON-extracted string, or
 * one nested column) and assigns the resulting fields to schema keys by position.
 *
 * The state machine is the one of CPython's Modules/_csv.c (parse_process_char and
 * Reader_iternext), rewritten over UTF-8 bytes: the text is cut into StringIO lines
 * (each ending after a "\n"), every character of a line goes through step() and then one
 * end-of-line event (EOL); a row is complete when the state is back at START_RECORD after
 * an EOL, or when the text ends.  Inside a field, a run of bytes that cannot start a
 * special character is copied in one go instead.  All field bytes go into one arena
 * buffer of len + 2 bytes (see vgl_csv_read for why that is enough); fields and rows go
 * into two arena arrays that double when full, so there is no per-field allocation.
 */
#include "parse/csvread.h"

#include <stdbool.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/utf8.h"

/* Pseudo-characters; both are above 0x10FFFF, so no dialect character can equal them. */
#define CH_EOL     0xFFFFFFFEu /* end of a StringIO line (Python's EOL) */
#define CH_INVALID 0xFFFFFFFDu /* a byte that is not valid UTF-8 */

enum state {
    START_RECORD,
    START_FIELD,
    ESCAPED_CHAR,
    IN_FIELD,
    IN_QUOTED_FIELD,
    ESCAPE_IN_QUOTED_FIELD,
    QUOTE_IN_QUOTED_FIELD,
    EAT_CRNL,
    AFTER_ESCAPED_CRNL,
};

struct reader {
    uint32_t delim, quote, esc;
    enum state state;
    /* Bytes that can start a special character: "\r", "\n" and the (lead bytes of the)
     * dialect characters.  A run of other bytes inside a field is copied in one go. */
    bool special[256];
    char *out; /* next free byte of the field buffer */
    char *out_end;
    char *field;        /* start of the field being built */
    size_t field_chars; /* Python's field_len: characters, not bytes */
    struct vgl_csv_field *fields;
    size_t nfields, fields_cap;
    size_t row_first; /* index in fields of the current row's first field */
    struct vgl_csv_row *rows;
    size_t nrows, rows_cap;
    size_t line; /* 1-based StringIO line being read */
    struct vgl_arena *arena;
    const char *line_rest; /* for messages: the text from the current character on */
    size_t line_rest_len;
    struct vgl_error *err;
};

/* Strict UTF-8 decoding of one character; an invalid byte is consumed alone. */
static size_t decode_utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
    size_t len = vgl_utf8_decode(s, n, cp);
    if (len)
        return len;
    *cp = CH_INVALID;
    return 1;
}

/* The first byte of a code point's UTF-8 form. */
static unsigned char lead_byte(uint32_t c)
{
    if (c < 0x80)
        return (unsigned char)c;
    if (c < 0x800)
        return (unsigned char)(0xc0 | (c >> 6));
    if (c < 0x10000)
        return (unsigned char)(0xe0 | (c >> 12));
    return (unsigned char)(0xf0 | (c >> 18));
}

static int field_limit_error(struct reader *r)
{
    return vgl_error_set(r->err, VGL_EPARSE, "csv line %zu: field larger than field limit (%d)",
                         r->line, VGL_CSV_FIELD_LIMIT);
}

static int add_char(struct reader *r, const char *p, size_t n)
{
    if (r->field_chars >= VGL_CSV_FIELD_LIMIT)
        return field_limit_error(r);
    /* Output never outgrows input (see vgl_csv_read), so this is a bug, not bad input. */
    if ((size_t)(r->out_end - r->out) < n)
        VGL_BUG("csv field buffer overflow");
    if (n == 1)
        *r->out = *p;
    else
        memcpy(r->out, p, n);
    r->out += n;
    r->field_chars++;
    return 0;
}

/*
 * The fast path: appends n bytes holding nchars characters, none of them special.  The
 * run holds no "\n", so an over-long field fails on the same line as it would one
 * character at a time.
 */
static int add_run(struct reader *r, const char *p, size_t n, size_t nchars)
{
    if (r->field_chars + nchars > VGL_CSV_FIELD_LIMIT)
        return field_limit_error(r);
    if ((size_t)(r->out_end - r->out) < n)
        VGL_BUG("csv field buffer overflow");
    memcpy(r->out, p, n);
    r->out += n;
    r->field_chars += nchars;
    return 0;
}

/*
 * Doubles an arena array.  The old copy stays valid (the arena frees nothing), which
 * keeps completed rows' field pointers good after the field array has moved.
 */
static void *grow(struct vgl_arena *a, void *old, size_t used, size_t *cap, size_t elem)
{
    size_t ncap = *cap * 2;
    void *p = vgl_arena_alloc(a, ncap * elem);
    memcpy(p, old, used * elem);
    *cap = ncap;
    return p;
}

static int save_field(struct reader *r)
{
    if (r->nfields - r->row_first >= VGL_CSV_MAX_FIELDS)
        return vgl_error_set(r->err, VGL_ELIMIT, "csv line %zu: more than %d fields in a row",
                             r->line, VGL_CSV_MAX_FIELDS);
    if (r->nfields == r->fields_cap)
        r->fields = grow(r->arena, r->fields, r->nfields, &r->fields_cap, sizeof *r->fields);
    if (r->out >= r->out_end)
        VGL_BUG("csv field buffer overflow");
    *r->out++ = '\0';
    r->fields[r->nfields].s = r->field;
    r->fields[r->nfields].len = (size_t)(r->out - 1 - r->field);
    r->nfields++;
    r->field = r->out;
    r->field_chars = 0;
    return 0;
}

static int save_row(struct reader *r)
{
    if (r->nrows >= VGL_CSV_MAX_ROWS)
        return vgl_error_set(r->err, VGL_ELIMIT, "csv line %zu: more than %d rows", r->line,
                             VGL_CSV_MAX_ROWS);
    if (r->nrows == r->rows_cap)
        r->rows = grow(r->arena, r->rows, r->nrows, &r->rows_cap, sizeof *r->rows);
    r->rows[r->nrows].nfields = r->nfields - r->row_first;
    r->rows[r->nrows].fields = r->fields + r->row_first;
    r->nrows++;
    r->row_first = r->nfields;
    return 0;
}

static int crnl_error(struct reader *r)
{
    char found[128];
    if (!r->err)
        return VGL_EPARSE;
    vgl_quote(found, sizeof found, r->line_rest, r->line_rest_len);
    return vgl_error_set(r->err, VGL_EPARSE,
                         "csv line %zu: new-line character seen in unquoted field: "
                         "found \"%s\" after \"\\r\"",
                         r->line, found);
}

static bool is_crnl(uint32_t c)
{
    return c == '\n' || c == '\r';
}

/*
 * One character (or CH_EOL) through the reader.  p/n are the bytes of c.  The order of
 * the tests in each state is Python's; it decides what happens when dialect characters
 * coincide with each other or with "\r"/"\n".
 */
static int step(struct reader *r, uint32_t c, const char *p, size_t n)
{
    int rc = 0;

    switch (r->state) {
    case START_RECORD:
        if (c == CH_EOL)
            break; /* empty line: an empty row */
        if (is_crnl(c)) {
            r->state = EAT_CRNL;
            break;
        }
        r->state = START_FIELD;
        /* fall through */
    case START_FIELD:
        if (is_crnl(c) || c == CH_EOL) {
            rc = save_field(r);
            r->state = c == CH_EOL ? START_RECORD : EAT_CRNL;
        } else if (c == r->quote) {
            r->state = IN_QUOTED_FIELD;
        } else if (c == r->esc) {
            r->state = ESCAPED_CHAR;
        } else if (c == r->delim) {
            rc = save_field(r);
        } else {
            rc = add_char(r, p, n);
            r->state = IN_FIELD;
        }
        break;

    case ESCAPED_CHAR:
        if (is_crnl(c)) {
            rc = add_char(r, p, n);
            r->state = AFTER_ESCAPED_CRNL;
            break;
        }
        if (c == CH_EOL)
            rc = add_char(r, "\n", 1);
        else
            rc = add_char(r, p, n);
        r->state = IN_FIELD;
        break;

    case AFTER_ESCAPED_CRNL:
        if (c == CH_EOL)
            break;
        /* fall through */
    case IN_FIELD:
        if (is_crnl(c) || c == CH_EOL) {
            rc = save_field(r);
            r->state = c == CH_EOL ? START_RECORD : EAT_CRNL;
        } else if (c == r->esc) {
            r->state = ESCAPED_CHAR;
        } else if (c == r->delim) {
            rc = save_field(r);
            r->state = START_FIELD;
        } else {
            rc = add_char(r, p, n);
        }
        break;

    case IN_QUOTED_FIELD:
        if (c == CH_EOL)
            ;
        else if (c == r->esc)
            r->state = ESCAPE_IN_QUOTED_FIELD;
        else if (c == r->quote)
            r->state = QUOTE_IN_QUOTED_FIELD; /* doublequote=True */
        else
            rc = add_char(r, p, n);
        break;

    case ESCAPE_IN_QUOTED_FIELD:
        if (c == CH_EOL)
            rc = add_char(r, "\n", 1);
        else
            rc = add_char(r, p, n);
        r->state = IN_QUOTED_FIELD;
        break;

    case QUOTE_IN_QUOTED_FIELD:
        if (c == r->quote) {
            rc = add_char(r, p, n); /* "" is one " */
            r->state = IN_QUOTED_FIELD;
        } else if (c == r->delim) {
            rc = save_field(r);
            r->state = START_FIELD;
        } else if (is_crnl(c) || c == CH_EOL) {
            rc = save_field(r);
            r->state = c == CH_EOL ? START_RECORD : EAT_CRNL;
        } else {
            /* strict=False: text after the closing quote joins the field */
            rc = add_char(r, p, n);
            r->state = IN_FIELD;
        }
        break;

    case EAT_CRNL:
        if (is_crnl(c))
            ;
        else if (c == CH_EOL)
            r->state = START_RECORD;
        else
            rc = crnl_error(r);
        break;
    }
    return rc;
}

int vgl_csv_dialect_check(const struct vgl_csv_dialect *d, struct vgl_error *err)
{
    if (d->delimiter == VGL_CSV_NONE)
        return vgl_error_set(err, VGL_EINVAL, "\"delimiter\" must be a 1-character string");
    if (d->delimiter > 0x10ffff)
        return vgl_error_set(err, VGL_EINVAL, "\"delimiter\" is not a character (0x%lx)",
                             (unsigned long)d->delimiter);
    if (d->quotechar != VGL_CSV_NONE && d->quotechar > 0x10ffff)
        return vgl_error_set(err, VGL_EINVAL, "\"quotechar\" is not a character (0x%lx)",
                             (unsigned long)d->quotechar);
    if (d->escapechar != VGL_CSV_NONE && d->escapechar > 0x10ffff)
        return vgl_error_set(err, VGL_EINVAL, "\"escapechar\" is not a character (0x%lx)",
                             (unsigned long)d->escapechar);
    return 0;
}

int vgl_csv_dialect_set(struct vgl_csv_dialect *d, const char *name, const char *s, size_t len,
                        struct vgl_error *err)
{
    uint32_t *slot;
    bool none_ok = true;

    if (strcmp(name, "delimiter") == 0) {
        slot = &d->delimiter;
        none_ok = false;
    } else if (strcmp(name, "quotechar") == 0) {
        slot = &d->quotechar;
    } else if (strcmp(name, "escapechar") == 0) {
        slot = &d->escapechar;
    } else {
        return vgl_error_set(err, VGL_EINVAL, "unknown csv dialect option '%s'", name);
    }
    if (!s) {
        if (!none_ok)
            return vgl_error_set(err, VGL_EINVAL, "\"%s\" must be string, not NoneType", name);
        *slot = VGL_CSV_NONE;
        return 0;
    }
    uint32_t c = CH_INVALID;
    size_t n = len ? decode_utf8((const unsigned char *)s, len, &c) : 0;
    if (len == 0 || n != len || c == CH_INVALID)
        return vgl_error_set(err, VGL_EINVAL, "\"%s\" must be a 1-character string", name);
    *slot = c;
    return 0;
}

int vgl_csv_read(const char *text, size_t len, const struct vgl_csv_dialect *d, struct vgl_arena *a,
                 struct vgl_csv_rows *out, struct vgl_error *err)
{
    out->nrows = 0;
    out->rows = NULL;
    int rc = vgl_csv_dialect_check(d, err);
    if (rc)
        return rc;
    if (len == 0)
        return 0;

    struct reader r = {
        .delim = d->delimiter,
        .quote = d->quotechar,
        .esc = d->escapechar,
        .state = START_RECORD,
        .arena = a,
        .err = err,
    };
    r.special['\r'] = r.special['\n'] = true;
    r.special[lead_byte(r.delim)] = true;
    if (r.quote != VGL_CSV_NONE)
        r.special[lead_byte(r.quote)] = true;
    if (r.esc != VGL_CSV_NONE)
        r.special[lead_byte(r.esc)] = true;
    /* Typical payloads are one row of a few dozen fields; grow() doubles past that. */
    r.fields_cap = 32;
    r.rows_cap = 2;
    r.fields = vgl_arena_alloc(a, r.fields_cap * sizeof *r.fields);
    r.rows = vgl_arena_alloc(a, r.rows_cap * sizeof *r.rows);
    /* Each input byte yields at most one output byte (a field's NUL stands for the
     * delimiter or line end that closed it).  Only the last line can add two bytes with
     * no input behind them: an escape turned into "\n" at its EOL, and the NUL of the
     * field closed at end of text. */
    r.out = vgl_arena_alloc(a, len + 2);
    r.out_end = r.out + len + 2;
    r.field = r.out;

    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < len) {
        r.line++;
        bool end_of_line = false;
        while (i < len && !end_of_line) {
            if ((r.state == IN_FIELD || r.state == IN_QUOTED_FIELD) && !r.special[s[i]]) {
                size_t j = i, nchars;
                unsigned high = 0;
                for (; j < len && !r.special[s[j]]; j++)
                    high |= s[j];
                nchars = j - i;
                if (high & 0x80) { /* count characters, not UTF-8 continuation bytes */
                    for (size_t k = i; k < j; k++)
                        nchars -= (s[k] & 0xc0) == 0x80;
                }
                rc = add_run(&r, text + i, j - i, nchars);
                if (rc)
                    goto out;
                i = j;
                continue;
            }
            uint32_t c;
            size_t n = decode_utf8(s + i, len - i, &c);
            r.line_rest = text + i;
            r.line_rest_len = len - i;
            rc = step(&r, c, text + i, n);
            if (rc)
                goto out;
            i += n;
            end_of_line = c == '\n';
        }
        rc = step(&r, CH_EOL, NULL, 0);
        if (rc)
            goto out;
        if (r.state == START_RECORD) {
            rc = save_row(&r);
            if (rc)
                goto out;
        }
    }
    /* End of text in mid-row (Reader_iternext with strict=False): close the field if it
     * has characters or is an open quote, else drop the unfinished row as Python does. */
    if (r.field_chars != 0 || r.state == IN_QUOTED_FIELD) {
        rc = save_field(&r);
        if (!rc)
            rc = save_row(&r);
    }
out:
    out->nrows = r.nrows;
    out->rows = r.rows;
    return rc;
}
