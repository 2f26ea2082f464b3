/*
 * output/http.h: the HTTP layer every HTTP output shares (ARCHITECTURE.md "Outputs").
 *
 * vgl_http_perform() sends a set of requests concurrently with libcurl's multi interface,
 * so a slow endpoint never holds up the others, and fills one response per request.  TLS
 * certificate verification is on unless a request says otherwise (StreamAlert turns it off
 * for a few outputs, compat 7.3); every request has a connect and a total timeout; response
 * bodies are capped.  Retrying is the dispatcher's business, never this layer's.
 *
 * Ownership: requests are borrowed for the call; each response's body is malloc'd and
 * released by vgl_http_response_release().  Not thread-safe; no libcurl handle outlives a
 * call (so nothing crosses fork()).
 */
#ifndef VGL_OUTPUT_HTTP_H
#define VGL_OUTPUT_HTTP_H

#include <stdbool.h>
#include <stddef.h>

struct vgl_error;

#define VGL_HTTP_BODY_MAX (64u * 1024)   /* response bytes kept; the rest is discarded */

struct vgl_http_request {
    const char *method;                  /* "POST", "PUT", "GET", ... */
    const char *url;
    const char *const *headers;          /* "Name: value" lines */
    size_t nheaders;
    const char *body;                    /* may be NULL */
    size_t body_len;
    long connect_timeout_ms;             /* 0: 3050, StreamAlert's 3.05 s */
    long timeout_ms;                     /* 0: 3050 */
    const char *aws_sigv4;               /* "aws:amz:REGION:SERVICE" to sign, or NULL */
    const char *userpwd;                 /* "user:password" (SigV4: key id and secret) */
    bool insecure;                       /* skip TLS verification (never by default) */
};

struct vgl_http_response {
    long status;                         /* HTTP status, 0 when no response came */
    char *body;                          /* NUL-terminated, at most VGL_HTTP_BODY_MAX bytes */
    size_t body_len;
    bool truncated;                      /* the body was longer than the cap */
    char error[256];                     /* transport error ("" when a response came) */
    double seconds;                      /* time from start to completion */
};

/* Sends all requests, at most max_parallel at a time (0: all at once).  Returns 0 when every
 * request was attempted (each response says how it went), or a negative code when the layer
 * itself failed. */
int vgl_http_perform(const struct vgl_http_request *reqs, struct vgl_http_response *resps, size_t n,
                     size_t max_parallel, struct vgl_error *err);

void vgl_http_response_release(struct vgl_http_response *r);

/*
 * The incremental form the dispatcher uses: requests are added at any time and each
 * completion is reported as soon as it happens, so a result can be recorded at once.
 * The request is copied when added (URL, headers, body), so the caller's may go away.
 */
struct vgl_http_multi;

/* done(ud, resp, cbud): resp->body belongs to the callback (vgl_http_response_release). */
typedef void (*vgl_http_done_fn)(void *ud, struct vgl_http_response *resp, void *cbud);

struct vgl_http_multi *vgl_http_multi_new(size_t max_connections, struct vgl_error *err);
/* Frees the handle; requests still running are dropped without a callback. */
void vgl_http_multi_free(struct vgl_http_multi *m);
int vgl_http_multi_add(struct vgl_http_multi *m, const struct vgl_http_request *req, void *ud,
                       struct vgl_error *err);
size_t vgl_http_multi_running(const struct vgl_http_multi *m);
/* Makes progress, waiting up to timeout_ms for activity when nothing completed yet, and
 * calls done for every request that completed.  Returns 0 or a negative code when libcurl
 * itself failed. */
int vgl_http_multi_run(struct vgl_http_multi *m, int timeout_ms, vgl_http_done_fn done, void *cbud,
                       struct vgl_error *err);

/* True for a 2xx status (StreamAlert's success rule for HTTP outputs). */
bool vgl_http_ok(const struct vgl_http_response *r);

#endif
