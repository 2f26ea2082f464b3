/*
 * frame/lines.c: the line framer, first stage after a source.
 *
 * Bytes come from an fd, through zlib when the stream starts with the gzip magic, into one
 * line buffer.  Lines are found with memchr and handed out as pointers into that buffer, so
 * there is no allocation per line.  The buffer grows only up to max_record_bytes plus one
 * read's worth; a longer line is skipped chunk by chunk and reported by its length.
 */
#include "frame/lines.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/xmalloc.h"

/* Default size of a read, and of the first line buffer. */
#define CHUNK ((size_t)1 << 20)
/* Smallest read size vgl_lines_set_read_size() accepts. */
#define MIN_CHUNK ((size_t)16)
/* Keeps max + CHUNK from overflowing; nobody wants a 2^62-byte record anyway. */
#define MAX_CAP (SIZE_MAX / 4)

enum mode { MODE_UNKNOWN, MODE_PLAIN, MODE_GZIP };

struct vgl_lines {
    int fd;
    bool own_fd;
    char *name;
    size_t max;   /* max_record_bytes */
    size_t chunk; /* bytes asked for per read */
    enum mode mode;

    /* Raw input: sniffed bytes (plain) or compressed bytes (gzip). */
    unsigned char *in;
    size_t in_cap, in_pos, in_len;
    bool in_eof;
    uint64_t bytes_read;
    int64_t total;

    z_stream zs;
    bool zs_init;
    bool member_done;   /* the last inflate() ended a gzip member */
    uint64_t out_total; /* decompressed bytes produced */

    /* Line buffer: buf[start, end) is unread data; scan is where the newline search resumes. */
    char *buf;
    size_t cap, bound; /* bound: largest cap ever allowed */
    size_t start, end, scan;
    uint64_t base; /* stream offset of buf[0] */
    uint64_t lineno;
    bool eof; /* no more bytes will come into buf */

    /* Skipping an oversize line. */
    bool skipping;
    bool skip_last_cr;
    uint64_t skip_len, skip_lineno, skip_offset;

    int fail; /* sticky error code, 0 if none */
    struct vgl_error fail_err;
};

/* Sizes the buffers for reads of chunk bytes; they are allocated at the first read. */
static void set_read_size(struct vgl_lines *r, size_t chunk)
{
    r->chunk = chunk;
    /* max + 2: the longest line that fits plus its "\r\n"; + chunk: room for one more read. */
    r->bound = r->max + 2 + chunk;
    r->cap = chunk < r->bound ? chunk : r->bound;
    r->in_cap = chunk / 4 > MIN_CHUNK ? chunk / 4 : MIN_CHUNK;
}

static void alloc_buffers(struct vgl_lines *r)
{
    if (!r->buf) {
        r->buf = vgl_xmalloc(r->cap);
        r->in = vgl_xmalloc(r->in_cap);
    }
}

void vgl_lines_set_read_size(struct vgl_lines *r, size_t n)
{
    if (r->mode != MODE_UNKNOWN || r->buf)
        VGL_BUG("vgl_lines_set_read_size() after the first read");
    if (n < MIN_CHUNK)
        n = MIN_CHUNK;
    if (n > MAX_CAP)
        n = MAX_CAP;
    set_read_size(r, n);
}

static struct vgl_lines *reader_new(int fd, bool own_fd, const char *name, size_t max)
{
    struct vgl_lines *r = vgl_xcalloc(1, sizeof *r);
    r->fd = fd;
    r->own_fd = own_fd;
    r->name = vgl_xstrdup(name);
    if (max == 0)
        max = VGL_LINES_DEFAULT_MAX;
    r->max = max > MAX_CAP ? MAX_CAP : max;
    set_read_size(r, CHUNK);
    r->total = -1;

    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        r->total = (int64_t)st.st_size;
#ifdef POSIX_FADV_SEQUENTIAL
        (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    }
    return r;
}

struct vgl_lines *vgl_lines_from_fd(int fd, const char *name, size_t max_record_bytes,
                                    struct vgl_error *err)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        vgl_error_set(err, VGL_EIO, "'%s': %s", name, strerror(errno));
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        vgl_error_set(err, VGL_EIO, "'%s': is a directory", name);
        return NULL;
    }
    return reader_new(fd, false, name, max_record_bytes);
}

struct vgl_lines *vgl_lines_open(const char *path, size_t max_record_bytes, struct vgl_error *err)
{
    if (strcmp(path, "-") == 0)
        return vgl_lines_from_fd(STDIN_FILENO, "<stdin>", max_record_bytes, err);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        vgl_error_set(err, errno == ENOENT ? VGL_ENOTFOUND : VGL_EIO, "cannot open '%s': %s", path,
                      strerror(errno));
        return NULL;
    }
    struct vgl_lines *r = vgl_lines_from_fd(fd, path, max_record_bytes, err);
    if (!r) {
        close(fd);
        return NULL;
    }
    r->own_fd = true;
    return r;
}

void vgl_lines_free(struct vgl_lines *r)
{
    if (!r)
        return;
    if (r->zs_init)
        inflateEnd(&r->zs);
    if (r->own_fd)
        close(r->fd);
    free(r->buf);
    free(r->in);
    free(r->name);
    free(r);
}

uint64_t vgl_lines_bytes_read(const struct vgl_lines *r)
{
    return r->bytes_read;
}

int64_t vgl_lines_total_bytes(const struct vgl_lines *r)
{
    return r->total;
}

bool vgl_lines_is_gzip(const struct vgl_lines *r)
{
    return r->mode == MODE_GZIP;
}

const char *vgl_lines_name(const struct vgl_lines *r)
{
    return r->name;
}

/* Records a sticky error and returns its code. */
static int fail(struct vgl_lines *r, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct vgl_lines *r, int code, const char *fmt, ...)
{
    char msg[VGL_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->fail = code;
    vgl_error_set(&r->fail_err, code, "%s", msg);
    return code;
}

/* read(2) with EINTR handled; returns bytes read, 0 at end of input, or an error code. */
static ssize_t read_raw(struct vgl_lines *r, void *dst, size_t n)
{
    for (;;) {
        ssize_t got = read(r->fd, dst, n);
        if (got >= 0) {
            r->bytes_read += (uint64_t)got;
            return got;
        }
        if (errno != EINTR)
            return fail(r, VGL_EIO, "'%s': read error at offset %" PRIu64 ": %s", r->name,
                        r->bytes_read, strerror(errno));
    }
}

/* Reads the first bytes and decides between plain and gzip. */
static int sniff(struct vgl_lines *r)
{
    while (r->in_len < 2) {
        ssize_t got = read_raw(r, r->in + r->in_len, r->in_cap - r->in_len);
        if (got < 0)
            return (int)got;
        if (got == 0) {
            r->in_eof = true;
            break;
        }
        r->in_len += (size_t)got;
    }
    if (r->in_len >= 2 && r->in[0] == 0x1f && r->in[1] == 0x8b) {
        /* 15 + 32: a 32 KiB window, and accept gzip (or zlib) headers. */
        if (inflateInit2(&r->zs, 15 + 32) != Z_OK)
            return fail(r, VGL_ENOMEM, "'%s': cannot start gzip decompression", r->name);
        r->zs_init = true;
        r->zs.next_in = r->in;
        r->zs.avail_in = (uInt)r->in_len;
        r->mode = MODE_GZIP;
    } else {
        r->mode = MODE_PLAIN;
    }
    return 0;
}

static ssize_t produce_plain(struct vgl_lines *r, char *dst, size_t room)
{
    if (r->in_pos < r->in_len) {
        size_t n = r->in_len - r->in_pos;
        if (n > room)
            n = room;
        memcpy(dst, r->in + r->in_pos, n);
        r->in_pos += n;
        return (ssize_t)n;
    }
    if (r->in_eof)
        return 0;
    ssize_t got = read_raw(r, dst, room);
    if (got == 0)
        r->in_eof = true;
    return got;
}

/* Between members: skips zero padding, then starts the next member if there is one. */
static int next_member(struct vgl_lines *r, bool *end)
{
    *end = false;
    for (;;) {
        while (r->zs.avail_in > 0 && r->zs.next_in[0] == 0) {
            r->zs.next_in++;
            r->zs.avail_in--;
        }
        if (r->zs.avail_in > 0)
            break;
        if (r->in_eof) {
            *end = true;
            return 0;
        }
        ssize_t got = read_raw(r, r->in, r->in_cap);
        if (got < 0)
            return (int)got;
        if (got == 0)
            r->in_eof = true;
        r->zs.next_in = r->in;
        r->zs.avail_in = (uInt)got;
    }
    inflateReset(&r->zs);
    r->member_done = false;
    return 0;
}

static ssize_t produce_gzip(struct vgl_lines *r, char *dst, size_t room)
{
    if (room > UINT_MAX)
        room = UINT_MAX;
    for (;;) {
        if (r->member_done) {
            bool end;
            int rc = next_member(r, &end);
            if (rc < 0)
                return rc;
            if (end)
                return 0;
        }
        if (r->zs.avail_in == 0 && !r->in_eof) {
            ssize_t got = read_raw(r, r->in, r->in_cap);
            if (got < 0)
                return got;
            if (got == 0)
                r->in_eof = true;
            r->zs.next_in = r->in;
            r->zs.avail_in = (uInt)got;
        }
        r->zs.next_out = (unsigned char *)dst;
        r->zs.avail_out = (uInt)room;
        int zrc = inflate(&r->zs, Z_NO_FLUSH);
        size_t made = room - r->zs.avail_out;
        r->out_total += made;
        switch (zrc) {
        case Z_STREAM_END:
            r->member_done = true;
            break;
        case Z_OK:
            break;
        case Z_BUF_ERROR:
            /* No progress possible: out of input for good means the member was cut short. */
            if (made == 0 && r->zs.avail_in == 0 && r->in_eof)
                return fail(r, VGL_EPARSE,
                            "'%s': truncated gzip stream at decompressed offset %" PRIu64, r->name,
                            r->out_total);
            break;
        default:
            /* Hand out what came before the damage; the next call reports it. */
            fail(r, VGL_EPARSE, "'%s': corrupt gzip stream at decompressed offset %" PRIu64 ": %s",
                 r->name, r->out_total, r->zs.msg ? r->zs.msg : "inflate failed");
            return made ? (ssize_t)made : r->fail;
        }
        if (made)
            return (ssize_t)made;
    }
}

/* Decompressed bytes into dst: count, 0 at the end of the stream, or an error code. */
static ssize_t produce(struct vgl_lines *r, char *dst, size_t room)
{
    if (r->fail)
        return r->fail;
    if (r->mode == MODE_UNKNOWN) {
        alloc_buffers(r);
        int rc = sniff(r);
        if (rc < 0)
            return rc;
    }
    return r->mode == MODE_GZIP ? produce_gzip(r, dst, room) : produce_plain(r, dst, room);
}

/* Moves unread bytes to the front, grows within bound, and reads more; sets eof at the end. */
static int fill(struct vgl_lines *r)
{
    alloc_buffers(r);
    if (r->start > 0) {
        size_t n = r->end - r->start;
        memmove(r->buf, r->buf + r->start, n);
        r->base += r->start;
        r->scan -= r->start;
        r->end = n;
        r->start = 0;
    }
    /* One byte stays free for the NUL after a final line. */
    size_t room = r->cap - r->end - 1;
    if ((room < r->chunk / 2 || room == 0) && r->cap < r->bound) {
        size_t want = r->cap * 2;
        if (want < r->end + 1 + r->chunk)
            want = r->end + 1 + r->chunk;
        if (want > r->bound)
            want = r->bound;
        r->buf = vgl_xrealloc(r->buf, want);
        r->cap = want;
        room = r->cap - r->end - 1;
    }
    /* Holds because unread data never passes max + 1 bytes outside skipping mode. */
    if (room == 0)
        VGL_BUG("line buffer full");
    ssize_t got = produce(r, r->buf + r->end, room < r->chunk ? room : r->chunk);
    if (got < 0)
        return (int)got;
    if (got == 0)
        r->eof = true;
    r->end += (size_t)got;
    return 0;
}

static void deliver(struct vgl_lines *r, struct vgl_line *out, size_t at, size_t len)
{
    out->lineno = ++r->lineno;
    out->offset = r->base + at;
    if (len > r->max) {
        out->data = NULL;
        out->len = 0;
        out->oversize = true;
        out->oversize_len = len;
    } else {
        r->buf[at + len] = '\0';
        out->data = r->buf + at;
        out->len = len;
        out->oversize = false;
        out->oversize_len = 0;
    }
}

static void deliver_skipped(struct vgl_lines *r, struct vgl_line *out, uint64_t len)
{
    out->data = NULL;
    out->len = 0;
    out->lineno = r->skip_lineno;
    out->offset = r->skip_offset;
    out->oversize = true;
    out->oversize_len = len;
    r->skipping = false;
}

/* Skips the rest of an oversize line: 1 when it ended, 0 when more input is needed. */
static int skip_step(struct vgl_lines *r, struct vgl_line *out)
{
    size_t n = r->end - r->start;
    char *p = r->buf + r->start;
    char *nl = memchr(p, '\n', n);
    if (nl) {
        size_t k = (size_t)(nl - p);
        uint64_t len = r->skip_len + k;
        bool cr = k > 0 ? nl[-1] == '\r' : r->skip_last_cr;
        deliver_skipped(r, out, cr ? len - 1 : len);
        r->start += k + 1;
        r->scan = r->start;
        return 1;
    }
    if (n > 0) {
        r->skip_last_cr = p[n - 1] == '\r';
        r->skip_len += n;
    }
    r->base += r->end;
    r->start = r->end = r->scan = 0;
    if (r->eof) {
        deliver_skipped(r, out, r->skip_len);
        return 1;
    }
    return 0;
}

int vgl_lines_next(struct vgl_lines *r, struct vgl_line *out, struct vgl_error *err)
{
    for (;;) {
        if (r->skipping) {
            if (skip_step(r, out))
                return 1;
        } else {
            char *nl = r->end > r->scan ? memchr(r->buf + r->scan, '\n', r->end - r->scan) : NULL;
            if (nl) {
                size_t at = r->start, len = (size_t)(nl - (r->buf + at));
                if (len > 0 && nl[-1] == '\r')
                    len--;
                deliver(r, out, at, len);
                r->start = r->scan = (size_t)(nl - r->buf) + 1;
                return 1;
            }
            r->scan = r->end;
            size_t pending = r->end - r->start;
            if (pending > r->max + 1) {
                /* Too long even if a "\r\n" comes next: stop buffering it. */
                r->skipping = true;
                r->skip_lineno = ++r->lineno;
                r->skip_offset = r->base + r->start;
                r->skip_len = 0;
                r->skip_last_cr = false;
                continue;
            }
            if (r->eof) {
                if (pending == 0)
                    return 0;
                deliver(r, out, r->start, pending);
                r->start = r->scan = r->end;
                return 1;
            }
        }
        if (r->fail || fill(r) < 0) {
            if (err)
                *err = r->fail_err;
            return r->fail;
        }
    }
}

int vgl_read_file(const char *path, size_t max, struct vgl_buf *out, struct vgl_error *err)
{
    if (max == 0)
        max = VGL_LINES_DEFAULT_MAX;
    if (max > MAX_CAP)
        max = MAX_CAP;
    struct vgl_error open_err = {0};
    struct vgl_lines *r = vgl_lines_open(path, max, &open_err);
    if (!r) {
        if (err)
            *err = open_err;
        return open_err.code;
    }
    /* Small documents get small buffers (config files, fuzzing). */
    vgl_lines_set_read_size(r, max < CHUNK ? max + 1 : CHUNK);
    alloc_buffers(r);
    int rc = 0;
    if (r->total > 0)
        (void)vgl_buf_reserve(out, (size_t)r->total < max ? (size_t)r->total : max);
    uint64_t total = 0;
    for (;;) {
        /* Ask for at most one byte past the limit, so a gzip bomb stops right there. */
        size_t room = r->cap - 1;
        if ((uint64_t)room > max - total + 1)
            room = (size_t)(max - total + 1);
        ssize_t got = produce(r, r->buf, room);
        if (got < 0) {
            rc = vgl_error_set(err, r->fail, "%s", r->fail_err.msg);
            goto out;
        }
        if (got == 0)
            break;
        total += (uint64_t)got;
        if (total > max) {
            rc = vgl_error_set(err, VGL_ELIMIT, "'%s': larger than the %zu-byte limit", r->name,
                               max);
            goto out;
        }
        rc = vgl_buf_append(out, r->buf, (size_t)got);
        if (rc < 0) {
            vgl_error_set(err, rc, "'%s': larger than the buffer's limit", r->name);
            goto out;
        }
    }
out:
    vgl_lines_free(r);
    return rc;
}
