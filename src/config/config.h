/*
 * config/config.h: a StreamAlert conf/ directory loaded into immutable typed structs.
 *
 * vgl_config_load() reads conf/ exactly as StreamAlert's load_config does (compat
 * section 1): every *.json at the top level, schemas/NAME.json (or logs.json), clusters/NAME.json,
 * plus vigil's own optional vigil.json.  It validates everything it can and reports every
 * problem, not just the first, into a struct vgl_diag: each message names the file, the
 * JSON path, what was expected and what was found.  If any error was reported it returns
 * NULL: there is no half-loaded config.
 *
 * Ownership: the returned config owns every string, value and compiled expression inside
 * it; vgl_config_free() releases them all.  Once loaded it is never modified, so any
 * number of readers may share it.  Directory listings are sorted by name, so schema and
 * cluster order is deterministic (StreamAlert's is filesystem order; see docs/compat.md).
 */
#ifndef VGL_CONFIG_CONFIG_H
#define VGL_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "config/schema.h"
#include "core/arena.h"
#include "json/json.h"

struct vgl_buf;
struct vgl_jmespath;

/* Collected diagnostics: errors make the load fail, warnings do not. */
struct vgl_diag {
    char **msgs;
    bool *is_error;
    size_t n, cap;
    size_t nerrors;
};

void vgl_diag_init(struct vgl_diag *d);
void vgl_diag_release(struct vgl_diag *d);
void vgl_diag_add(struct vgl_diag *d, bool is_error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Engine settings from conf/vigil.json; every one has a default (docs/config.md). */
struct vgl_settings {
    char *data_dir;              /* relative paths are relative to the project root */
    size_t max_record_bytes;     /* payloads longer than this are dead-lettered */
    long max_json_depth;         /* nesting cap for JSON payloads */
    char *log_level;             /* error, warn, info, debug, trace */
    bool legacy_normalization;   /* also apply normalized_types.json (v1 form) */
    char *default_service;       /* service assumed by `vigil classify` without --service */
    /* outputs (docs/output.md) */
    char *pagerduty_events_url;  /* StreamAlert's fixed URLs, made configurable */
    char *pagerduty_api_url;
    char *github_api_url;
    char *aws_endpoint_url;      /* "" = the real AWS endpoints */
    char *aws_region;
    char *aws_account_id;
    char *alerts_archive;        /* "local" or "firehose": where aws-firehose:alerts goes */
    long delivery_parallel;      /* deliveries in flight at once */
    long delivery_retry_base_ms; /* first retry delay; doubles per failure, with jitter */
    long delivery_retry_max_ms;  /* cap of the retry delay */
    long delivery_max_attempts;  /* 0: retry forever (StreamAlert); else abandon after N */
    long merge_interval_s;       /* merger timer of the alert process */
    /* vigil run (docs/run.md) */
    long workers;                /* 0: one per core */
    char *http_listen;           /* HTTP ingest address; "" disables it */
    size_t http_max_body_bytes;  /* 413 above it */
    size_t http_max_pending_bytes;   /* 429 above it */
    char *metrics_listen;        /* Prometheus /metrics address; "" disables it */
    bool lake;                   /* write the lake (every classified record) */
    long lake_roll_s;            /* publish lake files at least this often */
    long lake_gzip_level;        /* 1 (fast) .. 9 (small) */
    long batch_max_payloads;     /* payloads per batch (one transaction) */
    size_t dir_piece_bytes;      /* directory sources: piece size (docs/source.md) */
};

struct vgl_cluster {
    char *name;                    /* file stem */
    const struct vgl_json *json;   /* the whole cluster document */
    bool enable_threat_intel;
};

/* One resource of one service of one cluster's data_sources. */
struct vgl_data_source {
    const char *cluster;
    const char *file;              /* the cluster file declaring it */
    const char *service;
    const char *resource;
    const char **entries;          /* log types / log sources as written */
    size_t nentries;
    const struct vgl_schema **candidates;   /* in global schema order (compat 1.6) */
    size_t ncandidates;
};

struct vgl_config {
    char *dir;                     /* the conf/ directory as given */
    char *root;                    /* its parent: the project root */
    struct vgl_arena arena;        /* every parsed document and derived value */

    /* Top-level documents by name (file stem), as parsed. */
    struct vgl_config_file {
        char *name;
        char *path;
        struct vgl_json json;
    } *files;
    size_t nfiles;

    struct vgl_schema *schemas;    /* in try order (priority-sorted unless logs.json) */
    size_t nschemas;
    bool schemas_from_logs_json;

    struct vgl_cluster *clusters;  /* sorted by name */
    size_t nclusters;
    struct vgl_data_source *sources;
    size_t nsources;

    struct vgl_settings settings;
    struct vgl_legacy_norm *legacy_norm;   /* normalized_types.json compiled, or NULL */

    /* private: file texts the parsed values point into; compiled JMESPath expressions */
    struct vgl_buf *texts;
    size_t ntexts;
    struct vgl_jmespath **paths;
    size_t npaths;
};

/* Loads and validates conf_dir; NULL on any error (all of them in diag). */
struct vgl_config *vgl_config_load(const char *conf_dir, struct vgl_diag *diag);
void vgl_config_free(struct vgl_config *cfg);

/* A top-level document by file stem ("global", "outputs", ...), or NULL. */
const struct vgl_json *vgl_config_file(const struct vgl_config *cfg, const char *name);
const struct vgl_schema *vgl_config_schema(const struct vgl_config *cfg, const char *name);
/* The data source for (service, resource) in the first cluster (by name) declaring it. */
const struct vgl_data_source *vgl_config_source(const struct vgl_config *cfg, const char *service,
                                                const char *resource);
/* Services a cluster may name: StreamAlert's four and vigil's own. */
bool vgl_config_service_known(const char *service);

/* Prints the settings table (name, type, default, help) for `vigil validate --settings`. */
void vgl_settings_describe(FILE *out);

#endif
