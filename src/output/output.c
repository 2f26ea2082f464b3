/* output/output.c: the service registry and the helpers every service shares (output.h). */
#include "output/output.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "json/json.h"
#include "output/credentials.h"
#include "output/services.h"

static const struct vgl_output_ops *const *const groups[] = {
    vgl_output_saas_services, vgl_output_tickets_services, vgl_output_local_services};

static int cmp_ops(const void *a, const void *b)
{
    return strcmp((*(const struct vgl_output_ops *const *)a)->name,
                  (*(const struct vgl_output_ops *const *)b)->name);
}

const struct vgl_output_ops *const *vgl_output_all(size_t *n)
{
    static const struct vgl_output_ops *all[64];
    static size_t nall;
    if (!nall) {
        for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
            for (size_t i = 0; groups[g][i] && nall < 64; i++)
                all[nall++] = groups[g][i];
        qsort(all, nall, sizeof all[0], cmp_ops);
    }
    *n = nall;
    return all;
}

const struct vgl_output_ops *vgl_output_find(const char *name)
{
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
        for (size_t i = 0; groups[g][i]; i++)
            if (strcmp(groups[g][i]->name, name) == 0)
                return groups[g][i];
    return NULL;
}

int vgl_output_sync_all(struct vgl_error *err)
{
    size_t n;
    const struct vgl_output_ops *const *all = vgl_output_all(&n);
    int rc = 0;
    for (size_t i = 0; i < n; i++)
        if (all[i]->sync) {
            int r = all[i]->sync(err);
            if (r && !rc)
                rc = r;
        }
    return rc;
}

void vgl_output_env_defaults(struct vgl_output_env *env)
{
    memset(env, 0, sizeof *env);
    env->pagerduty_events_url = "https://events.pagerduty.com";
    env->pagerduty_api_url = "https://api.pagerduty.com";
    env->github_api_url = "https://api.github.com";
    env->aws_endpoint_url = "";
    env->aws_region = "us-east-1";
    env->aws_account_id = "000000000000";
    env->aws_access_key_id = getenv("AWS_ACCESS_KEY_ID");
    env->aws_secret_access_key = getenv("AWS_SECRET_ACCESS_KEY");
    env->aws_session_token = getenv("AWS_SESSION_TOKEN");
    env->data_dir = ".";
    env->prefix = "";
}

const char *vgl_output_cred(const struct vgl_output_ctx *ctx, const char *field)
{
    if (!ctx->creds)
        return NULL;
    const struct vgl_json *v = vgl_json_getz(ctx->creds, field);
    if (!v || v->type != VGL_JSON_STRING)
        return NULL;
    return vgl_arena_strndup(ctx->arena, v->u.s, v->len);
}

int vgl_output_need_creds(const struct vgl_output_ctx *ctx, struct vgl_error *err)
{
    const struct vgl_output_cred_fields *svc = vgl_output_cred_fields(ctx->service);
    if (!svc)
        return 0;
    if (!ctx->creds)
        return vgl_error_set(err, VGL_ENOTFOUND,
                             "output '%s:%s': no credentials stored (run: vigil output "
                             "set-credentials %s:%s)",
                             ctx->service, ctx->descriptor, ctx->service, ctx->descriptor);
    char missing[256] = "";
    size_t nmissing = 0;
    for (size_t i = 0; i < svc->nfields; i++) {
        if (!svc->fields[i].required)
            continue;
        const struct vgl_json *v = vgl_json_getz(ctx->creds, svc->fields[i].name);
        if (!v || v->type != VGL_JSON_STRING) {
            size_t len = strlen(missing);
            snprintf(missing + len, sizeof missing - len, "%s'%s'", nmissing ? ", " : "",
                     svc->fields[i].name);
            nmissing++;
        }
    }
    if (nmissing)
        return vgl_error_set(err, VGL_ECONFIG,
                             "output '%s:%s': stored credentials lack %s (run: vigil output "
                             "set-credentials %s:%s)",
                             ctx->service, ctx->descriptor, missing, ctx->service, ctx->descriptor);
    return 0;
}

const struct vgl_json *vgl_output_magic(const struct vgl_output_ctx *ctx, const char *key)
{
    if (!ctx->pub || ctx->pub->type != VGL_JSON_OBJECT)
        return NULL;
    char name[128];
    int n = snprintf(name, sizeof name, "@%s.%s", ctx->service, key);
    if (n < 0 || (size_t)n >= sizeof name)
        return NULL;
    return vgl_json_get(ctx->pub, name, (size_t)n);
}

const struct vgl_json *vgl_output_pub(const struct vgl_output_ctx *ctx, const char *key)
{
    if (!ctx->pub || ctx->pub->type != VGL_JSON_OBJECT)
        return NULL;
    return vgl_json_getz(ctx->pub, key);
}

struct vgl_json vgl_output_alert_value(const struct vgl_output_ctx *ctx, const char *key)
{
    const struct vgl_json *v = vgl_output_alert_field(ctx, key);
    return v ? *v : vgl_json_str("", 0);
}

const struct vgl_json *vgl_output_alert_field(const struct vgl_output_ctx *ctx, const char *key)
{
    if (!ctx->alert || ctx->alert->type != VGL_JSON_OBJECT)
        return NULL;
    return vgl_json_getz(ctx->alert, key);
}

const char *vgl_output_alert_str(const struct vgl_output_ctx *ctx, const char *key)
{
    const struct vgl_json *v = vgl_output_alert_field(ctx, key);
    if (!v || v->type != VGL_JSON_STRING)
        return "";
    return vgl_arena_strndup(ctx->arena, v->u.s, v->len);
}

char *vgl_output_fmt(const struct vgl_output_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    char *s = vgl_arena_alloc(ctx->arena, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

int vgl_output_http_result(const struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                           struct vgl_error *err)
{
    if (vgl_http_ok(resp))
        return 0;
    if (resp->status == 0)
        return vgl_error_set(err, VGL_EIO, "output '%s:%s': %s", ctx->service, ctx->descriptor,
                             resp->error[0] ? resp->error : "no response");
    struct vgl_buf q;
    vgl_buf_init(&q, 0);
    vgl_buf_append_quoted(&q, resp->body ? resp->body : "", resp->body_len, 160);
    vgl_buf_putc(&q, 0);
    int rc = vgl_error_set(err, VGL_EIO, "output '%s:%s': HTTP %ld: %s", ctx->service,
                           ctx->descriptor, resp->status, q.data ? q.data : "");
    vgl_buf_release(&q);
    return rc;
}

int vgl_output_single_request(struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                              struct vgl_http_request *req, struct vgl_error *err,
                              vgl_output_build_fn build)
{
    if (!resp) {
        int rc = build(ctx, req, err);
        return rc ? rc : VGL_OUTPUT_SEND;
    }
    return vgl_output_http_result(ctx, resp, err);
}
