/*
 * parse/pyconv.h: Python's str(), int(), float() and StreamAlert's "boolean" test on
 * decoded JSON values.
 *
 * StreamAlert converts every schema field with Python builtins (compat 2.5), so the
 * classifier must produce exactly what CPython would: str(1e16) is "1e+16",
 * str({"k": true}) is "{'k': True}", int(" 1_000 ") is 1000, float("nan") is nan.
 * These functions reproduce CPython 3 on the value model of json/json.h:
 * null = None, BOOL = bool, INT/BIGINT = int, FLOAT = float, STRING = str,
 * ARRAY = list, OBJECT = dict.  docs/pyconv.md lists the approximations.
 *
 * Ownership: inputs are borrowed.  A result stored in a struct vgl_json may point into
 * the input value (a string or integer that needed no conversion is returned as is), at
 * static text ("True", "None"), or at memory from the arena passed in; it is valid while
 * both the input and the arena live.  Nothing here calls malloc except vgl_py_str and
 * vgl_py_repr, which grow the caller's buffer.
 *
 * Errors mirror Python's exceptions, with Python's message text:
 *   ValueError    -> VGL_EPARSE  ("invalid literal for int() with base 10: '1.5'")
 *   TypeError     -> VGL_ETYPE   ("int() argument must be a string, ... not 'list'")
 *   OverflowError -> VGL_ELIMIT  ("cannot convert float infinity to integer")
 * and VGL_ELIMIT for nesting deeper than VGL_PY_MAX_DEPTH or text longer than a JSON
 * string can hold.
 *
 * Thread-safety: all functions are reentrant; the tables are read-only.
 */
#ifndef VGL_PARSE_PYCONV_H
#define VGL_PARSE_PYCONV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vgl_arena;
struct vgl_buf;
struct vgl_error;
struct vgl_json;

/* Nesting limit of the repr writer (CPython raises RecursionError near 1000). */
#define VGL_PY_MAX_DEPTH 1000

/*
 * Appends Python's str(v) to out: a string as itself, numbers and True/False/None as
 * Python prints them, lists and dicts as their repr.  Returns 0, or VGL_ELIMIT when
 * out's cap is reached or v nests deeper than VGL_PY_MAX_DEPTH (out is then unchanged).
 */
int vgl_py_str(struct vgl_buf *out, const struct vgl_json *v);

/* Appends Python's repr(v): like vgl_py_str, but a string is quoted and escaped. */
int vgl_py_repr(struct vgl_buf *out, const struct vgl_json *v);

/*
 * Sets *out to the string str(v).  A string is returned as is and a big integer shares
 * its digits (no copy); other results are built in the arena.  Returns 0 or VGL_ELIMIT.
 */
int vgl_py_str_json(const struct vgl_json *v, struct vgl_arena *a, struct vgl_json *out,
                    struct vgl_error *err);

/*
 * Sets *out to int(v): an integer as is, a bool as 0/1, a float truncated toward zero,
 * a string parsed as Python's int() does in base 10 (surrounding white space, a sign,
 * single underscores between digits, any Unicode decimal digit).  The result is
 * VGL_JSON_INT when it fits int64, else VGL_JSON_BIGINT with canonical decimal text in
 * the arena.  Errors: VGL_EPARSE (bad string, NaN), VGL_ELIMIT (infinity), VGL_ETYPE
 * (None, list, dict).
 */
int vgl_py_int(const struct vgl_json *v, struct vgl_arena *a, struct vgl_json *out,
               struct vgl_error *err);

/*
 * Sets *out to float(v) as a VGL_JSON_FLOAT: a float as is, a bool as 1.0/0.0, an
 * integer correctly rounded, a string parsed as Python's float() does (white space,
 * sign, "nan", "inf", "infinity" in any case, underscores between digits, Unicode
 * digits; no hex).  The arena holds scratch text for long or non-ASCII strings.
 * Errors: VGL_EPARSE (bad string), VGL_ELIMIT ("int too large to convert to float"),
 * VGL_ETYPE (None, list, dict).
 */
int vgl_py_float(const struct vgl_json *v, struct vgl_arena *a, struct vgl_json *out,
                 struct vgl_error *err);

/* StreamAlert's boolean conversion: str(v).lower() == "true".  Never fails. */
bool vgl_py_bool_of(const struct vgl_json *v);

/*
 * Python's ordering of two numbers (INT, BIGINT, FLOAT; a bool counts as 0/1), exact
 * across types as CPython compares int with float: returns -1, 0 or 1, or 2 when the
 * values are unordered (NaN) or either is not a number.
 */
int vgl_py_numcmp(const struct vgl_json *a, const struct vgl_json *b);

/* True when Python's str.isprintable() holds for the code point (see docs/pyconv.md). */
bool vgl_py_isprintable(uint32_t cp);

/* True when Python's str.isspace() holds for the code point. */
bool vgl_py_isspace(uint32_t cp);

#endif
