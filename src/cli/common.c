/*
 * cli/common.c: diagnostics printing, config loading and progress for the subcommands.
 */
#include "cli/common.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "core/log.h"

void vgl_cli_print_diag(const struct vgl_diag *diag)
{
    for (size_t i = 0; i < diag->n; i++)
        fprintf(stderr, "%s: %s\n", diag->is_error[i] ? "error" : "warning", diag->msgs[i]);
}

struct vgl_config *vgl_cli_load_config(const char *dir, bool quiet_warnings)
{
    struct vgl_diag diag;
    vgl_diag_init(&diag);
    struct vgl_config *cfg = vgl_config_load(dir, &diag);
    if (!cfg || !quiet_warnings)
        vgl_cli_print_diag(&diag);
    if (!cfg)
        fprintf(stderr, "vigil: %s: %zu configuration error%s (run `vigil validate --config %s`)\n",
                dir, diag.nerrors, diag.nerrors == 1 ? "" : "s", dir);
    if (cfg && cfg->settings.log_level && vgl_log_get_level() == VGL_LOG_WARN) {
        int lv = vgl_log_level_parse(cfg->settings.log_level);
        if (lv >= 0)
            vgl_log_set_level((enum vgl_log_level)lv);
    }
    vgl_diag_release(&diag);
    return cfg;
}

double vgl_cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void vgl_progress_init(struct vgl_progress *p, bool allowed)
{
    p->enabled = allowed && isatty(STDERR_FILENO);
    p->started = p->last = vgl_cli_now();
}

void vgl_progress_update(struct vgl_progress *p, uint64_t bytes, int64_t total, uint64_t records)
{
    if (!p->enabled)
        return;
    double now = vgl_cli_now();
    if (now - p->last < 0.25)
        return;
    p->last = now;
    double el = now - p->started;
    double mb = (double)bytes / 1e6;
    if (total > 0)
        fprintf(stderr, "\r\033[K%.1f/%.1f MB (%.0f%%)  %llu records  %.0f records/s", mb,
                (double)total / 1e6, 100.0 * (double)bytes / (double)total,
                (unsigned long long)records, el > 0 ? (double)records / el : 0.0);
    else
        fprintf(stderr, "\r\033[K%.1f MB  %llu records  %.0f records/s", mb,
                (unsigned long long)records, el > 0 ? (double)records / el : 0.0);
    fflush(stderr);
}

void vgl_progress_done(struct vgl_progress *p)
{
    if (p->enabled && p->last != p->started)
        fprintf(stderr, "\r\033[K");
}

/* "2026-11-20", "2026-11-20T08:15[:30]" (UTC), or "30m"/"6h"/"2d" ago; 0 on error. */
int64_t vgl_cli_parse_time(const char *s)
{
    char *end;
    long n = strtol(s, &end, 10);
    if (end != s && end[0] && !end[1] && n >= 0) {
        long mult = end[0] == 'm' ? 60 : end[0] == 'h' ? 3600 : end[0] == 'd' ? 86400 : 0;
        if (mult)
            return ((int64_t)time(NULL) - n * mult) * 1000000;
    }
    struct tm tm = {0};
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
    int got = sscanf(s, "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &sec);
    if ((got != 3 && got != 5 && got != 6) || mo < 1 || mo > 12 || d < 1 || d > 31)
        return 0;
    (void)tm;
    /* days from 1970-01-01 for a proleptic Gregorian date (no timegm in POSIX) */
    int yy = y - (mo <= 2);
    int era = (yy >= 0 ? yy : yy - 399) / 400;
    int yoe = yy - era * 400;
    int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = (int64_t)era * 146097 + doe - 719468;
    int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec;
    return secs < 0 ? 0 : secs * 1000000;
}
