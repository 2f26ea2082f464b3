/*
 * cli/cmd_init.c: `vigil init DIR --logs a,b,...`: a starter project from the schema library.
 *
 * The library is vigil's schemas/ folder (installed as share/vigil/schemas): one
 * <source>.json per log source holding that source's log types, plus samples/<source>.json
 * (one classifier test event per log type) and samples/rules/<source>_example.{py,json}
 * (one example rule per log type and the test events that expect it).  init copies the
 * chosen sources' files into DIR/conf/schemas and DIR/rules, and writes global.json,
 * outputs.json and a cluster routing one file source (resource "logs") to them, so that
 * `vigil validate`, `vigil test classifier` and `vigil test rules` pass on the new project at
 * once.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/xmalloc.h"
#include "frame/lines.h"
#include "json/json.h"

#define LIB_ENV      "VIGIL_SCHEMA_DIR"
#define LIB_FILE_MAX (16u << 20)
#define CLUSTER      "main"
#define RESOURCE     "logs"

struct source {
    char *name;   /* file stem: "cloudtrail" */
    char **types; /* log type names, in file order */
    size_t ntypes;
};

struct library {
    char dir[4096];
    struct source *src; /* sorted by name */
    size_t n;
    struct vgl_arena arena;
};

/* Names people try that the library files under another source. */
static const struct {
    const char *alias;
    const char *sources;
} aliases[] = {
    {"apache", "accesslog"},
    {"httpd", "accesslog"},
    {"combined", "accesslog"},
    {"windows", "winlogbeat, nxlog"},
    {"sysmon", "winlogbeat, nxlog"},
    {"eventbridge", "cloudwatch"},
    {"aws", "cloudtrail, cloudwatch, vpcflow, guardduty, s3, alb, elb, awsconfig"},
    {"k8s", "kubernetes"},
    {"eks", "kubernetes"},
    {"google", "gsuite, gcp"},
    {"workspace", "gsuite"},
    {"entra", "azure"},
    {"aad", "azure"},
    {"pan", "paloalto"},
    {"panos", "paloalto"},
    {"bro", "zeek"},
    {"eve", "suricata"},
    {"cb", "carbonblack"},
    {"falcon", "crowdstrike"},
    {"fdr", "crowdstrike"},
    {"linux", "syslog, auditd, journald"},
    {"vpc", "vpcflow"},
    {"config", "awsconfig"},
    {"sshd", "syslog, journald"},
    {"auth", "syslog"},
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: vigil init DIR --logs SOURCE[,SOURCE...] [--force]\n"
            "       vigil init --list\n\n"
            "Creates a starter project in DIR from vigil's schema library:\n"
            "  DIR/conf/global.json, outputs.json, clusters/" CLUSTER ".json (a 'file' source,\n"
            "      resource '" RESOURCE "', routed to the chosen log sources)\n"
            "  DIR/conf/schemas/<source>.json   the chosen log sources' schemas\n"
            "  DIR/rules/classifier/<source>.json   a test event per log type\n"
            "  DIR/rules/<source>/<source>_example.py and .json   an example rule per log type\n"
            "      and the test events that expect it\n"
            "--list prints the log sources and their log types.  DIR must be empty or absent\n"
            "unless --force (which overwrites the files init writes and keeps the others).\n"
            "The library is found next to the binary (../share/vigil/schemas), in the source\n"
            "tree when run from a build folder, or where $" LIB_ENV " points.\n\n%s",
            VGL_EXIT_CODES_HELP);
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* A library folder has at least one *.json file and a samples/ folder. */
static bool looks_like_library(const char *dir)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/samples", dir);
    if (!is_dir(dir) || !is_dir(p))
        return false;
    DIR *d = opendir(dir);
    if (!d)
        return false;
    bool found = false;
    struct dirent *e;
    while (!found && (e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        found = n > 5 && strcmp(e->d_name + n - 5, ".json") == 0;
    }
    closedir(d);
    return found;
}

/*
 * Finds the library: $VIGIL_SCHEMA_DIR when set (and then nothing else), else next to the
 * binary, else the source tree (VGL_SOURCE_DIR when the build defines it for the binary, or
 * ../schemas from an in-tree build folder).  On failure writes the places tried to err.
 */
static int find_library(char *out, size_t outsz, struct vgl_error *err)
{
    const char *env = getenv(LIB_ENV);
    if (env && *env) {
        if (!looks_like_library(env))
            return vgl_error_set(err, VGL_ENOTFOUND,
                                 "$" LIB_ENV " is '%s', which is not a schema library (a folder "
                                 "with <source>.json files and samples/)",
                                 env);
        snprintf(out, outsz, "%s", env);
        return 0;
    }
    /* <prefix>/bin/vigil -> <prefix>/share/vigil/schemas; build/vigil -> build/../schemas */
    char exe[4096], parent[4096] = "";
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = '\0';
        snprintf(parent, sizeof parent, "%s", exe);
        slash = strrchr(parent, '/');
        if (slash)
            slash[slash == parent ? 1 : 0] = '\0';
    }
    const char *cands[3];
    char c0[4200], c2[4200];
    size_t nc = 0;
    if (*parent) {
        snprintf(c0, sizeof c0, "%s%sshare/vigil/schemas", parent,
                 parent[strlen(parent) - 1] == '/' ? "" : "/");
        cands[nc++] = c0;
    }
#ifdef VGL_SOURCE_DIR
    cands[nc++] = VGL_SOURCE_DIR "/schemas"; /* the source tree this binary was built from */
#endif
    if (*parent) {
        snprintf(c2, sizeof c2, "%s%sschemas", parent,
                 parent[strlen(parent) - 1] == '/' ? "" : "/");
        cands[nc++] = c2;
    }
    char tried[1024] = "";
    for (size_t i = 0; i < nc; i++) {
        if (looks_like_library(cands[i])) {
            snprintf(out, outsz, "%s", cands[i]);
            return 0;
        }
        size_t used = strlen(tried);
        snprintf(tried + used, sizeof tried - used, "%s'%s'", used ? ", " : "", cands[i]);
    }
    return vgl_error_set(err, VGL_ENOTFOUND,
                         "cannot find vigil's schema library (tried %s); set $" LIB_ENV
                         " to the schemas/ folder",
                         nc ? tried : "nothing: /proc/self/exe is unreadable");
}

static int cmp_source(const void *a, const void *b)
{
    return strcmp(((const struct source *)a)->name, ((const struct source *)b)->name);
}

/* Reads one <source>.json: its top-level keys are the log types. */
static int load_source(struct library *lib, const char *fname, struct vgl_error *err)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", lib->dir, fname);
    struct vgl_buf buf;
    vgl_buf_init(&buf, LIB_FILE_MAX);
    int rc = vgl_read_file(path, LIB_FILE_MAX, &buf, err);
    struct vgl_json doc;
    if (rc == 0) {
        char *text = vgl_arena_memdup(&lib->arena, buf.data ? buf.data : "", buf.len);
        rc = vgl_json_parse(text, buf.len, &lib->arena, NULL, &doc, err);
        if (rc)
            vgl_error_prefix(err, "%s", path);
    }
    vgl_buf_release(&buf);
    if (rc)
        return rc;
    if (doc.type != VGL_JSON_OBJECT)
        return vgl_error_set(err, VGL_ETYPE, "%s: expected an object of log types, found %s", path,
                             vgl_json_type_name(&doc));
    struct source *s = &lib->src[lib->n++];
    s->name = vgl_arena_strndup(&lib->arena, fname, strlen(fname) - 5);
    s->ntypes = doc.len;
    s->types = vgl_arena_alloc(&lib->arena, (doc.len ? doc.len : 1) * sizeof *s->types);
    for (size_t i = 0; i < doc.len; i++)
        s->types[i] = vgl_arena_strndup(&lib->arena, doc.u.members[i].key, doc.u.members[i].klen);
    return 0;
}

static int load_library(struct library *lib, struct vgl_error *err)
{
    DIR *d = opendir(lib->dir);
    if (!d)
        return vgl_error_set(err, VGL_EIO, "cannot read schema library '%s': %s", lib->dir,
                             strerror(errno));
    size_t cap = 0;
    char **names = NULL;
    size_t nn = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len <= 5 || strcmp(e->d_name + len - 5, ".json") != 0 || e->d_name[0] == '.')
            continue;
        names = vgl_xgrow(names, &cap, nn + 1, sizeof *names);
        names[nn++] = vgl_arena_strndup(&lib->arena, e->d_name, len);
    }
    closedir(d);
    lib->src = vgl_arena_alloc(&lib->arena, (nn ? nn : 1) * sizeof *lib->src);
    int rc = 0;
    for (size_t i = 0; i < nn && rc == 0; i++)
        rc = load_source(lib, names[i], err);
    free(names);
    if (rc == 0 && lib->n == 0)
        rc = vgl_error_set(err, VGL_ENOTFOUND, "schema library '%s' holds no <source>.json files",
                           lib->dir);
    qsort(lib->src, lib->n, sizeof *lib->src, cmp_source);
    return rc;
}

static const struct source *find_source(const struct library *lib, const char *name)
{
    for (size_t i = 0; i < lib->n; i++)
        if (strcmp(lib->src[i].name, name) == 0)
            return &lib->src[i];
    return NULL;
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return 99;
    size_t row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* "did you mean" text for an unknown source name, "" when nothing is near. */
static void suggest(const struct library *lib, const char *name, struct vgl_buf *out)
{
    const char *colon = strchr(name, ':');
    if (colon) {
        char src[256];
        snprintf(src, sizeof src, "%.*s", (int)(colon - name), name);
        if (find_source(lib, src)) {
            vgl_buf_printf(out, "; it is a log type, and --logs takes log sources: use '%s'", src);
            return;
        }
    }
    size_t n0 = out->len;
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
        if (strcmp(name, aliases[i].alias) == 0) {
            vgl_buf_printf(out, "; did you mean %s", aliases[i].sources);
            return;
        }
    }
    size_t len = strlen(name), max = len <= 4 ? 1 : len < 9 ? 2 : len / 3;
    for (size_t i = 0; i < lib->n; i++) {
        const char *s = lib->src[i].name;
        bool near = edit_distance(name, s) <= max || (len >= 3 && strstr(s, name)) ||
                    (strlen(s) >= 3 && strstr(name, s));
        for (size_t t = 0; !near && t < lib->src[i].ntypes; t++) {
            const char *c = strchr(lib->src[i].types[t], ':');
            near = c && strcmp(c + 1, name) == 0;
        }
        if (near)
            vgl_buf_printf(out, "%s%s", out->len == n0 ? "; did you mean " : ", ", s);
    }
}

static int mkdir_p(const char *path, struct vgl_error *err)
{
    char tmp[4096];
    size_t n = (size_t)snprintf(tmp, sizeof tmp, "%s", path);
    if (n >= sizeof tmp)
        return vgl_error_set(err, VGL_ELIMIT, "path too long: '%s'", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
            return vgl_error_set(err, VGL_EIO, "cannot create '%s': %s", tmp, strerror(errno));
        *p = '/';
    }
    if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
        return vgl_error_set(err, VGL_EIO, "cannot create '%s': %s", tmp, strerror(errno));
    if (!is_dir(tmp))
        return vgl_error_set(err, VGL_EIO, "'%s' exists and is not a folder", tmp);
    return 0;
}

static int write_file(const char *path, const char *data, size_t len, struct vgl_error *err)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return vgl_error_set(err, VGL_EIO, "cannot write '%s': %s", path, strerror(errno));
    bool ok = fwrite(data, 1, len, f) == len;
    ok = (fclose(f) == 0) && ok;
    if (!ok)
        return vgl_error_set(err, VGL_EIO, "cannot write '%s': %s", path, strerror(errno));
    return 0;
}

static int copy_file(const char *from, const char *to, struct vgl_error *err)
{
    struct vgl_buf buf;
    vgl_buf_init(&buf, LIB_FILE_MAX);
    int rc = vgl_read_file(from, LIB_FILE_MAX, &buf, err);
    if (rc == 0)
        rc = write_file(to, buf.data ? buf.data : "", buf.len, err);
    vgl_buf_release(&buf);
    return rc;
}

/* true when path is absent, or a folder with nothing in it. */
static bool absent_or_empty(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return errno == ENOENT;
    struct dirent *e;
    bool empty = true;
    while (empty && (e = readdir(d)) != NULL)
        empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
    closedir(d);
    return empty;
}

static void list_library(const struct library *lib)
{
    printf("log sources in %s:\n", lib->dir);
    for (size_t i = 0; i < lib->n; i++) {
        printf("  %-12s", lib->src[i].name);
        for (size_t t = 0; t < lib->src[i].ntypes; t++)
            printf(" %s", lib->src[i].types[t]);
        printf("\n");
    }
}

static const char global_json[] = "{\n"
                                  "  \"account\": {\n"
                                  "    \"aws_account_id\": \"123456789012\",\n"
                                  "    \"prefix\": \"vigil\",\n"
                                  "    \"region\": \"us-east-1\"\n"
                                  "  },\n"
                                  "  \"general\": {\n"
                                  "    \"rule_locations\": [\"rules\"],\n"
                                  "    \"matcher_locations\": [\"matchers\"],\n"
                                  "    \"publisher_locations\": [],\n"
                                  "    \"scheduled_query_locations\": []\n"
                                  "  },\n"
                                  "  \"infrastructure\": {\n"
                                  "    \"rule_staging\": {\"enabled\": false},\n"
                                  "    \"firehose\": {\"enabled\": false, \"enabled_logs\": {}}\n"
                                  "  }\n"
                                  "}\n";

static const char outputs_json[] = "{\n  \"slack\": [\"security\"]\n}\n";

static int write_conf(const char *dir, const struct source *const *chosen, size_t n,
                      struct vgl_error *err)
{
    char path[4400];
    int rc;
    snprintf(path, sizeof path, "%s/conf/global.json", dir);
    rc = write_file(path, global_json, sizeof global_json - 1, err);
    if (rc)
        return rc;
    snprintf(path, sizeof path, "%s/conf/outputs.json", dir);
    rc = write_file(path, outputs_json, sizeof outputs_json - 1, err);
    if (rc)
        return rc;
    struct vgl_buf b;
    vgl_buf_init(&b, 0);
    vgl_buf_puts(&b, "{\n  \"id\": \"" CLUSTER "\",\n  \"classifier_config\": {},\n"
                     "  \"data_sources\": {\n    \"file\": {\n      \"" RESOURCE "\": [");
    for (size_t i = 0; i < n; i++) {
        if (i)
            vgl_buf_puts(&b, ", ");
        vgl_json_write_str(&b, chosen[i]->name, strlen(chosen[i]->name));
    }
    vgl_buf_puts(&b, "]\n    }\n  },\n  \"enable_threat_intel\": false\n}\n");
    snprintf(path, sizeof path, "%s/conf/clusters/" CLUSTER ".json", dir);
    rc = write_file(path, b.data, b.len, err);
    vgl_buf_release(&b);
    return rc;
}

/* Copies from into to; a missing optional file is a warning counted in *missing. */
static int copy_one(const char *from, const char *to, bool optional, size_t *missing,
                    struct vgl_error *err)
{
    if (optional && !is_file(from)) {
        fprintf(stderr, "vigil init: warning: the library has no %s; skipped\n", from);
        (*missing)++;
        return 0;
    }
    return copy_file(from, to, err);
}

/* Copies one source's schema file, its samples and its example rules. */
static int copy_source(const struct library *lib, const char *dir, const struct source *s,
                       size_t *missing, struct vgl_error *err)
{
    char from[4400], to[4400];
    const char *l = lib->dir, *name = s->name;
    int rc;
    snprintf(from, sizeof from, "%s/%s.json", l, name);
    snprintf(to, sizeof to, "%s/conf/schemas/%s.json", dir, name);
    rc = copy_one(from, to, false, missing, err);
    if (rc)
        return rc;
    snprintf(from, sizeof from, "%s/samples/%s.json", l, name);
    snprintf(to, sizeof to, "%s/rules/classifier/%s.json", dir, name);
    rc = copy_one(from, to, true, missing, err);
    if (rc)
        return rc;
    snprintf(to, sizeof to, "%s/rules/%s", dir, name);
    rc = mkdir_p(to, err);
    if (rc)
        return rc;
    snprintf(from, sizeof from, "%s/samples/rules/%s_example.py", l, name);
    snprintf(to, sizeof to, "%s/rules/%s/%s_example.py", dir, name, name);
    rc = copy_one(from, to, true, missing, err);
    if (rc)
        return rc;
    snprintf(from, sizeof from, "%s/samples/rules/%s_example.json", l, name);
    snprintf(to, sizeof to, "%s/rules/%s/%s_example.json", dir, name, name);
    return copy_one(from, to, true, missing, err);
}

/* Splits "a, b,c" into known sources; prints every unknown name with suggestions. */
static size_t pick_sources(const struct library *lib, const char *spec,
                           const struct source **chosen, size_t *nbad)
{
    size_t n = 0;
    char *copy = vgl_xstrdup(spec);
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ' || *tok == '\t')
            tok++;
        size_t len = strlen(tok);
        while (len && (tok[len - 1] == ' ' || tok[len - 1] == '\t'))
            tok[--len] = '\0';
        if (!len)
            continue;
        const struct source *s = find_source(lib, tok);
        if (!s) {
            struct vgl_buf hint;
            vgl_buf_init(&hint, 0);
            suggest(lib, tok, &hint);
            fprintf(stderr,
                    "vigil init: unknown log source '%s'%s (vigil init --list shows them all)\n",
                    tok, hint.len ? hint.data : "");
            vgl_buf_release(&hint);
            (*nbad)++;
            continue;
        }
        bool dup = false;
        for (size_t i = 0; i < n; i++)
            dup = dup || chosen[i] == s;
        if (!dup)
            chosen[n++] = s;
    }
    free(copy);
    return n;
}

int vgl_cmd_init(int argc, char **argv)
{
    const char *dir = NULL, *logs = NULL;
    bool force = false, list = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--logs") == 0 && i + 1 < argc) {
            logs = argv[++i];
        } else if (strncmp(a, "--logs=", 7) == 0) {
            logs = a + 7;
        } else if (strcmp(a, "--force") == 0) {
            force = true;
        } else if (strcmp(a, "--list") == 0) {
            list = true;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return VGL_EXIT_OK;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "vigil init: unknown option '%s'%s\n", a,
                    strcmp(a, "--logs") == 0 ? " (missing its value)" : "");
            usage(stderr);
            return VGL_EXIT_USAGE;
        } else if (!dir) {
            dir = a;
        } else {
            fprintf(stderr, "vigil init: unexpected argument '%s' (the project folder is '%s')\n",
                    a, dir);
            return VGL_EXIT_USAGE;
        }
    }
    if (!list && (!dir || !logs)) {
        fprintf(stderr, "vigil init: %s\n",
                !dir ? "missing the project folder DIR" : "missing --logs SOURCE[,SOURCE...]");
        usage(stderr);
        return VGL_EXIT_USAGE;
    }

    struct library lib = {.n = 0};
    vgl_arena_init(&lib.arena, 1 << 16);
    struct vgl_error err = {0};
    const struct source **chosen = NULL;
    int exit_code = VGL_EXIT_OK;
    if (find_library(lib.dir, sizeof lib.dir, &err) || load_library(&lib, &err)) {
        fprintf(stderr, "vigil init: %s\n", err.msg);
        exit_code = VGL_EXIT_RUNTIME;
        goto out;
    }
    if (list) {
        list_library(&lib);
        goto out;
    }

    chosen = vgl_xcalloc(lib.n, sizeof *chosen);
    size_t nbad = 0;
    size_t n = pick_sources(&lib, logs, chosen, &nbad);
    if (nbad || n == 0) {
        if (!nbad)
            fprintf(stderr, "vigil init: --logs names no log source\n");
        exit_code = VGL_EXIT_USAGE;
        goto out;
    }
    struct stat st;
    if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "vigil init: '%s' exists and is not a folder\n", dir);
        exit_code = VGL_EXIT_USAGE;
        goto out;
    }
    if (!force && !absent_or_empty(dir)) {
        fprintf(stderr,
                "vigil init: '%s' is not empty; pick a new folder or add --force "
                "(which overwrites the files init writes)\n",
                dir);
        exit_code = VGL_EXIT_USAGE;
        goto out;
    }

    static const char *const subdirs[] = {"conf/clusters", "conf/schemas", "rules/classifier",
                                          "matchers"};
    char path[4400];
    size_t missing = 0, ntypes = 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof subdirs / sizeof subdirs[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, subdirs[i]);
        rc = mkdir_p(path, &err);
    }
    if (rc == 0)
        rc = write_conf(dir, chosen, n, &err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = copy_source(&lib, dir, chosen[i], &missing, &err);
        ntypes += chosen[i]->ntypes;
    }
    if (rc) {
        fprintf(stderr, "vigil init: %s\n", err.msg);
        exit_code = VGL_EXIT_RUNTIME;
        goto out;
    }
    printf("created %s: %zu log source%s, %zu log types, from %s\n", dir, n, n == 1 ? "" : "s",
           ntypes, lib.dir);
    printf("next:\n"
           "  vigil validate --config %s/conf\n"
           "  vigil test rules --config %s/conf\n"
           "  vigil classify --config %s/conf --resource " RESOURCE " YOUR_LOG_FILE\n",
           dir, dir, dir);
    if (missing)
        printf("(%zu sample file%s missing from the library: see the warnings above)\n", missing,
               missing == 1 ? " was" : "s were");
out:
    free(chosen);
    vgl_arena_release(&lib.arena);
    return exit_code;
}
