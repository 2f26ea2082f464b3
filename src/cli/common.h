/*
 * cli/common.h: helpers shared by the subcommands (not a library API).
 */
#ifndef VGL_CLI_COMMON_H
#define VGL_CLI_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vgl_diag;
struct vgl_config;

/* Prints every diagnostic to stderr, "error: ..." or "warning: ...". */
void vgl_cli_print_diag(const struct vgl_diag *diag);

/* Loads the config, printing diagnostics; NULL (after printing) on error. */
struct vgl_config *vgl_cli_load_config(const char *dir, bool quiet_warnings);

/* The data directory of a config (data_dir, relative to the project root). */
void vgl_cli_data_dir(const struct vgl_config *cfg, char *out, size_t outsz);

/* The alert store of a config: <root>/<data_dir>/alerts.sqlite3. */
void vgl_cli_store_path(const struct vgl_config *cfg, char *out, size_t outsz);

/* Opens the alert store of a config (its path into path), or prints "vigil <cmd>: <why>"
 * and returns NULL. */
struct vgl_store;
struct vgl_store *vgl_cli_open_store(const struct vgl_config *cfg, const char *cmd, char *path,
                                     size_t pathsz);

/* "2026-11-20", "2026-11-20T08:15[:30]" (UTC) as microseconds since the epoch, or a
 * duration ago ("30m", "6h", "2d"); 0 when it cannot be read. */
int64_t vgl_cli_parse_time(const char *s);

/* Monotonic seconds. */
double vgl_cli_now(void);

/* Progress line on stderr when it is a terminal (no-op otherwise); done clears it. */
struct vgl_progress {
    bool enabled;
    double started, last;
};
void vgl_progress_init(struct vgl_progress *p, bool allowed);
void vgl_progress_update(struct vgl_progress *p, uint64_t bytes, int64_t total, uint64_t records);
void vgl_progress_done(struct vgl_progress *p);

#endif
