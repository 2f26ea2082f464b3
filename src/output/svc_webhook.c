/*
 * output/svc_webhook.c: vigil's generic webhook (docs/output-local.md).  POSTs the
 * publication as compact UTF-8 JSON to the stored "url", with X-Vigil-Alert-Id and, when
 * "hmac_secret" is stored, X-Vigil-Signature: sha256=<hex HMAC-SHA256(secret, body)>.
 * "headers" (optional) is a JSON object, stored as a string, of extra request headers.
 * Success is any 2xx.  The URL, the secret and the header values are credentials: errors
 * name the output and header names only.
 */
#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "json/json.h"
#include "json/pyjson.h"
#include "output/output.h"

#define MAX_HEADERS 64

static bool header_name_ok(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= ' ' || c >= 0x7f || c == ':')
            return false;
    }
    return true;
}

static bool header_value_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == '\r' || s[i] == '\n' || s[i] == '\0')
            return false;
    return true;
}

static bool is_vigil_header(const char *s, size_t n)
{
    return n >= 8 && strncasecmp(s, "x-vigil-", 8) == 0;
}

/* Adds the stored "headers" to h; *user_ctype is set when they include Content-Type. */
static int user_headers(struct vgl_output_ctx *ctx, const char **h, size_t *nh, bool *user_ctype,
                        struct vgl_error *err)
{
    const char *text = vgl_output_cred(ctx, "headers");
    if (!text || !*text)
        return 0;
    struct vgl_json obj;
    struct vgl_error perr;
    if (vgl_json_parse(text, strlen(text), ctx->arena, NULL, &obj, &perr) != 0 ||
        obj.type != VGL_JSON_OBJECT)
        return vgl_error_set(err, VGL_ECONFIG,
                             "output '%s:%s': stored 'headers' is not a JSON object of strings",
                             ctx->service, ctx->descriptor);
    for (uint32_t i = 0; i < obj.len; i++) {
        const struct vgl_json_member *m = &obj.u.members[i];
        if (!header_name_ok(m->key, m->klen))
            return vgl_error_set(err, VGL_ECONFIG,
                                 "output '%s:%s': stored 'headers': member %u is not a valid "
                                 "header name",
                                 ctx->service, ctx->descriptor, (unsigned)i + 1);
        if (m->val.type != VGL_JSON_STRING || !header_value_ok(m->val.u.s, m->val.len))
            return vgl_error_set(err, VGL_ECONFIG,
                                 "output '%s:%s': stored 'headers': '%.*s' must be a string "
                                 "without line breaks",
                                 ctx->service, ctx->descriptor, (int)m->klen, m->key);
        if (is_vigil_header(m->key, m->klen))
            continue;   /* the alert id and the signature are vigil's to set */
        if (*nh >= MAX_HEADERS)
            return vgl_error_set(err, VGL_ELIMIT,
                                 "output '%s:%s': stored 'headers' has more than %d headers",
                                 ctx->service, ctx->descriptor, MAX_HEADERS);
        if (m->klen == 12 && strncasecmp(m->key, "Content-Type", 12) == 0)
            *user_ctype = true;
        h[(*nh)++] = vgl_output_fmt(ctx, "%.*s: %.*s", (int)m->klen, m->key, (int)m->val.len,
                                    m->val.u.s);
    }
    return 0;
}

static const char *signature(struct vgl_output_ctx *ctx, const char *secret, const char *body,
                             size_t len)
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char hex[crypto_auth_hmacsha256_BYTES * 2 + 1];
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_memzero(&st, sizeof st);
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    return vgl_output_fmt(ctx, "X-Vigil-Signature: sha256=%s", hex);
}

static int build(struct vgl_output_ctx *ctx, struct vgl_http_request *req, struct vgl_error *err)
{
    if (!ctx->creds)
        return vgl_error_set(err, VGL_ENOTFOUND,
                             "output '%s:%s': no credentials stored (run: vigil output "
                             "set-credentials %s:%s)",
                             ctx->service, ctx->descriptor, ctx->service, ctx->descriptor);
    int rc = vgl_output_need_creds(ctx, err);
    if (rc)
        return rc;
    const char *url = vgl_output_cred(ctx, "url");
    if (!url || !*url)
        return vgl_error_set(err, VGL_ECONFIG,
                             "output '%s:%s': stored credentials lack 'url' (run: vigil output "
                             "set-credentials %s:%s)",
                             ctx->service, ctx->descriptor, ctx->service, ctx->descriptor);
    if (sodium_init() < 0)
        return vgl_error_set(err, VGL_EIO, "output '%s:%s': cannot initialise libsodium",
                             ctx->service, ctx->descriptor);
    const char **h = vgl_arena_alloc(ctx->arena, (MAX_HEADERS + 3) * sizeof *h);
    size_t nh = 0;
    bool user_ctype = false;
    rc = user_headers(ctx, h, &nh, &user_ctype, err);
    if (rc)
        return rc;
    struct vgl_buf body;
    vgl_buf_init(&body, 0);
    rc = vgl_pyjson_dumps(&body, ctx->pub, VGL_PYJSON_COMPACT | VGL_PYJSON_UNICODE, -1);
    if (rc) {
        vgl_buf_release(&body);
        return vgl_error_set(err, rc, "output '%s:%s': cannot serialize the publication",
                             ctx->service, ctx->descriptor);
    }
    size_t len = body.len;
    const char *text = vgl_arena_strndup(ctx->arena, body.data ? body.data : "", len);
    vgl_buf_release(&body);
    if (!user_ctype)
        h[nh++] = "Content-Type: application/json";
    const char *id = vgl_output_alert_str(ctx, "id");
    if (*id && header_value_ok(id, strlen(id)))
        h[nh++] = vgl_output_fmt(ctx, "X-Vigil-Alert-Id: %s", id);
    const char *secret = vgl_output_cred(ctx, "hmac_secret");
    if (secret && *secret)
        h[nh++] = signature(ctx, secret, text, len);
    memset(req, 0, sizeof *req);
    req->method = "POST";
    req->url = url;
    req->headers = h;
    req->nheaders = nh;
    req->body = text;
    req->body_len = len;
    return 0;
}

static int step(struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                struct vgl_http_request *req, struct vgl_error *err)
{
    return vgl_output_single_request(ctx, resp, req, err, build);
}

const struct vgl_output_ops vgl_output_webhook = {
    .name = "webhook",
    .form = VGL_OUTPUT_LIST,
    .step = step,
};
