/*
 * output/aws.c: endpoints, signing and encodings shared by the AWS output services
 * (aws.h).  The services build their bodies; this file turns them into signed requests
 * for the HTTP layer.
 */
#include "output/aws.h"

#include <sodium.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "json/json.h"
#include "json/pyjson.h"
#include "output/output.h"

const char *vgl_aws_endpoint(const struct vgl_output_ctx *ctx, const char *host)
{
    const char *url = ctx->env->aws_endpoint_url;
    if (url && *url) {
        size_t n = strlen(url);
        while (n && url[n - 1] == '/')
            n--;
        return vgl_arena_strndup(ctx->arena, url, n);
    }
    const char *region = ctx->env->aws_region && *ctx->env->aws_region ? ctx->env->aws_region
                                                                       : "us-east-1";
    return vgl_output_fmt(ctx, "https://%s.%s.amazonaws.com", host, region);
}

static const char *nonempty(const char *s)
{
    return s && *s ? s : NULL;
}

int vgl_aws_request(struct vgl_output_ctx *ctx, const char *service, const char *method,
                    const char *url, const char *const *headers, size_t nheaders,
                    const char *body, size_t body_len, struct vgl_http_request *req,
                    struct vgl_error *err)
{
    /* The output's own keys win over the process-wide ones, as a pair with their token. */
    const char *id = nonempty(vgl_output_cred(ctx, "access_key_id"));
    const char *secret, *token;
    if (id) {
        secret = nonempty(vgl_output_cred(ctx, "secret_access_key"));
        token = nonempty(vgl_output_cred(ctx, "session_token"));
    } else {
        id = nonempty(ctx->env->aws_access_key_id);
        secret = nonempty(ctx->env->aws_secret_access_key);
        token = nonempty(ctx->env->aws_session_token);
    }
    if (!id || !secret)
        return vgl_error_set(err, VGL_ECONFIG,
                             "output '%s:%s': no AWS access key (set AWS_ACCESS_KEY_ID and "
                             "AWS_SECRET_ACCESS_KEY, or store access_key_id and "
                             "secret_access_key in the output's credentials)",
                             ctx->service, ctx->descriptor);
    const char **h = vgl_arena_alloc(ctx->arena, (nheaders + 1) * sizeof *h);
    for (size_t i = 0; i < nheaders; i++)
        h[i] = headers[i];
    if (token)
        h[nheaders++] = vgl_output_fmt(ctx, "x-amz-security-token: %s", token);
    const char *region = ctx->env->aws_region && *ctx->env->aws_region ? ctx->env->aws_region
                                                                       : "us-east-1";
    memset(req, 0, sizeof *req);
    req->method = method;
    req->url = url;
    req->headers = h;
    req->nheaders = nheaders;
    req->body = body;
    req->body_len = body_len;
    req->aws_sigv4 = vgl_output_fmt(ctx, "aws:amz:%s:%s", region, service);
    req->userpwd = vgl_output_fmt(ctx, "%s:%s", id, secret);
    return 0;
}

int vgl_aws_query(struct vgl_output_ctx *ctx, const char *service, const char *url,
                  const struct vgl_buf *form, struct vgl_http_request *req,
                  struct vgl_error *err)
{
    static const char *const headers[] = {
        "Content-Type: application/x-www-form-urlencoded; charset=utf-8",
    };
    size_t len;
    const char *body = vgl_aws_arena_text(ctx, form, &len);
    return vgl_aws_request(ctx, service, "POST", url, headers, 1, body, len, req, err);
}

int vgl_aws_lambda_invoke(struct vgl_output_ctx *ctx, const char *function,
                          const char *qualifier, struct vgl_http_request *req,
                          struct vgl_error *err)
{
    if (!function || !*function)
        return vgl_error_set(err, VGL_ECONFIG, "output '%s:%s': no Lambda function name",
                             ctx->service, ctx->descriptor);
    /* both services read aws-lambda's key (StreamAlert's LambdaOutputV2 does too) */
    const struct vgl_json *data = NULL;
    if (ctx->pub && ctx->pub->type == VGL_JSON_OBJECT)
        data = vgl_json_getz(ctx->pub, "@aws-lambda.alert_data");
    struct vgl_buf payload, url;
    vgl_buf_init(&payload, 0);
    vgl_buf_init(&url, 0);
    int rc = vgl_pyjson_dumps(&payload, data ? data : vgl_aws_record(ctx), VGL_PYJSON_COMPACT, -1);
    if (!rc)
        rc = vgl_buf_printf(&url, "%s/2015-03-31/functions/", vgl_aws_endpoint(ctx, "lambda"));
    if (!rc)
        rc = vgl_aws_uri_encode(&url, function, strlen(function), false);
    if (!rc)
        rc = vgl_buf_puts(&url, "/invocations");
    if (!rc && qualifier && *qualifier) {
        rc = vgl_buf_puts(&url, "?Qualifier=");
        if (!rc)
            rc = vgl_aws_uri_encode(&url, qualifier, strlen(qualifier), false);
    }
    if (rc) {
        rc = vgl_error_set(err, rc, "output '%s:%s': cannot build the request", ctx->service,
                           ctx->descriptor);
    } else {
        static const char *const headers[] = {
            "Content-Type: application/json",
            "X-Amz-Invocation-Type: Event",
        };
        size_t len, ulen;
        const char *body = vgl_aws_arena_text(ctx, &payload, &len);
        const char *u = vgl_aws_arena_text(ctx, &url, &ulen);
        rc = vgl_aws_request(ctx, "lambda", "POST", u, headers, 2, body, len, req, err);
    }
    vgl_buf_release(&payload);
    vgl_buf_release(&url);
    return rc;
}

int vgl_aws_uri_encode(struct vgl_buf *b, const char *s, size_t n, bool keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/');
        int rc;
        if (keep) {
            rc = vgl_buf_putc(b, (char)c);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            rc = vgl_buf_append(b, e, 3);
        }
        if (rc)
            return rc;
    }
    return 0;
}

int vgl_aws_form(struct vgl_buf *b, const char *name, const char *value, size_t n)
{
    int rc = 0;
    if (b->len)
        rc = vgl_buf_putc(b, '&');
    if (!rc)
        rc = vgl_aws_uri_encode(b, name, strlen(name), false);
    if (!rc)
        rc = vgl_buf_putc(b, '=');
    if (!rc)
        rc = vgl_aws_uri_encode(b, value, n, false);
    return rc;
}

int vgl_aws_base64(struct vgl_buf *b, const void *p, size_t n)
{
    size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    int rc = vgl_buf_reserve(b, cap);
    if (rc)
        return rc;
    sodium_bin2base64(b->data + b->len, cap, p, n, sodium_base64_VARIANT_ORIGINAL);
    b->len += strlen(b->data + b->len);
    return 0;
}

char *vgl_aws_arena_text(struct vgl_output_ctx *ctx, const struct vgl_buf *b, size_t *len)
{
    *len = b->len;
    return vgl_arena_strndup(ctx->arena, b->data ? b->data : "", b->len);
}

const struct vgl_json *vgl_aws_record(const struct vgl_output_ctx *ctx)
{
    static const struct vgl_json null_value = {.type = VGL_JSON_NULL};
    const struct vgl_json *rec = vgl_output_alert_field(ctx, "record");
    return rec ? rec : &null_value;
}

int vgl_aws_resource(const struct vgl_output_ctx *ctx, const char *what, const char **out,
                     struct vgl_error *err)
{
    *out = ctx->resource;
    if (ctx->resource && *ctx->resource)
        return 0;
    return vgl_error_set(err, VGL_ECONFIG,
                         "output '%s:%s': no %s configured (conf/outputs.json: {\"%s\": "
                         "{\"%s\": \"<%s>\"}})",
                         ctx->service, ctx->descriptor, what, ctx->service, ctx->descriptor,
                         what);
}
