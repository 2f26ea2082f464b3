/*
 * bench/bench_stages.c: per-stage throughput on a file of newline-delimited payloads:
 * JSON parse alone, JSON write alone, and classify (parse + schema match + conversion +
 * normalization) against a data source.  Prints records/s, MB/s and ns/record per stage.
 *
 * usage: bench_stages FILE CONF_DIR SERVICE RESOURCE [REPEAT]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "frame/lines.h"
#include "json/json.h"
#include "parse/classify.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void report(const char *stage, size_t n, size_t bytes, double secs)
{
    printf("%-10s %10.0f records/s %8.1f MB/s %8.0f ns/record\n", stage, (double)n / secs,
           (double)bytes / secs / 1e6, secs * 1e9 / (double)n);
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: bench_stages FILE CONF_DIR SERVICE RESOURCE [REPEAT]\n");
        return 2;
    }
    int repeat = argc > 5 ? atoi(argv[5]) : 3;
    struct vgl_buf all;
    vgl_buf_init(&all, 0);
    struct vgl_error err = {0};
    if (vgl_read_file(argv[1], 1u << 31, &all, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    /* Split into lines once. */
    size_t n = 0, cap = 0;
    struct line {
        const char *p;
        size_t len;
    } *lines = NULL;
    for (char *p = all.data, *end = all.data + all.len; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            lines = realloc(lines, cap * sizeof *lines);
        }
        lines[n++] = (struct line){p, len};
        p += len + 1;
    }
    struct vgl_diag diag;
    vgl_diag_init(&diag);
    struct vgl_config *cfg = vgl_config_load(argv[2], &diag);
    if (!cfg) {
        for (size_t i = 0; i < diag.n; i++)
            fprintf(stderr, "%s\n", diag.msgs[i]);
        return 1;
    }
    const struct vgl_data_source *src = vgl_config_source(cfg, argv[3], argv[4]);
    if (!src) {
        fprintf(stderr, "no data source %s/%s\n", argv[3], argv[4]);
        return 1;
    }
    struct vgl_arena arena;
    vgl_arena_init(&arena, 1 << 20);
    struct vgl_buf out;
    vgl_buf_init(&out, 0);
    printf("%zu records, %zu bytes, best of %d runs\n", n, all.len, repeat);
    double best_parse = 1e99, best_write = 1e99, best_cls = 1e99;
    for (int r = 0; r < repeat; r++) {
        double t0 = now();
        for (size_t i = 0; i < n; i++) {
            struct vgl_json v;
            vgl_json_parse(lines[i].p, lines[i].len, &arena, NULL, &v, NULL);
            if ((i & 255) == 255)
                vgl_arena_reset(&arena);
        }
        double t1 = now();
        struct vgl_json v;
        vgl_json_parse(lines[0].p, lines[0].len, &arena, NULL, &v, NULL);
        for (size_t i = 0; i < n; i++) {
            vgl_buf_reset(&out);
            vgl_json_write(&out, &v);
        }
        double t2 = now();
        size_t records = 0;
        for (size_t i = 0; i < n; i++) {
            struct vgl_payload p = {.data = lines[i].p, .len = lines[i].len};
            struct vgl_classified res;
            vgl_classify(src, &p, &arena, NULL, &res, NULL);
            records += res.nrecords;
            if ((i & 255) == 255)
                vgl_arena_reset(&arena);
        }
        double t3 = now();
        if (records != n)
            fprintf(stderr, "warning: %zu of %zu payloads classified\n", records, n);
        best_parse = t1 - t0 < best_parse ? t1 - t0 : best_parse;
        best_write = t2 - t1 < best_write ? t2 - t1 : best_write;
        best_cls = t3 - t2 < best_cls ? t3 - t2 : best_cls;
    }
    report("parse", n, all.len, best_parse);
    report("write", n, all.len, best_write);
    report("classify", n, all.len, best_cls);
    vgl_buf_release(&out);
    vgl_arena_release(&arena);
    vgl_config_free(cfg);
    vgl_diag_release(&diag);
    vgl_buf_release(&all);
    free(lines);
    return 0;
}
