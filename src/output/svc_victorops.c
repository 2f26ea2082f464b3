/*
 * output/svc_victorops.c: victorops (compat 7.5): one POST to <url>/<routing_key> with the
 * X-VO-Api-Id / X-VO-Api-Key headers and {"message_type": "CRITICAL", "entity_id":
 * "streamalert/alert", "entity_display_name": <rule>, "record": pub["record"]}.  A
 * publication without "record" fails (StreamAlert's KeyError).  A single attempt with a
 * 10 s timeout; success is a 2xx response.
 */
#include "output/svc_util_tickets.h"

#include "core/error.h"

#define VICTOROPS_TIMEOUT_MS 10000   /* VictorOpsOutput: requests timeout=10 */

static int victorops_step(struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                          struct vgl_http_request *req, struct vgl_error *err)
{
    if (resp) {
        if (!vgl_http_ok(resp))
            return vgl_tickets_http_fail(ctx, resp, "alert", err);
        return 0;
    }
    int rc = vgl_output_need_creds(ctx, err);
    if (rc < 0)
        return rc;
    const struct vgl_json *record = vgl_output_pub(ctx, "record");
    if (!record)
        return vgl_error_set(err, VGL_EINVAL, "output '%s:%s': the publication has no 'record' "
                             "key (a publisher removed it; victorops sends pub['record'])",
                             ctx->service, ctx->descriptor);
    struct vgl_json_member m[] = {
        vgl_output_member("message_type", vgl_output_strz("CRITICAL")),
        vgl_output_member("entity_id", vgl_output_strz("streamalert/alert")),
        vgl_output_member("entity_display_name", vgl_output_alert_value(ctx, "rule_name")),
        vgl_output_member("record", *record),
    };
    struct vgl_json body = vgl_json_object(ctx->arena, m, 4);
    const char *h[] = {
        "Content-Type: application/json",
        vgl_output_fmt(ctx, "X-VO-Api-Id: %s", vgl_output_cred(ctx, "victorops_api_id")),
        vgl_output_fmt(ctx, "X-VO-Api-Key: %s", vgl_output_cred(ctx, "victorops_api_key")),
    };
    const char *url = vgl_output_fmt(ctx, "%s/%s", vgl_output_cred(ctx, "url"),
                                     vgl_output_cred(ctx, "routing_key"));
    ctx->step = 1;
    rc = vgl_tickets_request(ctx, req, "POST", url, h, 3, false, &body, 0, err);
    req->connect_timeout_ms = VICTOROPS_TIMEOUT_MS;
    req->timeout_ms = VICTOROPS_TIMEOUT_MS;
    return rc;
}

const struct vgl_output_ops vgl_output_victorops = {
    .name = "victorops",
    .form = VGL_OUTPUT_LIST,
    .step = victorops_step,
};
