/*
 * output/svc_util_tickets.h: helpers shared by the ticketing and response services (jira,
 * jira-v2, demisto, phantom, komand, victorops, carbonblack; compat 7.5) and the
 * declarations of their ops.
 *
 * The services build their bodies as JSON values in ctx->arena and serialize them the way
 * Python's requests does for `json=` (json.dumps with its defaults: ", " / ": " separators,
 * ensure_ascii).  Everything returned here lives in ctx->arena, so it stays valid until the
 * attempt ends; nothing is malloc'd that the caller must free.  Reentrant.
 *
 * Errors name the output ("output 'jira:corp': ...") and what was being done, never a
 * credential value.
 */
#ifndef VGL_OUTPUT_SVC_UTIL_TICKETS_H
#define VGL_OUTPUT_SVC_UTIL_TICKETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "json/json.h"
#include "output/output.h"

struct vgl_buf;
struct vgl_error;

extern const struct vgl_output_ops vgl_output_jira;
extern const struct vgl_output_ops vgl_output_jira_v2;
extern const struct vgl_output_ops vgl_output_demisto;
extern const struct vgl_output_ops vgl_output_phantom;
extern const struct vgl_output_ops vgl_output_komand;
extern const struct vgl_output_ops vgl_output_victorops;
extern const struct vgl_output_ops vgl_output_carbonblack;

/* Python's os.path.join(base, path), which StreamAlert uses for endpoint URLs: path itself
 * when it starts with '/', else base + '/' + path, without the '/' when base is empty or
 * already ends with one.  In the arena. */
const char *vgl_tickets_path_join(const struct vgl_output_ctx *ctx, const char *base,
                                  const char *path);

/* Appends "key=value" to a query string as urllib.parse.urlencode() does for requests'
 * params (quote_plus: A-Z a-z 0-9 _ . - ~ kept, space as '+', every other byte as %XX),
 * with a '&' first when q is not empty.  Returns 0 or VGL_ELIMIT. */
int vgl_tickets_query_add(struct vgl_buf *q, const char *key, const char *val, size_t vlen);

/* s with every byte outside A-Z a-z 0-9 _ . - ~ as %XX, for a value put into a URL path. */
const char *vgl_tickets_path_escape(const struct vgl_output_ctx *ctx, const char *s, size_t len);

/* Python str(v) as a NUL-terminated string in the arena; *len (may be NULL) gets its
 * length.  Returns NULL with err set when it cannot be built (VGL_ELIMIT). */
const char *vgl_tickets_py_str(const struct vgl_output_ctx *ctx, const struct vgl_json *v,
                               size_t *len, struct vgl_error *err);

/* Standard base64 (with padding) of s[0..n) in the arena. */
const char *vgl_tickets_base64(const struct vgl_output_ctx *ctx, const char *s, size_t n);

/*
 * Fills *req: method, url, the n header lines ("Name: value", copied into the arena),
 * then "Content-Type: application/json" when add_ctype, and json.dumps(body) (flags
 * VGL_PYJSON_*) as the body when body is not NULL.  Timeouts stay 0 (the 3.05 s default)
 * and TLS verification stays on.  A header value holding CR or LF is refused as requests
 * refuses it.  Returns VGL_OUTPUT_SEND, or a negative code with err set.
 */
int vgl_tickets_request(struct vgl_output_ctx *ctx, struct vgl_http_request *req,
                        const char *method, const char *url, const char *const *headers,
                        size_t nheaders, bool add_ctype, const struct vgl_json *body,
                        unsigned flags, struct vgl_error *err);

/* A VGL_EIO error for a failed response: "output 'svc:desc': <what>: HTTP 500: <body>"
 * (or the transport error).  Returns the code. */
int vgl_tickets_http_fail(const struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                          const char *what, struct vgl_error *err);

/* Parses the response body as JSON into the arena (the body is copied first, so the value
 * outlives the response).  Returns 0, or VGL_EPARSE with err naming the output and what
 * (as Python's resp.json() raising makes the dispatch fail). */
int vgl_tickets_parse_body(const struct vgl_output_ctx *ctx, const struct vgl_http_response *resp,
                           const char *what, struct vgl_json *out, struct vgl_error *err);

#endif
