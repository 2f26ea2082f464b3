/*
 * Unit tests for normalize/normalize.c: the per-schema form (compat 3.1: shorthand paths,
 * param objects, conditions, falsy steps, list values, send_to_artifacts, record ids, the
 * empty result), compile-time errors, and the legacy v1 form (compat 3.3).
 */
#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "json/json.h"
#include "normalize/normalize.h"
#include "test.h"

static struct vgl_arena arena;

static struct vgl_json J(const char *text)
{
    struct vgl_json v;
    struct vgl_error err = {0};
    if (vgl_json_parse(text, strlen(text), &arena, NULL, &v, &err) != 0) {
        fprintf(stderr, "bad test json: %s: %s\n", text, err.msg);
        abort();
    }
    return v;
}

/* Normalizes record with spec; returns the streamalert_normalization value as JSON text
 * with the record id replaced by "ID" (it is random). */
static const char *norm(const char *spec_json, const char *record_json)
{
    static char out[4096];
    struct vgl_json spec = J(spec_json), rec = J(record_json);
    struct vgl_error err = {0};
    struct vgl_norm_spec *ns = vgl_norm_compile(&spec, &arena, &err);
    if (!ns) {
        snprintf(out, sizeof out, "COMPILE: %s", err.msg);
        return out;
    }
    if (vgl_normalize(ns, &rec, &arena, &err) != 0) {
        snprintf(out, sizeof out, "ERROR: %s", err.msg);
        return out;
    }
    const struct vgl_json *n = vgl_json_getz(&rec, VGL_NORMALIZATION_KEY);
    if (!n)
        return "MISSING";
    struct vgl_json copy = *n;
    struct vgl_json_member *m = vgl_arena_memdup(&arena, n->u.members, n->len * sizeof *m);
    copy.u.members = m;
    for (uint32_t i = 0; i < copy.len; i++) {
        if (m[i].klen == strlen(VGL_RECORD_ID_KEY) && memcmp(m[i].key, VGL_RECORD_ID_KEY, m[i].klen) == 0) {
            CHECK(m[i].val.type == VGL_JSON_STRING && m[i].val.len == 36 && m[i].val.u.s[14] == '4');
            m[i].val = vgl_json_str("ID", 2);
        }
    }
    struct vgl_buf b;
    vgl_buf_init(&b, 0);
    vgl_json_write(&b, &copy);
    snprintf(out, sizeof out, "%s", b.data);
    vgl_buf_release(&b);
    return out;
}

TEST(paths_and_values)
{
    vgl_arena_init(&arena, 0);
    /* shorthand: a list of strings is one path; strings become [str(v)] */
    CHECK_STR_EQ(norm("{\"event_name\":[\"detail\",\"eventName\"]}", "{\"detail\":{\"eventName\":\"Run\"}}"),
                 "{\"event_name\":[{\"function\":null,\"values\":[\"Run\"]}],\"streamalert_record_id\":\"ID\"}");
    /* numbers and objects are str()-ed; lists are kept as they are */
    CHECK_STR_EQ(norm("{\"port\":[\"p\"],\"o\":[\"o\"],\"l\":[\"l\"]}", "{\"p\":22,\"o\":{\"a\":true},\"l\":[1,{\"x\":2}]}"),
                 "{\"port\":[{\"function\":null,\"values\":[\"22\"]}],\"o\":[{\"function\":null,\"values\":[\"{'a': True}\"]}],"
                 "\"l\":[{\"function\":null,\"values\":[1,{\"x\":2}]}],\"streamalert_record_id\":\"ID\"}");
    /* falsy at any step is "not found"; a non-object in the middle too */
    CHECK_STR_EQ(norm("{\"a\":[\"x\",\"y\"],\"b\":[\"z\"],\"c\":[\"s\",\"t\"]}", "{\"x\":{\"y\":0},\"z\":\"\",\"s\":\"str\"}"), "{}");
    /* configured but nothing matched: {} and no record id; no key when the path is empty */
    CHECK_STR_EQ(norm("{\"a\":[]}", "{\"x\":1}"), "{}");
    /* several params, functions, send_to_artifacts kept only when explicitly falsy */
    CHECK_STR_EQ(norm("{\"ip\":[{\"path\":[\"src\"],\"function\":\"Source\"},{\"path\":[\"dst\"],\"send_to_artifacts\":false},"
                      "{\"path\":[\"nat\"],\"send_to_artifacts\":true,\"function\":\"\"}]}",
                      "{\"src\":\"1.1.1.1\",\"dst\":\"2.2.2.2\",\"nat\":\"3.3.3.3\"}"),
                 "{\"ip\":[{\"function\":\"Source\",\"values\":[\"1.1.1.1\"]},"
                 "{\"function\":null,\"values\":[\"2.2.2.2\"],\"send_to_artifacts\":false},"
                 "{\"function\":null,\"values\":[\"3.3.3.3\"]}],\"streamalert_record_id\":\"ID\"}");
    vgl_arena_release(&arena);
}

TEST(conditions)
{
    vgl_arena_init(&arena, 0);
    const char *rec = "{\"acct\":\"ABC\",\"v\":\"x\",\"n\":5}";
    static const struct {
        const char *cond;
        bool hit;
    } cases[] = {
        {"{\"path\":[\"acct\"],\"is\":\"abc\"}", true},           /* value is lowercased */
        {"{\"path\":[\"acct\"],\"is\":\"ABC\"}", false},          /* configured value is not */
        {"{\"path\":[\"acct\"],\"is_not\":\"abc\"}", false},
        {"{\"path\":[\"acct\"],\"in\":[\"q\",\"abc\"]}", true},
        {"{\"path\":[\"acct\"],\"in\":\"xxabcxx\"}", true},      /* substring when a string */
        {"{\"path\":[\"acct\"],\"not_in\":[\"abc\"]}", false},
        {"{\"path\":[\"acct\"],\"contains\":\"b\"}", true},
        {"{\"path\":[\"acct\"],\"not_contains\":\"b\"}", false},
        {"{\"path\":[\"n\"],\"is\":\"5\"}", true},               /* str(5) */
        {"{\"path\":[\"missing\"],\"is\":\"x\"}", false},
        {"{\"is\":\"x\"}", false},                                  /* no path */
        {"{\"path\":[\"acct\"]}", false},                           /* no operator */
        {"{\"path\":[\"acct\"],\"is\":\"\",\"contains\":\"a\"}", true},   /* first truthy operator decides */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char spec[512];
        snprintf(spec, sizeof spec, "{\"t\":[{\"path\":[\"v\"],\"condition\":%s}]}", cases[i].cond);
        const char *got = norm(spec, rec);
        bool hit = strstr(got, "\"values\":[\"x\"]") != NULL;
        if (hit != cases[i].hit) {
            fprintf(stderr, "  condition %s: got %s\n", cases[i].cond, got);
            vgl_test_failed_checks++;
        }
    }
    vgl_arena_release(&arena);
}

TEST(compile_errors)
{
    vgl_arena_init(&arena, 0);
    CHECK_STR_CONTAINS(norm("{\"ip\":\"src\"}", "{}"), "COMPILE: .ip: Unsupported params for normalized type 'ip'");
    CHECK_STR_CONTAINS(norm("{\"ip\":[\"a\",{\"path\":[\"b\"]}]}", "{}"), "found a mix");
    CHECK_STR_CONTAINS(norm("{\"ip\":[{\"path\":[\"a\"],\"func\":\"x\"}]}", "{}"), "unknown key 'func'");
    CHECK_STR_CONTAINS(norm("{\"ip\":[{\"path\":\"a\"}]}", "{}"), ".ip[0].path: expected a list of keys, found string");
    vgl_arena_release(&arena);
}

TEST(record_without_normalization_target)
{
    vgl_arena_init(&arena, 0);
    /* an existing key is replaced in place, not duplicated */
    CHECK_STR_EQ(norm("{\"a\":[\"x\"]}", "{\"x\":\"1\",\"streamalert_normalization\":{\"old\":1}}"),
                 "{\"a\":[{\"function\":null,\"values\":[\"1\"]}],\"streamalert_record_id\":\"ID\"}");
    vgl_arena_release(&arena);
}

TEST(legacy_v1)
{
    vgl_arena_init(&arena, 0);
    struct vgl_json nt = J("{\"cloudtrail\":{\"sourceAddress\":[\"sourceIPAddress\",\"ip\"],\"user\":[\"userName\"],"
                           "\"none\":[\"absent\"]},\"other\":{\"x\":[\"y\"]}}");
    struct vgl_error err = {0};
    struct vgl_legacy_norm *ln = vgl_legacy_norm_compile(&nt, &arena, &err);
    CHECK(ln != NULL);
    CHECK(vgl_legacy_norm_has(ln, "cloudtrail", 10));
    CHECK(!vgl_legacy_norm_has(ln, "okta", 4));
    CHECK(vgl_legacy_norm_declares(ln, "x", 1));
    CHECK(!vgl_legacy_norm_declares(ln, "cloudtrail", 10));
    /* nested objects searched, lists of objects not; null and "" skipped; deduplicated; sorted */
    struct vgl_json rec = J("{\"sourceIPAddress\":\"9.9.9.9\",\"d\":{\"ip\":\"1.1.1.1\",\"e\":{\"ip\":[\"9.9.9.9\",\"2.2.2.2\"]}},"
                            "\"l\":[{\"ip\":\"7.7.7.7\"}],\"userName\":null,\"u\":{\"userName\":\"\"}}");
    CHECK_INT_EQ(vgl_legacy_normalize(ln, "cloudtrail", 10, &rec, &arena, &err), 0);
    struct vgl_buf b;
    vgl_buf_init(&b, 0);
    vgl_json_write(&b, vgl_json_getz(&rec, VGL_NORMALIZATION_KEY_V1));
    CHECK_STR_EQ(b.data, "{\"sourceAddress\":[\"1.1.1.1\",\"2.2.2.2\",\"9.9.9.9\"]}");
    vgl_buf_release(&b);
    /* a source without an entry gets nothing */
    struct vgl_json r2 = J("{\"a\":1}");
    vgl_legacy_normalize(ln, "okta", 4, &r2, &arena, &err);
    CHECK(vgl_json_getz(&r2, VGL_NORMALIZATION_KEY_V1) == NULL);
    struct vgl_json bad = J("{\"cloudtrail\":{\"t\":\"k\"}}");
    CHECK(vgl_legacy_norm_compile(&bad, &arena, &err) == NULL);
    CHECK_STR_CONTAINS(err.msg, "$.cloudtrail.t: expected a list of key names, found string");
    vgl_arena_release(&arena);
}

TEST(uuid4_format_and_uniqueness)
{
    char a[37], b[37];
    vgl_uuid4(a);
    vgl_uuid4(b);
    CHECK_INT_EQ(strlen(a), 36);
    CHECK(a[8] == '-' && a[13] == '-' && a[14] == '4' && a[18] == '-' && a[23] == '-');
    CHECK(strchr("89ab", a[19]) != NULL);
    CHECK(strcmp(a, b) != 0);
}

TEST_MAIN(T(paths_and_values), T(conditions), T(compile_errors), T(record_without_normalization_target),
          T(legacy_v1), T(uuid4_format_and_uniqueness))
