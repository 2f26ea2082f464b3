/*
 * tests/unit/output/test_credentials.c: the encrypted credential store.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"
#include "output/credentials.h"
#include "test.h"
#include "testutil.h"

#define SECRET "xoxb-SECRET-hooks-T000-B000-abcdef"
#define SLACK_JSON "{\"url\": \"https://hooks.slack.com/services/" SECRET "\"}"
#define HEX_KEY "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
/* the same 32 bytes in base64 */
#define B64_KEY "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

static void check_no_secret(const struct vgl_error *err)
{
    CHECK(strstr(err->msg, SECRET) == NULL);
    CHECK(strstr(err->msg, "SECRET") == NULL);
}

/* A data dir with a freshly created key file; the env variable unset. */
static const char *fresh(struct vgl_credentials **c)
{
    unsetenv(VGL_CREDENTIALS_KEY_ENV);
    static char dir[300];
    snprintf(dir, sizeof dir, "%s/data", tu_tmpdir());
    struct vgl_error err = {0};
    *c = vgl_credentials_open(dir, true, &err);
    CHECK(*c != NULL);
    if (!*c)
        fprintf(stderr, "  %s\n", err.msg);
    return dir;
}

static void path_of(const char *dir, const char *svc, const char *desc, char *out, size_t n)
{
    snprintf(out, n, "%s/credentials/%s/%s.cred", dir, svc, desc);
}

static void parent_rmrf(const char *data_dir)
{
    char p[300];
    snprintf(p, sizeof p, "%s", data_dir);
    char *slash = strrchr(p, '/');
    *slash = '\0';
    tu_rmrf(p);
}

TEST(round_trip)
{
    struct vgl_credentials *c;
    const char *dir = fresh(&c);
    if (!c)
        return;
    CHECK(vgl_credentials_key_created(c));
    struct vgl_error err = {0};
    CHECK_INT_EQ(vgl_credentials_put(c, "slack", "security", SLACK_JSON, strlen(SLACK_JSON), &err),
                 0);
    struct vgl_buf out;
    vgl_buf_init(&out, 0);
    CHECK_INT_EQ(vgl_credentials_get(c, "slack", "security", &out, &err), 0);
    CHECK_STR_EQ(out.data, SLACK_JSON);
    vgl_credentials_buf_wipe(&out);

    /* files: key 0600, credential 0600, dirs 0700, ciphertext does not hold the secret */
    char p[512];
    struct stat st;
    snprintf(p, sizeof p, "%s/credentials.key", dir);
    CHECK(stat(p, &st) == 0 && (st.st_mode & 0777) == 0600);
    path_of(dir, "slack", "security", p, sizeof p);
    CHECK(stat(p, &st) == 0 && (st.st_mode & 0777) == 0600);
    FILE *f = fopen(p, "rb");
    char raw[1024];
    size_t n = f ? fread(raw, 1, sizeof raw, f) : 0;
    if (f)
        fclose(f);
    CHECK(n > 40 && memcmp(raw, "VGLCRED\x01", 8) == 0);
    bool leaked = false;
    for (size_t i = 0; i + 6 <= n; i++)
        leaked |= memcmp(raw + i, "SECRET", 6) == 0;
    CHECK(!leaked);
    snprintf(p, sizeof p, "%s/credentials/slack", dir);
    CHECK(stat(p, &st) == 0 && (st.st_mode & 0777) == 0700);

    /* overwrite; a second open reuses the key file */
    const char *j2 = "{\"url\": \"https://example.invalid/2\"}";
    CHECK_INT_EQ(vgl_credentials_put(c, "slack", "security", j2, strlen(j2), &err), 0);
    vgl_credentials_free(c);
    c = vgl_credentials_open(dir, false, &err);
    CHECK(c != NULL);
    if (c) {
        CHECK(!vgl_credentials_key_created(c));
        vgl_buf_init(&out, 0);
        CHECK_INT_EQ(vgl_credentials_get(c, "slack", "security", &out, &err), 0);
        CHECK_STR_EQ(out.data, j2);
        vgl_credentials_buf_wipe(&out);
    }
    /* no temporary files left behind */
    char cmd[600];
    snprintf(cmd, sizeof cmd, "test $(ls -A '%s/credentials/slack' | wc -l) -eq 1", dir);
    CHECK(system(cmd) == 0);
    vgl_credentials_free(c);
    parent_rmrf(dir);
}

TEST(missing_is_not_found)
{
    struct vgl_credentials *c;
    const char *dir = fresh(&c);
    if (!c)
        return;
    struct vgl_error err = {0};
    struct vgl_buf out;
    vgl_buf_init(&out, 0);
    CHECK_INT_EQ(vgl_credentials_get(c, "slack", "nope", &out, &err), VGL_ENOTFOUND);
    CHECK_STR_CONTAINS(err.msg, "no credentials for 'slack:nope'");
    CHECK_INT_EQ(out.len, 0);
    vgl_credentials_buf_wipe(&out);
    vgl_credentials_free(c);
    parent_rmrf(dir);
}

TEST(no_key_without_create)
{
    unsetenv(VGL_CREDENTIALS_KEY_ENV);
    char dir[300];
    snprintf(dir, sizeof dir, "%s/data", tu_tmpdir());
    struct vgl_error err = {0};
    CHECK(vgl_credentials_open(dir, false, &err) == NULL);
    CHECK_INT_EQ(err.code, VGL_ENOTFOUND);
    CHECK_STR_CONTAINS(err.msg, VGL_CREDENTIALS_KEY_ENV);
    /* and nothing was created */
    char p[400];
    snprintf(p, sizeof p, "%s/credentials.key", dir);
    CHECK(access(p, F_OK) != 0);
    parent_rmrf(dir);
}

TEST(wrong_key)
{
    struct vgl_credentials *c;
    const char *dir = fresh(&c);
    if (!c)
        return;
    struct vgl_error err = {0};
    CHECK_INT_EQ(vgl_credentials_put(c, "slack", "security", SLACK_JSON, strlen(SLACK_JSON), &err),
                 0);
    vgl_credentials_free(c);
    setenv(VGL_CREDENTIALS_KEY_ENV, HEX_KEY, 1);   /* the env wins over the key file */
    c = vgl_credentials_open(dir, false, &err);
    CHECK(c != NULL);
    if (c) {
        struct vgl_buf out;
        vgl_buf_init(&out, 0);
        CHECK_INT_EQ(vgl_credentials_get(c, "slack", "security", &out, &err), VGL_ECONFIG);
        CHECK_STR_CONTAINS(err.msg, "credentials for 'slack:security' cannot be decrypted "
                                    "(wrong key or damaged file)");
        check_no_secret(&err);
        CHECK_INT_EQ(out.len, 0);
        vgl_credentials_buf_wipe(&out);
    }
    vgl_credentials_free(c);
    unsetenv(VGL_CREDENTIALS_KEY_ENV);
    parent_rmrf(dir);
}

static void damage(const char *path, long truncate_to, long flip_at)
{
    if (truncate_to >= 0)
        CHECK(truncate(path, truncate_to) == 0);
    if (flip_at >= 0) {
        int fd = open(path, O_RDWR);
        unsigned char b;
        CHECK(pread(fd, &b, 1, flip_at) == 1);
        b ^= 0x01;
        CHECK(pwrite(fd, &b, 1, flip_at) == 1);
        close(fd);
    }
}

TEST(tampered_and_truncated)
{
    struct vgl_credentials *c;
    const char *dir = fresh(&c);
    if (!c)
        return;
    struct vgl_error err = {0};
    char p[512];
    /* flip one byte in the nonce, the tag, the ciphertext and the last byte;
     * truncate inside the header, inside the nonce, and by one byte */
    const long flips[] = {10, 33, 50, -2};
    const long cuts[] = {3, 20, -2};
    for (size_t i = 0; i < 7; i++) {
        CHECK_INT_EQ(
            vgl_credentials_put(c, "slack", "security", SLACK_JSON, strlen(SLACK_JSON), &err), 0);
        path_of(dir, "slack", "security", p, sizeof p);
        struct stat st;
        stat(p, &st);
        if (i < 4) {
            long at = flips[i] < 0 ? (long)st.st_size - 1 : flips[i];
            damage(p, -1, at);
        } else {
            long to = cuts[i - 4] < 0 ? (long)st.st_size - 1 : cuts[i - 4];
            damage(p, to, -1);
        }
        struct vgl_buf out;
        vgl_buf_init(&out, 0);
        vgl_error_clear(&err);
        CHECK_INT_EQ(vgl_credentials_get(c, "slack", "security", &out, &err), VGL_ECONFIG);
        CHECK_STR_CONTAINS(err.msg, "credentials for 'slack:security' cannot be decrypted");
        check_no_secret(&err);
        CHECK_INT_EQ(out.len, 0);
        vgl_credentials_buf_wipe(&out);
    }
    /* a damaged version byte says so */
    CHECK_INT_EQ(vgl_credentials_put(c, "slack", "security", SLACK_JSON, strlen(SLACK_JSON), &err),
                 0);
    damage(p, -1, 7);
    struct vgl_buf out;
    vgl_buf_init(&out, 0);
    CHECK_INT_EQ(vgl_credentials_get(c, "slack", "security", &out, &err), VGL_ECONFIG);
    CHECK_STR_CONTAINS(err.msg, "format version");
    vgl_credentials_buf_wipe(&out);

    /* a file copied to another output does not decrypt there */
    CHECK_INT_EQ(vgl_credentials_put(c, "slack", "security", SLACK_JSON, strlen(SLACK_JSON), &err),
                 0);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s/credentials/slack/other.cred'", p, dir);
    CHECK(system(cmd) == 0);
    vgl_buf_init(&out, 0);
    CHECK_INT_EQ(vgl_credentials_get(c, "slack", "other", &out, &err), VGL_ECONFIG);
    CHECK_STR_CONTAINS(err.msg, "'slack:other' cannot be decrypted");
    vgl_credentials_buf_wipe(&out);
    vgl_credentials_free(c);
    parent_rmrf(dir);
}

TEST(bad_names)
{
    struct vgl_credentials *c;
    const char *dir = fresh(&c);
    if (!c)
        return;
    const char *bad[][2] = {
        {"slack", "a:b"}, {"slack", "../x"}, {"slack", ""},     {"", "x"},
        {"sl/ack", "x"},  {"slack", ".."},   {"slack", ".hid"}, {"slack", "a b"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct vgl_error err = {0};
        CHECK_INT_EQ(vgl_credentials_put(c, bad[i][0], bad[i][1], "{}", 2, &err), VGL_EINVAL);
        CHECK(strncmp(err.msg, "output ", 7) == 0 || strncmp(err.msg, "empty output", 12) == 0);
        struct vgl_buf out;
        vgl_buf_init(&out, 0);
        CHECK_INT_EQ(vgl_credentials_get(c, bad[i][0], bad[i][1], &out, &err), VGL_EINVAL);
        vgl_credentials_buf_wipe(&out);
    }
    struct vgl_error err = {0};
    CHECK_INT_EQ(vgl_credentials_put(c, "slack", "a:b", "{}", 2, &err), VGL_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "output descriptor 'a:b'");
    CHECK_INT_EQ(vgl_credentials_put(c, "pagerduty-v2", "on_call.1", "{}", 2, &err), 0);
    /* not an object: refused without quoting the input */
    const char *notobj = "[\"" SECRET "\"]";
    CHECK_INT_EQ(vgl_credentials_put(c, "slack", "x", notobj, strlen(notobj), &err), VGL_EINVAL);
    check_no_secret(&err);
    const char *broken = "{\"url\": \"" SECRET;
    CHECK_INT_EQ(vgl_credentials_put(c, "slack", "x", broken, strlen(broken), &err), VGL_EINVAL);
    check_no_secret(&err);
    vgl_credentials_free(c);
    parent_rmrf(dir);
}

TEST(key_file_mode_refused)
{
    struct vgl_credentials *c;
    const char *dir = fresh(&c);
    if (!c)
        return;
    vgl_credentials_free(c);
    char p[400];
    snprintf(p, sizeof p, "%s/credentials.key", dir);
    CHECK(chmod(p, 0644) == 0);
    struct vgl_error err = {0};
    CHECK(vgl_credentials_open(dir, true, &err) == NULL);
    CHECK_INT_EQ(err.code, VGL_ECONFIG);
    CHECK_STR_CONTAINS(err.msg, "has mode 0644");
    CHECK_STR_CONTAINS(err.msg, "chmod 600");
    CHECK(chmod(p, 0400) == 0);   /* stricter is fine */
    c = vgl_credentials_open(dir, false, &err);
    CHECK(c != NULL);
    vgl_credentials_free(c);
    /* garbage in the key file: an error that does not quote it */
    CHECK(chmod(p, 0600) == 0);
    FILE *f = fopen(p, "w");
    fputs(SECRET "\n", f);
    fclose(f);
    CHECK(vgl_credentials_open(dir, false, &err) == NULL);
    CHECK_STR_CONTAINS(err.msg, "expected 64 hex characters or base64");
    check_no_secret(&err);
    /* init_key never replaces an existing key */
    CHECK(vgl_credentials_init_key(dir, &err) != 0);
    parent_rmrf(dir);
}

TEST(key_from_env_hex_and_base64)
{
    char dir[300];
    snprintf(dir, sizeof dir, "%s/data", tu_tmpdir());
    struct vgl_error err = {0};
    setenv(VGL_CREDENTIALS_KEY_ENV, HEX_KEY, 1);
    struct vgl_credentials *c = vgl_credentials_open(dir, true, &err);
    CHECK(c != NULL);
    if (!c)
        return;
    CHECK(!vgl_credentials_key_created(c));
    CHECK_STR_CONTAINS(vgl_credentials_key_source(c), "environment variable");
    CHECK_INT_EQ(vgl_credentials_put(c, "github", "repo", "{\"a\": \"b\"}", 10, &err), 0);
    vgl_credentials_free(c);
    char p[400];
    snprintf(p, sizeof p, "%s/credentials.key", dir);
    CHECK(access(p, F_OK) != 0);   /* no key file made when the env has one */

    const char *b64s[] = {B64_KEY, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", " " B64_KEY "\n"};
    for (size_t i = 0; i < 3; i++) {
        setenv(VGL_CREDENTIALS_KEY_ENV, b64s[i], 1);
        c = vgl_credentials_open(dir, false, &err);
        CHECK(c != NULL);
        if (!c)
            continue;
        struct vgl_buf out;
        vgl_buf_init(&out, 0);
        CHECK_INT_EQ(vgl_credentials_get(c, "github", "repo", &out, &err), 0);
        CHECK_STR_EQ(out.data, "{\"a\": \"b\"}");
        vgl_credentials_buf_wipe(&out);
        vgl_credentials_free(c);
    }
    /* a bad env key: says what is wrong, never quotes it */
    setenv(VGL_CREDENTIALS_KEY_ENV, SECRET, 1);
    CHECK(vgl_credentials_open(dir, true, &err) == NULL);
    CHECK_INT_EQ(err.code, VGL_ECONFIG);
    CHECK_STR_CONTAINS(err.msg, VGL_CREDENTIALS_KEY_ENV);
    check_no_secret(&err);
    setenv(VGL_CREDENTIALS_KEY_ENV, HEX_KEY "00", 1);   /* 33 bytes */
    CHECK(vgl_credentials_open(dir, true, &err) == NULL);
    unsetenv(VGL_CREDENTIALS_KEY_ENV);
    parent_rmrf(dir);
}

static int collect(const char *s, const char *d, void *ud)
{
    struct vgl_buf *b = ud;
    vgl_buf_printf(b, "%s:%s\n", s, d);
    return 0;
}

TEST(list_names_only)
{
    struct vgl_credentials *c;
    const char *dir = fresh(&c);
    if (!c)
        return;
    struct vgl_error err = {0};
    vgl_credentials_put(c, "slack", "b", SLACK_JSON, strlen(SLACK_JSON), &err);
    vgl_credentials_put(c, "slack", "a", SLACK_JSON, strlen(SLACK_JSON), &err);
    vgl_credentials_put(c, "github", "z", "{}", 2, &err);
    vgl_credentials_free(c);
    struct vgl_buf b;
    vgl_buf_init(&b, 0);
    CHECK_INT_EQ(vgl_credentials_list(dir, collect, &b, &err), 0);
    CHECK_STR_EQ(b.data, "github:z\nslack:a\nslack:b\n");
    vgl_buf_release(&b);
    /* no store at all: empty */
    vgl_buf_init(&b, 0);
    CHECK_INT_EQ(vgl_credentials_list("/nonexistent/vigil", collect, &b, &err), 0);
    CHECK(b.len == 0);
    vgl_buf_release(&b);
    parent_rmrf(dir);
}

TEST(field_table)
{
    const struct vgl_output_cred_fields *f = vgl_output_cred_fields("slack");
    CHECK(f && f->nfields == 1 && strcmp(f->fields[0].name, "url") == 0 && f->fields[0].secret);
    f = vgl_output_cred_fields("pagerduty-v2");
    CHECK(f && f->nfields == 1 && strcmp(f->fields[0].name, "routing_key") == 0);
    f = vgl_output_cred_fields("pagerduty-incident");
    CHECK(f && f->nfields == 7);
    f = vgl_output_cred_fields("jira");
    CHECK(f && f->nfields == 6);
    f = vgl_output_cred_fields("github");
    CHECK(f && f->nfields == 4);
    f = vgl_output_cred_fields("aws-lambda-v2");
    CHECK(f && f->nfields == 3 && f->fields[0].required && !f->fields[1].required);
    CHECK(vgl_output_cred_fields("aws-s3") == NULL && vgl_output_cred_none("aws-s3"));
    CHECK(vgl_output_cred_fields("nope") == NULL && !vgl_output_cred_none("nope"));
    size_t n;
    const struct vgl_output_cred_fields *all = vgl_output_cred_services(&n);
    CHECK_INT_EQ(n, 16);
    f = vgl_output_cred_fields("webhook");
    CHECK(f && f->nfields == 3 && f->fields[0].required && !f->fields[1].required);
    CHECK(vgl_output_cred_none("file") && vgl_output_cred_none("stdout"));
    for (size_t i = 0; i < n; i++) {
        CHECK(vgl_credentials_check_name("service", all[i].service, NULL) == 0);
        bool any_required = false;
        for (size_t j = 0; j < all[i].nfields; j++)
            any_required |= all[i].fields[j].required;
        CHECK(any_required);
    }
}

TEST_MAIN(T(round_trip), T(missing_is_not_found), T(no_key_without_create), T(wrong_key),
          T(tampered_and_truncated), T(bad_names), T(key_file_mode_refused),
          T(key_from_env_hex_and_base64), T(list_names_only), T(field_table))
