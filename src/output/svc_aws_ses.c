/*
 * output/svc_aws_ses.c: aws-ses (compat 7.5): SendRawEmail (Query protocol) of the MIME
 * message StreamAlert's SESOutput builds with Python's email package: multipart/mixed with
 * To/From/Subject, the record.json attachment (JSON of the record, indent 2, sorted keys)
 * unless @aws-ses.attach_record is false, the @aws-ses.attachments, then the body: a
 * string as text/plain, an object as a multipart/alternative of text/<key> parts.  The
 * layout follows Python's compat32 generator (as_string()): "\n" line ends, 76-column
 * base64, a random "===============<19 digits>==" boundary.
 */
#include <inttypes.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/utf8.h"
#include "json/json.h"
#include "json/pyjson.h"
#include "output/aws.h"
#include "output/output.h"

static bool is_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return false;
    return true;
}

/* Python's email.generator._make_boundary(). */
static void boundary(char out[40])
{
    uint64_t r;
    randombytes_buf(&r, sizeof r);
    r %= UINT64_C(9223372036854775807);   /* random.randrange(sys.maxsize) */
    snprintf(out, 40, "===============%019" PRIu64 "==", r);
}

/* base64.encodebytes(): 76-character lines, each ending in "\n". */
static int b64_lines(struct vgl_buf *b, const char *p, size_t n)
{
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i += 57) {
        size_t k = n - i < 57 ? n - i : 57;
        rc = vgl_aws_base64(b, p + i, k);
        if (!rc)
            rc = vgl_buf_putc(b, '\n');
    }
    return rc;
}

/* A header value on one line: CR and LF become spaces (no header injection). */
static int put_header(struct vgl_buf *b, const char *name, const char *v, size_t n)
{
    int rc = vgl_buf_printf(b, "%s: ", name);
    for (size_t i = 0; i < n && !rc; i++)
        rc = vgl_buf_putc(b, v[i] == '\r' || v[i] == '\n' ? ' ' : v[i]);
    return rc ? rc : vgl_buf_putc(b, '\n');
}

/* Subject: as is when ASCII, else one RFC 2047 encoded word. */
static int put_subject(struct vgl_buf *b, const char *s, size_t n)
{
    if (is_ascii(s, n))
        return put_header(b, "Subject", s, n);
    int rc = vgl_buf_puts(b, "Subject: =?utf-8?b?");
    if (!rc)
        rc = vgl_aws_base64(b, s, n);
    return rc ? rc : vgl_buf_puts(b, "?=\n");
}

/* MIMEText(text, subtype): us-ascii 7bit, or utf-8 base64. */
static int text_part(struct vgl_buf *b, const char *subtype, size_t slen, const char *s, size_t n)
{
    bool ascii = is_ascii(s, n);
    int rc = vgl_buf_printf(b,
                            "Content-Type: text/%.*s; charset=\"%s\"\nMIME-Version: 1.0\n"
                            "Content-Transfer-Encoding: %s\n\n",
                            (int)slen, subtype, ascii ? "us-ascii" : "utf-8",
                            ascii ? "7bit" : "base64");
    if (!rc)
        rc = ascii ? vgl_buf_append(b, s, n) : b64_lines(b, s, n);
    return rc;
}

/* Python's str.encode('raw-unicode-escape'), which Message.get_payload(decode=True) falls
 * back to for a non-ASCII str attachment. */
static int raw_unicode_escape(struct vgl_buf *b, const char *s, size_t n)
{
    int rc = 0;
    for (size_t i = 0; i < n && !rc;) {
        uint32_t cp;
        size_t k = vgl_utf8_decode((const unsigned char *)s + i, n - i, &cp);
        if (!k) {
            cp = 0xfffd;
            k = 1;
        }
        i += k;
        if (cp < 0x100)
            rc = vgl_buf_putc(b, (char)cp);
        else if (cp < 0x10000)
            rc = vgl_buf_printf(b, "\\u%04" PRIx32, cp);
        else
            rc = vgl_buf_printf(b, "\\U%08" PRIx32, cp);
    }
    return rc;
}

/* MIMEApplication(content) + Content-Disposition: attachment; filename="name". */
static int attachment(struct vgl_buf *b, const char *name, size_t nlen, const char *s, size_t n)
{
    int rc = vgl_buf_puts(b, "Content-Type: application/octet-stream\nMIME-Version: 1.0\n"
                             "Content-Transfer-Encoding: base64\n"
                             "Content-Disposition: attachment; ");
    if (rc)
        return rc;
    if (is_ascii(name, nlen)) {
        rc = vgl_buf_puts(b, "filename=\"");
        for (size_t i = 0; i < nlen && !rc; i++) {
            char c = name[i] == '\r' || name[i] == '\n' ? ' ' : name[i];
            if (c == '"' || c == '\\')
                rc = vgl_buf_putc(b, '\\');
            if (!rc)
                rc = vgl_buf_putc(b, c);
        }
        if (!rc)
            rc = vgl_buf_putc(b, '"');
    } else {
        rc = vgl_buf_puts(b, "filename*=utf-8''");
        if (!rc)
            rc = vgl_aws_uri_encode(b, name, nlen, false);
    }
    if (!rc)
        rc = vgl_buf_puts(b, "\n\n");
    if (rc)
        return rc;
    if (is_ascii(s, n))
        return b64_lines(b, s, n);
    struct vgl_buf raw;
    vgl_buf_init(&raw, 0);
    rc = raw_unicode_escape(&raw, s, n);
    if (!rc)
        rc = b64_lines(b, raw.data ? raw.data : "", raw.len);
    vgl_buf_release(&raw);
    return rc;
}

/* Part separators of Python's _handle_multipart(): "--B\n" before the first part, "\n--B\n"
 * between parts, "\n--B--\n" after the last. */
static int sep(struct vgl_buf *b, const char *bnd, size_t index)
{
    return vgl_buf_printf(b, "%s--%s\n", index ? "\n" : "", bnd);
}

/* body is a string or an object of strings (checked by the caller). */
static int body_part(struct vgl_buf *b, const struct vgl_json *body)
{
    if (body->type == VGL_JSON_STRING)
        return text_part(b, "plain", 5, body->u.s, body->len);
    char bnd[40];
    boundary(bnd);
    int rc = vgl_buf_printf(b,
                            "Content-Type: multipart/alternative; boundary=\"%s\"\n"
                            "MIME-Version: 1.0\n\n",
                            bnd);
    for (uint32_t i = 0; i < body->len && !rc; i++) {
        const struct vgl_json_member *m = &body->u.members[i];
        rc = sep(b, bnd, i);
        if (!rc)
            rc = text_part(b, m->key, m->klen, m->val.u.s, m->val.len);
    }
    if (!rc && body->len == 0)
        rc = sep(b, bnd, 0);
    return rc ? rc : vgl_buf_printf(b, "\n--%s--\n", bnd);
}

/* Python's MIMEText/MIMEApplication take only str content: a non-string member fails. */
static int check_strings(const struct vgl_output_ctx *ctx, const struct vgl_json *obj,
                         const char *what, struct vgl_error *err)
{
    for (uint32_t i = 0; obj && i < obj->len; i++) {
        const struct vgl_json_member *m = &obj->u.members[i];
        if (m->val.type != VGL_JSON_STRING)
            return vgl_error_set(err, VGL_ETYPE,
                                 "output '%s:%s': '%s' member '%.*s' must be a string, got %s",
                                 ctx->service, ctx->descriptor, what, (int)m->klen, m->key,
                                 vgl_json_type_name(&m->val));
    }
    return 0;
}

static int build_mime(struct vgl_output_ctx *ctx, struct vgl_buf *b, const char *from,
                      const char *to, struct vgl_error *err)
{
    const struct vgl_json *subject = vgl_output_magic(ctx, "subject");
    const struct vgl_json *body = vgl_output_magic(ctx, "body");
    const struct vgl_json *attach = vgl_output_magic(ctx, "attach_record");
    const struct vgl_json *extra = vgl_output_magic(ctx, "attachments");
    int rc = 0;
    if (subject && subject->type != VGL_JSON_STRING)
        return vgl_error_set(err, VGL_ETYPE, "output '%s:%s': '@aws-ses.subject' must be a "
                             "string, got %s", ctx->service, ctx->descriptor,
                             vgl_json_type_name(subject));
    if (extra && extra->type != VGL_JSON_OBJECT)
        return vgl_error_set(err, VGL_ETYPE, "output '%s:%s': '@aws-ses.attachments' must be "
                             "an object, got %s", ctx->service, ctx->descriptor,
                             vgl_json_type_name(extra));
    rc = check_strings(ctx, extra, "@aws-ses.attachments", err);
    if (!rc && body && body->type == VGL_JSON_OBJECT)
        rc = check_strings(ctx, body, "@aws-ses.body", err);
    if (rc)
        return rc;
    static const struct vgl_json default_body = {
        .type = VGL_JSON_STRING, .len = 38, .u.s = "Please review the attached record.json"};
    char bnd[40];
    boundary(bnd);
    rc = vgl_buf_printf(b, "Content-Type: multipart/mixed; boundary=\"%s\"\n"
                               "MIME-Version: 1.0\n", bnd);
    if (!rc)
        rc = put_header(b, "To", to, strlen(to));
    if (!rc)
        rc = put_header(b, "From", from, strlen(from));
    if (!rc) {
        if (subject) {
            rc = put_subject(b, subject->u.s, subject->len);
        } else {
            const char *d = vgl_output_fmt(ctx, "%s triggered alert %s",
                                           vgl_output_alert_str(ctx, "rule_name"),
                                           vgl_output_alert_str(ctx, "id"));
            rc = put_subject(b, d, strlen(d));
        }
    }
    if (!rc)
        rc = vgl_buf_putc(b, '\n');
    size_t nparts = 0;
    if (!rc && (!attach || vgl_json_truthy(attach))) {
        struct vgl_buf rec;
        vgl_buf_init(&rec, 0);
        rc = vgl_pyjson_dumps(&rec, vgl_aws_record(ctx), VGL_PYJSON_SORT_KEYS, 2);
        if (!rc)
            rc = sep(b, bnd, nparts++);
        if (!rc)
            rc = attachment(b, "record.json", 11, rec.data ? rec.data : "", rec.len);
        vgl_buf_release(&rec);
    }
    for (uint32_t i = 0; extra && i < extra->len && !rc; i++) {
        const struct vgl_json_member *m = &extra->u.members[i];
        rc = sep(b, bnd, nparts++);
        if (!rc)
            rc = attachment(b, m->key, m->klen, m->val.u.s, m->val.len);
    }
    body = body ? body : &default_body;
    if (!rc && (body->type == VGL_JSON_STRING || body->type == VGL_JSON_OBJECT)) {
        rc = sep(b, bnd, nparts++);
        if (!rc)
            rc = body_part(b, body);
    }
    if (!rc && nparts == 0)
        rc = sep(b, bnd, 0);
    if (!rc)
        rc = vgl_buf_printf(b, "\n--%s--\n", bnd);
    if (rc)
        return vgl_error_set(err, rc, "output '%s:%s': cannot build the email", ctx->service,
                             ctx->descriptor);
    return 0;
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
    const char *from = vgl_output_cred(ctx, "from_email");
    const char *to = vgl_output_cred(ctx, "to_emails");
    if (!from || !to)
        return vgl_error_set(err, VGL_ECONFIG,
                             "output '%s:%s': stored credentials lack 'from_email' or 'to_emails'",
                             ctx->service, ctx->descriptor);
    if (sodium_init() < 0)
        return vgl_error_set(err, VGL_EIO, "output '%s:%s': cannot initialise libsodium",
                             ctx->service, ctx->descriptor);
    struct vgl_buf mime, data, form;
    vgl_buf_init(&mime, 0);
    vgl_buf_init(&data, 0);
    vgl_buf_init(&form, 0);
    rc = build_mime(ctx, &mime, from, to, err);
    if (rc)
        goto out;
    rc = vgl_aws_base64(&data, mime.data, mime.len);
    if (!rc)
        rc = vgl_aws_form(&form, "Action", "SendRawEmail", 12);
    if (!rc)
        rc = vgl_aws_form(&form, "Source", from, strlen(from));
    /* Destinations = to_emails.split(","), untrimmed as in StreamAlert */
    size_t index = 1;
    for (const char *p = to; !rc; index++) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        char name[48];
        snprintf(name, sizeof name, "Destinations.member.%zu", index);
        rc = vgl_aws_form(&form, name, p, n);
        if (!comma)
            break;
        p = comma + 1;
    }
    if (!rc)
        rc = vgl_aws_form(&form, "RawMessage.Data", data.data ? data.data : "", data.len);
    if (!rc)
        rc = vgl_aws_form(&form, "Version", "2010-12-01", 10);
    if (rc)
        rc = vgl_error_set(err, rc, "output '%s:%s': cannot build the request", ctx->service,
                           ctx->descriptor);
    else
        rc = vgl_aws_query(ctx, "ses", vgl_output_fmt(ctx, "%s/", vgl_aws_endpoint(ctx, "email")),
                           &form, req, err);
out:
    vgl_buf_release(&mime);
    vgl_buf_release(&data);
    vgl_buf_release(&form);
    return rc;
}

static int step(struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                struct vgl_http_request *req, struct vgl_error *err)
{
    return vgl_output_single_request(ctx, resp, req, err, build);
}

const struct vgl_output_ops vgl_output_aws_ses = {
    .name = "aws-ses",
    .form = VGL_OUTPUT_LIST,
    .step = step,
};
