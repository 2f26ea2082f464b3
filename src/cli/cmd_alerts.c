/*
 * cli/cmd_alerts.c: `vigil alerts list|show|retry|merge|deliver`: the alert store from the
 * command line.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "config/config.h"
#include "core/buf.h"
#include "core/error.h"
#include "dispatch/dispatch.h"
#include "rules/rules.h"
#include "json/json.h"
#include "store/store.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: vigil alerts list [--config DIR] [--rule NAME] [--state STATE]\n"
            "                         [--since TIME] [--until TIME] [--limit N] [--json]\n"
            "       vigil alerts show ID [--config DIR] [--json]\n"
            "       vigil alerts retry ID [--output SERVICE:DESCRIPTOR] [--config DIR]\n"
            "       vigil alerts merge [--now TIME] [--config DIR]\n"
            "       vigil alerts deliver [--config DIR] [--wait SECONDS | --follow] [--no-merge]\n\n"
            "The alert store is <data_dir>/alerts.sqlite3 (data_dir from conf/vigil.json).\n"
            "STATE is a delivery state: pending, sent, failed, abandoned (an alert matches when\n"
            "any of its deliveries is in it).  TIME is YYYY-MM-DD[THH:MM[:SS]] (UTC) or a\n"
            "duration ago: 30m, 6h, 2d.  ID may be a unique prefix.  retry makes failed or\n"
            "abandoned deliveries due again; a sent delivery is never sent twice.  merge runs\n"
            "one pass of StreamAlert's alert merger (rules with merge_by_keys and\n"
            "merge_window_mins) as of now, or --now TIME.\n\n"
            "deliver runs a merger pass, then sends every due delivery to its output (the\n"
            "publisher chain, credentials, retries with backoff) and stops when nothing more is\n"
            "due now; failures wait for their retry time.  --wait SECONDS keeps going, retries\n"
            "included, until every delivery is sent or given up, or SECONDS pass.  --follow\n"
            "runs until SIGINT/SIGTERM, merging every merge_interval_s.  Exit status 1 when\n"
            "deliveries are still failing at the end.\n\n%s",
            VGL_EXIT_CODES_HELP);
}

/* The data directory of a config: data_dir, relative to the project root unless absolute. */
void vgl_cli_data_dir(const struct vgl_config *cfg, char *out, size_t outsz)
{
    const char *dd = cfg->settings.data_dir ? cfg->settings.data_dir : "data";
    if (dd[0] == '/')
        snprintf(out, outsz, "%s", dd);
    else
        snprintf(out, outsz, "%s/%s", cfg->root, dd);
}

/* The store of a config: <data_dir>/alerts.sqlite3. */
void vgl_cli_store_path(const struct vgl_config *cfg, char *out, size_t outsz)
{
    char dd[4096];
    vgl_cli_data_dir(cfg, dd, sizeof dd);
    snprintf(out, outsz, "%s/alerts.sqlite3", dd);
}

struct vgl_store *vgl_cli_open_store(const struct vgl_config *cfg, const char *cmd, char *path,
                                     size_t pathsz)
{
    vgl_cli_store_path(cfg, path, pathsz);
    struct vgl_error err = {0};
    struct vgl_store *s = vgl_store_open(path, NULL, &err);
    if (!s)
        fprintf(stderr, "vigil %s: %s\n", cmd, err.msg);
    return s;
}

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static int deliver(struct vgl_config *cfg, struct vgl_store *s, double wait_s, bool follow, bool merge)
{
    struct vgl_diag diag;
    vgl_diag_init(&diag);
    struct vgl_rules *rules = vgl_rules_load(cfg, NULL, &diag);
    if (!rules) {
        vgl_cli_print_diag(&diag);
        vgl_diag_release(&diag);
        fprintf(stderr, "vigil alerts deliver: the rules (and their publishers) did not load\n");
        return VGL_EXIT_CONFIG;
    }
    vgl_diag_release(&diag);
    char dd[4096];
    vgl_cli_data_dir(cfg, dd, sizeof dd);
    struct vgl_error err = {0};
    struct vgl_dispatcher *d = vgl_dispatcher_new(cfg, s, rules, dd, stdout, &err);
    int exit_code = VGL_EXIT_OK;
    if (!d) {
        fprintf(stderr, "vigil alerts deliver: %s\n", err.msg);
        vgl_rules_free(rules);
        return VGL_EXIT_RUNTIME;
    }
    struct sigaction sa = {.sa_handler = on_stop};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    int64_t start = vgl_dispatch_now_us();
    int64_t deadline = wait_s > 0 ? start + (int64_t)(wait_s * 1e6) : 0;
    int64_t next_merge = 0;
    int64_t merge_every = (int64_t)cfg->settings.merge_interval_s * 1000000;
    int rc = 0;
    for (;;) {
        int64_t now = vgl_dispatch_now_us();
        if (merge && now >= next_merge) {
            size_t merged = 0, members = 0;
            rc = vgl_store_merge(s, now, &merged, &members, &err);
            if (rc)
                break;
            if (merged)
                fprintf(stderr, "vigil: merged %zu alert%s into %zu merged alert%s\n", members,
                        members == 1 ? "" : "s", merged, merged == 1 ? "" : "s");
            next_merge = now + merge_every;
        }
        if (follow) {
            rc = vgl_dispatch_poll(d, 200, &err);
        } else {
            rc = vgl_dispatch_drain(d, deadline, &err);
            if (rc == 0 && wait_s > 0) {
                size_t counts[4];
                rc = vgl_store_delivery_counts(s, counts, &err);
                if (rc == 0 && (counts[VGL_DELIVERY_PENDING] || counts[VGL_DELIVERY_FAILED]) &&
                    vgl_dispatch_now_us() < deadline && !stop_requested) {
                    struct timespec ts = {0, 50 * 1000000L};
                    nanosleep(&ts, NULL);
                    continue;
                }
            }
        }
        if (rc || stop_requested || !follow)
            break;
    }
    if (rc)
        fprintf(stderr, "vigil alerts deliver: %s\n", err.msg);
    const struct vgl_dispatch_stats *st = vgl_dispatch_stats(d);
    size_t counts[4] = {0};
    vgl_store_delivery_counts(s, counts, NULL);
    fprintf(stderr,
            "vigil: %llu deliver%s sent, %llu failed, %llu given up (%llu HTTP request%s); store: "
            "%zu sent, %zu pending, %zu failed, %zu abandoned\n",
            (unsigned long long)st->sent, st->sent == 1 ? "y" : "ies", (unsigned long long)st->failed,
            (unsigned long long)st->abandoned, (unsigned long long)st->requests,
            st->requests == 1 ? "" : "s", counts[VGL_DELIVERY_SENT], counts[VGL_DELIVERY_PENDING],
            counts[VGL_DELIVERY_FAILED], counts[VGL_DELIVERY_ABANDONED]);
    if (rc)
        exit_code = VGL_EXIT_RUNTIME;
    else if (counts[VGL_DELIVERY_FAILED] || counts[VGL_DELIVERY_ABANDONED])
        exit_code = VGL_EXIT_FAIL;
    vgl_dispatcher_free(d);
    vgl_rules_free(rules);
    return exit_code;
}

static void fmt_time(int64_t us, char *out, size_t outsz)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, outsz, "%Y-%m-%dT%H:%M:%SZ", &tm);
}


struct out_ctx {
    bool json;
    size_t n;
};

static int print_row(const struct vgl_store_alert_row *row, void *ud)
{
    struct out_ctx *o = ud;
    char when[32];
    fmt_time(row->created_us, when, sizeof when);
    if (o->json) {
        struct vgl_buf b;
        vgl_buf_init(&b, 0);
        vgl_buf_puts(&b, "{\"id\":");
        vgl_json_write_str(&b, row->id, strlen(row->id));
        vgl_buf_printf(&b, ",\"stored\":\"%s\",\"deliveries\":{\"sent\":%zu,\"pending\":%zu,\"failed\":%zu,"
                           "\"abandoned\":%zu},\"alert\":%s}",
                       when, row->nsent, row->npending, row->nfailed, row->nabandoned, row->fields_json);
        printf("%s\n", b.data);
        vgl_buf_release(&b);
    } else {
        if (o->n == 0)
            printf("%-36s  %-20s  %-32s  %-24s  %s\n", "ID", "STORED (UTC)", "RULE", "LOG SOURCE",
                   "SENT/PENDING/FAILED/ABANDONED");
        printf("%-36s  %-20s  %-32s  %-24s  %zu/%zu/%zu/%zu\n", row->id, when, row->rule_name,
               row->log_source ? row->log_source : "", row->nsent, row->npending, row->nfailed,
               row->nabandoned);
    }
    o->n++;
    return 0;
}

static int print_delivery(const struct vgl_store_delivery_row *d, void *ud)
{
    struct out_ctx *o = ud;
    char sent[32] = "";
    if (d->sent_us)
        fmt_time(d->sent_us, sent, sizeof sent);
    if (o->json) {
        struct vgl_buf b;
        vgl_buf_init(&b, 0);
        vgl_buf_puts(&b, "{\"output\":");
        vgl_json_write_str(&b, d->output, strlen(d->output));
        vgl_buf_printf(&b, ",\"state\":\"%s\",\"attempts\":%d", vgl_delivery_state_name(d->state), d->attempts);
        if (d->last_error) {
            vgl_buf_puts(&b, ",\"last_error\":");
            vgl_json_write_str(&b, d->last_error, strlen(d->last_error));
        }
        vgl_buf_putc(&b, '}');
        printf("%s\n", b.data);
        vgl_buf_release(&b);
    } else {
        printf("  %-40s %-10s %3d attempts  %s%s%s\n", d->output, vgl_delivery_state_name(d->state),
               d->attempts, sent, d->last_error ? "  last error: " : "", d->last_error ? d->last_error : "");
    }
    return 0;
}

static int print_alert(const struct vgl_store_alert_row *row, void *ud)
{
    struct out_ctx *o = ud;
    if (o->json)
        return print_row(row, ud);
    char when[32];
    fmt_time(row->created_us, when, sizeof when);
    printf("id:         %s\nrule:       %s\nstored:     %s\nlog source: %s\nalert:      %s\ndeliveries:\n",
           row->id, row->rule_name, when, row->log_source ? row->log_source : "", row->fields_json);
    o->n++;
    return 0;
}

int vgl_cmd_alerts(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? VGL_EXIT_USAGE : VGL_EXIT_OK;
    }
    const char *sub = argv[1], *conf = "conf", *id = NULL, *output = NULL;
    struct vgl_store_filter f = {.state = -1, .limit = 50};
    struct out_ctx o = {0};
    int64_t now_us = 0;
    double wait_s = 0;
    bool follow = false, merge = true;
    if (strcmp(sub, "list") != 0 && strcmp(sub, "show") != 0 && strcmp(sub, "retry") != 0 &&
        strcmp(sub, "merge") != 0 && strcmp(sub, "deliver") != 0) {
        fprintf(stderr, "vigil alerts: unknown subcommand '%s' (list, show, retry, merge, deliver)\n",
                sub);
        return VGL_EXIT_USAGE;
    }
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        bool has = i + 1 < argc;
        if (strcmp(a, "--config") == 0 && has) {
            conf = argv[++i];
        } else if (strcmp(a, "--rule") == 0 && has) {
            f.rule = argv[++i];
        } else if (strcmp(a, "--state") == 0 && has) {
            f.state = vgl_delivery_state_parse(argv[++i]);
            if (f.state < 0) {
                fprintf(stderr, "vigil alerts: unknown state '%s' (pending, sent, failed, abandoned)\n", argv[i]);
                return VGL_EXIT_USAGE;
            }
        } else if ((strcmp(a, "--since") == 0 || strcmp(a, "--until") == 0) && has) {
            int64_t t = vgl_cli_parse_time(argv[++i]);
            if (!t) {
                fprintf(stderr, "vigil alerts: cannot read time '%s' (YYYY-MM-DD[THH:MM[:SS]] or 30m, 6h, 2d)\n",
                        argv[i]);
                return VGL_EXIT_USAGE;
            }
            if (a[2] == 's')
                f.since_us = t;
            else
                f.until_us = t;
        } else if (strcmp(a, "--now") == 0 && has) {
            now_us = vgl_cli_parse_time(argv[++i]);
            if (!now_us) {
                fprintf(stderr, "vigil alerts: cannot read time '%s' (YYYY-MM-DD[THH:MM[:SS]])\n", argv[i]);
                return VGL_EXIT_USAGE;
            }
        } else if (strcmp(a, "--limit") == 0 && has) {
            f.limit = (size_t)strtoul(argv[++i], NULL, 10);
        } else if (strcmp(a, "--output") == 0 && has) {
            output = argv[++i];
        } else if (strcmp(a, "--json") == 0) {
            o.json = true;
        } else if (strcmp(a, "--wait") == 0 && has) {
            char *end;
            wait_s = strtod(argv[++i], &end);
            if (*end || wait_s <= 0) {
                fprintf(stderr, "vigil alerts deliver: --wait takes a number of seconds, not '%s'\n",
                        argv[i]);
                return VGL_EXIT_USAGE;
            }
        } else if (strcmp(a, "--follow") == 0) {
            follow = true;
        } else if (strcmp(a, "--no-merge") == 0) {
            merge = false;
        } else if (a[0] != '-' && !id) {
            id = a;
        } else {
            fprintf(stderr, "vigil alerts %s: unexpected argument '%s'\n", sub, a);
            return VGL_EXIT_USAGE;
        }
    }
    if ((strcmp(sub, "show") == 0 || strcmp(sub, "retry") == 0) && !id) {
        fprintf(stderr, "vigil alerts %s: give an alert id (or a unique prefix)\n", sub);
        return VGL_EXIT_USAGE;
    }
    struct vgl_config *cfg = vgl_cli_load_config(conf, true);
    if (!cfg)
        return VGL_EXIT_CONFIG;
    char path[4200];
    struct vgl_error err = {0};
    struct vgl_store *s = vgl_cli_open_store(cfg, "alerts", path, sizeof path);
    int exit_code = VGL_EXIT_OK;
    if (!s) {
        exit_code = VGL_EXIT_RUNTIME;
        goto out;
    }
    int rc = 0;
    if (strcmp(sub, "deliver") == 0) {
        exit_code = deliver(cfg, s, wait_s, follow, merge);
    } else if (strcmp(sub, "list") == 0) {
        rc = vgl_store_list(s, &f, print_row, &o, &err);
        if (!rc && o.n == 0 && !o.json)
            printf("no alerts in %s match\n", path);
    } else if (strcmp(sub, "show") == 0) {
        rc = vgl_store_show(s, id, print_alert, print_delivery, &o, &err);
    } else if (strcmp(sub, "merge") == 0) {
        if (!now_us) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            now_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
        }
        size_t merged = 0, members = 0;
        rc = vgl_store_merge(s, now_us, &merged, &members, &err);
        if (!rc)
            printf("merged %zu alert%s into %zu merged alert%s\n", members, members == 1 ? "" : "s", merged,
                   merged == 1 ? "" : "s");
    } else {
        size_t changed = 0;
        rc = vgl_store_retry(s, id, output, &changed, &err);
        if (!rc)
            printf("%zu deliver%s of alert %s due again\n", changed, changed == 1 ? "y" : "ies", id);
    }
    if (rc) {
        fprintf(stderr, "vigil alerts %s: %s\n", sub, err.msg);
        exit_code = rc == VGL_ENOTFOUND || rc == VGL_EINVAL ? VGL_EXIT_USAGE : VGL_EXIT_RUNTIME;
    }
out:
    vgl_store_close(s);
    vgl_config_free(cfg);
    return exit_code;
}
