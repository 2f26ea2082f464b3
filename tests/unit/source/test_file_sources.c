/*
 * Unit tests for source/file.c, source/dir.c and source/stdin.c: tailing with appends,
 * held-back partial lines, rotation, copytruncate, checkpoints and resume, failed()
 * re-delivery, drop directories (plain and gzip, new files, growing files, sharding),
 * oversize lines and stdin through a pipe.
 *
 * Most cases pull batches the way a worker does (next, store the checkpoints, committed)
 * and compare what came as one string, one "data\n" per payload.
 */
#include "source/source.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "core/buf.h"
#include "core/error.h"
#include "test.h"
#include "testutil.h"

/* ---- helpers ---- */

static char root[256];

static void teardown(void)
{
    tu_rmrf(root);
}

/* A path in this run's temporary folder (removed at exit); one of 4 rotating buffers. */
static const char *path_in(const char *name)
{
    static char p[4][512];
    static int k;
    if (!root[0]) {
        snprintf(root, sizeof root, "%s", tu_tmpdir());
        atexit(teardown);
    }
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", root, name);
    return p[k];
}

static void put_file(const char *path, const char *data, size_t len, const char *mode)
{
    FILE *f = fopen(path, mode);
    if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0) {
        perror(path);
        exit(2);
    }
}

static void write_text(const char *path, const char *text)
{
    put_file(path, text, strlen(text), "wb");
}

static void append_text(const char *path, const char *text)
{
    put_file(path, text, strlen(text), "ab");
}

static void write_gz(const char *path, const char *text)
{
    gzFile g = gzopen(path, "wb");
    if (!g || gzwrite(g, text, (unsigned)strlen(text)) != (int)strlen(text) || gzclose(g) != Z_OK) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(2);
    }
}

/* Sets a file's mtime to now - ago seconds. */
static void age(const char *path, int ago)
{
    struct timespec t[2];
    clock_gettime(CLOCK_REALTIME, &t[0]);
    t[0].tv_sec -= ago;
    t[1] = t[0];
    if (utimensat(AT_FDCWD, path, t, 0) != 0) {
        perror(path);
        exit(2);
    }
}

static uint64_t ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void nap(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static unsigned long long inode_of(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        perror(path);
        exit(2);
    }
    return (unsigned long long)st.st_ino;
}

/* A checkpoint table, as the store would keep it. */
#define STORE_MAX 256
struct store {
    char key[STORE_MAX][VGL_SOURCE_CP_KEY_MAX];
    char value[STORE_MAX][VGL_SOURCE_CP_VALUE_MAX];
    int n;
    int done; /* how many "done" values were stored */
};

static bool store_get(void *ud, const char *key, char *out, size_t outsz)
{
    struct store *st = ud;
    for (int i = 0; i < st->n; i++)
        if (strcmp(st->key[i], key) == 0) {
            snprintf(out, outsz, "%s", st->value[i]);
            return true;
        }
    return false;
}

static void store_put(struct store *st, const char *key, const char *value)
{
    if (strcmp(value, "done") == 0)
        st->done++;
    for (int i = 0; i < st->n; i++)
        if (strcmp(st->key[i], key) == 0) {
            snprintf(st->value[i], sizeof st->value[i], "%s", value);
            return;
        }
    if (st->n == STORE_MAX)
        abort();
    snprintf(st->key[st->n], sizeof st->key[0], "%s", key);
    snprintf(st->value[st->n], sizeof st->value[0], "%s", value);
    st->n++;
}

static const char *store_value(struct store *st, const char *key)
{
    for (int i = 0; i < st->n; i++)
        if (strcmp(st->key[i], key) == 0)
            return st->value[i];
    return NULL;
}

static struct vgl_source_opts opts_for(struct store *st)
{
    return (struct vgl_source_opts){.checkpoint_get = st ? store_get : NULL, .checkpoint_ud = st,
                                    .nworkers = 1};
}

/* Appends a batch's payloads to out ("data\n", "<oversize N>\n"). */
static void render(const struct vgl_source_batch *b, struct vgl_buf *out)
{
    for (size_t i = 0; i < b->n; i++) {
        const struct vgl_source_item *it = &b->items[i];
        if (it->oversize)
            vgl_buf_printf(out, "<oversize %llu>\n", (unsigned long long)it->oversize_len);
        else
            vgl_buf_printf(out, "%.*s\n", (int)it->len, it->data);
    }
}

/* One worker step: next, store the checkpoints, committed.  Returns the item count. */
static size_t pull(struct vgl_source *s, struct store *st, struct vgl_buf *out, size_t max_items,
                   int timeout_ms)
{
    struct vgl_source_batch b;
    struct vgl_error err = {0};
    int rc = s->ops->next(s, &b, max_items, 1 << 20, timeout_ms, &err);
    CHECK_INT_EQ(rc, 0);
    if (rc != 0) {
        fprintf(stderr, "  next: %s\n", err.msg);
        return 0;
    }
    render(&b, out);
    for (size_t i = 0; st && i < b.ncps; i++)
        store_put(st, b.cps[i].key, b.cps[i].value);
    if (b.n || b.ncps)
        s->ops->committed(s, &b);
    return b.n;
}

static size_t count_lines(const struct vgl_buf *b)
{
    size_t n = 0;
    for (size_t i = 0; i < b->len; i++)
        n += b->data[i] == '\n';
    return n;
}

/* Pulls until out holds want lines (or, with want_done, until st saw that many "done"
 * values) or ms passed. */
static void collect(struct vgl_source *s, struct store *st, struct vgl_buf *out, size_t want,
                    int want_done, int ms)
{
    uint64_t end = ms_now() + (uint64_t)ms;
    while (ms_now() < end) {
        if (count_lines(out) >= want && (!want_done || (st && st->done >= want_done)))
            return;
        pull(s, st, out, 100, 50);
    }
}

static const char *text(struct vgl_buf *b)
{
    return b->data ? b->data : "";
}

/* ---- file source ---- */

TEST(file_tail_appends_and_positions)
{
    const char *p = path_in("tail.log");
    write_text(p, "a\r\nb\n\n   \n");
    struct store st = {0};
    struct vgl_source_opts o = opts_for(&st);
    struct vgl_error err = {0};
    struct vgl_source *s = vgl_source_file_new(p, "file", p, &o, &err);
    CHECK(s != NULL);
    if (!s)
        return;
    CHECK_STR_EQ(s->ops->kind, "file");
    char key[600];
    snprintf(key, sizeof key, "file:%s", p);
    unsigned long long ino = inode_of(p);

    /* one at a time: the checkpoint after "a\r\n" is 3 */
    struct vgl_source_batch b;
    CHECK_INT_EQ(s->ops->next(s, &b, 1, 1 << 20, 100, &err), 0);
    CHECK_INT_EQ(b.n, 1);
    char want[700];
    if (b.n == 1) {
        CHECK_STR_EQ(b.items[0].data, "a");
        CHECK_STR_EQ(b.items[0].service, "file");
        CHECK_STR_EQ(b.items[0].resource, p);
        snprintf(want, sizeof want, "%s#i%llu:o0", p, ino);
        CHECK_STR_EQ(b.items[0].position, want);
    }
    CHECK_INT_EQ(b.ncps, 1);
    CHECK_STR_EQ(b.cps[0].key, key);
    snprintf(want, sizeof want, "i%llu:o3:l1", ino);
    CHECK_STR_EQ(b.cps[0].value, want);
    s->ops->committed(s, &b);

    /* the rest; blank lines are consumed but not delivered */
    CHECK_INT_EQ(s->ops->next(s, &b, 10, 1 << 20, 100, &err), 0);
    CHECK_INT_EQ(b.n, 1);
    if (b.n == 1) {
        CHECK_STR_EQ(b.items[0].data, "b");
        snprintf(want, sizeof want, "%s#i%llu:o3", p, ino);
        CHECK_STR_EQ(b.items[0].position, want);
    }
    snprintf(want, sizeof want, "i%llu:o10:l4", ino);
    CHECK_STR_EQ(b.cps[0].value, want);
    s->ops->committed(s, &b);

    /* nothing new: returns after about the timeout with nothing */
    uint64_t t0 = ms_now();
    CHECK_INT_EQ(s->ops->next(s, &b, 10, 1 << 20, 120, &err), 0);
    uint64_t took = ms_now() - t0;
    CHECK_INT_EQ(b.n, 0);
    CHECK_INT_EQ(b.ncps, 0);
    CHECK(took >= 100 && took < 1000);

    /* appended lines come promptly, long before a long timeout */
    append_text(p, "c\nd\n");
    struct vgl_buf out;
    vgl_buf_init(&out, 0);
    t0 = ms_now();
    pull(s, &st, &out, 10, 5000);
    CHECK(ms_now() - t0 < 1000);
    CHECK_STR_EQ(text(&out), "c\nd\n");
    append_text(p, "e\n");
    collect(s, &st, &out, 3, 0, 2000);
    CHECK_STR_EQ(text(&out), "c\nd\ne\n");
    snprintf(want, sizeof want, "i%llu:o16:l7", ino);
    CHECK_STR_EQ(store_value(&st, key), want);
    vgl_buf_release(&out);
    vgl_source_free(s);
}

TEST(file_partial_last_line_held_back)
{
    const char *p = path_in("partial.log");
    write_text(p, "one\npar");
    struct vgl_source_opts o = opts_for(NULL);
    struct vgl_source *s = vgl_source_file_new(p, "file", "r", &o, NULL);
    struct vgl_buf out;
    vgl_buf_init(&out, 0);
    pull(s, NULL, &out, 10, 100);
    pull(s, NULL, &out, 10, 100);
    CHECK_STR_EQ(text(&out), "one\n");
    append_text(p, "tial");
    pull(s, NULL, &out, 10, 100);
    CHECK_STR_EQ(text(&out), "one\n");
    append_text(p, "\r\ntwo\n");
    collect(s, NULL, &out, 3, 0, 2000);
    CHECK_STR_EQ(text(&out), "one\npartial\ntwo\n");
    vgl_buf_release(&out);
    vgl_source_free(s);
}

TEST(file_waits_for_missing_file)
{
    const char *p = path_in("later.log");
    struct vgl_source_opts o = opts_for(NULL);
    struct vgl_error err = {0};
    struct vgl_source *s = vgl_source_file_new(p, "file", "r", &o, &err);
    CHECK(s != NULL);
    struct vgl_buf out;
    vgl_buf_init(&out, 0);
    CHECK_INT_EQ(pull(s, NULL, &out, 10, 60), 0);
    /* created while next() waits: it returns with the line, well before its timeout */
    pid_t pid = fork();
    if (pid == 0) {
        nap(150);
        write_text(p, "here\n");
        _exit(0);
    }
    uint64_t t0 = ms_now();
    pull(s, NULL, &out, 10, 3000);
    CHECK(ms_now() - t0 < 1500);
    CHECK_STR_EQ(text(&out), "here\n");
    waitpid(pid, NULL, 0);
    vgl_buf_release(&out);
    vgl_source_free(s);
}

TEST(file_rotation_by_rename)
{
    const char *p = path_in("rot.log");
    char old[600];
    snprintf(old, sizeof old, "%s.1", p);
    write_text(p, "1\n2\n");
    struct store st = {0};
    struct vgl_source_opts o = opts_for(&st);
    struct vgl_source *s = vgl_source_file_new(p, "file", "r", &o, NULL);
    struct vgl_buf out;
    vgl_buf_init(&out, 0);
    collect(s, &st, &out, 2, 0, 2000);
    CHECK_STR_EQ(text(&out), "1\n2\n");

    /* the writer adds to the old file, it is renamed, the writer finishes its last lines
     * there (one without "\n"), then a new file takes the name */
    append_text(p, "3\n");
    CHECK(rename(p, old) == 0);
    append_text(old, "4\nlast");
    unsigned long long old_ino = inode_of(old);
    write_text(p, "5\n6\n");
    unsigned long long new_ino = inode_of(p);
    collect(s, &st, &out, 7, 0, 3000);
    CHECK_STR_EQ(text(&out), "1\n2\n3\n4\nlast\n5\n6\n");
    char key[600], want[100];
    snprintf(key, sizeof key, "file:%s", p);
    snprintf(want, sizeof want, "i%llu:o4:l2", new_ino);
    CHECK_STR_EQ(store_value(&st, key), want);
    CHECK(old_ino != new_ino);

    /* and it keeps tailing the new file */
    append_text(p, "7\n");
    collect(s, &st, &out, 8, 0, 2000);
    CHECK_STR_EQ(text(&out), "1\n2\n3\n4\nlast\n5\n6\n7\n");
    vgl_buf_release(&out);
    vgl_source_free(s);
}

TEST(file_copytruncate_restarts)
{
    const char *p = path_in("trunc.log");
    write_text(p, "first line\nsecond line\n");
    struct vgl_source_opts o = opts_for(NULL);
    struct vgl_source *s = vgl_source_file_new(p, "file", "r", &o, NULL);
    struct vgl_buf out;
    vgl_buf_init(&out, 0);
    collect(s, NULL, &out, 2, 0, 2000);
    write_text(p, "x\n"); /* truncates, then writes less than was read */
    collect(s, NULL, &out, 3, 0, 2000);
    CHECK_STR_EQ(text(&out), "first line\nsecond line\nx\n");
    vgl_buf_release(&out);
    vgl_source_free(s);
}

TEST(file_resume_from_checkpoint)
{
    const char *p = path_in("resume.log");
    write_text(p, "a\nb\nc\n");
    struct store st = {0};
    struct vgl_source_opts o = opts_for(&st);
    struct vgl_source *s = vgl_source_file_new(p, "file", "r", &o, NULL);
    struct vgl_buf out;
    vgl_buf_init(&out, 0);
    pull(s, &st, &out, 2, 100);
    CHECK_STR_EQ(text(&out), "a\nb\n");
    /* "c" is read but its batch is never committed: the worker crashes */
    struct vgl_source_batch b;
    CHECK_INT_EQ(s->ops->next(s, &b, 10, 1 << 20, 100, NULL), 0);
    CHECK_INT_EQ(b.n, 1);
    vgl_source_free(s);

    append_text(p, "d\n");
    s = vgl_source_file_new(p, "file", "r", &o, NULL);
    vgl_buf_reset(&out);
    collect(s, &st, &out, 2, 0, 2000);
    CHECK_STR_EQ(text(&out), "c\nd\n");
    vgl_source_free(s);

    /* rotated while down: the new file is read from the start */
    char old[600];
    snprintf(old, sizeof old, "%s.1", p);
    CHECK(rename(p, old) == 0);
    write_text(p, "new1\n");
    s = vgl_source_file_new(p, "file", "r", &o, NULL);
    vgl_buf_reset(&out);
    collect(s, &st, &out, 1, 0, 2000);
    CHECK_STR_EQ(text(&out), "new1\n");
    vgl_source_free(s);

    /* truncated while down: from the start too */
    write_text(p, "n\n");
    s = vgl_source_file_new(p, "file", "r", &o, NULL);
    vgl_buf_reset(&out);
    collect(s, &st, &out, 1, 0, 2000);
    CHECK_STR_EQ(text(&out), "n\n");
    vgl_source_free(s);
    vgl_buf_release(&out);
}

TEST(file_failed_redelivers)
{
    const char *p = path_in("nack.log");
    write_text(p, "a\nb\nc\n");
    struct vgl_source_opts o = opts_for(NULL);
    struct vgl_source *s = vgl_source_file_new(p, "file", "r", &o, NULL);
    struct vgl_source_batch b;
    CHECK_INT_EQ(s->ops->next(s, &b, 1, 1 << 20, 100, NULL), 0);
    CHECK_INT_EQ(b.n, 1);
    s->ops->committed(s, &b);
    CHECK_INT_EQ(s->ops->next(s, &b, 10, 1 << 20, 100, NULL), 0);
    CHECK_INT_EQ(b.n, 2);
    char pos1[VGL_SOURCE_POS_MAX] = "", cp[VGL_SOURCE_CP_VALUE_MAX] = "";
    if (b.n == 2) {
        snprintf(pos1, sizeof pos1, "%s", b.items[1].position);
        snprintf(cp, sizeof cp, "%s", b.cps[0].value);
    }
    s->ops->failed(s, &b);
    CHECK_INT_EQ(s->ops->next(s, &b, 10, 1 << 20, 100, NULL), 0);
    CHECK_INT_EQ(b.n, 2);
    if (b.n == 2) {
        CHECK_STR_EQ(b.items[0].data, "b");
        CHECK_STR_EQ(b.items[1].data, "c");
        CHECK_STR_EQ(b.items[1].position, pos1);
        CHECK_STR_EQ(b.cps[0].value, cp);
    }
    s->ops->committed(s, &b);
    CHECK_INT_EQ(s->ops->next(s, &b, 10, 1 << 20, 0, NULL), 0);
    CHECK_INT_EQ(b.n, 0);
    vgl_source_free(s);
}

TEST(file_gzip_read_once)
{
    const char *p = path_in("once.gz");
    write_gz(p, "g1\ng2\ng3");
    struct vgl_source_opts o = opts_for(NULL);
    struct vgl_source *s = vgl_source_file_new(p, "file", "r", &o, NULL);
    struct vgl_buf out;
    vgl_buf_init(&out, 0);
    collect(s, NULL, &out, 3, 0, 2000);
    pull(s, NULL, &out, 10, 50);
    CHECK_STR_EQ(text(&out), "g1\ng2\ng3\n");
    vgl_buf_release(&out);
    vgl_source_free(s);
}

TEST(file_oversize_line)
{
    const char *p = path_in("big.log");
    char line[200];
    memset(line, 'x', 100);
    line[100] = '\0';
    write_text(p, "short\n");
    append_text(p, line);
    append_text(p, "\nafter\n");
    struct vgl_source_opts o = opts_for(NULL);
    o.max_record_bytes = 16;
    struct vgl_source *s = vgl_source_file_new(p, "file", "r", &o, NULL);
    struct vgl_source_batch b;
    CHECK_INT_EQ(s->ops->next(s, &b, 10, 1 << 20, 100, NULL), 0);
    CHECK_INT_EQ(b.n, 3);
    if (b.n == 3) {
        CHECK(b.items[1].oversize);
        CHECK(b.items[1].data == NULL);
        CHECK_INT_EQ(b.items[1].oversize_len, 100);
        CHECK_STR_CONTAINS(b.items[1].position, "#i");
        CHECK_STR_CONTAINS(b.items[1].position, ":o6");
        CHECK_STR_EQ(b.items[2].data, "after");
    }
    s->ops->committed(s, &b);
    vgl_source_free(s);
}

TEST(file_bad_arguments)
{
    struct vgl_error err = {0};
    struct vgl_source_opts o = opts_for(NULL);
    path_in("x");
    CHECK(vgl_source_file_new(root, "file", "r", &o, &err) == NULL);
    CHECK_STR_CONTAINS(err.msg, "is a directory");
    CHECK(vgl_source_dir_new(path_in("tail.log"), "file", "r", &o, &err) == NULL);
    CHECK_STR_CONTAINS(err.msg, "not a directory");
    o.nworkers = 2;
    o.worker = 2;
    CHECK(vgl_source_dir_new(root, "file", "r", &o, &err) == NULL);
    CHECK_INT_EQ(err.code, VGL_EINVAL);
    /* a claims file that cannot be opened: the source is refused, naming both */
    o.worker = 0;
    char claims[600];
    snprintf(claims, sizeof claims, "%s/no-such-dir/claims.lock", root);
    o.claims_path = claims;
    memset(&err, 0, sizeof err);
    CHECK(vgl_source_dir_new(root, "file", "r", &o, &err) == NULL);
    CHECK_INT_EQ(err.code, VGL_EIO);
    CHECK_STR_CONTAINS(err.msg, "cannot open the claims file");
    CHECK_STR_CONTAINS(err.msg, claims);
    CHECK_STR_CONTAINS(err.msg, "No such file or directory");
}

/* ---- dir source ---- */

static const char *make_dir(const char *name)
{
    const char *d = path_in(name);
    if (mkdir(d, 0755) != 0) {
        perror(d);
        exit(2);
    }
    return d;
}

static const char *in_dir(const char *dir, const char *name)
{
    static char p[4][600];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
    return p[k];
}

TEST(dir_plain_and_gzip_then_new_files)
{
    const char *d = make_dir("drop");
    write_text(in_dir(d, "b.log"), "b1\n\nb2\n");
    write_gz(in_dir(d, "a.gz"), "a1\na2\na3");
    write_text(in_dir(d, ".hidden"), "no\n");
    write_text(in_dir(d, "c.tmp"), "no\n");
    mkdir(in_dir(d, "sub"), 0755);
    age(in_dir(d, "a.gz"), 100); /* oldest first: a.gz before b.log */
    age(in_dir(d, "b.log"), 50);
    struct store st = {0};
    struct vgl_source_opts o = opts_for(&st);
    struct vgl_error err = {0};
    struct vgl_source *s = vgl_source_dir_new(d, "dir", "drop", &o, &err);
    CHECK(s != NULL);
    if (!s)
        return;
    CHECK_STR_EQ(s->ops->kind, "dir");

    /* the first batch: a.gz whole, nothing of b.log */
    struct vgl_source_batch b;
    CHECK_INT_EQ(s->ops->next(s, &b, 100, 1 << 20, 500, &err), 0);
    CHECK_INT_EQ(b.n, 3);
    if (b.n == 3) {
        CHECK_STR_EQ(b.items[2].data, "a3");
        char want[700];
        snprintf(want, sizeof want, "%s#o6", in_dir(d, "a.gz"));
        CHECK_STR_EQ(b.items[2].position, want);
        CHECK_STR_EQ(b.items[0].resource, "drop");
    }
    CHECK_INT_EQ(b.ncps, 1);
    char key[700];
    snprintf(key, sizeof key, "dir:%s", in_dir(d, "a.gz"));
    CHECK_STR_EQ(b.cps[0].key, key);
    CHECK_STR_EQ(b.cps[0].value, "done");
    store_put(&st, b.cps[0].key, b.cps[0].value);
    s->ops->committed(s, &b);

    struct vgl_buf out;
    vgl_buf_init(&out, 0);
    collect(s, &st, &out, 2, 2, 2000);
    CHECK_STR_EQ(text(&out), "b1\nb2\n");
    snprintf(key, sizeof key, "dir:%s", in_dir(d, "b.log"));
    CHECK_STR_EQ(store_value(&st, key), "done");

    /* a new file is picked up */
    write_text(in_dir(d, "c.log.tmp"), "c1\nc2\n");
    age(in_dir(d, "c.log.tmp"), 10);
    CHECK(rename(in_dir(d, "c.log.tmp"), in_dir(d, "c.log")) == 0);
    collect(s, &st, &out, 4, 3, 2000);
    CHECK_STR_EQ(text(&out), "b1\nb2\nc1\nc2\n");
    pull(s, &st, &out, 100, 300);
    CHECK_STR_EQ(text(&out), "b1\nb2\nc1\nc2\n");
    CHECK_INT_EQ(st.done, 3);
    vgl_buf_release(&out);
    vgl_source_free(s);
}

TEST(dir_growing_file_not_finished_early)
{
    const char *d = make_dir("grow");
    const char *f = in_dir(d, "g.log");
    write_text(f, "g1\ng2");
    struct store st = {0};
    struct vgl_source_opts o = opts_for(&st);
    struct vgl_source *s = vgl_source_dir_new(d, "dir", "grow", &o, NULL);
    struct vgl_buf out;
    vgl_buf_init(&out, 0);
    pull(s, &st, &out, 100, 250);
    CHECK_STR_EQ(text(&out), "g1\n");
    CHECK_INT_EQ(st.done, 0);
    append_text(f, "-more\ng3");
    uint64_t t_write = ms_now();
    /* the last line (no "\n") and "done" come once the file was left alone for 1 s */
    collect(s, &st, &out, 3, 1, 4000);
    uint64_t waited = ms_now() - t_write;
    CHECK_STR_EQ(text(&out), "g1\ng2-more\ng3\n");
    CHECK_INT_EQ(st.done, 1);
    CHECK(waited >= 900);
    char key[700];
    snprintf(key, sizeof key, "dir:%s", f);
    CHECK_STR_EQ(store_value(&st, key), "done");
    /* done files are not read again, even when they change */
    append_text(f, "late\n");
    pull(s, &st, &out, 100, 300);
    CHECK_STR_EQ(text(&out), "g1\ng2-more\ng3\n");
    vgl_buf_release(&out);
    vgl_source_free(s);
}

TEST(dir_resume_partial_files)
{
    const char *d = make_dir("resume");
    const char *plain = in_dir(d, "p.log"), *gz = in_dir(d, "q.gz"), *done = in_dir(d, "r.log");
    write_text(plain, "p1\np2\np3\np4\n");
    write_gz(gz, "q1\nq2\nq3\n");
    write_text(done, "r1\n");
    age(plain, 30);
    age(gz, 20);
    age(done, 10);
    struct store st = {0};
    char key[700];
    snprintf(key, sizeof key, "dir:%s", plain);
    store_put(&st, key, "o6:l2");
    snprintf(key, sizeof key, "dir:%s", gz);
    store_put(&st, key, "o3:l1");
    snprintf(key, sizeof key, "dir:%s", done);
    store_put(&st, key, "done");
    st.done = 0;
    struct vgl_source_opts o = opts_for(&st);
    struct vgl_source *s = vgl_source_dir_new(d, "dir", "resume", &o, NULL);
    struct vgl_buf out;
    vgl_buf_init(&out, 0);
    collect(s, &st, &out, 4, 2, 3000);
    pull(s, &st, &out, 100, 100);
    CHECK_STR_EQ(text(&out), "p3\np4\nq2\nq3\n");
    CHECK_INT_EQ(st.done, 2);

    /* failed() on a dir batch: the same lines again */
    vgl_source_free(s);
    write_text(in_dir(d, "s.log"), "s1\ns2\n");
    age(in_dir(d, "s.log"), 5);
    s = vgl_source_dir_new(d, "dir", "resume", &o, NULL);
    struct vgl_source_batch b;
    CHECK_INT_EQ(s->ops->next(s, &b, 100, 1 << 20, 1000, NULL), 0);
    CHECK_INT_EQ(b.n, 2);
    CHECK_INT_EQ(b.ncps, 1);
    CHECK_STR_EQ(b.cps[0].value, "done");
    s->ops->failed(s, &b);
    CHECK_INT_EQ(s->ops->next(s, &b, 100, 1 << 20, 1000, NULL), 0);
    CHECK_INT_EQ(b.n, 2);
    if (b.n == 2) {
        CHECK_STR_EQ(b.items[0].data, "s1");
        CHECK_STR_CONTAINS(b.items[1].position, "/s.log#o3");
    }
    CHECK_STR_EQ(b.cps[0].value, "done");
    s->ops->committed(s, &b);
    vgl_buf_release(&out);
    vgl_source_free(s);
}

/* Text of n numbered lines of varying lengths ("L<i>" then i % 37 x's). */
static char *numbered_lines(int n)
{
    struct vgl_buf b;
    vgl_buf_init(&b, 0);
    for (int i = 0; i < n; i++) {
        vgl_buf_printf(&b, "L%d", i);
        for (int j = 0; j < i % 37; j++)
            vgl_buf_putc(&b, 'x');
        vgl_buf_putc(&b, '\n');
    }
    vgl_buf_putc(&b, '\0');
    return b.data;
}

/* Every "L<i>" line of 0..n-1 appears exactly once in out (plus expect_other lines). */
static void check_each_once(const struct vgl_buf *out, const char *text_all, int n, int expect_other)
{
    CHECK_INT_EQ(count_lines(out), (size_t)(n + expect_other));
    for (int i = 0; i < n; i++) {
        char needle[16];
        snprintf(needle, sizeof needle, "\nL%d", i);
        /* each line of the input, found once in the output */
        const char *at = i == 0 ? text_all : strstr(text_all, needle) + 1;
        char line[64];
        snprintf(line, sizeof line, "%.*s", (int)strcspn(at, "\n"), at);
        size_t len = strlen(line);
        int seen = 0;
        for (const char *q = out->data; q && (q = strstr(q, line)) != NULL; q += len)
            if ((q == out->data || q[-1] == '\n') && q[len] == '\n')
                seen++;
        if (seen != 1)
            fprintf(stderr, "  line %d seen %d times\n", i, seen);
        CHECK_INT_EQ(seen, 1);
    }
}

/* A dir source reading pieces of the given size; with claims (a file name under root), worker
 * w of 2 sharing them. */
static struct vgl_source *piece_source(const char *d, const char *res, struct store *st,
                                       const char *claims, uint64_t piece, int w)
{
    static char path[4][600];
    static int k;
    struct vgl_source_opts o = opts_for(st);
    o.piece_bytes = piece;
    if (claims) {
        char *cp = path[k++ % 4];
        snprintf(cp, sizeof path[0], "%s/%s", root, claims);
        o.claims_path = cp;
        o.worker = w;
        o.nworkers = 2;
    }
    struct vgl_source *s = vgl_source_dir_new(d, "dir", res, &o, NULL);
    CHECK(s != NULL);
    return s;
}

TEST(dir_pieces_one_worker_positions_and_checkpoints)
{
    const char *d = make_dir("pieces");
    const char *f = in_dir(d, "big.log");
    char *all = numbered_lines(200);   /* ~4.3 KB: pieces of 256 bytes, lines across them */
    write_text(f, all);
    age(f, 60);
    struct store st = {0};
    struct vgl_source *s = piece_source(d, "pieces", &st, NULL, 256, 0);
    struct vgl_buf out;
    vgl_buf_init(&out, 0);
    /* a small batch size: pieces end inside batches and batches inside pieces */
    struct vgl_source_batch b;
    uint64_t end = ms_now() + 3000;
    bool positions_ok = true;
    while (ms_now() < end && st.done == 0) {
        CHECK_INT_EQ(s->ops->next(s, &b, 7, 1 << 20, 50, NULL), 0);
        for (size_t i = 0; i < b.n; i++) {
            /* the position is the line's byte offset in the file */
            const char *hash = strrchr(b.items[i].position, '#');
            unsigned long long at = hash ? strtoull(hash + 2, NULL, 10) : 0;
            if (strncmp(all + at, b.items[i].data, b.items[i].len) != 0 || (at && all[at - 1] != '\n'))
                positions_ok = false;
        }
        render(&b, &out);
        CHECK(b.ncps <= 1);
        for (size_t i = 0; i < b.ncps; i++)
            store_put(&st, b.cps[i].key, b.cps[i].value);
        if (b.n || b.ncps)
            s->ops->committed(s, &b);
    }
    CHECK(positions_ok);
    vgl_buf_putc(&out, '\0');
    out.len--;
    CHECK_STR_EQ(text(&out), all);   /* one worker: every line once, in file order */
    char key[700];
    snprintf(key, sizeof key, "dir:%s", f);
    const char *v0 = store_value(&st, key);
    CHECK(v0 != NULL && v0[0] == 'o' && strtoull(v0 + 1, NULL, 10) >= 256);
    size_t size = strlen(all), last = (size - 1) / 256;
    snprintf(key, sizeof key, "dir:%s#%zu", f, last);
    CHECK_STR_EQ(store_value(&st, key), "done");
    CHECK_INT_EQ(st.done, 1);
    CHECK(s->ops->drained(s));
    vgl_source_free(s);

    /* a new reader with those checkpoints reads nothing again */
    s = piece_source(d, "pieces", &st, NULL, 256, 0);
    size_t before = out.len;
    pull(s, &st, &out, 100, 300);
    pull(s, &st, &out, 100, 100);
    CHECK_INT_EQ(out.len, before);
    CHECK(s->ops->drained(s));
    vgl_source_free(s);
    vgl_buf_release(&out);
    free(all);
}

TEST(dir_pieces_shared_by_two_workers_each_line_once)
{
    const char *d = make_dir("shared");
    char name[32];
    char *big = numbered_lines(400);
    write_text(in_dir(d, "big.log"), big);
    age(in_dir(d, "big.log"), 90);
    /* a line longer than two pieces: it belongs to the piece it starts in */
    struct vgl_buf lng;
    vgl_buf_init(&lng, 0);
    vgl_buf_puts(&lng, "first\n");
    for (int i = 0; i < 700; i++)
        vgl_buf_putc(&lng, 'y');
    vgl_buf_puts(&lng, "\nlast\n");
    vgl_buf_putc(&lng, '\0');
    write_text(in_dir(d, "long.log"), lng.data);
    age(in_dir(d, "long.log"), 80);
    for (int i = 0; i < 12; i++) {
        char line[40];
        snprintf(name, sizeof name, "f%02d.log", i);
        snprintf(line, sizeof line, "%s\n", name);
        write_text(in_dir(d, name), line);
        age(in_dir(d, name), 60);
    }
    struct store st = {0};   /* one store, as the workers of vigil run share one */
    struct vgl_source *s[2];
    struct vgl_buf out[2];
    for (int w = 0; w < 2; w++) {
        s[w] = piece_source(d, "shared", &st, "claims.lock", 256, w);
        vgl_buf_init(&out[w], 0);
    }
    /* worker 0 takes a batch of a piece and does not commit it yet: worker 1 cannot take
     * that piece meanwhile, and takes others */
    uint64_t end = ms_now() + 5000;
    size_t n0 = 0, n1 = 0;
    while (ms_now() < end && !(s[0]->ops->drained(s[0]) && s[1]->ops->drained(s[1]))) {
        n0 += pull(s[0], &st, &out[0], 5, 20);
        n1 += pull(s[1], &st, &out[1], 5, 20);
    }
    CHECK(s[0]->ops->drained(s[0]) && s[1]->ops->drained(s[1]));
    CHECK(n0 > 50 && n1 > 50);   /* both read pieces of the big file */
    struct vgl_buf all;
    vgl_buf_init(&all, 0);
    vgl_buf_append(&all, out[0].data, out[0].len);
    vgl_buf_append(&all, out[1].data, out[1].len);
    vgl_buf_putc(&all, '\0');
    all.len--;
    check_each_once(&all, big, 400, 3 + 12);
    for (int i = 0; i < 12; i++) {
        snprintf(name, sizeof name, "f%02d.log\n", i);
        int seen = 0;
        for (const char *q = all.data; (q = strstr(q, name)) != NULL; q++)
            seen++;
        CHECK_INT_EQ(seen, 1);
    }
    CHECK(strstr(all.data, "first\nyyyy") || strstr(all.data, "first\n"));
    CHECK_INT_EQ(strstr(all.data, "\nlast\n") != NULL || strncmp(all.data, "last\n", 5) == 0, 1);
    CHECK_INT_EQ(st.done, 2 + 12);
    vgl_buf_release(&all);
    vgl_buf_release(&lng);
    for (int w = 0; w < 2; w++) {
        vgl_buf_release(&out[w]);
        vgl_source_free(s[w]);
    }
    free(big);
}

TEST(dir_piece_of_a_dead_worker_is_taken_over)
{
    const char *d = make_dir("takeover");
    const char *f = in_dir(d, "big.log");
    char *all = numbered_lines(120);
    write_text(f, all);
    age(f, 60);
    struct store st = {0};
    struct vgl_source *a = piece_source(d, "t", &st, "claims2.lock", 512, 0);
    struct vgl_source *b = piece_source(d, "t", &st, "claims2.lock", 512, 1);
    struct vgl_buf out;
    vgl_buf_init(&out, 0);
    /* a commits two batches of piece 0, then takes a third and dies before its commit */
    pull(a, &st, &out, 4, 50);
    pull(a, &st, &out, 4, 50);
    struct vgl_source_batch lost;
    CHECK_INT_EQ(a->ops->next(a, &lost, 4, 1 << 20, 50, NULL), 0);
    CHECK_INT_EQ(lost.n, 4);
    /* meanwhile b cannot take piece 0 (a holds it): b's first lines are another piece's */
    struct vgl_buf bout;
    vgl_buf_init(&bout, 0);
    pull(b, &st, &bout, 4, 50);
    CHECK(count_lines(&bout) > 0);
    CHECK(strncmp(text(&bout), "L0\n", 3) != 0 && strstr(text(&bout), "\nL8\n") == NULL);
    vgl_source_free(a);   /* dead: its lock goes with it */
    uint64_t end = ms_now() + 4000;
    while (ms_now() < end && !b->ops->drained(b))
        pull(b, &st, &bout, 4, 20);
    CHECK(b->ops->drained(b));
    vgl_buf_append(&out, bout.data, bout.len);
    vgl_buf_putc(&out, '\0');
    out.len--;
    check_each_once(&out, all, 120, 0);   /* the lost batch came again, nothing twice */
    vgl_buf_release(&out);
    vgl_buf_release(&bout);
    vgl_source_free(b);
    free(all);
}

TEST(dir_pieces_resume_and_old_whole_file_checkpoints)
{
    const char *d = make_dir("legacy");
    const char *f = in_dir(d, "old.log");
    char *all = numbered_lines(150);
    write_text(f, all);
    age(f, 60);
    /* a checkpoint written before files had pieces: one offset, well into the third piece */
    const char *mid = strstr(all, "\nL100x") + 1;
    uint64_t off = (uint64_t)(mid - all);
    CHECK(off > 2 * 512 && off < 3 * 512 + 2000);
    struct store st = {0};
    char key[700], value[64];
    snprintf(key, sizeof key, "dir:%s", f);
    snprintf(value, sizeof value, "o%llu:l100", (unsigned long long)off);
    store_put(&st, key, value);
    struct vgl_source *s = piece_source(d, "legacy", &st, NULL, 512, 0);
    struct vgl_buf out;
    vgl_buf_init(&out, 0);
    uint64_t end = ms_now() + 3000;
    while (ms_now() < end && !s->ops->drained(s))
        pull(s, &st, &out, 9, 20);
    vgl_buf_putc(&out, '\0');
    out.len--;
    CHECK_STR_EQ(text(&out), mid);   /* from L100 on, once */
    vgl_source_free(s);
    vgl_buf_release(&out);
    free(all);
}

TEST(dir_pieces_growing_file)
{
    const char *d = make_dir("growp");
    const char *f = in_dir(d, "g.log");
    char *all = numbered_lines(90);
    size_t cut = strlen(all) / 3;
    put_file(f, all, cut, "wb");   /* ends inside a line */
    struct store st = {0};
    struct vgl_source *s[2];
    for (int w = 0; w < 2; w++)
        s[w] = piece_source(d, "growp", &st, "claims3.lock", 200, w);
    struct vgl_buf out;
    vgl_buf_init(&out, 0);
    for (int i = 0; i < 6; i++) {
        pull(s[0], &st, &out, 10, 20);
        pull(s[1], &st, &out, 10, 20);
    }
    CHECK(!s[0]->ops->drained(s[0]) || !s[1]->ops->drained(s[1]));
    put_file(f, all + cut, strlen(all) - cut, "ab");
    uint64_t end = ms_now() + 5000;
    while (ms_now() < end && !(s[0]->ops->drained(s[0]) && s[1]->ops->drained(s[1]))) {
        pull(s[0], &st, &out, 10, 20);
        pull(s[1], &st, &out, 10, 20);
    }
    vgl_buf_putc(&out, '\0');
    out.len--;
    check_each_once(&out, all, 90, 0);
    CHECK_INT_EQ(st.done, 1);
    for (int w = 0; w < 2; w++)
        vgl_source_free(s[w]);
    vgl_buf_release(&out);
    free(all);
}

TEST(dir_bad_gzip_is_skipped)
{
    const char *d = make_dir("bad");
    put_file(in_dir(d, "bad.gz"), "\x1f\x8bnot really gzip at all", 24, "wb");
    write_text(in_dir(d, "ok.log"), "fine\n");
    age(in_dir(d, "bad.gz"), 20);
    age(in_dir(d, "ok.log"), 10);
    struct store st = {0};
    struct vgl_source_opts o = opts_for(&st);
    o.max_record_bytes = 8;
    struct vgl_source *s = vgl_source_dir_new(d, "dir", "bad", &o, NULL);
    struct vgl_buf out;
    vgl_buf_init(&out, 0);
    collect(s, &st, &out, 1, 1, 2000);
    CHECK_STR_EQ(text(&out), "fine\n");
    vgl_buf_release(&out);
    vgl_source_free(s);
}

/* ---- stdin source ---- */

TEST(stdin_through_a_pipe)
{
    int fds[2];
    if (pipe(fds) != 0) {
        perror("pipe");
        exit(2);
    }
    int saved = dup(STDIN_FILENO);
    dup2(fds[0], STDIN_FILENO);
    close(fds[0]);
    struct vgl_source_opts o = opts_for(NULL);
    o.max_record_bytes = 10;
    struct vgl_error err = {0};
    struct vgl_source *s = vgl_source_stdin_new("stdin", "-", &o, &err);
    CHECK(s != NULL);
    if (!s)
        goto out;
    CHECK_STR_EQ(s->ops->kind, "stdin");

    /* nothing yet: back after the timeout */
    struct vgl_source_batch b;
    uint64_t t0 = ms_now();
    CHECK_INT_EQ(s->ops->next(s, &b, 10, 1 << 20, 100, &err), 0);
    CHECK_INT_EQ(b.n, 0);
    CHECK(!b.eof);
    CHECK(ms_now() - t0 >= 90);

    const char *in = "l1\n\nl3\r\nthis one is too long\nl5\n";
    CHECK(write(fds[1], in, strlen(in)) == (ssize_t)strlen(in));
    CHECK_INT_EQ(s->ops->next(s, &b, 10, 1 << 20, 1000, &err), 0);
    CHECK_INT_EQ(b.n, 4);
    CHECK_INT_EQ(b.ncps, 0);
    if (b.n == 4) {
        CHECK_STR_EQ(b.items[0].data, "l1");
        CHECK_STR_EQ(b.items[0].position, "stdin:1");
        CHECK_STR_EQ(b.items[1].data, "l3");
        CHECK_STR_EQ(b.items[1].position, "stdin:3");
        CHECK(b.items[2].oversize && b.items[2].data == NULL);
        CHECK_INT_EQ(b.items[2].oversize_len, 20);
        CHECK_STR_EQ(b.items[3].position, "stdin:5");
    }
    /* failed: the same batch again */
    s->ops->failed(s, &b);
    CHECK_INT_EQ(s->ops->next(s, &b, 10, 1 << 20, 1000, &err), 0);
    CHECK_INT_EQ(b.n, 4);
    if (b.n == 4)
        CHECK_STR_EQ(b.items[3].data, "l5");
    s->ops->committed(s, &b);

    CHECK(write(fds[1], "l6\n", 3) == 3);
    CHECK_INT_EQ(s->ops->next(s, &b, 10, 1 << 20, 1000, &err), 0);
    CHECK_INT_EQ(b.n, 1);
    s->ops->committed(s, &b);

    /* a writer in the middle of a line, then the end of the input: the line started is
     * waited for, the last one without "\n" is delivered at the end */
    pid_t pid = fork();
    if (pid == 0) {
        if (write(fds[1], "l7", 2) != 2)
            _exit(1);
        nap(150);
        if (write(fds[1], "tail\nl8", 7) != 7)
            _exit(1);
        _exit(0);
    }
    close(fds[1]);
    struct vgl_buf out;
    vgl_buf_init(&out, 0);
    bool eof = false;
    for (int i = 0; i < 20 && !eof; i++) {
        CHECK_INT_EQ(s->ops->next(s, &b, 10, 1 << 20, 200, &err), 0);
        render(&b, &out);
        eof = b.eof;
        s->ops->committed(s, &b);
    }
    CHECK(eof);
    CHECK_STR_EQ(text(&out), "l7tail\nl8\n");
    vgl_buf_release(&out);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_INT_EQ(s->ops->next(s, &b, 10, 1 << 20, 100, &err), 0);
    CHECK(b.eof);
    CHECK_INT_EQ(b.n, 0);
    vgl_source_free(s);
out:
    dup2(saved, STDIN_FILENO);
    close(saved);
}

TEST_MAIN(T(file_tail_appends_and_positions), T(file_partial_last_line_held_back),
          T(file_waits_for_missing_file), T(file_rotation_by_rename), T(file_copytruncate_restarts),
          T(file_resume_from_checkpoint), T(file_failed_redelivers), T(file_gzip_read_once),
          T(file_oversize_line), T(file_bad_arguments), T(dir_plain_and_gzip_then_new_files),
          T(dir_growing_file_not_finished_early), T(dir_resume_partial_files),
          T(dir_pieces_one_worker_positions_and_checkpoints),
          T(dir_pieces_shared_by_two_workers_each_line_once), T(dir_piece_of_a_dead_worker_is_taken_over),
          T(dir_pieces_resume_and_old_whole_file_checkpoints), T(dir_pieces_growing_file), T(dir_bad_gzip_is_skipped),
          T(stdin_through_a_pipe))
