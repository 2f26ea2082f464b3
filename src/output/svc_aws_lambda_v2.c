/*
 * output/svc_aws_lambda_v2.c: aws-lambda-v2 (compat 7.5): the same asynchronous Invoke as
 * aws-lambda, of the function in the output's credentials (lambda_function_arn, optional
 * function_qualifier).  assume_role_arn (STS AssumeRole before the call) is not supported:
 * an output that sets it fails with a message saying so.
 */
#include "core/error.h"
#include "output/aws.h"
#include "output/output.h"

static int build(struct vgl_output_ctx *ctx, struct vgl_http_request *req, struct vgl_error *err)
{
    if (!ctx->creds)
        return vgl_error_set(err, VGL_ENOTFOUND,
                             "output '%s:%s': no credentials stored (run: vigil output "
                             "set-credentials %s:%s)",
                             ctx->service, ctx->descriptor, ctx->service, ctx->descriptor);
    int rc = vgl_output_need_creds(ctx, err);
    if (rc)
        return rc;
    const char *function = vgl_output_cred(ctx, "lambda_function_arn");
    if (!function || !*function)
        return vgl_error_set(err, VGL_ECONFIG,
                             "output '%s:%s': stored credentials lack 'lambda_function_arn'",
                             ctx->service, ctx->descriptor);
    const char *role = vgl_output_cred(ctx, "assume_role_arn");
    if (role && *role)
        return vgl_error_set(err, VGL_ECONFIG,
                             "output '%s:%s': assume_role_arn is not supported (vigil invokes "
                             "the function with its own AWS keys; remove assume_role_arn from "
                             "the stored credentials)",
                             ctx->service, ctx->descriptor);
    return vgl_aws_lambda_invoke(ctx, function, vgl_output_cred(ctx, "function_qualifier"), req,
                                 err);
}

static int step(struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                struct vgl_http_request *req, struct vgl_error *err)
{
    if (!resp) {
        int rc = build(ctx, req, err);
        return rc ? rc : VGL_OUTPUT_SEND;
    }
    return vgl_output_http_result(ctx, resp, err);
}

const struct vgl_output_ops vgl_output_aws_lambda_v2 = {
    .name = "aws-lambda-v2",
    .form = VGL_OUTPUT_LIST,
    .step = step,
};
