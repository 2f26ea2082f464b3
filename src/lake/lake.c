/*
 * lake/lake.c: appends classified records and alerts to gzip'd JSON-lines files in a Hive
 * layout (<data>/lake/<table>/dt=YYYY-MM-DD-HH/<writer>-<seq>.jsonl.gz), the end of the
 * pipeline that historical search and rule backtesting read (ARCHITECTURE.md 3, compat 10).
 *
 * A file is a temp file until published.  Each sync ends the gzip member in progress
 * (the end of an ISA-L igzip stream; a reset starts the next one with its own header),
 * writes it and fdatasyncs, so the durable prefix of a temp file is always a run of complete members.
 * Recovery needs no side file: it inflates the temp file member by member and keeps it up
 * to the end of the last member whose trailer (CRC-32 and length) checks out.  Members only
 * end at a sync or a publish, so a crash loses exactly the records appended after the last
 * sync.  Publishing = end member, fdatasync, rename to the final name, fsync the directory.
 */
#include "lake/lake.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <dirent.h>
#include <isa-l/igzip_lib.h>
#include <zlib.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/utf8.h"
#include "core/xmalloc.h"
#include "json/json.h"
#include "parse/syslogmatch.h"

#define HOUR_US      (INT64_C(3600) * 1000000)
#define ZBUF_SIZE    (64 * 1024)
#define MAX_TABLE    200 /* bytes of a table directory name (NAME_MAX is 255) */
#define MAX_WRITER   64
#define LINE_BUF_MAX ((size_t)64 << 20)
#define PATH_SIZE    4096
#define FINAL_SUFFIX ".jsonl.gz"
#define TMP_SUFFIX   ".jsonl.gz.tmp"

struct lfile {
    char *table;  /* sanitized log type: the table directory */
    int64_t hour; /* time_us / HOUR_US */
    char *dir;    /* <root>/<table>/dt=YYYY-MM-DD-HH */
    char *tmp;    /* full paths */
    char *final;
    int fd;
    /* ISA-L's igzip compresses 5x faster than zlib at level 1 with a slightly better ratio
     * (docs/lake.md); the stream and its level buffer live while the file is open. */
    struct isal_zstream *z;
    unsigned char *level_buf;
    bool member_open;   /* lines fed since the last member ended */
    bool dirs_synced;   /* the file's directory entry (and new parents) made durable */
    bool new_table_dir; /* we created <table>/ : the root needs an fsync */
    bool new_dt_dir;    /* we created dt=.../ : <table>/ needs an fsync */
    uint64_t size;      /* compressed bytes written */
    uint64_t pend_in;   /* bytes fed since the compressor last wrote: igzip holds back more
                           than zlib did, so roll_bytes counts them as if incompressible */
    uint64_t synced;    /* of which durable */
    int64_t opened_us;  /* time passed with the first record */
    uint64_t last_used; /* LRU stamp */
};

struct vgl_lake {
    char *root; /* <data_dir>/lake */
    char *writer;
    struct vgl_lake_opts opts;
    int lock_fd;
    uint64_t next_seq;
    struct lfile **files;
    size_t nfiles;
    uint64_t clock;
    struct vgl_arena arena; /* sanitized copies, reset after each append */
    struct vgl_buf line;
    unsigned char *zbuf; /* deflate output, written out at once */
    struct vgl_lake_stats stats;
};

/* ---- sanitization (compat 10.2) ------------------------------------------------------ */

/* Python's \w on one decoded code point.  An invalid UTF-8 byte counts as one non-word
 * character. */
static size_t next_char(const char *s, size_t n, bool *word)
{
    unsigned char c = (unsigned char)s[0];
    if (c < 0x80) {
        *word =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        return 1;
    }
    uint32_t cp;
    size_t len = vgl_utf8_decode((const unsigned char *)s, n, &cp);
    if (len == 0) {
        *word = false;
        return 1;
    }
    *word = vgl_syslog_is_word(cp);
    return len;
}

static bool name_is_clean(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        bool word;
        i += next_char(s + i, n - i, &word);
        if (!word)
            return false;
    }
    return true;
}

/* re.sub(r'\W', '_', s): writes into out (at least n bytes, never more); returns length. */
static size_t sanitize_name(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        bool word;
        size_t len = next_char(s + i, n - i, &word);
        if (word) {
            memcpy(out + o, s + i, len);
            o += len;
        } else {
            out[o++] = '_';
        }
        i += len;
    }
    return o;
}

static uint32_t hash_key(const char *k, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)k[i]) * 16777619u;
    return h;
}

/* Python dict assignment order: a repeated key keeps its first position and takes the
 * last value.  Returns the new member count. */
static uint32_t dedupe(struct vgl_arena *a, struct vgl_json_member *m, uint32_t n)
{
    size_t size = 16;
    while (size < (size_t)n * 2)
        size *= 2;
    uint32_t *slots = vgl_arena_zalloc(a, size * sizeof *slots);
    uint32_t out = 0;
    for (uint32_t i = 0; i < n; i++) {
        size_t h = hash_key(m[i].key, m[i].klen) & (size - 1);
        for (;;) {
            if (slots[h] == 0) {
                slots[h] = out + 1;
                m[out++] = m[i];
                break;
            }
            struct vgl_json_member *prev = &m[slots[h] - 1];
            if (prev->klen == m[i].klen && memcmp(prev->key, m[i].key, m[i].klen) == 0) {
                prev->val = m[i].val;
                break;
            }
            h = (h + 1) & (size - 1);
        }
    }
    return out;
}

/*
 * StreamAlert's sanitize_keys(): every key of an object reached through objects only
 * (lists are not entered) gets \W replaced by "_".  When something changes, *out is a
 * copy in the arena sharing every unchanged part with v and true is returned; v is never
 * modified.
 */
static bool sanitize_value(struct vgl_arena *a, const struct vgl_json *v, struct vgl_json *out)
{
    if (v->type != VGL_JSON_OBJECT)
        return false;
    struct vgl_json_member *m = NULL;
    bool renamed = false;
    for (uint32_t i = 0; i < v->len; i++) {
        const struct vgl_json_member *src = &v->u.members[i];
        bool clean = name_is_clean(src->key, src->klen);
        struct vgl_json nv;
        bool changed = sanitize_value(a, &src->val, &nv);
        if ((!clean || changed) && !m) {
            m = vgl_arena_alloc(a, (size_t)v->len * sizeof *m);
            memcpy(m, v->u.members, (size_t)i * sizeof *m);
        }
        if (!m)
            continue;
        m[i] = *src;
        if (!clean) {
            char *k = vgl_arena_alloc(a, src->klen ? src->klen : 1);
            m[i].klen = (uint32_t)sanitize_name(src->key, src->klen, k);
            m[i].key = k;
            m[i].kflags = VGL_JSON_F_PLAIN; /* word characters and "_" need no escaping */
            renamed = true;
        }
        if (changed)
            m[i].val = nv;
    }
    if (!m)
        return false;
    *out = *v;
    out->u.members = m;
    out->len = renamed ? dedupe(a, m, v->len) : v->len;
    vgl_json_touch(out);
    return true;
}

/* Length of the line as Python's json.dumps (ensure_ascii) would write it: each non-ASCII
 * character becomes \uXXXX, or two of them outside the BMP. */
static size_t python_len(const char *s, size_t n)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80)
            len += 1;
        else if (c >= 0xf0)
            len += 12;
        else if (c >= 0xc0)
            len += 6;
    }
    return len;
}

/* ---- small file-system helpers ------------------------------------------------------- */

static int io_error(struct vgl_error *err, const char *op, const char *path, int e)
{
    return vgl_error_set(err, VGL_EIO, "lake: %s '%s': %s", op, path, strerror(e));
}

static int make_dir(const char *path, bool *created, struct vgl_error *err)
{
    if (created)
        *created = false;
    if (mkdir(path, 0755) == 0) {
        if (created)
            *created = true;
        return 0;
    }
    if (errno == EEXIST) {
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            return 0;
        return io_error(err, "mkdir", path, ENOTDIR);
    }
    return io_error(err, "mkdir", path, errno);
}

static int fsync_dir(const char *path, struct vgl_error *err)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return io_error(err, "open", path, errno);
    int rc = 0;
    if (fsync(fd) != 0)
        rc = io_error(err, "fsync", path, errno);
    close(fd);
    return rc;
}

static int write_all(int fd, const void *p, size_t n, const char *path, struct vgl_error *err)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return io_error(err, "write", path, errno);
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

static char *path_join(const char *a, const char *b, struct vgl_error *err)
{
    char tmp[PATH_SIZE];
    int n = snprintf(tmp, sizeof tmp, "%s/%s", a, b);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        vgl_error_set(err, VGL_ELIMIT, "lake: path '%s/%s' is too long", a, b);
        return NULL;
    }
    return vgl_xstrdup(tmp);
}

/* Parses "<writer>-<seq>.jsonl.gz" (or ".<writer>-<seq>.jsonl.gz.tmp" when tmp). */
static bool parse_name(const char *name, const char *writer, bool tmp, uint64_t *seq)
{
    const char *p = name;
    if (tmp && *p++ != '.')
        return false;
    size_t wl = strlen(writer);
    if (strncmp(p, writer, wl) != 0 || p[wl] != '-')
        return false;
    p += wl + 1;
    uint64_t v = 0;
    const char *digits = p;
    while (*p >= '0' && *p <= '9') {
        if (v > (UINT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (uint64_t)(*p++ - '0');
    }
    if (p == digits || strcmp(p, tmp ? TMP_SUFFIX : FINAL_SUFFIX) != 0)
        return false;
    *seq = v;
    return true;
}

/* ---- files --------------------------------------------------------------------------- */

static void file_free(struct lfile *f)
{
    if (!f)
        return;
    if (f->fd >= 0)
        close(f->fd);
    free(f->z);
    free(f->level_buf);
    free(f->table);
    free(f->dir);
    free(f->tmp);
    free(f->final);
    free(f);
}

static void remove_file(struct vgl_lake *l, size_t i)
{
    file_free(l->files[i]);
    l->files[i] = l->files[--l->nfiles];
}

static size_t file_index(const struct vgl_lake *l, const struct lfile *f)
{
    for (size_t i = 0; i < l->nfiles; i++)
        if (l->files[i] == f)
            return i;
    VGL_BUG("lake file not in the open set");
}

/* Drops a file after an I/O error: its temp file stays for recovery at the next open. */
static int fail_file(struct vgl_lake *l, struct lfile *f, int rc)
{
    remove_file(l, file_index(l, f));
    return rc;
}

/* The igzip level for a configured gzip level (1-9, as zlib counts): igzip has 0-3. */
static int igzip_level(int level)
{
    return level >= ISAL_DEF_MAX_LEVEL ? ISAL_DEF_MAX_LEVEL : level < 1 ? 1 : level;
}

static size_t level_buf_size(int ilevel)
{
    switch (ilevel) {
    case 1:
        return ISAL_DEF_LVL1_SMALL;
    case 2:
        return ISAL_DEF_LVL2_SMALL;
    default:
        return ISAL_DEF_LVL3_SMALL;
    }
}

/* A fresh member: a gzip header comes first, a trailer (CRC-32, length) at its end. */
static void member_reset(struct vgl_lake *l, struct lfile *f)
{
    isal_deflate_reset(f->z);
    f->z->level = (uint32_t)igzip_level(l->opts.level);
    f->z->level_buf = f->level_buf;
    f->z->level_buf_size = (uint32_t)level_buf_size((int)f->z->level);
    f->z->gzip_flag = IGZIP_GZIP;
    f->z->flush = NO_FLUSH;
    f->z->end_of_stream = 0;
}

/* Feeds n bytes (or, with finish, ends the member) and writes whatever comes out. */
static int deflate_pump(struct vgl_lake *l, struct lfile *f, const void *in, size_t n, bool finish,
                        struct vgl_error *err)
{
    struct isal_zstream *z = f->z;
    z->next_in = (uint8_t *)(uintptr_t)in;
    z->avail_in = (uint32_t)n;
    z->end_of_stream = finish;
    bool wrote = false;
    for (;;) {
        z->next_out = l->zbuf;
        z->avail_out = ZBUF_SIZE;
        int rc = isal_deflate(z);
        if (rc != COMP_OK)
            return vgl_error_set(err, VGL_EIO, "lake: compress '%s': igzip error %d", f->tmp, rc);
        size_t have = ZBUF_SIZE - z->avail_out;
        if (have > 0) {
            int wrc = write_all(f->fd, l->zbuf, have, f->tmp, err);
            if (wrc < 0)
                return wrc;
            f->size += have;
            wrote = true;
        }
        if (finish ? z->internal_state.state == ZSTATE_END : z->avail_in == 0 && z->avail_out > 0) {
            f->pend_in = wrote ? 0 : f->pend_in + n;
            return 0;
        }
    }
}

static int end_member(struct vgl_lake *l, struct lfile *f, struct vgl_error *err)
{
    if (!f->member_open)
        return 0;
    int rc = deflate_pump(l, f, NULL, 0, true, err);
    if (rc < 0)
        return rc;
    member_reset(l, f); /* the next line starts a new member with its own header */
    f->member_open = false;
    return 0;
}

static int sync_file(struct vgl_lake *l, struct lfile *f, struct vgl_error *err)
{
    int rc = end_member(l, f, err);
    if (rc < 0)
        return rc;
    if (f->size > f->synced) {
        if (fdatasync(f->fd) != 0)
            return io_error(err, "fsync", f->tmp, errno);
        f->synced = f->size;
    }
    if (!f->dirs_synced) {
        /* A new file, and any directory we created for it, is durable only once its
         * parent directory is. */
        char table_dir[PATH_SIZE];
        snprintf(table_dir, sizeof table_dir, "%s/%s", l->root, f->table);
        if ((rc = fsync_dir(f->dir, err)) < 0 ||
            (f->new_dt_dir && (rc = fsync_dir(table_dir, err)) < 0) ||
            (f->new_table_dir && (rc = fsync_dir(l->root, err)) < 0))
            return rc;
        f->dirs_synced = true;
    }
    return 0;
}

/* Finishes, syncs and renames f, then frees it (also on failure, leaving the temp file). */
static int publish(struct vgl_lake *l, struct lfile *f, struct vgl_error *err)
{
    int rc = sync_file(l, f, err);
    if (rc < 0)
        return fail_file(l, f, rc);
    if (rename(f->tmp, f->final) != 0)
        return fail_file(l, f, io_error(err, "rename", f->tmp, errno));
    rc = fsync_dir(f->dir, err);
    l->stats.published++;
    remove_file(l, file_index(l, f));
    return rc;
}

static void format_dt(int64_t hour, char *out, size_t n)
{
    time_t t = (time_t)(hour * 3600);
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, n, "dt=%04d-%02d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour);
}

static int open_file(struct vgl_lake *l, const char *table, int64_t hour, int64_t time_us,
                     struct lfile **out, struct vgl_error *err)
{
    struct lfile *f = vgl_xcalloc(1, sizeof *f);
    f->fd = -1;
    f->table = vgl_xstrdup(table);
    f->hour = hour;
    f->opened_us = time_us;
    int rc = VGL_EIO;
    char *table_dir = path_join(l->root, table, err);
    char dt[64];
    format_dt(hour, dt, sizeof dt);
    if (!table_dir || !(f->dir = path_join(table_dir, dt, err)))
        goto fail;
    if ((rc = make_dir(table_dir, &f->new_table_dir, err)) < 0 ||
        (rc = make_dir(f->dir, &f->new_dt_dir, err)) < 0)
        goto fail;
    /* zeroed: igzip's match finder reads hash slots before writing them (it checks every
     * candidate against the data, so the output does not depend on them, but valgrind
     * reports the reads and the output would differ from run to run) */
    f->z = vgl_xcalloc(1, sizeof *f->z);
    f->level_buf = vgl_xcalloc(1, level_buf_size(igzip_level(l->opts.level)));
    isal_deflate_init(f->z);
    member_reset(l, f);
    for (;;) {
        char name[MAX_WRITER + 64];
        uint64_t seq = l->next_seq++;
        snprintf(name, sizeof name, ".%s-%06" PRIu64 TMP_SUFFIX, l->writer, seq);
        free(f->tmp);
        free(f->final);
        f->final = NULL;
        if (!(f->tmp = path_join(f->dir, name, err)) ||
            !(f->final = path_join(f->dir, name + 1, err))) {
            rc = VGL_ELIMIT;
            goto fail;
        }
        f->final[strlen(f->final) - 4] = '\0'; /* drop ".tmp" */
        if (access(f->final, F_OK) == 0)
            continue;
        f->fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (f->fd >= 0)
            break;
        if (errno != EEXIST) {
            rc = io_error(err, "open", f->tmp, errno);
            goto fail;
        }
    }
    free(table_dir);
    *out = f;
    return 0;
fail:
    free(table_dir);
    file_free(f);
    return rc;
}

/* The least recently used open file. */
static struct lfile *lru_file(const struct vgl_lake *l)
{
    struct lfile *best = l->files[0];
    for (size_t i = 1; i < l->nfiles; i++)
        if (l->files[i]->last_used < best->last_used)
            best = l->files[i];
    return best;
}

static int get_file(struct vgl_lake *l, const char *table, int64_t hour, int64_t time_us,
                    struct lfile **out, struct vgl_error *err)
{
    for (size_t i = 0; i < l->nfiles; i++) {
        struct lfile *f = l->files[i];
        if (f->hour == hour && strcmp(f->table, table) == 0) {
            *out = f;
            return 0;
        }
    }
    int rc;
    if (l->nfiles >= l->opts.max_open && (rc = publish(l, lru_file(l), err)) < 0)
        return rc;
    if ((rc = open_file(l, table, hour, time_us, out, err)) < 0)
        return rc;
    l->files[l->nfiles++] = *out;
    return 0;
}

/* ---- recovery ------------------------------------------------------------------------ */

/* Length of the run of complete, CRC-checked gzip members at the start of fd. */
static int complete_members(int fd, const char *path, uint64_t *good, struct vgl_error *err)
{
    static const size_t bufsz = 64 * 1024;
    unsigned char *in = vgl_xmalloc(bufsz), *out = vgl_xmalloc(bufsz);
    z_stream z = {0};
    int rc = 0;
    uint64_t read_total = 0;
    *good = 0;
    if (inflateInit2(&z, 15 + 16) != Z_OK) {
        rc = vgl_error_set(err, VGL_EIO, "lake: inflateInit '%s': failed", path);
        goto out;
    }
    for (;;) {
        if (z.avail_in == 0) {
            ssize_t n = read(fd, in, bufsz);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0) {
                rc = io_error(err, "read", path, errno);
                break;
            }
            if (n == 0)
                break;
            read_total += (uint64_t)n;
            z.next_in = in;
            z.avail_in = (uInt)n;
        }
        z.next_out = out;
        z.avail_out = (uInt)bufsz;
        int zrc = inflate(&z, Z_NO_FLUSH);
        if (zrc == Z_STREAM_END) {
            *good = read_total - z.avail_in;
            inflateReset(&z);
        } else if (zrc != Z_OK && zrc != Z_BUF_ERROR) {
            break; /* a torn or never-finished member: everything from here is cut */
        }
    }
    inflateEnd(&z);
out:
    free(in);
    free(out);
    return rc;
}

/* Publishes the complete members of a temp file left by a crash, under its own name or,
 * should that exist, a fresh one. */
static int recover(struct vgl_lake *l, const char *tmp, struct vgl_error *err)
{
    int fd = open(tmp, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return io_error(err, "open", tmp, errno);
    uint64_t good;
    int rc = complete_members(fd, tmp, &good, err);
    if (rc < 0)
        goto out;
    char *dir = vgl_xstrdup(tmp);
    *strrchr(dir, '/') = '\0';
    if (good == 0) {
        if (unlink(tmp) != 0)
            rc = io_error(err, "unlink", tmp, errno);
        free(dir);
        goto out;
    }
    if (ftruncate(fd, (off_t)good) != 0) {
        rc = io_error(err, "truncate", tmp, errno);
    } else if (fdatasync(fd) != 0) {
        rc = io_error(err, "fsync", tmp, errno);
    } else {
        char final[PATH_SIZE];
        const char *base = strrchr(tmp, '/') + 2; /* skip "/." */
        snprintf(final, sizeof final, "%s/%.*s", dir, (int)(strlen(base) - 4), base);
        if (access(final, F_OK) == 0)
            snprintf(final, sizeof final, "%s/%s-%06" PRIu64 FINAL_SUFFIX, dir, l->writer,
                     l->next_seq++);
        if (rename(tmp, final) != 0)
            rc = io_error(err, "rename", tmp, errno);
        else if ((rc = fsync_dir(dir, err)) == 0) {
            l->stats.recovered++;
            l->stats.published++;
        }
    }
    free(dir);
out:
    close(fd);
    return rc;
}

struct pathlist {
    char **v;
    size_t n, cap;
};

/* Scans one dt= directory: highest seq of this writer, and its temp files. */
static int scan_partition(struct vgl_lake *l, const char *dir, uint64_t *max_seq, bool *any,
                          struct pathlist *tmps, struct vgl_error *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOTDIR || errno == ENOENT ? 0 : io_error(err, "opendir", dir, errno);
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d))) {
        uint64_t seq;
        bool tmp = parse_name(e->d_name, l->writer, true, &seq);
        if (!tmp && !parse_name(e->d_name, l->writer, false, &seq))
            continue;
        if (!*any || seq > *max_seq)
            *max_seq = seq;
        *any = true;
        if (tmp) {
            char *p = path_join(dir, e->d_name, err);
            if (!p) {
                rc = VGL_ELIMIT;
                break;
            }
            tmps->v = vgl_xgrow(tmps->v, &tmps->cap, tmps->n + 1, sizeof *tmps->v);
            tmps->v[tmps->n++] = p;
        }
    }
    closedir(d);
    return rc;
}

/* Walks <root>/<table>/dt=*: sets next_seq past every name this writer used and
 * publishes its temp files. */
static int scan_and_recover(struct vgl_lake *l, struct vgl_error *err)
{
    struct pathlist tmps = {0};
    uint64_t max_seq = 0;
    bool any = false;
    int rc = 0;
    DIR *root = opendir(l->root);
    if (!root)
        return io_error(err, "opendir", l->root, errno);
    struct dirent *t;
    while (rc == 0 && (t = readdir(root))) {
        if (t->d_name[0] == '.')
            continue;
        char *tdir = path_join(l->root, t->d_name, err);
        if (!tdir) {
            rc = VGL_ELIMIT;
            break;
        }
        DIR *td = opendir(tdir);
        if (!td) {
            if (errno != ENOTDIR && errno != ENOENT)
                rc = io_error(err, "opendir", tdir, errno);
            free(tdir);
            continue;
        }
        struct dirent *p;
        while (rc == 0 && (p = readdir(td))) {
            if (strncmp(p->d_name, "dt=", 3) != 0)
                continue;
            char *pdir = path_join(tdir, p->d_name, err);
            if (!pdir) {
                rc = VGL_ELIMIT;
                break;
            }
            rc = scan_partition(l, pdir, &max_seq, &any, &tmps, err);
            free(pdir);
        }
        closedir(td);
        free(tdir);
    }
    closedir(root);
    l->next_seq = any ? max_seq + 1 : 1;
    for (size_t i = 0; i < tmps.n; i++) {
        if (rc == 0)
            rc = recover(l, tmps.v[i], err);
        free(tmps.v[i]);
    }
    free(tmps.v);
    return rc;
}

/* ---- API ----------------------------------------------------------------------------- */

static bool writer_ok(const char *w)
{
    size_t n = strlen(w);
    if (n == 0 || n > MAX_WRITER)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = w[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return false;
    }
    return true;
}

static int take_lock(struct vgl_lake *l, struct vgl_error *err)
{
    char name[MAX_WRITER + 16];
    snprintf(name, sizeof name, ".%s.lock", l->writer);
    char *path = path_join(l->root, name, err);
    if (!path)
        return VGL_ELIMIT;
    int rc = 0;
    l->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (l->lock_fd < 0) {
        rc = io_error(err, "open", path, errno);
    } else {
        struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
        if (fcntl(l->lock_fd, F_SETLK, &fl) != 0) {
            if (errno == EACCES || errno == EAGAIN)
                rc = vgl_error_set(err, VGL_EAGAIN,
                                   "lake: writer '%s' is in use by another process (lock '%s')",
                                   l->writer, path);
            else
                rc = io_error(err, "lock", path, errno);
        }
    }
    free(path);
    return rc;
}

static void lake_free(struct vgl_lake *l)
{
    for (size_t i = 0; i < l->nfiles; i++)
        file_free(l->files[i]);
    free(l->files);
    if (l->lock_fd >= 0)
        close(l->lock_fd);
    vgl_arena_release(&l->arena);
    vgl_buf_release(&l->line);
    free(l->zbuf);
    free(l->root);
    free(l->writer);
    free(l);
}

struct vgl_lake *vgl_lake_open(const char *data_dir, const char *writer,
                               const struct vgl_lake_opts *opts, struct vgl_error *err)
{
    if (!data_dir || !*data_dir || !writer || !writer_ok(writer)) {
        vgl_error_set(err, VGL_EINVAL,
                      "lake: writer id '%s': expected 1-%d characters of [A-Za-z0-9_-]",
                      writer ? writer : "(null)", MAX_WRITER);
        return NULL;
    }
    struct vgl_lake *l = vgl_xcalloc(1, sizeof *l);
    l->lock_fd = -1;
    l->writer = vgl_xstrdup(writer);
    if (opts)
        l->opts = *opts;
    if (l->opts.roll_interval_us <= 0)
        l->opts.roll_interval_us = VGL_LAKE_DEFAULT_ROLL_US;
    if (l->opts.roll_bytes == 0)
        l->opts.roll_bytes = VGL_LAKE_DEFAULT_ROLL_BYTES;
    if (l->opts.level <= 0 || l->opts.level > 9)
        l->opts.level = VGL_LAKE_DEFAULT_LEVEL;
    if (l->opts.max_open == 0)
        l->opts.max_open = VGL_LAKE_DEFAULT_MAX_OPEN;
    l->files = vgl_xcalloc(l->opts.max_open, sizeof *l->files);
    vgl_arena_init(&l->arena, 64 * 1024);
    vgl_buf_init(&l->line, LINE_BUF_MAX);
    l->zbuf = vgl_xmalloc(ZBUF_SIZE);
    if (!(l->root = path_join(data_dir, "lake", err)) || make_dir(data_dir, NULL, err) < 0 ||
        make_dir(l->root, NULL, err) < 0 || take_lock(l, err) < 0 || scan_and_recover(l, err) < 0) {
        lake_free(l);
        return NULL;
    }
    return l;
}

static int append_line(struct vgl_lake *l, const char *log_type, const char *table, int64_t time_us,
                       const struct vgl_json *v, bool sanitize, struct vgl_error *err)
{
    if (time_us < 0 || time_us / HOUR_US > INT64_C(2932896) * 24) /* year 9999 */
        return vgl_error_set(err, VGL_EINVAL,
                             "lake: log type '%s': time %" PRId64 " us is outside years 1970-9999",
                             log_type, time_us);
    struct vgl_json copy;
    if (sanitize && sanitize_value(&l->arena, v, &copy))
        v = &copy;
    vgl_buf_reset(&l->line);
    int rc = vgl_json_write(&l->line, v);
    vgl_arena_reset(&l->arena);
    size_t chars = rc == 0 ? python_len(l->line.data, l->line.len) : SIZE_MAX;
    if (chars > VGL_LAKE_MAX_LINE_CHARS) {
        return vgl_error_set(err, VGL_ELIMIT,
                             "lake: log type '%s': record is longer than %d characters as JSON",
                             log_type, VGL_LAKE_MAX_LINE_CHARS);
    }
    if ((rc = vgl_buf_putc(&l->line, '\n')) < 0)
        return vgl_error_set(err, rc, "lake: log type '%s': line too long", log_type);

    int64_t hour = time_us / HOUR_US;
    struct lfile *f = NULL;
    if ((rc = get_file(l, table, hour, time_us, &f, err)) < 0)
        return rc;
    f->last_used = ++l->clock;
    f->member_open = true;
    if ((rc = deflate_pump(l, f, l->line.data, l->line.len, false, err)) < 0)
        return fail_file(l, f, rc);
    l->stats.records++;
    if (f->size + f->pend_in >= l->opts.roll_bytes)
        return publish(l, f, err);
    return 0;
}

int vgl_lake_append(struct vgl_lake *l, const char *log_type, int64_t time_us,
                    const struct vgl_json *record, struct vgl_error *err)
{
    size_t n = log_type ? strlen(log_type) : 0;
    if (n == 0 || n > MAX_TABLE)
        return vgl_error_set(err, VGL_EINVAL, "lake: log type '%s': expected 1-%d bytes",
                             log_type ? log_type : "(null)", MAX_TABLE);
    char table[MAX_TABLE + 1];
    table[sanitize_name(log_type, n, table)] = '\0';
    if (strcmp(table, VGL_LAKE_ALERTS) == 0)
        return vgl_error_set(err, VGL_EINVAL,
                             "lake: log type '%s': its table would be the alerts table", log_type);
    return append_line(l, log_type, table, time_us, record, true, err);
}

int vgl_lake_append_alert(struct vgl_lake *l, int64_t time_us, const struct vgl_json *alert,
                          struct vgl_error *err)
{
    return append_line(l, VGL_LAKE_ALERTS, VGL_LAKE_ALERTS, time_us, alert, false, err);
}

int vgl_lake_sync(struct vgl_lake *l, struct vgl_error *err)
{
    int first = 0;
    for (size_t i = l->nfiles; i-- > 0;) {
        struct lfile *f = l->files[i];
        int rc = sync_file(l, f, first ? NULL : err);
        if (rc < 0) {
            fail_file(l, f, rc);
            if (!first)
                first = rc;
        }
    }
    return first;
}

int vgl_lake_tick(struct vgl_lake *l, int64_t now_us, struct vgl_error *err)
{
    int first = 0;
    int64_t now_hour = now_us / HOUR_US;
    /* Backwards: publishing moves the last file into the freed slot, already visited. */
    for (size_t i = l->nfiles; i-- > 0;) {
        struct lfile *f = l->files[i];
        bool due = now_us - f->opened_us >= l->opts.roll_interval_us ||
                   f->size + f->pend_in >= l->opts.roll_bytes || f->hour < now_hour;
        if (!due)
            continue;
        int rc = publish(l, f, first ? NULL : err);
        if (rc < 0 && !first)
            first = rc;
    }
    return first;
}

int vgl_lake_close(struct vgl_lake *l, struct vgl_error *err)
{
    if (!l)
        return 0;
    int first = 0;
    while (l->nfiles > 0) {
        int rc = publish(l, l->files[l->nfiles - 1], first ? NULL : err);
        if (rc < 0 && !first)
            first = rc;
    }
    lake_free(l);
    return first;
}

void vgl_lake_abandon(struct vgl_lake *l)
{
    if (l)
        lake_free(l);
}

void vgl_lake_stats(const struct vgl_lake *l, struct vgl_lake_stats *out)
{
    *out = l->stats;
    out->open_files = l->nfiles;
}
