/*
 * core/error.h: error codes and the error detail carried back to callers.
 *
 * A function that can fail returns 0 or a negative VGL_E* code.  The detail (what, where,
 * expected, found) goes into a caller-provided struct vgl_error, which may be NULL when
 * the caller does not want it.  vgl_error_set() fills it and returns the code, so a
 * failure is one statement:  return vgl_error_set(err, VGL_EPARSE, "...", ...);
 * Messages start lowercase, have no trailing period, and quote names.
 */
#ifndef VGL_CORE_ERROR_H
#define VGL_CORE_ERROR_H

#include <stddef.h>

/* X-macro list: name, value, text.  Values are negative. */
#define VGL_ERRNO_MAP(X)                                                 \
    X(EINVAL, -1, "invalid argument")                                    \
    X(EPARSE, -2, "parse error")                                         \
    X(ELIMIT, -3, "limit exceeded")                                      \
    X(ENOMATCH, -4, "no match")                                          \
    X(EIO, -5, "i/o error")                                              \
    X(ECONFIG, -6, "configuration error")                                \
    X(ENOMEM, -7, "out of memory")                                       \
    X(EAGAIN, -8, "temporary failure, try again")                        \
    X(ENOTFOUND, -9, "not found")                                        \
    X(ETYPE, -10, "wrong type")                                          \
    X(EUTF8, -11, "invalid utf-8")

enum vgl_errno {
#define VGL_ERRNO_ENUM_(name, val, text) VGL_##name = val,
    VGL_ERRNO_MAP(VGL_ERRNO_ENUM_)
#undef VGL_ERRNO_ENUM_
};

#define VGL_ERROR_MSG_MAX 512

struct vgl_error {
    int code;                      /* 0 or a VGL_E* value */
    char msg[VGL_ERROR_MSG_MAX];   /* NUL-terminated detail; truncated when longer */
};

/* Sets err (if not NULL) to code and the formatted message; returns code. */
int vgl_error_set(struct vgl_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes the existing message with the formatted text and ": "; returns err->code. */
int vgl_error_prefix(struct vgl_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void vgl_error_clear(struct vgl_error *err);

/* Static text for a code ("parse error"); "unknown error" for anything else. */
const char *vgl_strerror(int code);

/* Static name for a code ("EPARSE"). */
const char *vgl_err_name(int code);

/* Aborts with file:line: for programmer mistakes only, never for bad input. */
#define VGL_BUG(msg) vgl_bug_(__FILE__, __LINE__, msg)
_Noreturn void vgl_bug_(const char *file, int line, const char *msg);

#endif
