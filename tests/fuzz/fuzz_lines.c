/*
 * Fuzz target: the line framer (frame/lines.c) and vgl_read_file().
 *
 * The first input byte picks max_record_bytes (1..64, small so oversize paths run) and
 * the read size (16..128 bytes, so buffer refills and gzip member edges happen); the rest
 * is the stream, written to a memfd and read back through the reader.  For a plain
 * stream every delivered line is checked against a naive split on "\n"; for gzip (the
 * rest starts with 1f 8b) the invariants are checked: consecutive line numbers, increasing
 * offsets, lengths within the cap, a NUL after the data.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"
#include "frame/lines.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int stream_fd(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz_lines", MFD_CLOEXEC);
    if (fd < 0)
        abort();
    size_t done = 0;
    while (done < size) {
        ssize_t w = write(fd, data + done, size - done);
        if (w <= 0)
            abort();
        done += (size_t)w;
    }
    if (lseek(fd, 0, SEEK_SET) != 0)
        abort();
    return fd;
}

/* The reference: the line starting at off in a plain stream. */
static void reference_line(const uint8_t *s, size_t n, size_t off, size_t *len, size_t *next)
{
    const uint8_t *nl = memchr(s + off, '\n', n - off);
    size_t end = nl ? (size_t)(nl - s) : n;
    *next = nl ? end + 1 : n;
    *len = end - off;
    if (nl && *len > 0 && s[end - 1] == '\r')
        (*len)--;
}

static void check_lines(int fd, const uint8_t *s, size_t n, size_t max, size_t chunk, bool plain)
{
    struct vgl_error err = {0};
    struct vgl_lines *r = vgl_lines_from_fd(fd, "fuzz", max, &err);
    if (!r)
        abort();
    vgl_lines_set_read_size(r, chunk);
    struct vgl_line l;
    uint64_t lineno = 0, last_off = 0;
    size_t off = 0;
    int rc;
    while ((rc = vgl_lines_next(r, &l, &err)) == 1) {
        if (l.lineno != ++lineno || (lineno > 1 && l.offset <= last_off))
            abort();
        last_off = l.offset;
        if (l.oversize ? (l.data || l.len || l.oversize_len <= max)
                       : (!l.data || l.len > max || l.data[l.len] != '\0'))
            abort();
        if (!plain)
            continue;
        size_t len, next;
        if (off >= n)
            abort(); /* a line past the end */
        reference_line(s, n, off, &len, &next);
        if (l.offset != off)
            abort();
        if (l.oversize ? l.oversize_len != len : (l.len != len || memcmp(l.data, s + off, len)))
            abort();
        off = next;
    }
    if (plain && (rc != 0 || off != n))
        abort(); /* a plain stream never fails and every line comes out */
    if (rc < 0 && (err.code != rc || !strstr(err.msg, "'fuzz'")))
        abort();
    vgl_lines_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t max = 1 + data[0] % 64;
    size_t chunk = (size_t)16 << (data[0] >> 6);
    const uint8_t *s = data + 1;
    size_t n = size - 1;
    bool plain = !(n >= 2 && s[0] == 0x1f && s[1] == 0x8b);

    int fd = stream_fd(s, n);
    check_lines(fd, s, n, max, chunk, plain);

    /* Whole-document mode through a fresh open of the same bytes. */
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    struct vgl_buf out;
    vgl_buf_init(&out, 0);
    size_t limit = 64 + max * 64;
    int rc = vgl_read_file(path, limit, &out, NULL);
    if (plain &&
        (n <= limit ? rc != 0 || out.len != n || (n && memcmp(out.data, s, n)) : rc != VGL_ELIMIT))
        abort();
    if (rc == 0 && out.len > limit)
        abort();
    vgl_buf_release(&out);
    close(fd);
    return 0;
}
