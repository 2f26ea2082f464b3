/*
 * output/aws.h: what the AWS output services (svc_aws_*.c) share: endpoints, SigV4
 * signing through the HTTP layer, Query-protocol form encoding, base64, JSON bodies.
 *
 * Endpoints: env->aws_endpoint_url when it is not empty (one URL for every service, used
 * path-style: LocalStack, MinIO, ElasticMQ), else https://<host>.<region>.amazonaws.com.
 * Signing is libcurl's CURLOPT_AWS_SIGV4 ("aws:amz:<region>:<service>" plus the key id and
 * secret as user:password); a session token goes in an x-amz-security-token header.  Keys
 * come from the output's credentials (access_key_id, secret_access_key, session_token)
 * when it has them, else from env (AWS_ACCESS_KEY_ID, ...).
 *
 * Ownership: every returned string and every request field lives in ctx->arena.  Errors
 * name the output, never a key.  Reentrant.
 */
#ifndef VGL_OUTPUT_AWS_H
#define VGL_OUTPUT_AWS_H

#include <stdbool.h>
#include <stddef.h>

struct vgl_buf;
struct vgl_error;
struct vgl_http_request;
struct vgl_http_response;
struct vgl_json;
struct vgl_output_ctx;

/* The base URL (no trailing '/') for the service whose regional host name starts with
 * host ("sns", "email" for SES, "logs", ...). */
const char *vgl_aws_endpoint(const struct vgl_output_ctx *ctx, const char *host);

/*
 * Fills *req: method, url, body (borrowed: must live in the arena or be static), the
 * given "Name: value" headers plus x-amz-security-token when there is a session token, and
 * SigV4 signing for service (the signing name: "s3", "ses", "logs", ...).  Returns 0, or
 * VGL_ECONFIG naming the output when no AWS keys are configured.
 */
int vgl_aws_request(struct vgl_output_ctx *ctx, const char *service, const char *method,
                    const char *url, const char *const *headers, size_t nheaders,
                    const char *body, size_t body_len, struct vgl_http_request *req,
                    struct vgl_error *err);

/* vgl_aws_request() for a Query-protocol call (SNS, SQS, SES): POST url with the form body
 * (copied into the arena) as application/x-www-form-urlencoded. */
int vgl_aws_query(struct vgl_output_ctx *ctx, const char *service, const char *url,
                  const struct vgl_buf *form, struct vgl_http_request *req,
                  struct vgl_error *err);

/* The asynchronous Invoke both aws-lambda and aws-lambda-v2 send: POST
 * /2015-03-31/functions/<function>/invocations[?Qualifier=<qualifier>] with
 * X-Amz-Invocation-Type: Event and compact JSON of the publication's
 * @aws-lambda.alert_data (default: the record).  qualifier may be NULL or "". */
int vgl_aws_lambda_invoke(struct vgl_output_ctx *ctx, const char *function,
                          const char *qualifier, struct vgl_http_request *req,
                          struct vgl_error *err);

/* Appends s[0..n) percent-encoded as AWS wants it: A-Za-z0-9 - _ . ~ kept, everything else
 * (spaces too) as %XX; '/' kept when keep_slash. */
int vgl_aws_uri_encode(struct vgl_buf *b, const char *s, size_t n, bool keep_slash);

/* Appends "name=value" to a Query-protocol form body, with '&' first unless b is empty. */
int vgl_aws_form(struct vgl_buf *b, const char *name, const char *value, size_t n);

/* Appends the standard base64 (with padding) of p[0..n). */
int vgl_aws_base64(struct vgl_buf *b, const void *p, size_t n);

/* Copies b's text into the arena (NUL-terminated); *len gets its length. */
char *vgl_aws_arena_text(struct vgl_output_ctx *ctx, const struct vgl_buf *b, size_t *len);

/* The alert's record ("record"), or a JSON null when the alert has none. */
const struct vgl_json *vgl_aws_record(const struct vgl_output_ctx *ctx);

/* Sets *out to the outputs.json resource of an object-form output (ctx->resource) and
 * returns 0, or returns VGL_ECONFIG naming the output when it has none ("what" names the
 * resource kind for the message: "topic name"). */
int vgl_aws_resource(const struct vgl_output_ctx *ctx, const char *what, const char **out,
                     struct vgl_error *err);

#endif
