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
    void *ud;
    struct transfer *prev, *next;   /* the multi's list of running transfers */
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
        /* copied: the caller's body need not outlive the call */
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)q->body_len);
        curl_easy_setopt(c, CURLOPT_COPYPOSTFIELDS, q->body);
    } else if (q->method && strcmp(q->method, "GET") == 0) {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    }
    for (size_t i = 0; i < q->nheaders; i++)
        t->headers = curl_slist_append(t->headers, q->headers[i]);
    /* no "Expect: 100-continue" round trip on larger bodies; but libcurl 7.88 would list an
     * empty Expect header among the SigV4 signed headers without sending it, so signed
     * requests keep libcurl's own behaviour with a short wait for the 100 answer */
    if (!q->aws_sigv4)
        t->headers = curl_slist_append(t->headers, "Expect:");
    else
        curl_easy_setopt(c, CURLOPT_EXPECT_100_TIMEOUT_MS, 200L);
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

struct vgl_http_multi {
    CURLM *multi;
    size_t running;
    struct transfer *head;
};

static int global_init(struct vgl_error *err)
{
    static bool global_done;
    if (!global_done) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            return vgl_error_set(err, VGL_EIO, "cannot initialise libcurl");
        global_done = true;
    }
    return 0;
}

struct vgl_http_multi *vgl_http_multi_new(size_t max_connections, struct vgl_error *err)
{
    if (global_init(err) != 0)
        return NULL;
    struct vgl_http_multi *m = vgl_xcalloc(1, sizeof *m);
    m->multi = curl_multi_init();
    if (!m->multi) {
        free(m);
        vgl_error_set(err, VGL_EIO, "cannot create a libcurl multi handle");
        return NULL;
    }
    if (max_connections)
        curl_multi_setopt(m->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)max_connections);
    return m;
}

static void transfer_free(struct vgl_http_multi *m, struct transfer *t)
{
    if (t->prev)
        t->prev->next = t->next;
    else if (m->head == t)
        m->head = t->next;
    if (t->next)
        t->next->prev = t->prev;
    if (t->easy) {
        curl_multi_remove_handle(m->multi, t->easy);
        curl_easy_cleanup(t->easy);
    }
    curl_slist_free_all(t->headers);
    free(t);
}

int vgl_http_multi_add(struct vgl_http_multi *m, const struct vgl_http_request *req, void *ud,
                       struct vgl_error *err)
{
    struct transfer *t = vgl_xcalloc(1, sizeof *t + sizeof *t->resp);
    t->resp = (struct vgl_http_response *)(t + 1);
    t->ud = ud;
    if (setup(t, req) != 0) {
        transfer_free(m, t);
        return vgl_error_set(err, VGL_ENOMEM, "cannot create a libcurl handle");
    }
    t->started = now_s();
    if (curl_multi_add_handle(m->multi, t->easy) != CURLM_OK) {
        transfer_free(m, t);
        return vgl_error_set(err, VGL_EIO, "cannot start a request");
    }
    t->next = m->head;
    if (m->head)
        m->head->prev = t;
    m->head = t;
    m->running++;
    return 0;
}

size_t vgl_http_multi_running(const struct vgl_http_multi *m)
{
    return m->running;
}

int vgl_http_multi_run(struct vgl_http_multi *m, int timeout_ms, vgl_http_done_fn done, void *cbud,
                       struct vgl_error *err)
{
    int still;
    if (curl_multi_perform(m->multi, &still) != CURLM_OK)
        return vgl_error_set(err, VGL_EIO, "libcurl multi interface failed");
    size_t finished = 0;
    for (;;) {
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(m->multi, &left))) {
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
            m->running--;
            finished++;
            void *ud = t->ud;
            struct vgl_http_response resp = *t->resp;
            transfer_free(m, t);
            done(ud, &resp, cbud);   /* may add new requests; owns resp.body */
        }
        if (finished || m->running == 0 || timeout_ms <= 0)
            return 0;
        curl_multi_poll(m->multi, NULL, 0, timeout_ms, NULL);
        timeout_ms = 0;
        if (curl_multi_perform(m->multi, &still) != CURLM_OK)
            return vgl_error_set(err, VGL_EIO, "libcurl multi interface failed");
    }
}

void vgl_http_multi_free(struct vgl_http_multi *m)
{
    if (!m)
        return;
    while (m->head) {   /* transfers still running are dropped */
        free(m->head->resp->body);
        transfer_free(m, m->head);
    }
    curl_multi_cleanup(m->multi);
    free(m);
}

static void perform_done(void *ud, struct vgl_http_response *resp, void *cbud)
{
    (void)cbud;
    *(struct vgl_http_response *)ud = *resp;
}

int vgl_http_perform(const struct vgl_http_request *reqs, struct vgl_http_response *resps, size_t n,
                     size_t max_parallel, struct vgl_error *err)
{
    for (size_t i = 0; i < n; i++)
        memset(&resps[i], 0, sizeof resps[i]);
    if (n == 0)
        return 0;
    struct vgl_http_multi *m = vgl_http_multi_new(max_parallel, err);
    if (!m)
        return err ? err->code : VGL_EIO;
    for (size_t i = 0; i < n; i++)
        if (vgl_http_multi_add(m, &reqs[i], &resps[i], NULL) != 0)
            snprintf(resps[i].error, sizeof resps[i].error, "cannot create a libcurl handle");
    int rc = 0;
    while (rc == 0 && vgl_http_multi_running(m))
        rc = vgl_http_multi_run(m, 200, perform_done, NULL, err);
    vgl_http_multi_free(m);
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
