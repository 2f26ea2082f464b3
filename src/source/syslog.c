/*
 * source/syslog.c: syslog over UDP and TCP as a source (docs/source-net.md).
 *
 * The first stage of the pipeline for syslog senders: bytes off a socket become payload
 * items, one per message, raw text (parsing is the classifier's job).  UDP: one datagram
 * may hold several newline-separated messages.  TCP (RFC 6587): octet counting when a frame
 * starts with "<digits> ", else newline-delimited; many connections, polled.  A frame over
 * max_record_bytes becomes an oversize item: an octet-counted one is skipped by its length,
 * a newline-delimited one up to the next newline; the connection stays open either way.
 *
 * Positions are "syslog:<udp|tcp>:<peer>:<worker>:<seq>".  seq starts at the wall clock in
 * nanoseconds when the source opens, so positions (and alert ids) never repeat across
 * restarts.  There is no replay: what was received but not committed is lost in a crash.
 * A failed() batch is handed out again by the next next() call.
 *
 * Also holds the helpers both network sources share (net.h, "internal").
 */
#define _GNU_SOURCE
#include "source/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "frame/lines.h"
#include "source/source.h"
#include "source/util.h"

#define DEFAULT_MAX_RECORD ((size_t)16 << 20)
#define UDP_BUF 65536            /* larger than any UDP payload */
#define UDP_RCVBUF (4 << 20)     /* asked for; the kernel caps it at rmem_max */
#define LEN_DIGITS_MAX 10        /* octet-count prefix: at most 10 digits */
#define CONN_BUF_START 4096
#define CONN_BUF_SLACK 16        /* room for "<len> " around a max-sized frame */

/* ---------------------------------------------------------------- shared helpers */

int vgl_source_net_listen_(const char *hostport, int socktype, int *port, struct vgl_error *err)
{
    char host[256];
    const char *portstr;
    if (!hostport || !*hostport)
        return vgl_error_set(err, VGL_ECONFIG, "empty listen address");
    if (hostport[0] == '[') {
        const char *end = strchr(hostport, ']');
        if (!end || end[1] != ':' || (size_t)(end - hostport - 1) >= sizeof host)
            return vgl_error_set(err, VGL_ECONFIG, "listen address '%s': expected [ipv6]:port",
                                 hostport);
        memcpy(host, hostport + 1, (size_t)(end - hostport - 1));
        host[end - hostport - 1] = '\0';
        portstr = end + 2;
    } else {
        const char *colon = strrchr(hostport, ':');
        if (!colon || (size_t)(colon - hostport) >= sizeof host)
            return vgl_error_set(err, VGL_ECONFIG, "listen address '%s': expected host:port",
                                 hostport);
        memcpy(host, hostport, (size_t)(colon - hostport));
        host[colon - hostport] = '\0';
        portstr = colon + 1;
    }
    char *end;
    errno = 0;
    long p = strtol(portstr, &end, 10);
    if (!*portstr || *end || errno || p < 0 || p > 65535)
        return vgl_error_set(err, VGL_ECONFIG, "listen address '%s': bad port '%s'", hostport,
                             portstr);

    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = socktype;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    bool any = !host[0] || strcmp(host, "*") == 0;
    int gai = getaddrinfo(any ? NULL : host, portstr, &hints, &res);
    if (gai != 0)
        return vgl_error_set(err, VGL_ECONFIG, "listen address '%s': %s", hostport,
                             gai_strerror(gai));
    int fd = -1, rc = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
            continue;
        int one = 1;
        /* Every worker binds the same address; the kernel spreads the traffic. */
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
            setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0 ||
            bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
            (socktype == SOCK_STREAM && listen(fd, 1024) != 0)) {
            rc = errno;
            close(fd);
            fd = -1;
            continue;
        }
        break;
    }
    freeaddrinfo(res);
    if (fd < 0)
        return vgl_error_set(err, VGL_EIO, "cannot listen on '%s': %s", hostport,
                             strerror(rc ? rc : EADDRNOTAVAIL));
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
        rc = errno;
        close(fd);
        return vgl_error_set(err, VGL_EIO, "cannot listen on '%s': %s", hostport, strerror(rc));
    }
    *port = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                     : ntohs(((struct sockaddr_in *)&ss)->sin_port);
    return fd;
}

void vgl_source_net_peer_(const void *sockaddr_storage, char *out, size_t outsz)
{
    const struct sockaddr_storage *ss = sockaddr_storage;
    char ip[INET6_ADDRSTRLEN] = "?";
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
        inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
        snprintf(out, outsz, "%s:%u", ip, (unsigned)ntohs(a->sin_port));
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
        if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr)) {
            inet_ntop(AF_INET, &a->sin6_addr.s6_addr[12], ip, sizeof ip);
            snprintf(out, outsz, "%s:%u", ip, (unsigned)ntohs(a->sin6_port));
        } else {
            inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof ip);
            snprintf(out, outsz, "[%s]:%u", ip, (unsigned)ntohs(a->sin6_port));
        }
    } else {
        snprintf(out, outsz, "unknown");
    }
}

/* ---------------------------------------------------------------- the source */

struct conn {
    int fd;
    bool eof;                    /* the peer closed (or the socket failed) */
    char peer[64];
    char *buf;                   /* unparsed bytes are buf[off..len) */
    size_t off, len, cap;
    enum { SKIP_NONE, SKIP_OCTETS, SKIP_LINE } skip;   /* discarding an oversize frame */
    uint64_t skip_left, skip_total;
};

struct syslog_src {
    struct vgl_source base;
    bool tcp;
    int fd, port;
    char *service, *resource;
    size_t max_record;
    int worker;
    uint64_t seq;
    /* UDP: the datagram being split into messages */
    char *dgram;
    size_t dlen, doff;
    char dpeer[64];
    /* TCP */
    struct conn **conns;
    size_t nconns, conns_cap, rr;
    struct pollfd *pfds;
    size_t pfds_cap;
    int64_t accept_pause_until;
    struct vgl_line_batch lb;    /* the batch being built / handed out */
    size_t max_items, max_bytes; /* max_bytes 0: no byte limit */
    bool redeliver;              /* the last batch failed: hand it out again */
};

static const struct vgl_source_ops syslog_ops;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool batch_full(const struct syslog_src *s)
{
    return vgl_line_batch_full(&s->lb, s->max_items, s->max_bytes);
}

/* Appends a message (a copy of its text, or only the length of an oversize one) with its
 * position. */
static void add_item(struct syslog_src *s, const char *peer, const struct vgl_line *msg)
{
    struct vgl_source_item *it = vgl_line_batch_add(&s->lb, msg, s->service, s->resource);
    snprintf(it->position, sizeof it->position, "syslog:%s:%s:%d:%" PRIu64,
             s->tcp ? "tcp" : "udp", peer, s->worker, s->seq++);
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Next space-delimited field of an RFC 5424 header at *p (len left); false when missing. */
static bool field(const char **p, size_t *left, const char **f, size_t *flen)
{
    size_t i = 0;
    while (i < *left && (*p)[i] != ' ')
        i++;
    if (i == 0)
        return false;
    *f = *p;
    *flen = i;
    *p += i < *left ? i + 1 : i;
    *left -= i < *left ? i + 1 : i;
    return true;
}

/*
 * The message as StreamAlert's syslog schemas expect it (the /var/log layout, compat 2.10):
 * the <PRI> prefix is dropped, and an RFC 5424 header is rewritten as RFC 3164's
 * "Mmm dd HH:MM:SS host app[procid]: " (the time as written, its fraction and offset
 * dropped, as RFC 3164 has neither; structured data dropped; a UTF-8 BOM removed), and an
 * RFC 3164 day padded with a space is zero-padded (StreamAlert's parser wants two digits).
 * Anything else is kept as it is.  Writes into out (room for len + 64); returns the length.
 */
static size_t normalize(const char *p, size_t len, char *out)
{
    size_t i = 0;
    if (len > 2 && p[0] == '<') {
        size_t j = 1;
        while (j < len && j <= 4 && is_digit(p[j]))
            j++;
        if (j > 1 && j < len && p[j] == '>')
            i = j + 1;
    }
    const char *q = p + i;
    size_t left = len - i;
    /* RFC 5424: VERSION SP TIMESTAMP SP HOST SP APP SP PROCID SP MSGID SP SD [SP MSG] */
    if (i && left > 2 && is_digit(q[0]) && (q[1] == ' ' || (is_digit(q[1]) && left > 3 && q[2] == ' '))) {
        const char *r = q, *ver, *ts, *host, *app, *pid, *mid;
        size_t rl = left, vl, tl, hl, al, pl, ml;
        if (field(&r, &rl, &ver, &vl) && field(&r, &rl, &ts, &tl) && field(&r, &rl, &host, &hl) &&
            field(&r, &rl, &app, &al) && field(&r, &rl, &pid, &pl) && field(&r, &rl, &mid, &ml)) {
            /* structured data: "-" or one or more [...] elements (\] escapes) */
            if (rl && r[0] == '-') {
                r++, rl--;
            } else {
                while (rl && r[0] == '[') {
                    size_t k = 1;
                    while (k < rl && r[k] != ']')
                        k += r[k] == '\\' ? 2 : 1;
                    k = k < rl ? k + 1 : rl;
                    r += k, rl -= k;
                }
            }
            if (rl && r[0] == ' ')
                r++, rl--;
            if (rl >= 3 && (unsigned char)r[0] == 0xef && (unsigned char)r[1] == 0xbb &&
                (unsigned char)r[2] == 0xbf)
                r += 3, rl -= 3;
            static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
            int y, mo, d, hh, mm, ss;
            char stamp[32];
            if (tl >= 19 && sscanf(ts, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &hh, &mm, &ss) == 6 &&
                mo >= 1 && mo <= 12)
                snprintf(stamp, sizeof stamp, "%s %02d %02d:%02d:%02d", months[mo - 1], d, hh, mm, ss);
            else
                return (size_t)snprintf(out, len + 64, "%.*s", (int)left, q);
            size_t n = (size_t)snprintf(out, len + 64, "%s %.*s %.*s", stamp, (int)(hl == 1 && host[0] == '-' ? 0 : hl),
                                        host, (int)(al == 1 && app[0] == '-' ? 0 : al), app);
            if (!(pl == 1 && pid[0] == '-'))
                n += (size_t)snprintf(out + n, len + 64 - n, "[%.*s]", (int)pl, pid);
            n += (size_t)snprintf(out + n, len + 64 - n, ": ");
            memcpy(out + n, r, rl);
            return n + rl;
        }
    }
    memcpy(out, q, left);
    /* RFC 3164 pads a one-digit day with a space ("Dec  6"); StreamAlert's syslog parser
     * wants two digits (compat 2.10), so the receiver writes "Dec 06" */
    if (left >= 7 && q[3] == ' ' && q[4] == ' ' && is_digit(q[5]) && q[6] == ' ')
        out[4] = '0';
    return left;
}

/* One message: trailing \n, \r and NULs stripped, empty ones skipped, oversize ones kept
 * as an oversize item; then normalize() for the syslog schemas. */
static void add_message(struct syslog_src *s, const char *peer, const char *p, size_t len)
{
    while (len && (p[len - 1] == '\n' || p[len - 1] == '\r' || p[len - 1] == '\0'))
        len--;
    if (len == 0)
        return;
    char small[2048];
    char *norm = len + 64 <= sizeof small ? small : vgl_xmalloc(len + 64);
    len = normalize(p, len, norm);
    p = norm;
    if (len > s->max_record)
        add_item(s, peer, &(struct vgl_line){.oversize = true, .oversize_len = len});
    else
        add_item(s, peer, &(struct vgl_line){.data = p, .len = len});
    if (norm != small)
        free(norm);
}

static void add_oversize(struct syslog_src *s, const char *peer, uint64_t len)
{
    add_item(s, peer, &(struct vgl_line){.oversize = true, .oversize_len = len});
}

/* ---- UDP */

/* Splits the held datagram into messages while the batch has room. */
static void udp_split(struct syslog_src *s)
{
    while (s->doff < s->dlen && !batch_full(s)) {
        const char *p = s->dgram + s->doff;
        size_t avail = s->dlen - s->doff;
        const char *nl = memchr(p, '\n', avail);
        size_t len = nl ? (size_t)(nl - p) : avail;
        s->doff += nl ? len + 1 : len;
        add_message(s, s->dpeer, p, len);
    }
}

static int udp_fill(struct syslog_src *s, struct vgl_error *err)
{
    for (;;) {
        udp_split(s);
        if (batch_full(s))
            return 0;
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        ssize_t r = recvfrom(s->fd, s->dgram, UDP_BUF, MSG_DONTWAIT | MSG_TRUNC,
                             (struct sockaddr *)&ss, &sl);
        if (r < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                return 0;
            if (errno == ECONNREFUSED || errno == ENOBUFS || errno == ENOMEM)
                return 0;
            return vgl_error_set(err, VGL_EIO, "%s: recvfrom: %s", s->base.name, strerror(errno));
        }
        vgl_source_net_peer_(&ss, s->dpeer, sizeof s->dpeer);
        if ((size_t)r > UDP_BUF) {   /* cannot happen for UDP; be safe */
            add_oversize(s, s->dpeer, (uint64_t)r);
            continue;
        }
        s->dlen = (size_t)r;
        s->doff = 0;
    }
}

/* ---- TCP */

static void conn_free(struct conn *c)
{
    if (!c)
        return;
    if (c->fd >= 0)
        close(c->fd);
    free(c->buf);
    free(c);
}

static void tcp_accept(struct syslog_src *s)
{
    if (now_ms() < s->accept_pause_until)
        return;
    for (;;) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        int fd = accept4(s->fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                vgl_warn(s->base.name, "accept: %s", strerror(errno));
                s->accept_pause_until = now_ms() + 100;
            }
            return;
        }
        if (s->nconns >= VGL_NET_MAX_CONNS) {
            vgl_debug(s->base.name, "connection cap %d reached: closing a new connection",
                      VGL_NET_MAX_CONNS);
            close(fd);
            continue;
        }
        struct conn *c = vgl_xcalloc(1, sizeof *c);
        c->fd = fd;
        vgl_source_net_peer_(&ss, c->peer, sizeof c->peer);
        s->conns = vgl_xgrow(s->conns, &s->conns_cap, s->nconns + 1, sizeof *s->conns);
        s->conns[s->nconns++] = c;
    }
}

enum { F_NEED, F_MSG, F_OVERSIZE };

/* The next complete frame of c, if any: F_MSG (*p, *len), F_OVERSIZE (*olen) or F_NEED. */
static int take_frame(struct syslog_src *s, struct conn *c, const char **data, size_t *len,
                      uint64_t *olen)
{
    const char *p = c->buf + c->off;
    size_t avail = c->len - c->off;
    if (c->skip == SKIP_OCTETS) {
        size_t k = avail < c->skip_left ? avail : (size_t)c->skip_left;
        c->off += k;
        c->skip_left -= k;
        if (c->skip_left)
            return F_NEED;
        c->skip = SKIP_NONE;
        *olen = c->skip_total;
        return F_OVERSIZE;
    }
    if (c->skip == SKIP_LINE) {
        const char *nl = memchr(p, '\n', avail);
        if (!nl) {
            c->skip_total += avail;
            c->off = c->len;
            if (!c->eof)
                return F_NEED;
        } else {
            c->skip_total += (size_t)(nl - p);
            c->off += (size_t)(nl - p) + 1;
        }
        c->skip = SKIP_NONE;
        *olen = c->skip_total;
        return F_OVERSIZE;
    }
    if (avail == 0)
        return F_NEED;
    if (p[0] >= '0' && p[0] <= '9') {
        size_t i = 0;
        uint64_t n = 0;
        while (i < avail && i < LEN_DIGITS_MAX && p[i] >= '0' && p[i] <= '9')
            n = n * 10 + (uint64_t)(p[i++] - '0');
        if (i == avail && i < LEN_DIGITS_MAX && !c->eof)
            return F_NEED;   /* cannot tell the framing yet */
        if (i < avail && p[i] == ' ' && n > 0) {
            size_t hdr = i + 1;
            if (n > s->max_record) {
                c->off += hdr;
                c->skip = SKIP_OCTETS;
                c->skip_left = c->skip_total = n;
                return take_frame(s, c, data, len, olen);
            }
            if (avail - hdr < n) {
                if (c->eof) {
                    vgl_debug(s->base.name, "%s: connection closed inside a %" PRIu64
                              "-byte frame: dropped", c->peer, n);
                    c->off = c->len;
                }
                return F_NEED;
            }
            *data = p + hdr;
            *len = (size_t)n;
            c->off += hdr + (size_t)n;
            return F_MSG;
        }
        /* digits not followed by a space: a newline-delimited message */
    }
    const char *nl = memchr(p, '\n', avail);
    if (nl) {
        *data = p;
        *len = (size_t)(nl - p);
        c->off += *len + 1;
        return F_MSG;
    }
    if (avail > s->max_record) {
        c->skip = SKIP_LINE;
        c->skip_total = 0;
        return take_frame(s, c, data, len, olen);
    }
    if (c->eof) {   /* the last message of a stream may lack its newline */
        *data = p;
        *len = avail;
        c->off = c->len;
        return F_MSG;
    }
    return F_NEED;
}

/* Moves complete frames of c into the batch while it has room. */
static void conn_drain(struct syslog_src *s, struct conn *c)
{
    while (!batch_full(s)) {
        const char *p = NULL;
        size_t len = 0;
        uint64_t olen = 0;
        int f = take_frame(s, c, &p, &len, &olen);
        if (f == F_NEED)
            break;
        if (f == F_MSG)
            add_message(s, c->peer, p, len);
        else
            add_oversize(s, c->peer, olen);
    }
    if (c->off == c->len) {
        c->off = c->len = 0;
        if (c->cap > 1 << 20) {   /* give back what a large frame needed */
            free(c->buf);
            c->buf = NULL;
            c->cap = 0;
        }
    }
}

/* One read from c into its buffer, which never holds more than a max-sized frame. */
static void conn_read(struct syslog_src *s, struct conn *c)
{
    if (c->off) {
        memmove(c->buf, c->buf + c->off, c->len - c->off);
        c->len -= c->off;
        c->off = 0;
    }
    size_t max = s->max_record + CONN_BUF_SLACK;
    if (c->len == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : CONN_BUF_START;
        if (cap > max)
            cap = max;
        if (cap <= c->len)
            return;   /* full: take_frame() makes room by skipping */
        c->buf = vgl_xrealloc(c->buf, cap);
        c->cap = cap;
    }
    ssize_t r = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
    if (r > 0) {
        c->len += (size_t)r;
    } else if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        c->eof = true;
    }
}

static void tcp_drain_all(struct syslog_src *s)
{
    size_t n = s->nconns;
    for (size_t k = 0; k < n && !batch_full(s); k++)
        conn_drain(s, s->conns[(s->rr + k) % n]);
    if (n)
        s->rr = (s->rr + 1) % n;
    /* close finished connections */
    size_t j = 0;
    for (size_t i = 0; i < s->nconns; i++) {
        struct conn *c = s->conns[i];
        if (c->eof && c->off == c->len && c->skip != SKIP_LINE)
            conn_free(c);
        else
            s->conns[j++] = c;
    }
    s->nconns = j;
}

static int tcp_poll(struct syslog_src *s, int wait_ms, struct vgl_error *err)
{
    size_t need = s->nconns + 1;
    if (need > s->pfds_cap)
        s->pfds = vgl_xgrow(s->pfds, &s->pfds_cap, need, sizeof *s->pfds);
    s->pfds[0] = (struct pollfd){.fd = s->fd, .events = POLLIN};
    for (size_t i = 0; i < s->nconns; i++)
        s->pfds[i + 1] = (struct pollfd){.fd = s->conns[i]->eof ? -1 : s->conns[i]->fd,
                                         .events = POLLIN};
    int r = poll(s->pfds, need, wait_ms);
    if (r < 0) {
        if (errno == EINTR)
            return 0;
        return vgl_error_set(err, VGL_EIO, "%s: poll: %s", s->base.name, strerror(errno));
    }
    if (r == 0)
        return 0;
    size_t n = s->nconns;   /* accept() below appends */
    for (size_t i = 0; i < n; i++)
        if (s->pfds[i + 1].revents)
            conn_read(s, s->conns[i]);
    if (s->pfds[0].revents)
        tcp_accept(s);
    return r;
}

static int udp_poll(struct syslog_src *s, int wait_ms, struct vgl_error *err)
{
    struct pollfd pfd = {.fd = s->fd, .events = POLLIN};
    int r = poll(&pfd, 1, wait_ms);
    if (r < 0) {
        if (errno == EINTR)
            return 0;
        return vgl_error_set(err, VGL_EIO, "%s: poll: %s", s->base.name, strerror(errno));
    }
    return r;
}

static void hand_out(struct syslog_src *s, struct vgl_source_batch *b)
{
    vgl_line_batch_finish(&s->lb, b);
    b->ncps = 0;
    b->eof = false;
}

static int syslog_next(struct vgl_source *src, struct vgl_source_batch *b, size_t max_items,
                       size_t max_bytes, int timeout_ms, struct vgl_error *err)
{
    struct syslog_src *s = (struct syslog_src *)src;
    if (s->redeliver) {
        s->redeliver = false;
        hand_out(s, b);
        return 0;
    }
    vgl_line_batch_reset(&s->lb);
    s->max_items = max_items ? max_items : 1;
    s->max_bytes = max_bytes;
    int64_t deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    int rc = 0;
    for (;;) {
        if (s->tcp) {
            tcp_drain_all(s);
        } else {
            rc = udp_fill(s, err);
            if (rc < 0)
                break;
        }
        if (batch_full(s))
            break;
        int64_t left = deadline - now_ms();
        bool last = left <= 0;
        if (s->lb.n || left < 0)
            left = 0;   /* something to hand out: take only what is ready now */
        rc = s->tcp ? tcp_poll(s, (int)left, err) : udp_poll(s, (int)left, err);
        if (rc < 0)
            break;
        if ((rc == 0 && s->lb.n) || last) {
            if (s->tcp)
                tcp_drain_all(s);   /* frames completed by the last reads */
            else if (udp_fill(s, err) < 0)
                rc = err ? err->code : VGL_EIO;
            break;
        }
    }
    hand_out(s, b);
    return rc < 0 ? rc : 0;
}

static void syslog_committed(struct vgl_source *src, struct vgl_source_batch *b)
{
    (void)src;
    (void)b;
}

static void syslog_failed(struct vgl_source *src, struct vgl_source_batch *b)
{
    struct syslog_src *s = (struct syslog_src *)src;
    (void)b;
    /* Nothing can be re-read from a socket: keep the batch and hand it out again. */
    if (s->lb.n)
        s->redeliver = true;
}

static void syslog_free(struct vgl_source *src)
{
    struct syslog_src *s = (struct syslog_src *)src;
    if (s->fd >= 0)
        close(s->fd);
    for (size_t i = 0; i < s->nconns; i++)
        conn_free(s->conns[i]);
    free(s->conns);
    free(s->pfds);
    free(s->dgram);
    vgl_line_batch_release(&s->lb);
    free(s->service);
    free(s->resource);
    free(s->base.name);
    free(s);
}

static const struct vgl_source_ops syslog_ops = {
    .kind = "syslog",
    .next = syslog_next,
    .committed = syslog_committed,
    .failed = syslog_failed,
    .free = syslog_free,
};

struct vgl_source *vgl_source_syslog_new(const char *listen, const char *service,
                                         const char *resource, const struct vgl_source_opts *opts,
                                         struct vgl_error *err)
{
    if (!listen || !service || !resource) {
        vgl_error_set(err, VGL_EINVAL, "syslog source: listen, service and resource are required");
        return NULL;
    }
    bool tcp = false;
    const char *hostport = listen;
    if (strncmp(listen, "udp://", 6) == 0) {
        hostport = listen + 6;
    } else if (strncmp(listen, "tcp://", 6) == 0) {
        tcp = true;
        hostport = listen + 6;
    } else if (strstr(listen, "://")) {
        vgl_error_set(err, VGL_ECONFIG, "syslog listen address '%s': expected udp:// or tcp://",
                      listen);
        return NULL;
    }
    int port = 0;
    int fd = vgl_source_net_listen_(hostport, tcp ? SOCK_STREAM : SOCK_DGRAM, &port, err);
    if (fd < 0) {
        vgl_error_prefix(err, "syslog source");
        return NULL;
    }
    struct syslog_src *s = vgl_xcalloc(1, sizeof *s);
    s->base.ops = &syslog_ops;
    size_t nl = strlen(listen) + 16;
    s->base.name = vgl_xmalloc(nl);
    snprintf(s->base.name, nl, "syslog '%s'", listen);
    s->tcp = tcp;
    s->fd = fd;
    s->port = port;
    s->service = vgl_xstrdup(service);
    s->resource = vgl_xstrdup(resource);
    s->max_record = opts && opts->max_record_bytes ? opts->max_record_bytes : DEFAULT_MAX_RECORD;
    s->worker = opts ? opts->worker : 0;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    s->seq = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    if (!tcp) {
        int sz = UDP_RCVBUF;
        /* best effort: a deeper queue drops fewer datagrams in bursts */
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
        s->dgram = vgl_xmalloc(UDP_BUF + 1);
    }
    return &s->base;
}

int vgl_source_net_port(const struct vgl_source *s)
{
    if (!s)
        return -1;
    if (s->ops == &syslog_ops)
        return ((const struct syslog_src *)s)->port;
    if (s->ops->kind && strcmp(s->ops->kind, "http") == 0)
        return vgl_source_http_port_(s);
    return -1;
}
