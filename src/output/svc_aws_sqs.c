/*
 * output/svc_aws_sqs.c: aws-sqs (compat 7.5): SendMessage (Query protocol) of compact JSON
 * of @aws-sqs.message_data (default: the record) to the queue named in outputs.json, at
 * <endpoint>/<account id>/<queue>.  A full queue URL (http:// or https://) is used as is.
 */
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "json/json.h"
#include "json/pyjson.h"
#include "output/aws.h"
#include "output/output.h"

static int build(struct vgl_output_ctx *ctx, struct vgl_http_request *req, struct vgl_error *err)
{
    const char *queue;
    int rc = vgl_aws_resource(ctx, "queue name", &queue, err);
    if (rc)
        return rc;
    const char *url;
    if (strncmp(queue, "https://", 8) == 0 || strncmp(queue, "http://", 7) == 0) {
        url = queue;
    } else {
        struct vgl_buf u;
        vgl_buf_init(&u, 0);
        vgl_buf_printf(&u, "%s/", vgl_aws_endpoint(ctx, "sqs"));
        const char *acct = ctx->env->aws_account_id ? ctx->env->aws_account_id : "";
        vgl_aws_uri_encode(&u, acct, strlen(acct), false);
        vgl_buf_putc(&u, '/');
        vgl_aws_uri_encode(&u, queue, strlen(queue), false);
        size_t len;
        url = vgl_aws_arena_text(ctx, &u, &len);
        vgl_buf_release(&u);
    }
    const struct vgl_json *data = vgl_output_magic(ctx, "message_data");
    struct vgl_buf msg, form;
    vgl_buf_init(&msg, 0);
    vgl_buf_init(&form, 0);
    rc = vgl_pyjson_dumps(&msg, data ? data : vgl_aws_record(ctx), VGL_PYJSON_COMPACT, -1);
    if (!rc)
        rc = vgl_aws_form(&form, "Action", "SendMessage", 11);
    if (!rc)
        rc = vgl_aws_form(&form, "MessageBody", msg.data ? msg.data : "", msg.len);
    if (!rc)
        rc = vgl_aws_form(&form, "Version", "2012-11-05", 10);
    if (rc)
        rc = vgl_error_set(err, rc, "output '%s:%s': cannot build the request", ctx->service,
                           ctx->descriptor);
    else
        rc = vgl_aws_query(ctx, "sqs", url, &form, req, err);
    vgl_buf_release(&msg);
    vgl_buf_release(&form);
    return rc;
}

static int step(struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                struct vgl_http_request *req, struct vgl_error *err)
{
    return vgl_output_single_request(ctx, resp, req, err, build);
}

const struct vgl_output_ops vgl_output_aws_sqs = {
    .name = "aws-sqs",
    .form = VGL_OUTPUT_OBJECT,
    .step = step,
};
