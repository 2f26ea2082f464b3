/*
 * output/svc_teams.c: the `teams` output (compat 7.5): one POST of a MessageCard to the
 * incoming-webhook URL, built as StreamAlert builds it through pymsteams 0.1.13
 * (connectorcard: title, text, themeColor, sections, potentialAction, in that order).
 * Timeout 60 s (pymsteams' default).  Success: HTTP 200 exactly.
 */
#include "output/svc_util_saas.h"

#include <string.h>
#include <strings.h>

#include "core/arena.h"
#include "core/error.h"
#include "json/json.h"
#include "parse/pyconv.h"

#define TEAMS_TIMEOUT_MS 60000

/* cardsection: {"activityTitle": title, "facts": [...]}; "facts" only when there are
 * some (pymsteams adds the key with the first fact). */
static struct vgl_json section(struct vgl_output_ctx *ctx, const char *title,
                               struct vgl_json *facts, size_t nfacts)
{
    struct vgl_json_member m[] = {
        vgl_output_member("activityTitle", vgl_output_strz(title)),
        vgl_output_member("facts", vgl_json_array(ctx->arena, facts, nfacts)),
    };
    return vgl_json_object(ctx->arena, m, nfacts ? 2 : 1);
}

static struct vgl_json fact(struct vgl_output_ctx *ctx, struct vgl_json name,
                            struct vgl_json value)
{
    struct vgl_json_member m[] = {
        vgl_output_member("name", name),
        vgl_output_member("value", value),
    };
    return vgl_json_object(ctx->arena, m, 2);
}

static int record_section(struct vgl_output_ctx *ctx, struct vgl_json *out,
                          struct vgl_error *err)
{
    struct vgl_json rec = vgl_output_alert_value(ctx, "record");
    if (rec.type != VGL_JSON_OBJECT)
        return vgl_error_set(err, VGL_ETYPE, "output '%s:%s': alert record: expected an "
                             "object, got %s", ctx->service, ctx->descriptor,
                             vgl_json_type_name(&rec));
    struct vgl_json *facts = vgl_arena_alloc(ctx->arena, (rec.len ? rec.len : 1) * sizeof *facts);
    for (uint32_t i = 0; i < rec.len; i++) {
        const struct vgl_json_member *m = &rec.u.members[i];
        struct vgl_json value;
        int rc = vgl_py_str_json(&m->val, ctx->arena, &value, err);
        if (rc < 0)
            return rc;
        facts[i] = fact(ctx, vgl_json_str(m->key, m->klen), value);
    }
    *out = section(ctx, "StreamAlert Alert Record", facts, rec.len);
    return 0;
}

/* @teams.buttons: a list of (text, url) pairs. */
static int buttons(struct vgl_output_ctx *ctx, const struct vgl_json *list, struct vgl_json *out,
                   struct vgl_error *err)
{
    if (list->type != VGL_JSON_ARRAY)
        return vgl_error_set(err, VGL_ETYPE, "output '%s:%s': @teams.buttons: expected a list "
                             "of [text, url] pairs, got %s", ctx->service, ctx->descriptor,
                             vgl_json_type_name(list));
    struct vgl_json *items = vgl_arena_alloc(ctx->arena, (list->len ? list->len : 1) * sizeof *items);
    for (uint32_t i = 0; i < list->len; i++) {
        const struct vgl_json *pair = &list->u.items[i];
        if (pair->type != VGL_JSON_ARRAY || pair->len != 2)
            return vgl_error_set(err, VGL_ETYPE, "output '%s:%s': @teams.buttons[%u]: expected "
                                 "a [text, url] pair, got %s", ctx->service, ctx->descriptor,
                                 i, vgl_json_type_name(pair));
        struct vgl_json target = vgl_json_array(ctx->arena, &pair->u.items[1], 1);
        struct vgl_json_member m[] = {
            vgl_output_member("@context", vgl_output_strz("http://schema.org")),
            vgl_output_member("@type", vgl_output_strz("ViewAction")),
            vgl_output_member("name", pair->u.items[0]),
            vgl_output_member("target", target),
        };
        items[i] = vgl_json_object(ctx->arena, m, 4);
    }
    *out = vgl_json_array(ctx->arena, items, list->len);
    return 0;
}

static int build_card(struct vgl_output_ctx *ctx, struct vgl_json *card, struct vgl_error *err)
{
    const struct vgl_json *v = vgl_output_magic(ctx, "title");
    struct vgl_json title =
        v ? *v : vgl_saas_wrap(ctx, "StreamAlert Rule Triggered: ", "rule_name", "");
    v = vgl_output_magic(ctx, "description");
    struct vgl_json text = v ? *v : vgl_output_alert_value(ctx, "rule_description");
    struct vgl_json color = vgl_output_strz("E81123");
    v = vgl_output_magic(ctx, "card_color");
    if (v) {
        if (v->type != VGL_JSON_STRING)
            return vgl_error_set(err, VGL_ETYPE, "output '%s:%s': @teams.card_color: expected "
                                 "a string, got %s", ctx->service, ctx->descriptor,
                                 vgl_json_type_name(v));
        /* pymsteams: color("red") (any case) is "E81123" */
        if (!(v->len == 3 && strncasecmp(v->u.s, "red", 3) == 0))
            color = *v;
    }
    const struct vgl_json *extra = vgl_output_magic(ctx, "additional_card_sections");
    if (extra && extra->type != VGL_JSON_ARRAY)
        return vgl_error_set(err, VGL_ETYPE, "output '%s:%s': @teams.additional_card_sections: "
                             "expected a list of sections, got %s", ctx->service,
                             ctx->descriptor, vgl_json_type_name(extra));
    size_t nextra = extra ? extra->len : 0;
    struct vgl_json *sections = vgl_arena_alloc(ctx->arena, (2 + nextra) * sizeof *sections);
    size_t n = 0;
    struct vgl_json facts[2] = {
        fact(ctx, vgl_output_strz("rule_name"), vgl_output_alert_value(ctx, "rule_name")),
        fact(ctx, vgl_output_strz("alert_id"), vgl_output_alert_value(ctx, "id")),
    };
    sections[n++] = section(ctx, "Alert Info", facts, 2);
    v = vgl_output_magic(ctx, "with_record");
    if (!v || vgl_json_truthy(v)) {
        int rc = record_section(ctx, &sections[n++], err);
        if (rc < 0)
            return rc;
    }
    for (size_t i = 0; i < nextra; i++) {
        /* StreamAlert takes pymsteams cardsection objects here; in a JSON publication a
         * section is the object such a cardsection dumps */
        if (extra->u.items[i].type != VGL_JSON_OBJECT)
            return vgl_error_set(err, VGL_ETYPE, "output '%s:%s': "
                                 "@teams.additional_card_sections[%zu]: expected an object, "
                                 "got %s", ctx->service, ctx->descriptor, i,
                                 vgl_json_type_name(&extra->u.items[i]));
        sections[n++] = extra->u.items[i];
    }
    struct vgl_json_member m[5] = {
        vgl_output_member("title", title),
        vgl_output_member("text", text),
        vgl_output_member("themeColor", color),
        vgl_output_member("sections", vgl_json_array(ctx->arena, sections, n)),
    };
    size_t nm = 4;
    v = vgl_output_magic(ctx, "buttons");
    if (v) {
        struct vgl_json actions;
        int rc = buttons(ctx, v, &actions, err);
        if (rc < 0)
            return rc;
        /* pymsteams creates potentialAction with the first button */
        if (actions.len)
            m[nm++] = vgl_output_member("potentialAction", actions);
    }
    *card = vgl_json_object(ctx->arena, m, nm);
    return 0;
}

static int teams_step(struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                      struct vgl_http_request *req, struct vgl_error *err)
{
    if (resp) {
        /* pymsteams checks for requests.codes.ok (200) only */
        if (resp->status == 200)
            return 0;
        int rc = vgl_output_http_result(ctx, resp, err);
        if (rc < 0)
            return rc;
        return vgl_error_set(err, VGL_EIO, "output '%s:%s': HTTP %ld (expected 200)",
                             ctx->service, ctx->descriptor, resp->status);
    }
    int rc = vgl_output_need_creds(ctx, err);
    if (rc < 0)
        return rc;
    struct vgl_json card;
    rc = build_card(ctx, &card, err);
    if (rc < 0)
        return rc;
    rc = vgl_saas_json_request(ctx, req, "POST", vgl_output_cred(ctx, "url"), NULL, 0, &card, err);
    req->timeout_ms = TEAMS_TIMEOUT_MS;
    req->connect_timeout_ms = TEAMS_TIMEOUT_MS;
    return rc;
}

const struct vgl_output_ops vgl_output_teams = {
    .name = "teams",
    .form = VGL_OUTPUT_LIST,
    .step = teams_step,
};
