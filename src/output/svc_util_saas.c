/* output/svc_util_saas.c: helpers shared by the chat and paging services (svc_util_saas.h):
 * JSON requests built as Python's requests builds them, and StreamAlert's JSON response
 * rule. */
#include "output/svc_util_saas.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "json/pyjson.h"
#include "parse/pyconv.h"

const char *vgl_saas_alert_pystr(const struct vgl_output_ctx *ctx, const char *key)
{
    struct vgl_json v = vgl_output_alert_value(ctx, key);
    return vgl_saas_py_str(ctx, &v);
}

struct vgl_json vgl_saas_wrap(const struct vgl_output_ctx *ctx, const char *pre, const char *key,
                              const char *post)
{
    struct vgl_json v = vgl_output_alert_value(ctx, key);
    struct vgl_buf b;
    vgl_buf_init(&b, 0);
    int rc = vgl_buf_puts(&b, pre);
    if (rc == 0)
        rc = vgl_py_str(&b, &v);
    if (rc == 0)
        rc = vgl_buf_puts(&b, post);
    struct vgl_json r = vgl_json_str("", 0);
    if (rc == 0 && b.data)
        r = vgl_json_str(vgl_arena_memdup(ctx->arena, b.data, b.len + 1), b.len);
    vgl_buf_release(&b);
    return r;
}

const char *vgl_saas_join(const struct vgl_output_ctx *ctx, const char *base, const char *path)
{
    size_t n = strlen(base);
    if (n && base[n - 1] == '/')
        n--;
    return vgl_output_fmt(ctx, "%.*s%s", (int)n, base, path);
}

const char *vgl_saas_urlencode(const struct vgl_output_ctx *ctx, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = vgl_arena_alloc(ctx->arena, len * 3 + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '_' || c == '.' || c == '-' || c == '~') {
            out[o++] = (char)c;
        } else if (c == ' ') {
            out[o++] = '+';
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = 0;
    return out;
}

const char *vgl_saas_py_str(const struct vgl_output_ctx *ctx, const struct vgl_json *v)
{
    struct vgl_buf b;
    vgl_buf_init(&b, 0);
    const char *r = "";
    if (vgl_py_str(&b, v) == 0 && b.data)
        r = vgl_arena_strndup(ctx->arena, b.data, b.len);
    vgl_buf_release(&b);
    return r;
}

int vgl_saas_json_request(struct vgl_output_ctx *ctx, struct vgl_http_request *req,
                          const char *method, const char *url, const char *const *headers,
                          size_t nheaders, const struct vgl_json *body, struct vgl_error *err)
{
    memset(req, 0, sizeof *req);
    ctx->delay_ms = 0;
    req->method = method;
    req->url = url;
    bool has_type = false;
    for (size_t i = 0; i < nheaders; i++)
        if (strncasecmp(headers[i], "Content-Type:", 13) == 0)
            has_type = true;
    size_t total = nheaders + (body && !has_type ? 1 : 0);
    const char **h = vgl_arena_alloc(ctx->arena, (total ? total : 1) * sizeof *h);
    for (size_t i = 0; i < nheaders; i++)
        h[i] = vgl_arena_strndup(ctx->arena, headers[i], strlen(headers[i]));
    if (body && !has_type)
        h[nheaders] = "Content-Type: application/json";
    if (body) {
        struct vgl_buf b;
        vgl_buf_init(&b, 0);
        int rc = vgl_pyjson_dumps(&b, body, 0, -1);
        if (rc < 0) {
            vgl_buf_release(&b);
            return vgl_error_set(err, rc, "output '%s:%s': request body cannot be serialized "
                                 "(too large or nested too deep)", ctx->service, ctx->descriptor);
        }
        req->body = vgl_arena_strndup(ctx->arena, b.data ? b.data : "", b.len);
        req->body_len = b.len;
        vgl_buf_release(&b);
    }
    req->headers = h;
    req->nheaders = total;
    return VGL_OUTPUT_SEND;
}

int vgl_saas_json_result(const struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                         const char *what, struct vgl_json *out, struct vgl_error *err)
{
    struct vgl_error herr = {0};
    int rc = vgl_output_http_result(ctx, resp, &herr);
    if (rc < 0) {
        /* put what after the output's name: "output 'x:y': user look-up: HTTP 500: ..." */
        char prefix[300];
        snprintf(prefix, sizeof prefix, "output '%s:%s': ", ctx->service, ctx->descriptor);
        size_t plen = strlen(prefix);
        const char *rest = strncmp(herr.msg, prefix, plen) == 0 ? herr.msg + plen : herr.msg;
        return vgl_error_set(err, rc, "%s%s: %s", prefix, what, rest);
    }
    const char *body = resp->body ? resp->body : "";
    char *copy = vgl_arena_strndup(ctx->arena, body, resp->body_len);
    struct vgl_error perr = {0};
    if (vgl_json_parse(copy, resp->body_len, ctx->arena, NULL, out, &perr) < 0 ||
        !vgl_json_truthy(out)) {
        char q[200];
        vgl_quote(q, sizeof q, body, resp->body_len);
        return vgl_error_set(err, VGL_EIO,
                             "output '%s:%s': %s: HTTP %ld with %s response body '%s' "
                             "(expected a non-empty JSON value)",
                             ctx->service, ctx->descriptor, what, resp->status,
                             perr.code ? "a non-JSON" : "an empty or false", q);
    }
    return 0;
}
