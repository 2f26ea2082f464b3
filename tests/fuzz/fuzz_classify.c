/*
 * Fuzz target: the classifier.  The input is one payload classified against a data source
 * whose candidates cover every parser and option: json_path, envelopes, embedded_json,
 * json_regex_key, optional keys, log_patterns, csv (nested, custom dialect), kv, syslog and
 * normalization with conditions.  The config is written once to a private temp dir.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "core/arena.h"
#include "core/buf.h"
#include "json/json.h"
#include "parse/classify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *SCHEMAS =
    "{"
    "\"f:env\":{\"parser\":\"json\",\"schema\":{\"x\":\"integer\",\"s\":\"string\",\"b\":\"boolean\"},"
    " \"configuration\":{\"json_path\":\"r[*]\",\"envelope_keys\":{\"e\":\"string\",\"n\":{\"k\":\"float\"}},"
    "  \"optional_envelope_keys\":[\"n\"],\"optional_top_level_keys\":[\"s\",\"b\"],\"priority\":1}},"
    "\"f:emb\":{\"parser\":\"json\",\"schema\":{\"m\":{},\"t\":\"float\"},"
    " \"configuration\":{\"json_path\":\"logEvents[*].message\",\"embedded_json\":true}},"
    "\"f:rx\":{\"parser\":\"json\",\"schema\":{\"a\":\"string\",\"l\":[]},"
    " \"configuration\":{\"json_regex_key\":\"message\",\"optional_top_level_keys\":[\"l\"]}},"
    "\"f:pat\":{\"parser\":\"json\",\"schema\":{\"a\":\"string\",\"d\":{\"k\":\"string\",\"z\":{}}},"
    " \"configuration\":{\"log_patterns\":{\"a\":[\"x*\",\"[!q]?c\"],\"d\":{\"k\":\"v*\"}},"
    "  \"normalization\":{\"ip\":[{\"path\":[\"a\"],\"function\":\"f\",\"condition\":{\"path\":[\"d\",\"k\"],\"in\":[\"va\",\"vb\"]}}],"
    "   \"host\":[\"d\",\"z\"],\"user\":[{\"path\":[\"d\",\"k\"],\"send_to_artifacts\":false,\"condition\":{\"path\":[\"a\"],\"contains\":\"x\"}}]}}},"
    "\"f:any\":{\"parser\":\"json\",\"schema\":{}},"
    "\"f:csv\":{\"parser\":\"csv\",\"schema\":{\"a\":\"integer\",\"n\":{\"p\":\"string\",\"q\":\"boolean\"},\"c\":\"float\"},"
    " \"configuration\":{\"delimiter\":\"|\",\"quotechar\":\"'\",\"escapechar\":\"\\\\\"}},"
    "\"f:csvj\":{\"parser\":\"csv\",\"schema\":{\"a\":\"string\",\"b\":\"string\"},\"configuration\":{\"json_path\":\"rows[*]\"}},"
    "\"f:kv\":{\"parser\":\"kv\",\"schema\":{\"k\":\"string\",\"v\":\"integer\",\"w\":\"string\"},"
    " \"configuration\":{\"delimiter\":\"&\",\"separator\":\":\"}},"
    "\"f:sys\":{\"parser\":\"syslog\",\"schema\":{\"timestamp\":\"string\",\"host\":\"string\",\"application\":\"string\",\"message\":\"string\"}}"
    "}";

static struct vgl_config *cfg;
static const struct vgl_data_source *src;

static void put(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        abort();
    fputs(text, f);
    fclose(f);
}

static void setup(void)
{
    char root[] = "/tmp/vglfuzz.XXXXXX";
    if (!mkdtemp(root))
        abort();
    char conf[256], sub[300];
    snprintf(conf, sizeof conf, "%s/conf", root);
    mkdir(conf, 0755);
    snprintf(sub, sizeof sub, "%s/schemas", conf);
    mkdir(sub, 0755);
    snprintf(sub, sizeof sub, "%s/clusters", conf);
    mkdir(sub, 0755);
    put(conf, "global.json", "{\"general\":{\"rule_locations\":[],\"matcher_locations\":[]}}");
    put(conf, "schemas/f.json", SCHEMAS);
    put(conf, "clusters/c.json", "{\"classifier_config\":{},\"data_sources\":{\"kinesis\":{\"s\":[\"f\"]}}}");
    struct vgl_diag diag;
    vgl_diag_init(&diag);
    cfg = vgl_config_load(conf, &diag);
    if (!cfg) {
        for (size_t i = 0; i < diag.n; i++)
            fprintf(stderr, "%s\n", diag.msgs[i]);
        abort();
    }
    vgl_diag_release(&diag);
    src = vgl_config_source(cfg, "kinesis", "s");
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!cfg)
        setup();
    struct vgl_arena arena;
    vgl_arena_init(&arena, 4096);
    struct vgl_payload p = {.data = (const char *)data, .len = size};
    struct vgl_classify_opts opts = {.explain = size % 2 == 0, .max_depth = 64};
    struct vgl_classified res;
    if (vgl_classify(src, &p, &arena, &opts, &res, NULL) == 0 && res.schema) {
        struct vgl_buf b;
        vgl_buf_init(&b, 0);
        for (size_t i = 0; i < res.nrecords; i++)
            vgl_json_write(&b, &res.records[i]);
        vgl_buf_release(&b);
    }
    vgl_arena_release(&arena);
    return 0;
}
