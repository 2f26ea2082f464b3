/*
 * Unit tests for config/config.c: StreamAlert's validation messages (compat 1.13), vigil's
 * stricter checks, settings from vigil.json, and that every error is reported (not only
 * the first) with file, JSON path, what was expected and what was found.
 */
#include "config/config.h"
#include "test.h"
#include "testutil.h"

static const char *GLOBAL = "{\"account\":{\"prefix\":\"t\",\"aws_account_id\":\"1\"},"
                            "\"general\":{\"rule_locations\":[\"rules\"],\"matcher_locations\":[]}}";
static const char *CLUSTER = "{\"classifier_config\":{},\"data_sources\":{\"kinesis\":{\"s\":[\"t\"]}}}";
static const char *SCHEMA = "{\"t:a\":{\"parser\":\"json\",\"schema\":{\"a\":\"string\"}}}";

struct file {
    const char *name, *text;
};

/* Builds a conf/ from files (NULL text = skip the default), loads it, returns all
 * diagnostics joined by newlines; *ok says whether a config came back. */
static const char *load(const struct file *files, size_t n, bool *ok)
{
    static char out[16384];
    const char *root = tu_tmpdir();
    char conf[300];
    snprintf(conf, sizeof conf, "%s/conf", root);
    mkdir(conf, 0755);
    const char *defaults[][2] = {{"global.json", GLOBAL}, {"clusters/c.json", CLUSTER},
                                 {"schemas/s.json", SCHEMA}};
    for (size_t d = 0; d < 3; d++) {
        bool overridden = false;
        for (size_t i = 0; i < n; i++)
            overridden |= strcmp(files[i].name, defaults[d][0]) == 0;
        if (!overridden)
            tu_write(conf, defaults[d][0], defaults[d][1]);
    }
    for (size_t i = 0; i < n; i++)
        if (files[i].text)
            tu_write(conf, files[i].name, files[i].text);
    struct vgl_diag diag;
    vgl_diag_init(&diag);
    struct vgl_config *cfg = vgl_config_load(conf, &diag);
    *ok = cfg != NULL;
    out[0] = '\0';
    size_t len = 0;
    for (size_t i = 0; i < diag.n; i++)
        len += (size_t)snprintf(out + len, sizeof out - len, "%s%s\n",
                                diag.is_error[i] ? "E " : "W ", diag.msgs[i]);
    vgl_config_free(cfg);
    vgl_diag_release(&diag);
    tu_rmrf(root);
    return out;
}

struct bad {
    const char *what;
    struct file f;
    const char *msg;   /* substring of an error */
};

TEST(every_bad_config_is_reported)
{
    static const struct bad cases[] = {
        {"invalid json in global", {"global.json", "{\"account\": }"}, "global.json: invalid json format"},
        {"truncated schema file", {"schemas/s.json", "{\"t:a\": {\"parser\""}, "s.json: invalid json format"},
        {"schema file not an object", {"schemas/s.json", "[1]"}, "s.json: $: expected an object of log schemas, found array"},
        {"schema entry not an object", {"schemas/s.json", "{\"t:a\": 5}"}, "$[\"t:a\"]: expected a schema object, found number 5"},
        {"missing schema key", {"schemas/s.json", "{\"t:a\":{\"parser\":\"json\"}}"}, "The 'schema' is missing for t:a"},
        {"missing parser key", {"schemas/s.json", "{\"t:a\":{\"schema\":{}}}"}, "The 'parser' is missing for t:a"},
        {"unknown parser", {"schemas/s.json", "{\"t:a\":{\"parser\":\"xml\",\"schema\":{}}}"},
         "$[\"t:a\"].parser: expected one of \"json\", \"csv\", \"kv\", \"syslog\", found string \"xml\""},
        {"schema not an object", {"schemas/s.json", "{\"t:a\":{\"parser\":\"json\",\"schema\":[]}}"},
         "$[\"t:a\"].schema: expected an object of key: type, found array"},
        {"bad priority", {"schemas/s.json", "{\"t:a\":{\"parser\":\"json\",\"schema\":{},\"configuration\":{\"priority\":\"high\"}}}"},
         "configuration.priority: expected an integer >= 0, found string \"high\""},
        {"bad optional keys", {"schemas/s.json", "{\"t:a\":{\"parser\":\"json\",\"schema\":{},\"configuration\":{\"optional_top_level_keys\":\"a\"}}}"},
         "optional_top_level_keys: expected a list of key names"},
        {"bad json_path", {"schemas/s.json", "{\"t:a\":{\"parser\":\"json\",\"schema\":{},\"configuration\":{\"json_path\":\"Records[*\"}}}"},
         "configuration.json_path: invalid jmespath expression"},
        {"json_path not a string", {"schemas/s.json", "{\"t:a\":{\"parser\":\"json\",\"schema\":{},\"configuration\":{\"json_path\":3}}}"},
         "json_path: expected a jmespath expression, found number 3"},
        {"csv delimiter too long", {"schemas/s.json", "{\"t:a\":{\"parser\":\"csv\",\"schema\":{},\"configuration\":{\"delimiter\":\",,\"}}}"},
         "delimiter"},
        {"kv empty separator", {"schemas/s.json", "{\"t:a\":{\"parser\":\"kv\",\"schema\":{},\"configuration\":{\"separator\":\"\"}}}"},
         "separator: expected a non-empty string"},
        {"envelope not an object", {"schemas/s.json", "{\"t:a\":{\"parser\":\"json\",\"schema\":{},\"configuration\":{\"envelope_keys\":[]}}}"},
         "envelope_keys: expected an object of key: type"},
        {"log_patterns not an object", {"schemas/s.json", "{\"t:a\":{\"parser\":\"json\",\"schema\":{},\"configuration\":{\"log_patterns\":\"x\"}}}"},
         "log_patterns: expected an object of field: pattern"},
        {"normalization params not a list", {"schemas/s.json", "{\"t:a\":{\"parser\":\"json\",\"schema\":{},\"configuration\":{\"normalization\":{\"ip\":\"src\"}}}}"},
         "Unsupported params for normalized type 'ip'"},
        {"normalization unknown key", {"schemas/s.json", "{\"t:a\":{\"parser\":\"json\",\"schema\":{},\"configuration\":{\"normalization\":{\"ip\":[{\"path\":[\"a\"],\"fn\":1}]}}}}"},
         "unknown key 'fn'; valid keys are path, function, condition, send_to_artifacts"},
        {"normalization mixed", {"schemas/s.json", "{\"t:a\":{\"parser\":\"json\",\"schema\":{},\"configuration\":{\"normalization\":{\"ip\":[\"a\",{\"path\":[\"a\"]}]}}}}"},
         "found a mix"},
        {"cluster without data_sources", {"clusters/c.json", "{\"classifier_config\":{}}"}, "'data_sources' missing for cluster c"},
        {"cluster without classifier_config", {"clusters/c.json", "{\"data_sources\":{\"kinesis\":{\"s\":[\"t\"]}}}"},
         "'classifier_config' is missing in the 'c' cluster"},
        {"deprecated module location", {"clusters/c.json", "{\"data_sources\":{\"kinesis\":{\"s\":[\"t\"]}},\"modules\":{\"stream_alert\":{}}}"},
         "deprecated"},
        {"unknown service", {"clusters/c.json", "{\"classifier_config\":{},\"data_sources\":{\"pubsub\":{\"s\":[\"t\"]}}}"},
         "invalid source entries: 'pubsub'"},
        {"empty log list", {"clusters/c.json", "{\"classifier_config\":{},\"data_sources\":{\"kinesis\":{\"s\":[]}}}"},
         "List of logs is empty for source: s"},
        {"log list of numbers", {"clusters/c.json", "{\"classifier_config\":{},\"data_sources\":{\"kinesis\":{\"s\":[1]}}}"},
         "$.data_sources.kinesis.s: expected a list of log types, found array"},
        {"duplicate resource", {"clusters/c.json", "{\"classifier_config\":{},\"data_sources\":{\"kinesis\":{\"s\":[\"t\"]},\"sns\":{\"s\":[\"t\"]}}}"},
         "Duplicate data_source in cluster configuration s for cluster c"},
        {"cluster not an object", {"clusters/c.json", "[]"}, "c.json: $: expected a cluster object, found array"},
        {"threat intel without normalized types", {"threat_intel.json", "{\"enabled\":true,\"normalized_ioc_types\":{\"ip\":[\"sourceAddress\"]}}"},
         "Normalized types must also be loaded with IOC types"},
        {"vigil.json unknown setting", {"vigil.json", "{\"max_record_byte\": 100}"}, "unknown setting; did you mean 'max_record_bytes'?"},
        {"vigil.json out of range", {"vigil.json", "{\"max_record_bytes\": 10}"}, "$.max_record_bytes: expected an integer from 1024 to"},
        {"vigil.json wrong type", {"vigil.json", "{\"legacy_normalization\": \"yes\"}"}, "$.legacy_normalization: expected true or false, found string"},
        {"vigil.json bad log level", {"vigil.json", "{\"log_level\": \"loud\"}"}, "expected one of error, warn, info, debug, trace"},
        {"rule_locations not a list", {"global.json", "{\"general\":{\"rule_locations\":\"rules\"}}"},
         "$.general.rule_locations: expected a list of folder names"},
        {"normalized_types malformed", {"normalized_types.json", "{\"cloudtrail\": [\"a\"]}"}, "$.cloudtrail: expected an object"},
        {"unknown extra file must be valid json", {"foo.json", "{"}, "foo.json: invalid json format"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bool ok;
        const char *got = load(&cases[i].f, 1, &ok);
        if (ok || !strstr(got, cases[i].msg) || !strstr(got, "E ")) {
            fprintf(stderr, "  case '%s': ok=%d, expected error containing \"%s\", got:\n%s\n", cases[i].what,
                    ok, cases[i].msg, got);
            vgl_test_failed_checks++;
        }
    }
}

TEST(threat_intel_normalized_types)
{
    struct file f[] = {
        {"threat_intel.json", "{\"normalized_ioc_types\":{\"ip\":[\"sourceAddress\",\"nope\"]}}"},
        {"normalized_types.json", "{\"cloudtrail\":{\"sourceAddress\":[\"sourceIPAddress\"]}}"},
    };
    bool ok;
    const char *got = load(f, 2, &ok);
    CHECK(!ok);
    CHECK_STR_CONTAINS(got, "IOC key 'nope' within IOC type 'ip' must be defined for at least one log type");
    CHECK(!strstr(got, "IOC key 'sourceAddress'"));
    f[0].text = "{\"enabled\":false}";
    got = load(f, 2, &ok);
    CHECK_STR_CONTAINS(got, "Normalized IOC types must be defined for threat intelligence");
}

TEST(all_errors_are_reported_not_just_the_first)
{
    struct file f[] = {
        {"schemas/s.json", "{\"t:a\":{\"parser\":\"json\"},\"t:b\":{\"schema\":{}},\"t:c\":{\"parser\":\"nope\",\"schema\":{}}}"},
        {"clusters/c.json", "{\"data_sources\":{\"kinesis\":{\"s\":[]}}}"},
        {"vigil.json", "{\"workerz\": 2}"},
    };
    bool ok;
    const char *got = load(f, 3, &ok);
    CHECK(!ok);
    CHECK_STR_CONTAINS(got, "The 'schema' is missing for t:a");
    CHECK_STR_CONTAINS(got, "The 'parser' is missing for t:b");
    CHECK_STR_CONTAINS(got, "found string \"nope\"");
    CHECK_STR_CONTAINS(got, "List of logs is empty for source: s");
    CHECK_STR_CONTAINS(got, "'classifier_config' is missing");
    CHECK_STR_CONTAINS(got, "workerz");
}

TEST(warnings_do_not_fail_the_load)
{
    struct file f[] = {
        {"schemas/s.json", "{\"t:a\":{\"parser\":\"json\",\"schema\":{}},\"t:b\":{\"parser\":\"json\",\"schema\":{\"a\":\"str\"},\"configuration\":{\"prioritty\":1}}}"},
        {"schemas/z.json", "{\"t:a\":{\"parser\":\"json\",\"schema\":{\"b\":\"string\"}}}"},
        {"clusters/c.json", "{\"classifier_config\":{},\"data_sources\":{\"kinesis\":{\"s\":[\"t:a\"]}}}"},
    };
    bool ok;
    const char *got = load(f, 3, &ok);
    CHECK(ok);
    CHECK_STR_CONTAINS(got, "W ");
    CHECK_STR_CONTAINS(got, "unknown type string \"str\"");
    CHECK_STR_CONTAINS(got, "unknown configuration option ignored");
    CHECK_STR_CONTAINS(got, "Duplicate schema detected 't:a'");
    CHECK_STR_CONTAINS(got, "contains ':'");
    CHECK_STR_CONTAINS(got, "No log types defined for resource [s]");
}

TEST(missing_directories)
{
    struct vgl_diag diag;
    vgl_diag_init(&diag);
    CHECK(vgl_config_load("/nonexistent/conf", &diag) == NULL);
    CHECK(diag.nerrors == 1 && strstr(diag.msgs[0], "config directory not found"));
    vgl_diag_release(&diag);
    const char *root = tu_tmpdir();
    vgl_diag_init(&diag);
    CHECK(vgl_config_load(root, &diag) == NULL);
    CHECK(diag.nerrors == 1 && strstr(diag.msgs[0], "no config files to load"));
    vgl_diag_release(&diag);
    tu_write(root, "global.json", GLOBAL);
    vgl_diag_init(&diag);
    CHECK(vgl_config_load(root, &diag) == NULL);
    CHECK(diag.nerrors >= 1 && strstr(diag.msgs[diag.n - 1], "clusters directory not found"));
    vgl_diag_release(&diag);
    tu_rmrf(root);
}

TEST(logs_json_replaces_schemas_and_keeps_order)
{
    struct file f[] = {
        {"logs.json", "{\"t:z\":{\"parser\":\"json\",\"schema\":{},\"configuration\":{\"priority\":5}},"
                      "\"t:a\":{\"parser\":\"json\",\"schema\":{},\"configuration\":{\"priority\":0}}}"},
    };
    const char *root = tu_tmpdir();
    char conf[300];
    snprintf(conf, sizeof conf, "%s/conf", root);
    tu_write(conf, "global.json", GLOBAL);
    tu_write(conf, "clusters/c.json", CLUSTER);
    tu_write(conf, "schemas/s.json", SCHEMA);
    tu_write(conf, f[0].name, f[0].text);
    struct vgl_diag diag;
    vgl_diag_init(&diag);
    struct vgl_config *cfg = vgl_config_load(conf, &diag);
    CHECK(cfg != NULL);
    if (cfg) {
        CHECK_INT_EQ(cfg->nschemas, 2);
        CHECK_STR_EQ(cfg->schemas[0].name, "t:z");   /* logs.json is not priority-sorted */
        CHECK(vgl_config_schema(cfg, "t:a") != NULL);
        CHECK_INT_EQ(cfg->sources[0].ncandidates, 2);
    }
    vgl_config_free(cfg);
    vgl_diag_release(&diag);
    tu_rmrf(root);
}

TEST(settings_defaults_and_values)
{
    const char *root = tu_tmpdir();
    char conf[300];
    snprintf(conf, sizeof conf, "%s/conf", root);
    tu_write(conf, "global.json", GLOBAL);
    tu_write(conf, "clusters/c.json", CLUSTER);
    tu_write(conf, "schemas/s.json", SCHEMA);
    struct vgl_diag diag;
    vgl_diag_init(&diag);
    struct vgl_config *cfg = vgl_config_load(conf, &diag);
    CHECK(cfg && cfg->settings.max_record_bytes == 16777216 && cfg->settings.max_json_depth == 512);
    CHECK(cfg && strcmp(cfg->settings.data_dir, "data") == 0 && !cfg->settings.legacy_normalization);
    CHECK(cfg && strcmp(cfg->root, root) == 0);
    vgl_config_free(cfg);
    tu_write(conf, "vigil.json", "{\"max_record_bytes\":2048,\"legacy_normalization\":true,\"data_dir\":\"/var/lib/vigil\"}");
    cfg = vgl_config_load(conf, &diag);
    CHECK(cfg && cfg->settings.max_record_bytes == 2048 && cfg->settings.legacy_normalization);
    CHECK(cfg && strcmp(cfg->settings.data_dir, "/var/lib/vigil") == 0);
    vgl_config_free(cfg);
    vgl_diag_release(&diag);
    tu_rmrf(root);
}

TEST(streamalert_conf_loads)
{
    const char *shared = getenv("VGL_SHARED_DIR");
    char conf[512];
    snprintf(conf, sizeof conf, "%s/streamalert/conf", shared ? shared : "../shared");
    struct stat st;
    if (stat(conf, &st) != 0)
        TEST_SKIP("../shared/streamalert/conf not found (the shared test data is not beside the project)");
    struct vgl_diag diag;
    vgl_diag_init(&diag);
    struct vgl_config *cfg = vgl_config_load(conf, &diag);
    CHECK(cfg != NULL);
    CHECK_INT_EQ(diag.nerrors, 0);
    if (cfg) {
        CHECK(cfg->nschemas > 50);
        const struct vgl_data_source *s = vgl_config_source(cfg, "kinesis", "prefix_cluster1_streamalert");
        CHECK(s && s->ncandidates > 3);
        /* cloudwatch entry selects every cloudwatch:* schema */
        size_t cw = 0;
        for (size_t i = 0; s && i < s->ncandidates; i++)
            cw += strncmp(s->candidates[i]->name, "cloudwatch:", 11) == 0;
        CHECK(cw >= 4);
    }
    vgl_config_free(cfg);
    vgl_diag_release(&diag);
}

TEST_MAIN(T(every_bad_config_is_reported), T(threat_intel_normalized_types),
          T(all_errors_are_reported_not_just_the_first), T(warnings_do_not_fail_the_load),
          T(missing_directories), T(logs_json_replaces_schemas_and_keeps_order),
          T(settings_defaults_and_values), T(streamalert_conf_loads))
