/*
 * Unit tests for frame/lines.c: the newline framer over plain, gzip and piped input.
 *
 * Most cases render what the reader delivers as one string ("lineno@offset:data" per
 * line, oversize lines as "<oversize N>") and compare it whole.
 */
#include "frame/lines.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "core/buf.h"
#include "core/error.h"
#include "test.h"

static char tmpdir[256];

static void cleanup(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
}

/* A path in this run's temporary folder, removed at exit; valid until the next call. */
static const char *tmp_path(const char *name)
{
    static char path[512];
    if (!tmpdir[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(tmpdir, sizeof tmpdir, "%s/vgl-lines-XXXXXX", base ? base : "/tmp");
        if (!mkdtemp(tmpdir)) {
            perror("mkdtemp");
            exit(2);
        }
        atexit(cleanup);
    }
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    return path;
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0) {
        perror(path);
        exit(2);
    }
}

/* One gzip member holding data; appended to out. */
static void gz_append(struct vgl_buf *out, const void *data, size_t len)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        exit(2);
    size_t bound = deflateBound(&zs, (uLong)len) + 64;
    if (vgl_buf_reserve(out, bound) != 0)
        exit(2);
    zs.next_in = (unsigned char *)data;
    zs.avail_in = (uInt)len;
    zs.next_out = (unsigned char *)out->data + out->len;
    zs.avail_out = (uInt)bound;
    if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
        exit(2);
    out->len += zs.total_out;
    deflateEnd(&zs);
}

static void write_gz(const char *path, const char *data, size_t len)
{
    struct vgl_buf b;
    vgl_buf_init(&b, 0);
    gz_append(&b, data, len);
    write_file(path, b.data, b.len);
    vgl_buf_release(&b);
}

static void render_bytes(struct vgl_buf *out, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 0x20 && c < 0x7f && c != '\\')
            vgl_buf_putc(out, (char)c);
        else
            vgl_buf_printf(out, "\\x%02x", c);
    }
}

/* Reads everything from r into a rendering; returns the final code (0 or an error). */
static int render_reader(struct vgl_lines *r, struct vgl_buf *out, struct vgl_error *err)
{
    struct vgl_line line;
    int rc;
    while ((rc = vgl_lines_next(r, &line, err)) == 1) {
        vgl_buf_printf(out, "%" PRIu64 "@%" PRIu64 ":", line.lineno, line.offset);
        if (line.oversize) {
            vgl_buf_printf(out, "<oversize %" PRIu64 ">", line.oversize_len);
            if (line.data || line.len)
                vgl_buf_puts(out, "<data set on oversize line>");
        } else {
            render_bytes(out, line.data, line.len);
            if (line.data[line.len] != '\0')
                vgl_buf_puts(out, "<no NUL after data>");
        }
        vgl_buf_putc(out, '|');
    }
    return rc;
}

/* Renders a file's lines; "ERR(<code>):<message>" is appended on error. */
static char *render_file_chunked(const char *path, size_t max, size_t chunk)
{
    struct vgl_buf out;
    vgl_buf_init(&out, 0);
    struct vgl_error err = {0};
    struct vgl_lines *r = vgl_lines_open(path, max, &err);
    if (!r) {
        vgl_buf_printf(&out, "OPEN:%s", err.msg);
    } else {
        if (chunk)
            vgl_lines_set_read_size(r, chunk);
        int rc = render_reader(r, &out, &err);
        if (rc < 0)
            vgl_buf_printf(&out, "ERR(%s):%s", vgl_err_name(rc), err.msg);
        vgl_lines_free(r);
    }
    vgl_buf_putc(&out, '\0');
    return vgl_buf_detach(&out, NULL);
}

static char *render_file(const char *path, size_t max)
{
    return render_file_chunked(path, max, 0);
}

/*
 * Renders data written as a plain file, then as a gzip file, each read with the default
 * read size and with tiny reads: all four must agree.
 */
static char *render_data(const char *data, size_t len, size_t max)
{
    const char *plain = tmp_path("plain");
    write_file(plain, data, len);
    char *a = render_file(plain, max);
    char *b = render_file_chunked(plain, max, 16);
    CHECK_STR_EQ(b, a);
    free(b);
    const char *gz = tmp_path("plain.gz");
    write_gz(gz, data, len);
    b = render_file(gz, max);
    CHECK_STR_EQ(b, a);
    free(b);
    b = render_file_chunked(gz, max, 16);
    CHECK_STR_EQ(b, a);
    free(b);
    return a;
}

#define CHECK_LINES(data, max, expected)                                                           \
    do {                                                                                           \
        char *got_ = render_data(data, sizeof(data) - 1, max);                                     \
        CHECK_STR_EQ(got_, expected);                                                              \
        free(got_);                                                                                \
    } while (0)

TEST(plain_lines)
{
    CHECK_LINES("a\nbb\nccc\n", 0, "1@0:a|2@2:bb|3@5:ccc|");
    CHECK_LINES("{\"x\": 1}\n", 0, "1@0:{\"x\": 1}|");
}

TEST(plain_reports_sizes)
{
    const char *p = tmp_path("sizes");
    write_file(p, "abc\ndef\n", 8);
    struct vgl_lines *r = vgl_lines_open(p, 0, NULL);
    CHECK(r != NULL);
    CHECK_INT_EQ(vgl_lines_total_bytes(r), 8);
    struct vgl_line l;
    while (vgl_lines_next(r, &l, NULL) == 1)
        ;
    CHECK_INT_EQ(vgl_lines_bytes_read(r), 8);
    CHECK(!vgl_lines_is_gzip(r));
    CHECK_STR_EQ(vgl_lines_name(r), p);
    vgl_lines_free(r);
    vgl_lines_free(NULL);
}

TEST(gzip_detected_by_magic_not_name)
{
    const char *p = tmp_path("not-gzip-by-name.log");
    write_gz(p, "one\ntwo\n", 8);
    struct stat st;
    CHECK(stat(p, &st) == 0);
    struct vgl_lines *r = vgl_lines_open(p, 0, NULL);
    struct vgl_line l;
    CHECK_INT_EQ(vgl_lines_next(r, &l, NULL), 1);
    CHECK(vgl_lines_is_gzip(r));
    CHECK_INT_EQ(l.len, 3);
    CHECK(memcmp(l.data, "one", 3) == 0);
    CHECK_INT_EQ(vgl_lines_next(r, &l, NULL), 1);
    CHECK_INT_EQ(vgl_lines_next(r, &l, NULL), 0);
    CHECK_INT_EQ(vgl_lines_next(r, &l, NULL), 0);
    CHECK_INT_EQ(vgl_lines_total_bytes(r), st.st_size);
    CHECK_INT_EQ(vgl_lines_bytes_read(r), st.st_size);
    vgl_lines_free(r);

    /* A plain file named .gz is read as plain text. */
    p = tmp_path("plain.log.gz");
    write_file(p, "\x1f plain\n", 8);
    char *got = render_file(p, 0);
    CHECK_STR_EQ(got, "1@0:\\x1f plain|");
    free(got);
}

TEST(gzip_multi_member)
{
    struct vgl_buf b;
    vgl_buf_init(&b, 0);
    gz_append(&b, "a\nb", 3); /* a member boundary in the middle of a line */
    gz_append(&b, "b\nc\n", 4);
    gz_append(&b, "", 0); /* an empty member */
    gz_append(&b, "d", 1);
    const char *p = tmp_path("multi.gz");
    write_file(p, b.data, b.len);
    char *got = render_file(p, 0);
    CHECK_STR_EQ(got, "1@0:a|2@2:bb|3@5:c|4@7:d|");
    free(got);

    /* Zero padding after the last member is ignored, as gzip(1) and Python do. */
    vgl_buf_append(&b, "\0\0\0\0", 4);
    write_file(p, b.data, b.len);
    got = render_file(p, 0);
    CHECK_STR_EQ(got, "1@0:a|2@2:bb|3@5:c|4@7:d|");
    free(got);

    /* Anything else after a member is a corrupt stream. */
    vgl_buf_append(&b, "junk", 4);
    write_file(p, b.data, b.len);
    got = render_file(p, 0);
    CHECK_STR_CONTAINS(got, "1@0:a|2@2:bb|3@5:c|ERR(EPARSE):'");
    CHECK_STR_CONTAINS(got, "multi.gz': corrupt gzip stream at decompressed offset 8");
    free(got);
    vgl_buf_release(&b);
}

TEST(crlf)
{
    CHECK_LINES("a\r\nb\r\n\r\nc\r", 0, "1@0:a|2@3:b|3@6:|4@8:c\\x0d|");
    CHECK_LINES("a\rb\n\r\r\n", 0, "1@0:a\\x0db|2@4:\\x0d|");
}

TEST(no_final_newline)
{
    CHECK_LINES("x\ny", 0, "1@0:x|2@2:y|");
    CHECK_LINES("only", 0, "1@0:only|");
}

TEST(empty_lines)
{
    CHECK_LINES("\n\n\na\n\n", 0, "1@0:|2@1:|3@2:|4@3:a|5@5:|");
    CHECK_LINES("\n", 0, "1@0:|");
}

TEST(empty_file)
{
    const char *p = tmp_path("empty");
    write_file(p, "", 0);
    char *got = render_file(p, 0);
    CHECK_STR_EQ(got, "");
    free(got);
    struct vgl_lines *r = vgl_lines_open(p, 0, NULL);
    CHECK_INT_EQ(vgl_lines_total_bytes(r), 0);
    vgl_lines_free(r);

    /* An empty gzip member is an empty stream too. */
    p = tmp_path("empty.gz");
    write_gz(p, "", 0);
    got = render_file(p, 0);
    CHECK_STR_EQ(got, "");
    free(got);
}

TEST(binary_with_nuls)
{
    CHECK_LINES("a\0b\n\0\n\xff\xfe", 0, "1@0:a\\x00b|2@4:\\x00|3@6:\\xff\\xfe|");
}

TEST(oversize_in_the_middle)
{
    /* max 16: 16 bytes is fine, with or without CR; 17 is not. */
    CHECK_LINES("short\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\nafter\n", 16,
                "1@0:short|2@6:<oversize 40>|3@48:after|");
    CHECK_LINES("0123456789abcdef\n0123456789abcdef\r\n0123456789abcdefg\nz", 16,
                "1@0:0123456789abcdef|2@17:0123456789abcdef|3@35:<oversize 17>|4@53:z|");
    CHECK_LINES("0123456789abcdefg\r\n", 16, "1@0:<oversize 17>|");
    /* At the end, without a newline (the CR stays, as for any final line). */
    CHECK_LINES("ok\n0123456789abcdefgh\r", 16, "1@0:ok|2@3:<oversize 19>|");
    CHECK_LINES("0123456789abcdef", 16, "1@0:0123456789abcdef|");
    CHECK_LINES("0123456789abcdef\r", 16, "1@0:<oversize 17>|");
    /* max 1: lines of 0 and 1 bytes only. */
    CHECK_LINES("\na\nab\n\r\nabc\r\nb", 1,
                "1@0:|2@1:a|3@3:<oversize 2>|4@6:|5@8:<oversize 3>|6@13:b|");
}

/* Deterministic pseudo-random lines of varied lengths, checked one by one. */
static uint64_t rng_state;
static uint32_t rng(void)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng_state >> 33);
}

static void check_generated(const char *path, const char *data, const size_t *lens, size_t n,
                            size_t max, size_t chunk)
{
    struct vgl_error err = {0};
    struct vgl_lines *r = vgl_lines_open(path, max, &err);
    CHECK(r != NULL);
    if (!r)
        return;
    if (chunk)
        vgl_lines_set_read_size(r, chunk);
    struct vgl_line l;
    uint64_t off = 0;
    size_t i = 0, bad = 0;
    int rc;
    while ((rc = vgl_lines_next(r, &l, &err)) == 1 && i < n) {
        bool over = lens[i] > max;
        if (l.lineno != i + 1 || l.offset != off || l.oversize != over ||
            (over ? l.oversize_len != lens[i]
                  : (l.len != lens[i] || memcmp(l.data, data + off, l.len) != 0))) {
            if (bad++ < 5)
                fprintf(stderr,
                        "  line %zu (len %zu, max %zu) delivered wrong: lineno %" PRIu64
                        " offset %" PRIu64 " len %zu oversize %d/%" PRIu64 "\n",
                        i + 1, lens[i], max, l.lineno, l.offset, l.len, l.oversize, l.oversize_len);
        }
        off += lens[i] + 1;
        i++;
    }
    CHECK_INT_EQ(rc, 0);
    CHECK_INT_EQ(i, n);
    CHECK_INT_EQ(bad, 0);
    vgl_lines_free(r);
}

TEST(many_lines_across_buffer_boundaries)
{
    size_t n = 4000, total = 0;
    size_t *lens = malloc(n * sizeof *lens);
    rng_state = 42;
    for (size_t i = 0; i < n; i++) {
        uint32_t k = rng() % 100;
        lens[i] = k < 80 ? rng() % 600 : k < 98 ? rng() % 5000 : rng() % 100000;
        total += lens[i] + 1;
    }
    char *data = malloc(total);
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < lens[i]; j++)
            data[at++] = (char)('a' + rng() % 26);
        data[at++] = '\n';
    }
    const char *p = tmp_path("many");
    write_file(p, data, total);
    const char *gz = tmp_path("many.gz");
    write_gz(gz, data, total);
    size_t maxes[] = {0, 1000, 4096, 60000};
    for (size_t m = 0; m < sizeof maxes / sizeof maxes[0]; m++) {
        size_t max = maxes[m] ? maxes[m] : VGL_LINES_DEFAULT_MAX;
        check_generated(p, data, lens, n, max, 0);
        check_generated(gz, data, lens, n, max, 0);
        check_generated(p, data, lens, n, max, 777);
        check_generated(gz, data, lens, n, max, 4096);
    }
    free(data);
    free(lens);
}

/* Runs writer(fd, arg) in a child that writes into a pipe; returns the read end. */
static int pipe_from_child(void (*writer)(int fd, const void *arg), const void *arg, pid_t *pid)
{
    int fds[2];
    signal(SIGPIPE, SIG_IGN);
    if (pipe(fds) != 0)
        exit(2);
    *pid = fork();
    if (*pid < 0)
        exit(2);
    if (*pid == 0) {
        close(fds[0]);
        writer(fds[1], arg);
        close(fds[1]);
        _exit(0);
    }
    close(fds[1]);
    return fds[0];
}

static void write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            _exit(3);
        c += w;
        n -= (size_t)w;
    }
}

#define HUGE_LINE ((size_t)100 << 20)

static void write_huge_line(int fd, const void *arg)
{
    static char chunk[1 << 16];
    memset(chunk, 'x', sizeof chunk);
    write_all(fd, "first\n", 6);
    for (size_t done = 0; done < HUGE_LINE; done += sizeof chunk)
        write_all(fd, chunk, sizeof chunk);
    write_all(fd, "\r\nlast\n", 7);
}

static long peak_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

TEST(huge_line_keeps_memory_bounded)
{
    long before = peak_rss_kib();
    pid_t pid;
    int fd = pipe_from_child(write_huge_line, NULL, &pid);
    struct vgl_lines *r = vgl_lines_from_fd(fd, "<pipe>", (size_t)4 << 20, NULL);
    struct vgl_buf out;
    vgl_buf_init(&out, 0);
    struct vgl_error err = {0};
    CHECK_INT_EQ(render_reader(r, &out, &err), 0);
    char expected[128];
    snprintf(expected, sizeof expected, "1@0:first|2@6:<oversize %zu>|3@%zu:last|", HUGE_LINE,
             HUGE_LINE + 8);
    CHECK_STR_EQ(out.data, expected);
    CHECK_INT_EQ(vgl_lines_total_bytes(r), -1);
    CHECK_INT_EQ(vgl_lines_bytes_read(r), HUGE_LINE + 13);
    vgl_buf_release(&out);
    vgl_lines_free(r);
    close(fd);
    int status;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    long grew = peak_rss_kib() - before;
    /* The cap is 4 MiB; the line is 100 MiB.  Allow for allocator slack and sanitizers. */
    if (grew > 40 * 1024)
        fprintf(stderr, "  peak RSS grew by %ld KiB\n", grew);
    CHECK(grew <= 40 * 1024);
}

TEST(huge_gzip_line_keeps_memory_bounded)
{
    /* 64 MiB of one line compresses to ~64 KiB: a small file, a big line. */
    size_t n = (size_t)64 << 20;
    struct vgl_buf b;
    vgl_buf_init(&b, 0);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    deflateInit2(&zs, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    static char chunk[1 << 16];
    memset(chunk, 'y', sizeof chunk);
    vgl_buf_reserve(&b, 1 << 20);
    for (size_t done = 0; done <= n; done += sizeof chunk) {
        bool last = done == n;
        zs.next_in = (unsigned char *)(last ? "\nend\n" : chunk);
        zs.avail_in = last ? 5 : sizeof chunk;
        do {
            vgl_buf_reserve(&b, 1 << 16);
            zs.next_out = (unsigned char *)b.data + b.len;
            zs.avail_out = (uInt)(b.cap - b.len - 1);
            deflate(&zs, last ? Z_FINISH : Z_NO_FLUSH);
            b.len = b.cap - 1 - zs.avail_out;
        } while (zs.avail_out == 0);
    }
    deflateEnd(&zs);
    const char *p = tmp_path("huge.gz");
    write_file(p, b.data, b.len);
    vgl_buf_release(&b);

    long before = peak_rss_kib();
    char *got = render_file(p, 1 << 20);
    char expected[128];
    snprintf(expected, sizeof expected, "1@0:<oversize %zu>|2@%zu:end|", n, n + 1);
    CHECK_STR_EQ(got, expected);
    free(got);
    CHECK(peak_rss_kib() - before <= 40 * 1024);
}

TEST(truncated_gzip)
{
    struct vgl_buf text;
    vgl_buf_init(&text, 0);
    for (int i = 1; i <= 50000; i++)
        vgl_buf_printf(&text, "line %d %u\n", i, (unsigned)(i * 2654435761u));
    struct vgl_buf gz;
    vgl_buf_init(&gz, 0);
    gz_append(&gz, text.data, text.len);
    const char *p = tmp_path("cut.gz");
    write_file(p, gz.data, gz.len / 2);

    struct vgl_error err = {0};
    struct vgl_lines *r = vgl_lines_open(p, 0, &err);
    struct vgl_line l;
    int rc, n = 0;
    uint64_t next_off = 0;
    while ((rc = vgl_lines_next(r, &l, &err)) == 1) {
        char want[64];
        n++;
        int wl = snprintf(want, sizeof want, "line %d %u", n, (unsigned)(n * 2654435761u));
        if (l.len != (size_t)wl || memcmp(l.data, want, l.len) != 0 || l.offset != next_off) {
            CHECK(!"line before the damage delivered wrong");
            break;
        }
        next_off += l.len + 1;
    }
    CHECK_INT_EQ(rc, VGL_EPARSE);
    CHECK(n > 1000);
    char want[600];
    snprintf(want, sizeof want, "'%s': truncated gzip stream at decompressed offset ", p);
    CHECK_STR_CONTAINS(err.msg, want);
    /* Every complete line came out: the partial one ended where the stream did. */
    uint64_t at = strtoull(strstr(err.msg, "offset ") + 7, NULL, 10);
    CHECK(at >= next_off && at - next_off < 32);
    /* The error is sticky. */
    memset(&err, 0, sizeof err);
    CHECK_INT_EQ(vgl_lines_next(r, &l, &err), VGL_EPARSE);
    CHECK_STR_CONTAINS(err.msg, "truncated gzip");
    vgl_lines_free(r);

    /* Cut inside the header. */
    write_file(p, gz.data, 5);
    char *got = render_file(p, 0);
    CHECK_STR_CONTAINS(got, "ERR(EPARSE):'");
    CHECK_STR_CONTAINS(got, "truncated gzip stream at decompressed offset 0");
    free(got);

    /* Cut inside the trailer: every line is there, the stream is still incomplete. */
    write_file(p, gz.data, gz.len - 3);
    got = render_file(p, 0);
    CHECK_STR_CONTAINS(got, "|50000@");
    CHECK_STR_CONTAINS(got, "truncated gzip stream");
    free(got);

    vgl_buf_release(&gz);
    vgl_buf_release(&text);
}

TEST(corrupt_gzip)
{
    struct vgl_buf text;
    vgl_buf_init(&text, 0);
    for (int i = 1; i <= 20000; i++)
        vgl_buf_printf(&text, "record %d\n", i * 7919);
    struct vgl_buf gz;
    vgl_buf_init(&gz, 0);
    gz_append(&gz, text.data, text.len);
    for (size_t i = gz.len / 2; i < gz.len / 2 + 16; i++)
        gz.data[i] ^= 0x5a;
    const char *p = tmp_path("corrupt.gz");
    write_file(p, gz.data, gz.len);
    char *got = render_file(p, 0);
    CHECK_STR_CONTAINS(got, "1@0:record 7919|");
    CHECK_STR_CONTAINS(got, "ERR(EPARSE):'");
    CHECK_STR_CONTAINS(got, "corrupt.gz': corrupt gzip stream at decompressed offset ");
    free(got);

    /* A bad CRC in the trailer: the data is all there, but cannot be trusted. */
    vgl_buf_reset(&gz);
    gz_append(&gz, "a\nb\n", 4);
    gz.data[gz.len - 8] ^= 1;
    write_file(p, gz.data, gz.len);
    got = render_file(p, 0);
    CHECK_STR_CONTAINS(got, "corrupt gzip stream at decompressed offset 4: incorrect data check");
    free(got);
    vgl_buf_release(&gz);
    vgl_buf_release(&text);
}

static void write_arg(int fd, const void *arg)
{
    const struct vgl_buf *b = arg;
    /* Small pieces, so the reader sees many short reads. */
    for (size_t i = 0; i < b->len; i += 7) {
        size_t n = b->len - i < 7 ? b->len - i : 7;
        write_all(fd, b->data + i, n);
        if (i % 700 == 0)
            nanosleep(&(struct timespec){.tv_nsec = 100000}, NULL);
    }
}

TEST(stdin_via_pipe)
{
    struct vgl_buf b;
    vgl_buf_init(&b, 0);
    gz_append(&b, "from\r\nstdin\n", 12);
    gz_append(&b, "\nend", 4);
    pid_t pid;
    int fd = pipe_from_child(write_arg, &b, &pid);

    /* vgl_lines_open("-") reads fd 0 and leaves it open. */
    int saved = dup(STDIN_FILENO);
    dup2(fd, STDIN_FILENO);
    close(fd);
    struct vgl_error err = {0};
    struct vgl_lines *r = vgl_lines_open("-", 0, &err);
    CHECK(r != NULL);
    CHECK_STR_EQ(vgl_lines_name(r), "<stdin>");
    CHECK_INT_EQ(vgl_lines_total_bytes(r), -1);
    struct vgl_buf out;
    vgl_buf_init(&out, 0);
    CHECK_INT_EQ(render_reader(r, &out, &err), 0);
    CHECK_STR_EQ(out.data, "1@0:from|2@6:stdin|3@12:|4@13:end|");
    CHECK(vgl_lines_is_gzip(r));
    CHECK_INT_EQ(vgl_lines_bytes_read(r), b.len);
    vgl_lines_free(r);
    CHECK(fcntl(STDIN_FILENO, F_GETFD) != -1);
    dup2(saved, STDIN_FILENO);
    close(saved);
    int status;
    waitpid(pid, &status, 0);

    /* A plain pipe, through vgl_lines_from_fd. */
    vgl_buf_reset(&b);
    vgl_buf_puts(&b, "x\ny\r\n\n");
    for (int i = 0; i < 300; i++)
        vgl_buf_puts(&b, "0123456789");
    fd = pipe_from_child(write_arg, &b, &pid);
    r = vgl_lines_from_fd(fd, "kafka 'topic'", 1000, &err);
    vgl_buf_reset(&out);
    CHECK_INT_EQ(render_reader(r, &out, &err), 0);
    CHECK_STR_EQ(out.data, "1@0:x|2@2:y|3@5:|4@6:<oversize 3000>|");
    vgl_lines_free(r);
    close(fd);
    waitpid(pid, &status, 0);
    vgl_buf_release(&out);
    vgl_buf_release(&b);
}

TEST(open_errors)
{
    struct vgl_error err = {0};
    CHECK(vgl_lines_open(tmp_path("does-not-exist"), 0, &err) == NULL);
    CHECK_INT_EQ(err.code, VGL_ENOTFOUND);
    CHECK_STR_CONTAINS(err.msg, "cannot open '");
    CHECK_STR_CONTAINS(err.msg, "does-not-exist': No such file or directory");
    CHECK(vgl_lines_open(tmpdir, 0, &err) == NULL);
    CHECK_INT_EQ(err.code, VGL_EIO);
    CHECK_STR_CONTAINS(err.msg, "is a directory");
    CHECK(vgl_lines_open(tmpdir, 0, NULL) == NULL);
}

TEST(read_file_whole)
{
    struct vgl_buf out;
    struct vgl_error err = {0};
    const char *p = tmp_path("doc.json");
    write_file(p, "{\"a\":\n 1}\n", 10);
    vgl_buf_init(&out, 0);
    CHECK_INT_EQ(vgl_read_file(p, 100, &out, &err), 0);
    CHECK_INT_EQ(out.len, 10);
    CHECK_STR_EQ(out.data, "{\"a\":\n 1}\n");
    vgl_buf_release(&out);

    /* Exactly at the limit is fine; one byte over is not. */
    vgl_buf_init(&out, 0);
    CHECK_INT_EQ(vgl_read_file(p, 10, &out, &err), 0);
    vgl_buf_release(&out);
    vgl_buf_init(&out, 0);
    CHECK_INT_EQ(vgl_read_file(p, 9, &out, &err), VGL_ELIMIT);
    CHECK_STR_CONTAINS(err.msg, "doc.json': larger than the 9-byte limit");
    vgl_buf_release(&out);

    p = tmp_path("doc.json.gz");
    write_gz(p, "[1, 2, 3]", 9);
    vgl_buf_init(&out, 0);
    CHECK_INT_EQ(vgl_read_file(p, 100, &out, &err), 0);
    CHECK_STR_EQ(out.data, "[1, 2, 3]");
    vgl_buf_release(&out);

    vgl_buf_init(&out, 0);
    CHECK_INT_EQ(vgl_read_file(tmp_path("nope.json"), 100, &out, &err), VGL_ENOTFOUND);
    CHECK_STR_CONTAINS(err.msg, "nope.json'");
    CHECK_INT_EQ(vgl_read_file(tmp_path("nope.json"), 100, &out, NULL), VGL_ENOTFOUND);
    vgl_buf_release(&out);

    p = tmp_path("cut.json.gz");
    struct vgl_buf gz;
    vgl_buf_init(&gz, 0);
    gz_append(&gz, "{\"truncated\": true}", 19);
    write_file(p, gz.data, gz.len - 4);
    vgl_buf_init(&out, 0);
    CHECK_INT_EQ(vgl_read_file(p, 100, &out, &err), VGL_EPARSE);
    CHECK_STR_CONTAINS(err.msg, "cut.json.gz': truncated gzip stream");
    vgl_buf_release(&out);
    vgl_buf_release(&gz);
}

TEST(read_file_gzip_bomb_stops_at_limit)
{
    /* 32 MiB of zeros compress to ~32 KiB; a 1 MiB limit must stop early. */
    size_t n = (size_t)32 << 20;
    char *zeros = calloc(1, n);
    const char *p = tmp_path("bomb.gz");
    write_gz(p, zeros, n);
    free(zeros);
    struct vgl_buf out;
    vgl_buf_init(&out, 0);
    struct vgl_error err = {0};
    CHECK_INT_EQ(vgl_read_file(p, 1 << 20, &out, &err), VGL_ELIMIT);
    CHECK(out.cap <= (2u << 20));
    vgl_buf_release(&out);
}

TEST_MAIN(T(plain_lines), T(plain_reports_sizes), T(gzip_detected_by_magic_not_name),
          T(gzip_multi_member), T(crlf), T(no_final_newline), T(empty_lines), T(empty_file),
          T(binary_with_nuls), T(oversize_in_the_middle), T(many_lines_across_buffer_boundaries),
          T(huge_line_keeps_memory_bounded), T(huge_gzip_line_keeps_memory_bounded),
          T(truncated_gzip), T(corrupt_gzip), T(stdin_via_pipe), T(open_errors), T(read_file_whole),
          T(read_file_gzip_bomb_stops_at_limit))
