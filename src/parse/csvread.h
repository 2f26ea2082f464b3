/*
 * parse/csvread.h: split a text into CSV rows exactly as Python 3.11's
 *     csv.reader(io.StringIO(text), delimiter=D, quotechar=Q, escapechar=E)
 * does, with every other dialect option at its default (doublequote=True,
 * skipinitialspace=False, strict=False, quoting=QUOTE_MINIMAL).  This is what
 * StreamAlert's csv parser feeds its schemas with (streamalert-compat.md 2.8).
 *
 * Python behaviours reproduced (see docs/parse-text.md for the full list):
 *   - lines are split on "\n" only (io.StringIO's default newline="\n"); a "\r" or "\r\n"
 *     ends a row, but a "\r" followed by more text on the same line is an error;
 *   - an empty line gives an empty row (nfields == 0); an empty text gives no rows;
 *   - quoted fields may span lines; "" inside quotes is one quote; text after a closing
 *     quote is appended to the field (strict=False); a quote inside an unquoted field is
 *     an ordinary character;
 *   - end of text inside a quoted field is not an error: the field is closed;
 *   - the escape character makes the next character literal, also inside quotes; an
 *     escape at the very end of the text stands for "\n";
 *   - NUL characters are ordinary characters (Python 3.11 no longer rejects them,
 *     bpo-27580; 3.10 and older raised "line contains NUL");
 *   - a field longer than VGL_CSV_FIELD_LIMIT characters is an error, like Python's
 *     default csv.field_size_limit().
 *
 * Dialect characters are Unicode code points (any single character, as Python accepts,
 * e.g. U+00A6 "¦"), or VGL_CSV_NONE.  A quotechar of VGL_CSV_NONE disables quoting, as
 * Python does for quotechar=None.
 *
 * Input is UTF-8 of known length and may contain NUL bytes.  It should already be valid
 * UTF-8; bytes that are not are copied into fields as they are and never match a dialect
 * character (no crash, no error; only the field-limit count may differ from Python's).
 *
 * Ownership: the rows, the field arrays and the field strings are allocated in the arena
 * passed in and stay valid until that arena is reset or released.  Field strings are
 * copies (never slices of text), NUL-terminated after len bytes; they may also contain NUL
 * bytes.  text is borrowed for the call only.  Not thread-safe per arena; no global state.
 */
#ifndef VGL_PARSE_CSVREAD_H
#define VGL_PARSE_CSVREAD_H

#include <stddef.h>
#include <stdint.h>

struct vgl_arena;
struct vgl_error;

/* "Not set" for a dialect character (Python's None). */
#define VGL_CSV_NONE 0xFFFFFFFFu

/* Python's default csv.field_size_limit(), in characters (code points). */
#define VGL_CSV_FIELD_LIMIT 131072
/* Caps of our own (Python has none): fields in one row, rows in one text. */
#define VGL_CSV_MAX_FIELDS 100000
#define VGL_CSV_MAX_ROWS   1000000

struct vgl_csv_dialect {
    uint32_t delimiter;  /* code point; never VGL_CSV_NONE */
    uint32_t quotechar;  /* code point or VGL_CSV_NONE (no quoting) */
    uint32_t escapechar; /* code point or VGL_CSV_NONE (no escape) */
};

/* StreamAlert's defaults: delimiter ",", quotechar "\"", no escapechar. */
/* clang-format off */
#define VGL_CSV_DIALECT_DEFAULT {',', '"', VGL_CSV_NONE}
/* clang-format on */

struct vgl_csv_field {
    const char *s; /* NUL-terminated after len bytes */
    size_t len;    /* bytes */
};

struct vgl_csv_row {
    size_t nfields; /* 0 for an empty line */
    struct vgl_csv_field *fields;
};

struct vgl_csv_rows {
    size_t nrows;
    struct vgl_csv_row *rows;
};

/*
 * Splits text into all its rows.  Returns 0 on success.  On a Python csv.Error (a "\r"
 * followed by text on one line, a field over VGL_CSV_FIELD_LIMIT characters) returns
 * VGL_EPARSE with err naming the line, the problem and what was found; past
 * VGL_CSV_MAX_FIELDS or VGL_CSV_MAX_ROWS returns VGL_ELIMIT; a bad dialect gives
 * VGL_EINVAL.  On VGL_EPARSE and VGL_ELIMIT, out still holds the rows completed before
 * the error, as Python's iterator would have yielded them before raising (StreamAlert
 * keeps those as candidates).  out is always set (to zero rows on VGL_EINVAL).
 */
int vgl_csv_read(const char *text, size_t len, const struct vgl_csv_dialect *d, struct vgl_arena *a,
                 struct vgl_csv_rows *out, struct vgl_error *err);

/*
 * Checks a dialect as Python's csv module does when building the reader: a delimiter is
 * required and every set character is a valid code point (<= 0x10FFFF).  Returns 0 or
 * VGL_EINVAL with a message.
 */
int vgl_csv_dialect_check(const struct vgl_csv_dialect *d, struct vgl_error *err);

/*
 * Sets one dialect option from a configuration string (after Python str()), with
 * Python's check: s must be exactly one character.  name is "delimiter", "quotechar" or
 * "escapechar" and picks the field.  s == NULL means None, allowed for quotechar and
 * escapechar only (StreamAlert always passes strings, so "None" text arrives as a
 * 4-character string and is rejected).  Returns 0 or VGL_EINVAL with Python's message,
 * e.g. "\"delimiter\" must be a 1-character string"; d is unchanged on error.
 */
int vgl_csv_dialect_set(struct vgl_csv_dialect *d, const char *name, const char *s, size_t len,
                        struct vgl_error *err);

#endif
