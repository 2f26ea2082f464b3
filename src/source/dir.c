/*
 * source/dir.c: the directory source, a drop folder of log files.
 *
 * Every regular file in the directory (not hidden, not "*.tmp") is read once to its end,
 * plain or gzip (frame/lines.h tells them apart by their magic bytes), oldest mtime first,
 * then by name; files that appear later are picked up by a rescan (at most every 200 ms).
 * A file is finished once it was read to its end and has not been modified for a second,
 * so one still being written is not cut short; its last line is held back until then.
 * With several workers each file belongs to one of them, by a hash of its name.  Contract:
 * source.h and docs/source.md.
 */
#include "source/source.h"
#include "source/util.h"

#include <dirent.h>
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

#define POLL_MS 25
/* Rescan the directory at most this often. */
#define RESCAN_MS 200
/* A file not modified for this long, and read to its end, is finished. */
#define QUIET_NS 1000000000LL
#define POS_PATH_MAX 180

enum fstate {
    F_NEW,    /* not read yet */
    F_ACTIVE, /* partly read: more may come */
    F_DONE,   /* read to its end and quiet: never read again */
    F_FAILED, /* could not be read (logged); not checkpointed, so a restart tries again */
};

struct dfile {
    char *name, *path;
    char pos_path[POS_PATH_MAX + 20];
    ino_t ino;
    uint64_t size;
    struct timespec mtime;
    bool gz, gz_known; /* gz_known: the magic bytes were there to look at */
    enum fstate state;
    uint64_t off, lineno; /* cursor: after the last consumed line (decompressed) */
    uint64_t end_read;    /* plain: bytes of the file seen so far */
    /* As of the last committed batch (failed() goes back there). */
    enum fstate c_state;
    uint64_t c_off, c_lineno;
    bool seen; /* in the latest scan */
};

struct dir_source {
    struct vgl_source base;
    char *dir, *service, *resource;
    size_t max;
    int worker, nworkers;
    vgl_checkpoint_get_fn checkpoint_get;
    void *checkpoint_ud;

    struct dfile **files; /* sorted by name */
    size_t nfiles, files_cap;
    bool scanned;
    uint64_t last_scan;
    int scan_errno; /* last opendir() failure logged */

    /* The file being read. */
    struct dfile *cur;
    int fd;
    struct vgl_lines *rd;
    uint64_t rd_base, rd_lbase, skip_below;
    bool finishing; /* quiet: deliver a final line without "\n" too */
    bool gz_eof;
    bool pending; /* cur->off not exact yet: the last line ended at last_end */
    uint64_t last_end;

    /* The file of the last batch handed out, until committed() or failed(). */
    struct dfile *bfile;

    struct vgl_line_batch lb;
    bool advanced, done_now;
};






/* True when f was last modified at least QUIET_NS ago. */
static bool quiet(const struct dfile *f)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    long long d = (long long)(now.tv_sec - f->mtime.tv_sec) * 1000000000LL +
                  (now.tv_nsec - f->mtime.tv_nsec);
    return d >= QUIET_NS;
}

static void note_stat(struct dfile *f, const struct stat *st)
{
    f->ino = st->st_ino;
    f->size = (uint64_t)st->st_size;
    f->mtime = st->st_mtim;
}

/* ---- the batch ---- */

static void batch_add(struct dir_source *s, const struct vgl_line *line, uint64_t at)
{
    struct vgl_source_item *it = vgl_line_batch_add(&s->lb, line, s->service, s->resource);
    snprintf(it->position, sizeof it->position, "%s#o%" PRIu64, s->cur->pos_path, at);
}


/* ---- the file list ---- */

static size_t find_slot(const struct dir_source *s, const char *name, bool *found)
{
    size_t lo = 0, hi = s->nfiles;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(s->files[mid]->name, name);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

static void dfile_free(struct dfile *f)
{
    if (!f)
        return;
    free(f->name);
    free(f->path);
    free(f);
}

/* Parses "o<offset>:l<line>". */
static bool parse_checkpoint(const char *v, uint64_t *off, uint64_t *lineno)
{
    int used = 0;
    return sscanf(v, "o%" SCNu64 ":l%" SCNu64 "%n", off, lineno, &used) == 2 && v[used] == '\0';
}

static void restore_file(struct dir_source *s, struct dfile *f)
{
    char key[VGL_SOURCE_CP_KEY_MAX], value[VGL_SOURCE_CP_VALUE_MAX];
    if (!s->checkpoint_get)
        return;
    snprintf(key, sizeof key, "dir:%s", f->path);
    if (!s->checkpoint_get(s->checkpoint_ud, key, value, sizeof value))
        return;
    if (strcmp(value, "done") == 0) {
        f->state = F_DONE;
    } else if (parse_checkpoint(value, &f->off, &f->lineno)) {
        f->state = F_ACTIVE;
        f->end_read = f->off;
    } else {
        vgl_warn(s->base.name, "file '%s': ignoring checkpoint '%s': expected done or "
                 "o<offset>:l<line>", f->path, value);
    }
    f->c_state = f->state;
    f->c_off = f->off;
    f->c_lineno = f->lineno;
}

static struct dfile *add_file(struct dir_source *s, size_t slot, const char *name)
{
    struct dfile *f = vgl_xcalloc(1, sizeof *f);
    f->name = vgl_xstrdup(name);
    size_t n = strlen(s->dir) + strlen(name) + 2;
    f->path = vgl_xmalloc(n);
    snprintf(f->path, n, "%s/%s", strcmp(s->dir, "/") == 0 ? "" : s->dir, name);
    if (strlen(f->path) <= POS_PATH_MAX)
        snprintf(f->pos_path, sizeof f->pos_path, "%s", f->path);
    else
        snprintf(f->pos_path, sizeof f->pos_path, "h%016" PRIx64, vgl_source_fnv1a64(f->path));
    f->seen = true;
    s->files = vgl_xgrow(s->files, &s->files_cap, s->nfiles + 1, sizeof *s->files);
    memmove(s->files + slot + 1, s->files + slot, (s->nfiles - slot) * sizeof *s->files);
    s->files[slot] = f;
    s->nfiles++;
    if (strlen(f->path) + sizeof "dir:" > VGL_SOURCE_CP_KEY_MAX) {
        vgl_warn(s->base.name, "skipping file '%s': its path is longer than %d bytes", f->path,
                 VGL_SOURCE_CP_KEY_MAX - 5);
        f->state = f->c_state = F_FAILED;
        return f;
    }
    restore_file(s, f);
    return f;
}

static bool skip_name(const struct dir_source *s, const char *name)
{
    size_t n = strlen(name);
    if (name[0] == '.' || (n >= 4 && strcmp(name + n - 4, ".tmp") == 0))
        return true;
    return s->nworkers > 1 && (int)(vgl_source_fnv1a32(name) % (uint32_t)s->nworkers) != s->worker;
}

/* Lists the directory: new files are added, known ones get their size and mtime updated,
 * files gone are forgotten. */
static void scan(struct dir_source *s)
{
    s->scanned = true;
    s->last_scan = vgl_source_now_ms();
    DIR *d = opendir(s->dir);
    if (!d) {
        if (errno != s->scan_errno) {
            s->scan_errno = errno;
            vgl_warn(s->base.name, "cannot list: %s (trying again)", strerror(errno));
        }
        return;
    }
    if (s->scan_errno) {
        vgl_info(s->base.name, "can be listed again");
        s->scan_errno = 0;
    }
    for (size_t i = 0; i < s->nfiles; i++)
        s->files[i]->seen = false;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *name = de->d_name;
        if (skip_name(s, name))
            continue;
        bool found;
        size_t slot = find_slot(s, name, &found);
        struct dfile *f = found ? s->files[slot] : NULL;
        if (f) {
            f->seen = true;
            if (f->state == F_DONE || f->state == F_FAILED || f == s->cur)
                continue;
        }
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", s->dir, name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (!f)
            f = add_file(s, slot, name);
        note_stat(f, &st);
    }
    closedir(d);
    for (size_t i = 0; i < s->nfiles;) {
        struct dfile *f = s->files[i];
        if (f->seen || f == s->cur || f == s->bfile) {
            i++;
            continue;
        }
        if (f->state == F_NEW || f->state == F_ACTIVE)
            vgl_warn(s->base.name, "file '%s' went away before it was read to its end", f->path);
        dfile_free(f);
        memmove(s->files + i, s->files + i + 1, (s->nfiles - i - 1) * sizeof *s->files);
        s->nfiles--;
    }
}

/* ---- reading the current file ---- */

static bool ready(const struct dfile *f)
{
    if (f->state == F_DONE || f->state == F_FAILED)
        return false;
    if (f->gz_known && f->gz)
        return quiet(f); /* a gzip file is read whole, once complete */
    if (f->state == F_NEW)
        return true;
    /* ACTIVE: when it grew, or went quiet (then it can be finished) */
    return f->size > f->end_read || quiet(f);
}

/* The ready file with the oldest mtime (then the first by name), or NULL. */
static struct dfile *pick(struct dir_source *s)
{
    struct dfile *best = NULL;
    for (size_t i = 0; i < s->nfiles; i++) {
        struct dfile *f = s->files[i];
        if (!ready(f))
            continue;
        if (!best || f->mtime.tv_sec < best->mtime.tv_sec ||
            (f->mtime.tv_sec == best->mtime.tv_sec && f->mtime.tv_nsec < best->mtime.tv_nsec))
            best = f;
    }
    return best;
}

static void resolve_cursor(struct dir_source *s)
{
    struct dfile *f = s->cur;
    if (!f || !s->pending)
        return;
    s->pending = false;
    if (f->gz) {
        f->off = s->last_end + 1; /* gzip resumes by skipping lines that start before it */
        return;
    }
    char c = 0;
    ssize_t got = pread(s->fd, &c, 1, (off_t)s->last_end);
    f->off = s->last_end + (got <= 0 ? 0 : c == '\r' ? 2 : 1);
}

static void close_cur(struct dir_source *s)
{
    resolve_cursor(s);
    vgl_lines_free(s->rd);
    s->rd = NULL;
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    s->cur = NULL;
    s->finishing = s->gz_eof = false;
}

/* Opens f to read it; false when it cannot be read now. */
static bool open_cur(struct dir_source *s, struct dfile *f)
{
    int fd = open(f->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno != ENOENT)
            vgl_error(s->base.name, "file '%s': cannot open: %s", f->path, strerror(errno));
        f->state = F_FAILED;
        return false;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        vgl_error(s->base.name, "file '%s': cannot stat: %s", f->path, strerror(errno));
        f->state = F_FAILED;
        close(fd);
        return false;
    }
    note_stat(f, &st);
    unsigned char magic[2];
    f->gz_known = pread(fd, magic, 2, 0) == 2;
    f->gz = f->gz_known && magic[0] == 0x1f && magic[1] == 0x8b;
    if (f->gz && !quiet(f)) {
        close(fd);
        return false;
    }
    if (f->state == F_NEW)
        f->state = F_ACTIVE; /* looked at: from now on, read again only when it changes */
    s->cur = f;
    s->fd = fd;
    s->finishing = s->gz_eof = s->pending = false;
    return true;
}

static bool start_reader(struct dir_source *s)
{
    struct dfile *f = s->cur;
    if (f->gz) {
        if (s->gz_eof || lseek(s->fd, 0, SEEK_SET) < 0)
            return false;
        s->rd_base = s->rd_lbase = 0;
        s->skip_below = f->off;
    } else {
        struct stat st;
        if (fstat(s->fd, &st) != 0)
            return false;
        note_stat(f, &st);
        bool grew = f->size > f->end_read;
        bool final_line = s->finishing && f->end_read > f->off && f->size > f->off;
        if ((!grew && !final_line) || lseek(s->fd, (off_t)f->off, SEEK_SET) < 0)
            return false;
        s->rd_base = f->off;
        s->rd_lbase = f->lineno;
        s->skip_below = 0;
    }
    struct vgl_error e = {0};
    s->rd = vgl_lines_from_fd(s->fd, f->path, s->max, &e);
    if (!s->rd) {
        vgl_error(s->base.name, "%s", e.msg);
        f->state = F_FAILED;
        close_cur(s);
        return false;
    }
    return true;
}

/* Reads lines of the current file: 1 when the batch is full, 0 when the data available
 * ended (or the file failed: logged, closed). */
static int read_lines(struct dir_source *s, size_t max_items, size_t max_bytes)
{
    struct dfile *f = s->cur;
    for (;;) {
        if (vgl_line_batch_full(&s->lb, max_items, max_bytes))
            return 1;
        struct vgl_line line;
        struct vgl_error lerr = {0};
        int rc = vgl_lines_next(s->rd, &line, &lerr);
        if (rc < 0) {
            /* lines before the damage were delivered; the rest of the file is lost */
            vgl_error(s->base.name, "%s (after line %" PRIu64 "; skipping the rest of the file)",
                      lerr.msg, f->lineno);
            f->state = F_FAILED;
            close_cur(s);
            return 0;
        }
        if (rc == 0) {
            if (f->gz) {
                resolve_cursor(s);
                s->gz_eof = true;
            } else {
                f->off = s->rd_base + vgl_lines_bytes_read(s->rd);
                f->end_read = f->off;
                s->pending = false;
            }
            vgl_lines_free(s->rd);
            s->rd = NULL;
            return 0;
        }
        uint64_t at = s->rd_base + line.offset;
        uint64_t len = line.oversize ? line.oversize_len : line.len;
        if (f->gz && at < s->skip_below) {
            f->lineno = s->rd_lbase + line.lineno;
            continue;
        }
        f->off = at;
        s->pending = false;
        if (!f->gz && !s->finishing && line.offset + len == vgl_lines_bytes_read(s->rd)) {
            /* no "\n" yet: held back until the file is quiet */
            f->end_read = s->rd_base + vgl_lines_bytes_read(s->rd);
            vgl_lines_free(s->rd);
            s->rd = NULL;
            return 0;
        }
        f->lineno = s->rd_lbase + line.lineno;
        s->pending = true;
        s->last_end = at + len;
        s->advanced = true;
        s->bfile = f;
        if (!vgl_source_line_blank(&line))
            batch_add(s, &line, at);
    }
}

static void mark_done(struct dir_source *s)
{
    struct dfile *f = s->cur;
    f->state = F_DONE;
    s->done_now = true;
    s->bfile = f;
    close_cur(s);
}

/* Reads the current file: 1 when the batch is full, 0 when this file has nothing more now
 * (then it was closed, unless it just finished: done_now). */
static int read_cur(struct dir_source *s, size_t max_items, size_t max_bytes)
{
    for (;;) {
        struct dfile *f = s->cur;
        if (!s->rd && !start_reader(s) && !s->cur)
            return 0; /* failed, logged */
        if (s->rd) {
            if (read_lines(s, max_items, max_bytes) > 0)
                return 1;
            if (!s->cur)
                return 0;
        }
        if (f->gz) {
            mark_done(s); /* read whole, once quiet */
            return 0;
        }
        struct stat st;
        if (fstat(s->fd, &st) != 0) {
            close_cur(s);
            return 0;
        }
        note_stat(f, &st);
        if (f->size > f->end_read)
            continue;
        if (f->size < f->end_read) {
            vgl_warn(s->base.name, "file '%s' shrank from %" PRIu64 " to %" PRIu64
                     " bytes: reading it again from the start", f->path, f->end_read, f->size);
            f->off = f->lineno = f->end_read = 0;
            s->pending = false;
            continue;
        }
        if (!quiet(f)) {
            close_cur(s); /* still being written: back when it grows or goes quiet */
            return 0;
        }
        if (f->end_read > f->off && !s->finishing) {
            s->finishing = true; /* deliver the last line, which has no "\n" */
            continue;
        }
        mark_done(s);
        return 0;
    }
}

static void batch_finish(struct dir_source *s, struct vgl_source_batch *b)
{
    vgl_line_batch_finish(&s->lb, b);
    struct dfile *f = s->bfile;
    if (!f || (!s->advanced && !s->done_now))
        return;
    if (f == s->cur)
        resolve_cursor(s);
    struct vgl_source_checkpoint *cp = &b->cps[b->ncps++];
    snprintf(cp->key, sizeof cp->key, "dir:%s", f->path);
    if (f->state == F_DONE)
        snprintf(cp->value, sizeof cp->value, "done");
    else
        snprintf(cp->value, sizeof cp->value, "o%" PRIu64 ":l%" PRIu64, f->off, f->lineno);
}

static int dir_next(struct vgl_source *src, struct vgl_source_batch *b, size_t max_items,
                    size_t max_bytes, int timeout_ms, struct vgl_error *err)
{
    struct dir_source *s = (struct dir_source *)src;
    (void)err;
    memset(b, 0, sizeof *b);
    s->lb.n = s->lb.nbytes = 0;
    s->advanced = s->done_now = false;
    s->bfile = NULL;
    if (max_items == 0)
        max_items = 1;
    uint64_t deadline = vgl_source_now_ms() + (timeout_ms > 0 ? (uint64_t)timeout_ms : 0);
    for (;;) {
        if (!s->scanned || vgl_source_now_ms() - s->last_scan >= RESCAN_MS)
            scan(s);
        if (!s->cur) {
            struct dfile *f = pick(s);
            if (f && !open_cur(s, f))
                continue; /* f is not ready any more: pick another */
        }
        if (s->cur) {
            /* a batch holds one file's lines: stop at the end of this one's */
            if (read_cur(s, max_items, max_bytes) > 0 || s->advanced || s->done_now)
                break;
            continue;
        }
        if (!vgl_source_poll_wait(deadline, POLL_MS))
            break;
    }
    batch_finish(s, b);
    return 0;
}

static void dir_committed(struct vgl_source *src, struct vgl_source_batch *b)
{
    struct dir_source *s = (struct dir_source *)src;
    (void)b;
    struct dfile *f = s->bfile;
    if (f) {
        if (f == s->cur)
            resolve_cursor(s);
        f->c_state = f->state;
        f->c_off = f->off;
        f->c_lineno = f->lineno;
        s->bfile = NULL;
    }
    vgl_line_batch_reset(&s->lb);
}

static void dir_failed(struct vgl_source *src, struct vgl_source_batch *b)
{
    struct dir_source *s = (struct dir_source *)src;
    (void)b;
    struct dfile *f = s->bfile;
    if (!f)
        return;
    if (f == s->cur)
        close_cur(s);
    f->state = f->c_state;
    f->off = f->c_off;
    f->lineno = f->c_lineno;
    f->end_read = f->c_off;
    s->bfile = NULL;
}

static void dir_free(struct vgl_source *src)
{
    struct dir_source *s = (struct dir_source *)src;
    close_cur(s);
    for (size_t i = 0; i < s->nfiles; i++)
        dfile_free(s->files[i]);
    free(s->files);
    vgl_line_batch_release(&s->lb);
    free(s->dir);
    free(s->service);
    free(s->resource);
    free(s->base.name);
    free(s);
}

/* Every file of this worker's shard read to its end, quiet and committed, and a fresh
 * listing shows no new one. */
static bool dir_drained(struct vgl_source *src)
{
    struct dir_source *s = (struct dir_source *)src;
    if (s->cur || s->bfile)
        return false;
    scan(s);
    for (size_t i = 0; i < s->nfiles; i++) {
        const struct dfile *f = s->files[i];
        if ((f->state != F_DONE && f->state != F_FAILED) || f->c_state != f->state)
            return false;
    }
    return true;
}

static const struct vgl_source_ops dir_ops = {
    .kind = "dir",
    .next = dir_next,
    .committed = dir_committed,
    .failed = dir_failed,
    .free = dir_free,
    .drained = dir_drained,
};

struct vgl_source *vgl_source_dir_new(const char *dir, const char *service, const char *resource,
                                      const struct vgl_source_opts *opts, struct vgl_error *err)
{
    if (!dir || !*dir) {
        vgl_error_set(err, VGL_EINVAL, "dir source: empty path");
        return NULL;
    }
    int worker = opts ? opts->worker : 0, nworkers = opts ? opts->nworkers : 1;
    if (nworkers < 1)
        nworkers = 1;
    if (worker < 0 || worker >= nworkers) {
        vgl_error_set(err, VGL_EINVAL, "dir source '%s': worker %d is not in 0..%d", dir, worker,
                      nworkers - 1);
        return NULL;
    }
    char *abs = vgl_source_absolute_path(dir);
    if (!abs) {
        vgl_error_set(err, VGL_EIO, "dir source '%s': cannot find the working directory: %s", dir,
                      strerror(errno));
        return NULL;
    }
    struct stat st;
    if (stat(abs, &st) == 0 && !S_ISDIR(st.st_mode)) {
        vgl_error_set(err, VGL_EINVAL, "dir source '%s': not a directory (use a file source)",
                      abs);
        free(abs);
        return NULL;
    }
    struct dir_source *s = vgl_xcalloc(1, sizeof *s);
    s->base.ops = &dir_ops;
    size_t n = strlen(abs) + 16;
    s->base.name = vgl_xmalloc(n);
    snprintf(s->base.name, n, "dir '%s'", abs);
    s->dir = abs;
    s->service = vgl_xstrdup(service ? service : "");
    s->resource = vgl_xstrdup(resource ? resource : "");
    s->max = opts && opts->max_record_bytes ? opts->max_record_bytes : VGL_LINES_DEFAULT_MAX;
    s->worker = worker;
    s->nworkers = nworkers;
    s->checkpoint_get = opts ? opts->checkpoint_get : NULL;
    s->checkpoint_ud = opts ? opts->checkpoint_ud : NULL;
    s->fd = -1;
    return &s->base;
}
