/*
 * output/svc_aws_sns.c: aws-sns (compat 7.5): Publish (Query protocol) to the topic named
 * in outputs.json, in env's region and account, with StreamAlert's subject and message.
 */
#include <stdint.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/utf8.h"
#include "json/json.h"
#include "json/pyjson.h"
#include "output/aws.h"
#include "output/output.h"

#define SUBJECT_MAX 99   /* SNS subjects must be shorter than 100 characters */

/* Byte offset of code point number `index` in s (len bytes); len when past the end.  A
 * stray byte counts as one character (JSON strings are valid UTF-8 anyway). */
static size_t cp_offset(const char *s, size_t len, size_t index)
{
    size_t i = 0;
    while (index-- && i < len) {
        uint32_t cp;
        size_t n = vgl_utf8_decode((const unsigned char *)s + i, len - i, &cp);
        i += n ? n : 1;
    }
    return i;
}

static size_t cp_count(const char *s, size_t len)
{
    size_t count = 0;
    for (size_t i = 0; i < len; count++) {
        uint32_t cp;
        size_t n = vgl_utf8_decode((const unsigned char *)s + i, len - i, &cp);
        i += n ? n : 1;
    }
    return count;
}

/* StreamAlert's elide_string_middle(text, 99): text[:47] + " ... " + text[-47:], counted
 * in code points as Python slices a str. */
static int elide(struct vgl_buf *out, const char *s, size_t len, size_t max)
{
    size_t n = cp_count(s, len);
    if (n <= max)
        return vgl_buf_append(out, s, len);
    size_t half = (max - 5) / 2;
    size_t head = cp_offset(s, len, half), tail = cp_offset(s, len, n - half);
    int rc = vgl_buf_append(out, s, head);
    if (!rc)
        rc = vgl_buf_puts(out, " ... ");
    if (!rc)
        rc = vgl_buf_append(out, s + tail, len - tail);
    return rc;
}

static int build(struct vgl_output_ctx *ctx, struct vgl_http_request *req, struct vgl_error *err)
{
    const char *topic;
    int rc = vgl_aws_resource(ctx, "topic name", &topic, err);
    if (rc)
        return rc;
    const char *arn = strncmp(topic, "arn:", 4) == 0
                          ? topic
                          : vgl_output_fmt(ctx, "arn:aws:sns:%s:%s:%s", ctx->env->aws_region,
                                           ctx->env->aws_account_id, topic);
    const struct vgl_json *t = vgl_output_magic(ctx, "topic");
    const struct vgl_json *m = vgl_output_magic(ctx, "message");
    if ((t && t->type != VGL_JSON_STRING) || (m && m->type != VGL_JSON_STRING))
        return vgl_error_set(err, VGL_ETYPE, "output '%s:%s': '@aws-sns.%s' must be a string, got %s",
                             ctx->service, ctx->descriptor,
                             t && t->type != VGL_JSON_STRING ? "topic" : "message",
                             vgl_json_type_name(t && t->type != VGL_JSON_STRING ? t : m));
    struct vgl_buf subject, message, form;
    vgl_buf_init(&subject, 0);
    vgl_buf_init(&message, 0);
    vgl_buf_init(&form, 0);
    if (t) {
        rc = elide(&subject, t->u.s, t->len, SUBJECT_MAX);
    } else {
        const char *d = vgl_output_fmt(ctx, "%s triggered alert %s",
                                       vgl_output_alert_str(ctx, "rule_name"),
                                       vgl_output_alert_str(ctx, "id"));
        rc = elide(&subject, d, strlen(d), SUBJECT_MAX);
    }
    if (!rc)
        rc = m ? vgl_buf_append(&message, m->u.s, m->len)
               : vgl_pyjson_dumps(&message, ctx->pub, VGL_PYJSON_SORT_KEYS, 2);
    if (!rc)
        rc = vgl_aws_form(&form, "Action", "Publish", 7);
    if (!rc)
        rc = vgl_aws_form(&form, "TopicArn", arn, strlen(arn));
    if (!rc)
        rc = vgl_aws_form(&form, "Subject", subject.data ? subject.data : "", subject.len);
    if (!rc)
        rc = vgl_aws_form(&form, "Message", message.data ? message.data : "", message.len);
    if (!rc)
        rc = vgl_aws_form(&form, "Version", "2010-03-31", 10);
    if (rc)
        rc = vgl_error_set(err, rc, "output '%s:%s': cannot build the request", ctx->service,
                           ctx->descriptor);
    else
        rc = vgl_aws_query(ctx, "sns", vgl_output_fmt(ctx, "%s/", vgl_aws_endpoint(ctx, "sns")),
                           &form, req, err);
    vgl_buf_release(&subject);
    vgl_buf_release(&message);
    vgl_buf_release(&form);
    return rc;
}

static int step(struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                struct vgl_http_request *req, struct vgl_error *err)
{
    return vgl_output_single_request(ctx, resp, req, err, build);
}

const struct vgl_output_ops vgl_output_aws_sns = {
    .name = "aws-sns",
    .form = VGL_OUTPUT_OBJECT,
    .step = step,
};
