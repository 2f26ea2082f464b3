/*
 * output/svc_util_saas.h: helpers shared by the chat and paging services (slack, teams,
 * the three PagerDuty services, github; compat 7.5) and the declarations of their ops.
 *
 * The services build their bodies as JSON values in ctx->arena and serialize them the way
 * Python's requests does for `json=` (json.dumps with its defaults: ", " / ": " separators,
 * ensure_ascii).  Everything returned here lives in ctx->arena, so it stays valid until the
 * attempt ends; nothing is malloc'd that the caller must free.  Reentrant.
 */
#ifndef VGL_OUTPUT_SVC_UTIL_SAAS_H
#define VGL_OUTPUT_SVC_UTIL_SAAS_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "json/json.h"
#include "output/output.h"

extern const struct vgl_output_ops vgl_output_slack;
extern const struct vgl_output_ops vgl_output_teams;
extern const struct vgl_output_ops vgl_output_pagerduty;
extern const struct vgl_output_ops vgl_output_pagerduty_v2;
extern const struct vgl_output_ops vgl_output_pagerduty_incident;
extern const struct vgl_output_ops vgl_output_github;

/* Python str() of the alert field key ("" when absent), in the arena. */
const char *vgl_saas_alert_pystr(const struct vgl_output_ctx *ctx, const char *key);

/* The string pre + str(alert field key) + post, in the arena (NUL bytes inside kept). */
struct vgl_json vgl_saas_wrap(const struct vgl_output_ctx *ctx, const char *pre, const char *key,
                              const char *post);

/* base + path with one '/' trimmed from the end of base, in the arena. */
const char *vgl_saas_join(const struct vgl_output_ctx *ctx, const char *base, const char *path);

/* s encoded as Python's urllib.parse.quote_plus does (what requests does to params):
 * A-Z a-z 0-9 _ . - ~ kept, space as '+', every other byte as %XX. */
const char *vgl_saas_urlencode(const struct vgl_output_ctx *ctx, const char *s, size_t len);

/* Python str(v) as a NUL-terminated string in the arena ("" when it cannot be built). */
const char *vgl_saas_py_str(const struct vgl_output_ctx *ctx, const struct vgl_json *v);

/*
 * Fills *req: method, url, the given headers followed by "Content-Type: application/json"
 * when body is not NULL and they have no Content-Type, and json.dumps(body) as the body.  headers (n lines) are copied
 * into the arena.  Sets ctx->delay_ms to 0 (no wait).  Returns VGL_OUTPUT_SEND, or VGL_ELIMIT with err set.
 */
int vgl_saas_json_request(struct vgl_output_ctx *ctx, struct vgl_http_request *req,
                          const char *method, const char *url, const char *const *headers,
                          size_t nheaders, const struct vgl_json *body, struct vgl_error *err);

/*
 * StreamAlert's JsonHttpProvider rule: a 2xx response whose body parses as JSON and is
 * truthy.  On success *out is the parsed body (in the arena).  Otherwise a VGL_EIO error
 * naming the output, what was being done (what, e.g. "user look-up") and the response.
 */
int vgl_saas_json_result(const struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                         const char *what, struct vgl_json *out, struct vgl_error *err);

#endif
