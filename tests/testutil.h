/*
 * tests/testutil.h: helpers for tests that need files: a private temp directory and a
 * throwaway conf/ built from JSON strings.
 */
#ifndef VGL_TESTS_TESTUTIL_H
#define VGL_TESTS_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Creates a fresh directory under $TMPDIR (or /tmp); the path is static storage. */
static inline const char *tu_tmpdir(void)
{
    static char path[256];
    const char *base = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/vgltest.XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(path)) {
        perror("mkdtemp");
        abort();
    }
    return path;
}

static inline void tu_write(const char *dir, const char *name, const char *text)
{
    char path[512];
    mkdir(dir, 0755);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    /* create parent folders */
    for (char *p = path + strlen(dir) + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(path, 0755);
            *p = '/';
        }
    }
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        abort();
    }
    fputs(text, f);
    fclose(f);
}

static inline void tu_rmrf(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "warning: could not remove %s\n", dir);
}

/*
 * Writes a conf/ under a new temp dir with global.json, the given schemas (the body of
 * one schemas/test.json file) and a cluster whose kinesis resource "src" lists sources
 * (a JSON array text).  Returns the conf path (static storage).
 */
static inline const char *tu_conf(const char *schemas, const char *sources)
{
    static char conf[300];
    const char *root = tu_tmpdir();
    snprintf(conf, sizeof conf, "%s/conf", root);
    mkdir(conf, 0755);
    tu_write(conf, "global.json",
             "{\"account\":{\"prefix\":\"t\",\"aws_account_id\":\"1\"},"
             "\"general\":{\"rule_locations\":[],\"matcher_locations\":[]}}");
    tu_write(conf, "schemas/test.json", schemas);
    char cluster[1024];
    snprintf(cluster, sizeof cluster,
             "{\"classifier_config\":{},\"data_sources\":{\"kinesis\":{\"src\":%s}}}", sources);
    tu_write(conf, "clusters/test.json", cluster);
    return conf;
}

#endif
