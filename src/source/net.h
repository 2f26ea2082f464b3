/*
 * source/net.h: the network sources, syslog (UDP and TCP) and HTTP ingest
 * (docs/source-net.md).  Both are struct vgl_source kinds (source/source.h): the worker pulls
 * batches with next() and acks them with committed() or failed().
 *
 * Each worker opens its own listener on the same address: sockets are bound with
 * SO_REUSEADDR + SO_REUSEPORT, so the kernel spreads datagrams and connections over the
 * workers.  Neither source has checkpoints (a batch's ncps is always 0):
 *   - syslog cannot replay anything: a failed() batch is handed out again by the next
 *     next() call, but what was received and not yet committed is lost in a crash
 *     (at-most-once across crashes);
 *   - HTTP ingest answers a POST 200 only once the batch holding its last payload is
 *     committed, and 503 when it failed, so a client that retries until 200 gets
 *     at-least-once delivery (exactly-once alerts when it sends an X-Request-Id).
 *
 * Ownership: the constructors copy what they need from their arguments (strings included);
 * the returned source is the caller's, freed with vgl_source_free().  Not thread-safe.
 * Memory is bounded: per connection by the header cap plus max_record_bytes, and the
 * number of connections is capped (connections beyond the cap are accepted and closed).
 */
#ifndef VGL_SOURCE_NET_H
#define VGL_SOURCE_NET_H

#include <stdbool.h>
#include <stddef.h>

struct vgl_error;
struct vgl_source;
struct vgl_source_opts;

#define VGL_NET_MAX_CONNS 1024              /* default connection cap per listener */
#define VGL_HTTP_MAX_HEADER_BYTES (16 << 10) /* request line + headers: 431 beyond */

/*
 * A syslog listener.  listen: "udp://HOST:PORT" or "tcp://HOST:PORT" (HOST may be an IPv4
 * address, "[IPv6]", a name, or empty for every address; a bare "HOST:PORT" means UDP).
 * Every message is delivered as its raw text (RFC 3164 and RFC 5424 alike, no parsing),
 * with service/resource as given.  UDP: each datagram is split on newlines, one item per
 * non-empty line.  TCP: RFC 6587 octet counting ("<len> <msg>") when a frame starts with a
 * digit followed by a space, else newline-delimited.  Trailing \n, \r and NUL bytes are
 * stripped; empty messages are skipped.  Returns NULL (err set) when the address is bad or
 * cannot be bound.
 */
struct vgl_source *vgl_source_syslog_new(const char *listen, const char *service,
                                         const char *resource, const struct vgl_source_opts *opts,
                                         struct vgl_error *err);

/* Is (service, resource) a configured data source?  Unknown ones are answered 404. */
typedef bool (*vgl_http_known_fn)(void *ud, const char *service, const char *resource);

struct vgl_http_ingest_opts {
    const char *listen;          /* "127.0.0.1:8080", "[::1]:8080", ":8080" (port 0: any) */
    const char *token;           /* bearer token; NULL or "": no authentication */
    size_t max_body_bytes;       /* per request body (0: 64 MiB); 413 above it */
    size_t max_pending_bytes;    /* received, not yet answered (0: 256 MiB); 429 above it */
    vgl_http_known_fn known;     /* NULL: every (service, resource) is accepted */
    void *ud;                    /* passed to known */
    size_t max_connections;      /* 0: VGL_NET_MAX_CONNS */
    int idle_timeout_ms;         /* a client that sends nothing this long is closed (0: 30 s) */
};

/*
 * An HTTP/1.1 ingest listener: POST /ingest/<service>/<resource> with newline-delimited
 * payloads (one item per non-blank line), GET /healthz.  Status codes and durability:
 * docs/source-net.md.  Returns NULL (err set) when the options are bad or the address
 * cannot be bound.
 */
struct vgl_source *vgl_source_http_new(const struct vgl_http_ingest_opts *hopts,
                                       const struct vgl_source_opts *opts, struct vgl_error *err);

/* The local port a syslog or http source is bound to (useful after port 0); -1 for any
 * other source. */
int vgl_source_net_port(const struct vgl_source *s);

/*
 * Internal to syslog.c and http_ingest.c, not for other callers.
 * vgl_source_net_listen_() opens a non-blocking SO_REUSEADDR + SO_REUSEPORT socket bound
 * to "HOST:PORT" (listening when socktype is SOCK_STREAM) and returns its fd, setting
 * *port to the bound port; or returns a negative VGL_E* code (err set).
 * vgl_source_net_peer_() formats a struct sockaddr_storage as "ip:port" ("[ip6]:port").
 * vgl_source_http_port_() is the http part of vgl_source_net_port().
 */
int vgl_source_net_listen_(const char *hostport, int socktype, int *port, struct vgl_error *err);
void vgl_source_net_peer_(const void *sockaddr_storage, char *out, size_t outsz);
int vgl_source_http_port_(const struct vgl_source *s);

#endif
