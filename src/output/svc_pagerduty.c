/*
 * output/svc_pagerduty.c: the three PagerDuty outputs (compat 7.5).
 *
 *   pagerduty           Events API v1: one POST to <events>/generic/2010-04-15/create_event.json
 *   pagerduty-v2        Events API v2: one POST to <events>/v2/enqueue
 *   pagerduty-incident  REST API v2: user look-up, an Events v2 event, the incident it
 *                       opened (looked up by dedup key, up to 5 tries 5 s apart), a PUT
 *                       that titles and assigns it, then responder requests and notes
 *
 * Base URLs come from the env (StreamAlert fixes them; compat 7.2).  Every response is
 * judged by StreamAlert's JsonHttpProvider rule: 2xx and a truthy JSON body.
 */
#include "output/svc_util_saas.h"

#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "json/json.h"

#define V1_PATH "/generic/2010-04-15/create_event.json"
#define V2_PATH "/v2/enqueue"
#define LOOKUP_TRIES 5
#define LOOKUP_WAIT_MS 5000

static bool has_key(const struct vgl_json *obj, const char *key)
{
    return obj->type == VGL_JSON_OBJECT && vgl_json_getz(obj, key) != NULL;
}

static bool is_str(const struct vgl_json *v, const char *s)
{
    return v && v->type == VGL_JSON_STRING && v->len == strlen(s) && memcmp(v->u.s, s, v->len) == 0;
}

/* ---- pagerduty (Events API v1) ---- */

/* PagerDutyOutput._strip_invalid_contexts */
static struct vgl_json v1_contexts(struct vgl_output_ctx *ctx, const struct vgl_json *list)
{
    if (!list || list->type != VGL_JSON_ARRAY)
        return vgl_json_array(ctx->arena, NULL, 0);
    struct vgl_json *out = vgl_arena_alloc(ctx->arena, (list->len ? list->len : 1) * sizeof *out);
    size_t n = 0;
    for (uint32_t i = 0; i < list->len; i++) {
        const struct vgl_json *c = &list->u.items[i];
        if (c->type != VGL_JSON_OBJECT)
            continue;
        const struct vgl_json *type = vgl_json_getz(c, "type");
        if (is_str(type, "link") && has_key(c, "href") && has_key(c, "text")) {
            struct vgl_json_member m[] = {
                vgl_output_member("type", vgl_output_strz("link")),
                vgl_output_member("href", *vgl_json_getz(c, "href")),
                vgl_output_member("text", *vgl_json_getz(c, "text")),
            };
            out[n++] = vgl_json_object(ctx->arena, m, 3);
        } else if (is_str(type, "image") && has_key(c, "src")) {
            struct vgl_json_member m[] = {
                vgl_output_member("type", vgl_output_strz("image")),
                vgl_output_member("src", *vgl_json_getz(c, "src")),
            };
            out[n++] = vgl_json_object(ctx->arena, m, 2);
        }
    }
    return vgl_json_array(ctx->arena, out, n);
}

/* {"description": desc, "record": rec} (the record left out when with_record is false) */
static struct vgl_json default_details(struct vgl_output_ctx *ctx, bool with_record)
{
    struct vgl_json_member m[] = {
        vgl_output_member("description", vgl_output_alert_value(ctx, "rule_description")),
        vgl_output_member("record", vgl_output_alert_value(ctx, "record")),
    };
    return vgl_json_object(ctx->arena, m, with_record ? 2 : 1);
}

static int v1_step(struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                   struct vgl_http_request *req, struct vgl_error *err)
{
    if (resp) {
        struct vgl_json body;
        return vgl_saas_json_result(ctx, resp, "event", &body, err);
    }
    int rc = vgl_output_need_creds(ctx, err);
    if (rc < 0)
        return rc;
    const struct vgl_json *v = vgl_output_magic(ctx, "description");
    struct vgl_json desc =
        v ? *v : vgl_saas_wrap(ctx, "StreamAlert Rule Triggered - ", "rule_name", "");
    v = vgl_output_magic(ctx, "details");
    struct vgl_json details = v ? *v : default_details(ctx, true);
    v = vgl_output_magic(ctx, "client_url");
    struct vgl_json client_url = v ? *v : vgl_json_str("", 0);
    struct vgl_json_member m[] = {
        vgl_output_member("service_key", vgl_output_strz(vgl_output_cred(ctx, "service_key"))),
        vgl_output_member("event_type", vgl_output_strz("trigger")),
        vgl_output_member("description", desc),
        vgl_output_member("details", details),
        vgl_output_member("client", vgl_output_strz("streamalert")),
        vgl_output_member("client_url", client_url),
        vgl_output_member("contexts", v1_contexts(ctx, vgl_output_magic(ctx, "contexts"))),
    };
    struct vgl_json body = vgl_json_object(ctx->arena, m, sizeof m / sizeof m[0]);
    const char *url = vgl_saas_join(ctx, ctx->env->pagerduty_events_url, V1_PATH);
    return vgl_saas_json_request(ctx, req, "POST", url, NULL, 0, &body, err);
}

const struct vgl_output_ops vgl_output_pagerduty = {
    .name = "pagerduty",
    .form = VGL_OUTPUT_LIST,
    .step = v1_step,
};

/* ---- pagerduty-v2 (Events API v2), also the event of pagerduty-incident ---- */

/* The publication's "@pagerduty-v2.<field>": pagerduty-incident reads these keys too
 * (StreamAlert's EventsV2DataProvider). */
static const struct vgl_json *v2_pub(const struct vgl_output_ctx *ctx, const char *field)
{
    char key[64];
    snprintf(key, sizeof key, "@pagerduty-v2.%s", field);
    return vgl_output_pub(ctx, key);
}

static struct vgl_json v2_pub_or_null(const struct vgl_output_ctx *ctx, const char *field)
{
    const struct vgl_json *v = v2_pub(ctx, field);
    return v ? *v : vgl_json_null();
}

static struct vgl_json v2_images(struct vgl_output_ctx *ctx, const struct vgl_json *list)
{
    if (!list || list->type != VGL_JSON_ARRAY)
        return vgl_json_array(ctx->arena, NULL, 0);
    struct vgl_json *out = vgl_arena_alloc(ctx->arena, (list->len ? list->len : 1) * sizeof *out);
    size_t n = 0;
    for (uint32_t i = 0; i < list->len; i++) {
        const struct vgl_json *img = &list->u.items[i];
        if (!has_key(img, "src"))
            continue;
        const struct vgl_json *href = vgl_json_getz(img, "href");
        const struct vgl_json *alt = vgl_json_getz(img, "alt");
        struct vgl_json_member m[] = {
            vgl_output_member("src", *vgl_json_getz(img, "src")),
            vgl_output_member("href", href ? *href : vgl_json_str("", 0)),
            vgl_output_member("alt", alt ? *alt : vgl_json_str("", 0)),
        };
        out[n++] = vgl_json_object(ctx->arena, m, 3);
    }
    return vgl_json_array(ctx->arena, out, n);
}

static struct vgl_json v2_links(struct vgl_output_ctx *ctx, const struct vgl_json *list)
{
    if (!list || list->type != VGL_JSON_ARRAY)
        return vgl_json_array(ctx->arena, NULL, 0);
    struct vgl_json *out = vgl_arena_alloc(ctx->arena, (list->len ? list->len : 1) * sizeof *out);
    size_t n = 0;
    for (uint32_t i = 0; i < list->len; i++) {
        const struct vgl_json *link = &list->u.items[i];
        if (!has_key(link, "href"))
            continue;
        const struct vgl_json *href = vgl_json_getz(link, "href");
        const struct vgl_json *text = vgl_json_getz(link, "text");
        struct vgl_json_member m[] = {
            vgl_output_member("href", *href),
            vgl_output_member("text", text ? *text : *href),
        };
        out[n++] = vgl_json_object(ctx->arena, m, 2);
    }
    return vgl_json_array(ctx->arena, out, n);
}

/* EventsV2DataProvider.events_v2_data */
static struct vgl_json v2_event(struct vgl_output_ctx *ctx, const char *routing_key,
                                bool with_record)
{
    const struct vgl_json *v = v2_pub(ctx, "summary");
    struct vgl_json summary =
        v ? *v : vgl_saas_wrap(ctx, "StreamAlert Rule Triggered - ", "rule_name", "");
    v = v2_pub(ctx, "severity");
    struct vgl_json severity = v ? *v : vgl_output_strz("critical");
    v = v2_pub(ctx, "custom_details");
    struct vgl_json details = v ? *v : default_details(ctx, with_record);
    struct vgl_json_member payload[] = {
        vgl_output_member("summary", summary),
        vgl_output_member("source", vgl_output_alert_value(ctx, "log_source")),
        vgl_output_member("severity", severity),
        vgl_output_member("custom_details", details),
        vgl_output_member("component", v2_pub_or_null(ctx, "component")),
        vgl_output_member("group", v2_pub_or_null(ctx, "group")),
        vgl_output_member("class", v2_pub_or_null(ctx, "class")),
    };
    struct vgl_json dedup = vgl_saas_wrap(ctx, vgl_output_fmt(ctx, "%s:", ctx->descriptor), "id", "");
    struct vgl_json_member m[] = {
        vgl_output_member("routing_key", vgl_output_strz(routing_key)),
        vgl_output_member("event_action", vgl_output_strz("trigger")),
        vgl_output_member("dedup_key", dedup),
        vgl_output_member("payload", vgl_json_object(ctx->arena, payload, 7)),
        vgl_output_member("client", vgl_output_strz("StreamAlert")),
        vgl_output_member("client_url", v2_pub_or_null(ctx, "client_url")),
        vgl_output_member("images", v2_images(ctx, v2_pub(ctx, "images"))),
        vgl_output_member("links", v2_links(ctx, v2_pub(ctx, "links"))),
    };
    return vgl_json_object(ctx->arena, m, sizeof m / sizeof m[0]);
}

static int v2_step(struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                   struct vgl_http_request *req, struct vgl_error *err)
{
    if (resp) {
        struct vgl_json body;
        return vgl_saas_json_result(ctx, resp, "event", &body, err);
    }
    int rc = vgl_output_need_creds(ctx, err);
    if (rc < 0)
        return rc;
    struct vgl_json body = v2_event(ctx, vgl_output_cred(ctx, "routing_key"), true);
    const char *url = vgl_saas_join(ctx, ctx->env->pagerduty_events_url, V2_PATH);
    return vgl_saas_json_request(ctx, req, "POST", url, NULL, 0, &body, err);
}

const struct vgl_output_ops vgl_output_pagerduty_v2 = {
    .name = "pagerduty-v2",
    .form = VGL_OUTPUT_LIST,
    .step = v2_step,
};

/* ---- pagerduty-incident (REST API v2) ---- */

enum pdi_phase {
    PDI_START,
    PDI_USER,          /* GET users?query=email_from */
    PDI_EVENT,         /* POST the Events v2 event */
    PDI_LOOKUP,        /* GET incidents?incident_key=dedup_key */
    PDI_PRIORITIES,    /* GET priorities */
    PDI_ASSIGNEE,      /* GET users?query=assigned_user */
    PDI_PUT,           /* PUT incidents/<id> */
    PDI_RESPONDER,     /* GET users?query=<responder> */
    PDI_REQUEST,       /* POST incidents/<id>/responder_requests */
    PDI_NOTE,          /* POST incidents/<id>/notes */
    PDI_ERROR_NOTE,    /* POST incidents/<id>/notes with the errors */
};

struct pdi {
    const char *api, *token, *email_from, *service_id, *policy_id;
    const struct vgl_json *rctx;         /* alert.context["pagerduty-incident"], or NULL */
    struct vgl_json requester_id;        /* the email_from user's id */
    const char *dedup_key;
    const char *lookup_id;               /* the incident found by dedup key */
    int tries;
    struct vgl_json priority;            /* {"id", "type"} or null */
    struct vgl_json assignee_id;         /* null when not resolved */
    const char *incident_id;             /* from the PUT's answer */
    const struct vgl_json *responders;   /* items to request */
    size_t nresponders, iresponder;
    size_t nerrors;
    const char *error_lines;             /* "- <error>" lines joined with "\n" */
};

static const struct vgl_json *rctx_get(const struct pdi *s, const char *key)
{
    return s->rctx ? vgl_json_getz(s->rctx, key) : NULL;
}

static bool rctx_truthy(const struct pdi *s, const char *key)
{
    const struct vgl_json *v = rctx_get(s, key);
    return v && vgl_json_truthy(v);
}

/* The REST headers (compat 7.5): From on everything but user look-ups. */
static int rest(struct vgl_output_ctx *ctx, struct pdi *s, struct vgl_http_request *req,
                const char *method, const char *url, bool with_from,
                const struct vgl_json *body, struct vgl_error *err)
{
    const char *h[] = {
        "Accept: application/vnd.pagerduty+json;version=2",
        vgl_output_fmt(ctx, "Authorization: Token token=%s", s->token),
        "Content-Type: application/json",
        vgl_output_fmt(ctx, "From: %s", s->email_from),
    };
    return vgl_saas_json_request(ctx, req, method, url, h, with_from ? 4 : 3, body, err);
}

static int get_user(struct vgl_output_ctx *ctx, struct pdi *s, struct vgl_http_request *req,
                    const struct vgl_json *email, struct vgl_error *err)
{
    const char *e = vgl_saas_py_str(ctx, email);
    const char *url = vgl_output_fmt(ctx, "%s?query=%s", vgl_saas_join(ctx, s->api, "/users"),
                                     vgl_saas_urlencode(ctx, e, strlen(e)));
    return rest(ctx, s, req, "GET", url, false, NULL, err);
}

/* The first item of body[key] (a list), or NULL. */
static const struct vgl_json *first_of(const struct vgl_json *body, const char *key)
{
    const struct vgl_json *list = body->type == VGL_JSON_OBJECT ? vgl_json_getz(body, key) : NULL;
    if (!list || list->type != VGL_JSON_ARRAY || list->len == 0)
        return NULL;
    return &list->u.items[0];
}

/* obj["id"] when obj is an object with a truthy id, else NULL */
static const struct vgl_json *id_of(const struct vgl_json *obj)
{
    if (!obj || obj->type != VGL_JSON_OBJECT)
        return NULL;
    const struct vgl_json *id = vgl_json_getz(obj, "id");
    return id && vgl_json_truthy(id) ? id : NULL;
}

static const char *incident_url(struct vgl_output_ctx *ctx, const struct pdi *s, const char *id,
                                const char *tail)
{
    return vgl_output_fmt(ctx, "%s/%s%s", vgl_saas_join(ctx, s->api, "/incidents"), id, tail);
}

static void add_error(struct vgl_output_ctx *ctx, struct pdi *s, const char *text)
{
    s->error_lines = vgl_output_fmt(ctx, "%s%s- %s", s->error_lines ? s->error_lines : "",
                                    s->error_lines ? "\n" : "", text);
    s->nerrors++;
}

static int send_lookup(struct vgl_output_ctx *ctx, struct pdi *s, struct vgl_http_request *req,
                       struct vgl_error *err)
{
    ctx->step = PDI_LOOKUP;
    const char *url = vgl_output_fmt(ctx, "%s?incident_key=%s",
                                     vgl_saas_join(ctx, s->api, "/incidents"),
                                     vgl_saas_urlencode(ctx, s->dedup_key, strlen(s->dedup_key)));
    return rest(ctx, s, req, "GET", url, true, NULL, err);
}

static int send_put(struct vgl_output_ctx *ctx, struct pdi *s, struct vgl_http_request *req,
                    struct vgl_error *err)
{
    const struct vgl_json *v = vgl_output_magic(ctx, "incident_title");
    struct vgl_json title =
        v ? *v : vgl_saas_wrap(ctx, "StreamAlert Incident - Rule triggered: ", "rule_name", "");
    v = vgl_output_magic(ctx, "incident_body");
    struct vgl_json details = v ? *v : vgl_output_alert_value(ctx, "rule_description");
    struct vgl_json_member service[] = {
        vgl_output_member("id", vgl_output_strz(s->service_id)),
        vgl_output_member("type", vgl_output_strz("service_reference")),
    };
    struct vgl_json_member body[] = {
        vgl_output_member("type", vgl_output_strz("incident_body")),
        vgl_output_member("details", details),
    };
    struct vgl_json_member m[8] = {
        vgl_output_member("type", vgl_output_strz("incident")),
        vgl_output_member("title", title),
        vgl_output_member("service", vgl_json_object(ctx->arena, service, 2)),
        vgl_output_member("body", vgl_json_object(ctx->arena, body, 2)),
    };
    size_t n = 4;
    if (s->priority.type == VGL_JSON_OBJECT)
        m[n++] = vgl_output_member("priority", s->priority);
    if (s->assignee_id.type != VGL_JSON_NULL) {
        struct vgl_json_member who[] = {
            vgl_output_member("id", s->assignee_id),
            vgl_output_member("type", vgl_output_strz("user_reference")),
        };
        struct vgl_json_member a[] = {
            vgl_output_member("assignee", vgl_json_object(ctx->arena, who, 2)),
        };
        struct vgl_json one = vgl_json_object(ctx->arena, a, 1);
        m[n++] = vgl_output_member("assignments", vgl_json_array(ctx->arena, &one, 1));
    } else {
        const struct vgl_json *pid = rctx_get(s, "assigned_policy_id");
        struct vgl_json_member p[] = {
            vgl_output_member("id", pid && vgl_json_truthy(pid) ? *pid : vgl_output_strz(s->policy_id)),
            vgl_output_member("type", vgl_output_strz("escalation_policy_reference")),
        };
        m[n++] = vgl_output_member("escalation_policy", vgl_json_object(ctx->arena, p, 2));
    }
    v = vgl_output_magic(ctx, "urgency");
    if (is_str(v, "low") || is_str(v, "high"))
        m[n++] = vgl_output_member("urgency", *v);
    struct vgl_json_member top[] = {
        vgl_output_member("incident", vgl_json_object(ctx->arena, m, n)),
    };
    struct vgl_json doc = vgl_json_object(ctx->arena, top, 1);
    ctx->step = PDI_PUT;
    return rest(ctx, s, req, "PUT", incident_url(ctx, s, s->lookup_id, ""), true, &doc, err);
}

/* After the lookup: the priorities, then the assignee, then the PUT. */
static int after_lookup(struct vgl_output_ctx *ctx, struct pdi *s, struct vgl_http_request *req,
                        int from, struct vgl_error *err)
{
    if (from < PDI_PRIORITIES && rctx_truthy(s, "incident_priority")) {
        ctx->step = PDI_PRIORITIES;
        return rest(ctx, s, req, "GET", vgl_saas_join(ctx, s->api, "/priorities"), true, NULL,
                    err);
    }
    if (from < PDI_ASSIGNEE && rctx_truthy(s, "assigned_user")) {
        ctx->step = PDI_ASSIGNEE;
        return get_user(ctx, s, req, rctx_get(s, "assigned_user"), err);
    }
    return send_put(ctx, s, req, err);
}

/* After the PUT: each responder, the note, the error note; then done (0). */
static int after_put(struct vgl_output_ctx *ctx, struct pdi *s, struct vgl_http_request *req,
                     struct vgl_error *err)
{
    if (s->iresponder < s->nresponders) {
        ctx->step = PDI_RESPONDER;
        return get_user(ctx, s, req, &s->responders[s->iresponder], err);
    }
    if (ctx->step < PDI_NOTE) {
        const struct vgl_json *note = vgl_output_magic(ctx, "note");
        if (!note)
            note = rctx_get(s, "note");
        struct vgl_json text = note ? *note : vgl_output_strz("Creating SOX Incident");
        if (vgl_json_truthy(&text)) {
            struct vgl_json_member c[] = {vgl_output_member("content", text)};
            struct vgl_json_member m[] = {
                vgl_output_member("note", vgl_json_object(ctx->arena, c, 1)),
            };
            struct vgl_json doc = vgl_json_object(ctx->arena, m, 1);
            ctx->step = PDI_NOTE;
            return rest(ctx, s, req, "POST", incident_url(ctx, s, s->incident_id, "/notes"), true,
                        &doc, err);
        }
    }
    if (ctx->step < PDI_ERROR_NOTE && s->nerrors) {
        const char *text = vgl_output_fmt(
            ctx,
            "StreamAlert failed to correctly setup this incident. Please contact your "
            "StreamAlert administrator.\n\nErrors:\n%s",
            s->error_lines);
        struct vgl_json_member c[] = {vgl_output_member("content", vgl_output_strz(text))};
        struct vgl_json_member m[] = {
            vgl_output_member("note", vgl_json_object(ctx->arena, c, 1)),
        };
        struct vgl_json doc = vgl_json_object(ctx->arena, m, 1);
        ctx->step = PDI_ERROR_NOTE;
        return rest(ctx, s, req, "POST", incident_url(ctx, s, s->incident_id, "/notes"), true,
                    &doc, err);
    }
    return 0;
}

static int pdi_start(struct vgl_output_ctx *ctx, struct vgl_http_request *req,
                     struct vgl_error *err)
{
    int rc = vgl_output_need_creds(ctx, err);
    if (rc < 0)
        return rc;
    struct pdi *s = vgl_arena_zalloc(ctx->arena, sizeof *s);
    ctx->state = s;
    s->api = ctx->env->pagerduty_api_url;
    s->token = vgl_output_cred(ctx, "token");
    s->email_from = vgl_output_cred(ctx, "email_from");
    s->service_id = vgl_output_cred(ctx, "service_id");
    s->policy_id = vgl_output_cred(ctx, "escalation_policy_id");
    /* token and email_from go into header lines as they are */
    if (strpbrk(s->token, "\r\n") || strpbrk(s->email_from, "\r\n"))
        return vgl_error_set(err, VGL_ECONFIG, "output '%s:%s': credential '%s' contains a "
                             "line break", ctx->service, ctx->descriptor,
                             strpbrk(s->token, "\r\n") ? "token" : "email_from");
    s->priority = vgl_json_null();
    s->assignee_id = vgl_json_null();
    const struct vgl_json *context = vgl_output_alert_field(ctx, "context");
    const struct vgl_json *rctx = context && context->type == VGL_JSON_OBJECT
                                      ? vgl_json_getz(context, "pagerduty-incident")
                                      : NULL;
    s->rctx = rctx && rctx->type == VGL_JSON_OBJECT ? rctx : NULL;
    const struct vgl_json *r = rctx_get(s, "responders");
    if (r && vgl_json_truthy(r)) {
        s->responders = r->type == VGL_JSON_ARRAY ? r->u.items : r;
        s->nresponders = r->type == VGL_JSON_ARRAY ? r->len : 1;
    }
    ctx->step = PDI_USER;
    struct vgl_json email = vgl_output_strz(s->email_from);
    return get_user(ctx, s, req, &email, err);
}

static int pdi_step(struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                    struct vgl_http_request *req, struct vgl_error *err)
{
    if (!resp)
        return pdi_start(ctx, req, err);
    struct pdi *s = ctx->state;
    struct vgl_json body;
    struct vgl_error rerr = {0};
    int rc;
    switch ((enum pdi_phase)ctx->step) {
    case PDI_USER: {
        rc = vgl_saas_json_result(ctx, resp, "user look-up", &body, err);
        if (rc < 0)
            return rc;
        const struct vgl_json *id = id_of(first_of(&body, "users"));
        if (!id)
            return vgl_error_set(err, VGL_ENOTFOUND, "output '%s:%s': user look-up: no "
                                 "PagerDuty user has the credentials' email_from address",
                                 ctx->service, ctx->descriptor);
        s->requester_id = *id;
        const struct vgl_json *wr = rctx_get(s, "with_record");
        struct vgl_json event =
            v2_event(ctx, vgl_output_cred(ctx, "integration_key"), !wr || vgl_json_truthy(wr));
        ctx->step = PDI_EVENT;
        return vgl_saas_json_request(ctx, req, "POST",
                                     vgl_saas_join(ctx, ctx->env->pagerduty_events_url, V2_PATH),
                                     NULL, 0, &event, err);
    }
    case PDI_EVENT: {
        rc = vgl_saas_json_result(ctx, resp, "event", &body, err);
        if (rc < 0)
            return rc;
        const struct vgl_json *key =
            body.type == VGL_JSON_OBJECT ? vgl_json_getz(&body, "dedup_key") : NULL;
        if (!key || !vgl_json_truthy(key))
            return vgl_error_set(err, VGL_EIO, "output '%s:%s': event: the response has no "
                                 "dedup_key", ctx->service, ctx->descriptor);
        s->dedup_key = vgl_saas_py_str(ctx, key);
        return send_lookup(ctx, s, req, err);
    }
    case PDI_LOOKUP: {
        const struct vgl_json *id = NULL;
        rc = vgl_saas_json_result(ctx, resp, "incident look-up", &body, &rerr);
        if (rc == 0)
            id = id_of(first_of(&body, "incidents"));
        if (!id) {
            if (++s->tries < LOOKUP_TRIES) {
                rc = send_lookup(ctx, s, req, err);
                ctx->delay_ms = LOOKUP_WAIT_MS;
                return rc;
            }
            return vgl_error_set(err, VGL_ENOTFOUND, "output '%s:%s': incident look-up: no "
                                 "incident with key '%s' after %d tries%s%s", ctx->service,
                                 ctx->descriptor, s->dedup_key, LOOKUP_TRIES,
                                 rc < 0 ? "; last: " : "", rc < 0 ? rerr.msg : "");
        }
        s->lookup_id = vgl_saas_py_str(ctx, id);
        return after_lookup(ctx, s, req, PDI_LOOKUP, err);
    }
    case PDI_PRIORITIES: {
        /* a failed look-up only leaves the priority out */
        if (vgl_saas_json_result(ctx, resp, "priorities", &body, &rerr) == 0 &&
            body.type == VGL_JSON_OBJECT) {
            const struct vgl_json *list = vgl_json_getz(&body, "priorities");
            const struct vgl_json *want = rctx_get(s, "incident_priority");
            for (uint32_t i = 0; list && list->type == VGL_JSON_ARRAY && i < list->len; i++) {
                const struct vgl_json *p = &list->u.items[i];
                const struct vgl_json *name =
                    p->type == VGL_JSON_OBJECT ? vgl_json_getz(p, "name") : NULL;
                if (!name || !vgl_json_equal(name, want))
                    continue;
                const struct vgl_json *id = id_of(p);
                if (id) {
                    struct vgl_json_member m[] = {
                        vgl_output_member("id", *id),
                        vgl_output_member("type", vgl_output_strz("priority_reference")),
                    };
                    s->priority = vgl_json_object(ctx->arena, m, 2);
                }
                break;
            }
        }
        return after_lookup(ctx, s, req, PDI_PRIORITIES, err);
    }
    case PDI_ASSIGNEE: {
        if (vgl_saas_json_result(ctx, resp, "assignee look-up", &body, &rerr) == 0) {
            const struct vgl_json *id = id_of(first_of(&body, "users"));
            if (id)
                s->assignee_id = *id;
        }
        return after_lookup(ctx, s, req, PDI_ASSIGNEE, err);
    }
    case PDI_PUT: {
        rc = vgl_saas_json_result(ctx, resp, "incident update", &body, err);
        if (rc < 0)
            return rc;
        const struct vgl_json *inc =
            body.type == VGL_JSON_OBJECT ? vgl_json_getz(&body, "incident") : NULL;
        const struct vgl_json *id = id_of(inc);
        if (!id)
            return vgl_error_set(err, VGL_EIO, "output '%s:%s': incident update: the response "
                                 "has no incident.id", ctx->service, ctx->descriptor);
        s->incident_id = vgl_saas_py_str(ctx, id);
        /* from here on failures are noted on the incident, never fail the delivery */
        return after_put(ctx, s, req, err);
    }
    case PDI_RESPONDER: {
        const struct vgl_json *email = &s->responders[s->iresponder];
        const struct vgl_json *id = NULL;
        if (vgl_saas_json_result(ctx, resp, "responder look-up", &body, &rerr) == 0)
            id = id_of(first_of(&body, "users"));
        if (!id) {
            add_error(ctx, s, vgl_output_fmt(ctx, "[%s] Failed to request a responder (%s) on "
                                             "incident (%s)", ctx->service,
                                             vgl_saas_py_str(ctx, email), s->incident_id));
            s->iresponder++;
            return after_put(ctx, s, req, err);
        }
        const struct vgl_json *msg = rctx_get(s, "responder_message");
        struct vgl_json_member target[] = {
            vgl_output_member("id", *id),
            vgl_output_member("type", vgl_output_strz("user_reference")),
        };
        struct vgl_json_member wrap[] = {
            vgl_output_member("responder_request_target", vgl_json_object(ctx->arena, target, 2)),
        };
        struct vgl_json one = vgl_json_object(ctx->arena, wrap, 1);
        struct vgl_json_member m[] = {
            vgl_output_member("requester_id", s->requester_id),
            vgl_output_member("message",
                            msg && vgl_json_truthy(msg)
                                ? *msg
                                : vgl_output_strz("An incident was reported that requires "
                                                "your attention.")),
            vgl_output_member("responder_request_targets", vgl_json_array(ctx->arena, &one, 1)),
        };
        struct vgl_json doc = vgl_json_object(ctx->arena, m, 3);
        ctx->step = PDI_REQUEST;
        return rest(ctx, s, req, "POST",
                    incident_url(ctx, s, s->incident_id, "/responder_requests"), true, &doc, err);
    }
    case PDI_REQUEST: {
        if (vgl_saas_json_result(ctx, resp, "responder request", &body, &rerr) < 0)
            add_error(ctx, s, vgl_output_fmt(ctx, "[%s] Failed to request a responder (%s) on "
                                             "incident (%s)", ctx->service,
                                             vgl_saas_py_str(ctx, &s->responders[s->iresponder]),
                                             s->incident_id));
        s->iresponder++;
        ctx->step = PDI_PUT;   /* back to the loop over responders */
        return after_put(ctx, s, req, err);
    }
    case PDI_NOTE: {
        const struct vgl_json *note = NULL;
        if (vgl_saas_json_result(ctx, resp, "note", &body, &rerr) == 0 &&
            body.type == VGL_JSON_OBJECT)
            note = vgl_json_getz(&body, "note");
        if (!note || !vgl_json_truthy(note))
            add_error(ctx, s, vgl_output_fmt(ctx, "[%s] Failed to add note to incident (%s)",
                                             ctx->service, s->incident_id));
        return after_put(ctx, s, req, err);
    }
    case PDI_ERROR_NOTE:
        return 0;   /* best effort */
    case PDI_START:
        break;
    }
    return vgl_error_set(err, VGL_EINVAL, "output '%s:%s': unexpected step %d", ctx->service,
                         ctx->descriptor, ctx->step);
}

const struct vgl_output_ops vgl_output_pagerduty_incident = {
    .name = "pagerduty-incident",
    .form = VGL_OUTPUT_LIST,
    .step = pdi_step,
};
