/*
 * Fuzz target: every output service's step machine on hostile input.  The input is JSON
 * {"alert": ..., "pub": ..., "creds": ..., "responses": [[status, "body"], ...]}: whatever a
 * user's publishers or a misbehaving server could hand a service.  Each service runs with
 * those values (requests are not sent: each gets the next canned response) for at most 24
 * steps; it must finish with a verdict, never crash or read out of bounds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/log.h"
#include "json/json.h"
#include "output/http.h"
#include "output/output.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *null_out;
    if (!null_out) {
        null_out = fopen("/dev/null", "w");
        vgl_log_set_level(VGL_LOG_ERROR);
    }
    struct vgl_arena in;
    vgl_arena_init(&in, 4096);
    struct vgl_json doc;
    if (vgl_json_parse((const char *)data, size, &in, NULL, &doc, NULL) != 0 ||
        doc.type != VGL_JSON_OBJECT) {
        vgl_arena_release(&in);
        return 0;
    }
    /* the dispatcher always passes an alert object and a publication */
    static const struct vgl_json empty = {.type = VGL_JSON_OBJECT};
    const struct vgl_json *alert = vgl_json_getz(&doc, "alert");
    const struct vgl_json *pub = vgl_json_getz(&doc, "pub");
    if (!alert || alert->type != VGL_JSON_OBJECT)
        alert = &empty;
    if (!pub)
        pub = &empty;
    const struct vgl_json *creds = vgl_json_getz(&doc, "creds");
    const struct vgl_json *responses = vgl_json_getz(&doc, "responses");
    struct vgl_output_env env;
    vgl_output_env_defaults(&env);
    env.aws_endpoint_url = "http://127.0.0.1:9";
    env.aws_access_key_id = "AKIDEXAMPLE";
    env.aws_secret_access_key = "secret";
    env.stdout_stream = null_out;
    env.data_dir = "/nonexistent-vigil-fuzz";
    size_t n;
    const struct vgl_output_ops *const *all = vgl_output_all(&n);
    for (size_t i = 0; i < n; i++) {
        const struct vgl_output_ops *ops = all[i];
        if (strcmp(ops->name, "file") == 0)
            continue;   /* writes files: covered by its unit tests */
        struct vgl_arena a;
        vgl_arena_init(&a, 4096);
        struct vgl_output_ctx ctx = {
            .service = ops->name,
            .descriptor = "fuzz",
            .resource = ops->form == VGL_OUTPUT_OBJECT ? "res" : NULL,
            .alert = alert,
            .pub = pub,
            .creds = creds && creds->type == VGL_JSON_OBJECT ? creds : NULL,
            .env = &env,
            .arena = &a,
            .now_us = 1700000000000000LL,
        };
        struct vgl_http_request req;
        memset(&req, 0, sizeof req);
        struct vgl_error err = {0};
        int rc = ops->step(&ctx, NULL, &req, &err);
        for (uint32_t k = 0; rc == VGL_OUTPUT_SEND && k < 24; k++) {
            if (!req.url || !req.method)
                abort();   /* a request must say where and how */
            struct vgl_http_response resp;
            memset(&resp, 0, sizeof resp);
            resp.status = 200;
            const struct vgl_json *r = responses && responses->type == VGL_JSON_ARRAY && responses->len
                                           ? &responses->u.items[k % responses->len]
                                           : NULL;
            char *body = NULL;
            if (r && r->type == VGL_JSON_ARRAY && r->len == 2 && r->u.items[0].type == VGL_JSON_INT &&
                r->u.items[1].type == VGL_JSON_STRING) {
                resp.status = (long)r->u.items[0].u.i;
                body = malloc(r->u.items[1].len + 1);
                memcpy(body, r->u.items[1].u.s, r->u.items[1].len);
                body[r->u.items[1].len] = 0;
                resp.body = body;
                resp.body_len = r->u.items[1].len;
            }
            memset(&req, 0, sizeof req);
            rc = ops->step(&ctx, &resp, &req, &err);
            free(body);
        }
        vgl_arena_release(&a);
    }
    if (null_out)
        fflush(null_out);
    vgl_arena_release(&in);
    return 0;
}
