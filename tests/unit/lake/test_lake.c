/*
 * Unit tests for lake/lake.c on real files: Hive layout across an hour boundary for two
 * log types, read back with zlib; key sanitization (compat 10.2) without touching the
 * caller's record; alerts unsanitized; crash recovery keeping exactly the synced records
 * in a valid gzip file; roll by interval, hour and size; LRU bound on open files; two
 * writers side by side and sequence numbers across restarts; the per-writer lock; errors.
 */
#include <errno.h>
#include <dirent.h>
#include <sys/wait.h>
#include <zlib.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "json/json.h"
#include "lake/lake.h"
#include "test.h"
#include "testutil.h"

static struct vgl_arena arena;

static struct vgl_json J(const char *text) {
    struct vgl_json v;
    if (!arena.block_size)
        vgl_arena_init(&arena, 1 << 16);
    if (vgl_json_parse(text, strlen(text), &arena, NULL, &v, NULL) != 0)
        abort();
    return v;
}
/* 2024-03-05 10:59:59 UTC and two seconds later. */
#define T10 (INT64_C(1709636399) * 1000000)
#define T11 (T10 + 2 * 1000000)
#define SEC INT64_C(1000000)

/* ---- helpers ------------------------------------------------------------------------- */

struct flist {
    char paths[64][320]; /* relative to <dir>/lake, sorted */
    size_t n;
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void walk(const char *base, const char *rel, struct flist *out)
{
    char path[600];
    snprintf(path, sizeof path, "%s%s%s", base, *rel ? "/" : "", rel);
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        /* the per-writer lock files at the lake root are not part of any table */
        if (!*rel && strstr(e->d_name, ".lock"))
            continue;
        char sub[300];
        snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
        char full[900];
        snprintf(full, sizeof full, "%s/%s", base, sub);
        struct stat st;
        if (stat(full, &st) == 0 && S_ISDIR(st.st_mode))
            walk(base, sub, out);
        else if (out->n < 64)
            snprintf(out->paths[out->n++], sizeof out->paths[0], "%s", sub);
    }
    closedir(d);
    qsort(out->paths, out->n, sizeof out->paths[0], cmp_str);
}

static void list_files(const char *dir, struct flist *out)
{
    char lake[300];
    snprintf(lake, sizeof lake, "%s/lake", dir);
    out->n = 0;
    walk(lake, "", out);
}

static size_t count_final(const char *dir)
{
    struct flist fl;
    list_files(dir, &fl);
    size_t n = 0;
    for (size_t i = 0; i < fl.n; i++)
        if (!strstr(fl.paths[i], "/.") && strstr(fl.paths[i], ".jsonl.gz"))
            n++;
    return n;
}

/* Reads a whole gzip file (all members) into b; returns 0 when it is a valid stream. */
static int read_gz(const char *dir, const char *rel, struct vgl_buf *b)
{
    char path[600];
    snprintf(path, sizeof path, "%s/lake/%s", dir, rel);
    gzFile g = gzopen(path, "rb");
    if (!g)
        return -1;
    char chunk[8192];
    int n, rc = 0;
    while ((n = gzread(g, chunk, sizeof chunk)) > 0)
        vgl_buf_append(b, chunk, (size_t)n);
    if (n < 0)
        rc = -1;
    if (gzclose(g) != Z_OK)
        rc = -1;
    return rc;
}

static struct vgl_lake *open_lake(const char *dir, const char *writer,
                                  const struct vgl_lake_opts *opts)
{
    struct vgl_error err = {0};
    struct vgl_lake *l = vgl_lake_open(dir, writer, opts, &err);
    if (!l)
        fprintf(stderr, "  open: %s\n", err.msg);
    return l;
}

static void append(struct vgl_lake *l, const char *type, int64_t t, const char *json)
{
    struct vgl_error err = {0};
    struct vgl_json v = J(json);
    int rc = vgl_lake_append(l, type, t, &v, &err);
    if (rc != 0)
        fprintf(stderr, "  append: %s\n", err.msg);
    CHECK_INT_EQ(rc, 0);
}

static void check_content(const char *dir, const char *rel, const char *expected)
{
    struct vgl_buf b;
    vgl_buf_init(&b, 0);
    CHECK_INT_EQ(read_gz(dir, rel, &b), 0);
    CHECK_STR_EQ(b.data ? b.data : "", expected);
    vgl_buf_release(&b);
}

/* ---- cases --------------------------------------------------------------------------- */

TEST(two_log_types_across_an_hour_boundary)
{
    const char *dir = tu_tmpdir();
    struct vgl_lake *l = open_lake(dir, "w0", NULL);
    CHECK(l != NULL);
    if (!l)
        return;
    append(l, "cloudwatch:events", T10, "{\"n\":1}");
    append(l, "osquery:differential", T10, "{\"n\":2,\"s\":\"x\"}");
    append(l, "cloudwatch:events", T11, "{\"n\":3}");
    append(l, "osquery:differential", T11, "{\"n\":4}");
    append(l, "cloudwatch:events", T11, "{\"n\":5,\"l\":[1,2.5,null]}");
    struct vgl_lake_stats st;
    vgl_lake_stats(l, &st);
    CHECK_INT_EQ(st.records, 5);
    CHECK_INT_EQ(st.open_files, 4);
    CHECK_INT_EQ(vgl_lake_close(l, NULL), 0);

    struct flist fl;
    list_files(dir, &fl);
    CHECK_INT_EQ(fl.n, 4); /* and so no temp file is left */
    if (fl.n == 4) {
        CHECK_STR_EQ(fl.paths[0], "cloudwatch_events/dt=2024-03-05-10/w0-000001.jsonl.gz");
        CHECK_STR_EQ(fl.paths[1], "cloudwatch_events/dt=2024-03-05-11/w0-000003.jsonl.gz");
        CHECK_STR_EQ(fl.paths[2], "osquery_differential/dt=2024-03-05-10/w0-000002.jsonl.gz");
        CHECK_STR_EQ(fl.paths[3], "osquery_differential/dt=2024-03-05-11/w0-000004.jsonl.gz");
        check_content(dir, fl.paths[0], "{\"n\":1}\n");
        check_content(dir, fl.paths[1], "{\"n\":3}\n{\"n\":5,\"l\":[1,2.5,null]}\n");
        check_content(dir, fl.paths[2], "{\"n\":2,\"s\":\"x\"}\n");
        check_content(dir, fl.paths[3], "{\"n\":4}\n");
    }
    tu_rmrf(dir);
}

TEST(keys_sanitized_in_a_copy_alerts_as_given)
{
    const char *dir = tu_tmpdir();
    struct vgl_lake *l = open_lake(dir, "w0", NULL);
    if (!l)
        return;
    const char *text =
        "{\"streamalert:envelope_keys\":{\"data-type\":1},\"detail-type\":\"x-y\","
        "\"@timestamp\":\"t\",\"a.b\":1,\"a_b\":2,\"list\":[{\"k-1\":{\"a b\":1}}],"
        "\"\xc3\xa9\xe6\x97\xa5_x1\xd9\xa3\":true,\"e\xcc\x81\":0,\"n\xc2\xa0"
        "b\":1,"
        "\"nested\":{\"deep\":{\"x y\":{\"z.z\":null}},\"ok\":[1]},\"plain\":{\"k\":\"v\"},"
        "\"\":\"empty\",\"q\\\"uote\":1}";
    struct vgl_json rec = J(text);
    struct vgl_buf before, after;
    vgl_buf_init(&before, 0);
    vgl_buf_init(&after, 0);
    vgl_json_write(&before, &rec);
    struct vgl_error err = {0};
    CHECK_INT_EQ(vgl_lake_append(l, "cloudwatch:events", T10, &rec, &err), 0);
    CHECK_INT_EQ(vgl_lake_append_alert(l, T10, &rec, &err), 0);
    vgl_json_write(&after, &rec);
    CHECK_STR_EQ(after.data, before.data); /* the caller's record is untouched */

    /* a log type with path characters stays one directory level */
    append(l, "../x/y.z", T10, "{}");
    CHECK_INT_EQ(vgl_lake_close(l, NULL), 0);

    check_content(dir, "cloudwatch_events/dt=2024-03-05-10/w0-000001.jsonl.gz",
                  "{\"streamalert_envelope_keys\":{\"data_type\":1},\"detail_type\":\"x-y\","
                  "\"_timestamp\":\"t\",\"a_b\":2,\"list\":[{\"k-1\":{\"a b\":1}}],"
                  "\"\xc3\xa9\xe6\x97\xa5_x1\xd9\xa3\":true,\"e_\":0,\"n_b\":1,"
                  "\"nested\":{\"deep\":{\"x_y\":{\"z_z\":null}},\"ok\":[1]},"
                  "\"plain\":{\"k\":\"v\"},\"\":\"empty\",\"q_uote\":1}\n");
    char expect_alert[1024];
    snprintf(expect_alert, sizeof expect_alert, "%s\n", before.data);
    check_content(dir, "alerts/dt=2024-03-05-10/w0-000002.jsonl.gz", expect_alert);
    check_content(dir, "___x_y_z/dt=2024-03-05-10/w0-000003.jsonl.gz", "{}\n");
    vgl_buf_release(&before);
    vgl_buf_release(&after);
    tu_rmrf(dir);
}

/* 100 characters of varied text, so deflate writes compressed blocks as it goes. */
static const char *noisy(char *buf, size_t n, unsigned i)
{
    uint32_t x = 2654435761u * (i + 1);
    int o = snprintf(buf, n, "{\"i\":%u,\"s\":\"", i);
    for (int k = 0; k < 100; k++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        buf[o++] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"[x % 62];
    }
    snprintf(buf + o, n - (size_t)o, "\"}");
    return buf;
}

TEST(crash_keeps_synced_records_only)
{
    const char *dir = tu_tmpdir();
    struct vgl_lake *l = open_lake(dir, "w0", NULL);
    if (!l)
        return;
    struct vgl_error err = {0};
    append(l, "t:a", T10, "{\"n\":1}");
    append(l, "t:a", T10, "{\"n\":2}");
    CHECK_INT_EQ(vgl_lake_sync(l, &err), 0);
    append(l, "t:a", T10, "{\"n\":3}");
    CHECK_INT_EQ(vgl_lake_sync(l, &err), 0);
    CHECK_INT_EQ(vgl_lake_sync(l, &err), 0); /* nothing new: no empty member */
    char rec[200];
    for (unsigned i = 0; i < 3000; i++)
        append(l, "t:a", T10, noisy(rec, sizeof rec, i));
    append(l, "t:b", T10, "{\"never\":\"synced\"}");

    /* the unsynced tail has partly reached the temp file */
    struct flist fl;
    list_files(dir, &fl);
    CHECK_INT_EQ(fl.n, 2);
    CHECK_STR_EQ(fl.paths[0], "t_a/dt=2024-03-05-10/.w0-000001.jsonl.gz.tmp");
    char path[600];
    snprintf(path, sizeof path, "%s/lake/%s", dir, fl.paths[0]);
    struct stat st;
    CHECK(stat(path, &st) == 0 && st.st_size > 20000);
    vgl_lake_abandon(l);

    l = open_lake(dir, "w0", NULL);
    CHECK(l != NULL);
    if (!l)
        return;
    struct vgl_lake_stats s;
    vgl_lake_stats(l, &s);
    CHECK_INT_EQ(s.recovered, 1);
    list_files(dir, &fl);
    CHECK_INT_EQ(fl.n, 1);
    CHECK_STR_EQ(fl.paths[0], "t_a/dt=2024-03-05-10/w0-000001.jsonl.gz");
    check_content(dir, "t_a/dt=2024-03-05-10/w0-000001.jsonl.gz",
                  "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n");

    /* sequence numbers go on after the recovered ones */
    append(l, "t:a", T10, "{\"n\":4}");
    CHECK_INT_EQ(vgl_lake_close(l, &err), 0);
    list_files(dir, &fl);
    CHECK_INT_EQ(fl.n, 2);
    CHECK_STR_EQ(fl.paths[1], "t_a/dt=2024-03-05-10/w0-000003.jsonl.gz");
    check_content(dir, fl.paths[1], "{\"n\":4}\n");
    tu_rmrf(dir);
}

TEST(roll_by_interval_and_by_hour)
{
    const char *dir = tu_tmpdir();
    struct vgl_lake *l = open_lake(dir, "w0", NULL); /* 60 s default */
    if (!l)
        return;
    int64_t t = T10 - 1800 * SEC; /* 10:29:59 */
    append(l, "t:a", t, "{\"n\":1}");
    CHECK_INT_EQ(vgl_lake_tick(l, t + 30 * SEC, NULL), 0);
    CHECK_INT_EQ(count_final(dir), 0);
    CHECK_INT_EQ(vgl_lake_tick(l, t + 60 * SEC, NULL), 0);
    CHECK_INT_EQ(count_final(dir), 1);
    append(l, "t:a", t + 61 * SEC, "{\"n\":2}");
    CHECK_INT_EQ(vgl_lake_close(l, NULL), 0);
    CHECK_INT_EQ(count_final(dir), 2);

    struct vgl_lake_opts o = {.roll_interval_us = 3600 * SEC};
    l = open_lake(dir, "w0", &o);
    if (!l)
        return;
    append(l, "t:a", T10 - 30 * SEC, "{\"n\":3}");
    CHECK_INT_EQ(vgl_lake_tick(l, T10, NULL), 0);
    CHECK_INT_EQ(count_final(dir), 2);
    CHECK_INT_EQ(vgl_lake_tick(l, T10 + SEC, NULL), 0); /* 11:00:00: the hour is over */
    CHECK_INT_EQ(count_final(dir), 3);
    struct vgl_lake_stats s;
    vgl_lake_stats(l, &s);
    CHECK_INT_EQ(s.open_files, 0);
    CHECK_INT_EQ(vgl_lake_close(l, NULL), 0);
    tu_rmrf(dir);
}

TEST(roll_by_size_keeps_every_line_in_order)
{
    const char *dir = tu_tmpdir();
    struct vgl_lake_opts o = {.roll_bytes = 4096, .level = 1};
    struct vgl_lake *l = open_lake(dir, "w0", &o);
    if (!l)
        return;
    struct vgl_buf expect;
    vgl_buf_init(&expect, 0);
    char rec[200];
    for (unsigned i = 0; i < 600; i++) {
        append(l, "t:a", T10, noisy(rec, sizeof rec, i));
        vgl_buf_printf(&expect, "%s\n", rec);
        if (i % 20 == 19)
            CHECK_INT_EQ(vgl_lake_sync(l, NULL), 0);
    }
    CHECK_INT_EQ(vgl_lake_close(l, NULL), 0);
    struct flist fl;
    list_files(dir, &fl);
    CHECK(fl.n >= 10);
    struct vgl_buf got;
    vgl_buf_init(&got, 0);
    for (size_t i = 0; i < fl.n; i++) {
        char path[600];
        snprintf(path, sizeof path, "%s/lake/%s", dir, fl.paths[i]);
        struct stat st;
        CHECK(stat(path, &st) == 0 && st.st_size < 4096 + 1024);
        CHECK_INT_EQ(read_gz(dir, fl.paths[i], &got), 0);
    }
    CHECK(got.len == expect.len && memcmp(got.data, expect.data, got.len) == 0);
    vgl_buf_release(&got);
    vgl_buf_release(&expect);
    tu_rmrf(dir);
}

TEST(open_files_are_bounded_lru_published)
{
    const char *dir = tu_tmpdir();
    struct vgl_lake_opts o = {.max_open = 2};
    struct vgl_lake *l = open_lake(dir, "w0", &o);
    if (!l)
        return;
    append(l, "a", T10, "{}");
    append(l, "b", T10, "{}");
    append(l, "a", T10, "{}");
    append(l, "c", T10, "{}"); /* "b" is the least recently used */
    struct vgl_lake_stats s;
    vgl_lake_stats(l, &s);
    CHECK_INT_EQ(s.open_files, 2);
    CHECK_INT_EQ(s.published, 1);
    struct flist fl;
    list_files(dir, &fl);
    CHECK_INT_EQ(fl.n, 3);
    CHECK_STR_EQ(fl.paths[1], "b/dt=2024-03-05-10/w0-000002.jsonl.gz");
    CHECK_INT_EQ(vgl_lake_close(l, NULL), 0);
    check_content(dir, "a/dt=2024-03-05-10/w0-000001.jsonl.gz", "{}\n{}\n");
    tu_rmrf(dir);
}

TEST(two_writers_side_by_side_and_restarts)
{
    const char *dir = tu_tmpdir();
    struct vgl_lake *a = open_lake(dir, "w0", NULL);
    struct vgl_lake *b = open_lake(dir, "w1", NULL);
    if (!a || !b)
        return;
    append(a, "t:a", T10, "{\"w\":0}");
    append(b, "t:a", T10, "{\"w\":1}");
    CHECK_INT_EQ(vgl_lake_sync(a, NULL), 0);
    CHECK_INT_EQ(vgl_lake_close(a, NULL), 0);

    /* w1 is still open: its temp file is not w0's to recover */
    a = open_lake(dir, "w0", NULL);
    if (!a)
        return;
    struct vgl_lake_stats s;
    vgl_lake_stats(a, &s);
    CHECK_INT_EQ(s.recovered, 0);
    append(a, "t:a", T10, "{\"w\":0,\"n\":2}");
    CHECK_INT_EQ(vgl_lake_close(a, NULL), 0);
    CHECK_INT_EQ(vgl_lake_close(b, NULL), 0);

    struct flist fl;
    list_files(dir, &fl);
    CHECK_INT_EQ(fl.n, 3);
    if (fl.n == 3) {
        CHECK_STR_EQ(fl.paths[0], "t_a/dt=2024-03-05-10/w0-000001.jsonl.gz");
        CHECK_STR_EQ(fl.paths[1], "t_a/dt=2024-03-05-10/w0-000002.jsonl.gz");
        CHECK_STR_EQ(fl.paths[2], "t_a/dt=2024-03-05-10/w1-000001.jsonl.gz");
        check_content(dir, fl.paths[2], "{\"w\":1}\n");
    }
    tu_rmrf(dir);
}

TEST(same_writer_in_another_process_is_refused)
{
    const char *dir = tu_tmpdir();
    struct vgl_lake *l = open_lake(dir, "w0", NULL);
    if (!l)
        return;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        struct vgl_error err = {0};
        struct vgl_lake *other = vgl_lake_open(dir, "w0", NULL, &err);
        int ok = !other && err.code == VGL_EAGAIN && strstr(err.msg, "in use");
        vgl_lake_abandon(other);
        _exit(ok ? 0 : 1);
    }
    int status = 0;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_INT_EQ(vgl_lake_close(l, NULL), 0);
    tu_rmrf(dir);
}

TEST(errors_name_the_file_and_operation)
{
    const char *dir = tu_tmpdir();
    struct vgl_error err = {0};
    char file[300];
    snprintf(file, sizeof file, "%s/notadir", dir);
    tu_write(dir, "notadir", "x");
    CHECK(vgl_lake_open(file, "w0", NULL, &err) == NULL);
    CHECK_INT_EQ(err.code, VGL_EIO);
    CHECK_STR_CONTAINS(err.msg, "mkdir '");
    CHECK_STR_CONTAINS(err.msg, "notadir");
    CHECK_STR_CONTAINS(err.msg, "Not a directory");

    CHECK(vgl_lake_open(dir, "a/b", NULL, &err) == NULL);
    CHECK_INT_EQ(err.code, VGL_EINVAL);
    CHECK(vgl_lake_open(dir, "", NULL, &err) == NULL);

    struct vgl_lake *l = open_lake(dir, "w0", NULL);
    if (!l)
        return;
    struct vgl_json v = J("{}");
    CHECK_INT_EQ(vgl_lake_append(l, "alerts", T10, &v, &err), VGL_EINVAL);
    CHECK_INT_EQ(vgl_lake_append(l, "", T10, &v, &err), VGL_EINVAL);
    CHECK_INT_EQ(vgl_lake_append(l, "t:a", -1, &v, &err), VGL_EINVAL);

    /* 999,998 characters as Python writes them: "é" counts 6 (\u00e9) */
    size_t n = 170000;
    char *big = malloc(2 * n + 16);
    memcpy(big, "[\"", 2);
    for (size_t i = 0; i < n; i++)
        memcpy(big + 2 + 2 * i, "\xc3\xa9", 2);
    memcpy(big + 2 + 2 * n, "\"]", 3);
    struct vgl_json bv = J(big);
    CHECK_INT_EQ(vgl_lake_append(l, "t:a", T10, &bv, &err), VGL_ELIMIT);
    CHECK_STR_CONTAINS(err.msg, "999998");
    bv = J("[\"\xc3\xa9\"]");
    CHECK_INT_EQ(vgl_lake_append(l, "t:a", T10, &bv, &err), 0);
    free(big);
    CHECK_INT_EQ(vgl_lake_close(l, NULL), 0);
    tu_rmrf(dir);
}

TEST(end)
{
    vgl_arena_release(&arena);
}

TEST_MAIN(T(two_log_types_across_an_hour_boundary), T(keys_sanitized_in_a_copy_alerts_as_given),
          T(crash_keeps_synced_records_only), T(roll_by_interval_and_by_hour),
          T(roll_by_size_keeps_every_line_in_order), T(open_files_are_bounded_lru_published),
          T(two_writers_side_by_side_and_restarts), T(same_writer_in_another_process_is_refused),
          T(errors_name_the_file_and_operation), T(end))
