/*
 * output/svc_aws_firehose.c: aws-firehose (compat 7.5): one PutRecord of the publication
 * as compact JSON plus "\n" to a Kinesis Data Firehose delivery stream.  The required
 * output aws-firehose:alerts (the alerts archive, compat 6.3) needs no outputs.json entry:
 * its stream is "<prefix>_streamalert_alert_delivery".
 */
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "json/json.h"
#include "json/pyjson.h"
#include "output/aws.h"
#include "output/output.h"

#define MAX_RECORD_SIZE 1000000   /* StreamAlert's KinesisFirehoseOutput.MAX_RECORD_SIZE */

static int stream_name(const struct vgl_output_ctx *ctx, const char **out,
                       struct vgl_error *err)
{
    if (!(ctx->resource && *ctx->resource) && strcmp(ctx->descriptor, "alerts") == 0) {
        const char *prefix = ctx->env->prefix ? ctx->env->prefix : "";
        *out = vgl_output_fmt(ctx, "%s_streamalert_alert_delivery", prefix);
        return 0;
    }
    return vgl_aws_resource(ctx, "delivery stream name", out, err);
}

static int build(struct vgl_output_ctx *ctx, struct vgl_http_request *req, struct vgl_error *err)
{
    const char *stream;
    int rc = stream_name(ctx, &stream, err);
    if (rc)
        return rc;
    struct vgl_buf rec, body;
    vgl_buf_init(&rec, 0);
    vgl_buf_init(&body, 0);
    rc = vgl_pyjson_dumps(&rec, ctx->pub, VGL_PYJSON_COMPACT, -1);
    if (!rc)
        rc = vgl_buf_putc(&rec, '\n');
    if (rc) {
        rc = vgl_error_set(err, rc, "output '%s:%s': cannot serialize the publication",
                           ctx->service, ctx->descriptor);
        goto out;
    }
    /* ensure_ascii output: bytes are characters, as Python's len() counts them */
    if (rec.len > MAX_RECORD_SIZE) {
        rc = vgl_error_set(err, VGL_ELIMIT,
                           "output '%s:%s': alert too large to send to Firehose: %zu characters "
                           "(limit %d)",
                           ctx->service, ctx->descriptor, rec.len, MAX_RECORD_SIZE);
        goto out;
    }
    rc = vgl_buf_puts(&body, "{\"DeliveryStreamName\":");
    if (!rc)
        rc = vgl_json_write_str(&body, stream, strlen(stream));
    if (!rc)
        rc = vgl_buf_puts(&body, ",\"Record\":{\"Data\":\"");
    if (!rc)
        rc = vgl_aws_base64(&body, rec.data, rec.len);
    if (!rc)
        rc = vgl_buf_puts(&body, "\"}}");
    if (rc) {
        rc = vgl_error_set(err, rc, "output '%s:%s': cannot build the request", ctx->service,
                           ctx->descriptor);
        goto out;
    }
    static const char *const headers[] = {
        "Content-Type: application/x-amz-json-1.1",
        "X-Amz-Target: Firehose_20150804.PutRecord",
    };
    size_t len;
    const char *text = vgl_aws_arena_text(ctx, &body, &len);
    const char *url = vgl_output_fmt(ctx, "%s/", vgl_aws_endpoint(ctx, "firehose"));
    rc = vgl_aws_request(ctx, "firehose", "POST", url, headers, 2, text, len, req, err);
out:
    vgl_buf_release(&rec);
    vgl_buf_release(&body);
    return rc;
}

static int step(struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                struct vgl_http_request *req, struct vgl_error *err)
{
    return vgl_output_single_request(ctx, resp, req, err, build);
}

const struct vgl_output_ops vgl_output_aws_firehose = {
    .name = "aws-firehose",
    .form = VGL_OUTPUT_OBJECT,
    .step = step,
};
