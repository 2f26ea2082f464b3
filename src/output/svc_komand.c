/*
 * output/svc_komand.c: komand (compat 7.5): one POST of {"data": <publication>} to the
 * credential url with "Authorization: <komand_auth_token>".  A single attempt (no
 * StreamAlert retry helper); success is a 2xx response.
 */
#include "output/svc_util_tickets.h"

#include "core/error.h"

static int komand_step(struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                       struct vgl_http_request *req, struct vgl_error *err)
{
    if (resp) {
        if (!vgl_http_ok(resp))
            return vgl_tickets_http_fail(ctx, resp, "trigger", err);
        return 0;
    }
    int rc = vgl_output_need_creds(ctx, err);
    if (rc < 0)
        return rc;
    struct vgl_json empty = vgl_json_object(ctx->arena, NULL, 0);
    struct vgl_json_member m[] = {vgl_output_member("data", ctx->pub ? *ctx->pub : empty)};
    struct vgl_json body = vgl_json_object(ctx->arena, m, 1);
    const char *h[] = {
        vgl_output_fmt(ctx, "Authorization: %s", vgl_output_cred(ctx, "komand_auth_token"))};
    ctx->step = 1;
    return vgl_tickets_request(ctx, req, "POST", vgl_output_cred(ctx, "url"), h, 1, true, &body,
                               0, err);
}

const struct vgl_output_ops vgl_output_komand = {
    .name = "komand",
    .form = VGL_OUTPUT_LIST,
    .step = komand_step,
};
