/*
 * cli/cmd_validate.c: `vigil validate`: load the whole configuration and print every
 * problem found, each naming file, JSON path, what was expected and what was found.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "config/config.h"
#include "rules/rules.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: vigil validate [--config DIR] [--no-rules] [--settings]\n\n"
                 "Loads conf/ (StreamAlert layout plus vigil.json), then imports the rules and\n"
                 "matchers of global.json's rule_locations and matcher_locations (unless\n"
                 "--no-rules), and reports every error and warning.  --config defaults to ./conf.\n"
                 "--settings lists vigil.json's settings.\n\n%s",
            VGL_EXIT_CODES_HELP);
}

int vgl_cmd_validate(int argc, char **argv)
{
    const char *conf = "conf";
    bool rules = true;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            conf = argv[++i];
        } else if (strcmp(argv[i], "--no-rules") == 0) {
            rules = false;
        } else if (strcmp(argv[i], "--settings") == 0) {
            vgl_settings_describe(stdout);
            return VGL_EXIT_OK;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return VGL_EXIT_OK;
        } else {
            fprintf(stderr, "vigil validate: unexpected argument '%s'\n", argv[i]);
            usage(stderr);
            return VGL_EXIT_USAGE;
        }
    }
    struct vgl_diag diag;
    vgl_diag_init(&diag);
    struct vgl_config *cfg = vgl_config_load(conf, &diag);
    size_t nrules = 0;
    bool rules_ok = true;
    if (cfg && rules) {
        struct vgl_rules *r = vgl_rules_load(cfg, NULL, &diag);
        rules_ok = r != NULL;
        nrules = vgl_rules_count(r);
        vgl_rules_free(r);
    }
    vgl_cli_print_diag(&diag);
    int rc;
    if (!cfg || !rules_ok) {
        fprintf(stderr, "%s: %zu error%s, %zu warning%s: configuration rejected\n", conf, diag.nerrors,
                diag.nerrors == 1 ? "" : "s", diag.n - diag.nerrors,
                diag.n - diag.nerrors == 1 ? "" : "s");
        rc = VGL_EXIT_CONFIG;
    } else {
        printf("%s: ok: %zu schemas, %zu clusters, %zu data sources, ", conf, cfg->nschemas,
               cfg->nclusters, cfg->nsources);
        if (rules)
            printf("%zu rules, ", nrules);
        printf("%zu warning%s\n", diag.n, diag.n == 1 ? "" : "s");
        rc = VGL_EXIT_OK;
    }
    vgl_config_free(cfg);
    vgl_diag_release(&diag);
    return rc;
}
