/*
 * source/source.h: where payloads come from (ARCHITECTURE.md "Processes, not threads",
 * issue 5): files (tailed, following rotation), directories (new files, .gz too), stdin,
 * syslog over UDP and TCP, and HTTP ingest.
 *
 * A worker owns some sources and pulls batches from them.  A batch is a run of payloads
 * (one per line or datagram) plus the checkpoint(s) that say how far the source got; the
 * worker processes the batch, then commits its alerts, dead letters and checkpoints in one
 * SQLite transaction, then tells the source: committed() (an HTTP ingest request is answered
 * 200 only now) or failed() (answered 503, or re-read from the last checkpoint).  After a
 * crash a source resumes from its last committed checkpoint, so every payload is processed
 * at least once; payload positions are stable across re-reads, so alert ids (position +
 * rule) make re-processing insert nothing twice.
 *
 * Ownership: a source owns its descriptors and buffers.  A batch's items point into the
 * source and stay valid until the next call on it (next, committed, failed, free).  Sources
 * are opened in the worker, after fork(), never shared between processes (listening sockets
 * use SO_REUSEPORT, so each worker has its own and the kernel spreads connections).
 * Not thread-safe.  Behaviour, formats and limits of each kind: docs/source.md.
 */
#ifndef VGL_SOURCE_SOURCE_H
#define VGL_SOURCE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vgl_error;

#define VGL_SOURCE_POS_MAX 256
#define VGL_SOURCE_CP_KEY_MAX 512
#define VGL_SOURCE_CP_VALUE_MAX 256
#define VGL_SOURCE_MAX_CPS 8

/* One payload. */
struct vgl_source_item {
    const char *data;            /* NULL when oversize */
    size_t len;
    bool oversize;               /* longer than the size cap: data NULL, dead-lettered */
    uint64_t oversize_len;
    const char *service, *resource;   /* the data source (conf/clusters) it belongs to */
    char position[VGL_SOURCE_POS_MAX];  /* stable across re-reads: "path#i<inode>:o<offset>"
                                           (file), "path#o<offset>" (dir), "stdin:<line>",
                                           "http:<batch id>:<line>", "syslog:udp:<peer>:<n>";
                                           a path over 180 bytes becomes "h<fnv-1a 64 hex>" */
};

struct vgl_source_checkpoint {
    char key[VGL_SOURCE_CP_KEY_MAX];     /* "file:/abs/path", "dir:/abs/dir/name.gz" */
    char value[VGL_SOURCE_CP_VALUE_MAX]; /* the source's own text: "i<inode>:o<offset>:l<line>"
                                            (file), "done" or "o<offset>:l<line>" (dir) */
};

/* A batch may hold checkpoints and no items (only blank lines were read, or a dir source
 * finished a file): store them like any other. */
struct vgl_source_batch {
    struct vgl_source_item *items;
    size_t n;
    struct vgl_source_checkpoint cps[VGL_SOURCE_MAX_CPS];   /* to store with the batch */
    size_t ncps;
    bool eof;                    /* a finite source (stdin) has ended: no more batches */
};

/* Reads a stored checkpoint: copies the value for key into out and returns true, or false
 * when none is stored. */
typedef bool (*vgl_checkpoint_get_fn)(void *ud, const char *key, char *out, size_t outsz);

struct vgl_source_opts {
    size_t max_record_bytes;     /* payload size cap (0: 16 MiB) */
    vgl_checkpoint_get_fn checkpoint_get;   /* may be NULL: start from the beginning */
    void *checkpoint_ud;
    int worker, nworkers;        /* this worker's index and the worker count (sharding;
                                    nworkers 0 or 1: none) */
    /* dir: a lock file shared by the workers; each piece of a file (see below) is read by
     * the worker that holds its lock.  NULL: this source reads every piece itself. */
    const char *claims_path;
    uint64_t piece_bytes;        /* dir: the piece size (0: VGL_SOURCE_DIR_PIECE) */
};

/* A directory source splits plain files into pieces at fixed multiples of this many bytes;
 * a piece is the lines that start in it. */
#define VGL_SOURCE_DIR_PIECE (8u << 20)

struct vgl_source;

struct vgl_source_ops {
    const char *kind;            /* "file", "dir", "stdin", "syslog", "http" */
    /*
     * Fills b with up to max_items payloads / about max_bytes bytes (the last payload may
     * pass it; 0: no byte limit), waiting up to timeout_ms (0 or negative: not at all) for
     * the first one; it returns as soon as some came and no more are there at once, and
     * early when a signal interrupts the wait.  Returns 0 (b->n may be 0 when nothing
     * came) or a negative VGL_E* code (err set): the source failed (file: a read error,
     * naming the file; calling next() again retries from where it was).
     * Blank payloads (only spaces, tabs, "\r") are skipped, never delivered.
     */
    int (*next)(struct vgl_source *s, struct vgl_source_batch *b, size_t max_items, size_t max_bytes,
                int timeout_ms, struct vgl_error *err);
    /*
     * The last batch is durably committed (ack it); or it was not (nack: the payloads after
     * the last committed batch come again, at the same positions).  Call one of them after
     * every batch with items or checkpoints, before the next call to next().  committed()
     * stores nothing itself (the caller stored b->cps); it lets the source drop buffers.
     */
    void (*committed)(struct vgl_source *s, struct vgl_source_batch *b);
    void (*failed)(struct vgl_source *s, struct vgl_source_batch *b);
    void (*free)(struct vgl_source *s);
    /*
     * Optional (NULL: the source cannot tell, e.g. a listener): true when everything the
     * source can see now was delivered and acknowledged, so `vigil run --once` may stop
     * at once instead of waiting for a quiet spell.  Call it between batches only.
     */
    bool (*drained)(struct vgl_source *s);
};

/* The common head of every source (each kind embeds it first). */
struct vgl_source {
    const struct vgl_source_ops *ops;
    char *name;                  /* for messages: "file '/var/log/app.log'" */
};

/*
 * Constructors (in the worker).  service/resource: the data source the payloads belong to
 * (copied).  Return NULL with err set on bad arguments (details: docs/source.md).
 */
/* A file, tailed like `tail -F`: waits for it to exist and to grow, follows rotation by
 * rename and copytruncate, holds back a last line until its "\n" comes.  A relative path is
 * made absolute (the checkpoint key is "file:<absolute path>").  Not for directories. */
struct vgl_source *vgl_source_file_new(const char *path, const char *service, const char *resource,
                                       const struct vgl_source_opts *opts, struct vgl_error *err);
/* A directory: every regular file in it (plain or gzip; not ".*", not "*.tmp"), new ones as
 * they appear, each read once to its end (finished once read to the end and unmodified for
 * 1 s).  Plain files are read in pieces (opts->piece_bytes); with claims_path, workers share
 * the directory and each piece is read by the one that claims it (docs/source.md).  A
 * directory that does not exist yet is waited for. */
struct vgl_source *vgl_source_dir_new(const char *dir, const char *service, const char *resource,
                                      const struct vgl_source_opts *opts, struct vgl_error *err);
/* Lines from fd 0 (not closed by free); no checkpoint; b->eof once the stream ended. */
struct vgl_source *vgl_source_stdin_new(const char *service, const char *resource,
                                        const struct vgl_source_opts *opts, struct vgl_error *err);

static inline void vgl_source_free(struct vgl_source *s)
{
    if (s)
        s->ops->free(s);
}

#endif
