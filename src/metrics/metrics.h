/*
 * metrics/metrics.h: counters and gauges shared by every process of `vigil run`, and the
 * tiny HTTP server that exposes them as Prometheus text (exposition format 0.0.4) at
 * GET /metrics (docs/metrics.md).
 *
 * The registry lives in one MAP_SHARED|MAP_ANONYMOUS mapping that the supervisor creates
 * BEFORE it forks, so the workers, the alert process and the supervisor all see the same
 * series.  Each process writes only its own writer slot (its own row of cells), with a
 * relaxed atomic add: no lock and no IPC on the hot path.  A render sums every series over
 * all slots.  A restarted worker reuses its slot, so its counters keep counting.
 *
 * A series is a (name, labels) pair with a type and a help text.  Registering the same pair
 * again returns the same id, in any process, before or after the fork: registration takes a
 * robust process-shared mutex in the mapping (a process that dies holding it cannot wedge
 * the others), and finding an existing series takes no lock.  Series are never removed;
 * ids are dense, 0, 1, 2, ... in registration order, which is also the render order
 * (grouped by name: a name's HELP/TYPE lines and all its series come where the name was
 * first registered).
 *
 * Ownership: vgl_metrics_new() returns the caller's registry; vgl_metrics_free() unmaps
 * this process's view only (a child may call it, or simply exit).  Strings passed in are
 * borrowed for the call (they are copied into the mapping).
 *
 * Thread-safety: vigil runs one thread per process; every function here is safe across
 * processes as described (lock-free add/set, locked registration).  Adds are atomic
 * read-modify-writes, so two processes sharing a slot lose no counts, but their gauge sets
 * overwrite each other: give every process its own slot.
 *
 * Errors: functions that can fail return a negative VGL_E* code: VGL_EINVAL for a bad name,
 * labels text, type or a name registered again with another type; VGL_ELIMIT when the
 * registry is full or a string is too long.
 */
#ifndef VGL_METRICS_METRICS_H
#define VGL_METRICS_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vgl_buf;
struct vgl_error;
struct vgl_metrics;
struct vgl_metrics_server;

enum vgl_metric_type {
    VGL_METRIC_COUNTER, /* uint64, only goes up (wraps at 2^64) */
    VGL_METRIC_GAUGE,   /* int64 per slot; the render shows the sum over slots */
    VGL_METRIC_SECONDS, /* a counter of nanoseconds, rendered in seconds (TYPE counter);
                           name it *_seconds_total, e.g. vigil_rule_seconds_total */
};

/* Limits on what one series may hold (bytes, including the terminating NUL). */
#define VGL_METRICS_NAME_MAX   128
#define VGL_METRICS_LABELS_MAX 512 /* the rendered labels text, escaped */
#define VGL_METRICS_HELP_MAX   256 /* the help text once escaped (\\ and \n) */
#define VGL_METRICS_SLOTS_MAX  4096
#define VGL_METRICS_SERIES_MAX (1u << 20)

/*
 * A registry for up to max_series series and nslots writer slots (one per process: every
 * worker, the alert process, the supervisor), in a fresh shared anonymous mapping.  Call it
 * before fork().  Returns NULL and sets err on a bad size or when mmap fails.
 */
struct vgl_metrics *vgl_metrics_new(size_t max_series, size_t nslots, struct vgl_error *err);

/* Unmaps this process's view; the other processes keep theirs.  NULL does nothing. */
void vgl_metrics_free(struct vgl_metrics *m);

size_t vgl_metrics_nslots(const struct vgl_metrics *m);
/* Series registered so far, by any process. */
size_t vgl_metrics_nseries(const struct vgl_metrics *m);

/*
 * Registers the series name{labels} and returns its id (>= 0), or a negative VGL_E* code.
 * The same name and labels again return the same id (lock-free when it exists), so code may
 * register lazily, in any process.
 *
 * name: [a-zA-Z_:][a-zA-Z0-9_:]*.  help: plain text (NULL or "": no HELP line); the first
 * registration of a name sets it, later ones are ignored.  A name keeps the type it was
 * first registered with; another type is VGL_EINVAL.
 *
 * labels: NULL or "" for none, else the rendered text between the braces, already escaped:
 * name="value" pairs joined by ',' with no spaces, label names [a-zA-Z_][a-zA-Z0-9_]*,
 * values valid UTF-8 in which '\', '"' and newline appear only as \\, \" and \n.  Anything
 * else is VGL_EINVAL, so a render is always well-formed.  vgl_metrics_labels() builds this
 * text from raw values; vgl_metrics_register_label() does both for the common one-label
 * case.  Labels are compared as text: write them in the same order every time.
 */
int vgl_metrics_register(struct vgl_metrics *m, const char *name, const char *help,
                         enum vgl_metric_type type, const char *labels);

/* vgl_metrics_register() with one label whose raw value is escaped here:
 * register_label(m, "vigil_rule_calls_total", "...", COUNTER, "rule", rule_name). */
int vgl_metrics_register_label(struct vgl_metrics *m, const char *name, const char *help,
                               enum vgl_metric_type type, const char *label_name,
                               const char *label_value);

/*
 * Renders npairs label pairs into out (outsz bytes, always NUL-terminated when outsz > 0):
 * pairs[2*i] is a label name, pairs[2*i+1] its raw value, escaped here (\\, \", \n).
 * Returns the length, VGL_EINVAL for a bad label name or a value that is not UTF-8, or
 * VGL_ELIMIT when it does not fit.
 */
int vgl_metrics_labels(char *out, size_t outsz, size_t npairs, const char *const *pairs);

/*
 * The hot path: lock-free, no system call.  slot is this process's slot (< nslots; anything
 * else is a bug and aborts).  A negative id (a registration that failed) and an id never
 * returned are ignored, so callers need not check ids on the hot path.
 *
 * add: adds delta to the slot's cell (relaxed atomic).  Works for every type: a SECONDS
 * series takes nanoseconds, a gauge takes a two's-complement delta ((uint64_t)-1 lowers it).
 * set: sets the slot's cell of a gauge to value (on a counter it would break monotonicity:
 * only do it to a counter that this slot alone owns).
 */
void vgl_metrics_add(struct vgl_metrics *m, size_t slot, int id, uint64_t delta);
void vgl_metrics_set(struct vgl_metrics *m, size_t slot, int id, int64_t value);

/*
 * The process-wide cell of a series, besides the per-slot cells (rendered as their sum
 * too): for a value that no single process owns, or a gauge that any process may set.
 * Atomic, any process.
 */
void vgl_metrics_add_shared(struct vgl_metrics *m, int id, uint64_t delta);
void vgl_metrics_set_shared(struct vgl_metrics *m, int id, int64_t value);

/* Zeroes every gauge cell of slot (counters keep counting): the supervisor calls it when a
 * worker dies, so a dead worker's queue depth does not linger until its replacement sets
 * it. */
void vgl_metrics_reset_gauges(struct vgl_metrics *m, size_t slot);

/* The sum over all slots and the shared cell (a gauge: cast to int64_t); 0 for a bad id. */
uint64_t vgl_metrics_value(const struct vgl_metrics *m, int id);

/* CLOCK_MONOTONIC in nanoseconds, for timing a SECONDS series. */
uint64_t vgl_metrics_now_ns(void);

/*
 * Appends the exposition text (format 0.0.4) to out: for each name, in order of first
 * registration, "# HELP" (when there is help) and "# TYPE" once, then each of its series
 * as name{labels} value.  Lock-free; values are read while others write, so a render is a
 * near-instant snapshot, not an atomic one.  Returns 0 or VGL_ELIMIT (out's max).
 */
int vgl_metrics_render(const struct vgl_metrics *m, struct vgl_buf *out);

/*
 * The HTTP endpoint, for the supervisor's event loop.  It answers GET (and HEAD) /metrics
 * with the render and Content-Type: text/plain; version=0.0.4; charset=utf-8; anything else
 * gets 404 (405 for another method on /metrics, 400 for a malformed request, 431 for a
 * request head over 4 KiB), then the connection is closed (no keep-alive).  Everything is
 * non-blocking: up to 16 clients at once, each with a deadline (default 5 s from accept,
 * vgl_metrics_server_set_timeout()), after which it is closed; when all 16 are busy the
 * oldest is dropped for a newcomer, so slow or silent clients cannot stall it.
 *
 * listen: "host:port" or "[v6addr]:port"; port 0 picks a free port (see _port()); an empty
 * host means every interface.  The default is 127.0.0.1:9464.  A non-loopback address is
 * allowed: the caller should log a warning when vgl_metrics_server_is_loopback() is false,
 * since the page has no authentication.
 *
 * fork(): children inherit the sockets.  A child may call vgl_metrics_server_free(), which
 * only closes its own copies (it never shuts a socket down), and should, so a worker that
 * outlives the supervisor does not hold the port.
 */
struct vgl_metrics_server *vgl_metrics_server_new(struct vgl_metrics *m, const char *listen,
                                                  struct vgl_error *err);
void vgl_metrics_server_free(struct vgl_metrics_server *s);

/*
 * An fd (epoll) that polls readable whenever the server has something to do (a new
 * connection, request bytes, room to write).  A caller with its own poll set adds it and
 * calls vgl_metrics_server_poll(s, 0) when it is readable, and once in a while anyway
 * (each second or so) so expired clients get closed.
 */
int vgl_metrics_server_fd(const struct vgl_metrics_server *s);
/* The bound port (useful after port 0). */
int vgl_metrics_server_port(const struct vgl_metrics_server *s);
/* Whether the bound address is loopback (127.0.0.0/8, ::1, or v4-mapped 127/8). */
bool vgl_metrics_server_is_loopback(const struct vgl_metrics_server *s);
/* Per-client deadline from accept to the last byte written, in ms (> 0). */
void vgl_metrics_server_set_timeout(struct vgl_metrics_server *s, int timeout_ms);

/*
 * Waits up to timeout_ms (< 0 counts as 0) for work, then does what can be done without
 * blocking: accepts, reads, answers, writes, closes expired clients.  Never blocks longer
 * than timeout_ms plus the time to render.  Failures are per client (that client is
 * closed) and never reported.
 */
void vgl_metrics_server_poll(struct vgl_metrics_server *s, int timeout_ms);

/* Clients currently open (for tests and the shutdown drain). */
size_t vgl_metrics_server_clients(const struct vgl_metrics_server *s);

#endif
