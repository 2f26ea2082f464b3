/*
 * output/svc_aws_s3.c: aws-s3 (compat 7.5): PutObject of the publication (json.dumps
 * defaults) under alerts/dt=<local %Y-%m-%d-%H>/<source_service>_<source_entity>_<rule>_
 * <uuid4>.json in the bucket named in outputs.json, path-style.
 */
#include <sodium.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/error.h"
#include "json/pyjson.h"
#include "output/aws.h"
#include "output/output.h"

static const char *uuid4(const struct vgl_output_ctx *ctx)
{
    unsigned char u[16];
    randombytes_buf(u, sizeof u);
    u[6] = (unsigned char)((u[6] & 0x0f) | 0x40);
    u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);
    return vgl_output_fmt(ctx,
                          "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                          u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10],
                          u[11], u[12], u[13], u[14], u[15]);
}

/* StreamAlert uses datetime.now(): the local time of the processor. */
static const char *hour_partition(const struct vgl_output_ctx *ctx)
{
    time_t t = (time_t)(ctx->now_us / 1000000);
    struct tm tm;
    char s[32] = "1970-01-01-00";
    if (localtime_r(&t, &tm))
        strftime(s, sizeof s, "%Y-%m-%d-%H", &tm);
    return vgl_output_fmt(ctx, "%s", s);
}

static int build(struct vgl_output_ctx *ctx, struct vgl_http_request *req, struct vgl_error *err)
{
    const char *bucket;
    int rc = vgl_aws_resource(ctx, "bucket name", &bucket, err);
    if (rc)
        return rc;
    if (sodium_init() < 0)
        return vgl_error_set(err, VGL_EIO, "output '%s:%s': cannot initialise libsodium",
                             ctx->service, ctx->descriptor);
    const char *key = vgl_output_fmt(ctx, "alerts/dt=%s/%s_%s_%s_%s.json", hour_partition(ctx),
                                     vgl_output_alert_str(ctx, "source_service"),
                                     vgl_output_alert_str(ctx, "source_entity"),
                                     vgl_output_alert_str(ctx, "rule_name"), uuid4(ctx));
    struct vgl_buf body, url;
    vgl_buf_init(&body, 0);
    vgl_buf_init(&url, 0);
    rc = vgl_pyjson_dumps(&body, ctx->pub, 0, -1);
    if (rc) {
        rc = vgl_error_set(err, rc, "output '%s:%s': cannot serialize the publication",
                           ctx->service, ctx->descriptor);
        goto out;
    }
    unsigned char sha[crypto_hash_sha256_BYTES];
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    crypto_hash_sha256(sha, (const unsigned char *)(body.data ? body.data : ""), body.len);
    sodium_bin2hex(hex, sizeof hex, sha, sizeof sha);
    rc = vgl_buf_puts(&url, vgl_aws_endpoint(ctx, "s3"));
    if (!rc)
        rc = vgl_buf_putc(&url, '/');
    if (!rc)
        rc = vgl_aws_uri_encode(&url, bucket, strlen(bucket), false);
    if (!rc)
        rc = vgl_buf_putc(&url, '/');
    if (!rc)
        rc = vgl_aws_uri_encode(&url, key, strlen(key), true);
    if (rc) {
        rc = vgl_error_set(err, rc, "output '%s:%s': cannot build the request", ctx->service,
                           ctx->descriptor);
        goto out;
    }
    const char *headers[] = {
        "Content-Type: application/json",
        vgl_output_fmt(ctx, "x-amz-content-sha256: %s", hex),
    };
    size_t len, ulen;
    const char *text = vgl_aws_arena_text(ctx, &body, &len);
    const char *u = vgl_aws_arena_text(ctx, &url, &ulen);
    rc = vgl_aws_request(ctx, "s3", "PUT", u, headers, 2, text, len, req, err);
out:
    vgl_buf_release(&body);
    vgl_buf_release(&url);
    return rc;
}

static int step(struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                struct vgl_http_request *req, struct vgl_error *err)
{
    return vgl_output_single_request(ctx, resp, req, err, build);
}

const struct vgl_output_ops vgl_output_aws_s3 = {
    .name = "aws-s3",
    .form = VGL_OUTPUT_OBJECT,
    .step = step,
};
