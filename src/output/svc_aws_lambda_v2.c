/*
 * output/svc_aws_lambda_v2.c: aws-lambda-v2 (compat 7.5): the same asynchronous Invoke as
 * aws-lambda, of the function in the output's credentials (lambda_function_arn, optional
 * function_qualifier).  assume_role_arn (STS AssumeRole before the call) is not supported:
 * an output that sets it fails with a message saying so.
 */
#include <string.h>

#include "core/error.h"
#include "output/aws.h"
#include "output/output.h"

/* libcurl 7.88 signs the path as sent, while AWS Lambda checks a function ARN's ':' (sent
 * as %3A) encoded twice, so a full ARN in the path never verifies on real AWS.  An ARN of
 * this account and region names the same function as its bare name (and qualifier), which
 * signs cleanly; other ARNs are sent as they are (LocalStack accepts them). */
static void shorten_arn(const struct vgl_output_ctx *ctx, const char **function,
                        const char **qualifier)
{
    const char *arn = *function, *part[8];
    size_t n = 0;
    part[n++] = arn;
    for (const char *p = arn; *p && n < 8; p++)
        if (*p == ':')
            part[n++] = p + 1;
    if (strncmp(arn, "arn:", 4) != 0 || n < 7 || strncmp(part[2], "lambda:", 7) != 0 ||
        strncmp(part[5], "function:", 9) != 0 || strchr(part[n - 1], ':'))
        return;
    const char *region = ctx->env->aws_region ? ctx->env->aws_region : "";
    const char *account = ctx->env->aws_account_id ? ctx->env->aws_account_id : "";
    size_t rlen = (size_t)(part[4] - part[3] - 1), alen = (size_t)(part[5] - part[4] - 1);
    if (rlen != strlen(region) || strncmp(part[3], region, rlen) != 0 ||
        alen != strlen(account) || strncmp(part[4], account, alen) != 0)
        return;
    if (n == 8) {
        *function = vgl_output_fmt(ctx, "%.*s", (int)(part[7] - part[6] - 1), part[6]);
        if (!*qualifier || !**qualifier)
            *qualifier = part[7];
    } else {
        *function = part[6];
    }
}

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
    const char *qualifier = vgl_output_cred(ctx, "function_qualifier");
    shorten_arn(ctx, &function, &qualifier);
    return vgl_aws_lambda_invoke(ctx, function, qualifier, req, err);
}

static int step(struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                struct vgl_http_request *req, struct vgl_error *err)
{
    return vgl_output_single_request(ctx, resp, req, err, build);
}

const struct vgl_output_ops vgl_output_aws_lambda_v2 = {
    .name = "aws-lambda-v2",
    .form = VGL_OUTPUT_LIST,
    .step = step,
};
