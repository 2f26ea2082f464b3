/*
 * frame/lines.h: byte stream -> newline-delimited records.
 *
 * A reader takes a file (or an fd such as stdin), decompresses it when it starts with the
 * gzip magic bytes 1f 8b (whatever its name; concatenated gzip members are one stream,
 * zero padding after the last member is ignored), and hands out one line at a time.
 *
 * Contract:
 * - A line is the bytes up to a "\n"; the "\n" and a "\r" just before it are not part of it.
 *   A final line without "\n" is still a line (a lone trailing "\r" is kept there).  Empty
 *   lines are delivered: the caller decides what they mean.  Lines may hold any bytes, NULs
 *   included.
 * - lineno is 1-based; offset is the line's first byte in the (decompressed) stream.
 * - Memory is bounded by max_record_bytes plus about 1.3 MiB, however long a line is.  A
 *   line longer than max_record_bytes is never buffered whole: it comes back as one record
 *   with oversize set, data NULL, len 0, and oversize_len its full length (counted while
 *   skipping to the next newline).  Reading then goes on with the next line.
 * - A read error or a corrupt or truncated gzip stream is reported (VGL_EIO, VGL_EPARSE)
 *   only after every complete line before it was delivered; the message names the input
 *   and the decompressed offset.  An incomplete line just before the damage is dropped.
 *   Errors are sticky: later calls return the same error.
 *
 * Ownership: the reader is the caller's (vgl_lines_free).  A delivered line's data points
 * into the reader and stays valid until the next vgl_lines_next() or vgl_lines_free();
 * data[len] is a NUL byte, so a line without NULs can be used as a C string.
 * Not thread-safe: one reader, one thread.
 */
#ifndef VGL_FRAME_LINES_H
#define VGL_FRAME_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vgl_buf;
struct vgl_error;
struct vgl_lines;

/* Default for max_record_bytes (also what 0 means). */
#define VGL_LINES_DEFAULT_MAX ((size_t)16 << 20)

struct vgl_line {
    const char *data;      /* NULL for an oversize line */
    size_t len;            /* without the "\n" / "\r\n"; 0 for an oversize line */
    uint64_t lineno;       /* 1-based */
    uint64_t offset;       /* of the line's first byte in the decompressed stream */
    bool oversize;         /* longer than max_record_bytes; skipped, not buffered */
    uint64_t oversize_len; /* full length of an oversize line, without its terminator */
};

/*
 * Opens path for reading ("-" = stdin, not closed by vgl_lines_free).  Returns NULL and
 * sets err when the file cannot be opened or is a directory.  max_record_bytes 0 means
 * VGL_LINES_DEFAULT_MAX.  Nothing is read until the first vgl_lines_next().
 */
struct vgl_lines *vgl_lines_open(const char *path, size_t max_record_bytes, struct vgl_error *err);

/*
 * Reads from fd, which stays the caller's (vgl_lines_free does not close it).  name is
 * copied and used in error messages ("<stdin>", a path, "kafka 'topic'").
 */
struct vgl_lines *vgl_lines_from_fd(int fd, const char *name, size_t max_record_bytes,
                                    struct vgl_error *err);

/*
 * Gets the next line into *out.  Returns 1 for a line (valid until the next call), 0 at
 * the end of the stream, or a negative VGL_E* code with err set.
 */
int vgl_lines_next(struct vgl_lines *r, struct vgl_line *out, struct vgl_error *err);

/*
 * For tests and fuzzing: reads at most n bytes at a time (default 1 MiB, at least 16), so
 * small inputs cross buffer boundaries.  Call before the first vgl_lines_next().
 */
void vgl_lines_set_read_size(struct vgl_lines *r, size_t n);

/* Bytes read from the input so far (compressed bytes for gzip): for progress. */
uint64_t vgl_lines_bytes_read(const struct vgl_lines *r);

/* The input's size when it is a regular file, else -1: for progress. */
int64_t vgl_lines_total_bytes(const struct vgl_lines *r);

/* True once the input was found to be gzip (after the first vgl_lines_next()). */
bool vgl_lines_is_gzip(const struct vgl_lines *r);

/* The name used in messages. */
const char *vgl_lines_name(const struct vgl_lines *r);

/* Frees the reader (closing the file it opened); NULL does nothing. */
void vgl_lines_free(struct vgl_lines *r);

/*
 * Whole-document mode: appends the whole (decompressed when gzip) content of path ("-" =
 * stdin) to out.  Fails with VGL_ELIMIT when it is longer than max bytes (0 means
 * VGL_LINES_DEFAULT_MAX), without reading much past the limit; with VGL_EIO / VGL_EPARSE on
 * read or gzip errors.  On failure out may hold part of the content.
 */
int vgl_read_file(const char *path, size_t max, struct vgl_buf *out, struct vgl_error *err);

#endif
