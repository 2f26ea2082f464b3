/*
 * cli/cmd_deadletters.c: `vigil deadletters list|show|replay`: the payloads `vigil run`
 * could not process (engine/pipeline.h has the reasons), and feeding them back after a
 * config or rule fix.
 */
#define _GNU_SOURCE
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
#include "engine/pipeline.h"
#include "json/json.h"
#include "lake/lake.h"
#include "rules/rules.h"
#include "store/store.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: vigil deadletters list [--config DIR] [--reason R] [--since TIME] [--limit N]\n"
            "                              [--all] [--json]\n"
            "       vigil deadletters show ID [--config DIR]\n"
            "       vigil deadletters replay [--config DIR] [--reason R] [--id ID] [--since TIME]\n\n"
            "Dead letters are payloads that failed, kept with their reason in the alert store:\n"
            "no_source, oversize (length kept, bytes not), unclassified (every tried schema's\n"
            "reason), rule_error (a rule raised on the record), engine.  list shows those not\n"
            "yet replayed (--all: every one), newest first.  replay runs each again through the\n"
            "current config and rules (classify, lake, rules, alert store) with its original\n"
            "position, so alerts are never doubled; those that now go through are marked\n"
            "replayed, the others stay.  TIME is YYYY-MM-DD[THH:MM[:SS]] (UTC) or 30m, 6h, 2d.\n\n%s",
            VGL_EXIT_CODES_HELP);
}


struct list_ctx {
    bool json;
    size_t n;
    bool show;
};

static void fmt_time(int64_t us, char *out, size_t outsz)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, outsz, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void put_payload(struct vgl_buf *b, const struct vgl_deadletter *d)
{
    if (!d->payload) {
        vgl_buf_puts(b, "null");
        return;
    }
    if (vgl_utf8_check(d->payload, d->payload_len) == d->payload_len) {
        vgl_json_write_str(b, d->payload, d->payload_len);
    } else {
        struct vgl_buf q;
        vgl_buf_init(&q, 0);
        vgl_buf_append_quoted(&q, d->payload, d->payload_len, d->payload_len);
        vgl_json_write_str(b, q.data ? q.data : "", q.len);
        vgl_buf_release(&q);
    }
}

static int print_dl(const struct vgl_deadletter_row *row, void *ud)
{
    struct list_ctx *c = ud;
    const struct vgl_deadletter *d = &row->d;
    char when[40];
    fmt_time(row->created_us, when, sizeof when);
    c->n++;
    if (c->json) {
        struct vgl_buf b;
        vgl_buf_init(&b, 0);
        vgl_buf_puts(&b, "{\"id\":");
        vgl_json_write_str(&b, row->id, strlen(row->id));
        vgl_buf_printf(&b, ",\"created\":\"%s\",\"reason\":", when);
        vgl_json_write_str(&b, d->reason, strlen(d->reason));
        vgl_buf_puts(&b, ",\"service\":");
        vgl_json_write_str(&b, d->service, strlen(d->service));
        vgl_buf_puts(&b, ",\"resource\":");
        vgl_json_write_str(&b, d->resource, strlen(d->resource));
        vgl_buf_puts(&b, ",\"position\":");
        vgl_json_write_str(&b, d->position, strlen(d->position));
        vgl_buf_printf(&b, ",\"bytes\":%zu,\"replayed\":%s,\"detail\":", d->total_len,
                       row->replayed_us ? "true" : "false");
        vgl_json_write_str(&b, d->detail, strlen(d->detail));
        vgl_buf_puts(&b, ",\"payload\":");
        put_payload(&b, d);
        vgl_buf_puts(&b, "}\n");
        fwrite(b.data, 1, b.len, stdout);
        vgl_buf_release(&b);
        return 0;
    }
    if (c->show) {
        printf("id:        %s\ncreated:   %s\nreason:    %s\nsource:    %s / %s\nposition:  %s\n"
               "bytes:     %zu%s\nreplayed:  %s\ndetail:    %s\npayload:   ",
               row->id, when, d->reason, d->service, d->resource, d->position, d->total_len,
               d->payload ? "" : " (not kept)", row->replayed_us ? "yes" : "no", d->detail);
        struct vgl_buf b;
        vgl_buf_init(&b, 0);
        put_payload(&b, d);
        printf("%.*s\n", (int)b.len, b.data ? b.data : "");
        vgl_buf_release(&b);
        return 0;
    }
    if (c->n == 1)
        printf("%-12s %-20s %-13s %-28s %9s  %s\n", "ID", "CREATED (UTC)", "REASON", "POSITION", "BYTES",
               "DETAIL");
    /* the end of a long position is the telling part (file name, offset) */
    size_t plen = strlen(d->position);
    char pos[40];
    if (plen > 28)
        snprintf(pos, sizeof pos, "...%s", d->position + plen - 25);
    else
        snprintf(pos, sizeof pos, "%s", d->position);
    printf("%-12.12s %-20s %-13s %-28s %9zu  %.100s\n", row->id, when, d->reason, pos, d->total_len,
           d->detail);
    return 0;
}

struct replay_ctx {
    struct vgl_pipeline *p;
    struct vgl_store *s;
    size_t tried, ok, failed, skipped;
    struct vgl_deadletter_row *rows;
    size_t n, cap;
};

static int collect(const struct vgl_deadletter_row *row, void *ud)
{
    struct replay_ctx *c = ud;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->rows = realloc(c->rows, c->cap * sizeof *c->rows);
    }
    struct vgl_deadletter_row *r = &c->rows[c->n++];
    *r = *row;
    r->id = strdup(row->id);
    r->d.reason = strdup(row->d.reason);
    r->d.detail = NULL;
    r->d.service = strdup(row->d.service);
    r->d.resource = strdup(row->d.resource);
    r->d.position = strdup(row->d.position);
    if (row->d.payload) {
        void *copy = malloc(row->d.payload_len + 1);
        memcpy(copy, row->d.payload, row->d.payload_len);
        r->d.payload = copy;
    }
    return 0;
}

static int replay(struct vgl_config *cfg, struct vgl_store *s, const struct vgl_deadletter_filter *f)
{
    struct vgl_diag diag;
    vgl_diag_init(&diag);
    struct vgl_rules *rules = vgl_rules_load(cfg, NULL, &diag);
    vgl_cli_print_diag(&diag);
    vgl_diag_release(&diag);
    if (!rules) {
        fprintf(stderr, "vigil deadletters replay: the rules did not load; fix them first\n");
        return VGL_EXIT_CONFIG;
    }
    char dd[4096];
    vgl_cli_data_dir(cfg, dd, sizeof dd);
    struct vgl_error err = {0};
    struct vgl_lake *lake = NULL;
    if (cfg->settings.lake) {
        lake = vgl_lake_open(dd, "replay", NULL, &err);
        if (!lake)
            fprintf(stderr, "vigil deadletters replay: lake: %s (records are not archived)\n", err.msg);
    }
    struct vgl_pipeline p;
    vgl_pipeline_init(&p, cfg, rules, s, lake);
    struct replay_ctx c = {.p = &p, .s = s};
    struct vgl_deadletter_filter ff = *f;
    ff.oldest_first = true;
    int rc = vgl_store_deadletters(s, &ff, collect, &c, &err);
    for (size_t i = 0; i < c.n && rc == 0; i++) {
        struct vgl_deadletter_row *r = &c.rows[i];
        if (!r->d.payload) {
            c.skipped++;   /* oversize: the bytes were never kept */
            continue;
        }
        c.tried++;
        uint64_t before = 0, after = 0;
        for (int k = 0; k < 5; k++)
            before += p.stats.dead[k];
        rc = vgl_pipeline_item(&p, r->d.service, r->d.resource, r->d.position, r->d.payload,
                               r->d.payload_len, r->d.total_len, vgl_dispatch_now_us(), &err);
        if (rc == 0)
            rc = vgl_store_begin(s, &err);
        if (rc == 0)
            rc = vgl_pipeline_flush(&p, &err);
        for (int k = 0; k < 5; k++)
            after += p.stats.dead[k];
        bool through = rc == 0 && after == before;
        if (rc == 0 && through)
            rc = vgl_store_deadletter_replayed(s, r->id, vgl_dispatch_now_us(), &err);
        if (rc == 0 && lake)
            rc = vgl_lake_sync(lake, &err);
        if (rc == 0)
            rc = vgl_store_commit(s, &err);
        else
            vgl_store_rollback(s);
        vgl_pipeline_end_batch(&p);
        if (through)
            c.ok++;
        else
            c.failed++;
    }
    if (rc)
        fprintf(stderr, "vigil deadletters replay: %s\n", err.msg);
    if (lake && vgl_lake_close(lake, &err) != 0)
        fprintf(stderr, "vigil deadletters replay: lake: %s\n", err.msg);
    printf("replayed %zu dead letter%s: %zu went through (%llu new alert%s), %zu failed again%s",
           c.tried, c.tried == 1 ? "" : "s", c.ok, (unsigned long long)p.stats.alerts_new,
           p.stats.alerts_new == 1 ? "" : "s", c.failed, c.failed ? " (still listed)" : "");
    if (c.skipped)
        printf(", %zu skipped (payload not kept)", c.skipped);
    printf("\n");
    for (size_t i = 0; i < c.n; i++) {
        free((char *)c.rows[i].id);
        free((char *)c.rows[i].d.reason);
        free((char *)c.rows[i].d.service);
        free((char *)c.rows[i].d.resource);
        free((char *)c.rows[i].d.position);
        free((void *)c.rows[i].d.payload);
    }
    free(c.rows);
    vgl_pipeline_release(&p);
    vgl_rules_free(rules);
    if (rc)
        return VGL_EXIT_RUNTIME;
    return c.failed ? VGL_EXIT_FAIL : VGL_EXIT_OK;
}

int vgl_cmd_deadletters(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? VGL_EXIT_USAGE : VGL_EXIT_OK;
    }
    const char *sub = argv[1], *conf = "conf";
    if (strcmp(sub, "list") != 0 && strcmp(sub, "show") != 0 && strcmp(sub, "replay") != 0) {
        fprintf(stderr, "vigil deadletters: unknown subcommand '%s' (list, show, replay)\n", sub);
        return VGL_EXIT_USAGE;
    }
    struct vgl_deadletter_filter f = {.limit = 50};
    struct list_ctx c = {0};
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        bool has = i + 1 < argc;
        if (strcmp(a, "--config") == 0 && has) {
            conf = argv[++i];
        } else if (strcmp(a, "--reason") == 0 && has) {
            f.reason = argv[++i];
        } else if (strcmp(a, "--id") == 0 && has) {
            f.id = argv[++i];
        } else if (strcmp(a, "--since") == 0 && has) {
            f.since_us = vgl_cli_parse_time(argv[++i]);
            if (!f.since_us) {
                fprintf(stderr, "vigil deadletters: cannot read time '%s' (YYYY-MM-DD[THH:MM[:SS]] or "
                                "30m, 6h, 2d)\n", argv[i]);
                return VGL_EXIT_USAGE;
            }
        } else if (strcmp(a, "--limit") == 0 && has) {
            f.limit = (size_t)strtoul(argv[++i], NULL, 10);
        } else if (strcmp(a, "--all") == 0) {
            f.include_replayed = true;
        } else if (strcmp(a, "--json") == 0) {
            c.json = true;
        } else if (a[0] != '-' && strcmp(sub, "show") == 0 && !f.id) {
            f.id = a;
        } else {
            fprintf(stderr, "vigil deadletters %s: unexpected argument '%s'\n", sub, a);
            return VGL_EXIT_USAGE;
        }
    }
    if (strcmp(sub, "show") == 0 && !f.id) {
        fprintf(stderr, "vigil deadletters show: give a dead-letter id (or a unique prefix)\n");
        return VGL_EXIT_USAGE;
    }
    struct vgl_config *cfg = vgl_cli_load_config(conf, true);
    if (!cfg)
        return VGL_EXIT_CONFIG;
    char path[4200];
    struct vgl_error err = {0};
    struct vgl_store *s = vgl_cli_open_store(cfg, "deadletters", path, sizeof path);
    int exit_code = VGL_EXIT_OK;
    if (!s) {
        vgl_config_free(cfg);
        return VGL_EXIT_RUNTIME;
    }
    if (strcmp(sub, "replay") == 0) {
        f.limit = 0;
        exit_code = replay(cfg, s, &f);
    } else {
        if (strcmp(sub, "show") == 0) {
            c.show = true;
            f.include_replayed = true;
            f.limit = 2;
        }
        int rc = vgl_store_deadletters(s, &f, print_dl, &c, &err);
        if (rc) {
            fprintf(stderr, "vigil deadletters: %s\n", err.msg);
            exit_code = VGL_EXIT_RUNTIME;
        } else if (c.show && c.n != 1) {
            fprintf(stderr, "vigil deadletters show: %s '%s'\n",
                    c.n ? "more than one dead letter starts with" : "no dead letter with id", f.id);
            exit_code = VGL_EXIT_USAGE;
        } else if (c.n == 0 && !c.json) {
            printf("no dead letters%s in %s\n", f.include_replayed ? "" : " to replay", path);
        }
    }
    vgl_store_close(s);
    vgl_config_free(cfg);
    return exit_code;
}
