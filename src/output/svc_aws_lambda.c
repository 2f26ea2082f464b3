/*
 * output/svc_aws_lambda.c: aws-lambda (compat 7.5): an asynchronous Invoke of the function
 * named in outputs.json: "name", "name:qualifier" or a function ARN.  As in StreamAlert, a
 * value of 2 or 8 ':'-separated parts ends with the qualifier; otherwise the last part is
 * the function name.
 */
#include <string.h>

#include "core/error.h"
#include "output/aws.h"
#include "output/output.h"

static int build(struct vgl_output_ctx *ctx, struct vgl_http_request *req, struct vgl_error *err)
{
    const char *value;
    int rc = vgl_aws_resource(ctx, "function name", &value, err);
    if (rc)
        return rc;
    size_t nparts = 1;
    for (const char *p = value; *p; p++)
        nparts += *p == ':';
    const char *last = strrchr(value, ':');
    const char *function, *qualifier = NULL;
    if (nparts == 2 || nparts == 8) {
        /* parts[-2] and parts[-1] */
        const char *start = last;
        while (start > value && start[-1] != ':')
            start--;
        function = vgl_output_fmt(ctx, "%.*s", (int)(last - start), start);
        qualifier = last + 1;
    } else {
        function = last ? last + 1 : value;
    }
    return vgl_aws_lambda_invoke(ctx, function, qualifier, req, err);
}

static int step(struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                struct vgl_http_request *req, struct vgl_error *err)
{
    return vgl_output_single_request(ctx, resp, req, err, build);
}

const struct vgl_output_ops vgl_output_aws_lambda = {
    .name = "aws-lambda",
    .form = VGL_OUTPUT_OBJECT,
    .step = step,
};
