/*
 * rules/rules.h: the Python rules engine (compat section 4).
 *
 * vgl_rules_load() starts the embedded CPython (once per process), imports vigil's Python
 * package and the user's rules and matchers as StreamAlert does, and builds the rule table:
 * for every log type, the enabled rules that apply to it, in registration order.
 * vgl_rules_eval() runs them on one classified record: rules are selected by log type,
 * req_subkeys are checked in C on the parsed record, and only if some rule remains is one
 * Python dict built; matchers run at most once per record; a rule or matcher exception is
 * caught, counted, logged with the rule name and the record's position, and counts as false.
 *
 * Ownership: the engine owns the interpreter state it creates and its Python references;
 * vgl_rules_free() releases them (the interpreter itself lives until exit).  Alerts are
 * built in the caller's arena.  Not thread-safe: one engine per process (the GIL makes the
 * process the unit of parallelism; see ARCHITECTURE.md).
 */
#ifndef VGL_RULES_RULES_H
#define VGL_RULES_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json/json.h"

struct vgl_arena;
struct vgl_config;
struct vgl_diag;
struct vgl_error;
struct vgl_rules;

struct vgl_rules_opts {
    /* Folders to import as rule code, relative to the project root.  NULL: global.json's
     * rule_locations (the test runner passes its own list, as StreamAlert's does). */
    const char *const *rule_dirs;
    size_t nrule_dirs;
    bool test_mode;   /* StreamAlert's test runner environment (compat 9.1) */
};

/* Everything the engine needs to know about the record besides its fields. */
struct vgl_rule_input {
    const struct vgl_json *record;   /* the classified record (an object) */
    const char *log_type;            /* schema name, e.g. "cloudwatch:events" */
    const char *parser;              /* data_type: json, csv, kv, syslog */
    const char *cluster, *service, *resource;
    const char *where;               /* input position for messages ("file:line") */
};

/* One alert: the rule and the alert's default publication (compat 6.2) as JSON, plus
 * merge_by_keys and merge_window_mins. */
struct vgl_alert {
    const char *rule_name;
    struct vgl_json fields;
};

/* A rule or matcher that raised on the record (it counted as false). */
struct vgl_rule_error {
    const char *rule;
    const char *message;       /* "rule 'x': the rule raised: KeyError: 'k'" */
};

struct vgl_alerts {
    struct vgl_alert *items;   /* in the arena */
    size_t n, cap;
    struct vgl_rule_error *errors;   /* in the arena: the record's rule errors */
    size_t nerrors, errors_cap;
};

struct vgl_rule_stats {
    const char *name;
    uint64_t calls, hits, errors;
    uint64_t ns;               /* time in the rule function and its matchers; sampled on one
                                  record in 8 and scaled, so an estimate */
};

/* Loads rules; NULL with every problem in diag (file:line for Python errors). */
struct vgl_rules *vgl_rules_load(const struct vgl_config *cfg, const struct vgl_rules_opts *opts,
                                 struct vgl_diag *diag);
void vgl_rules_free(struct vgl_rules *r);

/* Runs the rules on one record; appends alerts.  Returns 0 or a negative code for engine
 * failures (not for rule exceptions, which count as false). */
int vgl_rules_eval(struct vgl_rules *r, const struct vgl_rule_input *in, struct vgl_arena *arena,
                   struct vgl_alerts *out, struct vgl_error *err);

/* In a child right after fork(): lets the embedded interpreter reset its per-process
 * state (PyOS_AfterFork_Child).  `vigil run` loads rules once, then forks. */
void vgl_rules_after_fork(void);

/* True when some enabled rule applies to this log type (no dict is built otherwise). */
bool vgl_rules_wants(const struct vgl_rules *r, const char *log_type);

size_t vgl_rules_count(const struct vgl_rules *r);
/* Rule i: name, disabled flag. */
const char *vgl_rules_name(const struct vgl_rules *r, size_t i, bool *disabled);
bool vgl_rules_exists(const struct vgl_rules *r, const char *name, bool *disabled);
const struct vgl_rule_stats *vgl_rules_stats(const struct vgl_rules *r, size_t *n);

/* Test runner hooks (compat 9.6, 9.7).  fixtures: the event's test_fixtures object or NULL. */
int vgl_rules_set_fixtures(struct vgl_rules *r, const struct vgl_json *fixtures,
                           struct vgl_error *err);
void vgl_rules_clear_fixtures(struct vgl_rules *r);

struct vgl_pub_result {
    const char *output;
    bool passed;
    const char *message;
};

/* Runs an event's publisher_tests over its alerts; results in the arena. */
int vgl_rules_publisher_tests(struct vgl_rules *r, const struct vgl_alerts *alerts,
                              const struct vgl_json *tests, struct vgl_arena *arena,
                              struct vgl_pub_result **results, size_t *n, struct vgl_error *err);

/* The publication for one output of an alert (compat 7.4). */
int vgl_rules_publication(struct vgl_rules *r, const struct vgl_alert *alert, const char *output,
                          struct vgl_arena *arena, struct vgl_json *out, struct vgl_error *err);

#endif
