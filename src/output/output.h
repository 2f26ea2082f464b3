/*
 * output/output.h: the output services (compat 7.5, and vigil's own webhook/file/stdout).
 *
 * One `const struct vgl_output_ops` per service (STYLE.md 3), found by name with
 * vgl_output_find().  A service turns one alert and its publication into the request(s)
 * StreamAlert sends, and judges the responses by StreamAlert's success rule.  It does no
 * I/O on the network itself: the dispatcher sends what the service asks for over the shared
 * HTTP layer (output/http.h), many deliveries side by side, and hands each response back.
 *
 * A delivery attempt is a little state machine driven by ops->step():
 *
 *     rc = step(ctx, NULL, &req, err);          first call
 *     while (rc == VGL_OUTPUT_SEND) {           the service wants req sent
 *         ... send req (after ctx->delay_ms) ...
 *         rc = step(ctx, &resp, &req, err);     the response to the last request
 *     }
 *     rc == 0: delivered.  rc < 0: failed, err says why (never with a secret in it).
 *
 * Most services need one request (step 0 builds it, step 1 judges it).  PagerDuty
 * incidents, Jira and Phantom need several; ctx->step and ctx->state are theirs to keep
 * track.  Services that need no network (file, stdout, aws-cloudwatch-log without a log
 * group) finish in the first call.
 *
 * Ownership: everything in a ctx is borrowed from the dispatcher for the attempt.  A
 * request's strings must live in ctx->arena (or be static) until the next step() call.
 * Services keep no global state and are reentrant; file/stdout serialize their own writes.
 */
#ifndef VGL_OUTPUT_OUTPUT_H
#define VGL_OUTPUT_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "json/json.h"
#include "output/http.h"

struct vgl_arena;
struct vgl_error;
struct vgl_json;

/* How outputs.json lists a service (compat 1.7). */
enum vgl_output_form {
    VGL_OUTPUT_LIST,     /* ["descriptor", ...]; secrets in the credential store */
    VGL_OUTPUT_OBJECT,   /* {"descriptor": "resource name"} (the AWS outputs, file) */
};

/* Process-wide settings the services read (conf/vigil.json, docs/output.md). */
struct vgl_output_env {
    /* Base URLs StreamAlert fixes (compat 7.2); vigil lets them be pointed elsewhere (a
     * proxy, GitHub Enterprise, a test server).  Never NULL. */
    const char *pagerduty_events_url;    /* "https://events.pagerduty.com" */
    const char *pagerduty_api_url;       /* "https://api.pagerduty.com" */
    const char *github_api_url;          /* "https://api.github.com" */
    /* AWS: endpoint_url "" means the real AWS endpoint of each service in aws_region;
     * otherwise every AWS service is sent to that one S3/SNS/...-compatible URL
     * (LocalStack, MinIO, ElasticMQ), path-style.  Keys: from the output's credentials
     * (access_key_id, secret_access_key, session_token), else these (from the
     * AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN environment variables). */
    const char *aws_endpoint_url;
    const char *aws_region;              /* "us-east-1" */
    const char *aws_account_id;          /* for ARNs built from names: "000000000000" */
    const char *aws_access_key_id, *aws_secret_access_key, *aws_session_token;  /* or NULL */
    const char *data_dir;                /* relative file output paths start here */
    const char *prefix;                  /* global.json account.prefix, or "" */
    FILE *stdout_stream;                 /* where `stdout` writes (NULL: stdout) */
    bool verify_tls_always;              /* ignore StreamAlert's verify=False (compat 7.3) */
};

/* One delivery attempt of one alert to one output. */
struct vgl_output_ctx {
    const char *service, *descriptor;
    const char *resource;                /* object form: outputs.json's value; else NULL */
    const struct vgl_json *alert;        /* the stored alert: its default publication
                                            (compat 6.2: id, rule_name, record, created,
                                            context, rule_description, source_service, ...) */
    const struct vgl_json *pub;          /* the publication for this output (compat 7.4) */
    const struct vgl_json *creds;        /* decrypted credentials (an object), or NULL when
                                            none are stored (a service needing them fails) */
    const struct vgl_output_env *env;
    struct vgl_arena *arena;             /* scratch for the attempt */
    int64_t now_us;                      /* the attempt's wall clock (UTC microseconds) */
    int step;                            /* 0 on the first call; the service's to advance */
    void *state;                         /* the service's own, in arena */
    long delay_ms;                       /* set with VGL_OUTPUT_SEND: wait this long first */
};

#define VGL_OUTPUT_SEND 1

struct vgl_output_ops {
    const char *name;                    /* "slack", "aws-sns", "webhook", ... */
    enum vgl_output_form form;
    /* Credential fields are not here: output/credentials.c's table (the one `vigil output
     * set-credentials` prompts from) lists them, and vgl_output_need_creds() checks them. */
    /* Called first with resp == NULL, then with the response to the request it asked
     * for.  Fills *req and returns VGL_OUTPUT_SEND, or returns 0 (delivered) or a negative
     * VGL_E* code with err saying why. */
    int (*step)(struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                struct vgl_http_request *req, struct vgl_error *err);
    /* Optional: makes durable what earlier steps wrote locally (the file output fsyncs and
     * closes its files).  The dispatcher calls it before it records those deliveries as
     * sent; a failure leaves them unrecorded (due again). */
    int (*sync)(struct vgl_error *err);
    /* Writes on this machine only (file, stdout): an attempt finishes within its first
     * step, so the dispatcher does not count it against delivery_parallel. */
    bool local;
};

/* Calls every service's sync(); 0 or the first error. */
int vgl_output_sync_all(struct vgl_error *err);

/* The service called name, or NULL. */
const struct vgl_output_ops *vgl_output_find(const char *name);
/* Every service, in name order; *n gets the count. */
const struct vgl_output_ops *const *vgl_output_all(size_t *n);

/* Defaults for every env field (the real endpoints, us-east-1, AWS keys from the
 * environment). */
void vgl_output_env_defaults(struct vgl_output_env *env);

/* Helpers shared by the services (output.c). */

/* A string credential field, or NULL when absent or not a string. */
const char *vgl_output_cred(const struct vgl_output_ctx *ctx, const char *field);
/* Checks the stored credentials hold every required field of the service (credentials.c
 * table): 0, or a clear error naming the output and the missing field(s), never a value. */
int vgl_output_need_creds(const struct vgl_output_ctx *ctx, struct vgl_error *err);
/* The publication's magic key "@<service>.<field>" (compat 7.1), or NULL. */
const struct vgl_json *vgl_output_magic(const struct vgl_output_ctx *ctx, const char *key);
/* A JSON string of a NUL-terminated C string (not copied). */
static inline struct vgl_json vgl_output_strz(const char *s)
{
    return vgl_json_str(s, strlen(s));
}

/* An object member with a NUL-terminated key (not copied). */
static inline struct vgl_json_member vgl_output_member(const char *key, struct vgl_json val)
{
    struct vgl_json_member m = {.key = key, .klen = (uint32_t)strlen(key), .val = val};
    return m;
}

/* The publication's member called key (the full name, e.g. "@jira.description"), or NULL. */
const struct vgl_json *vgl_output_pub(const struct vgl_output_ctx *ctx, const char *key);

/* The alert field key as a JSON value; a string "" when absent. */
struct vgl_json vgl_output_alert_value(const struct vgl_output_ctx *ctx, const char *key);

/* An alert field ("rule_name", "id", "record", ...), or NULL. */
const struct vgl_json *vgl_output_alert_field(const struct vgl_output_ctx *ctx, const char *key);
/* The alert field as a NUL-terminated string in the arena ("" when absent/not a string). */
const char *vgl_output_alert_str(const struct vgl_output_ctx *ctx, const char *key);
/* printf into the arena. */
char *vgl_output_fmt(const struct vgl_output_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The step of a service that sends one request and succeeds on a 2xx answer: build fills
 * the request (0 or an error), then the response is judged by vgl_output_http_result(). */
typedef int (*vgl_output_build_fn)(struct vgl_output_ctx *ctx, struct vgl_http_request *req,
                                   struct vgl_error *err);
int vgl_output_single_request(struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                              struct vgl_http_request *req, struct vgl_error *err,
                              vgl_output_build_fn build);

/* Judges a plain HTTP response: 0 for 2xx, else a VGL_EIO error naming the output and the
 * status (or the transport error) and the start of the body. */
int vgl_output_http_result(const struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                           struct vgl_error *err);

#endif
