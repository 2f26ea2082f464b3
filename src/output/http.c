/*
 * output/http.c: concurrent HTTP requests over libcurl's multi interface.
 *
 * Between the dispatcher and the network: the dispatcher builds one request per due
 * delivery and this file sends them side by side, so one slow or dead endpoint costs only
 * its own timeout.
 */
#include "output/http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "core/xmalloc.h"

#define DEFAULT_TIMEOUT_MS 3050

struct transfer {
    CURL *easy;
    struct curl_slist *headers;
    struct vgl_http_response *resp;
    size_t cap;
    char errbuf[CURL_ERROR_SIZE];
    double started;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
    struct transfer *t = ud;
    struct vgl_http_response *r = t->resp;
    size_t n = size * nmemb, keep = n;
    if (r->body_len + keep > VGL_HTTP_BODY_MAX) {
        keep = VGL_HTTP_BODY_MAX - r->body_len;
        r->truncated = true;
    }
    if (keep) {
        if (r->body_len + keep + 1 > t->cap) {
            size_t cap = t->cap ? t->cap : 1024;
            while (cap < r->body_len + keep + 1)
                cap *= 2;
            r->body = vgl_xrealloc(r->body, cap);
            t->cap = cap;
        }
        memcpy(r->body + r->body_len, p, keep);
        r->body_len += keep;
        r->body[r->body_len] = '\0';
    }
    return n;   /* the rest is read and dropped, so the connection completes normally */
}

static int setup(struct transfer *t, const struct vgl_http_request *q)
{
    CURL *c = curl_easy_init();
    if (!c)
        return -1;
    t->easy = c;
    curl_easy_setopt(c, CURLOPT_URL, q->url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, q->method ? q->method : "POST");
    if (q->body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, q->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)q->body_len);
    } else if (q->method && strcmp(q->method, "GET") == 0) {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    }
    for (size_t i = 0; i < q->nheaders; i++)
        t->headers = curl_slist_append(t->headers, q->headers[i]);
    /* no "Expect: 100-continue" round trip on larger bodies */
    t->headers = curl_slist_append(t->headers, "Expect:");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, t->headers);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, q->connect_timeout_ms ? q->connect_timeout_ms
                                                                         : DEFAULT_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, q->timeout_ms ? q->timeout_ms : DEFAULT_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, q->insecure ? 0L : 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, q->insecure ? 0L : 2L);
    if (q->aws_sigv4)
        curl_easy_setopt(c, CURLOPT_AWS_SIGV4, q->aws_sigv4);
    if (q->userpwd)
        curl_easy_setopt(c, CURLOPT_USERPWD, q->userpwd);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, t->errbuf);
    curl_easy_setopt(c, CURLOPT_PRIVATE, t);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "vigil/" VGL_VERSION);
    return 0;
}

int vgl_http_perform(const struct vgl_http_request *reqs, struct vgl_http_response *resps, size_t n,
                     size_t max_parallel, struct vgl_error *err)
{
    static bool global_done;
    if (!global_done) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            return vgl_error_set(err, VGL_EIO, "cannot initialise libcurl");
        global_done = true;
    }
    for (size_t i = 0; i < n; i++)
        memset(&resps[i], 0, sizeof resps[i]);
    if (n == 0)
        return 0;
    CURLM *multi = curl_multi_init();
    if (!multi)
        return vgl_error_set(err, VGL_EIO, "cannot create a libcurl multi handle");
    if (max_parallel)
        curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)max_parallel);
    struct transfer *ts = vgl_xcalloc(n, sizeof *ts);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        ts[i].resp = &resps[i];
        if (setup(&ts[i], &reqs[i]) != 0) {
            snprintf(resps[i].error, sizeof resps[i].error, "cannot create a libcurl handle");
            continue;
        }
        ts[i].started = now_s();
        curl_multi_add_handle(multi, ts[i].easy);
    }
    int running = 1;
    while (running) {
        if (curl_multi_perform(multi, &running) != CURLM_OK) {
            rc = vgl_error_set(err, VGL_EIO, "libcurl multi interface failed");
            break;
        }
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(multi, &left))) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            struct transfer *t = NULL;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
            if (!t)
                continue;
            t->resp->seconds = now_s() - t->started;
            if (msg->data.result == CURLE_OK) {
                curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &t->resp->status);
            } else {
                snprintf(t->resp->error, sizeof t->resp->error, "%s",
                         t->errbuf[0] ? t->errbuf : curl_easy_strerror(msg->data.result));
            }
        }
        if (running)
            curl_multi_poll(multi, NULL, 0, 200, NULL);
    }
    for (size_t i = 0; i < n; i++) {
        if (ts[i].easy) {
            curl_multi_remove_handle(multi, ts[i].easy);
            curl_easy_cleanup(ts[i].easy);
        }
        curl_slist_free_all(ts[i].headers);
    }
    curl_multi_cleanup(multi);
    free(ts);
    return rc;
}

void vgl_http_response_release(struct vgl_http_response *r)
{
    free(r->body);
    r->body = NULL;
    r->body_len = 0;
}

bool vgl_http_ok(const struct vgl_http_response *r)
{
    return r->status >= 200 && r->status <= 299;
}
