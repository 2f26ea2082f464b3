/*
 * Unit tests for source/syslog.c and source/http_ingest.c: real sockets on 127.0.0.1
 * (port 0), the client side driven from this process between next() calls.
 */
#define _GNU_SOURCE
#include "source/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"
#include "source/source.h"
#include "test.h"

/* ---------------------------------------------------------------- helpers */

static int64_t ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct gi {
    char *data;
    size_t len;
    bool oversize;
    uint64_t olen;
    char pos[VGL_SOURCE_POS_MAX];
    char service[64], resource[64];
};

struct got {
    struct gi *v;
    size_t n, cap;
};

static void got_add(struct got *g, const struct vgl_source_batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        if (g->n == g->cap) {
            g->cap = g->cap ? g->cap * 2 : 64;
            g->v = realloc(g->v, g->cap * sizeof *g->v);
        }
        const struct vgl_source_item *it = &b->items[i];
        struct gi *x = &g->v[g->n++];
        memset(x, 0, sizeof *x);
        x->oversize = it->oversize;
        x->olen = it->oversize_len;
        x->len = it->len;
        if (it->data) {
            x->data = malloc(it->len + 1);
            memcpy(x->data, it->data, it->len);
            x->data[it->len] = '\0';
        }
        snprintf(x->pos, sizeof x->pos, "%s", it->position);
        snprintf(x->service, sizeof x->service, "%s", it->service ? it->service : "");
        snprintf(x->resource, sizeof x->resource, "%s", it->resource ? it->resource : "");
    }
}

static void got_release(struct got *g)
{
    for (size_t i = 0; i < g->n; i++)
        free(g->v[i].data);
    free(g->v);
    memset(g, 0, sizeof *g);
}

/* Pulls and commits batches until want items came or timeout_ms passed. */
static void collect(struct vgl_source *s, struct got *g, size_t want, int timeout_ms)
{
    int64_t end = ms_now() + timeout_ms;
    while (g->n < want && ms_now() < end) {
        struct vgl_source_batch b;
        struct vgl_error err = {0};
        int rc = s->ops->next(s, &b, 1000, 1 << 20, 20, &err);
        CHECK_INT_EQ(rc, 0);
        CHECK_INT_EQ(b.ncps, 0);
        got_add(g, &b);
        s->ops->committed(s, &b);
    }
}

/* Pulls batches, committing all but the one that brings the count to want, which is left
 * unresolved (the caller commits or fails it).  Returns whether want was reached. */
static bool collect_hold(struct vgl_source *s, struct got *g, size_t want, int timeout_ms,
                         struct vgl_source_batch *held)
{
    int64_t end = ms_now() + timeout_ms;
    while (ms_now() < end) {
        struct vgl_error err = {0};
        int rc = s->ops->next(s, held, 1000, 1 << 20, 20, &err);
        CHECK_INT_EQ(rc, 0);
        got_add(g, held);
        if (g->n >= want)
            return true;
        s->ops->committed(s, held);
    }
    return false;
}

static int udp_client(void)
{
    return socket(AF_INET, SOCK_DGRAM, 0);
}

static void udp_send(int fd, int port, const char *msg, size_t len)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ssize_t w = sendto(fd, msg, len, 0, (struct sockaddr *)&a, sizeof a);
    CHECK_INT_EQ(w, (ssize_t)len);
}

static int local_port(int fd)
{
    struct sockaddr_in a;
    socklen_t l = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &l);
    return ntohs(a.sin_port);
}

static int tcp_client(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        perror("connect");
        close(fd);
        return -1;
    }
    return fd;
}

static void send_all(int fd, const void *p, size_t len)
{
    const char *c = p;
    while (len) {
        ssize_t w = send(fd, c, len, MSG_NOSIGNAL);
        if (w <= 0) {
            CHECK(!"send failed");
            return;
        }
        c += w;
        len -= (size_t)w;
    }
}

static void send_str(int fd, const char *s)
{
    send_all(fd, s, strlen(s));
}

/* ---------------------------------------------------------------- syslog */

TEST(syslog_udp_single_and_multiline)
{
    struct vgl_error err = {0};
    struct vgl_source_opts opts = {.worker = 3, .nworkers = 4};
    struct vgl_source *s = vgl_source_syslog_new("udp://127.0.0.1:0", "syslog", "udp-in", &opts,
                                                 &err);
    CHECK(s != NULL);
    if (!s) {
        fprintf(stderr, "  %s\n", err.msg);
        return;
    }
    CHECK_STR_EQ(s->ops->kind, "syslog");
    int port = vgl_source_net_port(s);
    CHECK(port > 0);
    int c = udp_client();
    const char *m5424 = "<34>1 2003-10-11T22:14:15.003Z mymachine su - ID47 - 'su root' failed\n";
    udp_send(c, port, m5424, strlen(m5424));
    struct got g = {0};
    collect(s, &g, 1, 2000);
    CHECK_INT_EQ(g.n, 1);
    if (g.n == 1) {
        /* RFC 5424 rewritten in the RFC 3164 layout the syslog schemas parse */
        CHECK_STR_EQ(g.v[0].data, "Oct 11 22:14:15 mymachine su: 'su root' failed");
        char prefix[64];
        snprintf(prefix, sizeof prefix, "syslog:udp:127.0.0.1:%d:3:", local_port(c));
        CHECK(strncmp(g.v[0].pos, prefix, strlen(prefix)) == 0);
        CHECK_STR_EQ(g.v[0].service, "syslog");
        CHECK_STR_EQ(g.v[0].resource, "udp-in");
    }
    got_release(&g);

    const char *multi = "<13>Oct 11 22:14:15 host app: a\n<13>Oct 11 22:14:16 host app: b\r\n\n"
                        "<13>Oct 11 22:14:17 host app: c";
    udp_send(c, port, multi, strlen(multi));
    collect(s, &g, 3, 2000);
    CHECK_INT_EQ(g.n, 3);
    if (g.n == 3) {
        CHECK_STR_EQ(g.v[0].data, "Oct 11 22:14:15 host app: a");
        CHECK_STR_EQ(g.v[1].data, "Oct 11 22:14:16 host app: b");
        CHECK_STR_EQ(g.v[2].data, "Oct 11 22:14:17 host app: c");
        CHECK(strcmp(g.v[0].pos, g.v[1].pos) != 0);
    }
    got_release(&g);

    /* nothing more: an empty batch after the timeout */
    struct vgl_source_batch b;
    int64_t t0 = ms_now();
    CHECK_INT_EQ(s->ops->next(s, &b, 100, 1 << 20, 50, &err), 0);
    CHECK_INT_EQ(b.n, 0);
    CHECK(ms_now() - t0 >= 40);
    s->ops->committed(s, &b);
    close(c);
    vgl_source_free(s);
}

TEST(syslog_udp_batch_limits_and_failed_redelivery)
{
    struct vgl_error err = {0};
    struct vgl_source_opts opts = {0};
    struct vgl_source *s = vgl_source_syslog_new("127.0.0.1:0", "syslog", "r", &opts, &err);
    CHECK(s != NULL);
    if (!s)
        return;
    int port = vgl_source_net_port(s);
    int c = udp_client();
    udp_send(c, port, "m1\nm2\nm3\nm4\nm5", 14);
    struct vgl_source_batch b;
    CHECK_INT_EQ(s->ops->next(s, &b, 2, 1 << 20, 2000, &err), 0);
    CHECK_INT_EQ(b.n, 2);
    char p0[VGL_SOURCE_POS_MAX];
    snprintf(p0, sizeof p0, "%s", b.n ? b.items[0].position : "");
    s->ops->failed(s, &b);
    CHECK_INT_EQ(s->ops->next(s, &b, 2, 1 << 20, 2000, &err), 0);
    CHECK_INT_EQ(b.n, 2);   /* the failed batch again, same positions */
    if (b.n == 2) {
        CHECK_STR_EQ(b.items[0].position, p0);
        CHECK_STR_EQ(b.items[0].data, "m1");
        CHECK_STR_EQ(b.items[1].data, "m2");
    }
    s->ops->committed(s, &b);
    CHECK_INT_EQ(s->ops->next(s, &b, 10, 1 << 20, 2000, &err), 0);
    CHECK_INT_EQ(b.n, 3);
    if (b.n == 3)
        CHECK_STR_EQ(b.items[2].data, "m5");
    s->ops->committed(s, &b);
    close(c);
    vgl_source_free(s);
}

TEST(syslog_tcp_newline_and_octet_counting)
{
    struct vgl_error err = {0};
    struct vgl_source_opts opts = {.worker = 1};
    struct vgl_source *s = vgl_source_syslog_new("tcp://127.0.0.1:0", "syslog", "tcp-in", &opts,
                                                 &err);
    CHECK(s != NULL);
    if (!s)
        return;
    int port = vgl_source_net_port(s);
    int c = tcp_client(port);
    const char *m1 = "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time";
    char frame[512];
    int fl = snprintf(frame, sizeof frame, "<13>Oct 11 22:14:15 host app: newline one\n%zu %s"
                      "2024-01-01 starts with a digit\n",
                      strlen(m1), m1);
    send_all(c, frame, (size_t)fl);
    send_str(c, "<13>Oct 11 22:14:15 host app: split ");
    struct got g = {0};
    collect(s, &g, 3, 2000);
    send_str(c, "across reads\n11 octet\nframe");   /* octet frame holding a newline */
    collect(s, &g, 5, 2000);
    CHECK_INT_EQ(g.n, 5);
    if (g.n == 5) {
        CHECK_STR_EQ(g.v[0].data, "Oct 11 22:14:15 host app: newline one");
        CHECK_STR_EQ(g.v[1].data, "Aug 24 05:14:15 192.0.2.1 myproc[8710]: %% It's time");
        CHECK_STR_EQ(g.v[2].data, "2024-01-01 starts with a digit");
        CHECK_STR_EQ(g.v[3].data, "Oct 11 22:14:15 host app: split across reads");
        CHECK_STR_EQ(g.v[4].data, "octet\nframe");
        char prefix[64];
        snprintf(prefix, sizeof prefix, "syslog:tcp:127.0.0.1:%d:1:", local_port(c));
        CHECK(strncmp(g.v[0].pos, prefix, strlen(prefix)) == 0);
    }
    got_release(&g);
    /* the last message of a stream may lack its newline */
    send_str(c, "<13>last without newline");
    close(c);
    collect(s, &g, 1, 2000);
    CHECK_INT_EQ(g.n, 1);
    if (g.n == 1)
        CHECK_STR_EQ(g.v[0].data, "last without newline");
    got_release(&g);
    vgl_source_free(s);
}

TEST(syslog_tcp_many_connections)
{
    struct vgl_error err = {0};
    struct vgl_source_opts opts = {0};
    struct vgl_source *s = vgl_source_syslog_new("tcp://127.0.0.1:0", "syslog", "r", &opts, &err);
    CHECK(s != NULL);
    if (!s)
        return;
    int port = vgl_source_net_port(s);
    enum { NC = 100 };
    int fds[NC];
    for (int i = 0; i < NC; i++) {
        fds[i] = tcp_client(port);
        char m[128];
        int l = snprintf(m, sizeof m, "<13>conn %d msg 0\n<13>conn %d msg 1\n", i, i);
        send_all(fds[i], m, (size_t)l);
    }
    struct got g = {0};
    collect(s, &g, 2 * NC, 5000);
    for (int i = 0; i < NC; i++) {
        send_str(fds[i], "<13>bye\n");
        close(fds[i]);
    }
    collect(s, &g, 3 * NC, 5000);
    CHECK_INT_EQ(g.n, 3 * NC);
    size_t byes = 0;
    for (size_t i = 0; i < g.n; i++) {
        byes += strcmp(g.v[i].data, "bye") == 0;   /* <PRI> dropped */
        for (size_t j = i + 1; j < g.n && j < i + 5; j++)
            CHECK(strcmp(g.v[i].pos, g.v[j].pos) != 0);
    }
    CHECK_INT_EQ(byes, NC);
    got_release(&g);
    vgl_source_free(s);
}

TEST(syslog_oversize_frames)
{
    struct vgl_error err = {0};
    struct vgl_source_opts opts = {.max_record_bytes = 64};
    struct vgl_source *s = vgl_source_syslog_new("tcp://127.0.0.1:0", "syslog", "r", &opts, &err);
    CHECK(s != NULL);
    if (!s)
        return;
    int port = vgl_source_net_port(s);
    int c = tcp_client(port);
    char big[300];
    memset(big, 'x', sizeof big);
    send_str(c, "100 ");
    send_all(c, big, 100);                /* octet-counted, over the cap: skipped by length */
    send_str(c, "2 ok");
    send_all(c, big, 200);                /* newline-delimited, over the cap: up to \n */
    send_str(c, "\n<13>fine\n");
    struct got g = {0};
    collect(s, &g, 4, 3000);
    send_str(c, "<13>still open\n");
    collect(s, &g, 5, 3000);
    CHECK_INT_EQ(g.n, 5);
    if (g.n == 5) {
        CHECK(g.v[0].oversize);
        CHECK(g.v[0].data == NULL);
        CHECK_INT_EQ(g.v[0].olen, 100);
        CHECK_STR_EQ(g.v[1].data, "ok");
        CHECK(g.v[2].oversize);
        CHECK_INT_EQ(g.v[2].olen, 200);
        CHECK_STR_EQ(g.v[3].data, "fine");
        CHECK_STR_EQ(g.v[4].data, "still open");
    }
    got_release(&g);
    close(c);
    vgl_source_free(s);

    /* UDP: an oversize datagram */
    s = vgl_source_syslog_new("udp://127.0.0.1:0", "syslog", "r", &opts, &err);
    CHECK(s != NULL);
    if (!s)
        return;
    int u = udp_client();
    udp_send(u, vgl_source_net_port(s), big, 150);
    udp_send(u, vgl_source_net_port(s), "small", 5);
    collect(s, &g, 2, 2000);
    CHECK_INT_EQ(g.n, 2);
    if (g.n == 2) {
        CHECK(g.v[0].oversize);
        CHECK_INT_EQ(g.v[0].olen, 150);
        CHECK_STR_EQ(g.v[1].data, "small");
    }
    got_release(&g);
    close(u);
    vgl_source_free(s);
}

TEST(syslog_udp_flood)
{
    struct vgl_error err = {0};
    struct vgl_source_opts opts = {0};
    struct vgl_source *s = vgl_source_syslog_new("udp://127.0.0.1:0", "syslog", "r", &opts, &err);
    CHECK(s != NULL);
    if (!s)
        return;
    int port = vgl_source_net_port(s);
    int c = udp_client();
    struct got g = {0};
    size_t total = 0;
    for (int i = 0; i < 10000; i++) {
        char m[64];
        int l = snprintf(m, sizeof m, "<13>flood %d", i);
        udp_send(c, port, m, (size_t)l);
        if (i % 500 == 499) {
            collect(s, &g, (size_t)i + 1 - total, 200);
            total += g.n;
            got_release(&g);
        }
    }
    collect(s, &g, 10000 - total, 500);
    total += g.n;
    got_release(&g);
    fprintf(stderr, "  udp flood: %zu of 10000 datagrams received\n", total);
    CHECK(total > 0);
    CHECK(total <= 10000);
    close(c);
    vgl_source_free(s);
}

TEST(syslog_bad_addresses)
{
    struct vgl_error err = {0};
    struct vgl_source_opts opts = {0};
    CHECK(vgl_source_syslog_new("udp://nocolon", "a", "b", &opts, &err) == NULL);
    CHECK_INT_EQ(err.code, VGL_ECONFIG);
    CHECK(vgl_source_syslog_new("http://127.0.0.1:1", "a", "b", &opts, &err) == NULL);
    CHECK_STR_CONTAINS(err.msg, "udp://");
    CHECK(vgl_source_syslog_new("tcp://127.0.0.1:99999", "a", "b", &opts, &err) == NULL);
    CHECK_STR_CONTAINS(err.msg, "bad port");
}

/* ---------------------------------------------------------------- http */

struct client {
    int fd;
    char buf[1 << 16];
    size_t len;
    bool closed;
};

struct resp {
    int status;
    char head[4096];
    char body[4096];
};

static void client_open(struct client *c, int port)
{
    memset(c, 0, sizeof *c);
    c->fd = tcp_client(port);
}

static void client_read(struct client *c)
{
    while (!c->closed && c->len < sizeof c->buf - 1) {
        ssize_t r = recv(c->fd, c->buf + c->len, sizeof c->buf - 1 - c->len, MSG_DONTWAIT);
        if (r > 0) {
            c->len += (size_t)r;
            c->buf[c->len] = '\0';
        } else if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
            c->closed = true;
        } else {
            break;
        }
    }
}

/* Takes one complete response out of the client's buffer. */
static bool take_response(struct client *c, struct resp *r)
{
    c->buf[c->len] = '\0';
    char *e = strstr(c->buf, "\r\n\r\n");
    if (!e)
        return false;
    size_t hl = (size_t)(e - c->buf) + 4;
    const char *cl = strcasestr(c->buf, "Content-Length:");
    size_t blen = cl && cl < e ? strtoul(cl + 15, NULL, 10) : 0;
    if (c->len < hl + blen)
        return false;
    memset(r, 0, sizeof *r);
    r->status = atoi(c->buf + 9);
    snprintf(r->head, sizeof r->head, "%.*s", (int)hl, c->buf);
    snprintf(r->body, sizeof r->body, "%.*s", (int)blen, c->buf + hl);
    memmove(c->buf, c->buf + hl + blen, c->len - hl - blen);
    c->len -= hl + blen;
    c->buf[c->len] = '\0';
    return true;
}

enum { COMMIT, FAIL };

/* Runs the source (committing or failing every batch) until the client has a response. */
static bool pump_response(struct vgl_source *s, struct client *c, struct got *g, int policy,
                          struct resp *r, int timeout_ms)
{
    int64_t end = ms_now() + timeout_ms;
    for (;;) {
        client_read(c);
        if (take_response(c, r))
            return true;
        if (ms_now() >= end)
            return false;
        struct vgl_source_batch b;
        struct vgl_error err = {0};
        CHECK_INT_EQ(s->ops->next(s, &b, 1000, 1 << 20, 10, &err), 0);
        if (g)
            got_add(g, &b);
        if (policy == COMMIT)
            s->ops->committed(s, &b);
        else
            s->ops->failed(s, &b);
    }
}

/* Runs the source for ms, committing every batch. */
static void pump(struct vgl_source *s, struct got *g, int ms)
{
    int64_t end = ms_now() + ms;
    while (ms_now() < end) {
        struct vgl_source_batch b;
        struct vgl_error err = {0};
        CHECK_INT_EQ(s->ops->next(s, &b, 1000, 1 << 20, 10, &err), 0);
        if (g)
            got_add(g, &b);
        s->ops->committed(s, &b);
    }
}

static bool only_known(void *ud, const char *service, const char *resource)
{
    (void)ud;
    return (strcmp(service, "svc") == 0 && strcmp(resource, "res") == 0) ||
           (strcmp(service, "my svc") == 0 && strcmp(resource, "res/a") == 0);
}

static struct vgl_source *http_new(struct vgl_http_ingest_opts *h, size_t max_record)
{
    struct vgl_error err = {0};
    struct vgl_source_opts opts = {.max_record_bytes = max_record};
    if (!h->listen)
        h->listen = "127.0.0.1:0";
    struct vgl_source *s = vgl_source_http_new(h, &opts, &err);
    if (!s)
        fprintf(stderr, "  http_new: %s\n", err.msg);
    return s;
}

static void post(struct client *c, const char *path, const char *headers, const char *body,
                 size_t blen)
{
    char head[1024];
    int hl = snprintf(head, sizeof head,
                      "POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: %zu\r\n%s\r\n", path, blen,
                      headers ? headers : "");
    send_all(c->fd, head, (size_t)hl);
    if (blen)
        send_all(c->fd, body, blen);
}

static bool client_silent(struct client *c, int ms)
{
    struct pollfd p = {.fd = c->fd, .events = POLLIN};
    return poll(&p, 1, ms) == 0;
}

TEST(http_post_content_length_200_only_after_commit)
{
    struct vgl_http_ingest_opts h = {.known = only_known};
    struct vgl_source *s = http_new(&h, 0);
    CHECK(s != NULL);
    if (!s)
        return;
    CHECK_STR_EQ(s->ops->kind, "http");
    CHECK(vgl_source_net_port(s) > 0);
    struct client c;
    client_open(&c, vgl_source_net_port(s));
    const char *body = "one\n\ntwo\r\n  \nthree";
    post(&c, "/ingest/svc/res", "X-Request-Id: req-1\r\n", body, strlen(body));
    struct got g = {0};
    struct vgl_source_batch b;
    CHECK(collect_hold(s, &g, 3, 3000, &b));
    CHECK(client_silent(&c, 100));   /* not before the commit */
    s->ops->committed(s, &b);
    struct resp r;
    CHECK(pump_response(s, &c, NULL, COMMIT, &r, 2000));
    CHECK_INT_EQ(r.status, 200);
    CHECK_STR_CONTAINS(r.body, "{\"accepted\": 3}");
    CHECK_STR_CONTAINS(r.head, "X-Request-Id: req-1");
    CHECK_INT_EQ(g.n, 3);
    if (g.n == 3) {
        CHECK_STR_EQ(g.v[0].data, "one");
        CHECK_STR_EQ(g.v[0].pos, "http:req-1:1");
        CHECK_STR_EQ(g.v[1].data, "two");
        CHECK_STR_EQ(g.v[1].pos, "http:req-1:3");
        CHECK_STR_EQ(g.v[2].data, "three");
        CHECK_STR_EQ(g.v[2].pos, "http:req-1:5");
        CHECK_STR_EQ(g.v[0].service, "svc");
        CHECK_STR_EQ(g.v[0].resource, "res");
    }
    got_release(&g);

    /* an empty body is answered at once */
    post(&c, "/ingest/svc/res", NULL, "", 0);
    CHECK(pump_response(s, &c, &g, COMMIT, &r, 2000));
    CHECK_INT_EQ(r.status, 200);
    CHECK_STR_CONTAINS(r.body, "{\"accepted\": 0}");
    CHECK_INT_EQ(g.n, 0);
    close(c.fd);
    got_release(&g);
    vgl_source_free(s);
}

TEST(http_failed_batch_answers_503)
{
    struct vgl_http_ingest_opts h = {0};
    struct vgl_source *s = http_new(&h, 0);
    CHECK(s != NULL);
    if (!s)
        return;
    struct client c;
    client_open(&c, vgl_source_net_port(s));
    post(&c, "/ingest/svc/res", NULL, "a\nb\n", 4);
    struct got g = {0};
    struct vgl_source_batch b;
    CHECK(collect_hold(s, &g, 2, 3000, &b));
    CHECK(client_silent(&c, 50));
    s->ops->failed(s, &b);
    struct resp r;
    CHECK(pump_response(s, &c, NULL, COMMIT, &r, 2000));
    CHECK_INT_EQ(r.status, 503);
    CHECK_STR_CONTAINS(r.head, "Retry-After: 1");
    CHECK_STR_CONTAINS(r.body, "\"error\"");
    /* the connection stays usable: the retry goes through */
    post(&c, "/ingest/svc/res", NULL, "a\nb\n", 4);
    CHECK(pump_response(s, &c, &g, COMMIT, &r, 2000));
    CHECK_INT_EQ(r.status, 200);
    CHECK_INT_EQ(g.n, 4);
    close(c.fd);
    got_release(&g);
    vgl_source_free(s);
}

TEST(http_chunked_body_in_pieces)
{
    struct vgl_http_ingest_opts h = {0};
    struct vgl_source *s = http_new(&h, 0);
    CHECK(s != NULL);
    if (!s)
        return;
    struct client c;
    client_open(&c, vgl_source_net_port(s));
    struct got g = {0};
    send_str(c.fd, "POST /ingest/svc/res HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                   "X-Request-Id: ch-1\r\n\r\n");
    pump(s, &g, 30);
    const char *pieces[] = {"6\r\nhel", "lo\n\r\n", "3;ext=1\r\nwor\r\n", "3\r\nld\n\r\n",
                            "4\r\nlast\r\n", "0\r\n", "Trailer: x\r\n\r\n"};
    for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++) {
        send_str(c.fd, pieces[i]);
        pump(s, &g, 30);
        if (i < 6)
            CHECK(client_silent(&c, 0));
    }
    struct resp r;
    CHECK(pump_response(s, &c, &g, COMMIT, &r, 2000));
    CHECK_INT_EQ(r.status, 200);
    CHECK_STR_CONTAINS(r.body, "{\"accepted\": 3}");
    CHECK_INT_EQ(g.n, 3);
    if (g.n == 3) {
        CHECK_STR_EQ(g.v[0].data, "hello");
        CHECK_STR_EQ(g.v[1].data, "world");
        CHECK_STR_EQ(g.v[2].data, "last");
        CHECK_STR_EQ(g.v[2].pos, "http:ch-1:3");
    }
    got_release(&g);
    close(c.fd);
    vgl_source_free(s);
}

TEST(http_bearer_token)
{
    struct vgl_http_ingest_opts h = {.token = "s3cret"};
    struct vgl_source *s = http_new(&h, 0);
    CHECK(s != NULL);
    if (!s)
        return;
    struct client c;
    struct resp r;
    struct got g = {0};
    client_open(&c, vgl_source_net_port(s));
    post(&c, "/ingest/svc/res", "Authorization: Bearer wrong\r\n", "x\n", 2);
    CHECK(pump_response(s, &c, &g, COMMIT, &r, 2000));
    CHECK_INT_EQ(r.status, 401);
    CHECK_STR_CONTAINS(r.head, "WWW-Authenticate: Bearer");
    close(c.fd);
    client_open(&c, vgl_source_net_port(s));
    post(&c, "/ingest/svc/res", NULL, "x\n", 2);
    CHECK(pump_response(s, &c, &g, COMMIT, &r, 2000));
    CHECK_INT_EQ(r.status, 401);
    close(c.fd);
    client_open(&c, vgl_source_net_port(s));
    post(&c, "/ingest/svc/res", "Authorization: Bearer s3cre\r\n", "x\n", 2);
    CHECK(pump_response(s, &c, &g, COMMIT, &r, 2000));
    CHECK_INT_EQ(r.status, 401);
    close(c.fd);
    CHECK_INT_EQ(g.n, 0);
    client_open(&c, vgl_source_net_port(s));
    post(&c, "/ingest/svc/res", "Authorization: bearer s3cret\r\n", "x\n", 2);
    CHECK(pump_response(s, &c, &g, COMMIT, &r, 2000));
    CHECK_INT_EQ(r.status, 200);
    CHECK_INT_EQ(g.n, 1);
    /* /healthz needs no token */
    send_str(c.fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(pump_response(s, &c, &g, COMMIT, &r, 2000));
    CHECK_INT_EQ(r.status, 200);
    close(c.fd);
    got_release(&g);
    vgl_source_free(s);
}

TEST(http_413_without_reading_the_body)
{
    struct vgl_http_ingest_opts h = {.max_body_bytes = 1000};
    struct vgl_source *s = http_new(&h, 0);
    CHECK(s != NULL);
    if (!s)
        return;
    struct client c;
    struct resp r;
    struct got g = {0};
    client_open(&c, vgl_source_net_port(s));
    send_str(c.fd, "POST /ingest/svc/res HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n"
                   "Expect: 100-continue\r\n\r\n");
    CHECK(pump_response(s, &c, &g, COMMIT, &r, 2000));
    CHECK_INT_EQ(r.status, 413);
    CHECK_STR_CONTAINS(r.head, "Connection: close");
    close(c.fd);
    /* chunked: refused at the chunk that passes the cap */
    client_open(&c, vgl_source_net_port(s));
    send_str(c.fd, "POST /ingest/svc/res HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "4\r\nok1\n\r\n800\r\n");
    CHECK(pump_response(s, &c, &g, COMMIT, &r, 2000));
    CHECK_INT_EQ(r.status, 413);
    close(c.fd);
    CHECK_INT_EQ(g.n, 1);   /* what came before the cap was handed out */
    got_release(&g);
    vgl_source_free(s);
}

TEST(http_429_when_pending_bytes_exceed_the_cap)
{
    struct vgl_http_ingest_opts h = {.max_pending_bytes = 100};
    struct vgl_source *s = http_new(&h, 0);
    CHECK(s != NULL);
    if (!s)
        return;
    int port = vgl_source_net_port(s);
    struct client a, b, c2;
    struct resp r;
    struct got g = {0};
    client_open(&a, port);
    char half[151];
    memset(half, 'a', 150);
    half[149] = '\n';
    half[150] = '\0';
    /* 150 of 300 bytes: received, not answered */
    send_str(a.fd, "POST /ingest/svc/res HTTP/1.1\r\nHost: x\r\nContent-Length: 300\r\n\r\n");
    send_all(a.fd, half, 150);
    pump(s, &g, 100);
    CHECK_INT_EQ(g.n, 1);
    client_open(&b, port);
    post(&b, "/ingest/svc/res", NULL, "b\n", 2);
    CHECK(pump_response(s, &b, &g, COMMIT, &r, 2000));
    CHECK_INT_EQ(r.status, 429);
    CHECK_STR_CONTAINS(r.head, "Retry-After: 1");
    close(b.fd);
    send_all(a.fd, half, 150);
    CHECK(pump_response(s, &a, &g, COMMIT, &r, 2000));
    CHECK_INT_EQ(r.status, 200);
    CHECK_STR_CONTAINS(r.body, "{\"accepted\": 2}");
    /* answered: the pending bytes are released */
    client_open(&c2, port);
    post(&c2, "/ingest/svc/res", NULL, "c\n", 2);
    CHECK(pump_response(s, &c2, &g, COMMIT, &r, 2000));
    CHECK_INT_EQ(r.status, 200);
    CHECK_INT_EQ(g.n, 3);
    close(a.fd);
    close(c2.fd);
    got_release(&g);
    vgl_source_free(s);
}

TEST(http_404_405_and_url_decoding)
{
    struct vgl_http_ingest_opts h = {.known = only_known};
    struct vgl_source *s = http_new(&h, 0);
    CHECK(s != NULL);
    if (!s)
        return;
    int port = vgl_source_net_port(s);
    struct client c;
    struct resp r;
    struct got g = {0};
    client_open(&c, port);
    post(&c, "/ingest/other/x", NULL, "x\n", 2);
    CHECK(pump_response(s, &c, &g, COMMIT, &r, 2000));
    CHECK_INT_EQ(r.status, 404);
    CHECK_STR_CONTAINS(r.body, "{\"error\": \"unknown data source\"}");
    CHECK_STR_CONTAINS(r.head, "Content-Type: application/json");
    close(c.fd);

    client_open(&c, port);
    send_str(c.fd, "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(pump_response(s, &c, &g, COMMIT, &r, 2000));
    CHECK_INT_EQ(r.status, 404);
    send_str(c.fd, "GET /ingest/svc/res HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(pump_response(s, &c, &g, COMMIT, &r, 2000));
    CHECK_INT_EQ(r.status, 405);
    CHECK_STR_CONTAINS(r.head, "Allow: POST");
    send_str(c.fd, "DELETE /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(pump_response(s, &c, &g, COMMIT, &r, 2000));
    CHECK_INT_EQ(r.status, 405);
    CHECK_STR_CONTAINS(r.head, "Allow: GET, HEAD");
    /* still keep-alive after errors on bodiless requests */
    post(&c, "/ingest/my%20svc/res%2Fa?x=1", NULL, "decoded\n", 8);
    CHECK(pump_response(s, &c, &g, COMMIT, &r, 2000));
    CHECK_INT_EQ(r.status, 200);
    CHECK_INT_EQ(g.n, 1);
    if (g.n == 1) {
        CHECK_STR_EQ(g.v[0].service, "my svc");
        CHECK_STR_EQ(g.v[0].resource, "res/a");
    }
    post(&c, "/ingest/svc/r%zz", NULL, "x\n", 2);
    CHECK(pump_response(s, &c, &g, COMMIT, &r, 2000));
    CHECK_INT_EQ(r.status, 400);
    close(c.fd);
    /* no length */
    client_open(&c, port);
    send_str(c.fd, "POST /ingest/svc/res HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(pump_response(s, &c, &g, COMMIT, &r, 2000));
    CHECK_INT_EQ(r.status, 411);
    close(c.fd);
    got_release(&g);
    vgl_source_free(s);
}

TEST(http_431_head_too_large)
{
    struct vgl_http_ingest_opts h = {0};
    struct vgl_source *s = http_new(&h, 0);
    CHECK(s != NULL);
    if (!s)
        return;
    struct client c;
    struct resp r;
    client_open(&c, vgl_source_net_port(s));
    send_str(c.fd, "GET /healthz HTTP/1.1\r\nX-Big: ");
    char big[20001];
    memset(big, 'a', 20000);
    big[20000] = '\0';
    send_str(c.fd, big);
    CHECK(pump_response(s, &c, NULL, COMMIT, &r, 2000));
    CHECK_INT_EQ(r.status, 431);
    close(c.fd);
    vgl_source_free(s);
}

TEST(http_keep_alive_and_healthz)
{
    struct vgl_http_ingest_opts h = {0};
    struct vgl_source *s = http_new(&h, 0);
    CHECK(s != NULL);
    if (!s)
        return;
    struct client c;
    struct resp r;
    struct got g = {0};
    client_open(&c, vgl_source_net_port(s));
    /* two requests and a health check in one write (pipelined) */
    send_str(c.fd, "POST /ingest/svc/res HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nr1a\n"
                   "POST /ingest/svc/res HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\n\r\nr2a\nr2b\n"
                   "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(pump_response(s, &c, &g, COMMIT, &r, 2000));
    CHECK_INT_EQ(r.status, 200);
    CHECK_STR_CONTAINS(r.body, "{\"accepted\": 1}");
    CHECK(pump_response(s, &c, &g, COMMIT, &r, 2000));
    CHECK_INT_EQ(r.status, 200);
    CHECK_STR_CONTAINS(r.body, "{\"accepted\": 2}");
    CHECK(pump_response(s, &c, &g, COMMIT, &r, 2000));
    CHECK_INT_EQ(r.status, 200);
    CHECK_STR_EQ(r.body, "ok");
    CHECK_STR_CONTAINS(r.head, "text/plain");
    CHECK_INT_EQ(g.n, 3);
    if (g.n == 3)
        CHECK(strcmp(g.v[0].pos, g.v[1].pos) != 0);
    /* Connection: close is honoured */
    send_str(c.fd, "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n");
    CHECK(pump_response(s, &c, &g, COMMIT, &r, 2000));
    CHECK_INT_EQ(r.status, 200);
    pump(s, NULL, 50);
    client_read(&c);
    CHECK(c.closed);
    close(c.fd);
    got_release(&g);
    vgl_source_free(s);
}

TEST(http_binary_body_byte_exact)
{
    struct vgl_http_ingest_opts h = {0};
    struct vgl_source *s = http_new(&h, 16);
    CHECK(s != NULL);
    if (!s)
        return;
    struct client c;
    struct resp r;
    struct got g = {0};
    client_open(&c, vgl_source_net_port(s));
    static const char body[] = "\xff\xfe\x00\x01" "a\n\xc3\x28 bad utf8\n"
                               "0123456789abcdefXYZ\nend";
    post(&c, "/ingest/svc/res", NULL, body, sizeof body - 1);
    CHECK(pump_response(s, &c, &g, COMMIT, &r, 2000));
    CHECK_INT_EQ(r.status, 200);
    CHECK_INT_EQ(g.n, 4);
    if (g.n == 4) {
        CHECK_INT_EQ(g.v[0].len, 5);
        CHECK(memcmp(g.v[0].data, "\xff\xfe\x00\x01" "a", 5) == 0);
        CHECK_INT_EQ(g.v[1].len, 11);
        CHECK(memcmp(g.v[1].data, "\xc3\x28 bad utf8", 11) == 0);
        CHECK(g.v[2].oversize);   /* over max_record_bytes (16) */
        CHECK_INT_EQ(g.v[2].olen, 19);
        CHECK_STR_EQ(g.v[3].data, "end");
    }
    close(c.fd);
    got_release(&g);
    vgl_source_free(s);
}

TEST(http_request_id_positions)
{
    struct vgl_http_ingest_opts h = {0};
    struct vgl_source *s = http_new(&h, 0);
    CHECK(s != NULL);
    if (!s)
        return;
    struct client c;
    struct resp r;
    struct got g = {0};
    client_open(&c, vgl_source_net_port(s));
    for (int i = 0; i < 2; i++) {
        post(&c, "/ingest/svc/res", "Idempotency-Key: retry-me\r\n", "x\ny\n", 4);
        CHECK(pump_response(s, &c, &g, COMMIT, &r, 2000));
        CHECK_INT_EQ(r.status, 200);
    }
    for (int i = 0; i < 2; i++) {
        post(&c, "/ingest/svc/res", NULL, "x\n", 2);
        CHECK(pump_response(s, &c, &g, COMMIT, &r, 2000));
        CHECK_INT_EQ(r.status, 200);
    }
    post(&c, "/ingest/svc/res", "X-Request-Id: has space\r\n", "x\n", 2);
    CHECK(pump_response(s, &c, &g, COMMIT, &r, 2000));
    CHECK_INT_EQ(r.status, 400);
    CHECK_INT_EQ(g.n, 6);
    if (g.n == 6) {
        CHECK_STR_EQ(g.v[0].pos, "http:retry-me:1");
        CHECK_STR_EQ(g.v[1].pos, "http:retry-me:2");
        CHECK_STR_EQ(g.v[2].pos, "http:retry-me:1");
        CHECK_STR_EQ(g.v[3].pos, "http:retry-me:2");
        CHECK(strcmp(g.v[4].pos, g.v[5].pos) != 0);
        CHECK_INT_EQ(strlen(g.v[4].pos), strlen("http:") + 32 + strlen(":1"));
    }
    close(c.fd);
    got_release(&g);
    vgl_source_free(s);
}

TEST(http_idle_timeout_and_connection_cap)
{
    struct vgl_http_ingest_opts h = {.idle_timeout_ms = 150, .max_connections = 2};
    struct vgl_source *s = http_new(&h, 0);
    CHECK(s != NULL);
    if (!s)
        return;
    int port = vgl_source_net_port(s);
    struct client a, b, c;
    client_open(&a, port);
    client_open(&b, port);
    send_str(a.fd, "POST /ingest/svc/res HTTP/1.1\r\n");   /* and then nothing */
    pump(s, NULL, 50);
    client_open(&c, port);   /* third: accepted and closed */
    pump(s, NULL, 50);
    client_read(&c);
    CHECK(c.closed);
    pump(s, NULL, 300);
    client_read(&a);
    client_read(&b);
    CHECK(a.closed);
    CHECK(b.closed);
    close(a.fd);
    close(b.fd);
    close(c.fd);
    vgl_source_free(s);
}

TEST(http_request_spanning_batches_and_client_gone)
{
    struct vgl_http_ingest_opts h = {0};
    struct vgl_source *s = http_new(&h, 0);
    CHECK(s != NULL);
    if (!s)
        return;
    struct client c;
    struct resp r;
    client_open(&c, vgl_source_net_port(s));
    post(&c, "/ingest/svc/res", NULL, "1\n2\n3\n4\n5\n", 10);
    /* batches of two: the answer waits for the third batch */
    struct vgl_error err = {0};
    struct vgl_source_batch b;
    size_t n = 0;
    int64_t end = ms_now() + 2000;
    while (n < 5 && ms_now() < end) {
        CHECK_INT_EQ(s->ops->next(s, &b, 2, 1 << 20, 10, &err), 0);
        CHECK(b.n <= 2);
        n += b.n;
        if (n < 5) {
            s->ops->committed(s, &b);
            CHECK(client_silent(&c, 0));
        }
    }
    CHECK_INT_EQ(n, 5);
    s->ops->committed(s, &b);
    CHECK(pump_response(s, &c, NULL, COMMIT, &r, 2000));
    CHECK_INT_EQ(r.status, 200);
    CHECK_STR_CONTAINS(r.body, "{\"accepted\": 5}");
    /* a client that leaves before the commit: nothing breaks */
    post(&c, "/ingest/svc/res", NULL, "x\n", 2);
    struct got g = {0};
    CHECK(collect_hold(s, &g, 1, 2000, &b));
    close(c.fd);
    s->ops->committed(s, &b);
    pump(s, NULL, 30);
    got_release(&g);
    vgl_source_free(s);
}

TEST(http_bad_options)
{
    struct vgl_error err = {0};
    struct vgl_source_opts opts = {0};
    struct vgl_http_ingest_opts h = {.listen = "no-port"};
    CHECK(vgl_source_http_new(&h, &opts, &err) == NULL);
    CHECK_INT_EQ(err.code, VGL_ECONFIG);
    CHECK(vgl_source_http_new(NULL, &opts, &err) == NULL);
    CHECK_INT_EQ(vgl_source_net_port(NULL), -1);
}

TEST_MAIN(T(syslog_udp_single_and_multiline), T(syslog_udp_batch_limits_and_failed_redelivery),
          T(syslog_tcp_newline_and_octet_counting), T(syslog_tcp_many_connections),
          T(syslog_oversize_frames), T(syslog_udp_flood), T(syslog_bad_addresses),
          T(http_post_content_length_200_only_after_commit), T(http_failed_batch_answers_503),
          T(http_chunked_body_in_pieces), T(http_bearer_token),
          T(http_413_without_reading_the_body), T(http_429_when_pending_bytes_exceed_the_cap),
          T(http_404_405_and_url_decoding), T(http_431_head_too_large),
          T(http_keep_alive_and_healthz), T(http_binary_body_byte_exact),
          T(http_request_id_positions), T(http_idle_timeout_and_connection_cap),
          T(http_request_spanning_batches_and_client_gone), T(http_bad_options))
