/*
 * output/svc_slack.c: the `slack` output (compat 7.5): one POST of a message with
 * attachments to the incoming-webhook URL.  The attachments are the publication's
 * @slack.attachments merged over StreamAlert's skeleton, or the record rendered as Slack
 * mrkdwn lines, HTML-escaped and cut into 4000-character parts.  Lengths are Python str
 * lengths (code points), not bytes.  Success: 2xx.
 */
#include "output/svc_util_saas.h"

#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "json/json.h"
#include "parse/pyconv.h"

#define MAX_ATTACHMENTS 20
#define MAX_MESSAGE_SIZE 4000   /* code points */

/* ---- the record as mrkdwn lines (SlackOutput._json_to_slack_mrkdwn) ---- */

struct lines {
    struct vgl_buf *b;
    bool any;   /* a line was written: the next one needs a '\n' first */
};

static int line_start(struct lines *l, int indent)
{
    int rc = 0;
    if (l->any)
        rc = vgl_buf_putc(l->b, '\n');
    l->any = true;
    for (int i = 0; i < indent && rc == 0; i++)
        rc = vgl_buf_putc(l->b, '\t');
    return rc;
}

static bool nonempty_container(const struct vgl_json *v)
{
    return (v->type == VGL_JSON_OBJECT || v->type == VGL_JSON_ARRAY) && v->len > 0;
}

static int render(struct lines *l, const struct vgl_json *v, int indent, int depth);

/* One dict member or list item: label is "*key:*" or "*[i]*". */
static int render_entry(struct lines *l, const char *label, size_t llen,
                        const struct vgl_json *v, int indent, int depth)
{
    int rc = line_start(l, indent);
    if (rc == 0)
        rc = vgl_buf_append(l->b, label, llen);
    if (rc < 0)
        return rc;
    if (nonempty_container(v))
        return render(l, v, indent + 1, depth + 1);
    /* a scalar renders as one line (str(v)); an empty dict/list as none, and then
     * StreamAlert formats the value itself: "{}" / "[]" */
    rc = vgl_buf_putc(l->b, ' ');
    if (rc == 0)
        rc = vgl_py_str(l->b, v);
    return rc;
}

static int cmp_members(const void *a, const void *b)
{
    const struct vgl_json_member *x = *(const struct vgl_json_member *const *)a;
    const struct vgl_json_member *y = *(const struct vgl_json_member *const *)b;
    size_t n = x->klen < y->klen ? x->klen : y->klen;
    int c = memcmp(x->key, y->key, n);
    if (c)
        return c;
    return x->klen < y->klen ? -1 : x->klen > y->klen;
}

static int render_object(struct lines *l, const struct vgl_json *v, int indent, int depth)
{
    if (v->len == 0)
        return 0;
    const struct vgl_json_member **sorted = malloc(v->len * sizeof *sorted);
    if (!sorted)
        return VGL_ENOMEM;
    for (uint32_t i = 0; i < v->len; i++)
        sorted[i] = &v->u.members[i];
    /* UTF-8 byte order is code point order, which is how Python sorts str keys */
    qsort(sorted, v->len, sizeof *sorted, cmp_members);
    struct vgl_buf label;
    vgl_buf_init(&label, 0);
    int rc = 0;
    for (uint32_t i = 0; i < v->len && rc == 0; i++) {
        vgl_buf_reset(&label);
        rc = vgl_buf_putc(&label, '*');
        if (rc == 0)
            rc = vgl_buf_append(&label, sorted[i]->key, sorted[i]->klen);
        if (rc == 0)
            rc = vgl_buf_puts(&label, ":*");
        if (rc == 0)
            rc = render_entry(l, label.data, label.len, &sorted[i]->val, indent, depth);
    }
    vgl_buf_release(&label);
    free(sorted);
    return rc;
}

static int render(struct lines *l, const struct vgl_json *v, int indent, int depth)
{
    if (depth > VGL_PY_MAX_DEPTH)
        return VGL_ELIMIT;
    if (v->type == VGL_JSON_OBJECT)
        return render_object(l, v, indent, depth);
    if (v->type == VGL_JSON_ARRAY) {
        int rc = 0;
        for (uint32_t i = 0; i < v->len && rc == 0; i++) {
            char label[32];
            int n = snprintf(label, sizeof label, "*[%u]*", i + 1);
            rc = render_entry(l, label, (size_t)n, &v->u.items[i], indent, depth);
        }
        return rc;
    }
    int rc = line_start(l, 0);
    return rc ? rc : vgl_py_str(l->b, v);
}

/* html.escape(s, quote=True) */
static int html_escape(struct vgl_buf *out, const char *s, size_t n)
{
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        switch (s[i]) {
        case '&': rc = vgl_buf_puts(out, "&amp;"); break;
        case '<': rc = vgl_buf_puts(out, "&lt;"); break;
        case '>': rc = vgl_buf_puts(out, "&gt;"); break;
        case '"': rc = vgl_buf_puts(out, "&quot;"); break;
        case '\'': rc = vgl_buf_puts(out, "&#x27;"); break;
        default: rc = vgl_buf_putc(out, s[i]); break;
        }
    }
    return rc;
}

/* Byte length of the UTF-8 sequence starting with c (the text is valid UTF-8). */
static size_t u8len(unsigned char c)
{
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* Byte offset after the first k code points of s[0..n), capped at n; *count gets how
 * many code points that is. */
static size_t cp_offset(const char *s, size_t n, size_t k, size_t *count)
{
    size_t off = 0, c = 0;
    while (off < n && c < k) {
        off += u8len((unsigned char)s[off]);
        c++;
    }
    if (off > n)
        off = n;
    *count = c;
    return off;
}

static const char *last_byte(const char *s, size_t n, char ch)
{
    for (size_t i = n; i-- > 0;)
        if (s[i] == ch)
            return s + i;
    return NULL;
}

struct chunk {
    const char *s;
    size_t len;
};

/*
 * SlackOutput._split_attachment_text: parts of at most 4000 code points, cut at the last
 * '\n' within the first 4001, else the last ' ', else at 4000; the cut character is
 * dropped (in the hard-cut case a real character is lost: StreamAlert's QUIRK, kept).
 * Returns the number of parts; *out is in the arena.
 */
static size_t split_text(struct vgl_arena *a, const char *t, size_t n, struct chunk **out)
{
    size_t cap = 8, nout = 0;
    struct chunk *c = vgl_arena_alloc(a, cap * sizeof *c);
    size_t pos = 0;
    while (pos < n) {
        size_t cps;
        size_t win = cp_offset(t + pos, n - pos, MAX_MESSAGE_SIZE + 1, &cps);
        size_t cut, skip;
        if (cps <= MAX_MESSAGE_SIZE) {
            cut = n - pos;
            skip = 0;
        } else {
            const char *p = last_byte(t + pos, win, '\n');
            if (!p)
                p = last_byte(t + pos, win, ' ');
            if (p) {
                cut = (size_t)(p - (t + pos));
                skip = 1;
            } else {
                size_t dummy;
                cut = cp_offset(t + pos, n - pos, MAX_MESSAGE_SIZE, &dummy);
                skip = u8len((unsigned char)t[pos + cut]);
            }
        }
        if (nout == cap) {
            struct chunk *bigger = vgl_arena_alloc(a, cap * 2 * sizeof *bigger);
            memcpy(bigger, c, cap * sizeof *c);
            c = bigger;
            cap *= 2;
        }
        c[nout].s = t + pos;
        c[nout].len = cut;
        nout++;
        pos += cut + skip;
    }
    *out = c;
    return nout;
}

static int default_attachments(struct vgl_output_ctx *ctx, const struct vgl_json *title,
                               struct vgl_json *out, struct vgl_error *err)
{
    struct vgl_json rec = vgl_output_alert_value(ctx, "record");
    struct vgl_buf text, esc;
    vgl_buf_init(&text, 0);
    vgl_buf_init(&esc, 0);
    struct lines l = {.b = &text};
    int rc = render(&l, &rec, 0, 0);
    if (rc == 0)
        rc = html_escape(&esc, text.data ? text.data : "", text.len);
    if (rc < 0) {
        vgl_buf_release(&text);
        vgl_buf_release(&esc);
        return vgl_error_set(err, rc, "output '%s:%s': the record cannot be rendered "
                             "(too large or nested too deep)", ctx->service, ctx->descriptor);
    }
    const char *t = vgl_arena_strndup(ctx->arena, esc.data ? esc.data : "", esc.len);
    size_t tlen = esc.len;
    vgl_buf_release(&text);
    vgl_buf_release(&esc);

    struct chunk *chunks;
    size_t n = split_text(ctx->arena, t, tlen, &chunks);
    size_t keep = n < MAX_ATTACHMENTS ? n : MAX_ATTACHMENTS;
    struct vgl_json *items = vgl_arena_alloc(ctx->arena, (keep ? keep : 1) * sizeof *items);
    struct vgl_json pretext0 =
        vgl_saas_wrap(ctx, "*Rule Description:*\n", "rule_description", "\n");
    struct vgl_json mrkdwn_in[2] = {vgl_output_strz("text"), vgl_output_strz("pretext")};
    for (size_t i = 0; i < keep; i++) {
        const char *ptitle = n > 1 ? vgl_output_fmt(ctx, "Record (Part %zu of %zu):", i + 1, n)
                                   : "Record:";
        struct vgl_json_member m[] = {
            vgl_output_member("fallback", *title),
            vgl_output_member("color", vgl_output_strz("#b22222")),
            vgl_output_member("pretext", i == 0 ? pretext0 : vgl_json_str("", 0)),
            vgl_output_member("title", vgl_output_strz(ptitle)),
            vgl_output_member("text", vgl_json_str(chunks[i].s, chunks[i].len)),
            vgl_output_member("mrkdwn_in", vgl_json_array(ctx->arena, mrkdwn_in, 2)),
        };
        items[i] = vgl_json_object(ctx->arena, m, sizeof m / sizeof m[0]);
    }
    *out = vgl_json_array(ctx->arena, items, keep);
    return 0;
}

/* Python len() of a str: code points. */
static size_t cp_len(const char *s, size_t n)
{
    size_t count;
    cp_offset(s, n, (size_t)-1, &count);
    return count;
}

/* SlackOutput._standardize_custom_attachment: skeleton.update(attachment), then the text
 * elided to 4000 code points. */
static int custom_attachment(struct vgl_output_ctx *ctx, const struct vgl_json *a, size_t idx,
                             struct vgl_json *out, struct vgl_error *err)
{
    if (a->type != VGL_JSON_OBJECT)
        return vgl_error_set(err, VGL_ETYPE, "output '%s:%s': @slack.attachments[%zu]: "
                             "expected an object, got %s", ctx->service, ctx->descriptor,
                             idx, vgl_json_type_name(a));
    struct vgl_json mrkdwn_in[2] = {vgl_output_strz("text"), vgl_output_strz("pretext")};
    struct vgl_json empty = vgl_json_str("", 0);
    struct vgl_json_member skel[] = {
        vgl_output_member("fallback", empty),
        vgl_output_member("color", vgl_output_strz("#36a64f")),
        vgl_output_member("pretext", empty),
        vgl_output_member("author_name", empty),
        vgl_output_member("author_link", empty),
        vgl_output_member("author_icon", empty),
        vgl_output_member("title", empty),
        vgl_output_member("title_link", empty),
        vgl_output_member("text", empty),
        vgl_output_member("fields", vgl_json_array(ctx->arena, NULL, 0)),
        vgl_output_member("image_url", empty),
        vgl_output_member("thumb_url", empty),
        vgl_output_member("footer", empty),
        vgl_output_member("footer_icon", empty),
        vgl_output_member("ts", empty),
        vgl_output_member("mrkdwn_in", vgl_json_array(ctx->arena, mrkdwn_in, 2)),
    };
    size_t nskel = sizeof skel / sizeof skel[0];
    struct vgl_json_member *m = vgl_arena_alloc(ctx->arena, (nskel + a->len) * sizeof *m);
    memcpy(m, skel, sizeof skel);
    size_t n = nskel;
    for (uint32_t i = 0; i < a->len; i++) {
        const struct vgl_json_member *am = &a->u.members[i];
        size_t j = 0;
        while (j < n && !(m[j].klen == am->klen && memcmp(m[j].key, am->key, am->klen) == 0))
            j++;
        if (j == n)
            n++;
        m[j] = *am;
    }
    for (size_t j = 0; j < n; j++) {
        struct vgl_json *t = &m[j].val;
        if (m[j].klen != 4 || memcmp(m[j].key, "text", 4) != 0 || t->type != VGL_JSON_STRING)
            continue;
        if (cp_len(t->u.s, t->len) <= MAX_MESSAGE_SIZE)
            break;
        size_t half = (MAX_MESSAGE_SIZE - 5) / 2, total = cp_len(t->u.s, t->len), dummy;
        size_t head = cp_offset(t->u.s, t->len, half, &dummy);
        size_t tail = cp_offset(t->u.s, t->len, total - half, &dummy);
        size_t tl = t->len - tail;
        char *s = vgl_arena_alloc(ctx->arena, head + 5 + tl + 1);
        memcpy(s, t->u.s, head);
        memcpy(s + head, " ... ", 5);
        memcpy(s + head + 5, t->u.s + tail, tl);
        s[head + 5 + tl] = 0;
        *t = vgl_json_str(s, head + 5 + tl);
        break;
    }
    *out = vgl_json_object(ctx->arena, m, n);
    return 0;
}

static int custom_attachments(struct vgl_output_ctx *ctx, const struct vgl_json *list,
                              struct vgl_json *out, struct vgl_error *err)
{
    if (list->type != VGL_JSON_ARRAY)
        return vgl_error_set(err, VGL_ETYPE, "output '%s:%s': @slack.attachments: expected a "
                             "list, got %s", ctx->service, ctx->descriptor,
                             vgl_json_type_name(list));
    size_t keep = list->len < MAX_ATTACHMENTS ? list->len : MAX_ATTACHMENTS;
    struct vgl_json *items = vgl_arena_alloc(ctx->arena, (keep ? keep : 1) * sizeof *items);
    for (size_t i = 0; i < keep; i++) {
        int rc = custom_attachment(ctx, &list->u.items[i], i, &items[i], err);
        if (rc < 0)
            return rc;
    }
    *out = vgl_json_array(ctx->arena, items, keep);
    return 0;
}

static int slack_step(struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                      struct vgl_http_request *req, struct vgl_error *err)
{
    if (resp)
        return vgl_output_http_result(ctx, resp, err);
    int rc = vgl_output_need_creds(ctx, err);
    if (rc < 0)
        return rc;
    const char *url = vgl_output_cred(ctx, "url");
    const struct vgl_json *tv = vgl_output_magic(ctx, "text");
    struct vgl_json title =
        tv ? *tv : vgl_saas_wrap(ctx, "*StreamAlert Rule Triggered: ", "rule_name", "*");
    struct vgl_json attachments;
    const struct vgl_json *custom = vgl_output_magic(ctx, "attachments");
    rc = custom ? custom_attachments(ctx, custom, &attachments, err)
                : default_attachments(ctx, &title, &attachments, err);
    if (rc < 0)
        return rc;
    struct vgl_json_member m[] = {
        vgl_output_member("text", title),
        vgl_output_member("mrkdwn", vgl_json_bool(true)),
        vgl_output_member("attachments", attachments),
    };
    struct vgl_json body = vgl_json_object(ctx->arena, m, sizeof m / sizeof m[0]);
    return vgl_saas_json_request(ctx, req, "POST", url, NULL, 0, &body, err);
}

const struct vgl_output_ops vgl_output_slack = {
    .name = "slack",
    .form = VGL_OUTPUT_LIST,
    .step = slack_step,
};
