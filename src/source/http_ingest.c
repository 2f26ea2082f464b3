/*
 * source/http_ingest.c: HTTP ingest as a source (docs/source-net.md).
 *
 * A small HTTP/1.1 server on poll(), driven from next(): POST /ingest/<service>/<resource>
 * with newline-delimited payloads (each non-blank line one item), GET /healthz.  Keep-alive,
 * Content-Length and chunked bodies; request line + headers capped (431), bodies capped
 * (413, from Content-Length before reading, or while reading chunks), bytes received for
 * unanswered requests capped (429), idle clients closed.
 *
 * Durability: a POST is answered 200 only in committed() for the batch that holds its last
 * payload (at once when it had none), 503 when a batch holding any of its payloads failed.
 * Batches are sequential (next, then committed or failed), so a request touched the batch
 * being resolved exactly when its last_batch is that batch's number.  A connection reads
 * nothing more while its request waits for the commit.
 *
 * Positions are "http:<request id>:<line>": the client's X-Request-Id (or Idempotency-Key),
 * else a random 128-bit hex id; line is the 1-based line number in the body (blank lines
 * counted), so a retried request yields the same positions and alert ids.
 */
#define _GNU_SOURCE
#include "source/net.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "source/source.h"

#define DEFAULT_MAX_RECORD ((size_t)16 << 20)
#define DEFAULT_MAX_BODY ((size_t)64 << 20)
#define DEFAULT_MAX_PENDING ((size_t)256 << 20)
#define DEFAULT_IDLE_MS 30000
#define HEAD_MAX VGL_HTTP_MAX_HEADER_BYTES
#define IN_MAX (HEAD_MAX + (64 << 10))   /* raw input buffered per connection */
#define CHUNK_LINE_MAX 1024             /* "<hex size>[;ext]" */
#define REQID_MAX 128
#define LINGER_MS 2000                  /* discard input this long before closing */
#define LINGER_BYTES (1 << 20)
#define OUT_MAX 4096

enum cstate {
    C_HEAD,    /* reading a request line and headers */
    C_BODY,    /* reading the body of an accepted POST */
    C_WAIT,    /* body read: waiting for the commit of its last payload's batch */
    C_WRITE,   /* writing a response */
    C_LINGER,  /* error answered: discarding input until EOF, then closing */
};

enum chunk_state { CH_SIZE, CH_DATA, CH_CRLF, CH_TRAILER };

struct hconn {
    int fd;
    enum cstate st;
    bool eof;                    /* the client closed its side or the socket failed */
    bool dead;                   /* to be closed */
    bool close_after;            /* close once the response is written */
    bool linger;                 /* unread input may follow: linger before closing */
    int64_t last_ms;             /* last progress: for the idle timeout */
    size_t lingered;
    char *in;                    /* raw input: in[off..len) unparsed */
    size_t off, len;
    struct vgl_buf out;
    size_t out_off;
    /* the current request */
    char *service, *resource;
    char reqid[REQID_MAX + 1];
    bool chunked, ending;
    enum chunk_state ch;
    uint64_t body_left;          /* Content-Length left, or the current chunk's */
    uint64_t body_total;         /* body bytes so far (decoded) */
    uint64_t lineno;             /* lines completed so far */
    uint64_t npayloads;
    uint64_t last_batch;         /* number of the batch with its latest payload (0: none) */
    bool failed;                 /* a batch with its payloads failed: answer 503 */
    size_t recv_bytes;           /* counted in pending_bytes until answered */
    struct vgl_buf line;         /* the partial line, at most max_record bytes */
    bool oversize;
    uint64_t oversize_len;
    uint64_t str_batch;          /* batch whose store holds service/resource at: */
    size_t svc_off, res_off;
};

struct http_src {
    struct vgl_source base;
    int fd, port;
    char *token;
    size_t token_len;
    size_t max_record, max_body, max_pending, max_conns;
    int idle_ms;
    vgl_http_known_fn known;
    void *ud;
    size_t pending_bytes;
    struct hconn **conns;
    size_t nconns, conns_cap, rr;
    struct pollfd *pfds;
    size_t pfds_cap;
    int64_t accept_pause_until;
    uint64_t batch_seq;          /* number of the batch being built or handed out */
    bool resolved;               /* the handed-out batch was committed or failed */
    /* the batch */
    struct vgl_source_item *items;
    size_t *offs;                /* data offset, service offset, resource offset per item */
    size_t n, items_cap;
    char *store;
    size_t slen, scap;
    size_t max_items, max_bytes;
};

static const struct vgl_source_ops http_ops;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool batch_full(const struct http_src *s)
{
    return s->n >= s->max_items || s->slen >= s->max_bytes;
}

static size_t store_put(struct http_src *s, const char *p, size_t len)
{
    if (s->slen + len + 1 > s->scap)
        s->store = vgl_xgrow(s->store, &s->scap, s->slen + len + 1, 1);
    size_t at = s->slen;
    if (len)
        memcpy(s->store + at, p, len);
    s->store[at + len] = '\0';
    s->slen += len + 1;
    return at;
}

/* ---------------------------------------------------------------- responses */

static const char *status_text(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Error";
    }
}

static void request_reset(struct http_src *s, struct hconn *c)
{
    free(c->service);
    free(c->resource);
    c->service = c->resource = NULL;
    c->reqid[0] = '\0';
    c->chunked = c->ending = false;
    c->ch = CH_SIZE;
    c->body_left = c->body_total = c->lineno = c->npayloads = c->last_batch = 0;
    c->failed = false;
    s->pending_bytes -= c->recv_bytes;
    c->recv_bytes = 0;
    vgl_buf_reset(&c->line);
    c->oversize = false;
    c->oversize_len = 0;
    c->str_batch = 0;
}

static void conn_flush(struct http_src *s, struct hconn *c);

/* Queues a response; the request is over (its pending bytes are released).  close: the
 * connection closes after it, lingering when the request's body was not read. */
static void respond(struct http_src *s, struct hconn *c, int status, const char *headers,
                    const char *ctype, const char *body, bool close, bool head_only)
{
    if (close) {
        c->close_after = true;
        c->linger = c->st == C_HEAD || c->st == C_BODY;
    }
    vgl_buf_reset(&c->out);
    size_t blen = strlen(body);
    int rc = vgl_buf_printf(&c->out,
                            "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                            "%s%s%s%s%s\r\n%s",
                            status, status_text(status), ctype, blen,
                            c->reqid[0] ? "X-Request-Id: " : "", c->reqid,
                            c->reqid[0] ? "\r\n" : "", headers ? headers : "",
                            c->close_after ? "Connection: close\r\n" : "", head_only ? "" : body);
    if (rc < 0)
        VGL_BUG("http response over OUT_MAX");
    c->out_off = 0;
    c->st = C_WRITE;
    c->last_ms = now_ms();
    request_reset(s, c);
    conn_flush(s, c);
}

static void respond_error(struct http_src *s, struct hconn *c, int status, const char *msg,
                          const char *headers, bool close)
{
    char body[256];
    snprintf(body, sizeof body, "{\"error\": \"%s\"}\n", msg);
    respond(s, c, status, headers, "application/json", body, close, false);
}

static void respond_accepted(struct http_src *s, struct hconn *c)
{
    char body[64];
    snprintf(body, sizeof body, "{\"accepted\": %" PRIu64 "}\n", c->npayloads);
    respond(s, c, 200, NULL, "application/json", body, false, false);
}

/* Writes what the socket takes; once the response is out, goes on with the next request,
 * lingers or closes. */
static void conn_flush(struct http_src *s, struct hconn *c)
{
    (void)s;
    while (c->st == C_WRITE && c->out_off < c->out.len) {
        ssize_t w = send(c->fd, c->out.data + c->out_off, c->out.len - c->out_off,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            if (errno == EINTR)
                continue;
            c->dead = true;
            return;
        }
        c->out_off += (size_t)w;
        c->last_ms = now_ms();
    }
    if (c->st != C_WRITE)
        return;
    if (!c->close_after) {
        c->st = C_HEAD;
        return;
    }
    if (c->linger && !c->eof) {
        /* Closing with unread input would reset the connection and could lose the
         * response: stop writing, discard input for a while, then close. */
        shutdown(c->fd, SHUT_WR);
        c->st = C_LINGER;
        c->lingered = 0;
        c->last_ms = now_ms();
        return;
    }
    c->dead = true;
}

/* ---------------------------------------------------------------- the body */

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}


static bool blank(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i] != ' ' && p[i] != '\t')
            return false;
    return true;
}

static struct vgl_source_item *add_item(struct http_src *s, struct hconn *c)
{
    if (s->n == s->items_cap) {
        size_t cap = s->items_cap;
        s->items = vgl_xgrow(s->items, &cap, s->n + 1, sizeof *s->items);
        s->offs = vgl_xrealloc(s->offs, cap * 3 * sizeof *s->offs);
        s->items_cap = cap;
    }
    if (c->str_batch != s->batch_seq) {   /* once per request and batch */
        c->svc_off = store_put(s, c->service, strlen(c->service));
        c->res_off = store_put(s, c->resource, strlen(c->resource));
        c->str_batch = s->batch_seq;
    }
    struct vgl_source_item *it = &s->items[s->n];
    memset(it, 0, sizeof *it);
    snprintf(it->position, sizeof it->position, "http:%s:%" PRIu64, c->reqid, c->lineno);
    s->offs[3 * s->n] = 0;
    s->offs[3 * s->n + 1] = c->svc_off;
    s->offs[3 * s->n + 2] = c->res_off;
    s->n++;
    c->npayloads++;
    c->last_batch = s->batch_seq;
    return it;
}

/* A complete line (number c->lineno): one item unless blank or the request failed. */
static void emit_line(struct http_src *s, struct hconn *c, const char *p, size_t len)
{
    c->lineno++;
    if (c->failed)
        return;
    if (c->oversize) {
        uint64_t olen = c->oversize_len + len;
        c->oversize = false;
        c->oversize_len = 0;
        struct vgl_source_item *it = add_item(s, c);
        it->oversize = true;
        it->oversize_len = olen;
        return;
    }
    if (len && p[len - 1] == '\r')
        len--;
    if (blank(p, len))
        return;
    if (len > s->max_record) {
        struct vgl_source_item *it = add_item(s, c);
        it->oversize = true;
        it->oversize_len = len;
        return;
    }
    size_t at = store_put(s, p, len);
    struct vgl_source_item *it = add_item(s, c);
    s->offs[3 * (s->n - 1)] = at;
    it->len = len;
}

/* Feeds k decoded body bytes through the line splitter; stops before a line that does not
 * fit in the batch.  Returns how many bytes it took. */
static size_t body_bytes(struct http_src *s, struct hconn *c, const char *p, size_t k)
{
    size_t i = 0;
    while (i < k) {
        const char *nl = memchr(p + i, '\n', k - i);
        size_t seg = nl ? (size_t)(nl - (p + i)) : k - i;
        if (nl) {
            if (batch_full(s))
                break;
            if (c->oversize) {
                emit_line(s, c, NULL, seg);
            } else if (c->line.len == 0) {
                emit_line(s, c, p + i, seg);
            } else if (c->line.len + seg > s->max_record) {
                c->oversize = true;
                c->oversize_len = c->line.len;
                vgl_buf_reset(&c->line);
                emit_line(s, c, NULL, seg);
            } else {
                (void)vgl_buf_append(&c->line, p + i, seg);
                emit_line(s, c, c->line.data, c->line.len);
                vgl_buf_reset(&c->line);
            }
            i += seg + 1;
        } else {
            if (c->oversize) {
                c->oversize_len += seg;
            } else if (c->line.len + seg > s->max_record) {
                c->oversize = true;
                c->oversize_len = c->line.len + seg;
                vgl_buf_reset(&c->line);
            } else {
                (void)vgl_buf_append(&c->line, p + i, seg);
            }
            i = k;
        }
    }
    c->body_total += i;
    c->recv_bytes += i;
    s->pending_bytes += i;
    return i;
}

/* The body is complete: the last line, then the answer (now, or at the commit). */
static bool body_end(struct http_src *s, struct hconn *c)
{
    c->ending = true;
    if (c->oversize || c->line.len) {
        if (batch_full(s))
            return false;
        if (c->oversize)
            emit_line(s, c, NULL, 0);
        else
            emit_line(s, c, c->line.data, c->line.len);
        vgl_buf_reset(&c->line);
    }
    c->ending = false;
    if (c->failed)
        respond_error(s, c, 503, "not committed, retry", "Retry-After: 1\r\n", false);
    else if (c->npayloads == 0 || c->last_batch < s->batch_seq)
        respond_accepted(s, c);   /* every payload is in an already committed batch */
    else
        c->st = C_WAIT;
    return true;
}

/* Runs the body state machine over buffered input.  Returns false when it needs more
 * input or batch room. */
static bool body_step(struct http_src *s, struct hconn *c)
{
    const char *p = c->in + c->off;
    size_t avail = c->len - c->off;
    if (c->ending)
        return body_end(s, c);
    if (!c->chunked) {
        if (c->body_left == 0)
            return body_end(s, c);
        if (avail == 0)
            return false;
        size_t k = avail < c->body_left ? avail : (size_t)c->body_left;
        size_t took = body_bytes(s, c, p, k);
        c->off += took;
        c->body_left -= took;
        return took > 0;
    }
    switch (c->ch) {
    case CH_SIZE: {
        const char *nl = memchr(p, '\n', avail);
        if (!nl) {
            if (avail > CHUNK_LINE_MAX)
                respond_error(s, c, 400, "bad chunk size line", NULL, true);
            return false;
        }
        uint64_t sz = 0;
        size_t i = 0;
        for (; i < (size_t)(nl - p) && hexval(p[i]) >= 0 && i < 16; i++)
            sz = sz * 16 + (uint64_t)hexval(p[i]);
        if (i == 0 || (p[i] != ';' && p[i] != '\r' && p[i] != '\n' && p[i] != ' ' &&
                       p[i] != '\t')) {
            respond_error(s, c, 400, "bad chunk size line", NULL, true);
            return true;
        }
        c->off += (size_t)(nl - p) + 1;
        if (sz > s->max_body || c->body_total + sz > s->max_body) {
            c->failed = true;   /* payloads already handed out stay; the rest is refused */
            respond_error(s, c, 413, "body too large", NULL, true);
            return true;
        }
        c->body_left = sz;
        c->ch = sz ? CH_DATA : CH_TRAILER;
        return true;
    }
    case CH_DATA: {
        if (avail == 0)
            return false;
        size_t k = avail < c->body_left ? avail : (size_t)c->body_left;
        size_t took = body_bytes(s, c, p, k);
        c->off += took;
        c->body_left -= took;
        if (c->body_left == 0)
            c->ch = CH_CRLF;
        return took > 0;
    }
    case CH_CRLF:
        if (avail >= 1 && p[0] == '\n') {
            c->off += 1;
        } else if (avail >= 2 && p[0] == '\r' && p[1] == '\n') {
            c->off += 2;
        } else if (avail >= 2 || (avail == 1 && p[0] != '\r')) {
            respond_error(s, c, 400, "bad chunk framing", NULL, true);
            return true;
        } else {
            return false;
        }
        c->ch = CH_SIZE;
        return true;
    case CH_TRAILER: {
        const char *nl = memchr(p, '\n', avail);
        if (!nl) {
            if (avail > HEAD_MAX)
                respond_error(s, c, 431, "trailers too large", NULL, true);
            return false;
        }
        size_t ll = (size_t)(nl - p);
        c->off += ll + 1;
        if (ll == 0 || (ll == 1 && p[0] == '\r'))
            return body_end(s, c);
        return true;
    }
    }
    return false;
}

/* ---------------------------------------------------------------- the request head */

static bool ct_equal(const char *a, size_t alen, const char *b, size_t blen)
{
    /* constant time in the length of b (the secret) */
    unsigned char d = alen != blen;
    for (size_t i = 0; i < blen; i++)
        d |= (unsigned char)((i < alen ? a[i] : 0) ^ b[i]);
    return d == 0;
}

/* URL-decodes p[0..n) into a new string; NULL for a bad escape, an empty result or %00. */
static char *url_decode(const char *p, size_t n)
{
    if (n == 0)
        return NULL;
    char *out = vgl_xmalloc(n + 1);
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] != '%') {
            out[j++] = p[i];
            continue;
        }
        if (i + 2 >= n) {
            free(out);
            return NULL;
        }
        int h = hexval(p[i + 1]), l = hexval(p[i + 2]);
        if (h < 0 || l < 0 || (h == 0 && l == 0)) {
            free(out);
            return NULL;
        }
        out[j++] = (char)(h * 16 + l);
        i += 2;
    }
    out[j] = '\0';
    return out;
}

static void random_id(char *out)
{
    unsigned char r[16];
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
        /* never expected; still unique enough within a process */
        static uint64_t counter;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t a = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
        uint64_t b = ++counter ^ ((uint64_t)getpid() << 32);
        memcpy(r, &a, 8);
        memcpy(r + 8, &b, 8);
    }
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", r[i]);
}

struct head {
    const char *method, *target;
    size_t mlen, tlen;
    bool http10;
    const char *cl, *te, *auth, *conn, *reqid, *expect;
    size_t cllen, telen, authlen, connlen, reqidlen, expectlen;
    int ncl;
};

static bool name_is(const char *p, size_t n, const char *name)
{
    return strlen(name) == n && strncasecmp(p, name, n) == 0;
}

static bool value_has(const char *v, size_t n, const char *word)
{
    size_t wl = strlen(word);
    for (size_t i = 0; i + wl <= n; i++)
        if (strncasecmp(v + i, word, wl) == 0)
            return true;
    return false;
}

/* Parses the head p[0..n) (request line and header lines, without the blank line).
 * Returns 0 or an HTTP status for a bad head. */
static int parse_head(const char *p, size_t n, struct head *h)
{
    memset(h, 0, sizeof *h);
    const char *end = p + n;
    const char *eol = memchr(p, '\n', n);
    if (!eol)
        eol = end;
    const char *sp1 = memchr(p, ' ', (size_t)(eol - p));
    if (!sp1)
        return 400;
    const char *sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1));
    if (!sp2)
        return 400;
    h->method = p;
    h->mlen = (size_t)(sp1 - p);
    h->target = sp1 + 1;
    h->tlen = (size_t)(sp2 - sp1 - 1);
    const char *ver = sp2 + 1;
    size_t vlen = (size_t)(eol - ver);
    if (vlen && ver[vlen - 1] == '\r')
        vlen--;
    if (vlen != 8 || strncmp(ver, "HTTP/1.", 7) != 0)
        return vlen >= 5 && strncmp(ver, "HTTP/", 5) == 0 ? 505 : 400;
    h->http10 = ver[7] == '0';
    if (h->mlen == 0 || h->tlen == 0)
        return 400;
    for (size_t i = 0; i < h->tlen; i++)
        if ((unsigned char)h->target[i] <= 0x20 || h->target[i] == 0x7f)
            return 400;
    const char *q = eol < end ? eol + 1 : end;
    while (q < end) {
        const char *le = memchr(q, '\n', (size_t)(end - q));
        if (!le)
            le = end;
        size_t ll = (size_t)(le - q);
        if (ll && q[ll - 1] == '\r')
            ll--;
        if (ll == 0 || q[0] == ' ' || q[0] == '\t')
            return 400;   /* obsolete line folding */
        const char *colon = memchr(q, ':', ll);
        if (!colon || colon == q)
            return 400;
        size_t nl = (size_t)(colon - q);
        const char *v = colon + 1, *ve = q + ll;
        while (v < ve && (*v == ' ' || *v == '\t'))
            v++;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        size_t vl = (size_t)(ve - v);
        if (name_is(q, nl, "content-length")) {
            if (h->ncl++ && (vl != h->cllen || memcmp(v, h->cl, vl) != 0))
                return 400;
            h->cl = v, h->cllen = vl;
        } else if (name_is(q, nl, "transfer-encoding")) {
            h->te = v, h->telen = vl;
        } else if (name_is(q, nl, "authorization")) {
            h->auth = v, h->authlen = vl;
        } else if (name_is(q, nl, "connection")) {
            h->conn = v, h->connlen = vl;
        } else if (name_is(q, nl, "x-request-id") ||
                   (name_is(q, nl, "idempotency-key") && !h->reqid)) {
            h->reqid = v, h->reqidlen = vl;
        } else if (name_is(q, nl, "expect")) {
            h->expect = v, h->expectlen = vl;
        }
        q = le < end ? le + 1 : end;
    }
    return 0;
}

/* Splits "/ingest/<service>/<resource>[?query]" into decoded parts.  Returns 0, 404 (not an
 * ingest path) or 400 (bad escape). */
static int ingest_path(const char *t, size_t n, char **service, char **resource)
{
    const char *qm = memchr(t, '?', n);
    if (qm)
        n = (size_t)(qm - t);
    if (n < 8 || memcmp(t, "/ingest/", 8) != 0)
        return 404;
    const char *a = t + 8, *end = t + n;
    const char *slash = memchr(a, '/', (size_t)(end - a));
    if (!slash || slash == a || slash + 1 == end || memchr(slash + 1, '/', (size_t)(end - slash - 1)))
        return 404;
    *service = url_decode(a, (size_t)(slash - a));
    *resource = url_decode(slash + 1, (size_t)(end - slash - 1));
    if (!*service || !*resource) {
        free(*service);
        free(*resource);
        *service = *resource = NULL;
        return 400;
    }
    return 0;
}

static bool path_is(const char *t, size_t n, const char *path)
{
    const char *qm = memchr(t, '?', n);
    if (qm)
        n = (size_t)(qm - t);
    return name_is(t, n, path) && memcmp(t, path, n) == 0;
}

/* Handles a complete head: answers it, or sets the connection up to read the body. */
static void handle_head(struct http_src *s, struct hconn *c, const char *p, size_t n)
{
    struct head h;
    int bad = parse_head(p, n, &h);
    if (bad) {
        respond_error(s, c, bad, bad == 505 ? "http version not supported" : "bad request",
                      NULL, true);
        return;
    }
    bool close = h.conn ? value_has(h.conn, h.connlen, "close")
                        : h.http10;
    if (h.http10 && h.conn && value_has(h.conn, h.connlen, "keep-alive"))
        close = false;
    c->close_after = close;
    c->linger = false;

    if (path_is(h.target, h.tlen, "/healthz")) {
        bool get = name_is(h.method, h.mlen, "GET") && memcmp(h.method, "GET", 3) == 0;
        bool headm = h.mlen == 4 && memcmp(h.method, "HEAD", 4) == 0;
        if (!get && !headm) {
            respond_error(s, c, 405, "method not allowed", "Allow: GET, HEAD\r\n", h.cl || h.te);
            return;
        }
        if (h.cl || h.te) {   /* a body on a GET: not worth reading */
            respond_error(s, c, 400, "unexpected body", NULL, true);
            return;
        }
        respond(s, c, 200, NULL, "text/plain", "ok", close, headm);
        return;
    }
    char *service = NULL, *resource = NULL;
    int rc = ingest_path(h.target, h.tlen, &service, &resource);
    bool body = h.cl || h.te;
    if (rc) {
        respond_error(s, c, rc, rc == 404 ? "not found" : "bad path escape", NULL, body);
        return;
    }
    if (h.mlen != 4 || memcmp(h.method, "POST", 4) != 0) {
        free(service);
        free(resource);
        respond_error(s, c, 405, "method not allowed", "Allow: POST\r\n", body);
        return;
    }
    c->service = service;
    c->resource = resource;
    if (s->token_len) {
        bool ok = h.auth && h.authlen > 7 && strncasecmp(h.auth, "Bearer ", 7) == 0;
        const char *tok = ok ? h.auth + 7 : "";
        size_t tlen = ok ? h.authlen - 7 : 0;
        while (ok && tlen && *tok == ' ')
            tok++, tlen--;
        if (!ct_equal(tok, tlen, s->token, s->token_len) || !ok) {
            respond_error(s, c, 401, "unauthorized", "WWW-Authenticate: Bearer\r\n", true);
            return;
        }
    }
    if (h.reqid) {
        bool good = h.reqidlen > 0 && h.reqidlen <= REQID_MAX;
        for (size_t i = 0; good && i < h.reqidlen; i++)
            good = h.reqid[i] > 0x20 && h.reqid[i] < 0x7f;
        if (!good) {
            respond_error(s, c, 400, "bad X-Request-Id: 1-128 visible ascii characters", NULL,
                          true);
            return;
        }
        memcpy(c->reqid, h.reqid, h.reqidlen);
        c->reqid[h.reqidlen] = '\0';
    }
    if (s->known && !s->known(s->ud, service, resource)) {
        respond_error(s, c, 404, "unknown data source", NULL, true);
        return;
    }
    uint64_t cl = 0;
    if (h.te) {
        if (h.cl) {
            respond_error(s, c, 400, "both content-length and transfer-encoding", NULL, true);
            return;
        }
        if (!(h.telen == 7 && strncasecmp(h.te, "chunked", 7) == 0)) {
            respond_error(s, c, 501, "unsupported transfer-encoding", NULL, true);
            return;
        }
        c->chunked = true;
        c->ch = CH_SIZE;
    } else if (h.cl) {
        for (size_t i = 0; i < h.cllen; i++) {
            if (h.cl[i] < '0' || h.cl[i] > '9' || i >= 18) {
                respond_error(s, c, 400, "bad content-length", NULL, true);
                return;
            }
            cl = cl * 10 + (uint64_t)(h.cl[i] - '0');
        }
        if (h.cllen == 0) {
            respond_error(s, c, 400, "bad content-length", NULL, true);
            return;
        }
        if (cl > s->max_body) {
            respond_error(s, c, 413, "body too large", NULL, true);
            return;
        }
    } else {
        respond_error(s, c, 411, "length required", NULL, true);
        return;
    }
    /* Admitted while nothing is pending, or when it fits. */
    if (s->pending_bytes >= s->max_pending ||
        (s->pending_bytes > 0 && s->pending_bytes + cl > s->max_pending)) {
        respond_error(s, c, 429, "too many pending bytes, retry", "Retry-After: 1\r\n", true);
        return;
    }
    if (!c->reqid[0])
        random_id(c->reqid);
    c->body_left = cl;
    c->st = C_BODY;
    if (h.expect && value_has(h.expect, h.expectlen, "100-continue") && !h.http10) {
        static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
        /* a short write only costs the client its expect timeout */
        (void)!send(c->fd, cont, sizeof cont - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
    }
}

/* Finds the end of the head in buffered input: returns the head length (without the blank
 * line) and sets *skip to the bytes to consume, or returns SIZE_MAX when incomplete. */
static size_t head_end(const char *p, size_t n, size_t *skip)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != '\n')
            continue;
        if (i + 1 < n && p[i + 1] == '\n') {
            *skip = i + 2;
            return i;
        }
        if (i + 2 < n && p[i + 1] == '\r' && p[i + 2] == '\n') {
            *skip = i + 3;
            return i > 0 && p[i - 1] == '\r' ? i - 1 : i;
        }
    }
    return SIZE_MAX;
}

/* Runs a connection over its buffered input as far as it goes. */
static void conn_step(struct http_src *s, struct hconn *c)
{
    for (;;) {
        if (c->dead)
            return;
        if (c->st == C_HEAD) {
            /* blank lines before a request line are ignored (RFC 9112 2.2) */
            while (c->off < c->len && (c->in[c->off] == '\r' || c->in[c->off] == '\n'))
                c->off++;
            const char *p = c->in + c->off;
            size_t avail = c->len - c->off, skip = 0;
            size_t hl = head_end(p, avail, &skip);
            if (hl == SIZE_MAX) {
                if (avail > HEAD_MAX)
                    respond_error(s, c, 431, "request head too large", NULL, true);
                else if (c->eof)
                    c->dead = true;
                else
                    return;
                continue;
            }
            if (hl > HEAD_MAX) {
                respond_error(s, c, 431, "request head too large", NULL, true);
                continue;
            }
            c->off += skip;
            c->last_ms = now_ms();
            handle_head(s, c, p, hl);
            continue;
        }
        if (c->st == C_BODY) {
            if (!body_step(s, c)) {
                if (c->eof && c->st == C_BODY && c->off == c->len)
                    c->dead = true;   /* the client gave up mid-body: no answer possible */
                if (batch_full(s))
                    c->last_ms = now_ms();   /* waiting for us, not idle */
                return;
            }
            continue;
        }
        if (c->st == C_LINGER) {
            c->lingered += c->len - c->off;
            c->off = c->len;
            if (c->eof || c->lingered > LINGER_BYTES)
                c->dead = true;
            return;
        }
        return;   /* C_WAIT, C_WRITE: driven by the commit and by poll */
    }
}

/* ---------------------------------------------------------------- connections */

static void conn_close(struct http_src *s, struct hconn *c)
{
    request_reset(s, c);
    close(c->fd);
    free(c->in);
    vgl_buf_release(&c->out);
    vgl_buf_release(&c->line);
    free(c);
}

static void http_accept(struct http_src *s)
{
    if (now_ms() < s->accept_pause_until)
        return;
    for (;;) {
        int fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                vgl_warn(s->base.name, "accept: %s", strerror(errno));
                s->accept_pause_until = now_ms() + 100;
            }
            return;
        }
        if (s->nconns >= s->max_conns) {
            vgl_debug(s->base.name, "connection cap %zu reached: closing a new connection",
                      s->max_conns);
            close(fd);
            continue;
        }
        struct hconn *c = vgl_xcalloc(1, sizeof *c);
        c->fd = fd;
        c->st = C_HEAD;
        c->in = vgl_xmalloc(IN_MAX);
        c->last_ms = now_ms();
        vgl_buf_init(&c->out, OUT_MAX);
        vgl_buf_init(&c->line, s->max_record);
        s->conns = vgl_xgrow(s->conns, &s->conns_cap, s->nconns + 1, sizeof *s->conns);
        s->conns[s->nconns++] = c;
    }
}

static bool wants_input(const struct hconn *c)
{
    return !c->eof && (c->st == C_HEAD || c->st == C_BODY || c->st == C_LINGER);
}

static void conn_read(struct hconn *c)
{
    if (c->off == c->len) {
        c->off = c->len = 0;
    } else if (c->off > 0 && c->len == IN_MAX) {
        memmove(c->in, c->in + c->off, c->len - c->off);
        c->len -= c->off;
        c->off = 0;
    }
    if (c->len == IN_MAX)
        return;
    ssize_t r = recv(c->fd, c->in + c->len, IN_MAX - c->len, MSG_DONTWAIT);
    if (r > 0) {
        c->len += (size_t)r;
        c->last_ms = now_ms();
    } else if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        c->eof = true;
    }
}

static void sweep(struct http_src *s)
{
    int64_t now = now_ms();
    size_t j = 0;
    for (size_t i = 0; i < s->nconns; i++) {
        struct hconn *c = s->conns[i];
        int64_t limit = c->st == C_LINGER ? LINGER_MS : s->idle_ms;
        if (c->st != C_WAIT && now - c->last_ms >= limit)
            c->dead = true;
        if (c->dead)
            conn_close(s, c);
        else
            s->conns[j++] = c;
    }
    s->nconns = j;
}

static int http_poll(struct http_src *s, int wait_ms, struct vgl_error *err)
{
    size_t need = s->nconns + 1;
    if (need > s->pfds_cap)
        s->pfds = vgl_xgrow(s->pfds, &s->pfds_cap, need, sizeof *s->pfds);
    s->pfds[0] = (struct pollfd){.fd = s->fd, .events = POLLIN};
    int64_t now = now_ms();
    for (size_t i = 0; i < s->nconns; i++) {
        struct hconn *c = s->conns[i];
        short ev = 0;
        if (wants_input(c) && c->len - c->off < IN_MAX)
            ev |= POLLIN;
        if (c->st == C_WRITE)
            ev |= POLLOUT;
        s->pfds[i + 1] = (struct pollfd){.fd = c->fd, .events = ev};
        if (c->st != C_WAIT) {   /* wake up for the idle timeout */
            int64_t limit = c->st == C_LINGER ? LINGER_MS : s->idle_ms;
            int64_t left = c->last_ms + limit - now;
            if (left < 0)
                left = 0;
            if (left < wait_ms)
                wait_ms = (int)left;
        }
    }
    int r = poll(s->pfds, need, wait_ms);
    if (r < 0) {
        if (errno == EINTR)
            return 0;
        return vgl_error_set(err, VGL_EIO, "%s: poll: %s", s->base.name, strerror(errno));
    }
    if (r == 0)
        return 0;
    size_t n = s->nconns;
    for (size_t i = 0; i < n; i++) {
        struct hconn *c = s->conns[i];
        short re = s->pfds[i + 1].revents;
        if (!re)
            continue;
        if (re & POLLOUT)
            conn_flush(s, c);
        if ((re & (POLLIN | POLLHUP | POLLERR)) && wants_input(c))
            conn_read(c);
        else if (re & (POLLERR | POLLHUP))
            c->dead = true;   /* gone while waiting for its commit or its response */
    }
    if (s->pfds[0].revents)
        http_accept(s);
    return r;
}

/* ---------------------------------------------------------------- the source */

static void step_all(struct http_src *s)
{
    size_t n = s->nconns, k = 0;
    for (; k < n && !batch_full(s); k++)
        conn_step(s, s->conns[(s->rr + k) % n]);
    int64_t now = k < n ? now_ms() : 0;
    for (; k < n; k++) {   /* no turn for want of batch room: not idle */
        struct hconn *c = s->conns[(s->rr + k) % n];
        if (c->off < c->len)
            c->last_ms = now;
    }
    if (n)
        s->rr = (s->rr + 1) % n;
}

static void resolve(struct http_src *s, bool ok)
{
    if (s->resolved)
        return;
    s->resolved = true;
    for (size_t i = 0; i < s->nconns; i++) {
        struct hconn *c = s->conns[i];
        if ((c->st != C_BODY && c->st != C_WAIT) || c->last_batch != s->batch_seq)
            continue;
        if (!ok)
            c->failed = true;
        if (c->st != C_WAIT)
            continue;
        if (ok)
            respond_accepted(s, c);
        else
            respond_error(s, c, 503, "not committed, retry", "Retry-After: 1\r\n", false);
    }
}

static int http_next(struct vgl_source *src, struct vgl_source_batch *b, size_t max_items,
                     size_t max_bytes, int timeout_ms, struct vgl_error *err)
{
    struct http_src *s = (struct http_src *)src;
    resolve(s, false);   /* a batch neither committed nor failed was not committed */
    s->batch_seq++;
    s->resolved = false;
    s->n = 0;
    s->slen = 0;
    s->max_items = max_items ? max_items : 1;
    s->max_bytes = max_bytes ? max_bytes : SIZE_MAX;
    int64_t deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    int rc = 0;
    for (;;) {
        step_all(s);
        sweep(s);
        if (batch_full(s))
            break;
        int64_t left = deadline - now_ms();
        bool last = left <= 0;
        if (s->n || left < 0)
            left = 0;   /* something to hand out: take only what is ready now */
        rc = http_poll(s, (int)left, err);
        if (rc < 0)
            break;
        if ((rc == 0 && s->n) || last) {
            step_all(s);
            sweep(s);
            break;
        }
    }
    for (size_t i = 0; i < s->n; i++) {
        struct vgl_source_item *it = &s->items[i];
        it->data = it->oversize ? NULL : s->store + s->offs[3 * i];
        it->service = s->store + s->offs[3 * i + 1];
        it->resource = s->store + s->offs[3 * i + 2];
    }
    b->items = s->items;
    b->n = s->n;
    b->ncps = 0;
    b->eof = false;
    return rc < 0 ? rc : 0;
}

static void http_committed(struct vgl_source *src, struct vgl_source_batch *b)
{
    (void)b;
    resolve((struct http_src *)src, true);
}

static void http_failed(struct vgl_source *src, struct vgl_source_batch *b)
{
    (void)b;
    resolve((struct http_src *)src, false);
}

static void http_free(struct vgl_source *src)
{
    struct http_src *s = (struct http_src *)src;
    for (size_t i = 0; i < s->nconns; i++)
        conn_close(s, s->conns[i]);
    if (s->fd >= 0)
        close(s->fd);
    free(s->conns);
    free(s->pfds);
    free(s->items);
    free(s->offs);
    free(s->store);
    free(s->token);
    free(s->base.name);
    free(s);
}

static const struct vgl_source_ops http_ops = {
    .kind = "http",
    .next = http_next,
    .committed = http_committed,
    .failed = http_failed,
    .free = http_free,
};

struct vgl_source *vgl_source_http_new(const struct vgl_http_ingest_opts *hopts,
                                       const struct vgl_source_opts *opts, struct vgl_error *err)
{
    if (!hopts || !hopts->listen) {
        vgl_error_set(err, VGL_EINVAL, "http ingest: a listen address is required");
        return NULL;
    }
    if (hopts->idle_timeout_ms < 0) {
        vgl_error_set(err, VGL_ECONFIG, "http ingest: idle timeout %d ms: expected >= 0",
                      hopts->idle_timeout_ms);
        return NULL;
    }
    int port = 0;
    int fd = vgl_source_net_listen_(hopts->listen, SOCK_STREAM, &port, err);
    if (fd < 0) {
        vgl_error_prefix(err, "http ingest");
        return NULL;
    }
    struct http_src *s = vgl_xcalloc(1, sizeof *s);
    s->base.ops = &http_ops;
    size_t nl = strlen(hopts->listen) + 16;
    s->base.name = vgl_xmalloc(nl);
    snprintf(s->base.name, nl, "http '%s'", hopts->listen);
    s->fd = fd;
    s->port = port;
    if (hopts->token && *hopts->token) {
        s->token = vgl_xstrdup(hopts->token);
        s->token_len = strlen(s->token);
    }
    s->max_record = opts && opts->max_record_bytes ? opts->max_record_bytes : DEFAULT_MAX_RECORD;
    s->max_body = hopts->max_body_bytes ? hopts->max_body_bytes : DEFAULT_MAX_BODY;
    s->max_pending = hopts->max_pending_bytes ? hopts->max_pending_bytes : DEFAULT_MAX_PENDING;
    s->max_conns = hopts->max_connections ? hopts->max_connections : VGL_NET_MAX_CONNS;
    s->idle_ms = hopts->idle_timeout_ms ? hopts->idle_timeout_ms : DEFAULT_IDLE_MS;
    s->known = hopts->known;
    s->ud = hopts->ud;
    s->resolved = true;
    return &s->base;
}

int vgl_source_http_port_(const struct vgl_source *s)
{
    return s && s->ops == &http_ops ? ((const struct http_src *)s)->port : -1;
}
