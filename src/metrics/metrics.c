/*
 * metrics/metrics.c: the cross-process metrics registry and its /metrics HTTP endpoint.
 *
 * Everything the processes share sits in one anonymous shared mapping made before fork():
 * a header (sizes, the registration mutex, the published series count), the series
 * descriptors, two open-addressing hash tables (name+labels -> id for lookups, name -> first
 * id for grouping), and the cells, one row per writer slot plus a shared row.  Pointers in
 * the header stay valid in children because fork() keeps the mapping at the same address.
 *
 * Publication order (under the mutex): write the descriptor, bump nseries (release), then
 * insert into the hash tables (release).  A lock-free reader that finds an id in a table
 * therefore sees a complete, immutable descriptor.  A process that dies between the bump
 * and the inserts leaves a committed series that the tables miss; the next locker gets
 * EOWNERDEAD from the robust mutex and re-inserts every committed series (repair()).
 *
 * The HTTP server is single-threaded and non-blocking around an epoll set, so the
 * supervisor can poll one fd; every client has a deadline and a bounded request buffer.
 */
#define _GNU_SOURCE /* MAP_ANONYMOUS, accept4, SOCK_NONBLOCK, MSG_NOSIGNAL */
#include "metrics/metrics.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/utf8.h"
#include "core/xmalloc.h"

_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "cells need address-free 64-bit atomics");
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "tables need address-free 32-bit atomics");

#define CELLS_PER_LINE 8 /* 64-byte cache line / 8-byte cell: rows never share a line */

struct series {
    uint64_t hash;  /* of name and labels */
    int32_t family; /* id of the first series with this name */
    uint32_t type;  /* enum vgl_metric_type */
    char name[VGL_METRICS_NAME_MAX];
    char labels[VGL_METRICS_LABELS_MAX];
    char help[VGL_METRICS_HELP_MAX]; /* escaped; only the family head's is rendered */
};

struct vgl_metrics {
    size_t map_size;
    size_t max_series, nslots;
    size_t stride; /* cells per row */
    size_t mask;   /* hash tables have mask + 1 buckets */
    pthread_mutex_t lock;
    _Atomic uint32_t nseries;
    struct series *series;
    _Atomic uint32_t *by_key;  /* id + 1, 0 = empty */
    _Atomic uint32_t *by_name; /* family id + 1, 0 = empty */
    _Atomic uint64_t *cells;   /* (nslots + 1) rows of stride cells; row nslots is shared */
};

static size_t align_up(size_t n, size_t a)
{
    return (n + a - 1) / a * a;
}

struct vgl_metrics *vgl_metrics_new(size_t max_series, size_t nslots, struct vgl_error *err)
{
    if (max_series == 0 || max_series > VGL_METRICS_SERIES_MAX || nslots == 0 ||
        nslots > VGL_METRICS_SLOTS_MAX) {
        vgl_error_set(err, VGL_EINVAL,
                      "metrics: max_series %zu (1..%u) or slots %zu (1..%d) out of range",
                      max_series, VGL_METRICS_SERIES_MAX, nslots, VGL_METRICS_SLOTS_MAX);
        return NULL;
    }
    size_t nbuckets = 1;
    while (nbuckets < 2 * max_series)
        nbuckets *= 2;
    size_t stride = align_up(max_series, CELLS_PER_LINE);
    /* The sizes are bounded by the caps above, far from overflowing size_t. */
    size_t off_series = align_up(sizeof(struct vgl_metrics), 64);
    size_t off_key = align_up(off_series + max_series * sizeof(struct series), 64);
    size_t off_name = align_up(off_key + nbuckets * sizeof(_Atomic uint32_t), 64);
    size_t off_cells = align_up(off_name + nbuckets * sizeof(_Atomic uint32_t), 64);
    size_t size = off_cells + (nslots + 1) * stride * sizeof(_Atomic uint64_t);

    /* Anonymous memory is zero: empty tables, zero cells. */
    char *base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) {
        vgl_error_set(err, VGL_ENOMEM, "metrics: cannot map %zu bytes: %s", size, strerror(errno));
        return NULL;
    }
    struct vgl_metrics *m = (struct vgl_metrics *)base;
    m->map_size = size;
    m->max_series = max_series;
    m->nslots = nslots;
    m->stride = stride;
    m->mask = nbuckets - 1;
    m->series = (struct series *)(base + off_series);
    m->by_key = (_Atomic uint32_t *)(base + off_key);
    m->by_name = (_Atomic uint32_t *)(base + off_name);
    m->cells = (_Atomic uint64_t *)(base + off_cells);
    atomic_init(&m->nseries, 0);

    pthread_mutexattr_t attr;
    int rc = pthread_mutexattr_init(&attr);
    if (rc == 0)
        rc = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    if (rc == 0)
        rc = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    if (rc == 0)
        rc = pthread_mutex_init(&m->lock, &attr);
    pthread_mutexattr_destroy(&attr);
    if (rc != 0) {
        vgl_error_set(err, VGL_EIO, "metrics: cannot create the shared mutex: %s", strerror(rc));
        munmap(base, size);
        return NULL;
    }
    return m;
}

void vgl_metrics_free(struct vgl_metrics *m)
{
    if (m)
        munmap(m, m->map_size);
}

size_t vgl_metrics_nslots(const struct vgl_metrics *m)
{
    return m->nslots;
}

size_t vgl_metrics_nseries(const struct vgl_metrics *m)
{
    return atomic_load_explicit(&((struct vgl_metrics *)m)->nseries, memory_order_acquire);
}

/* ---- validation and escaping ---- */

static bool valid_name(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_' || *s == ':'))
        return false;
    for (s++; *s; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == ':'))
            return false;
    }
    return true;
}

/* A label name at p: returns its length (0 if none). */
static size_t label_name_len(const char *p)
{
    size_t n = 0;
    if (!((p[0] >= 'a' && p[0] <= 'z') || (p[0] >= 'A' && p[0] <= 'Z') || p[0] == '_'))
        return 0;
    for (n = 1; (p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z') ||
                (p[n] >= '0' && p[n] <= '9') || p[n] == '_';
         n++)
        ;
    return n;
}

/* Checks pre-rendered labels: name="value"(,name="value")*, escapes only \\ \" \n, UTF-8,
 * no label name twice. */
static bool valid_labels(const char *s)
{
    const char *names[64];
    size_t lens[64], npairs = 0;
    const char *p = s;
    while (*p) {
        size_t n = label_name_len(p);
        if (n == 0 || p[n] != '=' || p[n + 1] != '"')
            return false;
        for (size_t i = 0; i < npairs; i++) {
            if (lens[i] == n && memcmp(names[i], p, n) == 0)
                return false;
        }
        if (npairs == 64)
            return false;
        names[npairs] = p;
        lens[npairs++] = n;
        p += n + 2;
        while (*p != '"') {
            if (*p == '\0' || *p == '\n')
                return false;
            if (*p == '\\') {
                if (p[1] != '\\' && p[1] != '"' && p[1] != 'n')
                    return false;
                p += 2;
                continue;
            }
            uint32_t cp;
            size_t len = vgl_utf8_decode((const unsigned char *)p, strlen(p), &cp);
            if (len == 0)
                return false;
            p += len;
        }
        p++;
        if (*p == ',') {
            p++;
            if (*p == '\0')
                return false;
        } else if (*p != '\0') {
            return false;
        }
    }
    return true;
}

/* Appends s to out[*len..] escaping \ and newline (and " when quotes); fails on overflow or
 * bad UTF-8. */
static int escape_into(char *out, size_t outsz, size_t *len, const char *s, bool quotes)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        char esc = 0;
        if (s[i] == '\\')
            esc = '\\';
        else if (s[i] == '\n')
            esc = 'n';
        else if (quotes && s[i] == '"')
            esc = '"';
        if (esc) {
            if (*len + 2 >= outsz)
                return VGL_ELIMIT;
            out[(*len)++] = '\\';
            out[(*len)++] = esc;
            i++;
            continue;
        }
        uint32_t cp;
        size_t cl = vgl_utf8_decode((const unsigned char *)s + i, n - i, &cp);
        if (cl == 0)
            return VGL_EINVAL;
        if (*len + cl >= outsz)
            return VGL_ELIMIT;
        memcpy(out + *len, s + i, cl);
        *len += cl;
        i += cl;
    }
    out[*len] = '\0';
    return 0;
}

int vgl_metrics_labels(char *out, size_t outsz, size_t npairs, const char *const *pairs)
{
    size_t len = 0;
    if (outsz == 0)
        return VGL_ELIMIT;
    out[0] = '\0';
    for (size_t i = 0; i < npairs; i++) {
        const char *name = pairs[2 * i], *value = pairs[2 * i + 1];
        size_t n = name ? label_name_len(name) : 0;
        if (n == 0 || name[n] != '\0' || !value)
            return VGL_EINVAL;
        if (len + (i > 0) + n + 2 >= outsz)
            return VGL_ELIMIT;
        if (i > 0)
            out[len++] = ',';
        memcpy(out + len, name, n);
        len += n;
        out[len++] = '=';
        out[len++] = '"';
        int rc = escape_into(out, outsz, &len, value, true);
        if (rc)
            return rc;
        if (len + 1 >= outsz)
            return VGL_ELIMIT;
        out[len++] = '"';
        out[len] = '\0';
    }
    return (int)len;
}

/* ---- registry ---- */

static uint64_t hash_str(uint64_t h, const char *s)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ull;
    }
    return h;
}

static uint64_t key_hash(const char *name, const char *labels)
{
    uint64_t h = hash_str(0xcbf29ce484222325ull, name);
    h ^= 0xff; /* separator: no name byte is 0xff */
    h *= 0x100000001b3ull;
    return hash_str(h, labels);
}

static int find_key(struct vgl_metrics *m, uint64_t h, const char *name, const char *labels)
{
    for (size_t i = h & m->mask;; i = (i + 1) & m->mask) {
        uint32_t v = atomic_load_explicit(&m->by_key[i], memory_order_acquire);
        if (v == 0)
            return -1;
        const struct series *d = &m->series[v - 1];
        if (d->hash == h && strcmp(d->name, name) == 0 && strcmp(d->labels, labels) == 0)
            return (int)(v - 1);
    }
}

static int find_name(struct vgl_metrics *m, uint64_t h, const char *name)
{
    for (size_t i = h & m->mask;; i = (i + 1) & m->mask) {
        uint32_t v = atomic_load_explicit(&m->by_name[i], memory_order_acquire);
        if (v == 0)
            return -1;
        if (strcmp(m->series[v - 1].name, name) == 0)
            return (int)(v - 1);
    }
}

static void insert(struct vgl_metrics *m, _Atomic uint32_t *table, uint64_t h, uint32_t id)
{
    size_t i = h & m->mask;
    while (atomic_load_explicit(&table[i], memory_order_relaxed) != 0)
        i = (i + 1) & m->mask;
    atomic_store_explicit(&table[i], id + 1, memory_order_release);
}

static void index_series(struct vgl_metrics *m, uint32_t id)
{
    const struct series *d = &m->series[id];
    if (find_key(m, d->hash, d->name, d->labels) < 0)
        insert(m, m->by_key, d->hash, id);
    uint64_t hn = hash_str(0xcbf29ce484222325ull, d->name);
    if (find_name(m, hn, d->name) < 0)
        insert(m, m->by_name, hn, id);
}

/* After a process died holding the lock: make sure every committed series is indexed. */
static void repair(struct vgl_metrics *m)
{
    uint32_t n = atomic_load_explicit(&m->nseries, memory_order_relaxed);
    for (uint32_t id = 0; id < n; id++)
        index_series(m, id);
}

static int lock(struct vgl_metrics *m)
{
    int rc = pthread_mutex_lock(&m->lock);
    if (rc == EOWNERDEAD) {
        repair(m);
        rc = pthread_mutex_consistent(&m->lock);
    }
    return rc == 0 ? 0 : VGL_EIO;
}

static int check_type(const struct vgl_metrics *m, int id, enum vgl_metric_type type)
{
    const struct series *d = &m->series[m->series[id].family];
    return d->type == (uint32_t)type ? id : VGL_EINVAL;
}

int vgl_metrics_register(struct vgl_metrics *m, const char *name, const char *help,
                         enum vgl_metric_type type, const char *labels)
{
    if (!m || !name ||
        (type != VGL_METRIC_COUNTER && type != VGL_METRIC_GAUGE && type != VGL_METRIC_SECONDS))
        return VGL_EINVAL;
    if (!labels)
        labels = "";
    if (strlen(name) >= VGL_METRICS_NAME_MAX || strlen(labels) >= VGL_METRICS_LABELS_MAX)
        return VGL_ELIMIT;
    if (!valid_name(name) || !valid_labels(labels))
        return VGL_EINVAL;

    uint64_t h = key_hash(name, labels);
    int id = find_key(m, h, name, labels);
    if (id >= 0)
        return check_type(m, id, type);

    char esc_help[VGL_METRICS_HELP_MAX];
    size_t help_len = 0;
    esc_help[0] = '\0';
    if (help) {
        int rc = escape_into(esc_help, sizeof esc_help, &help_len, help, false);
        if (rc)
            return rc;
    }

    int rc = lock(m);
    if (rc)
        return rc;
    id = find_key(m, h, name, labels);
    if (id >= 0) {
        rc = check_type(m, id, type);
        goto out;
    }
    int family = find_name(m, hash_str(0xcbf29ce484222325ull, name), name);
    if (family >= 0 && m->series[family].type != (uint32_t)type) {
        rc = VGL_EINVAL;
        goto out;
    }
    uint32_t n = atomic_load_explicit(&m->nseries, memory_order_relaxed);
    if (n >= m->max_series) {
        rc = VGL_ELIMIT;
        goto out;
    }
    struct series *d = &m->series[n];
    memset(d, 0, sizeof *d);
    d->hash = h;
    d->family = family >= 0 ? family : (int32_t)n;
    d->type = (uint32_t)type;
    memcpy(d->name, name, strlen(name) + 1);
    memcpy(d->labels, labels, strlen(labels) + 1);
    memcpy(d->help, esc_help, help_len + 1);
    atomic_store_explicit(&m->nseries, n + 1, memory_order_release);
    index_series(m, n);
    rc = (int)n;
out:
    pthread_mutex_unlock(&m->lock);
    return rc;
}

int vgl_metrics_register_label(struct vgl_metrics *m, const char *name, const char *help,
                               enum vgl_metric_type type, const char *label_name,
                               const char *label_value)
{
    char labels[VGL_METRICS_LABELS_MAX];
    const char *pairs[2] = {label_name, label_value};
    int rc = vgl_metrics_labels(labels, sizeof labels, 1, pairs);
    if (rc < 0)
        return rc;
    return vgl_metrics_register(m, name, help, type, labels);
}

/* ---- values ---- */

static _Atomic uint64_t *cell(struct vgl_metrics *m, size_t row, int id)
{
    return &m->cells[row * m->stride + (size_t)id];
}

void vgl_metrics_add(struct vgl_metrics *m, size_t slot, int id, uint64_t delta)
{
    if (slot >= m->nslots)
        VGL_BUG("metrics: slot out of range");
    if (id < 0 || (size_t)id >= m->max_series)
        return;
    atomic_fetch_add_explicit(cell(m, slot, id), delta, memory_order_relaxed);
}

void vgl_metrics_set(struct vgl_metrics *m, size_t slot, int id, int64_t value)
{
    if (slot >= m->nslots)
        VGL_BUG("metrics: slot out of range");
    if (id < 0 || (size_t)id >= m->max_series)
        return;
    atomic_store_explicit(cell(m, slot, id), (uint64_t)value, memory_order_relaxed);
}

void vgl_metrics_add_shared(struct vgl_metrics *m, int id, uint64_t delta)
{
    if (id >= 0 && (size_t)id < m->max_series)
        atomic_fetch_add_explicit(cell(m, m->nslots, id), delta, memory_order_relaxed);
}

void vgl_metrics_set_shared(struct vgl_metrics *m, int id, int64_t value)
{
    if (id >= 0 && (size_t)id < m->max_series)
        atomic_store_explicit(cell(m, m->nslots, id), (uint64_t)value, memory_order_relaxed);
}

void vgl_metrics_reset_gauges(struct vgl_metrics *m, size_t slot)
{
    if (slot >= m->nslots)
        VGL_BUG("metrics: slot out of range");
    uint32_t n = atomic_load_explicit(&m->nseries, memory_order_acquire);
    for (uint32_t id = 0; id < n; id++) {
        if (m->series[id].type == VGL_METRIC_GAUGE)
            atomic_store_explicit(cell(m, slot, (int)id), 0, memory_order_relaxed);
    }
}

uint64_t vgl_metrics_value(const struct vgl_metrics *cm, int id)
{
    /* Atomic loads take a non-const pointer; nothing is written. */
    struct vgl_metrics *m = (struct vgl_metrics *)cm;
    if (id < 0 || (uint32_t)id >= atomic_load_explicit(&m->nseries, memory_order_acquire))
        return 0;
    uint64_t sum = 0;
    for (size_t row = 0; row <= m->nslots; row++)
        sum += atomic_load_explicit(cell(m, row, id), memory_order_relaxed);
    return sum;
}

uint64_t vgl_metrics_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- render ---- */

static int render_value(struct vgl_buf *out, uint32_t type, uint64_t v)
{
    if (type == VGL_METRIC_GAUGE)
        return vgl_buf_printf(out, "%" PRId64 "\n", (int64_t)v);
    if (type == VGL_METRIC_COUNTER || v % 1000000000u == 0)
        return vgl_buf_printf(out, "%" PRIu64 "\n",
                              type == VGL_METRIC_COUNTER ? v : v / 1000000000u);
    char frac[16];
    snprintf(frac, sizeof frac, "%09" PRIu64, v % 1000000000u);
    size_t n = strlen(frac);
    while (n > 0 && frac[n - 1] == '0')
        n--;
    frac[n] = '\0';
    return vgl_buf_printf(out, "%" PRIu64 ".%s\n", v / 1000000000u, frac);
}

static int render_family(struct vgl_metrics *m, struct vgl_buf *out, uint32_t head, uint32_t n)
{
    const struct series *h = &m->series[head];
    int rc = 0;
    if (h->help[0])
        rc = vgl_buf_printf(out, "# HELP %s %s\n", h->name, h->help);
    if (rc == 0)
        rc = vgl_buf_printf(out, "# TYPE %s %s\n", h->name,
                            h->type == VGL_METRIC_GAUGE ? "gauge" : "counter");
    for (uint32_t id = head; id < n && rc == 0; id++) {
        const struct series *d = &m->series[id];
        if (d->family != (int32_t)head)
            continue;
        rc = vgl_buf_puts(out, d->name);
        if (rc == 0 && d->labels[0])
            rc = vgl_buf_printf(out, "{%s}", d->labels);
        if (rc == 0)
            rc = vgl_buf_putc(out, ' ');
        if (rc == 0)
            rc = render_value(out, d->type, vgl_metrics_value(m, (int)id));
    }
    return rc;
}

int vgl_metrics_render(const struct vgl_metrics *cm, struct vgl_buf *out)
{
    struct vgl_metrics *m = (struct vgl_metrics *)cm;
    size_t start = out->len;
    uint32_t n = atomic_load_explicit(&m->nseries, memory_order_acquire);
    /* Few names, many series (one per rule, log type...): O(names * series) is fine. */
    for (uint32_t id = 0; id < n; id++) {
        if (m->series[id].family != (int32_t)id)
            continue;
        int rc = render_family(m, out, id, n);
        if (rc) {
            out->len = start;
            if (out->data)
                out->data[start] = '\0';
            return rc;
        }
    }
    return 0;
}

/* ---- HTTP server ---- */

#define MAX_CLIENTS        16
#define REQ_MAX            4096
#define RESP_MAX           (64u << 20)
#define DEFAULT_TIMEOUT_MS 5000
#define LISTEN_TAG         UINT64_MAX

struct client {
    int fd;       /* -1: free */
    uint32_t gen; /* tells a reused slot from a stale event */
    bool writing;
    int64_t deadline_ms;
    size_t rlen, off;
    char req[REQ_MAX];
    struct vgl_buf resp;
};

struct vgl_metrics_server {
    struct vgl_metrics *m;
    int lfd, epfd, port;
    bool loopback;
    int timeout_ms;
    size_t nclients;
    struct client clients[MAX_CLIENTS];
};

static int64_t now_ms(void)
{
    return (int64_t)(vgl_metrics_now_ns() / 1000000u);
}

/* Splits "host:port" / "[v6]:port" into host (may be "") and port. */
static int split_listen(const char *addr, char *host, size_t hostsz, char *port, size_t portsz,
                        struct vgl_error *err)
{
    const char *h = addr, *p;
    size_t hlen;
    if (addr[0] == '[') {
        const char *close = strchr(addr, ']');
        if (!close || close[1] != ':')
            goto bad;
        h = addr + 1;
        hlen = (size_t)(close - h);
        p = close + 2;
    } else {
        const char *colon = strrchr(addr, ':');
        if (!colon || memchr(addr, ':', (size_t)(colon - addr)))
            goto bad;
        hlen = (size_t)(colon - addr);
        p = colon + 1;
    }
    size_t plen = strlen(p);
    if (hlen >= hostsz || plen == 0 || plen >= portsz || strspn(p, "0123456789") != plen ||
        strtol(p, NULL, 10) > 65535)
        goto bad;
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    memcpy(port, p, plen + 1);
    return 0;
bad:
    return vgl_error_set(err, VGL_EINVAL,
                         "metrics listen '%s': expected host:port or [ipv6]:port, port 0-65535",
                         addr);
}

static bool addr_is_loopback(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
        return (ntohl(a->sin_addr.s_addr) >> 24) == 127;
    }
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
        const unsigned char *b = a->sin6_addr.s6_addr;
        static const unsigned char v6lo[16] = {[15] = 1};
        static const unsigned char mapped[12] = {[10] = 0xff, [11] = 0xff};
        return memcmp(b, v6lo, 16) == 0 || (memcmp(b, mapped, 12) == 0 && b[12] == 127);
    }
    return false;
}

static int open_listener(struct vgl_metrics_server *s, const char *addr, struct vgl_error *err)
{
    char host[256], port[8];
    int rc = split_listen(addr, host, sizeof host, port, sizeof port, err);
    if (rc)
        return rc;
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    int gai = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
    if (gai != 0)
        return vgl_error_set(err, VGL_EINVAL, "metrics listen '%s': %s", addr, gai_strerror(gai));
    int saved = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        int fd =
            socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 16) == 0) {
            s->lfd = fd;
            break;
        }
        saved = errno;
        close(fd);
    }
    freeaddrinfo(res);
    if (s->lfd < 0)
        return vgl_error_set(err, VGL_EIO, "metrics listen '%s': %s", addr,
                             strerror(saved ? saved : EADDRNOTAVAIL));
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(s->lfd, (struct sockaddr *)&ss, &sl) != 0)
        return vgl_error_set(err, VGL_EIO, "metrics listen '%s': getsockname: %s", addr,
                             strerror(errno));
    s->port = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                       : ntohs(((struct sockaddr_in *)&ss)->sin_port);
    s->loopback = addr_is_loopback(&ss);
    return 0;
}

struct vgl_metrics_server *vgl_metrics_server_new(struct vgl_metrics *m, const char *listen_addr,
                                                  struct vgl_error *err)
{
    struct vgl_metrics_server *s = vgl_xcalloc(1, sizeof *s);
    s->m = m;
    s->lfd = -1;
    s->epfd = -1;
    s->timeout_ms = DEFAULT_TIMEOUT_MS;
    for (size_t i = 0; i < MAX_CLIENTS; i++) {
        s->clients[i].fd = -1;
        vgl_buf_init(&s->clients[i].resp, RESP_MAX);
    }
    if (open_listener(s, listen_addr ? listen_addr : "127.0.0.1:9464", err) != 0)
        goto fail;
    s->epfd = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = LISTEN_TAG};
    if (s->epfd < 0 || epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->lfd, &ev) != 0) {
        vgl_error_set(err, VGL_EIO, "metrics: epoll: %s", strerror(errno));
        goto fail;
    }
    return s;
fail:
    vgl_metrics_server_free(s);
    return NULL;
}

static void client_close(struct vgl_metrics_server *s, struct client *c)
{
    /* close(), never shutdown(): in a forked child this must not touch the parent's
     * connection.  Closing also drops the fd from the epoll set. */
    close(c->fd);
    c->fd = -1;
    c->gen++;
    c->writing = false;
    c->rlen = c->off = 0;
    vgl_buf_release(&c->resp);
    s->nclients--;
}

void vgl_metrics_server_free(struct vgl_metrics_server *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < MAX_CLIENTS; i++) {
        if (s->clients[i].fd >= 0)
            client_close(s, &s->clients[i]);
    }
    if (s->epfd >= 0)
        close(s->epfd);
    if (s->lfd >= 0)
        close(s->lfd);
    free(s);
}

int vgl_metrics_server_fd(const struct vgl_metrics_server *s)
{
    return s->epfd;
}

int vgl_metrics_server_port(const struct vgl_metrics_server *s)
{
    return s->port;
}

bool vgl_metrics_server_is_loopback(const struct vgl_metrics_server *s)
{
    return s->loopback;
}

void vgl_metrics_server_set_timeout(struct vgl_metrics_server *s, int timeout_ms)
{
    if (timeout_ms > 0)
        s->timeout_ms = timeout_ms;
}

size_t vgl_metrics_server_clients(const struct vgl_metrics_server *s)
{
    return s->nclients;
}

static uint64_t client_tag(const struct vgl_metrics_server *s, const struct client *c)
{
    return (uint64_t)c->gen << 32 | (uint64_t)(c - s->clients);
}

static void sweep(struct vgl_metrics_server *s, int64_t now)
{
    for (size_t i = 0; i < MAX_CLIENTS; i++) {
        if (s->clients[i].fd >= 0 && s->clients[i].deadline_ms <= now)
            client_close(s, &s->clients[i]);
    }
}

static struct client *free_client(struct vgl_metrics_server *s)
{
    struct client *oldest = NULL;
    sweep(s, now_ms());
    for (size_t i = 0; i < MAX_CLIENTS; i++) {
        struct client *c = &s->clients[i];
        if (c->fd < 0)
            return c;
        if (!oldest || c->deadline_ms < oldest->deadline_ms)
            oldest = c;
    }
    /* All busy: the oldest is the likeliest to be idle or hostile. */
    client_close(s, oldest);
    return oldest;
}

static void accept_clients(struct vgl_metrics_server *s)
{
    /* Bounded, so a connection flood cannot keep one call busy. */
    for (int n = 0; n < 64; n++) {
        int fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            return; /* EAGAIN, or out of fds: try again next call */
        }
        struct client *c = free_client(s);
        c->fd = fd;
        c->deadline_ms = now_ms() + s->timeout_ms;
        c->rlen = c->off = 0;
        c->writing = false;
        struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.u64 = client_tag(s, c)};
        s->nclients++;
        if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
            client_close(s, c);
    }
}

/* Sends what it can; closes the client when done or on error. */
static void client_write(struct vgl_metrics_server *s, struct client *c)
{
    while (c->off < c->resp.len) {
        ssize_t w = send(c->fd, c->resp.data + c->off, c->resp.len - c->off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (w <= 0)
            break;
        c->off += (size_t)w;
    }
    client_close(s, c);
}

static void respond(struct vgl_metrics_server *s, struct client *c, int status, bool head)
{
    static const char ctype_text[] = "text/plain; charset=utf-8";
    struct vgl_buf body;
    const char *reason = "OK", *ctype = ctype_text;
    vgl_buf_init(&body, RESP_MAX - 512);
    if (status == 200) {
        ctype = "text/plain; version=0.0.4; charset=utf-8";
        if (vgl_metrics_render(s->m, &body) != 0)
            status = 500;
    }
    switch (status) {
    case 200:
        break;
    case 400:
        reason = "Bad Request";
        break;
    case 404:
        reason = "Not Found";
        break;
    case 405:
        reason = "Method Not Allowed";
        break;
    case 431:
        reason = "Request Header Fields Too Large";
        break;
    default:
        status = 500;
        reason = "Internal Server Error";
        break;
    }
    if (status != 200) {
        vgl_buf_reset(&body);
        vgl_buf_printf(&body, "%d %s\n", status, reason);
    }
    vgl_buf_reset(&c->resp);
    vgl_buf_printf(&c->resp,
                   "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
                   "Connection: close\r\n\r\n",
                   status, reason, ctype, body.len, status == 405 ? "Allow: GET, HEAD\r\n" : "");
    if (!head && body.len)
        vgl_buf_append(&c->resp, body.data, body.len);
    vgl_buf_release(&body);
    c->writing = true;
    c->off = 0;
    struct epoll_event ev = {.events = EPOLLOUT, .data.u64 = client_tag(s, c)};
    epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &ev);
    client_write(s, c);
}

/* The request line of a complete head: "METHOD SP target SP HTTP/x.y". */
static void answer(struct vgl_metrics_server *s, struct client *c)
{
    char *line = c->req, *eol = strpbrk(line, "\r\n");
    *eol = '\0';
    char *sp1 = strchr(line, ' ');
    char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
    if (!sp1 || !sp2 || strncmp(sp2 + 1, "HTTP/", 5) != 0 || sp1 == line) {
        respond(s, c, 400, false);
        return;
    }
    *sp1 = *sp2 = '\0';
    const char *method = line, *target = sp1 + 1;
    size_t plen = strcspn(target, "?#");
    bool is_metrics = plen == 8 && strncmp(target, "/metrics", 8) == 0;
    bool head = strcmp(method, "HEAD") == 0;
    if (!is_metrics)
        respond(s, c, 404, head);
    else if (strcmp(method, "GET") != 0 && !head)
        respond(s, c, 405, false);
    else
        respond(s, c, 200, head);
}

static void client_read(struct vgl_metrics_server *s, struct client *c)
{
    for (;;) {
        if (c->rlen == REQ_MAX - 1) {
            respond(s, c, 431, false);
            return;
        }
        ssize_t r = recv(c->fd, c->req + c->rlen, REQ_MAX - 1 - c->rlen, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (r <= 0) {
            client_close(s, c);
            return;
        }
        size_t from = c->rlen > 3 ? c->rlen - 3 : 0;
        if (memchr(c->req + c->rlen, '\0', (size_t)r)) {
            respond(s, c, 400, false);
            return;
        }
        c->rlen += (size_t)r;
        c->req[c->rlen] = '\0';
        if (strstr(c->req + from, "\r\n\r\n") || strstr(c->req + from, "\n\n")) {
            answer(s, c);
            return;
        }
    }
}

void vgl_metrics_server_poll(struct vgl_metrics_server *s, int timeout_ms)
{
    int64_t now = now_ms();
    sweep(s, now);
    int wait_ms = timeout_ms < 0 ? 0 : timeout_ms;
    for (size_t i = 0; i < MAX_CLIENTS; i++) {
        const struct client *c = &s->clients[i];
        if (c->fd >= 0 && c->deadline_ms - now < wait_ms)
            wait_ms = (int)(c->deadline_ms - now);
    }
    struct epoll_event evs[MAX_CLIENTS + 1];
    int n = epoll_wait(s->epfd, evs, MAX_CLIENTS + 1, wait_ms);
    for (int i = 0; i < n; i++) {
        uint64_t tag = evs[i].data.u64;
        if (tag == LISTEN_TAG) {
            accept_clients(s);
            continue;
        }
        struct client *c = &s->clients[tag & 0xffffffffu];
        if (c->fd < 0 || c->gen != (uint32_t)(tag >> 32))
            continue; /* closed or reused earlier in this batch */
        if (c->writing)
            client_write(s, c);
        else if (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
            client_read(s, c);
    }
    sweep(s, now_ms());
}
