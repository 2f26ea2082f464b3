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

/* True for a 2xx status (StreamAlert's success rule for HTTP outputs). */
bool vgl_http_ok(const struct vgl_http_response *r);

#endif
