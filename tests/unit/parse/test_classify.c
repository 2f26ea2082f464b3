/*
 * Unit tests for parse/classify.c: schema matching, type conversion, envelopes,
 * json_path / embedded_json / json_regex_key, csv / kv / syslog candidates, log_patterns,
 * first-match selection and priority order (compat sections 1.3, 1.6, 2).  Each case
 * builds a throwaway conf/ and classifies one payload.
 */
#include "config/config.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "json/json.h"
#include "parse/classify.h"
#include "test.h"
#include "testutil.h"

struct ccase {
    const char *name;
    const char *schemas;   /* body of schemas/test.json */
    const char *sources;   /* JSON list for the "src" resource */
    const char *payload;
    const char *expect;    /* "TYPE|rec1\nrec2" or "NOMATCH|reason substring" */
};

/* Classifies payload; returns "TYPE|records..." or "NOMATCH|reasons" in a static buffer. */
static const char *run(const char *schemas, const char *sources, const char *payload, size_t len)
{
    static char out[8192];
    struct vgl_diag diag;
    vgl_diag_init(&diag);
    const char *conf = tu_conf(schemas, sources);
    struct vgl_config *cfg = vgl_config_load(conf, &diag);
    if (!cfg) {
        snprintf(out, sizeof out, "CONFIG|%s", diag.n ? diag.msgs[0] : "?");
        vgl_diag_release(&diag);
        return out;
    }
    const struct vgl_data_source *src = vgl_config_source(cfg, "kinesis", "src");
    struct vgl_arena arena;
    vgl_arena_init(&arena, 0);
    struct vgl_payload p = {.data = payload, .len = len};
    struct vgl_classify_opts opts = {.explain = true};
    struct vgl_classified res;
    struct vgl_buf b;
    vgl_buf_init(&b, 0);
    if (vgl_classify(src, &p, &arena, &opts, &res, NULL) != 0) {
        vgl_buf_puts(&b, "ERROR|");
    } else if (!res.schema) {
        vgl_buf_puts(&b, "NOMATCH|");
        for (size_t i = 0; i < res.nattempts; i++)
            vgl_buf_printf(&b, "%s: %s; ", res.attempts[i].schema->name, res.attempts[i].reason);
    } else {
        vgl_buf_printf(&b, "%s|", res.schema->name);
        for (size_t i = 0; i < res.nrecords; i++) {
            if (i)
                vgl_buf_putc(&b, '\n');
            vgl_json_write(&b, &res.records[i]);
        }
        if (res.ninvalid)
            vgl_buf_printf(&b, "\n(%zu invalid)", res.ninvalid);
    }
    snprintf(out, sizeof out, "%s", b.data ? b.data : "");
    vgl_buf_release(&b);
    vgl_arena_release(&arena);
    tu_rmrf(cfg->root);
    vgl_config_free(cfg);
    vgl_diag_release(&diag);
    return out;
}

static void check_case(const struct ccase *c)
{
    const char *got = run(c->schemas, c->sources ? c->sources : "[\"t\"]", c->payload, strlen(c->payload));
    bool ok;
    if (strncmp(c->expect, "NOMATCH|", 8) == 0)
        ok = strncmp(got, "NOMATCH|", 8) == 0 && strstr(got, c->expect + 8);
    else
        ok = strcmp(got, c->expect) == 0;
    if (!ok) {
        fprintf(stderr, "  case '%s':\n    got      %s\n    expected %s\n", c->name, got, c->expect);
        vgl_test_failed_checks++;
    }
}

#define S1(schema) "{\"t:a\":{\"parser\":\"json\",\"schema\":" schema "}}"
#define S1C(schema, conf) "{\"t:a\":{\"parser\":\"json\",\"schema\":" schema ",\"configuration\":" conf "}}"

TEST(json_key_check_and_conversion)
{
    static const struct ccase cases[] = {
        {"basic", S1("{\"a\":\"string\",\"b\":\"integer\"}"), NULL, "{\"a\":\"x\",\"b\":\"5\"}",
         "t:a|{\"a\":\"x\",\"b\":5}"},
        {"extra key fails", S1("{\"a\":\"string\"}"), NULL, "{\"a\":\"x\",\"c\":1}",
         "NOMATCH|key 'c' is not in the schema"},
        {"missing key fails", S1("{\"a\":\"string\",\"b\":\"string\"}"), NULL, "{\"a\":\"x\"}",
         "NOMATCH|required key 'b' is missing"},
        {"optional default appended",
         S1C("{\"a\":\"string\",\"b\":\"integer\",\"c\":\"boolean\",\"d\":[],\"e\":{}}",
             "{\"optional_top_level_keys\":[\"c\",\"d\",\"e\",\"b\"]}"),
         NULL, "{\"a\":\"x\"}", "t:a|{\"a\":\"x\",\"c\":false,\"d\":[],\"e\":{},\"b\":0}"},
        {"falsy values are not converted", S1("{\"a\":\"string\",\"b\":\"integer\",\"c\":\"float\"}"),
         NULL, "{\"a\":0,\"b\":\"\",\"c\":null}", "t:a|{\"a\":0,\"b\":\"\",\"c\":null}"},
        {"python str of numbers", S1("{\"a\":\"string\",\"b\":\"string\",\"c\":\"string\",\"d\":\"string\"}"),
         NULL, "{\"a\":1.0,\"b\":1e16,\"c\":true,\"d\":12}",
         "t:a|{\"a\":\"1.0\",\"b\":\"1e+16\",\"c\":\"True\",\"d\":\"12\"}"},
        {"python str of containers", S1("{\"a\":\"string\"}"), NULL,
         "{\"a\":{\"k\":true,\"n\":null,\"l\":[1,\"x\"]}}",
         "t:a|{\"a\":\"{'k': True, 'n': None, 'l': [1, 'x']}\"}"},
        {"int() of strings and floats", S1("{\"a\":\"integer\",\"b\":\"integer\",\"c\":\"integer\"}"),
         NULL, "{\"a\":\"1_000\",\"b\":1.9,\"c\":\" -7 \"}", "t:a|{\"a\":1000,\"b\":1,\"c\":-7}"},
        {"int() rejects 1.5", S1("{\"a\":\"integer\"}"), NULL, "{\"a\":\"1.5\"}",
         "NOMATCH|invalid literal for int() with base 10: '1.5'"},
        {"float()", S1("{\"a\":\"float\",\"b\":\"float\",\"c\":\"float\"}"), NULL,
         "{\"a\":\"1e3\",\"b\":true,\"c\":3}", "t:a|{\"a\":1000.0,\"b\":1.0,\"c\":3.0}"},
        {"boolean is str(v).lower() == 'true'",
         S1("{\"a\":\"boolean\",\"b\":\"boolean\",\"c\":\"boolean\",\"d\":\"boolean\"}"), NULL,
         "{\"a\":\"TRUE\",\"b\":1,\"c\":\"yes\",\"d\":true}",
         "t:a|{\"a\":true,\"b\":false,\"c\":false,\"d\":true}"},
        {"{} accepts any value", S1("{\"a\":{},\"b\":{},\"c\":{}}"), NULL,
         "{\"a\":\"s\",\"b\":[1],\"c\":{\"x\":1}}", "t:a|{\"a\":\"s\",\"b\":[1],\"c\":{\"x\":1}}"},
        {"list type needs a list", S1("{\"a\":[]}"), NULL, "{\"a\":\"x\"}", "NOMATCH|expected a list"},
        {"falsy {} passes a list type", S1("{\"a\":[]}"), NULL, "{\"a\":{}}", "t:a|{\"a\":{}}"},
        {"nested exact keys", S1("{\"a\":{\"b\":\"string\"}}"), NULL, "{\"a\":{\"b\":\"x\",\"c\":1}}",
         "NOMATCH|key 'c' is not in the schema"},
        {"nested null fails", S1("{\"a\":{\"b\":\"string\"}}"), NULL, "{\"a\":null}",
         "NOMATCH|expected an object, found null"},
        {"nested conversion", S1("{\"a\":{\"b\":\"string\"}}"), NULL, "{\"a\":{\"b\":1}}",
         "t:a|{\"a\":{\"b\":\"1\"}}"},
        {"optional nested object quirk",
         S1C("{\"a\":\"string\",\"n\":{\"b\":\"string\"}}", "{\"optional_top_level_keys\":[\"n\"]}"),
         NULL, "{\"a\":\"x\"}", "NOMATCH|required key 'b' is missing"},
        {"unknown type only passes falsy", S1("{\"a\":\"str\"}"), NULL, "{\"a\":\"x\"}",
         "NOMATCH|unsupported type 'str'"},
        {"unknown type with falsy value", S1("{\"a\":\"str\"}"), NULL, "{\"a\":\"\"}", "t:a|{\"a\":\"\"}"},
        {"empty schema accepts non-objects", S1("{}"), NULL, "[1,2]", "t:a|[1,2]"},
        {"top-level array is one invalid candidate", S1("{\"a\":\"string\"}"), NULL, "[{\"a\":\"x\"}]",
         "NOMATCH|expected an object, found array"},
        {"not json", S1("{\"a\":\"string\"}"), NULL, "a=b", "NOMATCH|not json"},
        {"empty schema accepts text that is not json", S1("{}"), NULL, "plain text", "t:a|\"plain text\""},
        {"duplicate keys: last value wins", S1("{\"a\":\"string\"}"), NULL, "{\"a\":\"1\",\"a\":\"2\"}",
         "t:a|{\"a\":\"2\"}"},
        {"big integers stay exact", S1("{\"a\":\"integer\"}"), NULL,
         "{\"a\":\"123456789012345678901234567890\"}", "t:a|{\"a\":123456789012345678901234567890}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_case(&cases[i]);
}

TEST(json_path_envelope_and_embedded)
{
    static const struct ccase cases[] = {
        {"json_path with envelope",
         S1C("{\"x\":\"integer\"}", "{\"json_path\":\"records[*]\",\"envelope_keys\":{\"env\":\"string\"}}"),
         NULL, "{\"env\":\"e\",\"records\":[{\"x\":\"1\"},{\"x\":\"2\"}]}",
         "t:a|{\"x\":1,\"streamalert:envelope_keys\":{\"env\":\"e\"}}\n"
         "{\"x\":2,\"streamalert:envelope_keys\":{\"env\":\"e\"}}"},
        {"json_path selects nothing", S1C("{\"x\":\"integer\"}", "{\"json_path\":\"records[*]\"}"), NULL,
         "{\"records\":[]}", "NOMATCH|json_path selected nothing"},
        {"json_path partial match keeps valid records",
         S1C("{\"x\":\"integer\"}", "{\"json_path\":\"records[*]\"}"), NULL,
         "{\"records\":[{\"x\":1},{\"y\":2}]}", "t:a|{\"x\":1}\n(1 invalid)"},
        {"json_path non-list result is wrapped", S1C("{\"x\":\"integer\"}", "{\"json_path\":\"inner\"}"),
         NULL, "{\"inner\":{\"x\":3}}", "t:a|{\"x\":3}"},
        {"nested projection gives lists (invalid)",
         S1C("{\"x\":\"integer\"}", "{\"json_path\":\"a[*].b[*]\"}"), NULL,
         "{\"a\":[{\"b\":[{\"x\":1}]}]}", "NOMATCH|expected an object, found array"},
        {"flatten works", S1C("{\"x\":\"integer\"}", "{\"json_path\":\"a[].b[]\"}"), NULL,
         "{\"a\":[{\"b\":[{\"x\":1},{\"x\":2}]}]}", "t:a|{\"x\":1}\n{\"x\":2}"},
        {"split a top-level array", S1C("{\"x\":\"integer\"}", "{\"json_path\":\"[*]\"}"), NULL,
         "[{\"x\":1},{\"x\":2}]", "t:a|{\"x\":1}\n{\"x\":2}"},
        {"embedded_json",
         S1C("{\"a\":\"integer\"}", "{\"json_path\":\"logEvents[*].message\",\"embedded_json\":true}"),
         NULL, "{\"logEvents\":[{\"message\":\"{\\\"a\\\":1}\"},{\"message\":\"not json\"},{\"message\":\"[1]\"}]}",
         "t:a|{\"a\":1}\n(2 invalid)"},
        {"json_regex_key", S1C("{\"a\":\"string\"}", "{\"json_regex_key\":\"message\"}"), NULL,
         "{\"message\":\"prefix {\\\"a\\\": \\\"b\\\"} suffix\"}", "t:a|{\"a\":\"b\"}"},
        {"json_regex_key greedy to last brace fails on trailing brace",
         S1C("{\"a\":\"string\"}", "{\"json_regex_key\":\"message\"}"), NULL,
         "{\"message\":\"x {\\\"a\\\": \\\"b\\\"} y }\"}", "NOMATCH|json_regex_key: no embedded json object"},
        {"envelope key missing", S1C("{\"x\":\"integer\"}", "{\"json_path\":\"r[*]\",\"envelope_keys\":{\"env\":\"string\"}}"),
         NULL, "{\"r\":[{\"x\":1}]}", "NOMATCH|envelope key 'env' is missing"},
        {"optional envelope key default",
         S1C("{\"x\":\"integer\"}", "{\"json_path\":\"r[*]\",\"envelope_keys\":{\"env\":\"string\",\"n\":\"integer\"},\"optional_envelope_keys\":[\"n\"]}"),
         NULL, "{\"env\":5,\"r\":[{\"x\":1}]}",
         "t:a|{\"x\":1,\"streamalert:envelope_keys\":{\"env\":\"5\",\"n\":0}}"},
        {"invalid schema: optional key not in schema",
         S1C("{\"x\":\"integer\"}", "{\"optional_top_level_keys\":[\"zz\"]}"), NULL, "{\"x\":1}",
         "NOMATCH|schema definition is not valid"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_case(&cases[i]);
}

TEST(log_patterns)
{
    static const struct ccase cases[] = {
        {"wildcard matches", S1C("{\"a\":\"string\"}", "{\"log_patterns\":{\"a\":\"ab*\"}}"), NULL,
         "{\"a\":\"abc\"}", "t:a|{\"a\":\"abc\"}"},
        {"list is OR", S1C("{\"a\":\"string\"}", "{\"log_patterns\":{\"a\":[\"x*\",\"?b?\"]}}"), NULL,
         "{\"a\":\"abc\"}", "t:a|{\"a\":\"abc\"}"},
        {"no match", S1C("{\"a\":\"string\"}", "{\"log_patterns\":{\"a\":[\"x*\"]}}"), NULL,
         "{\"a\":\"abc\"}", "NOMATCH|log_patterns did not match"},
        {"fields are ANDed", S1C("{\"a\":\"string\",\"b\":\"string\"}", "{\"log_patterns\":{\"a\":\"a*\",\"b\":\"z\"}}"),
         NULL, "{\"a\":\"abc\",\"b\":\"y\"}", "NOMATCH|log_patterns"},
        {"envelope pattern returns at once (verified quirk)",
         S1C("{\"a\":\"string\"}", "{\"json_path\":\"r[*]\",\"envelope_keys\":{\"e\":\"string\"},"
                                   "\"log_patterns\":{\"a\":\"zzz\",\"streamalert:envelope_keys\":{\"e\":\"E\"}}}"),
         NULL, "{\"e\":\"E\",\"r\":[{\"a\":\"abc\"}]}",
         "t:a|{\"a\":\"abc\",\"streamalert:envelope_keys\":{\"e\":\"E\"}}"},
        {"nested pattern returns at once",
         S1C("{\"a\":\"string\",\"d\":{}}", "{\"log_patterns\":{\"a\":\"nope\",\"d\":{\"k\":\"v*\"}}}"), NULL,
         "{\"a\":\"abc\",\"d\":{\"k\":\"vv\"}}", "t:a|{\"a\":\"abc\",\"d\":{\"k\":\"vv\"}}"},
        {"missing nested field is a non-match",
         S1C("{\"a\":\"string\",\"d\":{}}", "{\"log_patterns\":{\"d\":{\"k\":\"v*\"}}}"), NULL,
         "{\"a\":\"abc\",\"d\":{}}", "NOMATCH|log_patterns"},
        {"non-string value is a non-match", S1C("{\"a\":\"integer\"}", "{\"log_patterns\":{\"a\":\"1\"}}"),
         NULL, "{\"a\":1}", "NOMATCH|log_patterns"},
        {"character sets", S1C("{\"a\":\"string\"}", "{\"log_patterns\":{\"a\":\"[!x]b[a-c]\"}}"), NULL,
         "{\"a\":\"abc\"}", "t:a|{\"a\":\"abc\"}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_case(&cases[i]);
    CHECK(vgl_fnmatch("*", 1, "", 0));
    CHECK(vgl_fnmatch("a*b*c", 5, "aXXbYYc", 7));
    CHECK(!vgl_fnmatch("a*b*c", 5, "aXXbYY", 6));
    CHECK(vgl_fnmatch("?", 1, "\xc3\xa9", 2));   /* one character, two bytes */
    CHECK(vgl_fnmatch("[", 1, "[", 1));          /* unclosed set is literal */
    CHECK(vgl_fnmatch("*.log", 5, "a/b.log", 7));
    CHECK(vgl_fnmatch("a\\b", 3, "a\\b", 3));   /* no escapes in fnmatch */
}

#define CSV1(schema, conf) "{\"c:a\":{\"parser\":\"csv\",\"schema\":" schema ",\"configuration\":" conf "}}"

TEST(csv_kv_syslog)
{
    static const struct ccase cases[] = {
        {"csv positional", CSV1("{\"id\":\"integer\",\"name\":\"string\",\"ok\":\"boolean\"}", "{}"), "[\"c\"]",
         "1,bob,true", "c:a|{\"id\":1,\"name\":\"bob\",\"ok\":true}"},
        {"csv wrong column count", CSV1("{\"id\":\"integer\",\"name\":\"string\"}", "{}"), "[\"c\"]", "1,bob,x",
         "NOMATCH|expected 2 csv fields, got 3"},
        {"csv json-string unquoting quirk", CSV1("{\"a\":\"string\",\"b\":\"string\"}", "{}"), "[\"c\"]",
         "\"x,y\"", "c:a|{\"a\":\"x\",\"b\":\"y\"}"},
        {"csv json number is a non-match", CSV1("{\"a\":\"string\"}", "{}"), "[\"c\"]", "123",
         "NOMATCH|payload is json number, not text"},
        {"csv several rows", CSV1("{\"a\":\"string\",\"b\":\"integer\"}", "{}"), "[\"c\"]", "x,1\ny,2",
         "c:a|{\"a\":\"x\",\"b\":1}\n{\"a\":\"y\",\"b\":2}"},
        {"csv header row that does not convert", CSV1("{\"a\":\"string\",\"b\":\"integer\"}", "{}"), "[\"c\"]",
         "a,b\nx,1", "c:a|{\"a\":\"x\",\"b\":1}\n(1 invalid)"},
        {"csv nested", CSV1("{\"a\":\"string\",\"n\":{\"x\":\"integer\",\"y\":\"string\"}}", "{}"), "[\"c\"]",
         "a,\"1,2\"", "c:a|{\"a\":\"a\",\"n\":{\"x\":1,\"y\":\"2\"}}"},
        {"csv {} column is invalid", CSV1("{\"a\":\"string\",\"n\":{}}", "{}"), "[\"c\"]", "a,b",
         "NOMATCH|{} type makes the row invalid"},
        {"csv rows before a reader error are kept", CSV1("{\"a\":\"string\",\"b\":\"string\"}", "{}"),
         "[\"c\"]", "a,b\nc\rd", "c:a|{\"a\":\"a\",\"b\":\"b\"}\n(1 invalid)"},
        {"csv custom dialect", CSV1("{\"a\":\"string\",\"b\":\"string\"}", "{\"delimiter\":\"|\",\"quotechar\":\"'\"}"),
         "[\"c\"]", "'x|y'|z", "c:a|{\"a\":\"x|y\",\"b\":\"z\"}"},
        {"csv invalid utf-8", CSV1("{\"a\":\"string\",\"b\":\"string\"}", "{}"), "[\"c\"]", "\xff,b",
         "NOMATCH|not valid utf-8"},
        {"kv duplicate key takes the schema key at its position",
         "{\"k:a\":{\"parser\":\"kv\",\"schema\":{\"time\":\"integer\",\"user\":\"string\",\"result\":\"string\"}}}",
         "[\"k\"]", "time=1 time=2 result=pass", "k:a|{\"time\":1,\"user\":\"2\",\"result\":\"pass\"}"},
        {"kv split at first separator",
         "{\"k:a\":{\"parser\":\"kv\",\"schema\":{\"a\":\"string\",\"b\":\"string\"}}}", "[\"k\"]", "a=x=y b=2",
         "k:a|{\"a\":\"x=y\",\"b\":\"2\"}"},
        {"kv consecutive delimiters collapse",
         "{\"k:a\":{\"parser\":\"kv\",\"schema\":{\"a\":\"string\",\"b\":\"string\"}}}", "[\"k\"]", "a=1   b=2",
         "k:a|{\"a\":\"1\",\"b\":\"2\"}"},
        {"kv json object is a non-match",
         "{\"k:a\":{\"parser\":\"kv\",\"schema\":{\"a\":\"string\"}}}", "[\"k\"]", "{\"a\":\"1\"}",
         "NOMATCH|payload is json object"},
        {"kv custom delimiter",
         "{\"k:a\":{\"parser\":\"kv\",\"schema\":{\"a\":\"string\",\"b\":\"integer\"},"
         "\"configuration\":{\"delimiter\":\"&\",\"separator\":\":\"}}}",
         "[\"k\"]", "a:x&b:2", "k:a|{\"a\":\"x\",\"b\":2}"},
        {"syslog", "{\"s:a\":{\"parser\":\"syslog\",\"schema\":{\"timestamp\":\"string\",\"host\":\"string\","
                   "\"application\":\"string\",\"message\":\"string\"}}}",
         "[\"s\"]", "Jan 10 19:35:33 host-1 sshd[12]: hello world",
         "s:a|{\"timestamp\":\"Jan 10 19:35:33\",\"host\":\"host-1\",\"application\":\"sshd\",\"message\":\"hello world\"}"},
        {"syslog space-padded day fails",
         "{\"s:a\":{\"parser\":\"syslog\",\"schema\":{\"timestamp\":\"string\",\"host\":\"string\","
         "\"application\":\"string\",\"message\":\"string\"}}}",
         "[\"s\"]", "Jan  5 19:35:33 host sshd: hi", "NOMATCH|not a syslog line"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_case(&cases[i]);
}

TEST(first_match_and_candidates)
{
    const char *two = "{\"t:one\":{\"parser\":\"json\",\"schema\":{\"a\":{}}},"
                      "\"t:two\":{\"parser\":\"json\",\"schema\":{\"a\":\"string\"}},"
                      "\"u:other\":{\"parser\":\"json\",\"schema\":{\"a\":\"string\"}}}";
    CHECK_STR_EQ(run(two, "[\"t\"]", "{\"a\":\"x\"}", 9), "t:one|{\"a\":\"x\"}");
    /* data_sources entries match the part before ':' only (compat 1.6 quirk) */
    CHECK_STR_CONTAINS(run(two, "[\"u\"]", "{\"a\":\"x\"}", 9), "u:other|");
    CHECK_STR_CONTAINS(run(two, "[\"t:two\"]", "{\"a\":\"x\"}", 9), "NOMATCH|");
    /* priority moves t:two ahead */
    const char *prio = "{\"t:one\":{\"parser\":\"json\",\"schema\":{\"a\":{}},\"configuration\":{\"priority\":2}},"
                       "\"t:two\":{\"parser\":\"json\",\"schema\":{\"a\":\"string\"},\"configuration\":{\"priority\":1}}}";
    CHECK_STR_EQ(run(prio, "[\"t\"]", "{\"a\":\"x\"}", 9), "t:two|{\"a\":\"x\"}");
}

TEST(priority_running_max_order)
{
    /* compat 1.3: A(3), B(none), C(10), D(none), E(4) in load order -> A, B, E, C, D */
    const char *conf = tu_conf("{\"x:A\":{\"parser\":\"json\",\"schema\":{},\"configuration\":{\"priority\":3}},"
                               "\"x:B\":{\"parser\":\"json\",\"schema\":{}},"
                               "\"x:C\":{\"parser\":\"json\",\"schema\":{},\"configuration\":{\"priority\":\"10\"}},"
                               "\"x:D\":{\"parser\":\"json\",\"schema\":{}},"
                               "\"x:E\":{\"parser\":\"json\",\"schema\":{},\"configuration\":{\"priority\":4}}}",
                               "[\"x\"]");
    struct vgl_diag diag;
    vgl_diag_init(&diag);
    struct vgl_config *cfg = vgl_config_load(conf, &diag);
    CHECK(cfg != NULL);
    if (cfg) {
        const char *want[] = {"x:A", "x:B", "x:E", "x:C", "x:D"};
        CHECK_INT_EQ(cfg->nschemas, 5);
        for (size_t i = 0; i < 5 && i < cfg->nschemas; i++)
            CHECK_STR_EQ(cfg->schemas[i].name, want[i]);
        tu_rmrf(cfg->root);
    }
    vgl_config_free(cfg);
    vgl_diag_release(&diag);
    /* unprioritised schemas before any prioritised one sort ahead of priority 0 */
    conf = tu_conf("{\"x:B\":{\"parser\":\"json\",\"schema\":{}},"
                   "\"x:A\":{\"parser\":\"json\",\"schema\":{},\"configuration\":{\"priority\":0}}}",
                   "[\"x\"]");
    vgl_diag_init(&diag);
    cfg = vgl_config_load(conf, &diag);
    CHECK(cfg && strcmp(cfg->schemas[0].name, "x:B") == 0);
    if (cfg)
        tu_rmrf(cfg->root);
    vgl_config_free(cfg);
    vgl_diag_release(&diag);
}

TEST_MAIN(T(json_key_check_and_conversion), T(json_path_envelope_and_embedded), T(log_patterns),
          T(csv_kv_syslog), T(first_match_and_candidates), T(priority_running_max_order))
