/*
 * output/svc_demisto.c: demisto (compat 7.5): one POST {url}/incident creating an incident
 * with an investigation.  The publication (or @demisto.label_data) is flattened into
 * labels {"type": "a.b[0].c", "value": str(leaf)} sorted by type, as StreamAlert's
 * DemistoRequestAssembler does.  Success is a 2xx response.
 */
#include "output/svc_util_tickets.h"

#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "parse/pyconv.h"

struct label {
    const char *type, *value;
    size_t tlen, vlen;
    size_t seq;   /* insertion order: list.sort() is stable */
};

struct labels {
    struct vgl_output_ctx *ctx;
    struct label *items;
    size_t n, cap;
    struct vgl_buf path;
    struct vgl_buf scratch;
    int rc;
};

static void add_label(struct labels *l, const struct vgl_json *leaf)
{
    vgl_buf_reset(&l->scratch);
    if (vgl_py_str(&l->scratch, leaf) < 0) {
        l->rc = VGL_ELIMIT;
        return;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        struct label *items = vgl_arena_alloc(l->ctx->arena, cap * sizeof *items);
        if (l->n)
            memcpy(items, l->items, l->n * sizeof *items);
        l->items = items;
        l->cap = cap;
    }
    struct label *x = &l->items[l->n];
    x->tlen = l->path.len;
    x->type = vgl_arena_strndup(l->ctx->arena, l->path.data ? l->path.data : "", l->path.len);
    x->vlen = l->scratch.len;
    x->value = vgl_arena_strndup(l->ctx->arena, l->scratch.data ? l->scratch.data : "",
                                 l->scratch.len);
    x->seq = l->n++;
}

/* enumerate_fields(record, path) */
static void flatten(struct labels *l, const struct vgl_json *v)
{
    if (l->rc < 0)
        return;
    size_t mark = l->path.len;
    if (v->type == VGL_JSON_ARRAY) {
        for (uint32_t i = 0; i < v->len && l->rc == 0; i++) {
            if (vgl_buf_printf(&l->path, "[%u]", (unsigned)i) < 0) {
                l->rc = VGL_ELIMIT;
                return;
            }
            flatten(l, &v->u.items[i]);
            l->path.len = mark;
            if (l->path.data)
                l->path.data[mark] = 0;
        }
    } else if (v->type == VGL_JSON_OBJECT) {
        for (uint32_t i = 0; i < v->len && l->rc == 0; i++) {
            const struct vgl_json_member *m = &v->u.members[i];
            if ((mark && vgl_buf_putc(&l->path, '.') < 0) ||
                vgl_buf_append(&l->path, m->key, m->klen) < 0) {
                l->rc = VGL_ELIMIT;
                return;
            }
            flatten(l, &m->val);
            l->path.len = mark;
            if (l->path.data)
                l->path.data[mark] = 0;
        }
    } else {
        add_label(l, v);
    }
}

/* Python compares str by code point, which is UTF-8 byte order. */
static int cmp_label(const void *a, const void *b)
{
    const struct label *x = a, *y = b;
    size_t n = x->tlen < y->tlen ? x->tlen : y->tlen;
    int c = memcmp(x->type, y->type, n);
    if (c)
        return c;
    if (x->tlen != y->tlen)
        return x->tlen < y->tlen ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int build_labels(struct vgl_output_ctx *ctx, const struct vgl_json *data,
                        struct vgl_json *out, struct vgl_error *err)
{
    struct labels l = {.ctx = ctx};
    vgl_buf_init(&l.path, 0);
    vgl_buf_init(&l.scratch, 0);
    flatten(&l, data);
    vgl_buf_release(&l.path);
    vgl_buf_release(&l.scratch);
    if (l.rc < 0)
        return vgl_error_set(err, l.rc, "output '%s:%s': label data cannot be flattened (too "
                             "large or nested too deep)", ctx->service, ctx->descriptor);
    if (l.n)
        qsort(l.items, l.n, sizeof *l.items, cmp_label);
    struct vgl_json *items = vgl_arena_alloc(ctx->arena, (l.n ? l.n : 1) * sizeof *items);
    for (size_t i = 0; i < l.n; i++) {
        struct vgl_json_member m[] = {
            vgl_output_member("type", vgl_json_str(l.items[i].type, l.items[i].tlen)),
            vgl_output_member("value", vgl_json_str(l.items[i].value, l.items[i].vlen)),
        };
        items[i] = vgl_json_object(ctx->arena, m, 2);
    }
    *out = vgl_json_array(ctx->arena, items, l.n);
    return 0;
}

/* map_severity_string_to_severity_value: a str compared lower-cased, else unknown (0). */
static struct vgl_json severity(const struct vgl_json *v)
{
    static const struct {
        const char *name;
        double value;
    } map[] = {{"info", 0.5}, {"informational", 0.5}, {"low", 1}, {"med", 2},
               {"medium", 2}, {"high", 3},          {"critical", 4}};
    if (!v || v->type != VGL_JSON_STRING)
        return vgl_json_int(0);
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        size_t n = strlen(map[i].name);
        if (v->len != n)
            continue;
        bool eq = true;
        for (size_t k = 0; k < n && eq; k++) {
            char c = v->u.s[k];
            if (c >= 'A' && c <= 'Z')
                c = (char)(c - 'A' + 'a');
            eq = c == map[i].name[k];
        }
        if (eq)
            return map[i].value == 0.5 ? vgl_json_float(0.5) : vgl_json_int((int64_t)map[i].value);
    }
    return vgl_json_int(0);
}

/* str(pub.get(key, default)) as a JSON string. */
static int str_field(struct vgl_output_ctx *ctx, const char *key, struct vgl_json def,
                     struct vgl_json *out, struct vgl_error *err)
{
    const struct vgl_json *v = vgl_output_pub(ctx, key);
    size_t n = 0;
    const char *s = vgl_tickets_py_str(ctx, v ? v : &def, &n, err);
    if (!s)
        return err ? err->code : VGL_ELIMIT;
    *out = vgl_json_str(s, n);
    return 0;
}

static int demisto_step(struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                        struct vgl_http_request *req, struct vgl_error *err)
{
    if (resp) {
        if (!vgl_http_ok(resp))
            return vgl_tickets_http_fail(ctx, resp, "incident creation", err);
        return 0;
    }
    int rc = vgl_output_need_creds(ctx, err);
    if (rc < 0)
        return rc;
    struct vgl_json type, name, owner, details, labels;
    if ((rc = str_field(ctx, "@demisto.incident_type", vgl_output_strz("Unclassified"), &type,
                        err)) < 0 ||
        (rc = str_field(ctx, "@demisto.incident_name", vgl_output_alert_value(ctx, "rule_name"),
                        &name, err)) < 0 ||
        (rc = str_field(ctx, "@demisto.owner", vgl_output_strz("StreamAlert"), &owner, err)) < 0 ||
        (rc = str_field(ctx, "@demisto.details", vgl_output_alert_value(ctx, "rule_description"),
                        &details, err)) < 0)
        return rc;
    const struct vgl_json *playbook = vgl_output_pub(ctx, "@demisto.playbook");
    const struct vgl_json *label_data = vgl_output_pub(ctx, "@demisto.label_data");
    struct vgl_json empty = vgl_json_object(ctx->arena, NULL, 0);
    if (!label_data)
        label_data = ctx->pub ? ctx->pub : &empty;
    rc = build_labels(ctx, label_data, &labels, err);
    if (rc < 0)
        return rc;
    struct vgl_json_member m[] = {
        vgl_output_member("type", type),
        vgl_output_member("name", name),
        vgl_output_member("owner", owner),
        vgl_output_member("playbook", playbook ? *playbook : vgl_output_strz("Unknown")),
        vgl_output_member("severity", severity(vgl_output_pub(ctx, "@demisto.severity"))),
        vgl_output_member("labels", labels),
        vgl_output_member("customFields", empty),
        vgl_output_member("details", details),
        vgl_output_member("createInvestigation", vgl_json_bool(true)),
    };
    struct vgl_json body = vgl_json_object(ctx->arena, m, sizeof m / sizeof m[0]);
    const char *h[] = {
        "Accept: application/json",
        "Content-type: application/json",
        vgl_output_fmt(ctx, "Authorization: %s", vgl_output_cred(ctx, "token")),
    };
    const char *url = vgl_output_fmt(ctx, "%s/incident", vgl_output_cred(ctx, "url"));
    ctx->step = 1;
    return vgl_tickets_request(ctx, req, "POST", url, h, 3, false, &body, 0, err);
}

const struct vgl_output_ops vgl_output_demisto = {
    .name = "demisto",
    .form = VGL_OUTPUT_LIST,
    .step = demisto_step,
};
