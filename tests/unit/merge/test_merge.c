/*
 * Unit tests for merge/merge.c: can_merge, the grouping algorithm (oldest-member
 * comparison, open windows stopping the scan, 50 per group, missing keys equal) and the
 * merged record (the docs' alpha/beta/gamma example, a one-alert merge, common keys and
 * diffs, MergedBy, identity from the oldest member and outputs from the newest).
 */
#include "core/arena.h"
#include "core/buf.h"
#include "json/json.h"
#include "merge/merge.h"
#include "test.h"

static struct vgl_arena arena;
#define MIN 60000000LL

static struct vgl_json J(const char *text)
{
    struct vgl_json v;
    if (vgl_json_parse(text, strlen(text), &arena, NULL, &v, NULL) != 0) {
        fprintf(stderr, "bad json: %s\n", text);
        abort();
    }
    return v;
}

static const char *W(const struct vgl_json *v)
{
    static char out[4096];
    struct vgl_buf b;
    vgl_buf_init(&b, 0);
    vgl_json_write(&b, v);
    snprintf(out, sizeof out, "%s", b.data);
    vgl_buf_release(&b);
    return out;
}

/* An alert with the given record, merge keys, window (minutes) and created time. */
static struct vgl_merge_alert A(const char *record, const char *keys, int window, int64_t created_us,
                                const char *created, const char *outputs)
{
    /* parsed strings point into their text: keep it in the arena */
    char *text = vgl_arena_alloc(&arena, 2048);
    snprintf(text, 2048,
             "{\"rule_name\":\"r\",\"created\":\"%s\",\"record\":%s,\"merge_by_keys\":%s,"
             "\"merge_window_mins\":%d,\"outputs\":%s,\"cluster\":\"c\",\"context\":{},\"staged\":false}",
             created, record, keys, window, outputs ? outputs : "[\"slack:x\"]");
    struct vgl_json *f = vgl_arena_alloc(&arena, sizeof *f);
    *f = J(text);
    return (struct vgl_merge_alert){f, created_us};
}

TEST(can_merge_rules)
{
    vgl_arena_init(&arena, 0);
    struct vgl_merge_alert a = A("{\"u\":\"x\",\"n\":{\"k\":1}}", "[\"u\",\"k\"]", 5, 0, "t0", NULL);
    struct vgl_merge_alert b = A("{\"u\":\"x\",\"m\":{\"k\":1.0}}", "[\"k\",\"u\"]", 5, 4 * MIN, "t1", NULL);
    struct vgl_merge_alert c = A("{\"u\":\"y\",\"k\":1}", "[\"u\",\"k\"]", 5, 1 * MIN, "t2", NULL);
    struct vgl_merge_alert late = A("{\"u\":\"x\",\"k\":1}", "[\"u\",\"k\"]", 5, 6 * MIN, "t3", NULL);
    struct vgl_merge_alert other_keys = A("{\"u\":\"x\",\"k\":1}", "[\"u\"]", 5, 1 * MIN, "t4", NULL);
    struct vgl_merge_alert off = A("{\"u\":\"x\",\"k\":1}", "[\"u\",\"k\"]", 0, 1 * MIN, "t5", NULL);
    struct vgl_merge_alert none1 = A("{\"a\":1}", "[\"zz\"]", 5, 0, "t6", NULL);
    struct vgl_merge_alert none2 = A("{\"b\":{\"zz\":null}}", "[\"zz\"]", 5, 1, "t7", NULL);
    CHECK(vgl_merge_can_merge(&a, &b));          /* nested keys, set order, 1 == 1.0 */
    CHECK(vgl_merge_can_merge(&b, &a));
    CHECK(!vgl_merge_can_merge(&a, &c));         /* different value */
    CHECK(!vgl_merge_can_merge(&a, &late));      /* outside the older alert's window */
    CHECK(!vgl_merge_can_merge(&a, &other_keys));
    CHECK(!vgl_merge_can_merge(&a, &off));       /* merging off */
    CHECK(vgl_merge_can_merge(&none1, &none2));  /* missing and null: None == None */
    vgl_arena_release(&arena);
}

TEST(grouping)
{
    vgl_arena_init(&arena, 0);
    struct vgl_merge_alert al[5] = {
        A("{\"u\":\"x\"}", "[\"u\"]", 5, 0, "t0", NULL),
        A("{\"u\":\"y\"}", "[\"u\"]", 5, 1 * MIN, "t1", NULL),
        A("{\"u\":\"x\"}", "[\"u\"]", 5, 2 * MIN, "t2", NULL),
        A("{\"u\":\"x\"}", "[\"u\"]", 5, 7 * MIN, "t3", NULL),   /* outside t0's window */
        A("{\"u\":\"z\"}", "[\"u\"]", 5, 9 * MIN, "t4", NULL),   /* window still open at now */
    };
    int g[5];
    /* now = 10 min: t0, t1 windows elapsed; t3's (7+5) still open: it starts no group and
     * stops the scan, so t4 waits too. */
    size_t n = vgl_merge_groups(al, 5, 10 * MIN, g);
    CHECK_INT_EQ(n, 2);
    CHECK_INT_EQ(g[0], 0);
    CHECK_INT_EQ(g[1], 1);
    CHECK_INT_EQ(g[2], 0);
    CHECK_INT_EQ(g[3], -1);
    CHECK_INT_EQ(g[4], -1);
    /* later, everything closes: t3 and t4 start their own groups */
    n = vgl_merge_groups(al, 5, 20 * MIN, g);
    CHECK_INT_EQ(n, 4);
    CHECK_INT_EQ(g[3], 2);
    CHECK_INT_EQ(g[4], 3);
    /* nothing elapsed yet: no group at all */
    CHECK_INT_EQ(vgl_merge_groups(al, 5, 1 * MIN, g), 0);
    /* 120 alerts of one key: groups of 50, 50, 20 */
    struct vgl_merge_alert many[120];
    int gm[120];
    for (int i = 0; i < 120; i++)
        many[i] = A("{\"u\":\"x\"}", "[\"u\"]", 5, i, "t", NULL);
    CHECK_INT_EQ(vgl_merge_groups(many, 120, 60 * MIN, gm), 3);
    CHECK_INT_EQ(gm[49], 0);
    CHECK_INT_EQ(gm[50], 1);
    CHECK_INT_EQ(gm[119], 2);
    vgl_arena_release(&arena);
}

TEST(merged_record_docs_example)
{
    vgl_arena_init(&arena, 0);
    struct vgl_merge_alert a = A("{\"alpha\":\"A\",\"nested\":{\"beta\":\"B\"},\"gamma\":[1,2,3],\"timestamp\":123}",
                                 "[\"alpha\",\"beta\",\"gamma\"]", 5, 0, "2020-01-01T00:00:00.000000Z",
                                 "[\"aws-firehose:alerts\",\"slack:old\"]");
    struct vgl_merge_alert b = A("{\"alpha\":\"A\",\"nested\":{\"beta\":\"B\",\"extra\":\"field\"},\"gamma\":[1,2,3],"
                                 "\"timestamp\":456}",
                                 "[\"alpha\",\"beta\",\"gamma\"]", 5, MIN, "2020-01-01T00:01:00.000000Z",
                                 "[\"aws-firehose:alerts\",\"slack:new\"]");
    const struct vgl_merge_alert *g[2] = {&a, &b};
    struct vgl_json m = vgl_merge_build(g, 2, "2020-01-01T00:10:00.000000Z", &arena);
    CHECK_STR_EQ(W(vgl_json_getz(&m, "record")),
                 "{\"AlertCount\":2,\"AlertTimeFirst\":\"2020-01-01T00:00:00.000000Z\","
                 "\"AlertTimeLast\":\"2020-01-01T00:01:00.000000Z\","
                 "\"MergedBy\":{\"alpha\":\"A\",\"beta\":\"B\",\"gamma\":[1,2,3]},\"OtherCommonKeys\":{},"
                 "\"ValueDiffs\":{\"2020-01-01T00:00:00.000000Z\":{\"nested\":{},\"timestamp\":123},"
                 "\"2020-01-01T00:01:00.000000Z\":{\"nested\":{\"extra\":\"field\"},\"timestamp\":456}}}");
    CHECK_STR_EQ(W(vgl_json_getz(&m, "outputs")), "[\"aws-firehose:alerts\",\"slack:new\"]");
    CHECK_STR_EQ(W(vgl_json_getz(&m, "created")), "\"2020-01-01T00:10:00.000000Z\"");
    CHECK_STR_EQ(W(vgl_json_getz(&m, "merge_by_keys")), "[]");
    CHECK_STR_EQ(W(vgl_json_getz(&m, "rule_name")), "\"r\"");
    vgl_arena_release(&arena);
}

TEST(merged_record_common_and_diffs)
{
    vgl_arena_init(&arena, 0);
    struct vgl_merge_alert a = A("{\"u\":\"x\",\"host\":\"h1\",\"d\":{\"region\":\"eu\",\"n\":1},\"l\":[1]}", "[\"u\"]", 5, 0,
                                 "T1", NULL);
    struct vgl_merge_alert b = A("{\"u\":\"x\",\"host\":\"h2\",\"d\":{\"region\":\"eu\",\"n\":2},\"l\":[1]}", "[\"u\"]", 5, 1,
                                 "T2", NULL);
    struct vgl_merge_alert c = A("{\"u\":\"x\",\"host\":\"h2\",\"d\":{\"region\":\"eu\",\"n\":2},\"l\":[2]}", "[\"u\"]", 5, 2,
                                 "T2", NULL);
    const struct vgl_merge_alert *g[3] = {&a, &b, &c};
    struct vgl_json m = vgl_merge_build(g, 3, "now", &arena);
    /* common: d.region (objects recursed); ValueDiffs keyed by created: T2 twice, last wins */
    CHECK_STR_EQ(W(vgl_json_getz(&m, "record")),
                 "{\"AlertCount\":3,\"AlertTimeFirst\":\"T1\",\"AlertTimeLast\":\"T2\",\"MergedBy\":{\"u\":\"x\"},"
                 "\"OtherCommonKeys\":{\"d\":{\"region\":\"eu\"}},"
                 "\"ValueDiffs\":{\"T1\":{\"host\":\"h1\",\"d\":{\"n\":1},\"l\":[1]},"
                 "\"T2\":{\"host\":\"h2\",\"d\":{\"n\":2},\"l\":[2]}}}");
    /* a one-alert merge: the whole cleaned record is common, its diff is empty */
    const struct vgl_merge_alert *one[1] = {&a};
    struct vgl_json m1 = vgl_merge_build(one, 1, "now", &arena);
    CHECK_STR_EQ(W(vgl_json_getz(&m1, "record")),
                 "{\"AlertCount\":1,\"AlertTimeFirst\":\"T1\",\"AlertTimeLast\":\"T1\",\"MergedBy\":{\"u\":\"x\"},"
                 "\"OtherCommonKeys\":{\"host\":\"h1\",\"d\":{\"region\":\"eu\",\"n\":1},\"l\":[1]},"
                 "\"ValueDiffs\":{\"T1\":{}}}");
    /* a merge key nowhere in the record */
    struct vgl_merge_alert z = A("{\"a\":1}", "[\"zz\"]", 5, 0, "T", NULL);
    const struct vgl_merge_alert *gz[1] = {&z};
    struct vgl_json mz = vgl_merge_build(gz, 1, "now", &arena);
    CHECK_STR_CONTAINS(W(vgl_json_getz(&mz, "record")), "\"MergedBy\":{\"zz\":\"(n/a)\"}");
    vgl_arena_release(&arena);
}

TEST(first_key_breadth_first)
{
    vgl_arena_init(&arena, 0);
    /* compat 5.1's example: A at the top, then B (depth 1) before C and D inside the list */
    struct vgl_json v = J("{\"x\":[{\"p\":\"C\"},{\"y\":{\"p\":\"D\"}}],\"z\":{\"p\":\"B\"}}");
    const struct vgl_json *f = vgl_json_first_key(&v, "p", 1);
    CHECK(f && f->type == VGL_JSON_STRING && f->len == 1 && f->u.s[0] == 'B');
    struct vgl_json w = J("{\"streamalert_normalization\":{\"p\":1}}");
    CHECK(vgl_json_first_key(&w, "p", 1) == NULL);
    vgl_arena_release(&arena);
}

TEST_MAIN(T(can_merge_rules), T(grouping), T(merged_record_docs_example), T(merged_record_common_and_diffs),
          T(first_key_breadth_first))
