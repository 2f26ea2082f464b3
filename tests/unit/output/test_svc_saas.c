/*
 * Unit tests for the saas output services (svc_slack.c, svc_teams.c, svc_pagerduty.c,
 * svc_github.c): each service's step machine runs against tests/tools/http_sink.py on
 * loopback, requests sent with vgl_http_perform; the test checks the method, path, query,
 * headers and body the sink logged, byte for byte (expected bodies were produced with
 * Python's json.dumps and StreamAlert's formatting code), and the verdict.
 */
#define _DEFAULT_SOURCE   /* usleep() in sinkutil.h */
#include <stdarg.h>
#include <stdbool.h>
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

/* ---- expected bodies (python3 json.dumps of what StreamAlert builds) ---- */

#define EXP_TEAMS "{\"title\": \"StreamAlert Rule Triggered: rule_x\", \"text\": \"desc \\\"q\\\"\", \"themeColor\": \"E81123\", \"sections\": [{\"activityTitle\": \"Alert Info\", \"facts\": [{\"name\": \"rule_name\", \"value\": \"rule_x\"}, {\"name\": \"alert_id\", \"value\": \"alert-id\"}]}, {\"activityTitle\": \"StreamAlert Alert Record\", \"facts\": [{\"name\": \"k\", \"value\": \"v\"}, {\"name\": \"n\", \"value\": \"{'x': 1}\"}, {\"name\": \"f\", \"value\": \"1.0\"}, {\"name\": \"b\", \"value\": \"True\"}, {\"name\": \"z\", \"value\": \"None\"}, {\"name\": \"u\", \"value\": \"\\u00e9\\u2603\"}]}, {\"activityTitle\": \"More\", \"text\": \"t\"}], \"potentialAction\": [{\"@context\": \"http://schema.org\", \"@type\": \"ViewAction\", \"name\": \"Open\", \"target\": [\"https://x/1\"]}]}"
#define EXP_TEAMS2 "{\"title\": \"T2\", \"text\": \"D2\", \"themeColor\": \"00FF00\", \"sections\": [{\"activityTitle\": \"Alert Info\", \"facts\": [{\"name\": \"rule_name\", \"value\": \"rule_x\"}, {\"name\": \"alert_id\", \"value\": \"alert-id\"}]}]}"
#define EXP_PD1 "{\"service_key\": \"sk-1\", \"event_type\": \"trigger\", \"description\": \"StreamAlert Rule Triggered - rule_x\", \"details\": {\"description\": \"desc \\\"q\\\"\", \"record\": {\"k\": \"v\", \"n\": {\"x\": 1}, \"f\": 1.0, \"b\": true, \"z\": null, \"u\": \"\\u00e9\\u2603\"}}, \"client\": \"streamalert\", \"client_url\": \"\", \"contexts\": [{\"type\": \"link\", \"href\": \"h\", \"text\": \"t\"}, {\"type\": \"image\", \"src\": \"s\"}]}"
#define EXP_PD2 "{\"routing_key\": \"rk-1\", \"event_action\": \"trigger\", \"dedup_key\": \"pd:alert-id\", \"payload\": {\"summary\": \"Sum\", \"source\": \"cloudwatch:events\", \"severity\": \"critical\", \"custom_details\": {\"description\": \"desc \\\"q\\\"\", \"record\": {\"k\": \"v\", \"n\": {\"x\": 1}, \"f\": 1.0, \"b\": true, \"z\": null, \"u\": \"\\u00e9\\u2603\"}}, \"component\": \"comp\", \"group\": null, \"class\": null}, \"client\": \"StreamAlert\", \"client_url\": null, \"images\": [{\"src\": \"i1\", \"href\": \"\", \"alt\": \"\"}, {\"src\": \"i2\", \"href\": \"h2\", \"alt\": \"a2\"}], \"links\": [{\"href\": \"l1\", \"text\": \"l1\"}, {\"href\": \"l2\", \"text\": \"t2\"}]}"
#define EXP_PDI_EVENT "{\"routing_key\": \"ik-1\", \"event_action\": \"trigger\", \"dedup_key\": \"inc:alert-id\", \"payload\": {\"summary\": \"StreamAlert Rule Triggered - rule_x\", \"source\": \"cloudwatch:events\", \"severity\": \"critical\", \"custom_details\": {\"description\": \"desc \\\"q\\\"\"}, \"component\": null, \"group\": null, \"class\": null}, \"client\": \"StreamAlert\", \"client_url\": null, \"images\": [], \"links\": []}"
#define EXP_PDI_PUT "{\"incident\": {\"type\": \"incident\", \"title\": \"StreamAlert Incident - Rule triggered: rule_x\", \"service\": {\"id\": \"SVC1\", \"type\": \"service_reference\"}, \"body\": {\"type\": \"incident_body\", \"details\": \"desc \\\"q\\\"\"}, \"priority\": {\"id\": \"PHIGH\", \"type\": \"priority_reference\"}, \"assignments\": [{\"assignee\": {\"id\": \"PASSIGN\", \"type\": \"user_reference\"}}], \"urgency\": \"low\"}}"
#define EXP_PDI_RR "{\"requester_id\": \"PREQ\", \"message\": \"An incident was reported that requires your attention.\", \"responder_request_targets\": [{\"responder_request_target\": {\"id\": \"PRESP1\", \"type\": \"user_reference\"}}]}"
#define EXP_PDI_NOTE "{\"note\": {\"content\": \"my note\"}}"
#define EXP_PDI_ERRNOTE "{\"note\": {\"content\": \"StreamAlert failed to correctly setup this incident. Please contact your StreamAlert administrator.\\n\\nErrors:\\n- [pagerduty-incident] Failed to request a responder (r2@example.com) on incident (PINC)\"}}"
#define EXP_PDI_PUT2 "{\"incident\": {\"type\": \"incident\", \"title\": \"StreamAlert Incident - Rule triggered: rule_x\", \"service\": {\"id\": \"SVC1\", \"type\": \"service_reference\"}, \"body\": {\"type\": \"incident_body\", \"details\": \"desc \\\"q\\\"\"}, \"escalation_policy\": {\"id\": \"EP1\", \"type\": \"escalation_policy_reference\"}}}"
#define EXP_GH "{\"title\": \"StreamAlert: rule_x\", \"body\": \"### Description\\ndesc \\\"q\\\"\\n\\n### Event data\\n\\n```\\n{\\n  \\\"b\\\": true,\\n  \\\"f\\\": 1.0,\\n  \\\"k\\\": \\\"v\\\",\\n  \\\"n\\\": {\\n    \\\"x\\\": 1\\n  },\\n  \\\"u\\\": \\\"\\\\u00e9\\\\u2603\\\",\\n  \\\"z\\\": null\\n}\\n```\", \"labels\": [\"bug\", \"security\", \" x\"]}"
#define EXP_GH_AUTH "Basic b2N0bzp0b2sxMjM="

#define ALERT_FMT                                                                                \
    "{\"id\": \"alert-id\", \"rule_name\": \"rule_x\", \"record\": %s, "                         \
    "\"rule_description\": \"desc \\\"q\\\"\", \"created\": \"2020-01-02T03:04:05.006789Z\", "   \
    "\"context\": %s, \"log_source\": \"cloudwatch:events\", \"log_type\": \"json\", "           \
    "\"outputs\": [], \"publishers\": {}, \"source_entity\": \"stream\", "                       \
    "\"source_service\": \"kinesis\", \"staged\": false, \"cluster\": \"prod\"}"
#define RECORD "{\"k\": \"v\", \"n\": {\"x\": 1}, \"f\": 1.0, \"b\": true, \"z\": null, \"u\": \"\\u00e9\\u2603\"}"

#define MAX_SENT 32

struct fx {
    struct vgl_arena arena;
    struct vgl_json alert, pub, creds;
    struct vgl_output_env env;
    struct vgl_output_ctx ctx;
    const struct vgl_output_ops *ops;
    struct tu_sink sink;
    struct vgl_json log[MAX_SENT];   /* the sink's entries of the last run */
    size_t nlog;
    long delays[MAX_SENT];           /* ctx->delay_ms of each request sent */
    size_t nsent;
    struct vgl_error err;
};

static struct vgl_json parse(struct vgl_arena *a, const char *text)
{
    size_t n = strlen(text);
    char *copy = vgl_arena_strndup(a, text, n);
    struct vgl_json v;
    struct vgl_error e = {0};
    if (vgl_json_parse(copy, n, a, NULL, &v, &e) < 0) {
        fprintf(stderr, "bad test JSON: %s\n%s\n", e.msg, text);
        abort();
    }
    return v;
}

/* printf into the arena */
static char *afmt(struct vgl_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *afmt(struct vgl_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = vgl_arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* Starts the sink (script may be NULL); 0 or -1. */
static int fx_start(struct fx *f, const char *script)
{
    memset(f, 0, sizeof *f);
    vgl_arena_init(&f->arena, 0);
    return tu_sink_start(&f->sink, script);
}

/* text with every "%s" replaced by url, in the arena */
static char *with_url(struct vgl_arena *a, const char *text, const char *url)
{
    struct vgl_buf b;
    vgl_buf_init(&b, 0);
    for (const char *p = text; *p; p++) {
        if (p[0] == '%' && p[1] == 's') {
            vgl_buf_puts(&b, url);
            p++;
        } else {
            vgl_buf_putc(&b, *p);
        }
    }
    char *r = vgl_arena_strndup(a, b.data ? b.data : "", b.len);
    vgl_buf_release(&b);
    return r;
}

/* Sets up a ctx: alert/pub/creds are JSON texts (pub, creds may be NULL); "%s" in creds is
 * replaced by the sink's URL. */
static void fx_ctx(struct fx *f, const char *service, const char *descriptor, const char *alert,
                   const char *pub, const char *creds)
{
    f->ops = vgl_output_find(service);
    f->alert = parse(&f->arena, alert);
    f->pub = parse(&f->arena, pub ? pub : "{}");
    if (creds)
        f->creds = parse(&f->arena, with_url(&f->arena, creds, f->sink.url));
    vgl_output_env_defaults(&f->env);
    f->env.pagerduty_events_url = f->sink.url;
    f->env.pagerduty_api_url = afmt(&f->arena, "%s/", f->sink.url);   /* a '/' is trimmed */
    f->env.github_api_url = f->sink.url;
    memset(&f->ctx, 0, sizeof f->ctx);
    f->ctx.service = service;
    f->ctx.descriptor = descriptor;
    f->ctx.alert = &f->alert;
    f->ctx.pub = &f->pub;
    f->ctx.creds = creds ? &f->creds : NULL;
    f->ctx.env = &f->env;
    f->ctx.arena = &f->arena;
    vgl_error_clear(&f->err);
}

/* Runs the step machine, sending each request to the sink; reads the sink's log. */
static int fx_run(struct fx *f)
{
    tu_sink_clear(&f->sink);
    f->nsent = 0;
    f->nlog = 0;
    if (!f->ops) {
        fprintf(stderr, "service '%s' not registered\n", f->ctx.service);
        return -100;
    }
    struct vgl_http_request req;
    memset(&req, 0, sizeof req);
    int rc = f->ops->step(&f->ctx, NULL, &req, &f->err);
    while (rc == VGL_OUTPUT_SEND && f->nsent < MAX_SENT) {
        f->delays[f->nsent++] = f->ctx.delay_ms;
        struct vgl_http_response resp;
        memset(&resp, 0, sizeof resp);
        struct vgl_error herr = {0};
        if (vgl_http_perform(&req, &resp, 1, 0, &herr) < 0) {
            fprintf(stderr, "http layer failed: %s\n", herr.msg);
            return -101;
        }
        rc = f->ops->step(&f->ctx, &resp, &req, &f->err);
        vgl_http_response_release(&resp);
    }
    char *log = tu_sink_log(&f->sink);
    char *save = NULL;
    for (char *line = strtok_r(log, "\n", &save); line && f->nlog < MAX_SENT;
         line = strtok_r(NULL, "\n", &save))
        f->log[f->nlog++] = parse(&f->arena, line);
    free(log);
    return rc;
}

static void fx_end(struct fx *f)
{
    tu_sink_stop(&f->sink);
    vgl_arena_release(&f->arena);
}

/* A string member of logged request i, NUL-terminated ("(missing)" when absent). */
static const char *field(struct fx *f, size_t i, const char *key)
{
    if (i >= f->nlog)
        return "(no such request)";
    const struct vgl_json *v = vgl_json_getz(&f->log[i], key);
    if (!v || v->type != VGL_JSON_STRING)
        return "(missing)";
    return vgl_arena_strndup(&f->arena, v->u.s, v->len);
}

/* Header name (lower case) of logged request i, or NULL when absent. */
static const char *header(struct fx *f, size_t i, const char *name)
{
    if (i >= f->nlog)
        return NULL;
    const struct vgl_json *h = vgl_json_getz(&f->log[i], "headers");
    const struct vgl_json *v = h ? vgl_json_getz(h, name) : NULL;
    if (!v || v->type != VGL_JSON_STRING)
        return NULL;
    return vgl_arena_strndup(&f->arena, v->u.s, v->len);
}

static void check_request(struct fx *f, size_t i, const char *method, const char *path,
                          const char *query, const char *body)
{
    CHECK_STR_EQ(field(f, i, "method"), method);
    CHECK_STR_EQ(field(f, i, "path"), path);
    CHECK_STR_EQ(field(f, i, "query"), query);
    if (body) {
        CHECK_STR_EQ(field(f, i, "body"), body);
        CHECK_STR_EQ(header(f, i, "content-type"), "application/json");
    }
}

/* s repeated n times, in the arena */
static char *rep(struct vgl_arena *a, const char *s, size_t n)
{
    size_t l = strlen(s);
    char *out = vgl_arena_alloc(a, l * n + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(out + i * l, s, l);
    out[l * n] = 0;
    return out;
}

static char *alert_with(struct vgl_arena *a, const char *record, const char *context)
{
    return afmt(a, ALERT_FMT, record, context);
}

/* ---- slack ---- */

TEST(slack_default_attachments_multi_chunk)
{
    struct fx f;
    if (fx_start(&f, NULL) != 0)
        TEST_SKIP("http_sink.py did not start");
    /* "a": 4500 x U+00E9 gives a hard cut (a real character lost: the QUIRK) and shows
     * that lengths count code points; "b" is cut at a space; the rest at newlines */
    char *rec = afmt(&f.arena,
                     "{\"f\": \"\\u00e9&'<>\\\"\", \"a\": \"%s\", \"b\": \"%sw\", "
                     "\"c\": {\"e\": {}, \"d\": [1, 2.5, true, null, {}, []]}}",
                     rep(&f.arena, "\xc3\xa9", 4500), rep(&f.arena, "w ", 2099));
    fx_ctx(&f, "slack", "chan", alert_with(&f.arena, rec, "{}"), NULL, "{\"url\": \"%s/hook\"}");
    CHECK_INT_EQ(fx_run(&f), 0);
    CHECK_INT_EQ(f.nlog, 1);
    const char *T = "*StreamAlert Rule Triggered: rule_x*";
    const char *chunks[5] = {
        "*a:*",
        rep(&f.arena, "\\u00e9", 4000),
        rep(&f.arena, "\\u00e9", 499),
        afmt(&f.arena, "*b:* %sw", rep(&f.arena, "w ", 1997)),
        afmt(&f.arena, "%sw\\n*c:*\\n\\t*d:*\\n\\t\\t*[1]* 1\\n\\t\\t*[2]* 2.5\\n\\t\\t*[3]* True"
                       "\\n\\t\\t*[4]* None\\n\\t\\t*[5]* {}\\n\\t\\t*[6]* []\\n\\t*e:* {}\\n*f:* "
                       "\\u00e9&amp;&#x27;&lt;&gt;&quot;",
             rep(&f.arena, "w ", 101)),
    };
    struct vgl_buf exp;
    vgl_buf_init(&exp, 0);
    vgl_buf_printf(&exp, "{\"text\": \"%s\", \"mrkdwn\": true, \"attachments\": [", T);
    for (int i = 0; i < 5; i++)
        vgl_buf_printf(&exp,
                       "%s{\"fallback\": \"%s\", \"color\": \"#b22222\", \"pretext\": \"%s\", "
                       "\"title\": \"Record (Part %d of 5):\", \"text\": \"%s\", \"mrkdwn_in\": "
                       "[\"text\", \"pretext\"]}",
                       i ? ", " : "", T, i == 0 ? "*Rule Description:*\\ndesc \\\"q\\\"\\n" : "",
                       i + 1, chunks[i]);
    vgl_buf_puts(&exp, "]}");
    check_request(&f, 0, "POST", "/hook", "", exp.data);
    vgl_buf_release(&exp);
    fx_end(&f);
}

TEST(slack_default_attachments_at_most_20)
{
    struct fx f;
    if (fx_start(&f, NULL) != 0)
        TEST_SKIP("http_sink.py did not start");
    /* 25 lines of 3996 characters: 25 parts, of which 20 are sent */
    struct vgl_buf rec;
    vgl_buf_init(&rec, 0);
    vgl_buf_putc(&rec, '{');
    for (int i = 0; i < 25; i++)
        vgl_buf_printf(&rec, "%s\"k%02d\": \"%s\"", i ? ", " : "", i, rep(&f.arena, "z", 3989));
    vgl_buf_putc(&rec, '}');
    fx_ctx(&f, "slack", "chan", alert_with(&f.arena, rec.data, "{}"),
           "{\"@slack.text\": \"hi\"}", "{\"url\": \"%s/hook\"}");
    vgl_buf_release(&rec);
    CHECK_INT_EQ(fx_run(&f), 0);
    struct vgl_json body = parse(&f.arena, field(&f, 0, "body"));
    const struct vgl_json *att = vgl_json_getz(&body, "attachments");
    CHECK(att && att->type == VGL_JSON_ARRAY && att->len == 20);
    if (att && att->len == 20) {
        const struct vgl_json *t0 = vgl_json_getz(&att->u.items[0], "title");
        const struct vgl_json *t19 = vgl_json_getz(&att->u.items[19], "title");
        const struct vgl_json *x19 = vgl_json_getz(&att->u.items[19], "text");
        const struct vgl_json *fb = vgl_json_getz(&att->u.items[19], "fallback");
        CHECK_STR_EQ(vgl_arena_strndup(&f.arena, t0->u.s, t0->len), "Record (Part 1 of 25):");
        CHECK_STR_EQ(vgl_arena_strndup(&f.arena, t19->u.s, t19->len), "Record (Part 20 of 25):");
        CHECK_STR_EQ(vgl_arena_strndup(&f.arena, x19->u.s, x19->len),
                     afmt(&f.arena, "*k19:* %s", rep(&f.arena, "z", 3989)));
        CHECK_STR_EQ(vgl_arena_strndup(&f.arena, fb->u.s, fb->len), "hi");
    }
    CHECK_STR_CONTAINS(field(&f, 0, "body"), "{\"text\": \"hi\", \"mrkdwn\": true, ");
    fx_end(&f);
}

TEST(slack_custom_attachments)
{
    struct fx f;
    if (fx_start(&f, NULL) != 0)
        TEST_SKIP("http_sink.py did not start");
    char *pub = afmt(&f.arena,
                     "{\"@slack.text\": \"Custom\", \"@slack.attachments\": [{\"text\": \"%s%s\", "
                     "\"footer\": \"F\", \"callback_id\": \"cb\", \"fields\": [{\"title\": \"a\", "
                     "\"value\": \"b\"}]}]}",
                     rep(&f.arena, "\xc3\xa9", 2000), rep(&f.arena, "x", 2010));
    fx_ctx(&f, "slack", "chan", alert_with(&f.arena, RECORD, "{}"), pub, "{\"url\": \"%s/hook\"}");
    CHECK_INT_EQ(fx_run(&f), 0);
    char *exp = afmt(
        &f.arena,
        "{\"text\": \"Custom\", \"mrkdwn\": true, \"attachments\": [{\"fallback\": \"\", \"color\": "
        "\"#36a64f\", \"pretext\": \"\", \"author_name\": \"\", \"author_link\": \"\", "
        "\"author_icon\": \"\", \"title\": \"\", \"title_link\": \"\", \"text\": \"%s ... %s\", "
        "\"fields\": [{\"title\": \"a\", \"value\": \"b\"}], \"image_url\": \"\", \"thumb_url\": "
        "\"\", \"footer\": \"F\", \"footer_icon\": \"\", \"ts\": \"\", \"mrkdwn_in\": [\"text\", "
        "\"pretext\"], \"callback_id\": \"cb\"}]}",
        rep(&f.arena, "\\u00e9", 1997), rep(&f.arena, "x", 1997));
    check_request(&f, 0, "POST", "/hook", "", exp);

    /* 21 attachments: 20 sent */
    struct vgl_buf p;
    vgl_buf_init(&p, 0);
    vgl_buf_puts(&p, "{\"@slack.attachments\": [");
    for (int i = 0; i < 21; i++)
        vgl_buf_printf(&p, "%s{\"title\": \"t%d\"}", i ? ", " : "", i);
    vgl_buf_puts(&p, "]}");
    fx_ctx(&f, "slack", "chan", alert_with(&f.arena, RECORD, "{}"), p.data,
           "{\"url\": \"%s/hook\"}");
    vgl_buf_release(&p);
    CHECK_INT_EQ(fx_run(&f), 0);
    struct vgl_json body = parse(&f.arena, field(&f, 0, "body"));
    const struct vgl_json *att = vgl_json_getz(&body, "attachments");
    CHECK(att && att->len == 20);
    CHECK_STR_CONTAINS(field(&f, 0, "body"),
                       "{\"text\": \"*StreamAlert Rule Triggered: rule_x*\", \"mrkdwn\": true, ");

    /* not a list: a clear failure before anything is sent */
    fx_ctx(&f, "slack", "chan", alert_with(&f.arena, RECORD, "{}"),
           "{\"@slack.attachments\": \"x\"}", "{\"url\": \"%s/hook\"}");
    CHECK(fx_run(&f) < 0);
    CHECK_INT_EQ(f.nlog, 0);
    CHECK_STR_CONTAINS(f.err.msg, "@slack.attachments: expected a list");
    fx_end(&f);
}

TEST(slack_failure_status)
{
    struct fx f;
    if (fx_start(&f, "{\"default\": {\"status\": 500, \"body\": \"boom\"}}") != 0)
        TEST_SKIP("http_sink.py did not start");
    fx_ctx(&f, "slack", "chan", alert_with(&f.arena, RECORD, "{}"), NULL,
           "{\"url\": \"%s/hook\"}");
    CHECK_INT_EQ(fx_run(&f), VGL_EIO);
    CHECK_INT_EQ(f.nsent, 1);   /* no retry inside the attempt */
    CHECK_STR_CONTAINS(f.err.msg, "output 'slack:chan': HTTP 500");
    fx_end(&f);
}

/* ---- teams ---- */

TEST(teams_message_card)
{
    struct fx f;
    if (fx_start(&f, "{\"routes\": [{\"path\": \"/created\", \"responses\": [{\"status\": 201}]}],"
                     " \"default\": {\"status\": 200, \"body\": \"1\"}}") != 0)
        TEST_SKIP("http_sink.py did not start");
    fx_ctx(&f, "teams", "chan", alert_with(&f.arena, RECORD, "{}"),
           "{\"@teams.card_color\": \"Red\", \"@teams.buttons\": [[\"Open\", \"https://x/1\"]], "
           "\"@teams.additional_card_sections\": [{\"activityTitle\": \"More\", \"text\": \"t\"}]}",
           "{\"url\": \"%s/teams\"}");
    CHECK_INT_EQ(fx_run(&f), 0);
    check_request(&f, 0, "POST", "/teams", "", EXP_TEAMS);
    struct vgl_http_request req;
    fx_ctx(&f, "teams", "chan", alert_with(&f.arena, RECORD, "{}"), NULL, "{\"url\": \"x\"}");
    CHECK_INT_EQ(f.ops->step(&f.ctx, NULL, &req, &f.err), VGL_OUTPUT_SEND);
    CHECK_INT_EQ(req.timeout_ms, 60000);

    /* without the record, another colour; success is 200 only: 201 fails */
    fx_ctx(&f, "teams", "chan", alert_with(&f.arena, RECORD, "{}"),
           "{\"@teams.title\": \"T2\", \"@teams.description\": \"D2\", \"@teams.card_color\": "
           "\"00FF00\", \"@teams.with_record\": false}",
           "{\"url\": \"%s/created\"}");
    CHECK_INT_EQ(fx_run(&f), VGL_EIO);
    check_request(&f, 0, "POST", "/created", "", EXP_TEAMS2);
    CHECK_STR_CONTAINS(f.err.msg, "output 'teams:chan': HTTP 201 (expected 200)");
    fx_end(&f);
}

/* ---- pagerduty (Events v1) ---- */

TEST(pagerduty_v1_contexts_and_verdicts)
{
    struct fx f;
    if (fx_start(&f, "{\"routes\": [{\"path\": \"/generic/2010-04-15/create_event.json\", "
                     "\"method\": \"POST\", \"responses\": ["
                     "{\"status\": 200, \"body\": {\"status\": \"success\"}}, "
                     "{\"status\": 200, \"body\": {}}, {\"status\": 200, \"body\": \"not json\"}, "
                     "{\"status\": 500, \"body\": {\"status\": \"error\"}}]}]}") != 0)
        TEST_SKIP("http_sink.py did not start");
    const char *pub =
        "{\"@pagerduty.contexts\": [{\"type\": \"link\", \"href\": \"h\", \"text\": \"t\", "
        "\"extra\": 1}, {\"type\": \"link\", \"href\": \"h2\"}, {\"type\": \"image\", \"src\": "
        "\"s\", \"alt\": \"a\"}, \"str\", {\"type\": \"other\", \"src\": \"x\"}], "
        "\"@pagerduty-v2.summary\": \"ignored\"}";
    const char *alert = alert_with(&f.arena, RECORD, "{}");
    fx_ctx(&f, "pagerduty", "pd", alert, pub, "{\"service_key\": \"sk-1\"}");
    CHECK_INT_EQ(fx_run(&f), 0);
    check_request(&f, 0, "POST", "/generic/2010-04-15/create_event.json", "", EXP_PD1);

    fx_ctx(&f, "pagerduty", "pd", alert, pub, "{\"service_key\": \"sk-1\"}");
    CHECK_INT_EQ(fx_run(&f), VGL_EIO);   /* {}: falsy */
    CHECK_STR_CONTAINS(f.err.msg, "an empty or false response body");
    fx_ctx(&f, "pagerduty", "pd", alert, pub, "{\"service_key\": \"sk-1\"}");
    CHECK_INT_EQ(fx_run(&f), VGL_EIO);   /* not JSON */
    CHECK_STR_CONTAINS(f.err.msg, "a non-JSON response body 'not json'");
    fx_ctx(&f, "pagerduty", "pd", alert, pub, "{\"service_key\": \"sk-1\"}");
    CHECK_INT_EQ(fx_run(&f), VGL_EIO);
    CHECK_STR_CONTAINS(f.err.msg, "output 'pagerduty:pd': event: HTTP 500");

    /* a non-list contexts becomes [] */
    fx_ctx(&f, "pagerduty", "pd", alert,
           "{\"@pagerduty.contexts\": {\"type\": \"link\"}, \"@pagerduty.description\": \"D\", "
           "\"@pagerduty.client_url\": \"https://c\", \"@pagerduty.details\": {\"a\": 1}}",
           "{\"service_key\": \"sk-1\"}");
    fx_run(&f);
    CHECK_STR_EQ(field(&f, 0, "body"),
                 "{\"service_key\": \"sk-1\", \"event_type\": \"trigger\", \"description\": \"D\", "
                 "\"details\": {\"a\": 1}, \"client\": \"streamalert\", \"client_url\": "
                 "\"https://c\", \"contexts\": []}");
    fx_end(&f);
}

/* ---- pagerduty-v2 ---- */

TEST(pagerduty_v2_images_links)
{
    struct fx f;
    if (fx_start(&f, "{\"default\": {\"status\": 202, \"body\": {\"status\": \"success\", "
                     "\"dedup_key\": \"pd:alert-id\"}}}") != 0)
        TEST_SKIP("http_sink.py did not start");
    fx_ctx(&f, "pagerduty-v2", "pd", alert_with(&f.arena, RECORD, "{}"),
           "{\"@pagerduty-v2.summary\": \"Sum\", \"@pagerduty-v2.component\": \"comp\", "
           "\"@pagerduty-v2.images\": [{\"src\": \"i1\"}, {\"src\": \"i2\", \"href\": \"h2\", "
           "\"alt\": \"a2\", \"x\": 1}, {\"href\": \"nosrc\"}, 5], "
           "\"@pagerduty-v2.links\": [{\"href\": \"l1\"}, {\"href\": \"l2\", \"text\": \"t2\"}, "
           "{\"text\": \"nohref\"}]}",
           "{\"routing_key\": \"rk-1\"}");
    CHECK_INT_EQ(fx_run(&f), 0);
    check_request(&f, 0, "POST", "/v2/enqueue", "", EXP_PD2);
    fx_end(&f);
}

/* ---- pagerduty-incident ---- */

#define PDI_CREDS                                                                                \
    "{\"token\": \"tok-SECRET\", \"service_name\": \"svc\", \"service_id\": \"SVC1\", "           \
    "\"escalation_policy\": \"ep\", \"escalation_policy_id\": \"EP1\", \"email_from\": "         \
    "\"from@example.com\", \"integration_key\": \"ik-1\"}"

static const char *PDI_SCRIPT =
    "{\"routes\": ["
    "{\"path\": \"/users\", \"method\": \"GET\", \"responses\": ["
    "  {\"body\": {\"users\": [{\"id\": \"PREQ\"}]}}, {\"body\": {\"users\": [{\"id\": \"PASSIGN\"}]}},"
    "  {\"body\": {\"users\": [{\"id\": \"PRESP1\"}]}}, {\"body\": {\"users\": []}}]},"
    "{\"path\": \"/v2/enqueue\", \"method\": \"POST\", \"responses\": [{\"status\": 202, \"body\": "
    "  {\"status\": \"success\", \"message\": \"Event processed\", \"dedup_key\": \"inc:alert-id\"}}]},"
    "{\"path\": \"/incidents\", \"method\": \"GET\", \"responses\": ["
    "  {\"body\": {\"incidents\": [{\"id\": \"PINC\"}, {\"id\": \"OTHER\"}]}}]},"
    "{\"path\": \"/priorities\", \"method\": \"GET\", \"responses\": [{\"body\": {\"priorities\": "
    "  [{\"id\": \"PLOW\", \"name\": \"Low\"}, {\"id\": \"PHIGH\", \"name\": \"High\"}]}}]},"
    "{\"path\": \"/incidents/PINC\", \"method\": \"PUT\", \"responses\": [{\"body\": "
    "  {\"incident\": {\"id\": \"PINC\"}}}]},"
    "{\"path\": \"/incidents/PINC/responder_requests\", \"method\": \"POST\", \"responses\": "
    "  [{\"body\": {\"responder_request\": {\"id\": \"RR\"}}}]},"
    "{\"path\": \"/incidents/PINC/notes\", \"method\": \"POST\", \"responses\": "
    "  [{\"body\": {\"note\": {\"id\": \"N1\"}}}]}]}";

static void check_rest_headers(struct fx *f, size_t i, bool from)
{
    CHECK_STR_EQ(header(f, i, "accept"), "application/vnd.pagerduty+json;version=2");
    CHECK_STR_EQ(header(f, i, "authorization"), "Token token=tok-SECRET");
    CHECK_STR_EQ(header(f, i, "content-type"), "application/json");
    if (from)
        CHECK_STR_EQ(header(f, i, "from"), "from@example.com");
    else
        CHECK(header(f, i, "from") == NULL);
}

TEST(pagerduty_incident_full_flow)
{
    struct fx f;
    if (fx_start(&f, PDI_SCRIPT) != 0)
        TEST_SKIP("http_sink.py did not start");
    const char *context =
        "{\"pagerduty-incident\": {\"with_record\": false, \"incident_priority\": \"High\", "
        "\"assigned_user\": \"assignee@example.com\", \"responders\": [\"r1@example.com\", "
        "\"r2@example.com\"], \"note\": \"ctx note\"}}";
    fx_ctx(&f, "pagerduty-incident", "inc", alert_with(&f.arena, RECORD, context),
           "{\"@pagerduty-incident.note\": \"my note\", \"@pagerduty-incident.urgency\": \"low\"}",
           PDI_CREDS);
    CHECK_INT_EQ(fx_run(&f), 0);
    CHECK_INT_EQ(f.nlog, 11);
    check_request(&f, 0, "GET", "/users", "query=from%40example.com", NULL);
    check_rest_headers(&f, 0, false);
    check_request(&f, 1, "POST", "/v2/enqueue", "", EXP_PDI_EVENT);
    CHECK(header(&f, 1, "authorization") == NULL);
    check_request(&f, 2, "GET", "/incidents", "incident_key=inc%3Aalert-id", NULL);
    check_rest_headers(&f, 2, true);
    check_request(&f, 3, "GET", "/priorities", "", NULL);
    check_rest_headers(&f, 3, true);
    check_request(&f, 4, "GET", "/users", "query=assignee%40example.com", NULL);
    check_rest_headers(&f, 4, false);
    check_request(&f, 5, "PUT", "/incidents/PINC", "", EXP_PDI_PUT);
    check_rest_headers(&f, 5, true);
    check_request(&f, 6, "GET", "/users", "query=r1%40example.com", NULL);
    check_request(&f, 7, "POST", "/incidents/PINC/responder_requests", "", EXP_PDI_RR);
    check_rest_headers(&f, 7, true);
    check_request(&f, 8, "GET", "/users", "query=r2%40example.com", NULL);
    check_request(&f, 9, "POST", "/incidents/PINC/notes", "", EXP_PDI_NOTE);
    check_request(&f, 10, "POST", "/incidents/PINC/notes", "", EXP_PDI_ERRNOTE);
    for (size_t i = 0; i < f.nsent; i++)
        CHECK_INT_EQ(f.delays[i], 0);
    fx_end(&f);
}

TEST(pagerduty_incident_minimal_flow)
{
    /* no context: the escalation policy from the credentials, the default note */
    struct fx f;
    if (fx_start(&f, PDI_SCRIPT) != 0)
        TEST_SKIP("http_sink.py did not start");
    fx_ctx(&f, "pagerduty-incident", "inc", alert_with(&f.arena, RECORD, "{}"),
           "{\"@pagerduty-incident.urgency\": \"medium\"}", PDI_CREDS);
    CHECK_INT_EQ(fx_run(&f), 0);
    CHECK_INT_EQ(f.nlog, 5);
    CHECK_STR_CONTAINS(field(&f, 1, "body"),
                       "\"custom_details\": {\"description\": \"desc \\\"q\\\"\", \"record\": {");
    check_request(&f, 3, "PUT", "/incidents/PINC", "", EXP_PDI_PUT2);
    check_request(&f, 4, "POST", "/incidents/PINC/notes", "",
                  "{\"note\": {\"content\": \"Creating SOX Incident\"}}");
    fx_end(&f);
}

TEST(pagerduty_incident_failures)
{
    struct fx f;
    if (fx_start(&f, "{\"routes\": [{\"path\": \"/users\", \"responses\": [{\"body\": "
                     "{\"users\": []}}, {\"status\": 500, \"body\": \"down\"}]}]}") != 0)
        TEST_SKIP("http_sink.py did not start");
    fx_ctx(&f, "pagerduty-incident", "inc", alert_with(&f.arena, RECORD, "{}"), NULL, PDI_CREDS);
    CHECK_INT_EQ(fx_run(&f), VGL_ENOTFOUND);
    CHECK_INT_EQ(f.nlog, 1);
    CHECK_STR_CONTAINS(f.err.msg, "output 'pagerduty-incident:inc': user look-up: no PagerDuty user");
    fx_ctx(&f, "pagerduty-incident", "inc", alert_with(&f.arena, RECORD, "{}"), NULL, PDI_CREDS);
    CHECK_INT_EQ(fx_run(&f), VGL_EIO);
    CHECK_STR_CONTAINS(f.err.msg, "output 'pagerduty-incident:inc': user look-up: HTTP 500");
    CHECK(strstr(f.err.msg, "tok-SECRET") == NULL);
    fx_end(&f);
}

/* The incident look-up's retries, driven with made-up responses (no 5 s waits). */
static int feed(struct fx *f, struct vgl_http_request *req, long status, const char *body)
{
    struct vgl_http_response r;
    memset(&r, 0, sizeof r);
    r.status = status;
    r.body = (char *)body;
    r.body_len = strlen(body);
    return f->ops->step(&f->ctx, &r, req, &f->err);
}

TEST(pagerduty_incident_lookup_retries)
{
    struct fx f;
    memset(&f, 0, sizeof f);
    vgl_arena_init(&f.arena, 0);
    snprintf(f.sink.url, sizeof f.sink.url, "http://127.0.0.1:9");
    fx_ctx(&f, "pagerduty-incident", "inc", alert_with(&f.arena, RECORD, "{}"), NULL, PDI_CREDS);
    struct vgl_http_request req;
    CHECK_INT_EQ(f.ops->step(&f.ctx, NULL, &req, &f.err), VGL_OUTPUT_SEND);
    CHECK_INT_EQ(feed(&f, &req, 200, "{\"users\": [{\"id\": \"U\"}]}"), VGL_OUTPUT_SEND);
    CHECK_STR_EQ(req.url, "http://127.0.0.1:9/v2/enqueue");
    CHECK_INT_EQ(feed(&f, &req, 202, "{\"dedup_key\": \"k y\"}"), VGL_OUTPUT_SEND);
    CHECK_STR_EQ(req.url, "http://127.0.0.1:9/incidents?incident_key=k+y");
    CHECK_INT_EQ(f.ctx.delay_ms, 0);
    for (int i = 2; i <= 5; i++) {   /* tries 2..5 wait 5 s first */
        CHECK_INT_EQ(feed(&f, &req, 200, i == 3 ? "{}" : "{\"incidents\": []}"), VGL_OUTPUT_SEND);
        CHECK_STR_EQ(req.method, "GET");
        CHECK_INT_EQ(f.ctx.delay_ms, 5000);
    }
    CHECK_INT_EQ(feed(&f, &req, 200, "{\"incidents\": []}"), VGL_ENOTFOUND);
    CHECK_STR_CONTAINS(f.err.msg, "incident look-up: no incident with key 'k y' after 5 tries");

    /* found on a later try: the PUT follows with no wait */
    fx_ctx(&f, "pagerduty-incident", "inc", alert_with(&f.arena, RECORD, "{}"), NULL, PDI_CREDS);
    f.ops->step(&f.ctx, NULL, &req, &f.err);
    feed(&f, &req, 200, "{\"users\": [{\"id\": \"U\"}]}");
    feed(&f, &req, 202, "{\"dedup_key\": \"k\"}");
    CHECK_INT_EQ(feed(&f, &req, 200, "{\"incidents\": []}"), VGL_OUTPUT_SEND);
    CHECK_INT_EQ(f.ctx.delay_ms, 5000);
    CHECK_INT_EQ(feed(&f, &req, 200, "{\"incidents\": [{\"id\": \"I\"}]}"), VGL_OUTPUT_SEND);
    CHECK_STR_EQ(req.method, "PUT");
    CHECK_STR_EQ(req.url, "http://127.0.0.1:9/incidents/I");
    CHECK_INT_EQ(f.ctx.delay_ms, 0);
    /* the PUT's answer must hold incident.id */
    CHECK_INT_EQ(feed(&f, &req, 200, "{\"incident\": {}}"), VGL_EIO);
    CHECK_STR_CONTAINS(f.err.msg, "incident update: the response has no incident.id");
    vgl_arena_release(&f.arena);
}

/* ---- github ---- */

TEST(github_issue)
{
    struct fx f;
    if (fx_start(&f, "{\"default\": {\"status\": 201, \"body\": {\"id\": 1}}}") != 0)
        TEST_SKIP("http_sink.py did not start");
    const char *creds = "{\"repository\": \"owner/repo\", \"labels\": \"bug,security, x\", "
                        "\"username\": \"octo\", \"access_token\": \"tok123\"}";
    fx_ctx(&f, "github", "gh", alert_with(&f.arena, RECORD, "{}"), NULL, creds);
    CHECK_INT_EQ(fx_run(&f), 0);
    check_request(&f, 0, "POST", "/repos/owner/repo/issues", "", EXP_GH);
    CHECK_STR_EQ(header(&f, 0, "authorization"), EXP_GH_AUTH);

    fx_ctx(&f, "github", "gh", alert_with(&f.arena, RECORD, "{}"),
           "{\"@github.title\": \"T\", \"@github.body\": \"B\"}",
           "{\"repository\": \"o/r\", \"labels\": \"\", \"username\": \"u\", "
           "\"access_token\": \"p\"}");
    CHECK_INT_EQ(fx_run(&f), 0);
    check_request(&f, 0, "POST", "/repos/o/r/issues", "",
                  "{\"title\": \"T\", \"body\": \"B\", \"labels\": [\"\"]}");
    CHECK_STR_EQ(header(&f, 0, "authorization"), "Basic dTpw");
    fx_end(&f);
}

/* ---- credentials and registry ---- */

TEST(missing_credentials)
{
    struct fx f;
    memset(&f, 0, sizeof f);
    vgl_arena_init(&f.arena, 0);
    snprintf(f.sink.url, sizeof f.sink.url, "http://127.0.0.1:9");
    static const char *const services[] = {"slack", "teams", "pagerduty", "pagerduty-v2",
                                           "pagerduty-incident", "github"};
    struct vgl_http_request req;
    for (size_t i = 0; i < sizeof services / sizeof services[0]; i++) {
        fx_ctx(&f, services[i], "d", alert_with(&f.arena, RECORD, "{}"), NULL, NULL);
        CHECK(f.ops != NULL);
        if (!f.ops)
            continue;
        CHECK_INT_EQ(f.ops->step(&f.ctx, NULL, &req, &f.err), VGL_ENOTFOUND);
        CHECK_STR_CONTAINS(f.err.msg, afmt(&f.arena, "output '%s:d'", services[i]));
    }
    fx_ctx(&f, "github", "gh", alert_with(&f.arena, RECORD, "{}"), NULL,
           "{\"repository\": \"o/r\", \"access_token\": \"SECRETVALUE\"}");
    CHECK_INT_EQ(f.ops->step(&f.ctx, NULL, &req, &f.err), VGL_ECONFIG);
    CHECK_STR_CONTAINS(f.err.msg, "output 'github:gh'");
    CHECK_STR_CONTAINS(f.err.msg, "'labels'");
    CHECK_STR_CONTAINS(f.err.msg, "'username'");
    CHECK(strstr(f.err.msg, "SECRETVALUE") == NULL);
    fx_ctx(&f, "pagerduty-incident", "inc", alert_with(&f.arena, RECORD, "{}"), NULL,
           "{\"token\": \"SECRETVALUE\"}");
    CHECK_INT_EQ(f.ops->step(&f.ctx, NULL, &req, &f.err), VGL_ECONFIG);
    CHECK_STR_CONTAINS(f.err.msg, "'integration_key'");
    CHECK(strstr(f.err.msg, "SECRETVALUE") == NULL);
    vgl_arena_release(&f.arena);
}

TEST(registered)
{
    static const char *const names[] = {"slack", "teams", "pagerduty", "pagerduty-v2",
                                        "pagerduty-incident", "github"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const struct vgl_output_ops *ops = vgl_output_find(names[i]);
        CHECK(ops != NULL);
        if (ops) {
            CHECK_STR_EQ(ops->name, names[i]);
            CHECK(ops->form == VGL_OUTPUT_LIST);
        }
    }
}

TEST_MAIN(T(slack_default_attachments_multi_chunk), T(slack_default_attachments_at_most_20),
          T(slack_custom_attachments), T(slack_failure_status), T(teams_message_card),
          T(pagerduty_v1_contexts_and_verdicts), T(pagerduty_v2_images_links),
          T(pagerduty_incident_full_flow), T(pagerduty_incident_minimal_flow),
          T(pagerduty_incident_failures), T(pagerduty_incident_lookup_retries), T(github_issue),
          T(missing_credentials), T(registered))
