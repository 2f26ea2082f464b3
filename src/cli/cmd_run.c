/*
 * cli/cmd_run.c: `vigil run`: the pipeline as a service (engine/engine.h, docs/run.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/engine.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: vigil run [--config DIR] [--workers N] [--once]\n\n"
            "Runs the pipeline as a service: reads every data source of conf/clusters (files and\n"
            "directories for service 'file', 'stdin', 'syslog' listeners, and HTTP ingest at\n"
            "http_listen for 'http', 'kinesis', 's3', 'sns', 'streamalert_app'), classifies,\n"
            "archives every record in <data_dir>/lake, runs the rules, stores the alerts and\n"
            "delivers them to their outputs.  N worker processes (default: the workers setting,\n"
            "else one per core) share the inputs; one alert process merges and delivers.\n"
            "Prometheus metrics at http://<metrics_listen>/metrics (127.0.0.1:9464).\n\n"
            "Signals: SIGTERM/SIGINT finish the current batches and stop; SIGHUP reloads the\n"
            "config and rules (a config that does not validate is rejected; the running one\n"
            "stays).  --once stops when the file, directory and stdin inputs are drained and\n"
            "nothing more is due for delivery (for scripts and tests).\n\n"
            "Failed payloads are kept as dead letters: see `vigil deadletters`.\n\n%s",
            VGL_EXIT_CODES_HELP);
}

int vgl_cmd_run(int argc, char **argv)
{
    struct vgl_engine_opts o = {.conf_dir = "conf", .argc = argc, .argv = argv};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has = i + 1 < argc;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return VGL_EXIT_OK;
        } else if (strcmp(a, "--config") == 0 && has) {
            o.conf_dir = argv[++i];
        } else if (strcmp(a, "--workers") == 0 && has) {
            char *end;
            long n = strtol(argv[++i], &end, 10);
            if (*end || n < 1 || n > 256) {
                fprintf(stderr, "vigil run: --workers takes a number from 1 to 256, not '%s'\n", argv[i]);
                return VGL_EXIT_USAGE;
            }
            o.workers = (int)n;
        } else if (strcmp(a, "--once") == 0) {
            o.once = true;
        } else {
            fprintf(stderr, "vigil run: unexpected argument '%s'\n", a);
            usage(stderr);
            return VGL_EXIT_USAGE;
        }
    }
    return vgl_engine_run(&o);
}
