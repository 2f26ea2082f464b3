/* output/svc_util_tickets.c: helpers shared by the ticketing and response services
 * (svc_util_tickets.h): URLs, query strings and JSON requests built as Python's os.path and
 * requests build them, and the failure messages of their responses. */
#include "output/svc_util_tickets.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "json/pyjson.h"
#include "parse/pyconv.h"

const char *vgl_tickets_path_join(const struct vgl_output_ctx *ctx, const char *base,
                                  const char *path)
{
    size_t n = strlen(base);
    if (path[0] == '/' || n == 0)
        return vgl_output_fmt(ctx, "%s", path);
    return vgl_output_fmt(ctx, "%s%s%s", base, base[n - 1] == '/' ? "" : "/", path);
}

static bool unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.' || c == '-' || c == '~';
}

static const char hexdig[] = "0123456789ABCDEF";

static int quote_plus(struct vgl_buf *q, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        int rc;
        if (unreserved(c))
            rc = vgl_buf_putc(q, (char)c);
        else if (c == ' ')
            rc = vgl_buf_putc(q, '+');
        else
            rc = vgl_buf_printf(q, "%%%c%c", hexdig[c >> 4], hexdig[c & 15]);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int vgl_tickets_query_add(struct vgl_buf *q, const char *key, const char *val, size_t vlen)
{
    int rc = 0;
    if (q->len)
        rc = vgl_buf_putc(q, '&');
    if (rc == 0)
        rc = quote_plus(q, key, strlen(key));
    if (rc == 0)
        rc = vgl_buf_putc(q, '=');
    if (rc == 0)
        rc = quote_plus(q, val, vlen);
    return rc;
}

const char *vgl_tickets_path_escape(const struct vgl_output_ctx *ctx, const char *s, size_t len)
{
    char *out = vgl_arena_alloc(ctx->arena, len * 3 + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (unreserved(c)) {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hexdig[c >> 4];
            out[o++] = hexdig[c & 15];
        }
    }
    out[o] = 0;
    return out;
}

const char *vgl_tickets_py_str(const struct vgl_output_ctx *ctx, const struct vgl_json *v,
                               size_t *len, struct vgl_error *err)
{
    struct vgl_buf b;
    vgl_buf_init(&b, 0);
    const char *r = NULL;
    if (vgl_py_str(&b, v) == 0) {
        r = vgl_arena_strndup(ctx->arena, b.data ? b.data : "", b.len);
        if (len)
            *len = b.len;
    } else {
        vgl_error_set(err, VGL_ELIMIT, "output '%s:%s': a value cannot be converted to text "
                      "(too large or nested too deep)", ctx->service, ctx->descriptor);
    }
    vgl_buf_release(&b);
    return r;
}

const char *vgl_tickets_base64(const struct vgl_output_ctx *ctx, const char *s, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = vgl_arena_alloc(ctx->arena, (n + 2) / 3 * 4 + 1);
    size_t o = 0, i = 0;
    const unsigned char *p = (const unsigned char *)s;
    for (; i + 2 < n; i += 3) {
        uint32_t w = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        out[o++] = tab[w >> 18];
        out[o++] = tab[(w >> 12) & 63];
        out[o++] = tab[(w >> 6) & 63];
        out[o++] = tab[w & 63];
    }
    if (i < n) {
        uint32_t w = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
        out[o++] = tab[w >> 18];
        out[o++] = tab[(w >> 12) & 63];
        out[o++] = i + 1 < n ? tab[(w >> 6) & 63] : '=';
        out[o++] = '=';
    }
    out[o] = 0;
    return out;
}

int vgl_tickets_request(struct vgl_output_ctx *ctx, struct vgl_http_request *req,
                        const char *method, const char *url, const char *const *headers,
                        size_t nheaders, bool add_ctype, const struct vgl_json *body,
                        unsigned flags, struct vgl_error *err)
{
    memset(req, 0, sizeof *req);
    req->method = method;
    req->url = url;
    size_t total = nheaders + (add_ctype ? 1 : 0);
    const char **h = vgl_arena_alloc(ctx->arena, (total ? total : 1) * sizeof *h);
    for (size_t i = 0; i < nheaders; i++) {
        /* requests raises InvalidHeader for a value with a line break (header injection) */
        if (strpbrk(headers[i], "\r\n")) {
            size_t nlen = strcspn(headers[i], ":");
            return vgl_error_set(err, VGL_EINVAL,
                                 "output '%s:%s': header '%.*s' would hold a line break "
                                 "(check the stored credentials)",
                                 ctx->service, ctx->descriptor, (int)(nlen > 64 ? 64 : nlen),
                                 headers[i]);
        }
        h[i] = vgl_arena_strndup(ctx->arena, headers[i], strlen(headers[i]));
    }
    if (add_ctype)
        h[nheaders] = "Content-Type: application/json";
    if (body) {
        struct vgl_buf b;
        vgl_buf_init(&b, 0);
        int rc = vgl_pyjson_dumps(&b, body, flags, -1);
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

int vgl_tickets_http_fail(const struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                          const char *what, struct vgl_error *err)
{
    if (resp->status == 0)
        return vgl_error_set(err, VGL_EIO, "output '%s:%s': %s: %s", ctx->service,
                             ctx->descriptor, what, resp->error[0] ? resp->error : "no response");
    char q[200];
    vgl_quote(q, sizeof q, resp->body ? resp->body : "", resp->body_len);
    return vgl_error_set(err, VGL_EIO, "output '%s:%s': %s: HTTP %ld: '%s'", ctx->service,
                         ctx->descriptor, what, resp->status, q);
}

int vgl_tickets_parse_body(const struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                           const char *what, struct vgl_json *out, struct vgl_error *err)
{
    const char *body = resp->body ? resp->body : "";
    char *copy = vgl_arena_strndup(ctx->arena, body, resp->body_len);
    struct vgl_error perr = {0};
    if (vgl_json_parse(copy, resp->body_len, ctx->arena, NULL, out, &perr) < 0) {
        char q[200];
        vgl_quote(q, sizeof q, body, resp->body_len);
        return vgl_error_set(err, VGL_EPARSE,
                             "output '%s:%s': %s: HTTP %ld with a non-JSON response body '%s'%s",
                             ctx->service, ctx->descriptor, what, resp->status, q,
                             resp->truncated ? " (truncated)" : "");
    }
    return 0;
}
