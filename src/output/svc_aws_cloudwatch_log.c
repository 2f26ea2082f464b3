/*
 * output/svc_aws_cloudwatch_log.c: aws-cloudwatch-log (compat 7.5).  StreamAlert only logs
 * "New Alert:\n" + JSON of the publication (indent 2) at INFO; so does vigil, through its
 * logger, and that alone is a success.  When outputs.json gives the output a resource
 * "<log group>:<log stream>", vigil also sends one PutLogEvents event to that stream (the
 * publication as compact JSON, timestamped with the attempt's clock).
 */
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/log.h"
#include "json/json.h"
#include "json/pyjson.h"
#include "output/aws.h"
#include "output/output.h"

static int build(struct vgl_output_ctx *ctx, const char *sep, struct vgl_http_request *req,
                 struct vgl_error *err)
{
    const char *group = vgl_output_fmt(ctx, "%.*s", (int)(sep - ctx->resource), ctx->resource);
    const char *stream = sep + 1;
    struct vgl_buf msg, body;
    vgl_buf_init(&msg, 0);
    vgl_buf_init(&body, 0);
    int rc = vgl_pyjson_dumps(&msg, ctx->pub, VGL_PYJSON_COMPACT | VGL_PYJSON_UNICODE, -1);
    if (!rc)
        rc = vgl_buf_puts(&body, "{\"logGroupName\":");
    if (!rc)
        rc = vgl_json_write_str(&body, group, strlen(group));
    if (!rc)
        rc = vgl_buf_puts(&body, ",\"logStreamName\":");
    if (!rc)
        rc = vgl_json_write_str(&body, stream, strlen(stream));
    if (!rc)
        rc = vgl_buf_printf(&body, ",\"logEvents\":[{\"timestamp\":%lld,\"message\":",
                            (long long)(ctx->now_us / 1000));
    if (!rc)
        rc = vgl_json_write_str(&body, msg.data ? msg.data : "", msg.len);
    if (!rc)
        rc = vgl_buf_puts(&body, "}]}");
    if (rc) {
        rc = vgl_error_set(err, rc, "output '%s:%s': cannot build the request", ctx->service,
                           ctx->descriptor);
    } else {
        static const char *const headers[] = {
            "Content-Type: application/x-amz-json-1.1",
            "X-Amz-Target: Logs_20140328.PutLogEvents",
        };
        size_t len;
        const char *text = vgl_aws_arena_text(ctx, &body, &len);
        const char *url = vgl_output_fmt(ctx, "%s/", vgl_aws_endpoint(ctx, "logs"));
        rc = vgl_aws_request(ctx, "logs", "POST", url, headers, 2, text, len, req, err);
    }
    vgl_buf_release(&msg);
    vgl_buf_release(&body);
    return rc;
}

static int step(struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                struct vgl_http_request *req, struct vgl_error *err)
{
    if (resp)
        return vgl_output_http_result(ctx, resp, err);
    if (vgl_log_enabled(VGL_LOG_INFO)) {
        struct vgl_buf text;
        vgl_buf_init(&text, 0);
        if (vgl_pyjson_dumps(&text, ctx->pub, 0, 2) == 0) {
            const char *comp = vgl_output_fmt(ctx, "output '%s:%s'", ctx->service, ctx->descriptor);
            vgl_log(VGL_LOG_INFO, comp, "New Alert:\n%s", text.data ? text.data : "");
        }
        vgl_buf_release(&text);
    }
    const char *sep = ctx->resource ? strchr(ctx->resource, ':') : NULL;
    if (!sep || sep == ctx->resource || !sep[1])
        return 0;
    int rc = build(ctx, sep, req, err);
    return rc ? rc : VGL_OUTPUT_SEND;
}

const struct vgl_output_ops vgl_output_aws_cloudwatch_log = {
    .name = "aws-cloudwatch-log",
    .form = VGL_OUTPUT_OBJECT,
    .step = step,
};
