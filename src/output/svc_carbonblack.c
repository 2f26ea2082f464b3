/*
 * output/svc_carbonblack.c: carbonblack (compat 7.5): bans the MD5 hash named by the rule's
 * context {"carbonblack": {"action": "ban", "value": "<md5>"}} on a Carbon Black Response
 * server.  StreamAlert does this through cbapi's Binary.banned and BannedHash models; this
 * file sends the requests those models send (docs/output-tickets.md lists what was
 * inferred), all with "X-Auth-Token: <token>" and JSON bodies as json.dumps(sort_keys=True):
 *
 *   1. GET  {url}/api/v1/banning/blacklist/<md5 lower-case>   `if binary.banned:`
 *      a ban exists:
 *   2. GET  the same again                                    `binary.banned.enabled`
 *      enabled: delivered.  Disabled:
 *   3. GET  {url}/api/v1/banning/blacklist/<md5 as given>     select(BannedHash), refresh
 *   4. POST {url}/api/v1/banning/blacklist  that object with "enabled": true
 *      no ban (404, 409, a server error):
 *   4. POST {url}/api/v1/banning/blacklist  {"enabled": true, "md5hash": "<MD5 UPPER>",
 *                                            "text": "Banned from StreamAlert"}
 *   5. GET  {url}/api/v1/banning/blacklist/<md5hash>  when the POST answer is not a ban
 *      object ({"result": ...}, not JSON); delivered when the ban reads enabled.
 */
#include "output/svc_util_tickets.h"

#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "json/pyjson.h"

#define BLACKLIST "/api/v1/banning/blacklist"

enum { ST_BANNED = 1, ST_BANNED_AGAIN, ST_SELECT, ST_SAVE, ST_REFRESH };

struct cb_state {
    const char *base;       /* credential url without trailing '/' (cbapi rstrip) */
    const char *token_hdr;  /* "X-Auth-Token: ..." */
    const char *value;      /* context value, as given */
    size_t vlen;
    struct vgl_json info;   /* the BannedHash object being saved */
};

static int get(struct vgl_output_ctx *ctx, struct cb_state *st, struct vgl_http_request *req,
               const char *id, size_t idlen, int step, struct vgl_error *err)
{
    const char *url = vgl_output_fmt(ctx, "%s" BLACKLIST "/%s", st->base,
                                     vgl_tickets_path_escape(ctx, id, idlen));
    ctx->step = step;
    return vgl_tickets_request(ctx, req, "GET", url, &st->token_hdr, 1, false, NULL, 0, err);
}

static int get_lower(struct vgl_output_ctx *ctx, struct cb_state *st, struct vgl_http_request *req,
                     int step, struct vgl_error *err)
{
    /* Binary keeps md5sum = value.upper(); Binary.banned selects md5sum.lower() */
    char *lower = vgl_arena_strndup(ctx->arena, st->value, st->vlen);
    for (size_t i = 0; i < st->vlen; i++)
        if (lower[i] >= 'A' && lower[i] <= 'Z')
            lower[i] = (char)(lower[i] - 'A' + 'a');
    return get(ctx, st, req, lower, st->vlen, step, err);
}

static int post(struct vgl_output_ctx *ctx, struct cb_state *st, struct vgl_http_request *req,
                struct vgl_error *err)
{
    ctx->step = ST_SAVE;
    return vgl_tickets_request(ctx, req, "POST", vgl_output_fmt(ctx, "%s" BLACKLIST, st->base),
                               &st->token_hdr, 1, true, &st->info, VGL_PYJSON_SORT_KEYS, err);
}

static int send_create(struct vgl_output_ctx *ctx, struct cb_state *st,
                       struct vgl_http_request *req, struct vgl_error *err)
{
    /* cb.create(BannedHash); md5hash = binary.md5 (the upper-cased value), text, enabled */
    char *upper = vgl_arena_strndup(ctx->arena, st->value, st->vlen);
    for (size_t i = 0; i < st->vlen; i++)
        if (upper[i] >= 'a' && upper[i] <= 'z')
            upper[i] = (char)(upper[i] - 'a' + 'A');
    struct vgl_json_member m[] = {
        vgl_output_member("md5hash", vgl_json_str(upper, st->vlen)),
        vgl_output_member("text", vgl_output_strz("Banned from StreamAlert")),
        vgl_output_member("enabled", vgl_json_bool(true)),
    };
    st->info = vgl_json_object(ctx->arena, m, 3);
    return post(ctx, st, req, err);
}

static size_t utf8_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    return c;
}

static int start(struct vgl_output_ctx *ctx, struct vgl_http_request *req, struct vgl_error *err)
{
    const struct vgl_json *context = vgl_output_alert_field(ctx, "context");
    if (!context || !vgl_json_truthy(context))
        return vgl_error_set(err, VGL_EINVAL, "output '%s:%s': the alert has no context (a "
                             "carbonblack action needs context.carbonblack)",
                             ctx->service, ctx->descriptor);
    int rc = vgl_output_need_creds(ctx, err);
    if (rc < 0)
        return rc;
    if (context->type != VGL_JSON_OBJECT)
        return vgl_error_set(err, VGL_EINVAL, "output '%s:%s': the alert context is a %s, "
                             "expected an object", ctx->service, ctx->descriptor,
                             vgl_json_type_name(context));
    const struct vgl_json *cb = vgl_json_getz(context, "carbonblack");
    if (cb && cb->type != VGL_JSON_OBJECT)
        return vgl_error_set(err, VGL_EINVAL, "output '%s:%s': context.carbonblack is a %s, "
                             "expected an object", ctx->service, ctx->descriptor,
                             vgl_json_type_name(cb));
    const struct vgl_json *action = cb ? vgl_json_getz(cb, "action") : NULL;
    if (!action || action->type != VGL_JSON_STRING || action->len != 3 ||
        memcmp(action->u.s, "ban", 3) != 0) {
        char q[80] = "None";
        if (action && action->type == VGL_JSON_STRING)
            vgl_quote(q, sizeof q, action->u.s, action->len);
        return vgl_error_set(err, VGL_EINVAL, "output '%s:%s': context.carbonblack.action '%s' "
                             "is not supported (expected 'ban')", ctx->service, ctx->descriptor, q);
    }
    const struct vgl_json *value = vgl_json_getz(cb, "value");
    if (!value || value->type != VGL_JSON_STRING || utf8_chars(value->u.s, value->len) != 32) {
        char q[80] = "";
        if (value && value->type == VGL_JSON_STRING)
            vgl_quote(q, sizeof q, value->u.s, value->len);
        return vgl_error_set(err, VGL_EINVAL, "output '%s:%s': context.carbonblack.value '%s' "
                             "is not an MD5 hash (32 characters)", ctx->service, ctx->descriptor,
                             q);
    }
    struct cb_state *st = vgl_arena_zalloc(ctx->arena, sizeof *st);
    ctx->state = st;
    const char *url = vgl_output_cred(ctx, "url");
    size_t n = strlen(url);
    while (n && url[n - 1] == '/')
        n--;
    st->base = vgl_arena_strndup(ctx->arena, url, n);
    st->token_hdr = vgl_output_fmt(ctx, "X-Auth-Token: %s", vgl_output_cred(ctx, "token"));
    st->value = vgl_arena_strndup(ctx->arena, value->u.s, value->len);
    st->vlen = value->len;
    return get_lower(ctx, st, req, ST_BANNED, err);
}

/* cbapi's api_json_request: a JSON answer "containing" errorMessage raises ServerError. */
static bool has_error_message(const struct vgl_json *v)
{
    if (v->type == VGL_JSON_OBJECT)
        return vgl_json_getz(v, "errorMessage") != NULL;
    if (v->type == VGL_JSON_ARRAY)
        return vgl_json_array_has_str(v, "errorMessage", 12);
    if (v->type == VGL_JSON_STRING)
        for (size_t i = 0; i + 12 <= v->len; i++)
            if (memcmp(v->u.s + i, "errorMessage", 12) == 0)
                return true;
    return false;
}

/*
 * get_object() of a BannedHash: 0 with *info set (NULL for a 204 answer), or a negative
 * code with err set.  *server_error tells a ServerError (which Binary.banned swallows)
 * from the exceptions that fail the dispatch (401, no connection).
 */
static int get_object(struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                      const char *what, const struct vgl_json **info, bool *not_found,
                      bool *server_error, struct vgl_error *err)
{
    *info = NULL;
    *not_found = resp->status == 404 || resp->status == 409;
    *server_error = false;
    if (resp->status == 0 || resp->status == 401)
        return vgl_tickets_http_fail(ctx, resp, what, err);
    if (resp->status == 204)
        return 0;
    struct vgl_json *body = vgl_arena_alloc(ctx->arena, sizeof *body);
    if (resp->status != 200 || vgl_tickets_parse_body(ctx, resp, what, body, err) < 0 ||
        has_error_message(body)) {
        *server_error = true;
        return vgl_tickets_http_fail(ctx, resp, what, err);
    }
    *info = body;
    return 0;
}

/* FieldDescriptor('enabled', bool) of a loaded object. */
static int enabled(struct vgl_output_ctx *ctx, const struct vgl_json *info, const char *what,
                   bool *out, struct vgl_error *err)
{
    if (!info || info->type != VGL_JSON_OBJECT)
        return vgl_error_set(err, VGL_EIO, "output '%s:%s': %s: the ban is not a JSON object",
                             ctx->service, ctx->descriptor, what);
    const struct vgl_json *e = vgl_json_getz(info, "enabled");
    *out = e && vgl_json_truthy(e);
    return 0;
}

static int on_banned(struct vgl_output_ctx *ctx, struct cb_state *st,
                     const struct vgl_http_response *resp, struct vgl_http_request *req,
                     struct vgl_error *err)
{
    const struct vgl_json *info;
    bool not_found, server_error;
    int rc = get_object(ctx, resp, "ban look-up", &info, &not_found, &server_error, err);
    if (rc < 0 && !server_error)
        return rc;
    if (not_found || rc < 0) {
        if (ctx->step == ST_BANNED_AGAIN)
            return vgl_error_set(err, VGL_EIO, "output '%s:%s': ban look-up: the ban "
                                 "disappeared between two look-ups (HTTP %ld)",
                                 ctx->service, ctx->descriptor, resp->status);
        return send_create(ctx, st, req, err);
    }
    if (ctx->step == ST_BANNED)
        return get_lower(ctx, st, req, ST_BANNED_AGAIN, err);
    bool on = false;
    rc = enabled(ctx, info, "ban look-up", &on, err);
    if (rc < 0)
        return rc;
    if (on)
        return 0;
    return get(ctx, st, req, st->value, st->vlen, ST_SELECT, err);
}

static int on_select(struct vgl_output_ctx *ctx, struct cb_state *st,
                     const struct vgl_http_response *resp, struct vgl_http_request *req,
                     struct vgl_error *err)
{
    const struct vgl_json *info;
    bool not_found, server_error;
    int rc = get_object(ctx, resp, "ban read", &info, &not_found, &server_error, err);
    if (rc < 0)
        return rc;
    if (not_found)
        return vgl_tickets_http_fail(ctx, resp, "ban read", err);
    if (!info || info->type != VGL_JSON_OBJECT)
        return vgl_error_set(err, VGL_EIO, "output '%s:%s': ban read: the ban is not a JSON "
                             "object", ctx->service, ctx->descriptor);
    const struct vgl_json *e = vgl_json_getz(info, "enabled");
    struct vgl_json yes = vgl_json_bool(true);
    if (e && vgl_json_equal(e, &yes))
        return 0;   /* enabled meanwhile: nothing dirty, nothing saved */
    /* banned_hash.enabled = True: the object as read, "enabled" replaced or added */
    size_t n = info->len;
    struct vgl_json_member *m = vgl_arena_alloc(ctx->arena, (n + 1) * sizeof *m);
    memcpy(m, info->u.members, n * sizeof *m);
    bool set = false;
    for (size_t i = 0; i < n; i++)
        if (m[i].klen == 7 && memcmp(m[i].key, "enabled", 7) == 0) {
            m[i].val = yes;
            set = true;
        }
    if (!set)
        m[n++] = vgl_output_member("enabled", yes);
    st->info = vgl_json_object(ctx->arena, m, n);
    return post(ctx, st, req, err);
}

/* MutableBaseModel._refresh_if_needed after the POST, then `return banned_hash.enabled`. */
static int on_save(struct vgl_output_ctx *ctx, struct cb_state *st,
                   const struct vgl_http_response *resp, struct vgl_http_request *req,
                   struct vgl_error *err)
{
    if (!vgl_http_ok(resp))
        return vgl_tickets_http_fail(ctx, resp, "ban save", err);
    struct vgl_json body;
    const char *text = resp->body ? resp->body : "";
    char *copy = vgl_arena_strndup(ctx->arena, text, resp->body_len);
    bool refresh = true;
    if (vgl_json_parse(copy, resp->body_len, ctx->arena, NULL, &body, NULL) == 0) {
        if (has_error_message(&body))
            return vgl_tickets_http_fail(ctx, resp, "ban save", err);
        /* an object other than {"result": ...} is the saved ban itself */
        if (body.type == VGL_JSON_OBJECT &&
            !(body.len == 1 && body.u.members[0].klen == 6 &&
              memcmp(body.u.members[0].key, "result", 6) == 0)) {
            st->info = body;
            refresh = false;
        }
    }
    if (refresh) {
        const struct vgl_json *id = vgl_json_getz(&st->info, "md5hash");
        if (id && id->type != VGL_JSON_NULL) {
            size_t idlen = 0;
            const char *ids = vgl_tickets_py_str(ctx, id, &idlen, err);
            if (!ids)
                return err ? err->code : VGL_ELIMIT;
            return get(ctx, st, req, ids, idlen, ST_REFRESH, err);
        }
    }
    bool on = false;
    int rc = enabled(ctx, &st->info, "ban save", &on, err);
    if (rc < 0)
        return rc;
    if (!on)
        return vgl_error_set(err, VGL_EIO, "output '%s:%s': ban save: the saved ban is not "
                             "enabled", ctx->service, ctx->descriptor);
    return 0;
}

static int on_refresh(struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                      struct vgl_error *err)
{
    const struct vgl_json *info;
    bool not_found, server_error;
    int rc = get_object(ctx, resp, "ban read-back", &info, &not_found, &server_error, err);
    if (rc < 0)
        return rc;
    if (not_found)
        return vgl_tickets_http_fail(ctx, resp, "ban read-back", err);
    bool on = false;
    rc = enabled(ctx, info, "ban read-back", &on, err);
    if (rc < 0)
        return rc;
    if (!on)
        return vgl_error_set(err, VGL_EIO, "output '%s:%s': ban read-back: the ban is not "
                             "enabled", ctx->service, ctx->descriptor);
    return 0;
}

static int carbonblack_step(struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                            struct vgl_http_request *req, struct vgl_error *err)
{
    if (!resp)
        return start(ctx, req, err);
    struct cb_state *st = ctx->state;
    switch (ctx->step) {
    case ST_BANNED:
    case ST_BANNED_AGAIN:
        return on_banned(ctx, st, resp, req, err);
    case ST_SELECT:
        return on_select(ctx, st, resp, req, err);
    case ST_SAVE:
        return on_save(ctx, st, resp, req, err);
    case ST_REFRESH:
        return on_refresh(ctx, resp, err);
    default:
        return vgl_error_set(err, VGL_EINVAL, "output '%s:%s': unexpected step %d", ctx->service,
                             ctx->descriptor, ctx->step);
    }
}

const struct vgl_output_ops vgl_output_carbonblack = {
    .name = "carbonblack",
    .form = VGL_OUTPUT_LIST,
    .step = carbonblack_step,
};
