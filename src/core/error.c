/*
 * core/error.c: error codes, their texts, and the error-detail buffer.
 */
#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vgl_error_set(struct vgl_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

int vgl_error_prefix(struct vgl_error *err, const char *fmt, ...)
{
    if (!err)
        return VGL_EINVAL;
    char head[VGL_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    size_t hl = strlen(head), ml = strlen(err->msg);
    if (hl + 2 >= sizeof err->msg)
        hl = sizeof err->msg - 3;
    if (hl + 2 + ml >= sizeof err->msg)
        ml = sizeof err->msg - hl - 3;
    memmove(err->msg + hl + 2, err->msg, ml);
    memcpy(err->msg, head, hl);
    err->msg[hl] = ':';
    err->msg[hl + 1] = ' ';
    err->msg[hl + 2 + ml] = '\0';
    return err->code;
}

void vgl_error_clear(struct vgl_error *err)
{
    if (err) {
        err->code = 0;
        err->msg[0] = '\0';
    }
}

const char *vgl_strerror(int code)
{
    switch (code) {
    case 0:
        return "ok";
#define VGL_ERRNO_TEXT_(name, val, text) \
    case val:                            \
        return text;
        VGL_ERRNO_MAP(VGL_ERRNO_TEXT_)
#undef VGL_ERRNO_TEXT_
    }
    return "unknown error";
}

const char *vgl_err_name(int code)
{
    switch (code) {
    case 0:
        return "OK";
#define VGL_ERRNO_NAME_(name, val, text) \
    case val:                            \
        return #name;
        VGL_ERRNO_MAP(VGL_ERRNO_NAME_)
#undef VGL_ERRNO_NAME_
    }
    return "EUNKNOWN";
}

void vgl_bug_(const char *file, int line, const char *msg)
{
    fprintf(stderr, "vigil: BUG at %s:%d: %s\n", file, line, msg);
    abort();
}
