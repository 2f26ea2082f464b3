/*
 * output/svc_file.c: vigil's file output (docs/output-local.md).  Object form: outputs.json
 * maps the descriptor to a path (relative paths start at env->data_dir).  Each alert
 * appends one line, the publication as compact UTF-8 JSON, with a single write() on an
 * O_APPEND descriptor (so concurrent writers never interleave lines).  The parent
 * directories are created (0750) as needed.
 *
 * Durability is batched: a file written by a step stays open until the dispatcher calls
 * ops->sync() (before it commits the deliveries of its turn as sent), which fsyncs and
 * closes every file written since.  So a delivery is never recorded as sent before its line
 * is on disk, and a turn of many alerts to one file costs one open and one fsync.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"
#include "json/pyjson.h"
#include "output/output.h"

/* mkdir -p of the directories above path (path itself is the file). */
static int make_parents(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int rc = mkdir(path, 0750);
        int e = errno;
        *p = '/';
        if (rc != 0 && e != EEXIST)
            return -e;
    }
    return 0;
}

/* Files written since the last sync (one process, one dispatcher: no locking). */
#define OPEN_MAX 32
static struct open_file {
    char *path;
    int fd;
} open_files[OPEN_MAX];
static size_t nopen;

static int sync_all(struct vgl_error *err)
{
    int rc = 0;
    for (size_t i = 0; i < nopen; i++) {
        if (fsync(open_files[i].fd) != 0 && rc == 0)
            rc = vgl_error_set(err, VGL_EIO, "file output: cannot fsync '%s': %s", open_files[i].path,
                               strerror(errno));
        if (close(open_files[i].fd) != 0 && rc == 0)
            rc = vgl_error_set(err, VGL_EIO, "file output: cannot close '%s': %s", open_files[i].path,
                               strerror(errno));
        free(open_files[i].path);
    }
    nopen = 0;
    return rc;
}

static int write_line(struct vgl_output_ctx *ctx, const char *path, const char *line, size_t len,
                      struct vgl_error *err)
{
    int fd = -1;
    bool cached = false;
    for (size_t i = 0; i < nopen && fd < 0; i++) {
        if (strcmp(open_files[i].path, path) == 0) {
            fd = open_files[i].fd;
            cached = true;
        }
    }
    if (fd < 0) {
        char *p = vgl_output_fmt(ctx, "%s", path);
        int e = make_parents(p);
        if (e)
            return vgl_error_set(err, VGL_EIO, "output '%s:%s': cannot create the folder of '%s': %s",
                                 ctx->service, ctx->descriptor, path, strerror(-e));
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
        if (fd < 0)
            return vgl_error_set(err, VGL_EIO, "output '%s:%s': cannot open '%s': %s", ctx->service,
                                 ctx->descriptor, path, strerror(errno));
        if (nopen < OPEN_MAX) {
            open_files[nopen].path = strdup(path);
            if (open_files[nopen].path) {
                open_files[nopen++].fd = fd;
                cached = true;
            }
        }
    }
    int rc = 0;
    ssize_t n;
    do {
        n = write(fd, line, len);
    } while (n < 0 && errno == EINTR);
    if (n < 0 || (size_t)n != len) {
        /* a short write leaves a partial line; the next attempt appends a whole one */
        rc = vgl_error_set(err, VGL_EIO, "output '%s:%s': cannot write to '%s': %s",
                           ctx->service, ctx->descriptor, path,
                           n < 0 ? strerror(errno) : "short write");
    }
    if (cached)
        return rc;   /* fsynced and closed by sync_all() */
    if (rc == 0 && fsync(fd) != 0)
        rc = vgl_error_set(err, VGL_EIO, "output '%s:%s': cannot fsync '%s': %s", ctx->service,
                           ctx->descriptor, path, strerror(errno));
    if (close(fd) != 0 && rc == 0)
        rc = vgl_error_set(err, VGL_EIO, "output '%s:%s': cannot close '%s': %s", ctx->service,
                           ctx->descriptor, path, strerror(errno));
    return rc;
}

static int step(struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                struct vgl_http_request *req, struct vgl_error *err)
{
    if (!ctx->resource || !*ctx->resource)
        return vgl_error_set(err, VGL_ECONFIG,
                             "output '%s:%s': no path configured (conf/outputs.json: {\"file\": "
                             "{\"%s\": \"<path>\"}})",
                             ctx->service, ctx->descriptor, ctx->descriptor);
    const char *path = ctx->resource;
    if (path[0] != '/') {
        const char *dir = ctx->env->data_dir && *ctx->env->data_dir ? ctx->env->data_dir : ".";
        path = vgl_output_fmt(ctx, "%s/%s", dir, path);
    }
    struct vgl_buf line;
    vgl_buf_init(&line, 0);
    int rc = vgl_pyjson_dumps(&line, ctx->pub, VGL_PYJSON_COMPACT | VGL_PYJSON_UNICODE, -1);
    if (!rc)
        rc = vgl_buf_putc(&line, '\n');
    if (rc)
        rc = vgl_error_set(err, rc, "output '%s:%s': cannot serialize the publication",
                           ctx->service, ctx->descriptor);
    else
        rc = write_line(ctx, path, line.data, line.len, err);
    vgl_buf_release(&line);
    return rc;
}

const struct vgl_output_ops vgl_output_file = {
    .name = "file",
    .form = VGL_OUTPUT_OBJECT,
    .step = step,
    .sync = sync_all,
    .local = true,
};
