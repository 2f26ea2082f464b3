/*
 * parse/jmespath.h: JMESPath expressions over vigil JSON values.
 *
 * StreamAlert's "json_path" schema option (compat 2.7, 2.8) is a JMESPath expression
 * evaluated by the Python jmespath package, version 0.10.0.  vigil compiles the
 * expression once when the config loads and evaluates it per payload record.  Results
 * follow jmespath 0.10.0, including its departures from the specification (string
 * ordering with < and >, optional commas in function calls and multi-select hashes, the
 * legacy `foo` string literal); docs/jmespath.md lists them and the known gaps.
 *
 * Ownership and lifetime: vgl_jmespath_compile() returns a heap object the caller owns
 * and frees with vgl_jmespath_free(); the expression text is copied, so the caller's
 * buffer may go at once.  A compiled expression is immutable: any number of threads may
 * evaluate it at the same time.  vgl_jmespath_eval() borrows its input and fills *out
 * with a value that may point into the input, into the compiled expression (literals)
 * or into the arena (new arrays, objects and strings): it is valid while all three live.
 * Evaluation never changes the input.
 *
 * Limits: the expression length, its nesting (parser recursion and tree depth), the
 * bytes an evaluation may allocate and the nodes it may visit are capped, so neither a
 * hostile config nor a hostile record can exhaust the stack, memory or time.
 */
#ifndef VGL_PARSE_JMESPATH_H
#define VGL_PARSE_JMESPATH_H

#include <stddef.h>

struct vgl_arena;
struct vgl_error;
struct vgl_json;
struct vgl_jmespath;

#define VGL_JMESPATH_MAX_LEN        (64 * 1024)        /* expression bytes */
#define VGL_JMESPATH_MAX_DEPTH      256                /* nesting of the expression */
#define VGL_JMESPATH_MAX_EVAL_BYTES ((size_t)64 << 20) /* allocated per evaluation */
#define VGL_JMESPATH_MAX_STEPS      50000000           /* nodes visited per evaluation */

/*
 * Compiles expr[0..len).  Returns NULL on error with err (VGL_EPARSE, VGL_EUTF8 for bytes
 * that are not UTF-8, or VGL_ELIMIT past the limits above) giving the 1-based column
 * (in bytes), what was expected and what was found:
 *   "column 5: expected ']', found ')'"
 * Unknown functions and wrong argument counts are compile errors.
 */
struct vgl_jmespath *vgl_jmespath_compile(const char *expr, size_t len, struct vgl_error *err);

/* Frees a compiled expression; NULL does nothing. */
void vgl_jmespath_free(struct vgl_jmespath *p);

/* The expression's source text (NUL-terminated), for messages. */
const char *vgl_jmespath_source(const struct vgl_jmespath *p);

/*
 * Evaluates p on in and sets *out (JSON null when nothing matches).  Returns 0, or
 * VGL_ETYPE for a function argument of the wrong type or an ordering comparison of a
 * string with a number (where jmespath.py raises), VGL_EINVAL for a value error
 * (ceil() of NaN), VGL_ELIMIT past the evaluation limits.  *out is untouched on error.
 */
int vgl_jmespath_eval(const struct vgl_jmespath *p, const struct vgl_json *in, struct vgl_arena *a,
                      struct vgl_json *out, struct vgl_error *err);

#endif
