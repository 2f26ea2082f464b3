/*
 * config/schema.h: one compiled log schema (a `conf/schemas/NAME.json` entry).
 *
 * Built once at config load and immutable afterwards.  The raw JSON pieces (schema,
 * envelope, patterns) live in the config's arena; compiled helpers (JMESPath, key sets,
 * normalization) are owned by the schema and freed with the config.
 */
#ifndef VGL_CONFIG_SCHEMA_H
#define VGL_CONFIG_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "json/json.h"
#include "parse/csvread.h"

struct vgl_jmespath;
struct vgl_norm_spec;
struct vgl_legacy_norm;

enum vgl_parser_kind {
    VGL_PARSER_JSON,
    VGL_PARSER_CSV,
    VGL_PARSER_KV,
    VGL_PARSER_SYSLOG,
};

struct vgl_schema {
    const char *name;          /* log type, e.g. "cloudwatch:events" */
    const char *source;        /* part before the first ':' */
    size_t source_len;
    const char *file;          /* file it came from, for messages */
    enum vgl_parser_kind parser;
    const char *parser_name;   /* "json", "csv", "kv", "syslog": data_type of records */

    const struct vgl_json *schema;      /* object: key -> type */
    const struct vgl_json *envelope;    /* envelope_keys object (len 0 when none) */
    const struct vgl_json *optional_keys;            /* array of strings (may be empty) */
    const struct vgl_json *optional_envelope_keys;   /* array of strings (may be empty) */
    const struct vgl_json *log_patterns;             /* object, or NULL */
    bool valid;                /* false when optional keys are not schema keys (compat 2.4 step 0) */

    int priority;              /* -1 when absent */
    long sort_key;             /* running-max sort key (compat 1.3) */

    /* json */
    const struct vgl_jmespath *json_path;   /* NULL when unset; shared by equal expressions */
    const char *json_path_text;
    bool embedded_json;
    const char *json_regex_key;             /* NULL when unset */
    size_t json_regex_key_len;

    /* csv dialect (code points; VGL_CSV_NONE for an unset quote or escape character) */
    struct vgl_csv_dialect csv;

    /* kv */
    const char *kv_delimiter;  /* default " " */
    const char *kv_separator;  /* default "=" */

    /* normalization (configuration.normalization); NULL when the log type has none */
    struct vgl_norm_spec *normalization;
};

#endif
