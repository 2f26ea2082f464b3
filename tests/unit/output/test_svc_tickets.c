/*
 * Unit tests for the tickets group of output services (jira, jira-v2, demisto, phantom,
 * komand, victorops, carbonblack; compat 7.5).  Each case drives a service's step machine
 * against tests/tools/http_sink.py (scripted answers per route), sends every request with
 * vgl_http_perform, and checks what the sink received (method, path, query, headers, body
 * byte for byte as Python's json.dumps writes it; the expected bodies were produced with
 * python3) and the verdict.
 */
#define _DEFAULT_SOURCE   /* usleep() in sinkutil.h */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "json/json.h"
#include "output/http.h"
#include "output/output.h"
#include "sinkutil.h"
#include "test.h"

/* ---- fixtures ---- */

static const char *ALERT =
    "{\"cluster\":\"prod\",\"context\":{},\"created\":\"2020-01-02T03:04:05.006789Z\","
    "\"id\":\"ed96-1\",\"log_source\":\"cloudwatch:events\",\"log_type\":\"json\","
    "\"outputs\":[\"jira:corp\"],\"publishers\":{},\"record\":{\"k\":\"v\\u00e9\",\"n\":{\"x\":1,"
    "\"l\":[true,null,1.5]}},\"rule_description\":\"desc <b>\",\"rule_name\":\"my_rule\","
    "\"source_entity\":\"stream\",\"source_service\":\"kinesis\",\"staged\":false}";

/* json.dumps(pub, sort_keys=True) of ALERT, inside Jira's {code:JSON}...{code} */
#define JIRA_DESC_JSON                                                                     \
    "\"{code:JSON}{\\\"cluster\\\": \\\"prod\\\", \\\"context\\\": {}, \\\"created\\\": "    \
    "\\\"2020-01-02T03:04:05.006789Z\\\", \\\"id\\\": \\\"ed96-1\\\", \\\"log_source\\\": "   \
    "\\\"cloudwatch:events\\\", \\\"log_type\\\": \\\"json\\\", \\\"outputs\\\": "            \
    "[\\\"jira:corp\\\"], \\\"publishers\\\": {}, \\\"record\\\": {\\\"k\\\": "               \
    "\\\"v\\\\u00e9\\\", \\\"n\\\": {\\\"l\\\": [true, null, 1.5], \\\"x\\\": 1}}, "          \
    "\\\"rule_description\\\": \\\"desc <b>\\\", \\\"rule_name\\\": \\\"my_rule\\\", "        \
    "\\\"source_entity\\\": \\\"stream\\\", \\\"source_service\\\": \\\"kinesis\\\", "        \
    "\\\"staged\\\": false}{code}\""

static const char *JIRA_LOGIN = "{\"username\": \"ann\", \"password\": \"s3cretPW\"}";
static const char *JIRA_ISSUE =
    "{\"fields\": {\"project\": {\"key\": \"SEC\"}, \"summary\": \"StreamAlert my_rule\", "
    "\"description\": " JIRA_DESC_JSON ", \"issuetype\": {\"name\": \"Task\"}}}";
static const char *JIRA_COMMENT = "{\"body\": " JIRA_DESC_JSON "}";
static const char *JIRA_QUERY =
    "jql=summary+~+%22StreamAlert+my_rule%22+and+project%3D%22SEC%22&maxResults=1&"
    "validateQuery=True&fields=id&fields=summary";

#define PUB_RECORD "{\"k\": \"v\\u00e9\", \"n\": {\"x\": 1, \"l\": [true, null, 1.5]}}"
#define PUB_PY                                                                             \
    "{\"cluster\": \"prod\", \"context\": {}, \"created\": \"2020-01-02T03:04:05.006789Z\", " \
    "\"id\": \"ed96-1\", \"log_source\": \"cloudwatch:events\", \"log_type\": \"json\", "     \
    "\"outputs\": [\"jira:corp\"], \"publishers\": {}, \"record\": " PUB_RECORD ", "           \
    "\"rule_description\": \"desc <b>\", \"rule_name\": \"my_rule\", \"source_entity\": "     \
    "\"stream\", \"source_service\": \"kinesis\", \"staged\": false}"

/* ---- harness ---- */

struct run {
    struct vgl_arena arena;
    struct vgl_error err;
    int rc;
    int nsent;
    struct vgl_json *reqs;   /* the sink's log entries */
    size_t nreqs;
};

/* text with every "@URL@" replaced by url (malloc'd) */
static char *subst(const char *text, const char *url)
{
    struct vgl_buf b;
    vgl_buf_init(&b, 0);
    for (const char *p = text; *p;) {
        if (strncmp(p, "@URL@", 5) == 0) {
            vgl_buf_puts(&b, url);
            p += 5;
        } else {
            vgl_buf_putc(&b, *p++);
        }
    }
    size_t n;
    char *s = vgl_buf_detach(&b, &n);
    return s ? s : strdup("");
}

static struct vgl_json parse_in(struct vgl_arena *a, const char *text)
{
    struct vgl_json v = vgl_json_null();
    struct vgl_error e = {0};
    char *copy = vgl_arena_strndup(a, text, strlen(text));
    if (vgl_json_parse(copy, strlen(copy), a, NULL, &v, &e) != 0) {
        fprintf(stderr, "bad fixture JSON: %s\n%s\n", e.msg, text);
        abort();
    }
    return v;
}

/* Runs one delivery of service:corp with alert, pub (NULL: the alert) and creds (NULL: none;
 * "@URL@" stands for the sink's URL), then loads the sink's log into r. */
static void run_service(struct run *r, const struct tu_sink *s, const char *service,
                        const char *alert, const char *pub, const char *creds)
{
    memset(r, 0, sizeof *r);
    vgl_arena_init(&r->arena, 0);
    struct vgl_output_env env;
    vgl_output_env_defaults(&env);
    struct vgl_json *a = vgl_arena_alloc(&r->arena, sizeof *a);
    struct vgl_json *p = vgl_arena_alloc(&r->arena, sizeof *p);
    struct vgl_json *c = vgl_arena_alloc(&r->arena, sizeof *c);
    *a = parse_in(&r->arena, alert);
    *p = parse_in(&r->arena, pub ? pub : alert);
    if (creds) {
        char *text = subst(creds, s->url);
        *c = parse_in(&r->arena, text);
        free(text);
    }
    struct vgl_output_ctx ctx = {
        .service = service,
        .descriptor = "corp",
        .alert = a,
        .pub = p,
        .creds = creds ? c : NULL,
        .env = &env,
        .arena = &r->arena,
    };
    const struct vgl_output_ops *ops = vgl_output_find(service);
    if (!ops) {
        fprintf(stderr, "service %s not registered\n", service);
        r->rc = -100;
        return;
    }
    struct vgl_http_request req;
    r->rc = ops->step(&ctx, NULL, &req, &r->err);
    while (r->rc == VGL_OUTPUT_SEND && r->nsent < 10) {
        struct vgl_http_response resp;
        memset(&resp, 0, sizeof resp);
        struct vgl_error herr = {0};
        if (vgl_http_perform(&req, &resp, 1, 0, &herr) != 0) {
            fprintf(stderr, "http layer failed: %s\n", herr.msg);
            r->rc = -101;
            return;
        }
        r->nsent++;
        CHECK(!req.insecure);   /* vigil always verifies TLS for these services */
        r->rc = ops->step(&ctx, &resp, &req, &r->err);
        vgl_http_response_release(&resp);
    }
    char *log = tu_sink_log(s);
    size_t n = 0;
    for (char *q = log; *q; q++)
        n += *q == '\n';
    r->reqs = vgl_arena_alloc(&r->arena, (n ? n : 1) * sizeof *r->reqs);
    char *line = log;
    for (char *nl; (nl = strchr(line, '\n')); line = nl + 1) {
        *nl = 0;
        r->reqs[r->nreqs++] = parse_in(&r->arena, line);
    }
    free(log);
}

static void run_release(struct run *r)
{
    vgl_arena_release(&r->arena);
}

static const char *field(struct run *r, size_t i, const char *key)
{
    if (i >= r->nreqs)
        return NULL;
    const struct vgl_json *v = vgl_json_getz(&r->reqs[i], key);
    if (!v || v->type != VGL_JSON_STRING)
        return NULL;
    return vgl_arena_strndup(&r->arena, v->u.s, v->len);
}

/* A header as the sink logged it (names lower-cased), or NULL when absent. */
static const char *header(struct run *r, size_t i, const char *name)
{
    if (i >= r->nreqs)
        return NULL;
    const struct vgl_json *h = vgl_json_getz(&r->reqs[i], "headers");
    const struct vgl_json *v = h ? vgl_json_getz(h, name) : NULL;
    if (!v || v->type != VGL_JSON_STRING)
        return NULL;
    return vgl_arena_strndup(&r->arena, v->u.s, v->len);
}

#define CHECK_REQ(r, i, method, path, query, body)                                         \
    do {                                                                                   \
        CHECK_STR_EQ(field(r, i, "method"), method);                                       \
        CHECK_STR_EQ(field(r, i, "path"), path);                                           \
        CHECK_STR_EQ(field(r, i, "query"), query);                                         \
        CHECK_STR_EQ(field(r, i, "body"), body);                                           \
    } while (0)

static int start_sink(struct tu_sink *s, const char *script)
{
    if (tu_sink_start(s, script) != 0) {
        fprintf(stderr, "  http_sink.py did not start\n");
        return -1;
    }
    return 0;
}

/* ---- jira ---- */

#define JIRA_CREDS                                                                         \
    "{\"username\": \"ann\", \"password\": \"s3cretPW\", \"url\": \"@URL@/jira\", "      \
    "\"project_key\": \"SEC\", \"issue_type\": \"Task\", \"aggregate\": \"%s\"}"

static char *jira_creds(const char *aggregate)
{
    size_t n = strlen(JIRA_CREDS) + strlen(aggregate) + 1;
    char *s = malloc(n);
    snprintf(s, n, JIRA_CREDS, aggregate);
    return s;
}

static const char *JIRA_LOGIN_ROUTE =
    "{\"path\": \"/jira/rest/auth/1/session\", \"method\": \"POST\", \"responses\": "
    "[{\"status\": 200, \"body\": {\"session\": {\"name\": \"JSESSIONID\", \"value\": \"abc\"}}}]}";

TEST(jira_creates_issue_after_login)
{
    struct tu_sink s;
    char script[1024];
    snprintf(script, sizeof script,
             "{\"routes\": [%s, {\"path\": \"/jira/rest/api/2/issue\", \"method\": \"POST\", "
             "\"responses\": [{\"status\": 201, \"body\": {\"id\": \"10001\"}}]}]}",
             JIRA_LOGIN_ROUTE);
    if (start_sink(&s, script) != 0)
        TEST_SKIP("no python3 http sink");
    char *creds = jira_creds("no");
    struct run r;
    run_service(&r, &s, "jira", ALERT, NULL, creds);
    CHECK_INT_EQ(r.rc, 0);
    CHECK_INT_EQ(r.nreqs, 2);
    CHECK_REQ(&r, 0, "POST", "/jira/rest/auth/1/session", "", JIRA_LOGIN);
    CHECK_STR_EQ(header(&r, 0, "content-type"), "application/json");
    CHECK(header(&r, 0, "cookie") == NULL);
    CHECK_REQ(&r, 1, "POST", "/jira/rest/api/2/issue", "", JIRA_ISSUE);
    CHECK_STR_EQ(header(&r, 1, "content-type"), "application/json");
    CHECK_STR_EQ(header(&r, 1, "cookie"), "JSESSIONID=abc");
    run_release(&r);
    free(creds);
    tu_sink_stop(&s);
}

TEST(jira_aggregate_comments_on_found_issue)
{
    struct tu_sink s;
    char script[1400];
    snprintf(script, sizeof script,
             "{\"routes\": [%s, "
             "{\"path\": \"/jira/rest/api/2/search\", \"method\": \"GET\", \"responses\": "
             "[{\"status\": 200, \"body\": {\"issues\": [{\"id\": \"10042\", \"fields\": {}}]}}]}, "
             "{\"path\": \"/jira/rest/api/2/issue/10042/comment\", \"method\": \"POST\", "
             "\"responses\": [{\"status\": 201, \"body\": {\"id\": \"9\"}}]}]}",
             JIRA_LOGIN_ROUTE);
    if (start_sink(&s, script) != 0)
        TEST_SKIP("no python3 http sink");
    char *creds = jira_creds("YES");
    struct run r;
    run_service(&r, &s, "jira", ALERT, NULL, creds);
    CHECK_INT_EQ(r.rc, 0);
    CHECK_INT_EQ(r.nreqs, 3);
    CHECK_REQ(&r, 1, "GET", "/jira/rest/api/2/search", JIRA_QUERY, "");
    CHECK_STR_EQ(header(&r, 1, "cookie"), "JSESSIONID=abc");
    CHECK_STR_EQ(header(&r, 1, "content-type"), "application/json");
    CHECK_REQ(&r, 2, "POST", "/jira/rest/api/2/issue/10042/comment", "", JIRA_COMMENT);
    CHECK_STR_EQ(header(&r, 2, "cookie"), "JSESSIONID=abc");
    run_release(&r);
    free(creds);
    tu_sink_stop(&s);
}

TEST(jira_aggregate_falls_back_to_new_issue)
{
    /* the search finds nothing, then (second run) the comment fails: both create an issue */
    struct tu_sink s;
    char script[1600];
    snprintf(script, sizeof script,
             "{\"routes\": [%s, "
             "{\"path\": \"/jira/rest/api/2/search\", \"method\": \"GET\", \"responses\": "
             "[{\"status\": 200, \"body\": {\"issues\": []}}, "
             "{\"status\": 200, \"body\": {\"issues\": [{\"id\": 7}]}}]}, "
             "{\"path\": \"/jira/rest/api/2/issue/7/comment\", \"method\": \"POST\", "
             "\"responses\": [{\"status\": 500, \"body\": \"down\"}]}, "
             "{\"path\": \"/jira/rest/api/2/issue\", \"method\": \"POST\", "
             "\"responses\": [{\"status\": 201, \"body\": {\"id\": \"10002\"}}]}]}",
             JIRA_LOGIN_ROUTE);
    if (start_sink(&s, script) != 0)
        TEST_SKIP("no python3 http sink");
    char *creds = jira_creds("yes");
    struct run r;
    run_service(&r, &s, "jira", ALERT, NULL, creds);
    CHECK_INT_EQ(r.rc, 0);
    CHECK_INT_EQ(r.nreqs, 3);
    CHECK_REQ(&r, 2, "POST", "/jira/rest/api/2/issue", "", JIRA_ISSUE);
    run_release(&r);

    tu_sink_clear(&s);
    run_service(&r, &s, "jira", ALERT, NULL, creds);
    CHECK_INT_EQ(r.rc, 0);
    CHECK_INT_EQ(r.nreqs, 4);
    CHECK_REQ(&r, 2, "POST", "/jira/rest/api/2/issue/7/comment", "", JIRA_COMMENT);
    CHECK_REQ(&r, 3, "POST", "/jira/rest/api/2/issue", "", JIRA_ISSUE);
    run_release(&r);
    free(creds);
    tu_sink_stop(&s);
}

TEST(jira_failures_are_clear_and_secret_free)
{
    struct tu_sink s;
    const char *script =
        "{\"routes\": [{\"path\": \"/jira/rest/auth/1/session\", \"responses\": "
        "[{\"status\": 401, \"body\": \"bad login\"}, "
        "{\"status\": 200, \"body\": {\"session\": {\"name\": \"J\", \"value\": \"1\"}}}]}, "
        "{\"path\": \"/jira/rest/api/2/issue\", \"responses\": [{\"status\": 500}]}]}";
    if (start_sink(&s, script) != 0)
        TEST_SKIP("no python3 http sink");
    char *creds = jira_creds("no");
    struct run r;
    run_service(&r, &s, "jira", ALERT, NULL, creds);
    CHECK(r.rc < 0);
    CHECK_INT_EQ(r.nreqs, 1);
    CHECK_STR_CONTAINS(r.err.msg, "output 'jira:corp'");
    CHECK_STR_CONTAINS(r.err.msg, "login");
    CHECK_STR_CONTAINS(r.err.msg, "HTTP 401");
    CHECK(strstr(r.err.msg, "s3cretPW") == NULL);
    run_release(&r);

    tu_sink_clear(&s);
    run_service(&r, &s, "jira", ALERT, NULL, creds);   /* login ok, issue creation 500 */
    CHECK(r.rc < 0);
    CHECK_INT_EQ(r.nreqs, 2);
    CHECK_STR_CONTAINS(r.err.msg, "issue creation: HTTP 500");
    run_release(&r);

    /* no credentials at all; then credentials lacking fields */
    run_service(&r, &s, "jira", ALERT, NULL, NULL);
    CHECK(r.rc < 0);
    CHECK_STR_CONTAINS(r.err.msg, "jira:corp");
    CHECK_STR_CONTAINS(r.err.msg, "no credentials");
    run_release(&r);
    run_service(&r, &s, "jira", ALERT, NULL, "{\"password\": \"s3cretPW\", \"url\": \"@URL@\"}");
    CHECK(r.rc < 0);
    CHECK_STR_CONTAINS(r.err.msg, "jira:corp");
    CHECK_STR_CONTAINS(r.err.msg, "'username'");
    CHECK_STR_CONTAINS(r.err.msg, "'aggregate'");
    CHECK(strstr(r.err.msg, "s3cretPW") == NULL);
    CHECK_INT_EQ(r.nsent, 0);
    run_release(&r);
    free(creds);
    tu_sink_stop(&s);
}

TEST(jira_v2_uses_basic_auth_and_url_plus_path)
{
    struct tu_sink s;
    const char *script =
        "{\"routes\": [{\"path\": \"/rest/api/2/issue\", \"method\": \"POST\", \"responses\": "
        "[{\"status\": 201, \"body\": {\"id\": \"5\"}}]}], \"default\": {\"status\": 404}}";
    if (start_sink(&s, script) != 0)
        TEST_SKIP("no python3 http sink");
    const char *pub =
        "{\"cluster\":\"prod\",\"record\":{\"k\":1},\"rule_name\":\"my_rule\","
        "\"@jira.issue_summary\":\"Sum \\u2603\",\"@jira.description\":\"line1\\nline2\"}";
    const char *creds = "{\"api_key\": \"k3y\", \"user_name\": \"ann\", \"url\": \"@URL@/\", "
                        "\"project_key\": \"SEC\", \"issue_type\": \"Bug\", \"aggregate\": \"no\"}";
    struct run r;
    run_service(&r, &s, "jira-v2", ALERT, pub, creds);
    CHECK_INT_EQ(r.rc, 0);
    CHECK_INT_EQ(r.nreqs, 1);
    CHECK_REQ(&r, 0, "POST", "/rest/api/2/issue", "",
              "{\"fields\": {\"project\": {\"key\": \"SEC\"}, \"summary\": \"Sum \\u2603\", "
              "\"description\": \"line1\\nline2\", \"issuetype\": {\"name\": \"Bug\"}}}");
    CHECK_STR_EQ(header(&r, 0, "authorization"), "Basic YW5uOmszeQ==");
    CHECK_STR_EQ(header(&r, 0, "accept"), "application/json");
    CHECK_STR_EQ(header(&r, 0, "content-type"), "application/json");
    run_release(&r);

    /* aggregate: the search has no Content-Type and the same auth */
    tu_sink_clear(&s);
    const char *creds2 = "{\"api_key\": \"k3y\", \"user_name\": \"ann\", \"url\": \"@URL@\", "
                         "\"project_key\": \"SEC\", \"issue_type\": \"Bug\", \"aggregate\": \"yes\"}";
    run_service(&r, &s, "jira-v2", ALERT, NULL, creds2);
    CHECK_INT_EQ(r.rc, 0);
    CHECK_INT_EQ(r.nreqs, 2);
    CHECK_REQ(&r, 0, "GET", "/rest/api/2/search", JIRA_QUERY, "");
    CHECK_STR_EQ(header(&r, 0, "authorization"), "Basic YW5uOmszeQ==");
    CHECK(header(&r, 0, "content-type") == NULL);
    CHECK_REQ(&r, 1, "POST", "/rest/api/2/issue", "",
              "{\"fields\": {\"project\": {\"key\": \"SEC\"}, \"summary\": \"StreamAlert my_rule\", "
              "\"description\": " JIRA_DESC_JSON ", \"issuetype\": {\"name\": \"Bug\"}}}");
    run_release(&r);
    tu_sink_stop(&s);
}

/* ---- demisto ---- */

TEST(demisto_incident_with_labels)
{
    struct tu_sink s;
    if (start_sink(&s, "{\"routes\": [{\"path\": \"/dm/incident\", \"responses\": "
                       "[{\"status\": 201, \"body\": {\"id\": \"1\"}}, {\"status\": 500}]}]}") != 0)
        TEST_SKIP("no python3 http sink");
    const char *pub =
        "{\"cluster\":\"prod\",\"context\":{},\"created\":\"2020-01-02T03:04:05.006789Z\","
        "\"id\":\"ed96-1\",\"log_source\":\"cloudwatch:events\",\"log_type\":\"json\","
        "\"outputs\":[\"jira:corp\"],\"publishers\":{},\"record\":{\"k\":\"v\\u00e9\",\"n\":{\"x\":1,"
        "\"l\":[true,null,1.5]}},\"rule_description\":\"desc <b>\",\"rule_name\":\"my_rule\","
        "\"source_entity\":\"stream\",\"source_service\":\"kinesis\",\"staged\":false,"
        "\"@demisto.severity\":\"HIGH\",\"@demisto.incident_name\":42,\"@demisto.playbook\":null}";
    const char *creds = "{\"url\": \"@URL@/dm\", \"token\": \"tok-SECRET\"}";
    struct run r;
    run_service(&r, &s, "demisto", ALERT, pub, creds);
    CHECK_INT_EQ(r.rc, 0);
    CHECK_INT_EQ(r.nreqs, 1);
    CHECK_REQ(
        &r, 0, "POST", "/dm/incident", "",
        "{\"type\": \"Unclassified\", \"name\": \"42\", \"owner\": \"StreamAlert\", \"playbook\": "
        "null, \"severity\": 3, \"labels\": [{\"type\": \"@demisto.incident_name\", \"value\": "
        "\"42\"}, {\"type\": \"@demisto.playbook\", \"value\": \"None\"}, {\"type\": "
        "\"@demisto.severity\", \"value\": \"HIGH\"}, {\"type\": \"cluster\", \"value\": "
        "\"prod\"}, {\"type\": \"created\", \"value\": \"2020-01-02T03:04:05.006789Z\"}, "
        "{\"type\": \"id\", \"value\": \"ed96-1\"}, {\"type\": \"log_source\", \"value\": "
        "\"cloudwatch:events\"}, {\"type\": \"log_type\", \"value\": \"json\"}, {\"type\": "
        "\"outputs[0]\", \"value\": \"jira:corp\"}, {\"type\": \"record.k\", \"value\": "
        "\"v\\u00e9\"}, {\"type\": \"record.n.l[0]\", \"value\": \"True\"}, {\"type\": "
        "\"record.n.l[1]\", \"value\": \"None\"}, {\"type\": \"record.n.l[2]\", \"value\": "
        "\"1.5\"}, {\"type\": \"record.n.x\", \"value\": \"1\"}, {\"type\": "
        "\"rule_description\", \"value\": \"desc <b>\"}, {\"type\": \"rule_name\", \"value\": "
        "\"my_rule\"}, {\"type\": \"source_entity\", \"value\": \"stream\"}, {\"type\": "
        "\"source_service\", \"value\": \"kinesis\"}, {\"type\": \"staged\", \"value\": "
        "\"False\"}], \"customFields\": {}, \"details\": \"desc <b>\", \"createInvestigation\": "
        "true}");
    CHECK_STR_EQ(header(&r, 0, "authorization"), "tok-SECRET");
    CHECK_STR_EQ(header(&r, 0, "accept"), "application/json");
    CHECK_STR_EQ(header(&r, 0, "content-type"), "application/json");
    run_release(&r);

    /* label_data override, informational severity, defaults; then a 500 fails */
    tu_sink_clear(&s);
    const char *pub2 =
        "{\"rule_name\":\"x\",\"@demisto.label_data\":{\"z\":[],\"b\":{\"c\":[1,{\"d\":\"x\"}]},"
        "\"a\":{},\"a.b\":0.5},\"@demisto.severity\":\"Informational\"}";
    run_service(&r, &s, "demisto", ALERT, pub2, creds);
    CHECK_INT_EQ(r.rc, VGL_EIO);
    CHECK_INT_EQ(r.nreqs, 1);
    CHECK_REQ(&r, 0, "POST", "/dm/incident", "",
              "{\"type\": \"Unclassified\", \"name\": \"my_rule\", \"owner\": \"StreamAlert\", "
              "\"playbook\": \"Unknown\", \"severity\": 0.5, \"labels\": [{\"type\": \"a.b\", "
              "\"value\": \"0.5\"}, {\"type\": \"b.c[0]\", \"value\": \"1\"}, {\"type\": "
              "\"b.c[1].d\", \"value\": \"x\"}], \"customFields\": {}, \"details\": \"desc <b>\", "
              "\"createInvestigation\": true}");
    CHECK_STR_CONTAINS(r.err.msg, "output 'demisto:corp'");
    CHECK_STR_CONTAINS(r.err.msg, "HTTP 500");
    CHECK(strstr(r.err.msg, "tok-SECRET") == NULL);
    run_release(&r);
    tu_sink_stop(&s);
}

/* ---- phantom ---- */

static const char *PH_ARTIFACT_PREFIX = "{\"cef\": " PUB_RECORD ", \"container_id\": ";
static const char *PH_ARTIFACT_SUFFIX =
    ", \"data\": " PUB_PY ", \"name\": \"Phantom Artifact\", \"label\": \"Alert\"}";

static char *ph_artifact(const char *id)
{
    size_t n = strlen(PH_ARTIFACT_PREFIX) + strlen(id) + strlen(PH_ARTIFACT_SUFFIX) + 1;
    char *s = malloc(n);
    snprintf(s, n, "%s%s%s", PH_ARTIFACT_PREFIX, id, PH_ARTIFACT_SUFFIX);
    return s;
}

TEST(phantom_uses_existing_container)
{
    struct tu_sink s;
    const char *script =
        "{\"routes\": [{\"path\": \"/ph/rest/container\", \"method\": \"GET\", \"responses\": "
        "[{\"status\": 200, \"body\": {\"count\": 1, \"data\": [{\"id\": 7}]}}]}, "
        "{\"path\": \"/ph/rest/artifact\", \"method\": \"POST\", \"responses\": "
        "[{\"status\": 200, \"body\": {\"id\": 99}}]}]}";
    if (start_sink(&s, script) != 0)
        TEST_SKIP("no python3 http sink");
    const char *creds = "{\"ph_auth_token\": \"ph-SECRET\", \"url\": \"@URL@/ph/\"}";
    struct run r;
    run_service(&r, &s, "phantom", ALERT, NULL, creds);
    CHECK_INT_EQ(r.rc, 0);
    CHECK_INT_EQ(r.nreqs, 2);
    CHECK_REQ(&r, 0, "GET", "/ph/rest/container", "_filter_name=%22my_rule%22&page_size=1", "");
    CHECK_STR_EQ(header(&r, 0, "ph-auth-token"), "ph-SECRET");
    CHECK(header(&r, 0, "content-type") == NULL);
    char *art = ph_artifact("7");
    CHECK_REQ(&r, 1, "POST", "/ph/rest/artifact", "", art);
    free(art);
    CHECK_STR_EQ(header(&r, 1, "ph-auth-token"), "ph-SECRET");
    CHECK_STR_EQ(header(&r, 1, "content-type"), "application/json");
    run_release(&r);
    tu_sink_stop(&s);
}

TEST(phantom_creates_container_when_count_is_falsy)
{
    struct tu_sink s;
    const char *script =
        "{\"routes\": [{\"path\": \"/ph/rest/container\", \"method\": \"GET\", \"responses\": "
        "[{\"status\": 200, \"body\": {\"count\": 0, \"data\": []}}, {\"status\": 500}]}, "
        "{\"path\": \"/ph/rest/container\", \"method\": \"POST\", \"responses\": "
        "[{\"status\": 200, \"body\": {\"id\": \"c-12\"}}, {\"status\": 200, \"body\": {}}]}, "
        "{\"path\": \"/ph/rest/artifact\", \"method\": \"POST\", \"responses\": "
        "[{\"status\": 201}]}]}";
    if (start_sink(&s, script) != 0)
        TEST_SKIP("no python3 http sink");
    const char *creds = "{\"ph_auth_token\": \"ph-SECRET\", \"url\": \"@URL@/ph\"}";
    struct run r;
    run_service(&r, &s, "phantom", ALERT, NULL, creds);
    CHECK_INT_EQ(r.rc, 0);
    CHECK_INT_EQ(r.nreqs, 3);
    CHECK_REQ(&r, 1, "POST", "/ph/rest/container", "",
              "{\"name\": \"my_rule\", \"description\": \"desc <b>\"}");
    CHECK_STR_EQ(header(&r, 1, "content-type"), "application/json");
    char *art = ph_artifact("\"c-12\"");
    CHECK_REQ(&r, 2, "POST", "/ph/rest/artifact", "", art);
    free(art);
    run_release(&r);

    /* look-up fails (500: create), creation answers without an id: failure, no artifact */
    tu_sink_clear(&s);
    run_service(&r, &s, "phantom", ALERT, NULL, creds);
    CHECK(r.rc < 0);
    CHECK_INT_EQ(r.nreqs, 2);
    CHECK_STR_EQ(field(&r, 1, "method"), "POST");
    CHECK_STR_CONTAINS(r.err.msg, "container creation");
    CHECK(strstr(r.err.msg, "ph-SECRET") == NULL);
    run_release(&r);
    tu_sink_stop(&s);
}

/* ---- komand ---- */

TEST(komand_posts_publication)
{
    struct tu_sink s;
    if (start_sink(&s, "{\"routes\": [{\"path\": \"/trigger\", \"responses\": "
                       "[{\"status\": 200}, {\"status\": 500, \"body\": \"nope\"}]}]}") != 0)
        TEST_SKIP("no python3 http sink");
    const char *creds = "{\"komand_auth_token\": \"km-SECRET\", \"url\": \"@URL@/trigger/x\"}";
    struct run r;
    run_service(&r, &s, "komand", ALERT, NULL, creds);
    CHECK_INT_EQ(r.rc, 0);
    CHECK_INT_EQ(r.nreqs, 1);
    CHECK_REQ(&r, 0, "POST", "/trigger/x", "", "{\"data\": " PUB_PY "}");
    CHECK_STR_EQ(header(&r, 0, "authorization"), "km-SECRET");
    CHECK_STR_EQ(header(&r, 0, "content-type"), "application/json");
    run_release(&r);
    run_service(&r, &s, "komand", ALERT, NULL, creds);
    CHECK_INT_EQ(r.rc, VGL_EIO);
    CHECK_STR_CONTAINS(r.err.msg, "output 'komand:corp'");
    CHECK_STR_CONTAINS(r.err.msg, "HTTP 500");
    CHECK(strstr(r.err.msg, "km-SECRET") == NULL);
    run_release(&r);
    tu_sink_stop(&s);
}

/* ---- victorops ---- */

TEST(victorops_posts_record_to_routing_key)
{
    struct tu_sink s;
    if (start_sink(&s, NULL) != 0)
        TEST_SKIP("no python3 http sink");
    const char *creds = "{\"victorops_api_id\": \"id1\", \"victorops_api_key\": \"vo-SECRET\", "
                        "\"url\": \"@URL@/vo\", \"routing_key\": \"rk123\"}";
    struct run r;
    run_service(&r, &s, "victorops", ALERT, NULL, creds);
    CHECK_INT_EQ(r.rc, 0);
    CHECK_INT_EQ(r.nreqs, 1);
    CHECK_REQ(&r, 0, "POST", "/vo/rk123", "",
              "{\"message_type\": \"CRITICAL\", \"entity_id\": \"streamalert/alert\", "
              "\"entity_display_name\": \"my_rule\", \"record\": " PUB_RECORD "}");
    CHECK_STR_EQ(header(&r, 0, "x-vo-api-id"), "id1");
    CHECK_STR_EQ(header(&r, 0, "x-vo-api-key"), "vo-SECRET");
    CHECK_STR_EQ(header(&r, 0, "content-type"), "application/json");
    run_release(&r);

    /* a publication without "record" fails before sending anything */
    tu_sink_clear(&s);
    run_service(&r, &s, "victorops", ALERT, "{\"rule_name\": \"my_rule\"}", creds);
    CHECK(r.rc < 0);
    CHECK_INT_EQ(r.nreqs, 0);
    CHECK_STR_CONTAINS(r.err.msg, "victorops:corp");
    CHECK_STR_CONTAINS(r.err.msg, "'record'");
    run_release(&r);
    tu_sink_stop(&s);
}

/* ---- carbonblack ---- */

static const char *CB_ALERT_UPPER =
    "{\"rule_name\":\"r\",\"record\":{},\"context\":{\"carbonblack\":{\"action\":\"ban\","
    "\"value\":\"D41D8CD98F00B204E9800998ECF8427E\"}}}";
static const char *CB_ALERT_LOWER =
    "{\"rule_name\":\"r\",\"record\":{},\"context\":{\"carbonblack\":{\"action\":\"ban\","
    "\"value\":\"d41d8cd98f00b204e9800998ecf8427e\"}}}";
static const char *CB_CREDS = "{\"url\": \"@URL@/cb//\", \"token\": \"cb-SECRET\"}";

TEST(carbonblack_creates_ban)
{
    struct tu_sink s;
    const char *script =
        "{\"routes\": ["
        "{\"path\": \"/cb/api/v1/banning/blacklist/d41d\", \"method\": \"GET\", "
        "\"responses\": [{\"status\": 404, \"body\": \"not found\"}]}, "
        "{\"path\": \"/cb/api/v1/banning/blacklist/D41D\", \"method\": \"GET\", "
        "\"responses\": [{\"status\": 200, \"body\": {\"md5hash\": \"d41d\", \"enabled\": true}}]}, "
        "{\"path\": \"/cb/api/v1/banning/blacklist\", \"method\": \"POST\", "
        "\"responses\": [{\"status\": 200, \"body\": {\"result\": \"success\"}}]}]}";
    if (start_sink(&s, script) != 0)
        TEST_SKIP("no python3 http sink");
    struct run r;
    run_service(&r, &s, "carbonblack", CB_ALERT_UPPER, NULL, CB_CREDS);
    CHECK_INT_EQ(r.rc, 0);
    CHECK_INT_EQ(r.nreqs, 3);
    CHECK_REQ(&r, 0, "GET", "/cb/api/v1/banning/blacklist/d41d8cd98f00b204e9800998ecf8427e", "",
              "");
    CHECK_STR_EQ(header(&r, 0, "x-auth-token"), "cb-SECRET");
    CHECK(header(&r, 0, "content-type") == NULL);
    CHECK_REQ(&r, 1, "POST", "/cb/api/v1/banning/blacklist", "",
              "{\"enabled\": true, \"md5hash\": \"D41D8CD98F00B204E9800998ECF8427E\", \"text\": "
              "\"Banned from StreamAlert\"}");
    CHECK_STR_EQ(header(&r, 1, "content-type"), "application/json");
    CHECK_STR_EQ(header(&r, 1, "x-auth-token"), "cb-SECRET");
    CHECK_REQ(&r, 2, "GET", "/cb/api/v1/banning/blacklist/D41D8CD98F00B204E9800998ECF8427E", "",
              "");
    run_release(&r);
    tu_sink_stop(&s);
}

TEST(carbonblack_enables_disabled_ban)
{
    struct tu_sink s;
    const char *script =
        "{\"routes\": ["
        "{\"path\": \"/cb/api/v1/banning/blacklist/\", \"method\": \"GET\", \"responses\": "
        "[{\"status\": 200, \"body\": {\"md5hash\": \"d41d8cd98f00b204e9800998ecf8427e\", "
        "\"enabled\": false, \"text\": \"old\", \"user_id\": 3}}]}, "
        "{\"path\": \"/cb/api/v1/banning/blacklist\", \"method\": \"POST\", \"responses\": "
        "[{\"status\": 200, \"body\": {\"md5hash\": \"d41d8cd98f00b204e9800998ecf8427e\", "
        "\"enabled\": true}}]}]}";
    if (start_sink(&s, script) != 0)
        TEST_SKIP("no python3 http sink");
    struct run r;
    run_service(&r, &s, "carbonblack", CB_ALERT_LOWER, NULL, CB_CREDS);
    CHECK_INT_EQ(r.rc, 0);
    CHECK_INT_EQ(r.nreqs, 4);
    for (size_t i = 0; i < 3; i++)
        CHECK_REQ(&r, i, "GET", "/cb/api/v1/banning/blacklist/d41d8cd98f00b204e9800998ecf8427e",
                  "", "");
    CHECK_REQ(&r, 3, "POST", "/cb/api/v1/banning/blacklist", "",
              "{\"enabled\": true, \"md5hash\": \"d41d8cd98f00b204e9800998ecf8427e\", \"text\": "
              "\"old\", \"user_id\": 3}");
    run_release(&r);
    tu_sink_stop(&s);
}

TEST(carbonblack_enabled_ban_and_bad_context)
{
    struct tu_sink s;
    const char *script =
        "{\"routes\": [{\"path\": \"/cb/api/v1/banning/blacklist/\", \"method\": \"GET\", "
        "\"responses\": [{\"status\": 200, \"body\": {\"md5hash\": \"x\", \"enabled\": true}}]}]}";
    if (start_sink(&s, script) != 0)
        TEST_SKIP("no python3 http sink");
    struct run r;
    run_service(&r, &s, "carbonblack", CB_ALERT_LOWER, NULL, CB_CREDS);
    CHECK_INT_EQ(r.rc, 0);
    CHECK_INT_EQ(r.nreqs, 2);   /* `if binary.banned` and `binary.banned.enabled` */
    run_release(&r);

    tu_sink_clear(&s);
    run_service(&r, &s, "carbonblack", ALERT, NULL, CB_CREDS);   /* context {} */
    CHECK(r.rc < 0);
    CHECK_STR_CONTAINS(r.err.msg, "carbonblack:corp");
    CHECK_STR_CONTAINS(r.err.msg, "no context");
    run_release(&r);
    run_service(&r, &s, "carbonblack",
                "{\"context\":{\"carbonblack\":{\"action\":\"isolate\",\"value\":\"h\"}}}", NULL,
                CB_CREDS);
    CHECK(r.rc < 0);
    CHECK_STR_CONTAINS(r.err.msg, "'isolate' is not supported");
    run_release(&r);
    run_service(&r, &s, "carbonblack",
                "{\"context\":{\"carbonblack\":{\"action\":\"ban\",\"value\":\"abc\"}}}", NULL,
                CB_CREDS);
    CHECK(r.rc < 0);
    CHECK_STR_CONTAINS(r.err.msg, "not an MD5 hash");
    run_release(&r);
    run_service(&r, &s, "carbonblack", CB_ALERT_LOWER, NULL, "{\"url\": \"@URL@\"}");
    CHECK(r.rc < 0);
    CHECK_STR_CONTAINS(r.err.msg, "'token'");
    run_release(&r);
    CHECK_INT_EQ(r.nreqs, 0);
    tu_sink_stop(&s);
}

TEST(services_are_registered)
{
    const char *names[] = {"jira", "jira-v2", "demisto", "phantom", "komand", "victorops",
                           "carbonblack"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const struct vgl_output_ops *ops = vgl_output_find(names[i]);
        CHECK(ops != NULL);
        if (ops) {
            CHECK_STR_EQ(ops->name, names[i]);
            CHECK_INT_EQ(ops->form, VGL_OUTPUT_LIST);
        }
    }
}

TEST_MAIN(T(services_are_registered), T(jira_creates_issue_after_login),
          T(jira_aggregate_comments_on_found_issue), T(jira_aggregate_falls_back_to_new_issue),
          T(jira_failures_are_clear_and_secret_free), T(jira_v2_uses_basic_auth_and_url_plus_path),
          T(demisto_incident_with_labels), T(phantom_uses_existing_container),
          T(phantom_creates_container_when_count_is_falsy), T(komand_posts_publication),
          T(victorops_posts_record_to_routing_key), T(carbonblack_creates_ban),
          T(carbonblack_enables_disabled_ban), T(carbonblack_enabled_ban_and_bad_context))
