/*
 * output/svc_jira.c: jira and jira-v2 (compat 7.5): a Jira issue per alert, or with
 * aggregate=yes a comment on the issue whose summary matches.
 *
 * jira logs in first (POST rest/auth/1/session) and sends the session cookie after that;
 * jira-v2 sends HTTP Basic auth (user_name:api_key) on every call.  Then, with aggregate:
 * GET rest/api/2/search for the summary, and POST rest/api/2/issue/<id>/comment; when the
 * search finds nothing or a step fails, POST rest/api/2/issue.  Responses are judged as
 * StreamAlert's JiraOutput judges them (a returned "id" is success).  jira-v2 sends to
 * url + path (StreamAlert's recommended behaviour, not its always-failing QUIRK) and reads
 * the same "@jira.*" publication keys as jira, as StreamAlert's subclass does.
 */
#include "output/svc_util_tickets.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "json/pyjson.h"
#include "parse/pyconv.h"

enum { ST_LOGIN = 1, ST_SEARCH, ST_COMMENT, ST_CREATE };

struct jira_state {
    bool v2;
    const char *base;          /* credential url */
    const char *auth;          /* "cookie: <name>=<value>" or "Authorization: Basic ..." */
    struct vgl_json summary;   /* @jira.issue_summary, default "StreamAlert <rule>" */
    struct vgl_json description;
    const char *project_key, *issue_type;
    bool aggregate;
};

static const char *endpoint(struct vgl_output_ctx *ctx, const struct jira_state *st,
                            const char *path)
{
    if (!st->v2)
        return vgl_tickets_path_join(ctx, st->base, path);
    /* jira-v2's paths start with '/', which os.path.join turns into a relative URL (QUIRK);
     * vigil sends them to url + path instead (compat 7.5 "recommended") */
    size_t n = strlen(st->base);
    if (n && st->base[n - 1] == '/')
        n--;
    return vgl_output_fmt(ctx, "%.*s/%s", (int)n, st->base, path);
}

static int send_req(struct vgl_output_ctx *ctx, struct jira_state *st, struct vgl_http_request *req,
                    const char *method, const char *url, const struct vgl_json *body,
                    struct vgl_error *err)
{
    const char *h[2];
    size_t n = 0;
    bool ctype;
    if (st->v2) {
        h[n++] = "Accept: application/json";
        h[n++] = st->auth;
        ctype = body != NULL;   /* requests adds it for json= */
    } else {
        h[n++] = "Content-Type: application/json";   /* JiraOutput.DEFAULT_HEADERS */
        if (st->auth)
            h[n++] = st->auth;
        ctype = false;
    }
    return vgl_tickets_request(ctx, req, method, url, h, n, ctype, body, 0, err);
}

static int send_create(struct vgl_output_ctx *ctx, struct jira_state *st,
                       struct vgl_http_request *req, struct vgl_error *err)
{
    struct vgl_json_member project[] = {vgl_output_member("key", vgl_output_strz(st->project_key))};
    struct vgl_json_member itype[] = {vgl_output_member("name", vgl_output_strz(st->issue_type))};
    struct vgl_json_member fields[] = {
        vgl_output_member("project", vgl_json_object(ctx->arena, project, 1)),
        vgl_output_member("summary", st->summary),
        vgl_output_member("description", st->description),
        vgl_output_member("issuetype", vgl_json_object(ctx->arena, itype, 1)),
    };
    struct vgl_json_member top[] = {
        vgl_output_member("fields", vgl_json_object(ctx->arena, fields, 4))};
    struct vgl_json body = vgl_json_object(ctx->arena, top, 1);
    ctx->step = ST_CREATE;
    return send_req(ctx, st, req, "POST", endpoint(ctx, st, "rest/api/2/issue"), &body, err);
}

static int send_search(struct vgl_output_ctx *ctx, struct jira_state *st,
                       struct vgl_http_request *req, struct vgl_error *err)
{
    size_t slen = 0;
    const char *summary = vgl_tickets_py_str(ctx, &st->summary, &slen, err);
    if (!summary)
        return err ? err->code : VGL_ELIMIT;
    const char *jql = vgl_output_fmt(ctx, "summary ~ \"%s\" and project=\"%s\"", summary,
                                     st->project_key);
    struct vgl_buf q;
    vgl_buf_init(&q, 0);
    int rc = vgl_tickets_query_add(&q, "jql", jql, strlen(jql));
    if (rc == 0)
        rc = vgl_tickets_query_add(&q, "maxResults", "1", 1);
    if (rc == 0)
        rc = vgl_tickets_query_add(&q, "validateQuery", "True", 4);
    if (rc == 0)
        rc = vgl_tickets_query_add(&q, "fields", "id", 2);
    if (rc == 0)
        rc = vgl_tickets_query_add(&q, "fields", "summary", 7);
    if (rc < 0) {
        vgl_buf_release(&q);
        return vgl_error_set(err, rc, "output '%s:%s': search query too long", ctx->service,
                             ctx->descriptor);
    }
    const char *url = vgl_output_fmt(ctx, "%s?%s", endpoint(ctx, st, "rest/api/2/search"),
                                     q.data ? q.data : "");
    vgl_buf_release(&q);
    ctx->step = ST_SEARCH;
    return send_req(ctx, st, req, "GET", url, NULL, err);
}

/* After the login (jira) or at once (jira-v2): search when aggregating, else create. */
static int send_first(struct vgl_output_ctx *ctx, struct jira_state *st,
                      struct vgl_http_request *req, struct vgl_error *err)
{
    if (st->aggregate)
        return send_search(ctx, st, req, err);
    return send_create(ctx, st, req, err);
}

static int start(struct vgl_output_ctx *ctx, struct vgl_http_request *req, bool v2,
                 struct vgl_error *err)
{
    int rc = vgl_output_need_creds(ctx, err);
    if (rc < 0)
        return rc;
    struct jira_state *st = vgl_arena_zalloc(ctx->arena, sizeof *st);
    ctx->state = st;
    st->v2 = v2;
    st->base = vgl_output_cred(ctx, "url");
    st->project_key = vgl_output_cred(ctx, "project_key");
    st->issue_type = vgl_output_cred(ctx, "issue_type");
    st->aggregate = strcasecmp(vgl_output_cred(ctx, "aggregate"), "yes") == 0;

    const struct vgl_json *v = vgl_output_pub(ctx, "@jira.issue_summary");
    if (v) {
        st->summary = *v;
    } else {
        struct vgl_json rule = vgl_output_alert_value(ctx, "rule_name");
        const char *r = vgl_tickets_py_str(ctx, &rule, NULL, err);
        if (!r)
            return err ? err->code : VGL_ELIMIT;
        st->summary = vgl_output_strz(vgl_output_fmt(ctx, "StreamAlert %s", r));
    }
    v = vgl_output_pub(ctx, "@jira.description");
    if (v) {
        st->description = *v;
    } else {
        /* '{code:JSON}' + json.dumps(publication, sort_keys=True) + '{code}' */
        struct vgl_buf b;
        vgl_buf_init(&b, 0);
        struct vgl_json empty = vgl_json_object(ctx->arena, NULL, 0);
        rc = vgl_buf_puts(&b, "{code:JSON}");
        if (rc == 0)
            rc = vgl_pyjson_dumps(&b, ctx->pub ? ctx->pub : &empty, VGL_PYJSON_SORT_KEYS, -1);
        if (rc == 0)
            rc = vgl_buf_puts(&b, "{code}");
        if (rc < 0) {
            vgl_buf_release(&b);
            return vgl_error_set(err, rc, "output '%s:%s': publication cannot be serialized "
                                 "(too large or nested too deep)", ctx->service, ctx->descriptor);
        }
        st->description = vgl_json_str(vgl_arena_strndup(ctx->arena, b.data, b.len), b.len);
        vgl_buf_release(&b);
    }

    if (v2) {
        const char *user = vgl_output_cred(ctx, "user_name");
        const char *key = vgl_output_cred(ctx, "api_key");
        const char *pair = vgl_output_fmt(ctx, "%s:%s", user, key);
        st->auth = vgl_output_fmt(ctx, "Authorization: Basic %s",
                                  vgl_tickets_base64(ctx, pair, strlen(pair)));
        return send_first(ctx, st, req, err);
    }
    struct vgl_json_member login[] = {
        vgl_output_member("username", vgl_output_strz(vgl_output_cred(ctx, "username"))),
        vgl_output_member("password", vgl_output_strz(vgl_output_cred(ctx, "password"))),
    };
    struct vgl_json body = vgl_json_object(ctx->arena, login, 2);
    ctx->step = ST_LOGIN;
    return send_req(ctx, st, req, "POST", endpoint(ctx, st, "rest/auth/1/session"), &body, err);
}

static int on_login(struct vgl_output_ctx *ctx, struct jira_state *st,
                    const struct vgl_http_response *resp, struct vgl_http_request *req,
                    struct vgl_error *err)
{
    if (!vgl_http_ok(resp))
        return vgl_tickets_http_fail(ctx, resp, "login (rest/auth/1/session)", err);
    struct vgl_json body;
    int rc = vgl_tickets_parse_body(ctx, resp, "login (rest/auth/1/session)", &body, err);
    if (rc < 0)
        return rc;
    if (!vgl_json_truthy(&body))
        return vgl_error_set(err, VGL_EIO, "output '%s:%s': login (rest/auth/1/session): "
                             "empty response", ctx->service, ctx->descriptor);
    const struct vgl_json *session = vgl_json_getz(&body, "session");
    const struct vgl_json *name = session ? vgl_json_getz(session, "name") : NULL;
    const struct vgl_json *value = session ? vgl_json_getz(session, "value") : NULL;
    if (!name || !value)
        return vgl_error_set(err, VGL_EIO, "output '%s:%s': login (rest/auth/1/session): "
                             "response lacks session.name or session.value",
                             ctx->service, ctx->descriptor);
    const char *n = vgl_tickets_py_str(ctx, name, NULL, err);
    const char *v = n ? vgl_tickets_py_str(ctx, value, NULL, err) : NULL;
    if (!v)
        return err ? err->code : VGL_ELIMIT;
    st->auth = vgl_output_fmt(ctx, "cookie: %s=%s", n, v);
    return send_first(ctx, st, req, err);
}

/* StreamAlert's _get_existing_issue: int(issues[0]['id']), with IndexError and KeyError
 * meaning "none" and any other exception failing the dispatch.  *found gets false for none. */
static int search_result(struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                         struct vgl_json *id, bool *found, struct vgl_error *err)
{
    *found = false;
    if (resp->status == 0)   /* a connection error or timeout is an exception, not [] */
        return vgl_tickets_http_fail(ctx, resp, "issue search", err);
    if (!vgl_http_ok(resp))
        return 0;   /* _search_jira returns [] on a failed request */
    struct vgl_json body;
    int rc = vgl_tickets_parse_body(ctx, resp, "issue search", &body, err);
    if (rc < 0)
        return rc;
    if (!vgl_json_truthy(&body))
        return 0;
    if (body.type != VGL_JSON_OBJECT)
        return vgl_error_set(err, VGL_EIO, "output '%s:%s': issue search: response is a %s, "
                             "expected an object", ctx->service, ctx->descriptor,
                             vgl_json_type_name(&body));
    const struct vgl_json *issues = vgl_json_getz(&body, "issues");
    if (!issues || issues->type == VGL_JSON_OBJECT)
        return 0;
    if ((issues->type == VGL_JSON_ARRAY || issues->type == VGL_JSON_STRING) && issues->len == 0)
        return 0;
    if (issues->type != VGL_JSON_ARRAY || issues->u.items[0].type != VGL_JSON_OBJECT)
        return vgl_error_set(err, VGL_EIO, "output '%s:%s': issue search: 'issues' is not a "
                             "list of objects", ctx->service, ctx->descriptor);
    const struct vgl_json *raw = vgl_json_getz(&issues->u.items[0], "id");
    if (!raw)
        return 0;
    struct vgl_error ierr = {0};
    if (vgl_py_int(raw, ctx->arena, id, &ierr) < 0)
        return vgl_error_set(err, VGL_EIO, "output '%s:%s': issue search: issue id: %s",
                             ctx->service, ctx->descriptor, ierr.msg);
    *found = !(id->type == VGL_JSON_INT && id->u.i == 0);
    return 0;
}

/* A {"id": ...} answer as _create_comment/_create_issue read it: 1 for a truthy id, 0 for
 * none, or a negative code when the body is not JSON or not an object (an exception). */
static int returned_id(struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                       const char *what, struct vgl_error *err)
{
    struct vgl_json body;
    int rc = vgl_tickets_parse_body(ctx, resp, what, &body, err);
    if (rc < 0)
        return rc;
    if (!vgl_json_truthy(&body))
        return 0;
    if (body.type != VGL_JSON_OBJECT)
        return vgl_error_set(err, VGL_EIO, "output '%s:%s': %s: response is a %s, expected an "
                             "object", ctx->service, ctx->descriptor, what,
                             vgl_json_type_name(&body));
    const struct vgl_json *id = vgl_json_getz(&body, "id");
    return id && vgl_json_truthy(id) ? 1 : 0;
}

static int step_common(struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                       struct vgl_http_request *req, bool v2, struct vgl_error *err)
{
    if (!resp)
        return start(ctx, req, v2, err);
    struct jira_state *st = ctx->state;
    int rc;
    switch (ctx->step) {
    case ST_LOGIN:
        return on_login(ctx, st, resp, req, err);
    case ST_SEARCH: {
        struct vgl_json id;
        bool found;
        rc = search_result(ctx, resp, &id, &found, err);
        if (rc < 0)
            return rc;
        if (!found)
            return send_create(ctx, st, req, err);
        size_t idlen = 0;
        const char *ids = vgl_tickets_py_str(ctx, &id, &idlen, err);
        if (!ids)
            return err ? err->code : VGL_ELIMIT;
        struct vgl_json_member m[] = {vgl_output_member("body", st->description)};
        struct vgl_json body = vgl_json_object(ctx->arena, m, 1);
        const char *path = vgl_output_fmt(ctx, "rest/api/2/issue/%s/comment", ids);
        ctx->step = ST_COMMENT;
        return send_req(ctx, st, req, "POST", endpoint(ctx, st, path), &body, err);
    }
    case ST_COMMENT:
        if (resp->status == 0)
            return vgl_tickets_http_fail(ctx, resp, "issue comment", err);
        if (!vgl_http_ok(resp))
            return send_create(ctx, st, req, err);   /* StreamAlert falls back to a new issue */
        rc = returned_id(ctx, resp, "issue comment", err);
        if (rc < 0)
            return rc;
        return rc ? 0 : send_create(ctx, st, req, err);
    case ST_CREATE:
        if (!vgl_http_ok(resp))
            return vgl_tickets_http_fail(ctx, resp, "issue creation", err);
        rc = returned_id(ctx, resp, "issue creation", err);
        if (rc < 0)
            return rc;
        if (!rc)
            return vgl_error_set(err, VGL_EIO, "output '%s:%s': issue creation: response has "
                                 "no issue id", ctx->service, ctx->descriptor);
        return 0;
    default:
        return vgl_error_set(err, VGL_EINVAL, "output '%s:%s': unexpected step %d", ctx->service,
                             ctx->descriptor, ctx->step);
    }
}

static int jira_step(struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                     struct vgl_http_request *req, struct vgl_error *err)
{
    return step_common(ctx, resp, req, false, err);
}

static int jira_v2_step(struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                        struct vgl_http_request *req, struct vgl_error *err)
{
    return step_common(ctx, resp, req, true, err);
}

const struct vgl_output_ops vgl_output_jira = {
    .name = "jira",
    .form = VGL_OUTPUT_LIST,
    .step = jira_step,
};

const struct vgl_output_ops vgl_output_jira_v2 = {
    .name = "jira-v2",
    .form = VGL_OUTPUT_LIST,
    .step = jira_v2_step,
};
