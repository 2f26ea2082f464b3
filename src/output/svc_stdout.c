/*
 * output/svc_stdout.c: vigil's stdout output (docs/output-local.md): one line per alert,
 * the publication as compact UTF-8 JSON, written whole under the stream's lock and flushed,
 * to env->stdout_stream (default stdout).  No credentials.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "json/pyjson.h"
#include "output/output.h"

static int step(struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                struct vgl_http_request *req, struct vgl_error *err)
{
    FILE *f = ctx->env->stdout_stream ? ctx->env->stdout_stream : stdout;
    struct vgl_buf line;
    vgl_buf_init(&line, 0);
    int rc = vgl_pyjson_dumps(&line, ctx->pub, VGL_PYJSON_COMPACT | VGL_PYJSON_UNICODE, -1);
    if (!rc)
        rc = vgl_buf_putc(&line, '\n');
    if (rc) {
        rc = vgl_error_set(err, rc, "output '%s:%s': cannot serialize the publication",
                           ctx->service, ctx->descriptor);
        goto out;
    }
    flockfile(f);
    size_t n = fwrite(line.data, 1, line.len, f);
    int flushed = fflush(f);
    int e = errno;
    funlockfile(f);
    if (n != line.len || flushed != 0)
        rc = vgl_error_set(err, VGL_EIO, "output '%s:%s': cannot write to standard output: %s",
                           ctx->service, ctx->descriptor, strerror(e));
out:
    vgl_buf_release(&line);
    return rc;
}

const struct vgl_output_ops vgl_output_stdout = {
    .name = "stdout",
    .form = VGL_OUTPUT_LIST,
    .step = step,
    .local = true,
};
