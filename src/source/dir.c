/*
 * source/dir.c: the directory source, a drop folder of log files.
 *
 * Every regular file in the directory (not hidden, not "*.tmp") is read once to its end,
 * plain or gzip (frame/lines.h tells them apart by their magic bytes), oldest mtime first,
 * then by name; files that appear later are picked up by a rescan (at most every 200 ms).
 * A file is finished once it was read to its end and has not been modified for a second,
 * so one still being written is not cut short; its last line is held back until then.
 *
 * Pieces: a plain file is read as pieces of piece_bytes, at fixed offsets (0, P, 2P, ...);
 * piece k is the lines that START in [kP, (k+1)P), so the line that crosses a boundary
 * belongs to the piece before it.  Each piece has its own checkpoint ("dir:<path>" for the
 * first, "dir:<path>#<k>" for the others).  With several workers every worker lists every
 * file, and a piece is read by the worker that holds its lock (an open-file-description
 * byte lock in the shared claims file): a free worker takes the next free piece, so a big
 * file is read by all workers and none idles while another has work.  A lock is held until
 * the piece's last batch is committed, and the checkpoint is read again when it is taken,
 * so no piece is read twice; a dead worker's locks go with it.  gzip files are one piece.
 * Contract: source.h and docs/source.md.
 */
#define _GNU_SOURCE
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
};

struct piece {
    uint64_t end_read; /* plain: bytes of the file seen so far by this piece's reader */
    enum fstate state; /* DONE: known finished (by this worker or, from its checkpoint, another) */
};

struct dfile {
    char *name, *path;
    char pos_path[POS_PATH_MAX + 20];
    ino_t ino;
    uint64_t size;
    struct timespec mtime;
    bool gz, gz_known; /* gz_known: the magic bytes were there to look at */
    bool failed;       /* could not be read (logged); not checkpointed, so a restart tries again */
    bool ended;        /* its last piece was finished at the end of the quiet file */
    struct piece *pieces;
    uint32_t npieces, first_open; /* first_open: no piece before it is open */
    /* The piece in play (being read, or its batch not committed yet): seg, its cursor and
     * its state, copied back to pieces[seg] when it is put down. */
    uint32_t seg;
    bool claimed;
    enum fstate state;
    uint64_t off, lineno; /* cursor: after the last consumed line (decompressed) */
    uint64_t end_read;
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
    uint64_t piece;      /* piece size */
    int claim_fd;        /* the shared claims file, or -1: every piece is this source's */
    bool claim_broken;   /* locking failed (logged): only worker 0 reads */

    struct dfile **files; /* sorted by name */
    size_t nfiles, files_cap;
    /* The unfinished files oldest first, for pick(): sorted again after each listing (a
     * pick walks it instead of sorting every time: directories of 100,000 files). */
    struct dfile **order;
    size_t norder, order_cap;
    bool order_stale;
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

/* Binary search of name among the first n files (sorted by name). */
static size_t find_slot(const struct dir_source *s, size_t n, const char *name, bool *found)
{
    size_t lo = 0, hi = n;
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
    free(f->pieces);
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

static void piece_key(const struct dfile *f, uint32_t k, char *out, size_t n)
{
    if (k == 0)
        snprintf(out, n, "dir:%s", f->path);
    else
        snprintf(out, n, "dir:%s#%" PRIu32, f->path, k);
}

/* Piece k's stored checkpoint: 1 "done", 2 an offset (off, lineno), 0 none, -1 unreadable. */
static int piece_checkpoint(struct dir_source *s, const struct dfile *f, uint32_t k, uint64_t *off,
                            uint64_t *lineno)
{
    char key[VGL_SOURCE_CP_KEY_MAX], value[VGL_SOURCE_CP_VALUE_MAX];
    if (!s->checkpoint_get)
        return 0;
    piece_key(f, k, key, sizeof key);
    if (!s->checkpoint_get(s->checkpoint_ud, key, value, sizeof value))
        return 0;
    if (strcmp(value, "done") == 0)
        return 1;
    if (parse_checkpoint(value, off, lineno))
        return 2;
    vgl_warn(s->base.name, "file '%s': ignoring checkpoint '%s' of %s: expected done or "
             "o<offset>:l<line>", f->path, value, key);
    return -1;
}

static void ensure_pieces(struct dfile *f, uint32_t n)
{
    if (n <= f->npieces)
        return;
    f->pieces = vgl_xrealloc(f->pieces, (size_t)n * sizeof *f->pieces);
    memset(f->pieces + f->npieces, 0, (size_t)(n - f->npieces) * sizeof *f->pieces);
    f->npieces = n;
}

/* Pieces the file has at its current size: one for gzip, one per started piece_bytes. */
static void grow_pieces(const struct dir_source *s, struct dfile *f)
{
    if (f->ended || f->failed || (f->gz_known && f->gz)) {
        ensure_pieces(f, 1);
        return;
    }
    uint64_t n = f->size ? (f->size - 1) / s->piece + 1 : 1;
    ensure_pieces(f, n > UINT32_MAX ? UINT32_MAX : (uint32_t)n);
}

static bool file_done(const struct dfile *f)
{
    return f->failed || (f->ended && f->first_open >= f->npieces);
}

static void piece_set_state(struct dfile *f, uint32_t k, enum fstate st)
{
    f->pieces[k].state = st;
    while (f->first_open < f->npieces && f->pieces[f->first_open].state == F_DONE)
        f->first_open++;
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
    ensure_pieces(f, 1);
    /* room for "dir:", the path and "#<piece>" */
    if (strlen(f->path) + sizeof "dir:" + 11 > VGL_SOURCE_CP_KEY_MAX) {
        vgl_warn(s->base.name, "skipping file '%s': its path is longer than %d bytes", f->path,
                 VGL_SOURCE_CP_KEY_MAX - 16);
        f->failed = true;
        return f;
    }
    /* the whole file already done (its first piece was its last) */
    uint64_t off, lineno;
    if (piece_checkpoint(s, f, 0, &off, &lineno) == 1) {
        f->ended = true;
        piece_set_state(f, 0, F_DONE);
    }
    return f;
}

static bool skip_name(const char *name)
{
    size_t n = strlen(name);
    return name[0] == '.' || (n >= 4 && strcmp(name + n - 4, ".tmp") == 0);
}

static int by_name(const void *a, const void *b)
{
    return strcmp((*(struct dfile *const *)a)->name, (*(struct dfile *const *)b)->name);
}

/* A known file whose size and mtime a listing must refresh: its last piece waits for the
 * file to grow or go quiet, or it is a gzip file waiting to be quiet.  The others are looked
 * at when they are opened (a directory of 100,000 files is not stat()ed at every listing). */
static bool watched(const struct dir_source *s, const struct dfile *f)
{
    if (file_done(f) || f == s->cur)
        return false;
    if (f->gz_known && f->gz)
        return true;
    return f->npieces && f->pieces[f->npieces - 1].state == F_ACTIVE;
}

/* Lists the directory: new files are added, watched ones get their size and mtime
 * updated, files gone are forgotten. */
static void scan(struct dir_source *s)
{
    s->scanned = true;
    s->order_stale = true; /* added, removed or touched files: pick() sorts again */
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
    size_t known = s->nfiles; /* new files go after these, sorted in at the end */
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *name = de->d_name;
        if (skip_name(name))
            continue;
        bool found;
        size_t slot = find_slot(s, known, name, &found);
        struct dfile *f = found ? s->files[slot] : NULL;
        if (f) {
            f->seen = true;
            if (!watched(s, f))
                continue;
        }
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", s->dir, name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (!f)
            f = add_file(s, s->nfiles, name);
        note_stat(f, &st);
        grow_pieces(s, f);
    }
    closedir(d);
    if (s->nfiles > known)
        qsort(s->files, s->nfiles, sizeof *s->files, by_name);
    size_t w = 0;
    for (size_t i = 0; i < s->nfiles; i++) {
        struct dfile *f = s->files[i];
        if (f->seen || f == s->cur || f == s->bfile) {
            s->files[w++] = f;
            continue;
        }
        if (!file_done(f) && f->first_open < f->npieces)
            vgl_warn(s->base.name, "file '%s' went away before it was read to its end", f->path);
        dfile_free(f);
    }
    s->nfiles = w;
}

/* ---- claims ---- */

/* The lock byte of piece k of f: 40 bits of the path's hash, then 20 of the piece. */
static off_t claim_offset(const struct dfile *f, uint32_t k)
{
    uint64_t h = vgl_source_fnv1a64(f->path) & ((1ULL << 40) - 1);
    return (off_t)((h << 20) | (k & ((1u << 20) - 1)));
}

/* Takes piece k of f for this worker: true when it is ours now (no claims file: always). */
static bool claim(struct dir_source *s, struct dfile *f, uint32_t k)
{
    if (s->claim_fd < 0)
        return true;
    if (s->claim_broken)
        return s->worker == 0;
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = claim_offset(f, k), .l_len = 1};
    if (fcntl(s->claim_fd, F_OFD_SETLK, &fl) == 0)
        return true;
    if (errno == EAGAIN || errno == EACCES)
        return false; /* another worker reads it */
    vgl_error(s->base.name, "cannot lock pieces in the claims file (%s): from now on worker 0 "
              "reads every file alone", strerror(errno));
    s->claim_broken = true;
    return s->worker == 0;
}

static void unclaim(struct dir_source *s, struct dfile *f, uint32_t k)
{
    if (s->claim_fd < 0 || s->claim_broken)
        return;
    struct flock fl = {.l_type = F_UNLCK, .l_whence = SEEK_SET, .l_start = claim_offset(f, k), .l_len = 1};
    if (fcntl(s->claim_fd, F_OFD_SETLK, &fl) != 0)
        vgl_warn(s->base.name, "cannot unlock a piece of '%s': %s", f->path, strerror(errno));
}

/* The piece in play is put down: its state is kept, its lock given back (once its batch is
 * committed: the caller sees to that). */
static void put_down(struct dir_source *s, struct dfile *f)
{
    if (!f->claimed)
        return;
    f->pieces[f->seg].end_read = f->end_read;
    piece_set_state(f, f->seg, f->state);
    f->claimed = false;
    unclaim(s, f, f->seg);
}

/* ---- reading the current piece ---- */

/* The first byte after piece k (lines starting there are the next piece's). */
static uint64_t piece_end(const struct dir_source *s, const struct dfile *f, uint32_t k)
{
    if (f->gz)
        return UINT64_MAX;
    uint64_t hi = ((uint64_t)k + 1) * s->piece;
    return hi / s->piece == (uint64_t)k + 1 ? hi : UINT64_MAX;
}

static uint64_t piece_hi(const struct dir_source *s, const struct dfile *f)
{
    return piece_end(s, f, f->seg);
}

/* Whether piece k's stored checkpoint (piece_checkpoint's cp and off) finishes it: "done"
 * (the file ended there), or an offset at or past its end (read up to the next piece). */
static bool checkpoint_finishes(const struct dir_source *s, const struct dfile *f, uint32_t k,
                                int cp, uint64_t off)
{
    return cp == 1 || (cp == 2 && !f->gz && off >= piece_end(s, f, k));
}

/* Every piece from k on is known finished: the file ended in piece k. */
static void ended_at(struct dfile *f, uint32_t k)
{
    f->ended = true;
    for (uint32_t j = k; j < f->npieces; j++)
        piece_set_state(f, j, F_DONE);
}

static bool piece_ready(const struct dfile *f, uint32_t k)
{
    const struct piece *p = &f->pieces[k];
    if (p->state == F_DONE)
        return false;
    if (f->gz_known && f->gz)
        return k == 0 && quiet(f); /* a gzip file is read whole, once complete */
    if (p->state == F_NEW || k + 1 < f->npieces)
        return true;
    /* the last piece, partly read: when the file grew, or went quiet (then it can finish) */
    return f->size > p->end_read || quiet(f);
}

static int by_age(const void *a, const void *b)
{
    const struct dfile *x = *(struct dfile *const *)a, *y = *(struct dfile *const *)b;
    if (x->mtime.tv_sec != y->mtime.tv_sec)
        return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
    if (x->mtime.tv_nsec != y->mtime.tv_nsec)
        return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* The first ready piece that this worker could claim, oldest file first (then by name, then
 * piece order); *k gets its index.  NULL when there is none. */
static struct dfile *pick(struct dir_source *s, uint32_t *k)
{
    if (s->order_stale) {
        s->order = vgl_xgrow(s->order, &s->order_cap, s->nfiles ? s->nfiles : 1, sizeof *s->order);
        s->norder = 0;
        for (size_t i = 0; i < s->nfiles; i++)
            if (!file_done(s->files[i]))
                s->order[s->norder++] = s->files[i];
        qsort(s->order, s->norder, sizeof *s->order, by_age);
        s->order_stale = false;
    }
    for (size_t i = 0; i < s->norder; i++) {
        struct dfile *f = s->order[i];
        if (file_done(f) || f == s->bfile)
            continue;
        for (uint32_t j = f->first_open; j < f->npieces; j++) {
            if (piece_ready(f, j) && claim(s, f, j)) {
                *k = j;
                return f;
            }
        }
    }
    return NULL;
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
    struct dfile *f = s->cur;
    resolve_cursor(s);
    vgl_lines_free(s->rd);
    s->rd = NULL;
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    s->cur = NULL;
    s->finishing = s->gz_eof = false;
    /* its lock is kept while a batch of it waits for its commit */
    if (f && f != s->bfile)
        put_down(s, f);
}

static void mark_done(struct dir_source *s)
{
    struct dfile *f = s->cur;
    f->state = F_DONE;
    s->done_now = true;
    s->bfile = f;
    close_cur(s);
}

/*
 * Where a fresh piece k > 0 starts: after the first "\n" at or after its first byte - 1.
 * Returns 1 with *start; 0 when no line starts in it (*start: past its end); 2 when no line
 * starts in it and the quiet file ends there; -1 when that is not known yet (the line across
 * its start is still being written).
 */
static int piece_start(struct dir_source *s, struct dfile *f, int fd, uint32_t k, uint64_t *start)
{
    uint64_t lo = (uint64_t)k * s->piece, hi = piece_end(s, f, k), at = lo - 1;
    char buf[65536];
    for (;;) {
        ssize_t got = pread(fd, buf, sizeof buf, (off_t)at);
        if (got < 0)
            return -1;
        if (got == 0)
            return quiet(f) ? 2 : -1;
        const char *nl = memchr(buf, '\n', (size_t)got);
        if (nl) {
            *start = at + (uint64_t)(nl - buf) + 1;
            if (*start < hi)
                return 1;
            return 0;
        }
        at += (uint64_t)got;
        if (at >= hi) {
            *start = hi; /* one line covers the whole piece: it belongs to an earlier one */
            return 0;
        }
    }
}

/* Sets up the cursor of piece k of f, just claimed, from its checkpoint (read again now:
 * another worker may have moved it).  Returns 1 to read it, 2 when it is empty (its end is
 * to be recorded: the caller finishes it at once), 0 when there is nothing to read in it now
 * (then it is put down, done or not). */
static int load_piece(struct dir_source *s, struct dfile *f, int fd, uint32_t k)
{
    f->seg = k;
    f->claimed = true;
    f->state = F_NEW;
    f->off = f->lineno = f->end_read = 0;
    int ret = 1;
    uint64_t off = 0, lineno = 0;
    int cp = piece_checkpoint(s, f, k, &off, &lineno);
    if (cp == 1) {
        f->state = F_DONE;
        ended_at(f, k);
    } else if (cp == 2) {
        f->state = checkpoint_finishes(s, f, k, cp, off) ? F_DONE : F_ACTIVE;
        f->off = f->end_read = off;
        f->lineno = lineno;
    } else if (k > 0) {
        /* a fresh piece.  Empty when the file ended before it (the previous piece says
         * done), or when the first piece's checkpoint (as written before files had
         * pieces) reaches past it; it starts there when that reaches into it. */
        uint64_t o0 = 0, l0 = 0, po = 0, pl = 0, start = 0;
        int c0 = piece_checkpoint(s, f, 0, &o0, &l0);
        int prev = piece_checkpoint(s, f, k - 1, &po, &pl);
        int st = (c0 == 1 || prev == 1) ? 2 : piece_start(s, f, fd, k, &start);
        if (st < 0) {
            /* not known yet: the file ends inside the line across its start, which is still
             * being written; back when the file grows or goes quiet */
            f->claimed = false;
            f->pieces[k].state = F_ACTIVE;
            f->pieces[k].end_read = f->size;
            unclaim(s, f, k);
            return 0;
        }
        f->state = F_ACTIVE;
        if (c0 == 2 && o0 > start)
            start = o0;
        if (st == 2) {
            f->ended = true; /* the file ends in this piece, without a line starting here */
            ret = 2;
        } else if (st == 0 || start >= piece_hi(s, f)) {
            f->off = start;
            ret = 2;
        } else {
            f->off = f->end_read = start;
        }
    }
    f->c_state = f->state == F_ACTIVE && ret == 1 && cp != 2 ? F_NEW : f->state;
    f->c_off = f->off;
    f->c_lineno = f->lineno;
    if (f->state == F_DONE) {
        put_down(s, f);
        return 0;
    }
    return ret;
}

/* Opens piece k of f (claimed) to read it; false when it cannot be read now. */
static bool open_cur(struct dir_source *s, struct dfile *f, uint32_t k)
{
    int fd = open(f->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno != ENOENT)
            vgl_error(s->base.name, "file '%s': cannot open: %s", f->path, strerror(errno));
        f->failed = true;
        unclaim(s, f, k);
        return false;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        vgl_error(s->base.name, "file '%s': cannot stat: %s", f->path, strerror(errno));
        f->failed = true;
        unclaim(s, f, k);
        close(fd);
        return false;
    }
    note_stat(f, &st);
    unsigned char magic[2];
    f->gz_known = pread(fd, magic, 2, 0) == 2;
    f->gz = f->gz_known && magic[0] == 0x1f && magic[1] == 0x8b;
    if (f->gz && (k > 0 || !quiet(f))) {
        if (k > 0) /* a gzip file is one piece */
            for (uint32_t j = 1; j < f->npieces; j++)
                piece_set_state(f, j, F_DONE);
        unclaim(s, f, k);
        close(fd);
        return false;
    }
    grow_pieces(s, f);
    int how = load_piece(s, f, fd, k);
    if (how == 0) {
        close(fd);
        return false;
    }
    if (f->state == F_NEW)
        f->state = F_ACTIVE; /* looked at: from now on, read again only when it changes */
    s->cur = f;
    s->fd = fd;
    s->finishing = s->gz_eof = s->pending = false;
    if (how == 2)
        mark_done(s); /* an empty piece: only its checkpoint goes out */
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
        f->failed = true;
        close_cur(s);
        return false;
    }
    return true;
}

/* Reads lines of the current piece: 1 when the batch is full, 0 when the data available
 * ended, the piece ended (done), or the file failed (logged, closed). */
static int read_lines(struct dir_source *s, size_t max_items, size_t max_bytes)
{
    struct dfile *f = s->cur;
    uint64_t hi = piece_hi(s, f);
    for (;;) {
        if (vgl_line_batch_full(&s->lb, max_items, max_bytes))
            return 1;
        struct vgl_line line;
        struct vgl_error lerr = {0};
        int rc = vgl_lines_next(s->rd, &line, &lerr);
        if (rc < 0) {
            /* lines before the damage were delivered; the rest of the file is lost */
            vgl_error(s->base.name, "%s (after byte %" PRIu64 "; skipping the rest of the file)",
                      lerr.msg, f->off);
            f->failed = true;
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
        if (at >= hi) {
            /* the next piece's first line: this piece is read */
            f->off = at;
            s->pending = false;
            mark_done(s);
            return 0;
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

/* Reads the current piece: 1 when the batch is full, 0 when this piece has nothing more
 * now (then it was closed, unless it just finished: done_now). */
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
            f->ended = true;
            mark_done(s); /* read whole, once quiet */
            return 0;
        }
        struct stat st;
        if (fstat(s->fd, &st) != 0) {
            close_cur(s);
            return 0;
        }
        note_stat(f, &st);
        grow_pieces(s, f);
        if (f->size > f->end_read)
            continue;
        if (f->size < f->end_read) {
            if (f->seg > 0) {
                vgl_warn(s->base.name, "file '%s' shrank from %" PRIu64 " to %" PRIu64
                         " bytes while its piece at byte %" PRIu64 " was read: the rest of that "
                         "piece is skipped", f->path, f->end_read, f->size,
                         (uint64_t)f->seg * s->piece);
                mark_done(s);
                return 0;
            }
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
        /* at the end of the quiet file: the file is read once the pieces before are */
        if (f->seg + 1 >= f->npieces)
            f->ended = true;
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
    piece_key(f, f->seg, cp->key, sizeof cp->key);
    /* "done" only for the piece that ended the file; a piece that reached the next one
     * keeps its offset (past its end), so the pieces after it are still read */
    if (f->state == F_DONE && (f->gz || f->ended))
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
            uint32_t k = 0;
            struct dfile *f = pick(s, &k);
            if (f && !open_cur(s, f, k))
                continue; /* nothing there now (or done already): pick another */
            if (s->done_now)
                break; /* an empty piece: its checkpoint alone */
        }
        if (s->cur) {
            /* a batch holds one piece's lines: stop at the end of this one's */
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
        if (f != s->cur)
            put_down(s, f); /* read to its end or left: its lock goes with the commit */
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
        close_cur(s); /* its lock is kept: bfile is f */
    s->bfile = NULL;
    /* back to the last commit, then given back: whoever takes it next (this worker or
     * another) starts from its stored checkpoint */
    if (s->done_now)
        f->ended = false;
    f->failed = false;
    f->state = f->c_state;
    f->off = f->c_off;
    f->lineno = f->c_lineno;
    f->end_read = f->c_off;
    put_down(s, f);
}

static void dir_free(struct vgl_source *src)
{
    struct dir_source *s = (struct dir_source *)src;
    s->bfile = NULL;
    close_cur(s);
    for (size_t i = 0; i < s->nfiles; i++)
        dfile_free(s->files[i]);
    free(s->files);
    free(s->order);
    vgl_line_batch_release(&s->lb);
    if (s->claim_fd >= 0)
        close(s->claim_fd); /* and with it every lock */
    free(s->dir);
    free(s->service);
    free(s->resource);
    free(s->base.name);
    free(s);
}

/* Every known piece finished (by this worker or another: a piece it does not know finished
 * is claimed to read its checkpoint; one that another worker holds is that worker's). */
static bool known_done(struct dir_source *s)
{
    for (size_t i = 0; i < s->nfiles; i++) {
        struct dfile *f = s->files[i];
        for (uint32_t k = f->first_open; k < f->npieces && !file_done(f); k++) {
            if (f->pieces[k].state == F_DONE)
                continue;
            if (!claim(s, f, k))
                continue; /* another worker's now */
            uint64_t off = 0, lineno = 0;
            int cp = piece_checkpoint(s, f, k, &off, &lineno);
            unclaim(s, f, k);
            if (!checkpoint_finishes(s, f, k, cp, off))
                return false;
            if (cp == 1)
                ended_at(f, k);
            else
                piece_set_state(f, k, F_DONE);
        }
    }
    return true;
}

/* Every piece read to its end, quiet and committed, and a fresh listing shows no new one.
 * The listing is made only once everything known is finished: asked before every batch,
 * this stays cheap in a directory of 100,000 files. */
static bool dir_drained(struct vgl_source *src)
{
    struct dir_source *s = (struct dir_source *)src;
    if (s->cur || s->bfile || !known_done(s))
        return false;
    scan(s);
    return known_done(s);
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
    int cfd = -1;
    if (opts && opts->claims_path) {
        cfd = open(opts->claims_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (cfd < 0) {
            vgl_error_set(err, VGL_EIO, "dir source '%s': cannot open the claims file '%s': %s", abs,
                          opts->claims_path, strerror(errno));
            free(abs);
            return NULL;
        }
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
    s->piece = opts && opts->piece_bytes ? opts->piece_bytes : VGL_SOURCE_DIR_PIECE;
    s->claim_fd = cfd;
    s->fd = -1;
    return &s->base;
}
