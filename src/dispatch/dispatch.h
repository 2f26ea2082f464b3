/*
 * dispatch/dispatch.h: the dispatcher: delivers stored alerts to their outputs
 * (ARCHITECTURE.md "Alerts", compat 6.7 and 7).
 *
 * It takes due deliveries from the alert store (pending, or failed and due for a retry),
 * composes each publication with the rules engine's publisher chain (compat 7.4), loads
 * the output's credentials, and drives the output service (output/output.h) over libcurl's
 * multi interface, many deliveries side by side.  Each result is written to the store the
 * moment it is known, so a delivered output is never sent again, even if the process dies
 * right after.  A failed delivery is retried after an exponential backoff with jitter
 * (delivery_retry_base_ms doubling per failure up to delivery_retry_max_ms; the actual wait
 * is drawn between half and all of that); it stays visible in `vigil alerts` as failed,
 * with its last error, until it succeeds, an operator retries it, or delivery_max_attempts
 * (0: never, as StreamAlert) gives it up.
 *
 * What fails one delivery, and only that one (compat 6.7 step 4): an output that is not
 * "service:descriptor", a service or descriptor not in conf/outputs.json, an unknown
 * service, missing or undecryptable credentials, a publisher exception, the service's own
 * verdict.  aws-firehose:alerts (every alert's archive, compat 6.3) goes to the lake's
 * alerts table, <data_dir>/lake/alerts/dt=YYYY-MM-DD-HH/alerts-<seq>.jsonl.gz (lake/lake.h),
 * unless alerts_archive is "firehose".
 *
 * At-least-once: a request that went out but whose result was not yet recorded when the
 * process died is sent again on restart.
 *
 * Ownership: the dispatcher borrows the config, store and rules engine (all must outlive
 * it) and owns its libcurl handles, the credential store and the in-flight deliveries.
 * One dispatcher per process; not thread-safe.
 */
#ifndef VGL_DISPATCH_DISPATCH_H
#define VGL_DISPATCH_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct vgl_config;
struct vgl_error;
struct vgl_rules;
struct vgl_store;
struct vgl_dispatcher;

struct vgl_dispatch_stats {
    uint64_t attempts;        /* delivery attempts finished */
    uint64_t sent, failed, abandoned;
    uint64_t requests;        /* HTTP requests sent */
};

/*
 * A dispatcher for the store of cfg.  rules supplies the publisher chain (NULL: every
 * output gets the default publication).  data_dir is the absolute data directory (the
 * credentials, the local archive, relative `file` outputs).  out: where the `stdout`
 * output writes (NULL: stdout).
 */
struct vgl_dispatcher *vgl_dispatcher_new(const struct vgl_config *cfg, struct vgl_store *store,
                                          struct vgl_rules *rules, const char *data_dir, FILE *out,
                                          struct vgl_error *err);
void vgl_dispatcher_free(struct vgl_dispatcher *d);

/*
 * One turn: starts due deliveries while there is room (delivery_parallel), sends what is
 * waiting, and waits up to wait_ms for responses, handling every completion.  Returns 0, or
 * a negative code when the store or libcurl failed (deliveries are not lost: whatever was
 * not recorded is due again).
 */
int vgl_dispatch_poll(struct vgl_dispatcher *d, int wait_ms, struct vgl_error *err);

/* Deliveries in flight (started, not yet recorded). */
size_t vgl_dispatch_inflight(const struct vgl_dispatcher *d);

/* Runs until nothing is in flight and nothing is due now (later retries are left for
 * later), or until deadline_us (CLOCK_REALTIME microseconds; 0: none). */
int vgl_dispatch_drain(struct vgl_dispatcher *d, int64_t deadline_us, struct vgl_error *err);

const struct vgl_dispatch_stats *vgl_dispatch_stats(const struct vgl_dispatcher *d);

/* Wall clock in microseconds (what the store's timestamps use). */
int64_t vgl_dispatch_now_us(void);

#endif
