/*
 * lake/lake.h: the lake writer, vigil's local stand-in for StreamAlert's Firehose archive
 * (streamalert-compat.md 10).
 *
 * Every classified record and every alert becomes one compact JSON line in
 *     <data_dir>/lake/<table>/dt=YYYY-MM-DD-HH/<writer>-<seq>.jsonl.gz
 * the Hive layout that Athena, Trino, Spark and DuckDB read as is.  <table> is the log type
 * with every character matching Python's \W replaced by "_" ("cloudwatch:events" becomes
 * "cloudwatch_events"); alerts go to "alerts".  dt is the UTC hour of the time passed with
 * the record (the caller passes the arrival time).  Data records are written with their
 * keys sanitized as compat 10.2 says, in a copy; alerts are written as given.
 *
 * Readers never see a partial file: a file grows under a hidden temp name in its final
 * directory (".<writer>-<seq>.jsonl.gz.tmp") and is renamed to its final name once
 * finished and fsynced.  Each vgl_lake_sync() ends a gzip member in every file with new
 * data (concatenated members are one valid .gz stream) and fsyncs it, so after a crash
 * vgl_lake_open() with the same writer id keeps each temp file up to its last complete
 * member, cuts the rest and publishes it.  What vgl_lake_sync() returned 0 for is never
 * lost; what was appended after the last sync may be (at-least-once: the caller
 * re-processes from its checkpoint, which it advances only after a sync).  docs/lake.md
 * has the details.
 *
 * Writer ids: [A-Za-z0-9_-], at most 64 bytes, unique among live processes sharing a
 * data_dir (a lock file, lake/.<writer>.lock, makes a second process with the same id fail
 * to open).  <seq> continues after the highest one found for the writer id at open.
 *
 * Ownership: arguments are borrowed for the call; the writer copies what it keeps.  A
 * record is never modified.  Not thread-safe: one writer per worker.  Errors are
 * VGL_EINVAL (bad argument), VGL_ELIMIT (line too long, path too long) or VGL_EIO (the
 * message names the operation, the file and strerror).  After an I/O error on a file, that
 * file is closed and left as a temp file for recovery at the next open.
 */
#ifndef VGL_LAKE_LAKE_H
#define VGL_LAKE_LAKE_H

#include <stddef.h>
#include <stdint.h>

struct vgl_error;
struct vgl_json;

#define VGL_LAKE_DEFAULT_ROLL_US    (60 * INT64_C(1000000))
#define VGL_LAKE_DEFAULT_ROLL_BYTES ((size_t)64 << 20)
#define VGL_LAKE_DEFAULT_LEVEL      6
#define VGL_LAKE_DEFAULT_MAX_OPEN   64
/* StreamAlert drops archive lines longer than this many characters, counted as Python's
 * json.dumps writes them (non-ASCII escaped as \uXXXX); so does vgl_lake_append(). */
#define VGL_LAKE_MAX_LINE_CHARS 999998
/* The table alerts go to. */
#define VGL_LAKE_ALERTS "alerts"

/* Every field's 0 means its default. */
struct vgl_lake_opts {
    int64_t roll_interval_us; /* publish a file at most this long after its first record:
                                 60 s */
    size_t roll_bytes;        /* or once it holds this many compressed bytes: 64 MiB */
    int level;                /* gzip level 1-9: 6 */
    size_t max_open;          /* open files at once; beyond, the least recently used one is
                                 published: 64 */
};

struct vgl_lake;

/*
 * Opens the lake under data_dir (creating <data_dir>/lake), recovers and publishes temp
 * files this writer id left behind, and returns a new writer, or NULL with err set.  opts
 * may be NULL.  Free with vgl_lake_close().
 */
struct vgl_lake *vgl_lake_open(const char *data_dir, const char *writer,
                               const struct vgl_lake_opts *opts, struct vgl_error *err);

/*
 * Appends one classified record of log_type ("cloudwatch:events") for the UTC hour of
 * time_us (microseconds since the epoch), keys sanitized.  A line longer than
 * VGL_LAKE_MAX_LINE_CHARS is not written: VGL_ELIMIT (count it as failed, as StreamAlert
 * does).  The log type "alerts" is refused: that table is vgl_lake_append_alert()'s.
 */
int vgl_lake_append(struct vgl_lake *l, const char *log_type, int64_t time_us,
                    const struct vgl_json *record, struct vgl_error *err);

/* Appends one alert (its default publication, compat 6.2) to the "alerts" table, keys
 * as given. */
int vgl_lake_append_alert(struct vgl_lake *l, int64_t time_us, const struct vgl_json *alert,
                          struct vgl_error *err);

/* Makes everything appended so far durable (fsync) in its temp file or published file. */
int vgl_lake_sync(struct vgl_lake *l, struct vgl_error *err);

/*
 * Publishes the files that are due at now_us: first record at least roll_interval_us
 * ago, roll_bytes reached, or an hour before now_us's hour.  Call it every batch or so.
 */
int vgl_lake_tick(struct vgl_lake *l, int64_t now_us, struct vgl_error *err);

/*
 * Publishes every open file and frees the writer (also on error, which is the first one
 * met; the files that failed stay as temp files for recovery).  NULL does nothing.
 */
int vgl_lake_close(struct vgl_lake *l, struct vgl_error *err);

/* Test hook: frees the writer as a crash would leave it (nothing finished or published). */
void vgl_lake_abandon(struct vgl_lake *l);

/* Counters for metrics and tests. */
struct vgl_lake_stats {
    uint64_t records;   /* lines appended */
    uint64_t published; /* files published (recovered ones included) */
    uint64_t recovered; /* temp files recovered at open */
    size_t open_files;  /* files open now */
};
void vgl_lake_stats(const struct vgl_lake *l, struct vgl_lake_stats *out);

#endif
