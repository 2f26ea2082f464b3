/*
 * source/stdin.c: the stdin source, lines from fd 0 (a pipe, a terminal or a redirected
 * file; gzip too) through frame/lines.h.
 *
 * There is no checkpoint: a stream cannot be read again.  So failed() keeps the last batch
 * and hands it out once more; committed() lets it go.  next() waits for input with poll(),
 * so an idle pipe does not hold it past its timeout.  Contract: source.h, docs/source.md.
 */
#include "source/source.h"
#include "source/util.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"
#include "core/xmalloc.h"
#include "frame/lines.h"


struct stdin_source {
    struct vgl_source base;
    char *service, *resource;
    struct vgl_lines *rd;
    bool eof;
    /* Where the last line read ended, without its terminator (of 1 or 2 bytes). */
    uint64_t last_end;
    bool redeliver; /* failed(): hand out the same batch again */
    bool batch_eof;

    struct vgl_line_batch lb;
};


static void batch_add(struct stdin_source *s, const struct vgl_line *line)
{
    struct vgl_source_item *it = vgl_line_batch_add(&s->lb, line, s->service, s->resource);
    snprintf(it->position, sizeof it->position, "stdin:%" PRIu64, line->lineno);
}


/*
 * True when the reader surely holds unread bytes: more than the last line's "\r\n" past it.
 * (One byte past a "\n" is either the "\n" of a "\r\n" or an incomplete line: asking the
 * reader then could block.)  Unknown for gzip, where the reader is asked every time.
 */
static bool buffered(const struct stdin_source *s)
{
    if (vgl_lines_is_gzip(s->rd))
        return true;
    return vgl_lines_bytes_read(s->rd) > s->last_end + 2;
}

/* Waits up to ms (negative: no limit) for fd 0 to be readable or at its end. */
static int wait_input(int ms)
{
    struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
    int rc = poll(&p, 1, ms);
    return rc > 0 ? 1 : rc;
}

static void batch_finish(struct stdin_source *s, struct vgl_source_batch *b)
{
    vgl_line_batch_finish(&s->lb, b);
    b->eof = s->batch_eof;
}

static int stdin_next(struct vgl_source *src, struct vgl_source_batch *b, size_t max_items,
                      size_t max_bytes, int timeout_ms, struct vgl_error *err)
{
    struct stdin_source *s = (struct stdin_source *)src;
    memset(b, 0, sizeof *b);
    if (s->redeliver) {
        s->redeliver = false;
        batch_finish(s, b);
        return 0;
    }
    s->lb.n = s->lb.nbytes = 0;
    s->batch_eof = s->eof;
    if (max_items == 0)
        max_items = 1;
    uint64_t deadline = vgl_source_now_ms() + (timeout_ms > 0 ? (uint64_t)timeout_ms : 0);
    while (!s->eof && !vgl_line_batch_full(&s->lb, max_items, max_bytes)) {
        if (!buffered(s)) {
            /* the first line may be waited for; after it, only what is there already */
            uint64_t now = vgl_source_now_ms();
            int ms = s->lb.n == 0 && now < deadline ? (int)(deadline - now) : 0;
            int rc = wait_input(ms);
            if (rc < 0 && errno == EINTR)
                break;
            if (rc < 0) {
                if (s->lb.n)
                    break;
                return vgl_error_set(err, VGL_EIO, "stdin: poll failed: %s", strerror(errno));
            }
            if (rc == 0)
                break;
        }
        struct vgl_line line;
        struct vgl_error lerr = {0};
        int rc = vgl_lines_next(s->rd, &line, &lerr);
        if (rc < 0) {
            if (s->lb.n)
                break; /* the error is sticky: reported by the next call */
            if (err)
                *err = lerr;
            return rc;
        }
        if (rc == 0) {
            s->eof = s->batch_eof = true;
            break;
        }
        s->last_end = line.offset + (line.oversize ? line.oversize_len : line.len);
        if (!vgl_source_line_blank(&line))
            batch_add(s, &line);
    }
    batch_finish(s, b);
    return 0;
}

static void stdin_committed(struct vgl_source *src, struct vgl_source_batch *b)
{
    struct stdin_source *s = (struct stdin_source *)src;
    (void)b;
    s->redeliver = false;
    vgl_line_batch_reset(&s->lb);
}

static void stdin_failed(struct vgl_source *src, struct vgl_source_batch *b)
{
    struct stdin_source *s = (struct stdin_source *)src;
    (void)b;
    s->redeliver = true;
}

static void stdin_free(struct vgl_source *src)
{
    struct stdin_source *s = (struct stdin_source *)src;
    vgl_lines_free(s->rd);
    vgl_line_batch_release(&s->lb);
    free(s->service);
    free(s->resource);
    free(s->base.name);
    free(s);
}

static const struct vgl_source_ops stdin_ops = {
    .kind = "stdin",
    .next = stdin_next,
    .committed = stdin_committed,
    .failed = stdin_failed,
    .free = stdin_free,
};

struct vgl_source *vgl_source_stdin_new(const char *service, const char *resource,
                                        const struct vgl_source_opts *opts, struct vgl_error *err)
{
    size_t max = opts ? opts->max_record_bytes : 0;
    struct vgl_error e = {0};
    struct vgl_lines *rd = vgl_lines_from_fd(STDIN_FILENO, "<stdin>", max, &e);
    if (!rd) {
        vgl_error_set(err, e.code ? e.code : VGL_EIO, "stdin source: %s", e.msg);
        return NULL;
    }
    struct stdin_source *s = vgl_xcalloc(1, sizeof *s);
    s->base.ops = &stdin_ops;
    s->base.name = vgl_xstrdup("stdin");
    s->service = vgl_xstrdup(service ? service : "");
    s->resource = vgl_xstrdup(resource ? resource : "");
    s->rd = rd;
    return &s->base;
}
