/*
 * output/svc_phantom.c: phantom (compat 7.5): the alert as an artifact in the container
 * named after the rule.  GET {url}/rest/container?_filter_name="<rule>"&page_size=1 finds
 * the container; when the count is falsy (or the look-up fails) POST the same URL creates
 * it; then POST {url}/rest/artifact.  Responses are judged as StreamAlert's PhantomOutput
 * judges them.
 */
#include "output/svc_util_tickets.h"

#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"

enum { ST_LOOKUP = 1, ST_CREATE, ST_ARTIFACT };

struct phantom_state {
    const char *url;         /* credential url */
    const char *token_hdr;   /* "ph-auth-token: ..." */
};

static const char *container_url(struct vgl_output_ctx *ctx, const struct phantom_state *st)
{
    return vgl_tickets_path_join(ctx, st->url, "rest/container");
}

static int send_create(struct vgl_output_ctx *ctx, struct phantom_state *st,
                       struct vgl_http_request *req, struct vgl_error *err)
{
    struct vgl_json_member m[] = {
        vgl_output_member("name", vgl_output_alert_value(ctx, "rule_name")),
        vgl_output_member("description", vgl_output_alert_value(ctx, "rule_description")),
    };
    struct vgl_json body = vgl_json_object(ctx->arena, m, 2);
    ctx->step = ST_CREATE;
    return vgl_tickets_request(ctx, req, "POST", container_url(ctx, st), &st->token_hdr, 1, true,
                               &body, 0, err);
}

static int send_artifact(struct vgl_output_ctx *ctx, struct phantom_state *st,
                         const struct vgl_json *container_id, struct vgl_http_request *req,
                         struct vgl_error *err)
{
    struct vgl_json empty = vgl_json_object(ctx->arena, NULL, 0);
    const struct vgl_json *record = vgl_output_alert_field(ctx, "record");
    struct vgl_json_member m[] = {
        vgl_output_member("cef", record ? *record : empty),
        vgl_output_member("container_id", *container_id),
        vgl_output_member("data", ctx->pub ? *ctx->pub : empty),
        vgl_output_member("name", vgl_output_strz("Phantom Artifact")),
        vgl_output_member("label", vgl_output_strz("Alert")),
    };
    struct vgl_json body = vgl_json_object(ctx->arena, m, 5);
    ctx->step = ST_ARTIFACT;
    return vgl_tickets_request(ctx, req, "POST", vgl_tickets_path_join(ctx, st->url, "rest/artifact"),
                               &st->token_hdr, 1, true, &body, 0, err);
}

static int start(struct vgl_output_ctx *ctx, struct vgl_http_request *req, struct vgl_error *err)
{
    int rc = vgl_output_need_creds(ctx, err);
    if (rc < 0)
        return rc;
    struct phantom_state *st = vgl_arena_zalloc(ctx->arena, sizeof *st);
    ctx->state = st;
    st->url = vgl_output_cred(ctx, "url");
    st->token_hdr = vgl_output_fmt(ctx, "ph-auth-token: %s", vgl_output_cred(ctx, "ph_auth_token"));

    struct vgl_json rule = vgl_output_alert_value(ctx, "rule_name");
    const char *r = vgl_tickets_py_str(ctx, &rule, NULL, err);
    if (!r)
        return err ? err->code : VGL_ELIMIT;
    const char *filter = vgl_output_fmt(ctx, "\"%s\"", r);
    struct vgl_buf q;
    vgl_buf_init(&q, 0);
    rc = vgl_tickets_query_add(&q, "_filter_name", filter, strlen(filter));
    if (rc == 0)
        rc = vgl_tickets_query_add(&q, "page_size", "1", 1);
    if (rc < 0) {
        vgl_buf_release(&q);
        return vgl_error_set(err, rc, "output '%s:%s': container query too long", ctx->service,
                             ctx->descriptor);
    }
    const char *url = vgl_output_fmt(ctx, "%s?%s", container_url(ctx, st), q.data ? q.data : "");
    vgl_buf_release(&q);
    ctx->step = ST_LOOKUP;
    return vgl_tickets_request(ctx, req, "GET", url, &st->token_hdr, 1, false, NULL, 0, err);
}

/* _check_container_exists: `response and response.get('count') and
 * response.get('data')[0]['id']`; *id is left NULL when there is no usable container. */
static int lookup_result(struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                         const struct vgl_json **id, struct vgl_error *err)
{
    *id = NULL;
    if (resp->status == 0)   /* a connection error is an exception, not "no container" */
        return vgl_tickets_http_fail(ctx, resp, "container look-up", err);
    if (!vgl_http_ok(resp))
        return 0;
    struct vgl_json *body = vgl_arena_alloc(ctx->arena, sizeof *body);
    int rc = vgl_tickets_parse_body(ctx, resp, "container look-up", body, err);
    if (rc < 0)
        return rc;
    if (!vgl_json_truthy(body))
        return 0;
    if (body->type != VGL_JSON_OBJECT)
        return vgl_error_set(err, VGL_EIO, "output '%s:%s': container look-up: response is a "
                             "%s, expected an object", ctx->service, ctx->descriptor,
                             vgl_json_type_name(body));
    const struct vgl_json *count = vgl_json_getz(body, "count");
    if (!count || !vgl_json_truthy(count))
        return 0;
    const struct vgl_json *data = vgl_json_getz(body, "data");
    const struct vgl_json *first =
        data && data->type == VGL_JSON_ARRAY && data->len ? &data->u.items[0] : NULL;
    const struct vgl_json *cid = first ? vgl_json_getz(first, "id") : NULL;
    if (!cid)
        return vgl_error_set(err, VGL_EIO, "output '%s:%s': container look-up: count is set but "
                             "data[0].id is missing", ctx->service, ctx->descriptor);
    if (vgl_json_truthy(cid))
        *id = cid;
    return 0;
}

static int phantom_step(struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                        struct vgl_http_request *req, struct vgl_error *err)
{
    if (!resp)
        return start(ctx, req, err);
    struct phantom_state *st = ctx->state;
    switch (ctx->step) {
    case ST_LOOKUP: {
        const struct vgl_json *id;
        int rc = lookup_result(ctx, resp, &id, err);
        if (rc < 0)
            return rc;
        return id ? send_artifact(ctx, st, id, req, err) : send_create(ctx, st, req, err);
    }
    case ST_CREATE: {
        if (!vgl_http_ok(resp))
            return vgl_tickets_http_fail(ctx, resp, "container creation", err);
        struct vgl_json body;
        int rc = vgl_tickets_parse_body(ctx, resp, "container creation", &body, err);
        if (rc < 0)
            return rc;
        if (vgl_json_truthy(&body) && body.type != VGL_JSON_OBJECT)
            return vgl_error_set(err, VGL_EIO, "output '%s:%s': container creation: response is "
                                 "a %s, expected an object", ctx->service, ctx->descriptor,
                                 vgl_json_type_name(&body));
        const struct vgl_json *id =
            body.type == VGL_JSON_OBJECT ? vgl_json_getz(&body, "id") : NULL;
        if (!id || !vgl_json_truthy(id))
            return vgl_error_set(err, VGL_EIO, "output '%s:%s': container creation: response "
                                 "has no container id", ctx->service, ctx->descriptor);
        struct vgl_json *keep = vgl_arena_memdup(ctx->arena, id, sizeof *id);
        return send_artifact(ctx, st, keep, req, err);
    }
    case ST_ARTIFACT:
        if (!vgl_http_ok(resp))
            return vgl_tickets_http_fail(ctx, resp, "artifact creation", err);
        return 0;
    default:
        return vgl_error_set(err, VGL_EINVAL, "output '%s:%s': unexpected step %d", ctx->service,
                             ctx->descriptor, ctx->step);
    }
}

const struct vgl_output_ops vgl_output_phantom = {
    .name = "phantom",
    .form = VGL_OUTPUT_LIST,
    .step = phantom_step,
};
