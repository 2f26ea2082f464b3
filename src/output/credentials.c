/*
 * output/credentials.c: the encrypted credential store (see credentials.h and
 * docs/credentials.md).
 *
 * File layout (version 1):
 *   magic "VGLCRED" (7 bytes) | version 0x01 (1 byte) | nonce (24 bytes) |
 *   crypto_secretbox_easy output (16-byte Poly1305 tag + ciphertext of the JSON object)
 * The box key is not the master key itself but BLAKE2b-256 keyed with the master key over
 * the 8 header bytes and "<service>:<descriptor>", so a file copied or renamed to another
 * output, or given another header, does not decrypt.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/xmalloc.h"
#include "json/json.h"
#include "output/credentials.h"

#define MAGIC "VGLCRED"
#define MAGIC_LEN 7
#define VERSION 1
#define HEADER_LEN (MAGIC_LEN + 1)
#define PREFIX_LEN (HEADER_LEN + crypto_secretbox_NONCEBYTES)
#define KEY_LEN crypto_secretbox_KEYBYTES
#define FILE_MAX (PREFIX_LEN + crypto_secretbox_MACBYTES + VGL_CREDENTIALS_MAX_JSON)
#define PATH_MAX_ 4096

struct vgl_credentials {
    unsigned char *key;          /* KEY_LEN bytes from sodium_malloc */
    char *dir;                   /* <data_dir>/credentials */
    char *source;                /* where the key came from, for messages */
    bool created;
};

/* ---- names and paths ---- */

int vgl_credentials_check_name(const char *what, const char *name, struct vgl_error *err)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0)
        return vgl_error_set(err, VGL_EINVAL, "empty output %s", what);
    char q[80];
    if (n > VGL_CREDENTIALS_NAME_MAX)
        return vgl_error_set(err, VGL_EINVAL, "output %s '%s' is longer than %d bytes", what,
                             vgl_quote(q, sizeof q, name, n), VGL_CREDENTIALS_NAME_MAX);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)name[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '.';
        if (!ok)
            return vgl_error_set(err, VGL_EINVAL,
                                 "output %s '%s': character %zu is not one of A-Z a-z 0-9 _ . -",
                                 what, vgl_quote(q, sizeof q, name, n), i + 1);
    }
    if (name[0] == '.')
        return vgl_error_set(err, VGL_EINVAL, "output %s '%s' must not start with '.'", what,
                             vgl_quote(q, sizeof q, name, n));
    return 0;
}

static int check_names(const char *service, const char *descriptor, struct vgl_error *err)
{
    int rc = vgl_credentials_check_name("service", service, err);
    if (rc == 0)
        rc = vgl_credentials_check_name("descriptor", descriptor, err);
    return rc;
}

void vgl_credentials_path(const struct vgl_credentials *c, const char *service,
                          const char *descriptor, char *out, size_t outsz)
{
    snprintf(out, outsz, "%s/%s/%s.cred", c->dir, service, descriptor);
}

/* mkdir with mode, fine if it exists as a directory. */
static int ensure_dir(const char *path, mode_t mode, struct vgl_error *err)
{
    if (mkdir(path, mode) == 0 || errno == EEXIST) {
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            return 0;
        return vgl_error_set(err, VGL_EIO, "cannot create directory '%s': not a directory", path);
    }
    return vgl_error_set(err, VGL_EIO, "cannot create directory '%s': %s", path, strerror(errno));
}

/* mkdir -p for data_dir: parents 0755 as usual, the last component with mode. */
static int ensure_dirs(const char *path, mode_t mode, struct vgl_error *err)
{
    char tmp[PATH_MAX_];
    if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp)
        return vgl_error_set(err, VGL_ELIMIT, "path too long: '%.64s...'", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
            return vgl_error_set(err, VGL_EIO, "cannot create directory '%s': %s", tmp,
                                 strerror(errno));
        *p = '/';
    }
    return ensure_dir(tmp, mode, err);
}

static int fsync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads at most max bytes of fd into buf; returns the length, or -1 (errno) / max+1 (too big). */
static ssize_t read_capped(int fd, unsigned char *buf, size_t max)
{
    size_t len = 0;
    for (;;) {
        unsigned char one;
        unsigned char *dst = len < max ? buf + len : &one;
        size_t room = len < max ? max - len : 1;
        ssize_t r = read(fd, dst, room);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (r == 0)
            return (ssize_t)len;
        if (len >= max)
            return (ssize_t)max + 1;
        len += (size_t)r;
    }
}

/* ---- the key ---- */

/* Decodes key text (hex or base64, white space around it ignored) into key. */
static int decode_key(const char *text, size_t n, unsigned char key[KEY_LEN])
{
    while (n && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' ' ||
                 text[n - 1] == '\t'))
        n--;
    while (n && (text[0] == ' ' || text[0] == '\t' || text[0] == '\n' || text[0] == '\r')) {
        text++;
        n--;
    }
    size_t got = 0;
    const char *end = NULL;
    if (n == 2 * KEY_LEN && sodium_hex2bin(key, KEY_LEN, text, n, NULL, &got, &end) == 0 &&
        got == KEY_LEN && end == text + n)
        return 0;
    static const int variants[] = {
        sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
        sodium_base64_VARIANT_URLSAFE, sodium_base64_VARIANT_URLSAFE_NO_PADDING};
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        if (sodium_base642bin(key, KEY_LEN, text, n, NULL, &got, &end, variants[i]) == 0 &&
            got == KEY_LEN && end == text + n)
            return 0;
    }
    sodium_memzero(key, KEY_LEN);
    return -1;
}

int vgl_credentials_init_key(const char *data_dir, struct vgl_error *err)
{
    if (sodium_init() < 0)
        return vgl_error_set(err, VGL_EIO, "libsodium cannot be initialised");
    int rc = ensure_dirs(data_dir, 0700, err);
    if (rc)
        return rc;
    char path[PATH_MAX_];
    snprintf(path, sizeof path, "%s/%s", data_dir, VGL_CREDENTIALS_KEY_FILE);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return vgl_error_set(err, VGL_EIO, "cannot create key file '%s': %s", path,
                             strerror(errno));
    unsigned char key[KEY_LEN];
    char hex[2 * KEY_LEN + 2];
    randombytes_buf(key, sizeof key);
    sodium_bin2hex(hex, sizeof hex, key, sizeof key);
    size_t n = strlen(hex);
    hex[n++] = '\n';
    rc = 0;
    /* fchmod: the umask may have taken bits away, never added them, but be exact */
    if (fchmod(fd, 0600) != 0 || write_all(fd, (unsigned char *)hex, n) != 0 || fsync(fd) != 0)
        rc = vgl_error_set(err, VGL_EIO, "cannot write key file '%s': %s", path, strerror(errno));
    sodium_memzero(key, sizeof key);
    sodium_memzero(hex, sizeof hex);
    if (close(fd) != 0 && rc == 0)
        rc = vgl_error_set(err, VGL_EIO, "cannot write key file '%s': %s", path, strerror(errno));
    if (rc) {
        unlink(path);
        return rc;
    }
    fsync_dir(data_dir);
    return 0;
}

/* Loads the key file into key; VGL_ENOTFOUND when it does not exist. */
static int load_key_file(const char *path, unsigned char key[KEY_LEN], struct vgl_error *err)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return VGL_ENOTFOUND;
        if (errno == ELOOP)
            return vgl_error_set(err, VGL_ECONFIG,
                                 "key file '%s' is a symbolic link; it must be a regular file",
                                 path);
        return vgl_error_set(err, VGL_EIO, "cannot open key file '%s': %s", path,
                             strerror(errno));
    }
    int rc = 0;
    struct stat st;
    char text[256];
    ssize_t n = 0;
    if (fstat(fd, &st) != 0) {
        rc = vgl_error_set(err, VGL_EIO, "cannot stat key file '%s': %s", path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = vgl_error_set(err, VGL_ECONFIG, "key file '%s' is not a regular file", path);
        goto out;
    }
    if (st.st_uid != geteuid()) {
        rc = vgl_error_set(err, VGL_ECONFIG,
                           "key file '%s' is owned by uid %u, not by the current user (uid %u): "
                           "run 'chown %u %s' as its owner or root",
                           path, (unsigned)st.st_uid, (unsigned)geteuid(), (unsigned)geteuid(),
                           path);
        goto out;
    }
    if (st.st_mode & 077) {
        rc = vgl_error_set(err, VGL_ECONFIG,
                           "key file '%s' has mode %04o; it must not be accessible by group or "
                           "others: run 'chmod 600 %s'",
                           path, (unsigned)(st.st_mode & 07777), path);
        goto out;
    }
    n = read_capped(fd, (unsigned char *)text, sizeof text - 1);
    if (n < 0) {
        rc = vgl_error_set(err, VGL_EIO, "cannot read key file '%s': %s", path, strerror(errno));
        goto out;
    }
    if ((size_t)n > sizeof text - 1 || decode_key(text, (size_t)n, key) != 0)
        rc = vgl_error_set(err, VGL_ECONFIG,
                           "key file '%s': expected 64 hex characters or base64 of 32 bytes",
                           path);
out:
    sodium_memzero(text, sizeof text);
    close(fd);
    return rc;
}

struct vgl_credentials *vgl_credentials_open(const char *data_dir, bool create_key,
                                             struct vgl_error *err)
{
    if (sodium_init() < 0) {
        vgl_error_set(err, VGL_EIO, "libsodium cannot be initialised");
        return NULL;
    }
    struct vgl_credentials *c = vgl_xcalloc(1, sizeof *c);
    c->key = sodium_malloc(KEY_LEN);
    if (!c->key) {
        free(c);
        vgl_error_set(err, VGL_ENOMEM, "cannot allocate the credentials key");
        return NULL;
    }
    size_t dlen = strlen(data_dir) + sizeof VGL_CREDENTIALS_DIR + 2;
    c->dir = vgl_xmalloc(dlen);
    snprintf(c->dir, dlen, "%s/%s", data_dir, VGL_CREDENTIALS_DIR);

    const char *env = getenv(VGL_CREDENTIALS_KEY_ENV);
    if (env && *env) {
        if (decode_key(env, strlen(env), c->key) != 0) {
            vgl_error_set(err, VGL_ECONFIG,
                          "environment variable %s: expected 64 hex characters or base64 of 32 "
                          "bytes (got %zu characters)",
                          VGL_CREDENTIALS_KEY_ENV, strlen(env));
            goto fail;
        }
        c->source = vgl_xstrdup("environment variable " VGL_CREDENTIALS_KEY_ENV);
        return c;
    }
    char path[PATH_MAX_];
    snprintf(path, sizeof path, "%s/%s", data_dir, VGL_CREDENTIALS_KEY_FILE);
    int rc = load_key_file(path, c->key, err);
    if (rc == VGL_ENOTFOUND && create_key) {
        if (vgl_credentials_init_key(data_dir, err) != 0)
            goto fail;
        c->created = true;
        rc = load_key_file(path, c->key, err);
    }
    if (rc == VGL_ENOTFOUND) {
        vgl_error_set(err, VGL_ENOTFOUND,
                      "no credentials key: set %s or create '%s' "
                      "(vigil output set-credentials creates it)",
                      VGL_CREDENTIALS_KEY_ENV, path);
        goto fail;
    }
    if (rc)
        goto fail;
    size_t slen = strlen(path) + 16;
    c->source = vgl_xmalloc(slen);
    snprintf(c->source, slen, "key file '%s'", path);
    return c;
fail:
    vgl_credentials_free(c);
    return NULL;
}

void vgl_credentials_free(struct vgl_credentials *c)
{
    if (!c)
        return;
    if (c->key) {
        sodium_memzero(c->key, KEY_LEN);
        sodium_free(c->key);
    }
    free(c->dir);
    free(c->source);
    free(c);
}

const char *vgl_credentials_key_source(const struct vgl_credentials *c)
{
    return c->source;
}

bool vgl_credentials_key_created(const struct vgl_credentials *c)
{
    return c->created;
}

/* The box key of one output: BLAKE2b-256(key = master, header || service ':' descriptor). */
static void subkey(const struct vgl_credentials *c, const unsigned char header[HEADER_LEN],
                   const char *service, const char *descriptor, unsigned char out[KEY_LEN])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, c->key, KEY_LEN, KEY_LEN);
    crypto_generichash_update(&st, header, HEADER_LEN);
    crypto_generichash_update(&st, (const unsigned char *)service, strlen(service));
    crypto_generichash_update(&st, (const unsigned char *)":", 1);
    crypto_generichash_update(&st, (const unsigned char *)descriptor, strlen(descriptor));
    crypto_generichash_final(&st, out, KEY_LEN);
    sodium_memzero(&st, sizeof st);
}

static void make_header(unsigned char header[HEADER_LEN])
{
    memcpy(header, MAGIC, MAGIC_LEN);
    header[MAGIC_LEN] = VERSION;
}

/* ---- put / get ---- */

/* true when json[0..len) is one JSON object.  Reports nothing about its contents. */
static bool is_json_object(const char *json, size_t len)
{
    struct vgl_arena arena;
    vgl_arena_init(&arena, 0);
    struct vgl_json v;
    bool ok = vgl_json_parse(json, len, &arena, NULL, &v, NULL) == 0 && v.type == VGL_JSON_OBJECT;
    vgl_arena_release(&arena);
    return ok;
}

int vgl_credentials_put(struct vgl_credentials *c, const char *service, const char *descriptor,
                        const char *json, size_t len, struct vgl_error *err)
{
    int rc = check_names(service, descriptor, err);
    if (rc)
        return rc;
    if (len > VGL_CREDENTIALS_MAX_JSON)
        return vgl_error_set(err, VGL_ELIMIT,
                             "credentials for '%s:%s' are %zu bytes; at most %d are allowed",
                             service, descriptor, len, VGL_CREDENTIALS_MAX_JSON);
    /* no parser detail in the message: it could quote a secret */
    if (!is_json_object(json, len))
        return vgl_error_set(err, VGL_EINVAL, "credentials for '%s:%s' must be one JSON object",
                             service, descriptor);

    char sdir[PATH_MAX_], path[PATH_MAX_ + 2 * VGL_CREDENTIALS_NAME_MAX + 16];
    char tmp[PATH_MAX_ + 2 * VGL_CREDENTIALS_NAME_MAX + 16];
    if (snprintf(sdir, sizeof sdir, "%s/%s", c->dir, service) >= (int)sizeof sdir)
        return vgl_error_set(err, VGL_ELIMIT, "credentials directory path too long");
    vgl_credentials_path(c, service, descriptor, path, sizeof path);
    snprintf(tmp, sizeof tmp, "%s/.%s.cred.XXXXXX", sdir, descriptor);
    if ((rc = ensure_dirs(c->dir, 0700, err)) != 0 || (rc = ensure_dir(sdir, 0700, err)) != 0)
        return rc;

    size_t flen = PREFIX_LEN + crypto_secretbox_MACBYTES + len;
    unsigned char *file = vgl_xmalloc(flen);
    unsigned char k[KEY_LEN];
    make_header(file);
    randombytes_buf(file + HEADER_LEN, crypto_secretbox_NONCEBYTES);
    subkey(c, file, service, descriptor, k);
    crypto_secretbox_easy(file + PREFIX_LEN, (const unsigned char *)json, len, file + HEADER_LEN,
                          k);
    sodium_memzero(k, sizeof k);

    int fd = mkstemp(tmp);   /* mode 0600 */
    if (fd < 0) {
        rc = vgl_error_set(err, VGL_EIO, "cannot create a temporary file in '%s': %s", sdir,
                           strerror(errno));
        goto out;
    }
    if (fchmod(fd, 0600) != 0 || write_all(fd, file, flen) != 0 || fsync(fd) != 0) {
        rc = vgl_error_set(err, VGL_EIO, "cannot write '%s': %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        goto out;
    }
    if (close(fd) != 0) {
        rc = vgl_error_set(err, VGL_EIO, "cannot write '%s': %s", tmp, strerror(errno));
        unlink(tmp);
        goto out;
    }
    if (rename(tmp, path) != 0) {
        rc = vgl_error_set(err, VGL_EIO, "cannot rename '%s' to '%s': %s", tmp, path,
                           strerror(errno));
        unlink(tmp);
        goto out;
    }
    fsync_dir(sdir);
out:
    free(file);   /* ciphertext only */
    return rc;
}

int vgl_credentials_get(const struct vgl_credentials *c, const char *service,
                        const char *descriptor, struct vgl_buf *out_json, struct vgl_error *err)
{
    int rc = check_names(service, descriptor, err);
    if (rc)
        return rc;
    char path[PATH_MAX_];
    vgl_credentials_path(c, service, descriptor, path, sizeof path);
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return vgl_error_set(err, VGL_ENOTFOUND,
                                 "no credentials for '%s:%s' (run 'vigil output set-credentials "
                                 "%s:%s')",
                                 service, descriptor, service, descriptor);
        return vgl_error_set(err, VGL_EIO, "credentials for '%s:%s': cannot open '%s': %s",
                             service, descriptor, path, strerror(errno));
    }
    unsigned char *file = vgl_xmalloc(FILE_MAX);
    ssize_t n = read_capped(fd, file, FILE_MAX);
    int saved = errno;
    close(fd);
    if (n < 0) {
        rc = vgl_error_set(err, VGL_EIO, "credentials for '%s:%s': cannot read '%s': %s", service,
                           descriptor, path, strerror(saved));
        goto out;
    }
    size_t flen = (size_t)n;
    if (flen > FILE_MAX) {
        rc = vgl_error_set(err, VGL_ECONFIG,
                           "credentials for '%s:%s': '%s' is larger than %d bytes (damaged file)",
                           service, descriptor, path, (int)FILE_MAX);
        goto out;
    }
    if (flen < HEADER_LEN || memcmp(file, MAGIC, MAGIC_LEN) != 0) {
        rc = vgl_error_set(err, VGL_ECONFIG,
                           "credentials for '%s:%s' cannot be decrypted (wrong key or damaged "
                           "file): '%s' is %s",
                           service, descriptor, path,
                           flen < HEADER_LEN ? "truncated" : "not a vigil credentials file");
        goto out;
    }
    if (file[MAGIC_LEN] != VERSION) {
        rc = vgl_error_set(err, VGL_ECONFIG,
                           "credentials for '%s:%s': '%s' has format version %u; this vigil "
                           "reads version %d",
                           service, descriptor, path, (unsigned)file[MAGIC_LEN], VERSION);
        goto out;
    }
    if (flen < PREFIX_LEN + crypto_secretbox_MACBYTES) {
        rc = vgl_error_set(err, VGL_ECONFIG,
                           "credentials for '%s:%s' cannot be decrypted (wrong key or damaged "
                           "file): '%s' is truncated",
                           service, descriptor, path);
        goto out;
    }
    size_t plen = flen - PREFIX_LEN - crypto_secretbox_MACBYTES;
    /* decrypt straight into out_json's memory, so no other copy of the plaintext exists */
    if ((rc = vgl_buf_reserve(out_json, plen + 1)) != 0) {
        rc = vgl_error_set(err, VGL_ELIMIT, "credentials for '%s:%s': too large for the buffer",
                           service, descriptor);
        goto out;
    }
    unsigned char k[KEY_LEN];
    subkey(c, file, service, descriptor, k);
    unsigned char *dst = (unsigned char *)out_json->data + out_json->len;
    int bad = crypto_secretbox_open_easy(dst, file + PREFIX_LEN, flen - PREFIX_LEN,
                                         file + HEADER_LEN, k);
    sodium_memzero(k, sizeof k);
    if (bad) {
        sodium_memzero(dst, plen);
        out_json->data[out_json->len] = '\0';
        rc = vgl_error_set(err, VGL_ECONFIG,
                           "credentials for '%s:%s' cannot be decrypted (wrong key or damaged "
                           "file)",
                           service, descriptor);
        goto out;
    }
    out_json->len += plen;
    out_json->data[out_json->len] = '\0';
out:
    free(file);   /* ciphertext only */
    return rc;
}

void vgl_credentials_buf_wipe(struct vgl_buf *b)
{
    if (b->data)
        sodium_memzero(b->data, b->cap);
    vgl_buf_release(b);
}

/* ---- list ---- */

struct entry {
    char *service, *descriptor;
};

static int cmp_entry(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    int r = strcmp(x->service, y->service);
    return r ? r : strcmp(x->descriptor, y->descriptor);
}

int vgl_credentials_list(const char *data_dir, vgl_credentials_list_fn fn, void *ud,
                         struct vgl_error *err)
{
    char dir[PATH_MAX_];
    snprintf(dir, sizeof dir, "%s/%s", data_dir, VGL_CREDENTIALS_DIR);
    DIR *top = opendir(dir);
    if (!top) {
        if (errno == ENOENT)
            return 0;
        return vgl_error_set(err, VGL_EIO, "cannot read directory '%s': %s", dir,
                             strerror(errno));
    }
    struct entry *v = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(top)) != NULL) {
        if (vgl_credentials_check_name("service", de->d_name, NULL) != 0)
            continue;
        char sdir[PATH_MAX_ + sizeof de->d_name + 2];
        snprintf(sdir, sizeof sdir, "%s/%s", dir, de->d_name);
        DIR *sd = opendir(sdir);
        if (!sd)
            continue;
        struct dirent *fe;
        while ((fe = readdir(sd)) != NULL) {
            size_t fl = strlen(fe->d_name);
            if (fl <= 5 || strcmp(fe->d_name + fl - 5, ".cred") != 0)
                continue;
            char *desc = vgl_xstrndup(fe->d_name, fl - 5);
            if (vgl_credentials_check_name("descriptor", desc, NULL) != 0) {
                free(desc);
                continue;
            }
            v = vgl_xgrow(v, &cap, n + 1, sizeof *v);
            v[n].service = vgl_xstrdup(de->d_name);
            v[n].descriptor = desc;
            n++;
        }
        closedir(sd);
    }
    closedir(top);
    if (n)
        qsort(v, n, sizeof *v, cmp_entry);
    for (size_t i = 0; i < n; i++) {
        if (rc == 0)
            rc = fn(v[i].service, v[i].descriptor, ud);
        free(v[i].service);
        free(v[i].descriptor);
    }
    free(v);
    return rc;
}

/* ---- credential fields per service (compat 7.5) ---- */

#define F(name, help, secret, required) {name, help, secret, required}
#define SVC(name, arr) {name, arr, sizeof arr / sizeof arr[0]}

static const struct vgl_output_cred_field f_slack[] = {
    F("url", "incoming webhook URL", true, true),
};
static const struct vgl_output_cred_field f_teams[] = {
    F("url", "incoming webhook URL", true, true),
};
static const struct vgl_output_cred_field f_pagerduty[] = {
    F("service_key", "service key (Events API v1 integration key)", true, true),
};
static const struct vgl_output_cred_field f_pagerduty_v2[] = {
    F("routing_key", "routing key (Events API v2 integration key)", true, true),
};
static const struct vgl_output_cred_field f_pagerduty_incident[] = {
    F("token", "REST API token", true, true),
    F("service_name", "service name", false, true),
    F("service_id", "service id", false, true),
    F("escalation_policy", "escalation policy name", false, true),
    F("escalation_policy_id", "escalation policy id", false, true),
    F("email_from", "email address of the PagerDuty user the calls act as", false, true),
    F("integration_key", "Events API v2 integration key", true, true),
};
static const struct vgl_output_cred_field f_jira[] = {
    F("username", "Jira user name", false, true),
    F("password", "Jira password", true, true),
    F("url", "Jira base URL", false, true),
    F("project_key", "project key", false, true),
    F("issue_type", "issue type", false, true),
    F("aggregate", "add a comment to an existing issue with the same summary (yes/no)", false,
      true),
};
static const struct vgl_output_cred_field f_jira_v2[] = {
    F("api_key", "Jira API key", true, true),
    F("user_name", "Jira user name", false, true),
    F("url", "Jira base URL", false, true),
    F("project_key", "project key", false, true),
    F("issue_type", "issue type", false, true),
    F("aggregate", "add a comment to an existing issue with the same summary (yes/no)", false,
      true),
};
static const struct vgl_output_cred_field f_github[] = {
    F("repository", "repository (owner/name)", false, true),
    F("labels", "labels (comma-separated)", false, true),
    F("username", "GitHub user name", false, true),
    F("access_token", "personal access token", true, true),
};
static const struct vgl_output_cred_field f_demisto[] = {
    F("url", "Demisto server URL", false, true),
    F("token", "API token", true, true),
};
static const struct vgl_output_cred_field f_phantom[] = {
    F("ph_auth_token", "Phantom auth token", true, true),
    F("url", "Phantom server URL", false, true),
};
static const struct vgl_output_cred_field f_komand[] = {
    F("komand_auth_token", "Komand auth token", true, true),
    F("url", "Komand trigger URL", false, true),
};
static const struct vgl_output_cred_field f_victorops[] = {
    F("victorops_api_id", "VictorOps API id", false, true),
    F("victorops_api_key", "VictorOps API key", true, true),
    F("url", "VictorOps REST endpoint URL", false, true),
    F("routing_key", "routing key", false, true),
};
static const struct vgl_output_cred_field f_carbonblack[] = {
    F("url", "Carbon Black server URL", false, true),
    F("token", "API token", true, true),
};
static const struct vgl_output_cred_field f_aws_lambda_v2[] = {
    F("lambda_function_arn", "Lambda function ARN", false, true),
    F("function_qualifier", "function qualifier (optional)", false, false),
    F("assume_role_arn", "role ARN to assume (optional)", false, false),
};
static const struct vgl_output_cred_field f_aws_ses[] = {
    F("from_email", "sender address", false, true),
    F("to_emails", "recipient addresses (comma-separated)", false, true),
};

static const struct vgl_output_cred_field f_webhook[] = {
    F("url", "URL to POST alerts to (may hold a token)", true, true),
    F("hmac_secret", "HMAC-SHA256 key for the X-Vigil-Signature header (optional)", true, false),
    F("headers", "extra request headers as a JSON object (optional)", true, false),
};

static const struct vgl_output_cred_fields services[] = {
    SVC("aws-lambda-v2", f_aws_lambda_v2),
    SVC("aws-ses", f_aws_ses),
    SVC("carbonblack", f_carbonblack),
    SVC("demisto", f_demisto),
    SVC("github", f_github),
    SVC("jira", f_jira),
    SVC("jira-v2", f_jira_v2),
    SVC("komand", f_komand),
    SVC("pagerduty", f_pagerduty),
    SVC("pagerduty-incident", f_pagerduty_incident),
    SVC("pagerduty-v2", f_pagerduty_v2),
    SVC("phantom", f_phantom),
    SVC("slack", f_slack),
    SVC("teams", f_teams),
    SVC("victorops", f_victorops),
    SVC("webhook", f_webhook),
};

static const char *const no_credentials[] = {
    "aws-cloudwatch-log", "aws-firehose", "aws-lambda", "aws-s3", "aws-sns", "aws-sqs", "file",
    "stdout",
};

const struct vgl_output_cred_fields *vgl_output_cred_fields(const char *service)
{
    for (size_t i = 0; i < sizeof services / sizeof services[0]; i++)
        if (strcmp(services[i].service, service) == 0)
            return &services[i];
    return NULL;
}

const struct vgl_output_cred_fields *vgl_output_cred_services(size_t *n)
{
    *n = sizeof services / sizeof services[0];
    return services;
}

bool vgl_output_cred_none(const char *service)
{
    for (size_t i = 0; i < sizeof no_credentials / sizeof no_credentials[0]; i++)
        if (strcmp(no_credentials[i], service) == 0)
            return true;
    return false;
}
