/*
 * output/svc_github.c: the `github` output (compat 7.5): one POST that opens an issue,
 * {api}/repos/<repository>/issues with Basic authentication (username:access_token).
 * The api base comes from the env (StreamAlert fixes https://api.github.com).
 * Success: 2xx.
 */
#include "output/svc_util_saas.h"

#include <sodium.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "json/json.h"
#include "json/pyjson.h"

/* "Authorization: Basic " + base64(username:access_token), in the arena. */
static const char *basic_auth(struct vgl_output_ctx *ctx, const char *user, const char *token)
{
    size_t ul = strlen(user), tl = strlen(token), n = ul + 1 + tl;
    unsigned char *raw = vgl_arena_alloc(ctx->arena, n + 1);
    memcpy(raw, user, ul);
    raw[ul] = ':';
    memcpy(raw + ul + 1, token, tl);
    size_t b64len = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = vgl_arena_alloc(ctx->arena, b64len);
    sodium_bin2base64(b64, b64len, raw, n, sodium_base64_VARIANT_ORIGINAL);
    sodium_memzero(raw, n);
    const char *h = vgl_output_fmt(ctx, "Authorization: Basic %s", b64);
    sodium_memzero(b64, b64len);
    return h;
}

/* "### Description\n<desc>\n\n### Event data\n\n```\n<record, indent 2, sorted>\n```" */
static int default_body(struct vgl_output_ctx *ctx, struct vgl_json *out, struct vgl_error *err)
{
    struct vgl_json desc = vgl_output_alert_value(ctx, "rule_description");
    struct vgl_json rec = vgl_output_alert_value(ctx, "record");
    struct vgl_buf b;
    vgl_buf_init(&b, 0);
    int rc = vgl_buf_puts(&b, "### Description\n");
    if (rc == 0)
        rc = desc.type == VGL_JSON_STRING ? vgl_buf_append(&b, desc.u.s, desc.len)
                                          : vgl_buf_puts(&b, vgl_saas_py_str(ctx, &desc));
    if (rc == 0)
        rc = vgl_buf_puts(&b, "\n\n### Event data\n\n```\n");
    if (rc == 0)
        rc = vgl_pyjson_dumps(&b, &rec, VGL_PYJSON_SORT_KEYS, 2);
    if (rc == 0)
        rc = vgl_buf_puts(&b, "\n```");
    if (rc < 0) {
        vgl_buf_release(&b);
        return vgl_error_set(err, rc, "output '%s:%s': the record cannot be serialized "
                             "(too large or nested too deep)", ctx->service, ctx->descriptor);
    }
    *out = vgl_json_str(vgl_arena_memdup(ctx->arena, b.data, b.len + 1), b.len);
    vgl_buf_release(&b);
    return 0;
}

/* labels.split(","): no trimming, "" gives [""] */
static struct vgl_json split_labels(struct vgl_output_ctx *ctx, const char *labels)
{
    size_t n = 1;
    for (const char *p = labels; *p; p++)
        n += *p == ',';
    struct vgl_json *items = vgl_arena_alloc(ctx->arena, n * sizeof *items);
    size_t i = 0;
    const char *start = labels;
    for (const char *p = labels;; p++) {
        if (*p == ',' || *p == 0) {
            items[i++] = vgl_json_str(start, (size_t)(p - start));
            start = p + 1;
            if (*p == 0)
                break;
        }
    }
    return vgl_json_array(ctx->arena, items, n);
}

static int github_step(struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                       struct vgl_http_request *req, struct vgl_error *err)
{
    if (resp)
        return vgl_output_http_result(ctx, resp, err);
    int rc = vgl_output_need_creds(ctx, err);
    if (rc < 0)
        return rc;
    const struct vgl_json *v = vgl_output_magic(ctx, "title");
    struct vgl_json title = v ? *v : vgl_saas_wrap(ctx, "StreamAlert: ", "rule_name", "");
    struct vgl_json body;
    v = vgl_output_magic(ctx, "body");
    if (v) {
        body = *v;
    } else {
        rc = default_body(ctx, &body, err);
        if (rc < 0)
            return rc;
    }
    struct vgl_json_member m[] = {
        vgl_output_member("title", title),
        vgl_output_member("body", body),
        vgl_output_member("labels", split_labels(ctx, vgl_output_cred(ctx, "labels"))),
    };
    struct vgl_json doc = vgl_json_object(ctx->arena, m, 3);
    const char *url = vgl_output_fmt(ctx, "%s/repos/%s/issues",
                                     vgl_saas_join(ctx, ctx->env->github_api_url, ""),
                                     vgl_output_cred(ctx, "repository"));
    const char *auth =
        basic_auth(ctx, vgl_output_cred(ctx, "username"), vgl_output_cred(ctx, "access_token"));
    return vgl_saas_json_request(ctx, req, "POST", url, &auth, 1, &doc, err);
}

const struct vgl_output_ops vgl_output_github = {
    .name = "github",
    .form = VGL_OUTPUT_LIST,
    .step = github_step,
};
