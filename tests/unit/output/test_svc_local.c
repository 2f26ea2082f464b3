/*
 * tests/unit/output/test_svc_local.c: the AWS output services, webhook, file and stdout
 * (output/svc_aws_*.c, svc_webhook.c, svc_file.c, svc_stdout.c).  Each AWS service's step
 * machine runs against tests/tools/http_sink.py (env->aws_endpoint_url = the sink, fake
 * keys), its requests sent by vgl_http_perform; the test checks what arrived: method,
 * path, query, headers (a SigV4 Authorization for the right service), exact bodies.
 */
/* sinkutil.h calls usleep(), which _POSIX_C_SOURCE=200809L alone hides */
#define _DEFAULT_SOURCE
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "json/json.h"
#include "output/http.h"
#include "output/output.h"
#include "sinkutil.h"
#include "test.h"
#include "testutil.h"

#define KEY_ID "AKIDEXAMPLE"
#define SECRET_KEY "wJalrXUtnFEMI-SECRET-KEY"
#define ACCOUNT "123456789012"
#define NOW_US INT64_C(1577934245006789)   /* 2020-01-02T03:04:05.006789Z */

static const char *ALERT =
    "{\"id\":\"a1\",\"rule_name\":\"my_rule\",\"record\":{\"k\":\"v\",\"u\":\"h\\u00e9\"},"
    "\"source_service\":\"kinesis\",\"source_entity\":\"stream\",\"created\":"
    "\"2020-01-02T03:04:05.006789Z\"}";
static const char *PUB = "{\"id\":\"a1\",\"rule_name\":\"my_rule\",\"record\":{\"k\":\"v\","
                         "\"u\":\"h\\u00e9\"}}";

static struct vgl_arena A;
static struct tu_sink S;
static bool sink_up;

static void stop_sink(void)
{
    tu_sink_stop(&S);
    vgl_arena_release(&A);
}

static const char *sink_url(void)
{
    if (!sink_up) {
        vgl_arena_init(&A, 0);
        const char *script =
            "{\"routes\": [{\"path\": \"/fail\", \"responses\": [{\"status\": 500, \"body\": "
            "\"<Error><Code>InternalFailure</Code></Error>\"}]},"
            "{\"path\": \"/2015-03-31/\", \"responses\": [{\"status\": 202}]}],"
            "\"default\": {\"status\": 200, \"body\": \"{}\"}}";
        if (tu_sink_start(&S, script) != 0) {
            fprintf(stderr, "cannot start http_sink.py\n");
            abort();
        }
        sink_up = true;
        atexit(stop_sink);
    }
    return S.url;
}

static const struct vgl_json *parse(const char *text)
{
    struct vgl_json *v = vgl_arena_alloc(&A, sizeof *v);
    const char *copy = vgl_arena_strndup(&A, text, strlen(text));
    struct vgl_error err = {0};
    if (vgl_json_parse(copy, strlen(copy), &A, NULL, v, &err) != 0) {
        fprintf(stderr, "bad test JSON: %s\n", err.msg);
        abort();
    }
    return v;
}

static struct vgl_output_env ENV;

static void env_init(void)
{
    vgl_output_env_defaults(&ENV);
    ENV.aws_endpoint_url = sink_url();
    ENV.aws_region = "us-east-1";
    ENV.aws_account_id = ACCOUNT;
    ENV.aws_access_key_id = KEY_ID;
    ENV.aws_secret_access_key = SECRET_KEY;
    ENV.aws_session_token = NULL;
    ENV.prefix = "t";
}

static struct vgl_output_ctx ctx_for(const char *service, const char *desc, const char *resource,
                                     const char *pub, const char *creds)
{
    struct vgl_output_ctx c = {
        .service = service,
        .descriptor = desc,
        .resource = resource,
        .alert = parse(ALERT),
        .pub = parse(pub ? pub : PUB),
        .creds = creds ? parse(creds) : NULL,
        .env = &ENV,
        .arena = &A,
        .now_us = NOW_US,
    };
    return c;
}

/* Runs the step machine, sending each request to the sink; *nsent counts them. */
static int run(struct vgl_output_ctx *c, struct vgl_error *err, int *nsent)
{
    const struct vgl_output_ops *ops = vgl_output_find(c->service);
    if (!ops) {
        vgl_error_set(err, VGL_ENOTFOUND, "no service %s", c->service);
        return VGL_ENOTFOUND;
    }
    if (sink_up)
        tu_sink_clear(&S);
    *nsent = 0;
    struct vgl_http_request req;
    memset(&req, 0, sizeof req);
    int rc = ops->step(c, NULL, &req, err);
    while (rc == VGL_OUTPUT_SEND) {
        struct vgl_http_response resp;
        struct vgl_error herr = {0};
        if (vgl_http_perform(&req, &resp, 1, 0, &herr) != 0) {
            fprintf(stderr, "  http layer: %s\n", herr.msg);
            return VGL_EIO;
        }
        (*nsent)++;
        c->step++;
        rc = ops->step(c, &resp, &req, err);
        vgl_http_response_release(&resp);
    }
    return rc;
}

/* The one request the sink received (aborts the check when there is not exactly one). */
static const struct vgl_json *last_request(void)
{
    char *log = tu_sink_log(&S);
    const char *nl = strchr(log, '\n');
    CHECK(nl && nl[1] == '\0');
    const struct vgl_json *r = NULL;
    if (nl)
        r = parse(log);
    free(log);
    return r;
}

static const char *field(const struct vgl_json *obj, const char *key)
{
    const struct vgl_json *v = obj ? vgl_json_getz(obj, key) : NULL;
    if (!v || v->type != VGL_JSON_STRING)
        return NULL;
    return vgl_arena_strndup(&A, v->u.s, v->len);
}

static const char *header(const struct vgl_json *r, const char *name)
{
    return field(r ? vgl_json_getz(r, "headers") : NULL, name);
}

/* The decoded value of name in a form body, or NULL. */
static const char *form_get(const char *body, const char *name)
{
    size_t nlen = strlen(name);
    for (const char *p = body; p && *p;) {
        const char *amp = strchr(p, '&');
        size_t n = amp ? (size_t)(amp - p) : strlen(p);
        if (n > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
            char *out = vgl_arena_alloc(&A, n);
            size_t k = 0;
            for (size_t i = nlen + 1; i < n; i++) {
                if (p[i] == '%' && i + 2 < n + 1) {
                    unsigned v;
                    sscanf(p + i + 1, "%2x", &v);
                    out[k++] = (char)v;
                    i += 2;
                } else {
                    out[k++] = p[i];
                }
            }
            out[k] = '\0';
            return out;
        }
        p = amp ? amp + 1 : NULL;
    }
    return NULL;
}

static const char *b64_decode(const char *s)
{
    size_t n = strlen(s), got = 0;
    unsigned char *out = vgl_arena_alloc(&A, n + 1);
    if (sodium_base642bin(out, n, s, n, "\n", &got, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
        return NULL;
    out[got] = '\0';
    return (const char *)out;
}

/* The SigV4 Authorization header curl made for service, today. */
static void check_signed(const struct vgl_json *r, const char *service)
{
    char date[16], want[200];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, sizeof date, "%Y%m%d", &tm);
    snprintf(want, sizeof want, "AWS4-HMAC-SHA256 Credential=" KEY_ID "/%s/us-east-1/%s/aws4_request",
             date, service);
    const char *auth = header(r, "authorization");
    CHECK(auth && strncmp(auth, want, strlen(want)) == 0);
    if (auth && strncmp(auth, want, strlen(want)) != 0)
        fprintf(stderr, "    authorization: %s\n    wanted prefix: %s\n", auth, want);
    CHECK_STR_CONTAINS(auth, "Signature=");
    CHECK(header(r, "x-amz-date") != NULL);
    CHECK(strstr(auth ? auth : "", SECRET_KEY) == NULL);
}

/* Every secret in these tests is marked "SECRET-", "-SECRET" or "/SECRET". */
static void check_no_secret(const struct vgl_error *err)
{
    CHECK(strstr(err->msg, SECRET_KEY) == NULL);
    CHECK(strstr(err->msg, "SECRET-") == NULL);
    CHECK(strstr(err->msg, "-SECRET") == NULL);
    CHECK(strstr(err->msg, "/SECRET") == NULL);
    if (strstr(err->msg, "SECRET-") || strstr(err->msg, "-SECRET") || strstr(err->msg, "/SECRET"))
        fprintf(stderr, "    message: %s\n", err->msg);
}

/* ---- aws-firehose ---- */

TEST(firehose_alerts_uses_prefix_stream)
{
    env_init();
    ENV.aws_session_token = "TOKEN123";
    struct vgl_output_ctx c = ctx_for("aws-firehose", "alerts", NULL, NULL, NULL);
    struct vgl_error err = {0};
    int n;
    CHECK_INT_EQ(run(&c, &err, &n), 0);
    CHECK_INT_EQ(n, 1);
    const struct vgl_json *r = last_request();
    CHECK_STR_EQ(field(r, "method"), "POST");
    CHECK_STR_EQ(field(r, "path"), "/");
    CHECK_STR_EQ(header(r, "content-type"), "application/x-amz-json-1.1");
    CHECK_STR_EQ(header(r, "x-amz-target"), "Firehose_20150804.PutRecord");
    CHECK_STR_EQ(header(r, "x-amz-security-token"), "TOKEN123");
    check_signed(r, "firehose");
    /* Data = base64(json.dumps(pub, separators=(',', ':')) + '\n') */
    const char *data = "{\"id\":\"a1\",\"rule_name\":\"my_rule\",\"record\":{\"k\":\"v\","
                       "\"u\":\"h\\u00e9\"}}\n";
    char b64[256];
    sodium_bin2base64(b64, sizeof b64, (const unsigned char *)data, strlen(data),
                      sodium_base64_VARIANT_ORIGINAL);
    char want[512];
    snprintf(want, sizeof want,
             "{\"DeliveryStreamName\":\"t_streamalert_alert_delivery\",\"Record\":{\"Data\":\"%s\"}}",
             b64);
    CHECK_STR_EQ(field(r, "body"), want);
}

TEST(firehose_named_stream_and_size_limit)
{
    env_init();
    struct vgl_output_ctx c = ctx_for("aws-firehose", "archive", "my-stream", NULL, NULL);
    struct vgl_error err = {0};
    int n;
    CHECK_INT_EQ(run(&c, &err, &n), 0);
    const struct vgl_json *r = last_request();
    CHECK_STR_CONTAINS(field(r, "body"), "{\"DeliveryStreamName\":\"my-stream\",");
    CHECK(header(r, "x-amz-security-token") == NULL);

    /* 1,000,000 characters with the newline pass the check, one more fails */
    const char *head = "{\"s\":\"", *tail = "\"}";
    size_t fill = 1000000 - 1 - strlen(head) - strlen(tail);
    for (int extra = 0; extra < 2; extra++) {
        struct vgl_buf b;
        vgl_buf_init(&b, 0);
        vgl_buf_puts(&b, head);
        for (size_t i = 0; i < fill + (size_t)extra; i++)
            vgl_buf_putc(&b, 'x');
        vgl_buf_puts(&b, tail);
        c = ctx_for("aws-firehose", "archive", "my-stream", b.data, NULL);
        vgl_buf_release(&b);
        struct vgl_http_request req;
        memset(&err, 0, sizeof err);
        c.step = 0;
        int rc = vgl_output_find("aws-firehose")->step(&c, NULL, &req, &err);
        if (extra == 0) {
            CHECK_INT_EQ(rc, VGL_OUTPUT_SEND);
        } else {
            CHECK_INT_EQ(rc, VGL_ELIMIT);
            CHECK_STR_CONTAINS(err.msg, "output 'aws-firehose:archive': alert too large");
        }
    }
    /* another descriptor without a stream is a configuration error */
    c = ctx_for("aws-firehose", "other", NULL, NULL, NULL);
    CHECK_INT_EQ(run(&c, &err, &n), VGL_ECONFIG);
    CHECK_STR_CONTAINS(err.msg, "output 'aws-firehose:other': no delivery stream name");
    CHECK_INT_EQ(n, 0);
}

/* ---- aws-s3 ---- */

TEST(s3_put_object_key_and_body)
{
    env_init();
    struct vgl_output_ctx c = ctx_for("aws-s3", "bucket", "my-bucket", NULL, NULL);
    struct vgl_error err = {0};
    int n;
    CHECK_INT_EQ(run(&c, &err, &n), 0);
    const struct vgl_json *r = last_request();
    CHECK_STR_EQ(field(r, "method"), "PUT");
    char hour[32], prefix[128];
    time_t t = (time_t)(NOW_US / 1000000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(hour, sizeof hour, "%Y-%m-%d-%H", &tm);
    snprintf(prefix, sizeof prefix, "/my-bucket/alerts/dt%%3D%s/kinesis_stream_my_rule_", hour);
    const char *path = field(r, "path");
    CHECK(path && strncmp(path, prefix, strlen(prefix)) == 0);
    /* <uuid4>.json: 8-4-4-4-12 lowercase hex, version 4 */
    const char *u = path ? path + strlen(prefix) : "";
    CHECK_INT_EQ(strlen(u), 36 + 5);
    CHECK(strcmp(u + 36, ".json") == 0);
    CHECK(u[8] == '-' && u[13] == '-' && u[14] == '4' && u[18] == '-' && u[23] == '-');
    CHECK(strchr("89ab", u[19]) != NULL);
    const char *body = "{\"id\": \"a1\", \"rule_name\": \"my_rule\", \"record\": {\"k\": \"v\", "
                       "\"u\": \"h\\u00e9\"}}";
    CHECK_STR_EQ(field(r, "body"), body);
    unsigned char sha[32];
    char hex[65];
    crypto_hash_sha256(sha, (const unsigned char *)body, strlen(body));
    sodium_bin2hex(hex, sizeof hex, sha, sizeof sha);
    CHECK_STR_EQ(header(r, "x-amz-content-sha256"), hex);
    check_signed(r, "s3");
}

/* ---- aws-sns ---- */

TEST(sns_publish_default_subject_and_message)
{
    env_init();
    struct vgl_output_ctx c = ctx_for("aws-sns", "sec", "my-topic", NULL, NULL);
    struct vgl_error err = {0};
    int n;
    CHECK_INT_EQ(run(&c, &err, &n), 0);
    const struct vgl_json *r = last_request();
    CHECK_STR_EQ(field(r, "method"), "POST");
    CHECK_STR_EQ(field(r, "path"), "/");
    CHECK_STR_CONTAINS(header(r, "content-type"), "application/x-www-form-urlencoded");
    check_signed(r, "sns");
    const char *body = field(r, "body");
    CHECK(body && strncmp(body, "Action=Publish&TopicArn=", 24) == 0);
    CHECK_STR_EQ(form_get(body, "TopicArn"), "arn:aws:sns:us-east-1:" ACCOUNT ":my-topic");
    CHECK_STR_EQ(form_get(body, "Subject"), "my_rule triggered alert a1");
    CHECK_STR_EQ(form_get(body, "Message"), "{\n  \"id\": \"a1\",\n  \"record\": {\n    \"k\": "
                                            "\"v\",\n    \"u\": \"h\\u00e9\"\n  },\n  "
                                            "\"rule_name\": \"my_rule\"\n}");
    CHECK_STR_EQ(form_get(body, "Version"), "2010-03-31");
    /* spaces are %20, never '+' */
    CHECK_STR_CONTAINS(body, "Subject=my_rule%20triggered%20alert%20a1&");
}

TEST(sns_subject_elided_by_code_points)
{
    env_init();
    /* 60 x "é" + 60 x "b": 120 characters, elided to 47 + " ... " + 47 */
    struct vgl_buf p;
    vgl_buf_init(&p, 0);
    vgl_buf_puts(&p, "{\"@aws-sns.topic\":\"");
    for (int i = 0; i < 60; i++)
        vgl_buf_puts(&p, "\xc3\xa9");
    for (int i = 0; i < 60; i++)
        vgl_buf_putc(&p, 'b');
    vgl_buf_puts(&p, "\",\"@aws-sns.message\":\"custom\"}");
    struct vgl_output_ctx c =
        ctx_for("aws-sns", "sec", "arn:aws:sns:eu-west-1:1:other", p.data, NULL);
    vgl_buf_release(&p);
    struct vgl_error err = {0};
    int n;
    CHECK_INT_EQ(run(&c, &err, &n), 0);
    const char *body = field(last_request(), "body");
    struct vgl_buf want;
    vgl_buf_init(&want, 0);
    for (int i = 0; i < 47; i++)
        vgl_buf_puts(&want, "\xc3\xa9");
    vgl_buf_puts(&want, " ... ");
    for (int i = 0; i < 47; i++)
        vgl_buf_putc(&want, 'b');
    CHECK_STR_EQ(form_get(body, "Subject"), want.data);
    vgl_buf_release(&want);
    CHECK_STR_EQ(form_get(body, "TopicArn"), "arn:aws:sns:eu-west-1:1:other");
    CHECK_STR_EQ(form_get(body, "Message"), "custom");

    /* exactly 99 characters stay as they are */
    char s99[100];
    memset(s99, 'z', 99);
    s99[99] = '\0';
    char pub[200];
    snprintf(pub, sizeof pub, "{\"@aws-sns.topic\":\"%s\"}", s99);
    c = ctx_for("aws-sns", "sec", "t", pub, NULL);
    CHECK_INT_EQ(run(&c, &err, &n), 0);
    CHECK_STR_EQ(form_get(field(last_request(), "body"), "Subject"), s99);

    c = ctx_for("aws-sns", "sec", "t", "{\"@aws-sns.topic\":5}", NULL);
    CHECK_INT_EQ(run(&c, &err, &n), VGL_ETYPE);
    CHECK_STR_CONTAINS(err.msg, "'@aws-sns.topic' must be a string");
}

/* ---- aws-sqs ---- */

TEST(sqs_send_message)
{
    env_init();
    struct vgl_output_ctx c = ctx_for("aws-sqs", "q", "my-queue", NULL, NULL);
    struct vgl_error err = {0};
    int n;
    CHECK_INT_EQ(run(&c, &err, &n), 0);
    const struct vgl_json *r = last_request();
    CHECK_STR_EQ(field(r, "path"), "/" ACCOUNT "/my-queue");
    check_signed(r, "sqs");
    const char *body = field(r, "body");
    CHECK_STR_EQ(form_get(body, "Action"), "SendMessage");
    CHECK_STR_EQ(form_get(body, "MessageBody"), "{\"k\":\"v\",\"u\":\"h\\u00e9\"}");
    CHECK_STR_EQ(form_get(body, "Version"), "2012-11-05");
    CHECK(body && strncmp(body, "Action=SendMessage&MessageBody=", 31) == 0);

    c = ctx_for("aws-sqs", "q", "my-queue", "{\"@aws-sqs.message_data\":{\"a\":[1,2.5]}}", NULL);
    CHECK_INT_EQ(run(&c, &err, &n), 0);
    CHECK_STR_EQ(form_get(field(last_request(), "body"), "MessageBody"), "{\"a\":[1,2.5]}");
}

/* ---- aws-lambda, aws-lambda-v2 ---- */

TEST(lambda_invoke_qualifier_rules)
{
    env_init();
    static const struct {
        const char *value, *path, *query;
    } cases[] = {
        {"fn", "/2015-03-31/functions/fn/invocations", ""},
        {"fn:prod", "/2015-03-31/functions/fn/invocations", "Qualifier=prod"},
        {"arn:aws:lambda:us-east-1:1:function:fn", "/2015-03-31/functions/fn/invocations", ""},
        {"arn:aws:lambda:us-east-1:1:function:fn:live", "/2015-03-31/functions/fn/invocations",
         "Qualifier=live"},
        {"fn:", "/2015-03-31/functions/fn/invocations", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct vgl_output_ctx c = ctx_for("aws-lambda", "f", cases[i].value, NULL, NULL);
        struct vgl_error err = {0};
        int n;
        CHECK_INT_EQ(run(&c, &err, &n), 0);   /* the sink answers 202 */
        const struct vgl_json *r = last_request();
        CHECK_STR_EQ(field(r, "method"), "POST");
        CHECK_STR_EQ(field(r, "path"), cases[i].path);
        CHECK_STR_EQ(field(r, "query"), cases[i].query);
        CHECK_STR_EQ(header(r, "x-amz-invocation-type"), "Event");
        CHECK_STR_EQ(field(r, "body"), "{\"k\":\"v\",\"u\":\"h\\u00e9\"}");
        check_signed(r, "lambda");
    }
}

TEST(lambda_v2_credentials)
{
    env_init();
    const char *pub = "{\"@aws-lambda.alert_data\":{\"x\":null}}";
    struct vgl_output_ctx c = ctx_for(
        "aws-lambda-v2", "f", NULL, pub,
        "{\"lambda_function_arn\":\"arn:aws:lambda:us-east-1:1:function:fn\","
        "\"function_qualifier\":\"v 1\"}");
    struct vgl_error err = {0};
    int n;
    CHECK_INT_EQ(run(&c, &err, &n), 0);
    const struct vgl_json *r = last_request();
    CHECK_STR_EQ(field(r, "path"),
                 "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A1%3Afunction%3Afn/"
                 "invocations");
    CHECK_STR_EQ(field(r, "query"), "Qualifier=v%201");
    CHECK_STR_EQ(field(r, "body"), "{\"x\":null}");
    check_signed(r, "lambda");

    /* an ARN of this account and region is invoked by name (it signs cleanly on AWS) */
    c = ctx_for("aws-lambda-v2", "f", NULL, NULL,
                "{\"lambda_function_arn\":\"arn:aws:lambda:us-east-1:" ACCOUNT ":function:fn:live\"}");
    CHECK_INT_EQ(run(&c, &err, &n), 0);
    r = last_request();
    CHECK_STR_EQ(field(r, "path"), "/2015-03-31/functions/fn/invocations");
    CHECK_STR_EQ(field(r, "query"), "Qualifier=live");
    c = ctx_for("aws-lambda-v2", "f", NULL, NULL,
                "{\"lambda_function_arn\":\"arn:aws:lambda:us-east-1:" ACCOUNT ":function:fn\","
                "\"function_qualifier\":\"q\"}");
    CHECK_INT_EQ(run(&c, &err, &n), 0);
    r = last_request();
    CHECK_STR_EQ(field(r, "path"), "/2015-03-31/functions/fn/invocations");
    CHECK_STR_EQ(field(r, "query"), "Qualifier=q");

    c = ctx_for("aws-lambda-v2", "f", NULL, NULL,
                "{\"lambda_function_arn\":\"fn\",\"assume_role_arn\":\"arn:aws:iam::1:role/r\"}");
    CHECK_INT_EQ(run(&c, &err, &n), VGL_ECONFIG);
    CHECK_STR_CONTAINS(err.msg, "output 'aws-lambda-v2:f': assume_role_arn is not supported");
    CHECK_INT_EQ(n, 0);

    c = ctx_for("aws-lambda-v2", "f", NULL, NULL, NULL);
    CHECK(run(&c, &err, &n) < 0);
    CHECK_STR_CONTAINS(err.msg, "output 'aws-lambda-v2:f': no credentials stored");
}

/* ---- aws-ses ---- */

/* The decoded MIME with each random boundary replaced by B1, B2, ... */
static char *normalize_boundaries(const char *mime)
{
    struct vgl_buf out;
    vgl_buf_init(&out, 0);
    char seen[4][40];
    int nseen = 0;
    for (const char *p = mime; *p;) {
        const char *q = strstr(p, "===============");
        if (!q) {
            vgl_buf_puts(&out, p);
            break;
        }
        vgl_buf_append(&out, p, (size_t)(q - p));
        char b[40];
        snprintf(b, sizeof b, "%.36s", q);
        int k = 0;
        while (k < nseen && strcmp(seen[k], b) != 0)
            k++;
        if (k == nseen && nseen < 4)
            snprintf(seen[nseen++], 40, "%s", b);
        vgl_buf_printf(&out, "B%d", k + 1);
        p = q + strlen(b);
    }
    char *s = vgl_arena_strndup(&A, out.data ? out.data : "", out.len);
    vgl_buf_release(&out);
    return s;
}

TEST(ses_send_raw_email)
{
    env_init();
    const char *creds = "{\"from_email\":\"alerts@example.com\",\"to_emails\":\"a@example.com,"
                        "b@example.com\"}";
    struct vgl_output_ctx c = ctx_for("aws-ses", "mail", NULL, NULL, creds);
    struct vgl_error err = {0};
    int n;
    CHECK_INT_EQ(run(&c, &err, &n), 0);
    const struct vgl_json *r = last_request();
    check_signed(r, "ses");
    const char *body = field(r, "body");
    CHECK_STR_EQ(form_get(body, "Action"), "SendRawEmail");
    CHECK_STR_EQ(form_get(body, "Source"), "alerts@example.com");
    CHECK_STR_EQ(form_get(body, "Destinations.member.1"), "a@example.com");
    CHECK_STR_EQ(form_get(body, "Destinations.member.2"), "b@example.com");
    CHECK_STR_EQ(form_get(body, "Version"), "2010-12-01");
    const char *data = form_get(body, "RawMessage.Data");
    const char *mime = data ? b64_decode(data) : NULL;
    CHECK(mime != NULL);
    /* record.json = json.dumps(record, indent=2, sort_keys=True), base64 */
    const char *rec = "{\n  \"k\": \"v\",\n  \"u\": \"h\\u00e9\"\n}";
    char rec64[128];
    sodium_bin2base64(rec64, sizeof rec64, (const unsigned char *)rec, strlen(rec),
                      sodium_base64_VARIANT_ORIGINAL);
    char want[2048];
    snprintf(want, sizeof want,
             "Content-Type: multipart/mixed; boundary=\"B1\"\n"
             "MIME-Version: 1.0\n"
             "To: a@example.com,b@example.com\n"
             "From: alerts@example.com\n"
             "Subject: my_rule triggered alert a1\n"
             "\n"
             "--B1\n"
             "Content-Type: application/octet-stream\n"
             "MIME-Version: 1.0\n"
             "Content-Transfer-Encoding: base64\n"
             "Content-Disposition: attachment; filename=\"record.json\"\n"
             "\n"
             "%s\n"
             "\n"
             "--B1\n"
             "Content-Type: text/plain; charset=\"us-ascii\"\n"
             "MIME-Version: 1.0\n"
             "Content-Transfer-Encoding: 7bit\n"
             "\n"
             "Please review the attached record.json\n"
             "--B1--\n",
             rec64);
    if (mime)
        CHECK_STR_EQ(normalize_boundaries(mime), want);
}

TEST(ses_alternative_body_and_attachments)
{
    env_init();
    const char *creds = "{\"from_email\":\"f@example.com\",\"to_emails\":\"t@example.com\"}";
    const char *pub = "{\"@aws-ses.subject\":\"S\",\"@aws-ses.attach_record\":false,"
                      "\"@aws-ses.attachments\":{\"a.txt\":\"hi\"},"
                      "\"@aws-ses.body\":{\"plain\":\"p\",\"html\":\"<b>h</b>\"}}";
    struct vgl_output_ctx c = ctx_for("aws-ses", "mail", NULL, pub, creds);
    struct vgl_error err = {0};
    int n;
    CHECK_INT_EQ(run(&c, &err, &n), 0);
    const char *data = form_get(field(last_request(), "body"), "RawMessage.Data");
    const char *mime = data ? b64_decode(data) : NULL;
    const char *want = "Content-Type: multipart/mixed; boundary=\"B1\"\n"
                       "MIME-Version: 1.0\n"
                       "To: t@example.com\n"
                       "From: f@example.com\n"
                       "Subject: S\n"
                       "\n"
                       "--B1\n"
                       "Content-Type: application/octet-stream\n"
                       "MIME-Version: 1.0\n"
                       "Content-Transfer-Encoding: base64\n"
                       "Content-Disposition: attachment; filename=\"a.txt\"\n"
                       "\n"
                       "aGk=\n"
                       "\n"
                       "--B1\n"
                       "Content-Type: multipart/alternative; boundary=\"B2\"\n"
                       "MIME-Version: 1.0\n"
                       "\n"
                       "--B2\n"
                       "Content-Type: text/plain; charset=\"us-ascii\"\n"
                       "MIME-Version: 1.0\n"
                       "Content-Transfer-Encoding: 7bit\n"
                       "\n"
                       "p\n"
                       "--B2\n"
                       "Content-Type: text/html; charset=\"us-ascii\"\n"
                       "MIME-Version: 1.0\n"
                       "Content-Transfer-Encoding: 7bit\n"
                       "\n"
                       "<b>h</b>\n"
                       "--B2--\n"
                       "\n"
                       "--B1--\n";
    CHECK(mime != NULL);
    if (mime)
        CHECK_STR_EQ(normalize_boundaries(mime), want);

    c = ctx_for("aws-ses", "mail", NULL, NULL, "{\"from_email\":\"f@example.com\"}");
    CHECK_INT_EQ(run(&c, &err, &n), VGL_ECONFIG);
    CHECK_STR_CONTAINS(err.msg, "output 'aws-ses:mail'");
    CHECK_STR_CONTAINS(err.msg, "to_emails");
    CHECK_INT_EQ(n, 0);
}

TEST(ses_non_ascii_parts)
{
    env_init();
    const char *creds = "{\"from_email\":\"f@example.com\",\"to_emails\":\"t@example.com\"}";
    /* subject "S\u00e9 x", attachment "\u00e9.txt" = "h\u00e9\u20ac", body {"plain": "p\u00e9"} */
    const char *pub = "{\"@aws-ses.subject\":\"S\\u00e9 x\",\"@aws-ses.attach_record\":0,"
                      "\"@aws-ses.attachments\":{\"\\u00e9.txt\":\"h\\u00e9\\u20ac\"},"
                      "\"@aws-ses.body\":{\"plain\":\"p\\u00e9\"}}";
    struct vgl_output_ctx c = ctx_for("aws-ses", "mail", NULL, pub, creds);
    struct vgl_error err = {0};
    int n;
    CHECK_INT_EQ(run(&c, &err, &n), 0);
    const char *data = form_get(field(last_request(), "body"), "RawMessage.Data");
    const char *mime = data ? b64_decode(data) : NULL;
    /* what Python 3.11's email package writes for the same message */
    const char *want = "Content-Type: multipart/mixed; boundary=\"B1\"\nMIME-Version: 1.0\n"
                       "To: t@example.com\nFrom: f@example.com\nSubject: =?utf-8?b?U8OpIHg=?=\n\n"
                       "--B1\nContent-Type: application/octet-stream\nMIME-Version: 1.0\n"
                       "Content-Transfer-Encoding: base64\n"
                       "Content-Disposition: attachment; filename*=utf-8''%C3%A9.txt\n\n"
                       "aOlcdTIwYWM=\n\n--B1\n"
                       "Content-Type: multipart/alternative; boundary=\"B2\"\nMIME-Version: 1.0\n\n"
                       "--B2\nContent-Type: text/plain; charset=\"utf-8\"\nMIME-Version: 1.0\n"
                       "Content-Transfer-Encoding: base64\n\ncMOp\n\n--B2--\n\n--B1--\n";
    CHECK(mime != NULL);
    if (mime)
        CHECK_STR_EQ(normalize_boundaries(mime), want);

    c = ctx_for("aws-ses", "mail", NULL, "{\"@aws-ses.attachments\":{\"a\":1}}", creds);
    CHECK_INT_EQ(run(&c, &err, &n), VGL_ETYPE);
    CHECK_STR_CONTAINS(err.msg, "'@aws-ses.attachments' member 'a' must be a string, got number");
}

/* ---- aws-cloudwatch-log ---- */

TEST(cloudwatch_log_logs_and_puts_events)
{
    env_init();
    struct vgl_output_ctx c = ctx_for("aws-cloudwatch-log", "cw", NULL, NULL, NULL);
    struct vgl_error err = {0};
    int n;
    CHECK_INT_EQ(run(&c, &err, &n), 0);
    CHECK_INT_EQ(n, 0);

    c = ctx_for("aws-cloudwatch-log", "cw", "my-group:my-stream", NULL, NULL);
    CHECK_INT_EQ(run(&c, &err, &n), 0);
    CHECK_INT_EQ(n, 1);
    const struct vgl_json *r = last_request();
    CHECK_STR_EQ(field(r, "path"), "/");
    CHECK_STR_EQ(header(r, "x-amz-target"), "Logs_20140328.PutLogEvents");
    CHECK_STR_EQ(header(r, "content-type"), "application/x-amz-json-1.1");
    check_signed(r, "logs");
    CHECK_STR_EQ(field(r, "body"),
                 "{\"logGroupName\":\"my-group\",\"logStreamName\":\"my-stream\",\"logEvents\":"
                 "[{\"timestamp\":1577934245006,\"message\":\"{\\\"id\\\":\\\"a1\\\","
                 "\\\"rule_name\\\":\\\"my_rule\\\",\\\"record\\\":{\\\"k\\\":\\\"v\\\","
                 "\\\"u\\\":\\\"h\xc3\xa9\\\"}}\"}]}");
}

/* ---- failures common to the AWS services ---- */

TEST(aws_missing_keys_and_http_errors)
{
    env_init();
    ENV.aws_access_key_id = NULL;
    struct vgl_output_ctx c = ctx_for("aws-sns", "sec", "t", NULL, NULL);
    struct vgl_error err = {0};
    int n;
    CHECK_INT_EQ(run(&c, &err, &n), VGL_ECONFIG);
    CHECK_STR_CONTAINS(err.msg, "output 'aws-sns:sec': no AWS access key");
    CHECK_INT_EQ(n, 0);
    check_no_secret(&err);

    /* the output's own keys (credentials) are used when present */
    c = ctx_for("aws-sqs", "q", "queue", NULL,
                "{\"access_key_id\":\"" KEY_ID "\",\"secret_access_key\":\"" SECRET_KEY "\"}");
    CHECK_INT_EQ(run(&c, &err, &n), 0);
    check_signed(last_request(), "sqs");

    env_init();
    char failing[128];
    snprintf(failing, sizeof failing, "%s/fail", sink_url());
    ENV.aws_endpoint_url = failing;
    const char *services[] = {"aws-sns", "aws-sqs", "aws-s3", "aws-firehose", "aws-lambda"};
    for (size_t i = 0; i < sizeof services / sizeof services[0]; i++) {
        c = ctx_for(services[i], "d", "res", NULL, NULL);
        memset(&err, 0, sizeof err);
        CHECK_INT_EQ(run(&c, &err, &n), VGL_EIO);
        CHECK_INT_EQ(n, 1);
        CHECK_STR_CONTAINS(err.msg, "HTTP 500");
        CHECK_STR_CONTAINS(err.msg, "InternalFailure");
        CHECK_STR_CONTAINS(err.msg, services[i]);
        check_no_secret(&err);
    }
}

/* ---- webhook ---- */

TEST(webhook_posts_signed_json)
{
    env_init();
    char creds[512];
    snprintf(creds, sizeof creds,
             "{\"url\":\"%s/hook?token=SECRET-TOKEN\",\"hmac_secret\":\"s3cr3t-SECRET\","
             "\"headers\":\"{\\\"X-Team\\\": \\\"sec\\\", \\\"X-Vigil-Signature\\\": \\\"x\\\"}\"}",
             sink_url());
    const char *pub = "{\"id\":\"a1\",\"t\":\"h\\u00e9\",\"n\":1.0}";
    struct vgl_output_ctx c = ctx_for("webhook", "ops", NULL, pub, creds);
    struct vgl_error err = {0};
    int n;
    CHECK_INT_EQ(run(&c, &err, &n), 0);
    const struct vgl_json *r = last_request();
    CHECK_STR_EQ(field(r, "method"), "POST");
    CHECK_STR_EQ(field(r, "path"), "/hook");
    CHECK_STR_EQ(field(r, "query"), "token=SECRET-TOKEN");
    CHECK_STR_EQ(header(r, "content-type"), "application/json");
    CHECK_STR_EQ(header(r, "x-vigil-alert-id"), "a1");
    CHECK_STR_EQ(header(r, "x-team"), "sec");
    const char *body = "{\"id\":\"a1\",\"t\":\"h\xc3\xa9\",\"n\":1.0}";
    CHECK_STR_EQ(field(r, "body"), body);
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    const char *key = "s3cr3t-SECRET";
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)key, strlen(key));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, strlen(body));
    crypto_auth_hmacsha256_final(&st, mac);
    char hex[65], want[80];
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    snprintf(want, sizeof want, "sha256=%s", hex);
    CHECK_STR_EQ(header(r, "x-vigil-signature"), want);
}

TEST(webhook_failures_hide_the_url)
{
    env_init();
    char creds[512];
    snprintf(creds, sizeof creds, "{\"url\":\"%s/fail/hook-SECRET\"}", sink_url());
    struct vgl_output_ctx c = ctx_for("webhook", "ops", NULL, NULL, creds);
    struct vgl_error err = {0};
    int n;
    CHECK_INT_EQ(run(&c, &err, &n), VGL_EIO);
    CHECK_STR_CONTAINS(err.msg, "output 'webhook:ops': HTTP 500");
    check_no_secret(&err);
    CHECK(header(last_request(), "x-vigil-signature") == NULL);

    /* nothing listens on port 9 of loopback: a transport error, still without the URL */
    c = ctx_for("webhook", "ops", NULL, NULL, "{\"url\":\"http://127.0.0.1:9/SECRET\"}");
    CHECK_INT_EQ(run(&c, &err, &n), VGL_EIO);
    CHECK_STR_CONTAINS(err.msg, "output 'webhook:ops': ");
    check_no_secret(&err);

    c = ctx_for("webhook", "ops", NULL, NULL, NULL);
    CHECK(run(&c, &err, &n) < 0);
    CHECK_STR_CONTAINS(err.msg, "output 'webhook:ops': no credentials stored");
    c = ctx_for("webhook", "ops", NULL, NULL, "{\"hmac_secret\":\"SECRET\"}");
    CHECK_INT_EQ(run(&c, &err, &n), VGL_ECONFIG);
    CHECK_STR_CONTAINS(err.msg, "lack 'url'");
    check_no_secret(&err);
    c = ctx_for("webhook", "ops", NULL, NULL,
                "{\"url\":\"http://x/\",\"headers\":\"{\\\"A\\\": \\\"/SECRET\\\\nB: c\\\"}\"}");
    CHECK_INT_EQ(run(&c, &err, &n), VGL_ECONFIG);
    CHECK_STR_CONTAINS(err.msg, "'A' must be a string without line breaks");
    check_no_secret(&err);
    CHECK_INT_EQ(n, 0);
}

/* ---- file, stdout ---- */

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

TEST(file_appends_json_lines)
{
    env_init();
    const char *dir = vgl_arena_strndup(&A, tu_tmpdir(), strlen(tu_tmpdir()));
    ENV.data_dir = dir;
    const char *pub = "{\"id\":\"a1\",\"t\":\"h\\u00e9\"}";
    for (int i = 0; i < 2; i++) {
        struct vgl_output_ctx c = ctx_for("file", "log", "alerts/sub/out.jsonl", pub, NULL);
        struct vgl_error err = {0};
        int n;
        CHECK_INT_EQ(run(&c, &err, &n), 0);
        CHECK_INT_EQ(n, 0);
    }
    char path[400];
    snprintf(path, sizeof path, "%s/alerts/sub/out.jsonl", dir);
    CHECK_STR_EQ(slurp(path), "{\"id\":\"a1\",\"t\":\"h\xc3\xa9\"}\n{\"id\":\"a1\",\"t\":\"h\xc3\xa9\"}\n");

    /* an absolute path ignores data_dir; an unwritable one is a clear error */
    char abs[400];
    snprintf(abs, sizeof abs, "%s/abs.jsonl", dir);
    struct vgl_output_ctx c = ctx_for("file", "log", abs, pub, NULL);
    struct vgl_error err = {0};
    int n;
    CHECK_INT_EQ(run(&c, &err, &n), 0);
    CHECK_STR_EQ(slurp(abs), "{\"id\":\"a1\",\"t\":\"h\xc3\xa9\"}\n");
    snprintf(abs, sizeof abs, "%s/abs.jsonl/below", dir);
    c = ctx_for("file", "log", abs, pub, NULL);
    CHECK_INT_EQ(run(&c, &err, &n), VGL_EIO);
    CHECK_STR_CONTAINS(err.msg, "output 'file:log': cannot ");
    c = ctx_for("file", "log", NULL, pub, NULL);
    CHECK_INT_EQ(run(&c, &err, &n), VGL_ECONFIG);
    CHECK_STR_CONTAINS(err.msg, "output 'file:log': no path configured");
    tu_rmrf(dir);
}

TEST(stdout_writes_one_line)
{
    env_init();
    FILE *f = tmpfile();
    ENV.stdout_stream = f;
    struct vgl_output_ctx c = ctx_for("stdout", "out", NULL, NULL, NULL);
    struct vgl_error err = {0};
    int n;
    CHECK_INT_EQ(run(&c, &err, &n), 0);
    CHECK_INT_EQ(run(&c, &err, &n), 0);
    rewind(f);
    char buf[512];
    size_t got = fread(buf, 1, sizeof buf - 1, f);
    buf[got] = '\0';
    fclose(f);
    CHECK_STR_EQ(buf, "{\"id\":\"a1\",\"rule_name\":\"my_rule\",\"record\":{\"k\":\"v\",\"u\":"
                      "\"h\xc3\xa9\"}}\n{\"id\":\"a1\",\"rule_name\":\"my_rule\",\"record\":"
                      "{\"k\":\"v\",\"u\":\"h\xc3\xa9\"}}\n");
}

TEST(registry_lists_local_services)
{
    static const struct {
        const char *name;
        enum vgl_output_form form;
    } want[] = {
        {"aws-cloudwatch-log", VGL_OUTPUT_OBJECT}, {"aws-firehose", VGL_OUTPUT_OBJECT},
        {"aws-lambda", VGL_OUTPUT_OBJECT},         {"aws-lambda-v2", VGL_OUTPUT_LIST},
        {"aws-s3", VGL_OUTPUT_OBJECT},             {"aws-ses", VGL_OUTPUT_LIST},
        {"aws-sns", VGL_OUTPUT_OBJECT},            {"aws-sqs", VGL_OUTPUT_OBJECT},
        {"file", VGL_OUTPUT_OBJECT},               {"stdout", VGL_OUTPUT_LIST},
        {"webhook", VGL_OUTPUT_LIST},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const struct vgl_output_ops *ops = vgl_output_find(want[i].name);
        CHECK(ops != NULL);
        if (ops) {
            CHECK_STR_EQ(ops->name, want[i].name);
            CHECK_INT_EQ(ops->form, want[i].form);
        }
    }
}

TEST_MAIN(T(firehose_alerts_uses_prefix_stream), T(firehose_named_stream_and_size_limit),
          T(s3_put_object_key_and_body), T(sns_publish_default_subject_and_message),
          T(sns_subject_elided_by_code_points), T(sqs_send_message),
          T(lambda_invoke_qualifier_rules), T(lambda_v2_credentials), T(ses_send_raw_email),
          T(ses_alternative_body_and_attachments),
          T(ses_non_ascii_parts), T(cloudwatch_log_logs_and_puts_events),
          T(aws_missing_keys_and_http_errors), T(webhook_posts_signed_json),
          T(webhook_failures_hide_the_url), T(file_appends_json_lines), T(stdout_writes_one_line),
          T(registry_lists_local_services))
