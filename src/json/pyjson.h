/*
 * json/pyjson.h: JSON text exactly as Python's json.dumps() writes it.
 *
 * StreamAlert's outputs serialize with json.dumps and various options (compat 7.5): the
 * defaults (", " and ": " separators, ASCII-only output), "compact" separators, indent=2,
 * sort_keys=True.  Bodies must match byte for byte, so this writer reproduces CPython 3:
 *   - ensure_ascii (the default): every non-ASCII character as \uXXXX, astral characters as
 *     a surrogate pair; with VGL_PYJSON_UNICODE, UTF-8 is copied as is;
 *   - short escapes \" \\ \n \r \t \b \f, other control characters as \u00XX;
 *   - floats as repr() (1.0, 1e+16), NaN/Infinity/-Infinity as json.dumps allows them;
 *   - with indent, items on their own lines, "," + newline between them, ": " after keys,
 *     and "[]" / "{}" for empty containers;
 *   - sort_keys compares keys by code point (UTF-8 byte order is the same order).
 * Objects with duplicate keys are written as they are (a Python dict could not hold them).
 *
 * Ownership: appends to the caller's buffer.  Reentrant.
 */
#ifndef VGL_JSON_PYJSON_H
#define VGL_JSON_PYJSON_H

#include <stddef.h>

struct vgl_buf;
struct vgl_json;

#define VGL_PYJSON_COMPACT   0x01   /* separators=(",", ":") */
#define VGL_PYJSON_SORT_KEYS 0x02   /* sort_keys=True */
#define VGL_PYJSON_UNICODE   0x04   /* ensure_ascii=False */

/*
 * Appends json.dumps(v, indent=indent or None, ...) to out.  indent < 0 means None (one
 * line).  Returns 0, or VGL_ELIMIT when out's cap is reached or v nests deeper than
 * VGL_PY_MAX_DEPTH.
 */
int vgl_pyjson_dumps(struct vgl_buf *out, const struct vgl_json *v, unsigned flags, int indent);

#endif
