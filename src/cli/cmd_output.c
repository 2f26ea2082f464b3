/*
 * cli/cmd_output.c: `vigil output set-credentials|list-credentials`: the encrypted credential
 * store of the outputs (output/credentials.h, docs/credentials.md).
 *
 * set-credentials prompts for each field on a terminal (secret fields with echo off), or
 * reads one JSON object from stdin when stdin is not a terminal.  Values are never echoed,
 * printed or put in error messages; the buffers that held them are wiped.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "config/config.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "json/json.h"
#include "output/credentials.h"

#define INPUT_MAX VGL_CREDENTIALS_MAX_JSON
#define PATH_LEN 4096

static void usage(FILE *out)
{
    fprintf(out,
            "usage: vigil output set-credentials SERVICE:DESCRIPTOR [--config DIR]\n"
            "       vigil output list-credentials [--config DIR]\n\n"
            "set-credentials stores the credentials of one output, encrypted, in\n"
            "<data_dir>/credentials/ (data_dir from conf/vigil.json).  On a terminal it prompts\n"
            "for each field (secret ones are not echoed); otherwise it reads one JSON object\n"
            "from stdin, e.g.  echo '{\"url\": \"https://...\"}' | vigil output set-credentials "
            "slack:alerts\n"
            "The key comes from the environment variable " VGL_CREDENTIALS_KEY_ENV
            " (64 hex characters\n"
            "or base64 of 32 bytes) or from <data_dir>/" VGL_CREDENTIALS_KEY_FILE
            " (mode 0600); set-credentials\n"
            "creates that key file when neither exists.  Back it up: without it the stored\n"
            "credentials cannot be read.\n"
            "list-credentials prints the SERVICE:DESCRIPTOR names that have credentials, never "
            "values.\n\n%s",
            VGL_EXIT_CODES_HELP);
}

static void print_services(FILE *out)
{
    size_t n;
    const struct vgl_output_cred_fields *s = vgl_output_cred_services(&n);
    fprintf(out, "services with credentials:");
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%s %s", i ? "," : "", s[i].service);
    fprintf(out, "\n");
}

/* <root>/<data_dir> (data_dir may be absolute). */
static void data_dir_of(const struct vgl_config *cfg, char *out, size_t outsz)
{
    const char *dd = cfg->settings.data_dir ? cfg->settings.data_dir : "data";
    if (dd[0] == '/')
        snprintf(out, outsz, "%s", dd);
    else
        snprintf(out, outsz, "%s/%s", cfg->root, dd);
}

/* Reads all of stdin into buf (INPUT_MAX bytes); returns the length or -1 (too big, error). */
static long read_stdin(char *buf)
{
    size_t len = 0;
    for (;;) {
        if (len == INPUT_MAX) {
            char one;
            ssize_t r = read(STDIN_FILENO, &one, 1);
            if (r == 0)
                return (long)len;
            fprintf(stderr, "vigil: output: the credentials on stdin are longer than %d bytes\n",
                    INPUT_MAX);
            return -1;
        }
        ssize_t r = read(STDIN_FILENO, buf + len, INPUT_MAX - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            fprintf(stderr, "vigil: output: cannot read stdin: %s\n", strerror(errno));
            return -1;
        }
        if (r == 0)
            return (long)len;
        len += (size_t)r;
    }
}

/* One line from the terminal into buf (newline dropped); secret turns echo off. */
static long prompt_line(const char *service, const struct vgl_output_cred_field *f, char *buf,
                        size_t bufsz)
{
    fprintf(stderr, "%s %s%s%s: ", service, f->help, f->secret ? " (hidden)" : "",
            f->required ? "" : " [enter to skip]");
    fflush(stderr);
    struct termios old, quiet;
    bool echo_off = false;
    if (f->secret && tcgetattr(STDIN_FILENO, &old) == 0) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
        echo_off = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    }
    size_t len = 0;
    long rc = 0;
    bool too_long = false;
    for (;;) {
        char ch;
        ssize_t r = read(STDIN_FILENO, &ch, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            rc = len ? 0 : -1;   /* end of input */
            break;
        }
        if (ch == '\n')
            break;
        if (len + 1 >= bufsz)
            too_long = true;   /* keep reading to the end of the line */
        else
            buf[len++] = ch;
    }
    if (too_long)
        rc = -2;
    if (echo_off) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (len && buf[len - 1] == '\r')
        len--;
    buf[len] = '\0';
    return rc < 0 ? rc : (long)len;
}

/*
 * Builds the canonical JSON object of svc's fields into out from terminal prompts.
 * Returns 0, or 1 after printing the problem.
 */
static int from_terminal(const struct vgl_output_cred_fields *svc, struct vgl_buf *out)
{
    char *line = sodium_malloc(INPUT_MAX);
    if (!line) {
        fprintf(stderr, "vigil: output: out of memory\n");
        return 1;
    }
    int rc = 0;
    bool first = true;
    vgl_buf_putc(out, '{');
    for (size_t i = 0; i < svc->nfields && rc == 0; i++) {
        const struct vgl_output_cred_field *f = &svc->fields[i];
        long n = prompt_line(svc->service, f, line, INPUT_MAX);
        if (n == -2) {
            fprintf(stderr, "vigil: output: field '%s' is longer than %d bytes\n", f->name,
                    INPUT_MAX - 1);
            rc = 1;
        } else if (n < 0) {
            fprintf(stderr, "vigil: output: end of input before field '%s'\n", f->name);
            rc = 1;
        } else if (n == 0 && f->required) {
            fprintf(stderr, "vigil: output: field '%s' of '%s' is required\n", f->name,
                    svc->service);
            rc = 1;
        } else if (n > 0) {
            if (!first)
                vgl_buf_puts(out, ", ");
            first = false;
            if (vgl_json_write_str(out, f->name, strlen(f->name)) != 0 ||
                vgl_buf_puts(out, ": ") != 0 || vgl_json_write_str(out, line, (size_t)n) != 0) {
                fprintf(stderr, "vigil: output: the credentials are too large\n");
                rc = 1;
            }
        }
        sodium_memzero(line, INPUT_MAX);
    }
    vgl_buf_putc(out, '}');
    sodium_free(line);
    return rc;
}

/*
 * Checks the JSON object in[0..len) from stdin against svc's fields and writes the
 * canonical object (known fields only, in table order) into out.  Messages name fields,
 * never values.  Returns 0, or 1 after printing the problem.
 */
static int from_json(const struct vgl_output_cred_fields *svc, const char *in, size_t len,
                     struct vgl_buf *out)
{
    struct vgl_arena arena;
    vgl_arena_init(&arena, 0);
    struct vgl_json v;
    struct vgl_error jerr;
    int rc = 0;
    if (vgl_json_parse(in, len, &arena, NULL, &v, &jerr) != 0 || v.type != VGL_JSON_OBJECT) {
        /* no parser detail: it could quote a secret */
        fprintf(stderr,
                "vigil: output: stdin: expected one JSON object of string fields for '%s'\n",
                svc->service);
        rc = 1;
        goto out;
    }
    for (uint32_t i = 0; i < v.len; i++) {
        const struct vgl_json_member *m = &v.u.members[i];
        const struct vgl_output_cred_field *f = NULL;
        for (size_t j = 0; j < svc->nfields; j++)
            if (strlen(svc->fields[j].name) == m->klen &&
                memcmp(svc->fields[j].name, m->key, m->klen) == 0)
                f = &svc->fields[j];
        char q[80];
        if (!f) {
            fprintf(stderr, "vigil: output: stdin: unknown field '%s' for '%s' (fields:",
                    vgl_quote(q, sizeof q, m->key, m->klen), svc->service);
            for (size_t j = 0; j < svc->nfields; j++)
                fprintf(stderr, "%s %s", j ? "," : "", svc->fields[j].name);
            fprintf(stderr, ")\n");
            rc = 1;
        } else if (m->val.type != VGL_JSON_STRING) {
            fprintf(stderr, "vigil: output: stdin: field '%s': expected string, got %s\n",
                    f->name, vgl_json_type_name(&m->val));
            rc = 1;
        }
    }
    bool first = true;
    vgl_buf_putc(out, '{');
    for (size_t j = 0; j < svc->nfields; j++) {
        const struct vgl_output_cred_field *f = &svc->fields[j];
        const struct vgl_json *fv = vgl_json_getz(&v, f->name);
        if (!fv || fv->len == 0) {
            if (f->required) {
                fprintf(stderr, "vigil: output: stdin: field '%s' of '%s' is required\n",
                        f->name, svc->service);
                rc = 1;
            }
            continue;
        }
        if (rc)
            continue;   /* keep reporting missing fields; write nothing more */
        if (!first)
            vgl_buf_puts(out, ", ");
        first = false;
        if (vgl_json_write_str(out, f->name, strlen(f->name)) != 0 ||
            vgl_buf_puts(out, ": ") != 0 || vgl_json_write_str(out, fv->u.s, fv->len) != 0) {
            fprintf(stderr, "vigil: output: the credentials are too large\n");
            rc = 1;
        }
    }
    vgl_buf_putc(out, '}');
out:
    vgl_arena_release(&arena);
    return rc;
}

static int set_credentials(const char *target, const char *conf)
{
    char service[VGL_CREDENTIALS_NAME_MAX + 1];
    const char *colon = strchr(target, ':');
    size_t slen = colon ? (size_t)(colon - target) : 0;
    if (!colon || slen > VGL_CREDENTIALS_NAME_MAX) {
        fprintf(stderr, "vigil: output: expected SERVICE:DESCRIPTOR, got '%s'\n", target);
        return VGL_EXIT_USAGE;
    }
    memcpy(service, target, slen);
    service[slen] = '\0';
    const char *descriptor = colon + 1;
    struct vgl_error err = {0};
    if (vgl_credentials_check_name("service", service, &err) != 0 ||
        vgl_credentials_check_name("descriptor", descriptor, &err) != 0) {
        fprintf(stderr, "vigil: output: %s\n", err.msg);
        return VGL_EXIT_USAGE;
    }
    const struct vgl_output_cred_fields *svc = vgl_output_cred_fields(service);
    if (!svc) {
        if (vgl_output_cred_none(service))
            fprintf(stderr,
                    "vigil: output: service '%s' takes no credentials: its descriptor names a "
                    "resource in conf/outputs.json\n",
                    service);
        else
            fprintf(stderr, "vigil: output: unknown output service '%s'\n", service);
        print_services(stderr);
        return VGL_EXIT_USAGE;
    }

    struct vgl_config *cfg = vgl_cli_load_config(conf, true);
    if (!cfg)
        return VGL_EXIT_CONFIG;
    char data_dir[PATH_LEN];
    data_dir_of(cfg, data_dir, sizeof data_dir);
    vgl_config_free(cfg);

    if (sodium_init() < 0) {   /* before sodium_malloc */
        fprintf(stderr, "vigil: output: libsodium cannot be initialised\n");
        return VGL_EXIT_RUNTIME;
    }
    int code = VGL_EXIT_OK;
    struct vgl_buf json;
    vgl_buf_init(&json, 0);
    /* room for every value escaped, reserved up front so growth leaves no stray copies */
    vgl_buf_reserve(&json, 6 * INPUT_MAX + 4096);
    char *in = NULL;
    struct vgl_credentials *c = NULL;
    if (isatty(STDIN_FILENO)) {
        if (from_terminal(svc, &json) != 0) {
            code = VGL_EXIT_USAGE;
            goto out;
        }
    } else {
        in = sodium_malloc(INPUT_MAX);
        if (!in) {
            fprintf(stderr, "vigil: output: out of memory\n");
            code = VGL_EXIT_RUNTIME;
            goto out;
        }
        long n = read_stdin(in);
        if (n < 0 || from_json(svc, in, (size_t)n, &json) != 0) {
            code = VGL_EXIT_USAGE;
            goto out;
        }
    }

    c = vgl_credentials_open(data_dir, true, &err);
    if (!c) {
        fprintf(stderr, "vigil: output: %s\n", err.msg);
        code = VGL_EXIT_CONFIG;
        goto out;
    }
    if (vgl_credentials_key_created(c))
        fprintf(stderr,
                "vigil: output: created a new credentials key in %s; back it up, or set %s\n",
                vgl_credentials_key_source(c), VGL_CREDENTIALS_KEY_ENV);
    if (vgl_credentials_put(c, service, descriptor, json.data, json.len, &err) != 0) {
        fprintf(stderr, "vigil: output: %s\n", err.msg);
        code = VGL_EXIT_RUNTIME;
        goto out;
    }
    char path[PATH_LEN];
    vgl_credentials_path(c, service, descriptor, path, sizeof path);
    printf("stored credentials for '%s:%s' in %s\n", service, descriptor, path);
out:
    vgl_credentials_free(c);
    vgl_credentials_buf_wipe(&json);
    if (in) {
        sodium_memzero(in, INPUT_MAX);
        sodium_free(in);
    }
    return code;
}

static int print_name(const char *service, const char *descriptor, void *ud)
{
    (*(size_t *)ud)++;
    printf("%s:%s\n", service, descriptor);
    return 0;
}

static int list_credentials(const char *conf)
{
    struct vgl_config *cfg = vgl_cli_load_config(conf, true);
    if (!cfg)
        return VGL_EXIT_CONFIG;
    char data_dir[PATH_LEN];
    data_dir_of(cfg, data_dir, sizeof data_dir);
    vgl_config_free(cfg);
    struct vgl_error err = {0};
    size_t n = 0;
    if (vgl_credentials_list(data_dir, print_name, &n, &err) != 0) {
        fprintf(stderr, "vigil: output: %s\n", err.msg);
        return VGL_EXIT_RUNTIME;
    }
    if (n == 0)
        fprintf(stderr, "vigil: output: no credentials stored in %s/%s\n", data_dir,
                VGL_CREDENTIALS_DIR);
    return VGL_EXIT_OK;
}

int vgl_cmd_output(int argc, char **argv)
{
    const char *sub = NULL, *target = NULL, *conf = "conf";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return VGL_EXIT_OK;
        } else if (strcmp(a, "--config") == 0 && i + 1 < argc) {
            conf = argv[++i];
        } else if (a[0] == '-') {
            fprintf(stderr, "vigil: output: unknown option '%s'\n", a);
            usage(stderr);
            return VGL_EXIT_USAGE;
        } else if (!sub) {
            sub = a;
        } else if (!target) {
            target = a;
        } else {
            fprintf(stderr, "vigil: output: unexpected argument '%s'\n", a);
            return VGL_EXIT_USAGE;
        }
    }
    if (sub && strcmp(sub, "set-credentials") == 0 && target)
        return set_credentials(target, conf);
    if (sub && strcmp(sub, "list-credentials") == 0 && !target)
        return list_credentials(conf);
    usage(stderr);
    return VGL_EXIT_USAGE;
}
