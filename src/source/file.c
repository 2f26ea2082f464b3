/*
 * source/file.c: the file source, which tails one file the way `tail -F` does.
 *
 * The file is read through frame/lines.h from the checkpointed offset.  At the end of the
 * data, next() polls (short sleeps, up to its timeout) for more; a line without its "\n" is
 * held back until the newline comes.  Rotation is followed by name: when the path names
 * another inode, the old file (still open) is read to its end first, then the new one from
 * offset 0.  A file that shrinks below what was read (copytruncate) is read again from 0.
 * A gzip file is read once, whole (it cannot grow meaningfully).  Contract: source.h and
 * docs/source.md.
 */
#include "source/source.h"
#include "source/util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "frame/lines.h"

/* Sleep between two looks at a file that has no new data. */
#define POLL_MS 25
/* The batch buffer is given back after a commit when it grew past this. */
/* Longer paths are shortened to a hash in positions, so "#i..:o.." always fits. */
#define POS_PATH_MAX 180

/* A place in one file: the byte after the last consumed line. */
struct fpos {
    ino_t ino;
    uint64_t off, lineno;
};

struct file_source {
    struct vgl_source base;
    char *path, *service, *resource;
    char key[VGL_SOURCE_CP_KEY_MAX];
    char pos_path[POS_PATH_MAX + 20]; /* the path, or "h<hash>" when it is long */
    size_t max;

    /* The open file; fd < 0 while the path does not exist yet. */
    int fd;
    dev_t dev;
    ino_t ino;
    bool gz;        /* gzip: read once, whole */
    bool gz_done;   /* ... and that was done */
    bool finishing; /* rotated away: deliver a final line without "\n" too */
    int open_errno; /* last open() failure that was logged, to log each kind once */

    /* Stored checkpoint not applied yet (the file was not there at start). */
    bool restore;
    struct fpos restore_pos;

    /* Reader over fd, started at stream offset rd_base after rd_lbase lines. */
    struct vgl_lines *rd;
    uint64_t rd_base, rd_lbase;
    uint64_t end_read; /* plain: bytes of the file seen so far (held-back line included) */

    /* Read cursor.  pending: off is not known exactly yet, the last consumed line started at
     * last_at and ended (before its terminator) at last_end. */
    struct fpos cur;
    bool pending;
    uint64_t last_at, last_end;

    struct vgl_error read_err; /* a read error met after some lines: reported next time */
    bool opened_once;

    struct fpos delivered; /* end of the last batch handed out */
    struct fpos committed; /* end of the last batch committed (where failed() goes back) */

    /* The batch being built: items and a copy of their bytes. */
    struct vgl_line_batch lb;
    bool advanced; /* lines were consumed (maybe only blank ones) */
};

static const struct vgl_source_ops file_ops;





/* ---- the batch being built ---- */

static void batch_start(struct file_source *s)
{
    s->lb.n = s->lb.nbytes = 0;
    s->advanced = false;
}

static void batch_add(struct file_source *s, const struct vgl_line *line, uint64_t at)
{
    struct vgl_source_item *it = vgl_line_batch_add(&s->lb, line, s->service, s->resource);
    snprintf(it->position, sizeof it->position, "%s#i%ju:o%" PRIu64, s->pos_path,
             (uintmax_t)s->ino, at);
}


/* ---- the cursor ---- */

/* Makes cur.off exact: the last consumed line's terminator was "\n" or "\r\n" (or nothing,
 * at the very end); a byte of the file says which. */
static void resolve_cursor(struct file_source *s)
{
    if (!s->pending)
        return;
    s->pending = false;
    if (s->gz) {
        /* gzip resumes by skipping lines that start before off: any value past the line's
         * start will do */
        s->cur.off = s->last_end + 1;
        return;
    }
    char c = 0;
    ssize_t got = pread(s->fd, &c, 1, (off_t)s->last_end);
    if (got <= 0)
        s->cur.off = s->last_end;
    else
        s->cur.off = s->last_end + (c == '\r' ? 2 : 1);
}

static void close_reader(struct file_source *s)
{
    vgl_lines_free(s->rd);
    s->rd = NULL;
}

static void close_file(struct file_source *s)
{
    close_reader(s);
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    s->gz = s->gz_done = s->finishing = false;
    s->pending = false;
}

/* Points the cursor at offset 0 of the open file. */
static void start_at_zero(struct file_source *s)
{
    close_reader(s);
    s->cur = (struct fpos){.ino = s->ino};
    s->end_read = 0;
    s->pending = false;
    s->gz_done = false;
}

/* Applies a stored checkpoint to the file just opened (size: its size). */
static void apply_restore(struct file_source *s, uint64_t size)
{
    struct fpos p = s->restore_pos;
    s->restore = false;
    if (p.ino != s->ino) {
        vgl_info(s->base.name,
                 "the file was rotated while vigil was down: reading the new file from the "
                 "start; the rest of the old one (after offset %" PRIu64 ") is not known",
                 p.off);
        return;
    }
    if (!s->gz && p.off > size) {
        vgl_warn(s->base.name,
                 "the file is shorter (%" PRIu64 " bytes) than its checkpoint (offset %" PRIu64
                 "): it was truncated, reading it again from the start",
                 size, p.off);
        return;
    }
    s->cur = p;
    s->end_read = p.off;
}

/* Opens the path when it exists; returns true when it is open. */
static bool open_file(struct file_source *s)
{
    int fd = open(s->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno != s->open_errno) {
            s->open_errno = errno;
            if (errno == ENOENT)
                vgl_info(s->base.name, "does not exist yet: waiting for it");
            else
                vgl_warn(s->base.name, "cannot open: %s (trying again)", strerror(errno));
        }
        return false;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        if (s->open_errno != EISDIR) {
            s->open_errno = EISDIR;
            vgl_warn(s->base.name, "is not a readable file (trying again)");
        }
        close(fd);
        return false;
    }
    s->open_errno = 0;
    s->fd = fd;
    s->dev = st.st_dev;
    s->ino = st.st_ino;
    unsigned char magic[2];
    s->gz = pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    start_at_zero(s);
    if (s->restore)
        apply_restore(s, (uint64_t)st.st_size);
    if (!s->opened_once) {
        /* where a failed() before any commit goes back to */
        s->opened_once = true;
        s->delivered = s->committed = s->cur;
    }
    return true;
}

/* Starts a reader where the cursor is, when there is something to read; true if started. */
static bool open_reader(struct file_source *s, struct vgl_error *err)
{
    if (s->gz) {
        if (s->gz_done || lseek(s->fd, 0, SEEK_SET) < 0)
            return false;
        s->rd_base = 0;
        s->rd_lbase = 0;
    } else {
        struct stat st;
        if (fstat(s->fd, &st) != 0)
            return false;
        uint64_t size = (uint64_t)st.st_size;
        bool grew = size > s->end_read;
        bool final_line = s->finishing && s->end_read > s->cur.off && size > s->cur.off;
        if (!grew && !final_line)
            return false;
        if (lseek(s->fd, (off_t)s->cur.off, SEEK_SET) < 0)
            return false;
        s->rd_base = s->cur.off;
        s->rd_lbase = s->cur.lineno;
    }
    s->rd = vgl_lines_from_fd(s->fd, s->path, s->max, err);
    return s->rd != NULL;
}

/*
 * Reads lines into the batch: 1 when it is full, 0 when the data available now ended (or
 * a line waits for its "\n"), or a negative code.
 */
static int read_lines(struct file_source *s, size_t max_items, size_t max_bytes,
                      struct vgl_error *err)
{
    if (!s->rd && !open_reader(s, err))
        return err && err->code ? err->code : 0;
    /* gzip restarts from 0 and skips what was consumed before */
    uint64_t skip_below = s->gz ? s->cur.off : 0;
    for (;;) {
        if (vgl_line_batch_full(&s->lb, max_items, max_bytes))
            return 1;
        struct vgl_line line;
        struct vgl_error lerr = {0};
        int rc = vgl_lines_next(s->rd, &line, &lerr);
        if (rc < 0) {
            close_reader(s);
            return vgl_error_set(err, rc, "%s: %s", s->base.name, lerr.msg);
        }
        if (rc == 0) {
            if (s->gz) {
                resolve_cursor(s);
                s->gz_done = true;
            } else {
                s->cur.off = s->rd_base + vgl_lines_bytes_read(s->rd);
                s->end_read = s->cur.off;
                s->pending = false;
            }
            close_reader(s);
            return 0;
        }
        uint64_t at = s->rd_base + line.offset;
        uint64_t len = line.oversize ? line.oversize_len : line.len;
        if (s->gz && at < skip_below) {
            s->cur.lineno = s->rd_lbase + line.lineno;
            continue;
        }
        /* everything before this line is consumed, terminators included */
        s->cur.off = at;
        s->pending = false;
        if (!s->gz && !s->finishing && line.offset + len == vgl_lines_bytes_read(s->rd)) {
            /* no "\n" after it yet: a writer may be in the middle of it */
            s->end_read = s->rd_base + vgl_lines_bytes_read(s->rd);
            close_reader(s);
            return 0;
        }
        s->cur.lineno = s->rd_lbase + line.lineno;
        s->pending = true;
        s->last_at = at;
        s->last_end = at + len;
        s->advanced = true;
        if (!vgl_source_line_blank(&line))
            batch_add(s, &line, at);
    }
}

/* Switches to the file the path names now. */
static void switch_file(struct file_source *s)
{
    vgl_info(s->base.name, "rotated: the old file was read to its end (offset %" PRIu64
             "), now reading the new one", s->cur.off);
    close_file(s);
    open_file(s);
}

/*
 * Looks at the file once the data available was read: 1 when there is something new
 * (more bytes, a truncation, a rotation), 0 when not.
 */
static int check_file(struct file_source *s)
{
    struct stat pst, st;
    bool rotated = stat(s->path, &pst) == 0 && (pst.st_ino != s->ino || pst.st_dev != s->dev);
    if (s->gz) {
        if (!rotated)
            return 0;
        switch_file(s);
        return 1;
    }
    /* fstat after stat: what was written to the old file before the rename is read too */
    if (fstat(s->fd, &st) != 0)
        return 0;
    uint64_t size = (uint64_t)st.st_size;
    if (!rotated && size < s->end_read) {
        vgl_warn(s->base.name,
                 "shrank from %" PRIu64 " to %" PRIu64 " bytes (copytruncate?): reading it "
                 "again from the start",
                 s->end_read, size);
        start_at_zero(s);
        return 1;
    }
    if (size > s->end_read)
        return 1;
    if (!rotated)
        return 0;
    if (s->end_read > s->cur.off && !s->finishing) {
        /* the old file's last line has no "\n" and never will: deliver it */
        s->finishing = true;
        return 1;
    }
    switch_file(s);
    return 1;
}

static void batch_finish(struct file_source *s, struct vgl_source_batch *b)
{
    vgl_line_batch_finish(&s->lb, b);
    if (s->advanced) {
        resolve_cursor(s);
        s->delivered = s->cur;
        struct vgl_source_checkpoint *cp = &b->cps[b->ncps++];
        snprintf(cp->key, sizeof cp->key, "%s", s->key);
        snprintf(cp->value, sizeof cp->value, "i%ju:o%" PRIu64 ":l%" PRIu64,
                 (uintmax_t)s->cur.ino, s->cur.off, s->cur.lineno);
    }
}

static int file_next(struct vgl_source *src, struct vgl_source_batch *b, size_t max_items,
                     size_t max_bytes, int timeout_ms, struct vgl_error *err)
{
    struct file_source *s = (struct file_source *)src;
    memset(b, 0, sizeof *b);
    batch_start(s);
    if (s->read_err.code) {
        int code = s->read_err.code;
        if (err)
            *err = s->read_err;
        vgl_error_clear(&s->read_err);
        return code;
    }
    if (max_items == 0)
        max_items = 1;
    uint64_t deadline = vgl_source_now_ms() + (timeout_ms > 0 ? (uint64_t)timeout_ms : 0);
    for (;;) {
        if (s->fd >= 0 || open_file(s)) {
            struct vgl_error e = {0};
            int rc = read_lines(s, max_items, max_bytes, &e);
            if (rc < 0) {
                if (s->advanced) {
                    /* hand out the lines before the error first */
                    s->read_err = e;
                    break;
                }
                if (err)
                    *err = e;
                return rc;
            }
            if (rc > 0 || s->advanced)
                break;
            if (check_file(s) > 0)
                continue;
        }
        if (!vgl_source_poll_wait(deadline, POLL_MS))
            break;
    }
    batch_finish(s, b);
    return 0;
}

static void file_committed(struct vgl_source *src, struct vgl_source_batch *b)
{
    struct file_source *s = (struct file_source *)src;
    (void)b;
    s->committed = s->delivered;
    vgl_line_batch_reset(&s->lb);
}

static void file_failed(struct vgl_source *src, struct vgl_source_batch *b)
{
    struct file_source *s = (struct file_source *)src;
    (void)b;
    if (s->fd < 0)
        return;
    close_reader(s);
    s->pending = false;
    s->gz_done = false;
    s->finishing = false;
    if (s->committed.ino == s->ino) {
        s->cur = s->committed;
    } else {
        /* the committed position is the end of the previous file (a batch never spans
         * two files): the current one starts at 0 */
        s->cur = (struct fpos){.ino = s->ino};
    }
    s->end_read = s->cur.off;
    s->delivered = s->cur;
}

static void file_free(struct vgl_source *src)
{
    struct file_source *s = (struct file_source *)src;
    close_file(s);
    vgl_line_batch_release(&s->lb);
    free(s->path);
    free(s->service);
    free(s->resource);
    free(s->base.name);
    free(s);
}

static const struct vgl_source_ops file_ops = {
    .kind = "file",
    .next = file_next,
    .committed = file_committed,
    .failed = file_failed,
    .free = file_free,
};

/* Parses "i<inode>:o<offset>:l<lineno>". */
static bool parse_checkpoint(const char *v, struct fpos *out)
{
    uintmax_t ino;
    uint64_t off, lineno;
    int used = 0;
    if (sscanf(v, "i%ju:o%" SCNu64 ":l%" SCNu64 "%n", &ino, &off, &lineno, &used) != 3 ||
        v[used] != '\0')
        return false;
    out->ino = (ino_t)ino;
    out->off = off;
    out->lineno = lineno;
    return true;
}

struct vgl_source *vgl_source_file_new(const char *path, const char *service, const char *resource,
                                       const struct vgl_source_opts *opts, struct vgl_error *err)
{
    if (!path || !*path) {
        vgl_error_set(err, VGL_EINVAL, "file source: empty path");
        return NULL;
    }
    char *abs = vgl_source_absolute_path(path);
    if (!abs) {
        vgl_error_set(err, VGL_EIO, "file source '%s': cannot find the working directory: %s",
                      path, strerror(errno));
        return NULL;
    }
    if (strlen(abs) + sizeof "file:" > VGL_SOURCE_CP_KEY_MAX) {
        vgl_error_set(err, VGL_ELIMIT, "file source '%s': path longer than %d bytes", abs,
                      VGL_SOURCE_CP_KEY_MAX - 6);
        free(abs);
        return NULL;
    }
    struct stat st;
    if (stat(abs, &st) == 0 && S_ISDIR(st.st_mode)) {
        vgl_error_set(err, VGL_EINVAL, "file source '%s': is a directory (use a dir source)", abs);
        free(abs);
        return NULL;
    }
    struct file_source *s = vgl_xcalloc(1, sizeof *s);
    s->base.ops = &file_ops;
    size_t n = strlen(abs) + 16;
    s->base.name = vgl_xmalloc(n);
    snprintf(s->base.name, n, "file '%s'", abs);
    s->path = abs;
    s->service = vgl_xstrdup(service ? service : "");
    s->resource = vgl_xstrdup(resource ? resource : "");
    s->max = opts && opts->max_record_bytes ? opts->max_record_bytes : VGL_LINES_DEFAULT_MAX;
    s->fd = -1;
    snprintf(s->key, sizeof s->key, "file:%s", abs);
    if (strlen(abs) <= POS_PATH_MAX)
        snprintf(s->pos_path, sizeof s->pos_path, "%s", abs);
    else
        snprintf(s->pos_path, sizeof s->pos_path, "h%016" PRIx64, vgl_source_fnv1a64(abs));

    char value[VGL_SOURCE_CP_VALUE_MAX];
    if (opts && opts->checkpoint_get &&
        opts->checkpoint_get(opts->checkpoint_ud, s->key, value, sizeof value)) {
        if (parse_checkpoint(value, &s->restore_pos))
            s->restore = true;
        else
            vgl_warn(s->base.name, "ignoring checkpoint '%s': expected i<inode>:o<offset>:l<line>",
                     value);
    }
    open_file(s);
    return &s->base;
}
